/**
 * Fuzzing the attribute input: 10,000 seeded fast-check cases through the validation module and the
 * operation's input conversion, then a sample through real workflow runs against the sandbox.
 * Bad input may only ever end as a NodeOperationError naming the item and the field; what the node
 * accepts the sandbox (an independent reading of the contract) accepts too; nothing pollutes prototypes.
 */
import { createRequire } from 'node:module';

import fc from 'fast-check';
import type { IDataObject, IExecuteFunctions, INode, INodeParameters } from 'n8n-workflow';
import type { ZodTypeAny } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadBuilt } from '../helpers/built';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { checkAttributeUpdate } from '../../sandbox/contract';
import { CxoneSandbox } from '../../sandbox/server';
import { interactionIdOfPath, recordFigures } from './support';

type Validation = typeof import('../../nodes/NiceCxone/helpers/validation');
type UpdateOperation = typeof import('../../nodes/NiceCxone/actions/attributes/update.operation');
type Parameters = typeof import('../../nodes/NiceCxone/helpers/parameters');

const validation = loadBuilt<Validation>('nodes/NiceCxone/helpers/validation.js');
const operation = loadBuilt<UpdateOperation>('nodes/NiceCxone/actions/attributes/update.operation.js');
const { RunParameters } = loadBuilt<Parameters>('nodes/NiceCxone/helpers/parameters.js');
// The CommonJS copy the built package itself requires, so instanceof compares like with like.
const { NodeOperationError } = createRequire(__filename)('n8n-workflow') as typeof import('n8n-workflow');

const SEED = 20240515;
const RUNS = { validation: 3000, interactionId: 1000, jsonInput: 3000, autoMapInput: 2000, uiInput: 3000 };
const WORKFLOW_CASES = { json: 200, ui: 100 };
/** Synchronous validation cannot be interrupted, so a hang shows up as one slow case. */
const SLOW_CASE_MS = 1000;

const node: INode = {
	id: 'fuzz',
	name: 'NICE CXone',
	type: 'n8n-nodes-nice-cxone.niceCxone',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The field path a refusal must start with, after "Item N: " (Map Automatically names the input field). */
const PATH =
	/^Item (\d+): (Interaction ID|attributes(\.\d+(\.(key|value|mode))?)?|Attributes \(JSON\)|the input field( name)? "|nothing to send:)[ :]?/;

// ---- what the fuzz is made of ----

const HUGE = 'h'.repeat(1_000_000);
const NESTED_JSON = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const POLLUTING_JSON = [
	'{"__proto__": {"polluted": "yes"}}',
	'[{"key": "a", "value": 1, "__proto__": {"polluted": "yes"}}]',
	'{"constructor": {"prototype": {"polluted": "yes"}}}',
	'[{"key": "__proto__", "value": {"polluted": "yes"}}]',
	'[{"key": "constructor", "value": "x", "mode": "update"}, {"key": "toString", "value": 1}]',
];
const NOT_JSON = [
	...['', ' ', '{', '[', '[1, 2', "{'a': 1}", '{"a": }', '{"a": 1,}', '{"a": 01}', '"\\ud800"x'],
	...['NaN', 'Infinity', 'undefined', '\u0000', NESTED_JSON],
];

const weirdStrings = fc.constantFrom(
	'', ' ', '\u0000', '\uD800', 'x\uDC00', '😀', 'ｔｅｓｔ', 'e\u0301', '\u202Eevil', '\r\n', 'k'.repeat(255), 'k'.repeat(256),
	'v'.repeat(2000), 'v'.repeat(2001), HUGE, 'NaN', 'Infinity', '-0', 'null', 'true', '{"a":1}', ...PROTO_KEYS,
);
const text = fc.oneof(
	{ weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
	{ weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
	{ weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1995, maxLength: 2005 }) },
	{ weight: 2, arbitrary: weirdStrings },
);
const numbers = fc.oneof(
	fc.double(),
	fc.integer(),
	fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 1),
);
/** Values n8n expressions or JSON may hand over that no attribute takes. */
const wrongTypes = fc.oneof(
	fc.constantFrom<unknown>(undefined, Symbol('s'), () => 1, new Date(0), new Map([['a', 1]]), /re/, Buffer.from('x'), 10n),
	fc.constant(null).map(() => Object.create(null) as object),
	fc.anything({
		maxDepth: 2,
		withNullPrototype: true,
		withBigInt: true,
		withMap: true,
		withDate: true,
		withBoxedValues: true,
		withSparseArray: true,
	}),
);
const anyValue = fc.oneof(
	{ weight: 3, arbitrary: text },
	{ weight: 2, arbitrary: numbers },
	{ weight: 1, arbitrary: fc.boolean() },
	{ weight: 1, arbitrary: fc.constant(null) },
	{ weight: 2, arbitrary: wrongTypes },
);
const anyKey = fc.oneof(
	{ weight: 3, arbitrary: text },
	{ weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, '_x', 'system:x', 'System:x', '_', 'system:') },
	{ weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant({}), fc.constant([])) },
);
const anyMode = fc.oneof(
	fc.constantFrom('ADD', 'UPDATE', 'DELETE'),
	fc.mixedCase(fc.constantFrom('add', 'update', 'delete')),
	fc.constantFrom(' add ', 'ＡＤＤ', 'default', '', 'UPSERT', 'ADD\u0000', 'delete\n', 'ſ'),
	fc.constantFrom<unknown>(undefined, null, 1, {}, ['ADD']),
);

const validKey = fc
	.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
	.filter((key) => key.length <= 255 && !key.startsWith('_') && !key.toLowerCase().startsWith('system:'));
const validValue = fc.oneof(
	fc.string({ unit: 'grapheme', maxLength: 60 }).filter((value) => value.length <= 2000),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.boolean(),
	fc.constant(null),
);
const validEntry = fc.record({ key: validKey, value: validValue, mode: fc.constantFrom('ADD', 'UPDATE', 'DELETE') });

/** An entry that may lack fields, carry extra (prototype) keys, or hold anything in any field. */
const wildEntry = fc
	.tuple(
		fc.record({ key: anyKey, value: anyValue, mode: anyMode }, { requiredKeys: [] }),
		fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS, 'extra', 'Key'), anyValue), { maxLength: 2 }),
	)
	.map(([base, extras]) => Object.fromEntries([...Object.entries(base), ...extras]) as Record<string, unknown>);

const entry = fc.oneof({ weight: 3, arbitrary: validEntry }, { weight: 1, arbitrary: wildEntry });
const entries = fc.oneof(
	{ weight: 4, arbitrary: fc.array(validEntry, { minLength: 1, maxLength: 5 }) },
	{ weight: 4, arbitrary: fc.array(entry, { maxLength: 6 }) },
	{ weight: 1, arbitrary: fc.array(validEntry, { minLength: 48, maxLength: 52 }) },
	{ weight: 1, arbitrary: fc.array(fc.oneof(entry, anyValue), { maxLength: 4 }) },
);
/** `{key: value}` maps; Object.fromEntries makes "__proto__" an own key, as JSON.parse does. */
const keyValueObject = fc
	.array(fc.tuple(fc.oneof(validKey, fc.constantFrom(...PROTO_KEYS, '_x', 'system:x', '')), fc.oneof(validValue, anyValue)), {
		maxLength: 6,
	})
	.map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);

/** An item's fields from attribute entries: what an earlier node would hand Map Automatically. */
const fieldsOf = (entries: Array<{ key: string; value: unknown }>) =>
	Object.fromEntries(entries.map(({ key, value }) => [key, value])) as Record<string, unknown>;

/** JSON text of `value`, or the value itself where JSON cannot hold it (BigInt). */
const asJsonText = (value: unknown) => {
	try {
		return JSON.stringify(value) ?? 'undefined';
	} catch {
		return String(typeof value);
	}
};

/** Anything the Attributes (JSON) field may hold: objects, arrays, JSON text, text that is not JSON, scalars. */
const attributesJson = fc.oneof(
	{ weight: 3, arbitrary: entries },
	{ weight: 2, arbitrary: keyValueObject },
	{ weight: 3, arbitrary: fc.oneof(entries, keyValueObject).map(asJsonText) },
	{ weight: 1, arbitrary: fc.oneof(fc.constantFrom(...NOT_JSON, ...POLLUTING_JSON), fc.string({ maxLength: 20 })) },
	{ weight: 1, arbitrary: anyValue },
);

const interactionId = fc.oneof(
	{ weight: 4, arbitrary: fc.nat().map((n) => `int-${n}`) },
	{ weight: 2, arbitrary: text },
	{ weight: 1, arbitrary: fc.constantFrom<unknown>('.', '..', 'a/b', 'a?b', 'a#b', '%2F', ' id ') },
	{ weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, undefined, {}, ['a']) },
);

const uiRow = fc.record(
	{
		key: fc.oneof(validKey, anyKey),
		valueType: fc.oneof(
			{ weight: 6, arbitrary: fc.constantFrom('string', 'number', 'boolean', 'null') },
			{ weight: 1, arbitrary: fc.constantFrom<unknown>('NUMBER', 'object', '', undefined, null, 7) },
		),
		value: fc.oneof(
			validValue,
			anyValue,
			fc.constantFrom(' 42 ', '1e400', '-1e400', '0x10', '-0', 'NaN', 'Infinity', 'TRUE', ' false ', 'yes', '1,5'),
		),
		mode: fc.oneof(fc.constantFrom('default', 'ADD', 'UPDATE', 'DELETE'), anyMode),
	},
	{ requiredKeys: [] },
);

// ---- the checks ----

const pollutionProbe = () => ({
	plain: ({} as Record<string, unknown>).polluted,
	array: ([] as unknown as Record<string, unknown>).polluted,
	fn: ((() => 0) as unknown as Record<string, unknown>).polluted,
});
const prototypeNames = () =>
	[Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype].map((proto) =>
		Object.getOwnPropertyNames(proto).sort().join(','),
	);
const prototypesBefore = prototypeNames();

function expectNoPollution() {
	expect(pollutionProbe()).toEqual({ plain: undefined, array: undefined, fn: undefined });
	expect(prototypeNames()).toEqual(prototypesBefore);
}

const stats = { cases: 0, accepted: 0, refused: 0, crashes: 0, slowestMs: 0, longestMessage: 0 };

/** Runs one case: it either returns or fails with a clean NodeOperationError for `itemIndex` naming a path. */
async function attempt<T>(
	itemIndex: number,
	work: () => T | Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
	stats.cases++;
	const startedAt = performance.now();
	let outcome: { ok: true; value: T } | { ok: false; message: string };
	try {
		outcome = { ok: true, value: await work() };
	} catch (error) {
		if (!(error instanceof NodeOperationError)) {
			stats.crashes++;
			throw new Error(`Not a NodeOperationError: ${String((error as Error)?.stack ?? error)}`);
		}
		expect(error.message).toMatch(PATH);
		expect(Number(PATH.exec(error.message)?.[1])).toBe(itemIndex);
		expect(error.context.itemIndex).toBe(itemIndex);
		stats.longestMessage = Math.max(stats.longestMessage, error.message.length);
		outcome = { ok: false, message: error.message };
	}
	const elapsedMs = performance.now() - startedAt;
	stats.slowestMs = Math.max(stats.slowestMs, elapsedMs);
	expect(elapsedMs).toBeLessThan(SLOW_CASE_MS);
	if (outcome.ok) stats.accepted++;
	else stats.refused++;
	return outcome;
}

/** The slice of IExecuteFunctions `prepare` reads: the node, its parameters and the input item. */
function contextFor(parameters: Record<string, unknown>, itemIndex: number, item: IDataObject): IExecuteFunctions {
	return {
		getNode: () => node,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) =>
			Object.hasOwn(parameters, name) ? parameters[name] : fallback,
		getInputData: () => Object.assign([], { [itemIndex]: { json: item } }),
	} as unknown as IExecuteFunctions;
}

function prepareCase(itemIndex: number, parameters: Record<string, unknown>, item: IDataObject = {}) {
	const context = contextFor(parameters, itemIndex, item);
	const target = { interactionId: null as string | null };
	return attempt(itemIndex, async () => ({
		...(await operation.prepare.call(context, itemIndex, new RunParameters(context), target)),
		interactionId: target.interactionId,
	}));
}

/** Plain JSON data: JSON text carries it unchanged, so both readings of the contract see the same thing. */
function isJsonFaithful(value: unknown): boolean {
	if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
	if (typeof value === 'number') return Number.isFinite(value);
	if (Array.isArray(value)) return Object.keys(value).length === value.length && value.every(isJsonFaithful);
	if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
	return Object.values(value).every(isJsonFaithful);
}

describe('fuzzing the attribute input', () => {
	afterAll(() => expectNoPollution());

	it(`validation module: ${RUNS.validation} update bodies, agreeing with the sandbox's contract check`, async () => {
		const schema = validation.attributeUpdateSchema as ZodTypeAny;
		await fc.assert(
			fc.asyncProperty(
				fc.oneof({ weight: 5, arbitrary: entries }, { weight: 1, arbitrary: anyValue }),
				fc.nat(5000),
				async (attributes, itemIndex) => {
					const outcome = await attempt(itemIndex, () =>
						validation.parseOrThrow(node, schema, { attributes }, itemIndex),
					);
					if (outcome.ok) {
						// What validation lets through, the server takes.
						expect(checkAttributeUpdate(JSON.parse(JSON.stringify(outcome.value))).ok).toBe(true);
					}
					// Both ways for plain data with explicit modes (the server defaults a missing mode, the node sets it).
					const comparable =
						isJsonFaithful(attributes) &&
						Array.isArray(attributes) &&
						attributes.every((item) => typeof item === 'object' && item !== null && Object.hasOwn(item, 'mode'));
					if (comparable) expect(outcome.ok).toBe(checkAttributeUpdate({ attributes }).ok);
					expect(pollutionProbe().plain).toBeUndefined();
				},
			),
			{ seed: SEED, numRuns: RUNS.validation },
		);
	});

	it(`validation module: ${RUNS.interactionId} interaction ids, each accepted one a single URL path segment`, async () => {
		await fc.assert(
			fc.asyncProperty(interactionId, fc.nat(5000), async (id, itemIndex) => {
				const outcome = await attempt(itemIndex, () =>
					validation.parseOrThrow(node, validation.pathIdSchema, id, itemIndex, { field: 'Interaction ID' }),
				);
				if (!outcome.ok) return;
				const encoded = encodeURIComponent(outcome.value);
				expect(interactionIdOfPath(`/api/v2/interactions/${encoded}/attributes`)).toBe(outcome.value);
				expect(encoded).not.toMatch(/^\.{1,2}$/);
			}),
			{ seed: SEED + 1, numRuns: RUNS.interactionId },
		);
	});

	it(`operation input conversion, Attributes (JSON): ${RUNS.jsonInput} cases`, async () => {
		await fc.assert(
			fc.asyncProperty(attributesJson, interactionId, anyMode, fc.nat(5000), async (json, id, defaultMode, itemIndex) => {
				const outcome = await prepareCase(itemIndex, {
					interactionId: id,
					attributesInput: 'json',
					attributesJson: json,
					defaultMode,
					options: {},
				});
				if (outcome.ok) {
					expect(outcome.value.payloadHash).toMatch(/^[0-9a-f]{64}$/);
					expect(typeof outcome.value.interactionId).toBe('string');
				}
				expect(pollutionProbe().plain).toBeUndefined();
			}),
			{ seed: SEED + 2, numRuns: RUNS.jsonInput },
		);
	});

	it(`operation input conversion, Map Automatically: ${RUNS.autoMapInput} input items`, async () => {
		const inputItem = fc
			.tuple(
				fc.oneof(keyValueObject, fc.array(validEntry, { minLength: 48, maxLength: 52 }).map(fieldsOf)),
				fc.option(interactionId, { nil: undefined, freq: 8 }),
			)
			.map(([fields, id]) => (id === undefined ? fields : { interactionId: id, ...fields }) as IDataObject);
		await fc.assert(
			fc.asyncProperty(inputItem, anyMode, fc.nat(5000), async (item, defaultMode, itemIndex) => {
				const outcome = await prepareCase(
					itemIndex,
					{ attributesInput: 'autoMap', interactionIdField: 'interactionId', defaultMode, options: {} },
					item,
				);
				if (outcome.ok) {
					expect(outcome.value.payloadHash).toMatch(/^[0-9a-f]{64}$/);
					expect(outcome.value.interactionId).toBe(String(item.interactionId).trim());
				}
				expect(pollutionProbe().plain).toBeUndefined();
			}),
			{ seed: SEED + 4, numRuns: RUNS.autoMapInput },
		);
	});

	it(`operation input conversion, fields in the UI: ${RUNS.uiInput} cases`, async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(uiRow, { maxLength: 5 }), interactionId, anyMode, fc.nat(5000), async (rows, id, mode, itemIndex) => {
				const outcome = await prepareCase(itemIndex, {
					interactionId: id,
					attributesInput: 'fields',
					attributesUi: { attribute: rows },
					defaultMode: mode,
					options: {},
				});
				if (outcome.ok) expect(outcome.value.payloadHash).toMatch(/^[0-9a-f]{64}$/);
				expect(pollutionProbe().plain).toBeUndefined();
			}),
			{ seed: SEED + 3, numRuns: RUNS.uiInput },
		);
		expect(stats.cases).toBe(Object.values(RUNS).reduce((sum, runs) => sum + runs));
	});
});

describe('fuzzing through real workflow runs against the sandbox', () => {
	const sandbox = new CxoneSandbox();
	const workflowStats = { cases: 0, accepted: 0, refused: 0, sandboxRefused: 0, refusedButSent: 0 };

	beforeAll(async () => {
		await sandbox.start();
	});
	afterAll(async () => {
		await sandbox.stop();
		recordFigures('fuzz', {
			seed: SEED,
			generatedCases: stats.cases,
			accepted: stats.accepted,
			refusedCleanly: stats.refused,
			crashes: stats.crashes,
			slowestCaseMs: Math.round(stats.slowestMs * 10) / 10,
			longestErrorMessage: stats.longestMessage,
			workflowCases: workflowStats.cases,
			workflowAccepted: workflowStats.accepted,
			workflowRefused: workflowStats.refused,
			acceptedButSandboxRefused: workflowStats.sandboxRefused,
			refusedButSent: workflowStats.refusedButSent,
			prototypesPolluted: Object.values(pollutionProbe()).filter((value) => value !== undefined).length,
		});
		expectNoPollution();
	});

	/** Ids made unique by a prefix; a fuzzed tail checks that odd ids reach the sandbox intact or not at all. */
	const idTail = fc.oneof(
		{ weight: 6, arbitrary: fc.constant('') },
		{ weight: 1, arbitrary: fc.constantFrom(' spaced ', 'é😀', '%2F', 'a b', '..', '\uD800', 'x'.repeat(100)) },
		{ weight: 1, arbitrary: fc.constantFrom('/x', '?x', '#x') },
	);
	const jsonCase = fc.record({
		tail: idTail,
		body: fc.oneof(
			{ weight: 4, arbitrary: fc.oneof(entries, keyValueObject).map(asJsonText) },
			{ weight: 1, arbitrary: fc.constantFrom(...NOT_JSON.filter((value) => value !== NESTED_JSON), ...POLLUTING_JSON) },
		),
		defaultMode: fc.constantFrom('ADD', 'UPDATE', 'DELETE', 'update', 'Delete'),
	});
	/** UI rows hold only what an item's JSON can carry: strings, numbers, booleans, null. */
	const jsonScalar = fc.oneof(
		fc.string({ unit: 'grapheme', maxLength: 20 }),
		fc.constantFrom(' 42 ', '1e400', '-0', 'NaN', 'Infinity', 'TRUE', ' false ', 'yes', 'v'.repeat(2001), '_x', 'system:y', ''),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
		fc.boolean(),
		fc.constant(null),
	);
	const uiCase = fc.record({
		tail: idTail,
		rows: fc.array(
			fc.record({
				k: fc.oneof(validKey, fc.constantFrom(...PROTO_KEYS, '_x', '', 'k'.repeat(256))),
				t: fc.oneof(fc.constantFrom('string', 'number', 'boolean', 'null'), fc.constantFrom('NUMBER', '')),
				v: jsonScalar,
				m: fc.constantFrom('default', 'ADD', 'UPDATE', 'DELETE', 'add', ' Delete ', 'UPSERT', ''),
			}),
			{ minLength: 2, maxLength: 2 },
		),
	});

	/** The test's item source reads its items as node parameters, where a leading "=" would make an expression. */
	const literal = <T>(value: T) => (typeof value === 'string' && value.startsWith('=') ? `x${value}` : value);

	async function runAndCheck(
		items: Array<IDataObject & { id: string }>,
		parameters: Record<string, unknown>,
	) {
		const before = sandbox.received.length;
		const result = await runNiceCxone({
			credentials: sandboxCredentials(sandbox),
			parameters: {
				operation: 'updateAttributes',
				interactionId: '={{ $json.id }}',
				...parameters,
				options: { maxRequestsPerSecond: 0 },
			} as INodeParameters,
			items,
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(items.length);
		const received = sandbox.received.slice(before).map((body) => ({ ...body, id: interactionIdOfPath(body.path) }));
		for (const body of received) expect(checkAttributeUpdate(JSON.parse(body.raw)).ok, body.raw).toBe(true);
		items.forEach((item, index) => {
			workflowStats.cases++;
			const record = result.output[index].json;
			const prefix = item.id.trim().split('_')[0];
			const sent = received.filter((body) => body.id.split('_')[0] === prefix);
			if (record.status === 'success') {
				workflowStats.accepted++;
				const applied = sandbox.applied.filter((update) => update.interactionId === record.interaction_id);
				expect(applied.map((update) => update.sha256), prefix).toEqual([record.payload_hash]);
				expect(sent, prefix).toHaveLength(1);
				return;
			}
			if (record.error_code !== 'validation_error') workflowStats.sandboxRefused++;
			else workflowStats.refused++;
			if (sent.length > 0) workflowStats.refusedButSent++;
			expect(record.error_code, `${prefix}: ${String(record.error)}`).toBe('validation_error');
			expect(String(record.error)).toMatch(PATH);
			expect(Number(PATH.exec(String(record.error))?.[1])).toBe(index);
			expect(sent, prefix).toHaveLength(0);
		});
		expect(Object.keys(sandbox.stats.statuses).filter((status) => status !== '200')).toEqual([]);
	}

	it(`${WORKFLOW_CASES.json} Attributes (JSON) cases in one run: accepted means applied, refused means never sent`, async () => {
		const cases = fc.sample(jsonCase, { seed: SEED + 4, numRuns: WORKFLOW_CASES.json });
		// One Default Mode per run (it is read per item, but one value keeps the run a realistic workflow).
		await runAndCheck(
			cases.map((sample, index) => ({ id: `fz${index}_${sample.tail}`, body: sample.body })),
			{ attributesInput: 'json', attributesJson: '={{ $json.body }}', defaultMode: cases[0].defaultMode },
		);
		expectNoPollution();
	}, 120_000);

	it(`${WORKFLOW_CASES.ui} field cases in one run: accepted means applied, refused means never sent`, async () => {
		const cases = fc.sample(uiCase, { seed: SEED + 5, numRuns: WORKFLOW_CASES.ui });
		const row = (n: number) => ({
			key: `={{ $json.k${n} }}`,
			valueType: `={{ $json.t${n} }}`,
			value: `={{ $json.v${n} }}`,
			mode: `={{ $json.m${n} }}`,
		});
		await runAndCheck(
			cases.map((sample, index) => ({
				id: `fu${index}_${sample.tail}`,
				...Object.fromEntries(
					sample.rows.flatMap((r, n) => [[`k${n}`, literal(r.k)], [`t${n}`, r.t], [`v${n}`, literal(r.v)], [`m${n}`, r.m]]),
				),
			})),
			{ attributesInput: 'fields', attributesUi: { attribute: [row(0), row(1)] } },
		);
		expectNoPollution();
	}, 120_000);
});
