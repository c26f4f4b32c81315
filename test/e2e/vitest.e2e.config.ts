import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// End-to-end tests install and boot real n8n servers: slow, heavy, and run one at a time.
export default defineConfig({
	test: {
		root: resolve(__dirname, '../..'),
		include: ['test/e2e/**/*.test.ts'],
		testTimeout: 10 * 60_000,
		hookTimeout: 10 * 60_000,
		teardownTimeout: 60_000,
		pool: 'forks',
		fileParallelism: false,
		sequence: { concurrent: false },
		reporters: ['default'],
	},
});
