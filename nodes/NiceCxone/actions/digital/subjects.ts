/**
 * What the Digital Case and Digital Customer resources share: both hold custom fields defined per tenant (spec §4),
 * set and removed by ident on the Digital (DFO) base. One description of each, so each operation serves both.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { DFO_PATH } from '../../constants';
import { inputError, type IdSource } from '../../helpers/itemInput';
import { clip, pathIdSchema } from '../../helpers/validation';
import { cxoneCall, CxoneError, type CxoneConnection, type HttpHelpers } from '../../transport';
import type { AuditAction } from '../../helpers/audit';
import { runOptions } from '../common.descriptions';
import type { Operation, PreparedItem, RunContext } from '../router';

export type DigitalResource = 'digitalCase' | 'digitalCustomer';

export interface DigitalSubject {
	/** "Digital case" / "Digital customer", for messages. */
	noun: string;
	id: IdSource;
	/** The case's or customer's path on the Digital base; a Digital case is a "contact" in DFO's paths. */
	path(encodedId: string): string;
	definitionsPath: string;
	actions: { set: AuditAction; remove: AuditAction; get: AuditAction };
}

export const DIGITAL_SUBJECTS: Record<DigitalResource, DigitalSubject> = {
	digitalCase: {
		noun: 'Digital case',
		id: {
			parameter: 'caseId',
			label: 'Case ID',
			fieldParameter: 'caseIdField',
			defaultField: 'caseId',
			schema: pathIdSchema,
		},
		path: (id) => `${DFO_PATH}/contacts/${id}`,
		definitionsPath: `${DFO_PATH}/contacts/custom-field-definitions`,
		actions: { set: 'set_case_custom_fields', remove: 'remove_case_custom_field', get: 'get_case' },
	},
	digitalCustomer: {
		noun: 'Digital customer',
		id: {
			parameter: 'customerId',
			label: 'Customer ID',
			fieldParameter: 'customerIdField',
			defaultField: 'customerId',
			schema: pathIdSchema,
		},
		path: (id) => `${DFO_PATH}/customers/${id}`,
		definitionsPath: `${DFO_PATH}/customers/custom-field-definitions`,
		actions: { set: 'set_customer_custom_fields', remove: 'remove_customer_custom_field', get: 'get_customer' },
	},
};

export const DIGITAL_RESOURCES = Object.keys(DIGITAL_SUBJECTS) as DigitalResource[];

/** The ID parameter's description for each resource. */
export const ID_DESCRIPTIONS: Record<DigitalResource, string> = {
	digitalCase: 'The Digital case ID (a number such as 127035285501), not the ACD contact ID',
	digitalCustomer: "The Digital customer's ID",
};

/** One custom-field definition as DFO lists it; the case and customer lists name some properties differently (§4). */
export interface FieldDefinition {
	ident: string;
	label?: string;
	type?: string;
	isEditable?: boolean;
	/** A list field's options; a date field has an object here instead. */
	values?: Array<{ name?: string; value?: string; ident?: string }> | Record<string, unknown>;
}

/** The tenant's custom-field definitions of a case or customer, as DFO lists them. */
export async function fieldDefinitions(
	http: HttpHelpers,
	connection: CxoneConnection,
	subject: DigitalSubject,
): Promise<FieldDefinition[]> {
	const { data } = await cxoneCall<unknown>(http, connection, {
		method: 'GET',
		base: 'digital',
		path: subject.definitionsPath,
	});
	return (Array.isArray(data) ? data : []).filter(
		(definition): definition is FieldDefinition =>
			typeof definition === 'object' && definition !== null && typeof (definition as FieldDefinition).ident === 'string',
	);
}

/** The definitions, read once per run for all items; a failure refuses the item naming what could not be read. */
export async function runDefinitions(
	this: IExecuteFunctions,
	itemIndex: number,
	run: RunContext,
	subject: DigitalSubject,
): Promise<FieldDefinition[]> {
	const key = `definitions:${subject.definitionsPath}`;
	let definitions = run.shared.get(key) as Promise<FieldDefinition[]> | undefined;
	if (!definitions) {
		definitions = fieldDefinitions(run.http, run.connection, subject);
		run.shared.set(key, definitions);
	}
	try {
		return await definitions;
	} catch (error) {
		const failure = error as CxoneError;
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex}: the ${subject.noun} custom-field definitions could not be read to check the fields: ${failure.message}`,
			{ itemIndex, description: `Nothing was sent to CXone for this item. ${failure instanceof CxoneError ? failure.hint : ''}`.trim() },
		);
	}
}

/** A list field's allowed values: each option's value, or its ident where it has none. */
const optionsOf = (definition: FieldDefinition) =>
	Array.isArray(definition.values)
		? definition.values.map((option) => option.value ?? option.ident).filter((value): value is string => typeof value === 'string')
		: [];

/**
 * Refuses, before any call, a field the tenant does not define, one it does not let change, and a list value
 * outside the field's options, naming the item and the field.
 */
export function checkFields(
	this: IExecuteFunctions,
	itemIndex: number,
	subject: DigitalSubject,
	definitions: FieldDefinition[],
	fields: Array<{ ident: string; value?: string }>,
): void {
	const byIdent = new Map(definitions.map((definition) => [definition.ident, definition]));
	for (const field of fields) {
		const definition = byIdent.get(field.ident);
		if (!definition) {
			const known = definitions.map((known) => known.ident).join(', ') || 'none';
			throw inputError.call(
				this,
				itemIndex,
				`the custom field "${clip(field.ident)}" is not defined for ${subject.noun}s`,
				`Choose the field from the list, or define it in CXone (Digital Experience → Custom Fields). Defined: ${clip(known, 400)}.`,
			);
		}
		if (definition.isEditable === false) {
			throw inputError.call(this, itemIndex, `the custom field "${clip(field.ident)}" cannot be changed`, 'CXone defines it as not editable.');
		}
		const options = optionsOf(definition);
		if (field.value !== undefined && definition.type === 'list' && !options.includes(field.value)) {
			throw inputError.call(
				this,
				itemIndex,
				`"${clip(field.value)}" is not an option of the list field "${clip(field.ident)}"`,
				`Use one of: ${clip(options.join(', '), 400)}.`,
			);
		}
	}
}

/** How an operation readies one item for a Digital subject: its prepare, with the subject and resource given. */
export type SubjectPrepare = (
	this: IExecuteFunctions,
	subject: DigitalSubject,
	resource: DigitalResource,
	...item: Parameters<Operation['prepare']>
) => Promise<PreparedItem>;

/** The operation for each Digital resource: one description and one preparation, the audit action by `kind`. */
export function perDigitalResource(
	kind: keyof DigitalSubject['actions'],
	description: INodeProperties[],
	prepare: SubjectPrepare,
): Record<DigitalResource, Operation> {
	const operationFor = (resource: DigitalResource): Operation => {
		const subject = DIGITAL_SUBJECTS[resource];
		return {
			action: subject.actions[kind],
			description,
			runOptions,
			async prepare(...item) {
				return await prepare.call(this, subject, resource, ...item);
			},
		};
	};
	return { digitalCase: operationFor('digitalCase'), digitalCustomer: operationFor('digitalCustomer') };
}
