/**
 * The demo: the CXone sandbox with the tenant rate limit (200 requests/s) and a real n8n with this
 * package installed from its tarball, both credentials pointing at the sandbox, the two example workflows
 * and an HTTP Request workflow on the real-API emulator. The trigger workflow is active, so running the bulk
 * workflow in the editor starts one trigger execution per update. n8n's data lives in a temporary folder
 * deleted on exit, unless `--data-dir` (or DEMO_N8N_DATA_DIR) names a folder to keep and reuse.
 * `--queue` runs the same in n8n's queue mode (main, two workers, a webhook process, Redis, Postgres).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { defaultOwner, N8nInstance, type N8nLine } from '../test/e2e/n8nInstance';
import { N8nQueue } from '../test/queue/n8nQueue';
import { DEFAULT_UPDATE, queueUpdateWorkflow } from '../test/queue/workflows';
import { sandboxAccessKeyCredentialData, sandboxCredentialData } from '../sandbox/credential';
import { CxoneSandbox } from '../sandbox/server';
import { serverTimeWorkflow } from './serverTimeWorkflow';

export const DEMO_CREDENTIAL_ID = 'cxoneSandboxCred01';
export const DEMO_ACCESS_KEY_CREDENTIAL_ID = 'cxoneSandboxKey01';
export const BULK_WORKFLOW_ID = 'cxoneDemoBulk001';
export const TRIGGER_WORKFLOW_ID = 'cxoneDemoTrigger01';
export const SERVER_TIME_WORKFLOW_ID = 'cxoneDemoSrvTime1';
const DEMO_CREDENTIAL_NAME = 'NICE CXone sandbox';
const DEMO_ACCESS_KEY_CREDENTIAL_NAME = 'NICE CXone sandbox (access key)';
const SERVER_TIME_WORKFLOW_NAME = 'NICE CXone: ACD server time with the HTTP Request node (Access Key credential)';
const DEMO_INTERACTIONS = ['8f7a9b2c-0001', '8f7a9b2c-0002', '8f7a9b2c-0003', '8f7a9b2c-0004', '8f7a9b2c-0005'];

const root = resolve(__dirname, '..');

export interface Demo {
	sandbox: CxoneSandbox;
	n8n: N8nInstance;
	stop(): Promise<void>;
}

export interface QueueDemo {
	sandbox: CxoneSandbox;
	queue: N8nQueue;
	stop(): Promise<void>;
}

export interface DemoOptions {
	/** n8n's user folder (database, settings, installed package) to keep; a temporary one if not given. */
	dataDir?: string;
	log?: (line: string) => void;
}

/** Starts the sandbox and n8n with the demo data; used by `npm run demo` and the browser test. */
export async function startDemo(line: N8nLine, { dataDir, log = () => {} }: DemoOptions = {}): Promise<Demo> {
	const { sandbox, n8n, stop } = await onDemoSandbox(
		log,
		async () => {
			log(`Installing n8n ${line} (cached after the first run) and the package…`);
			return await N8nInstance.create({ line, packageTarball: packedTarball(), userFolder: dataDir });
		},
		async (n8n, sandbox) => {
			// Imported on every start: a kept data folder then holds this run's sandbox ports, key and secrets.
			await importDemoData(n8n, sandbox);
			await n8n.importWorkflow(demoWorkflows(sandbox));
			await n8n.activate(TRIGGER_WORKFLOW_ID);
			await n8n.start();
			await n8n.setupOwnerAndLogin();
			// n8n keeps an active workflow's webhooks across restarts, trusting CXone to keep the registration; this
			// run's sandbox is new, so in a reused data folder the trigger must register again.
			if (dataDir) await registerAgain(n8n, TRIGGER_WORKFLOW_ID);
		},
	);
	return { sandbox, n8n, stop };
}

/**
 * The same in n8n's queue mode: Redis and Postgres (installed from Debian's packages when missing), a main
 * process, two workers and a webhook process, plus a workflow that a webhook call starts on a worker.
 */
export async function startQueueDemo(line: N8nLine, log: (line: string) => void = () => {}): Promise<QueueDemo> {
	const { sandbox, n8n, stop } = await onDemoSandbox(
		log,
		async () => {
			log(`Starting Redis and Postgres, installing n8n ${line} (cached after the first run) and the package…`);
			return await N8nQueue.create({ line, packageTarball: packedTarball() });
		},
		async (queue, sandbox) => {
			await importDemoData(queue.main, sandbox);
			await queue.prepareWorkflows([
				...demoWorkflows(sandbox).map((workflow) => ({ ...workflow, active: workflow.id === TRIGGER_WORKFLOW_ID })),
				queueUpdateWorkflow({ ...DEFAULT_UPDATE, credential: demoCredential }),
			]);
			log('Starting n8n: main, 2 workers, webhook process…');
			await queue.start();
		},
	);
	return { sandbox, queue: n8n, stop };
}

/** Starts the demo sandbox, then an n8n made by `create` and readied by `prepare`; stops both if either fails. */
async function onDemoSandbox<N8n extends { dispose(): Promise<void> }>(
	log: (line: string) => void,
	create: () => Promise<N8n>,
	prepare: (n8n: N8n, sandbox: CxoneSandbox) => Promise<void>,
): Promise<{ sandbox: CxoneSandbox; n8n: N8n; stop(): Promise<void> }> {
	const sandbox = await startDemoSandbox(log);
	const n8n = await create().catch(async (error: unknown) => {
		await sandbox.stop();
		throw error;
	});
	const stop = async () => {
		await n8n.dispose();
		await sandbox.stop();
	};
	try {
		await prepare(n8n, sandbox);
	} catch (error) {
		await stop();
		throw error;
	}
	return { sandbox, n8n, stop };
}

const demoCredential = { id: DEMO_CREDENTIAL_ID, name: DEMO_CREDENTIAL_NAME };

async function startDemoSandbox(log: (line: string) => void): Promise<CxoneSandbox> {
	const sandbox = new CxoneSandbox({
		clientId: 'demo-client',
		clientSecret: `demo_${randomBytes(18).toString('base64url')}`,
		rateLimitPerSecond: 200,
		port: process.env.CXONE_SANDBOX_PORT ? Number(process.env.CXONE_SANDBOX_PORT) : 0,
	});
	await sandbox.start();
	for (const id of DEMO_INTERACTIONS) sandbox.addInteraction(id);
	log(`CXone sandbox on ${sandbox.url} (200 requests/s tenant limit)`);
	return sandbox;
}

function packedTarball(): string {
	const tarball = readdirSync(join(root, '.tmp')).find((file) => /^n8n-nodes-nice-cxone-.*\.tgz$/.test(file));
	if (!tarball) throw new Error('No package tarball in .tmp/: run "npm run demo" (it packs the package first)');
	return join(root, '.tmp', tarball);
}

async function importDemoData(n8n: N8nInstance, sandbox: CxoneSandbox): Promise<void> {
	await n8n.importCredentials([
		{ ...demoCredential, type: 'niceCxoneApi', data: sandboxCredentialData(sandbox) },
		{
			id: DEMO_ACCESS_KEY_CREDENTIAL_ID,
			name: DEMO_ACCESS_KEY_CREDENTIAL_NAME,
			type: 'niceCxoneAccessKeyApi',
			data: demoAccessKeyCredentialData(sandbox),
		},
	]);
}

function demoWorkflows(sandbox: CxoneSandbox): Array<{ id: string }> {
	return [
		{ ...example('bulk-update-attributes.json'), id: BULK_WORKFLOW_ID },
		{ ...example('attribute-change-trigger.json'), id: TRIGGER_WORKFLOW_ID },
		serverTimeWorkflow({
			id: SERVER_TIME_WORKFLOW_ID,
			name: SERVER_TIME_WORKFLOW_NAME,
			apiBase: sandbox.realApi.apiBase,
			credential: { id: DEMO_ACCESS_KEY_CREDENTIAL_ID, name: DEMO_ACCESS_KEY_CREDENTIAL_NAME },
			nodeIds: ['5d1f3a7e-2b4c-4e6a-9c8d-0e1f2a3b4c01', '5d1f3a7e-2b4c-4e6a-9c8d-0e1f2a3b4c02'],
		}),
	];
}

/** Deactivates and activates a workflow as the editor's toggle does, so its trigger registers anew. */
async function registerAgain(n8n: N8nInstance, workflowId: string): Promise<void> {
	const { versionId } = await n8n.request<{ versionId: string }>('POST', `/rest/workflows/${workflowId}/deactivate`, {});
	await n8n.request('POST', `/rest/workflows/${workflowId}/activate`, { versionId });
}

/** Both bases filled in, as a user pointing the credential at the sandbox by hand would enter them. */
function demoAccessKeyCredentialData(sandbox: CxoneSandbox) {
	return sandboxAccessKeyCredentialData(sandbox, { apiBaseOverride: sandbox.realApi.apiBase });
}

function example(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as Record<string, unknown>;
}

async function main() {
	const { values } = parseArgs({
		options: {
			line: { type: 'string', default: process.env.DEMO_N8N_LINE ?? 'v2' },
			'data-dir': { type: 'string', default: process.env.DEMO_N8N_DATA_DIR || undefined },
			queue: { type: 'boolean', default: false },
		},
	});
	const line = values.line === 'v1' ? 'v1' : 'v2';
	const dataDir = values['data-dir'];
	const log = (text: string) => console.log(text);
	const demo = values.queue ? await startQueueDemo(line, log) : await startDemo(line, { dataDir, log });
	const { sandbox } = demo;
	const n8n = 'queue' in demo ? demo.queue.main : demo.n8n;
	const accessKey = demoAccessKeyCredentialData(sandbox);
	const dataNote = dataDir
		? `${n8n.userFolder}, kept: the next "npm run demo -- --line ${line} --data-dir ${dataDir}" reuses it`
		: `${n8n.userFolder}, TEMPORARY: deleted when the demo stops.
                   To keep workflows and executions: npm run demo -- --data-dir ~/n8n-cxone-demo
                   (or DEMO_N8N_DATA_DIR=~/n8n-cxone-demo npm run demo)`;
	console.log(`
NICE CXone demo is running (n8n ${line}${'queue' in demo ? ", queue mode" : ''}).

  n8n editor:      ${n8n.url}/workflow/${BULK_WORKFLOW_ID}
  n8n login:       ${defaultOwner.email} / ${defaultOwner.password}
  n8n data:        ${dataNote}

  CXone sandbox:   ${sandbox.url}

  Credentials created in n8n (both point at the sandbox):
    "${DEMO_CREDENTIAL_NAME}" (NICE CXone API: the tutorial contract, for Update Attributes and the trigger)
      Auth Host, API Host:  ${sandbox.url}
      Client ID:            ${sandbox.clientId}
      Client Secret:        ${sandbox.clientSecret}
    "${DEMO_ACCESS_KEY_CREDENTIAL_NAME}" (NICE CXone Access Key API: the real APIs, for the Contact and Digital operations and the HTTP Request node)
      Environment:          Custom URL
      Auth Host:            ${accessKey.authHost}
      Access Key ID:        ${accessKey.accessKeyId}
      Access Key Secret:    ${accessKey.accessKeySecret}
      API Base:             ${accessKey.apiBaseOverride}
      Digital API Base:     ${accessKey.digitalBaseOverride}

  Workflows created in n8n:
    ${n8n.url}/workflow/${BULK_WORKFLOW_ID}  bulk Update Attributes from a list
    ${n8n.url}/workflow/${TRIGGER_WORKFLOW_ID}  NICE CXone Trigger → audit entry (active)
    ${n8n.url}/workflow/${SERVER_TIME_WORKFLOW_ID}  ACD server time with the HTTP Request node

Open the bulk workflow and click "Execute workflow": 5 interactions get their attributes updated, each
with an audit record, plus a run summary. The active trigger workflow then gets one execution per update
(see Executions). The server-time workflow logs in with the access key and answers {"ServerTime": …}.`);
	if ('queue' in demo) {
		const { queue } = demo;
		console.log(`
Queue mode: Redis on 127.0.0.1:${queue.services.redis.port}, Postgres on 127.0.0.1:${queue.services.postgres.port},
workers' health at ${queue.workers.map((worker) => `${worker.url}/healthz`).join(' and ')}, webhook process on ${queue.webhook.url}.
Manual runs and webhook calls both run on the workers. Start updates from a webhook call:

  curl -X POST ${queue.webhook.url}/webhook/${DEFAULT_UPDATE.path} -H 'content-type: application/json' \\
    -d '{"rows":[{"interaction_id":"8f7a9b2c-0001","segment":"enterprise"}]}'`);
	}
	console.log('\nPress Ctrl+C to stop.');
	let stopping = false;
	const shutdown = () => {
		if (stopping) return;
		stopping = true;
		console.log(`\nStopping n8n and the sandbox${dataDir ? '' : ', deleting the temporary n8n data'}…`);
		void demo.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
