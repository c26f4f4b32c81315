import axios, { type AxiosError } from 'axios';
import { describe, it } from 'vitest';

import { attributesPath } from '../sandbox/testClient';
import type { CxoneSandbox } from '../sandbox/server';
import { sandboxFor } from '../helpers/sandbox';
import { client, cxoneCredentials, transport, updateBody } from '../helpers/transport';

const { cxoneRequest, CxoneError, tokenCache } = transport;

type Failure = InstanceType<typeof CxoneError>;

/** The real AxiosError the shared client produces for one unretried call to the sandbox. */
async function axiosErrorFrom(sandbox: CxoneSandbox): Promise<AxiosError> {
	const credentials = cxoneCredentials(sandbox);
	const error = await client
		.httpClient(credentials)
		.post(`${sandbox.url}${attributesPath('i-1')}`, updateBody(), {
			headers: { Authorization: `Bearer ${await tokenCache.get(credentials)}`, 'Content-Type': 'application/json' },
			'axios-retry': { retries: 0 },
		})
		.catch((caught: unknown) => caught);
	if (!axios.isAxiosError(error)) throw new Error('expected the sandbox to refuse the call');
	return error;
}

describe('retry policy (contract §5)', () => {
	it.concurrent('never retries a 400: the server refuses a body the client sent as is', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const body = JSON.stringify({ attributes: [{ key: 'a', value: 'x' }], note: 'extra field' });
		const error = (await cxoneRequest(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body,
		}).catch((caught: unknown) => caught)) as Failure;
		expect(error).toBeInstanceOf(CxoneError);
		expect(error.status).toBe(400);
		expect(error.code).toBe('invalid_payload');
		expect(error.details).toEqual([{ path: 'note', message: expect.any(String) }]);
		expect(error.message).toMatch(/note: /);
		expect(error.attempts).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
		expect(sandbox.received[0].raw).toBe(body);
	});

	it.concurrent('waits as long as Retry-After says, capped at 30 s; otherwise 2 s, 4 s, … up to 10 s', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 1 });
		expect(client.retryDelayMs(1, await axiosErrorFrom(sandbox))).toBe(1000);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 120 });
		expect(client.retryDelayMs(1, await axiosErrorFrom(sandbox))).toBe(30_000);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 });
		const unavailable = await axiosErrorFrom(sandbox);
		expect([1, 2, 3, 4].map((retry) => client.retryDelayMs(retry, unavailable))).toEqual([2000, 4000, 8000, 10_000]);
		expect(client.isRetryable(unavailable)).toBe(true);
		sandbox.injectFault('updateAttributes', { kind: 'wrongScope' });
		expect(client.isRetryable(await axiosErrorFrom(sandbox))).toBe(false);
	});

	it.concurrent('gives up after 3 attempts on connection resets, with the network code', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'reset' }, 3);
		const startedAt = performance.now();
		const error = (await cxoneRequest(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body: updateBody(),
		}).catch((caught: unknown) => caught)) as Failure;
		const elapsed = performance.now() - startedAt;
		expect(error).toBeInstanceOf(CxoneError);
		expect(error.status).toBeUndefined();
		expect(error.code).toBe('ECONNRESET');
		expect(error.attempts).toBe(3);
		expect(error.hint).toMatch(/could not be reached/);
		expect(sandbox.stats.calls.updateAttributes).toBe(3);
		expect(sandbox.applied).toHaveLength(0);
		// 2 s then 4 s between the attempts.
		expect(elapsed).toBeGreaterThanOrEqual(5900);
		expect(error.latencyMs).toBeGreaterThanOrEqual(5900);
	});

	it.concurrent('counts an attempt that outlives the timeout as failed and tries again', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'stall', ms: 1500 });
		const response = await cxoneRequest(cxoneCredentials(sandbox), {
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
		const token = await tokenCache.get(cxoneCredentials(sandbox));
		expect(token).toMatch(/^sbx_at_/);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});

	it.concurrent('does not retry a POST the caller marked as not retryable', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 });
		const error = (await cxoneRequest(cxoneCredentials(sandbox), {
			method: 'POST',
			path: attributesPath('i-1'),
			body: updateBody(),
			retry: false,
		}).catch((caught: unknown) => caught)) as Failure;
		expect(error.status).toBe(503);
		expect(error.attempts).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});
});
