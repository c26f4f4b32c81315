/**
 * The sandbox's own reading of the API contract (docs/cxone-api.md §2 and §3).
 * Deliberately written without the package's zod schemas, so that tests comparing the
 * package's validation with the server's compare two independent implementations.
 */

export const MAX_ATTRIBUTES = 50;
export const MAX_KEY_LENGTH = 255;
export const MAX_STRING_VALUE_LENGTH = 2000;
export const MODES = ['ADD', 'UPDATE', 'DELETE'] as const;
export const RESERVED_PREFIXES = ['_', 'system:'];
export const ATTRIBUTES_UPDATED = 'interaction.attributes.updated';

export type Mode = (typeof MODES)[number];
export type AttributeValue = string | number | boolean | null;

export interface Attribute {
	key: string;
	value: AttributeValue;
	mode: Mode;
}

export interface ErrorDetail {
	path: string;
	message: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks an attribute update body; returns the normalised attributes or the list of problems. */
export function checkAttributeUpdate(
	body: unknown,
): { ok: true; attributes: Attribute[] } | { ok: false; details: ErrorDetail[] } {
	const details: ErrorDetail[] = [];
	if (!isPlainObject(body)) {
		return { ok: false, details: [{ path: '', message: 'Body must be a JSON object' }] };
	}
	for (const field of Object.keys(body)) {
		if (field !== 'attributes') details.push({ path: field, message: 'Unknown field' });
	}
	const list = body.attributes;
	if (!Array.isArray(list)) {
		details.push({ path: 'attributes', message: 'Must be an array' });
		return { ok: false, details };
	}
	if (list.length < 1) details.push({ path: 'attributes', message: 'At least 1 attribute is required' });
	if (list.length > MAX_ATTRIBUTES) {
		details.push({ path: 'attributes', message: `At most ${MAX_ATTRIBUTES} attributes per request` });
	}
	const seen = new Set<string>();
	const attributes: Attribute[] = [];
	list.forEach((entry: unknown, index) => {
		const at = `attributes.${index}`;
		if (!isPlainObject(entry)) {
			details.push({ path: at, message: 'Must be an object' });
			return;
		}
		for (const field of Object.keys(entry)) {
			if (!['key', 'value', 'mode'].includes(field)) {
				details.push({ path: `${at}.${field}`, message: 'Unknown field' });
			}
		}
		const { key, value } = entry;
		const mode = entry.mode === undefined ? 'UPDATE' : entry.mode;
		if (typeof key !== 'string') {
			details.push({ path: `${at}.key`, message: 'Must be a string' });
		} else if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
			details.push({ path: `${at}.key`, message: `Must be 1-${MAX_KEY_LENGTH} characters` });
		} else if (RESERVED_PREFIXES.some((prefix) => key.startsWith(prefix))) {
			details.push({ path: `${at}.key`, message: 'Reserved key prefix' });
		} else if (seen.has(key)) {
			details.push({ path: `${at}.key`, message: 'Duplicate key in request' });
		} else {
			seen.add(key);
		}
		if (!('value' in entry)) {
			details.push({ path: `${at}.value`, message: 'Required' });
		} else if (typeof value === 'string') {
			if (value.length > MAX_STRING_VALUE_LENGTH) {
				details.push({ path: `${at}.value`, message: `At most ${MAX_STRING_VALUE_LENGTH} characters` });
			}
		} else if (typeof value === 'number') {
			if (!Number.isFinite(value)) details.push({ path: `${at}.value`, message: 'Must be finite' });
		} else if (typeof value !== 'boolean' && value !== null) {
			details.push({ path: `${at}.value`, message: 'Must be a string, number, boolean or null' });
		}
		if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
			details.push({ path: `${at}.mode`, message: `Must be one of ${MODES.join(', ')}` });
		}
		attributes.push({ key: key as string, value: value as AttributeValue, mode: mode as Mode });
	});
	return details.length > 0 ? { ok: false, details } : { ok: true, attributes };
}

export interface WebhookInput {
	name: string;
	uri: string;
	events: string[];
	enabled: boolean;
	headers: Record<string, string>;
}

/** Checks a webhook registration body (contract §3). */
export function checkWebhook(
	body: unknown,
): { ok: true; webhook: WebhookInput } | { ok: false; details: ErrorDetail[] } {
	if (!isPlainObject(body)) {
		return { ok: false, details: [{ path: '', message: 'Body must be a JSON object' }] };
	}
	const details: ErrorDetail[] = [];
	const { name, uri, events, enabled = true, headers = {} } = body;
	if (typeof name !== 'string' || name.length === 0) {
		details.push({ path: 'name', message: 'Must be a non-empty string' });
	}
	if (typeof uri !== 'string' || !isAbsoluteHttpUrl(uri)) {
		details.push({ path: 'uri', message: 'Must be an absolute http(s) URL' });
	}
	if (!Array.isArray(events) || events.length === 0) {
		details.push({ path: 'events', message: 'Must be a non-empty array' });
	} else {
		events.forEach((event, index) => {
			if (typeof event !== 'string' || event.length === 0) {
				details.push({ path: `events.${index}`, message: 'Must be a non-empty string' });
			}
		});
	}
	if (typeof enabled !== 'boolean') details.push({ path: 'enabled', message: 'Must be a boolean' });
	if (!isPlainObject(headers)) {
		details.push({ path: 'headers', message: 'Must be an object of strings' });
	} else {
		for (const [header, headerValue] of Object.entries(headers)) {
			if (typeof headerValue !== 'string') {
				details.push({ path: `headers.${header}`, message: 'Must be a string' });
			}
		}
	}
	if (details.length > 0) return { ok: false, details };
	return {
		ok: true,
		webhook: {
			name: name as string,
			uri: uri as string,
			events: events as string[],
			enabled: enabled as boolean,
			headers: headers as Record<string, string>,
		},
	};
}

function isAbsoluteHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}
