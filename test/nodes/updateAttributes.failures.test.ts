/** Retries, refusals and how failures reach the user, through real workflow runs against a faulty sandbox. */
import type { INodeParameters } from 'n8n-workflow';
import { describe, it } from 'vitest';

import type { Fault } from '../../sandbox/server';
import { sandboxFor } from '../helpers/sandbox';
import { jsonInput, runUpdate } from '../helpers/updateAttributes';

const attributes = jsonInput({ campaign_id: '12345' });

/** A sandbox that knows only the interactions `ids`: any other is 404 interaction_not_found. */
async function sandboxKnowing(test: Parameters<typeof sandboxFor>[0], ids: string[]) {
	const sandbox = await sandboxFor(test, { autoCreateInteractions: false });
	for (const id of ids) sandbox.addInteraction(id);
	return sandbox;
}

describe('retried: 429, 5xx and network errors (3 attempts)', () => {
	const recoveries: Array<{
		name: string;
		fault: Fault;
		times: number;
		attempts: number;
		minLatencyMs: number;
		maxLatencyMs?: number;
		options?: INodeParameters;
	}> = [
		{
			name: '429 with Retry-After: 1, then success: 2 attempts, about 1 s apart',
			fault: { kind: 'status', status: 429, retryAfter: 1 },
			times: 1,
			attempts: 2,
			minLatencyMs: 950,
			// Below the 2 s of the default backoff: the server's wait was used.
			maxLatencyMs: 1900,
		},
		{
			name: '503 twice, then success: 3 attempts after waits of 2 s and 4 s',
			fault: { kind: 'status', status: 503 },
			times: 2,
			attempts: 3,
			minLatencyMs: 5900,
		},
		{
			name: 'a connection reset, then success: 2 attempts, 2 s apart',
			fault: { kind: 'reset' },
			times: 1,
			attempts: 2,
			minLatencyMs: 1900,
		},
		{
			name: 'an attempt slower than the Timeout option, abandoned and tried again',
			fault: { kind: 'stall', ms: 1500 },
			times: 1,
			attempts: 2,
			minLatencyMs: 2200,
			options: { timeout: 300 },
		},
	];

	for (const recovery of recoveries) {
		it.concurrent(recovery.name, async ({ expect, onTestFinished }) => {
			const sandbox = await sandboxFor({ onTestFinished });
			sandbox.injectFault('updateAttributes', recovery.fault, recovery.times);
			const result = await runUpdate(sandbox, { parameters: { ...attributes, options: recovery.options ?? {} } });
			expect(result.error).toBeUndefined();
			expect(result.output[0].json).toMatchObject({ status: 'success', attempts: recovery.attempts, error_code: null });
			const latency = result.output[0].json.latency_ms as number;
			expect(latency).toBeGreaterThanOrEqual(recovery.minLatencyMs);
			expect(latency).toBeLessThan(recovery.maxLatencyMs ?? 30_000);
			expect(sandbox.stats.calls.updateAttributes).toBe(recovery.attempts);
			expect(sandbox.applied).toHaveLength(1);
		});
	}

	it.concurrent('429 on every attempt: a failure record with the rate-limit hint', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 1 }, 3);
		const result = await runUpdate(sandbox, { parameters: attributes, continueOnFail: true });
		expect(result.output[0].json).toMatchObject({
			status: 'failure',
			error_code: 'rate_limited',
			attempts: 3,
			error: 'Item 0: CXone request failed (429 rate_limited): Injected 429',
			hint: expect.stringMatching(/Lower "Max Requests per Second" or "Concurrency"/),
		});
		expect(sandbox.stats.calls.updateAttributes).toBe(3);
	});

	it.concurrent('resets on every attempt: the error still names the item and the network code', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'reset' }, 3);
		const result = await runUpdate(sandbox, { parameters: attributes });
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toMatch(/^Item 0: CXone request failed \(ECONNRESET\)/);
		expect(result.error?.description).toMatch(/could not be reached or did not answer in time on all 3 attempts/);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(3);
	});
});

describe('not retried: 4xx', () => {
	it.concurrent('404 for an unknown interaction: one call', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished }, { autoCreateInteractions: false });
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: 'nobody', ...attributes },
			continueOnFail: true,
		});
		expect(result.output[0].json).toMatchObject({
			status: 'failure',
			interaction_id: 'nobody',
			error_code: 'interaction_not_found',
			attempts: 1,
			error: 'Item 0: CXone request failed (404 interaction_not_found): No interaction nobody',
			hint: expect.stringMatching(/Check the Interaction ID/),
		});
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});

	it.concurrent('403 for another tenant\'s interaction: one call', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.addInteraction('theirs', { foreign: true });
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: 'theirs', ...attributes },
			continueOnFail: true,
		});
		expect(result.output[0].json).toMatchObject({
			status: 'failure',
			error_code: 'forbidden',
			attempts: 1,
			hint: expect.stringMatching(/belongs to another tenant/),
		});
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});

	it.concurrent('403 for a token without interactions:write: one call, no token refresh', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const result = await runUpdate(sandbox, {
			parameters: attributes,
			credentials: { scopes: 'webhooks:write' },
			continueOnFail: true,
		});
		expect(result.output[0].json).toMatchObject({ status: 'failure', error_code: 'insufficient_scope', attempts: 1 });
		expect(result.output[0].json.hint).toMatch(/lacks the scope/);
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});
});

describe('the token flow inside a workflow', () => {
	it.concurrent('a revoked token is refreshed once and the item succeeds', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		await runUpdate(sandbox, { parameters: attributes });
		sandbox.revokeTokens();
		const result = await runUpdate(sandbox, { parameters: attributes, items: [{}, {}, {}] });
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.status)).toEqual(['success', 'success', 'success']);
		expect(sandbox.stats.tokenRequests).toBe(2);
		expect(sandbox.applied).toHaveLength(4);
	});

	it.concurrent('a second 401 stops the node with the credentials/scopes hint', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		sandbox.injectFault('updateAttributes', { kind: 'revokedToken' }, 2);
		const result = await runUpdate(sandbox, { parameters: attributes });
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toMatch(/^Item 0: CXone request failed \(401 invalid_token\)/);
		expect(result.error?.description).toMatch(
			/credentials are wrong or expired, or the OAuth client lacks the interactions:write scope/,
		);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});
});

describe('what the user gets', () => {
	it.concurrent('Continue On Fail: one record per item in input order, failures with code, message and hint', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxKnowing({ onTestFinished }, ['ok-1', 'ok-2']);
		sandbox.addInteraction('theirs', { foreign: true });
		const ids = ['ok-1', 'missing', 'ok-2', 'theirs', 'a/b'];
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...attributes },
			items: ids.map((id) => ({ id })),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual(ids.map((_, item) => ({ item })));
		expect(result.output.map((item) => [item.json.status, item.json.error_code])).toEqual([
			['success', null],
			['failure', 'interaction_not_found'],
			['success', null],
			['failure', 'forbidden'],
			['failure', 'validation_error'],
		]);
		for (const item of result.output.filter((each) => each.json.status === 'failure')) {
			expect(item.json.error).toMatch(/^Item \d: /);
			expect(item.json.hint).toEqual(expect.any(String));
		}
		expect(result.output[4].json.error).toBe('Item 4: Interaction ID may not contain "/", "?" or "#"');
		expect(sandbox.stats.calls.updateAttributes).toBe(4);
	});

	it.concurrent('without Continue On Fail: a NodeApiError naming the item, with the hint and status', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxKnowing({ onTestFinished }, ['ok-1', 'ok-2']);
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...attributes, options: { concurrency: 1 } },
			items: [{ id: 'ok-1' }, { id: 'ok-2' }, { id: 'missing' }],
		});
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe(
			'Item 2: CXone request failed (404 interaction_not_found): No interaction missing',
		);
		expect(result.error?.description).toMatch(/CXone does not know this resource. Check the Interaction ID/);
		expect(result.error?.context?.itemIndex).toBe(2);
		expect((result.error as { httpCode?: string }).httpCode).toBe('404');
		expect(result.output).toEqual([]);
	});

	it.concurrent('On Error → Continue (using error output): successes on the success output, failure records on the error output', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxKnowing({ onTestFinished }, ['ok-1', 'ok-2']);
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...attributes },
			items: [{ id: 'ok-1' }, { id: 'missing' }, { id: 'a/b' }, { id: 'ok-2' }],
			onError: 'continueErrorOutput',
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => [item.json.interaction_id, item.json.status, item.pairedItem])).toEqual([
			['ok-1', 'success', { item: 0 }],
			['ok-2', 'success', { item: 3 }],
		]);
		// On the error output n8n keeps only an item's `error` (the failure record) and adds the input item's fields.
		const records = result.errorOutput.map((item) => item.json.error as Record<string, unknown>);
		expect(records.map((record) => [record.interaction_id, record.error_code])).toEqual([
			['missing', 'interaction_not_found'],
			[null, 'validation_error'],
		]);
		expect(result.errorOutput.map((item) => [item.json.id, item.pairedItem])).toEqual([
			['missing', { item: 1 }],
			['a/b', { item: 2 }],
		]);
		for (const record of records) {
			expect(record).toMatchObject({ status: 'failure', error: expect.stringMatching(/^Item \d: /), hint: expect.any(String) });
		}
	});
});
