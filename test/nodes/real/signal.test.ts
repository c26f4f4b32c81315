import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../../helpers/sandbox';
import { jsonOf, runReal, sha256 } from '../../helpers/realOperations';

const signal = (parameters: Record<string, unknown>, items?: Array<Record<string, unknown>>) => ({
	resource: 'contact' as const,
	operation: 'signal',
	parameters: parameters as never,
	items,
});

const uiParameters = (...values: string[]) => ({
	parametersInput: 'fields',
	parametersUi: { parameter: values.map((value) => ({ value })) },
});

describe('Contact → Signal', () => {
	it('sends p1…pN in order to the live contact, one audit record per item with the hash of the query sent', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId } = sandbox.realApi.seed;
		const result = await runReal(sandbox, signal({ contactId: liveContactId, ...uiParameters('deal won', 'D-17&x=1', 'é') }));
		const [record] = jsonOf(result);
		expect(record).toMatchObject({
			action: 'signal_contact',
			status: 'success',
			interaction_id: liveContactId,
			error_code: null,
			attempts: 1,
			parameters: { p1: 'deal won', p2: 'D-17&x=1', p3: 'é' },
		});
		const received = sandbox.realApi.contact(liveContactId)?.signals ?? [];
		expect(received.map((entry) => entry.params)).toEqual([{ p1: 'deal won', p2: 'D-17&x=1', p3: 'é' }]);
		const query = `p1=${encodeURIComponent('deal won')}&p2=${encodeURIComponent('D-17&x=1')}&p3=${encodeURIComponent('é')}`;
		expect(record.payload_hash).toBe(sha256(query));
	});

	it('takes JSON arrays and objects and, under Map Automatically, the fields p1…p9 of each item', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId } = sandbox.realApi.seed;
		await runReal(sandbox, signal({ contactId: liveContactId, parametersInput: 'json', parametersJson: '["a", 2, true]' }));
		await runReal(sandbox, signal({ contactId: liveContactId, parametersInput: 'json', parametersJson: '{"p1": "x", "p3": "z"}' }));
		const mapped = await runReal(
			sandbox,
			signal({ parametersInput: 'autoMap', fieldsToIgnore: 'crm' }, [
				{ contactId: Number(liveContactId), p1: 'm1', p2: 'm2', crm: 'ignored' },
			]),
		);
		expect(jsonOf(mapped)[0]).toMatchObject({ status: 'success', interaction_id: liveContactId });
		expect(sandbox.realApi.contact(liveContactId)?.signals.map((entry) => entry.params)).toEqual([
			{ p1: 'a', p2: '2', p3: 'true' },
			{ p1: 'x', p3: 'z' },
			{ p1: 'm1', p2: 'm2' },
		]);
	});

	it('never sends two signals to one contact at once: each is sent after the previous answer, in input order', async (test) => {
		const sandbox = await sandboxFor(test, { signalProcessingMs: 40 });
		const { liveContactId } = sandbox.realApi.seed;
		const other = sandbox.realApi.addContact().contactId;
		const items = Array.from({ length: 12 }, (_, index) => ({ contactId: index % 3 === 2 ? other : liveContactId, p1: String(index) }));
		const result = await runReal(sandbox, signal({ parametersInput: 'autoMap', options: { concurrency: 10 } }, items));
		expect(jsonOf(result).map((record) => record.status)).toEqual(items.map(() => 'success'));
		expect(sandbox.stats.mergedSignals).toBe(0);
		const order = (id: string) => sandbox.realApi.contact(id)?.signals.map((entry) => entry.params.p1);
		expect(order(liveContactId)).toEqual(items.flatMap((item, index) => (item.contactId === liveContactId ? [String(index)] : [])));
		expect(order(other)).toEqual(['2', '5', '8', '11']);
	});

	it.for([
		['more than 9 parameters', { contactId: '1', parametersInput: 'json', parametersJson: JSON.stringify(Array.from({ length: 10 }, String)) }, /Item 0: Parameters holds 10 values; a signal carries at most 9/],
		['a name other than p1…p9', { contactId: '1', parametersInput: 'json', parametersJson: '{"p10": "x"}' }, /Item 0: Parameters \(JSON\) names "p10"/],
		['an object value', { contactId: '1', parametersInput: 'json', parametersJson: '[{"a": 1}]' }, /Item 0: Parameter p1 must be text, a finite number or true\/false/],
		['a contact ID that is not a number', { contactId: 'abc', ...uiParameters('x') }, /Item 0: Contact ID must be the numeric ACD contact ID/],
	] as const)('refuses %s before any call, naming the item and the field', async ([, parameters, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await runReal(sandbox, signal(parameters));
		expect(result.error?.message).toMatch(message);
		expect(sandbox.stats.acdCalls.signal).toBe(0);
	});

	it('refuses, under Map Automatically, a field that is not a signal parameter', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runReal(sandbox, signal({ parametersInput: 'autoMap' }, [{ contactId: '5', p1: 'a', note: 'x' }]));
		expect(result.error?.message).toMatch(/Item 0: the input field "note" is not a signal parameter/);
		expect(result.error?.description).toMatch(/Fields to Ignore/);
	});

	it('records an ended or unknown contact as a failure with what to check, and goes on with the other items', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId, closedContactId } = sandbox.realApi.seed;
		const result = await runReal(sandbox, {
			...signal({ parametersInput: 'autoMap' }, [
				{ contactId: closedContactId, p1: 'a' },
				{ contactId: '999999999999', p1: 'b' },
				{ contactId: liveContactId, p1: 'c' },
			]),
			continueOnFail: true,
		});
		const records = jsonOf(result);
		expect(records.map((record) => [record.status, record.error_code])).toEqual([
			['failure', '404'],
			['failure', '404'],
			['success', null],
		]);
		expect(records[0].hint).toMatch(/still running/);
		expect(records[0].interaction_id).toBe(closedContactId);
	});

	it("names the missing role permission on 403, and retries a 429 that has no Retry-After", async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId } = sandbox.realApi.seed;
		sandbox.realApi.injectFault('acd', 429);
		const retried = await runReal(sandbox, signal({ contactId: liveContactId, ...uiParameters('once') }));
		expect(jsonOf(retried)[0]).toMatchObject({ status: 'success', attempts: 2 });
		expect(sandbox.realApi.contact(liveContactId)?.signals).toHaveLength(1);
		sandbox.realApi.denyPermission('signal');
		const refused = await runReal(sandbox, { ...signal({ contactId: liveContactId, ...uiParameters('x') }), continueOnFail: true });
		expect(jsonOf(refused)[0]).toMatchObject({ status: 'failure', error_code: '403' });
		expect(jsonOf(refused)[0].hint).toMatch(/role/);
	});

	it('does not send a signal again after its answer was lost: the script must not get it twice', async (test) => {
		const sandbox = await sandboxFor(test);
		const { liveContactId } = sandbox.realApi.seed;
		sandbox.realApi.injectFault('acd', 'drop');
		const result = await runReal(sandbox, { ...signal({ contactId: liveContactId, ...uiParameters('x') }), continueOnFail: true });
		const [record] = jsonOf(result);
		expect(record).toMatchObject({ status: 'failure', attempts: 1 });
		expect(record.hint).toMatch(/may or may not have received it/);
		expect(sandbox.realApi.contact(liveContactId)?.signals).toHaveLength(1);
	});
});
