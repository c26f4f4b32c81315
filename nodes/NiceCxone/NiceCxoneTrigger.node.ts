import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import {
	ATTRIBUTES_UPDATED_EVENT,
	DEFAULT_STUDIO_EVENT_ID_FIELD,
	MAX_CALLBACK_BODY_BYTES,
	MIN_WEBHOOK_SECRET_LENGTH,
	STUDIO_MAX_BODY_BYTES,
	STUDIO_SEEN_EVENTS_MAX,
	STUDIO_SEEN_EVENTS_MAX_BYTES,
	WEBHOOK_SECRET_HEADER,
	WEBHOOK_SECRET_HEADER_NAME,
} from './constants';
import { auditRecord, payloadHash } from './helpers/audit';
import { eventsProperty } from './helpers/descriptions';
import { recentEvents } from './helpers/recentEvents';
import { remember, seenEventsOf, wasSeen, withRecent, type SeenEvents } from './helpers/seenEvents';
import { parseStudioBody, studioEventKey, type CallRefusal } from './helpers/studioCalls';
import { noticeList, STUDIO_REST_ACTION_SETTINGS, STUDIO_SNIPPET_LINES } from './helpers/studioSnippet';
import { callbackSchema, describeZodError, webhookSchema } from './helpers/validation';
import { credentialTestMethods } from './methods/credentialTest';
import { generateWebhookSecret, isValidWebhookSecret } from './helpers/webhookSecret';
import { headerValue, WebhookApi } from './helpers/webhooks';
import { CxoneError, nodeConnection, toNodeApiError } from './transport';

type Registration = 'automatic' | 'studio';

/** What the trigger keeps in the workflow's static data. */
interface TriggerStaticData extends IDataObject {
	/** Register Automatically: the webhook registered on activation, and its secret. */
	webhookId?: string;
	webhookSecret?: string;
	/** CXone Studio Calls: the events received lately (helpers/seenEvents), kept across restarts. */
	seenEvents?: SeenEvents;
}

export class NiceCxoneTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'NICE CXone Trigger',
		name: 'niceCxoneTrigger',
		icon: { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ $parameter["registration"] === "studio" ? "Called from CXone Studio" : "Webhook registered automatically" }}',
		description: 'Starts the workflow when a CXone Studio script calls it, or on an interaction attribute change',
		defaults: { name: 'NICE CXone Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'niceCxoneApi',
				required: true,
				testedBy: 'niceCxoneApiTest',
				displayOptions: { show: { registration: ['automatic'] } },
			},
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Registration',
				name: 'registration',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Register Automatically',
						value: 'automatic',
						description:
							'For services with the tutorial contract’s webhook API (/api/v2/webhooks): register this URL on activation under a fresh secret, remove it on deactivation',
					},
					{
						name: 'CXone Studio Calls',
						value: 'studio',
						description:
							'A CXone Studio script (REST API action or SNIPPET) calls the webhook URL with a secret you choose; nothing is registered, no credential needed',
					},
				],
				default: 'automatic',
			},
			{
				displayName: `In CXone Studio, add a REST API action with these settings (the recommended way): ${noticeList(STUDIO_REST_ACTION_SETTINGS)}`,
				name: 'studioRestActionNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { registration: ['studio'] } },
			},
			{
				displayName: `Or paste this SNIPPET action and fill in the URL and secret: ${noticeList(STUDIO_SNIPPET_LINES)} Every call starts one run with the body's fields, receivedAt and an audit record; a call whose Event ID Field repeats an earlier one (Studio retries a failed call twice) starts none.`,
				name: 'studioSnippetNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { registration: ['studio'] } },
			},
			{
				displayName: 'Webhook Secret',
				name: 'webhookSecret',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description: `The value CXone Studio must send in the ${WEBHOOK_SECRET_HEADER_NAME} header: a random string of at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`,
				displayOptions: { show: { registration: ['studio'] } },
			},
			{
				displayName: 'Event ID Field',
				name: 'eventIdField',
				type: 'string',
				default: DEFAULT_STUDIO_EVENT_ID_FIELD,
				description:
					'Top-level body field that is unique per event; a call repeating a recent value starts no run. Calls without it are told apart by their exact body for a few minutes.',
				displayOptions: { show: { registration: ['studio'] } },
			},
			{
				...eventsProperty,
				description: 'Events that start the workflow; others are answered 200 and ignored',
				displayOptions: { show: { registration: ['automatic'] } },
			},
		],
	};

	methods = { credentialTest: credentialTestMethods };

	webhookMethods = {
		default: {
			/** True when CXone still has the webhook this node registered, for this URL, events and secret. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (registrationOf(this) === 'studio') {
					assertStudioSecret(this);
					return true;
				}
				const data = this.getWorkflowStaticData('node') as TriggerStaticData;
				if (typeof data.webhookId !== 'string' || typeof data.webhookSecret !== 'string') return false;
				const webhooks = await callCxone(this, async (api) => await api.list());
				const stored = webhooks.find((webhook) => webhook.id === data.webhookId);
				const current =
					stored !== undefined &&
					stored.uri === this.getNodeWebhookUrl('default') &&
					stored.enabled &&
					sameEvents(stored.events, eventsOf(this)) &&
					headerValue(stored.headers, WEBHOOK_SECRET_HEADER) === data.webhookSecret;
				if (current) return true;
				// Changed (another URL, events or secret): remove it, or it would go on receiving events
				// for a URL this node no longer serves. Gone remotely: just forget it. Either way n8n
				// then calls create for a fresh one.
				if (stored !== undefined) await callCxone(this, async (api) => await api.delete(stored.id));
				delete data.webhookId;
				delete data.webhookSecret;
				return false;
			},

			/** Registers this node's URL with a fresh secret, replacing any stale webhook for the same URL. */
			async create(this: IHookFunctions): Promise<boolean> {
				if (registrationOf(this) === 'studio') return true;
				const uri = this.getNodeWebhookUrl('default') ?? '';
				const secret = generateWebhookSecret();
				const checked = webhookSchema.safeParse({
					name: `n8n workflow ${this.getWorkflow().id ?? ''} - ${this.getNode().name}`,
					uri,
					events: eventsOf(this),
					enabled: true,
					headers: { [WEBHOOK_SECRET_HEADER_NAME]: secret },
				});
				if (!checked.success) {
					throw new NodeOperationError(
						this.getNode(),
						`Cannot register the webhook: ${describeZodError(checked.error)}`,
						{
							description:
								'Choose at least one event, and make sure the webhook URL of n8n (WEBHOOK_URL) is an absolute http(s) URL.',
						},
					);
				}
				const registration = checked.data;
				const webhook = await callCxone(this, async (api) => {
					const known = await api.list();
					// Only this node is served at this URL, and it accepts only the secret it is about to make:
					// a webhook left over from an earlier activation would just collect 401s and CXone retries.
					for (const stale of known.filter((candidate) => candidate.uri === uri)) await api.delete(stale.id);
					return (await api.createOnce(registration, known)).webhook;
				});
				const data = this.getWorkflowStaticData('node') as TriggerStaticData;
				data.webhookId = webhook.id;
				data.webhookSecret = secret;
				return true;
			},

			/** Removes the registered webhook; one CXone no longer has counts as removed. */
			async delete(this: IHookFunctions): Promise<boolean> {
				if (registrationOf(this) === 'studio') return true;
				const data = this.getWorkflowStaticData('node') as TriggerStaticData;
				if (typeof data.webhookId === 'string') {
					const webhookId = data.webhookId;
					try {
						await callCxone(this, async (api) => await api.delete(webhookId));
					} catch (error) {
						// Kept in static data, so the next activation finds and reuses or replaces it.
						this.logger.warn(
							`NICE CXone Trigger could not remove webhook ${webhookId} from CXone; it is removed on the next activation`,
							{ error: (error as Error).message },
						);
						return false;
					}
				}
				delete data.webhookId;
				delete data.webhookSecret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (registrationOf(this) === 'studio') return await receiveStudioCall(this);
		const receivedAt = new Date();
		const request = this.getRequestObject();
		const refuse = (status: number, error: string, description: string) =>
			refuseCall(this, { status, error, description });

		// The secret is checked first, so a caller without it learns nothing about what else is accepted.
		const data = this.getWorkflowStaticData('node') as TriggerStaticData;
		if (!isValidWebhookSecret(request.headers[WEBHOOK_SECRET_HEADER], data.webhookSecret ?? '')) {
			return refuse(401, 'invalid_secret', `Missing or wrong ${WEBHOOK_SECRET_HEADER_NAME} header`);
		}

		const contentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (contentType !== 'application/json') {
			return refuse(415, 'unsupported_media_type', 'Content-Type must be application/json');
		}
		const raw = rawBodyOf(request);
		if (raw.length > MAX_CALLBACK_BODY_BYTES) {
			return refuse(413, 'payload_too_large', `The body is larger than ${MAX_CALLBACK_BODY_BYTES} bytes`);
		}
		let body: unknown;
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			return refuse(400, 'invalid_json', 'The body is not valid JSON');
		}
		const parsed = callbackSchema.safeParse(body);
		if (!parsed.success) return refuse(400, 'invalid_payload', describeZodError(parsed.error));
		const event = parsed.data;

		const response = this.getResponseObject();
		if (!eventsOf(this).includes(event.eventType)) {
			response.status(200).json({ status: 'ignored', reason: `Event type ${event.eventType} is not subscribed` });
			return { noWebhookResponse: true };
		}
		if (!recentEvents.firstSeen(`webhook:${data.webhookId ?? ''}`, event.eventId)) {
			response.status(200).json({ status: 'duplicate', reason: `Event ${event.eventId} was already received` });
			return { noWebhookResponse: true };
		}

		const audit = auditRecord({
			action: 'receive_callback',
			interactionId: event.interactionId,
			status: 'success',
			latencyMs: event.callbackLatencyMs,
			payloadHash: payloadHash(raw),
			attempts: 1,
		});
		return {
			workflowData: [
				this.helpers.returnJsonArray({
					eventId: event.eventId,
					eventType: event.eventType,
					interactionId: event.interactionId,
					attributes: event.attributes,
					occurredAt: event.occurredAt,
					callbackLatencyMs: event.callbackLatencyMs,
					receivedAt: receivedAt.toISOString(),
					audit,
				}),
			],
		};
	}
}

function registrationOf(context: IHookFunctions | IWebhookFunctions): Registration {
	return context.getNodeParameter('registration', 'automatic') as Registration;
}

function eventsOf(context: IHookFunctions | IWebhookFunctions): string[] {
	const events = context.getNodeParameter('events', [ATTRIBUTES_UPDATED_EVENT]) as string[] | string;
	return Array.isArray(events) ? events : [events];
}

/** Refuses to activate with a guessable secret: for Studio calls it is the only thing keeping strangers out. */
function assertStudioSecret(context: IHookFunctions): void {
	const secret = String(context.getNodeParameter('webhookSecret', ''));
	if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
		throw new NodeOperationError(
			context.getNode(),
			`Webhook Secret must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long`,
			{
				description: `Enter a long random string, and the same value in the ${WEBHOOK_SECRET_HEADER_NAME} header in CXone Studio.`,
			},
		);
	}
}

/** Answers a call that starts no run: its status, a code and what to fix. */
function refuseCall(context: IWebhookFunctions, { status, error, description }: CallRefusal): IWebhookResponseData {
	context.getResponseObject().status(status).json({ error, error_description: description });
	return { noWebhookResponse: true };
}

/**
 * One call from a CXone Studio script (spec §9): the secret first, then size and body, then the dedupe, and a small
 * JSON 200 at once, since a slow or failing answer stops all of the business unit's REST actions for 30 s (§9a).
 * Recent events are kept in the workflow's static data, which n8n saves after every call, so a retry that comes
 * after a restart is still known; the process-wide memory also catches a retry that arrives while the first call
 * is still being saved.
 */
async function receiveStudioCall(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const startedAt = performance.now();
	const request = context.getRequestObject();
	const secret = String(context.getNodeParameter('webhookSecret', ''));
	if (!isValidWebhookSecret(request.headers[WEBHOOK_SECRET_HEADER], secret)) {
		return refuseCall(context, {
			status: 401,
			error: 'invalid_secret',
			description: `Missing or wrong ${WEBHOOK_SECRET_HEADER_NAME} header`,
		});
	}
	const raw = rawBodyOf(request);
	if (raw.length > STUDIO_MAX_BODY_BYTES) {
		return refuseCall(context, {
			status: 413,
			error: 'payload_too_large',
			description: `The body is larger than ${STUDIO_MAX_BODY_BYTES} bytes`,
		});
	}
	const body = parseStudioBody(raw, request.headers['content-type']);
	if ('refused' in body) return refuseCall(context, body.refused);
	const idField =
		String(context.getNodeParameter('eventIdField', DEFAULT_STUDIO_EVENT_ID_FIELD)).trim() ||
		DEFAULT_STUDIO_EVENT_ID_FIELD;
	const now = receivedAt.getTime();
	const event = studioEventKey(body.fields, idField, raw, now);
	if ('refused' in event) return refuseCall(context, event.refused);

	const data = context.getWorkflowStaticData('node') as TriggerStaticData;
	const limits = { maxEntries: STUDIO_SEEN_EVENTS_MAX, maxBytes: STUDIO_SEEN_EVENTS_MAX_BYTES };
	const memoryKey = `studio:${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
	// Calls handled at the same time each save the list as it was before them, so the last save drops what the
	// others added: every call puts back the events this process took lately, even a call that starts no run.
	const stored = seenEventsOf(data.seenEvents);
	const seen = withRecent(stored, recentEvents.entries(memoryKey, now), now, limits);
	const response = context.getResponseObject();
	if (wasSeen(seen, event.key, now) || !recentEvents.firstSeen(memoryKey, event.key, event.expiresAt, now)) {
		if (seen !== stored) data.seenEvents = seen;
		response.status(200).json({ ok: true, duplicate: true });
		return { noWebhookResponse: true };
	}
	data.seenEvents = remember(seen, event.key, event.expiresAt, now, limits);

	const contactId = body.fields.contactId;
	const audit = auditRecord({
		action: 'receive_studio_call',
		interactionId: typeof contactId === 'string' || typeof contactId === 'number' ? String(contactId) : null,
		status: 'success',
		latencyMs: performance.now() - startedAt,
		payloadHash: payloadHash(raw),
		attempts: 1,
	});
	response.status(200).json({ ok: true });
	return {
		noWebhookResponse: true,
		workflowData: [context.helpers.returnJsonArray({ ...body.fields, receivedAt: receivedAt.toISOString(), audit })],
	};
}

const sameEvents = (a: string[] = [], b: string[]) => a.length === b.length && a.every((event) => b.includes(event));

/** The bytes n8n received; `rawBody` is there for every webhook n8n parsed, the parsed body otherwise. */
function rawBodyOf(request: { rawBody?: unknown; body?: unknown }): Buffer {
	if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
	if (typeof request.body === 'string') return Buffer.from(request.body, 'utf8');
	return Buffer.from(JSON.stringify(request.body ?? null), 'utf8');
}

/** Runs `work` with the node's credentials, turning CXone failures into errors n8n shows with a hint. */
async function callCxone<T>(context: IHookFunctions, work: (api: WebhookApi) => Promise<T>): Promise<T> {
	const api = new WebhookApi(context, await nodeConnection(context));
	try {
		return await work(api);
	} catch (error) {
		throw error instanceof CxoneError
			? toNodeApiError(context.getNode(), error)
			: new NodeOperationError(context.getNode(), error as Error);
	}
}
