/**
 * The packed package in n8n's queue mode: Redis, Postgres, a main process, two workers and a webhook
 * process, against the CXone sandbox with a strict tenant limit of 200 calls per second.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CxoneSandbox } from '../../sandbox/server';
import type { N8nLine } from '../e2e/n8nInstance';
import {
	executionDetail,
	executionsStartedBy,
	listExecutions,
	outputOf,
	waitForFinishedExecutions,
	type ListedExecution,
} from './executions';
import { N8nQueue } from './n8nQueue';
import { TenantSampler } from './tenantSampler';
import {
	CXONE_NODE,
	QUEUE_UPDATE_PATH,
	QUEUE_UPDATE_WORKFLOW_ID,
	queueCredential,
	queueUpdateWorkflow,
	updateRows,
	type UpdateRow,
} from './workflows';

const root = resolve(__dirname, '../..');
const execFileAsync = promisify(execFile);

/** CXone's documented tenant limit (contract §5), enforced per sliding second, 429 without Retry-After. */
const TENANT_LIMIT = 200;
const EXECUTIONS = 4;
const ITEMS_PER_EXECUTION = 1000;
/** Each worker takes two of the four executions at once, so both workers run while all four do. */
const WORKER_CONCURRENCY = 2;
/** The targets: at most 3 % of calls answered 429, at least 85 % of the limit accepted while all run. */
const MAX_REFUSED_SHARE = 0.03;
const MIN_ACCEPTED_SHARE_OF_LIMIT = 0.85;
/** 4,000 calls at 200/s take 20 s; this bounds a stuck run. */
const LOAD_TIMEOUT_MS = 5 * 60_000;
/**
 * A killed worker's job is found stalled once its Redis lock (QUEUE_WORKER_LOCK_DURATION, 60 s by default)
 * has run out, at the next stalled-job check (QUEUE_WORKER_STALLED_INTERVAL, every 30 s).
 */
const STALL_TIMEOUT_MS = 4 * 60_000;

const lines: N8nLine[] = ['v2'];

let packDir: string;
let tarball: string;

beforeAll(async () => {
	packDir = await mkdtemp(join(tmpdir(), 'cxone-queue-pack-'));
	const { stdout } = await execFileAsync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: root });
	tarball = join(packDir, stdout.trim().split('\n').pop()!);
});

afterAll(async () => {
	if (packDir) await rm(packDir, { recursive: true, force: true });
});

describe.each(lines)('n8n %s in queue mode: main, 2 workers, webhook process', (line) => {
	let sandbox: CxoneSandbox;
	let queue: N8nQueue | undefined;
	let started: number;

	beforeAll(async () => {
		started = Date.now();
		sandbox = new CxoneSandbox({
			clientId: `queue-${line}-client`,
			rateLimitPerSecond: TENANT_LIMIT,
			rateLimitMode: 'strictWindow',
			recordBodies: false,
		});
		await sandbox.start();
		queue = await N8nQueue.create({ line, packageTarball: tarball, workerConcurrency: WORKER_CONCURRENCY });
		await queue.main.importCredentials([queueCredential(sandbox)]);
		await queue.prepareWorkflows([queueUpdateWorkflow()]);
		await queue.start();
		await queue.webhook.waitForWebhook(QUEUE_UPDATE_PATH);
		console.info(`n8n ${line} queue mode ready in ${Date.now() - started} ms`);
	});

	afterAll(async () => {
		try {
			await queue?.dispose();
		} finally {
			await sandbox?.stop();
			console.info(`n8n ${line} queue mode suite took ${Date.now() - started} ms`);
		}
	});

	it(`${EXECUTIONS} executions of ${ITEMS_PER_EXECUTION} updates at once on both workers: every item once, under the tenant limit`, async () => {
		const batches = Array.from({ length: EXECUTIONS }, (_, index) => updateRows(`load${index}`, ITEMS_PER_EXECUTION));
		sandbox.resetCounters();
		const sampler = new TenantSampler(sandbox);
		sampler.start();
		let executions: ListedExecution[];
		try {
			await Promise.all(batches.map(async (rows) => await startRun(queue!, rows)));
			executions = await waitForFinishedExecutions(queue!.main, QUEUE_UPDATE_WORKFLOW_ID, EXECUTIONS, LOAD_TIMEOUT_MS);
		} finally {
			sampler.stop();
		}
		const details = await Promise.all(executions.map(async (execution) => await executionDetail(queue!.main, execution.id)));
		expect(details.map((detail) => [detail.status, detail.error?.message])).toEqual(
			details.map(() => ['success', undefined]),
		);

		const startedBy = queue!.workers.map(executionsStartedBy);
		expect(startedBy.map((ids) => ids.length)).toEqual(queue!.workers.map(() => WORKER_CONCURRENCY));
		expect(startedBy.flat().sort()).toEqual(executions.map((execution) => execution.id).sort());

		// Every row of every batch has exactly one success record, in its execution, matching what CXone applied.
		const applied = new Map(sandbox.applied.map((update) => [update.interactionId, update]));
		expect(sandbox.applied).toHaveLength(EXECUTIONS * ITEMS_PER_EXECUTION);
		expect(applied.size).toBe(EXECUTIONS * ITEMS_PER_EXECUTION);
		const recordsByBatch = details.map((detail) => outputOf(detail, CXONE_NODE));
		const batchOf = (records: Array<{ interaction_id?: unknown }>) => String(records[0]?.interaction_id).split('-')[0];
		expect(recordsByBatch.map(batchOf).sort()).toEqual(batches.map((rows) => batchOf(rows)).sort());
		for (const records of recordsByBatch) {
			const rows = batches.find((batch) => batchOf(batch) === batchOf(records))!;
			expect(records.map((record) => [record.interaction_id, record.status])).toEqual(
				rows.map((row) => [row.interaction_id, 'success']),
			);
			for (const record of records) {
				expect(record.payload_hash).toBe(applied.get(String(record.interaction_id))?.sha256);
			}
		}

		const figures = loadFigures(details, sampler);
		console.info(`n8n ${line} queue mode, ${EXECUTIONS} × ${ITEMS_PER_EXECUTION} updates: ${JSON.stringify(figures)}`);
		expect(figures.refusedShare).toBeLessThanOrEqual(MAX_REFUSED_SHARE);
		expect(figures.whileAllRun.acceptedPerSecond).toBeGreaterThanOrEqual(MIN_ACCEPTED_SHARE_OF_LIMIT * TENANT_LIMIT);
		// One token per worker process: each has its own token cache, shared by every execution it runs.
		expect(sandbox.stats.tokenRequests).toBeLessThanOrEqual(queue!.workers.length);
		expect(sandbox.stats.maxAcceptedInAnyWindow).toBeLessThanOrEqual(TENANT_LIMIT);
	});

	it('a worker killed in the middle of an execution: what n8n does, and a re-run that completes every item', async () => {
		const rows = updateRows('kill', ITEMS_PER_EXECUTION);
		const before = new Set((await listExecutions(queue!.main, QUEUE_UPDATE_WORKFLOW_ID)).map((execution) => execution.id));
		sandbox.resetCounters();
		await startRun(queue!, rows);

		const running = await waitForValue(async () => {
			const execution = (await listExecutions(queue!.main, QUEUE_UPDATE_WORKFLOW_ID)).find(
				(candidate) => !before.has(candidate.id),
			);
			const worker = queue!.workers.find((candidate) => execution && executionsStartedBy(candidate).includes(execution.id));
			return execution && worker && sandbox.applied.length >= ITEMS_PER_EXECUTION / 4 ? { execution, worker } : undefined;
		}, 'the execution to be a quarter done on a worker');
		await running.worker.kill();
		const appliedAtKill = sandbox.applied.length;
		const killedAt = Date.now();
		console.info(`n8n ${line}: killed the worker running execution ${running.execution.id} after ${appliedAtKill} updates`);

		// What a user sees in the Executions list from then on.
		const seen: string[] = [];
		const ended = await waitForValue(
			async () => {
				const [execution] = (await listExecutions(queue!.main, QUEUE_UPDATE_WORKFLOW_ID)).filter(
					(candidate) => candidate.id === running.execution.id,
				);
				const entry = `${Math.round((Date.now() - killedAt) / 1000)} s: ${execution?.status}`;
				if (seen[seen.length - 1]?.split(': ')[1] !== execution?.status) seen.push(entry);
				return execution && !['new', 'running', 'waiting', 'unknown'].includes(execution.status) ? execution : undefined;
			},
			'the killed execution to end',
			STALL_TIMEOUT_MS,
		).catch((error: unknown) => {
			console.info(`n8n ${line}: after the kill: ${seen.join(', ')}`);
			throw error;
		});
		console.info(`n8n ${line}: after the kill: ${seen.join(', ')}; ${sandbox.applied.length} updates applied in all`);
		const detail = await executionDetail(queue!.main, ended.id);
		console.info(`n8n ${line}: the killed execution ended ${detail.status}: ${JSON.stringify(detail.error)}`);
		expect(sandbox.applied.length).toBeGreaterThanOrEqual(appliedAtKill);
	});
});

/** Posts rows to the update workflow's production webhook; n8n answers once the run is queued. */
async function startRun(queue: N8nQueue, rows: UpdateRow[]): Promise<void> {
	const response = await fetch(`${queue.webhook.url}/webhook/${QUEUE_UPDATE_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ rows }),
		signal: AbortSignal.timeout(60_000),
	});
	expect(response.status).toBe(200);
}

/** The tenant's figures: all calls, and the stretch during which every execution's node was sending. */
function loadFigures(details: Awaited<ReturnType<typeof executionDetail>>[], sampler: TenantSampler) {
	const tasks = details.map((detail) => detail.runData[CXONE_NODE][0]);
	const allSending = sampler.window(
		Math.max(...tasks.map((task) => task.startTime)),
		Math.min(...tasks.map((task) => task.startTime + task.executionTime)),
	);
	const whole = sampler.window(
		Math.min(...tasks.map((task) => task.startTime)),
		Math.max(...tasks.map((task) => task.startTime + task.executionTime)),
	);
	return {
		calls: whole.accepted + whole.refused,
		refused: whole.refused,
		refusedShare: whole.refused / Math.max(1, whole.accepted + whole.refused),
		acceptedPerSecond: whole.acceptedPerSecond,
		whileAllRun: { seconds: (allSending.toMs - allSending.fromMs) / 1000, ...allSending },
	};
}

async function waitForValue<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await probe();
		if (value !== undefined) return value;
		await new Promise((resolveSleep) => setTimeout(resolveSleep, 250));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
