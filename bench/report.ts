/** The benchmark's table and machine description, and their place in BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

import { median, type PassStats, type ScenarioResult } from './stats';

export interface Machine {
	cpus: number;
	cpuModel: string;
	memory: string;
	loadBefore: string;
	loadAfter?: string;
	kernel: string;
	node: string;
	n8n: string;
	n8nNode: string;
}

export function describeMachine(n8n: { version: string; node: string }): Machine {
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	return {
		cpus: os.availableParallelism(),
		cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
		memory: execFileSync('free', ['-h'], { encoding: 'utf8' }).trim(),
		loadBefore: loadAverage(),
		kernel: `${os.type()} ${os.release()}`,
		node: process.version,
		n8n: n8n.version,
		n8nNode: n8n.node,
	};
}

export const loadAverage = () =>
	os
		.loadavg()
		.map((load) => load.toFixed(2))
		.join(' / ');

export const int = (value: number | null | undefined) => (value == null ? '–' : Math.round(value).toLocaleString('en-US'));
const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : (bytes / 1024 / 1024).toFixed(1));
const ratio = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}×`);

/** A pass's value, '–' when the pass did not run or failed: a failure is shown once, in its rate cell. */
const passCell = (pass: PassStats | undefined, value: (pass: PassStats) => string) =>
	!pass || pass.error ? '–' : value(pass);

/** A pass's items/s, or why it failed, shortened to fit a table cell. */
export const rateCell = (pass: PassStats | undefined) =>
	pass?.error
		? `failed: ${pass.error.replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 80)}`
		: passCell(pass, (done) => int(done.itemsPerSecond));

export interface Row {
	scenario: ScenarioResult;
	/** Warm items/s of each repetition, when the scenario was repeated. */
	repetitions?: number[];
}

/** The results table, one row per scenario; the cold pass is shown beside the measured one. */
export function resultsTable(rows: Row[]): string {
	const header = [
		'Scenario',
		'Items',
		'Node time ms',
		'Items/s',
		'Items/s, cold pass',
		'API calls/s',
		'Token requests',
		'p50 / p99 ms',
		'429s',
		'Failed items',
		'Peak RSS MB',
		'Output MB',
		'Items/s, each repetition',
	];
	const lines = rows.map(({ scenario, repetitions }) => {
		const warm = scenario.warm;
		return [
			scenario.label,
			int(warm?.items),
			passCell(warm, (pass) => int(pass.elapsedMs)),
			rateCell(warm),
			rateCell(scenario.cold),
			passCell(warm, (pass) => int(pass.apiRequestsPerSecond)),
			`${scenario.tokenRequests} (${scenario.cold?.tokenRequests ?? '–'} + ${warm?.tokenRequests ?? '–'})`,
			warm?.p50Ms === undefined ? '–' : `${ms(warm.p50Ms)} / ${ms(warm.p99Ms)}`,
			int(scenario.rateLimited),
			int((scenario.cold?.failures ?? 0) + (warm?.failures ?? 0)),
			scenario.peakRssKb === undefined ? '–' : mb(scenario.peakRssKb * 1024),
			passCell(warm, (pass) => mb(pass.outputBytes)),
			repetitions && repetitions.length > 1 ? repetitions.map(int).join(', ') : '',
		];
	});
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export interface Ratio {
	label: string;
	/** One value per repetition, each from measurements made side by side. */
	values: number[];
	target?: string;
}

export function ratiosTable(ratios: Ratio[]): string {
	const lines = ratios.map((entry) => [
		entry.label,
		ratio(median(entry.values)),
		entry.values.map((value) => ratio(value)).join(', '),
		entry.target ?? '',
	]);
	const header = ['Ratio (measured pass)', 'Median', 'Per repetition', 'Target'];
	return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function machineSection(machine: Machine): string {
	return [
		`- CPUs (nproc): ${machine.cpus} × ${machine.cpuModel}`,
		`- Kernel: ${machine.kernel}`,
		`- Load average (1 / 5 / 15 min): ${machine.loadBefore} before the run, ${machine.loadAfter ?? '–'} after`,
		`- Node.js (benchmark, sandbox, raw client): ${machine.node}; n8n ${machine.n8n} on Node.js ${machine.n8nNode}`,
		'- Memory (`free -h`):',
		'',
		'```',
		machine.memory,
		'```',
	].join('\n');
}

/**
 * Replaces the results of one suite and n8n line in `file`, between the markers named `marker` (such as
 * `results:v2` or `real:v1`); appends them if it has none.
 */
export function writeResults(file: string, section: string, marker: string): void {
	const begin = `<!-- bench:${marker}:begin -->`;
	const end = `<!-- bench:${marker}:end -->`;
	const block = `${begin}\n${section}\n${end}`;
	const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
	const start = current.indexOf(begin);
	const stop = current.indexOf(end);
	const next =
		start >= 0 && stop > start
			? `${current.slice(0, start)}${block}${current.slice(stop + end.length)}`
			: `${current.trimEnd()}\n\n${block}\n`;
	writeFileSync(file, next);
}
