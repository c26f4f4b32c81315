import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { AUDIT_SERVICE } from '../constants';

export type AuditAction =
	| 'update_attributes'
	| 'register_webhook'
	| 'receive_callback'
	| 'signal_contact'
	| 'update_business_data'
	| 'add_contact_tags'
	| 'set_case_custom_fields'
	| 'remove_case_custom_field'
	| 'get_case'
	| 'set_customer_custom_fields'
	| 'remove_customer_custom_field'
	| 'get_customer'
	| 'receive_studio_call';

/** One audit record (contract §6) plus the attempts the call took. */
export interface AuditRecord extends IDataObject {
	timestamp: string;
	service: string;
	interaction_id: string | null;
	action: AuditAction;
	status: 'success' | 'failure';
	latency_ms: number;
	payload_hash: string | null;
	error_code: string | null;
	attempts: number;
}

/** sha256 hex of the exact UTF-8 bytes of `body`, or of the bytes received as they are. */
export const payloadHash = (body: string | Uint8Array) => createHash('sha256').update(body).digest('hex');

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Builds an audit record; `latencyMs` is rounded to 2 decimals like the tutorial's. */
export function auditRecord(fields: {
	action: AuditAction;
	interactionId: string | null;
	status: 'success' | 'failure';
	latencyMs: number;
	payloadHash: string | null;
	errorCode?: string | null;
	attempts: number;
}): AuditRecord {
	return {
		timestamp: new Date().toISOString(),
		service: AUDIT_SERVICE,
		interaction_id: fields.interactionId,
		action: fields.action,
		status: fields.status,
		latency_ms: round2(fields.latencyMs),
		payload_hash: fields.payloadHash,
		error_code: fields.errorCode ?? null,
		attempts: fields.attempts,
	};
}

/** The tutorial's aggregate_metrics over the records of one run (average latency of successes). */
export function runSummary(records: Array<Pick<AuditRecord, 'status' | 'latency_ms'>>) {
	const successes = records.filter((record) => record.status === 'success');
	const total = records.length;
	const latency = successes.reduce((sum, record) => sum + record.latency_ms, 0);
	return {
		total_requests: total,
		success_count: successes.length,
		failure_count: total - successes.length,
		success_rate_percent: total > 0 ? round2((successes.length / total) * 100) : 0,
		average_latency_ms: successes.length > 0 ? round2(latency / successes.length) : 0,
	};
}
