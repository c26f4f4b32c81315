/** Shorthands for running the real-tenant operations (node version 2, access-key credential) against a sandbox. */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';
import type { CxoneSandbox } from '../../sandbox/server';
import { runNiceCxone, type RunResult } from './runWorkflow';

export interface RealRun {
	resource: 'contact' | 'digitalCase' | 'digitalCustomer';
	operation: string;
	parameters?: INodeParameters;
	items?: Array<Record<string, unknown>>;
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	credentials?: ICredentialDataDecryptedObject;
}

/** Items → NICE CXone v2 with the sandbox's access key. */
export function runReal(sandbox: CxoneSandbox, run: RealRun): Promise<RunResult> {
	return runNiceCxone({
		credentials: { ...sandboxAccessKeyCredentialData(sandbox), ...run.credentials },
		credentialType: 'niceCxoneAccessKeyApi',
		typeVersion: 2,
		parameters: { authentication: 'accessKey', resource: run.resource, operation: run.operation, ...run.parameters },
		items: (run.items ?? [{}]) as IDataObject[],
		continueOnFail: run.continueOnFail,
		onError: run.onError,
	});
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The items' json, for assertions. */
export const jsonOf = (result: RunResult) => result.output.map((item) => item.json);
