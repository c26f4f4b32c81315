/** Shorthands for running the Update Attributes operation against a sandbox in a real workflow. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import type { CxoneSandbox } from '../../sandbox/server';
import { runNiceCxone, sandboxCredentials, type RunResult } from './runWorkflow';

export interface UpdateRun {
	parameters: INodeParameters;
	items?: IDataObject[];
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	credentials?: ICredentialDataDecryptedObject;
}

/** Items → NICE CXone (Update Attributes) with interaction id `i-1` unless `parameters` say otherwise. */
export function runUpdate(sandbox: CxoneSandbox, run: UpdateRun): Promise<RunResult> {
	return runNiceCxone({
		credentials: sandboxCredentials(sandbox, run.credentials),
		parameters: { operation: 'updateAttributes', interactionId: 'i-1', ...run.parameters },
		items: run.items ?? [{}],
		continueOnFail: run.continueOnFail,
		onError: run.onError,
	});
}

/** The JSON input style; objects and arrays are sent as the JSON text a user would type. */
export const jsonInput = (attributes: unknown): INodeParameters => ({
	attributesInput: 'json',
	attributesJson: typeof attributes === 'string' ? attributes : JSON.stringify(attributes),
});

export interface UiAttribute {
	key: string;
	value?: string;
	valueType?: 'string' | 'number' | 'boolean' | 'null';
	mode?: 'ADD' | 'UPDATE' | 'DELETE' | 'default';
}

/** The UI list input style. */
export const uiInput = (attributes: UiAttribute[]): INodeParameters => ({
	attributesInput: 'fields',
	attributesUi: { attribute: attributes as unknown as INodeParameters[] },
});

/** The Map Automatically input style, with its Interaction ID Field and Fields to Ignore when given. */
export const autoMapInput = (fields: { interactionIdField?: string; fieldsToIgnore?: string } = {}): INodeParameters => ({
	attributesInput: 'autoMap',
	...fields,
});

/** `count` distinct attributes `{k0: 'v0', …}`. */
export const manyAttributes = (count: number) =>
	Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, `v${index}`]));
