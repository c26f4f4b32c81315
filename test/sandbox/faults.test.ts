import { describe, expect, it } from 'vitest';

import type { CxoneSandbox, RouteName } from '../../sandbox/server';
import {
	attributesPath,
	call,
	eventually,
	getToken,
	type JsonResponse,
	requestToken,
	updateAttributes,
	useSandbox,
} from './testClient';

const startSandbox = useSandbox();

async function ready(options: Parameters<typeof startSandbox>[0] = {}) {
	const sandbox = await startSandbox(options);
	return { sandbox, token: await getToken(sandbox) };
}

const update = (key = 'campaign_id') => ({ attributes: [{ key, value: '12345' }] });

/** fetch reports a dropped connection as a TypeError whose cause is the socket error. */
function expectSocketError(error: unknown) {
	expect(error).toBeInstanceOf(TypeError);
	expect((error as TypeError & { cause?: { code?: string } }).cause?.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
}

describe('injected faults', () => {
	it('answers N times 429 rate_limited with Retry-After, then serves normally', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 3 }, 3);

		for (let i = 0; i < 3; i++) {
			const response = await updateAttributes(sandbox, token, 'int-1', update());
			expect(response.status).toBe(429);
			expect(response.headers.get('retry-after')).toBe('3');
			expect(response.body).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
		}
		expect(sandbox.snapshot('int-1')).toBeUndefined();
		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
		expect(sandbox.stats.faultsInjected).toBe(3);
		expect(sandbox.applied).toHaveLength(1);
	});

	it.each([500, 502, 503, 504] as const)('answers an injected %i with a JSON error', async (status) => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'status', status });

		const response = await updateAttributes(sandbox, token, 'int-1', update());
		expect(response.status).toBe(status);
		expect(response.body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
		expect(response.headers.get('retry-after')).toBeNull();
		expect(sandbox.snapshot('int-1')).toBeUndefined();
		expect(sandbox.applied).toEqual([]);

		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
	});

	it('resets the connection without applying the update', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'reset' });

		const error = await updateAttributes(sandbox, token, 'int-1', update()).catch((e: unknown) => e);
		expectSocketError(error);
		expect(sandbox.snapshot('int-1')).toBeUndefined();
		expect(sandbox.applied).toEqual([]);
		// The request did arrive: a client cannot tell, which is the point of the fault.
		expect(sandbox.received).toHaveLength(1);

		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
	});

	it('resets the connection after applying the update when after is true', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'reset', after: true });

		const error = await updateAttributes(sandbox, token, 'int-1', update()).catch((e: unknown) => e);
		expectSocketError(error);
		expect(sandbox.snapshot('int-1')?.attributes).toEqual([{ key: 'campaign_id', value: '12345', mode: 'UPDATE' }]);
		expect(sandbox.applied).toHaveLength(1);
	});

	it('stalls and abandons the request when the client gives up first', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'stall', ms: 400 });

		const error = await call(sandbox.url, attributesPath('int-1'), {
			token,
			body: update(),
			signal: AbortSignal.timeout(100),
		}).catch((e: unknown) => e);
		expect((error as Error).name).toBe('TimeoutError');

		await eventually(() => sandbox.stats.abandoned === 1);
		expect(sandbox.snapshot('int-1')).toBeUndefined();
		expect(sandbox.applied).toEqual([]);
	});

	it('stalls and then answers normally when the client waits long enough', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'stall', ms: 150 });

		const started = performance.now();
		const response = await updateAttributes(sandbox, token, 'int-1', update());
		expect(performance.now() - started).toBeGreaterThanOrEqual(140);
		expect(response.status).toBe(200);
		expect(sandbox.stats.abandoned).toBe(0);
		expect(sandbox.applied).toHaveLength(1);
	});

	it('answers revokedToken with 401 invalid_token and wrongScope with 403 insufficient_scope', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'revokedToken' });
		sandbox.injectFault('updateAttributes', { kind: 'wrongScope' });

		const revoked = await updateAttributes(sandbox, token, 'int-1', update());
		expect(revoked.status).toBe(401);
		expect(revoked.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });

		const wrongScope = await updateAttributes(sandbox, token, 'int-1', update());
		expect(wrongScope.status).toBe(403);
		expect(wrongScope.body).toEqual({ error: 'insufficient_scope', error_description: expect.any(String) });

		expect(sandbox.applied).toEqual([]);
		// The token itself was never revoked: the fault only pretends.
		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
	});

	it('consumes queued faults in order, per route', async () => {
		const { sandbox, token } = await ready();
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 1 }, 2);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 502 });
		sandbox.injectFault('listWebhooks', { kind: 'status', status: 500 });

		const statuses: number[] = [];
		for (let i = 0; i < 6; i++) statuses.push((await updateAttributes(sandbox, token, 'int-1', update(`k${i}`))).status);
		expect(statuses).toEqual([503, 429, 429, 502, 200, 200]);
		expect(sandbox.snapshot('int-1')?.attributes.map((a) => a.key)).toEqual(['k4', 'k5']);

		expect((await call(sandbox.url, '/api/v2/webhooks', { token })).status).toBe(500);
		expect((await call(sandbox.url, '/api/v2/webhooks', { token })).status).toBe(200);
	});

	it('applies faults to the token route too', async () => {
		const sandbox = await startSandbox();
		sandbox.injectFault('token', { kind: 'status', status: 503 });
		const form = { grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret };

		expect((await requestToken(sandbox.url, form)).status).toBe(503);
		expect(sandbox.stats.tokensIssued).toBe(0);
		expect((await requestToken(sandbox.url, form)).status).toBe(200);
	});

	it('consults a fault plan with the route and its 0-based call index', async () => {
		const { sandbox, token } = await ready();
		const seen: Array<[RouteName, number]> = [];
		sandbox.setFaultPlan((route, index) => {
			seen.push([route, index]);
			return route === 'updateAttributes' && index % 2 === 0 ? { kind: 'status', status: 503 } : undefined;
		});

		const statuses: number[] = [];
		for (let i = 0; i < 4; i++) statuses.push((await updateAttributes(sandbox, token, 'int-1', update())).status);
		expect(statuses).toEqual([503, 200, 503, 200]);
		expect((await call(sandbox.url, '/api/v2/webhooks', { token })).status).toBe(200);
		expect(seen).toEqual([
			['updateAttributes', 0],
			['updateAttributes', 1],
			['updateAttributes', 2],
			['updateAttributes', 3],
			['listWebhooks', 0],
		]);

		sandbox.setFaultPlan(undefined);
		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
	});

	it('serves queued faults before asking the plan', async () => {
		const { sandbox, token } = await ready();
		sandbox.setFaultPlan(() => ({ kind: 'status', status: 500 }));
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 504 });

		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(504);
		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(500);
		expect(sandbox.stats.faultsInjected).toBe(2);
	});
});

/** Sends `count` updates at once; bounded by count and by a per-request timeout. */
async function burst(sandbox: CxoneSandbox, token: string, count: number): Promise<JsonResponse[]> {
	return Promise.all(
		Array.from({ length: count }, (_, index) =>
			call(sandbox.url, attributesPath(`int-${index}`), {
				token,
				body: update(),
				signal: AbortSignal.timeout(5000),
			}),
		),
	);
}

describe('tenant rate limit (contract §5)', () => {
	it('answers 429 rate_limited with Retry-After above 20 requests per second', async () => {
		const { sandbox, token } = await ready();
		sandbox.setRateLimit(20);

		const started = performance.now();
		const responses = await burst(sandbox, token, 60);
		const elapsedSeconds = (performance.now() - started) / 1000;

		const limited = responses.filter((response) => response.status === 429);
		const ok = responses.filter((response) => response.status === 200);
		expect(limited.length + ok.length).toBe(60);
		// A full bucket lets the first 20 through; afterwards it refills at 20 per second.
		expect(ok.length).toBeGreaterThanOrEqual(20);
		expect(ok.length).toBeLessThanOrEqual(20 + Math.ceil(elapsedSeconds * 20) + 1);
		expect(limited.length).toBeGreaterThan(0);
		for (const response of limited) {
			expect(response.body).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
			expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			expect(Number.isInteger(Number(response.headers.get('retry-after')))).toBe(true);
		}
		expect(sandbox.stats.rateLimited).toBe(limited.length);
		expect(sandbox.applied).toHaveLength(ok.length);
	});

	it('takes the limit from the rateLimitPerSecond option', async () => {
		const { sandbox, token } = await ready({ rateLimitPerSecond: 5 });
		const responses = await burst(sandbox, token, 20);
		expect(responses.filter((response) => response.status === 429).length).toBeGreaterThan(0);
	});

	it('serves again after the Retry-After wait', async () => {
		const { sandbox, token } = await ready({ rateLimitPerSecond: 5 });
		const limited = (await burst(sandbox, token, 20)).filter((response) => response.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		const retryAfter = Math.max(...limited.map((response) => Number(response.headers.get('retry-after'))));
		expect(retryAfter).toBeLessThanOrEqual(2);
		await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
		expect((await updateAttributes(sandbox, token, 'int-1', update())).status).toBe(200);
	});

	it('does not limit token requests', async () => {
		const sandbox = await startSandbox({ rateLimitPerSecond: 2 });
		const tokens = await Promise.all(Array.from({ length: 10 }, () => getToken(sandbox)));
		expect(new Set(tokens).size).toBe(10);
		expect(sandbox.stats.rateLimited).toBe(0);
	});

	it('is off by default', async () => {
		const { sandbox, token } = await ready();
		const responses = await burst(sandbox, token, 60);
		expect(responses.map((response) => response.status)).toEqual(Array(60).fill(200));
		expect(sandbox.stats.rateLimited).toBe(0);
	});

	it('is turned off again by setRateLimit(0)', async () => {
		const { sandbox, token } = await ready({ rateLimitPerSecond: 1 });
		sandbox.setRateLimit(0);
		const responses = await burst(sandbox, token, 30);
		expect(responses.every((response) => response.status === 200)).toBe(true);
	});
});
