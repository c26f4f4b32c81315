import type { TestContext } from 'vitest';

import { CxoneSandbox, type SandboxOptions } from '../../sandbox/server';

/** Starts a sandbox that stops when the calling test ends, so concurrent tests never stop each other's. */
export async function sandboxFor(
	test: Pick<TestContext, 'onTestFinished'>,
	options: SandboxOptions = {},
): Promise<CxoneSandbox> {
	const sandbox = new CxoneSandbox(options);
	test.onTestFinished(() => sandbox.stop());
	await sandbox.start();
	return sandbox;
}
