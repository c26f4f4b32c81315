import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Queue mode boots Redis, Postgres and four n8n processes per n8n line: slow, heavy, one file at a time.
export default defineConfig({
	test: {
		root: resolve(__dirname, '../..'),
		include: ['test/queue/**/*.test.ts'],
		testTimeout: 10 * 60_000,
		hookTimeout: 15 * 60_000,
		teardownTimeout: 60_000,
		pool: 'forks',
		fileParallelism: false,
		sequence: { concurrent: false },
		reporters: ['default'],
	},
});
