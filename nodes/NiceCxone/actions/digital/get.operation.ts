import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { idFromParameter } from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { idProperties, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem, type RunContext } from '../router';
import {
	DIGITAL_RESOURCES,
	DIGITAL_SUBJECTS,
	ID_DESCRIPTIONS,
	perDigitalResource,
	type DigitalResource,
	type DigitalSubject,
} from './subjects';

const operation = 'get';

const HINTS = {
	404: 'CXone knows no such case or customer: check the ID (a Digital case ID, not an ACD contact ID).',
};

/** The output field holding what CXone answered, per resource. */
const OUTPUT_FIELDS: Record<DigitalResource, string> = { digitalCase: 'case', digitalCustomer: 'customer' };

export const description: INodeProperties[] = [
	...DIGITAL_RESOURCES.flatMap((resource) =>
		idProperties(DIGITAL_SUBJECTS[resource].id, { resource: [resource], operation: [operation] }, {
			description: ID_DESCRIPTIONS[resource],
		}),
	),
	runOptionsProperty({ resource: DIGITAL_RESOURCES, operation: [operation] }),
];

async function prepare(
	this: IExecuteFunctions,
	subject: DigitalSubject,
	resource: DigitalResource,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const id = idFromParameter.call(this, itemIndex, parameters, subject.id);
	target.interactionId = id;
	return {
		payloadHash: null,
		send: async () =>
			await sendItem<IDataObject | undefined>(
				run,
				{ method: 'GET', base: 'digital', path: subject.path(encodeURIComponent(id)), hints: HINTS },
				(found) => ({ output: { [OUTPUT_FIELDS[resource]]: found ?? null } }),
			),
	};
}

export const operations = perDigitalResource('get', description, prepare);
