/** Map Automatically: each field of the input item is an attribute, through real workflow runs. */
import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { recordParameterReads } from '../helpers/runWorkflow';
import { sandboxFor } from '../helpers/sandbox';
import { autoMapInput, manyAttributes, runUpdate } from '../helpers/updateAttributes';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const good = { interactionId: 'i-0', customer_segment: 'smb' };

/** Four items of which item 2 is `bad`. */
const itemsWithBadThird = (bad: IDataObject) => [good, { ...good, interactionId: 'i-1' }, bad, good];

describe('Map Automatically', () => {
	it('sends every other field in the item\'s order with Default Mode, the body and hash exactly as received', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: { ...autoMapInput(), defaultMode: 'UPDATE' },
			items: [{ interactionId: 'a', customer_segment: 'smb', routing_priority: 3 }],
		});
		expect(result.error).toBeUndefined();
		const [received] = sandbox.received;
		expect(received.path).toBe('/api/v2/interactions/a/attributes');
		expect(received.raw).toBe(
			'{"attributes":[{"key":"customer_segment","value":"smb","mode":"UPDATE"},{"key":"routing_priority","value":3,"mode":"UPDATE"}]}',
		);
		expect(result.output[0].json).toMatchObject({
			interaction_id: 'a',
			status: 'success',
			payload_hash: sha256(received.raw),
		});
		expect(received.sha256).toBe(sha256(received.raw));
	});

	it('sends every value type unchanged', async (test) => {
		const sandbox = await sandboxFor(test);
		const values = { s: '', zero: 0, negative: -1.5, yes: true, no: false, none: null };
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput(),
			items: [{ interactionId: 'a', ...values }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.applied[0].attributes).toEqual(
			Object.entries(values).map(([key, value]) => ({ key, value, mode: 'UPDATE' })),
		);
	});

	it('takes the ID from Interaction ID Field and sends a number as a string, not as an attribute', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput({ interactionIdField: 'contact_id' }),
			items: [{ tier: 'gold', contact_id: 8675309 }],
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.interaction_id).toBe('8675309');
		expect(sandbox.applied).toEqual([
			expect.objectContaining({ interactionId: '8675309', attributes: [{ key: 'tier', value: 'gold', mode: 'UPDATE' }] }),
		]);
	});

	it('leaves out Fields to Ignore, spaces around the commas', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput({ fieldsToIgnore: ' deal_id ,owner ,  , notes' }),
			items: [{ interactionId: 'a', deal_id: 17, tier: 'gold', owner: 'ada', notes: 'x', region: 'emea' }],
		});
		expect(result.error).toBeUndefined();
		expect(JSON.parse(sandbox.received[0].raw)).toEqual({
			attributes: [
				{ key: 'tier', value: 'gold', mode: 'UPDATE' },
				{ key: 'region', value: 'emea', mode: 'UPDATE' },
			],
		});
	});

	it('applies Default Mode DELETE to every field of every item', async (test) => {
		const sandbox = await sandboxFor(test);
		const items = [
			{ interactionId: 'a', tier: 'gold', churned: false },
			{ interactionId: 'b', tier: null },
		];
		const result = await runUpdate(sandbox, { parameters: { ...autoMapInput(), defaultMode: 'DELETE' }, items });
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.status)).toEqual(['success', 'success']);
		expect(sandbox.applied.map(({ interactionId, attributes }) => ({ interactionId, attributes }))).toEqual([
			{
				interactionId: 'a',
				attributes: [
					{ key: 'tier', value: 'gold', mode: 'DELETE' },
					{ key: 'churned', value: false, mode: 'DELETE' },
				],
			},
			{ interactionId: 'b', attributes: [{ key: 'tier', value: null, mode: 'DELETE' }] },
		]);
	});

	it('reads each parameter once per run, however many items', async (test) => {
		const sandbox = await sandboxFor(test);
		const reads = recordParameterReads(test);
		const items = Array.from({ length: 20 }, (_, index) => ({ interactionId: `i-${index}`, seq: index }));
		const result = await runUpdate(sandbox, {
			parameters: { ...autoMapInput({ fieldsToIgnore: 'owner' }), options: { includeResponse: false } },
			items,
		});
		expect(result.output.map((item) => item.json.status)).toEqual(items.map(() => 'success'));
		const nodeReads = reads.filter((read) => !read.startsWith('items@') && !read.startsWith('operation@'));
		expect(nodeReads.sort()).toEqual([
			'attributesInput@0',
			'authentication@0',
			'defaultMode@0',
			'fieldsToIgnore@0',
			'interactionIdField@0',
			'options@0',
			'resource@0',
		]);
	});
});

describe('refused before any call, naming the item and the input field', () => {
	it.for<[string, IDataObject, RegExp]>([
		['the ID field missing', { customer_segment: 'smb' }, /^Item 2: the input field "interactionId" is missing$/],
		['an empty ID', { ...good, interactionId: '' }, /^Item 2: the input field "interactionId" must not be empty$/],
		['a blank ID', { ...good, interactionId: '  ' }, /^Item 2: the input field "interactionId" must not be empty$/],
		[
			'an ID with "/"',
			{ ...good, interactionId: 'a/b' },
			/^Item 2: the input field "interactionId" may not contain "\/", "\?" or "#"$/,
		],
		[
			'a null ID',
			{ ...good, interactionId: null },
			/^Item 2: the input field "interactionId" must be a non-empty string or a finite number, not null$/,
		],
		[
			'an object as ID',
			{ ...good, interactionId: { id: 'a' } },
			/^Item 2: the input field "interactionId" must be a non-empty string or a finite number, not object$/,
		],
		[
			'true as ID',
			{ ...good, interactionId: true },
			/^Item 2: the input field "interactionId" must be a non-empty string or a finite number, not boolean$/,
		],
		[
			'an object value',
			{ ...good, profile: { tier: 'gold' } },
			/^Item 2: the input field "profile" must be a string, a finite number, true\/false or null \(objects and arrays are refused\)$/,
		],
		[
			'an array value',
			{ ...good, tags: ['vip'] },
			/^Item 2: the input field "tags" must be a string, a finite number, true\/false or null \(objects and arrays are refused\)$/,
		],
		[
			'a value of 2001 characters',
			{ ...good, note: 'v'.repeat(2001) },
			/^Item 2: the input field "note" must be at most 2000 characters$/,
		],
		[
			'a reserved field name',
			{ ...good, _internal: 'x' },
			/^Item 2: the input field name "_internal" is reserved: keys may not start with "_" or "system:"$/,
		],
		[
			'51 fields besides the ID',
			{ interactionId: 'i-2', ...manyAttributes(51) },
			/^Item 2: attributes\.50 exceeds the limit of 50 attributes per request \(got 51\)$/,
		],
		[
			'no field besides the ID',
			{ interactionId: 'i-2' },
			/^Item 2: nothing to send: the item has no input field besides "interactionId" and Fields to Ignore$/,
		],
	])('%s', async ([, bad, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: autoMapInput(), items: itemsWithBadThird(bad) });
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(message);
		expect(result.error?.context?.itemIndex).toBe(2);
		expect(result.error?.description).toMatch(/^Nothing was sent to CXone for this item\. /);
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it('tells what to do about a missing ID field and about a field that cannot be sent', async (test) => {
		const sandbox = await sandboxFor(test);
		const missing = await runUpdate(sandbox, {
			parameters: autoMapInput({ interactionIdField: 'contact_id' }),
			items: [{ interactionId: 'a', tier: 'gold' }],
		});
		expect(missing.error?.message).toBe('Item 0: the input field "contact_id" is missing');
		expect(missing.error?.description).toMatch(/set Interaction ID Field to the field holding it/);
		const object = await runUpdate(sandbox, {
			parameters: autoMapInput(),
			items: [{ interactionId: 'a', profile: {} }],
		});
		expect(object.error?.description).toMatch(/add it to Fields to Ignore/);
	});

	it('50 fields are accepted at the limit', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput(),
			items: [{ interactionId: 'a', ...manyAttributes(50) }],
		});
		expect(result.error).toBeUndefined();
		expect(sandbox.applied[0].attributes).toHaveLength(50);
	});

	it('no field left once Fields to Ignore are left out', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput({ fieldsToIgnore: 'deal_id,owner' }),
			items: [{ interactionId: 'a', deal_id: 1, owner: 'ada' }],
		});
		expect(result.error?.message).toBe(
			'Item 0: nothing to send: the item has no input field besides "interactionId" and Fields to Ignore',
		);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});
});

describe('Continue On Fail', () => {
	it('one audit record per item, the failures naming the input field', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, {
			parameters: autoMapInput(),
			items: [
				{ interactionId: 'a', tier: 'gold' },
				{ tier: 'silver' },
				{ interactionId: 'c', profile: { tier: 'bronze' } },
				{ interactionId: 'd', tier: 'gold' },
			],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(result.output.map((item) => item.json.status)).toEqual(['success', 'failure', 'failure', 'success']);
		expect(result.output[1].json).toMatchObject({
			interaction_id: null,
			error_code: 'validation_error',
			attempts: 0,
			payload_hash: null,
			error: 'Item 1: the input field "interactionId" is missing',
			hint: expect.stringMatching(/^Nothing was sent to CXone/),
		});
		expect(result.output[2].json).toMatchObject({
			status: 'failure',
			error_code: 'validation_error',
			error: expect.stringMatching(/^Item 2: the input field "profile" must be a string/),
		});
		expect(sandbox.applied.map((update) => update.interactionId).sort()).toEqual(['a', 'd']);
	});
});
