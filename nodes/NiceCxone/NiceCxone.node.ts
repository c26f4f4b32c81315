import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import * as updateAttributes from './actions/attributes/update.operation';
import { router } from './actions/router';
import * as registerWebhook from './actions/webhooks/register.operation';
import { credentialTestMethods } from './methods/credentialTest';

export class NiceCxone implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'NICE CXone',
		name: 'niceCxone',
		icon: { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] === "registerWebhook" ? "Register Webhook" : "Update Attributes" }}',
		description: 'Update interaction attributes and register webhooks in NICE CXone',
		defaults: { name: 'NICE CXone' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'niceCxoneApi', required: true, testedBy: 'niceCxoneApiTest' }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Register Webhook',
						value: 'registerWebhook',
						description: 'Subscribe a URL to CXone events without registering the same webhook twice',
						action: 'Register a webhook',
					},
					{
						name: 'Update Attributes',
						value: 'updateAttributes',
						description: 'Add, update or delete up to 50 attributes of an interaction in one atomic call',
						action: 'Update interaction attributes',
					},
				],
				default: 'updateAttributes',
			},
			...updateAttributes.description,
			...registerWebhook.description,
		],
	};

	methods = { credentialTest: credentialTestMethods };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
