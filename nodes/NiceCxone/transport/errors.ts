import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { MAX_ATTEMPTS } from '../constants';
import { headerOf, isNetworkFailure, type HttpAnswer, type NetworkFailure } from './http';
import { retryAfterMs } from './retryPolicy';

/** `text` with every non-empty secret replaced: CXone may echo what it was sent. */
const redact = (text: string, secrets: string[]) =>
	secrets.reduce((clean, secret) => (secret ? clean.split(secret).join('[redacted]') : clean), text);

/** What a user should check for each kind of failure (the tutorial's "Common Errors"). */
export const ERROR_HINTS = {
	400: 'CXone refused the payload. Check which field broke which limit: 1-50 attributes, keys of 1-255 characters not starting with "_" or "system:", string values of at most 2000 characters, mode ADD, UPDATE or DELETE.',
	401: 'The access token was refused even after a fresh one was fetched: the credentials are wrong or expired, or the OAuth client lacks the interactions:write scope. Check the Client ID, Client Secret and Scopes of the credential.',
	403: 'The OAuth client lacks the scope this call needs (interactions:write for attributes, webhooks:write for webhooks), or the interaction belongs to another tenant. Check the Scopes of the credential and the Interaction ID.',
	404: "CXone does not know this resource. Check the Interaction ID (or webhook ID) and that the API Host is your tenant's.",
	429: `CXone's rate limit (about 200 requests per second per tenant) was still hit after ${MAX_ATTEMPTS} attempts. Lower "Max Requests per Second" or "Concurrency", or send smaller batches.`,
	'5xx': `CXone answered with a server error on all ${MAX_ATTEMPTS} attempts. Try again later; if it persists, contact NICE support.`,
	network: `CXone could not be reached or did not answer in time on all ${MAX_ATTEMPTS} attempts. Check the API Host, the network, and the Timeout option.`,
	tokenNetwork: `The auth server could not be reached or did not answer in time on all ${MAX_ATTEMPTS} attempts. Check the Auth Host and the network.`,
	redirect:
		'CXone answered with a redirect, which the package does not follow (it would carry the token elsewhere). Check that the host in the credential is the API host itself, with https://.',
	otherStatus:
		'CXone did not accept the request. Check that the host in the credential is the right one for this call and that the package supports your tenant.',
	invalid_client: 'The auth server refused the client: check the Client ID, the Client Secret and the Auth Host of the credential.',
	token: 'The auth server refused the token request: check the Auth Host, the Scopes and that the OAuth client may use the client_credentials grant.',
} as const;

export interface CxoneErrorFields {
	/** HTTP status, absent for network failures. */
	status?: number;
	/** CXone's `error` code, or a network code such as ECONNRESET or ETIMEDOUT. */
	code: string;
	description: string;
	details?: Array<{ path: string; message: string }>;
	/** True when the token endpoint, not the API, failed. */
	fromTokenEndpoint?: boolean;
	/** The wait a 429 or 503 asked for in its Retry-After header. */
	retryAfterMs?: number;
	/** What to check, when the caller knows better than the status (the access-key login's causes). */
	hint?: string;
}

/**
 * A CXone failure carrying only what is safe to show: status, CXone's error code and text.
 * Never the request, which holds the client secret or the bearer token.
 */
export class CxoneError extends Error {
	readonly status?: number;
	readonly code: string;
	readonly description: string;
	readonly details?: Array<{ path: string; message: string }>;
	readonly fromTokenEndpoint: boolean;
	readonly retryAfterMs?: number;
	private readonly callerHint?: string;

	constructor(fields: CxoneErrorFields) {
		super(CxoneError.messageOf(fields));
		this.name = 'CxoneError';
		this.status = fields.status;
		this.code = fields.code;
		this.description = fields.description;
		this.details = fields.details;
		this.fromTokenEndpoint = fields.fromTokenEndpoint ?? false;
		this.retryAfterMs = fields.retryAfterMs;
		this.callerHint = fields.hint;
	}

	/** Whether another try may succeed: 429, 5xx and network failures, never other statuses (contract §5). */
	get retryable(): boolean {
		return this.status === undefined || this.status === 429 || this.status >= 500;
	}

	/** What the user should check for this failure. */
	get hint(): string {
		if (this.callerHint !== undefined) return this.callerHint;
		const status = this.status;
		if (status === undefined) return this.fromTokenEndpoint ? ERROR_HINTS.tokenNetwork : ERROR_HINTS.network;
		if (this.fromTokenEndpoint) return this.code === 'invalid_client' ? ERROR_HINTS.invalid_client : ERROR_HINTS.token;
		if (status >= 500) return ERROR_HINTS['5xx'];
		if (status >= 300 && status < 400) return ERROR_HINTS.redirect;
		return status in ERROR_HINTS ? ERROR_HINTS[status as keyof typeof ERROR_HINTS] : ERROR_HINTS.otherStatus;
	}

	/** `error_code` of the audit record: CXone's code when it sent one, else the status or network code. */
	get auditCode(): string {
		return this.status !== undefined && this.code === `http_${this.status}` ? String(this.status) : this.code;
	}

	toJSON() {
		return {
			status: this.status ?? null,
			error: this.code,
			error_description: this.description,
			...(this.details ? { details: this.details } : {}),
		};
	}

	/** The failure an HTTP answer or a network failure means, redacting `secrets` from CXone's text. */
	static fromOutcome(
		outcome: HttpAnswer | NetworkFailure,
		secrets: string[],
		fromTokenEndpoint = false,
		hintOf?: (failure: { status?: number; code: string }) => string | undefined,
	): CxoneError {
		if (isNetworkFailure(outcome)) {
			return new CxoneError({
				code: outcome.code,
				description: redact(outcome.message, secrets),
				fromTokenEndpoint,
				hint: hintOf?.({ code: outcome.code }),
			});
		}
		const { status } = outcome;
		const body = (typeof outcome.body === 'object' && outcome.body !== null ? outcome.body : {}) as {
			error?: unknown;
			error_description?: unknown;
			errorDescription?: unknown;
			message?: unknown;
			errors?: unknown;
			details?: unknown;
		};
		const fallback =
			status >= 200 && status < 300
				? fromTokenEndpoint
					? 'The token response has no access_token'
					: 'The answer is not the JSON CXone sends'
				: fromTokenEndpoint
					? `The token endpoint answered HTTP ${status}`
					: `HTTP ${status}`;
		const code = typeof body.error === 'string' ? body.error : `http_${status}`;
		return new CxoneError({
			status,
			code,
			description: redact(describedBy(outcome, body) ?? fallback, secrets),
			details: Array.isArray(body.details)
				? (body.details as Array<{ path: unknown; message: unknown }>).map((detail) => ({
						path: redact(String(detail.path), secrets),
						message: redact(String(detail.message), secrets),
					}))
				: undefined,
			fromTokenEndpoint,
			retryAfterMs: retryAfterMs(outcome),
			hint: hintOf?.({ status, code }),
		});
	}

	/** A 2xx answer whose body is not JSON: whatever answered, it was not CXone's API. */
	static notJson(answer: HttpAnswer, hint?: string): CxoneError {
		const type = String(answer.headers['content-type'] ?? 'no content type');
		return new CxoneError({
			status: answer.status,
			code: 'invalid_response',
			description: `The answer is not JSON (${type}); check that the host is the CXone API host`,
			hint,
		});
	}

	private static messageOf(fields: CxoneErrorFields): string {
		const where = fields.fromTokenEndpoint ? 'CXone token request failed' : 'CXone request failed';
		const what = fields.status !== undefined ? `${fields.status} ${fields.code}` : fields.code;
		const details = fields.details?.length
			? ` (${fields.details.map((d) => `${d.path}: ${d.message}`).join('; ')})`
			: '';
		return `${where} (${what}): ${fields.description}${details}`;
	}
}

/**
 * CXone's own text for a failure, in whichever shape its service uses (spec §8): OAuth's error_description, the
 * auth services' errorDescription, ACD's icStatusDescription header (its body is often empty), DFO's errors[].
 */
function describedBy(
	answer: HttpAnswer,
	body: { error_description?: unknown; errorDescription?: unknown; message?: unknown; errors?: unknown },
): string | undefined {
	const dfoMessages = Array.isArray(body.errors)
		? (body.errors as Array<{ message?: unknown }>)
				.map((entry) => entry?.message)
				.filter((message): message is string => typeof message === 'string')
		: [];
	const candidates = [
		body.error_description,
		body.errorDescription,
		headerOf(answer.headers, 'icStatusDescription'),
		dfoMessages.join('; '),
		body.message,
	];
	return candidates.find((text): text is string => typeof text === 'string' && text !== '');
}

/** The NodeApiError n8n shows for a CxoneError: CXone's code and text, the hint, and the item if there is one. */
export function toNodeApiError(node: INode, error: CxoneError, itemIndex?: number): NodeApiError {
	const message = itemIndex === undefined ? error.message : `Item ${itemIndex}: ${error.message}`;
	const apiError = new NodeApiError(node, error.toJSON() as JsonObject, {
		itemIndex,
		message,
		description: error.hint,
		httpCode: error.status !== undefined ? String(error.status) : undefined,
	});
	// NodeApiError swaps a message naming a network code (ECONNRESET, ETIMEDOUT) for a generic text without the item.
	apiError.message = message;
	apiError.cause = error;
	return apiError;
}

/**
 * The error a credential's preAuthentication throws. n8n's credential test shows a failure's `code` instead
 * of its message whenever it has one (for a CxoneError that is CXone's bare "invalid_client"), so CXone's
 * text and the hint travel in the message of an error without a code.
 */
export function preAuthenticationError(error: unknown): Error {
	return new Error(error instanceof CxoneError ? `${error.message}. ${error.hint}` : (error as Error).message);
}
