import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_TIMEOUT_MS } from '../constants';
import { auditRecord, runSummary, type AuditAction, type AuditRecord } from '../helpers/audit';
import { RunParameters } from '../helpers/parameters';
import {
	CxoneError,
	cxoneRequest,
	nodeConnection,
	toNodeApiError,
	type Authentication,
	type CxoneConnection,
	type CxoneRequest,
	type HttpHelpers,
} from '../transport';
import { operationFor } from './operations';

/** What the router needs to run one validated item. */
export interface PreparedItem {
	/** sha256 of the body that will be sent, known before sending. */
	payloadHash: string | null;
	send: (run: RunContext) => Promise<SentItem>;
}

/** The ID an item acts on, set by prepare as soon as it is valid, so a record of a refused item keeps it. */
export interface ItemTarget {
	interactionId: string | null;
}

/** What sending one item came to: the figures of its audit record, and its output or its failure. */
export interface SentItem {
	latencyMs: number;
	attempts: number;
	/** Extra fields for the item's output next to the audit record. */
	output?: IDataObject;
	error?: CxoneError | NodeOperationError;
	/** The audit record's error_code when `error` is not CXone's own. */
	errorCode?: string;
}

/** Settings and state shared by all items of one run. */
export interface RunContext {
	http: HttpHelpers;
	connection: CxoneConnection;
	/** Ceiling of the tenant's shared limiter for this run; 0 sends without it. */
	maxRequestsPerSecond: number;
	timeoutMs: number;
	/** What the run looked up once for all its items (field definitions, per-contact queues), by key. */
	shared: Map<string, unknown>;
}

/**
 * Sends one item's CXone call with the run's timeout and limiter ceiling, as the router's SentItem: the call's
 * figures, and on success what `outcome` makes of CXone's answer (output fields, or a failure CXone reported in a 2xx).
 */
export async function sendItem<T = unknown>(
	run: RunContext,
	request: CxoneRequest,
	outcome: (data: T) => Pick<SentItem, 'output' | 'error'> = () => ({}),
): Promise<SentItem> {
	const result = await cxoneRequest<T>(run.http, run.connection, {
		timeoutMs: run.timeoutMs,
		maxRequestsPerSecond: run.maxRequestsPerSecond,
		...request,
	});
	const { latencyMs, attempts } = result;
	return result.ok ? { latencyMs, attempts, ...outcome(result.data) } : { latencyMs, attempts, error: result.error };
}

export interface RunOptions {
	concurrency: number;
	maxRequestsPerSecond: number;
	timeoutMs: number;
	addRunSummary: boolean;
}

export interface Operation {
	action: AuditAction;
	description: INodeProperties[];
	/** Reads and validates one item before anything is sent; throws NodeOperationError for bad input. */
	prepare(
		this: IExecuteFunctions,
		itemIndex: number,
		parameters: RunParameters,
		target: ItemTarget,
		run: RunContext,
	): Promise<PreparedItem>;
	runOptions?(this: IExecuteFunctions, parameters: RunParameters): Partial<RunOptions>;
}

type ItemError = NodeApiError | NodeOperationError;

type Outcome =
	| { sent: true; target: ItemTarget; prepared: PreparedItem; result: SentItem; error?: ItemError }
	| { sent: false; interactionId: string | null; error: ItemError };

/**
 * Runs the chosen operation over all items: every item is validated before any call, calls run
 * concurrently under the tenant's limiter, and every item yields exactly one output in input order.
 * Without Continue On Fail the first failure stops the node, as n8n does for any node.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as string;
	const resource = this.getNodeParameter('resource', 0, '') as string;
	const operation = operationFor(resource, operationName);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}
	const authentication = this.getNodeParameter('authentication', 0, 'clientCredentials') as Authentication;
	const parameters = new RunParameters(this);
	const options: RunOptions = {
		concurrency: DEFAULT_CONCURRENCY,
		maxRequestsPerSecond: DEFAULT_MAX_REQUESTS_PER_SECOND,
		timeoutMs: DEFAULT_TIMEOUT_MS,
		addRunSummary: false,
		...operation.runOptions?.call(this, parameters),
	};
	const continueOnFail = this.continueOnFail();
	// A broken credential fails every item, each with its record when Continue On Fail is on.
	const connection = await nodeConnection(this, authentication).catch((error: unknown) =>
		error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error),
	);
	const run: RunContext = {
		http: this,
		connection: connection as CxoneConnection,
		maxRequestsPerSecond: options.maxRequestsPerSecond,
		timeoutMs: options.timeoutMs,
		shared: new Map(),
	};

	const outcomes: Outcome[] = new Array(items.length);
	const pending: Array<{ index: number; target: ItemTarget; prepared: PreparedItem }> = [];
	for (let index = 0; index < items.length; index++) {
		const target: ItemTarget = { interactionId: null };
		try {
			if (connection instanceof NodeOperationError) throw connection;
			pending.push({ index, target, prepared: await operation.prepare.call(this, index, parameters, target, run) });
		} catch (error) {
			const refusal = withItem(
				error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error),
				index,
			);
			if (!continueOnFail) throw refusal;
			outcomes[index] = { sent: false, interactionId: target.interactionId, error: refusal };
		}
	}

	let stopError: ItemError | undefined;
	let next = 0;
	const worker = async () => {
		while (next < pending.length && !stopError) {
			const { index, target, prepared } = pending[next++];
			const result = await prepared.send(run);
			const error = result.error && asNodeError.call(this, result.error, index);
			outcomes[index] = { sent: true, target, prepared, result, error };
			if (error && !continueOnFail) stopError ??= error;
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
	if (stopError) throw stopError;

	// n8n 1.x moves an item to the error output only when its json holds nothing but `error` (2.x also
	// allows message and details), so there the failure record travels as `error`; elsewhere it is the item.
	const toErrorOutput = this.getNode().onError === 'continueErrorOutput';
	const records: AuditRecord[] = [];
	const output: INodeExecutionData[] = outcomes.map((outcome, index) => {
		const record = recordOf(operation.action, outcome);
		records.push(record);
		const pairedItem = { item: index };
		if (outcome.error) {
			const failure = { ...record, error: outcome.error.message, hint: outcome.error.description ?? null };
			return {
				json: toErrorOutput ? { error: failure } : failure,
				pairedItem,
			};
		}
		return { json: { ...record, ...(outcome.sent ? outcome.result.output : {}) }, pairedItem };
	});
	if (options.addRunSummary) {
		output.push({
			json: { run_summary: true, action: operation.action, ...runSummary(records) },
			pairedItem: items.map((_, item) => ({ item })),
		});
	}
	return [output];
}

function recordOf(action: AuditAction, outcome: Outcome): AuditRecord {
	if (!outcome.sent) {
		return auditRecord({
			action,
			interactionId: outcome.interactionId,
			status: 'failure',
			latencyMs: 0,
			payloadHash: null,
			errorCode: 'validation_error',
			attempts: 0,
		});
	}
	const { target, prepared, result } = outcome;
	return auditRecord({
		action,
		interactionId: target.interactionId,
		status: result.error ? 'failure' : 'success',
		latencyMs: result.latencyMs,
		payloadHash: prepared.payloadHash,
		errorCode: result.error
			? (result.errorCode ?? (result.error instanceof CxoneError ? result.error.auditCode : 'error'))
			: null,
		attempts: result.attempts,
	});
}

/** The error with the item it belongs to, for n8n's error view. */
function withItem(error: NodeOperationError, itemIndex: number): NodeOperationError {
	error.context.itemIndex ??= itemIndex;
	return error;
}

/** A failed call as the n8n error users see, naming the item. */
function asNodeError(
	this: IExecuteFunctions,
	error: CxoneError | NodeOperationError,
	itemIndex: number,
): ItemError {
	return error instanceof CxoneError ? toNodeApiError(this.getNode(), error, itemIndex) : withItem(error, itemIndex);
}
