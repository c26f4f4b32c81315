import { describe, it } from 'vitest';

import { requestToken } from '../sandbox/testClient';
import type { CxoneSandbox } from '../../sandbox/server';
import { testCredential } from '../helpers/credentialTest';
import { sandboxFor } from '../helpers/sandbox';
import { sandboxCredentials } from '../helpers/runWorkflow';

/** What the sandbox itself answers to `form`, so expectations follow the server instead of a copy of its text. */
async function tokenRefusal(sandbox: CxoneSandbox, form: Record<string, string>): Promise<string> {
	const response = await requestToken(sandbox.url, { grant_type: 'client_credentials', ...form });
	if (response.status === 200) throw new Error('expected the sandbox to refuse this token request');
	return response.body.error_description as string;
}

describe('"Test credential" as n8n runs it (credentials-tester.service)', () => {
	it.concurrent('succeeds with good credentials and stores the fetched token', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const run = await testCredential(sandboxCredentials(sandbox));
		expect(run).toEqual({ status: 'OK', message: 'Token issued and the API host accepted it' });
		// One token request proves the client; one call to the API host proves the host takes the token.
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.stats.calls.listWebhooks).toBe(1);
		expect(sandbox.stats.statuses[200]).toBe(2);
	});

	it.concurrent('a client without webhooks:write passes, and is told what it cannot do', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished }, { allowedScopes: ['interactions:write'] });
		const run = await testCredential(sandboxCredentials(sandbox, { scopes: 'interactions:write' }));
		expect(run.status).toBe('OK');
		expect(run.message).toMatch(/lacks the webhooks:write scope: Update Attributes works/);
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.stats.calls.listWebhooks).toBe(1);
	});

	it.concurrent('an API Host that refuses the token fails, naming the API host', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const other = await sandboxFor({ onTestFinished });
		const run = await testCredential(sandboxCredentials(sandbox, { apiHost: other.url }));
		expect(run.status).toBe('Error');
		expect(run.message).toMatch(/^API host: CXone request failed \(401 invalid_token\)/);
		expect(run.message).toMatch(/Auth Host and API Host belong to the same tenant/);
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(other.stats.calls.listWebhooks).toBe(1);
	});

	it.concurrent('a wrong secret fails with CXone\'s error_description and never shows the secret', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const secret = `wrong-${sandbox.clientSecret.slice(-12)}`;
		const described = await tokenRefusal(sandbox, { client_id: sandbox.clientId, client_secret: secret });
		for (const accessToken of ['', 'a-token-stored-by-an-earlier-run']) {
			const run = await testCredential(sandboxCredentials(sandbox, { clientSecret: secret, accessToken }));
			expect(run.status).toBe('Error');
			expect(run.message).toContain(described);
			expect(run.message).toMatch(/401 invalid_client/);
			expect(run.message).toMatch(/check the Client ID, the Client Secret/);
			expect(JSON.stringify(run)).not.toContain(secret);
		}
	});

	it.concurrent('a wrong client id fails the same clear way', async ({ expect, onTestFinished }) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const described = await tokenRefusal(sandbox, { client_id: 'nobody', client_secret: sandbox.clientSecret });
		const run = await testCredential(sandboxCredentials(sandbox, { clientId: 'nobody' }));
		expect(run).toEqual({ status: 'Error', message: expect.stringContaining(described) });
	});

	it.concurrent('a scope the client may not use fails with CXone\'s error_description', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished }, { allowedScopes: ['interactions:write'] });
		const form = { client_id: sandbox.clientId, client_secret: sandbox.clientSecret, scope: 'webhooks:write' };
		const described = await tokenRefusal(sandbox, form);
		const run = await testCredential(sandboxCredentials(sandbox, { scopes: 'webhooks:write' }));
		expect(run.status).toBe('Error');
		expect(run.message).toContain(described);
		expect(run.message).toMatch(/400 invalid_request/);
	});

	it.concurrent('an Auth Host without the token endpoint fails with what that host answered', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const run = await testCredential(sandboxCredentials(sandbox, { authHost: `${sandbox.url}/wrong-base` }));
		expect(run.status).toBe('Error');
		expect(run.message).toMatch(
			/CXone token request failed \(404 not_found\): No route POST \/wrong-base\/oauth\/token/,
		);
		expect(run.message).toMatch(/check the Auth Host/);
	});

	it.concurrent('an Auth Host nobody listens on fails with a clear connection message', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const closed = await sandboxFor({ onTestFinished });
		await closed.stop();
		const run = await testCredential(sandboxCredentials(sandbox, { authHost: closed.url }));
		expect(run.status).toBe('Error');
		expect(run.message).toMatch(/ECONNREFUSED/);
		expect(run.message).toMatch(/auth server could not be reached/);
	});

	it.concurrent.for<[string, string, RegExp]>([
		['authHost', 'http://example.com', /^Auth Host must use https:\/\/; plain http:\/\/ is accepted only for localhost/],
		['authHost', 'ftp://platform.nicecxone.com', /^Auth Host must use https:\/\/ \(got ftp:\/\/\)/],
		['apiHost', 'https://me:pw@api.cxone.nice.com', /^API Host must not contain a user name or password/],
	])('refuses %s = %s before any request, naming the field', async ([field, value, message], context) => {
		const { expect, onTestFinished } = context;
		const sandbox = await sandboxFor({ onTestFinished });
		const run = await testCredential(sandboxCredentials(sandbox, { [field]: value, accessToken: 'stored-token' }));
		expect(run.status).toBe('Error');
		expect(run.message).toMatch(message);
		expect(sandbox.stats.tokenRequests).toBe(0);
	});

	it.concurrent('a plain-http Auth Host that is not loopback gets no request even when it would reach a server', async ({
		expect,
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		// 0.0.0.0 reaches the sandbox on Linux, so a request that slipped through would be counted.
		const authHost = sandbox.url.replace('127.0.0.1', '0.0.0.0');
		const run = await testCredential(sandboxCredentials(sandbox, { authHost }));
		expect(run.message).toMatch(/^Auth Host must use https:\/\/; .*\(got 0\.0\.0\.0\)/);
		expect(sandbox.stats.tokenRequests).toBe(0);
	});
});
