/**
 * `npm run bench:big`: what a big cleanup costs inside a real n8n (1.123.50, installed by
 * scripts/n8n-host/, the packed package installed as users install it). About 12 minutes on 2
 * cores; `-- --quick` (100,000 and 10,000 IDs) checks the bench in about 3. Writes
 * bench/results/big[-quick]-<date>.md.
 *
 * One `n8n execute` per run: the IDs (Avaya-shaped) as ONE item's list (or newline-separated
 * string), from a Code node (vm2 proxies in n8n 1.x) or from an HTTP Request node reading
 * `{ "ids": [...] }`, into Batch Delete
 * (Avaya Spaces, no latency) or, as the baseline measured in the same bench run, into a NoOp node:
 * what n8n itself takes to make, keep, store and print the IDs; the node's cost is the difference.
 * Per run: the peak RSS of `n8n execute` (VmHWM in /proc, read every 50 ms), the highest RSS while
 * Batch Delete (or the NoOp) ran, the stored execution and the node's share of it. `n8n execute`
 * prints the whole execution at the end (`n8n start` and workers do not): that share of the peak
 * is in the baseline too.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../scripts/n8n-host';
import { BATCH_DELETE_TYPE } from '../scripts/n8n-host';
import {
	AVAYA_TOKEN,
	ROOT,
	fmt,
	log,
	machine,
	machineLine,
	round,
	serveAvayaDelete,
	table,
	writeResults,
} from './lib';

const QUICK = process.argv.includes('--quick');
const BIG = QUICK ? 100_000 : 1_000_000;
const SMALL = QUICK ? 10_000 : 100_000;
/** Issue 26: 1,000,000 IDs as one list, Summary Only, add ≤ 250 MB peak RSS over a NoOp. */
const TARGET_MB = 250;
const MB = 2 ** 20;

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
type Output = 'eachId' | 'failuresAndSummary' | 'summaryOnly' | 'noOp';

interface Run {
	ids: number;
	output: Output;
	source: 'code' | 'http';
	/** The Code node's IDs as one newline-separated string instead of a list. */
	string?: boolean;
	/** Node.js flags for `n8n execute`. */
	nodeArgs?: string[];
}

/** Each pair measured in this bench run: Batch Delete, and the NoOp in its place. */
const PAIRS: Array<{ label: string; run: Run }> = [
	{ label: 'Summary Only', run: { ids: BIG, output: 'summaryOnly', source: 'code' } },
	{ label: 'Summary Only', run: { ids: BIG, output: 'summaryOnly', source: 'http' } },
	{
		label: 'Failures and Summary',
		run: { ids: BIG, output: 'failuresAndSummary', source: 'code' },
	},
	{
		label: 'Summary Only, a newline-separated string',
		run: { ids: BIG, output: 'summaryOnly', source: 'code', string: true },
	},
	{ label: 'Each ID', run: { ids: SMALL, output: 'eachId', source: 'code' } },
	...(QUICK
		? []
		: [
				{
					// V8 collects lazily: with a heap cap the same runs show what they need.
					label: 'Summary Only, heap cap 512 MB',
					run: {
						ids: BIG,
						output: 'summaryOnly',
						source: 'code',
						nodeArgs: ['--max-old-space-size=512'],
					} as Run,
				},
			]),
];

interface Measured {
	peakMB: number;
	/** Highest RSS while Batch Delete (or the NoOp) ran. */
	whileNodeMB: number;
	storedBytes: number;
	nodeStoredBytes: number;
	nodeMs: number;
	progress: string[];
}

const avayaId = (n: number) => `5f1e${n.toString(16).padStart(20, '0')}`;
const uuid = (n: number) => `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function workflow(id: string, r: Run, from: number, baseUrl: string): IDataObject {
	const jsCode = `const ids = new Array(${r.ids});\nfor (let i = 0; i < ${r.ids}; i++) ids[i] = '5f1e' + (${from} + i).toString(16).padStart(20, '0');\nreturn [{ json: { ids: ids${r.string === true ? ".join('\\n')" : ''} } }];`;
	const node = (n: number, name: string, type: string, typeVersion: number, rest: IDataObject) => ({
		id: uuid(n),
		name,
		type,
		typeVersion,
		position: [220 * n, 0],
		parameters: {},
		...rest,
	});
	const options = { output: r.output, batchSize: 100, concurrency: 2, maxIds: 1_000_000 };
	return {
		id,
		name: `big ${id}`,
		active: false,
		nodes: [
			node(0, 'Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			r.source === 'http'
				? node(1, 'IDs', 'n8n-nodes-base.httpRequest', 4.2, {
						parameters: { url: `${baseUrl}/ids/${from}/${r.ids}`, options: {} },
					})
				: node(1, 'IDs', 'n8n-nodes-base.code', 2, { parameters: { jsCode } }),
			r.output === 'noOp'
				? node(2, 'Batch Delete', 'n8n-nodes-base.noOp', 1, {})
				: node(2, 'Batch Delete', BATCH_DELETE_TYPE, 1, {
						parameters: {
							provider: 'avayaSpaces',
							avayaSpacesAuthentication: 'token',
							idField: 'ids',
							options: { ...options, requestsPerSecond: 0 },
						},
						credentials: { avayaSpacesApi: { id: 'bigAvayaSpaces01', name: 'mock' } },
					}),
		],
		connections: {
			Start: { main: [[{ node: 'IDs', type: 'main', index: 0 }]] },
			IDs: { main: [[{ node: 'Batch Delete', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** `n8n execute`, its output to a file, its RSS polled: the peak and [time, RSS kB] samples. */
async function execute(folder: Folder, workflowId: string, nodeArgs: string[] = []) {
	const outFile = join(folder.dir, `${workflowId}.out`);
	const child = spawn(
		folder.host.nodeBin,
		[...nodeArgs, folder.host.n8nBin, 'execute', `--id=${workflowId}`, '--rawOutput'],
		{
			cwd: folder.dir,
			env: { ...folder.env, N8N_LOG_LEVEL: 'info', N8N_LOG_FORMAT: 'text' },
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const out = createWriteStream(outFile);
	child.stdout.pipe(out);
	child.stderr.pipe(out);
	let peakKb = 0;
	const timeline: Array<[number, number]> = [];
	const poll = setInterval(() => {
		try {
			const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
			peakKb = Math.max(peakKb, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
			timeline.push([Date.now(), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0)]);
		} catch {
			/* gone */
		}
	}, 50);
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	clearInterval(poll);
	await new Promise<void>((resolve) => out.end(resolve));
	const output = readFileSync(outFile, 'utf8');
	rmSync(outFile);
	if (code !== 0) throw new Error(`n8n execute exited ${code}:\n${output.slice(-3000)}`);
	return { peakKb, timeline, output };
}

interface Stored {
	bytes: number;
	nodeBytes: number;
	start: number;
	ms: number;
	node: { error?: { message?: string }; data?: { main?: Array<Array<{ json: IDataObject }>> } };
}

/** The stored execution's size and Batch Delete's run, read with n8n's own sqlite3 and flatted. */
async function stored(folder: Folder, workflowId: string): Promise<Stored> {
	const script = `
		const sqlite3 = require('sqlite3'); const { parse } = require('flatted');
		const [file, wf] = process.argv.slice(1);
		const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
		db.get('SELECT d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1', [wf], (err, row) => {
			if (err || !row) { console.error(err ? err.message : 'no execution'); process.exit(2); }
			const [run] = parse(row.data).resultData.runData['Batch Delete'];
			const nodeBytes = Buffer.byteLength(JSON.stringify([run]));
			process.stdout.write(JSON.stringify({ bytes: Buffer.byteLength(row.data), nodeBytes, start: run.startTime, ms: run.executionTime, node: nodeBytes > 1e6 ? {} : run }));
		});`;
	const args = ['--max-old-space-size=4096', '-e', script, folder.dbFile, workflowId];
	const child = spawn(folder.host.nodeBin, args, {
		cwd: join(folder.host.dir, 'node_modules', 'n8n'),
		env: { PATH: folder.host.env.PATH },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const chunks: Buffer[] = [];
	child.stdout.on('data', (d: Buffer) => chunks.push(d));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	if (code !== 0) throw new Error(`reading the execution failed (${code})`);
	return JSON.parse(Buffer.concat(chunks).toString()) as Stored;
}

async function main(): Promise<void> {
	const started = Date.now();
	const info = machine();
	const host = await n8nHost.ensureHost('1');
	const folder = await n8nHost.createUserFolder(host, { tarball: await n8nHost.packPackage(ROOT) });
	let deleted = 0;
	// One server: Avaya Spaces' delete endpoint, and GET /ids/<from>/<count> for the HTTP source.
	const server = createServer((req, res) => {
		const [, what, from, count] = (req.url ?? '').split('/');
		if (what !== 'ids') return serveAvayaDelete(req, res, (ids) => (deleted += ids.length));
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ ids: Array.from({ length: +count }, (_, i) => avayaId(+from + i)) }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	let from = 0;
	let k = 0;
	const measure = async (r: Run): Promise<Measured> => {
		const id = `bigWorkflow${String(k++).padStart(5, '0')}`;
		await n8nHost.importWorkflow(folder, [workflow(id, r, from, baseUrl)]);
		from += r.ids;
		log(
			`${r.output}, ${fmt(r.ids)} IDs, ${r.source}${r.string ? ', string' : ''} ${r.nodeArgs ?? ''}`,
		);
		const before = deleted;
		const run = await execute(folder, id, r.nodeArgs);
		const s = await stored(folder, id);
		if (s.node.error !== undefined) throw new Error(`Batch Delete failed: ${s.node.error.message}`);
		const summary = (s.node.data?.main ?? []).flat().find((i) => i.json.summary !== undefined);
		const reported = Number((summary?.json.byStatus as IDataObject | undefined)?.deleted ?? 0);
		if (r.output !== 'noOp' && (deleted - before !== r.ids || (summary && reported !== r.ids)))
			throw new Error(`${deleted - before} deleted, ${reported} reported, of ${r.ids}`);
		const during = run.timeline.filter(([t]) => t >= s.start && t <= s.start + s.ms);
		return {
			peakMB: round(run.peakKb / 1024, 0),
			whileNodeMB: round(Math.max(0, ...during.map(([, kb]) => kb)) / 1024, 0),
			storedBytes: s.bytes,
			nodeStoredBytes: s.nodeBytes,
			nodeMs: s.ms,
			progress: run.output.split('\n').filter((l) => l.includes('Batch Delete "Batch Delete"')),
		};
	};
	const rows: Array<Array<string | number>> = [];
	const targets: string[] = [];
	let progress: string | undefined;
	try {
		await n8nHost.importCredentials(folder, [
			{
				id: 'bigAvayaSpaces01',
				name: 'mock',
				type: 'avayaSpacesApi',
				data: { environment: 'custom', baseUrl, tokenType: 'jwt', token: AVAYA_TOKEN },
			},
		]);
		const tiny = await measure({ ids: 10, output: 'summaryOnly', source: 'code' });
		rows.push([
			'n8n itself: 10 IDs, Summary Only',
			10,
			'Code node',
			'',
			tiny.peakMB,
			'',
			'',
			'',
			'',
			'',
		]);
		const baselines = new Map<string, Measured>();
		for (const { label, run } of PAIRS) {
			const key = `${run.ids} ${run.source} ${run.string} ${run.nodeArgs?.join(' ')}`;
			if (!baselines.has(key)) baselines.set(key, await measure({ ...run, output: 'noOp' }));
			const noOp = baselines.get(key)!;
			const m = await measure(run);
			progress ??= m.progress[0];
			const over = m.peakMB - noOp.peakMB;
			rows.push([
				label,
				fmt(run.ids),
				run.source === 'code' ? 'Code node' : 'HTTP Request',
				noOp.peakMB,
				m.peakMB,
				`${over >= 0 ? '+' : ''}${over}`,
				m.whileNodeMB,
				`${round(m.storedBytes / MB, 2)} (NoOp ${round(noOp.storedBytes / MB, 2)})`,
				fmt(m.nodeStoredBytes),
				round(m.nodeMs / 1000, 1),
			]);
			if (run.output === 'summaryOnly' && run.nodeArgs === undefined && run.string !== true)
				targets.push(
					`- ${fmt(run.ids)} IDs from ${run.source === 'code' ? 'a Code node' : 'an HTTP Request node'}, Summary Only: ${over >= 0 ? '+' : ''}${over} MB peak RSS over the NoOp (target ≤ +${TARGET_MB} MB): ${over <= TARGET_MB ? 'met' : '**missed**'}`,
				);
		}
	} finally {
		await new Promise((resolve) => server.close(resolve));
		await n8nHost.removeUserFolder(folder);
	}
	writeResults(
		'big',
		QUICK,
		[
			`# \`npm run bench:big${QUICK ? ' -- --quick' : ''}\`, ${info.date.slice(0, 10)}`,
			'',
			machineLine(info, round((Date.now() - started) / 1000, 0)),
			'',
			`Real n8n ${host.version}, \`n8n execute\`, the IDs as one item's list into Batch Delete (Avaya Spaces mock, no latency, Concurrency 2) and, as the baseline in the same run, into a NoOp node. MB: RSS of \`n8n execute\` (MB = 2^20 bytes). Read in [docs/big-cleanups.md](../../docs/big-cleanups.md).`,
			'',
			table(
				[
					'run',
					'IDs',
					'source',
					'NoOp peak',
					'Batch Delete peak',
					'over NoOp',
					'while the node ran',
					'stored MB',
					'Batch Delete stored bytes',
					'node s',
				],
				rows,
			),
			'',
			...targets,
			...(progress === undefined ? [] : ['', `A progress line: ${progress.trim()}`]),
		].join('\n'),
	);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
