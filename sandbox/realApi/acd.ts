/**
 * The ACD REST API (spec §8, §10.4): everything under {api_endpoint}/inContactAPI/services/v{NN}.0/, with its bearer
 * check, the Accept rule and `icStatusDescription` errors. Only the cheap calls a credential test makes are served.
 */
import type http from 'node:http';

import { acceptsJson, acdError, json, NOT_RENDERABLE } from './answers';
import type { Tenant } from './tenant';
import type { TokenStore } from './tokens';
import type { AcdRouteName, Answer, LimitVerdict, RealApiStats } from './types';

/** The path casing `inContactAPI` and `incontactapi` both work in reality (§2a), so the prefix is case-insensitive. */
const ACD_PATH = /^\/incontactapi\/services\/v\d+\.0(?:\/(.*))?$/i;

export const isAcdPath = (path: string) => ACD_PATH.test(path);

// A Map, not an object: a path such as …/constructor must not find Object.prototype's members.
const ACD_ROUTES = new Map<string, { route: Exclude<AcdRouteName, 'unknown'>; method: string }>([
	['server-time', { route: 'serverTime', method: 'GET' }],
	['business-unit', { route: 'businessUnit', method: 'GET' }],
]);

export interface AcdContext {
	tenant: Tenant;
	tokens: TokenStore;
	stats: RealApiStats;
	admitApiCall(): LimitVerdict;
}

export function bearerOf(req: http.IncomingMessage): string | undefined {
	return /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Why a request's bearer token is refused, or undefined when it is a live access token of this sandbox. */
export function bearerRefusal(tokens: TokenStore, req: http.IncomingMessage): string | undefined {
	const token = bearerOf(req);
	if (token === undefined) return 'Missing bearer token';
	const check = tokens.check(token, 'access');
	if (check === 'expired') return 'The access token expired';
	if (check === 'unknown') return 'Invalid access token';
	return undefined;
}

export function acdCall(ctx: AcdContext, method: string, path: string, req: http.IncomingMessage): Answer {
	const rest = (ACD_PATH.exec(path)?.[1] ?? '').toLowerCase();
	const known = ACD_ROUTES.get(rest);
	ctx.stats.acdCalls[known?.route ?? 'unknown']++;

	// The gateway refuses a bad token before any service looks at the request, so 401 comes first.
	const refusal = bearerRefusal(ctx.tokens, req);
	if (refusal) return acdError(401, refusal, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
	const verdict = ctx.admitApiCall();
	if (!verdict.accepted) {
		// [U] CXone "sends no reliable Retry-After" (§8); the header is sent only when the sandbox's limit mode gives one.
		const retry: Record<string, string> =
			verdict.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(verdict.retryAfterSeconds) };
		return acdError(429, verdict.description, retry);
	}
	if (!known) return acdError(404, `No ACD resource ${path}`);
	if (method !== known.method) return acdError(405, `${method} is not allowed on ${path}`, { Allow: known.method });
	if (!acceptsJson(req.headers.accept)) {
		ctx.stats.notRenderable++;
		return NOT_RENDERABLE;
	}
	switch (known.route) {
		case 'serverTime':
			// The published example's shape: {"ServerTime": "…"} (§11).
			return json(200, { ServerTime: new Date().toISOString() });
		case 'businessUnit':
			// [U] The spec gives no body for business-unit; a list holding this tenant's unit is assumed.
			return json(200, {
				businessUnits: [
					{ businessUnitId: ctx.tenant.businessUnitId, businessUnitName: ctx.tenant.tenantName, isActive: true },
				],
			});
	}
}
