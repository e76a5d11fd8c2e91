import * as fs from 'node:fs';
import * as path from 'node:path';

import { PROVIDERS } from '../../nodes/BatchDelete/providers';

/**
 * What docs/adding-a-provider.md lists as kept by hand, checked against the registry: the README's
 * provider, Concurrency, Max Requests per Second and By Filter tables, and package.json's
 * description and keywords. A provider added to the registry and missed in one of them fails here,
 * named.
 */

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md').split('\n');
const pkg = JSON.parse(read('package.json')) as { description: string; keywords: string[] };

/** The rows (cells trimmed) of the README table whose header row starts with `header`. */
function table(header: string): string[][] {
	const start = README.findIndex((line) => line.startsWith(header));
	expect([header, start >= 0]).toEqual([header, true]);
	const rows: string[][] = [];
	for (const line of README.slice(start + 2)) {
		if (!line.startsWith('|')) break;
		rows.push(
			line
				.slice(1, -1)
				.split('|')
				.map((c) => c.trim()),
		);
	}
	return rows;
}

/** The README may shorten a display name to its first words (Huawei Cloud, Quectel, WeChat). */
const names = (text: string, displayName: string) =>
	displayName.startsWith(text) && text.length > 0 && /^\S/.test(text);

/** The option table's cell for `option` (its default). */
const optionDefault = (option: string) =>
	table('| Option | Default |').find((row) => row[0] === option)?.[1] ?? '';

describe('what is kept by hand names every registered provider', () => {
	it.each(PROVIDERS.map((p) => [p.displayName, p] as const))(
		'%s: README provider table, with its batch size',
		(_name, provider) => {
			const rows = table('| Provider | What it deletes | IDs per request |');
			const row = rows.find((r) => names(r[0], provider.displayName));
			expect(row?.[2]).toMatch(
				new RegExp(`^${provider.maxBatchSize.toLocaleString('en-US')}( |$)`),
			);
			expect(rows).toHaveLength(PROVIDERS.length);
		},
	);

	it.each(PROVIDERS.map((p) => [p.displayName, p] as const))(
		'%s: README Concurrency and Max Requests per Second defaults',
		(_name, provider) => {
			// "Auto for SOLAPI and Huawei Cloud SMS; 2 for Avaya Spaces, 1 for Quectel and WeChat"
			const given = new Map<string, string>();
			for (const part of optionDefault('Concurrency').split(/[;,]/)) {
				const m = /^\s*(Auto|\d+) for (.+)$/.exec(part);
				for (const name of m?.[2].split(' and ') ?? []) given.set(name.trim(), m![1]);
			}
			const said = [...given].find(([name]) => names(name, provider.displayName))?.[1];
			expect(said).toBe(provider.autoConcurrency ? 'Auto' : String(provider.defaultConcurrency));
			// "the provider's documented limit (Avaya Spaces 1, WeChat 1, others none)"
			const rps = optionDefault('Max Requests per Second');
			const first = provider.displayName.split(' ')[0];
			if (provider.defaultRequestsPerSecond > 0)
				expect(rps).toMatch(new RegExp(`${first}[\\w ]* ${provider.defaultRequestsPerSecond}\\b`));
			else expect(rps).not.toContain(first);
		},
	);

	it.each(PROVIDERS.map((p) => [p.displayName, p] as const))(
		'%s: README By Filter table (its list endpoint, or why it has none)',
		(_name, provider) => {
			const row = table('| Provider | List endpoint |').find((r) => r[0] === provider.displayName);
			expect(row).toBeDefined();
			if (provider.list === undefined) expect(row![1]).toMatch(/^none/);
			else expect(row![1]).toMatch(/^`(GET|POST) /);
		},
	);

	it.each(PROVIDERS.map((p) => [p.displayName, p] as const))(
		'%s: package.json description and keywords',
		(_name, provider) => {
			expect(pkg.description).toContain(provider.displayName);
			expect(pkg.keywords.some((k) => names(k, provider.displayName.toLowerCase()))).toBe(true);
		},
	);
});
