import { sleep, type IHttpRequestMethods } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../constants';
import { accessKeyConnection, type AccessKeyCredentials } from './accessKeyLogin';
import type { ApiBase, CxoneConnection, Session } from './connection';
import { CxoneError } from './errors';
import { isNetworkFailure, sendHttp, type HttpHelpers } from './http';
import { tenantLimiter } from './rateLimiter';
import { retryPolicy } from './retryPolicy';

export interface CxoneRequest {
	method: IHttpRequestMethods;
	/** Path under the base, already URL-encoded, query included. */
	path: string;
	/** The API base unless the call goes to the Digital (DFO) base. */
	base?: ApiBase;
	/** The exact JSON text to send, so its hash is the hash of the bytes on the wire. */
	body?: string;
	timeoutMs?: number;
	/** The tenant limiter's ceiling for this call; 0 or absent sends without the limiter. */
	maxRequestsPerSecond?: number;
	/** False for a non-idempotent call whose caller decides itself whether to try again. */
	retry?: boolean;
	/**
	 * False for a call that must not take effect twice (a signal): it is sent again only when it certainly did
	 * nothing (retryPolicy.isRefusedUnsent), never after a lost answer.
	 */
	idempotent?: boolean;
	/** What to check when this call fails, by status or `network`, where the call knows better than the generic hint. */
	hints?: Partial<Record<number | 'network', string>>;
}

/** How one logical call went: what the audit record needs, success or not. */
export interface CallFigures {
	/** HTTP attempts, retries and the one 401 re-authentication included. */
	attempts: number;
	/** Wall time of the whole call, retries and waits included. */
	latencyMs: number;
}

export type CxoneResult<T> = CallFigures & ({ ok: true; status: number; data: T } | { ok: false; error: CxoneError });

/** The limiter of the tenant behind `session` for calls to `base`: DFO has quotas of its own (spec §4). */
const limiterFor = (session: Session, base: ApiBase) =>
	tenantLimiter(base === 'digital' ? `${session.tenantKey}\ndigital` : session.tenantKey);

/**
 * Every CXone API call: bearer token from the connection's shared login, the tenant's shared adaptive limiter
 * before each attempt, the retry policy, and on a 401 one new login and one more try (contract §1, spec §8).
 * It never throws for a failed call: the result says what happened, with the figures of the audit record.
 */
export async function cxoneRequest<T>(
	http: HttpHelpers,
	connection: CxoneConnection,
	request: CxoneRequest,
): Promise<CxoneResult<T>> {
	const startedAt = performance.now();
	const base = request.base ?? 'api';
	const maxAttempts = request.retry === false ? 1 : retryPolicy.maxAttempts;
	const hintOf = ({ status }: { status?: number }) =>
		status === undefined ? request.hints?.network : (request.hints?.[status] ?? connection.hint?.(status));
	let attempts = 0;
	let reauthenticated = false;
	const figures = () => ({ attempts, latencyMs: performance.now() - startedAt });
	for (let failedAttempts = 0; ; ) {
		let session: Session;
		try {
			session = await connection.session(http);
		} catch (error) {
			return { ok: false, error: error as CxoneError, ...figures() };
		}
		const limiter = request.maxRequestsPerSecond ? limiterFor(session, base) : undefined;
		const sentAt = await limiter?.acquire(request.maxRequestsPerSecond as number);
		attempts++;
		const outcome = await sendHttp(http, {
			method: request.method,
			url: `${session.bases[base]}${request.path}`,
			body: request.body,
			headers: {
				Authorization: `Bearer ${session.token}`,
				// CXone's ACD answers an HTML 200 "No known way to render data" without it (spec §8).
				Accept: 'application/json',
				...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
			},
			timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			skipTlsVerification: connection.allowUnauthorizedCerts,
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
				connection.invalidate(session.token);
				reauthenticated = true;
				continue;
			}
		}
		const error = CxoneError.fromOutcome(outcome, connection.secrets(session.token), false, hintOf);
		failedAttempts++;
		const mayResend = request.idempotent !== false || retryPolicy.isRefusedUnsent(outcome);
		if (!retryPolicy.isRetryable(outcome) || !mayResend || failedAttempts >= maxAttempts) {
			return { ok: false, error, ...figures() };
		}
		const refusedByTenantLimit =
			limiter !== undefined && !isNetworkFailure(outcome) && outcome.status === 429 && error.retryAfterMs === undefined;
		await sleep(
			refusedByTenantLimit ? limiter.refusedWaitMs() : retryPolicy.delayMs(failedAttempts, error.retryAfterMs),
		);
	}
}

/** cxoneRequest for callers that want the answer or an exception: pickers, triggers, credential tests. */
export async function cxoneCall<T>(
	http: HttpHelpers,
	connection: CxoneConnection,
	request: CxoneRequest,
): Promise<{ status: number; data: T }> {
	const result = await cxoneRequest<T>(http, connection, request);
	if (!result.ok) throw result.error;
	return { status: result.status, data: result.data };
}

/** One authenticated call on a real tenant with an access key; its JSON answer, or a thrown CxoneError. */
export async function accessKeyRequest<T>(
	http: HttpHelpers,
	credentials: AccessKeyCredentials,
	request: CxoneRequest,
): Promise<T> {
	return (await cxoneCall<T>(http, accessKeyConnection(credentials), request)).data;
}
