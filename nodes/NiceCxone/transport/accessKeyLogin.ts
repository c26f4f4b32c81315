import { createHash } from 'node:crypto';

import { sleep, type ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	USERHUB_LOGIN_PATH,
	CXONE_CONFIGURATION_PATH,
	CXONE_ENVIRONMENTS,
	DIGITAL_BASE,
	FEDRAMP_AREA,
	FEDRAMP_DIGITAL_BASE,
	OPENID_CONFIGURATION_PATH,
	TOKEN_TIMEOUT_MS,
} from '../constants';
import { describeZodError, hostSchema } from '../helpers/validation';
import type { CxoneConnection } from './connection';
import { CxoneError } from './errors';
import { isNetworkFailure, sendHttp, type HttpAnswer, type HttpCall, type HttpHelpers } from './http';
import { retryPolicy } from './retryPolicy';
import { refreshAtFor, SharedLogins, type CachedLogin } from './sharedLogins';

/** The NICE CXone Access Key API credential's fields, hosts checked and without trailing slashes. */
export interface AccessKeyCredentials {
	/** The environment's issuer: route A, route B's openid-configuration and discovery live here. */
	authHost: string;
	accessKeyId: string;
	accessKeySecret: string;
	/** A registered back-end app's client: route B when set, route A when empty. */
	clientId: string;
	clientSecret: string;
	/** Empty means: use what discovery says. */
	apiBaseOverride: string;
	digitalBaseOverride: string;
	allowUnauthorizedCerts: boolean;
}

/** Where and as whom this credential calls CXone. */
export interface AccessKeySession {
	accessToken: string;
	tenantId: string;
	apiBase: string;
	digitalBase: string;
}

/** What a user should check for each way the login can fail (spec §1b's troubleshooting, §8). */
export const ACCESS_KEY_HINTS = {
	wrongKey:
		'The access key was refused: check the Access Key ID and Access Key Secret (copy them again from Admin → Employees → Access Keys), that the key is active and not revoked, and the Environment.',
	invalidClient:
		'The registered app was refused: check the Client ID and Client Secret, and that NICE has approved the app registration (this takes 2-3 business days). Leave both empty to log in with the access key alone.',
	forbidden:
		"The API user lacks a role permission this call needs: give the user's role the permission in CXone Admin (Security Profiles / Roles).",
	discovery:
		"CXone's discovery did not name the tenant's API host: check the Environment (or Auth Host), or set API Base and Digital API Base in the credential.",
	unreachable:
		'The auth host could not be reached or did not answer in time: check the Environment (or Auth Host) and the network.',
	notJson:
		'The host answered with something other than CXone JSON: check the Environment, the Auth Host and the API Base.',
} as const;

/** Reads and checks the credential fields; throws a plain Error naming the field that is wrong. */
export function accessKeyCredentialsFrom(data: ICredentialDataDecryptedObject): AccessKeyCredentials {
	const host = (value: unknown, label: string) => {
		const text = String(value ?? '').trim();
		if (text === '') return '';
		const checked = hostSchema.safeParse(text);
		if (!checked.success) throw new Error(`${label} ${describeZodError(checked.error)}`);
		return text.replace(/\/+$/, '');
	};
	const environment = String(data.environment ?? 'global');
	const authHost =
		environment === 'custom'
			? host(data.authHost, 'Auth Host')
			: (CXONE_ENVIRONMENTS[environment as keyof typeof CXONE_ENVIRONMENTS] ?? CXONE_ENVIRONMENTS.global);
	if (authHost === '') throw new Error('Auth Host is required when the Environment is Custom');
	return {
		authHost,
		accessKeyId: String(data.accessKeyId ?? '').trim(),
		accessKeySecret: String(data.accessKeySecret ?? ''),
		clientId: String(data.clientId ?? '').trim(),
		clientSecret: String(data.clientSecret ?? ''),
		apiBaseOverride: host(data.apiBaseOverride, 'API Base'),
		digitalBaseOverride: host(data.digitalBaseOverride, 'Digital API Base'),
		allowUnauthorizedCerts: data.ignoreSslIssues === true,
	};
}

const secretsOf = (credentials: AccessKeyCredentials, token?: string) =>
	[credentials.accessKeySecret, credentials.clientSecret, credentials.accessKeyId, token ?? ''].filter(Boolean);

/** The login failure's cause, by CXone's code (spec §1b): the hints the troubleshooting pages give. */
function loginHint({ status, code }: { status?: number; code: string }): string {
	if (status === undefined) return ACCESS_KEY_HINTS.unreachable;
	if (code === 'invalid_client') return ACCESS_KEY_HINTS.invalidClient;
	if (status === 403) return ACCESS_KEY_HINTS.forbidden;
	return ACCESS_KEY_HINTS.wrongKey;
}

/**
 * One call that must answer 2xx JSON: Accept is always sent (ACD answers an HTML 200 without it, spec §8),
 * 429, 5xx and network failures are retried per the retry policy, and any other answer becomes a CxoneError.
 */
async function jsonCall(
	http: HttpHelpers,
	call: HttpCall,
	secrets: string[],
	fromTokenEndpoint: boolean,
	hintOf: (failure: { status?: number; code: string }) => string | undefined,
): Promise<HttpAnswer> {
	for (let attempt = 1; ; attempt++) {
		const outcome = await sendHttp(http, { ...call, headers: { Accept: 'application/json', ...call.headers } });
		if (!isNetworkFailure(outcome) && outcome.status >= 200 && outcome.status < 300) {
			if (typeof outcome.body === 'string' && outcome.body.trim() !== '') {
				throw CxoneError.notJson(outcome, ACCESS_KEY_HINTS.notJson);
			}
			return outcome;
		}
		const failure = CxoneError.fromOutcome(outcome, secrets, fromTokenEndpoint, hintOf);
		if (!retryPolicy.isRetryable(outcome) || attempt >= retryPolicy.maxAttempts) throw failure;
		await sleep(retryPolicy.delayMs(attempt, failure.retryAfterMs));
	}
}

/** A JWT's payload, decoded without checking its signature: the client only reads claims (spec §1c). */
function claimsOf(jwt: unknown): Record<string, unknown> {
	const payload = typeof jwt === 'string' ? jwt.split('.')[1] : undefined;
	if (payload === undefined) return {};
	try {
		const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
		return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
	} catch {
		return {};
	}
}

interface TokenSet {
	access_token?: unknown;
	id_token?: unknown;
	expires_in?: unknown;
}

/** Route A, or route B when the credential names a registered app; the token set as CXone sent it. */
async function requestTokenSet(http: HttpHelpers, credentials: AccessKeyCredentials): Promise<TokenSet> {
	const secrets = secretsOf(credentials);
	const common = { timeoutMs: TOKEN_TIMEOUT_MS, skipTlsVerification: credentials.allowUnauthorizedCerts };
	if (credentials.clientId === '') {
		// [U] Posted to the environment's issuer, which outboundani found to issue tokens for any tenant; most clients
		// use an area host (https://na1.nice-incontact.com), which Custom URL reaches.
		const answer = await jsonCall(
			http,
			{
				...common,
				method: 'POST',
				url: `${credentials.authHost}${USERHUB_LOGIN_PATH}`,
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret }),
			},
			secrets,
			true,
			loginHint,
		);
		return answer.body as TokenSet;
	}
	const configuration = await jsonCall(
		http,
		{ ...common, method: 'GET', url: `${credentials.authHost}${OPENID_CONFIGURATION_PATH}`, headers: {} },
		secrets,
		true,
		() => ACCESS_KEY_HINTS.unreachable,
	);
	const tokenEndpoint = (configuration.body as { token_endpoint?: unknown } | undefined)?.token_endpoint;
	// The client secret and the access key go to this URL: only to the issuer the user chose, never elsewhere.
	if (typeof tokenEndpoint !== 'string' || !sameOrigin(tokenEndpoint, credentials.authHost)) {
		throw new CxoneError({
			status: configuration.status,
			code: 'invalid_openid_configuration',
			description: "The openid-configuration names no token_endpoint on the auth host's own origin",
			fromTokenEndpoint: true,
			hint: ACCESS_KEY_HINTS.unreachable,
		});
	}
	// RFC 6749 form encoding turns the '=' keys end in into %3D, as NICE's examples require (spec §1b).
	const form = new URLSearchParams({
		grant_type: 'password',
		username: credentials.accessKeyId,
		password: credentials.accessKeySecret,
	});
	const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
	const answer = await jsonCall(
		http,
		{
			...common,
			method: 'POST',
			url: tokenEndpoint,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
			body: form.toString(),
		},
		[...secrets, basic],
		true,
		loginHint,
	);
	return answer.body as TokenSet;
}

function sameOrigin(url: string, base: string): boolean {
	try {
		return new URL(url).origin === new URL(base).origin;
	} catch {
		return false;
	}
}

/** The API and Digital bases: the credential's overrides, else discovery's (spec §2a) as NICE's SDK builds them. */
async function discover(
	http: HttpHelpers,
	credentials: AccessKeyCredentials,
	tenantId: string,
	token: string,
): Promise<{ apiBase: string; digitalBase: string }> {
	if (credentials.apiBaseOverride && credentials.digitalBaseOverride) {
		return { apiBase: credentials.apiBaseOverride, digitalBase: credentials.digitalBaseOverride };
	}
	const answer = await jsonCall(
		http,
		{
			method: 'GET',
			url: `${credentials.authHost}${CXONE_CONFIGURATION_PATH}?tenantId=${encodeURIComponent(tenantId)}`,
			headers: {},
			timeoutMs: TOKEN_TIMEOUT_MS,
			skipTlsVerification: credentials.allowUnauthorizedCerts,
		},
		secretsOf(credentials, token),
		false,
		() => ACCESS_KEY_HINTS.discovery,
	);
	const configuration = (answer.body ?? {}) as { api_endpoint?: unknown; area?: unknown; domain?: unknown };
	const text = (value: unknown) => (typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '');
	const apiBase = credentials.apiBaseOverride || text(configuration.api_endpoint);
	const area = text(configuration.area);
	const domain = text(configuration.domain);
	const digitalBase =
		credentials.digitalBaseOverride ||
		(area === FEDRAMP_AREA ? FEDRAMP_DIGITAL_BASE : area && domain ? DIGITAL_BASE(area, domain) : '');
	if (!hostSchema.safeParse(apiBase).success || !hostSchema.safeParse(digitalBase).success) {
		throw new CxoneError({
			status: answer.status,
			code: 'invalid_cxone_configuration',
			description: 'The cxone-configuration names no usable api_endpoint, area or domain',
			hint: ACCESS_KEY_HINTS.discovery,
		});
	}
	return { apiBase, digitalBase };
}

type CachedSession = AccessKeySession & CachedLogin;

/**
 * Access-key sessions shared by every item, execution and node of this n8n process: one per (auth host, key,
 * app, base overrides), logged in again before the token expires, one login in flight for concurrent callers.
 * Route A and B tokens are not refreshed but replaced by a new login, as Cognigy and outboundani do (spec §1a).
 */
export class AccessKeySessions {
	private readonly sessions = new SharedLogins<CachedSession>();
	/** Logins actually started, for tests. */
	logins = 0;

	async get(http: HttpHelpers, credentials: AccessKeyCredentials): Promise<AccessKeySession> {
		return await this.sessions.get(sessionKey(credentials), async () => await this.login(http, credentials));
	}

	/** Drops the session holding `staleToken` after CXone refused it (see SharedLogins.invalidate). */
	invalidate(credentials: AccessKeyCredentials, staleToken: string): void {
		this.sessions.invalidate(sessionKey(credentials), staleToken);
	}

	clear(): void {
		this.sessions.clear();
	}

	private async login(http: HttpHelpers, credentials: AccessKeyCredentials): Promise<CachedSession> {
		this.logins++;
		const startedAt = performance.now();
		const tokens = await requestTokenSet(http, credentials);
		if (typeof tokens.access_token !== 'string' || tokens.access_token === '') {
			throw new CxoneError({
				status: 200,
				code: 'invalid_token_response',
				description: 'The token response has no access_token',
				fromTokenEndpoint: true,
				hint: ACCESS_KEY_HINTS.notJson,
			});
		}
		const accessToken = tokens.access_token;
		const idClaims = claimsOf(tokens.id_token);
		const accessClaims = claimsOf(accessToken);
		const tenantId = [idClaims.tenantId, accessClaims.tenantId].find((id) => typeof id === 'string' && id !== '');
		if (typeof tenantId !== 'string') {
			throw new CxoneError({
				status: 200,
				code: 'invalid_token_response',
				description: 'The token carries no tenantId claim',
				fromTokenEndpoint: true,
				hint: ACCESS_KEY_HINTS.discovery,
			});
		}
		const bases = await discover(http, credentials, tenantId, accessToken);
		const lifetimeMs = lifetimeSecondsOf(tokens.expires_in, accessClaims) * 1000;
		return { accessToken, tenantId, ...bases, refreshAt: refreshAtFor(startedAt, lifetimeMs) };
	}
}

/** expires_in, else the token's own exp − iat; 0 (log in on every use) when neither says. */
function lifetimeSecondsOf(expiresIn: unknown, claims: Record<string, unknown>): number {
	const seconds = Number(expiresIn);
	if (Number.isFinite(seconds) && seconds > 0) return seconds;
	const fromClaims = Number(claims.exp) - Number(claims.iat);
	return Number.isFinite(fromClaims) && fromClaims > 0 ? fromClaims : 0;
}

/** The secrets are part of the key (a changed secret must not reuse a session) but only as a hash. */
function sessionKey(credentials: AccessKeyCredentials): string {
	return createHash('sha256')
		.update(
			[
				credentials.authHost,
				credentials.accessKeyId,
				credentials.accessKeySecret,
				credentials.clientId,
				credentials.clientSecret,
				credentials.apiBaseOverride,
				credentials.digitalBaseOverride,
			].join('\n'),
		)
		.digest('hex');
}

/** The process-wide sessions the access-key credential and the nodes share. */
export const accessKeySessions = new AccessKeySessions();

/** A real tenant's access key as a connection: the shared session, its discovered bases, its tenant's limit. */
export function accessKeyConnection(credentials: AccessKeyCredentials): CxoneConnection {
	return {
		allowUnauthorizedCerts: credentials.allowUnauthorizedCerts,
		session: async (http) => {
			const session = await accessKeySessions.get(http, credentials);
			return {
				token: session.accessToken,
				bases: { api: session.apiBase, digital: session.digitalBase },
				tenantKey: `${session.apiBase}\n${session.tenantId}`,
			};
		},
		invalidate: (token) => accessKeySessions.invalidate(credentials, token),
		secrets: (token) => secretsOf(credentials, token),
		hint: (status) =>
			status === 401 ? ACCESS_KEY_HINTS.wrongKey : status === 403 ? ACCESS_KEY_HINTS.forbidden : undefined,
	};
}
