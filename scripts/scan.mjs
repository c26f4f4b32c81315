#!/usr/bin/env node
/**
 * n8n's community-package scan, run offline on this repository.
 *
 * `npx @n8n/scan-community-package <name>` (what n8n runs before a package is verified) fetches the
 * published tarball and its provenance-attested GitHub source, then calls the scanner's
 * `analyzePackage` twice: on the source with `SOURCE_FILE_PATTERNS`, and on the unpacked tarball
 * with ['**\/*.js', 'package.json']. This script makes the same two calls, with the scanner's own
 * exported functions from the pinned @n8n/scan-community-package devDependency, but on this working
 * tree and on the tarball `npm pack` makes from it, so nothing is fetched and nothing needs
 * publishing. (The provenance check of the real scan is skipped: it needs a published version.)
 *
 * Needs a current build: the tarball is `dist/`. `npm run scan` builds first (npm run build && node
 * scripts/scan.mjs); run this file directly only right after `npm run build`.
 *
 * Exits 1 on any finding, warnings included (the scanner itself only fails on errors; the goal here is
 * zero findings), and on any failure (missing dist/, npm pack or tar failing, an analysis error).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scannerUrl = import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(scannerUrl);

// The same eslint and tmp module instances the scanner imports (resolved from its own location).
const requireFromScanner = createRequire(scannerUrl);
const { ESLint } = requireFromScanner('eslint');
// Importing the scanner creates a temp dir (tmp.dirSync) that tmp only removes on exit once graceful
// cleanup is on; this script never downloads into it, so remove it on exit.
requireFromScanner('tmp').setGracefulCleanup();

// analyzePackage returns details only when there are errors and drops warnings. Observe the results of
// its own ESLint run so warnings are counted too, without linting a second time.
let observed = null;
const lintFiles = ESLint.prototype.lintFiles;
ESLint.prototype.lintFiles = async function (...args) {
	const results = await lintFiles.apply(this, args);
	observed = { eslint: this, results };
	return results;
};

const tempDirs = [];
function cleanUp() {
	for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		cleanUp();
		process.exit(1);
	});
}

function run(command, args, options) {
	const result = spawnSync(command, args, { stdio: 'pipe', encoding: 'utf8', ...options });
	if (result.error) throw new Error(`${command} failed: ${result.error.message}`);
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
	}
	return result.stdout;
}

/** npm pack (no lifecycle scripts: .npmrc has ignore-scripts) and unpack it like the scanner does. */
function packAndExtract() {
	const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
	tempDirs.push(tempDir);
	const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tempDir], { cwd: root }));
	const packageDir = path.join(tempDir, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', path.join(tempDir, packed.filename), '-C', packageDir, '--strip-components=1']);
	return { packageDir, label: `${packed.filename} (${packed.entryCount} files)` };
}

/** One analyzePackage call; returns the number of findings (errors + warnings), or null on failure. */
async function analyze(title, packageDir, filePatterns) {
	console.log(`\n== ${title}`);
	observed = null;
	const result = await analyzePackage(packageDir, filePatterns);
	if (!observed) {
		console.log(`❌ ${result.message ?? 'the scanner linted nothing'}`);
		return null;
	}
	const { eslint, results } = observed;
	const errors = results.reduce((sum, r) => sum + r.errorCount, 0);
	const warnings = results.reduce((sum, r) => sum + r.warningCount, 0);
	if (result.details) {
		console.log(result.details);
	} else if (warnings > 0) {
		// The scanner passes on warnings and prints nothing; show them in its format.
		console.log((await eslint.loadFormatter('stylish')).format(results));
	} else if (!result.passed) {
		console.log(`❌ ${result.message}`);
		return null;
	}
	const verdict = errors + warnings === 0 && result.passed ? '✅' : '❌';
	console.log(
		`${verdict} ${results.length} files: ${errors} errors, ${warnings} warnings (scanner verdict: ${result.passed ? 'passed' : `failed, ${result.message}`})`,
	);
	return errors + warnings;
}

let failed = false;
try {
	const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const missing = [...(packageJson.n8n?.nodes ?? []), ...(packageJson.n8n?.credentials ?? [])].filter(
		(file) => !fs.existsSync(path.join(root, file)),
	);
	if (missing.length > 0) {
		throw new Error(`not built (missing ${missing.join(', ')}): run \`npm run build\` first, or \`npm run scan\``);
	}

	const source = await analyze('Source: this repository', root, SOURCE_FILE_PATTERNS);
	const { packageDir, label } = packAndExtract();
	const tarball = await analyze(`Tarball: ${label}`, packageDir, ['**/*.js', 'package.json']);

	failed = source !== 0 || tarball !== 0;
	console.log(
		`\n${failed ? '❌' : '✅'} n8n community package scan: source ${source ?? 'failed'}, tarball ${tarball ?? 'failed'} findings`,
	);
} catch (error) {
	console.error(`\n❌ n8n community package scan failed: ${error.message}`);
	failed = true;
} finally {
	cleanUp();
}
process.exit(failed ? 1 : 0);
