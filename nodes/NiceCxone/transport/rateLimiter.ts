import { sleep } from 'n8n-workflow';

import {
	LIMITER_CATCH_UP_MS,
	LIMITER_CEILING_HOLD_MS,
	LIMITER_DECREASE,
	LIMITER_DECREASE_COOLDOWN_MS,
	LIMITER_INCREASE_PER_SECOND,
	LIMITER_MIN_RATE,
	LIMITER_SHARE_MARGIN,
	LIMITER_WINDOW_MARGIN_MS,
} from '../constants';

/** Buckets of the sliding second in which the limiter counts the calls the tenant accepted. */
const ACCEPTED_BUCKETS = 10;
const BUCKET_MS = 1000 / ACCEPTED_BUCKETS;

/**
 * One tenant's calls per second, shared by every execution and node of this n8n process, and adaptive
 * (additive increase, multiplicative decrease, the rule of TCP and of the AWS SDKs' adaptive retry mode):
 * it starts at Max Requests per Second, drops when CXone answers 429, and climbs back slowly while calls
 * succeed. Several executions in one process, or several processes on one tenant, so settle just under
 * what the tenant really enforces without anyone configuring it. It never exceeds the lowest Max Requests
 * per Second among the executions using it.
 */
export class AdaptiveRateLimiter {
	/** When the next call is due on the schedule (performance.now() milliseconds). */
	private nextDueAt = 0;
	private queue: Promise<void> = Promise.resolve();
	private ceiling = Number.POSITIVE_INFINITY;
	private ceilingSetAt = Number.NEGATIVE_INFINITY;
	/** The rate set by the last drop, and when: additive increase starts there. */
	private droppedTo: number | undefined;
	private droppedAt = Number.NEGATIVE_INFINITY;
	/** Calls the tenant accepted, per bucket of the last second; `bucketOf` says which time each holds. */
	private readonly accepted = new Array<number>(ACCEPTED_BUCKETS).fill(0);
	private readonly bucketOf = new Array<number>(ACCEPTED_BUCKETS).fill(-1);
	/** 429s that lowered the rate, for tests and figures. */
	decreases = 0;

	/** The rate this limiter lets calls through at now. */
	currentRate(now = performance.now()): number {
		if (this.droppedTo === undefined) return this.ceiling;
		const increase = this.ceiling * LIMITER_INCREASE_PER_SECOND * ((now - this.droppedAt) / 1000);
		return Math.max(LIMITER_MIN_RATE, Math.min(this.ceiling, this.droppedTo + increase));
	}

	/**
	 * Resolves when the caller may send one call, in arrival order, at no more than `maxPerSecond`;
	 * the value is the time it was let through, to hand back to `answered`.
	 */
	acquire(maxPerSecond: number): Promise<number> {
		this.lowerCeiling(maxPerSecond);
		const turn = this.queue.then(async () => await this.waitForTurn());
		this.queue = turn.then(
			() => undefined,
			() => undefined,
		);
		return turn;
	}

	/**
	 * How long a call the tenant refused with 429 and no Retry-After waits before it queues again: until the
	 * tenant's window has room, a second after the last drop. The lowered schedule spaces it from there, so the
	 * retry policy's backoff (seconds in which no call at all goes out) is not needed on top.
	 */
	refusedWaitMs(now = performance.now()): number {
		return Math.max(0, this.droppedAt + LIMITER_DECREASE_COOLDOWN_MS - now);
	}

	/** The tenant answered a call let through at `sentAt`: `refused` when with 429. */
	answered(sentAt: number, refused: boolean): void {
		const now = performance.now();
		if (!refused) {
			this.countAccepted(now);
			return;
		}
		// Calls let through before the last drop were sent at the old rate, and a strict tenant goes on
		// refusing until its window has room: their 429s say nothing new.
		if (sentAt <= this.droppedAt || now - this.droppedAt < LIMITER_DECREASE_COOLDOWN_MS) return;
		const share = this.acceptedInLastSecond(now) * LIMITER_SHARE_MARGIN;
		this.droppedTo = Math.max(LIMITER_MIN_RATE, Math.min(this.currentRate(now) * LIMITER_DECREASE, share));
		this.droppedAt = now;
		this.decreases++;
	}

	private lowerCeiling(maxPerSecond: number): void {
		const now = performance.now();
		if (maxPerSecond <= this.ceiling || now - this.ceilingSetAt > LIMITER_CEILING_HOLD_MS) {
			this.ceiling = maxPerSecond;
			this.ceilingSetAt = now;
		}
	}

	private countAccepted(now: number): void {
		const slot = Math.floor(now / BUCKET_MS);
		const index = slot % ACCEPTED_BUCKETS;
		if (this.bucketOf[index] !== slot) {
			this.bucketOf[index] = slot;
			this.accepted[index] = 0;
		}
		this.accepted[index]++;
	}

	private acceptedInLastSecond(now: number): number {
		const newest = Math.floor(now / BUCKET_MS);
		return this.accepted.reduce(
			(sum, count, index) => (newest - this.bucketOf[index] < ACCEPTED_BUCKETS ? sum + count : sum),
			0,
		);
	}

	/**
	 * Calls are let through on a schedule of one every interval, and a call that finds itself late may
	 * catch up by at most LIMITER_CATCH_UP_MS (timers fire late, and without catching up the rate would
	 * fall short). The interval is chosen so that even with that catch-up, and the network's jitter on the
	 * way, no window of one second holds more calls than the allowed rate: a tenant that enforces its
	 * limit per sliding second does not see it exceeded, and nothing saved up while idle is spent in a burst.
	 */
	private async waitForTurn(): Promise<number> {
		for (;;) {
			const now = performance.now();
			const allowed = this.currentRate(now);
			const intervalMs = (1000 + LIMITER_WINDOW_MARGIN_MS) / Math.max(1, allowed - 1);
			const earliest = this.nextDueAt - LIMITER_CATCH_UP_MS;
			if (now >= earliest) {
				this.nextDueAt = Math.max(this.nextDueAt, now) + intervalMs;
				return now;
			}
			await sleep(Math.max(1, earliest - now));
		}
	}
}

const limiters = new Map<string, AdaptiveRateLimiter>();

/** The process-wide limiter of the tenant behind `tenantKey` (credential and API host). */
export function tenantLimiter(tenantKey: string): AdaptiveRateLimiter {
	let limiter = limiters.get(tenantKey);
	if (!limiter) {
		limiter = new AdaptiveRateLimiter();
		limiters.set(tenantKey, limiter);
	}
	return limiter;
}
