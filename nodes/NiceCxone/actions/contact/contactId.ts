import type { IdSource } from '../../helpers/itemInput';
import { acdContactIdSchema } from '../../helpers/validation';

/** The ACD contact the Contact operations act on: a parameter, or under Map Automatically an input field. */
export const CONTACT_ID: IdSource = {
	parameter: 'contactId',
	label: 'Contact ID',
	fieldParameter: 'contactIdField',
	defaultField: 'contactId',
	schema: acdContactIdSchema,
};
