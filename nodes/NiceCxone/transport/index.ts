import { NodeOperationError, sleep, type ICredentialDataDecryptedObject, type INode } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../constants';
import { credentialsFrom, tenantKeyOf, type CxoneCredentials } from './credentials';
import { CxoneError } from './errors';
import { isNetworkFailure, sendHttp, type HttpHelpers } from './http';
import { tenantLimiter } from './rateLimiter';
import { retryPolicy } from './retryPolicy';
import { tokenCache } from './tokenCache';

export {
	ACCESS_KEY_HINTS,
	accessKeyCredentialsFrom,
	accessKeyRequest,
	accessKeySessions,
	type AccessKeyCredentials,
	type AccessKeySession,
} from './accessKeyLogin';
export { credentialsFrom, tenantKeyOf, type CxoneCredentials } from './credentials';
export { CxoneError, preAuthenticationError, toNodeApiError } from './errors';
export { fromLegacyHelpers, type HttpHelpers } from './http';
export { tenantLimiter } from './rateLimiter';
export { retryPolicy } from './retryPolicy';
export { requestToken, tokenCache } from './tokenCache';

/** The node's NICE CXone API credential, checked; a NodeOperationError naming the bad field otherwise. */
export async function nodeCredentials(context: {
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
	getNode(): INode;
}): Promise<CxoneCredentials> {
	const data = await context.getCredentials('niceCxoneApi');
	try {
		return credentialsFrom(data);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Credential: ${(error as Error).message}`, {
			description: 'Fix the NICE CXone API credential; nothing was sent to CXone.',
		});
	}
}

export interface CxoneRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path under the API host, already URL-encoded. */
	path: string;
	/** The exact JSON text to send, so its hash is the hash of the bytes on the wire. */
	body?: string;
	timeoutMs?: number;
	/** The tenant limiter's ceiling for this call; 0 or absent sends without the limiter. */
	maxRequestsPerSecond?: number;
	/** False for a non-idempotent POST whose caller decides itself whether to try again. */
	retry?: boolean;
}

/** How one logical call went: what the audit record needs, success or not. */
export interface CallFigures {
	/** HTTP attempts, retries and the one 401 re-authentication included. */
	attempts: number;
	/** Wall time of the whole call, retries and waits included. */
	latencyMs: number;
}

export type CxoneResult<T> = CallFigures & ({ ok: true; status: number; data: T } | { ok: false; error: CxoneError });

/**
 * Every CXone API call: bearer token from the shared cache, the tenant's shared adaptive limiter
 * before each attempt, the retry policy, and on a 401 one token refresh and one more try (contract §1).
 * It never throws for a failed call: the result says what happened, with the figures of the audit record.
 */
export async function cxoneRequest<T>(
	http: HttpHelpers,
	credentials: CxoneCredentials,
	request: CxoneRequest,
): Promise<CxoneResult<T>> {
	const startedAt = performance.now();
	const limiter = request.maxRequestsPerSecond ? tenantLimiter(tenantKeyOf(credentials)) : undefined;
	const maxAttempts = request.retry === false ? 1 : retryPolicy.maxAttempts;
	let attempts = 0;
	let reauthenticated = false;
	const figures = () => ({ attempts, latencyMs: performance.now() - startedAt });
	for (let failedAttempts = 0; ; ) {
		let token: string;
		try {
			token = await tokenCache.get(http, credentials);
		} catch (error) {
			return { ok: false, error: error as CxoneError, ...figures() };
		}
		const sentAt = await limiter?.acquire(request.maxRequestsPerSecond as number);
		attempts++;
		const outcome = await sendHttp(http, {
			method: request.method,
			url: `${credentials.apiHost}${request.path}`,
			body: request.body,
			headers: {
				Authorization: `Bearer ${token}`,
				Accept: 'application/json',
				...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
			},
			timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			skipTlsVerification: credentials.allowUnauthorizedCerts,
		});
		if (!isNetworkFailure(outcome)) {
			if (sentAt !== undefined) limiter?.answered(sentAt, outcome.status === 429);
			if (outcome.status >= 200 && outcome.status < 300) {
				// An HTML page with 200 is a proxy's or a portal's answer, not CXone's: never a success.
				if (typeof outcome.body === 'string' && outcome.body.trim() !== '') {
					return { ok: false, error: CxoneError.notJson(outcome), ...figures() };
				}
				return { ok: true, status: outcome.status, data: outcome.body as T, ...figures() };
			}
			if (outcome.status === 401 && !reauthenticated) {
				tokenCache.invalidate(credentials, token);
				reauthenticated = true;
				continue;
			}
		}
		const error = CxoneError.fromOutcome(outcome, [credentials.clientSecret, token]);
		failedAttempts++;
		if (!retryPolicy.isRetryable(outcome) || failedAttempts >= maxAttempts) {
			return { ok: false, error, ...figures() };
		}
		await sleep(retryPolicy.delayMs(failedAttempts, error.retryAfterMs));
	}
}
