/**
 * The real APIs' control routes under /_sandbox/ on the main port: seeded ids, contacts, Digital records,
 * permissions, faults, key revocation and app approval. Bodies are JSON objects the sandbox already parsed.
 */
import { contactFieldsProblem } from './contacts';
import type { RealApi } from './index';
import {
	PERMISSION_AREAS,
	type PermissionArea,
	REAL_FAULT_STATUSES,
	REAL_ROUTES,
	type RealFault,
	type RealRouteName,
} from './types';

export type ControlAnswer = { status: number; body?: unknown } | { status: 400 | 404; description: string };

const isRealFault = (value: unknown): value is RealFault =>
	value === 'drop' || REAL_FAULT_STATUSES.includes(value as (typeof REAL_FAULT_STATUSES)[number]);

/** Runs `change`, turning the RangeError the store throws for an unknown or ended contact into a 404 or 400. */
function contactChange(change: () => unknown, created = false): ControlAnswer {
	try {
		return { status: created ? 201 : 200, body: change() };
	} catch (error) {
		if (!(error instanceof RangeError)) throw error;
		return { status: error.message.startsWith('No contact') ? 404 : 400, description: error.message };
	}
}

const found = (what: string, id: string, record: unknown): ControlAnswer =>
	record === undefined ? { status: 404, description: `No ${what} ${id}` } : { status: 200, body: record };

function faults(api: RealApi, body: Record<string, unknown>): ControlAnswer {
	const times = body.times ?? 1;
	if (
		!REAL_ROUTES.includes(body.route as RealRouteName) ||
		!isRealFault(body.status) ||
		typeof times !== 'number' ||
		!Number.isInteger(times) ||
		times < 1
	) {
		const routes = REAL_ROUTES.join('|');
		const statuses = [...REAL_FAULT_STATUSES, '"drop"'].join('|');
		return { status: 400, description: `Expected {route: ${routes}, status: ${statuses}, times?: whole number >= 1}` };
	}
	api.injectFault(body.route as RealRouteName, body.status, times);
	return { status: 204 };
}

function permissions(api: RealApi, body: Record<string, unknown>): ControlAnswer {
	if (!PERMISSION_AREAS.includes(body.area as PermissionArea) || typeof body.allowed !== 'boolean') {
		return { status: 400, description: `Expected {area: ${PERMISSION_AREAS.join('|')}, allowed: boolean}` };
	}
	if (body.allowed) api.allowPermission(body.area as PermissionArea);
	else api.denyPermission(body.area as PermissionArea);
	return { status: 204 };
}

function postRoute(api: RealApi, path: string, body: Record<string, unknown>): ControlAnswer | undefined {
	const contactAction = /^\/_sandbox\/contacts\/([^/]+)\/(state|end)$/.exec(path);
	if (contactAction) {
		const [, id, action] = contactAction;
		if (action === 'end') return contactChange(() => api.endContact(id));
		if (typeof body.stateName !== 'string') return { status: 400, description: 'Expected {stateName: string}' };
		return contactChange(() => api.setContactState(id, body.stateName as string));
	}
	switch (path) {
		case '/_sandbox/contacts': {
			const problem = contactFieldsProblem(body);
			if (problem) return { status: 400, description: problem };
			return contactChange(() => api.addContact(body), true);
		}
		case '/_sandbox/permissions':
			return permissions(api, body);
		case '/_sandbox/revoke-access-key':
			api.accessKeyRevoked = true;
			return { status: 204 };
		case '/_sandbox/expire-access-tokens':
			api.expireAccessTokens();
			return { status: 204 };
		case '/_sandbox/app-approval':
			if (typeof body.approved !== 'boolean') return { status: 400, description: 'Expected {approved: boolean}' };
			api.appApproved = body.approved;
			return { status: 204 };
		case '/_sandbox/real-faults':
			return faults(api, body);
		default:
			return undefined;
	}
}

function getRoute(api: RealApi, path: string): ControlAnswer | undefined {
	if (path === '/_sandbox/seed') return { status: 200, body: api.seed };
	const record = /^\/_sandbox\/(contacts|digital\/cases|digital\/customers)\/([^/]+)$/.exec(path);
	if (!record) return undefined;
	const id = decodeURIComponent(record[2]);
	switch (record[1]) {
		case 'contacts':
			return found('contact', id, api.contact(id));
		case 'digital/cases':
			return found('Digital case', id, api.digitalCase(id));
		default:
			return found('Digital customer', id, api.digitalCustomer(id));
	}
}

/** An answer for one of the real APIs' control routes, or undefined for a path that is not one of them. */
export function realApiControl(
	api: RealApi,
	method: string,
	path: string,
	body: Record<string, unknown>,
): ControlAnswer | undefined {
	if (method === 'GET') return getRoute(api, path);
	if (method === 'POST') return postRoute(api, path, body);
	return undefined;
}
