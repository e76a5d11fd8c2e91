/**
 * The node's own cost. 100,000 IDs against a mock with no latency (in its own process), through
 * the real node inside n8n-core's engine, once to warm up, once timed, once under V8's sampling
 * profiler; the profile splits the time between the node's code (with the builtins it calls:
 * JSON.parse, Map, string splitting), n8n's helpers and engine, the HTTP client, Node's socket
 * internals, the garbage collector and idle time (waiting for the mock's answers).
 *
 * Peak memory for 1,000,000 IDs is measured in a process of its own (bench/memory.ts), started
 * with --expose-gc.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { Category } from './profile';
import { attribute, profiled } from './profile';
import type { MockProcess } from './lib';
import { batchLimit, log, round, runOurs } from './lib';
import type { InputShape, MemoryResult } from './memory';
import type { OutputMode } from '../nodes/BatchDelete/engine/outputs';

export interface OverheadResult {
	provider: string;
	ids: number;
	requests: number;
	concurrency: number;
	/** The node's execution time (n8n's run data), not profiled. */
	executionMs: number;
	executionUsPerId: number;
	/** Sampled CPU time in the node's own code (and the builtins it calls), per ID. */
	nodeCodeUsPerId: number;
	/** Sampled time whose stack holds the node's code anywhere (its code and what it calls synchronously). */
	underNodeUsPerId: number;
	/** Profiled run: milliseconds by where the time went. */
	profileMs: Record<Category, number>;
	profiledExecutionMs: number;
	/** The node's costliest functions, self time. */
	topNodeFunctions: Array<{ fn: string; ms: number }>;
}

export async function overhead(
	mocks: MockProcess,
	provider: string,
	ids: number,
	concurrency: number,
): Promise<OverheadResult> {
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
	};
	// Warm-up on a tenth: the request path and the node's code compiled before anything is timed.
	await runOurs(mock, mock.items(await mock.realistic(Math.ceil(ids / 10))), options);
	const timed = await runOurs(mock, mock.items(await mock.realistic(ids)), options);
	const items = mock.items(await mock.realistic(ids));
	const { result, profile, window } = await profiled(
		async () => await runOurs(mock, items, options),
	);
	await mock.close();
	const split = attribute(profile, window);
	const perId = (ms: number) => round((ms * 1000) / ids, 2);
	const out: OverheadResult = {
		provider,
		ids,
		requests: timed.requests,
		concurrency,
		executionMs: timed.nodeMs,
		executionUsPerId: perId(timed.nodeMs),
		nodeCodeUsPerId: perId(split.ms.node),
		underNodeUsPerId: perId(split.underNodeMs),
		profileMs: Object.fromEntries(
			Object.entries(split.ms).map(([k, v]) => [k, round(v, 1)]),
		) as Record<Category, number>,
		profiledExecutionMs: result.nodeMs,
		topNodeFunctions: split.topNode.map((f) => ({ fn: f.fn, ms: round(f.ms, 1) })),
	};
	log(
		`${provider}: node code ${out.nodeCodeUsPerId} µs/ID; execution ${out.executionMs} ms for ${ids} IDs (${out.executionUsPerId} µs/ID)`,
	);
	return out;
}

/** bench/memory.ts in a process of its own (it needs --expose-gc and a clean heap). */
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
