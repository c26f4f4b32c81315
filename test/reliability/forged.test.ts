/**
 * Forged callbacks against an active NICE CXone Trigger: a matrix of bad secrets and bad bodies and
 * a burst of 500 forged calls start zero runs and get the right status codes, and the trigger
 * still turns the next genuine callback from CXone into exactly one run.
 */
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callbackEvent, secretOf, TriggerHarness } from '../helpers/runTrigger';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox } from '../../sandbox/server';
import { recordFigures } from './support';

const BURST = 500;
const BURST_CONCURRENCY = 25;
const CALL_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

const sandbox = new CxoneSandbox({ callbackRetryDelayMs: 20 });
let harness: TriggerHarness;
let other: TriggerHarness;
const figures = {
	matrixCalls: 0,
	burstCalls: 0,
	forgedCalls: 0,
	forgedRefused: 0,
	forgedAnsweredWithoutRun: 0,
	runsFromForged: 0,
	burstSeconds: 0,
	genuineRunsAfter: 0,
};

const event = (overrides: Record<string, unknown> = {}) =>
	callbackEvent({
		interactionId: 'forged-1',
		attributes: [{ key: 'campaign_id', value: '666', mode: 'UPDATE' }],
		callbackLatencyMs: 1,
		...overrides,
	});

const swapCase = (text: string) =>
	[...text].map((char) => (char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase())).join('');

/** One raw call to the trigger's URL; `init.headers` may be a Headers object, to send a header twice. */
async function call(init: { body: string | Buffer | Blob; headers?: ConstructorParameters<typeof Headers>[0]; query?: string }) {
	const response = await fetch(`${harness.url}${init.query ?? ''}`, {
		method: 'POST',
		headers: init.headers,
		body: init.body,
		signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
	});
	const text = await response.text();
	return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Runs an attribute update through the node, so the sandbox sends the trigger a genuine callback. */
async function genuineUpdate(interactionId: string) {
	const result = await runNiceCxone({
		credentials: sandboxCredentials(sandbox),
		parameters: {
			operation: 'updateAttributes',
			interactionId,
			attributesInput: 'json',
			attributesJson: '{"campaign_id": "12345"}',
		},
		items: [{}],
	});
	expect(result.error).toBeUndefined();
	await sandbox.settleCallbacks();
}

beforeAll(async () => {
	await sandbox.start();
	for (const name of ['harness', 'other'] as const) {
		const trigger = await new TriggerHarness(sandboxCredentials(sandbox), {}).start();
		expect(await trigger.hook('checkExists')).toBe(false);
		expect(await trigger.hook('create')).toBe(true);
		if (name === 'harness') harness = trigger;
		else other = trigger;
	}
});
afterAll(async () => {
	await sandbox.settleCallbacks();
	await Promise.all([harness?.stop(), other?.stop()]);
	await sandbox.stop();
	recordFigures('forged', figures);
});

describe('forged callbacks against an active trigger', () => {
	let genuineEventId = '';

	it('starts exactly one run for a genuine callback first (the baseline)', async () => {
		await genuineUpdate('genuine-before');
		expect(harness.runs).toHaveLength(1);
		genuineEventId = String(harness.runs[0][0][0].json.eventId);
		expect(genuineEventId).toMatch(/^evt_/);
	});

	it('refuses the matrix of forged calls with the right status codes and starts no run', async () => {
		const secret = secretOf(harness);
		expect(secret.length).toBeGreaterThanOrEqual(32);
		expect(swapCase(secret)).not.toBe(secret);
		const json = { 'Content-Type': 'application/json' };
		const sending = (value: string) => ({ ...json, 'X-Webhook-Secret': value });
		const withSecret = sending(secret);
		const repeated = new Headers(json);
		repeated.append('X-Webhook-Secret', secret);
		repeated.append('X-Webhook-Secret', secret);
		const big = [{ key: 'big', value: 'x'.repeat(MAX_BODY_BYTES) }];
		const polluting = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}';

		const matrix: Array<[string, Parameters<typeof call>[0], number, string]> = [
			['no secret header', { body: event(), headers: json }, 401, 'invalid_secret'],
			['empty secret', { body: event(), headers: sending('') }, 401, 'invalid_secret'],
			['wrong secret', { body: event(), headers: sending(randomBytes(32).toString('base64url')) }, 401, 'invalid_secret'],
			['secret one character short', { body: event(), headers: sending(secret.slice(0, -1)) }, 401, 'invalid_secret'],
			['secret cut in half', { body: event(), headers: sending(secret.slice(0, secret.length / 2)) }, 401, 'invalid_secret'],
			['secret with a character appended', { body: event(), headers: sending(`${secret}A`) }, 401, 'invalid_secret'],
			['secret in different letter case', { body: event(), headers: sending(swapCase(secret)) }, 401, 'invalid_secret'],
			['secret of another trigger', { body: event(), headers: sending(secretOf(other)) }, 401, 'invalid_secret'],
			[
				'secret in the body instead of the header',
				{ body: event({ 'X-Webhook-Secret': secret, secret, webhookSecret: secret }), headers: json },
				401,
				'invalid_secret',
			],
			[
				'secret in the query string',
				{ body: event(), headers: json, query: `?X-Webhook-Secret=${secret}&secret=${secret}` },
				401,
				'invalid_secret',
			],
			['secret as a bearer token', { body: event(), headers: { ...json, Authorization: `Bearer ${secret}` } }, 401, 'invalid_secret'],
			['secret under another header name', { body: event(), headers: { ...json, 'X-Webhook-Signature': secret } }, 401, 'invalid_secret'],
			['secret header sent twice', { body: event(), headers: repeated }, 401, 'invalid_secret'],
			['no secret, prototype-polluting body', { body: polluting, headers: json }, 401, 'invalid_secret'],
			['malformed JSON', { body: '{"eventId": "evt_1", ', headers: withSecret }, 400, 'invalid_json'],
			['JSON that is not an event', { body: '[]', headers: withSecret }, 400, 'invalid_payload'],
			['an event without interactionId', { body: event({ interactionId: undefined }), headers: withSecret }, 400, 'invalid_payload'],
			['content type text/plain', { body: event(), headers: { ...withSecret, 'Content-Type': 'text/plain' } }, 415, 'unsupported_media_type'],
			[
				'content type of a form',
				{ body: event(), headers: { ...withSecret, 'Content-Type': 'application/x-www-form-urlencoded' } },
				415,
				'unsupported_media_type',
			],
			['no content type', { body: new Blob([event()]), headers: { 'X-Webhook-Secret': secret } }, 415, 'unsupported_media_type'],
			['body over 1 MiB', { body: event({ attributes: big }), headers: withSecret }, 413, 'payload_too_large'],
			['unknown event type', { body: event({ eventType: 'interaction.deleted' }), headers: withSecret }, 200, 'ignored'],
			['replayed eventId', { body: event({ eventId: genuineEventId }), headers: withSecret }, 200, 'duplicate'],
		];

		const runsBefore = harness.runs.length;
		const outcomes: string[] = [];
		for (const [name, request, status, code] of matrix) {
			const response = await call(request);
			figures.matrixCalls++;
			if (response.status >= 400) figures.forgedRefused++;
			else figures.forgedAnsweredWithoutRun++;
			const outcome = `${name}: ${response.status} ${String(response.body.error ?? response.body.status)}`;
			outcomes.push(outcome);
			expect(outcome).toBe(`${name}: ${status} ${code}`);
		}
		figures.runsFromForged += harness.runs.length - runsBefore;
		expect(harness.runs.length).toBe(runsBefore);
		expect(harness.calls.slice(-matrix.length).every((received) => !received.ran)).toBe(true);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		console.log(`[reliability] forged matrix:\n  ${outcomes.join('\n  ')}`);
	});

	it(`refuses a burst of ${BURST} forged calls (${BURST_CONCURRENCY} at a time) and starts no run`, async () => {
		const secret = secretOf(harness);
		const forgeries = [
			() => ({ 'Content-Type': 'application/json' }),
			() => ({ 'Content-Type': 'application/json', 'X-Webhook-Secret': randomBytes(32).toString('base64url') }),
			() => ({ 'Content-Type': 'application/json', 'X-Webhook-Secret': secret.slice(0, -1) }),
			() => ({ 'Content-Type': 'application/json', 'X-Webhook-Secret': swapCase(secret) }),
			() => ({ 'Content-Type': 'application/json', 'X-Webhook-Secret': secretOf(other) }),
		];
		const runsBefore = harness.runs.length;
		const statuses = new Map<number, number>();
		let next = 0;
		const startedAt = performance.now();
		const worker = async () => {
			while (next < BURST) {
				const index = next++;
				const headers = forgeries[index % forgeries.length]();
				const response = await call({ body: event({ interactionId: `burst-${index}` }), headers });
				statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
			}
		};
		await Promise.all(Array.from({ length: BURST_CONCURRENCY }, worker));
		figures.burstSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
		figures.burstCalls = BURST;
		figures.forgedRefused += statuses.get(401) ?? 0;
		figures.runsFromForged += harness.runs.length - runsBefore;
		expect(Object.fromEntries(statuses)).toEqual({ 401: BURST });
		expect(harness.runs.length).toBe(runsBefore);
	}, 60_000);

	it('still turns the next genuine callback into exactly one run', async () => {
		const runsBefore = harness.runs.length;
		await genuineUpdate('genuine-after');
		figures.genuineRunsAfter = harness.runs.length - runsBefore;
		figures.forgedCalls = figures.matrixCalls + figures.burstCalls;
		expect(harness.runs.length - runsBefore).toBe(1);
		const [[item]] = harness.runs[harness.runs.length - 1];
		expect(item.json).toMatchObject({ interactionId: 'genuine-after', eventType: 'interaction.attributes.updated' });
		const deliveries = sandbox.deliveries.filter((delivery) => delivery.eventId === item.json.eventId);
		expect(deliveries.map((delivery) => delivery.status)).toContain(200);
		expect(figures.forgedRefused + figures.forgedAnsweredWithoutRun).toBe(figures.forgedCalls);
	});
});
