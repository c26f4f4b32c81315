/**
 * Fuzzing the real-tenant operations' input through real workflow runs against the sandbox: seeded, bounded
 * fast-check payloads handed to each operation by expression, one item each. Every item yields exactly one record;
 * a refusal names its item and reaches no CXone route; what the node sends, the sandbox (an independent reading of
 * the spec) accepts and stores exactly as the record says.
 */
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { jsonOf, runReal } from '../helpers/realOperations';
import { sandboxFor } from '../helpers/sandbox';

const SEED = 20261130;
const ITEMS = 150;

const scalar = fc.oneof(
	fc.string({ maxLength: 20 }),
	fc.string({ unit: 'grapheme', maxLength: 12 }),
	fc.integer(),
	fc.double({ noNaN: false }),
	fc.boolean(),
	fc.constant(null),
	fc.constantFrom('', ' ', '&', '=', '%', '+', '?', '#', '/', '\u0000', '😀', '__proto__', 'constructor'),
);
const anyValue = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), scalar, { maxKeys: 2 }) });
const sample = <T>(arbitrary: fc.Arbitrary<T>) => fc.sample(arbitrary, { seed: SEED, numRuns: ITEMS });

/** Each record is the one of its item, a refusal names its item, and a refusal has no latency or hash. */
function expectOneRecordPerItem(records: IDataObject[]) {
	expect(records).toHaveLength(ITEMS);
	records.forEach((record, index) => {
		if (record.error_code === 'validation_error') {
			expect(record.error).toMatch(new RegExp(`^Item ${index}: `));
			expect(record.payload_hash).toBeNull();
		}
	});
}

describe('fuzzed input of the real-tenant operations', () => {
	it('Signal: the script receives exactly the parameters of each record that succeeded, and nothing else', async (test) => {
		const sandbox = await sandboxFor(test, { signalProcessingMs: 0 });
		const payloads = sample(
			fc.oneof(fc.array(anyValue, { maxLength: 11 }), fc.dictionary(fc.constantFrom('p1', 'p2', 'p5', 'p9', 'p10', 'x'), anyValue), anyValue),
		);
		const items = payloads.map((payload) => ({ contactId: sandbox.realApi.addContact().contactId, payload: JSON.stringify(payload) }));
		const result = await runReal(sandbox, {
			resource: 'contact',
			operation: 'signal',
			parameters: { contactId: '={{ $json.contactId }}', parametersInput: 'json', parametersJson: '={{ $json.payload }}' },
			items,
			continueOnFail: true,
		});
		const records = jsonOf(result);
		expectOneRecordPerItem(records);
		records.forEach((record, index) => {
			const signals = sandbox.realApi.contact(items[index].contactId)?.signals ?? [];
			if (record.status === 'success') expect(signals.map((entry) => entry.params)).toEqual([record.parameters]);
			else expect(signals).toEqual([]);
		});
		expect(records.filter((record) => record.status === 'success').length).toBeGreaterThan(10);
		expect(records.filter((record) => record.error_code === 'validation_error').length).toBeGreaterThan(10);
	});

	it('Set Custom Fields: a payload that passes the node is never refused by the sandbox; refused ones reach no route', async (test) => {
		const sandbox = await sandboxFor(test);
		const idents = fc.constantFrom('orderNumber', 'priority', 'channelSource', 'noSuchField', '__proto__');
		const payloads = sample(
			fc.oneof(
				fc.record({ orderNumber: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), priority: fc.constantFrom('low', 'high') }, { requiredKeys: [] }),
				fc.dictionary(idents, fc.oneof(scalar, fc.constantFrom('low', 'normal', 'high')), { maxKeys: 3 }),
				fc.array(fc.record({ ident: fc.oneof(idents, scalar), value: fc.oneof(scalar, fc.constantFrom('high')) }), { maxLength: 3 }),
				anyValue,
			),
		);
		const result = await runReal(sandbox, {
			resource: 'digitalCase',
			operation: 'setCustomFields',
			parameters: { caseId: sandbox.realApi.seed.digitalCaseId, customFieldsInput: 'json', customFieldsJson: '={{ $json.payload }}', options: { concurrency: 1 } },
			items: payloads.map((payload) => ({ payload: JSON.stringify(payload) })),
			continueOnFail: true,
		});
		const records = jsonOf(result);
		expectOneRecordPerItem(records);
		expect(records.filter((record) => record.status === 'failure' && record.error_code !== 'validation_error')).toEqual([]);
		const successes = records.filter((record) => record.status === 'success').length;
		expect(successes).toBeGreaterThan(5);
		expect(sandbox.stats.digitalRoutes.setCaseFields).toBe(successes);
	});

	it('Update Business Data and Add Tags: every item ends as one record, refusals before any call', async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId, tagId } = sandbox.realApi.seed;
		const data = await runReal(sandbox, {
			resource: 'contact',
			operation: 'updateBusinessData',
			parameters: { contactId: closedContactId, businessDataInput: 'json', businessDataJson: '={{ $json.payload }}' },
			items: sample(fc.oneof(fc.dictionary(fc.constantFrom('order_reference', 'order_total', 'x'), anyValue, { maxKeys: 2 }), anyValue)).map((payload) => ({
				payload: JSON.stringify(payload),
			})),
			continueOnFail: true,
		});
		const dataRecords = jsonOf(data);
		expectOneRecordPerItem(dataRecords);
		expect(sandbox.stats.businessDataCalls).toBe(dataRecords.filter((record) => record.error_code !== 'validation_error').length);
		const tags = await runReal(sandbox, {
			resource: 'contact',
			operation: 'addTags',
			parameters: { contactId: sandbox.realApi.seed.liveContactId, tagIds: '={{ $json.tags }}' },
			items: sample(fc.oneof(fc.array(fc.oneof(fc.constant(tagId), anyValue), { maxLength: 3 }), anyValue)).map((tags) => ({ tags })),
			continueOnFail: true,
		});
		const tagRecords = jsonOf(tags);
		expectOneRecordPerItem(tagRecords);
		expect(sandbox.stats.acdCalls.tags).toBe(tagRecords.filter((record) => record.error_code !== 'validation_error').length);
	});
});
