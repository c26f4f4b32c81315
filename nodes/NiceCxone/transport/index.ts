import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type INode,
} from 'n8n-workflow';

import { accessKeyConnection, accessKeyCredentialsFrom } from './accessKeyLogin';
import type { CxoneConnection } from './connection';
import { credentialsFrom } from './credentials';
import { clientCredentialsConnection } from './tokenCache';

export {
	ACCESS_KEY_HINTS,
	accessKeyConnection,
	accessKeyCredentialsFrom,
	accessKeySessions,
	type AccessKeyCredentials,
	type AccessKeySession,
} from './accessKeyLogin';
export type { ApiBase, CxoneConnection, Session } from './connection';
export { credentialsFrom, tenantKeyOf, type CxoneCredentials } from './credentials';
export { CxoneError, preAuthenticationError, toNodeApiError } from './errors';
export { fromLegacyHelpers, type HttpHelpers } from './http';
export { tenantLimiter } from './rateLimiter';
export {
	accessKeyRequest,
	cxoneCall,
	cxoneRequest,
	type CallFigures,
	type CxoneRequest,
	type CxoneResult,
} from './request';
export { retryPolicy } from './retryPolicy';
export { clientCredentialsConnection, requestToken, tokenCache } from './tokenCache';

/** How a node authenticates: a real tenant's access key, or the tutorial contract's client credentials. */
export type Authentication = 'accessKey' | 'clientCredentials';

const CREDENTIAL_TYPES = {
	accessKey: { name: 'niceCxoneAccessKeyApi', label: 'NICE CXone Access Key API' },
	clientCredentials: { name: 'niceCxoneApi', label: 'NICE CXone API' },
} as const;

/** The node's credential of the chosen kind as a connection; a NodeOperationError naming the bad field otherwise. */
export async function nodeConnection(
	context: { getCredentials(type: string): Promise<ICredentialDataDecryptedObject>; getNode(): INode },
	authentication: Authentication = 'clientCredentials',
): Promise<CxoneConnection> {
	const type = CREDENTIAL_TYPES[authentication];
	const data = await context.getCredentials(type.name);
	try {
		return authentication === 'accessKey'
			? accessKeyConnection(accessKeyCredentialsFrom(data))
			: clientCredentialsConnection(credentialsFrom(data));
	} catch (error) {
		throw new NodeOperationError(context.getNode(), `Credential: ${(error as Error).message}`, {
			description: `Fix the ${type.label} credential; nothing was sent to CXone.`,
		});
	}
}
