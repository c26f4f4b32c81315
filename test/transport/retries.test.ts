import { describe, it } from 'vitest';

import { attributesPath } from '../sandbox/testClient';
import { sandboxFor } from '../helpers/sandbox';
import { cachedToken, cxoneCredentials, cxoneFailure, cxoneSuccess, transport, updateBody } from '../helpers/transport';

const { CxoneError, retryPolicy } = transport;

describe('retry policy (contract §5)', () => {
	it.concurrent('never retries a 400: the server refuses a body the client sent as is', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const body = JSON.stringify({ attributes: [{ key: 'a', value: 'x' }], note: 'extra field' });
		const { error, attempts } = await cxoneFailure(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body,
		});
		expect(error).toBeInstanceOf(CxoneError);
		expect(error.status).toBe(400);
		expect(error.code).toBe('invalid_payload');
		expect(error.details).toEqual([{ path: 'note', message: expect.any(String) }]);
		expect(error.message).toMatch(/note: /);
		expect(attempts).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
		expect(sandbox.received[0].raw).toBe(body);
	});

	it.concurrent('waits as long as Retry-After says, capped at 30 s; otherwise 2 s, 4 s, … up to 10 s, with jitter', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const credentials = cxoneCredentials(sandbox);
		const refusal = async () =>
			(await cxoneFailure(credentials, { method: 'POST', path: attributesPath('i-1'), body: updateBody(), retry: false }))
				.error;
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 1 });
		expect(retryPolicy.delayMs(1, (await refusal()).retryAfterMs)).toBe(1000);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 120 });
		expect(retryPolicy.delayMs(1, (await refusal()).retryAfterMs)).toBe(30_000);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 });
		const unavailable = await refusal();
		expect(unavailable.retryAfterMs).toBeUndefined();
		expect(unavailable.retryable).toBe(true);
		const bounds = [
			[2000, 2500],
			[4000, 5000],
			[8000, 10_000],
			[10_000, 10_000],
		];
		for (let sample = 0; sample < 200; sample++) {
			bounds.forEach(([low, high], index) => {
				const delay = retryPolicy.delayMs(index + 1, unavailable.retryAfterMs);
				expect(delay).toBeGreaterThanOrEqual(low);
				expect(delay).toBeLessThanOrEqual(high);
			});
		}
		// Jitter: two clients refused together do not come back at the same moment.
		expect(new Set(Array.from({ length: 20 }, () => retryPolicy.delayMs(1))).size).toBeGreaterThan(1);
		sandbox.injectFault('updateAttributes', { kind: 'wrongScope' });
		expect((await refusal()).retryable).toBe(false);
	});

	it.concurrent('gives up after 3 attempts on connection resets, with the network code', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'reset' }, 3);
		const startedAt = performance.now();
		const { error, attempts, latencyMs } = await cxoneFailure(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body: updateBody(),
		});
		const elapsed = performance.now() - startedAt;
		expect(error).toBeInstanceOf(CxoneError);
		expect(error.status).toBeUndefined();
		expect(error.code).toBe('ECONNRESET');
		expect(attempts).toBe(3);
		expect(error.hint).toMatch(/could not be reached/);
		expect(sandbox.stats.calls.updateAttributes).toBe(3);
		expect(sandbox.applied).toHaveLength(0);
		// 2 s then 4 s between the attempts.
		expect(elapsed).toBeGreaterThanOrEqual(5900);
		expect(latencyMs).toBeGreaterThanOrEqual(5900);
	});

	it.concurrent('counts an attempt that outlives the timeout as failed and tries again', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'stall', ms: 1500 });
		const response = await cxoneSuccess(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body: updateBody(),
			timeoutMs: 300,
		});
		expect(response.status).toBe(200);
		expect(response.attempts).toBe(2);
		expect(sandbox.stats.calls.updateAttributes).toBe(2);
		expect(sandbox.applied).toHaveLength(1);
	});

	it.concurrent('retries a token endpoint that answers 503', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('token', { kind: 'status', status: 503 });
		const token = await cachedToken(cxoneCredentials(sandbox));
		expect(token).toMatch(/^sbx_at_/);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});

	it.concurrent('does not retry a POST the caller marked as not retryable', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 });
		const { error, attempts } = await cxoneFailure(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body: updateBody(),
			retry: false,
		});
		expect(error.status).toBe(503);
		expect(attempts).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});

	it.concurrent('a status without a hint of its own gets a hint that fits it, never the token request\'s', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const credentials = cxoneCredentials(sandbox);
		await cachedToken(credentials);
		for (const status of [302, 405, 409, 413, 422]) {
			const server = await import('node:http');
			const answering = server.createServer((_, res) => {
				res.writeHead(status, { 'Content-Type': 'application/json', Location: 'https://elsewhere.example/' });
				res.end(JSON.stringify({ error: `status_${status}`, error_description: `answered ${status}` }));
			});
			await new Promise<void>((listening) => answering.listen(0, '127.0.0.1', listening));
			onTestFinished(() => new Promise<void>((closed) => answering.close(() => closed())));
			const port = (answering.address() as { port: number }).port;
			const { error, attempts } = await cxoneFailure(
				{ ...credentials, apiHost: `http://127.0.0.1:${port}` },
				{ method: 'POST', path: attributesPath('i-1'), body: updateBody() },
			);
			expect(error.status).toBe(status);
			expect(attempts).toBe(1);
			expect(error.hint).not.toMatch(/token request/);
			expect(error.hint).toMatch(status === 302 ? /redirect/ : /did not accept the request/);
		}
	});
});
