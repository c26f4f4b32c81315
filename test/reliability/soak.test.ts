/**
 * Fault soak: 2,000 Update Attributes items through a real workflow run against the sandbox while
 * about a fifth of its calls fail in a seeded mix, and the token is revoked once mid-run.
 * Every item must come out exactly once, in order, with an audit record that tells the truth.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox, type Fault } from '../../sandbox/server';
import { countBy, interactionIdOfPath, mulberry32, recordFigures } from './support';

const SEED = 0x5eed_2024;
const ITEMS = 2000;
const FAULT_RATE = 0.2;
const TIMEOUT_MS = 500;
/** Longer than the node's Timeout, so the client gives up and retries while the sandbox still waits. */
const STALL_MS = 800;
const REVOKE_AT_CALL = 1000;
const TIME_LIMIT_MS = 4 * 60_000;
/** Three attempts, and three more after the one token refresh a 401 allows. */
const MAX_ATTEMPTS_PER_ITEM = 6;

type FaultName = '429' | '500' | '502' | '503' | '504' | 'reset' | 'resetAfter' | 'stall';
/** What one call met: an injected fault, the revoked token (401), or nothing (the sandbox applied it). */
type CallKind = FaultName | 'revoked' | 'clean';

/** The mix, as weights over the faulty calls. */
const MIX: Array<[FaultName, number, Fault]> = [
	['429', 0.2, { kind: 'status', status: 429, retryAfter: 1 }],
	['500', 0.1, { kind: 'status', status: 500 }],
	['502', 0.1, { kind: 'status', status: 502 }],
	['503', 0.1, { kind: 'status', status: 503 }],
	['504', 0.1, { kind: 'status', status: 504 }],
	['reset', 0.15, { kind: 'reset' }],
	['resetAfter', 0.05, { kind: 'reset', after: true }],
	['stall', 0.2, { kind: 'stall', ms: STALL_MS }],
];

/**
 * The audit error_code an item that failed must show, from what its last call met. A clean last call
 * means the sandbox applied and answered but the answer came too late: the client had timed out.
 */
const CODE_OF: Record<CallKind, string> = {
	'429': 'rate_limited',
	'500': 'server_error',
	'502': 'server_error',
	'503': 'server_error',
	'504': 'server_error',
	reset: 'ECONNRESET',
	resetAfter: 'ECONNRESET',
	stall: 'ETIMEDOUT',
	revoked: 'invalid_token',
	clean: 'ETIMEDOUT',
};

const sandbox = new CxoneSandbox();
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});

function buildItems(random: () => number) {
	const valueOf = (n: number) => {
		const pick = random();
		if (pick < 0.4) return `v${n}-${Math.floor(random() * 1e9).toString(36)}`;
		if (pick < 0.7) return Math.round(random() * 1e6) / 100;
		if (pick < 0.9) return random() < 0.5;
		return null;
	};
	return Array.from({ length: ITEMS }, (_, index) => {
		const count = 1 + Math.floor(random() * 5);
		const attributes = Array.from({ length: count }, (_, n) => ({
			key: `soak_key_${n}`,
			value: valueOf(n),
			mode: random() < 0.8 ? 'UPDATE' : 'ADD',
		}));
		return { id: `soak-${String(index).padStart(4, '0')}`, body: JSON.stringify(attributes) };
	});
}

it(
	`keeps every one of ${ITEMS} items exactly once, in order, under a seeded ~${FAULT_RATE * 100} % fault mix`,
	async () => {
		const random = mulberry32(SEED);
		const items = buildItems(random);
		const faultsByKind = new Map<FaultName, number>();
		const callsByItem = new Map<string, CallKind[]>();
		let revokedAtCall: number | undefined;
		let revoked = new Set<string>();

		sandbox.setFaultPlan((route, callIndex) => {
			if (route !== 'updateAttributes') return undefined;
			// The sandbox records a request and then asks the plan, with nothing in between.
			const request = sandbox.received[sandbox.received.length - 1];
			const interactionId = interactionIdOfPath(request.path);
			const calls = callsByItem.get(interactionId) ?? [];
			callsByItem.set(interactionId, calls);
			if (revokedAtCall === undefined && callIndex >= REVOKE_AT_CALL) {
				revokedAtCall = callIndex;
				sandbox.revokeTokens();
				revoked = new Set(sandbox.issuedTokens());
			}
			if (random() >= FAULT_RATE) {
				const token = String(request.headers.authorization).replace(/^Bearer /, '');
				calls.push(revoked.has(token) ? 'revoked' : 'clean');
				return undefined;
			}
			const pick = random();
			let cumulative = 0;
			const [name, , fault] = MIX.find(([, weight]) => (cumulative += weight) > pick) ?? MIX[MIX.length - 1];
			faultsByKind.set(name, (faultsByKind.get(name) ?? 0) + 1);
			calls.push(name);
			return fault;
		});

		const startedAt = performance.now();
		const result = await runNiceCxone({
			credentials: sandboxCredentials(sandbox),
			parameters: {
				operation: 'updateAttributes',
				interactionId: '={{ $json.id }}',
				attributesInput: 'json',
				attributesJson: '={{ $json.body }}',
				options: {
					concurrency: 50,
					maxRequestsPerSecond: 0,
					timeout: TIMEOUT_MS,
					includeResponse: false,
					addRunSummary: true,
				},
			},
			items,
			continueOnFail: true,
		});
		const durationMs = performance.now() - startedAt;
		sandbox.setFaultPlan(undefined);
		// Stalled handlers finish their wait after the client gave up; let them count themselves.
		await new Promise((resolve) => setTimeout(resolve, STALL_MS + 200));

		expect(result.error).toBeUndefined();
		expect(durationMs).toBeLessThan(TIME_LIMIT_MS);
		expect(revokedAtCall).toBeDefined();

		const records = result.output.map((item) => item.json).filter((json) => json.run_summary !== true);
		const summary = result.output.find((item) => item.json.run_summary === true)?.json;

		// Exactly one record per item, in input order.
		expect(records).toHaveLength(ITEMS);
		records.forEach((record, index) => expect(record.interaction_id).toBe(items[index].id));
		const perId = countBy(records, (record) => String(record.interaction_id));
		const lost = items.filter((item) => !perId.has(item.id)).length;
		const duplicated = [...perId.values()].filter((count) => count > 1).length;
		expect(lost).toBe(0);
		expect(duplicated).toBe(0);

		const applied = countBy(sandbox.applied, (update) => update.interactionId);
		const appliedHashes = new Map<string, Set<string>>();
		for (const update of sandbox.applied) {
			appliedHashes.set(update.interactionId, (appliedHashes.get(update.interactionId) ?? new Set()).add(update.sha256));
		}
		const receivedPerId = countBy(
			sandbox.received.filter((body) => body.route === 'updateAttributes'),
			(body) => interactionIdOfPath(body.path),
		);

		let successes = 0;
		let failures = 0;
		let appliedTwiceOrMore = 0;
		let stallsApplied = 0;
		const appliedButFailed = { resetAfter: 0, lateAnswer: 0 };
		const failureCodes = new Map<string, number>();
		for (const record of records) {
			const id = String(record.interaction_id);
			const attempts = Number(record.attempts);
			const timesApplied = applied.get(id) ?? 0;
			const calls = callsByItem.get(id) ?? [];
			const count = (kind: CallKind) => calls.filter((call) => call === kind).length;
			expect(attempts, id).toBeGreaterThanOrEqual(1);
			expect(attempts, id).toBeLessThanOrEqual(MAX_ATTEMPTS_PER_ITEM);
			// Nothing is sent, let alone applied, more often than the attempts the record owns up to.
			expect(receivedPerId.get(id) ?? 0, id).toBeLessThanOrEqual(attempts);
			expect(timesApplied, id).toBeLessThanOrEqual(attempts);
			// The sandbox applies every clean call and every reset-after; a stall only if the client is still there.
			const certain = count('clean') + count('resetAfter');
			expect(timesApplied, id).toBeGreaterThanOrEqual(certain);
			expect(timesApplied, id).toBeLessThanOrEqual(certain + count('stall'));
			stallsApplied += timesApplied - certain;
			if (timesApplied > 1) appliedTwiceOrMore++;
			if (record.status === 'success') {
				successes++;
				expect(record.error_code, id).toBeNull();
				expect(timesApplied, id).toBeGreaterThanOrEqual(1);
				expect([...(appliedHashes.get(id) ?? [])], id).toEqual([record.payload_hash]);
			} else {
				failures++;
				expect(record.status, id).toBe('failure');
				// A failed item's code is the code of what its last call met.
				expect(calls.length, id).toBeGreaterThan(0);
				expect(record.error_code, id).toBe(CODE_OF[calls[calls.length - 1]]);
				failureCodes.set(String(record.error_code), (failureCodes.get(String(record.error_code)) ?? 0) + 1);
				// Applied yet reported failed: the client cannot know an update went through whose answer it never got.
				if (timesApplied > 0) {
					if (count('resetAfter') > 0) appliedButFailed.resetAfter++;
					else appliedButFailed.lateAnswer++;
				}
			}
		}
		// Every item the sandbox applied is accounted for by a record.
		for (const id of applied.keys()) expect(perId.has(id), id).toBe(true);

		expect(summary).toMatchObject({ total_requests: ITEMS, success_count: successes, failure_count: failures });
		expect(stallsApplied).toBeLessThanOrEqual((faultsByKind.get('stall') ?? 0) - sandbox.stats.abandoned);

		const faultsInjected = [...faultsByKind.values()].reduce((sum, count) => sum + count, 0);
		const figures = {
			items: ITEMS,
			seed: `0x${SEED.toString(16)}`,
			faultsInjected,
			...Object.fromEntries([...faultsByKind].map(([name, count]) => [`faults_${name}`, count])),
			tokenRevocations: 1,
			revokedAtCall: revokedAtCall ?? -1,
			tokensIssued: sandbox.stats.tokensIssued,
			apiCalls: sandbox.stats.calls.updateAttributes,
			status401: sandbox.stats.statuses[401] ?? 0,
			stallsAbandoned: sandbox.stats.abandoned,
			records: records.length,
			lost,
			duplicated,
			successes,
			failures,
			...Object.fromEntries([...failureCodes].map(([code, count]) => [`failures_${code}`, count])),
			appliedMoreThanOnce: appliedTwiceOrMore,
			appliedButReportedFailed_resetAfter: appliedButFailed.resetAfter,
			appliedButReportedFailed_lateAnswer: appliedButFailed.lateAnswer,
			durationSeconds: Math.round(durationMs / 100) / 10,
		};
		recordFigures('soak', figures);
		expect(faultsInjected).toBe(sandbox.stats.faultsInjected);
		expect(sandbox.stats.tokensIssued).toBe(2);
	},
	TIME_LIMIT_MS + 60_000,
);
