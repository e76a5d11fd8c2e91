/**
 * `npm run bench:big`: what a big cleanup costs, per Output mode. About 8 minutes on 2 cores;
 * writes bench/big-results.json and prints the tables.
 *
 *   npm run bench:big                 # build, then everything below
 *   npx tsx bench/big.ts --quick      # 10,000 and 100,000 IDs, no real n8n: checks the bench (.tmp/bench/)
 *
 * 1. The node's own live heap (bench/memory.ts, a process of its own per run, SOLAPI mock): Each
 *    ID, Failures and Summary, Summary Only at 100,000 and 1,000,000 IDs given one item per ID.
 * 2. Input shapes at 1,000,000 IDs, Summary Only: an item per ID, one item holding the list, one
 *    item holding a newline-separated string; the node's time and memory, and the whole
 *    execution's in n8n's engine (its copies of the input included).
 * 3. Real n8n 1.123.50 (bench/bigHost.ts): peak RSS of `n8n execute` and the stored execution,
 *    Summary Only at 1,000,000 IDs and Each ID at 100,000, one item's list from a Code node (and
 *    from an HTTP Request, as the nightly template reads them), against baselines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { OutputMode } from '../nodes/BatchDelete/engine/outputs';
import type { BigHostCase, BigHostResult } from './bigHost';
import { runBigHostCases } from './bigHost';
import type { Target } from './lib';
import { ROOT, log, machine, round, table } from './lib';
import type { InputShape, MemoryResult } from './memory';
import { INPUT_SHAPES, memory } from './memory';

const QUICK = process.argv.includes('--quick');
const SIZES = QUICK ? [10_000, 100_000] : [100_000, 1_000_000];
const BIG = SIZES[1];
const MODES: OutputMode[] = ['eachId', 'failuresAndSummary', 'summaryOnly'];
const PROVIDER = 'solapi';
const C = 2;
const MB = 2 ** 20;
const fmt = (n: number) => n.toLocaleString('en-US');

export interface BigResults {
	command: string;
	machine: ReturnType<typeof machine>;
	modes: MemoryResult[];
	shapes: MemoryResult[];
	host?: { version: string; results: BigHostResult[] };
	targets: Target[];
}

/** Bytes per ID beyond the ID strings: the node's structures while it sends. */
const perId = (r: MemoryResult) => round((r.whileSendingMB * MB) / r.ids, 1);

function targets(modes: MemoryResult[], host?: BigResults['host']): Target[] {
	const out: Target[] = [];
	const at = (mode: OutputMode, ids: number) =>
		modes.find((r) => r.output === mode && r.ids === ids)!;
	const each = at('eachId', BIG);
	out.push({
		target: `Each ID: the node's own memory at ${fmt(BIG)} IDs ≤ 3× the ID bytes`,
		measured: `${each.peakOverIds}× (${each.peakBoundMB} MB for ${each.idsMB} MB of IDs)`,
		met: each.peakOverIds <= 3,
	});
	for (const mode of ['failuresAndSummary', 'summaryOnly'] as OutputMode[]) {
		const small = at(mode, SIZES[0]);
		const big = at(mode, BIG);
		// Per ID within 10% (and its outputs a constant): what stays per ID does not grow with N.
		const flat = perId(big) <= perId(small) * 1.1 && big.outputsMB < 5;
		out.push({
			target: `${mode}: memory beyond the IDs does not grow with N (per ID at ${fmt(SIZES[0])} vs ${fmt(BIG)})`,
			measured: `${perId(small)} vs ${perId(big)} bytes per ID while sending; outputs ${small.outputsMB} vs ${big.outputsMB} MB`,
			met: flat,
		});
	}
	if (host !== undefined) {
		const tiny = host.results.find((r) => r.label === 'tiny')!;
		for (const r of host.results.filter(
			(x) => x.output === 'summaryOnly' && x.ids === BIG && x.nodeArgs === undefined,
		)) {
			out.push({
				target: `Real n8n, Summary Only, ${fmt(r.ids)} IDs (${r.source ?? 'code'}): under +250 MB RSS over the tiny run`,
				measured: `+${r.peakRssMB - tiny.peakRssMB} MB (${r.peakRssMB} MB vs ${tiny.peakRssMB} MB)`,
				met: r.peakRssMB - tiny.peakRssMB < 250,
			});
			out.push({
				target: `Real n8n, Summary Only, ${fmt(r.ids)} IDs (${r.source ?? 'code'}): under 1 MB stored`,
				measured: `${round(r.storedBytes / MB, 2)} MB in all, of which Batch Delete ${fmt(r.nodeStoredBytes)} bytes`,
				met: r.storedBytes < MB,
			});
		}
	}
	return out;
}

export function bigSummary(r: BigResults): string {
	const parts: string[] = [];
	parts.push(
		`Machine: ${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; load at start ${r.machine.loadAverageAtStart.join(' / ')}`,
	);
	parts.push(
		`\nThe node's own live heap by Output mode (${PROVIDER}, ${r.modes[0].idLength}-character IDs, one item per ID, zero latency; ratios to the ID bytes)\n`,
	);
	parts.push(
		table(
			[
				'output',
				'N',
				'IDs MB',
				'while sending MB',
				'×',
				'outputs MB',
				'×',
				'peak bound MB',
				'×',
				'bytes/ID while sending',
				'output items',
				'execution ms',
			],
			r.modes.map((m) => [
				m.output,
				fmt(m.ids),
				m.idsMB,
				m.whileSendingMB,
				m.whileSendingOverIds,
				m.outputsMB,
				m.outputsOverIds,
				m.peakBoundMB,
				m.peakOverIds,
				perId(m),
				fmt(m.outputItems),
				fmt(m.executionMs),
			]),
		),
	);
	parts.push(`\nInput shapes, ${fmt(r.shapes[0]?.ids ?? 0)} IDs, Summary Only (in n8n's engine)\n`);
	parts.push(
		table(
			[
				'shape',
				'input MB (beyond the IDs)',
				'node while sending MB',
				'whole execution peak MB',
				'node ms',
				'max RSS MB',
			],
			r.shapes.map((m) => [
				m.shape,
				m.itemsMB,
				m.whileSendingMB,
				m.executionPeakMB,
				fmt(m.executionMs),
				fmt(m.maxRssMB),
			]),
		),
	);
	if (r.host !== undefined) {
		parts.push(
			`\nReal n8n ${r.host.version}, \`n8n execute\`, Avaya Spaces mock, IDs as one item's list\n`,
		);
		parts.push(
			table(
				[
					'run',
					'peak RSS MB',
					'start',
					'IDs node',
					'Batch Delete',
					'after (store, print)',
					'stored MB',
					'Batch Delete stored bytes',
					'node s',
					'progress lines',
				],
				r.host.results.map((h) => [
					h.label,
					h.peakRssMB,
					h.rssPhasesMB.start,
					h.rssPhasesMB.idsNode,
					h.rssPhasesMB.batchDelete,
					h.rssPhasesMB.after,
					round(h.storedBytes / MB, 2),
					fmt(h.nodeStoredBytes),
					round(h.nodeMs / 1000, 1),
					h.progressLines.length,
				]),
			),
		);
		const line = r.host.results.flatMap((h) => h.progressLines)[0];
		if (line !== undefined) parts.push(`\nA progress line: ${line.trim()}`);
	}
	parts.push('\nTargets\n');
	parts.push(
		table(
			['target', 'measured', 'met'],
			r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']),
		),
	);
	return parts.join('\n');
}

export function hostCases(): BigHostCase[] {
	return [
		{ label: 'tiny', ids: 10, output: 'summaryOnly' },
		{ label: `NoOp, ${fmt(BIG)} (code)`, ids: BIG, output: 'noOp' },
		{ label: `Summary Only, ${fmt(BIG)} (code)`, ids: BIG, output: 'summaryOnly' },
		{ label: `NoOp, ${fmt(BIG)} (http)`, ids: BIG, output: 'noOp', source: 'http' },
		{ label: `Summary Only, ${fmt(BIG)} (http)`, ids: BIG, output: 'summaryOnly', source: 'http' },
		// V8 collects lazily: with a heap cap the same runs show what they need.
		{
			label: `NoOp, ${fmt(BIG)} (code), heap cap 512 MB`,
			ids: BIG,
			output: 'noOp',
			nodeArgs: ['--max-old-space-size=512'],
		},
		{
			label: `Summary Only, ${fmt(BIG)} (code), heap cap 512 MB`,
			ids: BIG,
			output: 'summaryOnly',
			nodeArgs: ['--max-old-space-size=512'],
		},
		{ label: `NoOp, ${fmt(SIZES[0])} (code)`, ids: SIZES[0], output: 'noOp' },
		{ label: `Each ID, ${fmt(SIZES[0])} (code)`, ids: SIZES[0], output: 'eachId' },
	];
}

async function main(): Promise<void> {
	const info = machine();
	const modes: MemoryResult[] = [];
	for (const mode of MODES) {
		for (const ids of SIZES) {
			log(`memory: ${mode}, ${fmt(ids)} IDs`);
			modes.push(await memory(PROVIDER, ids, C, mode, 'items'));
		}
	}
	const shapes: MemoryResult[] = [];
	for (const shape of INPUT_SHAPES as InputShape[]) {
		log(`input shape: ${shape}, ${fmt(BIG)} IDs`);
		shapes.push(
			shape === 'items'
				? modes.find((m) => m.output === 'summaryOnly' && m.ids === BIG)!
				: await memory(PROVIDER, BIG, C, 'summaryOnly', shape),
		);
	}
	const host = QUICK ? undefined : await runBigHostCases(ROOT, hostCases());
	const results: BigResults = {
		command: 'npm run bench:big',
		machine: info,
		modes,
		shapes,
		host,
		targets: targets(modes, host),
	};
	const file = QUICK
		? join(ROOT, '.tmp', 'bench', 'big-results.json')
		: join(ROOT, 'bench', 'big-results.json');
	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, `${JSON.stringify(results, null, '\t')}\n`);
	process.stdout.write(`${bigSummary(results)}\n\nWrote ${file}\n`);
}

if (require.main === module) {
	main().then(
		() => process.exit(0),
		(error: Error) => {
			process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}
