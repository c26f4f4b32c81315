/** Defaults and limits of the CXone API contract (docs/cxone-api.md), named once. */

export const DEFAULT_AUTH_HOST = 'https://platform.nicecxone.com';
export const DEFAULT_API_HOST = 'https://api.cxone.nice.com';
export const DEFAULT_SCOPES = 'interactions:write webhooks:write';

export const TOKEN_PATH = '/oauth/token';
export const ATTRIBUTES_PATH = (encodedInteractionId: string) =>
	`/api/v2/interactions/${encodedInteractionId}/attributes`;
export const WEBHOOKS_PATH = '/api/v2/webhooks';

/**
 * A token is treated as expired this long before `expires_in` runs out (contract §1), but never
 * more than this fraction of its lifetime, so a short-lived token is still reused.
 */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
export const TOKEN_REFRESH_MAX_LIFETIME_FRACTION = 0.5;

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
/** Longest eventId the trigger accepts, so its memory of recent ids is bounded in bytes as well as in count. */
export const MAX_EVENT_ID_LENGTH = 200;

/** The tutorial's retry policy: 3 attempts, exponential waits between 2 s and 10 s. */
export const MAX_ATTEMPTS = 3;
export const RETRY_MIN_DELAY_MS = 2_000;
export const RETRY_MAX_DELAY_MS = 10_000;
/** Each backoff wait is stretched by up to this fraction at random, so clients refused together do not retry together. */
export const RETRY_JITTER = 0.25;
/** A server's Retry-After is honoured up to this long; beyond it the wait is capped. */
export const RETRY_AFTER_CAP_MS = 30_000;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const TOKEN_TIMEOUT_MS = 10_000;
/** CXone's documented tenant limit (contract §5). */
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 200;
/**
 * The adaptive tenant limiter (additive increase, multiplicative decrease). On a 429 the rate drops to at
 * most DECREASE times itself, and to at most SHARE_MARGIN times the calls the tenant accepted from this
 * process in the last second, which is this process's share when others use the tenant too. While calls
 * succeed it climbs back by INCREASE_PER_SECOND of the maximum each second.
 */
export const LIMITER_DECREASE = 0.9;
export const LIMITER_SHARE_MARGIN = 0.97;
export const LIMITER_INCREASE_PER_SECOND = 0.02;
/** The adaptive limiter never goes below this rate, so a run always makes progress. */
export const LIMITER_MIN_RATE = 1;
/** How far a late call may catch up on the limiter's schedule (timers fire late). */
export const LIMITER_CATCH_UP_MS = 10;
/**
 * The limiter spaces calls as if each second were this much longer, so that calls it let through in
 * one second still arrive within one second at the tenant despite the catch-up and network jitter:
 * about 3 % of the rate, which keeps a tenant that counts per sliding second from refusing any.
 */
export const LIMITER_WINDOW_MARGIN_MS = 25;
/**
 * A strict tenant refuses every call until its window has room again, so the 429s of the next second say
 * nothing new: the rate drops at most once in this long.
 */
export const LIMITER_DECREASE_COOLDOWN_MS = 1_000;
/** A lower Max Requests per Second set by another execution holds for the tenant this long after its last call. */
export const LIMITER_CEILING_HOLD_MS = 2_000;
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 100;

export const AUDIT_SERVICE = 'cxone.attribute.updater';

/** Real tenants (spec cxone-real-api.md): the issuers a tenant's environment logs in at (§2b). */
export const CXONE_ENVIRONMENTS = {
	global: 'https://cxone.niceincontact.com',
	fedRamp: 'https://cxone-gov.niceincontact.com',
	auSovereign: 'https://nicecxone-sov1.au',
	euSovereign: 'https://nicecxone-sov1.eu',
} as const;
/** Route A (§1a): UserHub's access-key login, no app registration needed. */
export const USERHUB_LOGIN_PATH = '/authentication/v1/token/access-key';
/** Route B (§1b): where the password grant's token endpoint is published. */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
/** Discovery (§2a): the tenant's area, domain and API endpoint, asked with the tenantId of the token. */
export const CXONE_CONFIGURATION_PATH = '/.well-known/cxone-configuration';
/** The ACD REST API under the discovered API base; [U] v30.0, the version the spec's other ACD calls use (§11). */
export const ACD_SERVICES_PATH = '/inContactAPI/services/v30.0';
export const SERVER_TIME_PATH = `${ACD_SERVICES_PATH}/server-time`;
/** NICE's SDK builds the Digital (DFO) base from discovery: api-de-{area}.{domain}, FedRAMP's na2 apart (§2a). */
export const DIGITAL_BASE = (area: string, domain: string) => `https://api-de-${area}.${domain}`;
export const FEDRAMP_AREA = 'na2';
export const FEDRAMP_DIGITAL_BASE = 'https://api-de-na2.nicecxone-gov.com';

/** Signal (§3): p1…p9 in the query of the ACD Admin API's signal call, no body. */
export const MAX_SIGNAL_PARAMETERS = 9;
export const SIGNAL_PATH = (encodedContactId: string) => `${ACD_SERVICES_PATH}/interactions/${encodedContactId}/signal`;
/** Tags (§5.2): NICE's agent SDK calls v23.0 for this resource. */
export const CONTACT_TAGS_PATH = (encodedContactId: string) =>
	`/inContactAPI/services/v23.0/contacts/${encodedContactId}/tags`;
/** Business Data (§6): on the API base, not under inContactAPI; [U] whether real tenants serve it on api_endpoint. */
export const BUSINESS_DATA_PATH = (encodedContactId: string, encodedSegmentId?: string) =>
	`/business-data-manager/v1/business-data/contact/${encodedContactId}${
		encodedSegmentId ? `/segment/${encodedSegmentId}` : ''
	}`;
/** Digital (§4): DFO 3.0 on the Digital base; a Digital case is a "contact" in DFO's paths. */
export const DFO_PATH = '/dfo/3.0';
/** [U] The ACD Admin API's tag list, for the Add Tags picker. */
export const TAGS_LIST_PATH = `${ACD_SERVICES_PATH}/tags`;

/**
 * CXone Studio calls (spec §9). Studio sends the user's own JSON, or a form body, which is the default content
 * type of GetRESTProxy() (§9b); its REST API action keeps answers under 32 KB (§9a), so calls are small too.
 */
export const STUDIO_MAX_BODY_BYTES = 64 * 1024;
/** The body field that names an event once, unless the user names another one. */
export const DEFAULT_STUDIO_EVENT_ID_FIELD = 'eventId';
/**
 * A body without an event ID counts as a retry when the same bytes come again within this window: the REST API
 * action retries a failed call twice on its own, each after a timeout of at most 90 s (§9a).
 */
export const STUDIO_BODY_DEDUPE_WINDOW_MS = 2 * 90_000 + 20_000;
/**
 * The trigger remembers this many recent events in the workflow's static data, which n8n loads and saves with
 * every call, so the memory survives a restart; it is also bounded in bytes, since event IDs are the user's own.
 */
export const STUDIO_SEEN_EVENTS_MAX = 1000;
export const STUDIO_SEEN_EVENTS_MAX_BYTES = 64 * 1024;

/** Contacts trigger (spec §7): the Real-Time and Reporting polling endpoints under ACD_SERVICES_PATH. */
export const CONTACTS_ACTIVE_PATH = `${ACD_SERVICES_PATH}/contacts/active`;
export const CONTACTS_STATES_PATH = `${ACD_SERVICES_PATH}/contacts/states`;
export const CONTACTS_COMPLETED_PATH = `${ACD_SERVICES_PATH}/contacts/completed`;
/** [U] Rows asked per page: spec §8's admin-list maximum; Real-Time's own default is not published. */
export const CONTACTS_PAGE_SIZE = 100;
/** Pages read per endpoint and poll at most, so one poll always ends; the rest come with the next poll. */
export const CONTACTS_MAX_PAGES = 50;
/**
 * [U] Reporting's contacts/completed needs a window on the contact's start (spec §7): this far back from the last
 * poll, the 30 days the live-tested tap clamps to (§7.3), so a long contact that ends now is still found.
 */
export const COMPLETED_START_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** The window's end is this far past n8n's clock, so a tenant clock ahead of n8n's loses no contact. */
export const COMPLETED_END_MARGIN_MS = 60 * 60 * 1000;
/**
 * Events reported lately, kept in static data: updatedSince is inclusive ([U] spec §7.5), so a row can come back
 * in the next poll; bounded in count and bytes.
 */
export const CONTACT_EVENTS_SEEN_MAX = 2000;
export const CONTACT_EVENTS_SEEN_MAX_BYTES = 160 * 1024;
/** Fetch Test Event shows the latest event of this long ago or later. */
export const CONTACT_SAMPLE_LOOKBACK_MS = 24 * 60 * 60 * 1000;
