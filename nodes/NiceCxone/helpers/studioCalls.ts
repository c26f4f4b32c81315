import type { IDataObject } from 'n8n-workflow';

import { MAX_EVENT_ID_LENGTH, STUDIO_BODY_DEDUPE_WINDOW_MS } from '../constants';
import { payloadHash } from './audit';

/** Why a call to the trigger is refused: the HTTP status, a code, and what the caller should fix. */
export interface CallRefusal {
	status: number;
	error: string;
	description: string;
}

const refusal = (status: number, error: string, description: string): { refused: CallRefusal } => ({
	refused: { status, error, description },
});

const isPlainObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJsonObject(text: string): { fields: IDataObject } | { refused: CallRefusal } {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return refusal(400, 'invalid_json', 'The body is not valid JSON');
	}
	if (!isPlainObject(parsed)) {
		return refusal(400, 'invalid_payload', 'The body must be a JSON object, not a list or a value');
	}
	return { fields: parsed };
}

/** A form body's fields; a name sent more than once becomes a list of its values. */
function parseForm(text: string): IDataObject {
	const fields: IDataObject = {};
	for (const [name, value] of new URLSearchParams(text)) {
		const earlier = fields[name];
		if (earlier === undefined) fields[name] = value;
		else fields[name] = Array.isArray(earlier) ? [...(earlier as string[]), value] : [earlier as string, value];
	}
	return fields;
}

/**
 * The fields of a Studio call's body: a JSON object, or a form body. A body sent with GetRESTProxy()'s default
 * content type, form, is often the JSON text `evt.asjson()` made (spec §9b), so a form body that is a JSON
 * object is read as JSON.
 */
export function parseStudioBody(
	raw: Buffer,
	contentTypeHeader: unknown,
): { fields: IDataObject } | { refused: CallRefusal } {
	const contentType = String(contentTypeHeader ?? '').split(';')[0].trim().toLowerCase();
	const text = raw.toString('utf8').replace(/^\uFEFF/, '');
	if (contentType === 'application/json') return parseJsonObject(text);
	if (contentType === 'application/x-www-form-urlencoded') {
		if (text.trimStart().startsWith('{')) return parseJsonObject(text);
		const fields = parseForm(text);
		if (Object.keys(fields).length === 0) return refusal(400, 'invalid_payload', 'The form body has no fields');
		return { fields };
	}
	return refusal(
		415,
		'unsupported_media_type',
		'Content-Type must be application/json or application/x-www-form-urlencoded',
	);
}

/** What identifies one Studio event: its ID field, else the body's bytes for a short while. */
export interface StudioEventKey {
	key: string;
	/** When a retry of it can no longer be told from a new call (ms), null for never. */
	expiresAt: number | null;
}

/**
 * The dedupe key of a call: the value of `idField` when the body has one, else the hash of the exact bytes,
 * which count as one event only within STUDIO_BODY_DEDUPE_WINDOW_MS (the same data may legitimately come again later).
 */
export function studioEventKey(
	fields: IDataObject,
	idField: string,
	raw: Buffer,
	now: number,
): StudioEventKey | { refused: CallRefusal } {
	const id = fields[idField];
	if (id === undefined || id === null || id === '') {
		return { key: `body:${payloadHash(raw)}`, expiresAt: now + STUDIO_BODY_DEDUPE_WINDOW_MS };
	}
	if (typeof id !== 'string' && typeof id !== 'number') {
		return refusal(400, 'invalid_payload', `Field ${idField} must be a string or a number, the event's unique ID`);
	}
	const text = String(id);
	if (text.length > MAX_EVENT_ID_LENGTH) {
		return refusal(400, 'invalid_payload', `Field ${idField} must be at most ${MAX_EVENT_ID_LENGTH} characters`);
	}
	return { key: `id:${text}`, expiresAt: null };
}
