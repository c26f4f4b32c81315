import { TOKEN_REFRESH_MARGIN_MS, TOKEN_REFRESH_MAX_LIFETIME_FRACTION } from '../constants';

/** What a login leaves in the cache: its token and when to log in again. */
export interface CachedLogin {
	accessToken: string;
	/** performance.now() after which the login counts as expired. */
	refreshAt: number;
}

/**
 * When a login made at `startedAt` for `lifetimeMs` is due again: 60 s before it expires (contract §1),
 * but never more than half its life, so a short-lived token is still reused.
 */
export function refreshAtFor(startedAt: number, lifetimeMs: number): number {
	return startedAt + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs * TOKEN_REFRESH_MAX_LIFETIME_FRACTION);
}

/**
 * Logins shared by every item, execution and node of this n8n process, one per key: reused until due,
 * one login in flight for concurrent callers, a failed login never cached. Both credentials' caches
 * (client credentials and access keys) are this one mechanism.
 */
export class SharedLogins<T extends CachedLogin> {
	private readonly logins = new Map<string, T>();
	private readonly inFlight = new Map<string, Promise<T>>();

	/** The cached login for `key`, or the result of `login` when none is cached or it is due. */
	async get(key: string, login: () => Promise<T>): Promise<T> {
		const cached = this.logins.get(key);
		if (cached && performance.now() < cached.refreshAt) return cached;
		let pending = this.inFlight.get(key);
		if (!pending) {
			pending = login().then((fresh) => {
				this.logins.set(key, fresh);
				return fresh;
			});
			this.inFlight.set(key, pending);
			// A failed login is not cached: the next caller starts a fresh one.
			pending.then(
				() => this.inFlight.delete(key),
				() => this.inFlight.delete(key),
			);
		}
		return await pending;
	}

	/**
	 * Drops the login of `key` if it still holds `staleToken`, which CXone refused. Only that token is
	 * dropped, so a burst of concurrent 401s for it leads to one new login, not one each.
	 */
	invalidate(key: string, staleToken: string): void {
		if (this.logins.get(key)?.accessToken === staleToken) this.logins.delete(key);
	}

	clear(): void {
		this.logins.clear();
		this.inFlight.clear();
	}
}
