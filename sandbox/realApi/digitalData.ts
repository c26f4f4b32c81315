/**
 * The Digital (DFO) tenant data (spec §4): custom-field definitions for cases ("contacts") and customers, one seeded
 * case with its customer, the values set on them, and the per-case "Update specific contact" quota.
 */
import { randomUUID } from 'node:crypto';

import { numericId } from './contacts';

export type DigitalFieldType = 'text' | 'email' | 'list' | 'date';

/** [U] A list option: `{name, value}` as the generated customer definitions have it [G]; `value` is what is stored. */
export interface ListOption {
	name: string;
	value: string;
}

interface FieldRule {
	ident: string;
	type: DigitalFieldType;
	isEditable: boolean;
	values?: FieldValuesOption;
}

type FieldValuesOption = ListOption[] | Record<string, unknown>;

/** A case field definition in the generated `ContactCustomFieldDefinition` shape, which §4 tells the emulator to use. */
const caseField = (
	ident: string,
	label: string,
	type: DigitalFieldType,
	isEditable = true,
	values?: FieldValuesOption,
) => ({
	ident,
	label,
	type,
	required: false,
	visibleInPostDetail: true,
	visibleInLiveChat: isEditable,
	isEditable,
	...(values && { values }),
});

/** A customer field definition in the generated customer shape (§4). */
const customerField = (
	ident: string,
	label: string,
	type: DigitalFieldType,
	isEditable = true,
	values?: ListOption[],
) => ({
	ident,
	label,
	type,
	isRequired: false,
	isEditable,
	isVisibleInRightPanel: isEditable,
	isVisibleInCustomerCard: true,
	...(values && { values }),
});

const options = (...names: string[]): ListOption[] => names.map((name) => ({ name, value: name.toLowerCase() }));

export const CASE_FIELD_DEFINITIONS = [
	caseField('orderNumber', 'Order number', 'text'),
	caseField('contactEmail', 'Contact email', 'email'),
	caseField('priority', 'Priority', 'list', true, options('Low', 'Normal', 'High')),
	caseField('followUpDate', 'Follow-up date', 'date', true, {
		dateOptionsType: 'absolute',
		minDate: '2000-01-01',
		maxDate: '2100-12-31',
		startDate: null,
	}),
	caseField('channelSource', 'Channel source', 'text', false),
] satisfies FieldRule[];

export const CUSTOMER_FIELD_DEFINITIONS = [
	customerField('crmId', 'CRM ID', 'text'),
	customerField('secondaryEmail', 'Secondary email', 'email'),
	customerField('loyaltyTier', 'Loyalty tier', 'list', true, options('Gold', 'Silver', 'Bronze')),
	customerField('createdBy', 'Created by', 'text', false),
] satisfies FieldRule[];

export interface FieldError {
	field: string;
	message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** [U] The accepted date format is unpublished; an ISO 8601 date, with or without a time, is assumed. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** Why `value` cannot be stored in the field `rule`, or undefined when it can. */
function valueProblem(rule: FieldRule, value: string): string | undefined {
	if (!rule.isEditable) return `Custom field ${rule.ident} is not editable`;
	switch (rule.type) {
		case 'email':
			return EMAIL.test(value)
				? undefined
				: `Custom field ${rule.ident} needs an email address, not ${JSON.stringify(value)}`;
		case 'list': {
			const options = rule.values as ListOption[];
			if (options.some((option) => option.value === value)) return undefined;
			const allowed = options.map((option) => option.value).join(', ');
			return `Custom field ${rule.ident} takes one of ${allowed}, not ${JSON.stringify(value)}`;
		}
		case 'date':
			return ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
				? undefined
				: `Custom field ${rule.ident} needs an ISO 8601 date, not ${JSON.stringify(value)}`;
		default:
			return undefined;
	}
}

function itemProblem(rules: FieldRule[], ident: string, value: unknown): FieldError | undefined {
	const rule = rules.find((known) => known.ident === ident);
	if (!rule) return { field: ident, message: `No custom field ${ident} is defined` };
	if (typeof value !== 'string') return { field: ident, message: `The value of ${ident} must be a string` };
	const problem = valueProblem(rule, value);
	return problem ? { field: ident, message: problem } : undefined;
}

/** The `[{ident, value}]` body of a custom-fields PUT, checked against `rules`: every error, or the values to set. */
export function checkFieldValues(
	rules: FieldRule[],
	body: unknown,
): { values: Map<string, string> } | { errors: FieldError[] } {
	if (!Array.isArray(body))
		return { errors: [{ field: 'body', message: 'Expected a JSON array [{"ident":"…","value":"…"}]' }] };
	const errors: FieldError[] = [];
	const values = new Map<string, string>();
	for (const [index, item] of body.entries()) {
		const { ident, value } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
		const problem =
			typeof ident !== 'string'
				? { field: `[${index}].ident`, message: 'ident must be a string' }
				: itemProblem(rules, ident, value);
		if (problem) errors.push(problem);
		else values.set(ident as string, value as string);
	}
	return errors.length > 0 ? { errors } : { values };
}

/** Why `ident` cannot be removed, or undefined. */
export function removalProblem(rules: FieldRule[], ident: string): string | undefined {
	const rule = rules.find((known) => known.ident === ident);
	if (!rule) return `No custom field ${ident} is defined`;
	return rule.isEditable ? undefined : `Custom field ${ident} is not editable`;
}

export type FieldValues = Map<string, { value: string; updatedAt: string }>;

export const fieldList = (values: FieldValues) =>
	[...values].map(([ident, { value, updatedAt }]) => ({ ident, value, updatedAt }));

/** Sets the checked values; fields the body leaves out keep theirs ([U] §4: the SDK always sends all fields). */
export function applyValues(target: FieldValues, values: Map<string, string>): void {
	const updatedAt = new Date().toISOString();
	for (const [ident, value] of values) target.set(ident, { value, updatedAt });
}

export interface DigitalCustomerRecord {
	id: string;
	firstName: string;
	surname: string;
	createdAt: string;
	updatedAt: string;
	customFields: FieldValues;
}

export interface DigitalCaseRecord {
	id: string;
	contactId: string;
	interactionId: string;
	threadId: string;
	status: string;
	channelId: string;
	routingQueueId: string;
	customerId: string;
	createdAt: string;
	updatedAt: string;
	customFields: FieldValues;
}

/** A token bucket per case: `burst` at once, `refillPerMinute` more each minute (§4 "Update specific contact"). */
class CaseQuota {
	private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

	constructor(
		private readonly burst: number,
		private readonly refillPerMinute: number,
	) {}

	take(caseId: string): boolean {
		const now = performance.now();
		const bucket = this.buckets.get(caseId) ?? { tokens: this.burst, atMs: now };
		bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.atMs) * this.refillPerMinute) / 60_000);
		bucket.atMs = now;
		this.buckets.set(caseId, bucket);
		if (bucket.tokens < 1) return false;
		bucket.tokens--;
		return true;
	}
}

export class DigitalStore {
	readonly cases = new Map<string, DigitalCaseRecord>();
	readonly customers = new Map<string, DigitalCustomerRecord>();
	readonly caseId: string;
	readonly customerId: string;
	readonly quota: CaseQuota;

	constructor(quota: { burst: number; refillPerMinute: number }) {
		this.quota = new CaseQuota(quota.burst, quota.refillPerMinute);
		const now = new Date().toISOString();
		this.customerId = randomUUID();
		this.customers.set(this.customerId, {
			id: this.customerId,
			firstName: 'Dana',
			surname: 'Sandbox',
			createdAt: now,
			updatedAt: now,
			customFields: new Map([['createdBy', { value: 'sandbox', updatedAt: now }]]),
		});
		this.caseId = numericId();
		this.cases.set(this.caseId, {
			id: this.caseId,
			contactId: numericId(),
			interactionId: randomUUID(),
			threadId: randomUUID(),
			status: 'open',
			channelId: 'chat_sandbox',
			routingQueueId: randomUUID(),
			customerId: this.customerId,
			createdAt: now,
			updatedAt: now,
			customFields: new Map([['channelSource', { value: 'web chat', updatedAt: now }]]),
		});
	}

	/** The customer as GET /dfo/3.0/customers/{customerId} answers it (generated `DigitalCustomer_Customer` [G]). */
	customerView(id: string) {
		const customer = this.customers.get(id);
		if (!customer) return undefined;
		return {
			id: customer.id,
			updatedAt: customer.updatedAt,
			firstName: customer.firstName,
			surname: customer.surname,
			fullName: `${customer.firstName} ${customer.surname}`,
			customFields: fieldList(customer.customFields),
			identities: [
				{
					idOnExternalPlatform: `${customer.id}@chat.sandbox`,
					firstName: customer.firstName,
					lastName: customer.surname,
				},
			],
			messageStatistics: { inbound: 1, outbound: 1 },
			sentimentStatistics: { positive: 0, neutral: 1, negative: 0 },
		};
	}

	/** The case as GET /dfo/3.0/contacts/{caseId} answers it (§4), its end user carrying the customer's fields. */
	caseView(id: string) {
		const record = this.cases.get(id);
		if (!record) return undefined;
		const { customFields, customerId, ...fields } = record;
		const customer = this.customerView(customerId);
		return {
			...fields,
			customFields: fieldList(customFields),
			endUser: {
				id: customerId,
				firstName: customer?.firstName,
				surname: customer?.surname,
				customFields: customer?.customFields ?? [],
			},
		};
	}
}
