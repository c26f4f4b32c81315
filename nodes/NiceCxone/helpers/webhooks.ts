import { setTimeout as sleep } from 'node:timers/promises';

import { MAX_ATTEMPTS, WEBHOOKS_PATH } from '../constants';
import {
	backoffDelayMs,
	cxoneRequest,
	CxoneError,
	type CxoneCredentials,
	type CxoneRequest,
	type RateLimiter,
} from '../transport';
import type { WebhookRegistration } from './validation';

/** A webhook as CXone stores it (contract §3). */
export interface StoredWebhook extends WebhookRegistration {
	id: string;
	createdAt: string;
}

/** The exact JSON text a registration is sent as, so its hash is the hash of the bytes sent. */
export const registrationBody = (registration: WebhookRegistration) => JSON.stringify(registration);

/** The first webhook with this name and URI (contract §3's identity), skipping the ids in `exclude`. */
export function findMatching(
	webhooks: StoredWebhook[],
	name: string,
	uri: string,
	exclude: ReadonlySet<string> = new Set(),
): StoredWebhook | undefined {
	return webhooks.find((webhook) => webhook.name === name && webhook.uri === uri && !exclude.has(webhook.id));
}

/** The value of header `name` in a stored webhook's header map, whatever its letter case. */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
	const wanted = name.toLowerCase();
	const key = Object.keys(headers ?? {}).find((header) => header.toLowerCase() === wanted);
	return key === undefined ? undefined : headers?.[key];
}

/**
 * The webhook calls of contract §3, all through cxoneRequest. One instance serves one logical task
 * (a registration, an activation) and sums the HTTP attempts and time its calls take, for the audit record;
 * a CxoneError it throws carries those totals.
 */
export class WebhookApi {
	attempts = 0;

	private readonly startedAt = performance.now();

	constructor(
		private readonly credentials: CxoneCredentials,
		private readonly options: { timeoutMs?: number; limiter?: RateLimiter } = {},
	) {}

	/** Milliseconds since this instance was made, waits included. */
	get latencyMs(): number {
		return performance.now() - this.startedAt;
	}

	async list(): Promise<StoredWebhook[]> {
		const data = await this.call<{ webhooks?: StoredWebhook[] }>({ method: 'GET', path: WEBHOOKS_PATH });
		return Array.isArray(data?.webhooks) ? data.webhooks : [];
	}

	/** Deletes webhook `id`; false when CXone no longer had it (404), which is what the caller wanted anyway. */
	async delete(id: string): Promise<boolean> {
		try {
			await this.call({ method: 'DELETE', path: `${WEBHOOKS_PATH}/${encodeURIComponent(id)}` });
			return true;
		} catch (error) {
			if (error instanceof CxoneError && error.status === 404) return false;
			throw error;
		}
	}

	/**
	 * Registers a webhook without ever leaving two (contract §3: a POST is not idempotent). The POST is not
	 * retried blindly: a reset or timeout may come after CXone stored the webhook, so after a retryable failure
	 * and the transport's backoff the list is read again, and a webhook with the same name and URI that was not
	 * in `known` (the list read before the first POST) is taken as ours. Only if there is none is the POST sent
	 * again, at most MAX_ATTEMPTS times in all. Another client registering the same name and URI in that window
	 * would be mistaken for us, which the caller avoids by registering one webhook at a time.
	 */
	async createOnce(
		registration: WebhookRegistration,
		known: StoredWebhook[],
	): Promise<{ webhook: StoredWebhook; recovered: boolean }> {
		const before = new Set(known.map((webhook) => webhook.id));
		const body = registrationBody(registration);
		for (let attempt = 1; ; attempt++) {
			try {
				const webhook = await this.call<StoredWebhook>({ method: 'POST', path: WEBHOOKS_PATH, body, retry: false });
				return { webhook, recovered: false };
			} catch (error) {
				if (!(error instanceof CxoneError) || !error.retryable || attempt >= MAX_ATTEMPTS) throw error;
				await sleep(backoffDelayMs(attempt, error.retryAfterMs));
				const stored = findMatching(await this.list(), registration.name, registration.uri, before);
				if (stored) return { webhook: stored, recovered: true };
			}
		}
	}

	private async call<T>(request: Omit<CxoneRequest, 'timeoutMs' | 'limiter'>): Promise<T> {
		try {
			const response = await cxoneRequest<T>(this.credentials, { ...request, ...this.options });
			this.attempts += response.attempts;
			return response.data;
		} catch (error) {
			if (error instanceof CxoneError) {
				this.attempts += error.attempts;
				error.attempts = this.attempts;
				error.latencyMs = this.latencyMs;
			}
			throw error;
		}
	}
}
