/** Options, counters and the answer shape shared by the real CXone API modules (spec: cxone-real-api.md). */
import type http from 'node:http';

export interface RealApiOptions {
	/** The seeded API user's access key id; random base32 ending in '=' if not given, like a real one (§1). */
	accessKeyId?: string;
	/** The seeded access key secret; random base32 ending in '=' if not given. */
	accessKeySecret?: string;
	/** The tenant's id (a UUID), carried in every token and asked for by discovery; random if not given. */
	tenantId?: string;
	tenantName?: string;
	/** Discovery's `area`; `na1` if not given. */
	area?: string;
	/** Discovery's `domain`, `acdDomain` and `uhDomain`; see DEFAULT_DOMAIN. */
	domain?: string;
	/** The `icClusterId` claim and discovery's `cluster`; `B32` if not given. */
	clusterId?: string;
	/** The `icBUId` claim (a signed 32-bit int in reality); random if not given. */
	businessUnitId?: number;
	/** Seconds an access token and id_token live (§1c: 3600). Shorter for tests of expiry. */
	accessTokenLifetimeSeconds?: number;
	/** Seconds a refresh token lives (§1c: 7200). */
	refreshTokenLifetimeSeconds?: number;
	/** Whether NICE has approved the registered back-end app (the sandbox's clientId); true if not given. */
	appApproved?: boolean;
	/** Port of the separate Digital (DFO) API listener on 127.0.0.1; 0 (the default) picks a free one. */
	digitalPort?: number;
	/**
	 * How long a signal keeps its contact busy before the answer is sent (default 20 ms). A signal that reaches the
	 * contact meanwhile is answered 204 but merged away, as CXone may do (§3).
	 */
	signalProcessingMs?: number;
	/** The Business Data API's "one call per 30 s per tenant" (§6, staging text only); 0 (the default) turns it off. */
	businessDataMinIntervalMs?: number;
	/** The DFO "Update specific contact" quota per case (§4): burst size, 250 unless given. */
	digitalCaseUpdateBurst?: number;
	/** The same quota's refill per minute, 17 unless given. */
	digitalCaseUpdateRefillPerMinute?: number;
}

export type AcdRouteName =
	| 'serverTime'
	| 'businessUnit'
	| 'signal'
	| 'tags'
	| 'skillTags'
	| 'tagsList'
	| 'contactsActive'
	| 'contactsStates'
	| 'contactsCompleted'
	| 'unknown';

export type DigitalRouteName =
	| 'caseFieldDefinitions'
	| 'customerFieldDefinitions'
	| 'getCase'
	| 'setCaseFields'
	| 'removeCaseField'
	| 'getCustomer'
	| 'setCustomerFields'
	| 'removeCustomerField'
	| 'unknown';

/** What a denied permission (`/_sandbox/permissions`) refuses with 403, each in its own service's format. */
export type PermissionArea = 'signal' | 'tags' | 'businessData' | 'digital' | 'realTime' | 'reporting';
export const PERMISSION_AREAS: PermissionArea[] = ['signal', 'tags', 'businessData', 'digital', 'realTime', 'reporting'];

export interface RealApiStats {
	/** Login attempts on the real authentication routes, whatever their outcome: route A and route B's password grant. */
	loginRequests: { accessKey: number; password: number };
	/** Refresh attempts: route A's /public/user/refresh and route B's refresh_token grant. */
	refreshRequests: { accessKey: number; password: number };
	/** Token sets (access, id and refresh token) the real routes handed out, by login or refresh. */
	realTokensIssued: number;
	openidConfigurationRequests: number;
	/** Requests for /.well-known/cxone-configuration, whatever their outcome. */
	discoveryRequests: number;
	/** Calls under /inContactAPI/services/v{NN}.0/, by route; `unknown` for paths the sandbox does not serve. */
	acdCalls: Record<AcdRouteName, number>;
	/** ACD calls answered with the HTML "No known way to render data" page because Accept named no JSON type. */
	notRenderable: number;
	/** Requests on the Digital (DFO) listener. */
	digitalCalls: number;
	/** Digital requests by route; `unknown` for paths the sandbox does not serve. */
	digitalRoutes: Record<DigitalRouteName, number>;
	/** Case updates refused by the per-case "Update specific contact" quota. */
	digitalThrottled: number;
	/** Requests under /business-data-manager/v1/business-data/, whatever their outcome. */
	businessDataCalls: number;
	/** Signals answered 204 but never delivered, because they reached a contact still busy with the previous one. */
	mergedSignals: number;
	/** Calls refused with 403 because a test denied their permission area. */
	permissionRefusals: number;
}

export function emptyRealApiStats(): RealApiStats {
	return {
		loginRequests: { accessKey: 0, password: 0 },
		refreshRequests: { accessKey: 0, password: 0 },
		realTokensIssued: 0,
		openidConfigurationRequests: 0,
		discoveryRequests: 0,
		acdCalls: {
			serverTime: 0,
			businessUnit: 0,
			signal: 0,
			tags: 0,
			skillTags: 0,
			tagsList: 0,
			contactsActive: 0,
			contactsStates: 0,
			contactsCompleted: 0,
			unknown: 0,
		},
		notRenderable: 0,
		digitalCalls: 0,
		digitalRoutes: {
			caseFieldDefinitions: 0,
			customerFieldDefinitions: 0,
			getCase: 0,
			setCaseFields: 0,
			removeCaseField: 0,
			getCustomer: 0,
			setCustomerFields: 0,
			removeCustomerField: 0,
			unknown: 0,
		},
		digitalThrottled: 0,
		businessDataCalls: 0,
		mergedSignals: 0,
		permissionRefusals: 0,
	};
}

/** Routes whose next answers a test can replace with an error status. */
export type RealRouteName =
	| 'accessKeyLogin'
	| 'accessKeyRefresh'
	| 'openidConfiguration'
	| 'tokenEndpoint'
	| 'cxoneConfiguration'
	| 'acd'
	| 'digital'
	| 'businessData';
export const REAL_ROUTES: RealRouteName[] = [
	'accessKeyLogin',
	'accessKeyRefresh',
	'openidConfiguration',
	'tokenEndpoint',
	'cxoneConfiguration',
	'acd',
	'digital',
	'businessData',
];
export const REAL_FAULT_STATUSES = [429, 500, 502, 503, 504] as const;
export type RealFaultStatus = (typeof REAL_FAULT_STATUSES)[number];
/** An error status, or `drop`: the request is applied, then the socket is destroyed without an answer (a lost answer). */
export type RealFault = RealFaultStatus | 'drop';

/** A complete answer: status, headers and the exact body text (none for an empty body). */
export interface Answer {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

export type LimitVerdict = { accepted: true } | { accepted: false; description: string; retryAfterSeconds?: number };

/** What the real API borrows from the sandbox that hosts it. */
export interface RealApiHost {
	/** The sandbox's base URL: issuer, auth host and api_endpoint at once. */
	url(): string;
	readonly clientId: string;
	readonly clientSecret: string;
	/** The sandbox's current counters (replaced on reset, so read them each time). */
	stats(): RealApiStats & { statuses: Record<number, number>; faultsInjected: number };
	/** Applies the tenant limit to one API call and records it, exactly as for the tutorial's API routes. */
	admitApiCall(): LimitVerdict;
	/** The whole body; undefined when it is larger than the sandbox's maxBodyBytes. */
	readBody(req: http.IncomingMessage): Promise<Buffer | undefined>;
}
