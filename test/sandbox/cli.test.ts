import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { call, requestToken } from './testClient';

const root = path.resolve(__dirname, '../..');
const children: ChildProcess[] = [];

interface Announced {
	url: string;
	clientId: string;
	clientSecret: string;
	/** The real CXone APIs' lines. */
	real: {
		accessKeyId: string;
		accessKeySecret: string;
		tenantId: string;
		issuer: string;
		apiBase: string;
		digitalBase: string;
		liveContactId: string;
		closedContactId: string;
		digitalCaseId: string;
		customerId: string;
		businessDataField: string;
		tagId: string;
	};
}

/** Starts `npm run sandbox`'s command in its own process group, so that npx, tsx and node can be ended together. */
function startCli(args: string[], env: Record<string, string> = {}): ChildProcess {
	const childEnv = { ...process.env, ...env };
	for (const name of [
		'CXONE_SANDBOX_PORT',
		'CXONE_SANDBOX_CLIENT_ID',
		'CXONE_SANDBOX_CLIENT_SECRET',
		'CXONE_SANDBOX_RATE_LIMIT',
		'CXONE_SANDBOX_RATE_LIMIT_MODE',
		'CXONE_SANDBOX_ACCESS_KEY_ID',
		'CXONE_SANDBOX_ACCESS_KEY_SECRET',
		'CXONE_SANDBOX_DIGITAL_PORT',
	]) {
		if (!(name in env)) delete childEnv[name];
	}
	const child = spawn('npx', ['tsx', 'sandbox/cli.ts', ...args], {
		cwd: root,
		env: childEnv,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.push(child);
	return child;
}

function readAnnouncement(child: ChildProcess, timeoutMs = 30_000): Promise<Announced> {
	return new Promise((resolve, reject) => {
		let stdout = '';
		let stderr = '';
		const fail = (reason: string) => {
			clearTimeout(timer);
			reject(new Error(`${reason}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
		};
		const timer = setTimeout(() => fail('The CLI did not announce itself in time'), timeoutMs);
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.once('exit', (code) => fail(`The CLI exited early with code ${code}`));
		child.stdout?.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
			const line = (label: string) => new RegExp(`^${label}: (.+)$`, 'm').exec(stdout)?.[1].trim();
			const url = line('URL');
			const clientId = line('Client ID');
			const clientSecret = line('Client Secret');
			const real = {
				accessKeyId: line('Access Key ID'),
				accessKeySecret: line('Access Key Secret'),
				tenantId: line('Tenant ID'),
				issuer: line('Issuer'),
				apiBase: line('API Base'),
				digitalBase: line('Digital API Base'),
				liveContactId: line('Live Contact ID'),
				closedContactId: line('Closed Contact ID'),
				digitalCaseId: line('Digital Case ID'),
				customerId: line('Customer ID'),
				businessDataField: line('Business Data Field'),
				tagId: line('Tag ID'),
			};
			// Rate limit is the last line, so every other line has arrived once it has.
			if (url && clientId && clientSecret && line('Rate limit') !== undefined) {
				clearTimeout(timer);
				const missing = Object.entries(real).filter(([, value]) => value === undefined);
				if (missing.length > 0) return fail(`Lines missing: ${missing.map(([name]) => name).join(', ')}`);
				resolve({ url, clientId, clientSecret, real: real as Announced['real'] });
			}
		});
	});
}

interface Exited {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Resolves once a CLI that is expected to end by itself exits, with its code and everything it wrote. */
function readExit(child: ChildProcess, timeoutMs = 30_000): Promise<Exited> {
	return new Promise((resolve, reject) => {
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => reject(new Error(`The CLI did not exit in time\nstdout:\n${stdout}`)), timeoutMs);
		child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.once('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

/** Ends the whole process group, escalating to SIGKILL if it does not exit promptly. */
async function stopCli(child: ChildProcess): Promise<void> {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const signalGroup = (signal: NodeJS.Signals) => {
		try {
			process.kill(-(child.pid as number), signal);
		} catch {
			// The group is already gone.
		}
	};
	signalGroup('SIGTERM');
	const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
	await exited;
	clearTimeout(timer);
}

async function stopAll() {
	await Promise.all(children.splice(0).map(stopCli));
}
afterEach(stopAll);
afterAll(stopAll);

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** Gets a token with the announced credentials, uses it, and returns the token response. */
async function expectWorkingCredentials({ url, clientId, clientSecret }: Announced) {
	const token = await requestToken(url, {
		grant_type: 'client_credentials',
		client_id: clientId,
		client_secret: clientSecret,
	});
	expect(token.status).toBe(200);
	const update = await call(url, '/api/v2/interactions/int-1/attributes', {
		token: token.body.access_token,
		body: { attributes: [{ key: 'campaign_id', value: '12345' }] },
	});
	expect(update.status).toBe(200);
	return token.body;
}

/** Route A's login with the announced access key; returns the token set. */
async function loginByAccessKey(authHost: string, accessKeyId: string, accessKeySecret: string) {
	const response = await call(authHost, '/authentication/v1/token/access-key', {
		body: { accessKeyId, accessKeySecret },
	});
	expect(response.status).toBe(200);
	return response.body;
}

describe('npm run sandbox (sandbox/cli.ts)', () => {
	it('announces URL, client id and secret that work, on a free port with --port 0', async () => {
		const announced = await readAnnouncement(startCli(['--port', '0']));
		expect(announced.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(Number(new URL(announced.url).port)).toBeGreaterThan(0);
		expect((await expectWorkingCredentials(announced)).expires_in).toBe(1200);
	});

	it('listens on CXONE_SANDBOX_PORT and uses the client id, secret and token lifetime given as flags', async () => {
		const port = await freePort();
		const announced = await readAnnouncement(
			startCli(['--client-id', 'cli-client', '--client-secret', 'cli-secret', '--expires-in', '90'], {
				CXONE_SANDBOX_PORT: String(port),
			}),
		);
		expect({ url: announced.url, clientId: announced.clientId, clientSecret: announced.clientSecret }).toEqual({
			url: `http://127.0.0.1:${port}`,
			clientId: 'cli-client',
			clientSecret: 'cli-secret',
		});
		expect((await expectWorkingCredentials(announced)).expires_in).toBe(90);
	});

	it('announces the real APIs: an access key, issuer, API base and a separate Digital API base that work', async () => {
		const announced = await readAnnouncement(startCli(['--port', '0']));
		const { accessKeyId, accessKeySecret, tenantId, issuer, apiBase, digitalBase } = announced.real;
		expect(accessKeyId).toMatch(/=$/);
		expect(accessKeySecret).toMatch(/=$/);
		expect(issuer).toBe(announced.url);
		expect(apiBase).toBe(announced.url);
		expect(digitalBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(digitalBase).not.toBe(apiBase);

		const token = await loginByAccessKey(issuer, accessKeyId, accessKeySecret);
		expect(token.expires_in).toBe(3600);
		const discovery = await call(issuer, `/.well-known/cxone-configuration?tenantId=${tenantId}`);
		expect(discovery.body.api_endpoint).toBe(apiBase);
		const time = await call(apiBase, '/inContactAPI/services/v30.0/server-time', { token: token.access_token });
		expect(time.status).toBe(200);
		const digital = await call(digitalBase, '/dfo/3.0/contacts/1');
		expect(digital.status).toBe(401);
		expect(digital.body.errors[0].message).toEqual(expect.any(String));
	});

	it('announces the seeded ids, one per line, and they work against the APIs they belong to', async () => {
		const announced = await readAnnouncement(startCli(['--port', '0']));
		const { accessKeyId, accessKeySecret, tenantId, issuer, apiBase, digitalBase, ...seed } = announced.real;
		expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);
		const seedRoute = await call(announced.url, '/_sandbox/seed');
		expect(seedRoute.body).toMatchObject({ ...seed, tagId: Number(seed.tagId) });
		const { access_token: token } = await loginByAccessKey(issuer, accessKeyId, accessKeySecret);
		const acd = '/inContactAPI/services/v30.0';
		const signal = await call(apiBase, `${acd}/interactions/${seed.liveContactId}/signal?p1=cli`, { method: 'POST', token });
		expect(signal.status).toBe(204);
		const tags = await call(apiBase, `${acd}/contacts/${seed.liveContactId}/tags`, {
			method: 'POST',
			token,
			body: { tags: [{ tagId: Number(seed.tagId) }] },
		});
		expect(tags.body.resultSet.errorCount).toBe('0');
		const businessData = await call(apiBase, `/business-data-manager/v1/business-data/contact/${seed.closedContactId}`, {
			method: 'PUT',
			token,
			body: [{ [seed.businessDataField]: 'from the CLI' }],
		});
		expect(businessData.status).toBe(204);
		expect((await call(digitalBase, `/dfo/3.0/contacts/${seed.digitalCaseId}`, { token })).body.endUser.id).toBe(seed.customerId);
	});

	it('uses the access key, tenant, token lifetime and Digital port given as flags and environment', async () => {
		const digitalPort = await freePort();
		const announced = await readAnnouncement(
			startCli(
				[
					'--port',
					'0',
					'--access-key-secret',
					'CLISECRET==',
					'--tenant-id',
					'11eb660f-4c6d-34a0-8733-0242ac110002',
					'--access-token-lifetime',
					'120',
				],
				{ CXONE_SANDBOX_ACCESS_KEY_ID: 'CLIKEYID=', CXONE_SANDBOX_DIGITAL_PORT: String(digitalPort) },
			),
		);
		expect(announced.real).toMatchObject({
			accessKeyId: 'CLIKEYID=',
			accessKeySecret: 'CLISECRET==',
			tenantId: '11eb660f-4c6d-34a0-8733-0242ac110002',
			digitalBase: `http://127.0.0.1:${digitalPort}`,
		});
		const token = await loginByAccessKey(announced.real.issuer, 'CLIKEYID=', 'CLISECRET==');
		expect(token.expires_in).toBe(120);
	});

	it('refuses a --access-token-lifetime that is not a whole number of seconds with exit code 2', async () => {
		const { code, stderr } = await readExit(startCli(['--port', '0', '--access-token-lifetime', '1.5']));
		expect(code).toBe(2);
		expect(stderr).toContain('--access-token-lifetime');
	});

	it('enforces a strict-window limit given with --rate-limit-mode strict-window', async () => {
		const announced = await readAnnouncement(
			startCli(['--port', '0', '--rate-limit', '3', '--rate-limit-mode', 'strict-window']),
		);
		const { access_token: token } = await expectWorkingCredentials(announced);
		// expectWorkingCredentials spent one of the three calls the window holds.
		const responses = await Promise.all(
			Array.from({ length: 6 }, () =>
				call(announced.url, '/api/v2/interactions/int-1/attributes', {
					token,
					body: { attributes: [{ key: 'campaign_id', value: '12345' }] },
					signal: AbortSignal.timeout(5000),
				}),
			),
		);
		expect(responses.filter((response) => response.status === 200)).toHaveLength(2);
		const refused = responses.filter((response) => response.status !== 200);
		expect(refused.map((response) => [response.status, response.headers.get('retry-after')])).toEqual(
			Array(4).fill([429, null]),
		);
		const state = await call(announced.url, '/_sandbox/state');
		expect(state.body.stats).toMatchObject({ acceptedApiCalls: 3, rateLimited: 4, maxAcceptedInAnyWindow: 3 });
	});

	it.each([
		['an unknown --rate-limit-mode', ['--rate-limit', '3', '--rate-limit-mode', 'sliding']],
		['a fractional strict-window limit', ['--rate-limit', '2.5', '--rate-limit-mode', 'strict-window']],
	])('refuses %s with the usage text and exit code 2', async (_, args) => {
		const { code, stderr } = await readExit(startCli(['--port', '0', ...args]));
		expect(code).toBe(2);
		expect(stderr).toContain('--rate-limit-mode MODE');
		expect(stderr).toContain('strict-window');
	});

	it('prints the usage text with --help', async () => {
		const { code, stdout } = await readExit(startCli(['--help']));
		expect(code).toBe(0);
		expect(stdout).toContain('--rate-limit-mode MODE');
	});

	it('stops listening once the process is ended', async () => {
		const child = startCli(['--port', '0']);
		const announced = await readAnnouncement(child);
		await stopCli(child);
		await expect(fetch(`${announced.url}/_sandbox/state`)).rejects.toThrow();
	});
});
