/**
 * A plain node:http client for the sandbox's real CXone APIs, so that every header, Accept above all, is exactly what
 * the test says (fetch would add an Accept of any type). Shared by the test/sandbox/real*.test.ts files.
 */
import http from 'node:http';

import { expect } from 'vitest';

import type { CxoneSandbox } from '../../sandbox/server';

export interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** The body parsed as JSON, or undefined when it is empty or not JSON. */
	body: any;
}

export function request(
	url: string,
	options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('error', reject);
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown;
				try {
					body = text ? JSON.parse(text) : undefined;
				} catch {
					body = undefined;
				}
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
			});
		});
		req.on('error', reject);
		req.setTimeout(10_000, () => req.destroy(new Error(`No answer from ${url} in time`)));
		req.end(options.body);
	});
}

export const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

export const keyOf = (sandbox: CxoneSandbox) => ({
	accessKeyId: sandbox.realApi.accessKeyId,
	accessKeySecret: sandbox.realApi.accessKeySecret,
});

export function accessKeyLogin(sandbox: CxoneSandbox, body: unknown = keyOf(sandbox)) {
	return request(`${sandbox.url}/authentication/v1/token/access-key`, {
		method: 'POST',
		headers: JSON_HEADERS,
		body: JSON.stringify(body),
	});
}

/** A bearer token from a real access-key login. */
export async function realToken(sandbox: CxoneSandbox): Promise<string> {
	const login = await accessKeyLogin(sandbox);
	expect(login.status).toBe(200);
	return login.body.access_token as string;
}

/** A started sandbox with a bearer token from a real login and its seeded ids. */
export async function withRealToken(sandbox: CxoneSandbox) {
	return { sandbox, token: await realToken(sandbox), seed: sandbox.realApi.seed };
}

export const acdPath = (resource: string, version = '30.0') => `/inContactAPI/services/v${version}/${resource}`;

export interface CallOptions {
	token?: string;
	/** The Accept header; application/json unless given, none when null. */
	accept?: string | null;
	method?: string;
	/** A JSON value to send as the body, or a string sent as is. */
	body?: unknown;
}

/** A call to any real API URL with a bearer token and Accept: application/json unless told otherwise. */
export function call(url: string, options: CallOptions = {}) {
	const headers: Record<string, string> = {};
	if (options.accept !== null) headers.Accept = options.accept ?? 'application/json';
	if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
	let body: string | undefined;
	if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	}
	return request(url, { method: options.method, headers, body });
}

/** An ACD call: `resource` is the path under /inContactAPI/services/v30.0/, unless `path` gives the whole path. */
export function acd(sandbox: CxoneSandbox, resource: string, options: CallOptions & { path?: string } = {}) {
	return call(`${sandbox.url}${options.path ?? acdPath(resource)}`, options);
}

/** A Digital (DFO) call: `resource` is the path under /dfo/3.0/ on the Digital listener. */
export function dfo(sandbox: CxoneSandbox, resource: string, options: CallOptions = {}) {
	return call(`${sandbox.realApi.digitalBase}/dfo/3.0/${resource}`, options);
}

/** A POST to a control route under /_sandbox/. */
export const control = (sandbox: CxoneSandbox, path: string, body: unknown = {}) =>
	request(`${sandbox.url}/_sandbox/${path}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

/** A GET of a control route under /_sandbox/. */
export const controlGet = (sandbox: CxoneSandbox, path: string) => request(`${sandbox.url}/_sandbox/${path}`);
