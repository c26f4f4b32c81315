/**
 * What the queue-mode suite and `npm run demo -- --queue` import: the sandbox credential and a production
 * workflow a webhook call starts, so its executions go through Redis to the workers.
 */
import { sandboxCredentialData } from '../../sandbox/credential';

// n8n wants 16 alphanumerics for workflow and credential ids.
export const QUEUE_CREDENTIAL = { id: 'queueCxoneCred01', name: 'NICE CXone sandbox (queue mode)' };
export const QUEUE_UPDATE_WORKFLOW_ID = 'queueCxoneUpdate';
/** The production webhook path of the update workflow, served by the webhook process. */
export const QUEUE_UPDATE_PATH = 'cxone-queue-update';
export const CXONE_NODE = 'NICE CXone';

export interface UpdateRow {
	interaction_id: string;
	segment: string;
}

export function queueCredential(sandbox: { url: string; clientId: string; clientSecret: string }) {
	return { ...QUEUE_CREDENTIAL, type: 'niceCxoneApi', data: sandboxCredentialData(sandbox) };
}

/**
 * Webhook (answers as soon as the run is queued) → one item per row of the body → NICE CXone → Update
 * Attributes with the node's default options: Max Requests per Second 200, the documented tenant limit.
 */
export function queueUpdateWorkflow() {
	return {
		id: QUEUE_UPDATE_WORKFLOW_ID,
		name: 'Queue mode: NICE CXone updates from a webhook',
		active: true,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a01',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '6a1f0c3e-2b4d-4e8f-9a7b-0c1d2e3f4a00',
				parameters: { httpMethod: 'POST', path: QUEUE_UPDATE_PATH, responseMode: 'onReceived', options: {} },
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
				credentials: { niceCxoneApi: QUEUE_CREDENTIAL },
				parameters: {
					operation: 'updateAttributes',
					interactionId: '={{ $json.interaction_id }}',
					attributesInput: 'fields',
					attributesUi: {
						attribute: [{ key: 'segment', valueType: 'string', value: '={{ $json.segment }}', mode: 'default' }],
					},
					defaultMode: 'UPDATE',
					options: {},
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
