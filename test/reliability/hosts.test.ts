/**
 * Hosts: a credential pointing anywhere but an https host (or plain http on loopback) is refused with
 * an error naming the field, in a workflow run and in the credential test alike, before any request.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { testCredential } from '../helpers/credentialTest';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';
import { CxoneSandbox } from '../../sandbox/server';
import { recordFigures } from './support';

const sandbox = new CxoneSandbox();
const PASSWORD = 'pa55word-in-url';
const LABEL = { authHost: 'Auth Host', apiHost: 'API Host' } as const;

/** Built once the sandbox listens, so the refused URLs point at a server that would count a request. */
const refusedHosts = (port: number) => [
	`ftp://127.0.0.1:${port}`,
	'file:///etc/passwd',
	'javascript:alert(1)',
	'data:text/plain,hello',
	`ws://127.0.0.1:${port}`,
	'http://example.com',
	'http://localhost.example.com',
	`http://127.0.0.1.nip.io:${port}`,
	`http://user:${PASSWORD}@127.0.0.1:${port}`,
	`https://user:${PASSWORD}@127.0.0.1:${port}`,
	`http://:${PASSWORD}@127.0.0.1:${port}`,
	`http://user@127.0.0.1:${port}`,
	`https://user:${PASSWORD}@exa mple.com`,
	`127.0.0.1:${port}`,
	`//127.0.0.1:${port}`,
];

const parameters = {
	operation: 'updateAttributes',
	interactionId: '={{ $json.id }}',
	attributesInput: 'json',
	attributesJson: '{"campaign_id": "12345"}',
};

const figures = { casesRefused: 0, credentialTestsRefused: 0, requestsReceived: 0, passwordEchoes: 0 };

function expectNothingReceived() {
	const calls = Object.values(sandbox.stats.calls).reduce((sum, count) => sum + count, 0);
	figures.requestsReceived += calls;
	expect(calls).toBe(0);
	expect(sandbox.received).toEqual([]);
}

beforeAll(async () => {
	await sandbox.start();
});
beforeEach(() => {
	sandbox.resetCounters();
});
afterAll(async () => {
	await sandbox.stop();
	recordFigures('hosts', figures);
});

describe('refused credential hosts', () => {
	const cases = () =>
		refusedHosts(Number(new URL(sandbox.url).port)).flatMap((host) =>
			(['authHost', 'apiHost'] as const).map((field) => ({ field, host })),
		);

	it('a workflow run refuses each one, naming the field, and sends nothing', async () => {
		for (const { field, host } of cases()) {
			const credentials: ICredentialDataDecryptedObject = sandboxCredentials(sandbox, { [field]: host });
			const stopped = await runNiceCxone({ credentials, parameters, items: [{ id: 'h-1' }, { id: 'h-2' }] });
			const message = String(stopped.error?.message);
			expect(message, host).toMatch(new RegExp(`^Credential: ${LABEL[field]} `));
			expect(String(stopped.error?.description), host).toMatch(/nothing was sent to CXone/);

			const continued = await runNiceCxone({ credentials, parameters, items: [{ id: 'h-1' }, { id: 'h-2' }], continueOnFail: true });
			expect(continued.output.map((item) => [item.json.status, item.json.error_code]), host).toEqual([
				['failure', 'validation_error'],
				['failure', 'validation_error'],
			]);
			expect(String(continued.output[0].json.error), host).toBe(message);

			if (message.includes(PASSWORD)) figures.passwordEchoes++;
			expect(message, host).not.toContain(PASSWORD);
			expectNothingReceived();
			figures.casesRefused++;
		}
	});

	it('the credential test refuses each one too, and sends nothing', async () => {
		for (const { field, host } of cases()) {
			const result = await testCredential(sandboxCredentials(sandbox, { [field]: host }));
			expect(result.status, host).toBe('Error');
			expect(result.message, host).toContain(LABEL[field]);
			expect(result.message, host).not.toContain(PASSWORD);
			expectNothingReceived();
			figures.credentialTestsRefused++;
		}
	});
});

describe('accepted loopback hosts (the control)', () => {
	it.each(['127.0.0.1', 'localhost'])('plain http to %s reaches the sandbox', async (host) => {
		const url = sandbox.url.replace('127.0.0.1', host);
		const result = await runNiceCxone({
			credentials: sandboxCredentials(sandbox, { authHost: url, apiHost: url }),
			parameters,
			items: [{ id: `ok-${host}` }],
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json.status).toBe('success');
		expect(sandbox.stats.calls.updateAttributes).toBe(1);
	});
});
