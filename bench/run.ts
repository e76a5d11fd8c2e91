/**
 * `npm run bench`: how close the Batch Delete node gets to what each provider
 * allows, and how far ahead it is of what users build today with n8n's own nodes. One run, about
 * 12 minutes on 2 cores; writes bench/results.json and docs/bench.svg and prints a summary.
 *
 *   npm run bench                 # build, then everything below
 *   npx tsx bench/run.ts --quick  # smaller N everywhere: checks the bench itself in ~3 minutes (.tmp/bench/)
 *
 * 1. Provider sweep (in-process n8n engine, the test harness): each provider against its mock
 *    with a fixed 25 ms latency, N = 1,000 / 10,000 / 100,000 IDs (WeChat, one ID a call: 100 /
 *    1,000), batch size B = the provider's limit, concurrency C = 2, no rate limit.
 * 2. Real n8n 1.123.50 (scripts/n8n-host/), Avaya Spaces, 10,000 IDs: Batch Delete against the
 *    HTTP Request node (one POST per item, with n8n's Batching option) and Loop Over Items + HTTP
 *    Request, without a rate limit (25 ms latency), then with the mock enforcing Avaya's documented
 *    60 requests a minute, time compressed 240× (60 requests per 250 ms) and converted back.
 * 3. The node's own cost: 100,000 IDs at zero latency, profiled; peak memory for 1,000,000 IDs.
 */
import '../test/setup/env';

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';

import { PROVIDERS } from '../nodes/BatchDelete/providers';
import { shutdownHarness } from '../test/harness';
import { writeChart } from './chart';
import type { HostCase, HostResult } from './host';
import { runHostCases } from './host';
import type { Machine } from './lib';
import { MockProcess, ROOT, limitBoundMs, log, machine, round } from './lib';
import type { MemoryResult } from './memory';
import type { OverheadResult } from './overhead';
import { memory, overhead } from './overhead';
import type { SweepRow, ZeroLatencyRow } from './sweep';
import { sweep } from './sweep';

const QUICK = process.argv.includes('--quick');
const LATENCY_MS = 25;
const C = 2;
/** Avaya Spaces documents 60 calls a minute per resource. */
const LIMIT_PER_MINUTE = 60;
/** Time compression of the rate-limited runs: a minute becomes 250 ms. */
const SCALE = 240;
const AVAYA_BATCH = 100;
const HOST_IDS = QUICK ? 1_000 : 10_000;

export interface HostRow extends HostResult {
	name: string;
	/** For the chart. */
	short: string;
	/** Ours over this row (requests, time); 1 for ours. */
	requestsVsOurs: number;
	timeVsOurs: number;
}

export interface NightlyRow {
	name: string;
	short: string;
	approach: HostResult['approach'];
	requests: number;
	/** Measured at 1/SCALE of real time. */
	scaledMs: number;
	/** requests at the limit, in that compressed time: (requests − 1) / rate. */
	scaledFloorMs: number;
	/** Real time: the floor at the real limit, plus what the run took beyond its floor (CPU and
	 * latency do not shrink with the clock, so that part is kept as measured, not scaled up). */
	realMinutes: number;
	realFloorMinutes: number;
	throttled: number;
}

export interface Target {
	target: string;
	measured: string;
	met: boolean;
}

export interface BenchResults {
	command: string;
	machine: Machine;
	/** 1-minute load average when each part started (other work on the machine shows here). */
	load: Record<string, number[]>;
	settings: {
		latencyMs: number;
		concurrency: number;
		limitPerMinute: number;
		timeScale: number;
		quick: boolean;
	};
	sweep: { rows: SweepRow[]; zeroLatency: ZeroLatencyRow[]; longerLatency: SweepRow[] };
	host: {
		n8nVersion: string;
		ids: number;
		unlimited: HostRow[];
		limited: HostRow[];
		nightly: NightlyRow[];
	};
	/** One per batching provider; Avaya Spaces first. */
	overhead: OverheadResult[];
	memory: MemoryResult;
	targets: Target[];
	totalSeconds: number;
}

type NamedCase = HostCase & { name: string; short: string };

function hostCases(): { unlimited: NamedCase[]; limited: NamedCase[] } {
	const ids = HOST_IDS;
	const ours = { batchSize: AVAYA_BATCH, concurrency: C, maxIds: 1_000_000 };
	const window = 60_000 / SCALE;
	const limit = { requests: LIMIT_PER_MINUTE, perMs: window };
	// Latency and waits scale with the clock: 25 ms becomes 0.2 ms, i.e. none.
	return {
		unlimited: [
			{
				name: `Batch Delete (${AVAYA_BATCH} IDs a request, concurrency ${C})`,
				short: `Batch Delete, concurrency ${C}`,
				label: 'ours',
				approach: 'batchDelete',
				ids,
				latencyMs: LATENCY_MS,
				options: { ...ours, requestsPerSecond: 0 },
			},
			{
				name: `HTTP Request per item, Batching ${C} items / ${LATENCY_MS} ms`,
				short: `HTTP Request, ${C} items / ${LATENCY_MS} ms`,
				label: 'http-batching',
				approach: 'httpRequest',
				ids,
				latencyMs: LATENCY_MS,
				batching: { batchSize: C, batchInterval: LATENCY_MS },
			},
			{
				name: 'HTTP Request per item, no Batching (all at once)',
				short: 'HTTP Request, all at once',
				label: 'http-all-at-once',
				approach: 'httpRequest',
				ids,
				latencyMs: LATENCY_MS,
			},
			// Against every request at once, ours at its most: Concurrency 20.
			{
				name: `Batch Delete (${AVAYA_BATCH} IDs a request, concurrency 20)`,
				short: 'Batch Delete, concurrency 20',
				label: 'ours-c20',
				approach: 'batchDelete',
				ids,
				latencyMs: LATENCY_MS,
				options: { ...ours, concurrency: 20, requestsPerSecond: 0 },
			},
			// 10 a loop, not 2: at 2 the loop alone takes about 4 minutes here (5,000 turns).
			{
				name: 'Loop Over Items (10 a loop) + HTTP Request',
				short: 'Loop Over Items (10) + HTTP',
				label: 'loop',
				approach: 'loopOverItems',
				ids,
				latencyMs: LATENCY_MS,
				loopBatchSize: 10,
			},
		],
		limited: [
			{
				name: `Batch Delete (Max Requests per Second 1, the Avaya default)`,
				short: 'Batch Delete, 1 request/s',
				label: 'ours-limited',
				approach: 'batchDelete',
				ids,
				latencyMs: 0,
				limit,
				options: {
					...ours,
					requestsPerSecond: SCALE * (LIMIT_PER_MINUTE / 60),
					retryDelay: Math.ceil(1000 / SCALE),
				},
			},
			{
				name: 'HTTP Request per item, Batching 1 item / 1 s',
				short: 'HTTP Request, 1 item / 1 s',
				label: 'http-limited',
				approach: 'httpRequest',
				ids,
				latencyMs: 0,
				limit,
				batching: { batchSize: 1, batchInterval: 60_000 / LIMIT_PER_MINUTE / SCALE },
			},
			{
				name: `Loop Over Items (${LIMIT_PER_MINUTE} a loop) + HTTP Request + Wait 1 min`,
				short: `Loop (${LIMIT_PER_MINUTE}) + HTTP + Wait 1 min`,
				label: 'loop-limited',
				approach: 'loopOverItems',
				ids,
				latencyMs: 0,
				limit,
				loopBatchSize: LIMIT_PER_MINUTE,
				waitSeconds: 60 / SCALE,
			},
		],
	};
}

function withRatios(rows: Array<HostResult & { name: string; short: string }>): HostRow[] {
	// The first row is ours at the default concurrency: every ratio is against it.
	const ours = rows[0];
	return rows.map((r) => ({
		...r,
		requestsVsOurs: round(r.requests / ours.requests, 1),
		timeVsOurs: round(r.wallMs / ours.wallMs, 1),
	}));
}

function nightly(rows: HostRow[]): NightlyRow[] {
	return rows.map((r) => {
		// Throttled requests were answered 429 and sent again: only accepted ones count against the floor.
		const floorScaled = limitBoundMs(r.requests - r.throttled, LIMIT_PER_MINUTE, SCALE);
		const floorReal = limitBoundMs(r.requests - r.throttled, LIMIT_PER_MINUTE);
		const realMs = floorReal + Math.max(0, r.wallMs - floorScaled);
		return {
			name: r.name,
			short: r.short,
			approach: r.approach,
			requests: r.requests,
			scaledMs: r.wallMs,
			scaledFloorMs: round(floorScaled, 0),
			realMinutes: round(realMs / 60_000, 2),
			realFloorMinutes: round(floorReal / 60_000, 2),
			throttled: r.throttled,
		};
	});
}

function targets(results: Omit<BenchResults, 'targets' | 'totalSeconds'>): Target[] {
	const out: Target[] = [];
	const all = [...results.sweep.rows, ...results.sweep.longerLatency];
	const exact = all.every((r) => r.requests === r.expectedRequests && r.allDeleted);
	const wrong = all
		.filter((r) => r.requests !== r.expectedRequests || !r.allDeleted)
		.map((r) => `${r.provider} N=${r.ids}: ${r.requests} requests`);
	out.push({
		target: 'Requests exactly ceil(N / B) when nothing fails',
		measured: exact ? 'every provider and N' : wrong.join(', '),
		met: exact,
	});
	const at10k = results.sweep.rows.filter((r) => r.ids === 10_000 && r.batch > 1);
	for (const r of at10k) {
		out.push({
			target: `Within 1.15× of the lower bound at N = 10,000: ${r.provider}`,
			measured: `${r.ratio}× (${r.wallMs} ms vs ${r.lowerBoundMs} ms)`,
			met: r.ratio <= 1.15,
		});
	}
	const ours = results.host.unlimited[0];
	const http = results.host.unlimited.filter((r) => r.approach === 'httpRequest');
	for (const h of http) {
		out.push({
			target: `≥ 50× fewer requests than ${h.name}, Avaya N = ${results.host.ids}`,
			measured: `${h.requestsVsOurs}× (${h.requests} vs ${ours.requests})`,
			met: h.requestsVsOurs >= 50,
		});
		out.push({
			target: `≥ 20× less wall time than ${h.name}, Avaya N = ${results.host.ids}`,
			measured: `${h.timeVsOurs}× (${round(h.wallMs / 1000, 2)} s vs ${round(ours.wallMs / 1000, 2)} s)`,
			met: h.timeVsOurs >= 20,
		});
	}
	for (const o of results.overhead) {
		out.push({
			target: `Node overhead under 5 µs per ID at ${fmt(o.ids)} IDs: ${o.provider}`,
			measured: `${o.nodeCodeUsPerId} µs per ID in the node's code (profiled)`,
			met: o.nodeCodeUsPerId < 5,
		});
	}
	return out;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = rows.map((r) => r.map(String));
	const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
	const line = (r: string[]) =>
		`| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
	return [
		line(headers),
		`|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w - 1)}:-`)).join('|')}|`,
		...cells.map(line),
	].join('\n');
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summary(r: BenchResults): string {
	const parts: string[] = [];
	parts.push(
		`Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.os}; load average at start ${r.machine.loadAverageAtStart.join(' / ')}`,
	);
	parts.push(
		`\nProvider sweep: ${r.settings.latencyMs} ms latency, C = ${r.settings.concurrency}, no rate limit (n8n-core engine, mock in its own process)\n`,
	);
	parts.push(
		table(
			['provider', 'N', 'B', 'requests', 'ceil(N/B)', 'time ms', 'IDs/s', 'bound ms', 'ratio'],
			r.sweep.rows.map((x) => [
				x.provider,
				fmt(x.ids),
				x.batch,
				fmt(x.requests),
				fmt(x.expectedRequests),
				fmt(x.wallMs),
				fmt(x.idsPerSecond),
				fmt(x.lowerBoundMs),
				x.ratio.toFixed(2),
			]),
		),
	);
	parts.push(`\nSame node, same mock, no latency (what the requests cost besides waiting)\n`);
	parts.push(
		table(
			['provider', 'N', 'requests', 'time ms', 'ms per request at C'],
			r.sweep.zeroLatency.map((x) => [
				x.provider,
				fmt(x.ids),
				fmt(x.requests),
				fmt(x.wallMs),
				x.msPerRequest,
			]),
		),
	);
	parts.push(`\nAvaya Spaces, 10,000 IDs, C = ${r.settings.concurrency}, longer latencies\n`);
	parts.push(
		table(
			['latency ms', 'requests', 'time ms', 'bound ms', 'ratio'],
			[
				...r.sweep.rows.filter((x) => x.provider === 'avayaSpaces' && x.ids === 10_000),
				...r.sweep.longerLatency,
			].map((x) => [
				x.latencyMs,
				fmt(x.requests),
				fmt(x.wallMs),
				fmt(x.lowerBoundMs),
				x.ratio.toFixed(2),
			]),
		),
	);
	parts.push(
		`\nInside n8n ${r.host.n8nVersion}: Avaya Spaces, ${fmt(r.host.ids)} IDs, ${r.settings.latencyMs} ms latency, no rate limit\n`,
	);
	parts.push(
		table(
			['approach', 'requests', 'time s', 'IDs/s', 'requests ÷ ours', 'time ÷ ours'],
			r.host.unlimited.map((x) => [
				x.name,
				fmt(x.requests),
				round(x.wallMs / 1000, 2),
				fmt(Math.round(x.ids / (x.wallMs / 1000))),
				x.requestsVsOurs,
				x.timeVsOurs,
			]),
		),
	);
	parts.push(
		`\nInside n8n: Avaya's ${r.settings.limitPerMinute} requests/minute enforced by the mock, time compressed ${r.settings.timeScale}× (60 requests per ${60_000 / r.settings.timeScale} ms)\n`,
	);
	parts.push(
		table(
			['approach', 'requests', '429s', 'measured s', 'floor s', 'real minutes', 'real floor min'],
			r.host.nightly.map((x) => [
				x.name,
				fmt(x.requests),
				x.throttled,
				round(x.scaledMs / 1000, 2),
				round(x.scaledFloorMs / 1000, 2),
				x.realMinutes,
				x.realFloorMinutes,
			]),
		),
	);
	const o0 = r.overhead[0];
	parts.push(
		`\nNode's own cost: ${fmt(o0.ids)} IDs, no latency, C = ${o0.concurrency}; the node's code (and the libraries it calls) from a CPU profile\n`,
	);
	parts.push(
		table(
			[
				'provider',
				'requests',
				'execution ms',
				'µs/ID (execution)',
				'µs/ID node code',
				'µs/ID node + sync calls',
				'n8n ms',
				'HTTP client ms',
				'Node internals ms',
				'GC ms',
				'idle ms',
			],
			r.overhead.map((o) => [
				o.provider,
				fmt(o.requests),
				fmt(o.executionMs),
				o.executionUsPerId,
				o.nodeCodeUsPerId,
				o.underNodeUsPerId,
				o.profileMs.n8n,
				o.profileMs['http client'],
				o.profileMs['node internals'],
				o.profileMs['garbage collector'],
				o.profileMs.idle,
			]),
		),
	);
	const m = r.memory;
	parts.push(
		`Memory, ${fmt(m.ids)} IDs (${m.provider}, ${fmt(m.requests)} requests, zero latency): IDs ${m.idsMB} MB (${m.idLength} chars each); ` +
			`node while sending +${m.whileSendingMB} MB (${m.whileSendingOverIds}× the IDs), its outputs +${m.outputsMB} MB (${m.outputsOverIds}×), peak bound ${m.peakBoundMB} MB (${m.peakOverIds}×); ` +
			`whole execution peak +${m.executionPeakMB} MB; max RSS ${m.maxRssMB} MB`,
	);
	parts.push('\nTargets\n');
	parts.push(
		table(
			['target', 'measured', 'met'],
			r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']),
		),
	);
	parts.push(
		`\nLoad average (1 min) as each part started: ${Object.entries(r.load)
			.map(([k, v]) => `${k} ${v[0]}`)
			.join(', ')}`,
	);
	parts.push(`Total ${Math.round(r.totalSeconds)} s`);
	return parts.join('\n');
}

async function main(): Promise<void> {
	const started = performance.now();
	const load: Record<string, number[]> = {};
	const mark = (part: string) => {
		load[part] = loadavg().map((l) => round(l, 2));
	};
	const info = machine();
	log(
		`${info.cpus} cores, Node ${info.node}, load ${info.loadAverageAtStart.join(' ')}${QUICK ? ' (quick run)' : ''}`,
	);

	const mocks = await MockProcess.start();
	let sweepResult: BenchResults['sweep'];
	const overheadResult: OverheadResult[] = [];
	try {
		mark('sweep');
		sweepResult = await sweep(mocks, {
			latencyMs: LATENCY_MS,
			concurrency: C,
			sizes: QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000],
			weChatSizes: QUICK ? [100] : [100, 1_000],
			longerLatencies: QUICK ? [100] : [50, 100],
		});
		mark('overhead');
		// Every provider that batches (one ID a call measures n8n's request path, not the node).
		for (const provider of PROVIDERS.filter((p) => p.maxBatchSize > 1).map((p) => p.id)) {
			overheadResult.push(await overhead(mocks, provider, QUICK ? 20_000 : 100_000, C));
		}
	} finally {
		mocks.stop();
		shutdownHarness();
	}
	mark('memory');
	const memoryResult = await memory('solapi', QUICK ? 100_000 : 1_000_000, C);
	log(`memory: node peak bound ${memoryResult.peakBoundMB} MB for ${memoryResult.idsMB} MB of IDs`);

	mark('n8n');
	const cases = hostCases();
	const all = [...cases.unlimited, ...cases.limited];
	const host = await runHostCases(ROOT, all);
	const named = host.results.map((r, i) => ({ ...r, name: all[i].name, short: all[i].short }));
	const unlimited = withRatios(named.slice(0, cases.unlimited.length));
	const limited = withRatios(named.slice(cases.unlimited.length));

	const partial = {
		command: 'npm run bench',
		machine: info,
		load,
		settings: {
			latencyMs: LATENCY_MS,
			concurrency: C,
			limitPerMinute: LIMIT_PER_MINUTE,
			timeScale: SCALE,
			quick: QUICK,
		},
		sweep: sweepResult,
		host: {
			n8nVersion: host.version,
			ids: HOST_IDS,
			unlimited,
			limited,
			nightly: nightly(limited),
		},
		overhead: overheadResult,
		memory: memoryResult,
	};
	mark('end');
	const results: BenchResults = {
		...partial,
		targets: targets(partial),
		totalSeconds: round((performance.now() - started) / 1000, 1),
	};
	// A quick run checks the bench, it does not replace the figures: its files go to .tmp/ (ignored).
	const resultsFile = QUICK
		? join(ROOT, '.tmp', 'bench', 'results.json')
		: join(ROOT, 'bench', 'results.json');
	const svgFile = QUICK
		? join(ROOT, '.tmp', 'bench', 'bench.svg')
		: join(ROOT, 'docs', 'bench.svg');
	mkdirSync(dirname(resultsFile), { recursive: true });
	mkdirSync(dirname(svgFile), { recursive: true });
	writeFileSync(resultsFile, `${JSON.stringify(results, null, '\t')}\n`);
	await writeChart(resultsFile, svgFile);
	process.stdout.write(`${summary(results)}\n\nWrote ${resultsFile} and ${svgFile}\n`);
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
