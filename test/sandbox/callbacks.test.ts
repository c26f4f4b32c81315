import { afterEach, describe, expect, it } from 'vitest';

import type { CxoneSandbox } from '../../sandbox/server';
import { call, getToken, type Receiver, startReceiver, updateAttributes, useSandbox } from './testClient';

const startSandbox = useSandbox();

const receivers: Receiver[] = [];
afterEach(async () => {
	await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(status?: (index: number) => number) {
	const started = await startReceiver(status);
	receivers.push(started);
	return started;
}

async function register(sandbox: CxoneSandbox, token: string, body: Record<string, unknown>) {
	const response = await call(sandbox.url, '/api/v2/webhooks', {
		token,
		body: { name: 'sync', events: ['interaction.attributes.updated'], ...body },
	});
	expect(response.status).toBe(201);
	return response.body.id as string;
}

const update = { attributes: [{ key: 'campaign_id', value: '12345', mode: 'UPDATE' }] };

describe('callbacks to registered webhooks (contract §4)', () => {
	it('POSTs the event as JSON with every registered header', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		const hook = await receiver();
		await register(sandbox, token, {
			uri: hook.url,
			headers: { 'X-Webhook-Secret': 'abc123', 'X-Webhook-Source': 'sandbox' },
		});

		const response = await updateAttributes(sandbox, token, 'int-1', update);
		expect(response.status).toBe(200);
		await hook.waitFor(1);
		await sandbox.settleCallbacks();

		expect(hook.requests).toHaveLength(1);
		const [callback] = hook.requests;
		expect(callback.method).toBe('POST');
		expect(callback.url).toBe('/hook');
		expect(callback.headers['content-type']).toBe('application/json');
		expect(callback.headers['x-webhook-secret']).toBe('abc123');
		expect(callback.headers['x-webhook-source']).toBe('sandbox');
		expect(callback.body).toEqual({
			eventId: expect.stringMatching(/^evt_[A-Za-z0-9]+$/),
			eventType: 'interaction.attributes.updated',
			interactionId: 'int-1',
			attributes: [{ key: 'campaign_id', value: '12345', mode: 'UPDATE' }],
			occurredAt: response.body.lastUpdated,
			callbackLatencyMs: expect.any(Number),
		});
		expect(Number.isInteger(callback.body.callbackLatencyMs)).toBe(true);
		expect(callback.body.callbackLatencyMs).toBeGreaterThanOrEqual(0);
		expect(callback.body.eventId).toBe(sandbox.applied[0].eventId);
		expect(sandbox.stats.callbacksDelivered).toBe(1);
		expect(sandbox.deliveries).toEqual([
			{ webhookId: expect.stringMatching(/^wh_/), eventId: callback.body.eventId, attempt: 1, status: 200 },
		]);
	});

	it('sends Content-Type application/json even when a content-type header was registered', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		const hook = await receiver();
		await register(sandbox, token, { uri: hook.url, headers: { 'content-type': 'text/plain' } });

		await updateAttributes(sandbox, token, 'int-1', update);
		await hook.waitFor(1);
		expect(hook.requests[0].headers['content-type']).toBe('application/json');
	});

	it('gives every update its own eventId and delivers it to every subscribed webhook', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		const first = await receiver();
		const second = await receiver();
		await register(sandbox, token, { uri: first.url });
		await register(sandbox, token, { uri: second.url });

		await updateAttributes(sandbox, token, 'int-1', update);
		await updateAttributes(sandbox, token, 'int-2', update);
		await sandbox.settleCallbacks();

		const ids = (hook: Receiver) => hook.requests.map((request) => request.body.eventId).sort();
		expect(ids(first)).toHaveLength(2);
		expect(new Set(ids(first)).size).toBe(2);
		expect(ids(second)).toEqual(ids(first));
		expect(first.requests.map((request) => request.body.interactionId).sort()).toEqual(['int-1', 'int-2']);
	});

	it('sends nothing to disabled webhooks or webhooks not subscribed to the event', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		const disabled = await receiver();
		const otherEvent = await receiver();
		const subscribed = await receiver();
		await register(sandbox, token, { uri: disabled.url, enabled: false });
		await register(sandbox, token, { uri: otherEvent.url, events: ['interaction.created'] });
		await register(sandbox, token, { uri: subscribed.url });

		await updateAttributes(sandbox, token, 'int-1', update);
		// The subscribed webhook proves callbacks were sent, so silence on the others is not just slowness.
		await subscribed.waitFor(1);
		await sandbox.settleCallbacks();

		expect(subscribed.requests).toHaveLength(1);
		expect(disabled.requests).toEqual([]);
		expect(otherEvent.requests).toEqual([]);
		expect(sandbox.stats.callbackAttempts).toBe(1);
	});

	it('sends nothing for a refused update', async () => {
		const sandbox = await startSandbox();
		const token = await getToken(sandbox);
		const hook = await receiver();
		await register(sandbox, token, { uri: hook.url });

		expect((await updateAttributes(sandbox, token, 'int-1', { attributes: [] })).status).toBe(400);
		await sandbox.settleCallbacks();
		expect(hook.requests).toEqual([]);
		expect(sandbox.stats.callbackAttempts).toBe(0);
	});

	it('retries a callback answered with 500 three times with the same eventId', async () => {
		const sandbox = await startSandbox({ callbackRetryDelayMs: 10 });
		const token = await getToken(sandbox);
		const hook = await receiver(() => 500);
		await register(sandbox, token, { uri: hook.url });

		await updateAttributes(sandbox, token, 'int-1', update);
		await sandbox.settleCallbacks();

		expect(hook.requests).toHaveLength(4);
		expect(new Set(hook.requests.map((request) => request.body.eventId))).toEqual(
			new Set([sandbox.applied[0].eventId]),
		);
		expect(sandbox.deliveries.map(({ attempt, status }) => [attempt, status])).toEqual([
			[1, 500],
			[2, 500],
			[3, 500],
			[4, 500],
		]);
		expect(sandbox.stats).toMatchObject({ callbackAttempts: 4, callbacksDelivered: 0, callbacksFailed: 1 });
	});

	it('stops retrying once the receiver answers 2xx', async () => {
		const sandbox = await startSandbox({ callbackRetryDelayMs: 10 });
		const token = await getToken(sandbox);
		const hook = await receiver((index) => (index < 2 ? 503 : 204));
		await register(sandbox, token, { uri: hook.url });

		await updateAttributes(sandbox, token, 'int-1', update);
		await sandbox.settleCallbacks();

		expect(hook.requests).toHaveLength(3);
		expect(new Set(hook.requests.map((request) => request.body.eventId)).size).toBe(1);
		expect(sandbox.deliveries.map(({ status }) => status)).toEqual([503, 503, 204]);
		expect(sandbox.stats).toMatchObject({ callbackAttempts: 3, callbacksDelivered: 1, callbacksFailed: 0 });
	});

	it('retries when the receiver cannot be reached, and records the error', async () => {
		const sandbox = await startSandbox({ callbackRetryDelayMs: 10 });
		const token = await getToken(sandbox);
		const gone = await startReceiver();
		await gone.close();
		await register(sandbox, token, { uri: gone.url });

		await updateAttributes(sandbox, token, 'int-1', update);
		await sandbox.settleCallbacks();

		expect(sandbox.deliveries).toHaveLength(4);
		for (const delivery of sandbox.deliveries) {
			expect(delivery.status).toBeNull();
			expect(delivery.error).toEqual(expect.any(String));
		}
		expect(sandbox.stats.callbacksFailed).toBe(1);
	});
});
