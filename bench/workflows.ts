/**
 * The credentials and workflows the benchmark imports into n8n. Every workflow runs the node under
 * test twice in one execution: a first (cold) pass on a fresh n8n process, then a second (warm) pass
 * that is measured, since n8n in production is a long-running process that has long since warmed up.
 */
import { ATTRIBUTE_BODY_EXPRESSION, itemsCode, type ItemFields } from './items';

// n8n ids are 16 alphanumerics.
export const CXONE_CREDENTIAL = { id: 'benchCxoneCred01', name: 'NICE CXone sandbox' };

/** Node names in every benchmark workflow. */
export const COLD = 'Cold pass';
export const WARM = 'Measured pass';

export interface Sandbox {
	url: string;
	clientId: string;
	clientSecret: string;
}

const SCOPE = 'interactions:write';

export function cxoneCredential(sandbox: Sandbox) {
	return {
		...CXONE_CREDENTIAL,
		type: 'niceCxoneApi',
		data: {
			authHost: sandbox.url,
			apiHost: sandbox.url,
			clientId: sandbox.clientId,
			clientSecret: sandbox.clientSecret,
			scopes: SCOPE,
		},
	};
}

/**
 * n8n's generic OAuth2 credential for the same client. n8n stores the token it fetches in the
 * credential, so each HTTP Request workflow gets a credential of its own and starts without one.
 */
export function oAuth2Credential(sandbox: Sandbox, id: string) {
	return {
		id,
		name: `OAuth2 ${id}`,
		type: 'oAuth2Api',
		data: {
			grantType: 'clientCredentials',
			accessTokenUrl: `${sandbox.url}/oauth/token`,
			clientId: sandbox.clientId,
			clientSecret: sandbox.clientSecret,
			scope: SCOPE,
			authentication: 'body',
		},
	};
}

export interface CxoneSettings {
	concurrency: number;
	maxRequestsPerSecond: number;
}

/** NICE CXone → Update Attributes with `input`, the way the node takes its interaction id and attributes. */
function niceCxoneNode<Input extends Record<string, string>>(settings: CxoneSettings, input: Input) {
	return {
		type: 'n8n-nodes-nice-cxone.niceCxone',
		typeVersion: 1,
		credentials: { niceCxoneApi: CXONE_CREDENTIAL },
		parameters: {
			operation: 'updateAttributes',
			...input,
			defaultMode: 'UPDATE',
			options: { concurrency: settings.concurrency, maxRequestsPerSecond: settings.maxRequestsPerSecond },
		},
	};
}

/**
 * "Using JSON": like the HTTP Request node below, one expression for the target and one for the body,
 * so both pay n8n's expression engine the same number of times.
 */
export const cxoneNode = (settings: CxoneSettings) =>
	niceCxoneNode(settings, {
		interactionId: '={{ $json.id }}',
		attributesInput: 'json',
		attributesJson:
			'={{ { customer_segment: $json.segment, routing_priority: $json.priority, compliance_flag: $json.flag } }}',
	});

/**
 * "Map Automatically" on items an earlier node already shaped (`itemsCode(n, 'mapped')`): no expression
 * is evaluated per item. The same bodies as `cxoneNode`.
 */
export const cxoneAutoMapNode = (settings: CxoneSettings) =>
	niceCxoneNode(settings, { attributesInput: 'autoMap', interactionIdField: 'interactionId' });

export interface Batching {
	batchSize: number;
	batchIntervalMs: number;
}

/** n8n's HTTP Request node posting the same body with the OAuth2 credential; Batching only when given. */
export function httpRequestNode(sandbox: Sandbox, credentialId: string, batching?: Batching) {
	return {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		credentials: { oAuth2Api: { id: credentialId, name: `OAuth2 ${credentialId}` } },
		parameters: {
			method: 'POST',
			url: `=${sandbox.url}/api/v2/interactions/{{ encodeURIComponent($json.id) }}/attributes`,
			authentication: 'genericCredentialType',
			genericAuthType: 'oAuth2Api',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: ATTRIBUTE_BODY_EXPRESSION,
			options: batching
				? { batching: { batch: { batchSize: batching.batchSize, batchInterval: batching.batchIntervalMs } } }
				: {},
		},
	};
}

/**
 * Edit Fields evaluating the NICE CXone node's two expressions and sending nothing: what n8n itself
 * spends per item on any node that reads two expression parameters, the floor under both nodes.
 */
export function engineFloorNode() {
	const parameters = cxoneNode({ concurrency: 1, maxRequestsPerSecond: 0 }).parameters;
	return {
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{ id: 'interactionId', name: 'interactionId', type: 'string', value: parameters.interactionId },
					{ id: 'attributes', name: 'attributes', type: 'object', value: parameters.attributesJson },
				],
			},
			options: {},
		},
	};
}

/** A node as a benchmark workflow holds it: everything but its name, id and position. */
export interface NodeUnderTest {
	type: string;
	typeVersion: number;
	credentials?: Record<string, { id: string; name: string }>;
	parameters: Record<string, unknown>;
}

/**
 * Manual Trigger → Code (`coldItems` items) → node → Code (`items` items) → the same node again;
 * `fields` names the items' fields.
 * The Code node builds items in n8n, so no input data crosses the CLI.
 */
export function benchWorkflow(
	id: string,
	name: string,
	node: NodeUnderTest,
	items: number,
	coldItems = items,
	fields: ItemFields = 'crm',
) {
	return twoPassWorkflow(id, name, node, itemsCode(coldItems, fields), itemsCode(items, fields));
}

/** Manual Trigger → Code (`coldCode`) → node → Code (`warmCode`) → the same node again. */
export function twoPassWorkflow(id: string, name: string, node: NodeUnderTest, coldCode: string, warmCode: string) {
	const chain = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		{ name: 'Items', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: coldCode } },
		{ name: COLD, ...node },
		{ name: 'Items again', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: warmCode } },
		{ name: WARM, ...node },
	];
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: chain.map((entry, index) => ({ id: `${id}-${index}`, position: [index * 220, 0], ...entry })),
		connections: Object.fromEntries(
			chain
				.slice(1)
				.map((entry, index) => [chain[index].name, { main: [[{ node: entry.name, type: 'main', index: 0 }]] }]),
		),
	};
}
