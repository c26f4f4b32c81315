import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { CXONE_ENVIRONMENTS, SERVER_TIME_PATH } from '../nodes/NiceCxone/constants';
import { accessKeyCredentialsFrom, accessKeySessions, preAuthenticationError } from '../nodes/NiceCxone/transport';

export class NiceCxoneAccessKeyApi implements ICredentialType {
	name = 'niceCxoneAccessKeyApi';

	displayName = 'NICE CXone Access Key API';

	icon = { light: 'file:niceCxone.svg', dark: 'file:niceCxone.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-nice-cxone/n8n-nodes-nice-cxone#connect-a-real-cxone-tenant';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
			description: "The API user's access key ID (Admin → Employees → the user → Access Keys)",
		},
		{
			displayName: 'Access Key Secret',
			name: 'accessKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Shown once, when the access key is generated',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Global', value: 'global', description: CXONE_ENVIRONMENTS.global },
				{ name: 'FedRAMP', value: 'fedRamp', description: CXONE_ENVIRONMENTS.fedRamp },
				{ name: 'Australian Sovereign', value: 'auSovereign', description: CXONE_ENVIRONMENTS.auSovereign },
				{ name: 'EU Sovereign', value: 'euSovereign', description: CXONE_ENVIRONMENTS.euSovereign },
				{ name: 'Custom URL', value: 'custom', description: 'Another auth host, such as a test emulator' },
			],
			default: 'global',
			description: "Where your tenant logs in; the tenant's API hosts are discovered from there",
		},
		{
			displayName: 'Auth Host',
			name: 'authHost',
			type: 'string',
			default: '',
			placeholder: 'https://cxone.niceincontact.com',
			displayOptions: { show: { environment: ['custom'] } },
			description: 'Base URL of the CXone issuer. Must be https:// (http:// only for localhost).',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			description:
				'Only for a back-end app registered with NICE: the access key then logs in through the OIDC password grant. Leave empty to log in with the access key alone.',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The registered back-end app's client secret; leave empty without a Client ID",
		},
		{
			displayName: 'API Base',
			name: 'apiBaseOverride',
			type: 'string',
			default: '',
			placeholder: 'https://api-na1.niceincontact.com',
			description: "Leave empty to use the API host CXone's discovery names for your tenant",
		},
		{
			displayName: 'Digital API Base',
			name: 'digitalBaseOverride',
			type: 'string',
			default: '',
			placeholder: 'https://api-de-na1.niceincontact.com',
			description: "Leave empty to derive the Digital (DFO) host from your tenant's discovered area and domain",
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
		{
			displayName: 'API Base (Discovered)',
			name: 'apiBase',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Digital API Base (Discovered)',
			name: 'digitalBase',
			type: 'hidden',
			default: '',
		},
	];

	/**
	 * Logs in and discovers through the cache the NICE CXone nodes share. n8n calls this again after a 401 with
	 * the refused token still in the credentials, which is the signal to drop it, and on every credential test.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		try {
			const cxone = accessKeyCredentialsFrom(credentials);
			if (typeof credentials.accessToken === 'string' && credentials.accessToken) {
				accessKeySessions.invalidate(cxone, credentials.accessToken);
			}
			const session = await accessKeySessions.get(this, cxone);
			return { accessToken: session.accessToken, apiBase: session.apiBase, digitalBase: session.digitalBase };
		} catch (error) {
			throw preAuthenticationError(error);
		}
	}

	/**
	 * A function, not a generic template: n8n resolves a request's URL expressions before it runs
	 * preAuthentication, so a path is joined to the API base only here, once discovery has filled it in.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers = { ...requestOptions.headers };
		// ACD answers an HTML 200 ("No known way to render data") to a request without a JSON Accept (spec §8).
		if (!Object.keys(headers).some((name) => name.toLowerCase() === 'accept')) headers.Accept = 'application/json';
		headers.Authorization = `Bearer ${String(credentials.accessToken)}`;
		// n8n's HTTP Request node sends the legacy request shape: an absolute `uri` and no `url` at all.
		const { url } = requestOptions as Partial<IHttpRequestOptions>;
		if (typeof url !== 'string' || !url.startsWith('/') || requestOptions.baseURL) return { ...requestOptions, headers };
		return { ...requestOptions, url: `${String(credentials.apiBase)}${url}`, headers };
	}

	test: ICredentialTestRequest = {
		request: { method: 'GET', url: SERVER_TIME_PATH },
	};
}
