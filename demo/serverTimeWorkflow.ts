import { SERVER_TIME_PATH } from '../nodes/NiceCxone/constants';

export interface ServerTimeWorkflowOptions {
	id: string;
	name: string;
	/** The tenant's API base (discovery's api_endpoint, or the sandbox's `API Base:`). */
	apiBase: string;
	/** The NICE CXone Access Key API credential stored in n8n. */
	credential: { id: string; name: string };
	/** Node ids, which n8n wants as UUIDs: the Manual Trigger's, then the HTTP Request node's. */
	nodeIds: [string, string];
}

/**
 * n8n's own HTTP Request node calling CXone's ACD server-time with the Access Key credential (Predefined
 * Credential Type). The node takes only absolute URLs: the tenant's API base followed by the ACD path.
 */
export function serverTimeWorkflow({ id, name, apiBase, credential, nodeIds }: ServerTimeWorkflowOptions) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: nodeIds[0],
				name: 'Manual Trigger',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: nodeIds[1],
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				credentials: { niceCxoneAccessKeyApi: credential },
				parameters: {
					method: 'GET',
					url: `${apiBase}${SERVER_TIME_PATH}`,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'niceCxoneAccessKeyApi',
					options: {},
				},
			},
		],
		connections: { 'Manual Trigger': { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
	};
}
