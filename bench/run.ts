/**
 * `npm run bench`: NICE CXone → Update Attributes side by side with a bare HTTP client and with n8n's
 * HTTP Request node, all against one CXone sandbox in one run; `--suite real`: the real-tenant operations
 * (Signal, Set Custom Fields) beside the HTTP Request node with the same Access Key credential.
 * BENCHMARKS.md describes the method.
 * Flags: --suite attributes|real, --line v1|v2 (n8n line), --repetitions N, --items N, --scale-items N,
 * --concurrency N, --profile DIR (CPU profiles of every `n8n execute`; profiling slows the run, so its numbers
 * are not kept).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { N8nInstance, type N8nLine } from '../test/e2e/n8nInstance';
import { CxoneSandbox } from '../sandbox/server';
import { checkSameBodies, Harness, measuredPassWindow, type NodeKind } from './measure';
import { profileSummary, recordPassWindow } from './profileSummary';
import { realOperationsSuite, realSandboxOptions } from './realOperations';
import {
	describeMachine,
	loadAverage,
	machineSection,
	ratiosTable,
	resultsTable,
	writeResults,
	type Ratio,
	type Row,
} from './report';
import { median, refusedPercent, type ScenarioResult } from './stats';
import {
	coldPass,
	fixed,
	id16,
	log,
	ratio,
	representative,
	summary,
	TENANT_LIMIT,
	verdict,
	warmPass,
	type SuiteContext,
} from './suite';
import {
	benchWorkflow,
	cxoneAutoMapNode,
	cxoneCredential,
	cxoneNode,
	engineFloorNode,
	httpRequestNode,
	oAuth2Credential,
	type Batching,
} from './workflows';

const root = resolve(__dirname, '..');
const { values: flags } = parseArgs({
	options: {
		suite: { type: 'string', default: 'attributes' },
		line: { type: 'string', default: 'v1' },
		repetitions: { type: 'string', default: '3' },
		items: { type: 'string', default: '2000' },
		'scale-items': { type: 'string', default: '10000' },
		concurrency: { type: 'string', default: '10' },
		profile: { type: 'string' },
	},
});
const suite = flags.suite;
if (suite !== 'attributes' && suite !== 'real') throw new Error(`--suite is attributes or real, not ${suite}`);
const line = flags.line as N8nLine;
const repetitions = Number(flags.repetitions);
const itemCount = Number(flags.items);
const scaleItems = Number(flags['scale-items']);
const concurrency = Number(flags.concurrency);
const profileDir = flags.profile && resolve(flags.profile);

/** n8n processes sending to one tenant at once in scenario 4d, as queue-mode workers would. */
const SHARED_TENANT_PROCESSES = 2;
/**
 * HTTP Request's Batching as a user tunes it for CXone: n8n's own 429 hint says to space requests out
 * with it, and the documented tenant limit is 200 requests per second.
 */
const USER_BATCHING: Batching = { batchSize: TENANT_LIMIT, batchIntervalMs: 1000 };
const batchingLabel = `Batching ${USER_BATCHING.batchSize} items / ${USER_BATCHING.batchIntervalMs} ms`;

async function main() {
	const startedAt = Date.now();
	const scratch = await mkdtemp(join(tmpdir(), 'cxone-bench-'));
	const sandbox = new CxoneSandbox({
		recordBodies: false,
		rateLimitPerSecond: 0,
		...(suite === 'real' ? realSandboxOptions({ repetitions, itemCount }) : {}),
	});
	let n8n: N8nInstance | undefined;
	try {
		const url = await sandbox.start();
		log(`sandbox on ${url}; packing the built package and preparing n8n ${line}`);
		const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], {
			cwd: root,
			encoding: 'utf8',
		});
		const probeFile = join(scratch, 'probe.jsonl');
		if (profileDir) await mkdir(profileDir, { recursive: true });
		n8n = await N8nInstance.create({
			line,
			packageTarball: join(scratch, packed.trim().split('\n').pop()!),
			env: {
				NODE_OPTIONS: `--require ${join(__dirname, 'n8nProbe.cjs')}`,
				BENCH_PROBE_FILE: probeFile,
				...(profileDir ? { BENCH_CPU_PROFILE_DIR: profileDir } : {}),
			},
		});
		const harness = new Harness(sandbox, n8n, probeFile);
		const machine = describeMachine({
			version: JSON.parse(readFileSync(join(n8n.installDir, 'node_modules/n8n/package.json'), 'utf8')).version,
			node: execFileSync(n8n.nodeBinary, ['--version'], { encoding: 'utf8' }).trim(),
		});
		log(`n8n ${machine.n8n} on Node.js ${machine.n8nNode}`);
		const context: SuiteContext = { sandbox, n8n, harness, repetitions, itemCount, concurrency };
		const { repeated, body } =
			suite === 'real' ? await realOperationsSuite(context) : await updateAttributesSuite(context);

		machine.loadAfter = loadAverage();
		const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
		const section = [
			`Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\` in ` +
				`${Math.round((Date.now() - startedAt) / 1000)} s: n8n ${machine.n8n} (\`n8n execute\`), ` +
				`${repetitions} interleaved repetition${repetitions === 1 ? '' : 's'} of ${repeated} ` +
				'(each row shows the repetition with the median rate).',
			'',
			...body,
			'',
			machineSection(machine),
		].join('\n');
		if (profileDir) {
			console.log(`\n${section}\n\n${profileSummary(profileDir)}`);
			console.log(`\nCPU profiles in ${profileDir}; BENCHMARKS.md left as it was.`);
		} else {
			writeResults(join(root, 'BENCHMARKS.md'), section, `${suite === 'real' ? 'real' : 'results'}:${line}`);
			console.log(`\n${section}\n\nWritten to BENCHMARKS.md.`);
		}
	} finally {
		await n8n?.dispose();
		await sandbox.stop();
		await rm(scratch, { recursive: true, force: true });
	}
}

/** Update Attributes against the engine floor, the raw client and the HTTP Request node (scenarios 0–5). */
async function updateAttributesSuite({ sandbox, n8n, harness }: SuiteContext) {
	const target = { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret };
	// Each HTTP Request run gets an OAuth2 credential of its own, so it starts without a stored token
	// just as each `n8n execute` of the NICE CXone node starts with an empty token cache.
	const oAuth2Ids = Array.from({ length: repetitions * 2 + 2 }, (_, k) => id16('benchOAuth2', k));
	const cxone = (maxRequestsPerSecond: number) => cxoneNode({ concurrency, maxRequestsPerSecond });
	const httpRequest = (k: number, batching?: Batching) => httpRequestNode(target, oAuth2Ids[k], batching);
	const workflows = {
		floor: benchWorkflow(id16('benchFloor', 0), 'Bench: n8n engine floor', engineFloorNode(), itemCount),
		cxone: benchWorkflow(id16('benchCxone', 0), 'Bench: NICE CXone', cxone(0), itemCount),
		autoMap: benchWorkflow(
			id16('benchAutoMap', 0),
			'Bench: NICE CXone, Map Automatically',
			cxoneAutoMapNode({ concurrency, maxRequestsPerSecond: 0 }),
			itemCount,
			itemCount,
			'mapped',
		),
		limited: benchWorkflow(id16('benchLimit', 0), 'Bench: NICE CXone, limited', cxone(TENANT_LIMIT), itemCount),
		shared: Array.from({ length: SHARED_TENANT_PROCESSES }, (_, k) =>
			benchWorkflow(id16('benchShared', k), `Bench: NICE CXone, shared tenant ${k + 1}`, cxone(TENANT_LIMIT), itemCount),
		),
		scale: benchWorkflow(id16('benchScale', 0), 'Bench: NICE CXone, scale', cxone(0), scaleItems, itemCount),
		httpDefault: Array.from({ length: repetitions }, (_, k) =>
			benchWorkflow(id16('benchHttpDflt', k), 'Bench: HTTP Request', httpRequest(k), itemCount),
		),
		httpBatched: Array.from({ length: repetitions }, (_, k) =>
			benchWorkflow(
				id16('benchHttpBtch', k),
				'Bench: HTTP Request, batching',
				httpRequest(repetitions + k, USER_BATCHING),
				itemCount,
			),
		),
		httpLimited: benchWorkflow(
			id16('benchHttpLimit', 0),
			'Bench: HTTP Request, batching, limited',
			httpRequest(repetitions * 2, USER_BATCHING),
			itemCount,
		),
		httpDefaultLimited: benchWorkflow(
			id16('benchHttpLimit', 1),
			'Bench: HTTP Request, limited',
			httpRequest(repetitions * 2 + 1),
			itemCount,
		),
	};
	log('importing credentials and workflows');
	await n8n.importCredentials([cxoneCredential(target), ...oAuth2Ids.map((id) => oAuth2Credential(target, id))]);
	await n8n.importWorkflow(Object.values(workflows).flat());

	const measured = async (
		workflowId: string,
		label: string,
		kind: NodeKind,
		items = itemCount,
		coldItems = items,
	) => {
		log(`${label}: running`);
		const { result, run } = await harness.execute(workflowId, label, kind, items, coldItems);
		if (kind === 'cxone' && !result.warm?.error) checkSameBodies(run);
		const window = measuredPassWindow(run);
		if (profileDir && window) recordPassWindow(profileDir, { label: label.split(',')[0], ...window });
		log(`${label}: ${summary(result)}`);
		return result;
	};

	const floorRuns: ScenarioResult[] = [];
	const rawRuns: ScenarioResult[] = [];
	const cxoneRuns: ScenarioResult[] = [];
	const autoMapRuns: ScenarioResult[] = [];
	const httpDefaultRuns: ScenarioResult[] = [];
	const httpBatchedRuns: ScenarioResult[] = [];
	// Interleaved, so a burst of load from elsewhere on the machine hits every contestant alike.
	for (let k = 0; k < repetitions; k++) {
		log(`repetition ${k + 1} of ${repetitions}`);
		floorRuns.push(
			await measured(workflows.floor.id, '0. n8n engine floor: Edit Fields, the same two expressions, no HTTP', 'floor'),
		);
		const raw = await harness.raw(`1. Raw keep-alive client, concurrency ${concurrency}`, itemCount, concurrency);
		log(`raw client: ${summary(raw)}`);
		rawRuns.push(raw);
		cxoneRuns.push(
			await measured(workflows.cxone.id, `2a. NICE CXone, concurrency ${concurrency}, no rate limit`, 'cxone'),
		);
		autoMapRuns.push(
			await measured(
				workflows.autoMap.id,
				`2b. NICE CXone, Map Automatically (no expression per item), concurrency ${concurrency}`,
				'cxone',
			),
		);
		httpDefaultRuns.push(
			await measured(workflows.httpDefault[k].id, '3a. HTTP Request + OAuth2 credential, default settings', 'http'),
		);
		httpBatchedRuns.push(
			await measured(workflows.httpBatched[k].id, `3b. HTTP Request + OAuth2 credential, ${batchingLabel}`, 'http'),
		);
	}

	sandbox.setRateLimit(TENANT_LIMIT, 'strictWindow');
	const limited = await measured(
		workflows.limited.id,
		`4a. NICE CXone, Max Requests per Second ${TENANT_LIMIT}; strict tenant limit ${TENANT_LIMIT}/s`,
		'cxone',
	);
	const sharedLabel = `4d. NICE CXone in ${SHARED_TENANT_PROCESSES} n8n processes at once; strict tenant limit ${TENANT_LIMIT}/s`;
	log(`${sharedLabel}: running`);
	const shared = await harness.executeTogether(
		workflows.shared.map((workflow) => workflow.id),
		sharedLabel,
		itemCount,
	);
	log(`${sharedLabel}: ${tenantSummary(shared)}`);
	const httpLimited = await measured(
		workflows.httpLimited.id,
		`4b. HTTP Request, ${batchingLabel}; strict tenant limit ${TENANT_LIMIT}/s`,
		'http',
	);
	const httpDefaultLimited = await measured(
		workflows.httpDefaultLimited.id,
		`4c. HTTP Request, default settings; strict tenant limit ${TENANT_LIMIT}/s`,
		'http',
	);
	sandbox.setRateLimit(0);
	const scale = await measured(
		workflows.scale.id,
		`5. NICE CXone, ${scaleItems.toLocaleString('en-US')} items`,
		'cxone',
		scaleItems,
		itemCount,
	);

	const rows: Row[] = [
		representative(floorRuns),
		representative(rawRuns),
		representative(cxoneRuns),
		representative(autoMapRuns),
		representative(httpDefaultRuns),
		representative(httpBatchedRuns),
		{ scenario: limited },
		{ scenario: httpLimited },
		{ scenario: httpDefaultLimited },
		{ scenario: scale },
	];
	const warm = warmPass;
	const cold = coldPass;
	const vsRaw = ratio('This node ÷ raw client', cxoneRuns, rawRuns, warm, '≥ 0.60×');
	const autoMapVsRaw = ratio('This node, Map Automatically ÷ raw client', autoMapRuns, rawRuns, warm, '≥ 0.60×');
	const vsDefault = ratio('This node ÷ HTTP Request, default settings', cxoneRuns, httpDefaultRuns, warm, '≥ 5×');
	const vsBatched = ratio(`This node ÷ HTTP Request, ${batchingLabel}`, cxoneRuns, httpBatchedRuns, warm, '≥ 5×');
	const ratios: Ratio[] = [
		vsRaw,
		autoMapVsRaw,
		ratio('This node ÷ n8n engine floor', cxoneRuns, floorRuns, warm),
		vsDefault,
		vsBatched,
		ratio('Cold pass: this node ÷ raw client', cxoneRuns, rawRuns, cold),
		ratio('Cold pass: this node ÷ HTTP Request, default settings', cxoneRuns, httpDefaultRuns, cold),
		ratio('This node, Map Automatically ÷ HTTP Request, default settings', autoMapRuns, httpDefaultRuns, warm),
	];
	const medianOf = (entry: Ratio) => median(entry.values) ?? 0;
	const cxoneTokens = [...cxoneRuns, ...autoMapRuns, limited, scale].map((run) => run.tokenRequests);
	const limitedLost = (limited.cold?.failures ?? itemCount) + (limited.warm?.failures ?? itemCount);
	const targets = [
		verdict(
			`NICE CXone ÷ raw client ≥ 0.60×, items shaped upstream (Map Automatically): ${fixed(medianOf(autoMapVsRaw))}×`,
			medianOf(autoMapVsRaw) >= 0.6,
		),
		verdict(
			`NICE CXone ÷ raw client ≥ 0.60×, two expressions per item: ${fixed(medianOf(vsRaw))}×`,
			medianOf(vsRaw) >= 0.6,
		),
		verdict(
			`NICE CXone ÷ HTTP Request ≥ 5×: ${fixed(medianOf(vsDefault))}× against default settings, ` +
				`${fixed(medianOf(vsBatched))}× against Batching`,
			Math.min(medianOf(vsDefault), medianOf(vsBatched)) >= 5,
		),
		verdict(
			`one process at a strict ${TENANT_LIMIT}/s tenant limit ≥ 185 accepted calls/s, ≤ 0.5 % answered 429, ` +
				`no item lost: ${tenantSummary(limited)}, ${limitedLost} items lost`,
			(limited.acceptedPerSecond ?? 0) >= 185 && refusedPercent(limited) <= 0.5 && limitedLost === 0,
		),
		verdict(
			`${SHARED_TENANT_PROCESSES} processes on one tenant at once ≥ 170 accepted calls/s together, ≤ 3 % ` +
				`answered 429, no item lost: ${tenantSummary(shared)}, ${shared.failures} items lost`,
			(shared.acceptedPerSecond ?? 0) >= 170 && refusedPercent(shared) <= 3 && shared.failures === 0,
		),
		verdict(
			`one token request per n8n process (each \`n8n execute\` is a new process with an empty token ` +
				`cache): ${cxoneTokens.join(', ')}`,
			cxoneTokens.every((count) => count === 1),
		),
	];

	return {
		repeated: 'scenarios 0–3',
		body: [
			...targets,
			'',
			resultsTable(rows),
			'',
			ratiosTable(ratios),
			'',
			memoryLine(representative(cxoneRuns).scenario, scale),
		],
	};
}

/** What a tenant-limited scenario came to at the tenant. */
function tenantSummary(result: ScenarioResult): string {
	return (
		`${fixed(result.acceptedPerSecond ?? 0, 0)} accepted calls/s, ${result.rateLimited} × 429 ` +
		`(${fixed(refusedPercent(result), 2)} % of ${(result.acceptedApiCalls ?? 0) + result.rateLimited} calls), ` +
		`${result.tokenRequests} token requests`
	);
}

function memoryLine(base: ScenarioResult, scale: ScenarioResult): string {
	if (!base.peakRssKb || !scale.peakRssKb || !base.runDataBytes || !scale.runDataBytes) return '';
	const rss = (scale.peakRssKb - base.peakRssKb) * 1024;
	const data = scale.runDataBytes - base.runDataBytes;
	const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
	return (
		`Memory against output: scenario 5 ends holding ${mb(scale.runDataBytes)} MB of items (every node's output ` +
		`as JSON) against ${mb(base.runDataBytes)} MB in scenario 2a; its peak RSS is ${mb(rss)} MB higher, ` +
		`${(rss / data).toFixed(1)} bytes of RSS per byte of output.`
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
