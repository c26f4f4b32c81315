/** What every benchmark suite shares: the run's parts, its log, and how repetitions become rows and ratios. */
import type { N8nInstance } from '../test/e2e/n8nInstance';
import type { CxoneSandbox } from '../sandbox/server';
import type { Harness } from './measure';
import type { Ratio, Row } from './report';
import type { PassStats, ScenarioResult } from './stats';

/** One run's sandbox, n8n and settings, handed to the suite the command line chose. */
export interface SuiteContext {
	sandbox: CxoneSandbox;
	n8n: N8nInstance;
	harness: Harness;
	repetitions: number;
	itemCount: number;
	concurrency: number;
}

/**
 * CXone's documented tenant limit (contract §5), for the rate-limited scenarios, enforced as strictly as
 * a tenant can: at most this many calls in any one-second window, 429 without Retry-After.
 */
export const TENANT_LIMIT = 200;

/** n8n ids are 16 alphanumerics: a prefix and a zero-padded number. */
export const id16 = (prefix: string, n: number) => `${prefix}${String(n).padStart(16 - prefix.length, '0')}`;

/** The repetition with the median measured rate, so every column of a row comes from one real run. */
export function representative(runs: ScenarioResult[]): Row {
	const rate = (run: ScenarioResult) => (run.warm?.error ? 0 : (run.warm?.itemsPerSecond ?? 0));
	const sorted = [...runs].sort((a, b) => rate(a) - rate(b));
	return { scenario: sorted[Math.floor((sorted.length - 1) / 2)], repetitions: runs.map(rate) };
}

/** Items/s of `mine` over `theirs`, per repetition: each pair was measured minutes apart at most. */
export function ratio(
	label: string,
	mine: ScenarioResult[],
	theirs: ScenarioResult[],
	pass: (run: ScenarioResult) => PassStats | undefined,
	target?: string,
): Ratio {
	const values = mine.flatMap((run, k) => {
		const a = pass(run);
		const b = pass(theirs[k]);
		return a && b && !a.error && !b.error ? [a.itemsPerSecond / b.itemsPerSecond] : [];
	});
	return { label, values, target };
}

export const warmPass = (run: ScenarioResult) => run.warm;
export const coldPass = (run: ScenarioResult) => run.cold;

export const fixed = (value: number, digits = 2) => value.toFixed(digits);

export const verdict = (text: string, met: boolean) => `- ${met ? 'Met' : '**Not met**'}: ${text}`;

/** A finished scenario's two passes, for the log. */
export function passes(result: ScenarioResult): string {
	const pass = (stats?: PassStats) =>
		!stats ? 'no run' : stats.error ? `failed (${stats.error})` : `${Math.round(stats.itemsPerSecond)} items/s`;
	return `cold pass ${pass(result.cold)}, measured pass ${pass(result.warm)}`;
}

/** One log line for a finished scenario of the tutorial contract. */
export const summary = (result: ScenarioResult) =>
	`${passes(result)}, ${result.tokenRequests} token requests, ${result.rateLimited} × 429`;

export function log(message: string): void {
	console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}
