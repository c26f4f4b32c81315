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
import { CxoneError, nodeCredentials, RateLimiter, toNodeApiError, type CxoneCredentials } from '../transport';
import * as updateAttributes from './attributes/update.operation';
import * as registerWebhook from './webhooks/register.operation';

/** What the router needs to run one validated item. */
export interface PreparedItem {
	interactionId: string | null;
	/** sha256 of the body that will be sent, known before sending. */
	payloadHash: string | null;
	send: (run: RunContext) => Promise<SentItem>;
}

export interface SentItem {
	latencyMs: number;
	attempts: number;
	/** Extra fields for the item's output next to the audit record. */
	output?: IDataObject;
}

/** Settings shared by all items of one run. */
export interface RunContext {
	credentials: CxoneCredentials;
	limiter?: RateLimiter;
	timeoutMs: number;
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
	prepare(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): Promise<PreparedItem>;
	runOptions?(this: IExecuteFunctions, parameters: RunParameters): Partial<RunOptions>;
}

const operations: Record<string, Operation> = {
	updateAttributes,
	registerWebhook,
};

type Outcome =
	| { ok: true; prepared: PreparedItem; sent: SentItem }
	| { ok: false; prepared?: PreparedItem; error: NodeApiError | NodeOperationError };

/**
 * Runs the chosen operation over all items: every item is validated before any call, calls run
 * concurrently under the rate limit, and every item yields exactly one output in input order.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = operations[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported`);
	}
	const parameters = new RunParameters(this);
	const options: RunOptions = {
		concurrency: DEFAULT_CONCURRENCY,
		maxRequestsPerSecond: DEFAULT_MAX_REQUESTS_PER_SECOND,
		timeoutMs: DEFAULT_TIMEOUT_MS,
		addRunSummary: false,
		...operation.runOptions?.call(this, parameters),
	};
	const continueOnFail = this.continueOnFail();

	let credentials: CxoneCredentials | undefined;
	let credentialsError: unknown;
	try {
		credentials = await nodeCredentials(this);
	} catch (error) {
		credentialsError = error;
	}

	const outcomes: Outcome[] = new Array(items.length);
	const pending: Array<{ index: number; prepared: PreparedItem }> = [];
	for (let index = 0; index < items.length; index++) {
		try {
			if (credentialsError) throw credentialsError;
			pending.push({ index, prepared: await operation.prepare.call(this, index, parameters) });
		} catch (error) {
			const failure = asNodeError.call(this, error, index);
			if (!continueOnFail) throw failure;
			outcomes[index] = { ok: false, error: failure };
		}
	}

	const run: RunContext = {
		credentials: credentials as CxoneCredentials,
		limiter: options.maxRequestsPerSecond > 0 ? new RateLimiter(options.maxRequestsPerSecond) : undefined,
		timeoutMs: options.timeoutMs,
	};
	let stopError: NodeApiError | NodeOperationError | undefined;
	let next = 0;
	const worker = async () => {
		while (next < pending.length && !stopError) {
			const { index, prepared } = pending[next++];
			try {
				outcomes[index] = { ok: true, prepared, sent: await prepared.send(run) };
			} catch (error) {
				const failure = asNodeError.call(this, error, index);
				outcomes[index] = { ok: false, prepared, error: failure };
				if (!continueOnFail) stopError ??= failure;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
	if (stopError) throw stopError;

	const records: AuditRecord[] = [];
	const output: INodeExecutionData[] = outcomes.map((outcome, index) => {
		const record = recordOf(operation.action, outcome);
		records.push(record);
		const extra: IDataObject = outcome.ok
			? (outcome.sent.output ?? {})
			: { error: outcome.error.message, hint: outcome.error.description ?? null };
		return { json: { ...record, ...extra }, pairedItem: { item: index } };
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
	const cause = outcome.ok ? undefined : outcome.error.cause;
	return auditRecord({
		action,
		interactionId: outcome.prepared?.interactionId ?? null,
		status: outcome.ok ? 'success' : 'failure',
		latencyMs: outcome.ok ? outcome.sent.latencyMs : cause instanceof CxoneError ? cause.latencyMs : 0,
		payloadHash: outcome.prepared?.payloadHash ?? null,
		errorCode: outcome.ok ? null : cause instanceof CxoneError ? cause.auditCode : 'validation_error',
		attempts: outcome.ok ? outcome.sent.attempts : cause instanceof CxoneError ? cause.attempts : 0,
	});
}

/** Turns whatever an item threw into the n8n error users see, naming the item. */
function asNodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof CxoneError) return toNodeApiError(this.getNode(), error, itemIndex);
	if (error instanceof NodeOperationError || error instanceof NodeApiError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(this.getNode(), `Item ${itemIndex}: ${(error as Error).message}`, { itemIndex });
}
