import * as fs from 'node:fs';
import * as path from 'node:path';

import * as ts from 'typescript';

/**
 * House rules a newcomer relies on (issue 25): no function in the package longer than 80 lines,
 * and one word for the thing being deleted (`Target`), so the retired names never come back.
 */

const ROOT = path.join(__dirname, '..', '..');
const MAX_LINES = 80;

/** The `.ts` files under `dir` (relative to the root), without dependencies. */
function sources(dir: string, extensions = ['.ts']): string[] {
	const found: string[] = [];
	const walk = (relative: string) => {
		for (const entry of fs.readdirSync(path.join(ROOT, relative), { withFileTypes: true })) {
			const child = path.posix.join(relative, entry.name);
			if (entry.isDirectory()) {
				if (entry.name !== 'node_modules') walk(child);
			} else if (extensions.some((extension) => entry.name.endsWith(extension))) {
				found.push(child);
			}
		}
	};
	walk(dir);
	return found;
}

/** The name a function is known by: its own, or the variable or property it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
	if (node.name !== undefined) return node.name.getText();
	const parent = node.parent;
	if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
		return parent.name.getText();
	return '<anonymous>';
}

/** Every function with a body, its lines first to last (comments and inner functions included). */
function functionLengths(file: string): Array<{ where: string; name: string; lines: number }> {
	const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const rows: Array<{ where: string; name: string; lines: number }> = [];
	const visit = (node: ts.Node) => {
		if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
			const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
			const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
			rows.push({
				where: `${file}:${first + 1}`,
				name: nameOf(node as ts.FunctionLikeDeclaration),
				lines: last - first + 1,
			});
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return rows;
}

describe('house rules', () => {
	const functions = [...sources('nodes'), ...sources('credentials')].flatMap(functionLengths);

	it(`has no function in nodes/ or credentials/ longer than ${MAX_LINES} lines`, () => {
		expect(functions.length).toBeGreaterThan(100);
		const offenders = functions
			.filter((f) => f.lines > MAX_LINES)
			.map((f) => `${f.where} ${f.name}: ${f.lines} lines`);
		expect(offenders).toEqual([]);
	});

	it('uses one word, target, for the thing being deleted: no retired name is back', () => {
		// `Unit` alone is retired as a type; By Filter's "Older Than Unit" is another idea.
		const retired =
			/\b(RawId|RawTarget|IdOccurrence|UnitResult|planUnits|unitsSource|refuseUnits)\b|(?<!Than )\bUnit\b/;
		const self = path.posix.join('test', 'unit', path.basename(__filename));
		const code = ['nodes', 'credentials', 'test', 'bench', 'scripts']
			.flatMap((dir) => sources(dir, ['.ts', '.js', '.mjs']))
			.filter((file) => file !== self);
		expect(code.length).toBeGreaterThan(100);
		const found = code.flatMap((file) =>
			fs
				.readFileSync(path.join(ROOT, file), 'utf8')
				.split('\n')
				.flatMap((line, i) => (retired.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
		);
		expect(found).toEqual([]);
	});

	// Two units keep their own contract tests: the matcher is held to n8n-workflow's own on a grid
	// of cases, and the signer to fixed vectors of the canonical request it never exposes.
	const UNITS = [
		'credentials/auth/guard.ts isDomainAllowed',
		'credentials/auth/huaweiCloudSigner.ts signRequest',
	];

	it('exports nothing from nodes/ or credentials/ that only tests use', () => {
		const production = [...sources('nodes'), ...sources('credentials')];
		const texts = new Map(production.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));
		const unused: string[] = [];
		for (const [file, text] of texts) {
			const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
			for (const statement of source.statements) {
				const exported = ts.canHaveModifiers(statement)
					? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
					: false;
				// Types may name the parameters of an exported function; values are what this rule is for.
				if (
					!exported ||
					ts.isInterfaceDeclaration(statement) ||
					ts.isTypeAliasDeclaration(statement)
				)
					continue;
				const names = ts.isVariableStatement(statement)
					? statement.declarationList.declarations.map((d) => d.name.getText())
					: [(statement as ts.DeclarationStatement).name?.getText()];
				for (const name of names) {
					if (name === undefined) continue;
					const word = new RegExp(`\\b${name}\\b`);
					// n8n loads the node and credential classes from package.json, not by import.
					if (/\.(node|credentials)\.ts$/.test(file)) continue;
					const usedElsewhere = [...texts].some(([other, t]) => other !== file && word.test(t));
					if (!usedElsewhere && !UNITS.includes(`${file} ${name}`)) unused.push(`${file} ${name}`);
				}
			}
		}
		expect(unused).toEqual([]);
	});
});
