import * as updateAttributes from './attributes/update.operation';
import * as addTags from './contact/addTags.operation';
import * as signal from './contact/signal.operation';
import * as updateBusinessData from './contact/updateBusinessData.operation';
import * as getDigital from './digital/get.operation';
import * as removeCustomField from './digital/removeCustomField.operation';
import * as setCustomFields from './digital/setCustomFields.operation';
import type { Operation } from './router';
import * as registerWebhook from './webhooks/register.operation';

/** Every operation by resource and operation name: the Resource → Operation map the router looks up. */
const OPERATIONS: Record<string, Record<string, Operation>> = {
	contact: { signal, updateBusinessData, addTags },
	digitalCase: {
		setCustomFields: setCustomFields.operations.digitalCase,
		removeCustomField: removeCustomField.operations.digitalCase,
		get: getDigital.operations.digitalCase,
	},
	digitalCustomer: {
		setCustomFields: setCustomFields.operations.digitalCustomer,
		removeCustomField: removeCustomField.operations.digitalCustomer,
		get: getDigital.operations.digitalCustomer,
	},
	interaction: { updateAttributes },
	webhook: { registerWebhook },
};

/** Version 1 of the node has no Resource parameter; its operation names are unique. */
const VERSION_1_RESOURCES: Record<string, string> = { updateAttributes: 'interaction', registerWebhook: 'webhook' };

/** The operation a node's Resource and Operation name, or undefined. */
export function operationFor(resource: string, operation: string): Operation | undefined {
	const operations = OPERATIONS[resource || VERSION_1_RESOURCES[operation]];
	return operations && Object.hasOwn(operations, operation) ? operations[operation] : undefined;
}

/** Every operation's own parameters, each list once, in the order the node shows them. */
export const operationProperties = [
	signal,
	updateBusinessData,
	addTags,
	setCustomFields,
	removeCustomField,
	getDigital,
	updateAttributes,
	registerWebhook,
].flatMap((module) => module.description);
