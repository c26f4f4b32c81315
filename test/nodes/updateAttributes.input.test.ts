/** The two input styles, modes, options and the audit record, through real workflow runs. */
import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { jsonInput, runUpdate, uiInput } from '../helpers/updateAttributes';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('UI list input', () => {
	it('converts each Value Type and applies Default Mode unless an attribute sets its own', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: {
				defaultMode: 'ADD',
				...uiInput([
					{ key: 'text', valueType: 'string', value: ' 42 ' },
					{ key: 'count', valueType: 'number', value: ' 42.5 ' },
					{ key: 'exp', valueType: 'number', value: '1e3' },
					{ key: 'vip', valueType: 'boolean', value: 'TRUE' },
					{ key: 'churned', valueType: 'boolean', value: 'false' },
					{ key: 'gone', valueType: 'null', mode: 'DELETE' },
					{ key: 'name', value: 'Ada', mode: 'UPDATE' },
				]),
			},
		});
		expect(result.error).toBeUndefined();
		expect(JSON.parse(sandbox.received[0].raw)).toEqual({
			attributes: [
				{ key: 'text', value: ' 42 ', mode: 'ADD' },
				{ key: 'count', value: 42.5, mode: 'ADD' },
				{ key: 'exp', value: 1000, mode: 'ADD' },
				{ key: 'vip', value: true, mode: 'ADD' },
				{ key: 'churned', value: false, mode: 'ADD' },
				{ key: 'gone', value: null, mode: 'DELETE' },
				{ key: 'name', value: 'Ada', mode: 'UPDATE' },
			],
		});
	});

	it('takes values from expressions per item', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: {
				interactionId: '={{ $json.id }}',
				...uiInput([
					{ key: 'score', valueType: 'number', value: '={{ $json.score }}' },
					{ key: 'label', value: '={{ $json.label }}' },
				]),
			},
			items: [
				{ id: 'a', score: 7, label: 'first' },
				{ id: 'b', score: '8', label: 9 },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.snapshot('a')?.attributes).toEqual([
			{ key: 'score', value: 7, mode: 'UPDATE' },
			{ key: 'label', value: 'first', mode: 'UPDATE' },
		]);
		expect(sandbox.snapshot('b')?.attributes).toEqual([
			{ key: 'score', value: 8, mode: 'UPDATE' },
			{ key: 'label', value: '9', mode: 'UPDATE' },
		]);
	});
});

describe('JSON input', () => {
	it.for<[string, string, unknown]>([
		[
			'an object typed as text',
			'{"campaign_id": "12345", "priority": 2}',
			[{ key: 'campaign_id', value: '12345', mode: 'DELETE' }, { key: 'priority', value: 2, mode: 'DELETE' }],
		],
		[
			'an array typed as text, modes in any case',
			'[{"key": "a", "value": 1, "mode": "add"}, {"key": "b", "value": null}]',
			[{ key: 'a', value: 1, mode: 'ADD' }, { key: 'b', value: null, mode: 'DELETE' }],
		],
		[
			'an object from an expression',
			'={{ { campaign_id: $json.campaign, vip: $json.vip } }}',
			[{ key: 'campaign_id', value: 'c-7', mode: 'DELETE' }, { key: 'vip', value: true, mode: 'DELETE' }],
		],
		[
			'an array from an expression',
			'={{ [{ key: "campaign_id", value: $json.campaign, mode: "UPDATE" }] }}',
			[{ key: 'campaign_id', value: 'c-7', mode: 'UPDATE' }],
		],
		[
			'a string from an expression',
			'={{ JSON.stringify({ campaign_id: $json.campaign }) }}',
			[{ key: 'campaign_id', value: 'c-7', mode: 'DELETE' }],
		],
		['an object from the item', '={{ $json.attributes }}', [{ key: 'from_item', value: 'yes', mode: 'DELETE' }]],
	])('%s', async ([, attributesJson, expected], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: { attributesInput: 'json', attributesJson, defaultMode: 'DELETE' },
			items: [{ campaign: 'c-7', vip: true, attributes: { from_item: 'yes' } }],
		});
		expect(result.error).toBeUndefined();
		expect(JSON.parse(sandbox.received[0].raw)).toEqual({ attributes: expected });
	});

	it('Default Mode is UPDATE when not set', async (test) => {
		const sandbox = await sandboxFor(test);
		await runUpdate(sandbox, { parameters: jsonInput({ a: 1 }) });
		expect(sandbox.applied[0].attributes).toEqual([{ key: 'a', value: 1, mode: 'UPDATE' }]);
	});
});

describe('interaction ids and the audit record', () => {
	it('URL-encodes ids: "a b%c" arrives as "a b%c"', async (test) => {
		const sandbox = await sandboxFor(test);
		const ids = ['a b%c', 'ü-ñ', 'a+b', 'x:y@z', "it's"];
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...jsonInput({ a: 1 }), options: { concurrency: 1 } },
			items: ids.map((id) => ({ id })),
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.applied.map((update) => update.interactionId)).toEqual(ids);
		expect(sandbox.received[0].path).toBe('/api/v2/interactions/a%20b%25c/attributes');
		expect(result.output.map((item) => item.json.interaction_id)).toEqual(ids);
	});

	it('a number from an expression is an id too', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...jsonInput({ a: 1 }) },
			items: [{ id: 8675309 }],
		});
		expect(result.output[0].json.interaction_id).toBe('8675309');
		expect(sandbox.applied[0].interactionId).toBe('8675309');
	});

	it('one audit record per item, paired with it, hashing the bytes CXone received', async (test) => {
		const sandbox = await sandboxFor(test);
		const startedAt = Date.now();
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...jsonInput('={{ { note: $json.note } }}') },
			items: [
				{ id: 'i-1', note: 'plain' },
				{ id: 'i-2', note: 'ünïcödé 😀 "quotes" \\ back\\slash' },
			],
		});
		expect(result.output).toHaveLength(2);
		for (const [index, item] of result.output.entries()) {
			const received = sandbox.received.find((body) => body.path.includes(`i-${index + 1}`));
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toEqual({
				timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
				service: 'cxone.attribute.updater',
				interaction_id: `i-${index + 1}`,
				action: 'update_attributes',
				status: 'success',
				latency_ms: expect.any(Number),
				payload_hash: received?.sha256,
				error_code: null,
				attempts: 1,
				response: sandbox.snapshot(`i-${index + 1}`),
			});
			expect(item.json.payload_hash).toBe(sha256(received?.raw ?? ''));
			expect(Date.parse(item.json.timestamp as string)).toBeGreaterThanOrEqual(startedAt - 1000);
			expect(item.json.latency_ms as number).toBeGreaterThan(0);
		}
	});

	it('Include Response off leaves the snapshot out', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: { ...jsonInput({ a: 1 }), options: { includeResponse: false } },
		});
		expect(result.output[0].json.status).toBe('success');
		expect(result.output[0].json).not.toHaveProperty('response');
	});

	it('Add Run Summary appends the tutorial\'s metrics over all items', async (test) => {
		const sandbox = await sandboxFor(test, { autoCreateInteractions: false });
		for (const id of ['i-0', 'i-1', 'i-3']) sandbox.addInteraction(id);
		const result = await runUpdate(sandbox, {
			parameters: { interactionId: '={{ $json.id }}', ...jsonInput({ a: 1 }), options: { addRunSummary: true } },
			items: ['i-0', 'i-1', 'missing', 'i-3'].map((id) => ({ id })),
			continueOnFail: true,
		});
		expect(result.output).toHaveLength(5);
		const records = result.output.slice(0, 4).map((item) => item.json);
		expect(records.map((record) => record.status)).toEqual(['success', 'success', 'failure', 'success']);
		const successLatencies = records
			.filter((record) => record.status === 'success')
			.map((record) => record.latency_ms as number);
		const average = successLatencies.reduce((sum, latency) => sum + latency, 0) / successLatencies.length;
		const summary = result.output[4];
		expect(summary.json).toEqual({
			run_summary: true,
			action: 'update_attributes',
			total_requests: 4,
			success_count: 3,
			failure_count: 1,
			success_rate_percent: 75,
			average_latency_ms: expect.closeTo(average, 1),
		});
		expect(summary.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
	});

	it('without Add Run Summary there is no extra item', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: jsonInput({ a: 1 }), items: [{}, {}, {}] });
		expect(result.output).toHaveLength(3);
		expect(result.output.some((item) => 'run_summary' in item.json)).toBe(false);
	});
});
