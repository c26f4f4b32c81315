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
	return { status, headers: { icStatusDescription: description, ...headers } };
}

/** Digital (DFO) errors: `{errors:[{message}]}` (spec §4, §8). */
export function dfoError(status: number, message: string): Answer {
	return json(status, { errors: [{ message }] });
}

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
