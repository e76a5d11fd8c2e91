/**
 * `npm run bench:heap`: the node's own live heap in a big cleanup, by Output mode and input shape
 * (docs/big-cleanups.md). About a minute on 2 cores (the build included); writes bench/results/heap-<date>.md.
 *
 * Each case runs in a process of its own (this file, with --expose-gc): the node's execute as built
 * (dist/, its transport included) on SOLAPI IDs of 33 characters, with n8n's request helper
 * answering every request "Success" without HTTP: the figures are the node's memory, not the
 * network's. Live heap after a full collection: the ID strings (the baseline), the input items
 * beyond them, the node while sending (sampled every 250 ms or more, above the heap at its start)
 * and the outputs it returns. Its synchronous stretches (reading the items, building Each ID's
 * items) cannot be sampled, so "both" bounds the peak from above.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import type { OutputMode } from '../nodes/BatchDelete/engine/outputs';
import { ROOT, fmt, log, machine, machineLine, round, table, writeResults } from './lib';

interface Case {
	output: OutputMode;
	ids: number;
	/** An item per ID (`messageId`), or one item holding a list or a newline-separated string (`ids`). */
	shape: 'items' | 'list' | 'string';
}
const CASES: Case[] = [
	{ output: 'eachId', ids: 100_000, shape: 'items' },
	{ output: 'eachId', ids: 1_000_000, shape: 'items' },
	{ output: 'failuresAndSummary', ids: 1_000_000, shape: 'items' },
	{ output: 'summaryOnly', ids: 1_000_000, shape: 'items' },
	{ output: 'summaryOnly', ids: 1_000_000, shape: 'list' },
	{ output: 'summaryOnly', ids: 1_000_000, shape: 'string' },
];
const gc = (globalThis as { gc?: () => void }).gc;
function live(): number {
	gc!();
	return process.memoryUsage().heapUsed;
}

/* eslint-disable @typescript-eslint/no-require-imports -- the compiled package, as bench/limits.ts loads it */
const { BatchDelete } = require(join(ROOT, 'dist/nodes/BatchDelete/BatchDelete.node')) as {
	BatchDelete: new () => INodeType;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The node's execute (dist/) from its items to its outputs, n8n replaced by the least it calls:
 * every request answered "Success" without HTTP, after one turn of the event loop so the
 * sampler's timer runs; `sending` brackets the run.
 */
async function runNode(c: Case, items: INodeExecutionData[], sending: (on: boolean) => void) {
	const options = { output: c.output, maxIds: 1_000_000, concurrency: 2, requestsPerSecond: 0 };
	const parameters: Record<string, unknown> = {
		provider: 'solapi',
		solapiGroupId: 'G4V20190607105937H3OMPD4ONLWZ2UY',
		idField: c.shape === 'items' ? 'messageId' : 'ids',
		options,
	};
	const node = { name: 'Batch Delete', type: 'n8n-nodes-batch-delete.batchDelete', parameters };
	const answer = async (_type: string, request: IHttpRequestOptions) => {
		await new Promise((resolve) => setImmediate(resolve));
		const ids = (request.body as { messageIds: string[] }).messageIds;
		const resultList = ids.map((messageId) => ({ messageId, resultCode: 'Success' }));
		return { statusCode: 200, headers: {}, body: JSON.stringify({ errorCount: 0, resultList }) };
	};
	const ctx = {
		getInputData: () => items,
		getNode: () => node,
		getNodeParameter: (name: string, _i: number, fallback?: unknown) =>
			parameters[name] ?? fallback,
		continueOnFail: () => false,
		getCredentials: async () => ({}),
		getExecutionCancelSignal: () => undefined,
		addExecutionHints: () => {},
		logger: { info: () => {} },
		helpers: { httpRequestWithAuthentication: answer },
	} as unknown as IExecuteFunctions;
	sending(true);
	try {
		return (await new BatchDelete().execute!.call(ctx)) as INodeExecutionData[][];
	} finally {
		sending(false);
	}
}

/** One case, as its row of the table. */
async function measure(c: Case): Promise<Array<string | number>> {
	if (gc === undefined) throw new Error('start with --expose-gc');
	const make = (n: number) =>
		JSON.stringify(
			Array.from({ length: n }, (_, i) => `M4V20261122${String(i).padStart(10, '0')}BENCHMARKIDS`),
		);
	const asItems = (list: string[]) =>
		c.shape === 'items'
			? list.map((messageId) => ({ json: { messageId } }))
			: [{ json: { ids: c.shape === 'list' ? list : list.join('\n') } }];
	await runNode(c, asItems(JSON.parse(make(2000)) as string[]), () => {}); // compiled before measuring
	const source = make(c.ids);
	const noIds = live();
	const list = JSON.parse(source) as string[];
	const withIds = live();
	const items = asItems(list);
	const atEntry = live();
	let inNode = false;
	let peak = atEntry;
	let samples = 0;
	let timer: NodeJS.Timeout | undefined;
	const sample = () => {
		const t = performance.now();
		const now = live();
		samples++;
		if (inNode) peak = Math.max(peak, now);
		timer = setTimeout(sample, Math.max(250, 2 * (performance.now() - t)));
	};
	timer = setTimeout(sample, 250);
	const started = performance.now();
	const out = await runNode(c, items, (on) => (inNode = on));
	const ms = performance.now() - started;
	clearTimeout(timer);
	const outputs = live() - atEntry;
	// Every ID deleted, and the IDs and items alive until the last reading (read after it).
	const [success, failure] = out;
	const total = c.output === 'eachId' ? success.length : Number(success[0]?.json.total);
	if (total !== c.ids || list.length !== c.ids || failure.length > 0 || items.length === 0)
		throw new Error(`expected ${c.ids} deleted`);
	const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
	const x = (bytes: number) => `${mb(bytes)} (${round(bytes / (withIds - noIds), 1)}×)`;
	const sending = peak - atEntry;
	const shape = { items: 'an item per ID', list: 'a list', string: 'a string' }[c.shape];
	return [c.output, fmt(c.ids), shape, mb(withIds - noIds), mb(atEntry - withIds), x(sending)]
		.concat([round(sending / c.ids, 0), x(outputs), x(sending + outputs), fmt(success.length)])
		.concat([round(ms / 1000, 1), samples]);
}

/** Each case in a child process with --expose-gc; one table. */
async function main(): Promise<void> {
	const m = machine();
	const started = Date.now();
	const rows: Array<Array<string | number>> = [];
	for (const c of CASES) {
		log(`${c.output}, ${fmt(c.ids)} IDs, ${c.shape}`);
		const child = fork(__filename, [JSON.stringify(c)], {
			execArgv: ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const row = await new Promise<Array<string | number>>((resolve, reject) => {
			child.once('message', (message: Array<string | number> | { error: string }) =>
				'error' in message ? reject(new Error(message.error)) : resolve(message),
			);
			child.once('exit', (code) => reject(new Error(`the case exited (${code}) without a result`)));
		});
		rows.push(row);
	}
	const headers =
		'Output|N|IDs arrive as|the ID strings MB|input beyond them MB|while sending MB (× the IDs)|bytes/ID while sending|its outputs MB (×)|both (bound) MB (×)|output items|node s|samples';
	const markdown = [
		`# \`npm run bench:heap\`, ${m.date.slice(0, 10)}`,
		'',
		`${machineLine(m, Math.round((Date.now() - started) / 1000))} Read in [docs/big-cleanups.md](../../docs/big-cleanups.md).`,
		'',
		"The node's own live heap (SOLAPI, 33-character IDs, Concurrency 2, every request answered deleted without HTTP; bench/heap.ts)",
		'',
		table(headers.split('|'), rows),
	].join('\n');
	writeResults('heap', false, markdown);
}

const [argument] = process.argv.slice(2);
const done = (message: unknown) =>
	process.send ? process.send(message, () => process.exit(0)) : console.log(message);
if (argument === undefined)
	main().catch((error: Error) => (process.stderr.write(`${error.stack}\n`), process.exit(1)));
else
	measure(JSON.parse(argument) as Case).then(done, (error: Error) =>
		done({ error: error.stack ?? error.message }),
	);
