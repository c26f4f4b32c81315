/**
 * A CXone sandbox: a real HTTP server on 127.0.0.1 implementing shared/spec/cxone-api.md,
 * with scriptable faults, an optional tenant rate limit and counters a test can read.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import {
	ATTRIBUTES_UPDATED,
	checkAttributeUpdate,
	checkWebhook,
	type Attribute,
	type ErrorDetail,
	type WebhookInput,
} from './contract';

export type RouteName = 'token' | 'updateAttributes' | 'createWebhook' | 'listWebhooks' | 'deleteWebhook';
export const ROUTES: RouteName[] = ['token', 'updateAttributes', 'createWebhook', 'listWebhooks', 'deleteWebhook'];

export type Fault =
	| { kind: 'status'; status: 429 | 500 | 502 | 503 | 504; retryAfter?: number }
	/** The TCP connection is destroyed without an answer. `after: true` applies the request first. */
	| { kind: 'reset'; after?: boolean }
	/** Waits `ms`, then handles the request normally unless the client went away meanwhile. */
	| { kind: 'stall'; ms: number }
	| { kind: 'revokedToken' }
	| { kind: 'wrongScope' };

/** Decides a fault for the n-th call (0-based) of a route; undefined means no fault. */
export type FaultPlan = (route: RouteName, callIndex: number) => Fault | undefined;

export interface SandboxOptions {
	port?: number;
	clientId?: string;
	clientSecret?: string;
	/** Seconds a token lives (contract §1: 1200 is typical). */
	expiresIn?: number;
	/** Scopes this client may be granted. */
	allowedScopes?: string[];
	/** Tenant limit in requests per second on the API routes; 0 turns it off. */
	rateLimitPerSecond?: number;
	/** Unknown interaction ids spring into existence on first update (otherwise 404). */
	autoCreateInteractions?: boolean;
	callbackRetryDelayMs?: number;
	callbackTimeoutMs?: number;
	maxBodyBytes?: number;
	/** Keep the raw bodies received (turn off for very large benchmark runs). */
	recordBodies?: boolean;
	/** Serve HTTPS with this key and certificate instead of plain HTTP. */
	tls?: { key: string; cert: string };
}

export interface ReceivedBody {
	route: RouteName;
	path: string;
	/** The body decoded as UTF-8, for reading; `bytes` and `sha256` are the exact bytes received. */
	raw: string;
	bytes: Buffer;
	sha256: string;
	headers: http.IncomingHttpHeaders;
}

export interface AppliedUpdate {
	interactionId: string;
	sha256: string;
	attributes: Attribute[];
	eventId: string;
}

export interface StoredWebhook extends WebhookInput {
	id: string;
	createdAt: string;
}

export interface Delivery {
	webhookId: string;
	eventId: string;
	attempt: number;
	status: number | null;
	error?: string;
}

interface Interaction {
	attributes: Map<string, Attribute>;
	lastUpdated: string;
	foreign: boolean;
}

interface IssuedToken {
	scopes: string[];
	expiresAt: number;
	revoked: boolean;
}

/** The error codes of the contract: `{ error, error_description, details? }`. */
interface ApiError {
	status: number;
	error: string;
	description: string;
	details?: ErrorDetail[];
	headers?: Record<string, string>;
}

const CALLBACK_RETRIES = 3;
const DEFAULT_SCOPES = ['interactions:write', 'webhooks:write'];

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

/** Token bucket: at most `rate` requests in any second, bursts up to `rate`. */
class RateLimiter {
	private tokens: number;
	private last = performance.now();

	constructor(private readonly rate: number) {
		this.tokens = rate;
	}

	/** Takes one token; returns 0 when allowed, otherwise the seconds to wait. */
	take(): number {
		const now = performance.now();
		this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
		this.last = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return 0;
		}
		return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
	}
}

function emptyCalls(): Record<RouteName, number> {
	return { token: 0, updateAttributes: 0, createWebhook: 0, listWebhooks: 0, deleteWebhook: 0 };
}

export class CxoneSandbox {
	readonly clientId: string;
	readonly clientSecret: string;
	expiresIn: number;
	allowedScopes: string[];
	autoCreateInteractions: boolean;
	callbackRetryDelayMs: number;
	callbackTimeoutMs: number;
	readonly maxBodyBytes: number;
	recordBodies: boolean;

	/** Counters a test can read. */
	stats = {
		tokenRequests: 0,
		tokensIssued: 0,
		calls: emptyCalls(),
		statuses: {} as Record<number, number>,
		rateLimited: 0,
		faultsInjected: 0,
		abandoned: 0,
		callbackAttempts: 0,
		callbacksDelivered: 0,
		callbacksFailed: 0,
	};
	received: ReceivedBody[] = [];
	applied: AppliedUpdate[] = [];
	deliveries: Delivery[] = [];
	readonly webhooks = new Map<string, StoredWebhook>();

	private readonly interactions = new Map<string, Interaction>();
	private readonly tokens = new Map<string, IssuedToken>();
	private readonly queuedFaults: Record<RouteName, Fault[]> = {
		token: [],
		updateAttributes: [],
		createWebhook: [],
		listWebhooks: [],
		deleteWebhook: [],
	};
	private faultPlan: FaultPlan | undefined;
	private limiter: RateLimiter | undefined;
	private readonly server: http.Server;
	private readonly scheme: 'http' | 'https';
	private readonly pendingCallbacks = new Set<Promise<void>>();
	private port: number;
	private stopped = false;

	constructor(options: SandboxOptions = {}) {
		this.port = options.port ?? 0;
		this.clientId = options.clientId ?? 'sandbox-client';
		this.clientSecret = options.clientSecret ?? `sbx_${randomBytes(24).toString('base64url')}`;
		this.expiresIn = options.expiresIn ?? 1200;
		this.allowedScopes = options.allowedScopes ?? DEFAULT_SCOPES;
		this.autoCreateInteractions = options.autoCreateInteractions ?? true;
		this.callbackRetryDelayMs = options.callbackRetryDelayMs ?? 200;
		this.callbackTimeoutMs = options.callbackTimeoutMs ?? 5000;
		this.maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
		this.recordBodies = options.recordBodies ?? true;
		this.setRateLimit(options.rateLimitPerSecond ?? 0);
		const listener: http.RequestListener = (req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent && !res.destroyed) {
					this.send(res, { status: 500, error: 'internal_error', description: String(error) });
				}
			});
		};
		this.scheme = options.tls ? 'https' : 'http';
		this.server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
		// Longer than any client's idle keep-alive, so the server never closes a socket a client is reusing.
		this.server.keepAliveTimeout = 65_000;
		this.server.headersTimeout = 66_000;
	}

	get url(): string {
		return `${this.scheme}://127.0.0.1:${this.port}`;
	}

	async start(): Promise<string> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.port, '127.0.0.1', () => resolve());
		});
		this.port = (this.server.address() as AddressInfo).port;
		return this.url;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		await Promise.allSettled([...this.pendingCallbacks]);
	}

	/** Queues `fault` for the next `times` calls of `route`. */
	injectFault(route: RouteName, fault: Fault, times = 1): void {
		for (let i = 0; i < times; i++) this.queuedFaults[route].push(fault);
	}

	/** Installs a plan consulted for every call that has no queued fault. */
	setFaultPlan(plan: FaultPlan | undefined): void {
		this.faultPlan = plan;
	}

	setRateLimit(perSecond: number): void {
		this.limiter = perSecond > 0 ? new RateLimiter(perSecond) : undefined;
	}

	/** Every access token issued so far, so a test can look for them where they must never appear. */
	issuedTokens(): string[] {
		return [...this.tokens.keys()];
	}

	/** Revokes every token issued so far: the next API call with one gets 401 invalid_token. */
	revokeTokens(): void {
		for (const token of this.tokens.values()) token.revoked = true;
	}

	addInteraction(id: string, options: { foreign?: boolean } = {}): void {
		this.interactions.set(id, {
			attributes: new Map(),
			lastUpdated: new Date().toISOString(),
			foreign: options.foreign ?? false,
		});
	}

	removeInteraction(id: string): void {
		this.interactions.delete(id);
	}

	/** The attribute snapshot the API would return for `id`, or undefined. */
	snapshot(id: string) {
		const interaction = this.interactions.get(id);
		if (!interaction) return undefined;
		return {
			interactionId: id,
			attributes: [...interaction.attributes.values()],
			lastUpdated: interaction.lastUpdated,
		};
	}

	/** Clears counters and recordings; keeps webhooks, interactions and tokens. */
	resetCounters(): void {
		this.stats = {
			tokenRequests: 0,
			tokensIssued: 0,
			calls: emptyCalls(),
			statuses: {},
			rateLimited: 0,
			faultsInjected: 0,
			abandoned: 0,
			callbackAttempts: 0,
			callbacksDelivered: 0,
			callbacksFailed: 0,
		};
		this.received = [];
		this.applied = [];
		this.deliveries = [];
		for (const queue of Object.values(this.queuedFaults)) queue.length = 0;
	}

	/** Resolves once every callback started so far has been delivered or given up. */
	async settleCallbacks(): Promise<void> {
		while (this.pendingCallbacks.size > 0) await Promise.allSettled([...this.pendingCallbacks]);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox');
		const path = url.pathname;
		const method = req.method ?? 'GET';

		if (path.startsWith('/_sandbox/')) return this.handleControl(method, path, req, res);

		const match = routeOf(method, path);
		if ('status' in match) return this.send(res, match);
		const { route, param } = match;
		const callIndex = this.stats.calls[route]++;
		if (route === 'token') this.stats.tokenRequests++;

		const bytes = await this.readBody(req);
		if (bytes === undefined) {
			return this.send(res, {
				status: 413,
				error: 'payload_too_large',
				description: `Body larger than ${this.maxBodyBytes} bytes`,
			});
		}
		// Hashing the bytes rather than the decoded text keeps the hash exact even for bodies that are not valid UTF-8.
		const raw = bytes.toString('utf8');
		const digest = sha256(bytes);
		if (this.recordBodies && route !== 'token') {
			this.received.push({ route, path, raw, bytes, sha256: digest, headers: req.headers });
		}

		const fault = this.queuedFaults[route].shift() ?? this.faultPlan?.(route, callIndex);
		if (fault) {
			this.stats.faultsInjected++;
			const outcome = await this.applyFault(fault, req, res, () => this.dispatch(route, param, raw, digest, req));
			if (outcome === 'handled') return;
		}

		if (route !== 'token' && this.limiter) {
			const wait = this.limiter.take();
			if (wait > 0) {
				this.stats.rateLimited++;
				return this.send(res, {
					status: 429,
					error: 'rate_limited',
					description: 'Tenant rate limit exceeded',
					headers: { 'Retry-After': String(wait) },
				});
			}
		}
		return this.send(res, this.dispatch(route, param, raw, digest, req));
	}

	private async applyFault(
		fault: Fault,
		req: http.IncomingMessage,
		res: http.ServerResponse,
		apply: () => ApiError | { status: number; body?: unknown },
	): Promise<'handled' | 'continue'> {
		switch (fault.kind) {
			case 'status':
				this.send(res, {
					status: fault.status,
					error: fault.status === 429 ? 'rate_limited' : 'server_error',
					description: `Injected ${fault.status}`,
					headers: fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : undefined,
				});
				return 'handled';
			case 'reset':
				if (fault.after) apply();
				req.socket.destroy();
				return 'handled';
			case 'stall':
				await delay(fault.ms);
				if (res.destroyed || req.socket.destroyed) {
					this.stats.abandoned++;
					return 'handled';
				}
				return 'continue';
			case 'revokedToken':
				this.send(res, { status: 401, error: 'invalid_token', description: 'The access token was revoked' });
				return 'handled';
			case 'wrongScope':
				this.send(res, {
					status: 403,
					error: 'insufficient_scope',
					description: 'The access token lacks the scope this endpoint requires',
				});
				return 'handled';
		}
	}

	private dispatch(
		route: RouteName,
		param: string | undefined,
		raw: string,
		digest: string,
		req: http.IncomingMessage,
	): ApiError | { status: number; body?: unknown } {
		if (route === 'token') return this.issueToken(raw, req);
		const scope = route === 'updateAttributes' ? 'interactions:write' : 'webhooks:write';
		const denied = this.authorize(req, scope);
		if (denied) return denied;
		switch (route) {
			case 'updateAttributes':
				return this.updateAttributes(param as string, raw, digest, req);
			case 'createWebhook':
				return this.createWebhook(raw, req);
			case 'listWebhooks':
				return { status: 200, body: { webhooks: [...this.webhooks.values()] } };
			case 'deleteWebhook':
				if (!this.webhooks.delete(param as string)) {
					return { status: 404, error: 'webhook_not_found', description: `No webhook ${param}` };
				}
				return { status: 204 };
		}
	}

	private issueToken(raw: string, req: http.IncomingMessage): ApiError | { status: number; body: unknown } {
		if (!contentTypeIs(req, 'application/x-www-form-urlencoded')) {
			return {
				status: 400,
				error: 'invalid_request',
				description: 'Content-Type must be application/x-www-form-urlencoded',
			};
		}
		const form = new URLSearchParams(raw);
		const grantType = form.get('grant_type');
		if (!grantType) return { status: 400, error: 'invalid_request', description: 'grant_type is required' };
		if (grantType !== 'client_credentials') {
			return {
				status: 400,
				error: 'unsupported_grant_type',
				description: `Grant type ${grantType} is not supported; use client_credentials`,
			};
		}
		const basic = parseBasic(req.headers.authorization);
		const bodyId = form.get('client_id');
		const bodySecret = form.get('client_secret');
		if (basic && bodyId !== null && (bodyId !== basic.id || (bodySecret !== null && bodySecret !== basic.secret))) {
			return {
				status: 400,
				error: 'invalid_request',
				description: 'Client credentials sent both as Basic auth and in the body, and they differ',
			};
		}
		const id = basic?.id ?? bodyId ?? '';
		const secret = basic?.secret ?? bodySecret ?? '';
		if (!safeEqual(id, this.clientId) || !safeEqual(secret, this.clientSecret)) {
			return {
				status: 401,
				error: 'invalid_client',
				description: 'Client authentication failed: unknown client or wrong secret',
				headers: basic ? { 'WWW-Authenticate': 'Basic realm="cxone"' } : undefined,
			};
		}
		const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
		const granted = requested.length === 0 ? this.allowedScopes : requested.filter((s) => this.allowedScopes.includes(s));
		if (granted.length === 0) {
			return {
				status: 400,
				error: 'invalid_request',
				description: `None of the requested scopes (${requested.join(' ')}) is granted to this client`,
			};
		}
		const accessToken = `sbx_at_${randomBytes(24).toString('base64url')}`;
		this.tokens.set(accessToken, {
			scopes: granted,
			expiresAt: Date.now() + this.expiresIn * 1000,
			revoked: false,
		});
		this.stats.tokensIssued++;
		return {
			status: 200,
			body: {
				access_token: accessToken,
				token_type: 'Bearer',
				expires_in: this.expiresIn,
				scope: granted.join(' '),
			},
		};
	}

	private authorize(req: http.IncomingMessage, scope: string): ApiError | undefined {
		const header = req.headers.authorization ?? '';
		const match = /^Bearer (.+)$/i.exec(header);
		const token = match ? this.tokens.get(match[1]) : undefined;
		if (!token || token.revoked || token.expiresAt <= Date.now()) {
			return {
				status: 401,
				error: 'invalid_token',
				description: token ? 'The access token expired or was revoked' : 'Missing or unknown bearer token',
				headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
			};
		}
		if (!token.scopes.includes(scope)) {
			return { status: 403, error: 'insufficient_scope', description: `This call needs the ${scope} scope` };
		}
		return undefined;
	}

	private parseJson(raw: string, req: http.IncomingMessage): { value: unknown } | ApiError {
		if (!contentTypeIs(req, 'application/json')) {
			return {
				status: 400,
				error: 'invalid_payload',
				description: 'Content-Type must be application/json',
				details: [{ path: '', message: 'Content-Type must be application/json' }],
			};
		}
		try {
			return { value: JSON.parse(raw) };
		} catch {
			return {
				status: 400,
				error: 'invalid_payload',
				description: 'Body is not valid JSON',
				details: [{ path: '', message: 'Body is not valid JSON' }],
			};
		}
	}

	private updateAttributes(rawId: string, raw: string, digest: string, req: http.IncomingMessage) {
		let interactionId: string;
		try {
			interactionId = decodeURIComponent(rawId);
		} catch {
			return { status: 404, error: 'interaction_not_found', description: 'Malformed interaction id' };
		}
		const parsed = this.parseJson(raw, req);
		if (!('value' in parsed)) return parsed;
		const checked = checkAttributeUpdate(parsed.value);
		if (!checked.ok) {
			return {
				status: 400,
				error: 'invalid_payload',
				description: checked.details.map((d) => `${d.path}: ${d.message}`).join('; '),
				details: checked.details,
			};
		}
		let interaction = this.interactions.get(interactionId);
		if (!interaction && this.autoCreateInteractions) {
			this.addInteraction(interactionId);
			interaction = this.interactions.get(interactionId);
		}
		if (!interaction) {
			return { status: 404, error: 'interaction_not_found', description: `No interaction ${interactionId}` };
		}
		if (interaction.foreign) {
			return { status: 403, error: 'forbidden', description: 'The interaction belongs to another tenant' };
		}
		// Atomic: the whole request was validated above, so every attribute is applied or none.
		for (const attribute of checked.attributes) {
			if (attribute.mode === 'DELETE') interaction.attributes.delete(attribute.key);
			else interaction.attributes.set(attribute.key, attribute);
		}
		const committedAt = performance.now();
		interaction.lastUpdated = new Date().toISOString();
		const eventId = `evt_${randomBytes(12).toString('hex')}`;
		this.applied.push({ interactionId, sha256: digest, attributes: checked.attributes, eventId });
		this.notify(eventId, interactionId, checked.attributes, interaction.lastUpdated, committedAt);
		return { status: 200, body: this.snapshot(interactionId) };
	}

	private createWebhook(raw: string, req: http.IncomingMessage) {
		const parsed = this.parseJson(raw, req);
		if (!('value' in parsed)) return parsed;
		const checked = checkWebhook(parsed.value);
		if (!checked.ok) {
			return {
				status: 400,
				error: 'invalid_payload',
				description: checked.details.map((d) => `${d.path}: ${d.message}`).join('; '),
				details: checked.details,
			};
		}
		const webhook: StoredWebhook = {
			id: `wh_${randomBytes(9).toString('hex')}`,
			...checked.webhook,
			createdAt: new Date().toISOString(),
		};
		this.webhooks.set(webhook.id, webhook);
		return { status: 201, body: webhook };
	}

	private notify(
		eventId: string,
		interactionId: string,
		attributes: Attribute[],
		occurredAt: string,
		committedAt: number,
	): void {
		for (const webhook of this.webhooks.values()) {
			if (!webhook.enabled || !webhook.events.includes(ATTRIBUTES_UPDATED)) continue;
			const delivery = this.deliver(webhook, eventId, interactionId, attributes, occurredAt, committedAt);
			this.pendingCallbacks.add(delivery);
			void delivery.finally(() => this.pendingCallbacks.delete(delivery));
		}
	}

	private async deliver(
		webhook: StoredWebhook,
		eventId: string,
		interactionId: string,
		attributes: Attribute[],
		occurredAt: string,
		committedAt: number,
	): Promise<void> {
		for (let attempt = 1; attempt <= 1 + CALLBACK_RETRIES && !this.stopped; attempt++) {
			this.stats.callbackAttempts++;
			const body = JSON.stringify({
				eventId,
				eventType: ATTRIBUTES_UPDATED,
				interactionId,
				attributes,
				occurredAt,
				callbackLatencyMs: Math.round(performance.now() - committedAt),
			});
			try {
				// set() rather than a spread: a registered `content-type` in any letter case would otherwise be
				// merged with ours into one comma-joined value instead of being replaced.
				const headers = new Headers(webhook.headers);
				headers.set('Content-Type', 'application/json');
				const response = await fetch(webhook.uri, {
					method: 'POST',
					headers,
					body,
					signal: AbortSignal.timeout(this.callbackTimeoutMs),
				});
				await response.arrayBuffer();
				this.deliveries.push({ webhookId: webhook.id, eventId, attempt, status: response.status });
				if (response.ok) {
					this.stats.callbacksDelivered++;
					return;
				}
			} catch (error) {
				this.deliveries.push({
					webhookId: webhook.id,
					eventId,
					attempt,
					status: null,
					error: error instanceof Error ? error.message : String(error),
				});
			}
			if (attempt <= CALLBACK_RETRIES) await delay(this.callbackRetryDelayMs * attempt);
		}
		this.stats.callbacksFailed++;
	}

	private async handleControl(
		method: string,
		path: string,
		req: http.IncomingMessage,
		res: http.ServerResponse,
	): Promise<void> {
		const raw = ((await this.readBody(req)) ?? Buffer.alloc(0)).toString('utf8');
		let body: Record<string, unknown>;
		try {
			body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
		} catch {
			return this.send(res, { status: 400, error: 'invalid_request', description: 'Body is not valid JSON' });
		}
		if (method === 'GET' && path === '/_sandbox/state') {
			return this.send(res, {
				status: 200,
				body: {
					stats: this.stats,
					webhooks: [...this.webhooks.values()],
					applied: this.applied.length,
					deliveries: this.deliveries,
				},
			});
		}
		if (method === 'POST' && path === '/_sandbox/faults') {
			// An unknown route or fault kind would otherwise surface as a 500 or be silently ignored.
			if (!ROUTES.includes(body.route as RouteName) || !isFault(body.fault)) {
				return this.send(res, {
					status: 400,
					error: 'invalid_request',
					description: `Expected {route: ${ROUTES.join('|')}, fault: {kind: ${FAULT_KINDS.join('|')}}, times?}`,
				});
			}
			this.injectFault(body.route as RouteName, body.fault, Number(body.times ?? 1));
			return this.send(res, { status: 204 });
		}
		if (method === 'POST' && path === '/_sandbox/rate-limit') {
			this.setRateLimit(Number(body.perSecond ?? 0));
			return this.send(res, { status: 204 });
		}
		if (method === 'POST' && path === '/_sandbox/revoke') {
			this.revokeTokens();
			return this.send(res, { status: 204 });
		}
		if (method === 'POST' && path === '/_sandbox/reset') {
			this.resetCounters();
			return this.send(res, { status: 204 });
		}
		return this.send(res, { status: 404, error: 'not_found', description: `No control route ${method} ${path}` });
	}

	/** Reads the whole body; undefined when it is larger than maxBodyBytes. */
	private async readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		for await (const chunk of req as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size > this.maxBodyBytes) tooLarge = true;
			else chunks.push(chunk);
		}
		return tooLarge ? undefined : Buffer.concat(chunks);
	}

	private send(res: http.ServerResponse, result: ApiError | { status: number; body?: unknown }): void {
		if (res.destroyed) return;
		this.stats.statuses[result.status] = (this.stats.statuses[result.status] ?? 0) + 1;
		if ('error' in result) {
			const payload: Record<string, unknown> = { error: result.error, error_description: result.description };
			if (result.details) payload.details = result.details;
			res.writeHead(result.status, { 'Content-Type': 'application/json', ...result.headers });
			res.end(JSON.stringify(payload));
			return;
		}
		if (result.body === undefined) {
			res.writeHead(result.status);
			res.end();
			return;
		}
		res.writeHead(result.status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(result.body));
	}
}

const FAULT_KINDS: Array<Fault['kind']> = ['status', 'reset', 'stall', 'revokedToken', 'wrongScope'];

function isFault(value: unknown): value is Fault {
	return (
		typeof value === 'object' &&
		value !== null &&
		FAULT_KINDS.includes((value as { kind?: unknown }).kind as Fault['kind'])
	);
}

function routeOf(method: string, path: string): { route: RouteName; param?: string } | ApiError {
	const attributes = /^\/api\/v2\/interactions\/([^/]+)\/attributes$/.exec(path);
	const webhook = /^\/api\/v2\/webhooks\/([^/]+)$/.exec(path);
	const candidates: Array<[string, RouteName, string | undefined] | undefined> = [
		path === '/oauth/token' ? ['POST', 'token', undefined] : undefined,
		attributes ? ['POST', 'updateAttributes', attributes[1]] : undefined,
		path === '/api/v2/webhooks' ? ['POST', 'createWebhook', undefined] : undefined,
		path === '/api/v2/webhooks' ? ['GET', 'listWebhooks', undefined] : undefined,
		webhook ? ['DELETE', 'deleteWebhook', webhook[1]] : undefined,
	];
	const known = candidates.filter((c) => c !== undefined);
	const hit = known.find(([allowed]) => allowed === method);
	if (hit) return { route: hit[1], param: hit[2] };
	if (known.length > 0) {
		return {
			status: 405,
			error: 'method_not_allowed',
			description: `${method} is not allowed on ${path}`,
			headers: { Allow: known.map(([allowed]) => allowed).join(', ') },
		};
	}
	return { status: 404, error: 'not_found', description: `No route ${method} ${path}` };
}

function contentTypeIs(req: http.IncomingMessage, type: string): boolean {
	return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === type;
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
	const match = /^Basic (.+)$/i.exec(header ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	// RFC 6749 §2.3.1 form-encodes id and secret before Base64; most clients send them raw.
	const unescape = (part: string) => {
		if (!part.includes('%')) return part;
		try {
			return decodeURIComponent(part);
		} catch {
			return part;
		}
	};
	return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}
