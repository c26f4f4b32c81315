import type { INodeType } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { loadBuilt } from '../helpers/built';
import { niceCxoneApi } from '../helpers/runWorkflow';

const { NiceCxone } = loadBuilt<{ NiceCxone: new () => INodeType }>('nodes/NiceCxone/NiceCxone.node.js');

describe('the "NICE CXone API" credential as n8n loads it', () => {
	it('has the fields of issue 3, the secret as a password and the token as a hidden expirable field', () => {
		const fields = Object.fromEntries(niceCxoneApi.properties.map((property) => [property.name, property]));
		expect(Object.keys(fields)).toEqual([
			'authHost',
			'apiHost',
			'clientId',
			'clientSecret',
			'scopes',
			'ignoreSslIssues',
			'accessToken',
		]);
		expect(fields.authHost.default).toBe('https://platform.nicecxone.com');
		expect(fields.apiHost.default).toBe('https://api.cxone.nice.com');
		expect(fields.scopes.default).toBe('interactions:write webhooks:write');
		expect(fields.ignoreSslIssues).toMatchObject({ type: 'boolean', default: false });
		expect(fields.clientSecret.typeOptions).toEqual({ password: true });
		expect(fields.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(typeof niceCxoneApi.preAuthentication).toBe('function');
	});

	it('authenticates with the fetched token as a Bearer header; the node tests it', () => {
		expect(niceCxoneApi.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
		});
		expect(niceCxoneApi.test).toBeUndefined();
		const node = new NiceCxone() as INodeType & { methods: { credentialTest: Record<string, unknown> } };
		expect(typeof node.methods.credentialTest.niceCxoneApiTest).toBe('function');
	});

	it('is the credential of the node for Client Credentials, the access key for real tenants; an AI agent may use the node as a tool', () => {
		const { description } = new NiceCxone();
		expect(description.credentials).toEqual([
			{ name: 'niceCxoneAccessKeyApi', required: true, displayOptions: { show: { authentication: ['accessKey'] } } },
			{
				name: niceCxoneApi.name,
				required: true,
				testedBy: 'niceCxoneApiTest',
				displayOptions: { show: { authentication: ['clientCredentials'] } },
			},
		]);
		expect(description.usableAsTool).toBe(true);
	});
});
