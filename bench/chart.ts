/**
 * bench/results.json drawn as docs/bench.svg with Vega-Lite (compiled to Vega, rendered headless
 * to SVG: no browser, no canvas). Three panels: each provider's time over the lower bound by N;
 * Avaya Spaces with 10,000 IDs inside n8n, ours against the per-item baselines; and what Avaya's
 * rate limit makes of a 10,000-ID nightly cleanup, in real minutes.
 *
 *   npx tsx bench/chart.ts            # redraw from bench/results.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { BenchResults } from './run';

const PROVIDER_NAMES: Record<string, string> = {
	avayaSpaces: 'Avaya Spaces (B=100)',
	solapi: 'SOLAPI (B=1,000)',
	quectel: 'Quectel (B=100)',
	weChatOfficialAccount: 'WeChat (B=1)',
	huaweiCloudSms: 'Huawei Cloud SMS (B=50)',
};

const FONT = 'Helvetica, Arial, sans-serif';
const fmt = (n: number) => n.toLocaleString('en-US');

/** Powers of ten from `from` to `to`: the ticks of a log axis. */
function decades(from: number, to: number): number[] {
	const out: number[] = [];
	for (let e = Math.ceil(Math.log10(from) - 1e-9); 10 ** e <= to * (1 + 1e-9); e++)
		out.push(Number((10 ** e).toPrecision(1)));
	return out;
}

export function chartSpec(results: BenchResults): Record<string, unknown> {
	const sweep = results.sweep.rows.map((r) => ({
		provider: PROVIDER_NAMES[r.provider] ?? r.provider,
		ids: r.ids,
		ratio: r.ratio,
	}));
	const approaches = (rows: BenchResults['host']['unlimited']) =>
		rows.map((r) => ({
			approach: r.short,
			seconds: r.wallMs / 1000,
			label: `${fmt(r.requests)} requests · ${r.wallMs >= 10_000 ? Math.round(r.wallMs / 1000) : (r.wallMs / 1000).toFixed(1)} s`,
			ours: r.approach === 'batchDelete' ? 'Batch Delete' : 'per item',
		}));
	const nightly = results.host.nightly.map((r) => ({
		approach: r.short,
		minutes: r.realMinutes,
		label: `${fmt(r.requests)} requests · ${r.realMinutes >= 10 ? Math.round(r.realMinutes) : r.realMinutes.toFixed(1)} min`,
		ours: r.approach === 'batchDelete' ? 'Batch Delete' : 'per item',
	}));
	const colors = { domain: ['Batch Delete', 'per item'], range: ['#1f77b4', '#c7c7c7'] };
	const latency = results.settings.latencyMs;
	const C = results.settings.concurrency;
	const n = fmt(results.host.ids);
	// Log-scale bars start at a fixed floor (a bar from 0 has no length on a log scale); the domain
	// leaves room to the right for the labels.
	const bars = (
		values: Array<Record<string, unknown>>,
		field: string,
		title: string,
		axis: string,
	) => {
		const top = Math.max(...values.map((v) => Number(v[field])));
		const floor =
			10 ** Math.floor(Math.log10(Math.min(...values.map((v) => Number(v[field]))) / 2));
		return {
			title: { text: title, anchor: 'start', fontSize: 13 },
			width: 430,
			height: { step: 26 },
			data: { values },
			encoding: {
				y: {
					field: 'approach',
					type: 'nominal',
					sort: null,
					title: null,
					axis: { labelLimit: 400, labelFontSize: 11 },
				},
			},
			layer: [
				{
					mark: { type: 'bar', height: 18 },
					encoding: {
						x: {
							field,
							type: 'quantitative',
							scale: { type: 'log', domain: [floor, top * 40] },
							title: axis,
							axis: { grid: true, values: decades(floor, top * 40), format: ',~r' },
						},
						x2: { datum: floor },
						color: { field: 'ours', type: 'nominal', scale: colors, legend: null },
					},
				},
				{
					mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
					encoding: { x: { field, type: 'quantitative' }, text: { field: 'label' } },
				},
			],
		};
	};
	return {
		$schema: 'https://vega.github.io/schema/vega-lite/v6.json',
		config: {
			font: FONT,
			view: { stroke: null },
			axis: { labelFont: FONT, titleFont: FONT },
			legend: { labelFont: FONT, titleFont: FONT },
		},
		background: 'white',
		padding: 12,
		vconcat: [
			{
				title: {
					text: `Each provider: node time ÷ lower bound ceil(ceil(N/B)/C) × ${latency} ms (C=${C})`,
					subtitle:
						'in-process n8n engine, mock with a fixed latency; dashed line: the 1.15× target',
					anchor: 'start',
					fontSize: 13,
				},
				width: 430,
				height: 200,
				layer: [
					{
						data: { values: sweep },
						mark: { type: 'line', point: true },
						encoding: {
							x: {
								field: 'ids',
								type: 'quantitative',
								scale: { type: 'log' },
								title: 'IDs deleted (N)',
								axis: { format: ',d', values: [100, 1000, 10_000, 100_000] },
							},
							y: {
								field: 'ratio',
								type: 'quantitative',
								title: 'time ÷ lower bound',
								scale: { domainMin: 1, zero: false, nice: true },
							},
							color: {
								field: 'provider',
								type: 'nominal',
								title: null,
								legend: { orient: 'right', labelLimit: 200 },
							},
						},
					},
					{
						data: { values: [{ y: 1.15 }] },
						mark: { type: 'rule', strokeDash: [5, 4], color: '#888' },
						encoding: { y: { field: 'y', type: 'quantitative' } },
					},
				],
			},
			bars(
				approaches(results.host.unlimited),
				'seconds',
				`Avaya Spaces, ${n} IDs, inside n8n ${results.host.n8nVersion}, ${latency} ms latency, no rate limit`,
				'seconds (log scale)',
			),
			bars(
				nightly,
				'minutes',
				`Avaya Spaces at its documented ${results.settings.limitPerMinute} requests/minute: a ${n}-ID nightly cleanup`,
				'real minutes (log scale), measured at 1/' + results.settings.timeScale + ' of real time',
			),
		],
		spacing: 28,
		// Each panel its own colours and axes: providers in the first, ours against per item below.
		resolve: {
			scale: { color: 'independent', x: 'independent', y: 'independent' },
			legend: { color: 'independent' },
		},
	};
}

export async function renderSvg(results: BenchResults): Promise<string> {
	// Both are ES modules (vega-canvas uses top-level await): loaded with import(), not require.
	const vega = await import('vega');
	// Its package.json has only an exports map, which this repo's moduleResolution (node10) does not
	// read: the types are taken from the file itself.
	const vegaLite = (await import('vega-lite' as string)) as typeof import('vega-lite/build/index');
	const compiled = vegaLite.compile(
		chartSpec(results) as unknown as Parameters<typeof vegaLite.compile>[0],
	).spec;
	const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
	const svg = await view.toSVG();
	view.finalize();
	return svg;
}

export async function writeChart(resultsFile: string, svgFile: string): Promise<void> {
	const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
	writeFileSync(svgFile, `${await renderSvg(results)}\n`);
}

if (require.main === module) {
	const root = join(__dirname, '..');
	writeChart(join(root, 'bench', 'results.json'), join(root, 'docs', 'bench.svg')).catch(
		(error: Error) => {
			process.stderr.write(`${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}
