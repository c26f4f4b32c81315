import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { WEBHOOK_SECRET_BYTES } from '../constants';

/** A fresh webhook secret: 32 random bytes, base64url so it travels in a header unchanged. */
export function generateWebhookSecret(): string {
	return randomBytes(WEBHOOK_SECRET_BYTES).toString('base64url');
}

/**
 * Whether the header value a caller sent is the expected secret. CXone signs nothing (contract §4),
 * so this header is the only proof a call is genuine. Both sides are hashed to equal length first:
 * timingSafeEqual needs that, and neither the time taken nor an early exit then tells a caller how
 * long the secret is or how much of a guess was right. A repeated header arrives as an array and
 * is refused, as is an empty expected secret.
 */
export function isValidWebhookSecret(received: unknown, expected: string): boolean {
	if (typeof received !== 'string' || expected.length === 0) return false;
	const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
	return timingSafeEqual(digest(received), digest(expected));
}
