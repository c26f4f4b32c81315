/**
 * What the queue-mode suite and `npm run demo -- --queue` import: the sandbox credential and a production
 * workflow a webhook call starts, so its executions go through Redis to the workers.
 */
import { sandboxAccessKeyCredentialData, sandboxCredentialData } from '../../sandbox/credential';
import type { CxoneSandbox } from '../../sandbox/server';

// n8n wants 16 alphanumerics for workflow and credential ids.
export const QUEUE_CREDENTIAL = { id: 'queueCxoneCred01', name: 'NICE CXone sandbox (queue mode)' };
export const CXONE_NODE = 'NICE CXone';

export interface UpdateWorkflowOptions {
	id: string;
	/** The production webhook path, served by the webhook process. */
	path: string;
	/** The Webhook node's id, unique across workflows. */
	webhookId: string;
	/** The node's Max Requests per Second; its default (200, the documented tenant limit) when absent. */
	maxRequestsPerSecond?: number;
	/** The niceCxoneApi credential the node uses; QUEUE_CREDENTIAL unless given. */
	credential?: { id: string; name: string };
}

/** With the node's default options, as a user who changed nothing runs it. */
export const DEFAULT_UPDATE: UpdateWorkflowOptions = {
	id: 'queueCxoneUpdate',
	path: 'cxone-queue-update',
	webhookId: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a00',
};

export interface UpdateRow {
	interaction_id: string;
	segment: string;
}

export function queueCredential(sandbox: { url: string; clientId: string; clientSecret: string }) {
	return { ...QUEUE_CREDENTIAL, type: 'niceCxoneApi', data: sandboxCredentialData(sandbox) };
}

/** Webhook (answers as soon as the run is queued) → one item per row of the body → NICE CXone → Update Attributes. */
export function queueUpdateWorkflow(options: UpdateWorkflowOptions) {
	const { id, path, webhookId, maxRequestsPerSecond, credential = QUEUE_CREDENTIAL } = options;
	return {
		id,
		name: `Queue mode: NICE CXone updates from a webhook (${path})`,
		active: true,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a01',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId,
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a02',
				name: 'One item per row',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.rows', options: {} },
			},
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a03',
				name: CXONE_NODE,
				type: 'n8n-nodes-nice-cxone.niceCxone',
				typeVersion: 1,
				position: [440, 0],
				credentials: { niceCxoneApi: credential },
				parameters: {
					operation: 'updateAttributes',
					interactionId: '={{ $json.interaction_id }}',
					attributesInput: 'fields',
					attributesUi: {
						attribute: [{ key: 'segment', valueType: 'string', value: '={{ $json.segment }}', mode: 'default' }],
					},
					defaultMode: 'UPDATE',
					options: maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond },
				},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'One item per row', type: 'main', index: 0 }]] },
			'One item per row': { main: [[{ node: CXONE_NODE, type: 'main', index: 0 }]] },
		},
	};
}

/** `count` rows with ids unique to `batch`, so every update of every execution can be told apart. */
export function updateRows(batch: string, count: number): UpdateRow[] {
	return Array.from({ length: count }, (_, index) => ({
		interaction_id: `${batch}-${String(index).padStart(5, '0')}`,
		segment: index % 2 === 0 ? 'enterprise' : 'smb',
	}));
}

export const QUEUE_ACCESS_KEY_CREDENTIAL = { id: 'queueCxoneAKey01', name: 'NICE CXone sandbox tenant (queue mode)' };

export function queueAccessKeyCredential(sandbox: CxoneSandbox) {
	return { ...QUEUE_ACCESS_KEY_CREDENTIAL, type: 'niceCxoneAccessKeyApi', data: sandboxAccessKeyCredentialData(sandbox) };
}

export const STUDIO_TRIGGER = {
	id: 'queueCxoneStudio',
	webhookId: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a20',
	secret: 'queue-studio-secret-0123456789',
	node: 'NICE CXone Trigger',
};

/** CXone Studio calls → NICE CXone Trigger (Studio mode), served by the webhook processes, run by the workers. */
export function studioTriggerWorkflow() {
	return {
		id: STUDIO_TRIGGER.id,
		name: 'Queue mode: CXone Studio calls',
		active: true,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a21',
				name: STUDIO_TRIGGER.node,
				type: 'n8n-nodes-nice-cxone.niceCxoneTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: STUDIO_TRIGGER.webhookId,
				parameters: { registration: 'studio', webhookSecret: STUDIO_TRIGGER.secret },
			},
		],
		connections: {},
	};
}

export const CONTACTS_TRIGGER = {
	id: 'queueCxoneContPl',
	node: 'NICE CXone Contacts Trigger',
	/** The agent whose contacts it watches, so the sandbox's seeded contacts stay out of it. */
	agentId: 5_151_515,
};

/** NICE CXone Contacts Trigger polling every minute: the main process polls, a worker runs each execution. */
export function contactsTriggerWorkflow() {
	return {
		id: CONTACTS_TRIGGER.id,
		name: 'Queue mode: CXone contacts polling',
		active: true,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a31',
				name: CONTACTS_TRIGGER.node,
				type: 'n8n-nodes-nice-cxone.niceCxoneContactsTrigger',
				typeVersion: 1,
				position: [0, 0],
				credentials: { niceCxoneAccessKeyApi: QUEUE_ACCESS_KEY_CREDENTIAL },
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					events: ['contactStarted', 'contactStateChanged', 'contactEnded'],
					filters: { agentId: CONTACTS_TRIGGER.agentId },
				},
			},
		],
		connections: {},
	};
}
