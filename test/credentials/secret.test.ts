/**
 * The client secret never appears in anything a failing run produces: output items, the error's
 * message, description and context, the whole run data, and everything logged meanwhile.
 */
import { describe, expect, it } from 'vitest';

import { captureOutput } from '../helpers/capture';
import { testCredential } from '../helpers/credentialTest';
import { sandboxFor } from '../helpers/sandbox';
import { runNiceCxone, sandboxCredentials, type RunResult } from '../helpers/runWorkflow';

const parameters = {
	operation: 'updateAttributes',
	interactionId: '={{ $json.id }}',
	attributesInput: 'json',
	attributesJson: '{"campaign_id": "12345"}',
};

const json = (value: unknown) => String(JSON.stringify(value));

/** Every place of a run a user or a log could see, one string each. */
function everythingShown(result: RunResult, output: string): Record<string, string> {
	const { error } = result;
	return {
		items: json(result.output),
		message: String(error?.message),
		description: String(error?.description),
		context: json(error?.context),
		messages: json((error as { messages?: unknown } | undefined)?.messages),
		stack: String(error?.stack),
		error: json(error),
		runData: json(result.run.data),
		run: json(result.run),
		log: output,
	};
}

const hitsOf = (places: Record<string, string>, secret: string) =>
	Object.entries(places)
		.filter(([, text]) => text.includes(secret))
		.map(([place]) => place);

describe('the client secret stays secret', () => {
	it.for([false, true])('a wrong secret (Continue On Fail: %s): a clear error, zero hits', async (continueOnFail, test) => {
		const sandbox = await sandboxFor(test);
		const secret = `wrong-secret-${sandbox.clientSecret.slice(-16)}`;
		const { result, output } = await captureOutput(() =>
			runNiceCxone({
				credentials: sandboxCredentials(sandbox, { clientSecret: secret }),
				parameters,
				items: [{ id: 'i-1' }, { id: 'i-2' }],
				continueOnFail,
			}),
		);
		const shown = continueOnFail ? String(result.output[0].json.error) : String(result.error?.message);
		expect(shown).toMatch(/^Item 0: CXone token request failed \(401 invalid_client\): Client authentication failed/);
		// The capture really saw the run's logging, so zero hits in it means something.
		expect(output).toContain('Workflow execution started');
		if (!continueOnFail) expect(output).toContain('invalid_client');
		expect(hitsOf(everythingShown(result, output), secret)).toEqual([]);
		expect(sandbox.stats.calls.updateAttributes).toBe(0);
	});

	it('a secret CXone echoes back (pasted into Scopes by mistake) is redacted', async (test) => {
		const sandbox = await sandboxFor(test);
		const secret = sandbox.clientSecret;
		const { result, output } = await captureOutput(() =>
			runNiceCxone({ credentials: sandboxCredentials(sandbox, { scopes: secret }), parameters, items: [{ id: 'i-1' }] }),
		);
		expect(result.error?.message).toMatch(
			/^Item 0: CXone token request failed \(400 invalid_request\): None of the requested scopes \(\[redacted\]\)/,
		);
		expect(hitsOf(everythingShown(result, output), secret)).toEqual([]);
	});

	it('the credential test with a wrong secret shows and logs no secret', async (test) => {
		const sandbox = await sandboxFor(test);
		const secret = `wrong-secret-${sandbox.clientSecret.slice(-16)}`;
		const { result: run, output } = await captureOutput(() =>
			testCredential(sandboxCredentials(sandbox, { clientSecret: secret })),
		);
		expect(run.message).toMatch(/Client authentication failed/);
		const places = { result: json(run), log: output };
		expect(hitsOf(places, secret)).toEqual([]);
	});
});
