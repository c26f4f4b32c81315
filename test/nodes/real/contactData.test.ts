import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../../helpers/sandbox';
import { jsonOf, runReal, sha256 } from '../../helpers/realOperations';

const businessData = (parameters: Record<string, unknown>, items?: Array<Record<string, unknown>>) => ({
	resource: 'contact' as const,
	operation: 'updateBusinessData',
	parameters: parameters as never,
	items,
});

const addTags = (parameters: Record<string, unknown>, items?: Array<Record<string, unknown>>) => ({
	resource: 'contact' as const,
	operation: 'addTags',
	parameters: parameters as never,
	items,
});

describe('Contact → Update Business Data', () => {
	it('sends typed single-field objects to the closed contact and hashes the exact body', async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId } = sandbox.realApi.seed;
		const result = await runReal(
			sandbox,
			businessData({
				contactId: closedContactId,
				businessDataInput: 'fields',
				businessDataUi: {
					field: [
						{ name: 'order_reference', valueType: 'string', value: 'SO-1' },
						{ name: 'order_total', valueType: 'number', value: '12.5' },
						{ name: 'callback_requested', valueType: 'boolean', value: 'true' },
					],
				},
			}),
		);
		const [record] = jsonOf(result);
		expect(record).toMatchObject({ action: 'update_business_data', status: 'success', interaction_id: closedContactId });
		expect(record.payload_hash).toBe(
			sha256(JSON.stringify([{ order_reference: 'SO-1' }, { order_total: 12.5 }, { callback_requested: true }])),
		);
		expect(sandbox.realApi.contact(closedContactId)?.businessData).toMatchObject({
			order_reference: 'SO-1',
			order_total: 12.5,
			callback_requested: true,
		});
	});

	it('writes a segment, and maps item fields with their own types under Map Automatically', async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId } = sandbox.realApi.seed;
		await runReal(
			sandbox,
			businessData({ contactId: closedContactId, segmentId: '2', businessDataInput: 'json', businessDataJson: '[{"order_total": 3}]' }),
		);
		expect(sandbox.realApi.contact(closedContactId)?.segments['2']).toEqual({ order_total: 3 });
		const mapped = await runReal(
			sandbox,
			businessData({ businessDataInput: 'autoMap', fieldsToIgnore: 'ticket' }, [
				{ contactId: closedContactId, order_reference: 'SO-9', callback_requested: false, ticket: 'T-1' },
			]),
		);
		expect(jsonOf(mapped)[0]).toMatchObject({ status: 'success' });
		expect(sandbox.realApi.contact(closedContactId)?.businessData).toMatchObject({ order_reference: 'SO-9', callback_requested: false });
	});

	it("records CXone's refusals with what to check: a new field, a wrong type, a live or unknown contact, a missing permission", async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId, liveContactId } = sandbox.realApi.seed;
		const items = [
			{ contactId: closedContactId, not_a_field: 'x' },
			{ contactId: closedContactId, order_total: 'twelve' },
			{ contactId: liveContactId, order_reference: 'x' },
			{ contactId: '999999999999', order_reference: 'x' },
		];
		const records = jsonOf(await runReal(sandbox, { ...businessData({ businessDataInput: 'autoMap' }, items), continueOnFail: true }));
		expect(records.map((record) => [record.status, record.error_code])).toEqual([
			['failure', '400'],
			['failure', '400'],
			['failure', '404'],
			['failure', '404'],
		]);
		expect(records[0].hint).toMatch(/cannot add new business data fields/);
		expect(records[2].hint).toMatch(/ended/);
		sandbox.realApi.denyPermission('businessData');
		const refused = jsonOf(
			await runReal(sandbox, { ...businessData({ businessDataInput: 'autoMap' }, [{ contactId: closedContactId, order_reference: 'y' }]), continueOnFail: true }),
		);
		expect(refused[0]).toMatchObject({ status: 'failure', error_code: '403' });
		expect(refused[0].hint).toMatch(/Update Business Data/);
	});

	it('refuses objects, repeated names and an empty item before any call', async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId } = sandbox.realApi.seed;
		for (const [json, message] of [
			['{"order_reference": {"a": 1}}', /Item 0: Business data field "order_reference" must be text, a finite number or true\/false/],
			['[{"order_total": 1}, {"order_total": 2}]', /"order_total" appears more than once/],
			['[]', /must hold at least 1 business data field/],
		] as const) {
			const result = await runReal(sandbox, businessData({ contactId: closedContactId, businessDataInput: 'json', businessDataJson: json }));
			expect(result.error?.message).toMatch(message);
		}
		expect(sandbox.stats.businessDataCalls).toBe(0);
	});

	it('sends a PUT again after its answer was lost: setting the same values twice changes nothing', async (test) => {
		const sandbox = await sandboxFor(test);
		const { closedContactId } = sandbox.realApi.seed;
		sandbox.realApi.injectFault('businessData', 'drop');
		const result = await runReal(sandbox, businessData({ contactId: closedContactId, businessDataInput: 'json', businessDataJson: '{"order_reference": "R"}' }));
		expect(jsonOf(result)[0]).toMatchObject({ status: 'success', attempts: 2 });
		expect(sandbox.realApi.contact(closedContactId)?.businessData.order_reference).toBe('R');
	});
});

describe('Contact → Add Tags', () => {
	it('adds the tags and succeeds only when CXone reports errorCount "0"', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId, tagId } = sandbox.realApi.seed;
		const result = await runReal(sandbox, addTags({ contactId: liveContactId, tagIds: [tagId] }));
		const [record] = jsonOf(result);
		expect(record).toMatchObject({ action: 'add_contact_tags', status: 'success', interaction_id: liveContactId, tag_ids: [tagId] });
		expect(record.payload_hash).toBe(sha256(JSON.stringify({ tags: [{ tagId }] })));
		expect(sandbox.realApi.contact(liveContactId)?.tags).toEqual([tagId]);
	});

	it('takes tag IDs from an expression as a comma-separated list', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId, tagId } = sandbox.realApi.seed;
		const result = await runReal(sandbox, addTags({ contactId: liveContactId, tagIds: `= ${tagId} ` }));
		expect(jsonOf(result)[0]).toMatchObject({ status: 'success', tag_ids: [tagId] });
	});

	it('records a tag CXone does not know as a failure carrying its resultSet, and an unknown contact as 404', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId, tagId } = sandbox.realApi.seed;
		const records = jsonOf(
			await runReal(sandbox, {
				...addTags({ contactId: '={{ $json.contactId }}', tagIds: '={{ $json.tags }}' }, [
					{ contactId: liveContactId, tags: [tagId, 987654] },
					{ contactId: '999999999999', tags: [tagId] },
				]),
				continueOnFail: true,
			}),
		);
		expect(records.map((record) => [record.status, record.error_code])).toEqual([
			['failure', 'tag_errors'],
			['failure', '404'],
		]);
		expect(records[0].error).toMatch(/tag error/);
		expect(records[0].hint).toMatch(/Tag ID exists and is active/);
	});

	it('refuses tag IDs that are not whole numbers before any call', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runReal(sandbox, addTags({ contactId: sandbox.realApi.seed.liveContactId, tagIds: '=1, two' }));
		expect(result.error?.message).toMatch(/Item 0: Tag IDs\.1 must be a tag ID/);
		expect(sandbox.stats.acdCalls.tags).toBe(0);
	});
});
