import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { TOKEN_TIMEOUT_MS, WEBHOOKS_PATH } from '../constants';
import { credentialsFrom, CxoneError, fromLegacyHelpers, requestToken } from '../transport';
import { isNetworkFailure, sendHttp } from '../transport/http';

/**
 * The NICE CXone API credential's test: one token request, which proves the client ID and secret, then
 * one authenticated call to the API host (listing webhooks), which proves the host and that it takes
 * the token. A client without webhooks:write passes: attribute updates need only interactions:write.
 */
export async function testNiceCxoneApi(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const http = fromLegacyHelpers(this);
	let credentials;
	try {
		credentials = credentialsFrom(credential.data ?? {});
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	let token: string;
	try {
		token = (await requestToken(http, credentials)).access_token;
	} catch (error) {
		const failure = error as CxoneError;
		return { status: 'Error', message: `${failure.message}. ${failure.hint}` };
	}
	const outcome = await sendHttp(http, {
		method: 'GET',
		url: `${credentials.apiHost}${WEBHOOKS_PATH}`,
		headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
		timeoutMs: TOKEN_TIMEOUT_MS,
		skipTlsVerification: credentials.allowUnauthorizedCerts,
	});
	const failure = CxoneError.fromOutcome(outcome, [credentials.clientSecret, token]);
	if (!isNetworkFailure(outcome) && outcome.status === 200 && typeof outcome.body === 'object') {
		return { status: 'OK', message: 'Token issued and the API host accepted it' };
	}
	if (!isNetworkFailure(outcome) && outcome.status === 403 && failure.code === 'insufficient_scope') {
		return {
			status: 'OK',
			message:
				'Token issued and the API host accepted it. This client lacks the webhooks:write scope: Update Attributes works, Register Webhook and automatic trigger registration will not.',
		};
	}
	const hint =
		!isNetworkFailure(outcome) && outcome.status === 401
			? 'The auth server issued a token that the API host refused: check that Auth Host and API Host belong to the same tenant.'
			: failure.hint;
	return { status: 'Error', message: `API host: ${failure.message}. ${hint}` };
}

/** The nodes' `methods.credentialTest`: both test the credential the same way. */
export const credentialTestMethods = {
	async niceCxoneApiTest(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		return await testNiceCxoneApi.call(this, credential);
	},
};
