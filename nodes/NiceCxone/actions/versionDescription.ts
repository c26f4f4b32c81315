import type { INodeTypeDescription } from 'n8n-workflow';

import * as updateAttributes from './attributes/update.operation';
import * as registerWebhook from './webhooks/register.operation';

export const versionDescription: INodeTypeDescription = {
	displayName: 'NICE CXone',
	name: 'niceCxone',
	icon: 'file:niceCxone.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] === "registerWebhook" ? "Register Webhook" : "Update Attributes" }}',
	description: 'Update interaction attributes and register webhooks in NICE CXone',
	defaults: { name: 'NICE CXone' },
	usableAsTool: true,
	inputs: ['main'],
	outputs: ['main'],
	credentials: [{ name: 'niceCxoneApi', required: true }],
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
