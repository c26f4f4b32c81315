import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

import type { INodeParameters } from 'n8n-workflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TriggerHarness } from '../helpers/runTrigger';
import { sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox } from '../../sandbox/server';
import { callFromStudio, STUDIO_AUTOMATIC_RETRIES, type StudioCall } from '../../sandbox/studioCaller';

const sandbox = new CxoneSandbox();
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});

const harnesses: TriggerHarness[] = [];
afterEach(async () => {
	await Promise.all(harnesses.splice(0).map((harness) => harness.stop()));
});

const secret = 'studio-secret-0123456789abcdef';
const studio: INodeParameters = { registration: 'studio', webhookSecret: secret };

async function trigger(parameters: INodeParameters = studio) {
	const harness = new TriggerHarness(sandboxCredentials(sandbox), parameters);
	harnesses.push(harness);
	await harness.start();
	expect(await harness.hook('checkExists')).toBe(true);
	return harness;
}

/** A Studio call to the trigger with the right secret, retrying at once like the REST API action. */
const call = (harness: TriggerHarness, options: Partial<StudioCall> = {}) =>
	callFromStudio({
		url: harness.url,
		body: { eventId: `${randomUUID()}-1`, contactId: '5000123', event: 'contact.data' },
		timeoutMs: 5_000,
		...options,
		headers: { 'X-Webhook-Secret': secret, ...options.headers },
	});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const items = (harness: TriggerHarness) => harness.runs.map((run) => run[0].map((item) => item.json));

describe('CXone Studio calls: activation', () => {
	it('registers nothing and asks CXone nothing on activation and deactivation', async () => {
		sandbox.resetCounters();
		const harness = await trigger();
		expect(await harness.hook('create')).toBe(true);
		expect(await harness.hook('delete')).toBe(true);
		expect(sandbox.stats.calls).toMatchObject({ listWebhooks: 0, createWebhook: 0, deleteWebhook: 0 });
		expect(sandbox.stats.tokenRequests).toBe(0);
	});

	it('needs no credential: the credential is asked for only in Register Automatically', async () => {
		const harness = await trigger();
		expect(harness.nodeType.description.credentials).toEqual([
			expect.objectContaining({ name: 'niceCxoneApi', displayOptions: { show: { registration: ['automatic'] } } }),
		]);
		delete harness.node.credentials;
		expect(await harness.hook('create')).toBe(true);
		expect((await call(harness)).ok).toBe(true);
		expect(harness.runs).toHaveLength(1);
	});

	it('refuses to activate with a short secret', async () => {
		const harness = new TriggerHarness(sandboxCredentials(sandbox), { registration: 'studio', webhookSecret: 'short' });
		harnesses.push(await harness.start());
		await expect(harness.hook('checkExists')).rejects.toThrow(/Webhook Secret must be at least 16 characters/);
	});

	it('shows the REST API action settings and a SNIPPET with its header and eventId', () => {
		const harness = new TriggerHarness(sandboxCredentials(sandbox), studio);
		const notices = harness.nodeType.description.properties
			.filter((property) => property.type === 'notice')
			.filter((property) => property.displayOptions?.show?.registration?.includes('studio'))
			.map((property) => property.displayName)
			.join('\n');
		for (const expected of [
			'proxy.AddHeader("X-Webhook-Secret", "YOUR-WEBHOOK-SECRET")',
			'proxy.ContentType = "application/json"',
			'evt.eventId = "{ContactID}-{SPAWNEDCONTACTID}-{ElapsedTime}"',
			'ASSIGN resp = proxy.MakeRestRequest(n8nUrl, body, 0, "POST")',
			'Verb: POST',
		]) {
			expect(notices).toContain(`<li>${expected}`);
		}
	});
});

describe('CXone Studio calls: one run per event', () => {
	it('turns a JSON call into one run with its fields, receivedAt and an audit record, and answers {"ok":true}', async () => {
		const harness = await trigger();
		const body = { eventId: '5000123-0-17', contactId: '5000123', event: 'contact.data', data: { orderNumber: 'A-1' } };
		const result = await call(harness, { body });
		expect(result).toEqual({ ok: true, status: 200, response: { ok: true }, attempts: [{ status: 200, response: { ok: true } }] });
		expect(items(harness)).toEqual([
			[
				{
					...body,
					receivedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
					audit: {
						timestamp: expect.any(String),
						service: 'cxone.attribute.updater',
						interaction_id: '5000123',
						action: 'receive_studio_call',
						status: 'success',
						latency_ms: expect.any(Number),
						payload_hash: sha256(harness.calls[0].rawBody),
						error_code: null,
						attempts: 1,
					},
				},
			],
		]);
	});

	it('turns a form call, GetRESTProxy’s default content type, into the same fields as text', async () => {
		const harness = await trigger();
		const result = await call(harness, {
			contentType: 'form',
			body: { eventId: 'evt-form-1', contactId: 5000124, skill: 'Sales & Support' },
		});
		expect(result.ok).toBe(true);
		expect(items(harness)[0][0]).toMatchObject({ eventId: 'evt-form-1', contactId: '5000124', skill: 'Sales & Support' });
		expect(items(harness)[0][0].audit).toMatchObject({ interaction_id: '5000124' });
	});

	it('reads JSON text sent with the form content type, as evt.asjson() is when ContentType is left as it is', async () => {
		const harness = await trigger();
		const result = await call(harness, { contentType: 'form', body: '{"eventId":"evt-asjson","contactId":"7"}' });
		expect(result.ok).toBe(true);
		expect(items(harness)[0][0]).toMatchObject({ eventId: 'evt-asjson', contactId: '7' });
	});

	it('starts one run per distinct event, in the order they came', async () => {
		const harness = await trigger();
		for (const eventId of ['e-1', 'e-2', 'e-3']) expect((await call(harness, { body: { eventId } })).ok).toBe(true);
		expect(items(harness).map(([item]) => item.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
	});

	it('starts no second run for a repeated eventId, whatever else the body says, and answers it 200', async () => {
		const harness = await trigger();
		await call(harness, { body: { eventId: 'evt-7', elapsed: 1 } });
		const repeated = await call(harness, { body: { eventId: 'evt-7', elapsed: 2 } });
		expect(repeated).toMatchObject({ ok: true, status: 200, response: { ok: true, duplicate: true } });
		expect(harness.runs).toHaveLength(1);
	});

	it('dedupes on the field the user names', async () => {
		const harness = await trigger({ ...studio, eventIdField: 'callId' });
		await call(harness, { body: { callId: 'c-1', eventId: 'a' } });
		await call(harness, { body: { callId: 'c-1', eventId: 'b' } });
		await call(harness, { body: { callId: 'c-2', eventId: 'a' } });
		expect(items(harness).map(([item]) => item.callId)).toEqual(['c-1', 'c-2']);
	});

	it('without an event ID, starts one run for the same bytes sent again and one for other bytes', async () => {
		const harness = await trigger();
		await call(harness, { body: { contactId: '1', note: 'x' } });
		await call(harness, { body: { contactId: '1', note: 'x' } });
		await call(harness, { body: { contactId: '1', note: 'y' } });
		expect(items(harness).map(([item]) => item.note)).toEqual(['x', 'y']);
	});

	it('starts one run when Studio retries a call whose answer was lost', async () => {
		const harness = await trigger();
		harness.dropNextAnswers = 1;
		const result = await call(harness);
		expect(result.attempts.map((attempt) => attempt.status)).toEqual([-1, 200]);
		expect(result.response).toEqual({ ok: true, duplicate: true });
		expect(harness.runs).toHaveLength(1);
	});

	it('starts one run for the same event arriving twice at once', async () => {
		const harness = await trigger();
		const body = { eventId: 'evt-concurrent', contactId: '9' };
		const results = await Promise.all([call(harness, { body }), call(harness, { body })]);
		expect(results.map((result) => result.ok)).toEqual([true, true]);
		expect(harness.runs).toHaveLength(1);
	});

	it('starts one run when n8n restarts between a call and its retry', async () => {
		const before = await trigger();
		before.dropNextAnswers = 1;
		const body = { eventId: 'evt-restart', contactId: '11' };
		const first = await call(before, { body, retries: 0 });
		expect(first.attempts).toEqual([{ status: -1, failure: expect.stringMatching(/^no answer/) }]);
		expect(before.runs).toHaveLength(1);

		const port = Number(new URL(before.url).port);
		await before.stop();
		const after = before.restarted();
		harnesses.push(await after.start(port));
		expect(after.url).toBe(before.url);
		const retry = await call(after, { body, retries: 0 });
		expect(retry.response).toEqual({ ok: true, duplicate: true });
		expect(after.runs).toHaveLength(0);
	});

	it('puts back the events a concurrent call’s save dropped from the static data, so a restart still knows them', async () => {
		const before = await trigger();
		const bodies = ['evt-a', 'evt-b', 'evt-c'].map((eventId) => ({ eventId, contactId: '13' }));
		await call(before, { body: bodies[0] });
		// What a call handled at the same time as the next two saves last: the list as it was before them.
		const snapshot = JSON.parse(JSON.stringify(before.staticData)) as Record<string, unknown>;
		await call(before, { body: bodies[1] });
		await call(before, { body: bodies[2] });
		Object.assign(before.staticData, snapshot);
		expect((await call(before, { body: bodies[1] })).response).toEqual({ ok: true, duplicate: true });

		const port = Number(new URL(before.url).port);
		await before.stop();
		const after = before.restarted();
		harnesses.push(await after.start(port));
		for (const body of bodies) expect((await call(after, { body })).response).toEqual({ ok: true, duplicate: true });
		expect(after.runs).toHaveLength(0);
	});

	it('would run the retry again after a restart if the static data had been lost: the memory is in it', async () => {
		const before = await trigger();
		const body = { eventId: 'evt-lost-static-data', contactId: '12' };
		await call(before, { body });
		const port = Number(new URL(before.url).port);
		await before.stop();
		const after = before.restarted();
		for (const key of Object.keys(after.staticData)) delete after.staticData[key];
		harnesses.push(await after.start(port));
		expect((await call(after, { body })).response).toEqual({ ok: true });
		expect(after.runs).toHaveLength(1);
	});
});

describe('npm run studio-call', () => {
	it('makes one Studio call from the command line and prints how it went', async () => {
		const harness = await trigger();
		const { stdout } = await promisify(execFile)(
			'npx',
			['tsx', 'sandbox/studioCall.ts', '--url', harness.url, '--secret', secret, '--form', '--body', '{"contactId":"77"}'],
			{ cwd: path.resolve(__dirname, '../..'), timeout: 60_000 },
		);
		expect(JSON.parse(stdout)).toMatchObject({ ok: true, status: 200, response: { ok: true } });
		expect(items(harness)).toEqual([[expect.objectContaining({ contactId: '77', eventId: expect.stringMatching(/^studio-call-/) })]]);
	});
});

describe('CXone Studio calls refused, starting nothing', () => {
	it.each([
		['a missing secret', {}],
		['a forged secret', { 'X-Webhook-Secret': 'forged-secret-of-some-length-0000' }],
		['the secret with a suffix', { 'X-Webhook-Secret': `${secret}x` }],
		['the secret truncated', { 'X-Webhook-Secret': secret.slice(0, -1) }],
	])('401 for %s, which Studio retries twice, still starting nothing', async (_label, headers) => {
		const harness = await trigger();
		const result = await callFromStudio({ url: harness.url, body: { eventId: 'evt-forged' }, headers, timeoutMs: 5_000 });
		expect(result.attempts).toHaveLength(1 + STUDIO_AUTOMATIC_RETRIES);
		expect(result.attempts.map((attempt) => attempt.status)).toEqual([401, 401, 401]);
		expect(result.response).toMatchObject({ error: 'invalid_secret' });
		expect(harness.runs).toHaveLength(0);
	});

	it('401 before the body is looked at, for a body that is also malformed', async () => {
		const harness = await trigger();
		const result = await callFromStudio({ url: harness.url, body: '{not json', retries: 0 });
		expect(result.status).toBe(401);
	});

	it('a forged call does not use up the event ID of the genuine one', async () => {
		const harness = await trigger();
		const body = { eventId: 'evt-genuine' };
		await callFromStudio({ url: harness.url, body, headers: { 'X-Webhook-Secret': 'x'.repeat(30) }, retries: 0 });
		expect((await call(harness, { body })).response).toEqual({ ok: true });
		expect(harness.runs).toHaveLength(1);
	});

	it.each<[string, Partial<StudioCall>, number, string]>([
		['malformed JSON', { body: '{"eventId": "evt_1",' }, 400, 'invalid_json'],
		['a JSON list', { body: '[1, 2]' }, 400, 'invalid_payload'],
		['a JSON value', { body: '"evt"' }, 400, 'invalid_payload'],
		['an empty form body', { body: '', contentType: 'form' }, 400, 'invalid_payload'],
		['an event ID that is an object', { body: '{"eventId":{"a":1}}' }, 400, 'invalid_payload'],
		['an event ID over 200 characters', { body: { eventId: 'x'.repeat(201) } }, 400, 'invalid_payload'],
		['a text/plain body', { body: '{"eventId":"t"}', headers: { 'Content-Type': 'text/plain' } }, 415, 'unsupported_media_type'],
		['a body over 64 KiB', { body: { eventId: 'big', padding: 'x'.repeat(64 * 1024) } }, 413, 'payload_too_large'],
	])('%s', async (_label, options, status, error) => {
		const harness = await trigger();
		const result = await call(harness, { retries: 0, ...options });
		expect(result).toMatchObject({ ok: false, status, response: { error } });
		expect(harness.runs).toHaveLength(0);
	});

	it('names the field to fix', async () => {
		const harness = await trigger({ ...studio, eventIdField: 'callId' });
		const result = await call(harness, { retries: 0, body: '{"callId":[1]}' });
		expect(result.response).toMatchObject({ error_description: expect.stringContaining('callId') });
	});
});
