import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_API_HOST, DEFAULT_AUTH_HOST, DEFAULT_SCOPES } from '../nodes/NiceCxone/constants';
import { credentialsFrom, preAuthenticationError, tokenCache } from '../nodes/NiceCxone/transport';

export class NiceCxoneApi implements ICredentialType {
	name = 'niceCxoneApi';

	displayName = 'NICE CXone API';

	icon = { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-nice-cxone/n8n-nodes-nice-cxone#credential-nice-cxone-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Auth Host',
			name: 'authHost',
			type: 'string',
			default: DEFAULT_AUTH_HOST,
			required: true,
			description:
				"Base URL of your tenant's OAuth server; the token is requested from {Auth Host}/oauth/token. Must be https:// (http:// only for localhost).",
		},
		{
			displayName: 'API Host',
			name: 'apiHost',
			type: 'string',
			default: DEFAULT_API_HOST,
			required: true,
			description: "Base URL of your tenant's CXone API. Must be https:// (http:// only for localhost).",
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: DEFAULT_SCOPES,
			description:
				'Space-separated OAuth scopes: interactions:write for attribute updates, webhooks:write for webhooks',
		},
		{
			displayName: 'Allow Unauthorized Certificates',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if the TLS certificate cannot be verified. For self-signed test hosts only: never for a real tenant.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/**
	 * Fetches the client-credentials token for n8n's own requests with this credential (the HTTP Request node)
	 * through the same cache the NICE CXone nodes use. n8n calls this again after a 401 with the
	 * refused token still in the credentials, which is the signal to drop it.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		try {
			const cxone = credentialsFrom(credentials);
			if (typeof credentials.accessToken === 'string' && credentials.accessToken) {
				tokenCache.invalidate(cxone, credentials.accessToken);
			}
			return { accessToken: await tokenCache.get(this, cxone) };
		} catch (error) {
			throw preAuthenticationError(error);
		}
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};
}
