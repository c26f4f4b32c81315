/** The answer formats of the real CXone services (spec §8), each kept apart so that a client must read each one. */
import type http from 'node:http';

import type { Answer } from './types';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
	return {
		status,
		headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
		body: JSON.stringify(body),
	};
}

/**
 * The global authentication service (route B, openid and cxone-configuration). [U] The generated spec says
 * `errorDescription`; RFC 6749's `error_description` is what most clients read first (spec §1b), so that is used here.
 */
export function oauthError(
	status: number,
	error: string,
	description: string,
	headers?: Record<string, string>,
): Answer {
	return json(status, { error, error_description: description }, headers);
}

/**
 * UserHub's access-key routes (route A). [U] Their error body is unobserved; UserHub speaks camelCase, so the
 * generated spec's `errorDescription` is used here, which also makes a client read both casings (spec §1b).
 */
export function userHubError(
	status: number,
	error: string,
	description: string,
	headers?: Record<string, string>,
): Answer {
	return json(status, { error, errorDescription: description }, headers);
}

/**
 * ACD REST errors. The message travels in the `icStatusDescription` header (spec §8); [U] the body is left empty so
 * that a client reading only the body shows nothing and the omission is seen.
 */
export function acdError(status: number, description: string, headers: Record<string, string> = {}): Answer {
	// A header value is visible ASCII; a request's own text (a parameter name) may not be, and must not crash the answer.
	const ascii = description.replace(/[^\x20-\x7e]/g, '?');
	return { status, headers: { icStatusDescription: ascii, ...headers } };
}

/** Digital (DFO) errors: `{errors:[{field?, message}]}` (spec §4, §8). */
export function dfoError(status: number, message: string, field?: string): Answer {
	return json(status, { errors: [field === undefined ? { message } : { field, message }] });
}

/**
 * Business Data API errors. [U] Only the statuses and messages are published (§6); a JSON `{message}` body is assumed,
 * the shape most of CXone's newer microservices use.
 */
export function businessDataError(status: number, message: string, headers: Record<string, string> = {}): Answer {
	return json(status, { message }, headers);
}

/** The JSON a request body holds: `{value}`, or `{problem}` saying why there is none. */
export function parseJsonBody(raw: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(raw) as unknown };
	} catch {
		return { problem: 'The body is not valid JSON' };
	}
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

export const NOT_RENDERABLE_TEXT = 'No known way to render data';

/** What the ACD API answers when Accept names no JSON-capable type (spec §8, §10.4): a 200 that is not data. */
export const NOT_RENDERABLE: Answer = {
	status: 200,
	headers: { 'Content-Type': 'text/html; charset=utf-8' },
	body:
		`<!DOCTYPE html><html><head><title>${NOT_RENDERABLE_TEXT}</title></head>` +
		`<body><p>${NOT_RENDERABLE_TEXT}</p></body></html>`,
};

/** Whether an Accept header names a type the ACD API can render as JSON; a missing header names none. */
export function acceptsJson(header: string | undefined): boolean {
	if (!header) return false;
	return header.split(',').some((range) => {
		const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
		const quality = params.find((param) => param.startsWith('q='));
		if (quality !== undefined && Number(quality.slice(2)) === 0) return false;
		return (
			type === '*/*' ||
			type === 'application/*' ||
			type === 'application/json' ||
			type === 'text/json' ||
			type.endsWith('+json')
		);
	});
}

export function write(res: http.ServerResponse, answer: Answer, statuses: Record<number, number>): void {
	if (res.destroyed) return;
	statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
	res.writeHead(answer.status, answer.headers);
	res.end(answer.body);
}
