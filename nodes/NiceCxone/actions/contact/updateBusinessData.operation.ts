import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { BUSINESS_DATA_PATH } from '../../constants';
import { payloadHash } from '../../helpers/audit';
import {
	collectionRows,
	idOf,
	inputError,
	itemFields,
	jsonParameter,
	typedValue,
	type ValueType,
} from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { businessDataSchema, clip, parseOrThrow, pathIdSchema } from '../../helpers/validation';
import { idProperties, inputStyleProperty, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem, type RunContext } from '../router';
import { CONTACT_ID } from './contactId';

export { runOptions } from '../common.descriptions';

export const action = 'update_business_data';

const show = { resource: ['contact'], operation: ['updateBusinessData'] };

const JSON_EXPECTED = 'an object {"field": value} or an array of single-field objects [{"field": value}, …]';

const HINTS = {
	400: 'CXone refused the business data. This API updates existing fields only: it cannot add new business data fields, and a value must have the field\'s type. Check the field names and types against your tenant\'s business data fields.',
	403: "The API user's role lacks the permission Search & Playback > APIs > Update Business Data.",
	404: 'CXone found no closed contact with this ID. Business data is written to contacts that have ended: check the Contact ID (and Segment ID) and that the contact has ended.',
};

interface UiField extends IDataObject {
	name?: string;
	valueType?: ValueType;
	value?: string;
}

export const description: INodeProperties[] = [
	inputStyleProperty('businessDataInput', 'Business Data Input', show, {
		autoMap: 'Send each field of the input item as the business data field of the same name, with its type',
		fields: 'Enter each field in the UI',
		json: 'An object {"field": value} or an array [{"field": value}]',
	}),
	...idProperties(
		CONTACT_ID,
		show,
		{
			placeholder: 'e.g. 710000000123',
			description: 'The closed (ended) ACD contact whose business data to update',
		},
		'businessDataInput',
	),
	{
		displayName: 'Segment ID',
		name: 'segmentId',
		type: 'string',
		default: '',
		description: "The contact's segment to update; leave empty for the whole contact",
		displayOptions: { show },
	},
	{
		displayName: 'Business Data',
		name: 'businessDataUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Field',
		default: {},
		description: 'Existing business data fields of your tenant; CXone cannot create new ones through this API',
		displayOptions: { show: { ...show, businessDataInput: ['fields'] } },
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{
						displayName: 'Value Type',
						name: 'valueType',
						type: 'options',
						options: [
							{ name: 'Boolean', value: 'boolean' },
							{ name: 'Number', value: 'number' },
							{ name: 'String', value: 'string' },
						],
						default: 'string',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '' },
				],
			},
		],
	},
	{
		displayName: 'Business Data (JSON)',
		name: 'businessDataJson',
		type: 'json',
		default: '{\n  "crm_deal_id": "D-1001"\n}',
		description: JSON_EXPECTED,
		displayOptions: { show: { ...show, businessDataInput: ['json'] } },
	},
	runOptionsProperty(show),
];

/** The fields to send as {name, value}, from whichever input style the node uses, before validation. */
function fieldsOf(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): unknown[] {
	const input = parameters.get<string>('businessDataInput', itemIndex, 'fields');
	if (input === 'autoMap') {
		return itemFields
			.call(this, itemIndex, parameters, CONTACT_ID, 'a business data field')
			.map(([name, value]) => ({ name, value }));
	}
	if (input === 'fields') {
		return collectionRows<UiField>(parameters, 'businessDataUi', 'field', itemIndex).map((row, index) => ({
			name: row.name,
			value: typedValue.call(this, itemIndex, row, `Business Data ${index + 1} value`),
		}));
	}
	const value = jsonParameter.call(this, itemIndex, parameters, 'businessDataJson', 'Business Data (JSON)', JSON_EXPECTED);
	const entries: unknown[] = Array.isArray(value) ? value : [value];
	return entries.flatMap((entry, index) => {
		if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
			throw inputError.call(this, itemIndex, `Business Data (JSON) entry ${index} must be an object, not ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : typeof entry}`, `Enter ${JSON_EXPECTED}.`);
		}
		return Object.entries(entry).map(([name, fieldValue]) => ({ name, value: fieldValue }));
	});
}

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const autoMap = parameters.get<string>('businessDataInput', itemIndex, 'fields') === 'autoMap';
	const contactId = idOf.call(this, itemIndex, parameters, CONTACT_ID, autoMap);
	target.interactionId = contactId;
	const segmentText = String(parameters.get<unknown>('segmentId', itemIndex, '') ?? '').trim();
	const segmentId =
		segmentText === '' ? undefined : parseOrThrow(this.getNode(), pathIdSchema, segmentText, itemIndex, { field: 'Segment ID' });
	const fields = fieldsOf.call(this, itemIndex, parameters);
	const checked = parseOrThrow(this.getNode(), businessDataSchema, fields, itemIndex, {
		place: (path) => {
			const [index, part] = path;
			const name = typeof index === 'number' ? (fields[index] as { name?: unknown } | undefined)?.name : undefined;
			return typeof name === 'string' && part === 'value' ? `Business data field "${clip(name)}"` : path.length === 0 ? 'Business Data' : `Business Data ${path.join('.')}`;
		},
	});
	// CXone takes an array of single-key objects, each with its typed value (spec §6).
	const body = JSON.stringify(checked.map(({ name, value }) => ({ [name]: value })));
	return {
		payloadHash: payloadHash(body),
		send: async () =>
			await sendItem(run, {
				method: 'PUT',
				path: BUSINESS_DATA_PATH(encodeURIComponent(contactId), segmentId && encodeURIComponent(segmentId)),
				body,
				hints: HINTS,
			}),
	};
}
