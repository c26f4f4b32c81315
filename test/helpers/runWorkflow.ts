/**
 * Runs real workflows with n8n-core's WorkflowExecute: the built nodes from dist/, a source node
 * emitting the test's items, and a credentials helper of the test's own whose credential data
 * goes through the package's real token flow.
 */
import { ExecuteContext, ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	Workflow,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { vi, type TestContext } from 'vitest';

import { sandboxCredentialData } from '../../sandbox/credential';
import { loadBuilt } from './built';

const { NiceCxone } = loadBuilt<{ NiceCxone: new () => INodeType }>('nodes/NiceCxone/NiceCxone.node.js');
const { NiceCxoneApi } = loadBuilt<{ NiceCxoneApi: new () => ICredentialType }>(
	'credentials/NiceCxoneApi.credentials.js',
);

const { NiceCxoneAccessKeyApi } = loadBuilt<{ NiceCxoneAccessKeyApi: new () => ICredentialType }>(
	'credentials/NiceCxoneAccessKeyApi.credentials.js',
);

/** The built credential types, as n8n's CredentialTypes would hand them out. */
export const niceCxoneApi = new NiceCxoneApi();
export const niceCxoneAccessKeyApi = new NiceCxoneAccessKeyApi();

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
	return { ...sandboxCredentialData(sandbox), accessToken: '', ...overrides };
}

/**
 * n8n's CredentialsHelper (packages/cli credentials-helper.ts) reduced to one credential type:
 * preAuthentication runs when the expirable field is empty, the token expired, or a credential
 * test is running, and its output is persisted; `authenticate` is applied the way n8n applies it.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	/** The credential data as stored, including what preAuthentication persisted. */
	stored: ICredentialDataDecryptedObject;

	constructor(data: ICredentialDataDecryptedObject) {
		super();
		this.stored = { ...data };
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = credentialType(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (typeof authenticate === 'object' && authenticate.type === 'generic') {
			if (!workflow || !node) throw new Error('Workflow and node are required for declarative authentication');
			const resolve = (value: string) =>
				isExpression(value)
					? String(
							workflow.expression.getSimpleParameterValue(
								node,
								value,
								'internal',
								{ $credentials: credentials },
								undefined,
								'',
							) ?? '',
						)
					: value;
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
				target[outerKey] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					target[outerKey][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable === undefined || typeof type.preAuthentication !== 'function') return undefined;
		const isTestingCredentials = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined || !node.credentials) return undefined;
		this.stored = { ...this.stored, ...(output as ICredentialDataDecryptedObject) };
		return Object.assign(credentials, output);
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
		credentialType(type);
		return { ...this.stored };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialType(type).properties;
	}
}

function credentialType(name: string): ICredentialType {
	const type = [niceCxoneApi, niceCxoneAccessKeyApi].find((known) => known.name === name);
	if (!type) throw new Error(`Unknown credential type ${name}`);
	return type;
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
	/** The items n8n routed to the node's error output (main output 1, with On Error → Continue (using error output)). */
	errorOutput: INodeExecutionData[];
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
	/** The node's On Error setting; continueOnFail is short for continueRegularOutput. */
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	/** The node's version: 1 unless given. */
	typeVersion?: number;
	/** The credential type the node uses: NICE CXone API unless given. */
	credentialType?: 'niceCxoneApi' | 'niceCxoneAccessKeyApi';
}): Promise<RunResult> {
	const onError = options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined);
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
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { [options.credentialType ?? 'niceCxoneApi']: { id: 'cred-1', name: 'Sandbox' } },
			...(onError ? { onError } : {}),
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
		errorOutput: task?.data?.main?.[1] ?? [],
		error: (task?.error ?? run.data.resultData.error) as RunResult['error'],
	};
}

/**
 * Logs every getNodeParameter call of the workflow's nodes until the test ends, as "name@itemIndex".
 * n8n-core binds getNodeParameter to each context, so the reads are seen on the prototype method it calls.
 */
export function recordParameterReads(test: Pick<TestContext, 'onTestFinished'>): string[] {
	const reads: string[] = [];
	const context = ExecuteContext.prototype as unknown as {
		_getNodeParameter(name: string, itemIndex: number, ...rest: unknown[]): unknown;
	};
	const read = context._getNodeParameter;
	const spy = vi.spyOn(context, '_getNodeParameter').mockImplementation(function (this: unknown, name, itemIndex, ...rest) {
		reads.push(`${name}@${itemIndex}`);
		return read.call(this, name, itemIndex, ...rest);
	});
	test.onTestFinished(() => spy.mockRestore());
	return reads;
}

/**
 * n8n-core's context for a node's loadOptions and listSearch methods, as the editor's dynamic-parameters request
 * builds it: the NICE CXone node (version 2) with `parameters` as the editor's current values.
 */
export function loadOptionsContext(
	credentials: ICredentialDataDecryptedObject,
	parameters: INodeParameters,
	credentialType: 'niceCxoneApi' | 'niceCxoneAccessKeyApi' = 'niceCxoneAccessKeyApi',
): ILoadOptionsFunctions {
	const node: INode = {
		id: 'cxone',
		name: 'NICE CXone',
		type: 'n8n-nodes-nice-cxone.niceCxone',
		typeVersion: 2,
		position: [0, 0],
		parameters,
		credentials: { [credentialType]: { id: 'cred-1', name: 'Sandbox' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const data = additionalData(credentials);
	data.currentNodeParameters = parameters;
	return new LoadOptionsContext(workflow, node, data, 'parameters');
}
