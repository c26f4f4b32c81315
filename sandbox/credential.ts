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
