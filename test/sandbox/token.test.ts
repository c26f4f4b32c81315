import { describe, expect, it } from 'vitest';

import { getToken, requestToken, updateAttributes, useSandbox } from './testClient';

const startSandbox = useSandbox();

const validUpdate = { attributes: [{ key: 'campaign_id', value: '12345' }] };

describe('POST /oauth/token (contract §1)', () => {
	it('issues a bearer token for client credentials sent in the body', async () => {
		const sandbox = await startSandbox({ clientId: 'acme', clientSecret: 's3cret' });
		const response = await requestToken(sandbox.url, {
			grant_type: 'client_credentials',
			client_id: 'acme',
			client_secret: 's3cret',
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.body).toEqual({
			access_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 1200,
			scope: 'interactions:write webhooks:write',
		});
		expect(response.body.access_token.length).toBeGreaterThan(0);
		expect((await updateAttributes(sandbox, response.body.access_token, 'i-1', validUpdate)).status).toBe(200);
	});

	it('issues a token for client credentials sent as HTTP Basic auth', async () => {
		const sandbox = await startSandbox({ clientId: 'acme', clientSecret: 's3cret' });
		const response = await requestToken(
			sandbox.url,
			{ grant_type: 'client_credentials' },
			{ basic: { id: 'acme', secret: 's3cret' } },
		);
		expect(response.status).toBe(200);
		expect(response.body.token_type).toBe('Bearer');
		expect((await updateAttributes(sandbox, response.body.access_token, 'i-1', validUpdate)).status).toBe(200);
	});

	it('issues a different token on every request', async () => {
		const sandbox = await startSandbox();
		const first = await getToken(sandbox);
		const second = await getToken(sandbox);
		expect(first).not.toBe(second);
		expect(sandbox.stats.tokensIssued).toBe(2);
	});

	it.each([
		['a wrong secret in the body', { client_id: 'acme', client_secret: 'wrong' }, undefined],
		['an unknown client id in the body', { client_id: 'other', client_secret: 's3cret' }, undefined],
		['no credentials at all', {}, undefined],
		['a wrong secret as Basic auth', {}, { id: 'acme', secret: 'wrong' }],
	])('refuses %s with 401 invalid_client', async (_, credentials, basic) => {
		const sandbox = await startSandbox({ clientId: 'acme', clientSecret: 's3cret' });
		const response = await requestToken(
			sandbox.url,
			{ grant_type: 'client_credentials', ...credentials },
			{ basic },
		);
		expect(response.status).toBe(401);
		expect(response.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
		expect(sandbox.stats.tokensIssued).toBe(0);
	});

	it('refuses a request without grant_type with 400 invalid_request', async () => {
		const sandbox = await startSandbox();
		const response = await requestToken(sandbox.url, {
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
		});
		expect(response.status).toBe(400);
		expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
	});

	it.each(['password', 'authorization_code', 'refresh_token'])(
		'refuses grant_type=%s with 400 unsupported_grant_type',
		async (grantType) => {
			const sandbox = await startSandbox();
			const response = await requestToken(sandbox.url, {
				grant_type: grantType,
				client_id: sandbox.clientId,
				client_secret: sandbox.clientSecret,
			});
			expect(response.status).toBe(400);
			expect(response.body).toEqual({ error: 'unsupported_grant_type', error_description: expect.any(String) });
		},
	);

	it.each(['application/json', 'text/plain', 'multipart/form-data'])(
		'refuses Content-Type %s with 400 invalid_request',
		async (contentType) => {
			const sandbox = await startSandbox();
			const response = await requestToken(
				sandbox.url,
				{ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret },
				{ contentType },
			);
			expect(response.status).toBe(400);
			expect(response.body.error).toBe('invalid_request');
			expect(sandbox.stats.tokensIssued).toBe(0);
		},
	);

	it('accepts a charset parameter on the form Content-Type', async () => {
		const sandbox = await startSandbox();
		const response = await requestToken(
			sandbox.url,
			{ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret },
			{ contentType: 'application/x-www-form-urlencoded; charset=UTF-8' },
		);
		expect(response.status).toBe(200);
	});

	it.each([1, 60, 3600])('returns the configured expires_in (%i s)', async (expiresIn) => {
		const sandbox = await startSandbox({ expiresIn });
		const response = await requestToken(sandbox.url, {
			grant_type: 'client_credentials',
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
		});
		expect(response.body.expires_in).toBe(expiresIn);
	});

	it('narrows the token to the requested scope', async () => {
		const sandbox = await startSandbox();
		const response = await requestToken(sandbox.url, {
			grant_type: 'client_credentials',
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
			scope: 'webhooks:write',
		});
		expect(response.status).toBe(200);
		expect(response.body.scope).toBe('webhooks:write');

		const update = await updateAttributes(sandbox, response.body.access_token, 'i-1', validUpdate);
		expect(update.status).toBe(403);
		expect(update.body).toEqual({ error: 'insufficient_scope', error_description: expect.any(String) });
		expect(sandbox.snapshot('i-1')).toBeUndefined();
	});

	it('grants only the scopes this client is allowed', async () => {
		const sandbox = await startSandbox({ allowedScopes: ['interactions:write'] });
		const response = await requestToken(sandbox.url, {
			grant_type: 'client_credentials',
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
			scope: 'interactions:write webhooks:write',
		});
		expect(response.status).toBe(200);
		expect(response.body.scope).toBe('interactions:write');
	});

	it('refuses a scope request of which nothing can be granted with 400 invalid_request', async () => {
		const sandbox = await startSandbox();
		const response = await requestToken(sandbox.url, {
			grant_type: 'client_credentials',
			client_id: sandbox.clientId,
			client_secret: sandbox.clientSecret,
			scope: 'admin:everything',
		});
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_request');
		expect(sandbox.stats.tokensIssued).toBe(0);
	});

	it('refuses Basic auth and body credentials that name different clients', async () => {
		const sandbox = await startSandbox({ clientId: 'acme', clientSecret: 's3cret' });
		const response = await requestToken(
			sandbox.url,
			{ grant_type: 'client_credentials', client_id: 'other', client_secret: 's3cret' },
			{ basic: { id: 'acme', secret: 's3cret' } },
		);
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_request');
	});

	it('refuses an expired token with 401 invalid_token', async () => {
		const sandbox = await startSandbox({ expiresIn: 1 });
		const token = await getToken(sandbox);
		expect((await updateAttributes(sandbox, token, 'i-1', validUpdate)).status).toBe(200);

		await new Promise((resolve) => setTimeout(resolve, 1100));
		const response = await updateAttributes(sandbox, token, 'i-1', validUpdate);
		expect(response.status).toBe(401);
		expect(response.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
		expect(sandbox.applied).toHaveLength(1);
	});

	it('refuses revoked tokens with 401 and accepts a token issued afterwards', async () => {
		const sandbox = await startSandbox();
		const before = await getToken(sandbox);
		sandbox.revokeTokens();

		const refused = await updateAttributes(sandbox, before, 'i-1', validUpdate);
		expect(refused.status).toBe(401);
		expect(refused.body.error).toBe('invalid_token');

		const after = await getToken(sandbox);
		expect((await updateAttributes(sandbox, after, 'i-1', validUpdate)).status).toBe(200);
	});
});
