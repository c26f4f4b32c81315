/**
 * n8n in queue mode, as its docs deploy it: one main process (editor, REST API, triggers), worker processes
 * that run the executions they take from Redis, and a webhook process that takes production webhook calls
 * and queues them; Postgres shared by all. Every process has a user folder of its own with the package
 * installed in it from its tarball, as separate containers would.
 */
import { freePort, N8nInstance, webhookUrlEnv, type N8nLine } from '../e2e/n8nInstance';
import { queueModeEnv, startQueueServices, type QueueServices } from './services';

export interface N8nQueueOptions {
	line: N8nLine;
	packageTarball: string;
	/** Worker processes; 2 unless given. */
	workers?: number;
	/** Webhook processes, each on a port of its own as behind a load balancer; 1 unless given. */
	webhookProcesses?: number;
	/** Executions each worker runs at once (`n8n worker --concurrency`); n8n's default is 10. */
	workerConcurrency?: number;
	/** Extra environment for every process; wins over the defaults. */
	env?: Record<string, string>;
}

const DEFAULT_WORKERS = 2;

export class N8nQueue {
	private started = false;

	private constructor(
		readonly line: N8nLine,
		readonly services: QueueServices,
		readonly main: N8nInstance,
		readonly workers: N8nInstance[],
		readonly webhooks: N8nInstance[],
		private readonly webhookPorts: number[],
		private readonly workerArgs: string[],
	) {}

	/**
	 * Starts Redis and Postgres with a fresh database and prepares every n8n process, not yet started, so
	 * that credentials and workflows can be imported and activated through `main`'s CLI first.
	 */
	static async create(options: N8nQueueOptions): Promise<N8nQueue> {
		const services = await startQueueServices();
		const instances: N8nInstance[] = [];
		try {
			const webhookPorts: number[] = [];
			for (let index = 0; index < (options.webhookProcesses ?? 1); index++) webhookPorts.push(await freePort());
			// The address CXone calls: a load balancer's in production; here the first webhook process.
			const webhookUrl = `http://127.0.0.1:${webhookPorts[0]}/`;
			const env = {
				...queueModeEnv(services),
				// Production webhook calls go to the webhook process only, so the main process serves the editor.
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
				// Manual runs go to the workers too, as n8n recommends and as a later n8n always does.
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
				...options.env,
			};
			const create = async (extraEnv: Record<string, string> = {}) => {
				const instance = await N8nInstance.create({
					line: options.line,
					packageTarball: options.packageTarball,
					env: { ...env, ...extraEnv },
				});
				instances.push(instance);
				return instance;
			};
			// What triggers register with CXone is the public webhook URL: the webhook process's, not main's.
			const main = await create(webhookUrlEnv(options.line, webhookUrl));
			const workers = await Promise.all(Array.from({ length: options.workers ?? DEFAULT_WORKERS }, () => create()));
			const webhooks = await Promise.all(webhookPorts.map(async () => await create()));
			const workerArgs = options.workerConcurrency ? [`--concurrency=${options.workerConcurrency}`] : [];
			return new N8nQueue(options.line, services, main, workers, webhooks, webhookPorts, workerArgs);
		} catch (error) {
			await Promise.allSettled(instances.map(async (instance) => await instance.dispose()));
			await services.stop();
			throw error;
		}
	}

	/** The first webhook process: the one the public webhook URL points at. */
	get webhook(): N8nInstance {
		return this.webhooks[0];
	}

	get processes(): N8nInstance[] {
		return [this.main, ...this.workers, ...this.webhooks];
	}

	/** Everything every process and service printed, labelled by role. */
	get logs(): string {
		const label = (name: string, text: string) => `===== ${name}\n${text}`;
		return [
			label('main', this.main.logs),
			...this.workers.map((worker, index) => label(`worker ${index + 1}`, worker.logs)),
			...this.webhooks.map((webhook, index) => label(`webhook ${index + 1}`, webhook.logs)),
			label('redis and postgres', this.services.logs()),
		].join('\n');
	}

	/**
	 * Imports `workflows` and makes the ones marked active live: the hook for trigger workflows (webhook
	 * and polling triggers), which the main process activates when it starts. Call before start().
	 */
	async prepareWorkflows(workflows: Array<{ id: string; active?: boolean }>): Promise<void> {
		if (this.started) throw new Error('prepare workflows before start(): n8n activates them as it starts');
		await this.main.importWorkflow(workflows.map((workflow) => ({ ...workflow, active: false })));
		for (const workflow of workflows.filter((candidate) => candidate.active)) {
			await this.main.activate(workflow.id);
		}
	}

	/** Main first (it migrates the fresh database), then the workers and the webhook process together. */
	async start(): Promise<void> {
		this.started = true;
		await this.main.start('main');
		await Promise.all([
			...this.workers.map(async (worker) => await worker.start('worker', { args: this.workerArgs })),
			...this.webhooks.map(async (webhook, index) => await webhook.start('webhook', { port: this.webhookPorts[index] })),
		]);
		await this.main.setupOwnerAndLogin();
	}

	/** Stops every n8n process, then Redis and Postgres, and deletes all their folders; safe on failure. */
	async dispose(): Promise<void> {
		try {
			await Promise.allSettled(this.processes.map(async (instance) => await instance.dispose()));
		} finally {
			await this.services.stop();
		}
	}
}
