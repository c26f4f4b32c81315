/**
 * The documentation links n8n shows for the package (each credential's documentationUrl, each node's
 * description documentationUrl and codex primaryDocumentation, read from the built package as n8n loads it)
 * land on a heading of README.md as GitHub renders it, and so do the README's links to its own sections, so
 * renaming a heading cannot silently break them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

import packageJson from '../package.json';
import { loadBuilt } from './helpers/built';

const root = resolve(__dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');

/**
 * GitHub's anchors for the headings of `markdown` (github-slugger): the heading's text in lower case, every
 * character but letters, digits, spaces, hyphens and underscores dropped, spaces turned into hyphens; a
 * repeated anchor gets `-1`, `-2`, … Headings inside fenced code blocks are not headings.
 */
function githubAnchors(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	let inFence = false;
	for (const line of markdown.split('\n')) {
		if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
		const heading = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
		const slug = text
			.toLowerCase()
			.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
			.replace(/ /g, '-');
		const repeats = seen.get(slug) ?? 0;
		seen.set(slug, repeats + 1);
		anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
	}
	return anchors;
}

interface DocumentationLink {
	source: string;
	url: string;
}

function credentialLinks(): DocumentationLink[] {
	return packageJson.n8n.credentials.map((entry) => {
		const module = loadBuilt<Record<string, new () => { documentationUrl?: string }>>(entry.replace(/^dist\//, ''));
		const [credential] = Object.values(module).map((Type) => new Type());
		return { source: entry, url: credential.documentationUrl ?? '' };
	});
}

function nodeLinks(): DocumentationLink[] {
	return packageJson.n8n.nodes.flatMap((entry) => {
		const module = loadBuilt<Record<string, new () => { description: { documentationUrl?: string } }>>(
			entry.replace(/^dist\//, ''),
		);
		const [node] = Object.values(module).map((Type) => new Type());
		const codexFile = resolve(root, entry.replace(/\.js$/, '.json'));
		const codex = existsSync(codexFile)
			? (JSON.parse(readFileSync(codexFile, 'utf8')) as { resources?: { primaryDocumentation?: Array<{ url: string }> } })
			: {};
		const primary = codex.resources?.primaryDocumentation ?? [];
		const links = primary.map((doc) => ({ source: `${entry} codex`, url: doc.url }));
		if (node.description.documentationUrl) {
			links.push({ source: `${entry} description`, url: node.description.documentationUrl });
		}
		// Without any link the editor's "Docs" entry has nowhere to go.
		return links.length > 0 ? links : [{ source: `${entry} (no documentation link)`, url: '' }];
	});
}

describe('README anchors', () => {
	it('computes anchors the way GitHub does', () => {
		const anchors = githubAnchors(
			[
				'# Title',
				'## Credential: NICE CXone API',
				'## Try it, or run the tests',
				'```bash',
				'# not a heading',
				'```',
				'### The `audit` record',
				'## Try it, or run the tests',
				'## See [the spec](docs/spec.md) → now',
			].join('\n'),
		);
		expect([...anchors]).toEqual([
			'title',
			'credential-nice-cxone-api',
			'try-it-or-run-the-tests',
			'the-audit-record',
			'try-it-or-run-the-tests-1',
			'see-the-spec--now',
		]);
	});

	it('every documentation link of every credential and node points at a README heading', () => {
		const anchors = githubAnchors(readme);
		const links = [...credentialLinks(), ...nodeLinks()];
		expect(links.length).toBeGreaterThanOrEqual(packageJson.n8n.credentials.length + packageJson.n8n.nodes.length);
		const broken = links.filter(({ url }) => {
			const [page, anchor] = url.split('#');
			return page !== packageJson.homepage || anchor === undefined || !anchors.has(anchor);
		});
		expect(broken, `links without a matching README heading (headings: ${[...anchors].join(', ')})`).toEqual([]);
	});

	it("README's own links to its sections point at headings that exist", () => {
		const anchors = githubAnchors(readme);
		const internal = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
		expect(internal.length).toBeGreaterThan(0);
		expect(internal.filter((anchor) => !anchors.has(anchor))).toEqual([]);
	});
});
