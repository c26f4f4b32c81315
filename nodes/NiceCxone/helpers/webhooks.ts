import { sleep } from 'n8n-workflow';

import { WEBHOOKS_PATH } from '../constants';
import {
	cxoneRequest,
	retryPolicy,
	type CxoneConnection,
	type CxoneRequest,
	type HttpHelpers,
} from '../transport';
import type { WebhookRegistration } from './validation';

/** A webhook as CXone stores it (contract §3). */
export interface StoredWebhook extends WebhookRegistration {
	id: string;
	createdAt: string;
}

/** The exact JSON text a registration is sent as. */
export const registrationBody = (registration: WebhookRegistration) => JSON.stringify(registration);

/**
 * The registration as the audit record hashes it: header values are often secrets, and the hash of a
 * known body with one unknown value would let anyone who reads the record test guesses offline.
 */
export const redactedRegistrationBody = (registration: WebhookRegistration) =>
	registrationBody({
		...registration,
		headers: Object.fromEntries(Object.keys(registration.headers).map((name) => [name, '[redacted]'])),
	});

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
 * (a registration, an activation) and sums the HTTP attempts its calls take, for the audit record.
 * A failed call throws its CxoneError.
 */
export class WebhookApi {
	attempts = 0;

	private readonly startedAt = performance.now();

	constructor(
		private readonly http: HttpHelpers,
		private readonly connection: CxoneConnection,
		private readonly options: Pick<CxoneRequest, 'timeoutMs' | 'maxRequestsPerSecond'> = {},
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
		const result = await this.send({ method: 'DELETE', path: `${WEBHOOKS_PATH}/${encodeURIComponent(id)}` });
		if (result.ok) return true;
		if (result.error.status === 404) return false;
		throw result.error;
	}

	/**
	 * Registers a webhook without ever leaving two (contract §3: a POST is not idempotent). The POST is not
	 * retried blindly: a reset or timeout may come after CXone stored the webhook, so after a retryable failure
	 * and the retry policy's wait the list is read again, and a webhook with the same name and URI that was not
	 * in `known` (the list read before the first POST) is taken as ours. Only if there is none is the POST sent
	 * again, at most as often as the retry policy allows. Another client registering the same name and URI in
	 * that window would be mistaken for us, which the caller avoids by registering one webhook at a time.
	 */
	async createOnce(
		registration: WebhookRegistration,
		known: StoredWebhook[],
	): Promise<{ webhook: StoredWebhook; recovered: boolean }> {
		const before = new Set(known.map((webhook) => webhook.id));
		const body = registrationBody(registration);
		for (let attempt = 1; ; attempt++) {
			const result = await this.send<StoredWebhook>({ method: 'POST', path: WEBHOOKS_PATH, body, retry: false });
			if (result.ok) return { webhook: result.data, recovered: false };
			if (!result.error.retryable || attempt >= retryPolicy.maxAttempts) throw result.error;
			await sleep(retryPolicy.delayMs(attempt, result.error.retryAfterMs));
			const stored = findMatching(await this.list(), registration.name, registration.uri, before);
			if (stored) return { webhook: stored, recovered: true };
		}
	}

	private async call<T>(request: Omit<CxoneRequest, 'timeoutMs' | 'maxRequestsPerSecond'>): Promise<T> {
		const result = await this.send<T>(request);
		if (!result.ok) throw result.error;
		return result.data;
	}

	private async send<T>(request: Omit<CxoneRequest, 'timeoutMs' | 'maxRequestsPerSecond'>) {
		const result = await cxoneRequest<T>(this.http, this.connection, { ...request, ...this.options });
		this.attempts += result.attempts;
		return result;
	}
}

