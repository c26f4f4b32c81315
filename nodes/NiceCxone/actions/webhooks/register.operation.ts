import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import { ATTRIBUTES_UPDATED_EVENT, DEFAULT_TIMEOUT_MS } from '../../constants';
import { payloadHash } from '../../helpers/audit';
import { eventsProperty } from '../../helpers/descriptions';
import type { RunParameters } from '../../helpers/parameters';
import { parseOrThrow, webhookSchema, type WebhookRegistration } from '../../helpers/validation';
import { findMatching, redactedRegistrationBody, WebhookApi, type StoredWebhook } from '../../helpers/webhooks';
import { CxoneError } from '../../transport';
import type { PreparedItem, RunOptions, SentItem } from '../router';

export const action = 'register_webhook';

const show = { operation: ['registerWebhook'] };

/** The editor's labels of the fields the registration body is built from, for errors. */
const FIELD_LABELS: Record<string, string> = {
	name: 'Name',
	uri: 'Callback URL',
	events: 'Events',
	enabled: 'Enabled',
	headers: 'Headers',
};

/** An HTTP header name (RFC 9110 token): anything else would break CXone's callbacks, not the registration. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const description: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'webhookName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. analytics_sync',
		description: 'Name of the webhook in CXone; together with the Callback URL it identifies the webhook',
		displayOptions: { show },
	},
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/cxone',
		description: 'Absolute http(s) URL CXone POSTs each event to',
		displayOptions: { show },
	},
	{ ...eventsProperty, displayOptions: { show } },
	{
		displayName: 'Enabled',
		name: 'enabled',
		type: 'boolean',
		default: true,
		description: 'Whether CXone delivers events to the webhook right away',
		displayOptions: { show },
	},
	{
		displayName: 'Headers',
		name: 'headersUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Header',
		default: {},
		description: 'Headers CXone sends with every callback, for example a secret the receiver checks',
		displayOptions: { show },
		options: [
			{
				name: 'header',
				displayName: 'Header',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. X-Webhook-Secret' },
					{ displayName: 'Value', name: 'value', type: 'string', typeOptions: { password: true }, default: '' },
				],
			},
		],
	},
	{
		displayName: 'If It Already Exists',
		name: 'ifExists',
		type: 'options',
		options: [
			{
				name: 'Reuse',
				value: 'reuse',
				description: 'Return the webhook with the same name and Callback URL instead of registering another',
			},
			{
				name: 'Create Another',
				value: 'createAnother',
				description: 'Register a new webhook even if one with the same name and Callback URL exists',
			},
			{
				name: 'Fail',
				value: 'fail',
				description: 'Fail the item if a webhook with the same name and Callback URL exists',
			},
		],
		default: 'reuse',
		description: 'What to do when CXone already has a webhook with this name and Callback URL',
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
				displayName: 'Include Webhook',
				name: 'includeWebhook',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the webhook as CXone stores it to the output item. Header values are replaced by [redacted], as they often hold secrets.',
			},
			{
				displayName: 'Timeout',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_TIMEOUT_MS,
				description: 'Milliseconds to wait for each call to CXone before it counts as failed',
			},
		],
	},
];

type IfExists = 'reuse' | 'createAnother' | 'fail';

/**
 * One registration at a time: two items registering the same name and URL at once would each miss the
 * other's webhook in the list, and a retried POST could take the other item's webhook for its own.
 */
export function runOptions(this: IExecuteFunctions, parameters: RunParameters): Partial<RunOptions> {
	const options = parameters.get<IDataObject>('options', 0, {});
	return { concurrency: 1, timeoutMs: Math.max(1, Number(options.timeout ?? DEFAULT_TIMEOUT_MS)) };
}

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
): Promise<PreparedItem> {
	const registration = parseOrThrow(
		this.getNode(),
		webhookSchema,
		{
			name: parameters.get('webhookName', itemIndex),
			uri: String(parameters.get('callbackUrl', itemIndex, '')).trim(),
			events: parameters.get('events', itemIndex, [ATTRIBUTES_UPDATED_EVENT]),
			enabled: parameters.get('enabled', itemIndex, true),
			headers: headersOf.call(this, itemIndex, parameters),
		},
		itemIndex,
		{ place: ([field, ...rest]) => [FIELD_LABELS[String(field)] ?? String(field), ...rest].join('.') },
	);
	const ifExists = parameters.get<IfExists>('ifExists', itemIndex, 'reuse');
	const includeWebhook = parameters.get<IDataObject>('options', itemIndex, {}).includeWebhook === true;

	return {
		payloadHash: payloadHash(redactedRegistrationBody(registration)),
		send: async (run): Promise<SentItem> => {
			const api = new WebhookApi(run.http, run.connection, {
				timeoutMs: run.timeoutMs,
				maxRequestsPerSecond: run.maxRequestsPerSecond,
			});
			try {
				const known = await api.list();
				const existing = findMatching(known, registration.name, registration.uri);
				if (existing && ifExists === 'fail') {
					return {
						latencyMs: api.latencyMs,
						attempts: api.attempts,
						error: alreadyExists.call(this, existing, itemIndex),
						errorCode: 'webhook_exists',
					};
				}
				let webhook: StoredWebhook;
				let result: 'created' | 'recovered' | 'reused';
				if (existing && ifExists === 'reuse') {
					webhook = existing;
					result = 'reused';
				} else {
					const created = await api.createOnce(registration, known);
					webhook = created.webhook;
					result = created.recovered ? 'recovered' : 'created';
				}
				const differing = result === 'reused' ? differingFields(webhook, registration) : [];
				return {
					latencyMs: api.latencyMs,
					attempts: api.attempts,
					output: {
						webhook_id: webhook.id,
						webhook_result: result,
						...(differing.length > 0 ? { differing_fields: differing } : {}),
						...(includeWebhook ? { webhook: redacted(webhook) } : {}),
					},
				};
			} catch (error) {
				return { latencyMs: api.latencyMs, attempts: api.attempts, error: error instanceof CxoneError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex }) };
			}
		},
	};
}

/** The Headers list as the API's map, refusing names HTTP would not carry and names given twice. */
function headersOf(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): Record<string, string> {
	const ui = parameters.get<{ header?: Array<{ name?: unknown; value?: unknown }> }>('headersUi', itemIndex, {});
	const headers: Record<string, string> = {};
	const seen = new Set<string>();
	(ui.header ?? []).forEach((header, index) => {
		const name = String(header.name ?? '').trim();
		const fail = (message: string) =>
			new NodeOperationError(this.getNode(), `Item ${itemIndex}: Header ${index + 1} Name ${message}`, {
				itemIndex,
				description: 'Nothing was sent to CXone for this item. Fix the header named above and run again.',
			});
		if (!HEADER_NAME.test(name)) throw fail(`"${name}" is not a valid HTTP header name`);
		// Header names are case-insensitive: "X-Secret" and "x-secret" would be one header with two values.
		if (seen.has(name.toLowerCase())) throw fail(`"${name}" appears more than once`);
		seen.add(name.toLowerCase());
		headers[name] = String(header.value ?? '');
	});
	return headers;
}

/** The "Fail" choice: nothing is registered, and the user learns which webhook is in the way. */
function alreadyExists(this: IExecuteFunctions, existing: StoredWebhook, itemIndex: number): NodeOperationError {
	return new NodeOperationError(
		this.getNode(),
		`Item ${itemIndex}: CXone already has webhook ${existing.id} named "${existing.name}" for ${existing.uri}`,
		{
			itemIndex,
			description:
				'Nothing was registered. Set "If It Already Exists" to Reuse to use that webhook, or delete it in CXone first.',
		},
	);
}

/** Fields of a reused webhook that differ from what this item asked for. */
function differingFields(webhook: StoredWebhook, wanted: WebhookRegistration): string[] {
	const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((entry) => b.includes(entry));
	const headerEntries = (headers: Record<string, string> = {}) =>
		Object.entries(headers).map(([name, value]) => `${name.toLowerCase()}\n${value}`);
	return [
		...(sameSet(webhook.events ?? [], wanted.events) ? [] : ['events']),
		...(webhook.enabled === wanted.enabled ? [] : ['enabled']),
		...(sameSet(headerEntries(webhook.headers), headerEntries(wanted.headers)) ? [] : ['headers']),
	];
}

function redacted(webhook: StoredWebhook): IDataObject {
	const headers = Object.fromEntries(Object.keys(webhook.headers ?? {}).map((name) => [name, '[redacted]']));
	return { ...webhook, headers };
}
