import http from 'node:http';
import https from 'node:https';

import axios, { type AxiosError, type AxiosInstance } from 'axios';
import axiosRetry, { isNetworkError, retryAfter } from 'axios-retry';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	DEFAULT_API_HOST,
	DEFAULT_AUTH_HOST,
	DEFAULT_SCOPES,
	KEEP_ALIVE_DELAY_MS,
	MAX_ATTEMPTS,
	RETRY_AFTER_CAP_MS,
	RETRY_MAX_DELAY_MS,
	RETRY_MIN_DELAY_MS,
} from '../constants';
import { hostSchema, describeZodError } from '../helpers/validation';
import { directAdapter } from './directAdapter';
import type { RateLimiter } from './rateLimiter';

export { CxoneError } from './errors';

/** The credential's fields, hosts checked and without trailing slashes. */
export interface CxoneCredentials {
	authHost: string;
	apiHost: string;
	clientId: string;
	clientSecret: string;
	scopes: string;
	allowUnauthorizedCerts: boolean;
}

/** Reads and checks the credential fields; throws a plain Error naming the field that is wrong. */
export function credentialsFrom(data: ICredentialDataDecryptedObject): CxoneCredentials {
	const host = (field: 'authHost' | 'apiHost', label: string, fallback: string) => {
		const value = String(data[field] ?? fallback).trim() || fallback;
		const checked = hostSchema.safeParse(value);
		if (!checked.success) throw new Error(`${label} ${describeZodError(checked.error)}`);
		return value.replace(/\/+$/, '');
	};
	return {
		authHost: host('authHost', 'Auth Host', DEFAULT_AUTH_HOST),
		apiHost: host('apiHost', 'API Host', DEFAULT_API_HOST),
		clientId: String(data.clientId ?? ''),
		clientSecret: String(data.clientSecret ?? ''),
		scopes: String(data.scopes ?? DEFAULT_SCOPES).trim().split(/\s+/).filter(Boolean).join(' '),
		allowUnauthorizedCerts: data.allowUnauthorizedCerts === true,
	};
}

/** Counts the attempts of one logical call (retries included) and spaces them with a limiter. */
export class AttemptTracker {
	attempts = 0;

	constructor(readonly limiter?: RateLimiter) {}
}

declare module 'axios' {
	interface AxiosRequestConfig {
		/** A class instance, so axios' config merging on retries keeps the same object. */
		tracker?: AttemptTracker;
	}
}

/** 429, 5xx, connection failures and timeouts are worth another try; 4xx never (contract §5). */
export function isRetryable(error: AxiosError): boolean {
	const status = error.response?.status;
	if (status !== undefined) return status === 429 || status >= 500;
	return isNetworkError(error) || error.code === 'ETIMEDOUT' || error.code === 'ECONNABORTED';
}

/** Exponential 2 s, 4 s, … capped at 10 s; a server's Retry-After wins, capped at 30 s. */
export function retryDelayMs(retryNumber: number, error?: AxiosError): number {
	const hasRetryAfter = error?.response?.headers['retry-after'] !== undefined;
	return backoffDelayMs(retryNumber, error && hasRetryAfter ? retryAfter(error) : undefined);
}

/** The same policy for callers that retry a call themselves, such as a non-idempotent POST. */
export function backoffDelayMs(retryNumber: number, retryAfterMs?: number): number {
	if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
	return Math.min(RETRY_MAX_DELAY_MS, Math.max(RETRY_MIN_DELAY_MS, 1000 * 2 ** retryNumber));
}

/** The variables axios reads (through proxy-from-env) to send requests through a proxy. */
const PROXY_VARIABLES = [
	...['http_proxy', 'https_proxy', 'all_proxy'].flatMap((name) => [name, name.toUpperCase(), `npm_config_${name}`]),
	'npm_config_proxy',
];

function createClient(rejectUnauthorized: boolean): AxiosInstance {
	const instance = axios.create({
		// With proxy variables set, axios' own adapter applies them (and NO_PROXY) as usual.
		...(PROXY_VARIABLES.some((name) => process.env[name]) ? {} : { adapter: directAdapter }),
		// Pooled keep-alive sockets: thousands of items reuse a handful of connections. axios sets a
		// 60 s keep-alive delay on every request's socket; the pool resetting it to its own on each
		// release would cost two rounds of setsockopt calls per request.
		httpAgent: new http.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_DELAY_MS, maxSockets: 256 }),
		httpsAgent: new https.Agent({
			keepAlive: true,
			keepAliveMsecs: KEEP_ALIVE_DELAY_MS,
			maxSockets: 256,
			rejectUnauthorized,
		}),
		maxRedirects: 0,
		// Every body is text the package serialised and hashed (payload_hash): sent byte for byte.
		// axios' default would parse each JSON body again and trim it.
		transformRequest: [(data: unknown) => data],
		transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
	});
	instance.interceptors.request.use(async (config) => {
		if (config.tracker) {
			config.tracker.attempts++;
			await config.tracker.limiter?.acquire();
		}
		return config;
	});
	axiosRetry(instance, {
		retries: MAX_ATTEMPTS - 1,
		retryCondition: isRetryable,
		retryDelay: retryDelayMs,
		shouldResetTimeout: true,
	});
	return instance;
}

const clients = new Map<boolean, AxiosInstance>();

/** The shared axios instance (one per TLS setting) every CXone call goes through. */
export function httpClient(credentials: Pick<CxoneCredentials, 'allowUnauthorizedCerts'>): AxiosInstance {
	const rejectUnauthorized = !credentials.allowUnauthorizedCerts;
	let client = clients.get(rejectUnauthorized);
	if (!client) {
		client = createClient(rejectUnauthorized);
		clients.set(rejectUnauthorized, client);
	}
	return client;
}
