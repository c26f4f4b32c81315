import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { MAX_SIGNAL_PARAMETERS, SIGNAL_PATH } from '../../constants';
import { payloadHash } from '../../helpers/audit';
import { collectionRows, idOf, inputError, itemFields, jsonParameter } from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { clip, parseOrThrow, signalParametersSchema } from '../../helpers/validation';
import { idProperties, inputStyleProperty, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem, type RunContext, type SentItem } from '../router';
import { CONTACT_ID } from './contactId';

export { runOptions } from '../common.descriptions';

export const action = 'signal_contact';

const show = { resource: ['contact'], operation: ['signal'] };

const PARAMETER_NAMES = Array.from({ length: MAX_SIGNAL_PARAMETERS }, (_, index) => `p${index + 1}`);
const JSON_EXPECTED = `an array of up to ${MAX_SIGNAL_PARAMETERS} values ["…", "…"] (p1 first) or an object {"p1": "…", "p2": "…"}`;

const HINTS = {
	400: `CXone refused the signal. A signal carries at most ${MAX_SIGNAL_PARAMETERS} parameters, p1 … p${MAX_SIGNAL_PARAMETERS}.`,
	network:
		'The answer to the signal was lost or never came, so it was not sent again: the script may or may not have received it. Check the contact in CXone before sending it again.',
	404: "CXone knows no live contact with this ID. A signal reaches only a contact whose Studio script is still running: check the Contact ID (the spawned contact's {ContactID} in Studio, not the master contact) and that the contact has not ended.",
};

export const description: INodeProperties[] = [
	inputStyleProperty('parametersInput', 'Parameters Input', show, {
		autoMap: `Send the input fields p1 … p${MAX_SIGNAL_PARAMETERS} of each item, for items shaped by an earlier node`,
		fields: 'Enter the parameters in order: the first is p1',
		json: `An array of up to ${MAX_SIGNAL_PARAMETERS} values (p1 first) or an object {"p1": …}`,
	}),
	...idProperties(
		CONTACT_ID,
		show,
		{
			placeholder: 'e.g. 710000000123',
			description:
				"The contact whose Studio script receives the signal in its ONSIGNAL event: the spawned contact running the script (Studio's {ContactID}), not the master contact",
		},
		'parametersInput',
	),
	{
		displayName: 'Parameters',
		name: 'parametersUi',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Parameter',
		default: {},
		description: `Up to ${MAX_SIGNAL_PARAMETERS} values; the script reads them as SP1 … SP${MAX_SIGNAL_PARAMETERS}`,
		displayOptions: { show: { ...show, parametersInput: ['fields'] } },
		options: [
			{
				name: 'parameter',
				displayName: 'Parameter',
				values: [{ displayName: 'Value', name: 'value', type: 'string', default: '' }],
			},
		],
	},
	{
		displayName: 'Parameters (JSON)',
		name: 'parametersJson',
		type: 'json',
		default: '["deal-updated", "12345"]',
		description: JSON_EXPECTED,
		displayOptions: { show: { ...show, parametersInput: ['json'] } },
	},
	runOptionsProperty(show),
];

/** The parameters as name → value, from whichever input style the node uses. */
function parametersOf(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): Record<string, unknown> {
	const input = parameters.get<string>('parametersInput', itemIndex, 'fields');
	if (input === 'autoMap') {
		const named = Object.fromEntries(itemFields.call(this, itemIndex, parameters, CONTACT_ID, 'signal parameters'));
		const stray = Object.keys(named).find((field) => !PARAMETER_NAMES.includes(field));
		if (stray !== undefined) {
			throw inputError.call(
				this,
				itemIndex,
				`the input field "${clip(stray)}" is not a signal parameter`,
				`Map Automatically sends the fields p1 … p${MAX_SIGNAL_PARAMETERS}: rename the field in an earlier node, or add it to Fields to Ignore.`,
			);
		}
		return named;
	}
	const values: unknown =
		input === 'json'
			? jsonParameter.call(this, itemIndex, parameters, 'parametersJson', 'Parameters (JSON)', JSON_EXPECTED)
			: collectionRows<IDataObject>(parameters, 'parametersUi', 'parameter', itemIndex).map((row) => row.value ?? '');
	if (Array.isArray(values)) {
		if (values.length > MAX_SIGNAL_PARAMETERS) {
			throw inputError.call(this, itemIndex, `Parameters holds ${values.length} values; a signal carries at most ${MAX_SIGNAL_PARAMETERS}`, `Send at most ${MAX_SIGNAL_PARAMETERS} values, p1 … p${MAX_SIGNAL_PARAMETERS}.`);
		}
		return Object.fromEntries(values.map((value: unknown, index) => [PARAMETER_NAMES[index], value]));
	}
	if (typeof values !== 'object' || values === null) {
		throw inputError.call(this, itemIndex, `Parameters (JSON) must be an array or an object, not ${values === null ? 'null' : typeof values}`, `Enter ${JSON_EXPECTED}.`);
	}
	const stray = Object.keys(values).find((name) => !PARAMETER_NAMES.includes(name));
	if (stray !== undefined) {
		throw inputError.call(this, itemIndex, `Parameters (JSON) names "${clip(stray)}", which is not p1 … p${MAX_SIGNAL_PARAMETERS}`, `Enter ${JSON_EXPECTED}.`);
	}
	return values as Record<string, unknown>;
}

/** The query CXone reads p1…p9 from, in order; values URL-encoded as NICE's and Cognigy's clients send them (§3). */
function signalQuery(this: IExecuteFunctions, itemIndex: number, named: Record<string, unknown>): string {
	const present = PARAMETER_NAMES.filter((name) => Object.hasOwn(named, name));
	const values = parseOrThrow(
		this.getNode(),
		signalParametersSchema,
		present.map((name) => named[name]),
		itemIndex,
		{
			place: (path) => (typeof path[0] === 'number' ? `Parameter ${present[path[0]]}` : 'Parameters'),
			hint: 'Change the parameter named above in an earlier node or in the node.',
		},
	);
	return present.map((name, index) => `${name}=${encodeURIComponent(values[index])}`).join('&');
}

/**
 * Signals to one contact are sent one after the other, in input order: CXone may merge two signals that reach a
 * script at the same moment (spec §3). Every other item still runs concurrently.
 */
function afterEarlierSignals(run: RunContext, contactId: string, send: () => Promise<void>): Promise<void> {
	const queues = (run.shared.get(action) ?? new Map<string, Promise<void>>()) as Map<string, Promise<void>>;
	run.shared.set(action, queues);
	const turn = (queues.get(contactId) ?? Promise.resolve()).then(send);
	queues.set(contactId, turn);
	return turn;
}

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const autoMap = parameters.get<string>('parametersInput', itemIndex, 'fields') === 'autoMap';
	const contactId = idOf.call(this, itemIndex, parameters, CONTACT_ID, autoMap);
	target.interactionId = contactId;
	const query = signalQuery.call(this, itemIndex, parametersOf.call(this, itemIndex, parameters));
	const sent = Object.fromEntries(new URLSearchParams(query));
	return {
		// A signal has no body: what identifies what was sent is the query.
		payloadHash: payloadHash(query),
		send: async () => {
			let outcome: SentItem = { latencyMs: 0, attempts: 0 };
			await afterEarlierSignals(run, contactId, async () => {
				outcome = await sendItem(
					run,
					{
						method: 'POST',
						path: `${SIGNAL_PATH(encodeURIComponent(contactId))}${query ? `?${query}` : ''}`,
						hints: HINTS,
						idempotent: false,
					},
					() => ({ output: { parameters: sent } }),
				);
			});
			return outcome;
		},
	};
}
