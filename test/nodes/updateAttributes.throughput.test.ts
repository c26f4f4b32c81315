/** Concurrency, ordering, rate limiting and token reuse over many items, through real workflow runs. */
import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { jsonInput, runUpdate } from '../helpers/updateAttributes';

type Snapshot = { attributes: Array<{ value: unknown }> };

const perItem = { interactionId: '={{ $json.id }}', ...jsonInput('={{ { seq: $json.seq, note: $json.note } }}') };
const itemsOf = (count: number) =>
	Array.from({ length: count }, (_, seq) => ({
		id: `i-${seq}`,
		seq,
		note: `ünïcödé ${'😀'.repeat(seq % 5)} "${seq}"`,
	}));

describe('many items', () => {
	it.concurrent('output order equals input order when responses complete out of order', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		// The first calls stall longest, so CXone finishes them last.
		sandbox.setFaultPlan((route, callIndex) =>
			route === 'updateAttributes' ? { kind: 'stall', ms: (10 - callIndex) * 40 } : undefined,
		);
		const items = itemsOf(10);
		const result = await runUpdate(sandbox, { parameters: { ...perItem, options: { concurrency: 10 } }, items });
		expect(result.error).toBeUndefined();
		const appliedOrder = sandbox.applied.map((update) => update.interactionId);
		expect(appliedOrder).not.toEqual(items.map((item) => item.id));
		expect(result.output.map((item) => item.json.interaction_id)).toEqual(items.map((item) => item.id));
		expect(result.output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		const sentSeq = result.output.map((item) => (item.json.response as Snapshot).attributes[0].value);
		expect(sentSeq).toEqual(items.map((item) => item.seq));
	});

	it.concurrent('payload_hash of every item is the sha256 the sandbox computed of the bytes it received', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const items = itemsOf(25);
		const result = await runUpdate(sandbox, { parameters: perItem, items });
		expect(result.error).toBeUndefined();
		const idOf = (path: string) => decodeURIComponent(path.split('/')[4]);
		const receivedHash = new Map(sandbox.received.map((body) => [idOf(body.path), body.sha256]));
		expect(receivedHash.size).toBe(25);
		for (const [index, item] of result.output.entries()) {
			expect(item.json.payload_hash).toBe(receivedHash.get(items[index].id));
		}
		expect(new Set(result.output.map((item) => item.json.payload_hash)).size).toBe(25);
	});

	it.concurrent('200 items use exactly one token request', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const result = await runUpdate(sandbox, {
			parameters: { ...perItem, options: { includeResponse: false } },
			items: itemsOf(200),
		});
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(200);
		expect(result.output.every((item) => item.json.status === 'success')).toBe(true);
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.applied).toHaveLength(200);
	});
});

// Timed, so not concurrent with other tests: a busy event loop would spread the calls out by itself.
describe('rate and concurrency limits', () => {
	it('Max Requests per Second is honoured: 40 items at 20/s take about 2 s and never trip a 25/s tenant limit', async ({
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished }, { rateLimitPerSecond: 25 });
		const startedAt = performance.now();
		const result = await runUpdate(sandbox, {
			parameters: { ...perItem, options: { maxRequestsPerSecond: 20, concurrency: 40 } },
			items: itemsOf(40),
		});
		const elapsed = performance.now() - startedAt;
		expect(result.error).toBeUndefined();
		expect(elapsed).toBeGreaterThanOrEqual(1750);
		expect(elapsed).toBeLessThan(10_000);
		expect(sandbox.stats.rateLimited).toBe(0);
		expect(result.output.every((item) => item.json.attempts === 1)).toBe(true);
	});

	it('without a limit a burst of 50 does trip that tenant limit, and is retried to success', async ({
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished }, { rateLimitPerSecond: 25 });
		const result = await runUpdate(sandbox, {
			parameters: { ...perItem, options: { maxRequestsPerSecond: 0, concurrency: 50 } },
			items: itemsOf(50),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.stats.rateLimited).toBeGreaterThan(0);
		expect(result.output.every((item) => item.json.status === 'success')).toBe(true);
		expect(result.output.some((item) => (item.json.attempts as number) > 1)).toBe(true);
	});

	it('Concurrency bounds the calls in flight', async ({ onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.setFaultPlan((route) => (route === 'updateAttributes' ? { kind: 'stall', ms: 300 } : undefined));
		const timed = async (concurrency: number) => {
			const startedAt = performance.now();
			const result = await runUpdate(sandbox, { parameters: { ...perItem, options: { concurrency } }, items: itemsOf(9) });
			expect(result.error).toBeUndefined();
			return performance.now() - startedAt;
		};
		// 9 calls of 300 ms: three rounds with 3 at a time, one round with 9.
		expect(await timed(3)).toBeGreaterThanOrEqual(870);
		expect(await timed(9)).toBeLessThan(870);
	});
});
