import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ICredentialType } from 'n8n-workflow';

import { BatchDelete } from '../../nodes/BatchDelete/BatchDelete.node';
import { PROVIDERS } from '../../nodes/BatchDelete/providers';
import { declaredCredentialTypes } from '../support/runBatchDelete';

/**
 * What a user and n8n's community-package review look at besides the code: license, changelog,
 * package metadata, the codex file and its documentation links (they must land on headings of
 * this README), credential documentation links, and icons (light and dark for the node).
 */

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as Record<string, any>;
const REPO_URL = 'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function readmeAnchors(): Set<string> {
	const anchors = new Set<string>(['readme']);
	const seen = new Map<string, number>();
	let fenced = false;
	for (const line of read('README.md').split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.toLowerCase()
			.replace(/[`*_]/g, '')
			.replace(/[^\p{L}\p{N}\s-]/gu, '')
			.replace(/\s/g, '-');
		const n = seen.get(slug) ?? 0;
		seen.set(slug, n + 1);
		anchors.add(n === 0 ? slug : `${slug}-${n}`);
	}
	return anchors;
}

/** A link into this repository's README must name an anchor that exists. */
function expectReadmeLink(url: string, anchors: Set<string>) {
	const [base, anchor] = url.split('#');
	expect(base).toBe(REPO_URL);
	expect([url, anchors.has(anchor)]).toEqual([url, true]);
}

// Every credential package.json declares (loaded as n8n loads them).
const CREDENTIALS: ICredentialType[] = declaredCredentialTypes();

describe('package hygiene', () => {
	it('is MIT licensed, with the license file shipped', () => {
		expect(pkg.license).toBe('MIT');
		expect(read('LICENSE')).toMatch(
			/^MIT License\n\nCopyright \(c\) \d{4} n8n-nodes-batch-delete contributors\n/,
		);
	});

	it('has a changelog entry for the current version', () => {
		expect(read('CHANGELOG.md')).toContain(`## [${String(pkg.version)}]`);
	});

	it('has the metadata n8n and npm show', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.description.length).toBeGreaterThan(20);
		expect(pkg.homepage).toBe(`${REPO_URL}#readme`);
		expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO_URL}.git` });
		expect(pkg.bugs).toEqual({ url: `${REPO_URL}/issues` });
		expect(pkg.author).toEqual({
			name: 'n8n-nodes-batch-delete contributors',
			email: expect.stringMatching(/^[^@\s]+@[^@\s]+$/),
		});
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.credentials).toHaveLength(CREDENTIALS.length);
	});

	it('declares exactly the credentials the provider registry uses', () => {
		const used = PROVIDERS.flatMap((p) => p.credentials.map((c) => c.name)).sort();
		expect(CREDENTIALS.map((c) => c.name).sort()).toEqual(used);
	});

	it('has a README section for every registered provider, and every provider is documented in docs/adding-a-provider.md terms', () => {
		const anchors = readmeAnchors();
		const slug = (text: string) =>
			text
				.toLowerCase()
				.replace(/[^\p{L}\p{N}\s-]/gu, '')
				.replace(/\s/g, '-');
		for (const provider of PROVIDERS)
			expect([provider.displayName, anchors.has(slug(provider.displayName))]).toEqual([
				provider.displayName,
				true,
			]);
		// The checklist for a new provider names the files it touches; keep it in step with the layout.
		const guide = read('docs/adding-a-provider.md');
		for (const place of [
			'nodes/BatchDelete/providers/index.ts',
			'package.json',
			'credentials/',
			'test/reliability/providers.ts',
		])
			expect(guide).toContain(place);
	});

	it('has credentials that import nothing from the node', () => {
		const files = fs
			.readdirSync(path.join(ROOT, 'credentials'), { recursive: true })
			.map(String)
			.filter((f) => f.endsWith('.ts'));
		for (const file of files) {
			const imports = [...read(path.join('credentials', file)).matchAll(/from '([^']+)'/g)].map(
				(m) => m[1],
			);
			expect([file, imports.filter((i) => i.includes('nodes/'))]).toEqual([file, []]);
		}
	});

	it('has a codex file whose documentation links land on README headings', () => {
		const codex = JSON.parse(read('nodes/BatchDelete/BatchDelete.node.json')) as {
			node: string;
			categories: string[];
			resources: Record<string, Array<{ url: string }>>;
		};
		expect(codex.node).toBe(`${String(pkg.name)}.batchDelete`);
		expect(codex.categories.length).toBeGreaterThan(0);
		const anchors = readmeAnchors();
		const links = Object.values(codex.resources).flat();
		expect(links.length).toBeGreaterThanOrEqual(2);
		for (const { url } of links) expectReadmeLink(url, anchors);
	});

	it('links every credential to its README section and gives it an icon', () => {
		const anchors = readmeAnchors();
		for (const credential of CREDENTIALS) {
			expectReadmeLink(String(credential.documentationUrl), anchors);
			const icon = String(credential.icon).replace(/^file:/, '');
			expect([credential.name, fs.existsSync(path.join(ROOT, 'credentials', icon))]).toEqual([
				credential.name,
				true,
			]);
		}
	});

	it('has light and dark node icons, both SVG', () => {
		const { icon } = new BatchDelete().description as { icon: { light: string; dark: string } };
		for (const variant of [icon.light, icon.dark]) {
			const file = path.join(ROOT, 'nodes', 'BatchDelete', variant.replace(/^file:/, ''));
			expect(fs.readFileSync(file, 'utf8')).toMatch(/<svg[\s>]/);
		}
		expect(icon.light).not.toBe(icon.dark);
	});
});
