/**
 * The polling endpoints (spec §7): Real-Time `contacts/active` and `contacts/states`, Reporting `contacts/completed`.
 * Deltas by `updatedSince` (inclusive, [U] §7.5), `lastPollTime` in every 200 body, 304 from Real-Time when nothing
 * changed, 204 from Reporting when there are no rows, `top`/`skip` paging with `totalRecords` and `_links.next`.
 */
import type { AcdCall } from './acd';
import { acdError, json } from './answers';
import type { AcdContact } from './contacts';
import type { Answer } from './types';

/** [U] The Real-Time page size when `top` is not given; §8 has 50/100 for admin lists, nothing for Real-Time. */
export const REAL_TIME_DEFAULT_TOP = 100;
/** "API is limited to 10K records per response" (§7.3, the live-tested tap); also the Reporting default. */
export const MAX_TOP = 10_000;

type Filter = { name: string; field: keyof AcdContact; kind: 'number' | 'string' };

const number = (name: string, field = name as keyof AcdContact): Filter => ({ name, field, kind: 'number' });
const text = (name: string): Filter => ({ name, field: name as keyof AcdContact, kind: 'string' });

const ACTIVE_FILTERS = [
	number('mediaTypeId'),
	number('skillId'),
	number('campaignId'),
	number('agentId'),
	number('teamId'),
	number('stateId'),
	text('toAddress'),
	text('fromAddress'),
	text('contactId'),
];
const STATES_FILTERS = [number('agentId')];
const COMPLETED_FILTERS = [
	number('mediaTypeId'),
	number('skillId'),
	number('campaignId'),
	number('agentId'),
	number('teamId'),
];

type Parsed<T> = { value: T } | { problem: string };

function dateParameter(query: URLSearchParams, name: string, required: boolean): Parsed<number | undefined> {
	const raw = query.get(name);
	if (raw === null)
		return required ? { problem: `The ${name} query parameter is required (ISO 8601)` } : { value: undefined };
	const time = Date.parse(raw);
	return Number.isNaN(time) ? { problem: `${name} ${JSON.stringify(raw)} is not an ISO 8601 date` } : { value: time };
}

function wholeParameter(query: URLSearchParams, name: string, fallback: number, max: number): Parsed<number> {
	const raw = query.get(name);
	if (raw === null) return { value: fallback };
	const value = Number(raw);
	if (!/^\d+$/.test(raw) || value > max)
		return { problem: `${name} must be a whole number from 0 to ${max}, not ${raw}` };
	return { value };
}

/** The rows that pass the filters the query names; a filter value that is not a whole number is refused. */
function filtered(contacts: AcdContact[], query: URLSearchParams, filters: Filter[]): Parsed<AcdContact[]> {
	let rows = contacts;
	for (const filter of filters) {
		const raw = query.get(filter.name);
		if (raw === null) continue;
		if (filter.kind === 'number' && !/^\d+$/.test(raw))
			return { problem: `${filter.name} must be a whole number, not ${raw}` };
		rows = rows.filter((contact) => String(contact[filter.field]) === raw);
	}
	return { value: rows };
}

const byUpdate = (a: AcdContact, b: AcdContact) =>
	a.lastUpdateTime.localeCompare(b.lastUpdateTime) || a.contactId.localeCompare(b.contactId);

interface Listing {
	call: AcdCall;
	contacts: AcdContact[];
	filters: Filter[];
	listName: string;
	row: (contact: AcdContact) => Record<string, unknown>;
	defaultTop: number;
	/** What answers a delta with no rows: Real-Time's 304 or Reporting's 204. */
	noRows: 204 | 304;
	/** Reporting's window (startDate, endDate) on the contact's start. */
	window?: { start: number; end: number };
}

function list({ call, contacts, filters, listName, row, defaultTop, noRows, window }: Listing): Answer {
	const { query, ctx, path } = call;
	const lastPollTime = new Date().toISOString();
	const since = dateParameter(query, 'updatedSince', false);
	if ('problem' in since) return acdError(400, since.problem);
	const top = wholeParameter(query, 'top', defaultTop, MAX_TOP);
	if ('problem' in top) return acdError(400, top.problem);
	const skip = wholeParameter(query, 'skip', 0, Number.MAX_SAFE_INTEGER);
	if ('problem' in skip) return acdError(400, skip.problem);
	const matching = filtered(contacts, query, filters);
	if ('problem' in matching) return acdError(400, matching.problem);
	const rows = matching.value
		.filter((contact) => since.value === undefined || Date.parse(contact.lastUpdateTime) >= since.value)
		.filter((contact) => {
			const started = Date.parse(contact.contactStartDate);
			return !window || (started >= window.start && started < window.end);
		})
		.sort(byUpdate);
	if (rows.length === 0 && (noRows === 204 || since.value !== undefined)) return { status: noRows };
	const pageRows = rows.slice(skip.value, skip.value + top.value);
	const link = (skipTo: number) => {
		const linkQuery = new URLSearchParams(query);
		linkQuery.set('skip', String(skipTo));
		linkQuery.set('top', String(top.value));
		return `${ctx.apiBase}${path}?${linkQuery.toString()}`;
	};
	const links: Record<string, string> = { self: link(skip.value) };
	if (skip.value + top.value < rows.length) links.next = link(skip.value + top.value);
	if (skip.value > 0) links.previous = link(Math.max(0, skip.value - top.value));
	return json(200, {
		totalRecords: rows.length,
		_links: links,
		businessUnitId: ctx.tenant.businessUnitId,
		lastPollTime,
		[listName]: pageRows.map(row),
	});
}

const live = (call: AcdCall) => [...call.ctx.contacts.records()].filter((contact) => !contact.ended);

/** The fields every listing shares, under the same names in all three. */
const routing = (contact: AcdContact) => ({
	contactId: contact.contactId,
	masterContactId: contact.masterContactId,
	agentId: contact.agentId,
	teamId: contact.teamId,
	skillId: contact.skillId,
	skillName: contact.skillName,
	campaignId: contact.campaignId,
	mediaTypeId: contact.mediaTypeId,
	lastUpdateTime: contact.lastUpdateTime,
});

/** [U] Values of the §7 fields the sandbox does not model are plausible constants (null where CXone leaves them). */
function activeRow(contact: AcdContact) {
	return {
		...routing(contact),
		campaignName: contact.campaignName,
		teamName: 'Sandbox Team',
		mediaTypeName: contact.mediaTypeName,
		mediaSubTypeId: null,
		mediaSubTypeName: null,
		pointOfContactId: contact.pointOfContactId ?? null,
		pointOfContactName: contact.pointOfContactId === undefined ? null : 'Sandbox Point of Contact',
		stateId: contact.stateId,
		stateName: contact.stateName,
		contactStateCategory: contact.stateName === 'Active' || contact.stateName === 'Hold' ? 'With Agent' : 'In Queue',
		digitalContactStateId: null,
		digitalContactStateName: null,
		fromAddress: contact.fromAddress,
		toAddress: contact.toAddress,
		firstName: null,
		lastName: null,
		isOutbound: false,
		isLogged: true,
		isTakeover: false,
		holdCount: 0,
		contactStartDate: contact.contactStartDate,
		agentStartDate: contact.contactStartDate,
		targetAgentId: null,
		transferIndicatorId: 0,
		transferIndicatorName: 'None',
		routingAttribute: null,
		highProficiency: 1,
		lowProficiency: 20,
		fileName: null,
	};
}

function stateRow(contact: AcdContact) {
	return {
		...routing(contact),
		contactStateId: contact.stateId,
		contactStateName: contact.stateName,
		startDate: contact.contactStartDate,
	};
}

function completedRow(contact: AcdContact) {
	const ended = Date.parse(contact.endDate ?? contact.lastUpdateTime);
	return {
		...routing(contact),
		contactStart: contact.contactStartDate,
		campaignName: contact.campaignName,
		mediaTypeName: contact.mediaTypeName,
		pointOfContactId: contact.pointOfContactId ?? null,
		fromAddr: contact.fromAddress,
		toAddr: contact.toAddress,
		primaryDispositionId: null,
		secondaryDispositionId: null,
		dispositionNotes: null,
		totalDurationSeconds: Math.round((ended - Date.parse(contact.contactStartDate)) / 1000),
		abandoned: false,
		isLogged: true,
		tags: contact.tags,
	};
}

/** Real-Time's listing: the default page size, and 304 for a delta without rows. */
const realTime = (call: AcdCall, contacts: AcdContact[], filters: Filter[], listName: string, row: Listing['row']) =>
	list({ call, contacts, filters, listName, row, defaultTop: REAL_TIME_DEFAULT_TOP, noRows: 304 });

/** GET contacts/active: the live contacts. */
export const activeContacts = (call: AcdCall): Answer =>
	realTime(call, live(call), ACTIVE_FILTERS, 'activeContacts', activeRow);

/** GET contacts/states: every contact's current state, an ended one's being EndContact. */
export const contactStates = (call: AcdCall): Answer =>
	realTime(call, [...call.ctx.contacts.records()], STATES_FILTERS, 'contactStates', stateRow);

/** GET contacts/completed: ended contacts that started in [startDate, endDate) ([U] which date the window applies to). */
export function completedContacts(call: AcdCall): Answer {
	const start = dateParameter(call.query, 'startDate', true);
	if ('problem' in start) return acdError(400, start.problem);
	const end = dateParameter(call.query, 'endDate', true);
	if ('problem' in end) return acdError(400, end.problem);
	return list({
		call,
		contacts: [...call.ctx.contacts.records()].filter((contact) => contact.ended),
		filters: COMPLETED_FILTERS,
		listName: 'completedContacts',
		row: completedRow,
		defaultTop: MAX_TOP,
		noRows: 204,
		window: { start: start.value as number, end: end.value as number },
	});
}
