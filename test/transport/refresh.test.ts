import { describe, expect, it } from 'vitest';

import { attributesPath } from '../sandbox/testClient';
import { sandboxFor } from '../helpers/sandbox';
import { cachedToken, cxoneCredentials, cxoneFailure, cxoneSuccess, transport, updateBody } from '../helpers/transport';

const { CxoneError } = transport;

const update = (interactionId = 'i-1') => ({
	method: 'POST' as const,
	path: attributesPath(interactionId),
	body: updateBody(),
});

describe('API 401: drop the token, fetch a new one once, retry once (contract §1)', () => {
	it('recovers from a revoked token with one refresh', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		const before = await cachedToken(credentials);
		sandbox.revokeTokens();

		const response = await cxoneSuccess(credentials, update());
		expect(response.status).toBe(200);
		expect(response.attempts).toBe(2);
		expect(sandbox.stats.tokenRequests).toBe(2);
		expect(sandbox.stats.statuses[401]).toBe(1);
		const [refused, accepted] = sandbox.received.map((body) => body.headers.authorization);
		expect(refused).toBe(`Bearer ${before}`);
		expect(accepted).not.toBe(refused);
		expect(accepted).toBe(`Bearer ${await cachedToken(credentials)}`);
	});

	it('20 concurrent calls refused with the same revoked token cause one refresh between them', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		await cachedToken(credentials);
		sandbox.revokeTokens();

		const calls = Array.from({ length: 20 }, (_, index) => cxoneSuccess(credentials, update(`i-${index}`)));
		const responses = await Promise.all(calls);
		expect(responses.every((response) => response.status === 200)).toBe(true);
		expect(sandbox.stats.tokenRequests).toBe(2);
		expect(sandbox.applied).toHaveLength(20);
	});

	it('a second 401 is an error that says the credentials or scopes are wrong', async (test) => {
		const sandbox = await sandboxFor(test);
		const credentials = cxoneCredentials(sandbox);
		sandbox.injectFault('updateAttributes', { kind: 'revokedToken' }, 2);

		const { error: failure, attempts } = await cxoneFailure(credentials, update());
		expect(failure).toBeInstanceOf(CxoneError);
		expect(failure.status).toBe(401);
		expect(failure.code).toBe('invalid_token');
		expect(attempts).toBe(2);
		expect(failure.message).toMatch(/401 invalid_token/);
		expect(failure.hint).toMatch(/credentials are wrong or expired/);
		expect(failure.hint).toMatch(/interactions:write scope/);
		expect(sandbox.stats.tokenRequests).toBe(2);
		expect(sandbox.stats.calls.updateAttributes).toBe(2);
		expect(sandbox.applied).toHaveLength(0);
	});

	it('a 403 is not a reason to refresh the token', async (test) => {
		const sandbox = await sandboxFor(test);
		sandbox.injectFault('updateAttributes', { kind: 'wrongScope' });
		const { error, attempts } = await cxoneFailure(cxoneCredentials(sandbox), update());
		expect(error.status).toBe(403);
		expect(error.code).toBe('insufficient_scope');
		expect(attempts).toBe(1);
		expect(sandbox.stats.tokenRequests).toBe(1);
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});
});
