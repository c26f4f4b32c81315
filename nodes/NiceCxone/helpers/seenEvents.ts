/**
 * Events seen lately, oldest first: each key with the time (ms) it is forgotten at, or null for never.
 * A plain JSON array, so it can live in a workflow's static data, which n8n stores with the workflow.
 */
export type SeenEvents = Array<[key: string, expiresAt: number | null]>;

export interface SeenEventLimits {
	maxEntries: number;
	/** Bound on the JSON text of the whole list. */
	maxBytes: number;
}

const isLive = ([, expiresAt]: [string, number | null], now: number) => expiresAt === null || expiresAt > now;

/** The list as stored, or an empty one when static data holds something else (an older version, a hand edit). */
export function seenEventsOf(stored: unknown): SeenEvents {
	if (!Array.isArray(stored)) return [];
	return stored.filter(
		(entry): entry is [string, number | null] =>
			Array.isArray(entry) &&
			typeof entry[0] === 'string' &&
			(entry[1] === null || typeof entry[1] === 'number'),
	);
}

/** Whether `key` is in the list and not yet forgotten. */
export function wasSeen(seen: SeenEvents, key: string, now: number): boolean {
	return seen.some((entry) => entry[0] === key && isLive(entry, now));
}

/** `kept` without its oldest entries beyond `limits`; the most recent entry is always kept. */
function trimmed(kept: SeenEvents, limits: SeenEventLimits): SeenEvents {
	// JSON text of the list: brackets, plus each entry's own text and its separating comma.
	let bytes = 2 + kept.reduce((sum, entry) => sum + JSON.stringify(entry).length + 1, 0);
	let first = 0;
	while (first < kept.length - 1 && (kept.length - first > limits.maxEntries || bytes > limits.maxBytes)) {
		bytes -= JSON.stringify(kept[first]).length + 1;
		first++;
	}
	return kept.slice(first);
}

/**
 * A new list with `key` added as the most recent entry, without entries already forgotten, and without the
 * oldest ones beyond `limits`. The most recent entry is always kept.
 */
export function remember(
	seen: SeenEvents,
	key: string,
	expiresAt: number | null,
	now: number,
	limits: SeenEventLimits,
): SeenEvents {
	const kept = seen.filter((entry) => entry[0] !== key && isLive(entry, now));
	kept.push([key, expiresAt]);
	return trimmed(kept, limits);
}

/**
 * `seen` with the live entries of `recent` it lacks added as its most recent ones, without entries already
 * forgotten, within `limits`; `seen` itself when it lacks none.
 */
export function withRecent(seen: SeenEvents, recent: SeenEvents, now: number, limits: SeenEventLimits): SeenEvents {
	const known = new Set(seen.filter((entry) => isLive(entry, now)).map(([key]) => key));
	const missing = recent.filter((entry) => !known.has(entry[0]) && isLive(entry, now));
	if (missing.length === 0) return seen;
	return trimmed([...seen.filter((entry) => isLive(entry, now)), ...missing], limits);
}
