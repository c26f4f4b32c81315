/**
 * The Digital (DFO) API listener: a base of its own (spec §2a, §10.3), so that a client which builds Digital URLs
 * from api_endpoint, or ACD URLs from the Digital base, is answered 404. Serves the custom-field routes of §4 under
 * /dfo/3.0/; every error uses DFO's shape {errors:[{field?, message}]}. The tenant limit does not apply here, the
 * per-case "Update specific contact" quota does.
 */
import type http from 'node:http';

import { bearerRefusal, PERMISSIONS_REQUIRED } from './acd';
import { dfoError, json, parseJsonBody } from './answers';
import {
	applyValues,
	CASE_FIELD_DEFINITIONS,
	checkFieldValues,
	CUSTOMER_FIELD_DEFINITIONS,
	type DigitalStore,
	removalProblem,
} from './digitalData';
import type { TokenStore } from './tokens';
import type { Answer, DigitalRouteName, PermissionArea, RealApiStats } from './types';

export const DFO_PREFIX = '/dfo/3.0/';

export interface DigitalContext {
	tokens: TokenStore;
	stats: RealApiStats;
	store: DigitalStore;
	permits(area: PermissionArea): boolean;
}

interface DigitalCall {
	ctx: DigitalContext;
	ids: string[];
	raw: string;
}

/** [U] §4 leaves 200 vs 204 open for a custom-fields PUT; 200 with the record's fields is chosen (clients accept 2xx). */
const SET_FIELDS_STATUS = 200;

interface Holder {
	what: string;
	rules: typeof CASE_FIELD_DEFINITIONS | typeof CUSTOMER_FIELD_DEFINITIONS;
	record(
		store: DigitalStore,
		id: string,
	): { customFields: Map<string, { value: string; updatedAt: string }>; updatedAt: string } | undefined;
}

const CASE: Holder = { what: 'case', rules: CASE_FIELD_DEFINITIONS, record: (store, id) => store.cases.get(id) };
const CUSTOMER: Holder = {
	what: 'customer',
	rules: CUSTOMER_FIELD_DEFINITIONS,
	record: (store, id) => store.customers.get(id),
};

function view(holder: Holder, read: (store: DigitalStore, id: string) => unknown) {
	return ({ ctx, ids: [id] }: DigitalCall): Answer => {
		const record = read(ctx.store, id);
		return record ? json(200, record) : dfoError(404, `No Digital ${holder.what} ${id}`);
	};
}

function setFields(holder: Holder) {
	return ({ ctx, ids: [id], raw }: DigitalCall): Answer => {
		const record = holder.record(ctx.store, id);
		if (!record) return dfoError(404, `No Digital ${holder.what} ${id}`);
		const parsed = parseJsonBody(raw);
		if ('problem' in parsed) return dfoError(400, parsed.problem, 'body');
		// Atomic: one bad item refuses the whole body, so a partial update never happens.
		const checked = checkFieldValues(holder.rules, parsed.value);
		if ('errors' in checked) return json(400, { errors: checked.errors });
		applyValues(record.customFields, checked.values);
		record.updatedAt = new Date().toISOString();
		const customFields = [...record.customFields].map(([ident, field]) => ({ ident, ...field }));
		return json(SET_FIELDS_STATUS, customFields);
	};
}

function removeField(holder: Holder) {
	return ({ ctx, ids: [id, ident] }: DigitalCall): Answer => {
		const record = holder.record(ctx.store, id);
		if (!record) return dfoError(404, `No Digital ${holder.what} ${id}`);
		const problem = removalProblem(holder.rules, ident);
		if (problem) return dfoError(400, problem, ident);
		record.customFields.delete(ident);
		record.updatedAt = new Date().toISOString();
		return { status: 204 };
	};
}

interface DigitalRoute {
	route: Exclude<DigitalRouteName, 'unknown'>;
	method: string;
	pattern: RegExp;
	/** Whether the call counts against the case's "Update specific contact" quota (§4). */
	caseUpdate?: boolean;
	handle(call: DigitalCall): Answer;
}

const DIGITAL_ROUTES: DigitalRoute[] = [
	{
		route: 'caseFieldDefinitions',
		method: 'GET',
		pattern: /^contacts\/custom-field-definitions$/,
		handle: () => json(200, CASE_FIELD_DEFINITIONS),
	},
	{
		route: 'customerFieldDefinitions',
		method: 'GET',
		pattern: /^customers\/custom-field-definitions$/,
		handle: () => json(200, CUSTOMER_FIELD_DEFINITIONS),
	},
	{
		route: 'getCase',
		method: 'GET',
		pattern: /^contacts\/([^/]+)$/,
		handle: view(CASE, (store, id) => store.caseView(id)),
	},
	{
		route: 'setCaseFields',
		method: 'PUT',
		pattern: /^contacts\/([^/]+)\/custom-fields$/,
		caseUpdate: true,
		handle: setFields(CASE),
	},
	{
		route: 'removeCaseField',
		method: 'DELETE',
		pattern: /^contacts\/([^/]+)\/custom-fields\/([^/]+)$/,
		caseUpdate: true,
		handle: removeField(CASE),
	},
	{
		route: 'getCustomer',
		method: 'GET',
		pattern: /^customers\/([^/]+)$/,
		handle: view(CUSTOMER, (store, id) => store.customerView(id)),
	},
	{
		route: 'setCustomerFields',
		method: 'PUT',
		pattern: /^customers\/([^/]+)\/custom-fields$/,
		handle: setFields(CUSTOMER),
	},
	{
		route: 'removeCustomerField',
		method: 'DELETE',
		pattern: /^customers\/([^/]+)\/custom-fields\/([^/]+)$/,
		handle: removeField(CUSTOMER),
	},
];

export function digitalCall(
	ctx: DigitalContext,
	method: string,
	path: string,
	req: http.IncomingMessage,
	raw: string,
): Answer {
	ctx.stats.digitalCalls++;
	const rest = path.startsWith(DFO_PREFIX) ? path.slice(DFO_PREFIX.length) : undefined;
	const matching = rest === undefined ? [] : DIGITAL_ROUTES.filter((candidate) => candidate.pattern.test(rest));
	const known = matching.find((candidate) => candidate.method === method);
	ctx.stats.digitalRoutes[(known ?? matching[0])?.route ?? 'unknown']++;
	if (rest === undefined) {
		return dfoError(404, `No Digital API route ${method} ${path}; DFO paths start with ${DFO_PREFIX}`);
	}
	// The same CXone bearer token is used for DFO (§4).
	const refusal = bearerRefusal(ctx.tokens, req);
	if (refusal) return dfoError(401, refusal);
	if (matching.length === 0) return dfoError(404, `No Digital API route ${method} ${path}`);
	if (!known) return dfoError(405, `${method} is not allowed on ${path}`);
	if (!ctx.permits('digital')) {
		ctx.stats.permissionRefusals++;
		return dfoError(403, PERMISSIONS_REQUIRED);
	}
	const ids = (known.pattern.exec(rest) ?? []).slice(1).map((id) => decodeURIComponent(id));
	// DFO's throttling answers 429 without Retry-After (§4 gives the quota, no header).
	if (known.caseUpdate && !ctx.store.quota.take(ids[0])) {
		ctx.stats.digitalThrottled++;
		return dfoError(429, `Too many updates of case ${ids[0]}: the "Update specific contact" quota is used up`);
	}
	return known.handle({ ctx, ids, raw });
}
