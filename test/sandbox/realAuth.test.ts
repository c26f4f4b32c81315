/**
 * The sandbox's real CXone APIs (spec /work/shared/spec/cxone-real-api.md §1, §2, §8, §10): access-key login by
 * route A and route B, token claims, discovery, a cheap ACD call and the separate Digital listener. Plain node:http
 * so that every header, Accept above all, is exactly what the test says (fetch would add an Accept of any type).
 */
import { describe, expect, it } from 'vitest';

import { CxoneSandbox, type SandboxOptions } from '../../sandbox/server';
import { accessKeyLogin, acd, acdPath, control, JSON_HEADERS, keyOf, type RawResponse, realToken, request } from './realClient';
import { getToken, updateAttributes, useSandbox } from './testClient';

const startSandbox = useSandbox();

const TOKEN_SET_FIELDS = ['access_token', 'expires_in', 'id_token', 'issued_token_type', 'refresh_token', 'token_type'];

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Route B's token request; `form` as an object is encoded by URLSearchParams, as a string it is sent as is. */
function passwordGrant(
	sandbox: CxoneSandbox,
	form: Record<string, string> | string,
	client: { id: string; secret: string } | null = { id: sandbox.clientId, secret: sandbox.clientSecret },
) {
	const headers: Record<string, string> = {
		'Content-Type': 'application/x-www-form-urlencoded',
		Accept: 'application/json',
	};
	if (client) headers.Authorization = basic(client.id, client.secret);
	return request(`${sandbox.url}/auth/token`, {
		method: 'POST',
		headers,
		body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
	});
}

const passwordForm = (sandbox: CxoneSandbox) => ({
	grant_type: 'password',
	username: sandbox.realApi.accessKeyId,
	password: sandbox.realApi.accessKeySecret,
});

/** A JWT's payload, decoded here without the sandbox's code, as a client would. */
function claims(jwt: string): Record<string, any> {
	const parts = jwt.split('.');
	expect(parts).toHaveLength(3);
	return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

/** Polls until `check` passes; bounded so that a broken sandbox fails the test instead of hanging it. */
async function eventuallyAsync(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error('Condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('seeded access key', () => {
	it('looks like a real one: base32 ending in =, about 50 characters', async () => {
		const sandbox = await startSandbox();
		for (const part of [sandbox.realApi.accessKeyId, sandbox.realApi.accessKeySecret]) {
			expect(part).toMatch(/^[A-Z2-7]+=+$/);
			expect(part.length).toBeGreaterThanOrEqual(40);
		}
		expect(sandbox.realApi.accessKeyId).not.toBe(sandbox.realApi.accessKeySecret);
	});

	it('refuses a token lifetime that is not a whole number of seconds', () => {
		expect(() => new CxoneSandbox({ accessTokenLifetimeSeconds: 0.5 })).toThrow(RangeError);
		expect(() => new CxoneSandbox({ accessTokenLifetimeSeconds: 0 })).toThrow(RangeError);
	});
});

describe('route A: POST /authentication/v1/token/access-key', () => {
	it('logs in with the access key and answers the token set of §1b', async () => {
		const sandbox = await startSandbox();
		const login = await accessKeyLogin(sandbox);
		expect(login.status).toBe(200);
		expect(login.headers['content-type']).toMatch(/^application\/json/);
		expect(Object.keys(login.body).sort()).toEqual(TOKEN_SET_FIELDS);
		expect(login.body).toMatchObject({
			token_type: 'Bearer',
			expires_in: 3600,
			issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
		});
		expect(sandbox.stats).toMatchObject({ loginRequests: { accessKey: 1, password: 0 }, realTokensIssued: 1 });
	});

	it.each([
		['a wrong secret', (s: CxoneSandbox) => ({ ...keyOf(s), accessKeySecret: `${s.realApi.accessKeySecret}X` })],
		['an unknown key id', (s: CxoneSandbox) => ({ ...keyOf(s), accessKeyId: 'AAAAAAAAAAAAAAAA====' })],
		['the secret without its trailing =', (s: CxoneSandbox) => ({ ...keyOf(s), accessKeySecret: s.realApi.accessKeySecret.replace(/=+$/, '') })],
	])('refuses %s with 401 {error, errorDescription}', async (_, body) => {
		const sandbox = await startSandbox();
		const login = await accessKeyLogin(sandbox, body(sandbox));
		expect(login.status).toBe(401);
		expect(login.body).toEqual({ error: 'invalid_grant', errorDescription: expect.any(String) });
		expect(sandbox.stats.realTokensIssued).toBe(0);
	});

	it('refuses a key revoked through /_sandbox/revoke-access-key, on both routes', async () => {
		const sandbox = await startSandbox();
		expect((await control(sandbox, 'revoke-access-key')).status).toBe(204);
		expect((await accessKeyLogin(sandbox)).body).toMatchObject({ error: 'invalid_grant' });
		const grant = await passwordGrant(sandbox, passwordForm(sandbox));
		expect(grant.status).toBe(401);
		expect(grant.body).toMatchObject({ error: 'invalid_grant' });
	});

	it('refuses a form body, as the live-tested tap found (§1a), and a body without the key', async () => {
		const sandbox = await startSandbox();
		const form = await request(`${sandbox.url}/authentication/v1/token/access-key`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(keyOf(sandbox)).toString(),
		});
		expect(form.status).toBe(400);
		expect(form.body).toEqual({ error: 'invalid_request', errorDescription: expect.any(String) });
		expect((await accessKeyLogin(sandbox, { accessKeyId: sandbox.realApi.accessKeyId })).status).toBe(400);
		const get = await request(`${sandbox.url}/authentication/v1/token/access-key`);
		expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
	});

	it('refreshes at /public/user/refresh with that route’s own field names', async () => {
		const sandbox = await startSandbox();
		const login = await accessKeyLogin(sandbox);
		const refresh = await request(`${sandbox.url}/public/user/refresh`, {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify({ token: login.body.refresh_token }),
		});
		expect(refresh.status).toBe(200);
		expect(Object.keys(refresh.body).sort()).toEqual([
			'refreshToken',
			'refreshTokenExpirationTimeSec',
			'token',
			'tokenExpirationTimeSec',
		]);
		expect(refresh.body).toMatchObject({ tokenExpirationTimeSec: 3600, refreshTokenExpirationTimeSec: 7200 });
		expect((await acd(sandbox, 'server-time', { token: refresh.body.token })).status).toBe(200);
		const wrong = await request(`${sandbox.url}/public/user/refresh`, {
			method: 'POST',
			headers: JSON_HEADERS,
			body: JSON.stringify({ token: login.body.access_token }),
		});
		expect(wrong.status).toBe(401);
		expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
		expect(sandbox.stats.refreshRequests).toEqual({ accessKey: 2, password: 0 });
	});
});

describe('route B: OIDC password grant', () => {
	it('publishes the token endpoint in /.well-known/openid-configuration and grants with Basic client auth', async () => {
		const sandbox = await startSandbox();
		const config = await request(`${sandbox.url}/.well-known/openid-configuration`, { headers: { Accept: 'application/json' } });
		expect(config.status).toBe(200);
		expect(config.body).toMatchObject({
			issuer: sandbox.url,
			token_endpoint: `${sandbox.url}/auth/token`,
			token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		});
		const grant = await request(config.body.token_endpoint, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/x-www-form-urlencoded',
				Authorization: basic(sandbox.clientId, sandbox.clientSecret),
			},
			body: new URLSearchParams(passwordForm(sandbox)).toString(),
		});
		expect(grant.status).toBe(200);
		expect(Object.keys(grant.body).sort()).toEqual(TOKEN_SET_FIELDS);
		expect(grant.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
		expect(sandbox.stats).toMatchObject({
			openidConfigurationRequests: 1,
			loginRequests: { accessKey: 0, password: 1 },
			realTokensIssued: 1,
		});
	});

	it('accepts the client credentials in the body (client_secret_post) and an openid scope', async () => {
		const sandbox = await startSandbox();
		const grant = await passwordGrant(
			sandbox,
			{ ...passwordForm(sandbox), scope: 'openid', client_id: sandbox.clientId, client_secret: sandbox.clientSecret },
			null,
		);
		expect(grant.status).toBe(200);
	});

	it.each([
		['a wrong client secret', { id: 'sandbox-client', secret: 'wrong' }],
		['an unknown client', { id: 'someone-else', secret: 'whatever' }],
		['no client credentials at all', null],
	])('refuses %s with 401 invalid_client and error_description', async (_, client) => {
		const sandbox = await startSandbox({ clientId: 'sandbox-client' });
		const grant = await passwordGrant(sandbox, passwordForm(sandbox), client);
		expect(grant.status).toBe(401);
		expect(grant.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
	});

	it('refuses an app whose registration is not yet approved, until /_sandbox/app-approval approves it', async () => {
		const sandbox = await startSandbox({ appApproved: false });
		const refused = await passwordGrant(sandbox, passwordForm(sandbox));
		expect(refused.status).toBe(401);
		expect(refused.body).toEqual({ error: 'invalid_client', error_description: expect.stringMatching(/not yet approved/) });
		// Route A needs no registered app.
		expect((await accessKeyLogin(sandbox)).status).toBe(200);
		expect((await control(sandbox, 'app-approval', { approved: true })).status).toBe(204);
		expect((await passwordGrant(sandbox, passwordForm(sandbox))).status).toBe(200);
		expect((await control(sandbox, 'app-approval', { approved: 'yes' })).status).toBe(400);
	});

	it.each([
		['a wrong secret', (s: CxoneSandbox) => ({ ...passwordForm(s), password: 'AAAA====' })],
		['an unknown key id', (s: CxoneSandbox) => ({ ...passwordForm(s), username: 'AAAA====' })],
	])('refuses %s with 401 invalid_grant and error_description', async (_, form) => {
		const sandbox = await startSandbox();
		const grant = await passwordGrant(sandbox, form(sandbox));
		expect(grant.status).toBe(401);
		expect(grant.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
	});

	it('URL-decodes form values: = sent as %3D works, a raw = is refused, an unencoded + is a space', async () => {
		const sandbox = await startSandbox({ accessKeySecret: 'AB+CD/EF==' });
		const encoded = new URLSearchParams(passwordForm(sandbox)).toString();
		expect(encoded).toContain('%3D%3D');
		expect(encoded).toContain('%2B');
		expect((await passwordGrant(sandbox, encoded)).status).toBe(200);

		const rawEquals = `grant_type=password&username=${sandbox.realApi.accessKeyId}&password=${sandbox.realApi.accessKeySecret}`;
		const refused = await passwordGrant(sandbox, rawEquals);
		expect(refused.status).toBe(400);
		expect(refused.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('%3D') });

		const rawPlus = `grant_type=password&username=${encodeURIComponent(sandbox.realApi.accessKeyId)}&password=AB+CD%2FEF%3D%3D`;
		const plus = await passwordGrant(sandbox, rawPlus);
		expect(plus.status).toBe(401);
		expect(plus.body).toMatchObject({ error: 'invalid_grant' });
	});

	it('refreshes with the refresh_token grant and refuses an unsupported grant type', async () => {
		const sandbox = await startSandbox();
		const grant = await passwordGrant(sandbox, passwordForm(sandbox));
		const refreshed = await passwordGrant(sandbox, { grant_type: 'refresh_token', refresh_token: grant.body.refresh_token });
		expect(refreshed.status).toBe(200);
		expect(Object.keys(refreshed.body).sort()).toEqual(TOKEN_SET_FIELDS);
		const bogus = await passwordGrant(sandbox, { grant_type: 'refresh_token', refresh_token: grant.body.id_token });
		expect(bogus.body).toMatchObject({ error: 'invalid_grant' });
		const other = await passwordGrant(sandbox, { grant_type: 'client_credentials' });
		expect(other.status).toBe(400);
		expect(other.body).toMatchObject({ error: 'unsupported_grant_type' });
		expect(sandbox.stats.refreshRequests).toEqual({ accessKey: 0, password: 2 });
	});
});

describe('tokens (§1c)', () => {
	it('are JWTs carrying tenantId and the §1c claims; the id_token names the issuer, the access token does not', async () => {
		const sandbox = await startSandbox({ tenantId: '11eb660f-4c6d-34a0-8733-0242ac110002', businessUnitId: -721488662 });
		const { body } = await accessKeyLogin(sandbox);
		const access = claims(body.access_token);
		const id = claims(body.id_token);
		const refresh = claims(body.refresh_token);
		for (const token of [access, id]) {
			expect(token).toMatchObject({
				tenantId: '11eb660f-4c6d-34a0-8733-0242ac110002',
				icBUId: -721488662,
				icClusterId: 'B32',
				tenant: expect.any(String),
				sub: expect.stringMatching(/^user:/),
			});
			expect(token.exp - token.iat).toBe(3600);
		}
		expect(access.role).toMatchObject({ legacyId: 'Administrator', secondaryRoles: [] });
		expect(id.iss).toBe(sandbox.realApi.issuer);
		expect(access.iss).not.toBe(id.iss);
		expect(id).toMatchObject({ userId: access.sub.slice(5), icDomain: expect.any(String) });
		expect(refresh).toMatchObject({ id: id.userId, sessionId: expect.any(String), iss: id.iss });
		expect(refresh.exp - refresh.iat).toBe(7200);
	});

	it('live accessTokenLifetimeSeconds: expires_in and exp follow it, and the ACD refuses the token afterwards', async () => {
		const sandbox = await startSandbox({ accessTokenLifetimeSeconds: 1 });
		const { body } = await accessKeyLogin(sandbox);
		expect(body.expires_in).toBe(1);
		expect(claims(body.access_token).exp - claims(body.access_token).iat).toBe(1);
		await eventuallyAsync(async () => (await acd(sandbox, 'server-time', { token: body.access_token })).status === 401);
		const expired = await acd(sandbox, 'server-time', { token: body.access_token });
		expect(expired.headers.icstatusdescription).toMatch(/expired/);
	});
});

describe('discovery (§2a)', () => {
	it('answers cxone-configuration for the tenant of the id_token, api_endpoint pointing at the sandbox', async () => {
		const sandbox = await startSandbox({ area: 'eu1', domain: 'example.invalid' });
		const id = claims((await accessKeyLogin(sandbox)).body.id_token);
		const config = await request(`${id.iss}/.well-known/cxone-configuration?tenantId=${id.tenantId}`, {
			headers: { Accept: 'application/json' },
		});
		expect(config.status).toBe(200);
		expect(config.body).toEqual({
			private: false,
			area: 'eu1',
			cluster: 'B32',
			domain: 'example.invalid',
			acdDomain: 'example.invalid',
			uhDomain: 'example.invalid',
			ui_endpoint: sandbox.url,
			auth_endpoint: sandbox.url,
			api_endpoint: sandbox.url,
			tenantId: sandbox.realApi.tenantId,
		});
		expect(sandbox.stats.discoveryRequests).toBe(1);
	});

	it('refuses an unknown or missing tenantId with {error, error_description}', async () => {
		const sandbox = await startSandbox();
		const unknown = await request(`${sandbox.url}/.well-known/cxone-configuration?tenantId=00000000-0000-0000-0000-000000000000`);
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({ error: 'tenant_not_found', error_description: expect.any(String) });
		const missing = await request(`${sandbox.url}/.well-known/cxone-configuration`);
		expect(missing.status).toBe(400);
		expect(missing.body).toMatchObject({ error: 'invalid_request' });
		expect(sandbox.stats.discoveryRequests).toBe(2);
	});

	it('is not found under the access token’s iss, which names another host (§1c)', async () => {
		const sandbox = await startSandbox();
		const access = claims(await realToken(sandbox));
		const wrong = await request(`${access.iss}/.well-known/cxone-configuration?tenantId=${access.tenantId}`);
		expect(wrong.status).toBe(404);
	});

	it('leaves the Digital base out and uses a domain that never resolves, so Digital hosts cannot be derived', async () => {
		const sandbox = await startSandbox();
		const config = await request(`${sandbox.url}/.well-known/cxone-configuration?tenantId=${sandbox.realApi.tenantId}`);
		expect(config.body.domain).toMatch(/\.invalid$/);
		expect(JSON.stringify(config.body)).not.toContain(sandbox.realApi.digitalBase);
		expect(new URL(sandbox.realApi.digitalBase).port).not.toBe(new URL(sandbox.url).port);
	});
});

describe('ACD API: /inContactAPI/services/v{NN}.0/', () => {
	it('answers server-time and business-unit with Accept: application/json, in any path casing and version', async () => {
		const sandbox = await startSandbox({ businessUnitId: 4592345 });
		const token = await realToken(sandbox);
		const time = await acd(sandbox, 'server-time', { token });
		expect(time.status).toBe(200);
		expect(time.headers['content-type']).toMatch(/^application\/json/);
		expect(Number.isNaN(Date.parse(time.body.ServerTime))).toBe(false);
		const lower = await acd(sandbox, '', { token, path: '/incontactapi/services/v25.0/server-time' });
		expect(lower.status).toBe(200);
		const unit = await acd(sandbox, 'business-unit', { token });
		expect(unit.body.businessUnits[0].businessUnitId).toBe(4592345);
		expect(sandbox.stats.acdCalls).toMatchObject({ serverTime: 2, businessUnit: 1, unknown: 0 });
	});

	it('answers 200 text/html "No known way to render data" without a JSON-capable Accept; */* counts as JSON', async () => {
		const sandbox = await startSandbox();
		const token = await realToken(sandbox);
		for (const accept of [null, 'text/html', 'application/xml', 'application/json;q=0']) {
			const answer = await acd(sandbox, 'server-time', { token, accept });
			expect(answer.status).toBe(200);
			expect(answer.headers['content-type']).toMatch(/^text\/html/);
			expect(answer.text).toContain('No known way to render data');
		}
		for (const accept of ['*/*', 'text/html, application/json;q=0.9', 'application/json; charset=utf-8']) {
			const answer = await acd(sandbox, 'server-time', { token, accept });
			expect(answer.headers['content-type']).toMatch(/^application\/json/);
			expect(answer.body).toHaveProperty('ServerTime');
		}
		expect(sandbox.stats.notRenderable).toBe(4);
	});

	it.each([
		['no token', (_: string) => undefined, /Missing/],
		['an unknown token', (_: string) => 'not-a-token', /Invalid/],
		['an id_token instead of the access token', (idToken: string) => idToken, /Invalid/],
	])('answers 401 with icStatusDescription for %s, before the Accept rule', async (_, pick, message) => {
		const sandbox = await startSandbox();
		const login = await accessKeyLogin(sandbox);
		for (const accept of ['application/json', null]) {
			const answer = await acd(sandbox, 'server-time', { token: pick(login.body.id_token), accept });
			expect(answer.status).toBe(401);
			expect(answer.headers.icstatusdescription).toMatch(message);
			expect(answer.text).toBe('');
		}
	});

	it('answers 401 once /_sandbox/expire-access-tokens aged the token; a refresh token still works', async () => {
		const sandbox = await startSandbox();
		const login = await accessKeyLogin(sandbox);
		expect((await acd(sandbox, 'server-time', { token: login.body.access_token })).status).toBe(200);
		expect((await control(sandbox, 'expire-access-tokens')).status).toBe(204);
		const expired = await acd(sandbox, 'server-time', { token: login.body.access_token });
		expect(expired.status).toBe(401);
		expect(expired.headers.icstatusdescription).toBe('The access token expired');
		const refreshed = await passwordGrant(sandbox, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token });
		expect((await acd(sandbox, 'server-time', { token: refreshed.body.access_token })).status).toBe(200);
	});

	it('answers 404 and 405 with icStatusDescription for what it does not serve', async () => {
		const sandbox = await startSandbox();
		const token = await realToken(sandbox);
		const unknown = await acd(sandbox, 'skills', { token });
		expect(unknown.status).toBe(404);
		expect(unknown.headers.icstatusdescription).toContain('/skills');
		const post = await acd(sandbox, 'server-time', { token, method: 'POST' });
		expect([post.status, post.headers.allow]).toEqual([405, 'GET']);
		expect(post.headers.icstatusdescription).toBeDefined();
		expect(sandbox.stats.acdCalls.unknown).toBe(1);
	});

	it('shares the strict-window tenant limit: 429 with icStatusDescription and no Retry-After; logins are not limited', async () => {
		const sandbox = await startSandbox({ rateLimitPerSecond: 2, rateLimitMode: 'strictWindow' });
		const tokens = [await realToken(sandbox), await realToken(sandbox), await realToken(sandbox)];
		const answers = await Promise.all(tokens.map((token) => acd(sandbox, 'server-time', { token })));
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
		const refused = answers.find((answer) => answer.status === 429) as RawResponse;
		expect(refused.headers['retry-after']).toBeUndefined();
		expect(refused.headers.icstatusdescription).toMatch(/More than 2/);
		expect(sandbox.stats).toMatchObject({ acceptedApiCalls: 2, rateLimited: 1, realTokensIssued: 3 });
	});

	it('keeps the two token worlds apart: a tutorial token is refused by the ACD, a real token by the tutorial API', async () => {
		const sandbox = await startSandbox();
		const tutorial = await getToken(sandbox);
		expect((await acd(sandbox, 'server-time', { token: tutorial })).status).toBe(401);
		const refused = await updateAttributes(sandbox, await realToken(sandbox), 'int-1', {
			attributes: [{ key: 'campaign_id', value: '1' }],
		});
		expect(refused.status).toBe(401);
		expect(refused.body).toMatchObject({ error: 'invalid_token' });
	});
});

describe('Digital (DFO) listener', () => {
	it('is a base of its own: {errors:[{message}]} answers, the same bearer token, no ACD or tutorial routes', async () => {
		const sandbox = await startSandbox();
		const token = await realToken(sandbox);
		const base = sandbox.realApi.digitalBase;
		expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

		const anonymous = await request(`${base}/dfo/3.0/contacts/123/custom-fields`, { headers: { Accept: 'application/json' } });
		expect(anonymous.status).toBe(401);
		expect(anonymous.body).toEqual({ errors: [{ message: expect.any(String) }] });

		const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
		const acdThere = await request(`${base}${acdPath('server-time')}`, { headers });
		expect(acdThere.status).toBe(404);
		expect(acdThere.body).toEqual({ errors: [{ message: expect.stringContaining('/dfo/3.0/') }] });

		const dfoOnApiBase = await request(`${sandbox.url}/dfo/3.0/contacts/123/custom-fields`, { headers });
		expect(dfoOnApiBase.status).toBe(404);
		expect(dfoOnApiBase.body).toMatchObject({ error: 'not_found' });
		expect(sandbox.stats.digitalCalls).toBe(2);
	});

	it('stops listening with the sandbox', async () => {
		const sandbox = new CxoneSandbox();
		await sandbox.start();
		const base = sandbox.realApi.digitalBase;
		await sandbox.stop();
		await expect(request(`${base}/dfo/3.0/x`)).rejects.toThrow();
	});

	it('listens on the digitalPort given', async () => {
		const probe = await startSandbox();
		const port = Number(new URL(probe.realApi.digitalBase).port);
		await probe.stop();
		const options: SandboxOptions = { digitalPort: port };
		const sandbox = await startSandbox(options);
		expect(sandbox.realApi.digitalBase).toBe(`http://127.0.0.1:${port}`);
	});
});

describe('control routes and counters of the real APIs', () => {
	it('injects real faults in each service’s error format, and refuses a malformed one', async () => {
		const sandbox = await startSandbox();
		const token = await realToken(sandbox);
		expect((await control(sandbox, 'real-faults', { route: 'acd', status: 503 })).status).toBe(204);
		expect((await control(sandbox, 'real-faults', { route: 'accessKeyLogin', status: 429, times: 2 })).status).toBe(204);
		const acdFault = await acd(sandbox, 'server-time', { token });
		expect([acdFault.status, acdFault.headers.icstatusdescription]).toEqual([503, 'Injected 503']);
		expect((await acd(sandbox, 'server-time', { token })).status).toBe(200);
		for (let i = 0; i < 2; i++) {
			const login = await accessKeyLogin(sandbox);
			expect(login.status).toBe(429);
			expect(login.headers['retry-after']).toBeUndefined();
			expect(login.body).toEqual({ error: 'rate_limited', errorDescription: 'Injected 429' });
		}
		expect((await accessKeyLogin(sandbox)).status).toBe(200);
		expect(sandbox.stats.faultsInjected).toBe(3);
		expect((await control(sandbox, 'real-faults', { route: 'acd', status: 418 })).status).toBe(400);
		expect((await control(sandbox, 'real-faults', { route: 'nowhere', status: 503 })).status).toBe(400);
	});

	it('reports the new counters in /_sandbox/state, and /_sandbox/reset clears them', async () => {
		const sandbox = await startSandbox();
		const token = await realToken(sandbox);
		await acd(sandbox, 'server-time', { token, accept: null });
		await request(`${sandbox.url}/.well-known/cxone-configuration?tenantId=${sandbox.realApi.tenantId}`);
		const state = await request(`${sandbox.url}/_sandbox/state`);
		expect(state.body.stats).toMatchObject({
			loginRequests: { accessKey: 1, password: 0 },
			refreshRequests: { accessKey: 0, password: 0 },
			realTokensIssued: 1,
			openidConfigurationRequests: 0,
			discoveryRequests: 1,
			acdCalls: { serverTime: 1, businessUnit: 0, unknown: 0 },
			notRenderable: 1,
			digitalCalls: 0,
		});
		expect((await control(sandbox, 'reset')).status).toBe(204);
		expect(sandbox.stats).toMatchObject({ loginRequests: { accessKey: 0 }, discoveryRequests: 0, notRenderable: 0 });
		// Reset keeps tokens, like the tutorial's.
		expect((await acd(sandbox, 'server-time', { token })).status).toBe(200);
	});
});
