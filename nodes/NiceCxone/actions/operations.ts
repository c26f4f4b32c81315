import * as updateAttributes from './attributes/update.operation';
import type { Operation } from './router';
import * as registerWebhook from './webhooks/register.operation';

/** Every operation by resource and operation name: the Resource → Operation map the router looks up. */
const OPERATIONS: Record<string, Record<string, Operation>> = {
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
