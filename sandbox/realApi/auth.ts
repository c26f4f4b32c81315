/**
 * Access-key authentication (spec §1): route A, UserHub's JSON access-key login and its refresh, and route B, the
 * global authentication service's OIDC discovery and password grant for a registered back-end app.
 */
import type http from 'node:http';

import { contentTypeIs, parseBasic, safeEqual } from '../httpUtil';
import { isRecord, json, oauthError, userHubError } from './answers';
import type { Tenant } from './tenant';
import type { Issuers, TokenStore } from './tokens';
import type { Answer, RealApiStats } from './types';

export const ACCESS_KEY_LOGIN_PATH = '/authentication/v1/token/access-key';
export const ACCESS_KEY_REFRESH_PATH = '/public/user/refresh';
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const TOKEN_ENDPOINT_PATH = '/auth/token';

export interface AuthContext {
	tenant: Tenant;
	tokens: TokenStore;
	issuers: Issuers;
	clientId: string;
	clientSecret: string;
	appApproved: boolean;
	accessKeyRevoked: boolean;
	stats: RealApiStats;
}


function keyMatches(ctx: AuthContext, id: string, secret: string): boolean {
	// Both comparisons always run, so the answer time does not tell which half was wrong.
	const idOk = safeEqual(id, ctx.tenant.accessKeyId);
	const secretOk = safeEqual(secret, ctx.tenant.accessKeySecret);
	return idOk && secretOk && !ctx.accessKeyRevoked;
}

function issue(ctx: AuthContext, audience: string) {
	ctx.stats.realTokensIssued++;
	return ctx.tokens.issue(ctx.tenant, ctx.issuers, audience);
}

function parseJsonObject(
	raw: string,
	req: http.IncomingMessage,
): { body: Record<string, unknown> } | { refused: Answer } {
	// The live-tested tap moved from a form body to JSON "after testing" (§1a), so a form body is refused.
	if (!contentTypeIs(req, 'application/json')) {
		return { refused: userHubError(400, 'invalid_request', 'Content-Type must be application/json') };
	}
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		return { refused: userHubError(400, 'invalid_request', 'Body is not valid JSON') };
	}
	return isRecord(body) ? { body } : { refused: userHubError(400, 'invalid_request', 'Body must be a JSON object') };
}

/** Route A: POST {auth host}/authentication/v1/token/access-key with JSON {accessKeyId, accessKeySecret}. */
export function accessKeyLogin(ctx: AuthContext, raw: string, req: http.IncomingMessage): Answer {
	ctx.stats.loginRequests.accessKey++;
	const parsed = parseJsonObject(raw, req);
	if ('refused' in parsed) return parsed.refused;
	const { accessKeyId, accessKeySecret } = parsed.body;
	if (typeof accessKeyId !== 'string' || typeof accessKeySecret !== 'string' || !accessKeyId || !accessKeySecret) {
		return userHubError(400, 'invalid_request', 'accessKeyId and accessKeySecret are required strings');
	}
	if (!keyMatches(ctx, accessKeyId, accessKeySecret)) {
		return userHubError(401, 'invalid_grant', 'Invalid access key: unknown, wrong secret or revoked');
	}
	// No app is involved on this route; the audience names the UserHub service instead of a client id.
	return json(200, issue(ctx, 'UserHub'));
}

/**
 * Route A's refresh: POST /public/user/refresh with JSON {token}. Its answer uses other keys than the login (§1a);
 * [U] `tokenExpirationTimeSec` is read as a lifetime in seconds, as the tap maps it onto `expires_in`.
 */
export function accessKeyRefresh(ctx: AuthContext, raw: string, req: http.IncomingMessage): Answer {
	ctx.stats.refreshRequests.accessKey++;
	const parsed = parseJsonObject(raw, req);
	if ('refused' in parsed) return parsed.refused;
	const token = parsed.body.token;
	if (typeof token !== 'string' || !token) {
		return userHubError(400, 'invalid_request', 'token is required');
	}
	const refusal = refreshRefusal(ctx, token);
	if (refusal) return userHubError(401, 'invalid_grant', refusal);
	const set = issue(ctx, 'UserHub');
	return json(200, {
		token: set.access_token,
		refreshToken: set.refresh_token,
		tokenExpirationTimeSec: ctx.tenant.accessTokenLifetimeSeconds,
		refreshTokenExpirationTimeSec: ctx.tenant.refreshTokenLifetimeSeconds,
	});
}

function refreshRefusal(ctx: AuthContext, token: string): string | undefined {
	const check = ctx.tokens.check(token, 'refresh');
	if (check === 'unknown') return 'Unknown refresh token';
	if (check === 'expired') return 'The refresh token expired';
	// A revoked key ends the sessions it opened: refreshing must not outlive the key.
	if (ctx.accessKeyRevoked && ctx.tokens.keyOf(token) === ctx.tenant.accessKeyId) return 'The access key was revoked';
	return undefined;
}

/** Route B's discovery document, the shape of the published example (§1b), every endpoint on this sandbox. */
export function openidConfiguration(ctx: AuthContext): Answer {
	ctx.stats.openidConfigurationRequests++;
	const issuer = ctx.issuers.oidc;
	return json(200, {
		issuer,
		authorization_endpoint: `${issuer}/auth/authorize`,
		token_endpoint: `${issuer}${TOKEN_ENDPOINT_PATH}`,
		userinfo_endpoint: `${issuer}/auth/userinfo`,
		jwks_uri: `${issuer}/auth/jwks`,
		token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
		token_endpoint_auth_signing_alg_values_supported: ['RS256'],
		end_session_endpoint: `${issuer}/auth/authorize/logout`,
		scopes_supported: ['openid'],
		response_types_supported: ['code'],
		subject_types_supported: ['public'],
		// The sandbox signs HS256 with a secret of its own; clients only decode (§10.1), so no jwks is served.
		id_token_signing_alg_values_supported: ['HS256'],
		request_object_signing_alg_values_supported: ['none'],
		display_values_supported: ['page', 'popup'],
		claim_types_supported: ['normal'],
		code_challenge_methods_supported: ['S256'],
	});
}

/** Route B's token endpoint: the password grant with the access key, and the refresh_token grant (§1b). */
export function tokenEndpoint(ctx: AuthContext, raw: string, req: http.IncomingMessage): Answer {
	const pairs = raw.split('&').filter(Boolean);
	const grantType = new URLSearchParams(raw).get('grant_type');
	if (grantType === 'refresh_token') ctx.stats.refreshRequests.password++;
	else ctx.stats.loginRequests.password++;

	if (!contentTypeIs(req, 'application/x-www-form-urlencoded')) {
		return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
	}
	// Keys end in '=' (§1): the Camunda connector reports that they "must be URL-encoded as %3D" here [T], so a raw
	// '=' inside a value is refused rather than read leniently, and a client that forgets to encode fails here first.
	if (pairs.some((pair) => pair.indexOf('=') !== pair.lastIndexOf('='))) {
		const description = "Form values must be URL-encoded: '=' inside a value must be sent as %3D";
		return oauthError(400, 'invalid_request', description);
	}
	const form = new URLSearchParams(raw);

	const basic = parseBasic(req.headers.authorization);
	const bodyId = form.get('client_id');
	const bodySecret = form.get('client_secret');
	if (basic && bodyId !== null && (bodyId !== basic.id || (bodySecret !== null && bodySecret !== basic.secret))) {
		const description = 'Client credentials sent both as Basic auth and in the body, and they differ';
		return oauthError(400, 'invalid_request', description);
	}
	const challenge = basic ? { 'WWW-Authenticate': 'Basic realm="cxone"' } : undefined;
	const clientId = basic?.id ?? bodyId;
	const clientSecret = basic?.secret ?? bodySecret;
	// [U] Whether the grant works without client credentials (§12.4); documentation and practice always send them.
	if (clientId === null || clientSecret === null) {
		const description = 'Client authentication is required (HTTP Basic or client_id and client_secret)';
		return oauthError(401, 'invalid_client', description, challenge);
	}
	const idOk = safeEqual(clientId, ctx.clientId);
	const secretOk = safeEqual(clientSecret, ctx.clientSecret);
	if (!idOk || !secretOk) {
		return oauthError(401, 'invalid_client', 'Client authentication failed: unknown client or wrong secret', challenge);
	}
	if (!ctx.appApproved) {
		return oauthError(401, 'invalid_client', 'The application registration is not yet approved', challenge);
	}

	if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required');
	// `scope` is neither required nor checked: the password grant examples send none, NICE's SDK sends `openid` (§1b).
	if (grantType === 'password') {
		const username = form.get('username');
		const password = form.get('password');
		if (!username || !password) {
			const description = 'username (the access key id) and password (its secret) are required';
			return oauthError(400, 'invalid_request', description);
		}
		if (!keyMatches(ctx, username, password)) {
			return oauthError(401, 'invalid_grant', 'Invalid access key: unknown, wrong secret or revoked');
		}
		return json(200, issue(ctx, ctx.clientId));
	}
	if (grantType === 'refresh_token') {
		const token = form.get('refresh_token');
		if (!token) return oauthError(400, 'invalid_request', 'refresh_token is required');
		const refusal = refreshRefusal(ctx, token);
		if (refusal) return oauthError(401, 'invalid_grant', refusal);
		return json(200, issue(ctx, ctx.clientId));
	}
	const description = `Grant type ${grantType} is not supported; use password or refresh_token`;
	return oauthError(400, 'unsupported_grant_type', description);
}
