import { createHash } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { callbackEvent, secretOf, TriggerHarness } from '../helpers/runTrigger';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox } from '../../sandbox/server';

const sandbox = new CxoneSandbox({ callbackRetryDelayMs: 20 });
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});

const harnesses: TriggerHarness[] = [];
beforeEach(() => {
	sandbox.webhooks.clear();
	sandbox.resetCounters();
});
afterEach(async () => {
	await sandbox.settleCallbacks();
	await Promise.all(harnesses.splice(0).map((harness) => harness.stop()));
});

async function trigger(parameters: INodeParameters = {}, options: { test?: boolean } = {}) {
	const harness = new TriggerHarness(sandboxCredentials(sandbox), parameters, options);
	harnesses.push(harness);
	return await harness.start();
}

/** A trigger activated the way n8n activates a workflow: checkExists, then create when it says false. */
async function activated(parameters: INodeParameters = {}) {
	const harness = await trigger(parameters);
	expect(await harness.hook('checkExists')).toBe(false);
	expect(await harness.hook('create')).toBe(true);
	return harness;
}

async function updateAttributes(interactionId: string, attributes: Array<{ key: string; value: string }>) {
	const result = await runNiceCxone({
		credentials: sandboxCredentials(sandbox),
		parameters: {
			operation: 'updateAttributes',
			interactionId,
			attributesInput: 'json',
			attributesJson: JSON.stringify(attributes),
		},
		items: [{}],
	});
	expect(result.error).toBeUndefined();
	await sandbox.settleCallbacks();
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const event = callbackEvent;


describe('activation (Register Automatically)', () => {
	it('registers exactly one webhook for the production URL with a fresh secret header', async () => {
		const harness = await activated();
		const webhooks = [...sandbox.webhooks.values()];
		expect(webhooks).toHaveLength(1);
		const [webhook] = webhooks;
		expect(webhook.uri).toBe(harness.url);
		expect(webhook.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/[0-9a-f-]{36}\/webhook$/);
		expect(webhook.events).toEqual(['interaction.attributes.updated']);
		expect(webhook.enabled).toBe(true);
		expect(Object.keys(webhook.headers)).toEqual(['X-Webhook-Secret']);
		expect(webhook.headers['X-Webhook-Secret']).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(harness.staticData).toEqual({ webhookId: webhook.id, webhookSecret: webhook.headers['X-Webhook-Secret'] });
		expect(await harness.hook('checkExists')).toBe(true);
	});

	it('gives every activation its own secret', async () => {
		const first = await activated();
		const second = await activated();
		expect(secretOf(first)).not.toBe(secretOf(second));
		expect(sandbox.webhooks.size).toBe(2);
	});

	it('re-creates the webhook when CXone lost it', async () => {
		const harness = await activated();
		const lostId = String(harness.staticData.webhookId);
		sandbox.webhooks.delete(lostId);
		expect(await harness.hook('checkExists')).toBe(false);
		expect(harness.staticData).toEqual({});
		expect(await harness.hook('create')).toBe(true);
		expect(sandbox.webhooks.size).toBe(1);
		expect(harness.staticData.webhookId).not.toBe(lostId);
		expect(await harness.hook('checkExists')).toBe(true);
	});

	it('replaces a webhook that no longer matches the chosen events or secret', async () => {
		const harness = await activated();
		const webhook = sandbox.webhooks.get(String(harness.staticData.webhookId));
		webhook!.headers = { 'X-Webhook-Secret': 'changed elsewhere' };
		expect(await harness.hook('checkExists')).toBe(false);
		expect(await harness.hook('create')).toBe(true);
		expect([...sandbox.webhooks.values()].map((stored) => stored.id)).toEqual([harness.staticData.webhookId]);
	});

	it('removes the old webhook when n8n serves the trigger at a new URL, so it stops receiving events', async () => {
		const harness = await activated();
		const oldId = String(harness.staticData.webhookId);
		const oldUrl = harness.url;
		harness.moveWebhookBase('/moved/webhook');
		expect(harness.url).not.toBe(oldUrl);
		expect(await harness.hook('checkExists')).toBe(false);
		expect(sandbox.webhooks.has(oldId)).toBe(false);
		expect(await harness.hook('create')).toBe(true);
		expect([...sandbox.webhooks.values()].map((stored) => stored.uri)).toEqual([harness.url]);
	});

	it('removes webhooks left over for its URL before registering', async () => {
		const harness = await trigger();
		sandbox.webhooks.set('wh_leftover', {
			id: 'wh_leftover',
			name: 'from an earlier activation',
			uri: harness.url,
			events: ['interaction.attributes.updated'],
			enabled: true,
			headers: { 'X-Webhook-Secret': 'old' },
			createdAt: new Date().toISOString(),
		});
		expect(await harness.hook('checkExists')).toBe(false);
		expect(await harness.hook('create')).toBe(true);
		expect([...sandbox.webhooks.keys()]).toEqual([harness.staticData.webhookId]);
	});

	it('survives a reset after CXone stored the registration without making two', async () => {
		const harness = await trigger();
		sandbox.injectFault('createWebhook', { kind: 'reset', after: true });
		expect(await harness.hook('create')).toBe(true);
		expect(sandbox.webhooks.size).toBe(1);
		expect(harness.staticData.webhookId).toBe([...sandbox.webhooks.keys()][0]);
	});

	it('fails activation with CXone’s reason and a hint when it refuses, registering nothing', async () => {
		const harness = await trigger();
		sandbox.injectFault('listWebhooks', { kind: 'wrongScope' });
		await expect(harness.hook('create')).rejects.toMatchObject({
			message: expect.stringContaining('insufficient_scope'),
			description: expect.stringContaining('webhooks:write'),
		});
		expect(sandbox.webhooks.size).toBe(0);
		expect(harness.staticData).toEqual({});
	});

	it('refuses to register without events, before any call', async () => {
		const harness = await trigger({ events: '={{ [] }}' });
		await expect(harness.hook('create')).rejects.toThrow('Cannot register the webhook: events must name at least one event');
		expect(sandbox.stats.calls).toMatchObject({ listWebhooks: 0, createWebhook: 0 });
	});

	it('registers the test URL while the editor listens', async () => {
		const harness = await trigger({}, { test: true });
		expect(await harness.hook('checkExists')).toBe(false);
		expect(await harness.hook('create')).toBe(true);
		const [webhook] = [...sandbox.webhooks.values()];
		expect(webhook.uri).toBe(harness.url);
		expect(webhook.uri).toContain('/webhook-test/');
		await updateAttributes('int-test', [{ key: 'stage', value: 'test' }]);
		expect(harness.runs).toHaveLength(1);
		expect(await harness.hook('delete')).toBe(true);
		expect(sandbox.webhooks.size).toBe(0);
	});
});

describe('deactivation', () => {
	it('deletes the webhook and forgets it', async () => {
		const harness = await activated();
		expect(await harness.hook('delete')).toBe(true);
		expect(sandbox.webhooks.size).toBe(0);
		expect(sandbox.stats.calls.deleteWebhook).toBe(1);
		expect(harness.staticData).toEqual({});
	});

	it('tolerates a webhook CXone already lost, and static data that is missing', async () => {
		const harness = await activated();
		sandbox.webhooks.clear();
		expect(await harness.hook('delete')).toBe(true);
		expect(harness.staticData).toEqual({});
		expect(await harness.hook('delete')).toBe(true);
		expect(sandbox.stats.calls.deleteWebhook).toBe(1);
	});

	it('keeps the id when CXone cannot be reached, so the next activation finds it', async () => {
		const harness = await activated();
		sandbox.injectFault('deleteWebhook', { kind: 'wrongScope' });
		expect(await harness.hook('delete')).toBe(false);
		expect(sandbox.webhooks.size).toBe(1);
		expect(await harness.hook('checkExists')).toBe(true);
	});
});

describe('callbacks', () => {
	it('turns an attribute update on CXone into exactly one run with the event and its audit record', async () => {
		const harness = await activated();
		await updateAttributes('int-7', [{ key: 'campaign_id', value: '12345' }]);

		expect(harness.runs).toHaveLength(1);
		expect(harness.calls).toHaveLength(1);
		const [call] = harness.calls;
		expect(call.status).toBe(200);
		expect(sandbox.deliveries).toEqual([
			expect.objectContaining({ webhookId: harness.staticData.webhookId, attempt: 1, status: 200 }),
		]);
		const sent = JSON.parse(call.rawBody.toString('utf8'));
		const [[items]] = [harness.runs[0]];
		expect(items).toHaveLength(1);
		const item = items[0].json;
		expect(item).toEqual({
			eventId: sent.eventId,
			eventType: 'interaction.attributes.updated',
			interactionId: 'int-7',
			attributes: [{ key: 'campaign_id', value: '12345', mode: 'UPDATE' }],
			occurredAt: sent.occurredAt,
			callbackLatencyMs: sent.callbackLatencyMs,
			receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
			audit: {
				timestamp: expect.any(String),
				service: 'cxone.attribute.updater',
				interaction_id: 'int-7',
				action: 'receive_callback',
				status: 'success',
				latency_ms: sent.callbackLatencyMs,
				payload_hash: sha256(call.rawBody),
				error_code: null,
				attempts: 1,
			},
		});
		expect(sandbox.applied.map((update) => update.eventId)).toEqual([sent.eventId]);
	});

	it('starts one run per update', async () => {
		const harness = await activated();
		await updateAttributes('int-1', [{ key: 'a', value: '1' }]);
		await updateAttributes('int-2', [{ key: 'b', value: '2' }]);
		expect(harness.runs.map((run) => run[0][0].json.interactionId)).toEqual(['int-1', 'int-2']);
	});

	it('runs once when CXone redelivers an event the receiver answered with 500', async () => {
		const harness = await activated();
		harness.failNext = 1;
		await updateAttributes('int-9', [{ key: 'stage', value: 'retry' }]);
		expect(sandbox.deliveries.map((delivery) => delivery.status)).toEqual([500, 200]);
		expect(new Set(sandbox.deliveries.map((delivery) => delivery.eventId)).size).toBe(1);
		expect(harness.runs).toHaveLength(1);
		expect(harness.calls.map((call) => call.response)).toEqual([
			{ message: 'Injected failure after the run started' },
			expect.objectContaining({ status: 'duplicate' }),
		]);
	});

	it('runs once for the same eventId sent twice', async () => {
		const harness = await activated();
		const body = event();
		const headers = { 'X-Webhook-Secret': secretOf(harness) };
		expect((await harness.post(body, headers)).status).toBe(200);
		const again = await harness.post(body, headers);
		expect(again).toEqual({ status: 200, body: expect.objectContaining({ status: 'duplicate' }) });
		expect(harness.runs).toHaveLength(1);
	});

	it('accepts the secret header in any letter case of its name and a charset on the content type', async () => {
		const harness = await activated();
		const response = await harness.post(event(), {
			'x-webhook-secret': secretOf(harness),
			'Content-Type': 'application/json; charset=utf-8',
		});
		expect(response.status).toBe(200);
		expect(harness.runs).toHaveLength(1);
	});

	describe('refused without a run', () => {
		it.each([
			['a missing secret', () => ({})],
			['a forged secret', () => ({ 'X-Webhook-Secret': 'forged-secret-of-some-length-000000000000' })],
			['the secret in other letter case', (secret: string) => ({ 'X-Webhook-Secret': secret.toUpperCase() })],
			['a truncated secret', (secret: string) => ({ 'X-Webhook-Secret': secret.slice(0, -1) })],
			['the secret with a suffix', (secret: string) => ({ 'X-Webhook-Secret': `${secret}x` })],
			['an empty secret', () => ({ 'X-Webhook-Secret': '' })],
		])('401 for %s', async (_label, headersFor) => {
			const harness = await activated();
			const response = await harness.post(event(), headersFor(secretOf(harness)));
			expect(response).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_secret' }) });
			expect(harness.runs).toHaveLength(0);
		});

		it('401 before anything else, even for a body that is also malformed', async () => {
			const harness = await activated();
			const response = await harness.post('{not json', { 'Content-Type': 'text/plain' });
			expect(response.status).toBe(401);
		});

		it('401 when the trigger holds no secret', async () => {
			const harness = await activated();
			const secret = secretOf(harness);
			delete harness.staticData.webhookSecret;
			const response = await harness.post(event(), { 'X-Webhook-Secret': secret });
			expect(response.status).toBe(401);
			expect(harness.runs).toHaveLength(0);
		});

		it.each([
			['malformed JSON', '{"eventId": "evt_1",', {}, 400, 'invalid_json'],
			['a body that is not the callback schema', event({ eventId: undefined }), {}, 400, 'invalid_payload'],
			['a non-numeric latency', event({ callbackLatencyMs: 'fast' }), {}, 400, 'invalid_payload'],
			['a JSON array', '[1, 2]', {}, 400, 'invalid_payload'],
			// Recent event ids are remembered per webhook: a bound on their length bounds that memory in bytes.
			['an eventId over 200 characters', event({ eventId: `evt_${'x'.repeat(197)}` }), {}, 400, 'invalid_payload'],
			['a text/plain body', event(), { 'Content-Type': 'text/plain' }, 415, 'unsupported_media_type'],
			['a form body', 'a=1', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
		])('%s', async (_label, body, headers, status, code) => {
			const harness = await activated();
			const response = await harness.post(body, { 'X-Webhook-Secret': secretOf(harness), ...headers });
			expect(response).toEqual({ status, body: expect.objectContaining({ error: code }) });
			expect(harness.runs).toHaveLength(0);
		});

		it('413 for a body over 1 MiB', async () => {
			const harness = await activated();
			const padding = 'x'.repeat(1024 * 1024);
			const response = await harness.post(event({ attributes: [{ key: 'big', value: padding }] }), {
				'X-Webhook-Secret': secretOf(harness),
			});
			expect(response).toEqual({ status: 413, body: expect.objectContaining({ error: 'payload_too_large' }) });
			expect(harness.runs).toHaveLength(0);
		});

		it('names the broken field of a schema mismatch', async () => {
			const harness = await activated();
			const response = await harness.post(event({ occurredAt: 'yesterday' }), {
				'X-Webhook-Secret': secretOf(harness),
			});
			expect(response.body).toMatchObject({ error_description: expect.stringContaining('occurredAt') });
		});
	});

	it('answers 200 and starts no run for an event type it is not subscribed to', async () => {
		const harness = await activated();
		const response = await harness.post(event({ eventType: 'interaction.created' }), {
			'X-Webhook-Secret': secretOf(harness),
		});
		expect(response).toEqual({ status: 200, body: expect.objectContaining({ status: 'ignored' }) });
		expect(harness.runs).toHaveLength(0);
	});
});
