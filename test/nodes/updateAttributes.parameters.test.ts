/**
 * Parameters without an expression are read once per run and apply to every item; parameters holding
 * an expression are read for each item. Through real workflow runs.
 */
import { describe, expect, it } from 'vitest';

import { recordParameterReads } from '../helpers/runWorkflow';
import { sandboxFor } from '../helpers/sandbox';
import { jsonInput, runUpdate, uiInput } from '../helpers/updateAttributes';

const itemsWithModes = [
	{ id: 'a', mode: 'ADD' },
	{ id: 'b', mode: 'DELETE' },
	{ id: 'c', mode: 'UPDATE' },
];

/** How often each of `names` was read, in the order given. */
const readCounts = (reads: string[], names: string[]) =>
	names.map((name) => reads.filter((read) => read.startsWith(`${name}@`)).length);

describe('constant and per-item parameters in one run', () => {
	it('Default Mode from an expression varies per item while constant Options apply to every item', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: {
				interactionId: '={{ $json.id }}',
				defaultMode: '={{ $json.mode }}',
				...jsonInput({ campaign_id: '12345', priority: 2 }),
				options: { includeResponse: false, concurrency: 1 },
			},
			items: itemsWithModes,
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.received.map((body) => JSON.parse(body.raw))).toEqual(
			itemsWithModes.map(({ mode }) => ({
				attributes: [
					{ key: 'campaign_id', value: '12345', mode },
					{ key: 'priority', value: 2, mode },
				],
			})),
		);
		expect(result.output.map((item) => item.json.interaction_id)).toEqual(['a', 'b', 'c']);
		expect(result.output.every((item) => item.json.status === 'success' && !('response' in item.json))).toBe(true);
	});

	it('reads a constant parameter once per run and an expression once per item', async (test) => {
		const sandbox = await sandboxFor(test);
		const reads = recordParameterReads(test);
		const result = await runUpdate(sandbox, {
			parameters: {
				interactionId: '={{ $json.id }}',
				defaultMode: '={{ $json.mode }}',
				...jsonInput({ campaign_id: '12345' }),
				options: { includeResponse: false },
			},
			items: itemsWithModes,
		});
		expect(result.error).toBeUndefined();
		expect(readCounts(reads, ['interactionId', 'defaultMode', 'attributesInput', 'attributesJson', 'options'])).toEqual([
			3, 3, 1, 1, 1,
		]);
	});

	it('a list of attributes with one expression value is read per item, its constant entries kept for each', async (test) => {
		const sandbox = await sandboxFor(test);
		const reads = recordParameterReads(test);
		const result = await runUpdate(sandbox, {
			parameters: {
				interactionId: '={{ $json.id }}',
				...uiInput([
					{ key: 'campaign_id', value: '12345' },
					{ key: 'queue', value: '={{ $json.queue }}' },
				]),
			},
			items: [
				{ id: 'a', queue: 'sales' },
				{ id: 'b', queue: 'support' },
			],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.snapshot('a')?.attributes).toEqual([
			{ key: 'campaign_id', value: '12345', mode: 'UPDATE' },
			{ key: 'queue', value: 'sales', mode: 'UPDATE' },
		]);
		expect(sandbox.snapshot('b')?.attributes).toEqual([
			{ key: 'campaign_id', value: '12345', mode: 'UPDATE' },
			{ key: 'queue', value: 'support', mode: 'UPDATE' },
		]);
		expect(readCounts(reads, ['attributesUi'])).toEqual([2]);
	});

	it('constant parameters apply to every item: the same body for each', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: { defaultMode: 'DELETE', ...jsonInput({ campaign_id: '12345' }) },
			items: [{}, {}, {}],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.received.map((body) => body.raw)).toEqual(
			Array(3).fill('{"attributes":[{"key":"campaign_id","value":"12345","mode":"DELETE"}]}'),
		);
	});

	it('the next run of the same node reads its changed parameters anew', async (test) => {
		const sandbox = await sandboxFor(test);
		await runUpdate(sandbox, { parameters: { defaultMode: 'ADD', ...jsonInput({ campaign_id: '1' }) } });
		await runUpdate(sandbox, { parameters: { defaultMode: 'DELETE', ...jsonInput({ campaign_id: '2' }) } });
		expect(sandbox.received.map((body) => JSON.parse(body.raw))).toEqual([
			{ attributes: [{ key: 'campaign_id', value: '1', mode: 'ADD' }] },
			{ attributes: [{ key: 'campaign_id', value: '2', mode: 'DELETE' }] },
		]);
	});
});
