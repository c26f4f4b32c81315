import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { DEFAULT_API_HOST, DEFAULT_AUTH_HOST, DEFAULT_SCOPES } from '../constants';
import { describeZodError, hostSchema } from '../helpers/validation';

/** The NICE CXone API credential's fields, hosts checked and without trailing slashes. */
export interface CxoneCredentials {
	authHost: string;
	apiHost: string;
	clientId: string;
	clientSecret: string;
	scopes: string;
	allowUnauthorizedCerts: boolean;
}

/** Reads and checks the credential fields; throws a plain Error naming the field that is wrong. */
export function credentialsFrom(data: ICredentialDataDecryptedObject): CxoneCredentials {
	const host = (field: 'authHost' | 'apiHost', label: string, fallback: string) => {
		const value = String(data[field] ?? fallback).trim() || fallback;
		const checked = hostSchema.safeParse(value);
		if (!checked.success) throw new Error(`${label} ${describeZodError(checked.error)}`);
		return value.replace(/\/+$/, '');
	};
	return {
		authHost: host('authHost', 'Auth Host', DEFAULT_AUTH_HOST),
		apiHost: host('apiHost', 'API Host', DEFAULT_API_HOST),
		clientId: String(data.clientId ?? ''),
		clientSecret: String(data.clientSecret ?? ''),
		scopes: String(data.scopes ?? DEFAULT_SCOPES).trim().split(/\s+/).filter(Boolean).join(' '),
		allowUnauthorizedCerts: data.ignoreSslIssues === true,
	};
}

/** The tenant a credential acts on, for the process-wide rate limiter: its API host and client. */
export const tenantKeyOf = (credentials: CxoneCredentials) => `${credentials.apiHost}\n${credentials.clientId}`;
