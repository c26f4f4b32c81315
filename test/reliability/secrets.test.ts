/**
 * Secret hygiene: every failure path of the node, run with console, stdout/stderr and n8n's logger
 * captured, and everything a user or a log could see searched for the client secret and for every
 * bearer token issued. A second, hostile server echoes the secret and token back in its error texts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { captureOutput } from '../helpers/capture';
import { testCredential } from '../helpers/credentialTest';
import { runNiceCxone, sandboxCredentials, type RunResult } from '../helpers/runWorkflow';
import { transport } from '../helpers/transport';
import { CxoneSandbox } from '../../sandbox/server';
import { recordFigures } from './support';

const sandbox = new CxoneSandbox();
const wrongSecret = `wrong_${randomBytes(24).toString('base64url')}`;

/** Everything each failure path showed anywhere, to be searched once all paths have run. */
const shown: Array<{ path: string; place: string; text: string }> = [];
const pathsRun: string[] = [];

/** JSON as n8n would persist it, and a deep inspect that also reaches non-enumerable fields and causes. */
function views(value: unknown): Record<string, string> {
	const seen = new WeakSet<object>();
	const json = JSON.stringify(value, (_key, item: unknown) => {
		if (typeof item === 'bigint') return String(item);
		if (typeof item === 'object' && item !== null) {
			if (seen.has(item)) return '[cycle]';
			seen.add(item);
		}
		return item;
	});
	const deep = inspect(value, { depth: 40, showHidden: true, maxStringLength: null, maxArrayLength: null });
	return { json: String(json), inspect: deep };
}

function keep(path: string, places: Record<string, unknown>) {
	pathsRun.push(path);
	for (const [place, value] of Object.entries(places)) {
		if (typeof value === 'string') shown.push({ path, place, text: value });
		else for (const [view, text] of Object.entries(views(value))) shown.push({ path, place: `${place} (${view})`, text });
	}
}

const update: INodeParameters = {
	operation: 'updateAttributes',
	interactionId: '={{ $json.id }}',
	attributesInput: 'json',
	attributesJson: '={{ $json.attributes ?? \'{"campaign_id": "12345"}\' }}',
	options: { timeout: 300 },
};

interface FailurePath {
	name: string;
	/** Read when the path runs: the sandbox's port is known only once it listens. */
	credentials?: () => ICredentialDataDecryptedObject;
	parameters?: INodeParameters;
	items?: Array<Record<string, string>>;
	continueOnFail?: boolean;
	arrange?: () => void;
	/** What the first item shows, so each path provably took the failure it is named after. */
	expected: RegExp;
}

async function runPath(path: FailurePath) {
	path.arrange?.();
	const { result, output } = await captureOutput(() =>
		runNiceCxone({
			credentials: path.credentials?.() ?? sandboxCredentials(sandbox),
			parameters: path.parameters ?? update,
			// One item: a second one running alongside would take a queued fault meant for the first.
			items: path.items ?? [{ id: `secret-${pathsRun.length}` }],
			continueOnFail: path.continueOnFail ?? true,
		}),
	);
	const first = path.continueOnFail === false ? String(result.error?.message) : String(result.output[0]?.json.error ?? 'success');
	expect(first, path.name).toMatch(path.expected);
	keepRun(path.name, result, output);
}

function keepRun(name: string, result: RunResult, output: string) {
	const { error } = result;
	keep(name, {
		items: result.output,
		message: String(error?.message ?? ''),
		description: String(error?.description ?? ''),
		context: error?.context ?? {},
		stack: String(error?.stack ?? ''),
		error: error ?? {},
		run: result.run,
		log: output,
	});
}

beforeAll(async () => {
	await sandbox.start();
});
beforeEach(() => {
	sandbox.autoCreateInteractions = true;
});

describe('failure paths against the sandbox', () => {
	const paths: FailurePath[] = [
		{
			name: 'wrong client secret',
			credentials: () => sandboxCredentials(sandbox, { clientSecret: wrongSecret }),
			items: [{ id: 'wrong-1' }, { id: 'wrong-2' }],
			expected: /401 invalid_client/,
		},
		{
			name: 'wrong client secret, without Continue On Fail',
			credentials: () => sandboxCredentials(sandbox, { clientSecret: wrongSecret }),
			continueOnFail: false,
			expected: /401 invalid_client/,
		},
		{
			name: '401 twice (token refused after the refresh too)',
			arrange: () => sandbox.injectFault('updateAttributes', { kind: 'revokedToken' }, 2),
			expected: /401 invalid_token/,
		},
		{ name: 'revoked token, refreshed once and recovered', arrange: () => sandbox.revokeTokens(), expected: /^success$/ },
		{
			name: '403 wrong scope',
			arrange: () => sandbox.injectFault('updateAttributes', { kind: 'wrongScope' }),
			expected: /403 insufficient_scope/,
		},
		{
			name: '403 interaction of another tenant, without Continue On Fail',
			arrange: () => sandbox.addInteraction('foreign-1', { foreign: true }),
			items: [{ id: 'foreign-1' }],
			continueOnFail: false,
			expected: /403 forbidden/,
		},
		{
			name: '404 unknown interaction',
			arrange: () => (sandbox.autoCreateInteractions = false),
			expected: /404 interaction_not_found/,
		},
		{
			name: 'token endpoint down (503 on every attempt)',
			arrange: () => {
				transport.tokenCache.clear();
				sandbox.injectFault('token', { kind: 'status', status: 503 }, 3);
			},
			expected: /CXone token request failed \(503/,
		},
		{
			name: 'validation errors',
			items: [{ id: 'a/b' }, { id: 'ok', attributes: '[{"key": "_reserved", "value": 1}]' }],
			expected: /^Item 0: Interaction ID may not contain/,
		},
		{
			name: 'network reset on every attempt',
			arrange: () => sandbox.injectFault('updateAttributes', { kind: 'reset' }, 3),
			items: [{ id: 'reset-1' }],
			expected: /ECONNRESET/,
		},
		{
			name: 'timeout on every attempt',
			arrange: () => sandbox.injectFault('updateAttributes', { kind: 'stall', ms: 600 }, 3),
			items: [{ id: 'stall-1' }],
			expected: /ETIMEDOUT/,
		},
		{
			name: '429 on every attempt',
			arrange: () => sandbox.injectFault('updateAttributes', { kind: 'status', status: 429, retryAfter: 1 }, 3),
			items: [{ id: 'limited-1' }],
			expected: /429 rate_limited/,
		},
	];

	it.each(paths.map((path) => [path.name, path] as const))('%s', async (_name, path) => {
		await runPath(path);
	}, 60_000);

	it('credential test with a wrong and with the right secret', async () => {
		for (const clientSecret of [wrongSecret, sandbox.clientSecret]) {
			const { result, output } = await captureOutput(() => testCredential(sandboxCredentials(sandbox, { clientSecret })));
			expect(result.status).toBe(clientSecret === wrongSecret ? 'Error' : 'OK');
			keep(`credential test (${clientSecret === wrongSecret ? 'wrong' : 'right'} secret)`, { result, log: output });
		}
	});
});

/**
 * A hostile CXone: its token endpoint and API put the client secret and the bearer token they
 * received into their error texts, so only the package's redaction stands between them and the user.
 */
class EchoServer {
	readonly secret = `echo_${randomBytes(24).toString('base64url')}`;
	readonly tokens: string[] = [];
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
	});

	get url() {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async start() {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
	}

	async stop() {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
		const send = (status: number, payload: unknown) => {
			res.writeHead(status, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify(payload));
		};
		if (req.url === '/oauth/token') {
			const sent = new URLSearchParams(body).get('client_secret') ?? '';
			if (sent !== this.secret) {
				return send(401, { error: 'invalid_client', error_description: `client_secret ${sent} is not valid` });
			}
			const token = `echo_at_${randomBytes(24).toString('base64url')}`;
			this.tokens.push(token);
			return send(200, { access_token: token, token_type: 'Bearer', expires_in: 1200 });
		}
		const bearer = String(req.headers.authorization ?? '');
		const echoed = `${bearer} / client secret ${this.secret}`;
		if (req.url?.includes('/server-error/')) return send(500, { error: 'server_error', error_description: echoed });
		return send(400, {
			error: 'invalid_payload',
			error_description: `Refused ${echoed}`,
			details: [{ path: bearer, message: echoed }],
		});
	}
}

const echo = new EchoServer();

describe('failure paths against a server that echoes secrets', () => {
	const credentials = (clientSecret: string) => ({
		...sandboxCredentials(sandbox),
		authHost: echo.url,
		apiHost: echo.url,
		clientSecret,
	});
	beforeAll(async () => {
		await echo.start();
	});
	afterAll(async () => {
		await echo.stop();
	});

	it.each([
		['token endpoint echoing a wrong secret', wrongSecret, 'echo-1', /401 invalid_client/],
		['API echoing token and secret in a 400 and its details', 'right', 'echo-2', /400 invalid_payload/],
		['API echoing token and secret in a 500 on every attempt', 'right', 'server-error', /500 server_error/],
	] as const)('%s', async (name, secret, id, expected) => {
		await runPath({
			name,
			credentials: () => credentials(secret === 'right' ? echo.secret : secret),
			items: [{ id }],
			expected,
		});
	}, 60_000);
});

it('shows neither a client secret nor a bearer token anywhere, on any of those paths', () => {
	const needles = [
		{ name: 'sandbox client secret', value: sandbox.clientSecret },
		{ name: 'wrong client secret', value: wrongSecret },
		{ name: 'echo server client secret', value: echo.secret },
		...sandbox.issuedTokens().map((value, index) => ({ name: `sandbox token ${index}`, value })),
		...echo.tokens.map((value, index) => ({ name: `echo token ${index}`, value })),
	];
	// Enough tokens were issued (one per refresh) for the search to mean something.
	expect(sandbox.issuedTokens().length).toBeGreaterThanOrEqual(3);
	expect(echo.tokens.length).toBeGreaterThanOrEqual(1);
	// The haystack really holds the runs and their logging, so zero hits in it means something.
	expect(shown.some((entry) => entry.place === 'log' && entry.text.includes('Workflow execution started'))).toBe(true);
	expect(shown.some((entry) => entry.place.startsWith('run') && entry.text.includes('interaction_not_found'))).toBe(true);
	const hits = needles.flatMap((needle) =>
		shown.filter((entry) => entry.text.includes(needle.value)).map((entry) => `${needle.name} in ${entry.path}: ${entry.place}`),
	);
	recordFigures('secrets', {
		failurePaths: pathsRun.length,
		placesSearched: shown.length,
		charactersSearched: shown.reduce((sum, entry) => sum + entry.text.length, 0),
		secretsSearchedFor: 3,
		tokensSearchedFor: sandbox.issuedTokens().length + echo.tokens.length,
		secretHits: hits.length,
	});
	expect(hits).toEqual([]);
});

