/**
 * The two ways a real tenant starts workflows, in real n8n of both lines with the packed package: CXone Studio
 * calls to the webhook trigger (one run per event, across retries and a restart), and the contacts polling trigger.
 */
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';
import { CxoneSandbox } from '../../sandbox/server';
import { callFromStudio, type StudioCall } from '../../sandbox/studioCaller';
import { N8nInstance, type N8nLine } from './n8nInstance';
import { executionItems, listExecutions, packPackage, packTimeoutMs, settledExecutions, waitFor } from './support';

// n8n wants 16 alphanumerics for workflow ids.
const studioWorkflowId = 'e2eCxoneStudio01';
const studioWebhookId = '7d1f0b63-2a4e-4c9f-b8d5-2e3f4a5b6c70';
const studioSecret = 'e2e-studio-secret-0123456789';

const studioWorkflow = {
	id: studioWorkflowId,
	name: 'e2e NICE CXone Studio calls',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7d1f0b63-2a4e-4c9f-b8d5-2e3f4a5b6c01',
			name: 'NICE CXone Trigger',
			type: 'n8n-nodes-nice-cxone.niceCxoneTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: studioWebhookId,
			parameters: { registration: 'studio', webhookSecret: studioSecret },
		},
		{
			id: '7d1f0b63-2a4e-4c9f-b8d5-2e3f4a5b6c02',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [{ id: 'contact', name: 'contact', type: 'string', value: '={{ $json.contactId }}' }],
				},
				options: {},
			},
		},
	],
	connections: { 'NICE CXone Trigger': { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
};

const pollWorkflowId = 'e2eCxoneContPoll';
const accessKeyCredentialId = 'e2eCxoneAccessKy1';
const accessKeyCredentialName = 'NICE CXone sandbox tenant (e2e)';
/** The agent whose contacts the polling trigger watches, so the sandbox's seeded contacts stay out of it. */
const watchedAgentId = 4_242_424;

const pollWorkflow = {
	id: pollWorkflowId,
	name: 'e2e NICE CXone contacts polling',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7d1f0b63-2a4e-4c9f-b8d5-2e3f4a5b6c11',
			name: 'NICE CXone Contacts Trigger',
			type: 'n8n-nodes-nice-cxone.niceCxoneContactsTrigger',
			typeVersion: 1,
			position: [0, 0],
			credentials: { niceCxoneAccessKeyApi: { id: accessKeyCredentialId, name: accessKeyCredentialName } },
			parameters: {
				pollTimes: { item: [{ mode: 'everyMinute' }] },
				events: ['contactStarted', 'contactStateChanged', 'contactEnded'],
				filters: { agentId: watchedAgentId },
			},
		},
	],
	connections: {},
};

const studioExampleId = 'e2eCxoneExStudio';
const sheetExampleId = 'e2eCxoneExSheet1';

interface ExampleNode {
	type: string;
	webhookId?: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/**
 * The shipped examples as a user imports them: their CXone nodes pointed at the sandbox tenant's credential,
 * the CRM lookup at `crmOrigin` instead of crm.example.com (tests reach only 127.0.0.1). Nothing else changes.
 */
async function shippedExamples(crmOrigin: string) {
	const read = async (file: string, id: string) => {
		const example = JSON.parse(await readFile(resolve(__dirname, '../../examples', file), 'utf8')) as {
			nodes: ExampleNode[];
		};
		for (const node of example.nodes) {
			if (node.credentials?.niceCxoneAccessKeyApi) {
				node.credentials = { niceCxoneAccessKeyApi: { id: accessKeyCredentialId, name: accessKeyCredentialName } };
			}
			if (typeof node.parameters.url === 'string') {
				node.parameters.url = node.parameters.url.replace('https://crm.example.com', crmOrigin);
			}
		}
		return { ...example, id };
	};
	return [await read('studio-call-crm-signal.json', studioExampleId), await read('contact-ended-to-sheet.json', sheetExampleId)];
}

/** A CRM that knows one caller: answers every lookup with that customer, and records the phone numbers asked. */
async function startCrm(): Promise<{ origin: string; phones: string[]; server: http.Server }> {
	const phones: string[] = [];
	const server = http.createServer((req, res) => {
		phones.push(new URL(req.url ?? '/', 'http://crm').searchParams.get('phone') ?? '');
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ customerId: 'C-42', tier: 'gold' }));
	});
	await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
	return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, phones, server };
}

/** n8n polls once a minute at most; the first poll after activation only marks the start (2.x: the first scheduled one). */
const pollWaitMs = 3 * 60_000;

let packDir: string;
let tarball: string;

beforeAll(async () => {
	const packed = await packPackage();
	packDir = packed.dir;
	tarball = packed.tarball;
}, packTimeoutMs + 30_000);

afterAll(async () => {
	if (packDir) await rm(packDir, { recursive: true, force: true });
});

describe.each<N8nLine>(['v1', 'v2'])('n8n %s: events from a real tenant', (line) => {
	let sandbox: CxoneSandbox;
	let n8n: N8nInstance | undefined;
	let crm: Awaited<ReturnType<typeof startCrm>>;
	let examples: Awaited<ReturnType<typeof shippedExamples>>;

	beforeAll(async () => {
		sandbox = new CxoneSandbox({ clientId: `e2e-${line}-triggers` });
		await sandbox.start();
		n8n = await N8nInstance.create({ line, packageTarball: tarball });
		await n8n.importCredentials([
			{
				id: accessKeyCredentialId,
				name: accessKeyCredentialName,
				type: 'niceCxoneAccessKeyApi',
				data: sandboxAccessKeyCredentialData(sandbox),
			},
		]);
		crm = await startCrm();
		examples = await shippedExamples(crm.origin);
		await n8n.importWorkflow([studioWorkflow, pollWorkflow, ...examples]);
		await n8n.activate(studioWorkflowId);
		for (const example of examples) await n8n.activate(example.id);
	});

	afterAll(async () => {
		try {
			await n8n?.dispose();
		} finally {
			crm?.server.close();
			await sandbox?.stop();
		}
	});

	async function startN8n() {
		await n8n!.start();
		await n8n!.waitForWebhook(`${studioWebhookId}/webhook`);
		await n8n!.setupOwnerAndLogin();
	}

	const studioCall = (options: Partial<StudioCall>) =>
		callFromStudio({
			url: `${n8n!.url}/webhook/${studioWebhookId}/webhook`,
			body: {},
			timeoutMs: 30_000,
			...options,
			headers: { 'X-Webhook-Secret': studioSecret, ...options.headers },
		});

	it('Studio calls: one run per event, across a repeat and an n8n restart; forged calls start none', async () => {
		await startN8n();
		const event = { eventId: `${line}-5000123-17`, contactId: '5000123', event: 'contact.data' };
		expect(await studioCall({ body: event })).toMatchObject({ ok: true, status: 200, response: { ok: true } });
		const [first] = await settledExecutions(n8n!, studioWorkflowId, 1);
		expect(first.status).toBe('success');
		const [item] = await executionItems(n8n!, first.id, 'NICE CXone Trigger');
		expect(item).toMatchObject({ ...event, audit: { action: 'receive_studio_call', interaction_id: '5000123' } });
		expect(await executionItems(n8n!, first.id, 'Set')).toEqual([{ contact: '5000123' }]);

		const repeat = await studioCall({ body: { ...event, elapsed: 2 } });
		expect(repeat.response).toEqual({ ok: true, duplicate: true });

		const forged = await studioCall({ body: { eventId: 'forged' }, headers: { 'X-Webhook-Secret': 'x'.repeat(30) } });
		expect(forged.attempts.map((attempt) => attempt.status)).toEqual([401, 401, 401]);

		// The retry of a call n8n took just before it restarted: the recent events are in the workflow's static data.
		await n8n!.stop();
		await startN8n();
		const retry = await studioCall({ body: event });
		expect(retry.response).toEqual({ ok: true, duplicate: true });

		const form = await studioCall({ contentType: 'form', body: { eventId: `${line}-form-1`, contactId: '5000124' } });
		expect(form.response).toEqual({ ok: true });
		const executions = await settledExecutions(n8n!, studioWorkflowId, 2);
		expect(executions).toHaveLength(2);
		const formItems = await executionItems(n8n!, executions[1].id, 'NICE CXone Trigger');
		expect(formItems).toEqual([expect.objectContaining({ eventId: `${line}-form-1`, contactId: '5000124' })]);
	});

	it('the example "Studio call → look up the CRM → signal the contact back" runs as shipped', async () => {
		const webhookId = examples[0].nodes.find((node) => node.webhookId)!.webhookId!;
		await n8n!.waitForWebhook(`${webhookId}/webhook`);
		const liveContactId = sandbox.realApi.seed.liveContactId;
		const answer = await callFromStudio({
			url: `${n8n!.url}/webhook/${webhookId}/webhook`,
			body: { eventId: `${line}-example-1`, contactId: liveContactId, ani: '+15550100001' },
			headers: { 'X-Webhook-Secret': 'CHANGE-ME-to-a-long-random-secret' },
			timeoutMs: 30_000,
		});
		expect(answer.response).toEqual({ ok: true });
		const [run] = await settledExecutions(n8n!, studioExampleId, 1);
		expect(run.status).toBe('success');
		expect(crm.phones).toEqual(['+15550100001']);
		expect(sandbox.realApi.contact(liveContactId)?.signals.at(-1)?.params).toMatchObject({ p1: 'C-42', p2: 'gold' });
	});

	it('Contacts polling: each event once, in order, between polls; nothing after deactivation', async () => {
		await n8n!.stop();
		await n8n!.activate(pollWorkflowId);
		// The trigger watches once it has its cursors, i.e. from its first poll that asks for contacts. That poll asks
		// for started contacts last, and no other workflow here asks for them (the sheet example watches ended ones).
		const startedPollsBefore = sandbox.stats.acdCalls.contactsActive;
		await startN8n();
		await waitFor(() => sandbox.stats.acdCalls.contactsActive > startedPollsBefore, 'the first delta poll', pollWaitMs);

		const first = sandbox.realApi.addContact({ agentId: watchedAgentId }).contactId;
		await new Promise((resolveTick) => setTimeout(resolveTick, 5));
		const second = sandbox.realApi.addContact({ agentId: watchedAgentId }).contactId;
		const [started] = await settledExecutions(n8n!, pollWorkflowId, 1, pollWaitMs);
		const events = async (executionId: string) =>
			(await executionItems(n8n!, executionId, 'NICE CXone Contacts Trigger')).map((item) => [
				item.event,
				item.contactId,
				item.contactStateName ?? item.stateName ?? null,
			]);
		expect(await events(started.id)).toEqual([
			['contactStarted', first, 'Active'],
			['contactStateChanged', first, 'Active'],
			['contactStarted', second, 'Active'],
			['contactStateChanged', second, 'Active'],
		]);

		sandbox.realApi.setContactState(first, 'Hold');
		await new Promise((resolveTick) => setTimeout(resolveTick, 5));
		sandbox.realApi.endContact(second);
		const executions = await settledExecutions(n8n!, pollWorkflowId, 2, pollWaitMs);
		expect(executions).toHaveLength(2);
		expect(await events(executions[1].id)).toEqual([
			['contactStateChanged', first, 'Hold'],
			['contactStateChanged', second, 'EndContact'],
			['contactEnded', second, null],
		]);

		await n8n!.request('POST', `/rest/workflows/${pollWorkflowId}/deactivate`, {});
		const pollsBefore = sandbox.stats.acdCalls.contactsActive;
		sandbox.realApi.endContact(first);
		await new Promise((resolveWait) => setTimeout(resolveWait, 75_000));
		expect(sandbox.stats.acdCalls.contactsActive).toBe(pollsBefore);
		expect(await listExecutions(n8n!, pollWorkflowId)).toHaveLength(2);
	});
});
