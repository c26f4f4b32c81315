/**
 * The Digital (DFO) API listener: a base of its own (spec §2a, §10.3), so that a client which builds Digital URLs
 * from api_endpoint, or ACD URLs from the Digital base, is answered 404. No DFO resource is served yet; every
 * answer uses DFO's error shape {errors:[{message}]}.
 */
import type http from 'node:http';

import { dfoError } from './answers';
import { bearerRefusal } from './acd';
import type { TokenStore } from './tokens';
import type { Answer, RealApiStats } from './types';

export const DFO_PREFIX = '/dfo/3.0/';

export function digitalCall(
	ctx: { tokens: TokenStore; stats: RealApiStats },
	method: string,
	path: string,
	req: http.IncomingMessage,
): Answer {
	ctx.stats.digitalCalls++;
	if (!path.startsWith(DFO_PREFIX)) {
		return dfoError(404, `No Digital API route ${method} ${path}; DFO paths start with ${DFO_PREFIX}`);
	}
	// The same CXone bearer token is used for DFO (§4).
	const refusal = bearerRefusal(ctx.tokens, req);
	if (refusal) return dfoError(401, refusal);
	return dfoError(404, `No Digital API route ${method} ${path}`);
}
