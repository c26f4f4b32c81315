import { afterAll, beforeAll, expect, it } from 'vitest';

import { CxoneSandbox } from '../sandbox/server';
import { runNiceCxone, sandboxCredentials } from '../helpers/runWorkflow';

const sandbox = new CxoneSandbox();
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});

it('updates attributes of 3 items through a real workflow run', async () => {
	const result = await runNiceCxone({
		credentials: sandboxCredentials(sandbox),
		parameters: {
			operation: 'updateAttributes',
			interactionId: '={{ $json.id }}',
			attributesInput: 'json',
			attributesJson: '={{ JSON.stringify({ campaign: $json.campaign }) }}',
		},
		items: [
			{ id: 'a', campaign: 'x' },
			{ id: 'b', campaign: 'y' },
			{ id: 'c', campaign: 'z' },
		],
	});
	expect(result.error).toBeUndefined();
	console.log(JSON.stringify(result.output, null, 1).slice(0, 1500));
	expect(result.output).toHaveLength(3);
	expect(sandbox.stats.tokenRequests).toBe(1);
});
