/**
 * `npx tsx bench/bigSources.ts [ids]`: the part of `npm run bench:big` that compares where a big
 * list comes from, alone (about 3 minutes at 1,000,000 IDs): real n8n 1.123.50, Summary Only, one
 * item's list from a Code node (vm2 proxies in n8n 1.x) and from an HTTP Request node, each
 * against a NoOp in Batch Delete's place. Run `npm run build` first. Prints a table.
 */
import type { BigHostCase } from './bigHost';
import { runBigHostCases } from './bigHost';
import { ROOT, log, round, table } from './lib';

const IDS = Number(process.argv[2] ?? 1_000_000);

async function main(): Promise<void> {
	const cases: BigHostCase[] = [];
	for (const source of ['code', 'http'] as const)
		for (const output of ['noOp', 'summaryOnly'] as const)
			cases.push({ label: `${output}, ${source}`, ids: IDS, output, source });
	log(
		`real n8n, ${IDS.toLocaleString('en-US')} IDs as one item's list, Code node and HTTP Request`,
	);
	const host = await runBigHostCases(ROOT, cases);
	const result = (source: string, output: string) =>
		host.results.find((r) => (r.source ?? 'code') === source && r.output === output)!;
	const peak = (source: string, output: string) => result(source, output).peakRssMB;
	const rows = (['code', 'http'] as const).map((source) => {
		const over = peak(source, 'summaryOnly') - peak(source, 'noOp');
		return [
			source === 'code' ? 'Code node' : 'HTTP Request',
			`${round(peak(source, 'noOp'), 0)} MB`,
			`${round(peak(source, 'summaryOnly'), 0)} MB`,
			`${round(result(source, 'summaryOnly').rssPhasesMB.batchDelete, 0)} MB`,
			`${over >= 0 ? '+' : ''}${round(over, 0)} MB`,
			over <= 250 ? 'yes' : 'NO',
		];
	});
	process.stdout.write(
		`n8n ${host.version}, ${IDS.toLocaleString('en-US')} IDs, Summary Only, peak RSS of n8n execute\n\n${table(
			['source', 'NoOp', 'Batch Delete', 'while it runs', 'over NoOp', '≤ +250 MB'],
			rows,
		)}\n`,
	);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
