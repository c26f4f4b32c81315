/**
 * Every limit of contract §2 from both sides, through real workflow runs: the value just inside is
 * sent and accepted by the sandbox, the value just outside is refused before any call with an error
 * naming the item, the field path and the limit.
 */
import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { jsonInput, manyAttributes, runUpdate, uiInput, type UiAttribute } from '../helpers/updateAttributes';

const good = { campaign_id: '12345' };

/** Four items whose attributes come from the items; item 2 carries `attributes`. */
const itemsWithBadThird = (attributes: unknown) =>
	[
		{ id: 'i-0', attributes: good },
		{ id: 'i-1', attributes: good },
		{ id: 'i-2', attributes },
		{ id: 'i-3', attributes: good },
	] as IDataObject[];

const fromItems = {
	interactionId: '={{ $json.id }}',
	attributesInput: 'json',
	attributesJson: '={{ $json.attributes }}',
};

describe('refused before any call, naming item, field path and limit', () => {
	it.for<[string, unknown, RegExp]>([
		[
			'51 attributes',
			manyAttributes(51),
			/^Item 2: attributes\.50 exceeds the limit of 50 attributes per request \(got 51\)$/,
		],
		[
			'a key of 256 characters',
			{ ['k'.repeat(256)]: 'v' },
			/^Item 2: attributes\.0\.key must be at most 255 characters$/,
		],
		[
			'a value of 2001 characters',
			{ note: 'v'.repeat(2001) },
			/^Item 2: attributes\.0\.value must be at most 2000 characters$/,
		],
		[
			'a key starting with "_"',
			{ a: 1, _internal: 'x' },
			/^Item 2: attributes\.1\.key is reserved: keys may not start with "_" or "system:"$/,
		],
		['a key starting with "system:"', { 'system:flag': true }, /^Item 2: attributes\.0\.key is reserved/],
		[
			'the same key twice',
			[{ key: 'a', value: 1 }, { key: 'b', value: 2 }, { key: 'a', value: 3 }],
			/^Item 2: attributes\.2\.key "a" appears more than once in this request$/,
		],
		[
			'an object value',
			{ a: 'ok', b: { nested: 1 } },
			/^Item 2: attributes\.1\.value must be a string, a finite number, true\/false or null \(objects and arrays are refused\)$/,
		],
		[
			'an array value',
			{ list: [1, 2] },
			/^Item 2: attributes\.0\.value must be a string, a finite number, true\/false or null/,
		],
		[
			'an extra field',
			[{ key: 'a', value: 'b', ttl: 60 }],
			/^Item 2: attributes\.0 Unrecognized key\(s\) in object: 'ttl'$/,
		],
		['no attributes', {}, /^Item 2: attributes must hold at least 1 attribute$/],
		[
			'an unknown mode',
			[{ key: 'a', value: 'b', mode: 'MERGE' }],
			/^Item 2: attributes\.0\.mode must be one of ADD, UPDATE, DELETE$/,
		],
		['a key that is not a string', [{ key: 5, value: 'b' }], /^Item 2: attributes\.0\.key must be a string$/],
		['an empty key', [{ key: '', value: 'b' }], /^Item 2: attributes\.0\.key must not be empty$/],
		['a missing value', [{ key: 'a' }], /^Item 2: attributes\.0\.value must be a string/],
		['an entry that is not an object', ['a'], /^Item 2: attributes\.0 /],
		[
			'a number instead of attributes',
			42,
			/^Item 2: Attributes \(JSON\) must be an object or an array, not number$/,
		],
	])('%s', async ([, attributes, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: fromItems, items: itemsWithBadThird(attributes) });
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(message);
		expect(result.error?.context?.itemIndex).toBe(2);
		expect(result.error?.description).toMatch(/Nothing was sent to CXone|Enter an object/);
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it.for<[string, string, RegExp]>([
		['empty', '', /^Item 2: Interaction ID must not be empty$/],
		['blank', '   ', /^Item 2: Interaction ID must not be empty$/],
		['"."', '.', /^Item 2: Interaction ID may not be "\." or "\.\."$/],
		['".."', '..', /^Item 2: Interaction ID may not be "\." or "\.\."$/],
		['with "/"', 'a/b', /^Item 2: Interaction ID may not contain "\/", "\?" or "#"$/],
		['with "?"', 'a?b=1', /^Item 2: Interaction ID may not contain/],
		['with "#"', 'a#b', /^Item 2: Interaction ID may not contain/],
	])('an interaction id %s', async ([, id, message], test) => {
		const sandbox = await sandboxFor(test);
		const items = ['i-0', 'i-1', id, 'i-3'].map((each) => ({ id: each, attributes: good }));
		const result = await runUpdate(sandbox, { parameters: fromItems, items });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.context?.itemIndex).toBe(2);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it.for<[string, UiAttribute | string, RegExp]>([
		[
			'the text NaN as a number',
			{ key: 'score', valueType: 'number', value: 'NaN' },
			/^Item 0: attributes\.0\.value "NaN" is not a number$/,
		],
		[
			'the text Infinity as a number',
			{ key: 'score', valueType: 'number', value: 'Infinity' },
			/^Item 0: attributes\.0\.value must be a finite number$/,
		],
		[
			'-1e999 as a number',
			{ key: 'score', valueType: 'number', value: '-1e999' },
			/^Item 0: attributes\.0\.value must be a finite number$/,
		],
		[
			'an expression dividing by zero',
			{ key: 'score', valueType: 'number', value: '={{ 1 / 0 }}' },
			/^Item 0: attributes\.0\.value must be a finite number$/,
		],
		[
			'an expression yielding NaN',
			{ key: 'score', valueType: 'number', value: '={{ NaN }}' },
			/^Item 0: attributes\.0\.value must be a string, a finite number/,
		],
		[
			'an empty number',
			{ key: 'score', valueType: 'number', value: '' },
			/^Item 0: attributes\.0\.value "" is not a number$/,
		],
		[
			'"yes" as a boolean',
			{ key: 'vip', valueType: 'boolean', value: 'yes' },
			/^Item 0: attributes\.0\.value "yes" is not true or false$/,
		],
		[
			'an object from an expression as a string',
			{ key: 'meta', valueType: 'string', value: '={{ { nested: 1 } }}' },
			/^Item 0: attributes\.0\.value must be a string, a finite number, true\/false or null \(objects and arrays are refused\)$/,
		],
		[
			'an array from an expression as a string',
			{ key: 'list', valueType: 'string', value: '={{ [1, 2] }}' },
			/^Item 0: attributes\.0\.value must be a string, a finite number/,
		],
		['a reserved key', { key: '_x', value: 'v' }, /^Item 0: attributes\.0\.key is reserved/],
	])('UI list: %s', async ([, attribute, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: uiInput([attribute as UiAttribute]) });
		expect(result.error?.name).toBe('NodeOperationError');
		expect(result.error?.message).toMatch(message);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it('UI list: the same key twice and 51 entries', async (test) => {
		const sandbox = await sandboxFor(test);
		const twice = await runUpdate(sandbox, { parameters: uiInput([{ key: 'a', value: '1' }, { key: 'a', value: '2' }]) });
		expect(twice.error?.message).toBe('Item 0: attributes.1.key "a" appears more than once in this request');
		const entries = Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, value: 'v' }));
		const tooMany = await runUpdate(sandbox, { parameters: uiInput(entries) });
		expect(tooMany.error?.message).toBe('Item 0: attributes.50 exceeds the limit of 50 attributes per request (got 51)');
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it.for<[string, string, RegExp]>([
		['NaN', '={{ { score: NaN } }}', /^Item 0: attributes\.0\.value must be a string, a finite number/],
		['-Infinity', '={{ { score: -Infinity } }}', /^Item 0: attributes\.0\.value must be a finite number$/],
		[
			'a nested object',
			'={{ { profile: { tier: "gold" } } }}',
			/^Item 0: attributes\.0\.value must be a string, a finite number, true\/false or null \(objects and arrays are refused\)$/,
		],
		['invalid JSON text', '{"campaign_id": "12345"', /^Item 0: Attributes \(JSON\) is not valid JSON: /],
		['JSON null', 'null', /^Item 0: Attributes \(JSON\) must be an object or an array, not null$/],
	])('JSON: %s', async ([, attributesJson, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: { attributesInput: 'json', attributesJson } });
		expect(result.error?.message).toMatch(message);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});
});

describe('errors quote user input only in part', () => {
	it.for<[string, unknown]>([
		['a 1 MB key twice', [{ key: 'k'.repeat(1_000_000), value: 1 }, { key: 'k'.repeat(1_000_000), value: 2 }]],
		['a 1 MB unknown field', [{ key: 'a', value: 1, ['x'.repeat(1_000_000)]: true }]],
	])('%s', async ([, attributes], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: jsonInput(attributes) });
		expect(result.error?.message).toMatch(/^Item 0: attributes\.\d/);
		expect(result.error?.message).toMatch(/… \(\d{7} characters\)/);
		expect(result.error?.message.length).toBeLessThan(1_000);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});
});

describe('accepted at the limit, and by the sandbox too', () => {
	it.for<[string, unknown]>([
		['50 attributes', manyAttributes(50)],
		['a key of 255 characters', { ['k'.repeat(255)]: 'v' }],
		['a value of 2000 characters', { note: 'v'.repeat(2000) }],
		['keys that only look reserved', { a_: 1, 'x:system:': 2, systemflag: 3, 'sys:tem': 4 }],
		['every value type', { s: '', zero: 0, negative: -1.5, big: 1e308, yes: true, no: false, none: null }],
		['one key, sent once per item', { a: 1 }],
	])('%s', async ([, attributes], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: jsonInput(attributes), items: [{}, {}] });
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.json.status)).toEqual(['success', 'success']);
		const expected = Object.entries(attributes as object).map(([key, value]) => ({ key, value, mode: 'UPDATE' }));
		expect(sandbox.applied.map((update) => update.attributes)).toEqual([expected, expected]);
	});

	it.for(['...', '.hidden', 'a.b', 'ä ö-ü', '%2F'])('the interaction id %j', async (id, test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: { interactionId: id, ...jsonInput(good) } });
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.interaction_id).toBe(id);
		expect(sandbox.applied.map((update) => update.interactionId)).toEqual([id]);
	});
});

describe('all items are validated before any call', () => {
	const items = Array.from({ length: 10 }, (_, index) => ({
		id: `i-${index}`,
		attributes: index === 5 ? { ['k'.repeat(256)]: 'v' } : { n: index },
	}));

	it('a bad item 5 of 10 stops the node before anything reaches CXone', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: fromItems, items });
		expect(result.error?.message).toBe('Item 5: attributes.0.key must be at most 255 characters');
		expect(result.error?.context?.itemIndex).toBe(5);
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it('with Continue On Fail the other 9 are sent and item 5 gets a failure record', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runUpdate(sandbox, { parameters: fromItems, items, continueOnFail: true });
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(10);
		expect(sandbox.applied.map((update) => update.interactionId).sort()).toEqual(
			items.filter((_, index) => index !== 5).map((item) => item.id).sort(),
		);
		const failure = result.output[5];
		expect(failure.pairedItem).toEqual({ item: 5 });
		expect(failure.json).toMatchObject({
			status: 'failure',
			// The ID was valid, so the record still names the interaction the item was for.
			interaction_id: items[5].id,
			error_code: 'validation_error',
			attempts: 0,
			payload_hash: null,
			error: 'Item 5: attributes.0.key must be at most 255 characters',
			hint: expect.stringMatching(/Nothing was sent to CXone/),
		});
		expect(result.output.filter((item) => item.json.status === 'success')).toHaveLength(9);
	});
});
