/**
 * How an operation reads one item's input, the same way for every operation: the ID it acts on (a parameter, or an
 * input field under Map Automatically), the item's own fields, JSON parameters and typed UI values. Every refusal
 * names the item and the field, and says that nothing was sent.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import type { z } from 'zod';

import type { RunParameters } from './parameters';
import { clip, parseOrThrow } from './validation';

/** Where an operation's ID comes from: its parameter, or under Map Automatically the input field a parameter names. */
export interface IdSource {
	/** The ID parameter, e.g. `contactId`. */
	parameter: string;
	/** Its label in the UI, e.g. "Contact ID". */
	label: string;
	/** The parameter naming the input field under Map Automatically, e.g. `contactIdField`. */
	fieldParameter: string;
	/** That parameter's default, e.g. `contactId`. */
	defaultField: string;
	schema: z.ZodType<string, z.ZodTypeDef, unknown>;
}

/** A refusal of one item's input, before anything is sent. */
export function inputError(this: IExecuteFunctions, itemIndex: number, problem: string, hint: string) {
	return new NodeOperationError(this.getNode(), `Item ${itemIndex}: ${problem}`, {
		itemIndex,
		description: `Nothing was sent to CXone for this item. ${hint}`,
	});
}

/** What a value is, for an error: "null", "array", "NaN" rather than typeof's "object" and "number". */
export const kindOf = (value: unknown) =>
	value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? String(value) : typeof value;

/** String(value), also for an object an expression handed over that has no text form (no prototype). */
export function textOf(value: unknown): string {
	try {
		return String(value ?? '');
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** The ID from its parameter (Using Fields Below, Using JSON); a number from an expression counts as its digits. */
export function idFromParameter(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	source: IdSource,
): string {
	const rawId = parameters.get<unknown>(source.parameter, itemIndex);
	return parseOrThrow(this.getNode(), source.schema, typeof rawId === 'number' ? String(rawId) : rawId, itemIndex, {
		field: source.label,
	});
}

/** The input field Map Automatically reads the ID from, trimmed. */
export const idFieldOf = (itemIndex: number, parameters: RunParameters, source: IdSource) =>
	parameters.get<string>(source.fieldParameter, itemIndex, source.defaultField).trim();

/** Map Automatically: the ID from the input field the source's field parameter names. */
export function idFromItemField(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	source: IdSource,
): string {
	const idField = idFieldOf(itemIndex, parameters, source);
	const fields = this.getInputData()[itemIndex].json;
	const hint = `Put the ID in that field in an earlier node (e.g. Edit Fields), or set ${source.label} Field to the field holding it.`;
	const rawId = Object.hasOwn(fields, idField) ? fields[idField] : undefined;
	if (rawId === undefined) {
		throw inputError.call(this, itemIndex, `the input field "${clip(idField)}" is missing`, hint);
	}
	if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isFinite(rawId))) {
		throw inputError.call(
			this,
			itemIndex,
			`the input field "${clip(idField)}" must be a non-empty string or a finite number, not ${kindOf(rawId)}`,
			hint,
		);
	}
	return parseOrThrow(this.getNode(), source.schema, String(rawId), itemIndex, {
		place: () => `the input field "${clip(idField)}"`,
		hint,
	});
}

/** The ID the item acts on, by the operation's input style. */
export function idOf(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	source: IdSource,
	autoMap: boolean,
): string {
	return autoMap
		? idFromItemField.call(this, itemIndex, parameters, source)
		: idFromParameter.call(this, itemIndex, parameters, source);
}

/**
 * Map Automatically: every field of the item except the ID field and Fields to Ignore, in the item's field order.
 * It needs no expression, so with constant parameters nothing is evaluated per item: the fastest style for many items.
 */
export function itemFields(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	source: IdSource,
	what: string,
): Array<[string, unknown]> {
	const idField = idFieldOf(itemIndex, parameters, source);
	const ignored = new Set(
		parameters
			.get<string>('fieldsToIgnore', itemIndex, '')
			.split(',')
			.map((field) => field.trim())
			.filter((field) => field !== ''),
	);
	const entries = Object.entries(this.getInputData()[itemIndex].json).filter(
		([field]) => field !== idField && !ignored.has(field),
	);
	if (entries.length === 0) {
		throw inputError.call(
			this,
			itemIndex,
			`nothing to send: the item has no input field besides "${clip(idField)}" and Fields to Ignore`,
			`Map Automatically sends each field of the item except ${source.label} Field and Fields to Ignore as ${what}. Add them to the item in an earlier node (e.g. Edit Fields).`,
		);
	}
	return entries;
}

/** A JSON parameter's value, parsed when the UI handed over text; `expected` says what the user should enter. */
export function jsonParameter(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	name: string,
	label: string,
	expected: string,
): unknown {
	const value = parameters.get<unknown>(name, itemIndex);
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value) as unknown;
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: ${label} is not valid JSON: ${(error as Error).message}`, {
			itemIndex,
			description: `Nothing was sent to CXone for this item. Enter ${expected}.`,
		});
	}
}

export type ValueType = 'string' | 'number' | 'boolean' | 'null';

/** A UI value converted to its Value Type; text that is not of that type is refused, naming `place` and `name`. */
export function typedValue(
	this: IExecuteFunctions,
	itemIndex: number,
	entry: { name?: unknown; valueType?: ValueType; value?: unknown },
	place: string,
): unknown {
	const valueType = entry.valueType ?? 'string';
	const fail = (message: string) =>
		new NodeOperationError(this.getNode(), `Item ${itemIndex}: ${place} ${message}`, {
			itemIndex,
			description: `"${clip(textOf(entry.name))}" has Value Type ${valueType}. Change the value or the type.`,
		});
	const value = entry.value;
	switch (valueType) {
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

/** The rows of a fixedCollection parameter, or none. */
export const collectionRows = <T extends IDataObject>(
	parameters: RunParameters,
	name: string,
	row: string,
	itemIndex: number,
): T[] => parameters.get<Record<string, T[] | undefined>>(name, itemIndex, {})[row] ?? [];
