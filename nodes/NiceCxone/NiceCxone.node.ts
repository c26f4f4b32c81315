import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { operationProperties } from './actions/operations';
import { router } from './actions/router';
import { credentialTestMethods } from './methods/credentialTest';
import { listSearch, loadOptions } from './methods/fieldPickers';

const accessKey = { authentication: ['accessKey'] };
const clientCredentials = { authentication: ['clientCredentials'] };

export class NiceCxone implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'NICE CXone',
		name: 'niceCxone',
		icon: { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' },
		group: ['transform'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ $parameter["resource"] ? $parameter["resource"] + ": " + $parameter["operation"] : $parameter["operation"] }}',
		description: 'Signal contacts, set Digital custom fields, business data and tags in NICE CXone',
		defaults: { name: 'NICE CXone' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'niceCxoneAccessKeyApi',
				required: true,
				displayOptions: { show: accessKey },
			},
			{
				name: 'niceCxoneApi',
				required: true,
				testedBy: 'niceCxoneApiTest',
				displayOptions: { show: clientCredentials },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'hidden',
				default: 'clientCredentials',
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Access Key (CXone Tenant)',
						value: 'accessKey',
						description: "A real CXone tenant, with an API user's access key",
					},
					{
						name: 'Client Credentials (Tutorial Contract)',
						value: 'clientCredentials',
						description: "A service that speaks the contract of NICE's attribute-update tutorial",
					},
				],
				default: 'accessKey',
				displayOptions: { show: { '@version': [2] } },
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Digital Case', value: 'digitalCase' },
					{ name: 'Digital Customer', value: 'digitalCustomer' },
				],
				default: 'contact',
				displayOptions: { show: { ...accessKey, '@version': [2] } },
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Interaction', value: 'interaction' },
					{ name: 'Webhook', value: 'webhook' },
				],
				default: 'interaction',
				displayOptions: { show: { ...clientCredentials, '@version': [2] } },
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['contact'] } },
				options: [
					{
						name: 'Add Tags',
						value: 'addTags',
						description: 'Add tags to a contact',
						action: 'Add tags to a contact',
					},
					{
						name: 'Signal',
						value: 'signal',
						description: "Send up to 9 values to a live contact's Studio script (its ONSIGNAL event)",
						action: 'Signal a contact',
					},
					{
						name: 'Update Business Data',
						value: 'updateBusinessData',
						description: "Set existing business data fields of a closed contact",
						action: 'Update business data of a contact',
					},
				],
				default: 'signal',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['digitalCase'] } },
				options: [
					{ name: 'Get', value: 'get', description: 'Get a Digital case', action: 'Get a digital case' },
					{
						name: 'Remove Custom Field',
						value: 'removeCustomField',
						description: "Remove one custom field's value from a Digital case",
						action: 'Remove a custom field of a digital case',
					},
					{
						name: 'Set Custom Fields',
						value: 'setCustomFields',
						description: 'Set custom fields of a Digital case',
						action: 'Set custom fields of a digital case',
					},
				],
				default: 'setCustomFields',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['digitalCustomer'] } },
				options: [
					{ name: 'Get', value: 'get', description: 'Get a Digital customer', action: 'Get a digital customer' },
					{
						name: 'Remove Custom Field',
						value: 'removeCustomField',
						description: "Remove one custom field's value from a Digital customer",
						action: 'Remove a custom field of a digital customer',
					},
					{
						name: 'Set Custom Fields',
						value: 'setCustomFields',
						description: 'Set custom fields of a Digital customer',
						action: 'Set custom fields of a digital customer',
					},
				],
				default: 'setCustomFields',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['interaction'] } },
				options: [
					{
						name: 'Update Attributes',
						value: 'updateAttributes',
						description: 'Add, update or delete up to 50 attributes of an interaction in one atomic call',
						action: 'Update interaction attributes',
					},
				],
				default: 'updateAttributes',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['webhook'] } },
				options: [
					{
						name: 'Register',
						value: 'registerWebhook',
						description: 'Subscribe a URL to CXone events without registering the same webhook twice',
						action: 'Register a webhook',
					},
				],
				default: 'registerWebhook',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@version': [1] } },
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
			...operationProperties,
		],
	};

	methods = { credentialTest: credentialTestMethods, loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
