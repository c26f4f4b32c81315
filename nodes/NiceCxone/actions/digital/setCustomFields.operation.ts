import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { payloadHash } from '../../helpers/audit';
import { collectionRows, idOf, itemFields, jsonParameter } from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { clip, customFieldsSchema, parseOrThrow } from '../../helpers/validation';
import { idProperties, inputStyleProperty, runOptionsProperty } from '../common.descriptions';
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

const operation = 'setCustomFields';
const show = { resource: DIGITAL_RESOURCES, operation: [operation] };

const JSON_EXPECTED = 'an object {"ident": "value"} or an array [{"ident": "…", "value": "…"}]';

const HINTS = {
	400: "CXone refused the custom fields: check each field's value against its definition (list options, e-mail format, required fields).",
	404: 'CXone knows no such case or customer: check the ID (a Digital case ID, not an ACD contact ID).',
};

export const description: INodeProperties[] = [
	inputStyleProperty('customFieldsInput', 'Custom Fields Input', show, {
		autoMap: 'Send each field of the input item as the custom field whose ident is its name',
		fields: 'Choose each custom field and its value in the UI',
		json: 'An object {"ident": "value"} or an array [{"ident", "value"}]',
	}),
	...DIGITAL_RESOURCES.flatMap((resource) =>
		idProperties(
			DIGITAL_SUBJECTS[resource].id,
			{ resource: [resource], operation: [operation] },
			{ description: ID_DESCRIPTIONS[resource] },
			'customFieldsInput',
		),
	),
	{
		displayName: 'Custom Fields',
		name: 'customFieldsUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Custom Field',
		default: {},
		description: "Values are text; a list field's value must be one of its options",
		displayOptions: { show: { ...show, customFieldsInput: ['fields'] } },
		options: [
			{
				name: 'field',
				displayName: 'Custom Field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'ident',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getCustomFields' },
						default: '',
						description:
							'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Custom Fields (JSON)',
		name: 'customFieldsJson',
		type: 'json',
		default: '{\n  "crm_deal": "D-1001"\n}',
		description: JSON_EXPECTED,
		displayOptions: { show: { ...show, customFieldsInput: ['json'] } },
	},
	runOptionsProperty(show),
];

/** The fields as {ident, value}, from whichever input style the node uses, before validation. */
function fieldsOf(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters, resource: DigitalResource): unknown[] {
	const input = parameters.get<string>('customFieldsInput', itemIndex, 'fields');
	if (input === 'autoMap') {
		return itemFields
			.call(this, itemIndex, parameters, DIGITAL_SUBJECTS[resource].id, 'a custom field')
			.map(([ident, value]) => ({ ident, value }));
	}
	if (input === 'fields') {
		return collectionRows<IDataObject>(parameters, 'customFieldsUi', 'field', itemIndex).map((row) => ({
			ident: row.ident,
			value: row.value ?? '',
		}));
	}
	const value = jsonParameter.call(this, itemIndex, parameters, 'customFieldsJson', 'Custom Fields (JSON)', JSON_EXPECTED);
	if (Array.isArray(value)) return value;
	if (typeof value === 'object' && value !== null) {
		return Object.entries(value).map(([ident, fieldValue]) => ({ ident, value: fieldValue }));
	}
	return [value];
}

async function prepare(
	this: IExecuteFunctions,
	subject: DigitalSubject,
	resource: DigitalResource,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const autoMap = parameters.get<string>('customFieldsInput', itemIndex, 'fields') === 'autoMap';
	const id = idOf.call(this, itemIndex, parameters, subject.id, autoMap);
	target.interactionId = id;
	const fields = fieldsOf.call(this, itemIndex, parameters, resource);
	const checked = parseOrThrow(this.getNode(), customFieldsSchema, fields, itemIndex, {
		place: (path) => {
			const [index, part] = path;
			const ident = typeof index === 'number' ? (fields[index] as { ident?: unknown } | undefined)?.ident : undefined;
			return typeof ident === 'string' && part === 'value'
				? `Custom field "${clip(ident)}"`
				: `Custom Fields ${path.join('.')}`;
		},
	});
	checkFields.call(this, itemIndex, subject, await runDefinitions.call(this, itemIndex, run, subject), checked);
	const body = JSON.stringify(checked);
	return {
		payloadHash: payloadHash(body),
		send: async () =>
			await sendItem(run, {
				method: 'PUT',
				base: 'digital',
				path: `${subject.path(encodeURIComponent(id))}/custom-fields`,
				body,
				hints: HINTS,
			}),
	};
}

export const operations = perDigitalResource('set', description, prepare);
