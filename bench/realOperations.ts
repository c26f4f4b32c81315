/**
 * `npm run bench -- --suite real`: the real-tenant operations on the Access Key credential, NICE CXone → Signal and
 * → Digital Case → Set Custom Fields, beside n8n's HTTP Request node making the same calls with the same credential
 * type, in one run against one sandbox; BENCHMARKS.md "Real-tenant operations" describes the method.
 */
import type { ExecutionRun } from '../test/e2e/n8nInstance';
import type { SandboxStats } from '../sandbox/server';
import { checkPayloadHashes, type NodeKind } from './measure';
import {
	accessKeyCredential,
	caseFieldsBody,
	caseItem,
	caseItemsCode,
	cxoneCaseFieldsNode,
	cxoneSignalNode,
	httpCaseFieldsNode,
	httpSignalNode,
	signalItem,
	signalItemsCode,
	signalQuery,
} from './realWorkflows';
import { int, rateCell, ratiosTable, type Ratio } from './report';
import { median, type PassStats, type ScenarioResult } from './stats';
import {
	coldPass,
	fixed,
	id16,
	log,
	passes,
	ratio,
	representative,
	TENANT_LIMIT,
	warmPass,
	type SuiteContext,
} from './suite';
import { twoPassWorkflow, type NodeUnderTest } from './workflows';

/** Live contacts sharing all signals in the scenario that shows what the per-contact order costs. */
const SHARED_CONTACTS = 50;

/** The two operations, and the sandbox route counting each one's calls. */
type Operation = 'signal' | 'caseFields';

/** What the emulated tenant saw during one `n8n execute`, both passes. */
interface TenantCounts {
	/** Calls of the operation's route, refused ones included. */
	calls: number;
	/** 429 answers: the ACD tenant limit's and the DFO per-case quota's. */
	refused: number;
	/** Access-key logins (and password grants): one per n8n process when the login is shared. */
	logins: number;
	/** Signals answered 204 that never reached the script, because they came while it handled another (§3). */
	merged: number;
}

interface RealResult extends ScenarioResult {
	tenant: TenantCounts;
}

/**
 * The sandbox options this suite needs: DFO's per-case quota (250 at once, 17 a minute, spec §4) lifted to every case
 * update the run makes, since the sandbox has one Digital case and a benchmark of the quota would measure its refill.
 */
export function realSandboxOptions({ repetitions, itemCount }: { repetitions: number; itemCount: number }) {
	const contestants = 2;
	const passesPerRun = 2;
	return { digitalCaseUpdateBurst: repetitions * contestants * passesPerRun * itemCount };
}

function tenantCounts(stats: SandboxStats, operation: Operation): TenantCounts {
	return {
		calls: operation === 'signal' ? stats.acdCalls.signal : stats.digitalRoutes.setCaseFields,
		refused: stats.rateLimited + stats.digitalThrottled,
		logins: stats.loginRequests.accessKey + stats.loginRequests.password,
		merged: stats.mergedSignals,
	};
}

export async function realOperationsSuite(context: SuiteContext) {
	const { sandbox, n8n, harness, repetitions, itemCount, concurrency } = context;
	const { apiBase, digitalBase, seed } = sandbox.realApi;
	const contacts = Array.from({ length: itemCount }, () => sandbox.realApi.addContact().contactId);
	const sharedContacts = contacts.slice(0, SHARED_CONTACTS);
	const caseId = seed.digitalCaseId;

	const cxoneCredentialId = id16('benchAccessKey', 0);
	// Each HTTP Request run gets a credential of its own, so it starts without a stored token, just as each
	// `n8n execute` of the NICE CXone node starts with an empty login cache.
	const httpCredentialIds = Array.from({ length: repetitions * 2 + 2 }, (_, k) => id16('benchHttpKey', k));
	const cxone = (maxRequestsPerSecond: number) => ({ credentialId: cxoneCredentialId, concurrency, maxRequestsPerSecond });
	const signalsTo = (ids: string[]) => signalItemsCode(itemCount, ids);
	const caseCode = caseItemsCode(itemCount, caseId);
	const workflow = (prefix: string, k: number, name: string, node: NodeUnderTest, code: string) =>
		twoPassWorkflow(id16(prefix, k), `Bench: ${name}`, node, code, code);
	const workflows = {
		signal: workflow('benchSignal', 0, 'NICE CXone Signal', cxoneSignalNode(cxone(0)), signalsTo(contacts)),
		caseFields: workflow('benchCaseFld', 0, 'NICE CXone Set Custom Fields', cxoneCaseFieldsNode(cxone(0)), caseCode),
		signalShared: workflow(
			'benchSignal',
			1,
			`NICE CXone Signal, ${SHARED_CONTACTS} contacts`,
			cxoneSignalNode(cxone(0)),
			signalsTo(sharedContacts),
		),
		signalLimited: workflow(
			'benchSignal',
			2,
			'NICE CXone Signal, limited',
			cxoneSignalNode(cxone(TENANT_LIMIT)),
			signalsTo(contacts),
		),
		httpSignal: Array.from({ length: repetitions }, (_, k) =>
			workflow('benchHttpSig', k, 'HTTP Request signal', httpSignalNode(apiBase, httpCredentialIds[k]), signalsTo(contacts)),
		),
		httpCaseFields: Array.from({ length: repetitions }, (_, k) =>
			workflow(
				'benchHttpFld',
				k,
				'HTTP Request custom fields',
				httpCaseFieldsNode(digitalBase, httpCredentialIds[repetitions + k]),
				caseCode,
			),
		),
		httpSignalShared: workflow(
			'benchHttpSig',
			repetitions,
			`HTTP Request signal, ${SHARED_CONTACTS} contacts`,
			httpSignalNode(apiBase, httpCredentialIds[repetitions * 2]),
			signalsTo(sharedContacts),
		),
		httpSignalLimited: workflow(
			'benchHttpSig',
			repetitions + 1,
			'HTTP Request signal, limited',
			httpSignalNode(apiBase, httpCredentialIds[repetitions * 2 + 1]),
			signalsTo(contacts),
		),
	};
	log(`${contacts.length} live contacts added; importing credentials and workflows`);
	await n8n.importCredentials(
		[cxoneCredentialId, ...httpCredentialIds].map((id) => accessKeyCredential(sandbox, id)),
	);
	await n8n.importWorkflow(Object.values(workflows).flat());

	const measured = async (
		workflowId: string,
		label: string,
		kind: NodeKind,
		operation: Operation,
		check: (run: ExecutionRun) => void,
	): Promise<RealResult> => {
		log(`${label}: running`);
		const { result, run } = await harness.execute(workflowId, label, kind, itemCount);
		const tenant = tenantCounts(sandbox.stats, operation);
		if (!result.warm?.error) check(run);
		log(`${label}: ${passes(result)}, ${tenant.logins} logins, ${tenant.refused} × 429, ${tenant.merged} merged`);
		return { ...result, tenant };
	};
	const sentQueries = (ids: string[]) => (run: ExecutionRun) =>
		checkPayloadHashes(run, (i) => signalQuery(signalItem(i, ids)), 'the query bench/realWorkflows.ts expects');
	const signalsReached = (ids: string[]) => () => checkLastSignals(context, ids);
	const both = (...checks: Array<(run: ExecutionRun) => void>) => (run: ExecutionRun) =>
		checks.forEach((check) => check(run));
	const sentBodies = (run: ExecutionRun) =>
		checkPayloadHashes(run, (i) => caseFieldsBody(caseItem(i, caseId)), 'the body bench/realWorkflows.ts expects');
	const nothingToCheck = () => undefined;

	const signalRuns: RealResult[] = [];
	const httpSignalRuns: RealResult[] = [];
	const caseRuns: RealResult[] = [];
	const httpCaseRuns: RealResult[] = [];
	const distinct = `${itemCount.toLocaleString('en-US')} live contacts, one signal each per pass`;
	// Interleaved, so a burst of load from elsewhere on the machine hits every contestant alike.
	for (let k = 0; k < repetitions; k++) {
		log(`repetition ${k + 1} of ${repetitions}`);
		signalRuns.push(
			await measured(
				workflows.signal.id,
				`R1a. NICE CXone → Signal, ${distinct}, concurrency ${concurrency}, no rate limit`,
				'cxone',
				'signal',
				both(sentQueries(contacts), signalsReached(contacts)),
			),
		);
		httpSignalRuns.push(
			await measured(
				workflows.httpSignal[k].id,
				`R1b. HTTP Request → the same signals, Access Key credential, default settings`,
				'http',
				'signal',
				signalsReached(contacts),
			),
		);
		caseRuns.push(
			await measured(
				workflows.caseFields.id,
				`R2a. NICE CXone → Digital Case → Set Custom Fields, one case, concurrency ${concurrency}, no rate limit`,
				'cxone',
				'caseFields',
				sentBodies,
			),
		);
		httpCaseRuns.push(
			await measured(
				workflows.httpCaseFields[k].id,
				'R2b. HTTP Request → the same PUTs on the Digital base, Access Key credential, default settings',
				'http',
				'caseFields',
				nothingToCheck,
			),
		);
	}
	const shared = `all signals to ${SHARED_CONTACTS} live contacts`;
	const signalShared = await measured(
		workflows.signalShared.id,
		`R3a. NICE CXone → Signal, ${shared} (one at a time per contact, in input order)`,
		'cxone',
		'signal',
		both(sentQueries(sharedContacts), signalsReached(sharedContacts)),
	);
	const httpSignalShared = await measured(
		workflows.httpSignalShared.id,
		`R3b. HTTP Request → the same signals, ${shared}`,
		'http',
		'signal',
		nothingToCheck,
	);
	sandbox.setRateLimit(TENANT_LIMIT, 'strictWindow');
	const signalLimited = await measured(
		workflows.signalLimited.id,
		`R4a. NICE CXone → Signal, Max Requests per Second ${TENANT_LIMIT}; strict tenant limit ${TENANT_LIMIT}/s`,
		'cxone',
		'signal',
		both(sentQueries(contacts), signalsReached(contacts)),
	);
	const httpSignalLimited = await measured(
		workflows.httpSignalLimited.id,
		`R4b. HTTP Request → the same signals, default settings; strict tenant limit ${TENANT_LIMIT}/s`,
		'http',
		'signal',
		signalsReached(contacts),
	);
	sandbox.setRateLimit(0);

	const rows: RealRow[] = [
		representative(signalRuns),
		representative(httpSignalRuns),
		representative(caseRuns),
		representative(httpCaseRuns),
		{ scenario: signalShared },
		{ scenario: httpSignalShared },
		{ scenario: signalLimited },
		{ scenario: httpSignalLimited },
	].map((row) => ({ ...row, scenario: row.scenario as RealResult }));
	const signalRatio = ratio('Signal: NICE CXone ÷ HTTP Request', signalRuns, httpSignalRuns, warmPass);
	const caseRatio = ratio('Set Custom Fields: NICE CXone ÷ HTTP Request', caseRuns, httpCaseRuns, warmPass);
	const ratios: Ratio[] = [
		signalRatio,
		caseRatio,
		ratio('Cold pass: Signal, NICE CXone ÷ HTTP Request', signalRuns, httpSignalRuns, coldPass),
		ratio('Cold pass: Set Custom Fields, NICE CXone ÷ HTTP Request', caseRuns, httpCaseRuns, coldPass),
		onceRatio(`Signal to ${SHARED_CONTACTS} contacts ÷ to ${itemCount.toLocaleString('en-US')} contacts, NICE CXone`, signalShared, signalRuns),
		onceRatio(`Signal at a strict ${TENANT_LIMIT}/s tenant limit ÷ no limit, NICE CXone`, signalLimited, signalRuns),
	];
	const medianOf = (entry: Ratio) => fixed(median(entry.values) ?? 0);
	const cxoneLogins = [...signalRuns, ...caseRuns, signalShared, signalLimited].map((run) => run.tenant.logins);
	const httpLogins = [...httpSignalRuns, ...httpCaseRuns, httpSignalShared, httpSignalLimited].map(
		(run) => run.tenant.logins,
	);
	const findings = [
		`- Signal, NICE CXone ÷ HTTP Request: ${medianOf(signalRatio)}× (median of the measured passes' ratios); ` +
			`Set Custom Fields: ${medianOf(caseRatio)}×.`,
		`- Logins per \`n8n execute\` (two passes each): NICE CXone ${cxoneLogins.join(', ')}; HTTP Request ` +
			`${httpLogins.join(', ')}.`,
		`- Signals merged away (answered 204 but never seen by the script, because they reached a contact still ` +
			`handling the one before): NICE CXone ${signalShared.tenant.merged} with ${shared}, HTTP Request ` +
			`${httpSignalShared.tenant.merged}.`,
		`- At a strict ${TENANT_LIMIT}/s tenant limit: NICE CXone ${refusals(signalLimited)}, ` +
			`${failedItems(signalLimited)} items failed; HTTP Request ${refusals(httpSignalLimited)}, ` +
			`${failedItems(httpSignalLimited)} items failed.`,
	];
	return {
		repeated: 'R1–R2',
		body: [...findings, '', realResultsTable(rows), '', ratiosTable(ratios)],
	};
}

/** Every contact's last signal came from its last item in input order: the calls reached CXone as sent. */
function checkLastSignals({ sandbox, itemCount }: SuiteContext, ids: string[]): void {
	const lastItem = new Map<string, number>();
	for (let i = 0; i < itemCount; i++) lastItem.set(signalItem(i, ids).contactId, i);
	for (const [contactId, i] of lastItem) {
		const { p1, p2 } = signalItem(i, ids);
		const received = sandbox.realApi.contact(contactId)?.signals.at(-1)?.params;
		if (received?.p1 !== p1 || received?.p2 !== p2 || Object.keys(received).length !== 2) {
			throw new Error(
				`Contact ${contactId}: its last signal was ${JSON.stringify(received)}, not item ${i}'s p1=${p1}, p2=${p2}`,
			);
		}
	}
}

/** A scenario run once, over the median measured rate of `base`'s repetitions. */
function onceRatio(label: string, once: ScenarioResult, base: ScenarioResult[]): Ratio {
	const rate = (pass?: PassStats) => (pass && !pass.error ? pass.itemsPerSecond : undefined);
	const mine = rate(once.warm);
	const theirs = median(base.flatMap((run) => rate(run.warm) ?? []));
	return { label, values: mine !== undefined && theirs ? [mine / theirs] : [] };
}

const refusedShare = ({ tenant }: RealResult) => (tenant.calls > 0 ? (tenant.refused / tenant.calls) * 100 : 0);

const refusals = (result: RealResult) =>
	`${result.tenant.refused} × 429 (${fixed(refusedShare(result), 2)} % of ${result.tenant.calls} calls)`;

const failedItems = ({ cold, warm }: RealResult) => (cold?.failures ?? 0) + (warm?.failures ?? 0);

interface RealRow {
	scenario: RealResult;
	repetitions?: number[];
}

/** The suite's table: one row per scenario, its measured pass beside its cold one, the tenant's counts of both. */
function realResultsTable(rows: RealRow[]): string {
	const header = [
		'Scenario',
		'Items per pass',
		'Items/s',
		'Items/s, cold pass',
		'p50 / p95 ms',
		'Calls at the tenant',
		'429s (share)',
		'Logins',
		'Merged signals',
		'Failed items',
		'Peak RSS MB',
		'Items/s, each repetition',
	];
	const lines = rows.map(({ scenario, repetitions }) => {
		const { warm, tenant } = scenario;
		const latency = warm && !warm.error && warm.p50Ms !== undefined;
		return [
			scenario.label,
			int(warm?.items),
			rateCell(warm),
			rateCell(scenario.cold),
			latency ? `${fixed(warm.p50Ms ?? 0, 1)} / ${fixed(warm.p95Ms ?? 0, 1)}` : '–',
			int(tenant.calls),
			`${int(tenant.refused)} (${fixed(refusedShare(scenario), 2)} %)`,
			String(tenant.logins),
			String(tenant.merged),
			int(failedItems(scenario)),
			scenario.peakRssKb === undefined ? '–' : fixed(scenario.peakRssKb / 1024, 1),
			repetitions && repetitions.length > 1 ? repetitions.map(int).join(', ') : '',
		];
	});
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
