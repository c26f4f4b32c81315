/** Discovery (spec §2a): where a tenant's APIs live, pointing back at this sandbox. */
import { json, oauthError } from './answers';
import type { Tenant } from './tenant';
import type { Answer, RealApiStats } from './types';

export const CXONE_CONFIGURATION_PATH = '/.well-known/cxone-configuration';

export interface DiscoveryContext {
	tenant: Tenant;
	/** The sandbox's base URL: ui, auth and api endpoint at once. */
	url: string;
	stats: RealApiStats;
}

/**
 * GET {issuer}/.well-known/cxone-configuration?tenantId=… with no auth. The fields are the published example's.
 * The Digital API base is deliberately absent, as in reality: clients derive `api-de-{area}.{domain}`, which with the
 * sandbox's unresolvable domain fails, so a client must be given the sandbox's Digital base explicitly.
 */
export function cxoneConfiguration(ctx: DiscoveryContext, query: URLSearchParams): Answer {
	ctx.stats.discoveryRequests++;
	const tenantId = query.get('tenantId');
	// [U] The answer without tenantId (PSInContact calls an area host without it); the clients this package follows
	// (Cognigy, NICE's SDK) always send it, so its absence is refused to show the omission.
	if (!tenantId) return oauthError(400, 'invalid_request', 'The tenantId query parameter is required');
	// [U] The error for an unknown tenant is unobserved; a 404 in the auth service's error shape is assumed.
	if (tenantId.toLowerCase() !== ctx.tenant.tenantId.toLowerCase()) {
		return oauthError(404, 'tenant_not_found', `No tenant ${tenantId}`);
	}
	const { tenant, url } = ctx;
	return json(200, {
		private: false,
		area: tenant.area,
		cluster: tenant.clusterId,
		domain: tenant.domain,
		acdDomain: tenant.domain,
		uhDomain: tenant.domain,
		ui_endpoint: url,
		auth_endpoint: url,
		api_endpoint: url,
		tenantId: tenant.tenantId,
	});
}
