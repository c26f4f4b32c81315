import { NodeOperationError, type INode } from 'n8n-workflow';
import { z, type ZodError } from 'zod';

import {
	ATTRIBUTE_MODES,
	MAX_ATTRIBUTES,
	MAX_EVENT_ID_LENGTH,
	MAX_KEY_LENGTH,
	MAX_SIGNAL_PARAMETERS,
	MAX_STRING_VALUE_LENGTH,
	RESERVED_KEY_PREFIXES,
} from '../constants';

/** One attribute as the API takes it (contract §2). */
export const attributeSchema = z
	.object({
		key: z
			.string({ invalid_type_error: 'must be a string', required_error: 'is required' })
			.min(1, 'must not be empty')
			.max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
			.refine((key) => !RESERVED_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)), {
				message: `is reserved: keys may not start with ${RESERVED_KEY_PREFIXES.map((p) => `"${p}"`).join(' or ')}`,
			}),
		value: z.union(
			[
				z.string().max(MAX_STRING_VALUE_LENGTH, `must be at most ${MAX_STRING_VALUE_LENGTH} characters`),
				z.number().finite('must be a finite number'),
				z.boolean(),
				z.null(),
			],
			{
				errorMap: (issue, ctx) =>
					issue.code === 'invalid_union'
						? { message: 'must be a string, a finite number, true/false or null (objects and arrays are refused)' }
						: { message: ctx.defaultError },
			},
		),
		mode: z.enum(ATTRIBUTE_MODES, {
			errorMap: () => ({ message: `must be one of ${ATTRIBUTE_MODES.join(', ')}` }),
		}),
	})
	.strict();

/** The update body: 1–50 attributes, no key twice, nothing else (contract §2). */
export const attributeUpdateSchema = z
	.object({
		attributes: z
			.array(attributeSchema)
			.min(1, 'must hold at least 1 attribute')
			.superRefine((attributes, ctx) => {
				// Points at the first attribute over the limit, so the user sees which ones CXone would refuse.
				if (attributes.length > MAX_ATTRIBUTES) {
					ctx.addIssue({
						code: z.ZodIssueCode.too_big,
						type: 'array',
						maximum: MAX_ATTRIBUTES,
						inclusive: true,
						path: [MAX_ATTRIBUTES],
						message: `exceeds the limit of ${MAX_ATTRIBUTES} attributes per request (got ${attributes.length})`,
					});
				}
				const seen = new Set<string>();
				attributes.forEach((attribute, index) => {
					if (seen.has(attribute.key)) {
						ctx.addIssue({
							code: z.ZodIssueCode.custom,
							path: [index, 'key'],
							message: `"${clip(attribute.key)}" appears more than once in this request`,
						});
					}
					seen.add(attribute.key);
				});
			}),
	})
	.strict();

export type Attribute = z.infer<typeof attributeSchema>;
export type AttributeMode = Attribute['mode'];
export type AttributeUpdate = z.infer<typeof attributeUpdateSchema>;

/** An ID that becomes one URL path segment (interaction, Digital case or customer); these would change the path or mean nothing. */
export const pathIdSchema = z
	.string({ invalid_type_error: 'must be a string' })
	.trim()
	.min(1, 'must not be empty')
	.refine((id) => id !== '.' && id !== '..', { message: 'may not be "." or ".."' })
	.refine((id) => !/[/?#]/.test(id), { message: 'may not contain "/", "?" or "#"' })
	// encodeURIComponent throws on a lone surrogate; caught here, before any item of the run is sent.
	.refine((id) => !/\p{Cs}/u.test(id), { message: 'may not contain unpaired surrogates (malformed Unicode)' });

/** An ACD contact ID: a whole number in CXone (int64), so digits only. */
export const acdContactIdSchema = z
	.string({ invalid_type_error: 'must be a string' })
	.trim()
	.min(1, 'must not be empty')
	.regex(/^\d{1,19}$/, 'must be the numeric ACD contact ID (digits only, e.g. 710000000123)');

/** A value CXone takes as text (signal parameters, Digital custom fields): numbers and booleans as they print. */
export const textValueSchema = z.union([z.string(), z.number().finite(), z.boolean()], {
	errorMap: () => ({ message: 'must be text, a finite number or true/false (objects, arrays and null are refused)' }),
});

/** Signal parameters p1…p9 in order (spec §3). */
export const signalParametersSchema = z
	.array(textValueSchema.transform(String))
	.max(MAX_SIGNAL_PARAMETERS, `must be at most ${MAX_SIGNAL_PARAMETERS} values (p1 … p${MAX_SIGNAL_PARAMETERS})`);

/** A Digital custom-field update (spec §4): at least one {ident, value}, values as text, no ident twice. */
export const customFieldsSchema = z
	.array(
		z
			.object({
				ident: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty'),
				value: textValueSchema.transform(String),
			})
			.strict(),
	)
	.min(1, 'must hold at least 1 custom field')
	.superRefine(noRepeats((field) => field.ident, 'ident'));

/** A business-data update (spec §6): at least one field, typed values, no name twice. */
export const businessDataSchema = z
	.array(
		z
			.object({
				name: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty'),
				value: z.union([z.string(), z.number().finite(), z.boolean()], {
					errorMap: () => ({ message: 'must be text, a finite number or true/false (objects, arrays and null are refused)' }),
				}),
			})
			.strict(),
	)
	.min(1, 'must hold at least 1 business data field')
	.superRefine(noRepeats((field) => field.name, 'name'));

/** Tag IDs to add to a contact: whole numbers, at least one, none twice. */
export const tagIdsSchema = z
	.array(
		z.coerce
			.number({ invalid_type_error: 'must be a tag ID (a whole number)' })
			.int('must be a tag ID (a whole number)')
			.positive('must be a tag ID (a whole number above 0)'),
	)
	.min(1, 'must name at least 1 tag')
	.superRefine(noRepeats(String, ''));

/** A zod refinement refusing an entry whose key (by `keyOf`) an earlier entry has, pointing at `part` of it. */
function noRepeats<T>(keyOf: (entry: T) => string, part: string) {
	return (entries: T[], ctx: z.RefinementCtx) => {
		const seen = new Set<string>();
		entries.forEach((entry, index) => {
			const key = keyOf(entry);
			if (seen.has(key)) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: part ? [index, part] : [index],
					message: `"${clip(key)}" appears more than once`,
				});
			}
			seen.add(key);
		});
	};
}

/** A webhook registration body (contract §3). */
export const webhookSchema = z
	.object({
		name: z.string().trim().min(1, 'must not be empty'),
		uri: z
			.string()
			.url('must be an absolute URL')
			// A URL that does not parse is reported by .url() above; new URL() would throw on it here.
			.refine((uri) => !URL.canParse(uri) || /^https?:$/.test(new URL(uri).protocol), {
				message: 'must be an http(s) URL',
			}),
		events: z.array(z.string().min(1)).min(1, 'must name at least one event'),
		enabled: z.boolean(),
		headers: z.record(z.string()),
	})
	.strict();

export type WebhookRegistration = z.infer<typeof webhookSchema>;

/** A CXone callback body (contract §4); unknown extra fields are dropped, not refused. */
export const callbackSchema = z.object({
	eventId: z.string().min(1).max(MAX_EVENT_ID_LENGTH, `must be at most ${MAX_EVENT_ID_LENGTH} characters`),
	eventType: z.string().min(1),
	interactionId: z.string().min(1),
	attributes: z.array(
		z.object({
			key: z.string(),
			value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
			mode: z.enum(ATTRIBUTE_MODES).optional(),
		}),
	),
	occurredAt: z.string().datetime({ offset: true }),
	callbackLatencyMs: z.number().nonnegative().finite(),
});

export type CallbackEvent = z.infer<typeof callbackSchema>;

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * A credential host: absolute http(s), no embedded user:password, and plain http only on
 * loopback (the sandbox), since a bearer token or client secret would otherwise cross the network in clear.
 */
export const hostSchema = z.string().superRefine((value, ctx) => {
	let url: URL;
	try {
		url = new URL(value.trim());
	} catch {
		// Echoed so the user sees the typo, but never a user:password typed into it: errors end up in execution data.
		const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, '$1…@');
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${clip(shown)}" is not an absolute URL` });
		return;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must use https:// (got ${url.protocol}//)` });
	} else if (url.protocol === 'http:' && !LOOPBACK_HOSTS.test(url.hostname)) {
		ctx.addIssue({
			code: z.ZodIssueCode.custom,
			message: `must use https://; plain http:// is accepted only for localhost/127.0.0.1 (got ${url.hostname})`,
		});
	}
	if (url.username || url.password) {
		ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must not contain a user name or password' });
	}
});

const QUOTE_LIMIT = 80;

/** `text` cut to a readable length: errors quote user input, and a 1 MB value must not bloat execution data. */
export const clip = (text: string, limit = QUOTE_LIMIT) =>
	text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;

/** "attributes.3.key" from a zod path, the form the API's `details[].path` uses. */
export const formatPath = (path: Array<string | number>) => path.map((part) => clip(String(part))).join('.');

/** All issues of a ZodError as one readable line; `place` names what each issue's path points at. */
export function describeZodError(error: ZodError, place: (path: Array<string | number>) => string = formatPath): string {
	return error.issues
		.map((issue) => {
			const where = place(issue.path);
			const message = clip(issue.message, 4 * QUOTE_LIMIT);
			return where ? `${where} ${message}` : message;
		})
		.join('; ');
}

/** How parseOrThrow names what it refuses and what it tells the user to do. */
export interface Refusal {
	/** Prefix of every path: the parameter the value came from. */
	field?: string;
	/** Names the place an issue points at, where the value's own path would mean nothing to the user. */
	place?: (path: Array<string | number>) => string;
	/** What to do about it, after "Nothing was sent to CXone for this item." */
	hint?: string;
}

/** Parses `value` with `schema`, or throws a NodeOperationError naming the item and the field path. */
export function parseOrThrow<T extends z.ZodTypeAny>(
	node: INode,
	schema: T,
	value: unknown,
	itemIndex: number,
	refusal: Refusal = {},
): z.infer<T> {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const {
		field,
		place = (path: Array<string | number>) => formatPath(field ? [field, ...path] : path),
		hint = 'Fix the field named above and run again.',
	} = refusal;
	throw new NodeOperationError(node, `Item ${itemIndex}: ${describeZodError(result.error, place)}`, {
		itemIndex,
		description: `Nothing was sent to CXone for this item. ${hint}`,
	});
}
