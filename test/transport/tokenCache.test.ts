import { describe, expect, it } from 'vitest';

import { attributesPath } from '../sandbox/testClient';
import { sandboxFor } from '../helpers/sandbox';
import { cxoneCredentials, cxoneSuccess, http, sleep, transport, updateBody } from '../helpers/transport';

const { tokenCache, CxoneError } = transport;

describe('token cache (contract §1)', () => {
	it('50 concurrent tokenCache.get calls share one token request', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		const tokens = await Promise.all(Array.from({ length: 50 }, () => tokenCache.get(http, credentials)));
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(new Set(tokens).size).toBe(1);
		expect(tokens[0]).toMatch(/^sbx_at_/);
	});

	it('50 concurrent API calls share one token request and all carry that token', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		const responses = await Promise.all(
			Array.from({ length: 50 }, (_, index) =>
				cxoneSuccess(credentials, { method: 'POST', path: attributesPath(`i-${index}`), body: updateBody() }),
			),
		);
		expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.applied).toHaveLength(50);
		const bearers = new Set(sandbox.received.map((body) => body.headers.authorization));
		expect(bearers.size).toBe(1);
		expect([...bearers][0]).toMatch(/^Bearer sbx_at_/);
	});

	it('reuses a token that lives 60 s or less for half its lifetime, instead of fetching one per call', async (test) => {
		const sandbox = await sandboxFor(test, { expiresIn: 2 });
		const credentials = cxoneCredentials(sandbox);
		const first = await tokenCache.get(http, credentials);
		await Promise.all(Array.from({ length: 5 }, () => cxoneSuccess(credentials, { method: 'POST', path: attributesPath('i-1'), body: updateBody() })));
		await sleep(300);
		expect(await tokenCache.get(http, credentials)).toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(1);
		await sleep(900);
		expect(await tokenCache.get(http, credentials)).not.toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});

	it('uses the expires_in it receives: a 1200 s token is still reused after the same wait', async (test) => {
		const sandbox = await sandboxFor(test, { expiresIn: 1200 });
		const credentials = cxoneCredentials(sandbox);
		const first = await tokenCache.get(http, credentials);
		await sleep(1200);
		expect(await tokenCache.get(http, credentials)).toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(1);
	});

	it('does not cache a failed token fetch: all waiting callers get the error, the next call asks again', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		// A 401 from the token endpoint is not retried, so exactly one request fails.
		sandbox.injectFault('token', { kind: 'revokedToken' });
		const results = await Promise.allSettled(Array.from({ length: 10 }, () => tokenCache.get(http, credentials)));
		expect(results.every((result) => result.status === 'rejected')).toBe(true);
		const reason = (results[0] as PromiseRejectedResult).reason as InstanceType<typeof CxoneError>;
		expect(reason).toBeInstanceOf(CxoneError);
		expect(reason.status).toBe(401);
		expect(reason.fromTokenEndpoint).toBe(true);
		expect(sandbox.stats.tokenRequests).toBe(1);

		const token = await tokenCache.get(http, credentials);
		expect(token).toMatch(/^sbx_at_/);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});

	it('keeps one token per client, secret and scopes', async (test) => {
		const sandbox = await sandboxFor(test);
		const both = cxoneCredentials(sandbox);
		const narrow = cxoneCredentials(sandbox, { scopes: 'interactions:write' });
		const [a, b] = await Promise.all([tokenCache.get(http, both), tokenCache.get(http, narrow)]);
		expect(a).not.toBe(b);
		expect(sandbox.stats.tokenRequests).toBe(2);
		await expect(tokenCache.get(http, cxoneCredentials(sandbox, { clientSecret: 'not-the-secret' }))).rejects.toThrow(
			/invalid_client/,
		);
		expect(sandbox.stats.tokenRequests).toBe(3);
		expect(await tokenCache.get(http, both)).toBe(a);
		expect(sandbox.stats.tokenRequests).toBe(3);
	});

	it('invalidate drops only the token that was refused', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		const first = await tokenCache.get(http, credentials);
		tokenCache.invalidate(credentials, 'some-older-token');
		expect(await tokenCache.get(http, credentials)).toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(1);
		tokenCache.invalidate(credentials, first);
		const second = await tokenCache.get(http, credentials);
		expect(second).not.toBe(first);
		expect(sandbox.stats.tokenRequests).toBe(2);
	});

	it('sends the client credentials form-encoded with the configured scopes', async (test) => {
		const sandbox = await sandboxFor(test, { allowedScopes: ['interactions:write'] });
		const token = await transport.requestToken(http, cxoneCredentials(sandbox, { scopes: ' interactions:write ' }));
		expect(token).toEqual({
			access_token: expect.stringMatching(/^sbx_at_/),
			token_type: 'Bearer',
			expires_in: 1200,
			scope: 'interactions:write',
		});
		const refused = cxoneCredentials(sandbox, { scopes: 'webhooks:write' });
		await expect(transport.requestToken(http, refused)).rejects.toThrow(
			/400 invalid_request.*None of the requested scopes \(webhooks:write\)/,
		);
	});
});
