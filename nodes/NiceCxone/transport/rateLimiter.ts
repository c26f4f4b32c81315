/**
 * A token bucket spacing requests to at most `perSecond`. Its burst is a tenth of a second's
 * worth, so a client at the limit never exceeds the tenant's own bucket of one second's worth.
 */
export class RateLimiter {
	private tokens: number;
	private last = performance.now();
	private readonly burst: number;
	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly perSecond: number) {
		this.burst = Math.max(1, Math.floor(perSecond / 10));
		this.tokens = this.burst;
	}

	/** Resolves when the caller may send one request; callers are served in arrival order. */
	acquire(): Promise<void> {
		const turn = this.queue.then(() => this.waitForToken());
		this.queue = turn;
		return turn;
	}

	private async waitForToken(): Promise<void> {
		for (;;) {
			const now = performance.now();
			this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
			this.last = now;
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, ((1 - this.tokens) / this.perSecond) * 1000));
		}
	}
}
