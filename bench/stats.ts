/** What the benchmark measures in one pass and one scenario, and how it is summarised. */

export interface PassStats {
	items: number;
	/** The node's own time from n8n's run data (executionTime), or the raw client's elapsed time. */
	elapsedMs: number;
	itemsPerSecond: number;
	/** Attribute calls per second at the sandbox, from the first call of the pass to its last. */
	apiRequestsPerSecond: number | null;
	/** Token requests the sandbox saw during the pass. */
	tokenRequests: number;
	/** Items that did not end in a successful update, or the node's error. */
	failures: number;
	error?: string;
	p50Ms?: number;
	p95Ms?: number;
	p99Ms?: number;
	/** JSON bytes of the items the node put out. */
	outputBytes?: number;
}

export interface ScenarioResult {
	label: string;
	cold?: PassStats;
	warm?: PassStats;
	/** Token requests of the whole execution (both passes), n8n's boot excluded since it makes none. */
	tokenRequests: number;
	/** 429 answers of the sandbox's tenant limiter during the whole execution. */
	rateLimited: number;
	/** API calls the tenant limit let through during the whole execution. */
	acceptedApiCalls?: number;
	/** Those calls per second, from the first accepted call to the last. */
	acceptedPerSecond?: number | null;
	/** Items of all passes and processes that did not end in a success record (executeTogether). */
	failures?: number;
	/** Peak RSS (VmHWM) of the `n8n execute` process. */
	peakRssKb?: number;
	/** JSON bytes of every node's output in the execution: what n8n holds in memory at the end. */
	runDataBytes?: number;
}

/** Nearest-rank percentile of `values` (0 < p ≤ 100). */
export function percentile(values: number[], p: number): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number | undefined {
	return percentile(values, 50);
}

/** Calls per second between the first and the last of `times` (ms); undefined for fewer than 2 calls. */
export function rateOf(times: number[]): number | null {
	if (times.length < 2) return null;
	const span = times[times.length - 1] - times[0];
	return span > 0 ? ((times.length - 1) / span) * 1000 : null;
}

/** The share of API calls the tenant refused with 429, in percent. */
export const refusedPercent = (result: Pick<ScenarioResult, 'rateLimited' | 'acceptedApiCalls'>) => {
	const calls = (result.acceptedApiCalls ?? 0) + result.rateLimited;
	return calls > 0 ? (result.rateLimited / calls) * 100 : 0;
};
