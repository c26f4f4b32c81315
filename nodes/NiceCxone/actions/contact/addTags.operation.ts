import { type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { CONTACT_TAGS_PATH } from '../../constants';
import { payloadHash } from '../../helpers/audit';
import { idOf } from '../../helpers/itemInput';
import type { RunParameters } from '../../helpers/parameters';
import { clip, parseOrThrow, tagIdsSchema } from '../../helpers/validation';
import { CxoneError } from '../../transport';
import { idProperties, runOptionsProperty } from '../common.descriptions';
import { sendItem, type ItemTarget, type PreparedItem, type RunContext } from '../router';
import { CONTACT_ID } from './contactId';

export { runOptions } from '../common.descriptions';

export const action = 'add_contact_tags';

const show = { resource: ['contact'], operation: ['addTags'] };

const HINTS = {
	400: 'CXone refused the tags: check the Tag IDs.',
	404: 'CXone knows no contact with this ID: check the Contact ID.',
};

export const description: INodeProperties[] = [
	...idProperties(CONTACT_ID, show, {
		placeholder: 'e.g. 710000000123',
		description: 'The ACD contact to tag',
	}),
	{
		displayName: 'Tag Names or IDs',
		name: 'tagIds',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getTags' },
		required: true,
		default: [],
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show },
	},
	runOptionsProperty(show),
];

/** The tag IDs as numbers: the picker hands over numbers, an expression may give a list or comma-separated text. */
function tagIdsOf(this: IExecuteFunctions, itemIndex: number, parameters: RunParameters): number[] {
	const raw = parameters.get<unknown>('tagIds', itemIndex, []);
	const list = typeof raw === 'string' || typeof raw === 'number' ? String(raw).split(',') : raw;
	const values = Array.isArray(list) ? list.map((id: unknown) => (typeof id === 'string' ? id.trim() : id)) : list;
	return parseOrThrow(this.getNode(), tagIdsSchema, values, itemIndex, { field: 'Tag IDs' });
}

/** CXone's answer to a tag request: success only when it reports no error, as a string (spec §5.2). */
interface TagAnswer {
	resultSet?: { errorCount?: unknown } & IDataObject;
}

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: RunParameters,
	target: ItemTarget,
	run: RunContext,
): Promise<PreparedItem> {
	const contactId = idOf.call(this, itemIndex, parameters, CONTACT_ID, false);
	target.interactionId = contactId;
	const tagIds = tagIdsOf.call(this, itemIndex, parameters);
	const body = JSON.stringify({ tags: tagIds.map((tagId) => ({ tagId })) });
	return {
		payloadHash: payloadHash(body),
		send: async () =>
			await sendItem<TagAnswer | undefined>(
				run,
				{ method: 'POST', path: CONTACT_TAGS_PATH(encodeURIComponent(contactId)), body, hints: HINTS },
				(answer) => {
					const resultSet = answer?.resultSet;
					// NICE's agent SDK counts a tag request as done only when errorCount is the string "0".
					if (String(resultSet?.errorCount) === '0') return { output: { tag_ids: tagIds } };
					const error = new CxoneError({
						status: 200,
						code: 'tag_errors',
						description: `CXone reported ${String(resultSet?.errorCount ?? 'an unknown number of')} tag error(s): ${clip(JSON.stringify(resultSet ?? answer ?? null), 400)}`,
						hint: 'Check that each Tag ID exists and is active in CXone (ACD → Tags), and that the contact is one CXone can tag.',
					});
					return { error };
				},
			),
	};
}
