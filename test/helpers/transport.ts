/** The built transport modules: the same instances (and the same token cache) the built node uses. */
import { createRequire } from 'node:module';

import { Container } from '@n8n/di';
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import type * as Transport from '../../nodes/NiceCxone/transport';
import type { CxoneRequest } from '../../nodes/NiceCxone/transport';
import type { CxoneSandbox } from '../../sandbox/server';
import { loadBuilt } from './built';
import { sandboxCredentials } from './runWorkflow';

export const transport = loadBuilt<typeof Transport>('nodes/NiceCxone/transport/index.js');

type Credentials = ReturnType<typeof transport.credentialsFrom>;

/** n8n-core's outbound HTTP service, loaded the way n8n-core loads it (its package exports confuse vite). */
const { OutboundHttp } = createRequire(require.resolve('n8n-core'))('@n8n/backend-network') as {
	OutboundHttp: new () => { requests(): { request(options: IHttpRequestOptions): Promise<unknown> } };
};

/** n8n-core's request helper, as every node context hands it out (n8n-core 2.x's getRequestHelperFunctions). */
export const http: Transport.HttpHelpers = {
	helpers: { httpRequest: async (options) => await Container.get(OutboundHttp).requests().request(options) },
};

/** Checked credentials for `sandbox`, as the node derives them from the credential data. */
export const cxoneCredentials = (sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) =>
	transport.credentialsFrom(sandboxCredentials(sandbox, overrides));

/** One transport call through n8n's request helper, with the tutorial credentials or any connection. */
export const cxoneCall = async <T = unknown>(credentials: Credentials | Transport.CxoneConnection, request: CxoneRequest) =>
	await transport.cxoneRequest<T>(
		http,
		'session' in credentials ? credentials : transport.clientCredentialsConnection(credentials),
		request,
	);

/** A call that must succeed: its result, or the test fails with CXone's error. */
export async function cxoneSuccess<T = unknown>(credentials: Credentials | Transport.CxoneConnection, request: CxoneRequest) {
	const result = await cxoneCall<T>(credentials, request);
	if (!result.ok) throw result.error;
	return result;
}

/** A call that must fail: its CxoneError, with the attempts and time the call took. */
export async function cxoneFailure(credentials: Credentials | Transport.CxoneConnection, request: CxoneRequest) {
	const result = await cxoneCall(credentials, request);
	if (result.ok) throw new Error(`expected the call to fail, it answered ${result.status}`);
	return { error: result.error, attempts: result.attempts, latencyMs: result.latencyMs };
}

/** The shared token cache's token for `credentials`, fetched through n8n's request helper. */
export const cachedToken = async (credentials: Credentials) => await transport.tokenCache.get(http, credentials);

/** A valid update body for one attribute. */
export const updateBody = (value: string | number = 'x') =>
	JSON.stringify({ attributes: [{ key: 'campaign_id', value, mode: 'UPDATE' }] });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
