/**
 * JSON Web Tokens as the real CXone authentication services hand them out, signed HS256 with a per-sandbox secret.
 * Clients only decode them (spec §1c, §10.1); the sandbox itself trusts its own record of what it issued.
 */
import { createHmac } from 'node:crypto';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, secret: Buffer): string {
	const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
	return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** The payload of a JWT, without any check of its signature; undefined when it is not a JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	try {
		const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
			? (payload as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}
