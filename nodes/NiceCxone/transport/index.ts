import axios from 'axios';
import { NodeOperationError, type ICredentialDataDecryptedObject, type INode } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../constants';
import { AttemptTracker, credentialsFrom, CxoneError, httpClient, type CxoneCredentials } from './client';
import type { RateLimiter } from './rateLimiter';
import { tokenCache } from './tokenCache';

export { backoffDelayMs, credentialsFrom, CxoneError, type CxoneCredentials } from './client';
export { toNodeApiError } from './errors';
export { RateLimiter } from './rateLimiter';
export { tokenCache, requestToken } from './tokenCache';

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
	limiter?: RateLimiter;
	/** False for a non-idempotent POST whose caller decides itself whether to try again. */
	retry?: boolean;
}

export interface CxoneResponse<T> {
	status: number;
	data: T;
	/** HTTP attempts, retries and the one 401 refresh included. */
	attempts: number;
	/** Wall time of the whole call, retries and waits included. */
	latencyMs: number;
}

/**
 * Every CXone API call: bearer token from the shared cache, retries per the transport policy,
 * and on a 401 one token refresh and one more try (contract §1).
 */
export async function cxoneRequest<T>(
	credentials: CxoneCredentials,
	request: CxoneRequest,
): Promise<CxoneResponse<T>> {
	const tracker = new AttemptTracker(request.limiter);
	const startedAt = performance.now();
	let refreshed = false;
	for (;;) {
		let token = '';
		try {
			token = await tokenCache.get(credentials);
			const response = await httpClient(credentials).request<T>({
				method: request.method,
				url: `${credentials.apiHost}${request.path}`,
				data: request.body,
				headers: {
					Authorization: `Bearer ${token}`,
					Accept: 'application/json',
					...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
				},
				timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
				tracker,
				...(request.retry === false ? { 'axios-retry': { retries: 0 } } : {}),
			});
			return {
				status: response.status,
				data: response.data,
				attempts: tracker.attempts,
				latencyMs: performance.now() - startedAt,
			};
		} catch (error) {
			if (!refreshed && axios.isAxiosError(error) && error.response?.status === 401) {
				tokenCache.invalidate(credentials, token);
				refreshed = true;
				continue;
			}
			const failure = CxoneError.from(error, [credentials.clientSecret, token]);
			failure.attempts = tracker.attempts;
			failure.latencyMs = performance.now() - startedAt;
			throw failure;
		}
	}
}
