import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import {
	CONTACT_EVENTS_SEEN_MAX,
	CONTACT_EVENTS_SEEN_MAX_BYTES,
	CONTACT_SAMPLE_LOOKBACK_MS,
	SERVER_TIME_PATH,
} from './constants';
import {
	contactEventKey,
	eventsSince,
	inOrder,
	pollFetch,
	readingOrder,
	type ContactEvent,
	type ContactEventItem,
	type ContactFilters,
	type PollFetch,
} from './helpers/contactPolling';
import { remember, seenEventsOf, wasSeen, type SeenEvents } from './helpers/seenEvents';
import { cxoneCall, CxoneError, nodeConnection, toNodeApiError, type CxoneConnection } from './transport';

/** What the trigger keeps in static data, which n8n keeps across polls and restarts. */
interface ContactsTriggerStaticData extends IDataObject {
	/** Per event, the updatedSince of its next poll: the previous answer's lastPollTime (spec §7). */
	cursors?: Record<string, string>;
	/** Events already reported (helpers/contactPolling's contactEventKey). */
	seenEvents?: SeenEvents;
}

const EVENT_NAMES: Record<ContactEvent, string> = {
	contactStarted: 'Contact Started',
	contactStateChanged: 'Contact State Changed',
	contactEnded: 'Contact Ended',
};

export class NiceCxoneContactsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'NICE CXone Contacts Trigger',
		name: 'niceCxoneContactsTrigger',
		icon: { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow when contacts start, change state or end on a CXone tenant (polls its APIs)',
		defaults: { name: 'NICE CXone Contacts Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'niceCxoneAccessKeyApi', required: true }],
		properties: [
			{
				displayName:
					"Each poll reports what changed since the previous one, one item per event. The first poll after activation only marks the start: nothing that happened before is reported. Contacts that change several times between polls are reported in their latest state.",
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: [
					{
						name: EVENT_NAMES.contactEnded,
						value: 'contactEnded',
						description: 'A contact was completed (Reporting API contacts/completed)',
					},
					{
						name: EVENT_NAMES.contactStarted,
						value: 'contactStarted',
						description: 'A live contact started (Real-Time API contacts/active)',
					},
					{
						name: EVENT_NAMES.contactStateChanged,
						value: 'contactStateChanged',
						description: 'A contact changed state, ending included (Real-Time API contacts/states)',
					},
				],
				default: ['contactEnded'],
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: [
					{
						displayName: 'Agent ID',
						name: 'agentId',
						type: 'number',
						default: 0,
						description: "Only contacts of this agent (the agent's numeric ID in CXone)",
					},
					{
						displayName: 'Campaign ID',
						name: 'campaignId',
						type: 'number',
						default: 0,
						description: 'Only contacts of this campaign',
					},
					{
						displayName: 'Media Type ID',
						name: 'mediaTypeId',
						type: 'number',
						default: 0,
						description: 'Only contacts of this media type (e.g. 4 for phone calls)',
					},
					{
						displayName: 'Skill ID',
						name: 'skillId',
						type: 'number',
						default: 0,
						description: 'Only contacts routed to this skill (ACD skill ID)',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const events = eventsOf(this);
		const filters = filtersOf(this);
		const connection = await nodeConnection(this, 'accessKey');
		const fetch = pollFetch(this, connection);
		try {
			if (this.getMode() === 'manual') return [[{ json: await sampleEvent(this, fetch, events, filters) }]];
			return await pollEvents(this, connection, fetch, events, filters);
		} catch (error) {
			throw error instanceof CxoneError ? toNodeApiError(this.getNode(), error) : error;
		}
	}
}

function eventsOf(context: IPollFunctions): ContactEvent[] {
	const events = context.getNodeParameter('events', []) as ContactEvent[] | ContactEvent;
	const list = Array.isArray(events) ? events : [events];
	if (list.length === 0) {
		throw new NodeOperationError(context.getNode(), 'Events: choose at least one event', {
			description: 'Pick Contact Started, Contact State Changed or Contact Ended under Events.',
		});
	}
	return list;
}

/** The filters set; 0, the fields' default, means no filter. */
function filtersOf(context: IPollFunctions): ContactFilters {
	const raw = context.getNodeParameter('filters', {}) as Record<string, unknown>;
	const filters: ContactFilters = {};
	for (const field of ['skillId', 'campaignId', 'mediaTypeId', 'agentId'] as const) {
		const value = Number(raw[field] ?? 0);
		if (!Number.isInteger(value) || value < 0) {
			throw new NodeOperationError(context.getNode(), `Filters: ${field} must be a whole number, not ${String(raw[field])}`);
		}
		if (value > 0) filters[field] = value;
	}
	return filters;
}

/** The tenant's clock, so the first delta starts at CXone's "now" whatever n8n's clock says; n8n's as a fallback. */
async function tenantNow(context: IPollFunctions, connection: CxoneConnection): Promise<string> {
	const { data } = await cxoneCall<{ ServerTime?: unknown }>(context, connection, {
		method: 'GET',
		path: SERVER_TIME_PATH,
	});
	const time = typeof data?.ServerTime === 'string' ? Date.parse(data.ServerTime) : Number.NaN;
	return new Date(Number.isNaN(time) ? Date.now() : time).toISOString();
}

/**
 * One poll: each event's delta since its cursor, in the order the events happened, without those already reported.
 * Static data changes only once every call succeeded, so a failed poll is repeated in full by the next one.
 */
async function pollEvents(
	context: IPollFunctions,
	connection: CxoneConnection,
	fetch: PollFetch,
	events: ContactEvent[],
	filters: ContactFilters,
): Promise<INodeExecutionData[][] | null> {
	const data = context.getWorkflowStaticData('node') as ContactsTriggerStaticData;
	const cursors: Record<string, string> = { ...data.cursors };
	const now = Date.now();
	const starting = events.filter((event) => typeof cursors[event] !== 'string');
	if (starting.length > 0) {
		const start = await tenantNow(context, connection);
		for (const event of starting) cursors[event] = start;
	}
	const found: ContactEventItem[] = [];
	for (const event of readingOrder(events).filter((candidate) => !starting.includes(candidate))) {
		const delta = await eventsSince(fetch, event, filters, cursors[event], now);
		found.push(...delta.items);
		if (delta.lastPollTime !== undefined) cursors[event] = delta.lastPollTime;
	}
	let seen = seenEventsOf(data.seenEvents);
	const reported: ContactEventItem[] = [];
	for (const item of inOrder(found)) {
		const key = contactEventKey(item);
		if (wasSeen(seen, key, now)) continue;
		seen = remember(seen, key, null, now, {
			maxEntries: CONTACT_EVENTS_SEEN_MAX,
			maxBytes: CONTACT_EVENTS_SEEN_MAX_BYTES,
		});
		reported.push(item);
	}
	data.cursors = cursors;
	data.seenEvents = seen;
	return reported.length > 0 ? [context.helpers.returnJsonArray(reported)] : null;
}

/** Fetch Test Event: the latest real event of the last day, leaving the cursors alone. */
async function sampleEvent(
	context: IPollFunctions,
	fetch: PollFetch,
	events: ContactEvent[],
	filters: ContactFilters,
): Promise<ContactEventItem> {
	const now = Date.now();
	const since = new Date(now - CONTACT_SAMPLE_LOOKBACK_MS).toISOString();
	const found: ContactEventItem[] = [];
	for (const event of events) found.push(...(await eventsSince(fetch, event, filters, since, now)).items);
	const latest = inOrder(found).pop();
	if (latest === undefined) {
		throw new NodeOperationError(context.getNode(), 'No contacts right now: CXone reported none of the chosen events in the last 24 hours', {
			description: `Start a contact in CXone (or check the Filters and Events: ${events.map((event) => EVENT_NAMES[event]).join(', ')}), then fetch again.`,
		});
	}
	return latest;
}
