import {
	MAX_ATTEMPTS,
	RETRY_AFTER_CAP_MS,
	RETRY_JITTER,
	RETRY_MAX_DELAY_MS,
	RETRY_MIN_DELAY_MS,
} from '../constants';
import { headerOf, isNetworkFailure, type HttpAnswer, type NetworkFailure } from './http';

/**
 * The package's one retry policy (contract §5), for every call: token, API and webhook lifecycle.
 * It is axios-retry's policy as the package used it, kept without the library.
 */
export const retryPolicy = {
	maxAttempts: MAX_ATTEMPTS,

	/** 429, 5xx, connection failures and timeouts are worth another try; other statuses never. */
	isRetryable(outcome: HttpAnswer | NetworkFailure): boolean {
		if (isNetworkFailure(outcome)) return RETRYABLE_NETWORK_CODES.has(outcome.code);
		return outcome.status === 429 || outcome.status >= 500;
	},

	/**
	 * Whether a failed call certainly did nothing, so even a call that must not run twice may be sent again:
	 * CXone refused it (429, 503) or the connection was never made. A reset or a timeout may come after CXone acted.
	 */
	isRefusedUnsent(outcome: HttpAnswer | NetworkFailure): boolean {
		if (isNetworkFailure(outcome)) return UNSENT_NETWORK_CODES.has(outcome.code);
		return outcome.status === 429 || outcome.status === 503;
	},

	/**
	 * The wait before retry `retryNumber` (1 for the first retry): a server's Retry-After when it sent
	 * one, capped; otherwise 2 s, 4 s, 8 s, … up to 10 s, each stretched by up to a quarter at random.
	 */
	delayMs(retryNumber: number, retryAfterMs?: number): number {
		if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
		const backoff = Math.min(RETRY_MAX_DELAY_MS, Math.max(RETRY_MIN_DELAY_MS, 1000 * 2 ** retryNumber));
		return Math.min(RETRY_MAX_DELAY_MS, backoff * (1 + Math.random() * RETRY_JITTER));
	},
};

/**
 * Codes of calls that may succeed when sent again. Name resolution, certificate and URL errors are
 * left out: they fail the same way every time, and waiting 6 s to say so helps nobody.
 */
const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'network_error',
]);

/** Codes of calls that never reached the server. */
const UNSENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Retry-After in milliseconds, in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(answer: HttpAnswer): number | undefined {
	const value = headerOf(answer.headers, 'retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
