import type { ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions, INodeType } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { sandboxAccessKeyCredentialData } from '../../../sandbox/credential';
import { loadBuilt } from '../../helpers/built';
import { jsonOf, runReal, sha256 } from '../../helpers/realOperations';
import { loadOptionsContext } from '../../helpers/runWorkflow';
import { sandboxFor } from '../../helpers/sandbox';

const { NiceCxone } = loadBuilt<{ NiceCxone: new () => INodeType }>('nodes/NiceCxone/NiceCxone.node.js');
const methods = new NiceCxone().methods as {
	loadOptions: Record<string, (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>>;
	listSearch: Record<string, (this: ILoadOptionsFunctions, filter?: string) => Promise<INodeListSearchResult>>;
};

type Resource = 'digitalCase' | 'digitalCustomer';

const SUBJECTS = {
	digitalCase: { idParameter: 'caseId', field: 'orderNumber', listField: 'priority', option: 'high', fixed: 'channelSource', action: 'case' },
	digitalCustomer: { idParameter: 'customerId', field: 'crmId', listField: 'loyaltyTier', option: 'gold', fixed: 'createdBy', action: 'customer' },
} as const;

const idOf = (sandbox: Awaited<ReturnType<typeof sandboxFor>>, resource: Resource) =>
	resource === 'digitalCase' ? sandbox.realApi.seed.digitalCaseId : sandbox.realApi.seed.customerId;

const viewOf = (sandbox: Awaited<ReturnType<typeof sandboxFor>>, resource: Resource) => {
	const id = idOf(sandbox, resource);
	const view = resource === 'digitalCase' ? sandbox.realApi.digitalCase(id) : sandbox.realApi.digitalCustomer(id);
	return Object.fromEntries(((view as { customFields?: Array<{ ident: string; value: string }> })?.customFields ?? []).map((field) => [field.ident, field.value]));
};

describe.for(['digitalCase', 'digitalCustomer'] as const)('%s', (resource) => {
	const subject = SUBJECTS[resource];
	const run = (sandbox: Awaited<ReturnType<typeof sandboxFor>>, operation: string, parameters: Record<string, unknown>, extra = {}) =>
		runReal(sandbox, { resource, operation, parameters: { [subject.idParameter]: idOf(sandbox, resource), ...parameters } as never, ...extra });

	it('Set Custom Fields sets text values on the Digital base, one audit record with the hash of the body', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await run(sandbox, 'setCustomFields', {
			customFieldsInput: 'fields',
			customFieldsUi: { field: [{ ident: subject.field, value: 'A-1' }, { ident: subject.listField, value: subject.option }] },
		});
		const [record] = jsonOf(result);
		expect(record).toMatchObject({ action: `set_${subject.action}_custom_fields`, status: 'success', interaction_id: idOf(sandbox, resource) });
		expect(record.payload_hash).toBe(
			sha256(JSON.stringify([{ ident: subject.field, value: 'A-1' }, { ident: subject.listField, value: subject.option }])),
		);
		expect(viewOf(sandbox, resource)).toMatchObject({ [subject.field]: 'A-1', [subject.listField]: subject.option });
		expect(sandbox.stats.acdCalls.unknown).toBe(0);
	});

	it('Set Custom Fields maps item fields and JSON objects, numbers as their text', async (test) => {
		const sandbox = await sandboxFor(test);
		const id = idOf(sandbox, resource);
		await run(sandbox, 'setCustomFields', { customFieldsInput: 'json', customFieldsJson: JSON.stringify({ [subject.field]: 42 }) });
		expect(viewOf(sandbox, resource)[subject.field]).toBe('42');
		const mapped = await runReal(sandbox, {
			resource,
			operation: 'setCustomFields',
			parameters: { customFieldsInput: 'autoMap' } as never,
			items: [{ [subject.idParameter]: id, [subject.field]: 'mapped' }],
		});
		expect(jsonOf(mapped)[0]).toMatchObject({ status: 'success' });
		expect(viewOf(sandbox, resource)[subject.field]).toBe('mapped');
	});

	it.for([
		['an unknown ident', () => ({ ident: 'noSuchField', value: 'x' }), /custom field "noSuchField" is not defined/],
		['a value outside a list field', () => ({ ident: subject.listField, value: 'platinum' }), /"platinum" is not an option of the list field/],
		['a field CXone does not let change', () => ({ ident: subject.fixed, value: 'x' }), /cannot be changed/],
	] as const)('Set Custom Fields refuses %s before any call, naming the item and the field', async ([, field, message], test) => {
		const sandbox = await sandboxFor(test);
		const result = await run(sandbox, 'setCustomFields', { customFieldsInput: 'fields', customFieldsUi: { field: [field()] } });
		expect(result.error?.message).toMatch(/^Item 0: /);
		expect(result.error?.message).toMatch(message);
		const routes = sandbox.stats.digitalRoutes;
		expect(routes.setCaseFields + routes.setCustomerFields).toBe(0);
	});

	it('reads the definitions once per run, and refuses every item with the reason when they cannot be read', async (test) => {
		const sandbox = await sandboxFor(test);
		const items = Array.from({ length: 5 }, () => ({}));
		await run(sandbox, 'setCustomFields', { customFieldsInput: 'json', customFieldsJson: JSON.stringify({ [subject.field]: 'v' }) }, { items });
		const routes = sandbox.stats.digitalRoutes;
		expect(routes.caseFieldDefinitions + routes.customerFieldDefinitions).toBe(1);
		sandbox.realApi.denyPermission('digital');
		const refused = jsonOf(
			await run(sandbox, 'setCustomFields', { customFieldsInput: 'json', customFieldsJson: JSON.stringify({ [subject.field]: 'v' }) }, { items, continueOnFail: true }),
		);
		expect(refused.map((record) => record.error_code)).toEqual(items.map(() => 'validation_error'));
		expect(refused[0].error).toMatch(/definitions could not be read/);
		expect(refused[0].hint).toMatch(/role/);
	});

	it('Remove Custom Field removes the value; Get returns what CXone holds; an unknown ID is a 404 record', async (test) => {
		const sandbox = await sandboxFor(test);
		await run(sandbox, 'setCustomFields', { customFieldsInput: 'json', customFieldsJson: JSON.stringify({ [subject.field]: 'gone soon' }) });
		const removed = await run(sandbox, 'removeCustomField', { customField: { __rl: true, mode: 'list', value: subject.field } });
		expect(jsonOf(removed)[0]).toMatchObject({ action: `remove_${subject.action}_custom_field`, status: 'success', payload_hash: null });
		expect(viewOf(sandbox, resource)[subject.field]).toBeUndefined();
		const got = jsonOf(await run(sandbox, 'get', {}))[0];
		expect(got).toMatchObject({ action: `get_${subject.action}`, status: 'success' });
		expect((got[subject.action] as { id?: unknown }).id).toBe(idOf(sandbox, resource));
		const missing = jsonOf(
			await runReal(sandbox, { resource, operation: 'get', parameters: { [subject.idParameter]: '000000' } as never, continueOnFail: true }),
		)[0];
		expect(missing).toMatchObject({ status: 'failure', error_code: '404' });
		expect(missing.hint).toMatch(/Digital case ID/);
	});

	it('lists the definitions in the field pickers (loadOptions and listSearch)', async (test) => {
		const sandbox = await sandboxFor(test);
		const context = loadOptionsContext(sandboxAccessKeyCredentialData(sandbox), { authentication: 'accessKey', resource, operation: 'setCustomFields' });
		const options = await methods.loadOptions.getCustomFields.call(context);
		expect(options.map((option) => option.value)).toEqual(expect.arrayContaining([subject.field, subject.listField, subject.fixed]));
		const found = await methods.listSearch.searchCustomFields.call(context, subject.listField.slice(0, 4));
		expect(found.results.map((result) => result.value)).toEqual([subject.listField]);
	});
});

it('the tag picker lists the active tags of the tenant', async (test) => {
	const sandbox = await sandboxFor(test);
	const context = loadOptionsContext(sandboxAccessKeyCredentialData(sandbox), { authentication: 'accessKey', resource: 'contact', operation: 'addTags' });
	const tags = await methods.loadOptions.getTags.call(context);
	expect(tags.map((tag) => tag.value)).toContain(sandbox.realApi.seed.tagId);
	expect(tags.map((tag) => tag.name)).not.toContain('Legacy Campaign');
});
