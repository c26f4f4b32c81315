/**
 * The real CXone authentication, discovery and ACD APIs (spec /work/shared/spec/cxone-real-api.md §1, §2, §8, §10),
 * served beside the tutorial contract by the same sandbox, plus a separate Digital (DFO) listener on a port of its own.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { acdCall, isAcdPath } from './acd';
import { acdError, dfoError, oauthError, userHubError, write } from './answers';
import {
	ACCESS_KEY_LOGIN_PATH,
	ACCESS_KEY_REFRESH_PATH,
	accessKeyLogin,
	accessKeyRefresh,
	type AuthContext,
	OPENID_CONFIGURATION_PATH,
	openidConfiguration,
	TOKEN_ENDPOINT_PATH,
	tokenEndpoint,
} from './auth';
import { digitalCall } from './digital';
import { CXONE_CONFIGURATION_PATH, cxoneConfiguration } from './discovery';
import { seedTenant, type Tenant } from './tenant';
import { TokenStore } from './tokens';
import {
	type Answer,
	REAL_FAULT_STATUSES,
	REAL_ROUTES,
	type RealApiHost,
	type RealApiOptions,
	type RealFaultStatus,
	type RealRouteName,
} from './types';

export * from './types';
export { decodeJwtPayload } from './jwt';
export { DEFAULT_DOMAIN } from './tenant';
export { NOT_RENDERABLE_TEXT } from './answers';

const ENDPOINTS = new Map<string, { route: RealRouteName; method: string }>([
	[ACCESS_KEY_LOGIN_PATH, { route: 'accessKeyLogin', method: 'POST' }],
	[ACCESS_KEY_REFRESH_PATH, { route: 'accessKeyRefresh', method: 'POST' }],
	[OPENID_CONFIGURATION_PATH, { route: 'openidConfiguration', method: 'GET' }],
	[TOKEN_ENDPOINT_PATH, { route: 'tokenEndpoint', method: 'POST' }],
	[CXONE_CONFIGURATION_PATH, { route: 'cxoneConfiguration', method: 'GET' }],
]);

/** Where the access token's `iss` points: in reality another host than the OIDC issuer (§1c). */
const ACCESS_ISSUER_PATH = '/acd-auth';

/** An error answer in the format of the service behind `route`. */
function errorFor(
	route: RealRouteName,
	status: number,
	error: string,
	description: string,
	headers?: Record<string, string>,
): Answer {
	switch (route) {
		case 'accessKeyLogin':
		case 'accessKeyRefresh':
			return userHubError(status, error, description, headers);
		case 'openidConfiguration':
		case 'tokenEndpoint':
		case 'cxoneConfiguration':
			return oauthError(status, error, description, headers);
		case 'acd':
			return acdError(status, description, headers);
		case 'digital':
			return dfoError(status, description);
	}
}

export function isRealFaultStatus(value: unknown): value is RealFaultStatus {
	return REAL_FAULT_STATUSES.includes(value as RealFaultStatus);
}

export class RealApi {
	readonly tenant: Tenant;
	/** Whether NICE has approved the registered back-end app; when not, route B answers invalid_client. */
	appApproved: boolean;
	/** A revoked key can no longer log in or refresh; tokens it already got live on until they expire. */
	accessKeyRevoked = false;

	private readonly tokens = new TokenStore();
	private readonly queuedFaults = new Map<RealRouteName, RealFaultStatus[]>(
		REAL_ROUTES.map((route): [RealRouteName, RealFaultStatus[]] => [route, []]),
	);
	private readonly digitalServer: http.Server;
	private readonly scheme: 'http' | 'https';
	private digitalPort: number;

	constructor(
		options: RealApiOptions & { tls?: { key: string; cert: string } },
		private readonly host: RealApiHost,
	) {
		this.tenant = seedTenant(options);
		this.appApproved = options.appApproved ?? true;
		this.digitalPort = options.digitalPort ?? 0;
		const listener: http.RequestListener = (req, res) => {
			this.handleDigital(req, res).catch((error: unknown) => {
				if (!res.headersSent && !res.destroyed) this.send(res, dfoError(500, String(error)));
			});
		};
		this.scheme = options.tls ? 'https' : 'http';
		this.digitalServer = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
		this.digitalServer.keepAliveTimeout = 65_000;
		this.digitalServer.headersTimeout = 66_000;
	}

	get accessKeyId(): string {
		return this.tenant.accessKeyId;
	}

	get accessKeySecret(): string {
		return this.tenant.accessKeySecret;
	}

	get tenantId(): string {
		return this.tenant.tenantId;
	}

	/** The OIDC issuer: `{issuer}/.well-known/openid-configuration` and `/.well-known/cxone-configuration` live here. */
	get issuer(): string {
		return this.host.url();
	}

	/** Discovery's api_endpoint: ACD calls go to `{apiBase}/inContactAPI/services/v{NN}.0/…`. */
	get apiBase(): string {
		return this.host.url();
	}

	/** The separate Digital (DFO) base: DFO calls go to `{digitalBase}/dfo/3.0/…`. */
	get digitalBase(): string {
		return `${this.scheme}://127.0.0.1:${this.digitalPort}`;
	}

	async start(): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.digitalServer.once('error', reject);
			this.digitalServer.listen(this.digitalPort, '127.0.0.1', () => resolve());
		});
		this.digitalPort = (this.digitalServer.address() as AddressInfo).port;
	}

	async stop(): Promise<void> {
		if (!this.digitalServer.listening) return;
		this.digitalServer.closeAllConnections();
		await new Promise<void>((resolve) => this.digitalServer.close(() => resolve()));
	}

	/** Whether `path` on the main listener belongs to the real APIs rather than to the tutorial contract. */
	serves(path: string): boolean {
		return ENDPOINTS.has(path) || isAcdPath(path);
	}

	/** Every token of `kind` (all if not given) issued so far, so a test can look for them where they must never appear. */
	issuedTokens(kind?: 'access' | 'id' | 'refresh'): string[] {
		return this.tokens.all(kind);
	}

	/** Ages every access token and id_token issued so far: the next ACD or DFO call with one gets 401. */
	expireAccessTokens(): void {
		this.tokens.expireAccessTokens();
	}

	/** Answers the next `times` requests of `route` with `status` in that service's error format, without Retry-After. */
	injectFault(route: RealRouteName, status: RealFaultStatus, times = 1): void {
		for (let i = 0; i < times; i++) this.queuedFaults.get(route)?.push(status);
	}

	/** Clears queued faults; called by the sandbox's resetCounters. */
	resetFaults(): void {
		for (const queue of this.queuedFaults.values()) queue.length = 0;
	}

	/** Handles a request on the main listener whose path `serves` claimed. */
	async handle(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL): Promise<void> {
		const path = url.pathname;
		if (isAcdPath(path)) {
			await this.host.readBody(req);
			const fault = this.takeFault('acd');
			if (fault) return this.send(res, fault);
			return this.send(res, acdCall(this.acdContext(), method, path, req));
		}
		const endpoint = ENDPOINTS.get(path);
		if (!endpoint) return this.send(res, oauthError(404, 'not_found', `No route ${method} ${path}`));
		if (method !== endpoint.method) {
			const description = `${method} is not allowed on ${path}`;
			const allow = { Allow: endpoint.method };
			return this.send(res, errorFor(endpoint.route, 405, 'method_not_allowed', description, allow));
		}
		const bytes = await this.host.readBody(req);
		if (bytes === undefined) {
			return this.send(res, errorFor(endpoint.route, 413, 'payload_too_large', 'The body is too large'));
		}
		const fault = this.takeFault(endpoint.route);
		if (fault) return this.send(res, fault);
		const raw = bytes.toString('utf8');
		const auth = this.authContext();
		switch (endpoint.route) {
			case 'accessKeyLogin':
				return this.send(res, accessKeyLogin(auth, raw, req));
			case 'accessKeyRefresh':
				return this.send(res, accessKeyRefresh(auth, raw, req));
			case 'openidConfiguration':
				return this.send(res, openidConfiguration(auth));
			case 'tokenEndpoint':
				return this.send(res, tokenEndpoint(auth, raw, req));
			case 'cxoneConfiguration':
				return this.send(
					res,
					cxoneConfiguration({ tenant: this.tenant, url: this.host.url(), stats: this.host.stats() }, url.searchParams),
				);
			default:
				return this.send(res, errorFor(endpoint.route, 404, 'not_found', `No route ${method} ${path}`));
		}
	}

	/**
	 * The real API's control routes under /_sandbox/; an answer, or undefined for a path that is not one of them.
	 * `body` is the parsed JSON object the sandbox's control handler already checked.
	 */
	control(
		method: string,
		path: string,
		body: Record<string, unknown>,
	): { status: number } | { status: 400; description: string } | undefined {
		if (method !== 'POST') return undefined;
		switch (path) {
			case '/_sandbox/revoke-access-key':
				this.accessKeyRevoked = true;
				return { status: 204 };
			case '/_sandbox/expire-access-tokens':
				this.expireAccessTokens();
				return { status: 204 };
			case '/_sandbox/app-approval':
				if (typeof body.approved !== 'boolean') return { status: 400, description: 'Expected {approved: boolean}' };
				this.appApproved = body.approved;
				return { status: 204 };
			case '/_sandbox/real-faults': {
				const times = body.times ?? 1;
				if (
					!REAL_ROUTES.includes(body.route as RealRouteName) ||
					!isRealFaultStatus(body.status) ||
					typeof times !== 'number' ||
					!Number.isInteger(times) ||
					times < 1
				) {
					const routes = REAL_ROUTES.join('|');
					const statuses = REAL_FAULT_STATUSES.join('|');
					return { status: 400, description: `Expected {route: ${routes}, status: ${statuses}, times?: whole number >= 1}` };
				}
				this.injectFault(body.route as RealRouteName, body.status, times);
				return { status: 204 };
			}
			default:
				return undefined;
		}
	}

	private async handleDigital(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
		await this.host.readBody(req);
		const fault = this.takeFault('digital');
		if (fault) return this.send(res, fault);
		this.send(res, digitalCall({ tokens: this.tokens, stats: this.host.stats() }, req.method ?? 'GET', path, req));
	}

	private takeFault(route: RealRouteName): Answer | undefined {
		const status = this.queuedFaults.get(route)?.shift();
		if (status === undefined) return undefined;
		this.host.stats().faultsInjected++;
		const error = status === 429 ? 'rate_limited' : 'server_error';
		return errorFor(route, status, error, `Injected ${status}`);
	}

	private authContext(): AuthContext {
		return {
			tenant: this.tenant,
			tokens: this.tokens,
			issuers: { oidc: this.issuer, access: `${this.host.url()}${ACCESS_ISSUER_PATH}` },
			clientId: this.host.clientId,
			clientSecret: this.host.clientSecret,
			appApproved: this.appApproved,
			accessKeyRevoked: this.accessKeyRevoked,
			stats: this.host.stats(),
		};
	}

	private acdContext() {
		return {
			tenant: this.tenant,
			tokens: this.tokens,
			stats: this.host.stats(),
			admitApiCall: () => this.host.admitApiCall(),
		};
	}

	private send(res: http.ServerResponse, answer: Answer): void {
		write(res, answer, this.host.stats().statuses);
	}
}
