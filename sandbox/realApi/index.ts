/**
 * The real CXone authentication, discovery and ACD APIs (spec /work/shared/spec/cxone-real-api.md §1, §2, §8, §10),
 * served beside the tutorial contract by the same sandbox, plus a separate Digital (DFO) listener on a port of its own.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { type AcdContext, acdCall, isAcdPath } from './acd';
import { acdError, businessDataError, dfoError, oauthError, userHubError, write } from './answers';
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
import { BusinessDataApi, isBusinessDataPath } from './businessData';
import { type AcdContact, type ContactFields, ContactStore, type SandboxSeed } from './contacts';
import { type ControlAnswer, realApiControl } from './control';
import { digitalCall } from './digital';
import { DigitalStore } from './digitalData';
import { CXONE_CONFIGURATION_PATH, cxoneConfiguration } from './discovery';
import { seedTenant, type Tenant } from './tenant';
import { TokenStore } from './tokens';
import {
	type Answer,
	type PermissionArea,
	REAL_ROUTES,
	type RealApiHost,
	type RealApiOptions,
	type RealFault,
	type RealRouteName,
} from './types';

export * from './types';
export type { AcdContact, ContactFields, SandboxSeed } from './contacts';
export { CONTACT_STATES } from './contacts';
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

/** How long a signal keeps its contact busy (option signalProcessingMs); short, as a Studio ONSIGNAL branch is. */
export const DEFAULT_SIGNAL_PROCESSING_MS = 20;
/** DFO's "Update specific contact" quota per case (§4, [P]): 250 burst, 17 refilled per minute. */
export const DFO_CASE_UPDATE_BURST = 250;
export const DFO_CASE_UPDATE_REFILL_PER_MINUTE = 17;

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
		case 'businessData':
			return businessDataError(status, description, headers);
	}
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
	const chosen = value ?? fallback;
	if (!Number.isFinite(chosen) || chosen < 0) {
		throw new RangeError(`${name} must be a number of at least 0, not ${JSON.stringify(value)}`);
	}
	return chosen;
}

export class RealApi {
	readonly tenant: Tenant;
	/** Whether NICE has approved the registered back-end app; when not, route B answers invalid_client. */
	appApproved: boolean;
	/** A revoked key can no longer log in or refresh; tokens it already got live on until they expire. */
	accessKeyRevoked = false;

	private readonly tokens = new TokenStore();
	private readonly queuedFaults = new Map<RealRouteName, RealFault[]>(
		REAL_ROUTES.map((route): [RealRouteName, RealFault[]] => [route, []]),
	);
	private readonly contacts: ContactStore;
	private readonly digital: DigitalStore;
	private readonly businessData: BusinessDataApi;
	private readonly denied = new Set<PermissionArea>();
	private readonly permits = (area: PermissionArea) => !this.denied.has(area);
	private readonly digitalServer: http.Server;
	private readonly scheme: 'http' | 'https';
	private digitalPort: number;

	constructor(
		options: RealApiOptions & { tls?: { key: string; cert: string } },
		private readonly host: RealApiHost,
	) {
		this.tenant = seedTenant(options);
		this.appApproved = options.appApproved ?? true;
		this.contacts = new ContactStore(
			nonNegative('signalProcessingMs', options.signalProcessingMs, DEFAULT_SIGNAL_PROCESSING_MS),
		);
		this.businessData = new BusinessDataApi(
			nonNegative('businessDataMinIntervalMs', options.businessDataMinIntervalMs, 0),
		);
		this.digital = new DigitalStore({
			burst: nonNegative('digitalCaseUpdateBurst', options.digitalCaseUpdateBurst, DFO_CASE_UPDATE_BURST),
			refillPerMinute: nonNegative(
				'digitalCaseUpdateRefillPerMinute',
				options.digitalCaseUpdateRefillPerMinute,
				DFO_CASE_UPDATE_REFILL_PER_MINUTE,
			),
		});
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
		return ENDPOINTS.has(path) || isAcdPath(path) || isBusinessDataPath(path);
	}

	/** Every token of `kind` (all if not given) issued so far, so a test can look for them where they must never appear. */
	issuedTokens(kind?: 'access' | 'id' | 'refresh'): string[] {
		return this.tokens.all(kind);
	}

	/** Ages every access token and id_token issued so far: the next ACD or DFO call with one gets 401. */
	expireAccessTokens(): void {
		this.tokens.expireAccessTokens();
	}

	/**
	 * Answers the next `times` requests of `route` with `status` in that service's error format, without Retry-After;
	 * `drop` applies each request and then destroys its socket without any answer (a lost answer).
	 */
	injectFault(route: RealRouteName, status: RealFault, times = 1): void {
		for (let i = 0; i < times; i++) this.queuedFaults.get(route)?.push(status);
	}

	/** Clears queued faults; called by the sandbox's resetCounters. */
	resetFaults(): void {
		for (const queue of this.queuedFaults.values()) queue.length = 0;
	}

	/** The ids of the seeded tenant data, random per sandbox. */
	get seed(): Readonly<SandboxSeed> {
		return Object.freeze({
			liveContactId: this.contacts.liveContactId,
			closedContactId: this.contacts.closedContactId,
			digitalCaseId: this.digital.caseId,
			customerId: this.digital.customerId,
			businessDataField: this.contacts.businessDataFields[0].name,
			tagId: this.contacts.tags[0].tagId,
			skillId: this.contacts.skill.skillId,
			campaignId: this.contacts.campaign.campaignId,
			agentId: this.contacts.agentId,
		});
	}

	/** Adds a live contact (new id, lastUpdateTime now); fields not given come from the seeded skill and agent. */
	addContact(fields?: ContactFields): AcdContact {
		return this.contacts.addContact(fields);
	}

	/** Moves a live contact to `stateName` (one of CONTACT_STATES except EndContact), updating lastUpdateTime. */
	setContactState(id: string, stateName: string): AcdContact {
		return this.contacts.setContactState(id, stateName);
	}

	/** Ends a live contact: it leaves contacts/active and appears in contacts/completed. */
	endContact(id: string): AcdContact {
		return this.contacts.endContact(id);
	}

	/** A copy of an ACD contact's record, signals, tags and business data included; undefined for an unknown id. */
	contact(id: string): AcdContact | undefined {
		return this.contacts.contact(id);
	}

	/** The Digital case as GET /dfo/3.0/contacts/{caseId} shows it; undefined for an unknown id. */
	digitalCase(id: string) {
		return this.digital.caseView(id);
	}

	/** The Digital customer as GET /dfo/3.0/customers/{customerId} shows it; undefined for an unknown id. */
	digitalCustomer(id: string) {
		return this.digital.customerView(id);
	}

	/** From now on the API user lacks the permissions of `area`: its calls get 403 in their service's format. */
	denyPermission(area: PermissionArea): void {
		this.denied.add(area);
	}

	allowPermission(area: PermissionArea): void {
		this.denied.delete(area);
	}

	/** Handles a request on the main listener whose path `serves` claimed. */
	async handle(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL): Promise<void> {
		const path = url.pathname;
		if (isAcdPath(path) || isBusinessDataPath(path)) {
			const route = isAcdPath(path) ? 'acd' : 'businessData';
			const bytes = await this.host.readBody(req);
			if (bytes === undefined) {
				return this.send(res, errorFor(route, 413, 'payload_too_large', 'The body is too large'));
			}
			const raw = bytes.toString('utf8');
			const ctx = this.acdContext();
			return this.answer(req, res, route, () =>
				route === 'acd' ? acdCall(ctx, method, url, req, raw) : this.businessData.call(ctx, method, path, req, raw),
			);
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
		const raw = bytes.toString('utf8');
		await this.answer(req, res, endpoint.route, () => this.authAnswer(endpoint.route, raw, req, url));
	}

	private authAnswer(route: RealRouteName, raw: string, req: http.IncomingMessage, url: URL): Answer {
		const auth = this.authContext();
		switch (route) {
			case 'accessKeyLogin':
				return accessKeyLogin(auth, raw, req);
			case 'accessKeyRefresh':
				return accessKeyRefresh(auth, raw, req);
			case 'openidConfiguration':
				return openidConfiguration(auth);
			case 'tokenEndpoint':
				return tokenEndpoint(auth, raw, req);
			default:
				return cxoneConfiguration(
					{ tenant: this.tenant, url: this.host.url(), stats: this.host.stats() },
					url.searchParams,
				);
		}
	}

	/** The real API's control routes under /_sandbox/; an answer, or undefined for a path that is not one of them. */
	control(method: string, path: string, body: Record<string, unknown>): ControlAnswer | undefined {
		return realApiControl(this, method, path, body);
	}

	private async handleDigital(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
		const method = req.method ?? 'GET';
		const bytes = await this.host.readBody(req);
		if (bytes === undefined) return this.send(res, dfoError(413, 'The body is too large'));
		const ctx = { tokens: this.tokens, stats: this.host.stats(), store: this.digital, permits: this.permits };
		await this.answer(req, res, 'digital', () => digitalCall(ctx, method, path, req, bytes.toString('utf8')));
	}

	/** Sends what `produce` answers, unless a queued fault replaces it; a `drop` applies the request and sends nothing. */
	private async answer(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		route: RealRouteName,
		produce: () => Answer | Promise<Answer>,
	): Promise<void> {
		const fault = this.takeFault(route);
		if (fault === 'drop') {
			await produce();
			req.socket.destroy();
			return;
		}
		this.send(res, fault ?? (await produce()));
	}

	private takeFault(route: RealRouteName): Answer | 'drop' | undefined {
		const status = this.queuedFaults.get(route)?.shift();
		if (status === undefined) return undefined;
		this.host.stats().faultsInjected++;
		if (status === 'drop') return status;
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

	private acdContext(): AcdContext {
		return {
			tenant: this.tenant,
			tokens: this.tokens,
			stats: this.host.stats(),
			contacts: this.contacts,
			apiBase: this.apiBase,
			admitApiCall: () => this.host.admitApiCall(),
			permits: this.permits,
		};
	}

	private send(res: http.ServerResponse, answer: Answer): void {
		write(res, answer, this.host.stats().statuses);
	}
}
