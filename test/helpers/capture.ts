import { inspect } from 'node:util';

import { vi } from 'vitest';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

// The CommonJS instance n8n-core and the built package log through, not the one vitest bundles for tests.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LoggerProxy } = require('n8n-workflow') as typeof import('n8n-workflow');

let sink: string[] | undefined;
const record = (...args: unknown[]) => {
	sink?.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 10 }))).join(' '));
};
const logger = { error: record, warn: record, info: record, debug: record } as Parameters<typeof LoggerProxy.init>[0];

/** Runs `run` and returns, next to its result, everything logged meanwhile: console, stdout/stderr, n8n's logger. */
export async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
	const lines: string[] = [];
	sink = lines;
	// Every time: n8n's own Logger takes LoggerProxy over when n8n-core first creates it.
	LoggerProxy.init(logger);
	const write = (chunk: unknown) => {
		lines.push(String(chunk));
		return true;
	};
	// winston, behind n8n's ErrorReporter, writes to console._stdout rather than through console.log.
	const { _stdout, _stderr } = console as unknown as Record<string, NodeJS.WriteStream | undefined>;
	const streams = new Set([process.stdout, process.stderr, _stdout, _stderr].filter((stream) => stream !== undefined));
	const spies = [
		...CONSOLE_METHODS.map((method) => vi.spyOn(console, method).mockImplementation(record)),
		...[...streams].map((stream) => vi.spyOn(stream, 'write').mockImplementation(write)),
	];
	try {
		return { result: await run(), output: lines.join('\n') };
	} finally {
		sink = undefined;
		for (const spy of spies) spy.mockRestore();
	}
}
