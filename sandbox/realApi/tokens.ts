/** The token sets of the real authentication routes (spec §1c) and the sandbox's record of them. */
import { randomBytes, randomUUID } from 'node:crypto';

import { signJwt } from './jwt';
import type { Tenant } from './tenant';

export type TokenKind = 'access' | 'id' | 'refresh';

interface IssuedJwt {
	kind: TokenKind;
	expiresAtMs: number;
	/** Set by a test (expireAccessTokens) to age a token before its `exp`. */
	expired: boolean;
	accessKeyId: string;
}

/** The body both login routes and route B's refresh answer with (spec §1b, §10.1). */
export interface TokenSet {
	access_token: string;
	token_type: 'Bearer';
	expires_in: number;
	refresh_token: string;
	id_token: string;
	issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

export interface Issuers {
	/** The OIDC issuer: the id_token's and refresh token's `iss`. */
	oidc: string;
	/** The access token's `iss`, a different host in reality (§1c). */
	access: string;
}

export class TokenStore {
	private readonly secret = randomBytes(32);
	private readonly issued = new Map<string, IssuedJwt>();

	issue(tenant: Tenant, issuers: Issuers, audience: string): TokenSet {
		const iat = Math.floor(Date.now() / 1000);
		const accessExp = iat + tenant.accessTokenLifetimeSeconds;
		const refreshExp = iat + tenant.refreshTokenLifetimeSeconds;
		const shared = {
			aud: audience,
			icBUId: tenant.businessUnitId,
			tenantId: tenant.tenantId,
			tenant: tenant.tenantName,
			icClusterId: tenant.clusterId,
			family_name: 'User',
			name: tenant.login,
		};
		const accessToken = signJwt(
			{
				role: { legacyId: 'Administrator', id: tenant.roleId, lastUpdateTime: iat * 1000, secondaryRoles: [] },
				sub: `user:${tenant.userId}`,
				iss: issuers.access,
				given_name: 'API',
				...shared,
				// A nonce keeps two tokens issued in the same second distinct, so expiring one never touches the other.
				jti: randomUUID(),
				iat,
				exp: accessExp,
			},
			this.secret,
		);
		// `area` is left out although one unit-test token had it: §1c says it is not a reliable claim, discover it.
		const idToken = signJwt(
			{
				sub: `user:${tenant.userId}`,
				icDomain: tenant.domain,
				iss: issuers.oidc,
				userId: tenant.userId,
				icAgentId: String(tenant.agentId),
				...shared,
				jti: randomUUID(),
				iat,
				exp: accessExp,
			},
			this.secret,
		);
		const refreshToken = signJwt(
			{ aud: audience, iss: issuers.oidc, id: tenant.userId, sessionId: randomUUID(), iat, exp: refreshExp },
			this.secret,
		);
		const record = (kind: TokenKind, exp: number) => ({
			kind,
			expiresAtMs: exp * 1000,
			expired: false,
			accessKeyId: tenant.accessKeyId,
		});
		this.issued.set(accessToken, record('access', accessExp));
		this.issued.set(idToken, record('id', accessExp));
		this.issued.set(refreshToken, record('refresh', refreshExp));
		return {
			access_token: accessToken,
			token_type: 'Bearer',
			expires_in: tenant.accessTokenLifetimeSeconds,
			refresh_token: refreshToken,
			id_token: idToken,
			issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
		};
	}

	check(token: string, kind: TokenKind): TokenCheck {
		const issued = this.issued.get(token);
		if (!issued || issued.kind !== kind) return 'unknown';
		return issued.expired || issued.expiresAtMs <= Date.now() ? 'expired' : 'valid';
	}

	/** The access key a token was issued for; undefined for a token the sandbox did not issue. */
	keyOf(token: string): string | undefined {
		return this.issued.get(token)?.accessKeyId;
	}

	/** Ages every access token and id_token issued so far; refresh tokens stay usable so refresh can be tested. */
	expireAccessTokens(): void {
		for (const issued of this.issued.values()) if (issued.kind !== 'refresh') issued.expired = true;
	}

	all(kind?: TokenKind): string[] {
		return [...this.issued].filter(([, issued]) => kind === undefined || issued.kind === kind).map(([token]) => token);
	}
}
