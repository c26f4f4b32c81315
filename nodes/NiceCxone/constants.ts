/** Defaults and limits of the CXone API contract (shared/spec/cxone-api.md), named once. */

export const DEFAULT_AUTH_HOST = 'https://platform.nicecxone.com';
export const DEFAULT_API_HOST = 'https://api.cxone.nice.com';
export const DEFAULT_SCOPES = 'interactions:write webhooks:write';

export const TOKEN_PATH = '/oauth/token';
export const ATTRIBUTES_PATH = (encodedInteractionId: string) =>
	`/api/v2/interactions/${encodedInteractionId}/attributes`;
export const WEBHOOKS_PATH = '/api/v2/webhooks';

/** A token is treated as expired this long before `expires_in` runs out (contract §1). */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

export const MAX_ATTRIBUTES = 50;
export const MAX_KEY_LENGTH = 255;
export const MAX_STRING_VALUE_LENGTH = 2000;
export const RESERVED_KEY_PREFIXES = ['_', 'system:'] as const;
export const ATTRIBUTE_MODES = ['ADD', 'UPDATE', 'DELETE'] as const;
export const DEFAULT_MODE = 'UPDATE';

export const ATTRIBUTES_UPDATED_EVENT = 'interaction.attributes.updated';
export const WEBHOOK_EVENTS = [ATTRIBUTES_UPDATED_EVENT] as const;
export const WEBHOOK_SECRET_HEADER = 'x-webhook-secret';

/** The tutorial's retry policy: 3 attempts, exponential waits between 2 s and 10 s. */
export const MAX_ATTEMPTS = 3;
export const RETRY_MIN_DELAY_MS = 2_000;
export const RETRY_MAX_DELAY_MS = 10_000;
/** A server's Retry-After is honoured up to this long; beyond it the wait is capped. */
export const RETRY_AFTER_CAP_MS = 30_000;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const TOKEN_TIMEOUT_MS = 10_000;
/** CXone's documented tenant limit (contract §5). */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 200;
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;

export const AUDIT_SERVICE = 'cxone.attribute.updater';
