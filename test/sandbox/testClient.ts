/**
 * A deliberately plain HTTP client for the sandbox's contract tests: built-in fetch and http only,
 * so that these tests check the sandbox against the contract and not against the package's client.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach } from 'vitest';

import { CxoneSandbox, type SandboxOptions } from '../../sandbox/server';

export interface JsonResponse {
	status: number;
	headers: Headers;
	/** Parsed JSON, or undefined for an empty body. */
	body: any;
}

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Starts sandboxes on demand and stops every one of them after each test. */
export function useSandbox(): (options?: SandboxOptions) => Promise<CxoneSandbox> {
	const running: CxoneSandbox[] = [];
	afterEach(async () => {
		await Promise.all(running.splice(0).map((sandbox) => sandbox.stop()));
	});
	return async (options = {}) => {
		const sandbox = new CxoneSandbox(options);
		running.push(sandbox);
		await sandbox.start();
		return sandbox;
	};
}

async function toJsonResponse(response: Response): Promise<JsonResponse> {
	const text = await response.text();
	return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function requestToken(
	baseUrl: string,
	form: Record<string, string>,
	options: { basic?: { id: string; secret: string }; contentType?: string } = {},
): Promise<JsonResponse> {
	const headers: Record<string, string> = {
		'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
	};
	if (options.basic) {
		headers.Authorization = `Basic ${Buffer.from(`${options.basic.id}:${options.basic.secret}`).toString('base64')}`;
	}
	const response = await fetch(`${baseUrl}/oauth/token`, {
		method: 'POST',
		headers,
		body: new URLSearchParams(form).toString(),
	});
	return toJsonResponse(response);
}

/** A fresh access token for the sandbox's own client, optionally narrowed to `scope`. */
export async function getToken(sandbox: CxoneSandbox, scope?: string): Promise<string> {
	const form: Record<string, string> = {
		grant_type: 'client_credentials',
		client_id: sandbox.clientId,
		client_secret: sandbox.clientSecret,
	};
	if (scope !== undefined) form.scope = scope;
	const response = await requestToken(sandbox.url, form);
	if (response.status !== 200) throw new Error(`Token request failed: ${JSON.stringify(response.body)}`);
	return response.body.access_token as string;
}

export interface CallOptions {
	method?: string;
	token?: string;
	/** Sent as is when a string or Buffer, otherwise JSON-encoded. */
	body?: unknown;
	headers?: Record<string, string>;
	signal?: AbortSignal;
}

export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<JsonResponse> {
	const headers: Record<string, string> = { Accept: 'application/json' };
	if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
	let body: string | Buffer | undefined;
	if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body =
			typeof options.body === 'string' || Buffer.isBuffer(options.body)
				? options.body
				: JSON.stringify(options.body);
	}
	const response = await fetch(`${baseUrl}${path}`, {
		method: options.method ?? (body === undefined ? 'GET' : 'POST'),
		headers: { ...headers, ...options.headers },
		body,
		signal: options.signal,
	});
	return toJsonResponse(response);
}

export const attributesPath = (encodedId: string) => `/api/v2/interactions/${encodedId}/attributes`;

export async function updateAttributes(
	sandbox: CxoneSandbox,
	token: string,
	interactionId: string,
	body: unknown,
): Promise<JsonResponse> {
	return call(sandbox.url, attributesPath(encodeURIComponent(interactionId)), { token, body });
}

export interface ReceivedCallback {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: any;
}

export interface Receiver {
	url: string;
	requests: ReceivedCallback[];
	/** Resolves once `count` callbacks arrived; rejects after `timeoutMs` so a missing callback fails fast. */
	waitFor(count: number, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 answering every request with `status(index)`. */
export async function startReceiver(status: (index: number) => number = () => 200): Promise<Receiver> {
	const requests: ReceivedCallback[] = [];
	const waiters: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const index = requests.length;
			requests.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
			});
			res.writeHead(status(index)).end();
			for (const wake of waiters.splice(0)) wake();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		requests,
		async waitFor(count, timeoutMs = 5000) {
			const deadline = Date.now() + timeoutMs;
			while (requests.length < count) {
				const left = deadline - Date.now();
				if (left <= 0) throw new Error(`Expected ${count} callbacks, got ${requests.length}`);
				await new Promise<void>((resolve) => {
					const timer = setTimeout(resolve, left);
					waiters.push(() => {
						clearTimeout(timer);
						resolve();
					});
				});
			}
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Polls `condition` every few ms; bounded so that a broken sandbox fails the test instead of hanging it. */
export async function eventually(condition: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('Condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}
