import { RECENT_EVENT_IDS_PER_WEBHOOK, RECENT_EVENT_WEBHOOKS } from '../constants';
import type { SeenEvents } from './seenEvents';

/** Moves `key` to the most recent end of `map` (a Map iterates in insertion order). */
function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
	map.delete(key);
	map.set(key, value);
}

/** Forgets the least recently used entries of `map` beyond `capacity`. */
function trim<K, V>(map: Map<K, V>, capacity: number): void {
	for (const key of map.keys()) {
		if (map.size <= capacity) return;
		map.delete(key);
	}
}

/**
 * The event ids each webhook received lately, so that CXone's redeliveries of one event (it retries a
 * callback up to 3 times, contract §4) start one run, not several.
 *
 * Kept in this process's memory: n8n hands each call the workflow's static data as its database held it
 * when the call arrived and saves it back once the call is answered, so calls handled at the same time
 * miss each other's ids there, and the last save wins. Redeliveries come within seconds, so a bounded
 * memory is enough. What it cannot see: a redelivery after an n8n restart, or one that lands on another
 * webhook process in queue mode; the Studio trigger also keeps its ids in static data for those.
 * An id may be remembered only until a given time, for keys that are not unique for ever (a body's hash).
 */
export class RecentEvents {
	/** Per webhook, each id with the time (ms) it is forgotten at, or null for never. */
	private readonly byWebhook = new Map<string, Map<string, number | null>>();

	constructor(
		private readonly webhooks = RECENT_EVENT_WEBHOOKS,
		private readonly idsPerWebhook = RECENT_EVENT_IDS_PER_WEBHOOK,
	) {}

	/**
	 * Records `eventId` for `webhookKey`, to be forgotten at `expiresAt` (ms, null for never); false when it
	 * was already among the recent ones and not yet forgotten.
	 */
	firstSeen(webhookKey: string, eventId: string, expiresAt: number | null = null, now = Date.now()): boolean {
		const ids = this.byWebhook.get(webhookKey) ?? new Map<string, number | null>();
		touch(this.byWebhook, webhookKey, ids);
		trim(this.byWebhook, this.webhooks);
		const known = ids.get(eventId);
		const seen = known !== undefined && (known === null || known > now);
		touch(ids, eventId, seen ? known : expiresAt);
		trim(ids, this.idsPerWebhook);
		return !seen;
	}

	/** The ids `webhookKey` received that are not yet forgotten, oldest first, with when each is forgotten. */
	entries(webhookKey: string, now = Date.now()): SeenEvents {
		const ids = this.byWebhook.get(webhookKey);
		if (ids === undefined) return [];
		return [...ids.entries()].filter(([, expiresAt]) => expiresAt === null || expiresAt > now);
	}
}

/** The process-wide memory every NICE CXone Trigger shares, one entry per webhook. */
export const recentEvents = new RecentEvents();
