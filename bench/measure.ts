/** Runs one scenario (an n8n workflow or the raw client) against the sandbox and measures it. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { N8nCliError, type ExecutionRun, type N8nInstance } from '../test/e2e/n8nInstance';
import type { CxoneSandbox, RouteName } from '../sandbox/server';
import { attributeBody, benchItem } from './items';
import type { RawClientOptions, RawClientResult } from './rawClient';
import { percentile, rateOf, type PassStats, type ScenarioResult } from './stats';
import { COLD, WARM } from './workflows';

/** What the node under test is: NICE CXone, HTTP Request, or Edit Fields sending nothing. */
export type NodeKind = 'cxone' | 'http' | 'floor';

interface SandboxEvent {
	route: RouteName;
	at: number;
}

interface TaskData {
	startTime: number;
	executionTime: number;
	error?: { message: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

const root = resolve(__dirname, '..');

/** A pause between two calls longer than this is not sending time (the tenant limit spaces calls 5 ms apart). */
const SENDING_GAP_MS = 250;

export class Harness {
	private readonly events: SandboxEvent[] = [];

	constructor(
		readonly sandbox: CxoneSandbox,
		readonly n8n: N8nInstance,
		/** Where bench/n8nProbe.cjs appends each n8n process's peak RSS. */
		private readonly probeFile: string,
	) {
		// The fault plan is asked about every call before it is handled: a hook for timing the calls
		// without recording their bodies.
		sandbox.setFaultPlan((route) => {
			this.events.push({ route, at: Date.now() });
			return undefined;
		});
	}

	/** Runs a benchmark workflow once with `n8n execute` and measures both passes of its node. */
	async execute(workflowId: string, label: string, kind: NodeKind, items: number, coldItems = items) {
		this.reset();
		let run: ExecutionRun;
		try {
			run = await this.n8n.execute(workflowId);
		} catch (error) {
			// A failed run is a finding (the HTTP Request node under load), as long as n8n printed it.
			if (!(error instanceof N8nCliError) || !error.run) throw error;
			run = error.run as ExecutionRun;
		}
		const result: ScenarioResult = {
			label,
			cold: this.passStats(run, COLD, kind, coldItems),
			warm: this.passStats(run, WARM, kind, items),
			...this.tenantStats(),
			peakRssKb: this.peakRss(workflowId),
			runDataBytes: runDataBytes(run),
		};
		return { result, run };
	}

	/**
	 * Several `n8n execute` processes of NICE CXone workflows at once, as several queue-mode workers on
	 * one tenant: what the tenant accepted and refused while they all ran, and the items none of them
	 * turned into a success record.
	 */
	async executeTogether(workflowIds: string[], label: string, itemsPerPass: number): Promise<ScenarioResult> {
		this.reset();
		const runs = await Promise.all(
			workflowIds.map(async (workflowId) => {
				try {
					return await this.n8n.execute(workflowId);
				} catch (error) {
					if (!(error instanceof N8nCliError) || !error.run) throw error;
					return error.run as ExecutionRun;
				}
			}),
		);
		const failures = runs
			.flatMap((run) => [COLD, WARM].map((pass) => this.passStats(run, pass, 'cxone', itemsPerPass)))
			.reduce((sum, pass) => sum + (pass?.failures ?? itemsPerPass), 0);
		return { label, ...this.tenantStats(), failures };
	}

	/**
	 * The sandbox's tenant figures of everything since the last reset. The accepted rate is over the time
	 * calls were being sent: a node validates all its items before its first call, and those pauses, like
	 * the one between two passes, are left out (a gap of over SENDING_GAP_MS between calls ends a stretch).
	 */
	private tenantStats() {
		const { tokenRequests, rateLimited, acceptedApiCalls } = this.sandbox.stats;
		const calls = this.events.filter((event) => event.route === 'updateAttributes').map((event) => event.at);
		let sendingMs = 0;
		for (let index = 1; index < calls.length; index++) {
			const gap = calls[index] - calls[index - 1];
			if (gap <= SENDING_GAP_MS) sendingMs += gap;
		}
		return {
			tokenRequests,
			rateLimited,
			acceptedApiCalls,
			acceptedPerSecond: sendingMs > 0 ? (acceptedApiCalls / sendingMs) * 1000 : null,
		};
	}

	/** The raw client's two passes, in a child process of its own like n8n's. */
	async raw(label: string, count: number, concurrency: number): Promise<ScenarioResult> {
		this.reset();
		const token = await this.token();
		const passes = await runRawClient({ url: this.sandbox.url, token, count, concurrency });
		const calls = this.events.filter((event) => event.route === 'updateAttributes').map((event) => event.at);
		const [cold, warm] = passes.map(
			(pass, index): PassStats => ({
				items: count,
				elapsedMs: pass.elapsedMs,
				itemsPerSecond: (count / pass.elapsedMs) * 1000,
				apiRequestsPerSecond: rateOf(calls.slice(index * count, (index + 1) * count)),
				tokenRequests: 0,
				failures: pass.failures,
				p50Ms: percentile(pass.latenciesMs, 50),
				p99Ms: percentile(pass.latenciesMs, 99),
			}),
		);
		const { tokenRequests, rateLimited } = this.sandbox.stats;
		return { label, cold, warm, tokenRequests, rateLimited };
	}

	private reset(): void {
		this.sandbox.resetCounters();
		this.events.length = 0;
	}

	private async token(): Promise<string> {
		const response = await fetch(`${this.sandbox.url}/oauth/token`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({
				grant_type: 'client_credentials',
				client_id: this.sandbox.clientId,
				client_secret: this.sandbox.clientSecret,
			}),
		});
		return ((await response.json()) as { access_token: string }).access_token;
	}

	/** One pass of the node under test, from n8n's run data and the sandbox's calls during it. */
	private passStats(run: ExecutionRun, nodeName: string, kind: NodeKind, expected: number): PassStats | undefined {
		const task = taskOf(run, nodeName);
		if (!task) return undefined;
		const items = task.data?.main?.[0] ?? [];
		const during = this.events.filter(
			(event) => event.at >= task.startTime && event.at <= task.startTime + task.executionTime,
		);
		const latencies = kind === 'cxone' ? items.map((item) => Number(item.json.latency_ms)) : [];
		const failed = kind === 'cxone' ? items.filter((item) => item.json.status !== 'success').length : 0;
		return {
			items: expected,
			elapsedMs: task.executionTime,
			itemsPerSecond: (expected / task.executionTime) * 1000,
			apiRequestsPerSecond: rateOf(
				during.filter((event) => event.route === 'updateAttributes').map((event) => event.at),
			),
			tokenRequests: during.filter((event) => event.route === 'token').length,
			// HTTP Request puts out one item per element of an array answer, so more items than inputs is no failure.
			failures: failed + Math.max(0, expected - items.length),
			error: task.error?.message,
			p50Ms: percentile(latencies, 50),
			p95Ms: percentile(latencies, 95),
			p99Ms: percentile(latencies, 99),
			outputBytes: Buffer.byteLength(JSON.stringify(items.map((item) => item.json))),
		};
	}

	private peakRss(workflowId: string): number | undefined {
		if (!existsSync(this.probeFile)) return undefined;
		const lines = readFileSync(this.probeFile, 'utf8')
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line) as { args: string[]; peakRssKb: number | null });
		const mine = lines.filter((line) => line.args.includes('execute') && line.args.includes(`--id=${workflowId}`));
		return mine.pop()?.peakRssKb ?? undefined;
	}
}

/** The first run of `nodeName` in n8n's run data. */
const taskOf = (run: ExecutionRun, nodeName: string) => run.data.resultData.runData[nodeName]?.[0] as TaskData | undefined;

/** When the measured pass ran, in epoch ms, as n8n reports it. */
export function measuredPassWindow(run: ExecutionRun): { startMs: number; endMs: number } | undefined {
	const task = taskOf(run, WARM);
	return task && { startMs: task.startTime, endMs: task.startTime + task.executionTime };
}

/** The raw client's bodies are the node's bodies: the node's payload hashes must be theirs. */
export function checkSameBodies(run: ExecutionRun): void {
	checkPayloadHashes(run, (i) => attributeBody(benchItem(i)), 'the raw client does; fix bench/items.ts');
}

/**
 * The NICE CXone node's measured pass sent, for item i, exactly `expected(i)` (its body, or a signal's query):
 * every `payload_hash` it reports must be that text's sha256. `other` names what the bytes must match.
 */
export function checkPayloadHashes(run: ExecutionRun, expected: (i: number) => string, other: string): void {
	const items = taskOf(run, WARM)?.data?.main?.[0] ?? [];
	const hash = (body: string) => createHash('sha256').update(body).digest('hex');
	const mismatch = items.findIndex((item, i) => item.json.payload_hash !== hash(expected(i)));
	if (mismatch >= 0) throw new Error(`Item ${mismatch}: the node sent other bytes than ${other}`);
}

/** JSON bytes of every node's output in the run: the items n8n holds in memory at its end. */
function runDataBytes(run: ExecutionRun): number {
	return Object.values(run.data.resultData.runData).reduce(
		(sum, tasks) => sum + Buffer.byteLength(JSON.stringify(tasks.map((task) => task.data?.main ?? []))),
		0,
	);
}

function runRawClient(options: RawClientOptions): Promise<RawClientResult[]> {
	return new Promise((resolveRun, reject) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', join(__dirname, 'rawClient.ts'), JSON.stringify(options)],
			{ cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('error', reject);
		child.once('close', (code) => {
			if (code === 0) resolveRun(JSON.parse(output) as RawClientResult[]);
			else reject(new Error(`the raw client exited with ${code}`));
		});
	});
}
