/**
 * The demo: the CXone sandbox with the tenant rate limit (200 requests/s) and a real n8n with this
 * package installed from its tarball, a sandbox credential and the two example workflows. The trigger
 * workflow is active, so running the bulk workflow in the editor starts one trigger execution per update.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { defaultOwner, N8nInstance, type N8nLine } from '../test/e2e/n8nInstance';
import { sandboxCredentialData } from '../sandbox/credential';
import { CxoneSandbox } from '../sandbox/server';

export const DEMO_CREDENTIAL_ID = 'cxoneSandboxCred01';
export const BULK_WORKFLOW_ID = 'cxoneDemoBulk001';
export const TRIGGER_WORKFLOW_ID = 'cxoneDemoTrigger01';
const DEMO_INTERACTIONS = ['8f7a9b2c-0001', '8f7a9b2c-0002', '8f7a9b2c-0003', '8f7a9b2c-0004', '8f7a9b2c-0005'];

const root = resolve(__dirname, '..');

export interface Demo {
	sandbox: CxoneSandbox;
	n8n: N8nInstance;
	stop(): Promise<void>;
}

/** Starts the sandbox and n8n with the demo data; used by `npm run demo` and the browser test. */
export async function startDemo(line: N8nLine, log: (line: string) => void = () => {}): Promise<Demo> {
	const tarball = readdirSync(join(root, '.tmp')).find((file) => /^n8n-nodes-nice-cxone-.*\.tgz$/.test(file));
	if (!tarball) throw new Error('No package tarball in .tmp/: run "npm run demo" (it packs the package first)');

	const sandbox = new CxoneSandbox({
		clientId: 'demo-client',
		clientSecret: `demo_${randomBytes(18).toString('base64url')}`,
		rateLimitPerSecond: 200,
		port: process.env.CXONE_SANDBOX_PORT ? Number(process.env.CXONE_SANDBOX_PORT) : 0,
	});
	await sandbox.start();
	for (const id of DEMO_INTERACTIONS) sandbox.addInteraction(id);
	log(`CXone sandbox on ${sandbox.url} (200 requests/s tenant limit)`);

	log(`Installing n8n ${line} (cached after the first run) and the package…`);
	const n8n = await N8nInstance.create({ line, packageTarball: join(root, '.tmp', tarball) });
	const stop = async () => {
		await n8n.dispose();
		await sandbox.stop();
	};
	try {
		await n8n.importCredentials([
			{
				id: DEMO_CREDENTIAL_ID,
				name: 'NICE CXone sandbox',
				type: 'niceCxoneApi',
				data: sandboxCredentialData(sandbox),
			},
		]);
		await n8n.importWorkflow([
			{ ...example('bulk-update-attributes.json'), id: BULK_WORKFLOW_ID },
			{ ...example('attribute-change-trigger.json'), id: TRIGGER_WORKFLOW_ID },
		]);
		await n8n.activate(TRIGGER_WORKFLOW_ID);
		await n8n.start();
		await n8n.setupOwnerAndLogin();
	} catch (error) {
		await stop();
		throw error;
	}
	return { sandbox, n8n, stop };
}

function example(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as Record<string, unknown>;
}

async function main() {
	const { values } = parseArgs({ options: { line: { type: 'string', default: process.env.DEMO_N8N_LINE ?? 'v2' } } });
	const line = values.line === 'v1' ? 'v1' : 'v2';
	const demo = await startDemo(line, (text) => console.log(text));
	const { sandbox, n8n } = demo;
	console.log(`
NICE CXone demo is running.

  n8n editor:      ${n8n.url}/workflow/${BULK_WORKFLOW_ID}
  n8n login:       ${defaultOwner.email} / ${defaultOwner.password}
  CXone sandbox:   ${sandbox.url}
    Client ID:     ${sandbox.clientId}
    Client Secret: ${sandbox.clientSecret}

Open the bulk workflow and click "Execute workflow": 5 interactions get their attributes updated, each
with an audit record, plus a run summary. The active trigger workflow "${TRIGGER_WORKFLOW_ID}" then gets one
execution per update (see Executions). Press Ctrl+C to stop.`);
	let stopping = false;
	const shutdown = () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the sandbox…');
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
