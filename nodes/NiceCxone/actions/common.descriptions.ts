import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_TIMEOUT_MS, MAX_CONCURRENCY } from '../constants';
import type { RunParameters } from '../helpers/parameters';
import type { IdSource } from '../helpers/itemInput';
import type { RunOptions } from './router';

type Show = NonNullable<IDisplayOptions['show']>;

/** The Options collection every sending operation has: run summary, concurrency, rate ceiling, timeout, and `extra`. */
export function runOptionsProperty(show: Show, extra: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: (
			[
			{
				displayName: 'Add Run Summary',
				name: 'addRunSummary',
				type: 'boolean',
				default: false,
				description:
					'Whether to add one extra item with run_summary, action, total_requests, success_count, failure_count, success_rate_percent and average_latency_ms',
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
				default: DEFAULT_CONCURRENCY,
				description: 'How many items are sent to CXone at the same time',
			},
			...extra,
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
		] satisfies INodeProperties[]
		).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** The run's settings from the Options collection, clamped to what the limiter and the worker pool accept. */
export function runOptions(this: IExecuteFunctions, parameters: RunParameters): Partial<RunOptions> {
	const options = parameters.get<IDataObject>('options', 0, {});
	return {
		concurrency: Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(Number(options.concurrency ?? DEFAULT_CONCURRENCY)))),
		maxRequestsPerSecond: Math.max(0, Number(options.maxRequestsPerSecond ?? DEFAULT_MAX_REQUESTS_PER_SECOND)),
		timeoutMs: Math.max(1, Number(options.timeout ?? DEFAULT_TIMEOUT_MS)),
		addRunSummary: options.addRunSummary === true,
	};
}

/** The input style selector of an operation that takes several values per item. */
export function inputStyleProperty(
	name: string,
	displayName: string,
	show: Show,
	descriptions: { autoMap: string; fields: string; json: string },
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		options: [
			{ name: 'Map Automatically', value: 'autoMap', description: descriptions.autoMap },
			{ name: 'Using Fields Below', value: 'fields', description: descriptions.fields },
			{ name: 'Using JSON', value: 'json', description: descriptions.json },
		],
		default: 'fields',
		displayOptions: { show },
	};
}

/**
 * The ID parameter, and under Map Automatically the parameters naming its input field and the fields not to send.
 * `inputStyle` names the operation's input style parameter, or is undefined when the operation has none.
 */
export function idProperties(
	source: IdSource,
	show: Show,
	field: Pick<INodeProperties, 'placeholder' | 'description'>,
	inputStyle?: string,
): INodeProperties[] {
	const idProperty: INodeProperties = {
		displayName: source.label,
		name: source.parameter,
		type: 'string',
		required: true,
		default: '',
		...field,
		displayOptions: inputStyle ? { show, hide: { [inputStyle]: ['autoMap'] } } : { show },
	};
	if (!inputStyle) return [idProperty];
	const autoMap = { show: { ...show, [inputStyle]: ['autoMap'] } };
	return [
		idProperty,
		{
			displayName: `${source.label} Field`,
			name: source.fieldParameter,
			type: 'string',
			required: true,
			default: `${source.defaultField}`,
			description: `Name of the input field holding the ${source.label}; it is not sent as data`,
			displayOptions: autoMap,
		},
		{
			displayName: 'Fields to Ignore',
			name: 'fieldsToIgnore',
			type: 'string',
			default: '',
			placeholder: 'e.g. deal_id, owner',
			description: 'Comma-separated names of input fields not to send',
			displayOptions: autoMap,
		},
	];
}
