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

/**
 * A second copy of a built module and everything it imports, as a new n8n process would load them: its
 * process-wide state (caches, recent event ids) starts empty. The copies already loaded stay as they are.
 */
export function loadBuiltFresh<T>(relative: string): T {
	const loaded = Object.keys(require.cache).filter((file) => file.startsWith(dist));
	const saved = new Map(loaded.map((file) => [file, require.cache[file]]));
	for (const file of loaded) delete require.cache[file];
	try {
		return loadBuilt<T>(relative);
	} finally {
		for (const file of Object.keys(require.cache)) if (file.startsWith(dist)) delete require.cache[file];
		for (const [file, module] of saved) require.cache[file] = module;
	}
}
