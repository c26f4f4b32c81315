import http from 'node:http';
import https from 'node:https';

import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * The axios adapter every CXone call goes through when no proxy is configured: one request on
 * Node's http/https with the client's keep-alive agents. axios' own Node adapter wraps each
 * request in redirect, proxy, decompression and progress handling that CXone's small JSON calls
 * never use; on a run of thousands of items that costs about as much CPU as the requests
 * themselves. axios still merges the config, runs the interceptors and axios-retry, and parses
 * the JSON; this adapter only has to answer as axios' own does: the response, or an AxiosError
 * with the same codes (so retries and error messages behave the same).
 */
export function directAdapter(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
	return new Promise((resolve, reject) => {
		const url = new URL(config.url as string);
		const isHttps = url.protocol === 'https:';
		// Every CXone body is JSON or form text. Sent as a string, Node writes it together with the
		// headers in one write; as a Buffer it takes a writev of both, measurably slower per request.
		const body = config.data === undefined || config.data === null ? undefined : String(config.data);
		const headers = AxiosHeaders.from(config.headers).toJSON() as http.OutgoingHttpHeaders;
		if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);

		const request = (isHttps ? https : http).request(
			{
				agent: isHttps ? config.httpsAgent : config.httpAgent,
				protocol: url.protocol,
				hostname: url.hostname,
				port: url.port,
				path: url.pathname + url.search,
				method: (config.method ?? 'get').toUpperCase(),
				headers,
			},
			(response) => {
				const chunks: Buffer[] = [];
				let length = 0;
				const limit = config.maxContentLength ?? -1;
				response.on('data', (chunk: Buffer) => {
					length += chunk.length;
					if (limit > -1 && length > limit) {
						response.destroy();
						reject(
							new AxiosError(
								`maxContentLength size of ${limit} exceeded`,
								AxiosError.ERR_BAD_RESPONSE,
								config,
								request,
							),
						);
						return;
					}
					chunks.push(chunk);
				});
				response.once('error', (error) => reject(AxiosError.from(error, undefined, config, request)));
				response.once('end', () => {
					const status = response.statusCode ?? 0;
					const answer: AxiosResponse = {
						data: Buffer.concat(chunks, length).toString('utf8'),
						status,
						statusText: response.statusMessage ?? '',
						headers: AxiosHeaders.from(response.headers as Record<string, string>),
						config,
						request,
					};
					if (!config.validateStatus || config.validateStatus(status)) {
						resolve(answer);
						return;
					}
					reject(
						new AxiosError(
							`Request failed with status code ${status}`,
							status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
							config,
							request,
							answer,
						),
					);
				});
			},
		);
		request.once('error', (error) => reject(AxiosError.from(error, undefined, config, request)));
		if (config.timeout) {
			request.setTimeout(config.timeout, () => {
				request.destroy();
				reject(
					new AxiosError(
						config.timeoutErrorMessage ?? `timeout of ${config.timeout}ms exceeded`,
						config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED,
						config,
						request,
					),
				);
			});
		}
		request.end(body);
	});
}
