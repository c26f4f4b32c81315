import { createHash } from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox } from '../../sandbox/server';

const sandbox = new CxoneSandbox();
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => {
	sandbox.webhooks.clear();
	sandbox.resetCounters();
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const parameters = (overrides: INodeParameters = {}): INodeParameters => ({
	operation: 'registerWebhook',
	webhookName: 'analytics_sync',
	callbackUrl: 'https://hooks.example.test/cxone',
	headersUi: { header: [{ name: 'X-Webhook-Source', value: 'n8n' }] },
	...overrides,
});

async function register(overrides: INodeParameters = {}, items: IDataObject[] = [{}], continueOnFail = false) {
	return await runNiceCxone({
		credentials: sandboxCredentials(sandbox),
		parameters: parameters(overrides),
		items,
		continueOnFail,
	});
}

const stored = () => [...sandbox.webhooks.values()];

/** The body as sent, with every header value replaced by "[redacted]", in the same key order. */
const redactedHeaders = (raw: string) => {
	const body = JSON.parse(raw) as { headers: Record<string, string> };
	return JSON.stringify({
		...body,
		headers: Object.fromEntries(Object.keys(body.headers).map((name) => [name, '[redacted]'])),
	});
};

describe('Register Webhook', () => {
	it('registers the webhook and outputs its audit record with the id', async () => {
		const { output, error } = await register();
		expect(error).toBeUndefined();
		expect(stored()).toHaveLength(1);
		const [webhook] = stored();
		expect(webhook).toMatchObject({
			name: 'analytics_sync',
			uri: 'https://hooks.example.test/cxone',
			events: ['interaction.attributes.updated'],
			enabled: true,
			headers: { 'X-Webhook-Source': 'n8n' },
		});
		const [sent] = sandbox.received.filter((body) => body.route === 'createWebhook');
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(output[0].json).toEqual({
			timestamp: expect.any(String),
			service: 'cxone.attribute.updater',
			interaction_id: null,
			action: 'register_webhook',
			status: 'success',
			latency_ms: expect.any(Number),
			payload_hash: sha256(redactedHeaders(sent.raw)),
			error_code: null,
			attempts: 2,
			webhook_id: webhook.id,
			webhook_result: 'created',
		});
		// Header values are often secrets: the record's hash must not let anyone test guesses of them offline.
		expect(output[0].json.payload_hash).not.toBe(sha256(sent.raw));
		expect(sandbox.stats.calls.listWebhooks).toBe(1);
		expect(sandbox.stats.calls.createWebhook).toBe(1);
	});

	it('adds the stored webhook with header values redacted when asked', async () => {
		const { output } = await register({ options: { includeWebhook: true } });
		expect(output[0].json.webhook).toEqual({
			...stored()[0],
			headers: { 'X-Webhook-Source': '[redacted]' },
		});
	});

	it('sends Enabled and every header as given', async () => {
		await register({
			enabled: false,
			headersUi: {
				header: [
					{ name: 'X-Webhook-Secret', value: 's3cret' },
					{ name: 'X-Tenant', value: 'eu-1' },
				],
			},
		});
		expect(stored()[0]).toMatchObject({ enabled: false, headers: { 'X-Webhook-Secret': 's3cret', 'X-Tenant': 'eu-1' } });
	});

	describe('If It Already Exists', () => {
		it('Reuse (the default) returns the existing webhook and registers nothing', async () => {
			const first = await register();
			const second = await register();
			expect(stored()).toHaveLength(1);
			expect(sandbox.stats.calls.createWebhook).toBe(1);
			expect(second.output[0].json).toMatchObject({
				status: 'success',
				webhook_id: first.output[0].json.webhook_id,
				webhook_result: 'reused',
				attempts: 1,
			});
			expect(second.output[0].json.differing_fields).toBeUndefined();
		});

		it('Reuse names the settings in which the existing webhook differs', async () => {
			await register();
			const { output } = await register({ enabled: false, headersUi: {} });
			expect(stored()).toHaveLength(1);
			expect(output[0].json).toMatchObject({ webhook_result: 'reused', differing_fields: ['enabled', 'headers'] });
		});

		it('Reuse only matches the same name and the same URL', async () => {
			await register();
			await register({ webhookName: 'other_name' });
			await register({ callbackUrl: 'https://hooks.example.test/other' });
			expect(stored()).toHaveLength(3);
		});

		it('Create Another registers a second webhook', async () => {
			const first = await register();
			const second = await register({ ifExists: 'createAnother' });
			expect(stored()).toHaveLength(2);
			expect(second.output[0].json.webhook_result).toBe('created');
			expect(second.output[0].json.webhook_id).not.toBe(first.output[0].json.webhook_id);
		});

		it('Fail stops with an error naming the item and the existing webhook', async () => {
			const first = await register();
			const { error } = await register({ ifExists: 'fail' });
			expect(stored()).toHaveLength(1);
			expect(sandbox.stats.calls.createWebhook).toBe(1);
			expect(error?.message).toContain('Item 0');
			expect(error?.message).toContain(String(first.output[0].json.webhook_id));
			expect(error?.description).toContain('Reuse');
		});

		it('Fail with Continue On Fail outputs a failure record with error code webhook_exists', async () => {
			await register();
			const { output, error } = await register({ ifExists: 'fail' }, [{}], true);
			expect(error).toBeUndefined();
			expect(output[0].json).toMatchObject({
				action: 'register_webhook',
				status: 'failure',
				error_code: 'webhook_exists',
				attempts: 1,
				payload_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
			});
			expect(stored()).toHaveLength(1);
		});
	});

	it('registers items one at a time, so two items asking for the same webhook make one', async () => {
		const { output } = await register({ webhookName: '={{ $json.name }}' }, [
			{ name: 'same' },
			{ name: 'same' },
			{ name: 'different' },
		]);
		expect(stored().map((webhook) => webhook.name).sort()).toEqual(['different', 'same']);
		expect(output.map((item) => item.json.webhook_result)).toEqual(['created', 'reused', 'created']);
		expect(output[0].json.webhook_id).toBe(output[1].json.webhook_id);
	});

	describe('validation before any call', () => {
		it.each([
			['an empty name', { webhookName: ' ' }, 'Name must not be empty'],
			['a relative URL', { callbackUrl: '/hook' }, 'Callback URL must be an absolute URL'],
			['a non-http URL', { callbackUrl: 'ftp://hooks.example.test/x' }, 'Callback URL must be an http(s) URL'],
			['no events', { events: '={{ [] }}' }, 'Events must name at least one event'],
			['an invalid header name', { headersUi: { header: [{ name: 'X Bad', value: 'v' }] } }, 'Header 1 Name'],
			[
				'the same header twice in different case',
				{ headersUi: { header: [{ name: 'X-Secret', value: 'a' }, { name: 'x-secret', value: 'b' }] } },
				'Header 2 Name "x-secret" appears more than once',
			],
		])('refuses %s', async (_label, overrides, message) => {
			const { error } = await register(overrides as INodeParameters);
			expect(error?.message).toContain('Item 0');
			expect(error?.message).toContain(message);
			expect(sandbox.stats.calls.listWebhooks).toBe(0);
			expect(sandbox.stats.calls.createWebhook).toBe(0);
		});
	});

	describe('a POST that fails on the way', () => {
		it('after a reset once CXone stored the webhook, finds it instead of registering a second one', async () => {
			sandbox.injectFault('createWebhook', { kind: 'reset', after: true });
			const { output, error } = await register();
			expect(error).toBeUndefined();
			expect(stored()).toHaveLength(1);
			expect(sandbox.stats.calls.createWebhook).toBe(1);
			expect(output[0].json).toMatchObject({
				status: 'success',
				webhook_id: stored()[0].id,
				webhook_result: 'recovered',
				attempts: 3,
			});
		});

		it('after a reset before CXone stored anything, POSTs again and makes exactly one', async () => {
			sandbox.injectFault('createWebhook', { kind: 'reset' });
			const { output } = await register();
			expect(stored()).toHaveLength(1);
			expect(sandbox.stats.calls.createWebhook).toBe(2);
			expect(output[0].json).toMatchObject({ webhook_id: stored()[0].id, webhook_result: 'created', attempts: 4 });
		});

		it('after a 503, waits, looks, and POSTs again', async () => {
			sandbox.injectFault('createWebhook', { kind: 'status', status: 503, retryAfter: 1 });
			const started = performance.now();
			const { output } = await register();
			expect(performance.now() - started).toBeGreaterThanOrEqual(900);
			expect(stored()).toHaveLength(1);
			expect(sandbox.stats.calls.createWebhook).toBe(2);
			expect(output[0].json.webhook_result).toBe('created');
		});

		it('with an existing webhook of the same name and URL under Create Another, still adds only one', async () => {
			await register();
			sandbox.injectFault('createWebhook', { kind: 'reset', after: true });
			const { output } = await register({ ifExists: 'createAnother' });
			expect(stored()).toHaveLength(2);
			expect(output[0].json.webhook_result).toBe('recovered');
			expect(output[0].json.webhook_id).toBe(stored()[1].id);
		});

		it('does not retry a 403 and reports it', async () => {
			sandbox.injectFault('createWebhook', { kind: 'wrongScope' });
			const { output } = await register({}, [{}], true);
			expect(sandbox.stats.calls.createWebhook).toBe(1);
			expect(stored()).toHaveLength(0);
			expect(output[0].json).toMatchObject({ status: 'failure', error_code: 'insufficient_scope', attempts: 2 });
			expect(output[0].json.hint).toContain('webhooks:write');
		});

		it('gives up after 3 POSTs that all fail, leaving no webhook', async () => {
			sandbox.injectFault('createWebhook', { kind: 'reset' }, 3);
			const { output } = await register({}, [{}], true);
			expect(sandbox.stats.calls.createWebhook).toBe(3);
			expect(stored()).toHaveLength(0);
			expect(output[0].json).toMatchObject({ status: 'failure', error_code: expect.stringMatching(/^E|network/) });
		});
	});
});
