/**
 * A CXone sandbox: a real HTTP server on 127.0.0.1 implementing docs/cxone-api.md,
 * with scriptable faults, an optional tenant rate limit and counters a test can read.
 */
import { createHash, randomBytes } from 'node:crypto';
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
import { contentTypeIs, parseBasic, safeEqual } from './httpUtil';
import { emptyRealApiStats, RealApi, type RealApiOptions, type RealApiStats } from './realApi';

/**
 * How the tenant limit is enforced. `bucket`: a token bucket that allows bursts and answers 429 with
 * Retry-After. `strictWindow`: at most `perSecond` accepted calls in any one-second sliding window, and a
 * 429 without Retry-After, like a tenant that enforces its limit strictly and gives no hint.
 */
export type RateLimitMode = 'bucket' | 'strictWindow';
export const RATE_LIMIT_MODES: RateLimitMode[] = ['bucket', 'strictWindow'];

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

/** The real CXone APIs' options (access key, tenant, token lifetimes, Digital port): see realApi/types.ts. */
export interface SandboxOptions extends RealApiOptions {
	port?: number;
	clientId?: string;
	clientSecret?: string;
	/** Seconds a token lives (contract §1: 1200 is typical). */
	expiresIn?: number;
	/** Scopes this client may be granted. */
	allowedScopes?: string[];
	/** Tenant limit in requests per second on the API routes; 0 turns it off. */
	rateLimitPerSecond?: number;
	/** How the tenant limit is enforced; `bucket` unless given. */
	rateLimitMode?: RateLimitMode;
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

/** The tutorial contract's counters, and the real APIs' (RealApiStats) beside them. */
export interface SandboxStats extends RealApiStats {
	tokenRequests: number;
	tokensIssued: number;
	calls: Record<RouteName, number>;
	statuses: Record<number, number>;
	rateLimited: number;
	/** API calls (token route excluded) the tenant limit let through, in any mode or with no limit. */
	acceptedApiCalls: number;
	/**
	 * Wall-clock times in ms (sub-ms precision) of the first and last accepted API call; null before the first.
	 * The accepted rate is (acceptedApiCalls - 1) / ((lastAcceptedAtMs - firstAcceptedAtMs) / 1000).
	 */
	firstAcceptedAtMs: number | null;
	lastAcceptedAtMs: number | null;
	/** The most accepted API calls in any one-second sliding window since the last reset. */
	maxAcceptedInAnyWindow: number;
	faultsInjected: number;
	abandoned: number;
	callbackAttempts: number;
	callbacksDelivered: number;
	callbacksFailed: number;
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

const WINDOW_MS = 1000;

type LimitVerdict = { accepted: true } | { accepted: false; description: string; retryAfterSeconds?: number };

interface TenantLimiter {
	/** `now` is performance.now(): monotonic, so a wall-clock step cannot open or close the window. */
	take(now: number): LimitVerdict;
}

/** Token bucket: bursts up to `rate`, then refills at `rate` per second. */
class TokenBucketLimiter implements TenantLimiter {
	private tokens: number;
	private last = performance.now();

	constructor(private readonly rate: number) {
		this.tokens = rate;
	}

	take(now: number): LimitVerdict {
		this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
		this.last = now;
		if (this.tokens >= 1) {
			this.tokens -= 1;
			return { accepted: true };
		}
		return {
			accepted: false,
			description: 'Tenant rate limit exceeded',
			retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.rate)),
		};
	}
}

/**
 * At most `limit` accepted calls in any one-second window. Only the last `limit` acceptance times matter:
 * a call fits exactly when the oldest of them is at least a second old, so a fixed ring is enough.
 */
class StrictWindowLimiter implements TenantLimiter {
	private readonly acceptedAt: Float64Array;
	/** Where the next acceptance is written; once the ring is full, also the oldest of the last `limit`. */
	private next = 0;
	private filled = 0;

	constructor(private readonly limit: number) {
		this.acceptedAt = new Float64Array(limit);
	}

	take(now: number): LimitVerdict {
		if (this.filled === this.limit && now - this.acceptedAt[this.next] < WINDOW_MS) {
			// Refused calls leave the ring alone: a client that keeps knocking must not push its own slot away.
			return { accepted: false, description: `More than ${this.limit} API calls in one second` };
		}
		this.acceptedAt[this.next] = now;
		this.next = (this.next + 1) % this.limit;
		this.filled = Math.min(this.filled + 1, this.limit);
		return { accepted: true };
	}
}

/**
 * The acceptance times of the last second, to report the busiest window in every mode. Kept apart from
 * StrictWindowLimiter so that the check of the strict limit does not reuse the code it checks. It holds one
 * second of calls at most, so its memory follows the accepted rate, not the length of a run.
 */
class AcceptedWindow {
	private times = new Float64Array(64);
	private oldest = 0;
	private size = 0;

	/** Records an acceptance at `now` and returns how many acceptances fall in the second up to `now`. */
	record(now: number): number {
		while (this.size > 0 && now - this.times[this.oldest] >= WINDOW_MS) {
			this.oldest = (this.oldest + 1) % this.times.length;
			this.size--;
		}
		if (this.size === this.times.length) this.grow();
		this.times[(this.oldest + this.size) % this.times.length] = now;
		this.size++;
		return this.size;
	}

	private grow(): void {
		const larger = new Float64Array(this.times.length * 2);
		for (let i = 0; i < this.size; i++) larger[i] = this.times[(this.oldest + i) % this.times.length];
		this.times = larger;
		this.oldest = 0;
	}
}

/** Why `perSecond` and `mode` cannot form a limit, or undefined when they can. */
function rateLimitProblem(perSecond: unknown, mode: unknown): string | undefined {
	if (!RATE_LIMIT_MODES.includes(mode as RateLimitMode)) {
		return `Unknown rate limit mode ${JSON.stringify(mode)}; use ${RATE_LIMIT_MODES.join(' or ')}`;
	}
	if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond < 0) {
		return `perSecond must be a number of at least 0 (0 turns the limit off), not ${JSON.stringify(perSecond)}`;
	}
	// The strict window counts whole calls; rounding a fraction silently would enforce another limit than asked.
	if (mode === 'strictWindow' && !Number.isInteger(perSecond)) {
		return `perSecond must be a whole number in strictWindow mode, not ${perSecond}`;
	}
	return undefined;
}

function emptyCalls(): Record<RouteName, number> {
	return { token: 0, updateAttributes: 0, createWebhook: 0, listWebhooks: 0, deleteWebhook: 0 };
}

function emptyStats(): SandboxStats {
	return {
		tokenRequests: 0,
		tokensIssued: 0,
		calls: emptyCalls(),
		statuses: {},
		rateLimited: 0,
		acceptedApiCalls: 0,
		firstAcceptedAtMs: null,
		lastAcceptedAtMs: null,
		maxAcceptedInAnyWindow: 0,
		faultsInjected: 0,
		abandoned: 0,
		callbackAttempts: 0,
		callbacksDelivered: 0,
		callbacksFailed: 0,
		...emptyRealApiStats(),
	};
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

	/** The real CXone authentication, discovery, ACD and Digital APIs served beside the tutorial contract. */
	readonly realApi: RealApi;

	/** Counters a test can read. */
	stats: SandboxStats = emptyStats();
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
	private limiter: TenantLimiter | undefined;
	private limitPerSecond = 0;
	private limitMode: RateLimitMode = 'bucket';
	private acceptedWindow = new AcceptedWindow();
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
		this.setRateLimit(options.rateLimitPerSecond ?? 0, options.rateLimitMode ?? 'bucket');
		this.realApi = new RealApi(options, {
			url: () => this.url,
			clientId: this.clientId,
			clientSecret: this.clientSecret,
			stats: () => this.stats,
			admitApiCall: () => this.admitApiCall(),
			readBody: (req) => this.readBody(req),
		});
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
		await this.realApi.start();
		return this.url;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		await this.realApi.stop();
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

	/**
	 * Sets the tenant limit; 0 turns it off. Without `mode` the current mode stays, so a sandbox created in
	 * strictWindow mode keeps it when only the rate changes. Either way the limit starts afresh: a full
	 * bucket, an empty window.
	 */
	setRateLimit(perSecond: number, mode: RateLimitMode = this.limitMode): void {
		const problem = rateLimitProblem(perSecond, mode);
		if (problem) throw new RangeError(problem);
		this.limitPerSecond = perSecond;
		this.limitMode = mode;
		if (perSecond === 0) this.limiter = undefined;
		else if (mode === 'strictWindow') this.limiter = new StrictWindowLimiter(perSecond);
		else this.limiter = new TokenBucketLimiter(perSecond);
	}

	get rateLimitPerSecond(): number {
		return this.limitPerSecond;
	}

	get rateLimitMode(): RateLimitMode {
		return this.limitMode;
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
		this.stats = emptyStats();
		this.acceptedWindow = new AcceptedWindow();
		this.received = [];
		this.applied = [];
		this.deliveries = [];
		for (const queue of Object.values(this.queuedFaults)) queue.length = 0;
		this.realApi.resetFaults();
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
		if (this.realApi.serves(path)) return this.realApi.handle(req, res, method, url);

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

		if (route !== 'token') {
			const verdict = this.admitApiCall();
			if (!verdict.accepted) {
				return this.send(res, {
					status: 429,
					error: 'rate_limited',
					description: verdict.description,
					headers:
						verdict.retryAfterSeconds === undefined
							? undefined
							: { 'Retry-After': String(verdict.retryAfterSeconds) },
				});
			}
		}
		return this.send(res, this.dispatch(route, param, raw, digest, req));
	}

	/** Applies the tenant limit to one API call, tutorial or real ACD alike: one tenant, one limit. */
	private admitApiCall(): LimitVerdict {
		const now = performance.now();
		const verdict = this.limiter?.take(now) ?? { accepted: true };
		if (verdict.accepted) this.recordAccepted(now);
		else this.stats.rateLimited++;
		return verdict;
	}

	private recordAccepted(now: number): void {
		const stats = this.stats;
		stats.acceptedApiCalls++;
		const wallClockMs = performance.timeOrigin + now;
		stats.firstAcceptedAtMs ??= wallClockMs;
		stats.lastAcceptedAtMs = wallClockMs;
		stats.maxAcceptedInAnyWindow = Math.max(stats.maxAcceptedInAnyWindow, this.acceptedWindow.record(now));
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
		let parsed: unknown;
		try {
			parsed = raw ? JSON.parse(raw) : {};
		} catch {
			return this.send(res, { status: 400, error: 'invalid_request', description: 'Body is not valid JSON' });
		}
		// A JSON null, number or array would otherwise fail on the first property read and surface as a 500.
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			return this.send(res, { status: 400, error: 'invalid_request', description: 'Body must be a JSON object' });
		}
		const body = parsed as Record<string, unknown>;
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
			const perSecond = body.perSecond ?? 0;
			const mode = body.mode === undefined ? this.limitMode : body.mode;
			const problem = rateLimitProblem(perSecond, mode);
			if (problem) return this.send(res, { status: 400, error: 'invalid_request', description: problem });
			this.setRateLimit(perSecond as number, mode as RateLimitMode);
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
		const real = this.realApi.control(method, path, body);
		if (real) {
			return this.send(
				res,
				'description' in real
					? {
							status: real.status,
							error: real.status === 404 ? 'not_found' : 'invalid_request',
							description: real.description,
						}
					: real,
			);
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
