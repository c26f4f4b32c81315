/**
 * The ACD REST API (spec §3, §5.2, §7, §8, §10.4): everything under {api_endpoint}/inContactAPI/services/v{NN}.0/,
 * with its bearer check, the tenant limit, the Accept rule and `icStatusDescription` errors, in that order.
 */
import type http from 'node:http';

import { acceptsJson, acdError, isRecord, json, NOT_RENDERABLE, parseJsonBody } from './answers';
import type { ContactStore } from './contacts';
import { activeContacts, completedContacts, contactStates } from './polling';
import type { Tenant } from './tenant';
import type { TokenStore } from './tokens';
import type { AcdRouteName, Answer, LimitVerdict, PermissionArea, RealApiStats } from './types';

/** The path casing `inContactAPI` and `incontactapi` both work in reality (§2a), so the prefix is case-insensitive. */
const ACD_PATH = /^\/incontactapi\/services\/v\d+\.0(?:\/(.*))?$/i;

export const isAcdPath = (path: string) => ACD_PATH.test(path);

export interface AcdContext {
	tenant: Tenant;
	tokens: TokenStore;
	stats: RealApiStats;
	contacts: ContactStore;
	/** The sandbox's base URL, for the absolute `_links` of paged answers. */
	apiBase: string;
	admitApiCall(): LimitVerdict;
	/** Whether the API user holds the permissions of `area` (a test can deny them). */
	permits(area: PermissionArea): boolean;
}

/** One ACD request once its route is known: the path's captured ids, the query and the body text. */
export interface AcdCall {
	ctx: AcdContext;
	ids: string[];
	query: URLSearchParams;
	/** The request path as sent, for `_links`. */
	path: string;
	raw: string;
}

interface AcdRoute {
	route: Exclude<AcdRouteName, 'unknown'>;
	method: string;
	pattern: RegExp;
	area?: PermissionArea;
	handle(call: AcdCall): Answer | Promise<Answer>;
}

const ACD_ROUTES: AcdRoute[] = [
	// The published example's shape: {"ServerTime": "…"} (§11).
	{
		route: 'serverTime',
		method: 'GET',
		pattern: /^server-time$/i,
		handle: () => json(200, { ServerTime: new Date().toISOString() }),
	},
	{ route: 'businessUnit', method: 'GET', pattern: /^business-unit$/i, handle: businessUnit },
	{ route: 'signal', method: 'POST', pattern: /^interactions\/([^/]+)\/signal$/i, area: 'signal', handle: signal },
	{ route: 'contactsActive', method: 'GET', pattern: /^contacts\/active$/i, area: 'realTime', handle: activeContacts },
	{ route: 'contactsStates', method: 'GET', pattern: /^contacts\/states$/i, area: 'realTime', handle: contactStates },
	{
		route: 'contactsCompleted',
		method: 'GET',
		pattern: /^contacts\/completed$/i,
		area: 'reporting',
		handle: completedContacts,
	},
	{ route: 'tags', method: 'POST', pattern: /^contacts\/([^/]+)\/tags$/i, area: 'tags', handle: addTags },
	{ route: 'skillTags', method: 'GET', pattern: /^skills\/([^/]+)\/tags$/i, handle: skillTags },
	{ route: 'tagsList', method: 'GET', pattern: /^tags$/i, handle: tagsList },
];

export function bearerOf(req: http.IncomingMessage): string | undefined {
	return /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Why a request's bearer token is refused, or undefined when it is a live access token of this sandbox. */
export function bearerRefusal(tokens: TokenStore, req: http.IncomingMessage): string | undefined {
	const token = bearerOf(req);
	if (token === undefined) return 'Missing bearer token';
	const check = tokens.check(token, 'access');
	if (check === 'expired') return 'The access token expired';
	if (check === 'unknown') return 'Invalid access token';
	return undefined;
}

/** The tenant limit's refusal in the format `error` builds, or undefined when the call is admitted. */
export function tenantLimitRefusal(
	admit: () => LimitVerdict,
	error: (status: number, description: string, headers: Record<string, string>) => Answer,
): Answer | undefined {
	const verdict = admit();
	if (verdict.accepted) return undefined;
	// [U] CXone "sends no reliable Retry-After" (§8); the header is sent only when the sandbox's limit mode gives one.
	const retry: Record<string, string> =
		verdict.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(verdict.retryAfterSeconds) };
	return error(429, verdict.description, retry);
}

/** [U] The 403 text: §6 names "Permissions required" for Business Data; the ACD is assumed to say the same. */
export const PERMISSIONS_REQUIRED = 'Permissions required';

export async function acdCall(
	ctx: AcdContext,
	method: string,
	url: URL,
	req: http.IncomingMessage,
	raw: string,
): Promise<Answer> {
	const rest = ACD_PATH.exec(url.pathname)?.[1] ?? '';
	const matching = ACD_ROUTES.filter((candidate) => candidate.pattern.test(rest));
	const known = matching.find((candidate) => candidate.method === method);
	ctx.stats.acdCalls[(known ?? matching[0])?.route ?? 'unknown']++;

	// The gateway refuses a bad token before any service looks at the request, so 401 comes first.
	const refusal = bearerRefusal(ctx.tokens, req);
	if (refusal) return acdError(401, refusal, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
	const limited = tenantLimitRefusal(ctx.admitApiCall, acdError);
	if (limited) return limited;
	if (matching.length === 0) return acdError(404, `No ACD resource ${url.pathname}`);
	if (!known) {
		const allow = matching.map((candidate) => candidate.method).join(', ');
		return acdError(405, `${method} is not allowed on ${url.pathname}`, { Allow: allow });
	}
	if (!acceptsJson(req.headers.accept)) {
		ctx.stats.notRenderable++;
		return NOT_RENDERABLE;
	}
	if (known.area && !ctx.permits(known.area)) {
		ctx.stats.permissionRefusals++;
		return acdError(403, PERMISSIONS_REQUIRED);
	}
	const ids = (known.pattern.exec(rest) ?? []).slice(1).map((id) => decodeURIComponent(id));
	return known.handle({ ctx, ids, query: url.searchParams, path: url.pathname, raw });
}

function businessUnit({ ctx }: AcdCall): Answer {
	// [U] The spec gives no body for business-unit; a list holding this tenant's unit is assumed.
	return json(200, {
		businessUnits: [
			{ businessUnitId: ctx.tenant.businessUnitId, businessUnitName: ctx.tenant.tenantName, isActive: true },
		],
	});
}

const SIGNAL_PARAMETER = /^p[1-9]$/i;
const MAX_SIGNAL_PARAMETERS = 9;

/** p1…p9 from the query and an optional JSON body, the body's values winning ([U]: §3 says "merge", not which wins). */
function signalParameters(
	query: URLSearchParams,
	raw: string,
): { values: Record<string, string> } | { problem: string } {
	const entries = [...query];
	if (entries.length > MAX_SIGNAL_PARAMETERS) {
		return {
			problem: `A signal carries at most ${MAX_SIGNAL_PARAMETERS} parameters (p1 to p9), not ${entries.length}`,
		};
	}
	const values: Record<string, string> = {};
	const take = (name: string, value: string, where: string): string | undefined => {
		if (!SIGNAL_PARAMETER.test(name)) return `Unknown signal parameter ${name} in the ${where}; only p1 to p9 exist`;
		values[name.toLowerCase()] = value;
		return undefined;
	};
	for (const [name, value] of entries) {
		if (Object.hasOwn(values, name.toLowerCase())) return { problem: `Signal parameter ${name} is given twice` };
		const problem = take(name, value, 'query');
		if (problem) return { problem };
	}
	if (raw.trim() === '') return { values };
	const parsed = parseJsonBody(raw);
	if ('problem' in parsed) return parsed;
	if (!isRecord(parsed.value)) return { problem: 'A signal body must be a JSON object such as {"p2":"value"}' };
	for (const [name, value] of Object.entries(parsed.value)) {
		if (!['string', 'number', 'boolean'].includes(typeof value)) {
			return { problem: `Signal parameter ${name} in the body must be a string, number or boolean` };
		}
		const problem = take(name, String(value), 'body');
		if (problem) return { problem };
	}
	return { values };
}

/** POST interactions/{contactId}/signal (§3): 204 once the script has handled it; 404 for an unknown or ended contact. */
async function signal({ ctx, ids: [contactId], query, raw }: AcdCall): Promise<Answer> {
	const parameters = signalParameters(query, raw);
	if ('problem' in parameters) return acdError(400, parameters.problem);
	const contact = ctx.contacts.record(contactId);
	// [U] §3: the status for a finished contact is unknown; 404, as for an unknown one, is the clients' majority guess.
	if (!contact || contact.ended) return acdError(404, `Contact ${contactId} is not an active contact`);
	const { delivered } = await ctx.contacts.signal(contact, parameters.values);
	if (!delivered) ctx.stats.mergedSignals++;
	return { status: 204 };
}

function tagIdsOf(raw: string): { tagIds: unknown[] } | { problem: string } {
	const parsed = parseJsonBody(raw);
	if ('problem' in parsed) return parsed;
	const tags = isRecord(parsed.value) ? parsed.value.tags : undefined;
	if (!Array.isArray(tags) || tags.length === 0 || !tags.every((tag) => isRecord(tag) && 'tagId' in tag)) {
		return { problem: 'Expected a body {"tags":[{"tagId":123}]} with at least one tag' };
	}
	return { tagIds: tags.map((tag: Record<string, unknown>) => tag.tagId) };
}

/**
 * POST contacts/{contactId}/tags (§5.2): 200 `{resultSet:{errorCount, tagResults}}`, errorCount a string as NICE's SDK
 * reads it. [U] Each valid, active tag is applied and each other one reported, like the per-item results of CXone's
 * batch admin calls (§8); the per-tag shape `{tagId, success, error?}` follows the generated skill-tags answer [G].
 */
function addTags({ ctx, ids: [contactId], raw }: AcdCall): Answer {
	const body = tagIdsOf(raw);
	if ('problem' in body) return acdError(400, body.problem);
	const contact = ctx.contacts.record(contactId);
	if (!contact) return acdError(404, `No contact ${contactId}`);
	const tagResults = body.tagIds.map((tagId) => {
		const tag = ctx.contacts.tags.find((known) => known.tagId === tagId);
		if (!tag) return { tagId: String(tagId), success: 'false', error: `Tag ${String(tagId)} does not exist` };
		if (!tag.isActive) return { tagId: String(tagId), success: 'false', error: `Tag ${tag.tagId} is inactive` };
		if (!contact.tags.includes(tag.tagId)) contact.tags.push(tag.tagId);
		return { tagId: String(tagId), success: 'true' };
	});
	const errorCount = tagResults.filter((result) => result.success === 'false').length;
	if (errorCount < tagResults.length) contact.lastUpdateTime = new Date().toISOString();
	return json(200, { resultSet: { errorCount: String(errorCount), tagResults } });
}

/** GET skills/{skillId}/tags (§5.2; shape of the generated `AdminSkills_getSkillTagsResponse` [G]). */
function skillTags({ ctx, ids: [skillId], path }: AcdCall): Answer {
	const skill = ctx.contacts.skills.find((known) => String(known.skillId) === skillId);
	if (!skill) return acdError(404, `No skill ${skillId}`);
	const tags = ctx.contacts.tags.filter((tag) => skill.tagIds.includes(tag.tagId));
	return json(200, {
		totalRecords: tags.length,
		_links: { self: `${ctx.apiBase}${path}` },
		resultSet: { skillId: String(skill.skillId), skillName: skill.skillName, tags },
	});
}

/** GET tags: the tenant's tag list, active and inactive (shape of the generated `AdminGeneral_getTagsResponse` [G]). */
function tagsList({ ctx }: AcdCall): Answer {
	return json(200, { tags: ctx.contacts.tags });
}
