import { existsSync } from 'node:fs';
import path from 'node:path';

const dist = path.resolve(__dirname, '../../dist');

/** Loads a module of the built package (`npm run build` first), as n8n would load it. */
export function loadBuilt<T>(relative: string): T {
	const file = path.join(dist, relative);
	if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(file) as T;
}
