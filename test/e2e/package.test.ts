/**
 * The packed package in real n8n, both lines: installed from its tarball the way the Community Nodes
 * screen installs it, driven through n8n's CLI and REST API against the CXone sandbox.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { serverTimeWorkflow } from '../../demo/serverTimeWorkflow';
import packageJson from '../../package.json';
import { sandboxAccessKeyCredentialData, sandboxCredentialData } from '../../sandbox/credential';
import { CxoneSandbox } from '../../sandbox/server';
import { N8nCliError, N8nInstance, nodeOutput, type ExecutionRun, type N8nLine } from './n8nInstance';
import {
	executionData,
	listExecutions,
	packPackage,
	packTimeoutMs,
	pollTimeoutMs,
	waitFor,
	type ListedExecution,
	type RunData,
} from './support';

// n8n wants 16 alphanumerics for workflow and credential ids.
const credentialId = 'e2eCxoneCredent1';
const bulkWorkflowId = 'e2eCxoneBulkWf01';
const triggerWorkflowId = 'e2eCxoneTrigWf01';
const triggerWebhookId = '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b60';
const credentialName = 'NICE CXone sandbox (e2e)';

const interactionIds = Array.from({ length: 20 }, (_, index) => `e2e-ix-${String(index + 1).padStart(2, '0')}`);
const rows = interactionIds.map((interactionId, index) => ({
	interaction_id: interactionId,
	segment: index % 2 === 0 ? 'enterprise' : 'smb',
	priority: index + 1,
}));

const storedCredential = { id: credentialId, name: credentialName, type: 'niceCxoneApi' };
const credentialRef = { niceCxoneApi: { id: credentialId, name: credentialName } };

const bulkWorkflow = {
	id: bulkWorkflowId,
	name: 'e2e NICE CXone bulk update',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b01',
			name: 'Manual Trigger',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		// Raw JSON plus Split Out needs no Code node, so no task runner is involved on either line.
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b02',
			name: 'Rows',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} },
		},
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b03',
			name: 'One item per row',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [440, 0],
			parameters: { fieldToSplitOut: 'rows', options: {} },
		},
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b04',
			name: 'NICE CXone',
			type: 'n8n-nodes-nice-cxone.niceCxone',
			typeVersion: 1,
			position: [660, 0],
			credentials: credentialRef,
			parameters: {
				operation: 'updateAttributes',
				interactionId: '={{ $json.interaction_id }}',
				attributesInput: 'fields',
				attributesUi: {
					attribute: [
						{ key: 'segment', valueType: 'string', value: '={{ $json.segment }}', mode: 'default' },
						{ key: 'priority', valueType: 'number', value: '={{ $json.priority }}', mode: 'default' },
					],
				},
				defaultMode: 'UPDATE',
				options: {},
			},
		},
	],
	connections: {
		'Manual Trigger': { main: [[{ node: 'Rows', type: 'main', index: 0 }]] },
		Rows: { main: [[{ node: 'One item per row', type: 'main', index: 0 }]] },
		'One item per row': { main: [[{ node: 'NICE CXone', type: 'main', index: 0 }]] },
	},
};

const autoMapWorkflowId = 'e2eCxoneAutoMap1';

/** The same rows through Map Automatically: the ID from `interaction_id`, `priority` left out. */
const autoMapWorkflow = {
	...bulkWorkflow,
	id: autoMapWorkflowId,
	name: 'e2e NICE CXone Map Automatically',
	nodes: bulkWorkflow.nodes.map((node) =>
		node.name === 'NICE CXone'
			? {
					...node,
					id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b05',
					parameters: {
						operation: 'updateAttributes',
						attributesInput: 'autoMap',
						interactionIdField: 'interaction_id',
						fieldsToIgnore: 'priority',
						defaultMode: 'UPDATE',
						options: { includeResponse: false },
					},
				}
			: node,
	),
};

const errorOutputWorkflowId = 'e2eCxoneErrOut01';

/** The bulk rows plus one with an ID CXone cannot take, through On Error → Continue (using error output). */
const errorOutputWorkflow = {
	...bulkWorkflow,
	id: errorOutputWorkflowId,
	name: 'e2e NICE CXone error output',
	nodes: bulkWorkflow.nodes.map((node) => {
		if (node.name === 'Rows') {
			const withBadRow = { rows: [...rows.slice(0, 3), { interaction_id: 'e2e/bad', segment: 'smb', priority: 0 }] };
			return { ...node, parameters: { ...node.parameters, jsonOutput: JSON.stringify(withBadRow) } };
		}
		return node.name === 'NICE CXone'
			? { ...node, id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b06', onError: 'continueErrorOutput' }
			: node;
	}),
};

const triggerWorkflow = {
	id: triggerWorkflowId,
	name: 'e2e NICE CXone trigger',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b11',
			name: 'NICE CXone Trigger',
			type: 'n8n-nodes-nice-cxone.niceCxoneTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: triggerWebhookId,
			credentials: credentialRef,
			parameters: { registration: 'automatic', events: ['interaction.attributes.updated'] },
		},
		{
			id: '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b12',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'interaction', name: 'interaction', type: 'string', value: '={{ $json.interactionId }}' },
					],
				},
				options: {},
			},
		},
	],
	connections: {
		'NICE CXone Trigger': { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
	},
};

const accessKeyCredential = { id: 'e2eCxoneAccKey01', name: 'NICE CXone sandbox access key (e2e)' };
const wrongAccessKeyCredential = { id: 'e2eCxoneBadKey01', name: 'NICE CXone sandbox wrong secret (e2e)' };
const serverTimeWorkflowId = 'e2eCxoneSrvTime1';
const wrongSecretWorkflowId = 'e2eCxoneBadKeyW1';

let packDir: string;
let tarball: string;

beforeAll(async () => {
	// test:e2e has just built dist/; the tarball is made from that, exactly as for publishing.
	const packed = await packPackage();
	packDir = packed.dir;
	tarball = packed.tarball;
	const files = packed.files;

	expect(files).toContain('package.json');
	for (const entry of [...packageJson.n8n.credentials, ...packageJson.n8n.nodes]) {
		expect(files).toContain(entry);
	}
	expect(files).toContain('dist/nodes/NiceCxone/niceCxone.svg');
	expect(files).toContain('dist/credentials/niceCxone.svg');
	// npm adds README and LICENSE whatever `files` says; anything else must come from dist/.
	const strays = files.filter(
		(file) => !file.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/i.test(file),
	);
	expect(strays).toEqual([]);
	expect(files.filter((file) => /(^|\/)test\/|(^|\/)src\/|\.test\.|(?<!\.d)\.ts$/.test(file))).toEqual([]);
}, packTimeoutMs + 30_000);

afterAll(async () => {
	if (packDir) await rm(packDir, { recursive: true, force: true });
});

describe.each<N8nLine>(['v1', 'v2'])('n8n %s with the packed package', (line) => {
	let sandbox: CxoneSandbox;
	let n8n: N8nInstance | undefined;
	let credentialData: Record<string, unknown>;
	let started: number;

	beforeAll(async () => {
		started = Date.now();
		// A fresh sandbox per line, so its counters describe this line only.
		sandbox = new CxoneSandbox({ clientId: `e2e-${line}-client` });
		await sandbox.start();
		n8n = await N8nInstance.create({ line, packageTarball: tarball });
		credentialData = sandboxCredentialData(sandbox);
		await n8n.importCredentials([{ ...storedCredential, data: credentialData }]);
		await n8n.importWorkflow([bulkWorkflow, autoMapWorkflow, errorOutputWorkflow, triggerWorkflow]);
	});

	afterAll(async () => {
		try {
			await n8n?.dispose();
		} finally {
			await sandbox?.stop();
			console.info(`n8n ${line}: package suite took ${Date.now() - started} ms`);
		}
	});

	it('updates the attributes of 20 items with `n8n execute`, one audit record each', async () => {
		const run = await n8n!.execute(bulkWorkflowId);
		expect(run.status).toBe('success');
		const runData = run.data.resultData.runData as RunData;
		const items = runData['NICE CXone']?.[0]?.data?.main?.[0] ?? [];
		expect(items).toHaveLength(20);

		const hashes = new Map(sandbox.applied.map((update) => [update.interactionId, update.sha256]));
		expect(sandbox.applied).toHaveLength(20);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({
				service: 'cxone.attribute.updater',
				interaction_id: interactionIds[index],
				action: 'update_attributes',
				status: 'success',
				error_code: null,
			});
			expect(item.json.payload_hash).toBe(hashes.get(interactionIds[index]));
			expect(item.pairedItem).toEqual({ item: index });
		});
		expect(sandbox.snapshot(interactionIds[4])?.attributes).toEqual([
			{ key: 'segment', value: 'enterprise', mode: 'UPDATE' },
			{ key: 'priority', value: 5, mode: 'UPDATE' },
		]);
		// One token for the whole run: every item shares the process-wide cache.
		expect(sandbox.stats.tokenRequests).toBe(1);
	});

	it('Map Automatically sends the fields of each item but its ID field and Fields to Ignore', async () => {
		const before = sandbox.applied.length;
		const run = await n8n!.execute(autoMapWorkflowId);
		expect(run.status).toBe('success');
		const items = (run.data.resultData.runData as RunData)['NICE CXone']?.[0]?.data?.main?.[0] ?? [];
		expect(items.map((item) => [item.json.interaction_id, item.json.status])).toEqual(
			interactionIds.map((interactionId) => [interactionId, 'success']),
		);
		// Sent 10 at a time, so the sandbox may apply them in another order than the items'.
		const applied = new Map(sandbox.applied.slice(before).map((update) => [update.interactionId, update]));
		expect(applied.size).toBe(20);
		rows.forEach((row, index) => {
			const update = applied.get(row.interaction_id);
			expect(update?.attributes).toEqual([{ key: 'segment', value: row.segment, mode: 'UPDATE' }]);
			expect(items[index].json.payload_hash).toBe(update?.sha256);
		});
	});

	it('On Error → Continue (using error output): success records on output 0, the failure record on the error output', async () => {
		const run = await n8n!.execute(errorOutputWorkflowId);
		expect(run.status).toBe('success');
		const outputs = (run.data.resultData.runData as RunData)['NICE CXone']?.[0]?.data?.main ?? [];
		expect((outputs[0] ?? []).map((item) => [item.json.interaction_id, item.json.status, item.pairedItem])).toEqual(
			interactionIds.slice(0, 3).map((interactionId, index) => [interactionId, 'success', { item: index }]),
		);
		const failed = outputs[1] ?? [];
		expect(failed).toHaveLength(1);
		expect(failed[0].pairedItem).toEqual({ item: 3 });
		expect(failed[0].json.interaction_id).toBe('e2e/bad');
		expect(failed[0].json.error).toMatchObject({
			error: 'Item 3: Interaction ID may not contain "/", "?" or "#"',
			action: 'update_attributes',
			status: 'failure',
			error_code: 'validation_error',
			interaction_id: null,
			attempts: 0,
		});
	});

	// Before the trigger test starts the server: `n8n execute` runs in a process of its own, on the stored data.
	it('the HTTP Request node calls ACD server-time with the Access Key credential; a wrong secret shows CXone\'s reason', async () => {
		const data = sandboxAccessKeyCredentialData(sandbox);
		const wrongSecret = 'E2EWRONGHTTPSECRETE2EWRONGHTTP==';
		await n8n!.importCredentials([
			{ ...accessKeyCredential, type: 'niceCxoneAccessKeyApi', data },
			{ ...wrongAccessKeyCredential, type: 'niceCxoneAccessKeyApi', data: { ...data, accessKeySecret: wrongSecret } },
		]);
		const apiBase = sandbox.realApi.apiBase;
		// The demo's workflow, so this also proves the one `npm run demo` imports.
		await n8n!.importWorkflow([
			serverTimeWorkflow({
				id: serverTimeWorkflowId,
				name: 'e2e HTTP Request with the access key',
				apiBase,
				credential: accessKeyCredential,
				nodeIds: ['3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b21', '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b22'],
			}),
			serverTimeWorkflow({
				id: wrongSecretWorkflowId,
				name: 'e2e HTTP Request with a wrong secret',
				apiBase,
				credential: wrongAccessKeyCredential,
				nodeIds: ['3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b31', '3c0e9a52-6f1d-4b8e-a7c4-1d2e3f4a5b32'],
			}),
		]);
		const counts = () => ({
			accessKeyLogins: sandbox.stats.loginRequests.accessKey,
			passwordLogins: sandbox.stats.loginRequests.password,
			discoveries: sandbox.stats.discoveryRequests,
			serverTimeCalls: sandbox.stats.acdCalls.serverTime,
			notRenderable: sandbox.stats.notRenderable,
		});
		const delta = (before: ReturnType<typeof counts>) => {
			const after = counts();
			return Object.fromEntries(
				Object.entries(after).map(([name, value]) => [name, value - before[name as keyof typeof after]]),
			);
		};

		const sentAfter = new Date();
		let before = counts();
		const run = await n8n!.execute(serverTimeWorkflowId);
		expect(run.status).toBe('success');
		const [answer] = nodeOutput(run, 'HTTP Request');
		expect(Object.keys(answer)).toEqual(['ServerTime']);
		const serverTime = new Date(answer.ServerTime as string);
		expect(serverTime.getTime()).toBeGreaterThanOrEqual(sentAfter.getTime());
		expect(serverTime.getTime()).toBeLessThanOrEqual(Date.now());
		// A fresh n8n process: one access-key login, one discovery, one call, sent with Accept: application/json.
		expect(delta(before)).toEqual({
			accessKeyLogins: 1,
			passwordLogins: 0,
			discoveries: 1,
			serverTimeCalls: 1,
			notRenderable: 0,
		});

		// n8n stored the token in the credential's expirable field, so the next execution, another process, reuses it.
		before = counts();
		expect((await n8n!.execute(serverTimeWorkflowId)).status).toBe('success');
		expect(delta(before)).toEqual({
			accessKeyLogins: 0,
			passwordLogins: 0,
			discoveries: 0,
			serverTimeCalls: 1,
			notRenderable: 0,
		});

		before = counts();
		const failure = await n8n!.execute(wrongSecretWorkflowId).then(
			(finished) => ({ run: finished as ExecutionRun | undefined, output: '' }),
			(error: unknown) => {
				if (!(error instanceof N8nCliError)) throw error;
				return { run: error.run as ExecutionRun | undefined, output: error.message };
			},
		);
		const runError = failure.run?.data.resultData.error as { message?: string } | undefined;
		console.info(`n8n ${line}: HTTP Request node with a wrong secret: ${runError?.message}`);
		expect(failure.run?.status).toBe('error');
		expect(runError?.message).toMatch(/invalid_grant/);
		expect(JSON.stringify(failure.run)).not.toContain(wrongSecret);
		expect(failure.output).not.toContain(wrongSecret);
		expect(n8n!.logs).not.toContain(wrongSecret);
		// n8n's legacy request helper runs preAuthentication once more after any failure, so the key is tried twice.
		expect(delta(before)).toEqual({
			accessKeyLogins: 2,
			passwordLogins: 0,
			discoveries: 0,
			serverTimeCalls: 0,
			notRenderable: 0,
		});
	});

	it('registers the trigger on activation, runs once per callback, refuses forgeries and unregisters', async () => {
		await n8n!.activate(triggerWorkflowId);
		await n8n!.start();
		await n8n!.waitForWebhook(`${triggerWebhookId}/webhook`);
		await n8n!.setupOwnerAndLogin();
		const productionUrl = `${n8n!.url}/webhook/${triggerWebhookId}/webhook`;

		const webhooks = [...sandbox.webhooks.values()];
		expect(webhooks).toHaveLength(1);
		expect(webhooks[0].uri).toBe(productionUrl);
		expect(webhooks[0].events).toEqual(['interaction.attributes.updated']);
		expect(Object.keys(webhooks[0].headers ?? {})).toEqual(['X-Webhook-Secret']);
		expect(webhooks[0].headers?.['X-Webhook-Secret']).toMatch(/^\S{32,}$/);

		const attributes = [{ key: 'disposition', value: 'resolved', mode: 'UPDATE' }];
		const update = await updateOnSandbox(sandbox, 'e2e-trigger-ix', attributes);
		await sandbox.settleCallbacks();
		const event = sandbox.applied.find((applied) => applied.interactionId === 'e2e-trigger-ix')!;
		expect(update.status).toBe(200);
		expect(sandbox.deliveries.filter((delivery) => delivery.eventId === event.eventId)).toEqual([
			{ webhookId: webhooks[0].id, eventId: event.eventId, attempt: 1, status: 200 },
		]);

		const execution = await waitForOnlyExecution(n8n!, triggerWorkflowId);
		expect(execution.status).toBe('success');
		const detail = await n8n!.request<{ data: unknown }>('GET', `/rest/executions/${execution.id}`);
		const runData = executionData(n8n!, detail.data).resultData.runData;
		const [triggerItem] = runData['NICE CXone Trigger'][0].data!.main![0]!;
		expect(triggerItem.json).toMatchObject({
			eventId: event.eventId,
			eventType: 'interaction.attributes.updated',
			interactionId: 'e2e-trigger-ix',
			attributes,
			audit: { action: 'receive_callback', status: 'success', interaction_id: 'e2e-trigger-ix' },
		});
		expect(runData.Set[0].data!.main![0]![0].json).toEqual({ interaction: 'e2e-trigger-ix' });

		const forged = await fetch(productionUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				eventId: 'evt_forged',
				eventType: 'interaction.attributes.updated',
				interactionId: 'e2e-trigger-ix',
				attributes,
				occurredAt: new Date().toISOString(),
				callbackLatencyMs: 1,
			}),
			signal: AbortSignal.timeout(pollTimeoutMs),
		});
		expect(forged.status).toBe(401);
		expect((await listExecutions(n8n!, triggerWorkflowId)).map((listed) => listed.id)).toEqual([execution.id]);

		// Both lines answer this route; 2.x also unpublishes the workflow through it.
		await n8n!.request('POST', `/rest/workflows/${triggerWorkflowId}/deactivate`, {});
		await waitFor(() => sandbox.webhooks.size === 0, 'the sandbox webhook to be deleted on deactivation');
	});

	it('the Access Key credential passes "Test credential" with the sandbox\'s key: login, discovery, server-time', async () => {
		const data = sandboxAccessKeyCredentialData(sandbox);
		const before = { logins: sandbox.stats.loginRequests.accessKey, serverTime: sandbox.stats.acdCalls.serverTime };
		const accepted = await n8n!.testCredential({ type: 'niceCxoneAccessKeyApi', data });
		console.info(`n8n ${line}: test access key credential (right secret): ${JSON.stringify(accepted)}`);
		expect(accepted.status).toBe('OK');
		expect(sandbox.stats.loginRequests.accessKey).toBeGreaterThan(before.logins);
		expect(sandbox.stats.acdCalls.serverTime).toBeGreaterThan(before.serverTime);
		expect(sandbox.stats.notRenderable).toBe(0);

		const wrongSecret = 'E2EWRONGSECRETE2EWRONGSECRET====';
		const rejected = await n8n!.testCredential({
			type: 'niceCxoneAccessKeyApi',
			data: { ...data, accessKeySecret: wrongSecret },
		});
		console.info(`n8n ${line}: test access key credential (wrong secret): ${JSON.stringify(rejected)}`);
		expect(rejected.status).toBe('Error');
		expect(rejected.message).toMatch(/invalid_grant/);
		expect(rejected.message).not.toContain(wrongSecret);
	});

	it('passes n8n\'s "Test credential" with the sandbox secret and fails with a wrong one', async () => {
		const accepted = await n8n!.testCredential({ ...storedCredential, data: credentialData });
		console.info(`n8n ${line}: test credential (right secret): ${JSON.stringify(accepted)}`);
		expect(accepted.status).toBe('OK');

		const rejected = await n8n!.testCredential({
			...storedCredential,
			data: { ...credentialData, clientSecret: 'wrong-secret' },
		});
		console.info(`n8n ${line}: test credential (wrong secret): ${JSON.stringify(rejected)}`);
		expect(rejected.status).toBe('Error');
		// The sandbox's error_description for invalid_client, carried through to what the editor shows.
		expect(rejected.message).toContain('Client authentication failed: unknown client or wrong secret');
		expect(rejected.message).not.toContain('wrong-secret');
	});
});

/** What CXone does for a tenant's own update: take a token, then POST the attributes. */
async function updateOnSandbox(sandbox: CxoneSandbox, interactionId: string, attributes: unknown[]): Promise<Response> {
	const tokenResponse = await fetch(`${sandbox.url}/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({
			grant_type: 'client_credentials',
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
			scope: 'interactions:write',
		}),
	});
	const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
	return await fetch(`${sandbox.url}/api/v2/interactions/${encodeURIComponent(interactionId)}/attributes`, {
		method: 'POST',
		headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify({ attributes }),
	});
}

/** The callback is answered before the run ends, so the execution may still be running at first. */
async function waitForOnlyExecution(n8n: N8nInstance, workflowId: string): Promise<ListedExecution> {
	let executions: ListedExecution[] = [];
	await waitFor(async () => {
		executions = await listExecutions(n8n, workflowId);
		return executions.some((execution) => !['new', 'running', 'waiting'].includes(execution.status));
	}, `an execution of ${workflowId} to finish`);
	expect(executions).toHaveLength(1);
	return executions[0];
}
