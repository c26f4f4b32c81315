import type { HttpHelpers } from './http';

/** Which of a tenant's hosts a call goes to: the API base (ACD, Business Data, tutorial API) or the Digital (DFO) base. */
export type ApiBase = 'api' | 'digital';

/** What a call needs from the login behind it. */
export interface Session {
	token: string;
	bases: Record<ApiBase, string>;
	/** The tenant whose rate limit every call through this session shares. */
	tenantKey: string;
}

/**
 * One way of calling CXone: the tutorial contract's client credentials or a real tenant's access key.
 * The transport's one request loop (cxoneRequest) works on either.
 */
export interface CxoneConnection {
	readonly allowUnauthorizedCerts: boolean;
	/** The shared login, logging in when there is none or it is due. Throws a CxoneError when the login fails. */
	session(http: HttpHelpers): Promise<Session>;
	/** Forgets the login that yielded `token` after CXone refused it. */
	invalidate(token: string): void;
	/** Values that must never appear in an error: the credential's secrets and the token. */
	secrets(token: string): string[];
	/** What to check when CXone refuses a call with `status`, when this way of logging in knows better. */
	hint?(status: number): string | undefined;
}
