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
/** The same header as registered with CXone and shown to users; Node lowercases incoming names. */
export const WEBHOOK_SECRET_HEADER_NAME = 'X-Webhook-Secret';
/** Random bytes in a generated webhook secret (contract §4). */
export const WEBHOOK_SECRET_BYTES = 32;
/** Shortest secret a user may choose for a manually configured trigger. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
/** Largest callback body the trigger accepts; a CXone event with 50 attributes is far smaller. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;
/** Event ids remembered per webhook to drop CXone's redeliveries (it retries up to 3 times). */
export const RECENT_EVENT_IDS_PER_WEBHOOK = 1000;
/** Webhooks whose recent event ids are remembered at once; the least recently used is forgotten first. */
export const RECENT_EVENT_WEBHOOKS = 100;

/** The tutorial's retry policy: 3 attempts, exponential waits between 2 s and 10 s. */
export const MAX_ATTEMPTS = 3;
export const RETRY_MIN_DELAY_MS = 2_000;
export const RETRY_MAX_DELAY_MS = 10_000;
/** A server's Retry-After is honoured up to this long; beyond it the wait is capped. */
export const RETRY_AFTER_CAP_MS = 30_000;

export const DEFAULT_TIMEOUT_MS = 30_000;
/** TCP keep-alive delay of pooled sockets: the one axios sets on each request socket. */
export const KEEP_ALIVE_DELAY_MS = 60_000;
export const TOKEN_TIMEOUT_MS = 10_000;
/** CXone's documented tenant limit (contract §5). */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 200;
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;

export const AUDIT_SERVICE = 'cxone.attribute.updater';
