/** The tenant limiter: one per tenant for the whole process, adaptive to 429s, never above Max Requests per Second. */
import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { cxoneCall, cxoneCredentials, transport, updateBody } from '../helpers/transport';
import { attributesPath } from '../sandbox/testClient';

const { tenantKeyOf, tenantLimiter } = transport;

const update = (index: number) => ({ method: 'POST' as const, path: attributesPath(`i-${index}`), body: updateBody() });

/** `count` updates from `streams` concurrent loops, as that many executions sharing the process would send them. */
async function sendFromStreams(
	credentials: ReturnType<typeof cxoneCredentials>,
	streams: Array<{ count: number; maxRequestsPerSecond: number }>,
) {
	let sent = 0;
	const results = await Promise.all(
		streams.map(async ({ count, maxRequestsPerSecond }) => {
			const outcomes = [];
			for (let index = 0; index < count; index++) {
				outcomes.push(await cxoneCall(credentials, { ...update(sent++), maxRequestsPerSecond }));
			}
			return outcomes;
		}),
	);
	return results.flat();
}

describe('tenant rate limiter', () => {
	it('is one limiter per tenant for the whole process: same API host and client, same limiter', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		const again = cxoneCredentials(sandbox);
		const otherClient = cxoneCredentials(sandbox, { clientId: 'another-client' });
		expect(tenantLimiter(tenantKeyOf(credentials))).toBe(tenantLimiter(tenantKeyOf(again)));
		expect(tenantLimiter(tenantKeyOf(credentials))).not.toBe(tenantLimiter(tenantKeyOf(otherClient)));
	});

	it('two executions of one process together stay under the lower Max Requests per Second', async (test) => {
		const sandbox = await sandboxFor(test, { rateLimitPerSecond: 0 });
		const credentials = cxoneCredentials(sandbox);
		// Six sequential streams: concurrency alone would send far more than 20 calls per second.
		const results = await sendFromStreams(credentials, [
			...Array.from({ length: 3 }, () => ({ count: 15, maxRequestsPerSecond: 20 })),
			...Array.from({ length: 3 }, () => ({ count: 15, maxRequestsPerSecond: 40 })),
		]);
		expect(results.every((result) => result.ok)).toBe(true);
		// No burst, not even at the start: never more than 20 in any second.
		expect(sandbox.stats.maxAcceptedInAnyWindow).toBeLessThanOrEqual(20);
		expect(sandbox.stats.acceptedApiCalls).toBe(90);
	});

	it('backs off when the tenant answers 429, then loses no call', async (test) => {
		// The tenant enforces 30 calls in any second; the executions were told 100.
		const sandbox = await sandboxFor(test, { rateLimitPerSecond: 30, rateLimitMode: 'strictWindow' });
		const credentials = cxoneCredentials(sandbox);
		const limiter = tenantLimiter(tenantKeyOf(credentials));
		const results = await sendFromStreams(
			credentials,
			Array.from({ length: 8 }, () => ({ count: 25, maxRequestsPerSecond: 100 })),
		);
		expect(results.filter((result) => !result.ok)).toEqual([]);
		expect(sandbox.stats.acceptedApiCalls).toBe(200);
		expect(limiter.decreases).toBeGreaterThan(0);
		// Without adapting, 100 calls per second against 30 would have most calls refused at least once.
		expect(sandbox.stats.rateLimited).toBeLessThan(40);
		expect(limiter.currentRate()).toBeLessThan(100);
	});
});
