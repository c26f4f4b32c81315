/** The one tenant, API user and access key the sandbox's real APIs know, seeded from options or at random. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

import type { RealApiOptions } from './types';

/**
 * A reserved top-level domain (RFC 2606) that never resolves: a client that builds hosts from `area` and `domain`
 * (`api-de-{area}.{domain}`) instead of using the sandbox's bases fails at once, and never reaches a real NICE host.
 */
export const DEFAULT_DOMAIN = 'cxone-sandbox.invalid';
export const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
export const DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS = 7200;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with '=' padding. */
export function base32(bytes: Buffer): string {
	let out = '';
	let bits = 0;
	let value = 0;
	for (const byte of bytes) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/** 28 bytes give 45 base32 characters and '===': about 50 characters with trailing '=', like real keys (§1). */
const randomKey = () => base32(randomBytes(28));

export interface Tenant {
	accessKeyId: string;
	accessKeySecret: string;
	tenantId: string;
	tenantName: string;
	area: string;
	domain: string;
	clusterId: string;
	businessUnitId: number;
	/** The API user the access key belongs to. */
	userId: string;
	agentId: number;
	login: string;
	roleId: string;
	accessTokenLifetimeSeconds: number;
	refreshTokenLifetimeSeconds: number;
}

function lifetime(name: string, value: number | undefined, fallback: number): number {
	const seconds = value ?? fallback;
	// Token claims carry whole seconds (`exp`, `iat`), so a fraction would promise a lifetime the token does not have.
	if (!Number.isInteger(seconds) || seconds < 1) {
		throw new RangeError(`${name} must be a whole number of seconds of at least 1, not ${JSON.stringify(value)}`);
	}
	return seconds;
}

export function seedTenant(options: RealApiOptions): Tenant {
	const businessUnitId = options.businessUnitId ?? randomBytes(4).readInt32BE(0);
	if (!Number.isInteger(businessUnitId)) {
		throw new RangeError(`businessUnitId must be a whole number, not ${JSON.stringify(options.businessUnitId)}`);
	}
	return {
		accessKeyId: options.accessKeyId ?? randomKey(),
		accessKeySecret: options.accessKeySecret ?? randomKey(),
		tenantId: options.tenantId ?? randomUUID(),
		tenantName: options.tenantName ?? 'Sandbox Tenant',
		area: options.area ?? 'na1',
		domain: options.domain ?? DEFAULT_DOMAIN,
		clusterId: options.clusterId ?? 'B32',
		businessUnitId,
		userId: randomUUID(),
		agentId: randomInt(1_000_000, 100_000_000),
		login: 'api.user@sandbox.example',
		roleId: randomUUID(),
		accessTokenLifetimeSeconds: lifetime(
			'accessTokenLifetimeSeconds',
			options.accessTokenLifetimeSeconds,
			DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS,
		),
		refreshTokenLifetimeSeconds: lifetime(
			'refreshTokenLifetimeSeconds',
			options.refreshTokenLifetimeSeconds,
			DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS,
		),
	};
}
