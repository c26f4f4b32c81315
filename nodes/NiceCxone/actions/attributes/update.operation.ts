import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import {
	ATTRIBUTES_PATH,
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_REQUESTS_PER_SECOND,
	DEFAULT_MODE,
	DEFAULT_TIMEOUT_MS,
	MAX_ATTRIBUTES,
	MAX_CONCURRENCY,
	MAX_KEY_LENGTH,
	MAX_STRING_VALUE_LENGTH,
} from '../../constants';
import { payloadHash } from '../../helpers/audit';
import type { RunParameters } from '../../helpers/parameters';
import {
	attributeUpdateSchema,
	clip,
	formatPath,
	interactionIdSchema,
	parseOrThrow,
	type AttributeMode,
	type Refusal,
} from '../../helpers/validation';
import { cxoneRequest } from '../../transport';
import type { ItemTarget, PreparedItem, RunOptions } from '../router';

export const action = 'update_attributes';

const show = { operation: ['updateAttributes'] };

const DEFAULT_INTERACTION_ID_FIELD = 'interactionId';

export const description: INodeProperties[] = [
	{
		displayName: 'Interaction ID',
		name: 'interactionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 8f7a9b2c-1d3e-4f5a-9c8b-7e6d5f4a3b2c',
		description: 'The CXone interaction (contact) whose attributes to change',
		displayOptions: { show, hide: { attributesInput: ['autoMap'] } },
	},
	{
		displayName: 'Attributes Input',
		name: 'attributesInput',
		type: 'options',
		options: [
			{
				name: 'Map Automatically',
				value: 'autoMap',
				description:
					'Send each field of the input item as the attribute of the same name, for items shaped by an earlier node',
			},
			{ name: 'Using Fields Below', value: 'fields', description: 'Enter each attribute in the UI' },
			{
				name: 'Using JSON',
				value: 'json',
				description: 'An object {"key": value} or an array [{"key", "value", "mode"}]',
			},
		],
		default: 'fields',
		displayOptions: { show },
	},
	{
		displayName: 'Interaction ID Field',
		name: 'interactionIdField',
		type: 'string',
		required: true,
		default: DEFAULT_INTERACTION_ID_FIELD,
		description: 'Name of the input field holding the CXone interaction (contact) ID; it is not sent as an attribute',
		displayOptions: { show: { ...show, attributesInput: ['autoMap'] } },
	},
	{
		displayName: 'Fields to Ignore',
		name: 'fieldsToIgnore',
		type: 'string',
		default: '',
		placeholder: 'e.g. deal_id, owner',
		description: 'Comma-separated names of input fields not to send',
		displayOptions: { show: { ...show, attributesInput: ['autoMap'] } },
	},
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Add Run Summary',
				name: 'addRunSummary',
				type: 'boolean',
				default: false,
				description:
					'Whether to add one extra item with total_requests, success_count, failure_count, success_rate_percent and average_latency_ms',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
				default: DEFAULT_CONCURRENCY,
				description: 'How many items are sent to CXone at the same time',
			},
			{
				displayName: 'Include Response',
				name: 'includeResponse',
				type: 'boolean',
				default: true,
				description: "Whether to add CXone's attribute snapshot after the update to each output item",
			},
			{
				displayName: 'Max Requests per Second',
				name: 'maxRequestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_MAX_REQUESTS_PER_SECOND,
				description:
					"Upper bound on calls per second, retries included. CXone's tenant limit is about 200; 0 means no limit.",
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_TIMEOUT_MS,
				description: 'Milliseconds to wait for each attempt before it counts as failed and is retried',
			},
		],
	},
];

interface UiAttribute {
	key?: unknown;
	valueType?: 'string' | 'number' | 'boolean' | 'null';
	value?: unknown;
	mode?: string;
}

export function runOptions(this: IExecuteFunctions, parameters: RunParameters): Partial<RunOptions> {
	const options = parameters.get<IDataObject>('options', 0, {});
	return {
		concurrency: Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(Number(options.concurrency ?? DEFAULT_CONCURRENCY)))),
		maxRequestsPerSecond: Math.max(0, Number(options.maxRequestsPerSecond ?? DEFAULT_MAX_REQUESTS_PER_SECOND)),
		timeoutMs: Math.max(1, Number(options.timeout ?? DEFAULT_TIMEOUT_MS)),
		addRunSummary: options.addRunSummary === true,
	};
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
	const interactionId =
		input === 'autoMap'
			? idFromItemField.call(this, itemIndex, parameters)
			: idFromParameter.call(this, itemIndex, parameters);
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
		send: async (run) => {
			const result = await cxoneRequest<IDataObject>(run.http, run.credentials, {
				method: 'POST',
				path: ATTRIBUTES_PATH(encodeURIComponent(interactionId)),
				body,
				timeoutMs: run.timeoutMs,
				maxRequestsPerSecond: run.maxRequestsPerSecond,
			});
			const { latencyMs, attempts } = result;
			if (!result.ok) return { latencyMs, attempts, error: result.error };
			return { latencyMs, attempts, output: includeResponse ? { response: result.data } : undefined };
		},
	};
}

/** The Interaction ID parameter: Using Fields Below and Using JSON. */
function idFromParameter(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): string {
	const rawId = parameters.get<unknown>('interactionId', itemIndex);
	return parseOrThrow(this.getNode(), interactionIdSchema, typeof rawId === 'number' ? String(rawId) : rawId, itemIndex, {
		field: 'Interaction ID',
	});
}

/** Map Automatically's Interaction ID Field, trimmed. */
const idFieldOf = (itemIndex: number, parameters: RunParameters) =>
	parameters.get<string>('interactionIdField', itemIndex, DEFAULT_INTERACTION_ID_FIELD).trim();

/** Map Automatically: the interaction ID from the input field Interaction ID Field names. */
function idFromItemField(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): string {
	const idField = idFieldOf(itemIndex, parameters);
	const fields = this.getInputData()[itemIndex].json;
	const idHint =
		'Put the ID in that field in an earlier node (e.g. Edit Fields), or set Interaction ID Field to the field holding it.';
	const rawId = Object.hasOwn(fields, idField) ? fields[idField] : undefined;
	if (rawId === undefined) {
		throw inputFieldError.call(this, itemIndex, `the input field "${clip(idField)}" is missing`, idHint);
	}
	if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isFinite(rawId))) {
		throw inputFieldError.call(
			this,
			itemIndex,
			`the input field "${clip(idField)}" must be a non-empty string or a finite number, not ${kindOf(rawId)}`,
			idHint,
		);
	}
	return parseOrThrow(this.getNode(), interactionIdSchema, String(rawId), itemIndex, {
		place: () => `the input field "${clip(idField)}"`,
		hint: idHint,
	});
}

/**
 * Map Automatically: every field of the item that is neither the ID field nor ignored becomes one
 * attribute, in the item's field order. It needs no expression, so with constant parameters (read once
 * per run) nothing is evaluated per item: the fastest style for many items.
 */
function attributesFromItemFields(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): Attributes {
	const idField = idFieldOf(itemIndex, parameters);
	const ignored = new Set(
		parameters
			.get<string>('fieldsToIgnore', itemIndex, '')
			.split(',')
			.map((field) => field.trim())
			.filter((field) => field !== ''),
	);
	const fields = this.getInputData()[itemIndex].json;
	const attributes: Array<{ key: string; value: unknown; mode: AttributeMode }> = [];
	for (const [field, value] of Object.entries(fields)) {
		if (field === idField || ignored.has(field)) continue;
		attributes.push({ key: field, value, mode: defaultMode });
	}
	if (attributes.length === 0) {
		throw inputFieldError.call(
			this,
			itemIndex,
			`nothing to send: the item has no input field besides "${clip(idField)}" and Fields to Ignore`,
			'Map Automatically sends each field of the item except Interaction ID Field and Fields to Ignore. Add the attributes to the item in an earlier node (e.g. Edit Fields).',
		);
	}
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

function inputFieldError(this: IExecuteFunctions, itemIndex: number, problem: string, hint: string) {
	return new NodeOperationError(this.getNode(), `Item ${itemIndex}: ${problem}`, {
		itemIndex,
		description: `Nothing was sent to CXone for this item. ${hint}`,
	});
}

/** What a value is, for an error: "null", "array", "NaN" rather than typeof's "object" and "number". */
const kindOf = (value: unknown) =>
	value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? String(value) : typeof value;

/** The mode as the API spells it; users often type it in lower case. */
const normaliseMode = (mode: unknown, defaultMode: AttributeMode) =>
	mode === undefined || mode === null || mode === '' || mode === 'default'
		? defaultMode
		: typeof mode === 'string'
			? mode.trim().toUpperCase()
			: mode;

function attributesFromJson(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): unknown[] {
	let value = parameters.get<unknown>('attributesJson', itemIndex);
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(
				this.getNode(),
				`Item ${itemIndex}: Attributes (JSON) is not valid JSON: ${(error as Error).message}`,
				{ itemIndex, description: 'Enter an object {"key": value} or an array [{"key", "value", "mode"}].' },
			);
		}
	}
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
		{ itemIndex, description: 'Enter an object {"key": value} or an array [{"key", "value", "mode"}].' },
	);
}

function attributesFromUi(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	defaultMode: AttributeMode,
): unknown[] {
	const ui = parameters.get<{ attribute?: UiAttribute[] }>('attributesUi', itemIndex, {});
	return (ui.attribute ?? []).map((entry, index) => ({
		key: entry.key,
		value: typedValue.call(this, entry, index, itemIndex),
		mode: normaliseMode(entry.mode, defaultMode),
	}));
}

/** String(value), also for an object an expression handed over that has no text form (no prototype). */
function textOf(value: unknown): string {
	try {
		return String(value ?? '');
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** Converts the UI's text value to its Value Type, refusing text that is not of that type. */
function typedValue(this: IExecuteFunctions, entry: UiAttribute, index: number, itemIndex: number): unknown {
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), `Item ${itemIndex}: attributes.${index}.value ${message}`, {
			itemIndex,
			description: `Attribute "${clip(textOf(entry.key))}" has Value Type ${entry.valueType}. Change the value or the type.`,
		});
	const value = entry.value;
	switch (entry.valueType ?? 'string') {
		case 'null':
			return null;
		case 'number': {
			if (typeof value === 'number') return value;
			const text = textOf(value).trim();
			const number = Number(text);
			if (text === '' || Number.isNaN(number)) throw fail(`"${clip(text)}" is not a number`);
			return number;
		}
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			const text = textOf(value).trim().toLowerCase();
			if (text !== 'true' && text !== 'false') throw fail(`"${clip(text)}" is not true or false`);
			return text === 'true';
		}
		default:
			if (value === undefined || value === null) return '';
			// An expression may yield an object or array: String() would send "[object Object]", the schema refuses it.
			return typeof value === 'object' ? value : String(value);
	}
}
