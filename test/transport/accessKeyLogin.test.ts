/**
 * The access-key login of real tenants (spec cxone-real-api.md §1, §2, §8) against the sandbox's real-API
 * emulator, through n8n-core's request helper: route A and B, discovery, the shared session cache, and errors
 * that say what to check without carrying a secret or a token.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { describe, expect, it, type TestContext } from 'vitest';

import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';
import type { CxoneSandbox } from '../../sandbox/server';
import { sandboxFor } from '../helpers/sandbox';
import { http, sleep, transport } from '../helpers/transport';

const { accessKeyCredentialsFrom, accessKeyRequest, accessKeySessions, ACCESS_KEY_HINTS, CxoneError } = transport;

const SERVER_TIME = '/inContactAPI/services/v30.0/server-time';

/** The credential's data for the sandbox. */
const credentialData = (sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) =>
	sandboxAccessKeyCredentialData(sandbox, overrides as Record<string, string | boolean>);

const serverTime = async (credentials: ReturnType<typeof accessKeyCredentialsFrom>) =>
	await accessKeyRequest<{ ServerTime: string }>(http, credentials, { method: 'GET', path: SERVER_TIME });

const routeB = (sandbox: CxoneSandbox) => ({ clientId: sandbox.clientId, clientSecret: sandbox.clientSecret });

const credentialsOf = (sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) =>
	accessKeyCredentialsFrom(credentialData(sandbox, overrides));

async function loginFailure(sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) {
	const error = await accessKeySessions.get(http, credentialsOf(sandbox, overrides)).then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(CxoneError);
	return error as InstanceType<typeof CxoneError>;
}

/** Neither the message, the hint nor the JSON of `error` holds a secret or a token the sandbox issued. */
function expectNothingSecret(error: InstanceType<typeof CxoneError>, sandbox: CxoneSandbox) {
	const shown = [error.message, error.hint, JSON.stringify(error), String(error.stack)].join('\n');
	for (const secret of [sandbox.realApi.accessKeySecret, sandbox.clientSecret, ...sandbox.realApi.issuedTokens()]) {
		expect(shown).not.toContain(secret);
	}
}

const control = async (sandbox: CxoneSandbox, path: string, body: unknown = {}) => {
	const response = await fetch(`${sandbox.url}/_sandbox/${path}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	expect(response.status).toBe(204);
};

/** A host that answers every request with an HTML 200, like a portal or a proxy's login page. */
async function htmlHost(test: Pick<TestContext, 'onTestFinished'>): Promise<string> {
	const server = createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/html' });
		res.end('<html><body>Sign in</body></html>');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	test.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('access-key login (spec §1, §2)', () => {
	it('route A: logs in with the access key, reads tenantId from the token and discovers the API base', async (test) => {
		const sandbox = await sandboxFor(test);
		const session = await accessKeySessions.get(http, credentialsOf(sandbox));
		expect(session).toMatchObject({
			tenantId: sandbox.realApi.tenantId,
			apiBase: sandbox.realApi.apiBase,
			digitalBase: sandbox.realApi.digitalBase,
		});
		expect(sandbox.realApi.issuedTokens('access')).toContain(session.accessToken);
		expect(sandbox.stats.loginRequests).toEqual({ accessKey: 1, password: 0 });
		expect(sandbox.stats.discoveryRequests).toBe(1);
		expect(await serverTime(credentialsOf(sandbox))).toHaveProperty('ServerTime');
		expect(sandbox.stats.notRenderable).toBe(0);
	});

	it('route B: the password grant at the discovered token endpoint, with Basic client auth', async (test) => {
		const sandbox = await sandboxFor(test);
		const session = await accessKeySessions.get(http, credentialsOf(sandbox, routeB(sandbox)));
		expect(session.tenantId).toBe(sandbox.realApi.tenantId);
		expect(session.apiBase).toBe(sandbox.realApi.apiBase);
		expect(sandbox.stats.openidConfigurationRequests).toBe(1);
		expect(sandbox.stats.loginRequests).toEqual({ accessKey: 0, password: 1 });
	});

	it('builds the Digital base from area and domain as NICE\'s SDK does, unless the credential overrides it', async (test) => {
		const sandbox = await sandboxFor(test, { area: 'eu1' });
		const session = await accessKeySessions.get(http, credentialsOf(sandbox, { digitalBaseOverride: '' }));
		expect(session.digitalBase).toBe('https://api-de-eu1.cxone-sandbox.invalid');
	});

	it('50 concurrent callers share one login and one discovery', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = credentialsOf(sandbox);
		const answers = await Promise.all(
			Array.from({ length: 50 }, async () => await serverTime(credentials)),
		);
		expect(answers).toHaveLength(50);
		expect(sandbox.stats.loginRequests.accessKey).toBe(1);
		expect(sandbox.stats.discoveryRequests).toBe(1);
		expect(sandbox.stats.acdCalls.serverTime).toBe(50);
		expect(sandbox.stats.notRenderable).toBe(0);
	});

	it('logs in again before the token expires', async (test) => {
		const sandbox = await sandboxFor(test, { accessTokenLifetimeSeconds: 2 });
		const credentials = credentialsOf(sandbox);
		const first = await accessKeySessions.get(http, credentials);
		expect((await accessKeySessions.get(http, credentials)).accessToken).toBe(first.accessToken);
		// A 2 s token is reused for half its life, then replaced by a new login.
		await sleep(1_100);
		const second = await accessKeySessions.get(http, credentials);
		expect(second.accessToken).not.toBe(first.accessToken);
		expect(sandbox.stats.loginRequests.accessKey).toBe(2);
	});

	it('on a 401 logs in once more and retries the call once', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = credentialsOf(sandbox);
		const first = await accessKeySessions.get(http, credentials);
		await control(sandbox, 'expire-access-tokens');
		const answers = await Promise.all(
			Array.from({ length: 5 }, async () => await serverTime(credentials)),
		);
		expect(answers).toHaveLength(5);
		expect(sandbox.stats.loginRequests.accessKey).toBe(2);
		expect((await accessKeySessions.get(http, credentials)).accessToken).not.toBe(first.accessToken);
	});
});

describe('access-key login failures say what to check, without secrets', () => {
	it('a wrong access key secret', async (test) => {
		const sandbox = await sandboxFor(test);
		const wrong = `${sandbox.realApi.accessKeySecret.slice(0, -4)}AAA=`;
		const error = await loginFailure(sandbox, { accessKeySecret: wrong });
		expect(error.status).toBe(401);
		expect(error.message).toMatch(/invalid_grant/);
		expect(error.message).toMatch(/Invalid access key/);
		expect(error.hint).toBe(ACCESS_KEY_HINTS.wrongKey);
		expect(error.message + error.hint + JSON.stringify(error)).not.toContain(wrong);
		expectNothingSecret(error, sandbox);
	});

	it('a wrong client secret (route B)', async (test) => {
		const sandbox = await sandboxFor(test);
		const wrong = `${sandbox.clientSecret}x`;
		const error = await loginFailure(sandbox, { clientId: sandbox.clientId, clientSecret: wrong });
		expect(error.code).toBe('invalid_client');
		expect(error.hint).toBe(ACCESS_KEY_HINTS.invalidClient);
		expect(error.message + JSON.stringify(error)).not.toContain(wrong);
		expectNothingSecret(error, sandbox);
	});

	it('an app NICE has not approved yet (route B)', async (test) => {
		const sandbox = await sandboxFor(test, { appApproved: false });
		const error = await loginFailure(sandbox, routeB(sandbox));
		expect(error.code).toBe('invalid_client');
		expect(error.message).toMatch(/not yet approved/);
		expect(error.hint).toMatch(/approved/);
		expectNothingSecret(error, sandbox);
	});

	it('a revoked access key, on route A and route B', async (test) => {
		const sandbox = await sandboxFor(test);
		await control(sandbox, 'revoke-access-key');
		for (const overrides of [{}, routeB(sandbox)]) {
			const error = await loginFailure(sandbox, overrides);
			expect(error.code).toBe('invalid_grant');
			expect(error.hint).toBe(ACCESS_KEY_HINTS.wrongKey);
			expect(error.hint).toMatch(/revoked/);
			expectNothingSecret(error, sandbox);
		}
	});

	it('a discovery that keeps failing', { timeout: 30_000 }, async (test) => {
		const sandbox = await sandboxFor(test);
		sandbox.realApi.injectFault('cxoneConfiguration', 503, 3);
		const error = await loginFailure(sandbox);
		expect(error.status).toBe(503);
		expect(error.hint).toBe(ACCESS_KEY_HINTS.discovery);
		expect(sandbox.stats.faultsInjected).toBe(3);
		expectNothingSecret(error, sandbox);
	});

	it('a 2xx that is not JSON is an error, at the auth host and at the API base', async (test) => {
		const sandbox = await sandboxFor(test);
		const html = await htmlHost(test);
		const atLogin = await loginFailure(sandbox, { authHost: html });
		expect(atLogin.code).toBe('invalid_response');
		expect(atLogin.hint).toBe(ACCESS_KEY_HINTS.notJson);

		const credentials = credentialsOf(sandbox, { apiBaseOverride: html });
		const atApi = await serverTime(credentials).catch(
			(caught: unknown) => caught as InstanceType<typeof CxoneError>,
		);
		expect(atApi).toBeInstanceOf(CxoneError);
		expect((atApi as InstanceType<typeof CxoneError>).code).toBe('invalid_response');
		expectNothingSecret(atApi as InstanceType<typeof CxoneError>, sandbox);
	});

	it('reads ACD\'s icStatusDescription header when its error body is empty', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = credentialsOf(sandbox);
		const error = await accessKeyRequest(http, credentials, {
			method: 'GET',
			path: '/inContactAPI/services/v30.0/no-such-resource',
		}).catch((caught: unknown) => caught as InstanceType<typeof CxoneError>);
		expect(error).toBeInstanceOf(CxoneError);
		expect((error as InstanceType<typeof CxoneError>).status).toBe(404);
		expect((error as InstanceType<typeof CxoneError>).description).toMatch(/No ACD resource/);
		expect(sandbox.stats.notRenderable).toBe(0);
	});
});
