/**
 * The "Test credential" button as n8n runs it for a credential a node tests (packages/cli
 * credentials-tester.service.ts): the node's `methods.credentialTest[testedBy]` called on n8n-core's
 * CredentialTestContext, whose only HTTP helper is the legacy request adapter.
 */
import { CredentialTestContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	INodeCredentialTestResult,
	INodeType,
} from 'n8n-workflow';

import { loadBuilt } from './built';
import { niceCxoneApi } from './runWorkflow';

const { NiceCxone } = loadBuilt<{ NiceCxone: new () => INodeType }>('nodes/NiceCxone/NiceCxone.node.js');

/** Tests `data` as the NICE CXone API credential the way n8n's "Test credential" button does. */
export async function testCredential(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const node = new NiceCxone();
	const testedBy = node.description.credentials?.find((credential) => credential.name === niceCxoneApi.name)?.testedBy;
	const testFunction = node.methods?.credentialTest?.[testedBy as string] as ICredentialTestFunction | undefined;
	if (!testFunction) throw new Error('The NICE CXone node names no credential test for its credential');
	const credential: ICredentialsDecrypted = {
		id: 'cred-under-test',
		name: 'Credential under test',
		type: niceCxoneApi.name,
		data,
	};
	try {
		return await testFunction.call(new CredentialTestContext(), credential);
	} catch (error) {
		// The service's own catch: a thrown error becomes an Error result with its message.
		return { status: 'Error', message: (error as Error).message };
	}
}
