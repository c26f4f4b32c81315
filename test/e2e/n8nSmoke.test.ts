import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { N8nInstance, nodeOutput, type N8nLine } from './n8nInstance';

// n8n wants 16 alphanumerics for a workflow id.
const workflowId = 'e2eSmokeWorkflow';

const workflow = {
	id: workflowId,
	name: 'e2e smoke',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7b0d3a4e-0f4c-4c8e-9d6a-3f1e2a5b6c01',
			name: 'Manual Trigger',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '7b0d3a4e-0f4c-4c8e-9d6a-3f1e2a5b6c02',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [220, 0],
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						// An expression, so the run goes through the line's expression engine too.
						{ id: 'greeting', name: 'greeting', type: 'string', value: '={{ "hello " + "n8n" }}' },
					],
				},
				options: {},
			},
		},
	],
	connections: {
		'Manual Trigger': { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
	},
};

// Activated before start, so the server registers its production webhook while booting.
const webhookWorkflowId = 'e2eSmokeWebhook1';

const webhookWorkflow = {
	id: webhookWorkflowId,
	name: 'e2e smoke webhook',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7b0d3a4e-0f4c-4c8e-9d6a-3f1e2a5b6c03',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '7b0d3a4e-0f4c-4c8e-9d6a-3f1e2a5b6c04',
			parameters: { httpMethod: 'POST', path: 'e2e-smoke', responseMode: 'lastNode', options: {} },
		},
		{ ...workflow.nodes[1], id: '7b0d3a4e-0f4c-4c8e-9d6a-3f1e2a5b6c05' },
	],
	connections: {
		Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
	},
};

// Stands in for a service whose credential n8n tests: only the right API key gets a 200.
function startKeyCheckingStub(): Promise<Server> {
	const server = createServer((request, response) => {
		const ok = request.headers['x-n8n-api-key'] === 'right-key';
		response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
		response.end(JSON.stringify(ok ? { data: [] } : { message: 'unauthorized' }));
	});
	return new Promise((resolveServer) => server.listen(0, '127.0.0.1', () => resolveServer(server)));
}

describe.each<N8nLine>(['v1', 'v2'])('n8n %s', (line) => {
	let n8n: N8nInstance;
	let stub: Server;

	beforeAll(async () => {
		const started = Date.now();
		n8n = await N8nInstance.create({ line });
		console.info(`n8n ${line}: installed or reused in ${Date.now() - started} ms at ${n8n.installDir}`);
		stub = await startKeyCheckingStub();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await new Promise((resolveClose) => stub?.close(resolveClose));
	});

	it('imports and executes a Manual Trigger → Set workflow', async () => {
		await n8n.importWorkflow(workflow);
		const run = await n8n.execute(workflowId);
		expect(nodeOutput(run, 'Set')).toEqual([{ greeting: 'hello n8n' }]);
	});

	it('serves /healthz, an activated webhook and the credential test, then stops', async () => {
		await n8n.importWorkflow(webhookWorkflow);
		await n8n.activate(webhookWorkflowId);
		const started = Date.now();
		await n8n.start();
		console.info(`n8n ${line}: ready ${Date.now() - started} ms after start`);

		const health = await fetch(`${n8n.url}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toEqual({ status: 'ok' });

		await n8n.waitForWebhook('e2e-smoke');
		const hook = await fetch(`${n8n.url}/webhook/e2e-smoke`, { method: 'POST' });
		expect(hook.status).toBe(200);
		expect(await hook.json()).toEqual({ greeting: 'hello n8n' });

		await n8n.setupOwnerAndLogin();
		const baseUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/api/v1`;
		const accepted = await n8n.testCredential({ type: 'n8nApi', data: { apiKey: 'right-key', baseUrl } });
		expect(accepted.status).toBe('OK');
		const rejected = await n8n.testCredential({ type: 'n8nApi', data: { apiKey: 'wrong-key', baseUrl } });
		expect(rejected.status).toBe('Error');

		const url = n8n.url;
		await n8n.stop();
		await expect(fetch(`${url}/healthz`)).rejects.toThrow();
	});
});
