/**
 * Where a measured pass spends its time, from the CPU profiles `npm run bench -- --profile DIR` writes:
 * the samples between the pass's start and end, grouped by what they were doing.
 * `npx tsx bench/profileSummary.ts DIR` prints the table again for a finished profile run.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of `passes.jsonl`: when a measured pass ran, in epoch ms. */
export interface PassWindow {
	label: string;
	startMs: number;
	endMs: number;
}

interface CallFrame {
	functionName: string;
	url: string;
}

/** A V8 CPU profile as bench/n8nProbe.cjs saves it, with the wall clock at its start. */
interface Profile {
	nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
	clock: { epochMs: number; monotonicUs: number };
}

const PASSES_FILE = 'passes.jsonl';

export function recordPassWindow(profileDir: string, window: PassWindow): void {
	appendFileSync(join(profileDir, PASSES_FILE), `${JSON.stringify(window)}\n`);
}

/** The groups of the table, first match wins, checked from the sample's stack. */
const GROUPS: Array<[string, (stack: CallFrame[]) => boolean]> = [
	['Garbage collection', ([leaf]) => leaf.functionName === '(garbage collector)'],
	['Idle: waiting for the sandbox', ([leaf]) => leaf.functionName === '(idle)'],
	['n8n: `getNodeParameter`, evaluating expressions', (stack) => stack.some((f) => /getNodeParameter/.test(f.functionName))],
	['zod validation', (stack) => packageOf(stack) === 'zod'],
	['axios and axios-retry', (stack) => ['axios', 'axios-retry'].includes(packageOf(stack))],
	[
		'Kernel socket writes',
		(stack) => stack.slice(0, 4).some((f) => ['writev', 'writevGeneric', 'handleWriteReq'].includes(f.functionName)),
	],
	['This package\'s own code', (stack) => packageOf(stack) === 'n8n-nodes-nice-cxone'],
	['Node.js `http`, sockets, streams, events', (stack) => packageOf(stack) === 'node'],
];

/** The npm package (or "node" for Node's own modules) of the deepest frame that has a source. */
function packageOf(stack: CallFrame[]): string {
	const url = stack.find((frame) => frame.url)?.url ?? '';
	if (url.startsWith('node:')) return 'node';
	const packages = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/g);
	return packages ? packages[packages.length - 1].slice('node_modules/'.length) : url;
}

/** Milliseconds per group for the samples of `profile` inside `window`. */
function groupsOf(profile: Profile, window: PassWindow): Map<string, number> {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const toMonotonicUs = (epochMs: number) => (epochMs - profile.clock.epochMs) * 1000 + profile.clock.monotonicUs;
	const [from, to] = [toMonotonicUs(window.startMs), toMonotonicUs(window.endMs)];
	const totals = new Map<string, number>();
	let at = profile.startTime;
	profile.samples.forEach((sample, index) => {
		at += profile.timeDeltas[index];
		if (at < from || at > to) return;
		const stack: CallFrame[] = [];
		for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame);
		const group = GROUPS.find(([, matches]) => matches(stack))?.[0] ?? 'Other';
		totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[index + 1] ?? 0) / 1000);
	});
	return totals;
}

/** A markdown table: one column per measured pass, the share of its samples in each group. */
export function profileSummary(profileDir: string): string {
	const windows = readFileSync(join(profileDir, PASSES_FILE), 'utf8')
		.trim()
		.split('\n')
		.map((line) => JSON.parse(line) as PassWindow);
	const profiles = readdirSync(profileDir)
		.filter((name) => name.endsWith('.cpuprofile'))
		.map((name) => JSON.parse(readFileSync(join(profileDir, name), 'utf8')) as Profile)
		.filter((profile) => profile.clock);
	const columns = windows.flatMap((window) => {
		const profile = profiles.find((candidate) => {
			const startMs = candidate.clock.epochMs + (candidate.startTime - candidate.clock.monotonicUs) / 1000;
			const endMs = startMs + (candidate.endTime - candidate.startTime) / 1000;
			return startMs <= window.startMs && window.endMs <= endMs;
		});
		return profile ? [{ window, totals: groupsOf(profile, window) }] : [];
	});
	const groups = [...GROUPS.map(([name]) => name), 'Other'];
	const share = (totals: Map<string, number>, group: string) => {
		const all = [...totals.values()].reduce((sum, ms) => sum + ms, 0);
		return `${Math.round((100 * (totals.get(group) ?? 0)) / all)} %`;
	};
	return [
		`| Where | ${columns.map(({ window }) => window.label).join(' | ')} |`,
		`| --- | ${columns.map(() => '---').join(' | ')} |`,
		...groups.map((group) => `| ${group} | ${columns.map(({ totals }) => share(totals, group)).join(' | ')} |`),
	].join('\n');
}

if (require.main === module) console.log(profileSummary(process.argv[2] ?? 'prof'));
