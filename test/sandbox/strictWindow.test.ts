import { describe, expect, it } from 'vitest';

import type { CxoneSandbox } from '../../sandbox/server';
import { attributesPath, call, getToken, type JsonResponse, useSandbox } from './testClient';

const startSandbox = useSandbox();

const update = { attributes: [{ key: 'campaign_id', value: '12345' }] };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/**
 * Waits measured from a moment after the last acceptance: past the window by a margin, because a Node timer
 * may fire a little before performance.now() says the delay has passed.
 */
const PAST_THE_WINDOW_MS = 1100;

async function ready(options: Parameters<typeof startSandbox>[0] = {}) {
	const sandbox = await startSandbox(options);
	return { sandbox, token: await getToken(sandbox) };
}

/** One update; bounded by a timeout so a stuck sandbox fails the test instead of hanging it. */
function send(sandbox: CxoneSandbox, token: string, index: number): Promise<JsonResponse> {
	return call(sandbox.url, attributesPath(`int-${index}`), {
		token,
		body: update,
		signal: AbortSignal.timeout(5000),
	});
}

/** Sends `count` updates at once. */
function burst(sandbox: CxoneSandbox, token: string, count: number): Promise<JsonResponse[]> {
	return Promise.all(Array.from({ length: count }, (_, index) => send(sandbox, token, index)));
}

/** Sends `count` updates, each at least `gapMs` after the previous one was sent, without waiting for answers. */
async function paced(sandbox: CxoneSandbox, token: string, count: number, gapMs: number): Promise<JsonResponse[]> {
	const pending: Array<Promise<JsonResponse>> = [];
	for (let index = 0; index < count; index++) {
		if (index > 0) await sleep(gapMs);
		pending.push(send(sandbox, token, index));
	}
	return Promise.all(pending);
}

const statusesOf = (responses: JsonResponse[]) => responses.map((response) => response.status);

function expectStrictRefusal(response: JsonResponse) {
	expect(response.status).toBe(429);
	expect(response.headers.get('retry-after')).toBeNull();
	expect(response.body).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
}

describe('strict-window tenant limit', () => {
	it('accepts exactly N of a burst of 2N, refuses the rest without Retry-After, and N more after a second', async () => {
		const limit = 10;
		const { sandbox, token } = await ready({ rateLimitPerSecond: limit, rateLimitMode: 'strictWindow' });

		const first = await burst(sandbox, token, 2 * limit);
		const acceptedAt = performance.now();
		expect(statusesOf(first).filter((status) => status === 200)).toHaveLength(limit);
		const refused = first.filter((response) => response.status !== 200);
		expect(refused).toHaveLength(limit);
		for (const response of refused) expectStrictRefusal(response);
		expect(sandbox.stats).toMatchObject({ rateLimited: limit, acceptedApiCalls: limit, maxAcceptedInAnyWindow: limit });
		expect(sandbox.applied).toHaveLength(limit);

		await sleep(PAST_THE_WINDOW_MS - (performance.now() - acceptedAt));
		expect(statusesOf(await burst(sandbox, token, limit))).toEqual(Array(limit).fill(200));
		expectStrictRefusal(await send(sandbox, token, 0));

		expect(sandbox.stats).toMatchObject({
			rateLimited: limit + 1,
			acceptedApiCalls: 2 * limit,
			maxAcceptedInAnyWindow: limit,
		});
	});

	it('does not let refused calls take a slot in the window', async () => {
		const limit = 5;
		const { sandbox, token } = await ready({ rateLimitPerSecond: limit, rateLimitMode: 'strictWindow' });

		expect(statusesOf(await burst(sandbox, token, limit))).toEqual(Array(limit).fill(200));
		const filledAt = performance.now();
		await sleep(500);
		// Had these counted, the window would stay full until half a second after the wait below.
		for (const response of await burst(sandbox, token, limit)) expectStrictRefusal(response);

		await sleep(PAST_THE_WINDOW_MS - (performance.now() - filledAt));
		expect(statusesOf(await burst(sandbox, token, limit))).toEqual(Array(limit).fill(200));
		expect(sandbox.stats).toMatchObject({ acceptedApiCalls: 2 * limit, rateLimited: limit });
	});

	it('accepts every call of a steady rate slightly below N per second', async () => {
		const limit = 10;
		const { sandbox, token } = await ready({ rateLimitPerSecond: limit, rateLimitMode: 'strictWindow' });

		// 110 ms apart: any N consecutive calls span 990 ms, any N + 1 span 1100 ms, 100 ms of slack for jitter.
		const responses = await paced(sandbox, token, 22, 110);

		expect(statusesOf(responses)).toEqual(Array(22).fill(200));
		const { acceptedApiCalls, firstAcceptedAtMs, lastAcceptedAtMs, maxAcceptedInAnyWindow, rateLimited } =
			sandbox.stats;
		expect(rateLimited).toBe(0);
		expect(acceptedApiCalls).toBe(22);
		expect(maxAcceptedInAnyWindow).toBeLessThanOrEqual(limit);
		const acceptedSpanSeconds = ((lastAcceptedAtMs as number) - (firstAcceptedAtMs as number)) / 1000;
		const acceptedPerSecond = (acceptedApiCalls - 1) / acceptedSpanSeconds;
		expect(acceptedPerSecond).toBeGreaterThan(limit * 0.7);
		expect(acceptedPerSecond).toBeLessThan(limit);
	});

	it('never accepts more than N in any one-second window under a sustained overload', async () => {
		const limit = 10;
		const { sandbox, token } = await ready({ rateLimitPerSecond: limit, rateLimitMode: 'strictWindow' });

		// About three times the limit for a little over two seconds.
		const started = performance.now();
		const responses = await paced(sandbox, token, 70, 33);
		const elapsedSeconds = (performance.now() - started) / 1000;

		const accepted = responses.filter((response) => response.status === 200);
		for (const response of responses.filter((r) => r.status !== 200)) expectStrictRefusal(response);
		expect(sandbox.stats.maxAcceptedInAnyWindow).toBe(limit);
		expect(sandbox.stats.acceptedApiCalls).toBe(accepted.length);
		expect(sandbox.stats.rateLimited).toBe(responses.length - accepted.length);
		// Each started second of the run holds at most N; the window reopens once a second has passed.
		expect(accepted.length).toBeLessThanOrEqual(limit * Math.ceil(elapsedSeconds));
		expect(accepted.length).toBeGreaterThanOrEqual(2 * limit);
	});

	it('does not limit token requests', async () => {
		const sandbox = await startSandbox({ rateLimitPerSecond: 2, rateLimitMode: 'strictWindow' });
		const tokens = await Promise.all(Array.from({ length: 10 }, () => getToken(sandbox)));
		expect(new Set(tokens).size).toBe(10);
		expect(sandbox.stats).toMatchObject({ rateLimited: 0, acceptedApiCalls: 0, maxAcceptedInAnyWindow: 0 });
	});

	it('holds the window where the bucket lets a refilled burst through', async () => {
		const limit = 10;
		const outcomes: Record<string, { accepted: number; retryAfter: Array<string | null>; maxInWindow: number }> = {};
		for (const mode of ['bucket', 'strictWindow'] as const) {
			const { sandbox, token } = await ready({ rateLimitPerSecond: limit, rateLimitMode: mode });
			const first = await burst(sandbox, token, limit);
			await sleep(500);
			const second = await burst(sandbox, token, limit);
			const responses = [...first, ...second];
			outcomes[mode] = {
				accepted: responses.filter((response) => response.status === 200).length,
				retryAfter: responses.filter((r) => r.status === 429).map((r) => r.headers.get('retry-after')),
				maxInWindow: sandbox.stats.maxAcceptedInAnyWindow,
			};
		}
		// Half a second refills half the bucket: about 1.5 N accepted within one second.
		expect(outcomes.bucket.maxInWindow).toBeGreaterThan(limit);
		expect(outcomes.bucket.retryAfter.every((value) => Number(value) >= 1)).toBe(true);
		expect(outcomes.strictWindow).toEqual({
			accepted: limit,
			retryAfter: Array(limit).fill(null),
			maxInWindow: limit,
		});
	});

	it('is chosen, kept and left by the control route, which refuses bad input with 400', async () => {
		const { sandbox, token } = await ready();
		const setLimit = (body: unknown) => call(sandbox.url, '/_sandbox/rate-limit', { body });
		expect(sandbox.rateLimitMode).toBe('bucket');

		expect((await setLimit({ perSecond: 3, mode: 'strictWindow' })).status).toBe(204);
		expect([sandbox.rateLimitPerSecond, sandbox.rateLimitMode]).toEqual([3, 'strictWindow']);
		let responses = await burst(sandbox, token, 6);
		expect(responses.filter((response) => response.status === 200)).toHaveLength(3);
		for (const response of responses.filter((r) => r.status !== 200)) expectStrictRefusal(response);

		// A new rate without a mode keeps the mode, and starts with an empty window.
		expect((await setLimit({ perSecond: 4 })).status).toBe(204);
		expect([sandbox.rateLimitPerSecond, sandbox.rateLimitMode]).toEqual([4, 'strictWindow']);
		expect(statusesOf(await burst(sandbox, token, 5)).filter((status) => status === 200)).toHaveLength(4);

		expect((await setLimit({ perSecond: 3, mode: 'bucket' })).status).toBe(204);
		responses = await burst(sandbox, token, 6);
		const limited = responses.filter((response) => response.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		for (const response of limited) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

		for (const body of [
			{ perSecond: 5, mode: 'sliding' },
			{ perSecond: 5, mode: 42 },
			{ perSecond: 5, mode: null },
			{ perSecond: -1 },
			{ perSecond: '5' },
			{ perSecond: 2.5, mode: 'strictWindow' },
			'null',
			'[5]',
			'{"perSecond":',
		]) {
			const response = await setLimit(body);
			expect(response.status, JSON.stringify(body)).toBe(400);
			expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
			expect([sandbox.rateLimitPerSecond, sandbox.rateLimitMode]).toEqual([3, 'bucket']);
		}

		expect((await setLimit({ perSecond: 0, mode: 'strictWindow' })).status).toBe(204);
		expect(statusesOf(await burst(sandbox, token, 20))).toEqual(Array(20).fill(200));
	});

	it('refuses an unknown mode or a fractional strict limit from code too', async () => {
		const sandbox = await startSandbox();
		expect(() => sandbox.setRateLimit(5, 'sliding' as never)).toThrow(RangeError);
		expect(() => sandbox.setRateLimit(2.5, 'strictWindow')).toThrow(RangeError);
		expect([sandbox.rateLimitPerSecond, sandbox.rateLimitMode]).toEqual([0, 'bucket']);
		// The bucket has always taken a fractional rate.
		sandbox.setRateLimit(2.5);
		expect(sandbox.rateLimitPerSecond).toBe(2.5);
	});
});

describe('accepted-call counters', () => {
	it('count accepted API calls with no limit, and reset with the other counters', async () => {
		const { sandbox, token } = await ready();
		const before = Date.now();
		await burst(sandbox, token, 5);
		const after = Date.now();

		const { acceptedApiCalls, firstAcceptedAtMs, lastAcceptedAtMs, maxAcceptedInAnyWindow } = sandbox.stats;
		expect(acceptedApiCalls).toBe(5);
		expect(maxAcceptedInAnyWindow).toBe(5);
		// Wall-clock milliseconds derived from the monotonic clock, which may drift a little from Date.now().
		expect(firstAcceptedAtMs).toBeGreaterThanOrEqual(before - 1000);
		expect(lastAcceptedAtMs).toBeGreaterThanOrEqual(firstAcceptedAtMs as number);
		expect(lastAcceptedAtMs).toBeLessThanOrEqual(after + 1000);

		const state = await call(sandbox.url, '/_sandbox/state');
		expect(state.body.stats).toMatchObject({ acceptedApiCalls: 5, maxAcceptedInAnyWindow: 5 });

		sandbox.resetCounters();
		expect(sandbox.stats).toMatchObject({
			acceptedApiCalls: 0,
			firstAcceptedAtMs: null,
			lastAcceptedAtMs: null,
			maxAcceptedInAnyWindow: 0,
		});
		await send(sandbox, token, 0);
		expect(sandbox.stats.maxAcceptedInAnyWindow).toBe(1);
	});

	it('do not count calls answered by an injected fault', async () => {
		const { sandbox, token } = await ready({ rateLimitPerSecond: 2, rateLimitMode: 'strictWindow' });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 503 }, 3);
		// Faults go to whichever calls arrive first, so only the mix is certain.
		expect(statusesOf(await burst(sandbox, token, 5)).sort()).toEqual([200, 200, 503, 503, 503]);
		expect(sandbox.stats).toMatchObject({ acceptedApiCalls: 2, rateLimited: 0, faultsInjected: 3 });
	});
});
