import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { sandboxFor } from '../helpers/sandbox';
import { cxoneCredentials, cxoneFailure, cxoneSuccess, transport, updateBody } from '../helpers/transport';
import { attributesPath } from '../sandbox/testClient';

const { CxoneError } = transport;

/** A self-signed certificate for 127.0.0.1, made with openssl for this test run only. */
function selfSignedCertificate(): { key: string; cert: string } {
	const dir = mkdtempSync(join(tmpdir(), 'cxone-tls-'));
	try {
		execFileSync(
			'openssl',
			[
				'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
				'-addext', 'subjectAltName=IP:127.0.0.1',
				'-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
			],
			{ stdio: 'ignore' },
		);
		return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** A forward HTTP proxy on 127.0.0.1 that records the absolute URLs it was asked for. */
async function forwardProxy(onTestFinished: (fn: () => Promise<void>) => void) {
	const requested: string[] = [];
	const server = http.createServer((req, res) => {
		requested.push(req.url ?? '');
		const target = new URL(req.url ?? '');
		const upstream = http.request(
			{ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.once('error', () => res.destroy());
		req.pipe(upstream);
	});
	await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
	onTestFinished(async () => {
		server.closeAllConnections();
		await new Promise<void>((closed) => server.close(() => closed()));
	});
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requested };
}

describe("the transport on n8n's request helper: TLS and proxy settings are n8n's own", () => {
	it.concurrent('HTTPS: a self-signed certificate is refused unless Allow Unauthorized Certificates is on, then the update goes through', async ({
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished }, { tls: selfSignedCertificate() });
		expect(sandbox.url).toMatch(/^https:/);
		const body = updateBody('tls');

		const refused = await cxoneFailure(cxoneCredentials(sandbox), { method: 'POST', path: attributesPath('i-tls'), body });
		expect(refused.error).toBeInstanceOf(CxoneError);
		// The token request is the first to meet the certificate; the update is never tried, and a
		// certificate error is not retried: it would fail the same way.
		expect(refused.error).toMatchObject({ status: undefined, code: 'DEPTH_ZERO_SELF_SIGNED_CERT', fromTokenEndpoint: true });
		expect(refused.attempts).toBe(0);
		expect(sandbox.stats.tokenRequests).toBe(0);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);

		const accepted = await cxoneSuccess(cxoneCredentials(sandbox, { ignoreSslIssues: true }), {
			method: 'POST',
			path: attributesPath('i-tls'),
			body,
		});
		expect(accepted).toMatchObject({ status: 200, attempts: 1 });
		expect(accepted.data).toMatchObject({ interactionId: 'i-tls' });
		expect(sandbox.received.map((received) => received.raw)).toEqual([body]);
	});

	it.concurrent("with HTTP_PROXY set, token and API calls go through the proxy (n8n's helper applies the proxy variables)", async ({
		onTestFinished,
	}) => {
		const sandbox = await sandboxFor({ onTestFinished });
		const proxy = await forwardProxy(onTestFinished);
		const body = updateBody('via proxy');
		// The proxy variables are the n8n process's own, so the proxied run is a process of its own, with
		// n8n-core loaded first as in n8n (it sets up how axios and its agents share the proxy settings).
		const script = `
			require('n8n-core');
			const { Container } = require('@n8n/di');
			const { OutboundHttp } = require('@n8n/backend-network');
			const http = { helpers: { httpRequest: (options) => Container.get(OutboundHttp).requests().request(options) } };
			const transport = require(${JSON.stringify(resolve(__dirname, '../../dist/nodes/NiceCxone/transport/index.js'))});
			const credentials = transport.credentialsFrom(${JSON.stringify({
				authHost: sandbox.url,
				apiHost: sandbox.url,
				clientId: sandbox.clientId,
				clientSecret: sandbox.clientSecret,
			})});
			transport
				.cxoneRequest(http, transport.clientCredentialsConnection(credentials), { method: 'POST', path: ${JSON.stringify(attributesPath('i-proxy'))}, body: ${JSON.stringify(body)} })
				.then((response) => process.stdout.write(JSON.stringify({ status: response.status, data: response.data })));`;
		const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PROXY: proxy.url };
		for (const name of ['NO_PROXY', 'no_proxy', 'npm_config_noproxy']) delete env[name];
		const output = await new Promise<string>((done, fail) =>
			execFile(process.execPath, ['-e', script], { env, timeout: 20_000, cwd: resolve(__dirname, '../..') }, (error, stdout) =>
				error ? fail(error) : done(stdout),
			),
		);
		expect(JSON.parse(output)).toMatchObject({ status: 200, data: { interactionId: 'i-proxy' } });
		expect(proxy.requested).toEqual([`${sandbox.url}/oauth/token`, `${sandbox.url}${attributesPath('i-proxy')}`]);
		expect(sandbox.received.map((received) => received.raw)).toEqual([body]);
	});
});
