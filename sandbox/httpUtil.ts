/** Small HTTP helpers shared by the tutorial contract (server.ts) and the real CXone APIs (realApi/). */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export function safeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	return left.length === right.length && timingSafeEqual(left, right);
}

export function contentTypeIs(req: http.IncomingMessage, type: string): boolean {
	return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === type;
}

export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
	const match = /^Basic (.+)$/i.exec(header ?? '');
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return undefined;
	// RFC 6749 §2.3.1 form-encodes id and secret before Base64; most clients send them raw.
	const unescape = (part: string) => {
		if (!part.includes('%')) return part;
		try {
			return decodeURIComponent(part);
		} catch {
			return part;
		}
	};
	return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}
