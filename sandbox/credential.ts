/** The NICE CXone API credential's data for a sandbox: what tests, the demo and the benchmark import into n8n. */
export function sandboxCredentialData(
	sandbox: { url: string; clientId: string; clientSecret: string },
	overrides: Record<string, string | boolean> = {},
) {
	return {
		authHost: sandbox.url,
		apiHost: sandbox.url,
		clientId: sandbox.clientId,
		clientSecret: sandbox.clientSecret,
		scopes: 'interactions:write webhooks:write',
		ignoreSslIssues: false,
		...overrides,
	};
}

/** The NICE CXone Access Key API credential's data for a sandbox: its Custom URL, key and Digital listener. */
export function sandboxAccessKeyCredentialData(
	sandbox: { realApi: { issuer: string; accessKeyId: string; accessKeySecret: string; digitalBase: string } },
	overrides: Record<string, string | boolean> = {},
) {
	return {
		environment: 'custom',
		authHost: sandbox.realApi.issuer,
		accessKeyId: sandbox.realApi.accessKeyId,
		accessKeySecret: sandbox.realApi.accessKeySecret,
		clientId: '',
		clientSecret: '',
		apiBaseOverride: '',
		// Discovery's Digital host follows CXone's naming, which no test host has.
		digitalBaseOverride: sandbox.realApi.digitalBase,
		ignoreSslIssues: false,
		...overrides,
	};
}
