import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

/**
 * What every n8n context hands a node to make HTTP calls with: n8n-core's request helper, which runs
 * on n8n's own axios with n8n's proxy settings (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) and TLS options.
 */
export interface HttpHelpers {
	helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> };
}

/** A credential test only gets n8n's older request helper, which takes request-library options. */
export interface LegacyHttpHelpers {
	helpers: { request(options: object): Promise<unknown> };
}

/** Adapts the older request helper so a credential test sends through the same code as the nodes. */
export function fromLegacyHelpers(context: LegacyHttpHelpers): HttpHelpers {
	return {
		helpers: {
			httpRequest: async (options) =>
				await context.helpers.request({
					uri: options.url,
					method: options.method,
					body: options.body,
					headers: options.headers,
					timeout: options.timeout,
					rejectUnauthorized: options.skipSslCertificateValidation !== true,
					followRedirect: false,
					followAllRedirects: false,
					resolveWithFullResponse: true,
					simple: false,
					json: false,
				}),
		},
	};
}

export interface HttpCall {
	method: IHttpRequestMethods;
	url: string;
	headers: IDataObject;
	/** Sent byte for byte: the JSON or form text the caller serialised (and hashed). */
	body?: string;
	timeoutMs: number;
	skipTlsVerification: boolean;
}

/** An HTTP answer, whatever its status. */
export interface HttpAnswer {
	status: number;
	headers: Record<string, unknown>;
	/** Parsed JSON, or the text as received when it is not JSON. */
	body: unknown;
}

/** A call that got no HTTP answer: connection refused or reset, timeout, TLS failure. */
export interface NetworkFailure {
	/** Node's or axios' code: ECONNRESET, ECONNREFUSED, ECONNABORTED (timeout), DEPTH_ZERO_SELF_SIGNED_CERT, … */
	code: string;
	message: string;
}

/**
 * One HTTP exchange through n8n's request helper, no retries: statuses come back as answers,
 * never as exceptions, so the retry policy sees every outcome the same way.
 */
export async function sendHttp(context: HttpHelpers, call: HttpCall): Promise<HttpAnswer | NetworkFailure> {
	try {
		const response = (await context.helpers.httpRequest({
			method: call.method,
			url: call.url,
			headers: call.headers,
			...(call.body !== undefined ? { body: call.body } : {}),
			timeout: call.timeoutMs,
			skipSslCertificateValidation: call.skipTlsVerification,
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; headers?: Record<string, unknown>; body?: unknown };
		const headers = response.headers ?? {};
		return { status: response.statusCode, headers, body: parsedBody(response.body, headers) };
	} catch (error) {
		const { code, message } = error as { code?: unknown; message?: unknown };
		const text = typeof message === 'string' ? message : 'Request failed';
		// n8n's axios reports its own timeout as ECONNABORTED, the code of an aborted request; say what happened.
		const timedOut = code === 'ECONNABORTED' && /timeout/i.test(text);
		return {
			code: timedOut ? 'ETIMEDOUT' : typeof code === 'string' && code !== '' ? code : 'network_error',
			message: text,
		};
	}
}

export const isNetworkFailure = (outcome: HttpAnswer | NetworkFailure): outcome is NetworkFailure =>
	'code' in outcome;

/** The JSON body; n8n's helper parses it already, its older helper leaves text. */
function parsedBody(body: unknown, headers: Record<string, unknown>): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string' || !/json/i.test(String(headers['content-type'] ?? ''))) return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/** A header's value as one string, whatever the helper handed over. */
export function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
	const wanted = name.toLowerCase();
	const key = Object.keys(headers).find((header) => header.toLowerCase() === wanted);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}
