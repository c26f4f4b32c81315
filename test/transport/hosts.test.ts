import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { transport } from '../helpers/transport';

const { credentialsFrom } = transport;

const base = { clientId: 'id', clientSecret: 'secret' };
const updateParameters = {
	operation: 'updateAttributes',
	interactionId: 'i-1',
	attributesInput: 'json',
	attributesJson: '{"a":"b"}',
};

describe('credential hosts', () => {
	it.each([
		['authHost', 'ftp://auth.example.com', /^Auth Host must use https:\/\/ \(got ftp:\/\/\)/],
		['apiHost', 'file:///etc/passwd', /^API Host must use https:\/\/ \(got file:\/\/\)/],
		[
			'authHost',
			'http://example.com',
			/^Auth Host must use https:\/\/; plain http:\/\/ is accepted only for localhost\/127\.0\.0\.1 \(got example\.com\)/,
		],
		['apiHost', 'http://api.cxone.nice.com', /^API Host must use https:\/\/; .*\(got api\.cxone\.nice\.com\)/],
		[
			'authHost',
			'https://user:pa55@platform.nicecxone.com',
			/^Auth Host must not contain a user name or password$/,
		],
		['apiHost', 'https://user@api.cxone.nice.com', /^API Host must not contain a user name or password$/],
		['apiHost', 'api.cxone.nice.com', /^API Host "api\.cxone\.nice\.com" is not an absolute URL$/],
	])('refuses %s = %s, naming the field', (field, value, message) => {
		expect(() => credentialsFrom({ ...base, [field]: value })).toThrow(message);
	});

	it('never echoes the password of a URL it refuses', () => {
		expect(() => credentialsFrom({ ...base, apiHost: 'https://user:pa55word@api.example.com' })).toThrow(
			expect.objectContaining({ message: expect.not.stringContaining('pa55word') }),
		);
	});

	it.each(['http://localhost:8080', 'http://127.0.0.1:9', 'http://[::1]:9', 'https://tenant.example.com'])(
		'accepts %s',
		(host) => {
			expect(credentialsFrom({ ...base, authHost: host, apiHost: host })).toMatchObject({ authHost: host, apiHost: host });
		},
	);

	it('uses the default hosts and scopes for empty fields and trims trailing slashes', () => {
		expect(credentialsFrom({ ...base, authHost: '', apiHost: 'https://api.example.com//', scopes: '  a   b ' })).toEqual({
			authHost: 'https://platform.nicecxone.com',
			apiHost: 'https://api.example.com',
			clientId: 'id',
			clientSecret: 'secret',
			scopes: 'a b',
			allowUnauthorizedCerts: false,
		});
	});

	it('a workflow with a refused host fails before any request: no token, no update', async (test) => {
		const sandbox = await sandboxFor(test);
		// 0.0.0.0 reaches the sandbox on Linux, so a request that slipped through would be counted.
		const sneaky = sandbox.url.replace('127.0.0.1', '0.0.0.0');
		const refused: ICredentialDataDecryptedObject[] = [
			{ authHost: sneaky },
			{ apiHost: sneaky },
			{ apiHost: 'http://example.com' },
		];
		for (const overrides of refused) {
			const result = await runNiceCxone({
				credentials: sandboxCredentials(sandbox, overrides),
				parameters: updateParameters,
				items: [{}, {}],
			});
			expect(result.error?.message).toMatch(/^Credential: (Auth|API) Host must use https:\/\/; plain http:\/\//);
			expect(result.error?.description).toMatch(/nothing was sent to CXone/);
		}
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it('with Continue On Fail, every item carries the credential error', async (test) => {
		const sandbox = await sandboxFor(test);
		const result = await runNiceCxone({
			credentials: sandboxCredentials(sandbox, { authHost: 'https://me:pw@auth.example.com' }),
			parameters: updateParameters,
			items: [{}, {}],
			continueOnFail: true,
		});
		expect(result.output.map((item) => item.json.error)).toEqual([
			'Credential: Auth Host must not contain a user name or password',
			'Credential: Auth Host must not contain a user name or password',
		]);
		expect(result.output.every((item) => item.json.status === 'failure')).toBe(true);
		expect(sandbox.stats.tokenRequests).toBe(0);
	});
});
