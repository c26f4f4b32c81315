import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DIGITAL_SUBJECTS, fieldDefinitions, type DigitalResource, type FieldDefinition } from '../actions/digital/subjects';
import { TAGS_LIST_PATH } from '../constants';
import { cxoneCall, CxoneError, nodeConnection } from '../transport';

/** The current resource's custom-field definitions, through the node's access-key credential. */
async function definitionsOf(context: ILoadOptionsFunctions): Promise<FieldDefinition[]> {
	const resource = context.getCurrentNodeParameter('resource') as DigitalResource;
	const subject = DIGITAL_SUBJECTS[resource] ?? DIGITAL_SUBJECTS.digitalCase;
	return await pickerCall(context, async () => await fieldDefinitions(context, await nodeConnection(context, 'accessKey'), subject));
}

/** A picker's CXone call; a failure becomes an error the editor shows with what to check. */
async function pickerCall<T>(context: ILoadOptionsFunctions, load: () => Promise<T>): Promise<T> {
	try {
		return await load();
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Could not load the list from CXone: ${(error as Error).message}`, {
			description: error instanceof CxoneError ? error.hint : undefined,
		});
	}
}

const fieldOption = (definition: FieldDefinition): INodePropertyOptions => ({
	name: definition.label ? `${definition.label} (${definition.ident})` : definition.ident,
	value: definition.ident,
	description: [definition.type, definition.isEditable === false ? 'not editable' : '']
		.filter(Boolean)
		.join(', '),
});

interface TagListAnswer {
	tags?: Array<{ tagId?: unknown; tagName?: unknown; isActive?: unknown; notes?: unknown }>;
}

export const loadOptions = {
	/** Custom fields of the Digital case or customer, for Set Custom Fields. */
	async getCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return (await definitionsOf(this)).map(fieldOption).sort((a, b) => a.name.localeCompare(b.name));
	},

	/** The tenant's active tags, for Add Tags. */
	async getTags(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const connection = await nodeConnection(this, 'accessKey');
		const { data } = await pickerCall(this, async () =>
			await cxoneCall<TagListAnswer | undefined>(this, connection, { method: 'GET', path: TAGS_LIST_PATH }),
		);
		return (data?.tags ?? [])
			.filter((tag) => tag.isActive !== false && (typeof tag.tagId === 'number' || typeof tag.tagId === 'string'))
			.map((tag) => ({
				name: typeof tag.tagName === 'string' && tag.tagName !== '' ? tag.tagName : String(tag.tagId),
				value: Number(tag.tagId),
				description: typeof tag.notes === 'string' ? tag.notes : undefined,
			}))
			.sort((a, b) => a.name.localeCompare(b.name));
	},
};

export const listSearch = {
	/** Custom fields of the Digital case or customer whose ident or label holds `filter`, for Remove Custom Field. */
	async searchCustomFields(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		const needle = (filter ?? '').trim().toLowerCase();
		const results = (await definitionsOf(this))
			.filter((definition) => !needle || `${definition.ident} ${definition.label ?? ''}`.toLowerCase().includes(needle))
			.map((definition) => ({ name: fieldOption(definition).name, value: definition.ident }))
			.sort((a, b) => a.name.localeCompare(b.name));
		return { results };
	},
};
