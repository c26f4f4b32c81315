import { describe, expect, it } from 'vitest';

import { attributesPath, call, getToken, requestToken, updateAttributes, useSandbox } from './testClient';

const startSandbox = useSandbox();

const update = { attributes: [{ key: 'campaign_id', value: '12345' }] };
const registration = { name: 'sync', uri: 'http://127.0.0.1:9/hook', events: ['interaction.attributes.updated'] };

describe('counters', () => {
	it('counts token requests, calls per route and answers per status', async () => {
		const sandbox = await startSandbox();
		await requestToken(sandbox.url, { grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' });
		const token = await getToken(sandbox);
		await updateAttributes(sandbox, token, 'int-1', update);
		await updateAttributes(sandbox, token, 'int-1', update);
		await updateAttributes(sandbox, token, 'int-1', { attributes: [] });
		await updateAttributes(sandbox, 'bogus', 'int-1', update);
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		await call(sandbox.url, '/api/v2/webhooks', { token });
		await call(sandbox.url, '/api/v2/webhooks', { token });
		await call(sandbox.url, `/api/v2/webhooks/${created.body.id}`, { token, method: 'DELETE' });
		await call(sandbox.url, `/api/v2/webhooks/${created.body.id}`, { token, method: 'DELETE' });

		expect(sandbox.stats).toMatchObject({
			tokenRequests: 2,
			tokensIssued: 1,
			calls: { token: 2, updateAttributes: 4, createWebhook: 1, listWebhooks: 2, deleteWebhook: 2 },
			statuses: { 200: 5, 201: 1, 204: 1, 400: 1, 401: 2, 404: 1 },
			rateLimited: 0,
			faultsInjected: 0,
		});
	});

	it('counts calls answered by a fault, including resets that get no status', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 502 });
		sandbox.injectFault('updateAttributes', { kind: 'reset' });
		await updateAttributes(sandbox, token, 'int-1', update);
		await updateAttributes(sandbox, token, 'int-1', update).catch(() => undefined);

		expect(sandbox.stats.calls.updateAttributes).toBe(2);
		expect(sandbox.stats.faultsInjected).toBe(2);
		expect(sandbox.stats.statuses).toEqual({ 200: 1, 502: 1 });
	});

	it('resetCounters clears counters, recordings and queued faults but keeps state', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		await updateAttributes(sandbox, token, 'int-1', update);
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		sandbox.injectFault('updateAttributes', { kind: 'status', status: 500 });

		sandbox.resetCounters();
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
		expect(sandbox.stats.statuses).toEqual({});
		expect(sandbox.received).toEqual([]);
		expect(sandbox.applied).toEqual([]);

		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key: 'b', value: 2 }] });
		expect(response.status).toBe(200);
		expect(response.body.attributes.map((a: { key: string }) => a.key)).toEqual(['campaign_id', 'b']);
		expect(sandbox.webhooks.has(created.body.id)).toBe(true);
	});
});

describe('routing outside the contract', () => {
	it('answers 404 not_found for an unknown path and 405 with Allow for a wrong method', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);

		const unknown = await call(sandbox.url, '/api/v2/contacts', { token });
		expect(unknown.status).toBe(404);
		expect(unknown.body.error).toBe('not_found');

		const wrongMethod = await call(sandbox.url, attributesPath('int-1'), { token, method: 'GET' });
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe('POST');

		const webhooks = await call(sandbox.url, '/api/v2/webhooks', { token, method: 'PUT', body: registration });
		expect(webhooks.status).toBe(405);
		expect(webhooks.headers.get('allow')).toBe('POST, GET');
	});

	it('refuses a body larger than maxBodyBytes with 413 and applies nothing', async () => {
		const sandbox = await startSandbox({ maxBodyBytes: 200 });
		const token = await getToken(sandbox);
		const body = { attributes: [{ key: 'a', value: 'v'.repeat(300) }] };

		const response = await updateAttributes(sandbox, token, 'int-1', body);
		expect(response.status).toBe(413);
		expect(response.body.error).toBe('payload_too_large');
		expect(sandbox.received).toEqual([]);
		expect(sandbox.snapshot('int-1')).toBeUndefined();
	});
});

describe('control routes under /_sandbox/', () => {
	it('reports the state', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		await updateAttributes(sandbox, token, 'int-1', update);
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });

		const state = await call(sandbox.url, '/_sandbox/state');
		expect(state.status).toBe(200);
		expect(state.body).toEqual({
			stats: JSON.parse(JSON.stringify(sandbox.stats)),
			webhooks: [created.body],
			applied: 1,
			deliveries: [],
		});
	});

	it('injects faults, sets the rate limit, revokes tokens and resets counters', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);

		const fault = { route: 'updateAttributes', fault: { kind: 'status', status: 503 }, times: 2 };
		expect((await call(sandbox.url, '/_sandbox/faults', { body: fault })).status).toBe(204);
		expect((await updateAttributes(sandbox, token, 'int-1', update)).status).toBe(503);
		expect((await updateAttributes(sandbox, token, 'int-1', update)).status).toBe(503);
		expect((await updateAttributes(sandbox, token, 'int-1', update)).status).toBe(200);

		expect((await call(sandbox.url, '/_sandbox/rate-limit', { body: { perSecond: 1 } })).status).toBe(204);
		await updateAttributes(sandbox, token, 'int-1', update);
		expect((await updateAttributes(sandbox, token, 'int-1', update)).status).toBe(429);
		expect((await call(sandbox.url, '/_sandbox/rate-limit', { body: { perSecond: 0 } })).status).toBe(204);

		expect((await call(sandbox.url, '/_sandbox/revoke', { method: 'POST' })).status).toBe(204);
		expect((await updateAttributes(sandbox, token, 'int-1', update)).status).toBe(401);

		expect((await call(sandbox.url, '/_sandbox/reset', { method: 'POST' })).status).toBe(204);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
		expect(sandbox.applied).toEqual([]);
	});

	it.each([
		['an unknown route', { route: 'nope', fault: { kind: 'status', status: 500 } }],
		['an unknown fault kind', { route: 'updateAttributes', fault: { kind: 'explode' } }],
		['a missing fault', { route: 'updateAttributes' }],
		['a body that is not JSON', '{"route":'],
	])('refuses a fault with %s with 400', async (_, body) => {
		const sandbox = await startSandbox();
		const response = await call(sandbox.url, '/_sandbox/faults', { body });
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_request');
		expect(sandbox.stats.faultsInjected).toBe(0);
	});

	it('answers 404 for an unknown control route', async () => {
		const sandbox = await startSandbox();
		expect((await call(sandbox.url, '/_sandbox/nothing', { method: 'POST' })).status).toBe(404);
	});
});
