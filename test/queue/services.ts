/**
 * Redis and Postgres for n8n's queue mode, from Debian's packages, each in a temp folder of its own on a
 * free port of 127.0.0.1: no systemd, no Docker, nothing left behind. Every start is a fresh database.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { endGroup, freePort, spawnInGroup } from '../e2e/n8nInstance';

const execFileAsync = promisify(execFile);

const ensureScript = resolve(__dirname, 'ensureServices.sh');
const ensureTimeoutMs = 10 * 60_000;
const startTimeoutMs = 60_000;
const commandTimeoutMs = 60_000;

/** The database and role n8n uses; trust authentication on 127.0.0.1 only, so no password. */
export const DATABASE = 'n8n';
export const DATABASE_USER = 'n8n';
/** Postgres refuses to run as root; Debian's package creates this system user for it. */
const POSTGRES_SYSTEM_USER = 'postgres';

export interface QueueServices {
	redis: { host: string; port: number };
	postgres: { host: string; port: number; database: string; user: string };
	/** What each server printed, for a failing test's message. */
	logs(): string;
	/** Stops both servers and deletes their folders; safe to call twice. */
	stop(): Promise<void>;
}

interface RunningServer {
	child: ChildProcess;
	exited: Promise<void>;
	output: string[];
}

/** Installs Redis and Postgres when missing, then starts one of each with empty data. */
export async function startQueueServices(): Promise<QueueServices> {
	const { stdout } = await execFileAsync('bash', [ensureScript], { timeout: ensureTimeoutMs });
	const postgresBin = stdout.trim().split('\n').pop()!;
	const folder = await mkdtemp(join(tmpdir(), 'n8n-queue-services-'));
	const servers: RunningServer[] = [];
	const stop = async () => {
		for (const server of servers.splice(0)) {
			if (server.child.pid !== undefined) await endGroup(server.child.pid, server.exited);
		}
		await rm(folder, { recursive: true, force: true });
	};
	try {
		const redisPort = await freePort();
		servers.push(await startRedis(join(folder, 'redis'), redisPort));
		const postgresPort = await freePort();
		servers.push(await startPostgres(postgresBin, join(folder, 'postgres'), postgresPort));
		return {
			redis: { host: '127.0.0.1', port: redisPort },
			postgres: { host: '127.0.0.1', port: postgresPort, database: DATABASE, user: DATABASE_USER },
			logs: () => servers.map((server) => server.output.join('')).join('\n'),
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** The environment that points every n8n process of one queue-mode setup at these services. */
export function queueModeEnv(services: QueueServices): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: services.redis.host,
		QUEUE_BULL_REDIS_PORT: String(services.redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: services.postgres.host,
		DB_POSTGRESDB_PORT: String(services.postgres.port),
		DB_POSTGRESDB_DATABASE: services.postgres.database,
		DB_POSTGRESDB_USER: services.postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
	};
}

async function startRedis(dir: string, port: number): Promise<RunningServer> {
	await mkdir(dir, { recursive: true });
	// No snapshots or append-only file: the queue lives as long as the test run.
	const server = spawnServer(
		'redis-server',
		['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
		dir,
	);
	await waitUntil(server, 'Redis', async () => {
		const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
			timeout: 2_000,
		});
		return stdout.trim() === 'PONG';
	});
	return server;
}

async function startPostgres(bin: string, dir: string, port: number): Promise<RunningServer> {
	const asOwner = await postgresRunner(dir);
	await execFileAsync(
		...asOwner(join(bin, 'initdb'), [
			'--pgdata',
			dir,
			'--username',
			DATABASE_USER,
			'--auth',
			'trust',
			'--encoding',
			'UTF8',
			'--no-locale',
			'--no-sync',
		]),
		{ timeout: commandTimeoutMs },
	);
	// A throwaway database: durability settings off, and no socket outside its own folder.
	const [command, args] = asOwner(join(bin, 'postgres'), [
		'-D',
		dir,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${dir}`,
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
	]);
	const server = spawnServer(command, args, dir);
	const isReady = join(bin, 'pg_isready');
	await waitUntil(server, 'Postgres', async () => {
		await execFileAsync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', DATABASE_USER], { timeout: 2_000 });
		return true;
	});
	await execFileAsync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', DATABASE_USER, DATABASE], {
		timeout: commandTimeoutMs,
	});
	return server;
}

/**
 * How to run Postgres's programs on `dir`: as they are for an ordinary user, and for root (CI, containers)
 * as Debian's postgres user, through setpriv, which execs, so the server stays the child we stop.
 */
async function postgresRunner(dir: string): Promise<(program: string, args: string[]) => [string, string[]]> {
	await mkdir(dir, { recursive: true });
	if (process.getuid?.() !== 0) return (program, args) => [program, args];
	const [uid, gid] = await Promise.all(
		['-u', '-g'].map(async (flag) => Number((await execFileAsync('id', [flag, POSTGRES_SYSTEM_USER])).stdout.trim())),
	);
	// The parent is a root-only mkdtemp folder; the data folder and the way to it must be the server's.
	await chown(dir, uid, gid);
	await chown(resolve(dir, '..'), uid, gid);
	return (program, args) => [
		'setpriv',
		[`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', program, ...args],
	];
}

function spawnServer(command: string, args: string[], cwd: string): RunningServer {
	const child = spawnInGroup(command, args, { cwd, env: process.env });
	const output: string[] = [];
	child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
	const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
	return { child, exited, output };
}

async function waitUntil(server: RunningServer, name: string, probe: () => Promise<boolean>): Promise<void> {
	let exited = false;
	void server.exited.then(() => (exited = true));
	const deadline = Date.now() + startTimeoutMs;
	while (!exited && Date.now() < deadline) {
		if (await probe().catch(() => false)) return;
		await new Promise((resolveSleep) => setTimeout(resolveSleep, 200));
	}
	if (server.child.pid !== undefined) await endGroup(server.child.pid, server.exited);
	throw new Error(
		`${name} ${exited ? 'exited while starting' : `was not ready within ${startTimeoutMs} ms`}:\n${server.output.join('')}`,
	);
}
