/**
 * The NICE CXone Access Key API credential against the sandbox's real-API emulator: its fields, its
 * preAuthentication, and its declarative test run the way n8n's credential tester runs one (packages/cli
 * credentials-tester.service.ts): a noOp node whose only parameter routes the test request, executed by
 * n8n-core's RoutingNode, whose request helper runs preAuthentication and then `authenticate`.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type INode,
	type INodeType,
	type IRunExecutionData,
} from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';
import type { CxoneSandbox } from '../../sandbox/server';
import { additionalData, niceCxoneAccessKeyApi, type TestCredentialsHelper } from '../helpers/runWorkflow';
import { sandboxFor } from '../helpers/sandbox';
import { http, transport } from '../helpers/transport';

const credentialData = (sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) => ({
	...sandboxAccessKeyCredentialData(sandbox),
	accessToken: '',
	apiBase: '',
	digitalBase: '',
	...overrides,
});

/** An ExecuteContext of a node of `nodeType` holding the credential, and the credentials helper n8n would use. */
function contextOf(nodeType: INodeType, node: INode, data: ICredentialDataDecryptedObject) {
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
	});
	const extra = additionalData(data);
	const context = new ExecuteContext(
		workflow,
		node,
		extra,
		'internal',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	return { context, helper: extra.credentialsHelper as TestCredentialsHelper };
}

const nodeTypeWith = (name: string, properties: unknown[]) =>
	({
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: 1,
			description: 'Uses the credential under test',
			defaults: { name },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: niceCxoneAccessKeyApi.name, required: true }],
			properties,
		},
	}) as unknown as INodeType;

const nodeOf = (type: string, parameters: INode['parameters'] = {}): INode => ({
	id: 'temp',
	name: 'Temp-Node',
	type,
	typeVersion: 1,
	position: [0, 0],
	parameters,
	credentials: { [niceCxoneAccessKeyApi.name]: { id: 'cred-under-test', name: 'Credential under test' } },
});

/** The "Test credential" button for a credential with a declarative `test`: 'OK' or the error message n8n shows. */
async function testCredential(data: ICredentialDataDecryptedObject) {
	const { request } = niceCxoneAccessKeyApi.test as ICredentialTestRequest;
	const nodeType = nodeTypeWith('n8n-nodes-base.noOp', [
		{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request }, default: '' },
	]);
	const { context, helper } = contextOf(nodeType, nodeOf('n8n-nodes-base.noOp', { temp: '' }), data);
	const credentialsDecrypted = {
		id: 'cred-under-test',
		name: 'Credential under test',
		type: niceCxoneAccessKeyApi.name,
		data: { ...data },
	};
	try {
		const output = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
		return { result: 'OK', output, helper };
	} catch (error) {
		return { result: (error as Error).message, output: undefined, helper };
	}
}

describe('NICE CXone Access Key API credential', () => {
	it('declares its fields: secrets as password fields, the token and discovered bases hidden', () => {
		const byName = Object.fromEntries(niceCxoneAccessKeyApi.properties.map((field) => [field.name, field]));
		expect(niceCxoneAccessKeyApi.name).toBe('niceCxoneAccessKeyApi');
		expect(niceCxoneAccessKeyApi.documentationUrl).toMatch(/#connect-a-real-cxone-tenant$/);
		for (const name of ['accessKeySecret', 'clientSecret']) {
			expect(byName[name].typeOptions?.password).toBe(true);
		}
		expect(byName.accessKeyId.typeOptions?.password).toBeUndefined();
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(byName.apiBase.type).toBe('hidden');
		expect(byName.authHost.displayOptions).toEqual({ show: { environment: ['custom'] } });
		expect((byName.environment.options as Array<{ value: string }>).map((option) => option.value)).toEqual([
			'global',
			'fedRamp',
			'auSovereign',
			'euSovereign',
			'custom',
		]);
	});

	it('preAuthentication logs in and discovers, through the cache the nodes share', async (test) => {
		const sandbox = await sandboxFor(test);
		const data = credentialData(sandbox);
		const output = await niceCxoneAccessKeyApi.preAuthentication!.call(http, data);
		expect(output).toEqual({
			accessToken: expect.any(String),
			apiBase: sandbox.realApi.apiBase,
			digitalBase: sandbox.realApi.digitalBase,
		});
		const session = await transport.accessKeySessions.get(http, transport.accessKeyCredentialsFrom(data));
		expect(session.accessToken).toBe(output.accessToken);
		expect(sandbox.stats.loginRequests.accessKey).toBe(1);
	});

	it('Test credential logs in, discovers and makes one authenticated ACD call with Accept: application/json', async (test) => {
		const sandbox = await sandboxFor(test);
		const { result, output, helper } = await testCredential(credentialData(sandbox));
		expect(result).toBe('OK');
		expect(output?.[0][0].json).toHaveProperty('ServerTime');
		expect(sandbox.stats.loginRequests.accessKey).toBe(1);
		expect(sandbox.stats.discoveryRequests).toBe(1);
		expect(sandbox.stats.acdCalls.serverTime).toBe(1);
		expect(sandbox.stats.notRenderable).toBe(0);
		expect(helper.stored.apiBase).toBe(sandbox.realApi.apiBase);
	});

	it('Test credential with route B', async (test) => {
		const sandbox = await sandboxFor(test);
		const data = credentialData(sandbox, { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });
		const { result } = await testCredential(data);
		expect(result).toBe('OK');
		expect(sandbox.stats.loginRequests.password).toBe(1);
	});

	it('Test credential with a wrong secret shows CXone\'s text and what to check, never the secret', async (test) => {
		const sandbox = await sandboxFor(test);
		const wrong = `${sandbox.realApi.accessKeySecret}X`;
		const { result } = await testCredential(credentialData(sandbox, { accessKeySecret: wrong }));
		expect(result).toMatch(/invalid_grant/);
		expect(result).toMatch(/Access Key Secret/);
		expect(result).not.toContain(wrong);
		expect(sandbox.stats.acdCalls.serverTime).toBe(0);
	});

	it('in the HTTP Request node: after a 401 n8n runs preAuthentication again, which logs in anew', async (test) => {
		const sandbox = await sandboxFor(test);
		const { context, helper } = contextOf(
			nodeTypeWith('test.httpRequest', []),
			nodeOf('test.httpRequest'),
			credentialData(sandbox),
		);
		const send = async () =>
			(await context.helpers.httpRequestWithAuthentication.call(context, niceCxoneAccessKeyApi.name, {
				method: 'GET',
				url: `${sandbox.realApi.apiBase}/inContactAPI/services/v30.0/server-time`,
			})) as { ServerTime?: string };
		expect(await send()).toHaveProperty('ServerTime');
		const first = helper.stored.accessToken;
		await fetch(`${sandbox.url}/_sandbox/expire-access-tokens`, { method: 'POST', body: '{}' });

		expect(await send()).toHaveProperty('ServerTime');
		expect(helper.stored.accessToken).not.toBe(first);
		expect(sandbox.stats.loginRequests.accessKey).toBe(2);
		expect(sandbox.stats.notRenderable).toBe(0);
	});

	it('in the HTTP Request node, whose requests have the legacy shape (`uri`, an absolute URL): sent as given', async (test) => {
		const sandbox = await sandboxFor(test);
		const { context } = contextOf(
			nodeTypeWith('test.httpRequest', []),
			nodeOf('test.httpRequest'),
			credentialData(sandbox),
		);
		const answer = (await context.helpers.requestWithAuthentication.call(context, niceCxoneAccessKeyApi.name, {
			method: 'GET',
			uri: `${sandbox.realApi.apiBase}/inContactAPI/services/v30.0/server-time`,
			json: true,
		})) as { ServerTime?: string };
		expect(answer).toHaveProperty('ServerTime');
		expect(sandbox.stats.loginRequests.accessKey).toBe(1);
		expect(sandbox.stats.acdCalls.serverTime).toBe(1);
		expect(sandbox.stats.notRenderable).toBe(0);
	});
});
