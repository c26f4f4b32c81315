import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import {
	ATTRIBUTES_PATH,
	DEFAULT_MODE,
	MAX_ATTRIBUTES,
	MAX_KEY_LENGTH,
	MAX_STRING_VALUE_LENGTH,
} from '../../constants';
import { payloadHash } from '../../helpers/audit';
import {
	collectionRows,
	idOf,
	itemFields,
	jsonParameter,
	typedValue,
	type IdSource,
	type ValueType,
} from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import {
	attributeUpdateSchema,
	clip,
	formatPath,
	pathIdSchema,
	parseOrThrow,
	type AttributeMode,
	type Refusal,
} from '../../helpers/validation';
import { idProperties, inputStyleProperty, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem } from '../router';

export { runOptions } from '../common.descriptions';

export const action = 'update_attributes';

const show = { operation: ['updateAttributes'] };

const DEFAULT_INTERACTION_ID_FIELD = 'interactionId';

const INTERACTION_ID: IdSource = {
	parameter: 'interactionId',
	label: 'Interaction ID',
	fieldParameter: 'interactionIdField',
	defaultField: DEFAULT_INTERACTION_ID_FIELD,
	schema: pathIdSchema,
};

export const description: INodeProperties[] = [
	inputStyleProperty('attributesInput', 'Attributes Input', show, {
		autoMap: 'Send each field of the input item as the attribute of the same name, for items shaped by an earlier node',
		fields: 'Enter each attribute in the UI',
		json: 'An object {"key": value} or an array [{"key", "value", "mode"}]',
	}),
	...idProperties(
		INTERACTION_ID,
		show,
		{
			placeholder: 'e.g. 8f7a9b2c-1d3e-4f5a-9c8b-7e6d5f4a3b2c',
			description: 'The CXone interaction (contact) whose attributes to change',
		},
		'attributesInput',
	),
	{
		displayName: 'Attributes',
		name: 'attributesUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Attribute',
		default: {},
		description: `Up to ${MAX_ATTRIBUTES} attributes, applied atomically: all or none`,
		displayOptions: { show: { ...show, attributesInput: ['fields'] } },
		options: [
			{
				name: 'attribute',
				displayName: 'Attribute',
				values: [
					{
						displayName: 'Key',
						name: 'key',
						type: 'string',
						default: '',
						description: `1-${MAX_KEY_LENGTH} characters; keys starting with "_" or "system:" are reserved`,
					},
					{
						displayName: 'Value Type',
						name: 'valueType',
						type: 'options',
						options: [
							{ name: 'Boolean', value: 'boolean' },
							{ name: 'Null', value: 'null' },
							{ name: 'Number', value: 'number' },
							{ name: 'String', value: 'string' },
						],
						default: 'string',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: `A string of at most ${MAX_STRING_VALUE_LENGTH} characters, a number, or true/false, per Value Type`,
						displayOptions: { hide: { valueType: ['null'] } },
					},
					{
						displayName: 'Mode',
						name: 'mode',
						type: 'options',
						options: [
							{ name: 'Add', value: 'ADD' },
							{ name: 'Delete', value: 'DELETE' },
							{ name: 'Update', value: 'UPDATE' },
							{ name: 'Use Default Mode', value: 'default' },
						],
						default: 'default',
					},
				],
			},
		],
	},
	{
		displayName: 'Attributes (JSON)',
		name: 'attributesJson',
		type: 'json',
		default: '{\n  "campaign_id": "12345"\n}',
		description:
			'An object {"key": value, …} or an array [{"key": "…", "value": …, "mode": "ADD|UPDATE|DELETE"}]. Values: string, number, boolean or null.',
		displayOptions: { show: { ...show, attributesInput: ['json'] } },
	},
	{
		displayName: 'Default Mode',
		name: 'defaultMode',
		type: 'options',
		options: [
			{ name: 'Add', value: 'ADD', description: 'Add the attribute' },
			{ name: 'Delete', value: 'DELETE', description: 'Remove the attribute' },
			{ name: 'Update', value: 'UPDATE', description: 'Set the attribute, creating it if needed' },
		],
		default: DEFAULT_MODE,
		description: 'Mode for attributes that do not set their own',
		displayOptions: { show },
	},
	runOptionsProperty(show, [
		{
			displayName: 'Include Response',
			name: 'includeResponse',
			type: 'boolean',
			default: true,
			description: "Whether to add CXone's attribute snapshot after the update to each output item",
		},
	]),
];

interface UiAttribute extends IDataObject {
	key?: string;
	valueType?: ValueType;
	value?: string;
	mode?: string;
}


/** The attributes to send, before the body's validation. */
interface Attributes {
	attributes: unknown[];
	/** How a refusal of the body names its fields, when not by their path in the body. */
	refusal?: Refusal;
}

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
): Promise<PreparedItem> {
	const defaultMode = parameters.get<AttributeMode>('defaultMode', itemIndex, DEFAULT_MODE);
	const input = parameters.get<string>('attributesInput', itemIndex, 'fields');
	const interactionId = idOf.call(this, itemIndex, parameters, INTERACTION_ID, input === 'autoMap');
	target.interactionId = interactionId;
	const { attributes, refusal }: Attributes =
		input === 'autoMap'
			? attributesFromItemFields.call(this, itemIndex, parameters, defaultMode)
			: {
					attributes:
						input === 'json'
							? attributesFromJson.call(this, itemIndex, parameters, defaultMode)
							: attributesFromUi.call(this, itemIndex, parameters, defaultMode),
				};
	const body = JSON.stringify(
		parseOrThrow(this.getNode(), attributeUpdateSchema, { attributes }, itemIndex, refusal),
	);
	const includeResponse = parameters.get<IDataObject>('options', itemIndex, {}).includeResponse !== false;

	return {
		payloadHash: payloadHash(body),
		send: async (run) =>
			await sendItem<IDataObject>(
				run,
				{ method: 'POST', path: ATTRIBUTES_PATH(encodeURIComponent(interactionId)), body },
				(response) => ({ output: includeResponse ? { response } : undefined }),
			),
	};
}

/**
 * Map Automatically: every field of the item that is neither the ID field nor ignored becomes one
 * attribute, in the item's field order.
 */
function attributesFromItemFields(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): Attributes {
	const attributes = itemFields
		.call(this, itemIndex, parameters, INTERACTION_ID, 'an attribute')
		.map(([key, value]) => ({ key, value, mode: defaultMode }));
	// The body's schema names an attribute by its position; the user knows it by its input field.
	const place = (path: Array<string | number>) => {
		const [, index, part] = path;
		const field = typeof index === 'number' ? attributes[index]?.key : undefined;
		return field !== undefined && (part === 'key' || part === 'value')
			? `the input field ${part === 'key' ? 'name ' : ''}"${clip(field)}"`
			: formatPath(path);
	};
	return { attributes, refusal: { place, hint: 'Change the field in an earlier node, or add it to Fields to Ignore.' } };
}

/** The mode as the API spells it; users often type it in lower case. */
const normaliseMode = (mode: unknown, defaultMode: AttributeMode) =>
	mode === undefined || mode === null || mode === '' || mode === 'default'
		? defaultMode
		: typeof mode === 'string'
			? mode.trim().toUpperCase()
			: mode;

const JSON_EXPECTED = 'an object {"key": value} or an array [{"key", "value", "mode"}]';

function attributesFromJson(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): unknown[] {
	const value = jsonParameter.call(this, itemIndex, parameters, 'attributesJson', 'Attributes (JSON)', JSON_EXPECTED);
	if (Array.isArray(value)) {
		return value.map((entry: unknown) =>
			typeof entry === 'object' && entry !== null && !Array.isArray(entry)
				? { ...entry, mode: normaliseMode((entry as IDataObject).mode, defaultMode) }
				: entry,
		);
	}
	if (typeof value === 'object' && value !== null) {
		return Object.entries(value).map(([key, attributeValue]) => ({ key, value: attributeValue, mode: defaultMode }));
	}
	throw new NodeOperationError(
		this.getNode(),
		`Item ${itemIndex}: Attributes (JSON) must be an object or an array, not ${value === null ? 'null' : typeof value}`,
		{ itemIndex, description: `Enter ${JSON_EXPECTED}.` },
	);
}

function attributesFromUi(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): unknown[] {
	return collectionRows<UiAttribute>(parameters, 'attributesUi', 'attribute', itemIndex).map((entry, index) => ({
		key: entry.key,
		value: typedValue.call(this, itemIndex, { ...entry, name: entry.key }, `attributes.${index}.value`),
		mode: normaliseMode(entry.mode, defaultMode),
	}));
}
