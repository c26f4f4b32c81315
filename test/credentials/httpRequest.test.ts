/**
 * The credential as a predefined credential type of n8n's HTTP Request node: n8n-core's
 * httpRequestWithAuthentication runs preAuthentication (token into the hidden expirable field)
 * and `authenticate` (the Bearer header), and after a 401 runs preAuthentication again.
 */
import { ExecuteContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeType,
	type IRunExecutionData,
} from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { attributesPath } from '../sandbox/testClient';
import type { CxoneSandbox } from '../../sandbox/server';
import { sandboxFor } from '../helpers/sandbox';
import { additionalData, niceCxoneApi, sandboxCredentials, type TestCredentialsHelper } from '../helpers/runWorkflow';
import { http, transport } from '../helpers/transport';

/** A stand-in for the HTTP Request node: any node that lists the credential and sends its own requests. */
const httpNodeType = {
	description: {
		displayName: 'HTTP Request',
		name: 'test.httpRequest',
		group: ['output'],
		version: 1,
		description: 'Sends requests with a predefined credential type',
		defaults: { name: 'HTTP Request' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: niceCxoneApi.name, required: true }],
		properties: [],
	},
} as unknown as INodeType;

/** An ExecuteContext of that node, and the credentials helper holding what n8n would have stored. */
function httpRequestNode(data: ICredentialDataDecryptedObject) {
	const node: INode = {
		id: 'http',
		name: 'HTTP Request',
		type: 'test.httpRequest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [niceCxoneApi.name]: { id: 'cred-1', name: 'CXone' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => httpNodeType,
			getByNameAndVersion: () => httpNodeType,
			getKnownTypes: () => ({}),
		},
	});
	const extra = additionalData(data);
	const context = new ExecuteContext(
		workflow,
		node,
		extra,
		'manual',
		{ resultData: { runData: {} } } as IRunExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const send = async (sandbox: CxoneSandbox, interactionId: string) =>
		(await context.helpers.httpRequestWithAuthentication.call(context, niceCxoneApi.name, {
			method: 'POST',
			url: `${sandbox.url}${attributesPath(encodeURIComponent(interactionId))}`,
			body: { attributes: [{ key: 'source', value: 'http-request-node', mode: 'UPDATE' }] },
			json: true,
		})) as IDataObject;
	return { send, helper: extra.credentialsHelper as TestCredentialsHelper };
}

describe('the credential in the HTTP Request node', () => {
	it('preAuthentication fills accessToken and authenticate sends it as a Bearer token', async (test) => {
		const sandbox = await sandboxFor(test);
		const { send, helper } = httpRequestNode(sandboxCredentials(sandbox));
		const response = await send(sandbox, 'i-1');
		expect(response).toMatchObject({ interactionId: 'i-1', attributes: [{ key: 'source', value: 'http-request-node' }] });
		expect(helper.stored.accessToken).toMatch(/^sbx_at_/);
		expect(sandbox.received[0].headers.authorization).toBe(`Bearer ${helper.stored.accessToken as string}`);
		expect(sandbox.stats.tokenRequests).toBe(1);

		// The stored token is used as is on the next request: no token request.
		await send(sandbox, 'i-2');
		expect(sandbox.received[1].headers.authorization).toBe(`Bearer ${helper.stored.accessToken as string}`);
		expect(sandbox.stats.tokenRequests).toBe(1);
	});

	it('after a 401 n8n runs preAuthentication again: the refused token is dropped, a new one fetched', async (test) => {
		const sandbox = await sandboxFor(test);
		const { send, helper } = httpRequestNode(sandboxCredentials(sandbox));
		await send(sandbox, 'i-1');
		const first = helper.stored.accessToken;
		sandbox.revokeTokens();

		const response = await send(sandbox, 'i-2');
		expect(response).toMatchObject({ interactionId: 'i-2' });
		expect(helper.stored.accessToken).not.toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(2);
		expect(sandbox.received.map((body) => body.headers.authorization)).toEqual([
			`Bearer ${first as string}`,
			`Bearer ${first as string}`,
			`Bearer ${helper.stored.accessToken as string}`,
		]);
	});

	it('shares the token with the NICE CXone node: same credential, one token', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = sandboxCredentials(sandbox);
		const nodeToken = await transport.tokenCache.get(http, transport.credentialsFrom(credentials));
		const { send, helper } = httpRequestNode(credentials);
		await send(sandbox, 'i-1');
		expect(helper.stored.accessToken).toBe(nodeToken);
		expect(sandbox.stats.tokenRequests).toBe(1);
	});

	it('a wrong secret fails with CXone\'s error_description, without the secret', async (test) => {
		const sandbox = await sandboxFor(test);
		const secret = `bad-${sandbox.clientSecret.slice(-10)}`;
		const { send } = httpRequestNode(sandboxCredentials(sandbox, { clientSecret: secret }));
		const error = (await send(sandbox, 'i-1').catch((caught: unknown) => caught)) as Error & IDataObject;
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(/CXone token request failed \(401 invalid_client\): Client authentication failed/);
		expect(JSON.stringify(error)).not.toContain(secret);
		expect(error.message).not.toContain(secret);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});
});
