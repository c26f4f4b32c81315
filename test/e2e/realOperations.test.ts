/**
 * The real-tenant operations in real n8n, both lines: one workflow runs every Contact, Digital Case and Digital
 * Customer operation with the NICE CXone Access Key API credential against the sandbox's emulated tenant, and what
 * each node reports is checked against what the sandbox received.
 */
import { readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';
import { CxoneSandbox } from '../../sandbox/server';
import { N8nInstance, nodeOutput, type N8nLine } from './n8nInstance';
import { executionItems, listExecutions, packPackage, waitFor, type ListedExecution } from './support';

const credentialId = 'e2eCxoneAccessK2';
const credentialName = 'NICE CXone access key (e2e)';
const workflowId = 'e2eCxoneRealOps1';
const credentials = { niceCxoneAccessKeyApi: { id: credentialId, name: credentialName } };

/** A NICE CXone v2 node on the access key; `id` keeps node ids unique in the workflow. */
const cxoneNode = (id: number, name: string, parameters: Record<string, unknown>) => ({
	id: `5d1f0a63-7a2e-4c9f-b8d5-2e3f4a5b6c${String(id).padStart(2, '0')}`,
	name,
	type: 'n8n-nodes-nice-cxone.niceCxone',
	typeVersion: 2,
	position: [440, id * 160],
	credentials,
	parameters: { authentication: 'accessKey', ...parameters },
});

function realOperationsWorkflow(seed: CxoneSandbox['realApi']['seed'], otherLiveContactId: string) {
	const rows = [
		{ contactId: seed.liveContactId, p1: 'deal-won', p2: 'D-1' },
		{ contactId: otherLiveContactId, p1: 'deal-lost', p2: 'D-2' },
		{ contactId: seed.liveContactId, p1: 'deal-reopened', p2: 'D-1' },
	];
	const nodes = [
		cxoneNode(1, 'Signal', { resource: 'contact', operation: 'signal', parametersInput: 'autoMap', options: {} }),
		cxoneNode(2, 'Business Data', {
			resource: 'contact',
			operation: 'updateBusinessData',
			contactId: seed.closedContactId,
			businessDataInput: 'json',
			businessDataJson: '={{ JSON.stringify({ order_reference: $json.p2, order_total: 10 }) }}',
			options: {},
		}),
		cxoneNode(3, 'Add Tags', { resource: 'contact', operation: 'addTags', contactId: '={{ $json.contactId }}', tagIds: [seed.tagId], options: {} }),
		cxoneNode(4, 'Case Fields', {
			resource: 'digitalCase',
			operation: 'setCustomFields',
			caseId: seed.digitalCaseId,
			customFieldsInput: 'fields',
			customFieldsUi: { field: [{ ident: 'orderNumber', value: '={{ $json.p2 }}' }, { ident: 'priority', value: 'high' }] },
			options: {},
		}),
		cxoneNode(5, 'Customer Fields', {
			resource: 'digitalCustomer',
			operation: 'setCustomFields',
			customerId: seed.customerId,
			customFieldsInput: 'json',
			customFieldsJson: '{"loyaltyTier": "gold"}',
			options: {},
		}),
		cxoneNode(6, 'Get Case', { resource: 'digitalCase', operation: 'get', caseId: seed.digitalCaseId, options: {} }),
		cxoneNode(7, 'Remove Customer Field', {
			resource: 'digitalCustomer',
			operation: 'removeCustomField',
			customerId: seed.customerId,
			customField: { __rl: true, mode: 'id', value: 'crmId' },
			options: {},
		}),
		cxoneNode(8, 'Get Customer', { resource: 'digitalCustomer', operation: 'get', customerId: seed.customerId, options: {} }),
	];
	return {
		id: workflowId,
		name: 'e2e NICE CXone real operations',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: '5d1f0a63-7a2e-4c9f-b8d5-2e3f4a5b6c90', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: '5d1f0a63-7a2e-4c9f-b8d5-2e3f4a5b6c91',
				name: 'Rows',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [220, 0],
				parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} },
			},
			{
				id: '5d1f0a63-7a2e-4c9f-b8d5-2e3f4a5b6c92',
				name: 'One item per row',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [330, 0],
				parameters: { fieldToSplitOut: 'rows', options: {} },
			},
			...nodes,
		],
		connections: {
			'Manual Trigger': { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
			Rows: { main: [[{ node: 'One item per row', type: 'main', index: 0 }]] },
			'One item per row': { main: [nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }))] },
		},
	};
}

interface Example {
	nodes: Array<{ type: string; parameters: { path: string }; credentials?: Record<string, { id: string; name: string }> }>;
	pinData: Record<string, Array<{ json: { body: Record<string, unknown> } }>>;
}

let pack: Awaited<ReturnType<typeof packPackage>>;

beforeAll(async () => {
	pack = await packPackage();
});

afterAll(async () => {
	if (pack) await rm(pack.dir, { recursive: true, force: true });
});

describe.each<N8nLine>(['v1', 'v2'])('n8n %s: the real-tenant operations with the Access Key credential', (line) => {
	let sandbox: CxoneSandbox;
	let n8n: N8nInstance | undefined;

	beforeAll(async () => {
		sandbox = new CxoneSandbox({ signalProcessingMs: 50 });
		await sandbox.start();
		n8n = await N8nInstance.create({ line, packageTarball: pack.tarball });
		await n8n.importCredentials([
			{ id: credentialId, name: credentialName, type: 'niceCxoneAccessKeyApi', data: sandboxAccessKeyCredentialData(sandbox) },
		]);
	});

	afterAll(async () => {
		try {
			await n8n?.dispose();
		} finally {
			await sandbox?.stop();
		}
	});

	it('each operation changes exactly what it should in the emulated tenant, one audit record per item', async () => {
		const seed = sandbox.realApi.seed;
		const other = sandbox.realApi.addContact().contactId;
		await n8n!.importWorkflow(realOperationsWorkflow(seed, other));
		const run = await n8n!.execute(workflowId);
		expect(run.status).toBe('success');

		const signals = nodeOutput(run, 'Signal');
		expect(signals.map((record) => [record.action, record.status, record.interaction_id])).toEqual([
			['signal_contact', 'success', seed.liveContactId],
			['signal_contact', 'success', other],
			['signal_contact', 'success', seed.liveContactId],
		]);
		// Two signals to one contact went one after the other, in input order: none merged.
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals.map((signal) => signal.params)).toEqual([
			{ p1: 'deal-won', p2: 'D-1' },
			{ p1: 'deal-reopened', p2: 'D-1' },
		]);
		expect(sandbox.stats.mergedSignals).toBe(0);

		expect(nodeOutput(run, 'Business Data').map((record) => record.status)).toEqual(['success', 'success', 'success']);
		expect(sandbox.realApi.contact(seed.closedContactId)?.businessData).toMatchObject({ order_reference: 'D-1', order_total: 10 });

		expect(nodeOutput(run, 'Add Tags').map((record) => record.status)).toEqual(['success', 'success', 'success']);
		expect(sandbox.realApi.contact(other)?.tags).toEqual([seed.tagId]);

		expect(nodeOutput(run, 'Case Fields').map((record) => record.action)).toEqual(Array(3).fill('set_case_custom_fields'));
		const caseFields = (sandbox.realApi.digitalCase(seed.digitalCaseId) as { customFields: Array<{ ident: string; value: string }> }).customFields;
		expect(Object.fromEntries(caseFields.map((field) => [field.ident, field.value]))).toMatchObject({ orderNumber: 'D-1', priority: 'high' });
		expect(nodeOutput(run, 'Customer Fields').map((record) => record.status)).toEqual(['success', 'success', 'success']);

		const got = nodeOutput(run, 'Get Case');
		expect(got).toHaveLength(3);
		expect((got[0].case as { id: string }).id).toBe(seed.digitalCaseId);

		expect(nodeOutput(run, 'Remove Customer Field').map((record) => [record.action, record.status])).toEqual(
			Array(3).fill(['remove_customer_custom_field', 'success']),
		);
		const customer = sandbox.realApi.digitalCustomer(seed.customerId) as { customFields: Array<{ ident: string; value: string }> };
		expect(customer.customFields.map((field) => field.ident)).not.toContain('crmId');
		expect(nodeOutput(run, 'Get Customer').map((record) => (record.customer as { id: string }).id)).toEqual(Array(3).fill(seed.customerId));

		// One access-key login and one discovery for the whole run, every node and item sharing them.
		expect(sandbox.stats.loginRequests.accessKey).toBe(1);
		expect(sandbox.stats.discoveryRequests).toBe(1);
	});

	it('the examples run as shipped on an active workflow, once pointed at a credential: CRM → signal, ticket → business data', async () => {
		const shipped = [
			{ file: 'crm-deal-signal-contact.json', node: "Signal the contact's script", contact: sandbox.realApi.seed.liveContactId },
			{ file: 'ticket-closed-business-data.json', node: "Update the contact's business data", contact: sandbox.realApi.seed.closedContactId },
		];
		const examples = await Promise.all(
			shipped.map(async ({ file }, index) => {
				const example = JSON.parse(await readFile(resolve(__dirname, '../../examples', file), 'utf8')) as Example;
				for (const node of example.nodes) if (node.credentials) node.credentials = credentials;
				return { ...example, id: `e2eCxoneExample${index}` };
			}),
		);
		await n8n!.importWorkflow(examples);
		for (const example of examples) await n8n!.activate(example.id);
		await n8n!.start();
		await n8n!.setupOwnerAndLogin();
		for (const [index, example] of examples.entries()) {
			const webhook = example.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')!;
			await n8n!.waitForWebhook(webhook.parameters.path);
			// What the CRM or helpdesk sends: the example's own pinned sample, with a contact the sandbox knows.
			const body = { ...Object.values(example.pinData)[0][0].json.body, cxoneContactId: shipped[index].contact };
			const answer = await fetch(`${n8n!.url}/webhook/${webhook.parameters.path}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});
			expect(answer.status).toBe(200);
			let executions: ListedExecution[] = [];
			await waitFor(async () => {
				executions = await listExecutions(n8n!, example.id);
				return executions.some((execution) => execution.status !== 'running' && execution.status !== 'new');
			}, `the run of ${shipped[index].file}`);
			expect(executions.map((execution) => execution.status)).toEqual(['success']);
			expect(await executionItems(n8n!, executions[0].id, shipped[index].node)).toEqual([
				expect.objectContaining({ status: 'success', interaction_id: shipped[index].contact }),
			]);
		}
		expect(sandbox.realApi.contact(sandbox.realApi.seed.liveContactId)?.signals.at(-1)?.params).toMatchObject({ p1: 'deal-changed', p2: 'D-1001' });
		expect(sandbox.realApi.contact(sandbox.realApi.seed.closedContactId)?.businessData).toMatchObject({ order_reference: 'T-2002', order_total: 42.5, callback_requested: true });
	});

	it("the editor's pickers list the tenant's custom fields and active tags", async () => {
		// The server the examples' test started.
		const ask = async (methodName: string, path: string, currentNodeParameters: Record<string, unknown>, search?: string) =>
			await n8n!.request<unknown>('POST', `/rest/dynamic-node-parameters/${search === undefined ? 'options' : 'resource-locator-results'}`, {
				nodeTypeAndVersion: { name: 'n8n-nodes-nice-cxone.niceCxone', version: 2 },
				path,
				methodName,
				currentNodeParameters: { authentication: 'accessKey', ...currentNodeParameters },
				credentials: { niceCxoneAccessKeyApi: { id: credentialId, name: credentialName } },
				...(search === undefined ? {} : { filter: search }),
			});
		const values = (answer: unknown) => {
			const data = answer as Array<{ value: unknown }> | { results: Array<{ value: unknown }> };
			return (Array.isArray(data) ? data : data.results).map((option) => option.value);
		};
		const caseFields = await ask('getCustomFields', 'parameters.customFieldsUi.field.ident', { resource: 'digitalCase', operation: 'setCustomFields' });
		expect(values(caseFields)).toEqual(expect.arrayContaining(['orderNumber', 'priority', 'contactEmail']));
		const customerFields = await ask('searchCustomFields', 'parameters.customField', { resource: 'digitalCustomer', operation: 'removeCustomField' }, 'loyal');
		expect(values(customerFields)).toEqual(['loyaltyTier']);
		const tags = await ask('getTags', 'parameters.tagIds', { resource: 'contact', operation: 'addTags' });
		expect(values(tags)).toContain(sandbox.realApi.seed.tagId);
	});

});
