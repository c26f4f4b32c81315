/**
 * Shared pieces of the reliability suite: a seeded PRNG, and the figures each test file leaves in
 * .tmp/reliability so that whichever file finishes last can print the summary of the whole run.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** mulberry32: a tiny seeded PRNG, so a fault mix or a sample can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const figuresDir = path.resolve(__dirname, '../../.tmp/reliability');

/** The sections of the suite; the summary is complete once each has written its figures. */
export const SECTIONS = ['soak', 'fuzz', 'forged', 'secrets', 'hosts'] as const;
export type Section = (typeof SECTIONS)[number];

export type Figures = Record<string, number | string | boolean>;

interface StoredFigures {
	/** Forked test workers share vitest's main process, so its pid tells figures of this run from stale ones. */
	run: number;
	section: Section;
	figures: Figures;
}

const runId = () => process.ppid;

/** Writes `figures` for `section` and prints the summary table once every section of this run is in. */
export function recordFigures(section: Section, figures: Figures): void {
	mkdirSync(figuresDir, { recursive: true });
	const stored: StoredFigures = { run: runId(), section, figures };
	writeFileSync(path.join(figuresDir, `${section}.json`), `${JSON.stringify(stored, null, 2)}\n`);
	console.log(`[reliability] ${section}: ${JSON.stringify(figures)}`);
	const all = readAll();
	if (SECTIONS.every((name) => all.has(name))) {
		const table = summaryTable(all);
		writeFileSync(path.join(figuresDir, 'summary.md'), `${table}\n`);
		console.log(`\n${table}\n`);
	}
}

function readAll(): Map<Section, Figures> {
	const found = new Map<Section, Figures>();
	for (const file of readdirSync(figuresDir).filter((name) => name.endsWith('.json'))) {
		try {
			const stored = JSON.parse(readFileSync(path.join(figuresDir, file), 'utf8')) as StoredFigures;
			if (stored.run === runId() && SECTIONS.includes(stored.section)) found.set(stored.section, stored.figures);
		} catch {
			// Another worker may be halfway through writing its file; it prints the table itself when done.
		}
	}
	return found;
}

/** The closing table: one row per figure, grouped by section. */
export function summaryTable(all: Map<Section, Figures>): string {
	const rows = ['| section | figure | value |', '| --- | --- | --- |'];
	for (const section of SECTIONS) {
		for (const [name, value] of Object.entries(all.get(section) ?? {})) rows.push(`| ${section} | ${name} | ${value} |`);
	}
	return ['Reliability suite summary', '', ...rows].join('\n');
}

/** Counts of `values`, keyed by value. */
export function countBy<T>(values: T[], keyOf: (value: T) => string): Map<string, number> {
	const counts = new Map<string, number>();
	for (const value of values) {
		const key = keyOf(value);
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return counts;
}

/** The interaction id of an attributes path such as /api/v2/interactions/a%20b/attributes. */
export function interactionIdOfPath(requestPath: string): string {
	return decodeURIComponent(requestPath.split('/')[4] ?? '');
}
