/**
 * The "Test credential" button as n8n runs it (packages/cli credentials-tester.service.ts): a
 * temporary copy of the NoOp node whose one property routes `credentialType.test.request`, run by
 * n8n-core's RoutingNode inside an ExecuteContext, with the errors mapped the way the service maps them.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type IDataObject,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypes,
	type IRunExecutionData,
} from 'n8n-workflow';

import { additionalData, niceCxoneApi, type TestCredentialsHelper } from './runWorkflow';

/** What n8n's NoOp node contributes to the temporary node type: its name and version. */
const noOpDescription = {
	displayName: 'No Operation, do nothing',
	name: 'n8n-nodes-base.noOp',
	group: ['organization'],
	version: 1,
	description: 'No Operation',
	defaults: { name: 'No Operation, do nothing' },
	inputs: ['main'],
	outputs: ['main'],
	properties: [],
} as unknown as INodeType['description'];

interface RoutingFailure {
	message?: string;
	cause?: { response?: { status: number; statusText?: string }; code?: string };
}

export interface CredentialTestRun {
	result: INodeCredentialTestResult;
	/** The error RoutingNode threw, when it threw one. */
	error?: Error & IDataObject;
	/** The credentials helper, to see what preAuthentication persisted. */
	helper: TestCredentialsHelper;
}

/** Tests `data` as the NICE CXone API credential the way n8n's "Test credential" button does. */
export async function testCredential(data: ICredentialDataDecryptedObject): Promise<CredentialTestRun> {
	const test = niceCxoneApi.test as ICredentialTestRequest;
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: noOpDescription.name,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [niceCxoneApi.name]: { id: 'cred-under-test', name: 'Credential under test' } },
	};
	const nodeTypeCopy: INodeType = {
		description: {
			...noOpDescription,
			credentials: [{ name: niceCxoneApi.name, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' },
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeTypeCopy,
		getByNameAndVersion: () => nodeTypeCopy,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const runExecutionData = { resultData: { runData: {} } } as IRunExecutionData;
	const extra = additionalData(data);
	const helper = extra.credentialsHelper as TestCredentialsHelper;
	const credentialsDecrypted = { id: 'cred-under-test', name: 'Credential under test', type: niceCxoneApi.name, data };
	const context = new ExecuteContext(
		workflow,
		node,
		extra,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	try {
		await new RoutingNode(context, nodeTypeCopy, credentialsDecrypted).runNode();
	} catch (caught) {
		const error = caught as Error & RoutingFailure & IDataObject;
		return { result: failureOf(error, test), error, helper };
	}
	return { result: { status: 'OK', message: 'Connection successful!' }, helper };
}

/** The service's catch block: rules for a matching status, else statusText, cause.code, message. */
function failureOf(error: RoutingFailure, test: ICredentialTestRequest): INodeCredentialTestResult {
	const response = error.cause?.response;
	if (response) {
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		if (response.status < 199 || response.status > 299) {
			return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
		}
	} else if (error.cause?.code) {
		return { status: 'Error', message: error.cause.code };
	}
	return { status: 'Error', message: String(error.message) };
}
