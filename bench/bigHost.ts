/**
 * A big cleanup inside a real n8n (1.123.50, installed by scripts/n8n-host/), one `n8n execute`
 * per case: a Code node returns the IDs as ONE item's list (`[{ json: { ids: [...] } }]`), Batch
 * Delete (Avaya Spaces, ID Field `ids`) deletes them against the Avaya Spaces mock, which runs in
 * this process with no latency.
 *
 * Per case:
 * - the peak RSS of the `n8n execute` process (VmHWM in /proc/<pid>/status, read every 50 ms while
 *   it runs; the high-water mark only grows, so the last read before exit is the peak unless the
 *   peak came in the last 50 ms);
 * - the size of the execution n8n stored (the execution_data row in n8n's sqlite database), and
 *   the Batch Delete node's share of it (its run data, as JSON);
 * - the progress lines n8n's logger printed.
 *
 * Baselines, same workflow: a tiny input (10 IDs: what n8n itself takes), and the same IDs into a
 * NoOp node instead of Batch Delete (what n8n takes to make, keep, print and store the IDs; the
 * node's own share is the difference). `n8n execute` always prints the whole execution as JSON at
 * the end (its code: `this.log(JSON.stringify(data, null, 2))`); `n8n start` and queue workers do
 * not, so that part of the peak is the CLI's, present in the baselines too.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../scripts/n8n-host';
import { BATCH_DELETE_TYPE } from '../scripts/n8n-host';
import { AvayaSpacesMock } from '../test/mocks/avayaSpaces';
import { log, realisticId, round } from './lib';

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

const CREDENTIAL = {
	id: 'bigAvayaSpaces01',
	name: 'Avaya Spaces (big bench mock)',
	type: 'avayaSpacesApi',
};
const TOKEN = 'good-jwt';
const MB = 2 ** 20;

export interface BigHostCase {
	label: string;
	ids: number;
	/** Batch Delete's Output option; `noOp` puts a NoOp node where Batch Delete would be. */
	output: 'eachId' | 'failuresAndSummary' | 'summaryOnly' | 'noOp';
	concurrency?: number;
	/** Where the IDs come from: a Code node making them (default), or an HTTP Request reading them
	 * as JSON (`{ "ids": [...] }`) from a server in this process, as the nightly template does. */
	source?: 'code' | 'http';
	/** Node.js flags for `n8n execute` (e.g. --trace-gc when looking into a peak). */
	nodeArgs?: string[];
}

/** Highest RSS in each phase of the run, MB. */
export interface RssPhases {
	/** n8n starting, up to the IDs node. */
	start: number;
	/** The Code node making the IDs. */
	idsNode: number;
	/** Batch Delete (or the NoOp in its place). */
	batchDelete: number;
	/** After it: n8n storing the execution and `n8n execute` printing it. */
	after: number;
}

export interface BigHostResult extends BigHostCase {
	/** Peak RSS of the `n8n execute` process. */
	peakRssMB: number;
	/** The execution_data row (n8n's flatted JSON of the run data). */
	storedBytes: number;
	/** The Batch Delete node's run data, as JSON. */
	nodeStoredBytes: number;
	/** Items Batch Delete emitted. */
	outputItems: number;
	/** From the summary item (summary modes) or the items (Each ID). */
	deleted: number;
	requests: number;
	/** The node's execution time in n8n's run data. */
	nodeMs: number;
	/** `n8n execute` from start to exit. */
	processMs: number;
	/** Bytes `n8n execute` printed (the execution JSON and the log). */
	stdoutBytes: number;
	progressLines: string[];
	rssPhasesMB: RssPhases;
}

function phases(timeline: Array<[number, number]>, timing: Stored['timing']): RssPhases {
	const ids = timing.IDs;
	const node = timing['Batch Delete'];
	const max = (from: number, to: number) =>
		round(
			Math.max(0, ...timeline.filter(([t]) => t >= from && t < to).map(([, kb]) => kb)) / 1024,
			0,
		);
	return {
		start: max(0, ids.start),
		idsNode: max(ids.start, ids.start + ids.ms),
		batchDelete: max(node.start, node.start + node.ms),
		after: max(node.start + node.ms, Infinity),
	};
}

const uuid = (n: number) => `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The Code node makes the IDs in n8n, shaped like Avaya's (bench/lib.ts realisticId), `from` on. */
function workflow(id: string, c: BigHostCase, from: number, idsUrl: string): IDataObject {
	const code = `const ids = new Array(${c.ids});\nfor (let i = 0; i < ${c.ids}; i++) ids[i] = '5f1e' + (${from} + i).toString(16).padStart(20, '0');\nreturn [{ json: { ids } }];`;
	const source =
		c.source === 'http'
			? {
					id: uuid(2),
					name: 'IDs',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					position: [220, 0],
					parameters: { url: `${idsUrl}/${from}/${c.ids}`, options: {} },
				}
			: {
					id: uuid(2),
					name: 'IDs',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: { jsCode: code },
				};
	const sink =
		c.output === 'noOp'
			? {
					id: uuid(3),
					name: 'Batch Delete',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [440, 0],
					parameters: {},
				}
			: {
					id: uuid(3),
					name: 'Batch Delete',
					type: BATCH_DELETE_TYPE,
					typeVersion: 1,
					position: [440, 0],
					parameters: {
						provider: 'avayaSpaces',
						avayaSpacesAuthentication: 'token',
						idField: 'ids',
						options: {
							output: c.output,
							batchSize: 100,
							concurrency: c.concurrency ?? 2,
							requestsPerSecond: 0,
							maxIds: 1_000_000,
						},
					},
					credentials: { avayaSpacesApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
				};
	return {
		id,
		name: `big ${c.label}`,
		active: false,
		nodes: [
			{
				id: uuid(1),
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			source,
			sink,
		],
		connections: {
			Start: { main: [[{ node: 'IDs', type: 'main', index: 0 }]] },
			IDs: { main: [[{ node: 'Batch Delete', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

function readStatus(pid: number): { hwmKb: number; rssKb: number } | undefined {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
		const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
		return hwm === null || rss === null
			? undefined
			: { hwmKb: Number(hwm[1]), rssKb: Number(rss[1]) };
	} catch {
		return undefined; // gone
	}
}

/** `n8n execute`, its stdout to a file, its peak RSS polled. */
async function execute(
	folder: Folder,
	workflowId: string,
	outFile: string,
	nodeArgs: string[] = [],
): Promise<{ code: number | null; peakKb: number; ms: number; timeline: Array<[number, number]> }> {
	const started = Date.now();
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
	// RSS over time, to tell which phase (n8n starting, the IDs node, Batch Delete, storing and
	// printing the execution) the peak belongs to.
	const timeline: Array<[number, number]> = [];
	const poll = setInterval(() => {
		const status = readStatus(child.pid!);
		if (status === undefined) return;
		peakKb = Math.max(peakKb, status.hwmKb);
		timeline.push([Date.now(), status.rssKb]);
	}, 50);
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	clearInterval(poll);
	await new Promise<void>((resolve) => out.end(resolve));
	return { code, peakKb, ms: Date.now() - started, timeline };
}

/** The stored execution's size and each node's run data size, read with n8n's own sqlite3 and flatted. */
interface Stored {
	bytes: number;
	byNode: Record<string, number>;
	/** Each node's first run: start (epoch ms) and duration. */
	timing: Record<string, { start: number; ms: number }>;
	runData: IDataObject;
}

async function storedSize(folder: Folder, workflowId: string): Promise<Stored> {
	const script = `
		const sqlite3 = require('sqlite3'); const { parse } = require('flatted');
		const [file, wf] = process.argv.slice(1);
		const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
		db.get('SELECT d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1', [wf], (err, row) => {
			if (err || !row) { console.error(err ? err.message : 'no execution'); process.exit(2); }
			const runData = parse(row.data).resultData.runData;
			const byNode = Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, Buffer.byteLength(JSON.stringify(runs))]));
			const timing = Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, { start: runs[0].startTime, ms: runs[0].executionTime }]));
			const small = runData['Batch Delete'] ?? [];
			process.stdout.write(JSON.stringify({ bytes: Buffer.byteLength(row.data), byNode, timing, runData: { 'Batch Delete': small } }));
			db.close();
		});`;
	const child = spawn(
		folder.host.nodeBin,
		['--max-old-space-size=4096', '-e', script, folder.dbFile, workflowId],
		{
			cwd: join(folder.host.dir, 'node_modules', 'n8n'),
			env: { PATH: folder.host.env.PATH },
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const chunks: Buffer[] = [];
	const errors: Buffer[] = [];
	child.stdout.on('data', (d: Buffer) => chunks.push(d));
	child.stderr.on('data', (d: Buffer) => errors.push(d));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	if (code !== 0)
		throw new Error(`reading the execution failed: ${Buffer.concat(errors).toString()}`);
	return JSON.parse(Buffer.concat(chunks).toString()) as Stored;
}

interface NodeRun {
	executionTime: number;
	data?: { main?: Array<Array<{ json: IDataObject }> | null> };
	error?: { message?: string };
}

/** Run the cases in one n8n user folder, the packed package installed as users install it. */
export async function runBigHostCases(
	root: string,
	cases: BigHostCase[],
): Promise<{ version: string; results: BigHostResult[] }> {
	const host = await n8nHost.ensureHost('1');
	const tarball = await n8nHost.packPackage(root);
	const folder = await n8nHost.createUserFolder(host, { tarball });
	const mock = new AvayaSpacesMock();
	await mock.start();
	// GET /<from>/<count>: { ids: [...] }, the IDs the Code node would make.
	const idServer = createServer((req, res) => {
		const [, from, count] = (req.url ?? '').split('/').map(Number);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				ids: Array.from({ length: count }, (_, i) => realisticId('avayaSpaces', from + i)),
			}),
		);
	});
	await new Promise<void>((resolve) => idServer.listen(0, '127.0.0.1', resolve));
	const idsUrl = `http://127.0.0.1:${(idServer.address() as AddressInfo).port}`;
	const results: BigHostResult[] = [];
	try {
		await n8nHost.importCredentials(folder, [
			{
				...CREDENTIAL,
				data: { environment: 'custom', baseUrl: mock.baseUrl, tokenType: 'jwt', token: TOKEN },
			},
		]);
		let from = 0;
		const prepared = cases.map((c, i) => {
			const p = { c, id: `bigWorkflow${String(i).padStart(4, '0')}`, from };
			from += c.ids;
			return p;
		});
		await n8nHost.importWorkflow(
			folder,
			prepared.map(({ c, id, from: start }) => workflow(id, c, start, idsUrl)),
		);
		for (const { c, id, from: start } of prepared) {
			log(`n8n ${host.version}: ${c.label} ...`);
			// The mock holds exactly this case's IDs; its request log is dropped as it goes.
			for (let i = 0; i < c.ids; i += 10_000)
				mock.add(
					...Array.from({ length: Math.min(10_000, c.ids - i) }, (_, k) =>
						realisticId('avayaSpaces', start + i + k),
					),
				);
			const before = mock.deleted.size;
			const drain = setInterval(() => (mock.requests.length = 0), 1000);
			const outFile = join(folder.dir, `${id}.out`);
			let run;
			try {
				run = await execute(folder, id, outFile, c.nodeArgs);
			} finally {
				clearInterval(drain);
			}
			const stdout = readFileSync(outFile, 'utf8');
			const stdoutBytes = statSync(outFile).size;
			rmSync(outFile);
			if (run.code !== 0)
				throw new Error(`${c.label}: n8n execute exited ${run.code}:\n${stdout.slice(-3000)}`);
			const stored = await storedSize(folder, id);
			const nodeRun = ((stored.runData['Batch Delete'] as NodeRun[] | undefined) ?? [])[0];
			if (nodeRun?.error !== undefined)
				throw new Error(`${c.label}: Batch Delete failed: ${nodeRun.error.message}`);
			const items = (nodeRun?.data?.main ?? []).flatMap((o) => o ?? []);
			const summary = items.find((i) => i.json.summary !== undefined)?.json;
			const deleted =
				c.output === 'noOp'
					? 0
					: summary !== undefined
						? Number((summary.byStatus as IDataObject).deleted ?? 0)
						: items.filter((i) => i.json.status === 'deleted').length;
			const result: BigHostResult = {
				...c,
				peakRssMB: round(run.peakKb / 1024, 0),
				storedBytes: stored.bytes,
				nodeStoredBytes: stored.byNode['Batch Delete'] ?? 0,
				outputItems: items.length,
				deleted,
				requests: summary === undefined ? 0 : Number(summary.requests),
				nodeMs: nodeRun?.executionTime ?? NaN,
				processMs: run.ms,
				stdoutBytes,
				progressLines: stdout.split('\n').filter((l) => l.includes('Batch Delete "Batch Delete"')),
				rssPhasesMB: phases(run.timeline, stored.timing),
			};
			if (c.nodeArgs?.includes('--trace-gc') === true) {
				// Kept for a look at the collections: the log lines only.
				writeFileSync(
					`/tmp/big-gc-${c.label.replace(/\W+/g, '-')}.log`,
					stdout
						.split('\n')
						.filter((l) => /Mark-Compact|Scavenge|Mark-sweep/.test(l))
						.join('\n'),
				);
			}
			if (c.output !== 'noOp' && (deleted !== c.ids || mock.deleted.size - before !== c.ids)) {
				throw new Error(
					`${c.label}: ${deleted} reported deleted, ${mock.deleted.size - before} deleted by the mock, of ${c.ids}`,
				);
			}
			log(`  RSS by phase ${JSON.stringify(result.rssPhasesMB)}`);
			log(
				`  peak RSS ${result.peakRssMB} MB, stored ${round(result.storedBytes / MB, 2)} MB (Batch Delete ${result.nodeStoredBytes} bytes), ${round(result.processMs / 1000, 1)} s`,
			);
			results.push(result);
		}
		return { version: host.version, results };
	} finally {
		await mock.close();
		await new Promise((resolve) => idServer.close(resolve));
		await n8nHost.removeUserFolder(folder);
	}
}
