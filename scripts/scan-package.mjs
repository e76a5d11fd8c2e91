#!/usr/bin/env node
/**
 * `npm run scan`: n8n's own static analysis of community packages (@n8n/scan-community-package,
 * the gate n8n runs before a package can be verified), offline, on this repository.
 *
 * The published scanner (`npx @n8n/scan-community-package <name>`) downloads the package from the
 * npm registry, checks its npm provenance, fetches the attested GitHub source, then lints
 *   1. the source: package.json and {nodes,credentials}/**\/*.{js,ts,json}, and
 *   2. the tarball: every compiled .js file and the published package.json,
 * with its exported config (the community-nodes plugin's recommended rules, no-console, and
 * eslint-plugin-n8n-nodes-base's community/credentials/nodes rule sets), inline eslint-disable
 * comments ignored. This script runs the same two analyses through the scanner's exported
 * `analyzePackage`: (1) on this checkout, (2) on the tarball `npm pack` makes from the built dist/.
 * Only the provenance step cannot run here (it needs the package published from a public
 * GitHub repository with npm provenance); it is reported as skipped.
 *
 * It also checks what n8n needs to load the tarball: every file package.json's `n8n` section
 * names is in it, every icon a node or credential names is next to it, the codex file is there,
 * and nothing but dist/, package.json, README.md, LICENSE and CHANGELOG.md is published.
 *
 * Exit 0 when everything passes; 1 with the findings otherwise. Run `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
// The scanner makes a temp folder when it loads; keep it inside ours, which is removed at the end.
process.env.TMPDIR = work;

const problems = [];
const started = Date.now();
try {
	const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
	const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const unbuilt = declared.filter((f) => !fs.existsSync(path.join(repo, f)));
	if (unbuilt.length > 0)
		throw new Error(`not built (missing ${unbuilt.join(', ')}): run \`npm run build\` first`);

	// The tarball users install, unpacked as the scanner unpacks it.
	const packed = spawnSync(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', work],
		{ cwd: repo, encoding: 'utf8' },
	);
	if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
	const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
	const packageDir = path.join(work, `${pkg.name}-${pkg.version}`);
	fs.mkdirSync(packageDir);
	const untar = spawnSync(
		'tar',
		['-xzf', path.join(work, info.filename), '-C', packageDir, '--strip-components=1'],
		{ encoding: 'utf8' },
	);
	if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
	const files = info.files.map((f) => f.path);
	console.log(
		`Packed ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KB`,
	);

	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(
		'@n8n/scan-community-package/scanner/scanner.mjs'
	);
	const scannerVersion = JSON.parse(
		fs.readFileSync(
			path.join(
				path.dirname(
					fileURLToPath(import.meta.resolve('@n8n/scan-community-package/scanner/scanner.mjs')),
				),
				'..',
				'package.json',
			),
			'utf8',
		),
	).version;
	console.log(`@n8n/scan-community-package ${scannerVersion}`);
	console.log(
		'- provenance: skipped (needs the package published to npm with provenance from a public GitHub repository)',
	);
	for (const [leg, dir, patterns] of [
		['source (as attested by provenance)', repo, SOURCE_FILE_PATTERNS],
		['tarball (compiled .js and package.json)', packageDir, ['**/*.js', 'package.json']],
	]) {
		const result = await analyzePackage(dir, patterns);
		console.log(`- ${leg}: ${result.passed ? 'passed' : `FAILED (${result.message})`}`);
		if (!result.passed) problems.push(`${leg}: ${result.message}\n${result.details ?? ''}`);
		else if (result.details) console.log(result.details);
	}

	// What n8n needs to load the package from the tarball.
	const inTarball = (f) => files.includes(f.replace(/^\.\//, ''));
	const missing = declared.filter((f) => !inTarball(f));
	if (missing.length > 0)
		problems.push(
			`files named in package.json "n8n" are not in the tarball: ${missing.join(', ')}`,
		);
	const allowed = /^(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/;
	const stray = files.filter((f) => !allowed.test(f));
	if (stray.length > 0) problems.push(`the tarball holds files outside dist/: ${stray.join(', ')}`);
	for (const f of ['LICENSE', 'README.md'])
		if (!inTarball(f)) problems.push(`the tarball has no ${f}`);
	const icons = [];
	for (const file of declared) {
		const text = fs.readFileSync(path.join(packageDir, file), 'utf8');
		for (const match of text.matchAll(/['"]file:([^'"]+)['"]/g))
			icons.push(path.join(path.dirname(file), match[1]));
		if (file.endsWith('.node.js')) {
			const codex = file.replace(/\.js$/, '.json');
			if (!inTarball(codex)) problems.push(`no codex file ${codex} in the tarball`);
		}
	}
	const missingIcons = [...new Set(icons)].filter((f) => !inTarball(f));
	if (missingIcons.length > 0)
		problems.push(`icons named by the code are not in the tarball: ${missingIcons.join(', ')}`);
	console.log(
		`- tarball contents: ${problems.length === 0 ? 'passed' : 'see below'} (${declared.length} entry points, ${new Set(icons).size} icons, codex)`,
	);
} catch (error) {
	problems.push(String(error?.stack ?? error));
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
	console.error(`\n❌ n8n community package scan failed:\n${problems.join('\n')}`);
	process.exit(1);
}
console.log(
	`✅ n8n community package scan passed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
