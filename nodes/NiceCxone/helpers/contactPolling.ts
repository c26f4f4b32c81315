import type { IDataObject } from 'n8n-workflow';

import {
	COMPLETED_END_MARGIN_MS,
	COMPLETED_START_LOOKBACK_MS,
	CONTACTS_ACTIVE_PATH,
	CONTACTS_COMPLETED_PATH,
	CONTACTS_MAX_PAGES,
	CONTACTS_PAGE_SIZE,
	CONTACTS_STATES_PATH,
} from '../constants';
import { cxoneRequest, CxoneError, type CxoneConnection, type HttpHelpers } from '../transport';

export type ContactEvent = 'contactStarted' | 'contactStateChanged' | 'contactEnded';
export type ContactFilter = 'skillId' | 'campaignId' | 'mediaTypeId' | 'agentId';
export type ContactFilters = Partial<Record<ContactFilter, number>>;

/** What a polling call answered: a page of rows, or nothing new (Real-Time's 304, Reporting's 204). */
export const NOTHING_NEW = Symbol('nothing new');
export type PollAnswer = IDataObject | typeof NOTHING_NEW;
/** One GET under the API base; `path` carries the query. */
export type PollFetch = (path: string) => Promise<PollAnswer>;

/**
 * Polling GETs through the package's transport. Nothing new is Real-Time's 304, which the transport reports as a
 * failed call since it is not a 2xx, or Reporting's 204 with its empty body (spec §7).
 */
export function pollFetch(http: HttpHelpers, connection: CxoneConnection): PollFetch {
	return async (path) => {
		const result = await cxoneRequest<unknown>(http, connection, { method: 'GET', path });
		if (!result.ok) {
			if (result.error.status === 304) return NOTHING_NEW;
			throw result.error;
		}
		const body = result.data;
		if (result.status === 204) return NOTHING_NEW;
		if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as IDataObject;
		throw new CxoneError({
			status: 200,
			code: 'unexpected_answer',
			description: `${path.split('?')[0]} answered something other than a JSON object`,
		});
	};
}

/** Where each event comes from (spec §7), and how a row of that endpoint becomes the event. */
interface EventSource {
	path: string;
	/** The list's name in the 200 body. */
	listName: string;
	/** The filters the endpoint takes as query parameters; the others are applied to the rows. */
	queryFilters: ContactFilter[];
	/** When the event happened: part of its identity, and the order events are reported in. */
	timeField: string;
	/** Extra query parameters for a delta since `since`. */
	window?: (since: string, now: number) => Record<string, string>;
	/** Whether a row of the delta since `since` is this event. */
	isEvent?: (row: IDataObject, since: string) => boolean;
}

const ALL_FILTERS: ContactFilter[] = ['mediaTypeId', 'skillId', 'campaignId', 'agentId'];

export const CONTACT_EVENT_SOURCES: Record<ContactEvent, EventSource> = {
	// contacts/active lists every live contact changed since; the ones that started since are new.
	contactStarted: {
		path: CONTACTS_ACTIVE_PATH,
		listName: 'activeContacts',
		queryFilters: ALL_FILTERS,
		timeField: 'contactStartDate',
		isEvent: (row, since) => Date.parse(String(row.contactStartDate)) >= Date.parse(since),
	},
	contactStateChanged: {
		path: CONTACTS_STATES_PATH,
		listName: 'contactStates',
		queryFilters: ['agentId'],
		timeField: 'lastUpdateTime',
	},
	contactEnded: {
		path: CONTACTS_COMPLETED_PATH,
		listName: 'completedContacts',
		queryFilters: ALL_FILTERS,
		timeField: 'lastUpdateTime',
		window: (since, now) => ({
			startDate: new Date(Date.parse(since) - COMPLETED_START_LOOKBACK_MS).toISOString(),
			endDate: new Date(now + COMPLETED_END_MARGIN_MS).toISOString(),
		}),
	},
};

/** Order of events of one contact at the same time: it starts, changes, then ends. */
const EVENT_ORDER: ContactEvent[] = ['contactStarted', 'contactStateChanged', 'contactEnded'];

/**
 * The order a poll reads the endpoints in: the latest kind of event first. An event a poll reports was then read
 * before the events that come earlier in a contact's life, so none of those can be left for the next poll: a contact
 * that starts while a poll is between its reads is reported started, then changed, never the other way round.
 */
export const readingOrder = (events: ContactEvent[]): ContactEvent[] =>
	[...EVENT_ORDER].reverse().filter((event) => events.includes(event));

/** One event as the trigger reports it. */
export interface ContactEventItem extends IDataObject {
	event: ContactEvent;
	contactId: string;
	/** When it happened, from the row (contactStartDate or lastUpdateTime). */
	eventTime: string;
}

/** The key a reported event is remembered by: contact, event and time. */
export const contactEventKey = (item: ContactEventItem) => `${item.event}|${item.contactId}|${item.eventTime}`;

const matchesFilters = (row: IDataObject, filters: ContactFilters) =>
	Object.entries(filters).every(([field, value]) => row[field] === undefined || Number(row[field]) === value);

function pagePath(source: EventSource, query: Record<string, string>, skip: number): string {
	const parameters = new URLSearchParams({ ...query, top: String(CONTACTS_PAGE_SIZE), skip: String(skip) });
	return `${source.path}?${parameters.toString()}`;
}

/**
 * The rows of one endpoint changed since `since`, all pages, with the lastPollTime of its first answer: the next
 * delta starts there, so a change made while the later pages were read is not skipped.
 */
async function readRows(
	fetch: PollFetch,
	source: EventSource,
	filters: ContactFilters,
	since: string,
	now: number,
): Promise<{ rows: IDataObject[]; lastPollTime?: string }> {
	const query: Record<string, string> = { updatedSince: since, ...source.window?.(since, now) };
	for (const field of source.queryFilters) {
		if (filters[field] !== undefined) query[field] = String(filters[field]);
	}
	const rows: IDataObject[] = [];
	let lastPollTime: string | undefined;
	for (let page = 0; page < CONTACTS_MAX_PAGES; page++) {
		const answer = await fetch(pagePath(source, query, rows.length));
		if (answer === NOTHING_NEW) break;
		if (page === 0 && typeof answer.lastPollTime === 'string') lastPollTime = answer.lastPollTime;
		const list = answer[source.listName];
		const pageRows = Array.isArray(list) ? (list as IDataObject[]) : [];
		rows.push(...pageRows);
		// totalRecords is sometimes a string (spec §8).
		const total = Number(answer.totalRecords);
		if (pageRows.length < CONTACTS_PAGE_SIZE || (Number.isFinite(total) && rows.length >= total)) break;
	}
	return { rows, lastPollTime };
}

function eventItems(event: ContactEvent, rows: IDataObject[], filters: ContactFilters, since: string) {
	const source = CONTACT_EVENT_SOURCES[event];
	return rows
		.filter((row) => matchesFilters(row, filters))
		.filter((row) => source.isEvent === undefined || source.isEvent(row, since))
		.filter((row) => row.contactId !== undefined && typeof row[source.timeField] === 'string')
		.map((row): ContactEventItem => ({
			event,
			...row,
			contactId: String(row.contactId),
			eventTime: String(row[source.timeField]),
		}));
}

/** Events in the order they happened; one contact's events at the same time as it starts, changes, ends. */
export function inOrder(items: ContactEventItem[]): ContactEventItem[] {
	return [...items].sort(
		(a, b) =>
			Date.parse(a.eventTime) - Date.parse(b.eventTime) ||
			a.contactId.localeCompare(b.contactId) ||
			EVENT_ORDER.indexOf(a.event) - EVENT_ORDER.indexOf(b.event),
	);
}

/** The events of one endpoint since `since`, and where its next delta starts (undefined: where it started). */
export async function eventsSince(
	fetch: PollFetch,
	event: ContactEvent,
	filters: ContactFilters,
	since: string,
	now: number,
): Promise<{ items: ContactEventItem[]; lastPollTime?: string }> {
	const { rows, lastPollTime } = await readRows(fetch, CONTACT_EVENT_SOURCES[event], filters, since, now);
	return { items: eventItems(event, rows, filters, since), lastPollTime };
}
