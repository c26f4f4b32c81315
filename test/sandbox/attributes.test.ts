import { describe, expect, it } from 'vitest';

import type { CxoneSandbox } from '../../sandbox/server';
import { attributesPath, call, getToken, sha256Hex, updateAttributes, useSandbox } from './testClient';

const startSandbox = useSandbox();

async function ready(options: Parameters<typeof startSandbox>[0] = {}) {
	const sandbox = await startSandbox(options);
	return { sandbox, token: await getToken(sandbox) };
}

const many = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: index, mode: 'UPDATE' }));

/** Seeds `id` with one attribute, so that a refused request can be shown to have changed nothing. */
async function seed(sandbox: CxoneSandbox, token: string, id: string) {
	const response = await updateAttributes(sandbox, token, id, { attributes: [{ key: 'seed', value: 'kept' }] });
	expect(response.status).toBe(200);
	return structuredClone(sandbox.snapshot(id));
}

describe('POST /api/v2/interactions/{id}/attributes: accepted bodies (contract §2)', () => {
	it('answers 200 with the full snapshot after the update', async () => {
		const { sandbox, token } = await ready();
		const before = Date.now();
		const response = await updateAttributes(sandbox, token, 'int-1', {
			attributes: [
				{ key: 'campaign_id', value: '12345', mode: 'UPDATE' },
				{ key: 'score', value: 4.5, mode: 'ADD' },
				{ key: 'vip', value: true, mode: 'ADD' },
				{ key: 'note', value: null, mode: 'UPDATE' },
			],
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		expect(response.body).toEqual({
			interactionId: 'int-1',
			attributes: [
				{ key: 'campaign_id', value: '12345', mode: 'UPDATE' },
				{ key: 'score', value: 4.5, mode: 'ADD' },
				{ key: 'vip', value: true, mode: 'ADD' },
				{ key: 'note', value: null, mode: 'UPDATE' },
			],
			lastUpdated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
		});
		expect(Date.parse(response.body.lastUpdated)).toBeGreaterThanOrEqual(before - 1000);
		expect(response.body).toEqual(sandbox.snapshot('int-1'));
	});

	it('returns every attribute of the interaction, not only the ones just sent', async () => {
		const { sandbox, token } = await ready();
		await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key: 'a', value: 1 }] });
		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key: 'b', value: 2 }] });
		expect(response.body.attributes.map((a: { key: string }) => a.key)).toEqual(['a', 'b']);
	});

	it('defaults mode to UPDATE', async () => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key: 'a', value: 'x' }] });
		expect(response.status).toBe(200);
		expect(response.body.attributes).toEqual([{ key: 'a', value: 'x', mode: 'UPDATE' }]);
	});

	it('applies ADD, UPDATE and DELETE', async () => {
		const { sandbox, token } = await ready();
		await updateAttributes(sandbox, token, 'int-1', {
			attributes: [
				{ key: 'a', value: '1', mode: 'ADD' },
				{ key: 'b', value: '2', mode: 'ADD' },
			],
		});
		const response = await updateAttributes(sandbox, token, 'int-1', {
			attributes: [
				{ key: 'a', value: '10', mode: 'UPDATE' },
				{ key: 'b', value: null, mode: 'DELETE' },
				{ key: 'c', value: '3', mode: 'ADD' },
			],
		});
		expect(response.status).toBe(200);
		expect(response.body.attributes).toEqual([
			{ key: 'a', value: '10', mode: 'UPDATE' },
			{ key: 'c', value: '3', mode: 'ADD' },
		]);
	});

	it('accepts exactly 50 attributes', async () => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: many(50) });
		expect(response.status).toBe(200);
		expect(response.body.attributes).toHaveLength(50);
	});

	it('accepts a 255-character key and a 2000-character value', async () => {
		const { sandbox, token } = await ready();
		const key = 'k'.repeat(255);
		const value = 'v'.repeat(2000);
		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key, value }] });
		expect(response.status).toBe(200);
		expect(response.body.attributes).toEqual([{ key, value, mode: 'UPDATE' }]);
	});

	it.each([
		['a 1-character key', { key: 'k', value: 'v' }],
		['an empty string value', { key: 'k', value: '' }],
		['a key containing _ and system: after the first character', { key: 'a_system:b', value: 1 }],
		['a negative number', { key: 'k', value: -1.5e300 }],
		['zero', { key: 'k', value: 0 }],
		['false', { key: 'k', value: false }],
	])('accepts %s', async (_, attribute) => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-1', { attributes: [attribute] });
		expect(response.status).toBe(200);
		expect(response.body.attributes).toEqual([{ ...attribute, mode: 'UPDATE' }]);
	});
});

describe('POST /api/v2/interactions/{id}/attributes: refused bodies (contract §2)', () => {
	const cases: Array<[string, unknown, Array<{ path: string }>]> = [
		['51 attributes', { attributes: many(51) }, [{ path: 'attributes' }]],
		['no attributes', { attributes: [] }, [{ path: 'attributes' }]],
		['attributes missing', {}, [{ path: 'attributes' }]],
		['attributes not an array', { attributes: { key: 'a', value: 1 } }, [{ path: 'attributes' }]],
		[
			'a 256-character key',
			{ attributes: [...many(3), { key: 'k'.repeat(256), value: 1 }] },
			[{ path: 'attributes.3.key' }],
		],
		['an empty key', { attributes: [{ key: '', value: 1 }] }, [{ path: 'attributes.0.key' }]],
		['a missing key', { attributes: [{ value: 1 }] }, [{ path: 'attributes.0.key' }]],
		['a number as key', { attributes: [{ key: 7, value: 1 }] }, [{ path: 'attributes.0.key' }]],
		['a key starting with _', { attributes: [{ key: '_internal', value: 1 }] }, [{ path: 'attributes.0.key' }]],
		['the key _ alone', { attributes: [{ key: '_', value: 1 }] }, [{ path: 'attributes.0.key' }]],
		[
			'a key starting with system:',
			{ attributes: [...many(1), { key: 'system:agent', value: 1 }] },
			[{ path: 'attributes.1.key' }],
		],
		[
			'the same key twice',
			{
				attributes: [
					{ key: 'a', value: 1 },
					{ key: 'b', value: 2 },
					{ key: 'a', value: 3, mode: 'DELETE' },
				],
			},
			[{ path: 'attributes.2.key' }],
		],
		[
			'a 2001-character string value',
			{ attributes: [...many(2), { key: 'long', value: 'v'.repeat(2001) }] },
			[{ path: 'attributes.2.value' }],
		],
		['an object value', { attributes: [{ key: 'a', value: { nested: 1 } }] }, [{ path: 'attributes.0.value' }]],
		['an array value', { attributes: [{ key: 'a', value: [1, 2] }] }, [{ path: 'attributes.0.value' }]],
		['a missing value', { attributes: [{ key: 'a' }] }, [{ path: 'attributes.0.value' }]],
		['a lower-case mode', { attributes: [{ key: 'a', value: 1, mode: 'update' }] }, [{ path: 'attributes.0.mode' }]],
		['an unknown mode', { attributes: [{ key: 'a', value: 1, mode: 'UPSERT' }] }, [{ path: 'attributes.0.mode' }]],
		['a null mode', { attributes: [{ key: 'a', value: 1, mode: null }] }, [{ path: 'attributes.0.mode' }]],
		[
			'an extra top-level field',
			{ attributes: [{ key: 'a', value: 1 }], interactionId: 'x' },
			[{ path: 'interactionId' }],
		],
		[
			'an extra attribute field',
			{ attributes: [{ key: 'a', value: 1, ttl: 60 }] },
			[{ path: 'attributes.0.ttl' }],
		],
		['an attribute that is not an object', { attributes: ['a=1'] }, [{ path: 'attributes.0' }]],
		['a body that is an array', [{ key: 'a', value: 1 }], [{ path: '' }]],
		['a body that is null', null, [{ path: '' }]],
		[
			'several broken attributes at once',
			{
				attributes: [
					{ key: 'ok', value: 1 },
					{ key: '', value: {} },
					{ key: 'fine', value: 2, mode: 'NOPE' },
				],
			},
			[{ path: 'attributes.1.key' }, { path: 'attributes.1.value' }, { path: 'attributes.2.mode' }],
		],
	];

	it.each(cases)('refuses %s with 400 invalid_payload naming the field', async (_, body, expected) => {
		const { sandbox, token } = await ready();
		const before = await seed(sandbox, token, 'int-1');
		const response = await updateAttributes(sandbox, token, 'int-1', body);
		expect(response.status).toBe(400);
		expect(response.body).toEqual({
			error: 'invalid_payload',
			error_description: expect.any(String),
			details: expected.map(({ path }) => ({ path, message: expect.any(String) })),
		});
		for (const detail of response.body.details) expect(detail.message.length).toBeGreaterThan(0);
		// Atomic: the valid attributes of a refused request are not applied either.
		expect(sandbox.snapshot('int-1')).toEqual(before);
		expect(sandbox.applied).toHaveLength(1);
	});

	it('refuses a number that JSON parses to Infinity (1e999)', async () => {
		const { sandbox, token } = await ready();
		const before = await seed(sandbox, token, 'int-1');
		const response = await updateAttributes(
			sandbox,
			token,
			'int-1',
			'{"attributes":[{"key":"ok","value":1},{"key":"huge","value":1e999}]}',
		);
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_payload');
		expect(response.body.details).toEqual([{ path: 'attributes.1.value', message: expect.any(String) }]);
		expect(sandbox.snapshot('int-1')).toEqual(before);
	});

	it('refuses -1e999 (negative Infinity) too', async () => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-1', '{"attributes":[{"key":"k","value":-1e999}]}');
		expect(response.status).toBe(400);
		expect(response.body.details).toEqual([{ path: 'attributes.0.value', message: expect.any(String) }]);
	});

	it('refuses a body that is not JSON', async () => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-1', '{"attributes": [');
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_payload');
		expect(response.body.details).toHaveLength(1);
	});

	it('refuses a body that is not sent as application/json', async () => {
		const { sandbox, token } = await ready();
		const response = await call(sandbox.url, attributesPath('int-1'), {
			token,
			body: JSON.stringify({ attributes: [{ key: 'a', value: 1 }] }),
			headers: { 'Content-Type': 'text/plain' },
		});
		expect(response.status).toBe(400);
		expect(response.body.error).toBe('invalid_payload');
		expect(sandbox.snapshot('int-1')).toBeUndefined();
	});

	it('creates no interaction when the first request for it is refused', async () => {
		const { sandbox, token } = await ready();
		const response = await updateAttributes(sandbox, token, 'int-new', { attributes: many(51) });
		expect(response.status).toBe(400);
		expect(sandbox.snapshot('int-new')).toBeUndefined();
		expect(sandbox.applied).toEqual([]);
	});
});

describe('POST /api/v2/interactions/{id}/attributes: ids, auth and tenants (contract §2)', () => {
	const body = { attributes: [{ key: 'a', value: 1 }] };

	it.each([
		['a%2Fb', 'a/b'],
		['8f7a%20c', '8f7a c'],
		['caf%C3%A9', 'café'],
		['x%3Fy%23z', 'x?y#z'],
	])('decodes the URL-encoded id %s to %s', async (encoded, decoded) => {
		const { sandbox, token } = await ready();
		const response = await call(sandbox.url, attributesPath(encoded), { token, body });
		expect(response.status).toBe(200);
		expect(response.body.interactionId).toBe(decoded);
		expect(sandbox.snapshot(decoded)?.attributes).toEqual([{ key: 'a', value: 1, mode: 'UPDATE' }]);
	});

	it('answers 404 interaction_not_found for an unknown id when interactions are not auto-created', async () => {
		const { sandbox, token } = await ready({ autoCreateInteractions: false });
		const response = await updateAttributes(sandbox, token, 'missing', body);
		expect(response.status).toBe(404);
		expect(response.body).toEqual({ error: 'interaction_not_found', error_description: expect.any(String) });
		expect(sandbox.snapshot('missing')).toBeUndefined();

		sandbox.addInteraction('known');
		expect((await updateAttributes(sandbox, token, 'known', body)).status).toBe(200);

		sandbox.removeInteraction('known');
		expect((await updateAttributes(sandbox, token, 'known', body)).status).toBe(404);
	});

	it('answers 403 forbidden for an interaction of another tenant and leaves it unchanged', async () => {
		const { sandbox, token } = await ready();
		sandbox.addInteraction('theirs', { foreign: true });
		const response = await updateAttributes(sandbox, token, 'theirs', body);
		expect(response.status).toBe(403);
		expect(response.body).toEqual({ error: 'forbidden', error_description: expect.any(String) });
		expect(sandbox.snapshot('theirs')?.attributes).toEqual([]);
		expect(sandbox.applied).toEqual([]);
	});

	it.each([
		['no Authorization header', undefined],
		['an unknown bearer token', 'not-a-token'],
	])('answers 401 invalid_token for %s', async (_, token) => {
		const { sandbox } = await ready();
		const response = await call(sandbox.url, attributesPath('int-1'), { token, body });
		expect(response.status).toBe(401);
		expect(response.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
		expect(sandbox.snapshot('int-1')).toBeUndefined();
	});

	it('answers 401 for a Basic Authorization header instead of a bearer token', async () => {
		const { sandbox } = await ready();
		const response = await call(sandbox.url, attributesPath('int-1'), {
			body,
			headers: {
				Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
			},
		});
		expect(response.status).toBe(401);
	});
});

describe('recordings of the request bodies', () => {
	it('keeps the exact raw body and its sha256 in received, and the applied update in applied', async () => {
		const { sandbox, token } = await ready();
		// Unusual spacing and a non-ASCII value: any re-serialisation would change the bytes and the hash.
		const raw = '{ "attributes" : [ {"key":"name","value":"Zoë 😀","mode":"ADD"} ] }\n';
		const response = await updateAttributes(sandbox, token, 'int-1', raw);
		expect(response.status).toBe(200);

		expect(sandbox.received).toHaveLength(1);
		const [received] = sandbox.received;
		expect(received.route).toBe('updateAttributes');
		expect(received.path).toBe('/api/v2/interactions/int-1/attributes');
		expect(received.raw).toBe(raw);
		expect(received.bytes.equals(Buffer.from(raw, 'utf8'))).toBe(true);
		expect(received.sha256).toBe(sha256Hex(Buffer.from(raw, 'utf8')));
		expect(received.headers.authorization).toBe(`Bearer ${token}`);

		expect(sandbox.applied).toEqual([
			{
				interactionId: 'int-1',
				sha256: received.sha256,
				attributes: [{ key: 'name', value: 'Zoë 😀', mode: 'ADD' }],
				eventId: expect.stringMatching(/^evt_/),
			},
		]);
	});

	it('hashes the bytes received even when they are not valid UTF-8', async () => {
		const { sandbox, token } = await ready();
		const bytes = Buffer.concat([
			Buffer.from('{"attributes":[{"key":"a","value":"'),
			Buffer.from([0xff, 0xfe]),
			Buffer.from('"}]}'),
		]);
		await call(sandbox.url, attributesPath('int-1'), { token, body: bytes });
		expect(sandbox.received[0].bytes.equals(bytes)).toBe(true);
		expect(sandbox.received[0].sha256).toBe(sha256Hex(bytes));
	});

	it('records refused bodies too, and nothing as applied', async () => {
		const { sandbox, token } = await ready();
		await updateAttributes(sandbox, token, 'int-1', { attributes: [] });
		expect(sandbox.received).toHaveLength(1);
		expect(sandbox.received[0].raw).toBe('{"attributes":[]}');
		expect(sandbox.applied).toEqual([]);
	});

	it('records nothing when recordBodies is off', async () => {
		const { sandbox, token } = await ready({ recordBodies: false });
		expect((await updateAttributes(sandbox, token, 'int-1', { attributes: [{ key: 'a', value: 1 }] })).status).toBe(200);
		expect(sandbox.received).toEqual([]);
		expect(sandbox.applied).toHaveLength(1);
	});
});
