import type { INodeProperties } from 'n8n-workflow';

import { ATTRIBUTES_UPDATED_EVENT, WEBHOOK_EVENTS } from '../constants';

/** The webhook events a user can pick; the Register Webhook operation and the trigger both offer them. */
export const eventsProperty: INodeProperties = {
	displayName: 'Events',
	name: 'events',
	type: 'multiOptions',
	required: true,
	options: WEBHOOK_EVENTS.map((event) => ({
		name: 'Interaction Attributes Updated',
		value: event,
		description: 'After every successful attribute update of an interaction',
	})),
	default: [ATTRIBUTES_UPDATED_EVENT],
};
