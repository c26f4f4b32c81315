import { type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { idFromParameter } from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { parseOrThrow, pathIdSchema } from '../../helpers/validation';
import { idProperties, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem, type RunContext } from '../router';
import {
	checkFields,
	DIGITAL_RESOURCES,
	DIGITAL_SUBJECTS,
	ID_DESCRIPTIONS,
	runDefinitions,
	perDigitalResource,
	type DigitalResource,
	type DigitalSubject,
} from './subjects';

const operation = 'removeCustomField';
const show = { resource: DIGITAL_RESOURCES, operation: [operation] };

const HINTS = {
	404: 'CXone knows no such case or customer, or the field holds no value: check the ID (a Digital case ID, not an ACD contact ID) and the field.',
};

export const description: INodeProperties[] = [
	...DIGITAL_RESOURCES.flatMap((resource) =>
		idProperties(DIGITAL_SUBJECTS[resource].id, { resource: [resource], operation: [operation] }, {
			description: ID_DESCRIPTIONS[resource],
		}),
	),
	{
		displayName: 'Custom Field',
		name: 'customField',
		type: 'resourceLocator',
		required: true,
		default: { mode: 'list', value: '' },
		description: 'The custom field whose value to remove',
		displayOptions: { show },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchCustomFields', searchable: true },
			},
			{
				displayName: 'By Ident',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. crm_deal',
			},
		],
	},
	runOptionsProperty(show),
];

async function prepare(
	this: IExecuteFunctions,
	subject: DigitalSubject,
	_resource: DigitalResource,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const id = idFromParameter.call(this, itemIndex, parameters, subject.id);
	target.interactionId = id;
	const ident = parseOrThrow(
		this.getNode(),
		pathIdSchema,
		this.getNodeParameter('customField', itemIndex, '', { extractValue: true }),
		itemIndex,
		{ field: 'Custom Field' },
	);
	checkFields.call(this, itemIndex, subject, await runDefinitions.call(this, itemIndex, run, subject), [{ ident }]);
	return {
		payloadHash: null,
		send: async () =>
			await sendItem(
				run,
				{
					method: 'DELETE',
					base: 'digital',
					path: `${subject.path(encodeURIComponent(id))}/custom-fields/${encodeURIComponent(ident)}`,
					hints: HINTS,
				},
				() => ({ output: { custom_field: ident } }),
			),
	};
}

export const operations = perDigitalResource('remove', description, prepare);
