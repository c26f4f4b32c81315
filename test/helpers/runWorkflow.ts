/**
 * Runs real workflows with n8n-core's WorkflowExecute: the built nodes from dist/, a source node
 * emitting the test's items, and a credentials helper of the test's own whose credential data
 * goes through the package's real token flow.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { loadBuilt } from './built';

const { NiceCxone } = loadBuilt<{ NiceCxone: new () => INodeType }>('nodes/NiceCxone/NiceCxone.node.js');
const { NiceCxoneApi } = loadBuilt<{ NiceCxoneApi: new () => { preAuthentication: Function } }>(
	'credentials/NiceCxoneApi.credentials.js',
);

/** Emits the items in its `items` parameter: the workflow's input. */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items',
		name: 'testItems',
		group: ['input'],
		version: 1,
		description: 'Emits test items',
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getNodeParameter('items', 0) as IDataObject[] | string;
		const list = typeof items === 'string' ? (JSON.parse(items) as IDataObject[]) : items;
		return [list.map((json) => ({ json }))];
	}
}

const nodeTypeMap: Record<string, INodeType> = {
	'n8n-nodes-nice-cxone.niceCxone': new NiceCxone(),
	'test.items': new ItemsSource(),
};

export const nodeTypes: INodeTypes = {
	getByName: (type: string) => nodeTypeMap[type] as INodeType | IVersionedNodeType,
	getByNameAndVersion: (type: string) => nodeTypeMap[type],
	getKnownTypes: () => ({}),
};

/** Credential data for the sandbox at `url`. */
export function sandboxCredentials(
	sandbox: { url: string; clientId: string; clientSecret: string },
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		authHost: sandbox.url,
		apiHost: sandbox.url,
		clientId: sandbox.clientId,
		clientSecret: sandbox.clientSecret,
		scopes: 'interactions:write webhooks:write',
		allowUnauthorizedCerts: false,
		accessToken: '',
		...overrides,
	};
}

export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.accessToken)}` },
		};
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		if (credentials.accessToken && !credentialsExpired) return undefined;
		return (await new NiceCxoneApi().preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		if (type !== 'niceCxoneApi') throw new Error(`Unknown credential type ${type}`);
		return { ...this.data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(): INodeProperties[] {
		return [];
	}
}

export function additionalData(
	credentials: ICredentialDataDecryptedObject,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base = 'http://127.0.0.1:5678';
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used in these tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('task runners are not used in these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunResult {
	run: IRun;
	/** The NICE CXone node's output items (main output 0). */
	output: INodeExecutionData[];
	/** The error the node stopped with, if it did. */
	error?: Error & { description?: string | null; context?: IDataObject };
}

let executionCounter = 0;

/** Runs Items → NICE CXone with `parameters` on `items`, the node's settings in `settings`. */
export async function runNiceCxone(options: {
	credentials: ICredentialDataDecryptedObject;
	parameters: INodeParameters;
	items: IDataObject[];
	continueOnFail?: boolean;
}): Promise<RunResult> {
	const nodes: INode[] = [
		{
			id: 'items',
			name: 'Items',
			type: 'test.items',
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: options.items as unknown as INodeParameters[] },
		},
		{
			id: 'cxone',
			name: 'NICE CXone',
			type: 'n8n-nodes-nice-cxone.niceCxone',
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { niceCxoneApi: { id: 'cred-1', name: 'Sandbox' } },
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		},
	];
	const connections = { Items: { main: [[{ node: 'NICE CXone', type: 'main' as const, index: 0 }]] } };
	const workflow = new Workflow({
		id: 'wf-test',
		name: 'test',
		nodes,
		connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const executionId = String(++executionCounter);
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: 'wf-test',
		name: 'test',
		nodes,
		connections,
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const data = additionalData(options.credentials, hooks);
	data.executionId = executionId;
	const run = await new WorkflowExecute(data, 'manual').run({ workflow, startNode: nodes[0] });
	const task = run.data.resultData.runData['NICE CXone']?.[0];
	return {
		run,
		output: task?.data?.main?.[0] ?? [],
		error: (task?.error ?? run.data.resultData.error) as RunResult['error'],
	};
}
