/**
 * Peak memory of the Batch Delete node for many IDs, in a process of its own started with
 * --expose-gc (`memory()` below starts it): a real run inside n8n-core's engine against the
 * provider's mock with no latency, the mock in yet another process so its copy of the IDs is not
 * counted. One Output mode (Each ID, Failures and Summary, Summary Only) and one input shape a run:
 * an item per ID, one item holding the list, or one item holding the IDs as a newline-separated
 * string (the ID Field `ids` for the last two).
 *
 * Heap figures are live heap after a full garbage collection:
 * - the IDs themselves: the ID strings and the array holding them;
 * - at the node's start (input items and everything before it), every 250 ms while it waits for the
 *   provider (the node's own structures), and when it returns (its output items);
 * The node's synchronous stretches (reading 1,000,000 items, building 1,000,000 output items) cannot
 * be sampled from inside the process, so the peak is also bounded from above: what it holds while
 * waiting plus what it returns, as if both were alive at once. The process's peak RSS is reported too.
 */
import '../test/setup/env';

import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import type { OutputMode } from '../nodes/BatchDelete/engine/outputs';

import { shutdownHarness } from '../test/harness';
import { runNode } from '../test/harness';
import { BatchDelete, MockProcess, batchLimit, credentialTypes, realisticId, round } from './lib';

/** How the IDs reach the node: an item per ID, one item with a list, one item with a newline-separated string. */
export type InputShape = 'items' | 'list' | 'string';
export const INPUT_SHAPES: InputShape[] = ['items', 'list', 'string'];

export interface MemoryResult {
	provider: string;
	output: OutputMode;
	shape: InputShape;
	ids: number;
	/** Items on Success and Failure. */
	outputItems: number;
	requests: number;
	concurrency: number;
	/** Average ID length in characters. */
	idLength: number;
	/** The ID strings and the array holding them, live heap. */
	idsMB: number;
	/** The input items (for the shape), the ID strings not counted again (the string shape's one string is). */
	itemsMB: number;
	/** Live heap the node added, sampled while it waited for the provider. */
	whileSendingMB: number;
	/** Live heap its output items hold when it returns. */
	outputsMB: number;
	/** Upper bound on the node's peak: its structures while sending plus its outputs. */
	peakBoundMB: number;
	/** Sampled peak over the whole execution in n8n's engine (input copies, run data) above the heap before it. */
	executionPeakMB: number;
	/** `peakBoundMB` over `idsMB`. */
	peakOverIds: number;
	whileSendingOverIds: number;
	outputsOverIds: number;
	maxRssMB: number;
	executionMs: number;
	samples: number;
}

const MB = 2 ** 20;
/** Each sample is a full garbage collection of a heap of a gigabyte or more: not too often. */
const SAMPLE_MS = 250;
const gc = (globalThis as { gc?: () => void }).gc;

function live(): number {
	gc!();
	return process.memoryUsage().heapUsed;
}

function inputItems(shape: InputShape, list: string[], idField: string): INodeExecutionData[] {
	if (shape === 'list') return [{ json: { ids: list } }];
	if (shape === 'string') return [{ json: { ids: list.join('\n') } }];
	return list.map((id) => ({ json: { [idField]: id } }));
}

async function measure(
	provider: string,
	ids: number,
	concurrency: number,
	output: OutputMode = 'eachId',
	shape: InputShape = 'items',
): Promise<MemoryResult> {
	if (gc === undefined) throw new Error('start with --expose-gc');
	const mocks = await MockProcess.start();
	try {
		const mock = await mocks.mock(provider);
		await mock.latency(0);
		const batch = batchLimit(provider);
		const options = {
			batchSize: batch,
			concurrency,
			requestsPerSecond: 0,
			maxIds: 1_000_000,
			retryDelay: 1000,
			timeout: 30_000,
			output,
		};
		const { parameters, credentials } = await mock.config(options);
		if (shape !== 'items') parameters.idField = 'ids';
		const types = credentialTypes();

		// A small run first: modules loaded and compiled before anything is measured.
		await runNode({
			node: BatchDelete,
			parameters,
			credentialTypes: types,
			credentials,
			items: inputItems(shape, await mock.seed(batch * 2), mock.idField),
		});

		// IDs shaped like the provider's real ones (see realisticId), made here as flat strings
		// (JSON.parse), measured, then held by the mock.
		let source: string | undefined = JSON.stringify(
			Array.from({ length: ids }, (_, i) => realisticId(provider, i)),
		);
		const beforeIds = live();
		const list = JSON.parse(source) as string[];
		const idsBytes = live() - beforeIds;
		source = undefined;
		const idLength = list.reduce((sum, id) => sum + id.length, 0) / ids;
		await mock.hold(list);
		const beforeItems = live();
		const items = inputItems(shape, list, mock.idField);
		const itemsBytes = live() - beforeItems;

		const real = new BatchDelete();
		let atEntry = 0;
		let peakWhileSending = 0;
		let atReturn = 0;
		let inNode = false;
		let samples = 0;
		let executionPeak = 0;
		const measured: INodeType = {
			description: real.description,
			async execute(this: IExecuteFunctions) {
				atEntry = live();
				inNode = true;
				try {
					const out = await real.execute.call(this);
					inNode = false;
					// Its output items alive, its working structures gone.
					atReturn = live();
					return out;
				} finally {
					inNode = false;
				}
			},
		};
		// Every sample is a full collection; the next one waits at least twice as long as this one
		// took, so collecting never takes more than a third of the run.
		let sampler: NodeJS.Timeout | undefined;
		const sample = () => {
			const t = performance.now();
			const now = live();
			samples++;
			executionPeak = Math.max(executionPeak, now);
			if (inNode) peakWhileSending = Math.max(peakWhileSending, now);
			sampler = setTimeout(sample, Math.max(SAMPLE_MS, 2 * (performance.now() - t)));
		};
		await mock.counts();
		const beforeRun = live();
		sampler = setTimeout(sample, SAMPLE_MS);
		const result = await runNode({
			node: measured,
			parameters,
			credentialTypes: types,
			credentials,
			items,
		});
		clearTimeout(sampler);
		if (result.error !== undefined) throw result.error;
		const [success = [], failure = []] = result.outputs;
		const counts = await mock.counts();
		// Each ID: an item per ID; the summary modes: the summary's total.
		const accounted =
			output === 'eachId'
				? success.length + failure.length
				: Number([...success, ...failure].find((i) => i.json.summary !== undefined)?.json.total);
		if (accounted !== ids) throw new Error(`expected ${ids} IDs in the outputs, got ${accounted}`);

		// Both against the heap at the node's start, which already held its input (n8n's copy of the items).
		const whileSending = Math.max(0, peakWhileSending - atEntry);
		const outputs = Math.max(0, atReturn - atEntry);
		const mb = (bytes: number) => round(bytes / MB, 1);
		return {
			provider,
			output,
			shape,
			ids,
			outputItems: success.length + failure.length,
			requests: counts.deletes,
			concurrency,
			idLength: round(idLength, 1),
			idsMB: mb(idsBytes),
			itemsMB: mb(itemsBytes),
			whileSendingMB: mb(whileSending),
			outputsMB: mb(outputs),
			peakBoundMB: mb(whileSending + outputs),
			executionPeakMB: mb(Math.max(0, executionPeak - beforeRun)),
			peakOverIds: round((whileSending + outputs) / idsBytes, 1),
			whileSendingOverIds: round(whileSending / idsBytes, 1),
			outputsOverIds: round(outputs / idsBytes, 1),
			maxRssMB: round(process.resourceUsage().maxRSS / 1024, 0),
			executionMs: result.taskData?.executionTime ?? NaN,
			samples,
		};
	} finally {
		mocks.stop();
		shutdownHarness();
	}
}

/** This file in a process of its own (it needs --expose-gc and a clean heap). */
export async function memory(
	provider: string,
	ids: number,
	concurrency: number,
	output: OutputMode = 'eachId',
	shape: InputShape = 'items',
): Promise<MemoryResult> {
	const child = fork(
		join(__dirname, 'memory.ts'),
		[provider, String(ids), String(concurrency), output, shape],
		{
			execArgv: ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx'],
			serialization: 'advanced',
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		},
	);
	return await new Promise<MemoryResult>((resolve, reject) => {
		child.once('message', (message: MemoryResult | { error: string }) => {
			if ('error' in message) reject(new Error(message.error));
			else resolve(message);
		});
		child.once('exit', (code) =>
			reject(new Error(`the memory run exited (${code}) without a result`)),
		);
	});
}

if (require.main === module) {
	const [
		provider = 'solapi',
		ids = '1000000',
		concurrency = '2',
		output = 'eachId',
		shape = 'items',
	] = process.argv.slice(2);
	measure(
		provider,
		Number(ids),
		Number(concurrency),
		output as OutputMode,
		shape as InputShape,
	).then(
		(result) => {
			if (process.send) process.send(result, () => process.exit(0));
			else {
				process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
				process.exit(0);
			}
		},
		(error: Error) => {
			if (process.send)
				process.send({ error: error.stack ?? error.message }, () => process.exit(1));
			else {
				process.stderr.write(`${error.stack ?? error.message}\n`);
				process.exit(1);
			}
		},
	);
}
