/**
 * Runs the built NICE CXone Trigger the way n8n does: its webhookMethods through n8n-core's HookContext,
 * and every HTTP call through a real 127.0.0.1 receiver that builds the request and response objects
 * like n8n's webhook server and calls webhook() through n8n-core's WebhookContext.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';

import { HookContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { loadBuilt, loadBuiltFresh } from './built';
import { additionalData } from './runWorkflow';

const TRIGGER_MODULE = 'nodes/NiceCxone/NiceCxoneTrigger.node.js';
type TriggerModule = { NiceCxoneTrigger: new () => INodeType };
const { NiceCxoneTrigger } = loadBuilt<TriggerModule>(TRIGGER_MODULE);

export const TRIGGER_TYPE = 'n8n-nodes-nice-cxone.niceCxoneTrigger';

/** Larger than the trigger's own limit, like n8n's payloadSizeMax (16 MiB), so the node's check is what refuses. */
const RECEIVER_MAX_BYTES = 16 * 1024 * 1024;

/** One HTTP call the receiver handled. */
export interface ReceivedCall {
	path: string;
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
	status: number;
	/** The JSON the response carried, if any. */
	response: unknown;
	/** Whether webhook() returned workflowData with items, i.e. n8n would have started a run. */
	ran: boolean;
}

type HookName = 'checkExists' | 'create' | 'delete';

/** n8n's modes for each webhook method: production activation, or the editor listening for a test call. */
const HOOK_MODES: Record<'production' | 'test', Record<HookName, [WorkflowExecuteMode, WorkflowActivateMode]>> = {
	production: {
		checkExists: ['trigger', 'activate'],
		create: ['trigger', 'activate'],
		delete: ['internal', 'update'],
	},
	test: {
		checkExists: ['manual', 'manual'],
		create: ['manual', 'manual'],
		delete: ['internal', 'update'],
	},
};

/** What a harness takes over from an earlier one, as n8n keeps it in its database across a restart. */
interface Persisted {
	node: INode;
	workflowId: string;
	staticData: IDataObject;
}

export class TriggerHarness {
	readonly nodeType: INodeType;
	readonly node: INode;
	readonly workflow: Workflow;
	readonly calls: ReceivedCall[] = [];
	/** The workflowData of every run webhook() asked n8n to start. */
	readonly runs: INodeExecutionData[][][] = [];
	/** Answers 500 instead of 200 to this many upcoming calls that started a run, as if n8n failed to answer. */
	failNext = 0;
	/**
	 * Closes the connection instead of sending the node's own answer for this many upcoming calls that started a
	 * run, as if the answer was lost on the way back: the caller sees no answer, and n8n has started the run.
	 */
	dropNextAnswers = 0;

	private readonly server: http.Server;
	private base: IWorkflowExecuteAdditionalData;
	private readonly test: boolean;

	constructor(
		private readonly credentials: ICredentialDataDecryptedObject,
		parameters: INodeParameters,
		options: { test?: boolean; persisted?: Persisted; nodeType?: INodeType } = {},
	) {
		this.test = options.test ?? false;
		this.nodeType = options.nodeType ?? new NiceCxoneTrigger();
		this.node = options.persisted?.node ?? {
			id: randomUUID(),
			name: 'NICE CXone Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters,
			credentials: { niceCxoneApi: { id: 'cred-1', name: 'Sandbox' } },
		};
		const nodeTypes: INodeTypes = {
			getByName: () => this.nodeType,
			getByNameAndVersion: () => this.nodeType,
			getKnownTypes: () => ({}),
		};
		this.workflow = new Workflow({
			id: options.persisted?.workflowId ?? `wf-${randomUUID().slice(0, 8)}`,
			name: 'trigger test',
			nodes: [this.node],
			connections: {},
			active: !this.test,
			nodeTypes,
			staticData: options.persisted?.staticData ?? {},
			settings: { executionOrder: 'v1' },
		});
		this.base = additionalData(credentials);
		this.server = http.createServer((req, res) => {
			this.receive(req, res).catch((error: unknown) => {
				if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ message: String(error) }));
			});
		});
	}

	/** Listens on `port` (a free one when 0), e.g. the port of the trigger before a restart. */
	async start(port = 0): Promise<this> {
		await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
		const origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		this.base = {
			...additionalData(this.credentials),
			webhookBaseUrl: `${origin}/webhook`,
			webhookTestBaseUrl: `${origin}/webhook-test`,
		};
		return this;
	}

	/**
	 * This trigger after an n8n restart: the same workflow and node with the static data as n8n stored it, and a
	 * fresh load of the built package, so nothing the old process kept in memory carries over. Not started yet.
	 */
	restarted(): TriggerHarness {
		const { NiceCxoneTrigger: FreshTrigger } = loadBuiltFresh<TriggerModule>(TRIGGER_MODULE);
		return new TriggerHarness(this.credentials, this.node.parameters, {
			test: this.test,
			nodeType: new FreshTrigger(),
			persisted: {
				node: this.node,
				workflowId: this.workflow.id,
				staticData: JSON.parse(JSON.stringify(this.workflow.staticData)) as IDataObject,
			},
		});
	}

	/** Serves the production webhooks under another path, as after a change of n8n's WEBHOOK_URL. */
	moveWebhookBase(path: string): void {
		const origin = new URL(String(this.base.webhookBaseUrl)).origin;
		this.base = { ...this.base, webhookBaseUrl: `${origin}${path}` };
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** The URL n8n serves this node's webhook at (production, or test while the editor listens). */
	get url(): string {
		return `${this.test ? this.base.webhookTestBaseUrl : this.base.webhookBaseUrl}/${this.node.webhookId}/webhook`;
	}

	/** The node's static data, where the trigger keeps the webhook id and secret. */
	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	/** Calls one of the node's webhook methods as n8n does on activation or deactivation. */
	async hook(name: HookName): Promise<boolean> {
		const [mode, activation] = HOOK_MODES[this.test ? 'test' : 'production'][name];
		const context = new HookContext(this.workflow, this.node, this.base, mode, activation, this.webhookData());
		const method = this.nodeType.webhookMethods?.default?.[name];
		if (!method) throw new Error(`The trigger has no webhook method ${name}`);
		return await method.call(context);
	}

	/** POSTs straight to the node's URL, as a caller other than the sandbox would. */
	async post(
		body: string | Buffer,
		headers: Record<string, string> = {},
	): Promise<{ status: number; body: unknown }> {
		const response = await fetch(this.url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', ...headers },
			body,
		});
		const text = await response.text();
		return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
	}

	private webhookData(): IWebhookData {
		const description = this.nodeType.description.webhooks?.[0];
		if (!description) throw new Error('The trigger describes no webhook');
		return {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/webhook`,
			webhookDescription: description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: this.base,
			webhookId: this.node.webhookId,
			isTest: this.test || undefined,
		};
	}

	/** What n8n's webhook server does for one call: body parsing, webhook(), then the onReceived answer. */
	private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of req as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size > RECEIVER_MAX_BYTES) throw new Error('request too large for the test receiver');
			chunks.push(chunk);
		}
		const rawBody = Buffer.concat(chunks);
		const call: ReceivedCall = {
			path: req.url ?? '',
			headers: req.headers,
			rawBody,
			status: 0,
			response: undefined,
			ran: false,
		};
		this.calls.push(call);

		const request = Object.assign(req, {
			rawBody,
			body: parsedBody(req, rawBody),
			params: {},
			query: {},
		});
		const held = this.dropNextAnswers > 0 ? holdAnswer(res) : undefined;
		const response = expressResponse(res, (value) => (call.response = value));
		const context = new WebhookContext(
			this.workflow,
			this.node,
			{ ...this.base, httpRequest: request as never, httpResponse: response as never },
			this.test ? 'manual' : 'webhook',
			this.webhookData(),
			[],
			null,
		);

		let result: IWebhookResponseData;
		try {
			result = await (this.nodeType.webhook as NonNullable<INodeType['webhook']>).call(context);
		} catch (error) {
			response.status(500).json({ code: 0, message: (error as Error).message });
			call.status = 500;
			return;
		}
		call.ran = (result.workflowData ?? []).some((output) => output.length > 0);
		if (call.ran) this.runs.push(result.workflowData as INodeExecutionData[][]);
		if (held && call.ran) {
			this.dropNextAnswers--;
			call.status = -1;
			res.destroy();
			return;
		}
		held?.release();
		if (result.noWebhookResponse === true) {
			// The node promised to answer itself; a missing answer would hang CXone until its timeout.
			if (!res.writableEnded) response.status(500).json({ message: 'The node answered nothing' });
		} else if (this.failNext > 0 && call.ran) {
			this.failNext--;
			response.status(500).json({ message: 'Injected failure after the run started' });
		} else {
			response.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
		}
		call.status = res.statusCode;
	}
}

/**
 * The parsed body n8n hands a node (n8n's parseBody: JSON, form fields, text). Where n8n itself would refuse a
 * body with invalid JSON (422), the receiver passes it on with an empty body, so that the trigger's own check on
 * rawBody is what is tested.
 */
function parsedBody(req: http.IncomingMessage, rawBody: Buffer): unknown {
	const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	if (rawBody.length === 0) return {};
	if (type === 'application/json') {
		try {
			return JSON.parse(rawBody.toString('utf8')) as unknown;
		} catch {
			return {};
		}
	}
	if (type === 'application/x-www-form-urlencoded') return { ...parseQueryString(rawBody.toString('utf8')) };
	return type.startsWith('text/') ? rawBody.toString('utf8') : {};
}

/** Keeps what a node writes to `res` until release(), so the harness can still drop the answer. */
function holdAnswer(res: http.ServerResponse): { release(): void } {
	const end = res.end;
	let held: unknown[] | undefined;
	res.end = ((...args: unknown[]) => {
		held = args;
		return res;
	}) as typeof res.end;
	return {
		release() {
			res.end = end;
			if (held) (end as (...args: unknown[]) => void).apply(res, held);
		},
	};
}

/** The Express methods n8n's response object offers nodes: status(), json(), send(), end(), setHeader(). */
function expressResponse(res: http.ServerResponse, sent: (value: unknown) => void) {
	const response = Object.assign(res, {
		status(code: number) {
			res.statusCode = code;
			return response;
		},
		json(value: unknown) {
			sent(value);
			if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
			res.end(JSON.stringify(value));
			return response;
		},
		send(value: unknown) {
			if (typeof value === 'string' || Buffer.isBuffer(value)) {
				sent(value);
				res.end(value);
				return response;
			}
			return response.json(value);
		},
	});
	return response;
}

/** A callback body of contract §4 with a fresh eventId; `overrides` replace or add fields. */
export const callbackEvent = (overrides: Record<string, unknown> = {}) =>
	JSON.stringify({
		eventId: `evt_${randomUUID().replace(/-/g, '')}`,
		eventType: 'interaction.attributes.updated',
		interactionId: 'int-42',
		attributes: [{ key: 'campaign_id', value: '12345', mode: 'UPDATE' }],
		occurredAt: '2024-05-15T14:32:10.000Z',
		callbackLatencyMs: 42,
		...overrides,
	});

/** The secret the trigger registered on activation, from its static data. */
export const secretOf = (trigger: TriggerHarness) => String(trigger.staticData.webhookSecret);
