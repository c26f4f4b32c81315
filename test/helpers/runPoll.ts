/**
 * Runs the built NICE CXone Contacts Trigger the way n8n polls it: poll() through n8n-core's PollContext, the
 * node's static data kept between polls like n8n keeps it, its HTTP calls through n8n-core's request helper.
 */
import { randomUUID } from 'node:crypto';

import { PollContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';

import { loadBuilt } from './built';
import { additionalData } from './runWorkflow';

const { NiceCxoneContactsTrigger } = loadBuilt<{ NiceCxoneContactsTrigger: new () => INodeType }>(
	'nodes/NiceCxone/NiceCxoneContactsTrigger.node.js',
);

export class PollHarness {
	readonly nodeType = new NiceCxoneContactsTrigger();
	readonly node: INode;
	readonly workflow: Workflow;
	/** Runs before each HTTP request of a poll, with its URL, so a test can change the tenant between a poll's reads. */
	beforeRequest?: (url: string) => void;

	constructor(
		private readonly credentials: ICredentialDataDecryptedObject,
		parameters: INodeParameters,
		staticData: IDataObject = {},
	) {
		this.node = {
			id: randomUUID(),
			name: 'NICE CXone Contacts Trigger',
			type: 'n8n-nodes-nice-cxone.niceCxoneContactsTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
			credentials: { niceCxoneAccessKeyApi: { id: 'cred-2', name: 'Sandbox tenant' } },
		};
		const nodeTypes: INodeTypes = {
			getByName: () => this.nodeType,
			getByNameAndVersion: () => this.nodeType,
			getKnownTypes: () => ({}),
		};
		this.workflow = new Workflow({
			id: `wf-${randomUUID().slice(0, 8)}`,
			name: 'contacts trigger test',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes,
			staticData,
			settings: { executionOrder: 'v1' },
		});
	}

	/** The node's static data: cursors and the events already reported. */
	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	/** One poll, as n8n's schedule runs it ('trigger') or as Fetch Test Event does ('manual'); the items, or null. */
	async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[] | null> {
		const context = new PollContext(this.workflow, this.node, additionalData(this.credentials), mode, 'activate');
		const { beforeRequest } = this;
		if (beforeRequest !== undefined) {
			const send = context.helpers.httpRequest.bind(context.helpers);
			context.helpers.httpRequest = async (options) => {
				beforeRequest(String(options.url));
				return await send(options);
			};
		}
		const result = await (this.nodeType.poll as NonNullable<INodeType['poll']>).call(context);
		return result === null ? null : result[0].map((item) => item.json);
	}

	/** The trigger after an n8n restart: the same node with the static data as n8n stored it. */
	restarted(): PollHarness {
		const stored = JSON.parse(JSON.stringify(this.workflow.staticData)) as IDataObject;
		return new PollHarness(this.credentials, this.node.parameters, stored);
	}
}
