import { describe, expect, it } from 'vitest';

import { call, getToken, useSandbox } from './testClient';

const startSandbox = useSandbox();

async function ready(scope?: string) {
	const sandbox = await startSandbox();
	return { sandbox, token: await getToken(sandbox, scope) };
}

const registration = {
	name: 'analytics_sync',
	uri: 'https://hooks.example.test/cxone',
	events: ['interaction.attributes.updated'],
	enabled: true,
	headers: { 'X-Webhook-Source': 'cxone-sandbox' },
};

describe('POST /api/v2/webhooks (contract §3)', () => {
	it('answers 201 with the stored webhook', async () => {
		const { sandbox, token } = await ready();
		const before = Date.now();
		const response = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		expect(response.status).toBe(201);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.body).toEqual({
			id: expect.stringMatching(/^wh_[A-Za-z0-9]+$/),
			...registration,
			createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
		});
		expect(Date.parse(response.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
		expect(sandbox.webhooks.get(response.body.id)).toEqual(response.body);
	});

	it('defaults enabled to true and headers to an empty map', async () => {
		const { sandbox, token } = await ready();
		const response = await call(sandbox.url, '/api/v2/webhooks', {
			token,
			body: { name: 'minimal', uri: 'http://127.0.0.1:9/hook', events: ['interaction.attributes.updated'] },
		});
		expect(response.status).toBe(201);
		expect(response.body.enabled).toBe(true);
		expect(response.body.headers).toEqual({});
	});

	it('makes two webhooks when the same registration is sent twice', async () => {
		const { sandbox, token } = await ready();
		const first = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		const second = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		expect(first.status).toBe(201);
		expect(second.status).toBe(201);
		expect(second.body.id).not.toBe(first.body.id);
		const list = await call(sandbox.url, '/api/v2/webhooks', { token });
		expect(list.body.webhooks.map((w: { id: string }) => w.id)).toEqual([first.body.id, second.body.id]);
	});

	it.each([
		['a relative uri', { uri: '/hook' }, 'uri'],
		['a uri without scheme', { uri: 'hooks.example.test/cxone' }, 'uri'],
		['an ftp uri', { uri: 'ftp://hooks.example.test/cxone' }, 'uri'],
		['a missing uri', { uri: undefined }, 'uri'],
		['empty events', { events: [] }, 'events'],
		['missing events', { events: undefined }, 'events'],
		['an empty event name', { events: ['interaction.attributes.updated', ''] }, 'events.1'],
		['a non-string header value', { headers: { 'X-Webhook-Source': 'ok', 'X-Retry': 3 } }, 'headers.X-Retry'],
		['headers that are not a map', { headers: ['X-Webhook-Source: a'] }, 'headers'],
		['a non-boolean enabled', { enabled: 'yes' }, 'enabled'],
		['an empty name', { name: '' }, 'name'],
	])('refuses %s with 400 invalid_payload', async (_, change, path) => {
		const { sandbox, token } = await ready();
		const response = await call(sandbox.url, '/api/v2/webhooks', { token, body: { ...registration, ...change } });
		expect(response.status).toBe(400);
		expect(response.body).toEqual({
			error: 'invalid_payload',
			error_description: expect.any(String),
			details: [{ path, message: expect.any(String) }],
		});
		expect(sandbox.webhooks.size).toBe(0);
	});

	it('answers 403 insufficient_scope without webhooks:write', async () => {
		const { sandbox, token } = await ready('interactions:write');
		const response = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		expect(response.status).toBe(403);
		expect(response.body).toEqual({ error: 'insufficient_scope', error_description: expect.any(String) });
		expect(sandbox.webhooks.size).toBe(0);
	});

	it('answers 401 invalid_token without a token', async () => {
		const { sandbox } = await ready();
		const response = await call(sandbox.url, '/api/v2/webhooks', { body: registration });
		expect(response.status).toBe(401);
		expect(response.body.error).toBe('invalid_token');
	});
});

describe('GET /api/v2/webhooks and DELETE /api/v2/webhooks/{id} (contract §3)', () => {
	it('lists nothing at first, then every stored webhook', async () => {
		const { sandbox, token } = await ready();
		expect(await call(sandbox.url, '/api/v2/webhooks', { token })).toMatchObject({
			status: 200,
			body: { webhooks: [] },
		});
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		const list = await call(sandbox.url, '/api/v2/webhooks', { token });
		expect(list.status).toBe(200);
		expect(list.body).toEqual({ webhooks: [created.body] });
	});

	it('deletes with 204 and an empty body, then answers 404 webhook_not_found', async () => {
		const { sandbox, token } = await ready();
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		const kept = await call(sandbox.url, '/api/v2/webhooks', { token, body: { ...registration, name: 'kept' } });

		const deleted = await call(sandbox.url, `/api/v2/webhooks/${created.body.id}`, { token, method: 'DELETE' });
		expect(deleted.status).toBe(204);
		expect(deleted.body).toBeUndefined();
		expect((await call(sandbox.url, '/api/v2/webhooks', { token })).body).toEqual({ webhooks: [kept.body] });

		const again = await call(sandbox.url, `/api/v2/webhooks/${created.body.id}`, { token, method: 'DELETE' });
		expect(again.status).toBe(404);
		expect(again.body).toEqual({ error: 'webhook_not_found', error_description: expect.any(String) });
	});

	it.each([
		['list', 'GET', '/api/v2/webhooks'],
		['delete', 'DELETE', '/api/v2/webhooks/wh_000000'],
	])('answers 403 insufficient_scope to %s without webhooks:write', async (_, method, path) => {
		const { sandbox, token } = await ready('interactions:write');
		const response = await call(sandbox.url, path, { token, method });
		expect(response.status).toBe(403);
		expect(response.body.error).toBe('insufficient_scope');
	});

	it('does not delete a webhook for a token without webhooks:write', async () => {
		const { sandbox, token } = await ready();
		const created = await call(sandbox.url, '/api/v2/webhooks', { token, body: registration });
		const narrow = await getToken(sandbox, 'interactions:write');
		const response = await call(sandbox.url, `/api/v2/webhooks/${created.body.id}`, {
			token: narrow,
			method: 'DELETE',
		});
		expect(response.status).toBe(403);
		expect(sandbox.webhooks.has(created.body.id)).toBe(true);
	});
});
