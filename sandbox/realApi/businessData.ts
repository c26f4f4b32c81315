/**
 * The Business Data API for closed contacts (spec §6): PUT {api_endpoint}/business-data-manager/v1/business-data/
 * contact/{acdContactId}[/segment/{segmentId}] with an array of single-key objects, 204 on success.
 */
import type http from 'node:http';

import { bearerRefusal, PERMISSIONS_REQUIRED, tenantLimitRefusal } from './acd';
import { businessDataError, isRecord, parseJsonBody } from './answers';
import type { BusinessDataValue, ContactStore } from './contacts';
import type { TokenStore } from './tokens';
import type { Answer, LimitVerdict, PermissionArea, RealApiStats } from './types';

export const BUSINESS_DATA_PREFIX = '/business-data-manager/';
const BUSINESS_DATA_PATH = /^\/business-data-manager\/v1\/business-data\/contact\/([^/]+)(?:\/segment\/([^/]+))?$/;

export const isBusinessDataPath = (path: string) => path.startsWith(BUSINESS_DATA_PREFIX);

export interface BusinessDataContext {
	tokens: TokenStore;
	stats: RealApiStats;
	contacts: ContactStore;
	admitApiCall(): LimitVerdict;
	permits(area: PermissionArea): boolean;
}

type Update = Array<[string, BusinessDataValue]>;

function updateOf(raw: string): { update: Update } | { problem: string } {
	const parsed = parseJsonBody(raw);
	if ('problem' in parsed) return parsed;
	const shape = 'Expected a JSON array of single-key objects such as [{"field_name":"value"}]';
	if (!Array.isArray(parsed.value) || parsed.value.length === 0) return { problem: shape };
	const update: Update = [];
	for (const item of parsed.value) {
		const entries = isRecord(item) ? Object.entries(item) : [];
		if (entries.length !== 1) return { problem: shape };
		const [name, value] = entries[0];
		if (!['string', 'number', 'boolean'].includes(typeof value)) {
			return { problem: `Business data field ${name} must have a string, number or boolean value` };
		}
		update.push([name, value as BusinessDataValue]);
	}
	return { update };
}

/**
 * Served in the API's own JSON error format (`businessDataError`). [U] The ACD's HTML Accept rule (§8) is not applied:
 * it is observed only on the ACD REST API, and this service answers 204 with no body to render anyway.
 */
export class BusinessDataApi {
	private lastAdmittedAtMs: number | undefined;

	/** `minIntervalMs`: §6's staging-only "one call per 30 s per tenant"; 0 turns it off. */
	constructor(private readonly minIntervalMs: number) {}

	call(ctx: BusinessDataContext, method: string, path: string, req: http.IncomingMessage, raw: string): Answer {
		ctx.stats.businessDataCalls++;
		const refusal = bearerRefusal(ctx.tokens, req);
		if (refusal) return businessDataError(401, refusal, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
		const limited = tenantLimitRefusal(ctx.admitApiCall, businessDataError);
		if (limited) return limited;
		const match = BUSINESS_DATA_PATH.exec(path);
		if (!match) return businessDataError(404, `No Business Data API route ${method} ${path}`);
		if (method !== 'PUT') return businessDataError(405, `${method} is not allowed on ${path}`, { Allow: 'PUT' });
		if (!ctx.permits('businessData')) {
			ctx.stats.permissionRefusals++;
			return businessDataError(403, PERMISSIONS_REQUIRED);
		}
		const now = performance.now();
		if (this.lastAdmittedAtMs !== undefined && now - this.lastAdmittedAtMs < this.minIntervalMs) {
			return businessDataError(429, `Only one Business Data call per ${this.minIntervalMs} ms is allowed per tenant`);
		}
		this.lastAdmittedAtMs = now;

		const body = updateOf(raw);
		if ('problem' in body) return businessDataError(400, body.problem);
		const [contactId, segmentId] = [decodeURIComponent(match[1]), match[2] && decodeURIComponent(match[2])];
		const contact = ctx.contacts.record(contactId);
		// [U] §6 is "for closed contacts"; a live contact is assumed not yet to exist for this service, so it is a 404.
		if (!contact || !contact.ended) return businessDataError(404, 'Requested contact was not found');
		for (const [name, value] of body.update) {
			const field = ctx.contacts.businessDataFields.find((known) => known.name === name);
			if (!field) {
				return businessDataError(400, `You cannot add new business data fields using this API: ${name} is not defined`);
			}
			// [U] The answer to a value of the wrong type is unpublished; a 400 naming the field is assumed.
			if (typeof value !== field.type) {
				return businessDataError(400, `Business data field ${name} takes a ${field.type}, not a ${typeof value}`);
			}
		}
		const target = segmentId ? (contact.segments[segmentId] ??= {}) : contact.businessData;
		for (const [name, value] of body.update) target[name] = value;
		return { status: 204 };
	}
}
