/** What the e2e files share: the packed package, and reading executions back from n8n's REST API. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import type { N8nInstance } from './n8nInstance';

const root = resolve(__dirname, '../..');
const execFileAsync = promisify(execFile);
export const packTimeoutMs = 2 * 60_000;
export const pollTimeoutMs = 60_000;

export type RunData = Record<
	string,
	Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> } }>
>;

export interface ListedExecution {
	id: string;
	status: string;
	finished?: boolean;
	startedAt?: string | null;
	stoppedAt?: string | null;
}

/** More than any test starts for one workflow: n8n lists only 10 or 20 executions unless asked for more. */
const EXECUTIONS_LIST_LIMIT = 100;

/** `npm pack` of the built package into a new folder, as for publishing: the tarball and the files it holds. */
export async function packPackage(): Promise<{ dir: string; tarball: string; files: string[] }> {
	const dir = await mkdtemp(join(tmpdir(), 'cxone-e2e-pack-'));
	const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', dir], {
		cwd: root,
		timeout: packTimeoutMs,
	});
	const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
	return { dir, tarball: join(dir, packed.filename), files: packed.files.map((file) => file.path) };
}

export async function listExecutions(n8n: N8nInstance, workflowId: string): Promise<ListedExecution[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const page = await n8n.request<{ results: ListedExecution[] }>(
		'GET',
		`/rest/executions?filter=${filter}&limit=${EXECUTIONS_LIST_LIMIT}`,
	);
	return page.results;
}

/** Execution data comes back in n8n's `flatted` form; the n8n that wrote it has the parser. */
export function executionData(n8n: N8nInstance, data: unknown): { resultData: { runData: RunData } } {
	if (typeof data !== 'string') return data as { resultData: { runData: RunData } };
	const n8nRequire = createRequire(join(n8n.installDir, 'node_modules/n8n/package.json'));
	const { parse } = n8nRequire('flatted') as { parse: (text: string) => unknown };
	return parse(data) as { resultData: { runData: RunData } };
}

/** The items a node of an execution put out on its first output. */
export async function executionItems(n8n: N8nInstance, executionId: string, nodeName: string) {
	const detail = await n8n.request<{ data: unknown }>('GET', `/rest/executions/${executionId}`);
	const runData = executionData(n8n, detail.data).resultData.runData;
	return (runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}

const UNFINISHED = new Set(['new', 'running', 'waiting', 'unknown']);

/** Executions of a workflow, oldest first, once at least `count` exist and none is unfinished; bounded in time. */
export async function settledExecutions(
	n8n: N8nInstance,
	workflowId: string,
	count: number,
	timeoutMs = pollTimeoutMs,
): Promise<ListedExecution[]> {
	let executions: ListedExecution[] = [];
	await waitFor(
		async () => {
			executions = await listExecutions(n8n, workflowId);
			return executions.length >= count && executions.every((execution) => !UNFINISHED.has(execution.status));
		},
		`${count} finished executions of ${workflowId}`,
		timeoutMs,
	).catch((error: unknown) => {
		const seen = executions.map(({ id, status }) => `${id} ${status}`).join(', ');
		throw new Error(`${error instanceof Error ? error.message : String(error)}; there were: ${seen || 'none'}`);
	});
	return [...executions].sort((a, b) => Number(a.id) - Number(b.id));
}

export async function waitFor(
	condition: () => boolean | Promise<boolean>,
	what: string,
	timeoutMs = pollTimeoutMs,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolveSleep) => setTimeout(resolveSleep, 250));
	}
}
