import { describe, expect, it } from 'vitest';

import { loadBuilt } from './built';

const { generateWebhookSecret, isValidWebhookSecret } = loadBuilt<
	typeof import('../../nodes/NiceCxone/helpers/webhookSecret')
>('nodes/NiceCxone/helpers/webhookSecret.js');

describe('generateWebhookSecret', () => {
	it('makes 32 random bytes as 43 base64url characters', () => {
		const secret = generateWebhookSecret();
		expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
	});

	it('never repeats itself', () => {
		const secrets = new Set(Array.from({ length: 1000 }, () => generateWebhookSecret()));
		expect(secrets.size).toBe(1000);
	});
});

describe('isValidWebhookSecret', () => {
	const secret = generateWebhookSecret();

	it('accepts exactly the expected secret', () => {
		expect(isValidWebhookSecret(secret, secret)).toBe(true);
		expect(isValidWebhookSecret(`${secret}`, secret.slice())).toBe(true);
	});

	it.each([
		['another secret', generateWebhookSecret()],
		['other letter case', secret.toUpperCase()],
		['a truncated secret', secret.slice(0, -1)],
		['a prefix of it', secret.slice(0, 8)],
		['the secret with a suffix', `${secret}x`],
		['surrounding whitespace', ` ${secret} `],
		['an empty string', ''],
		['a missing header', undefined],
		['a repeated header (array)', [secret, secret]],
		['a number', 42],
	])('refuses %s', (_label, received) => {
		expect(isValidWebhookSecret(received, secret)).toBe(false);
	});

	it('refuses everything when no secret is expected', () => {
		expect(isValidWebhookSecret('', '')).toBe(false);
		expect(isValidWebhookSecret('anything', '')).toBe(false);
	});

	it('compares non-ASCII secrets by their bytes', () => {
		expect(isValidWebhookSecret('geheimnis-ä', 'geheimnis-ä')).toBe(true);
		expect(isValidWebhookSecret('geheimnis-a', 'geheimnis-ä')).toBe(false);
	});
});
