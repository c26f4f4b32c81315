import { createHash } from 'node:crypto';

import { sleep } from 'n8n-workflow';

import { TOKEN_PATH, TOKEN_TIMEOUT_MS } from '../constants';
import type { CxoneConnection } from './connection';
import { tenantKeyOf, type CxoneCredentials } from './credentials';
import { CxoneError } from './errors';
import { isNetworkFailure, sendHttp, type HttpHelpers } from './http';
import { retryPolicy } from './retryPolicy';
import { refreshAtFor, SharedLogins, type CachedLogin } from './sharedLogins';

export interface TokenResponse {
	access_token: string;
	token_type: string;
	expires_in: number;
	scope?: string;
}

/**
 * The one token request of the package (contract §1): client credentials in the form body, retried
 * per the retry policy. The credential's preAuthentication, its test and the TokenCache all end here.
 */
export async function requestToken(http: HttpHelpers, credentials: CxoneCredentials): Promise<TokenResponse> {
	const form = new URLSearchParams({
		grant_type: 'client_credentials',
		client_id: credentials.clientId,
		client_secret: credentials.clientSecret,
	});
	if (credentials.scopes) form.set('scope', credentials.scopes);
	for (let attempt = 1; ; attempt++) {
		const outcome = await sendHttp(http, {
			method: 'POST',
			url: `${credentials.authHost}${TOKEN_PATH}`,
			body: form.toString(),
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
			timeoutMs: TOKEN_TIMEOUT_MS,
			skipTlsVerification: credentials.allowUnauthorizedCerts,
		});
		const body = isNetworkFailure(outcome) ? undefined : (outcome.body as Partial<TokenResponse> | undefined);
		if (!isNetworkFailure(outcome) && outcome.status === 200 && typeof body?.access_token === 'string') {
			const expiresIn = Number(body.expires_in);
			return {
				access_token: body.access_token,
				token_type: body.token_type ?? 'Bearer',
				expires_in: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 0,
				scope: body.scope,
			};
		}
		const failure = CxoneError.fromOutcome(outcome, [credentials.clientSecret], true);
		if (!retryPolicy.isRetryable(outcome) || attempt >= retryPolicy.maxAttempts) throw failure;
		await sleep(retryPolicy.delayMs(attempt, failure.retryAfterMs));
	}
}

/**
 * Client-credentials tokens shared by every item, execution and node of this n8n process:
 * one per (auth host, client id, secret, scopes), refreshed before expiry, one request in flight.
 */
export class TokenCache {
	private readonly logins = new SharedLogins<CachedLogin>();
	/** Token requests actually sent, for tests. */
	requests = 0;

	/** A valid access token for `credentials`, fetching one only when none is cached or it is due. */
	async get(http: HttpHelpers, credentials: CxoneCredentials): Promise<string> {
		const login = await this.logins.get(cacheKey(credentials), async () => await this.fetch(http, credentials));
		return login.accessToken;
	}

	/** Drops `staleToken` after the API refused it (see SharedLogins.invalidate). */
	invalidate(credentials: CxoneCredentials, staleToken: string): void {
		this.logins.invalidate(cacheKey(credentials), staleToken);
	}

	clear(): void {
		this.logins.clear();
	}

	private async fetch(http: HttpHelpers, credentials: CxoneCredentials): Promise<CachedLogin> {
		this.requests++;
		const startedAt = performance.now();
		const token = await requestToken(http, credentials);
		return { accessToken: token.access_token, refreshAt: refreshAtFor(startedAt, token.expires_in * 1000) };
	}
}

/** Keys already computed: every item of a run asks with the same credentials object. */
const cacheKeys = new WeakMap<CxoneCredentials, string>();

/** The secret is part of the key (a changed secret must not reuse a token) but only as a hash. */
function cacheKey(credentials: CxoneCredentials): string {
	let key = cacheKeys.get(credentials);
	if (key === undefined) {
		key = createHash('sha256')
			.update([credentials.authHost, credentials.clientId, credentials.clientSecret, credentials.scopes].join('\n'))
			.digest('hex');
		cacheKeys.set(credentials, key);
	}
	return key;
}

/** The process-wide cache both nodes and the credential use. */
export const tokenCache = new TokenCache();

/** The tutorial contract's client credentials as a connection: tokens from the shared cache, one API host. */
export function clientCredentialsConnection(credentials: CxoneCredentials): CxoneConnection {
	const tenantKey = tenantKeyOf(credentials);
	return {
		allowUnauthorizedCerts: credentials.allowUnauthorizedCerts,
		session: async (http) => ({
			token: await tokenCache.get(http, credentials),
			bases: { api: credentials.apiHost, digital: credentials.apiHost },
			tenantKey,
		}),
		invalidate: (token) => tokenCache.invalidate(credentials, token),
		secrets: (token) => [credentials.clientSecret, token],
	};
}
