/** Reading executions of a queue-mode n8n: from the main process's REST API and the workers' logs. */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { N8nInstance } from '../e2e/n8nInstance';
import { listExecutions, settledExecutions, type ListedExecution } from '../e2e/support';

export { listExecutions, settledExecutions, type ListedExecution };

export interface TaskRun {
	startTime: number;
	executionTime: number;
	error?: { message: string };
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

export interface ExecutionDetail {
	id: string;
	status: string;
	runData: Record<string, TaskRun[]>;
	error?: { message?: string };
}

/** One execution's run data, decoded from the `flatted` form n8n stores it in. */
export async function executionDetail(main: N8nInstance, id: string): Promise<ExecutionDetail> {
	const detail = await main.request<{ id: string; status: string; data: unknown }>('GET', `/rest/executions/${id}`);
	const n8nRequire = createRequire(join(main.installDir, 'node_modules/n8n/package.json'));
	const { parse } = n8nRequire('flatted') as { parse: (text: string) => unknown };
	const data = (typeof detail.data === 'string' ? parse(detail.data) : detail.data) as {
		resultData: { runData: Record<string, TaskRun[]>; error?: { message?: string } };
	};
	return { id: detail.id, status: detail.status, runData: data.resultData.runData, error: data.resultData.error };
}

/** The ids of the executions a worker started, from its log ("Worker started execution 12 (job 12)"). */
export function executionsStartedBy(worker: N8nInstance): string[] {
	return [...worker.logs.matchAll(/Worker started execution (\S+)/g)].map((match) => match[1]);
}

/** The items a node put out on its first output in its first run. */
export function outputOf(detail: ExecutionDetail, nodeName: string): Array<Record<string, unknown>> {
	return (detail.runData[nodeName]?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}
