/**
 * Each provider against its mock with a fixed per-request latency: N IDs through the real node
 * (inside n8n-core's engine, the test harness) with batch size B = the provider's limit and
 * concurrency C, the mock in a process of its own. Figures: delete requests, the node's execution
 * time as n8n records it, IDs a second, and the ratio to the lower bound ceil(ceil(N / B) / C) × latency.
 */
import { PROVIDERS } from '../nodes/BatchDelete/providers';
import type { MockProcess } from './lib';
import { batchLimit, log, lowerBoundMs, round, runOurs } from './lib';

export interface SweepRow {
	provider: string;
	ids: number;
	batch: number;
	concurrency: number;
	latencyMs: number;
	requests: number;
	expectedRequests: number;
	/** Logins and token fetches (Quectel, WeChat, Huawei IAM), not counted in `requests`. */
	authRequests: number;
	wallMs: number;
	idsPerSecond: number;
	lowerBoundMs: number;
	ratio: number;
	/** Every ID ended `deleted`. */
	allDeleted: boolean;
}

export interface ZeroLatencyRow {
	provider: string;
	ids: number;
	requests: number;
	/** The same run with no latency at all: n8n's request path, the node and the mock's answers. */
	wallMs: number;
	/** wallMs ÷ requests: with C requests in flight in one JavaScript thread, their CPU adds up, so
	 * each round of C requests takes about latency + C × this. */
	msPerRequest: number;
}

/** Every registered provider: a new one is swept without an edit here. */
export const PROVIDER_IDS = PROVIDERS.map((p) => p.id);

export async function sweep(
	mocks: MockProcess,
	settings: {
		latencyMs: number;
		concurrency: number;
		sizes: number[];
		weChatSizes: number[];
		longerLatencies: number[];
	},
): Promise<{ rows: SweepRow[]; zeroLatency: ZeroLatencyRow[]; longerLatency: SweepRow[] }> {
	const rows: SweepRow[] = [];
	const zeroLatency: ZeroLatencyRow[] = [];
	const longerLatency: SweepRow[] = [];
	for (const provider of PROVIDER_IDS) {
		const mock = await mocks.mock(provider);
		const batch = batchLimit(provider);
		const C = settings.concurrency;
		const options = {
			batchSize: batch,
			concurrency: C,
			requestsPerSecond: 0,
			maxIds: 1_000_000,
			retryDelay: 1000,
			timeout: 30_000,
		};
		// n8n is a long-running process: one small run first, so module loading and the first
		// compilation of the request path are not counted.
		await mock.latency(0);
		await runOurs(mock, mock.items(await mock.realistic(batch * 4)), options);

		const measure = async (ids: number, latencyMs: number): Promise<SweepRow> => {
			await mock.latency(latencyMs);
			const items = mock.items(await mock.realistic(ids));
			const run = await runOurs(mock, items, options);
			const bound = lowerBoundMs(ids, batch, C, latencyMs);
			const row: SweepRow = {
				provider,
				ids,
				batch,
				concurrency: C,
				latencyMs,
				requests: run.requests,
				expectedRequests: Math.ceil(ids / batch),
				authRequests: run.authRequests,
				wallMs: run.nodeMs,
				idsPerSecond: Math.round(ids / (run.nodeMs / 1000)),
				lowerBoundMs: bound,
				ratio: round(run.nodeMs / bound, 3),
				allDeleted: run.statuses.deleted === ids,
			};
			log(
				`${provider} N=${ids}, ${latencyMs} ms: ${row.requests} requests, ${row.wallMs} ms, bound ${bound} ms, ${row.ratio}×`,
			);
			return row;
		};
		const sizes = batch === 1 ? settings.weChatSizes : settings.sizes;
		for (const ids of sizes) rows.push(await measure(ids, settings.latencyMs));
		// The gap to the bound is CPU per request, not waiting: it shrinks as the latency grows.
		if (provider === 'avayaSpaces') {
			for (const latencyMs of settings.longerLatencies)
				longerLatency.push(await measure(10_000, latencyMs));
		}
		// The same node and mock with no latency: what the requests cost besides waiting.
		const ids = batch === 1 ? settings.weChatSizes[0] : 10_000;
		await mock.latency(0);
		const run = await runOurs(mock, mock.items(await mock.realistic(ids)), options);
		if (run.statuses.deleted !== ids)
			throw new Error(`${provider}: not every ID was deleted at zero latency`);
		zeroLatency.push({
			provider,
			ids,
			requests: run.requests,
			wallMs: run.nodeMs,
			msPerRequest: round(run.nodeMs / run.requests, 2),
		});
		await mock.close();
	}
	return { rows, zeroLatency, longerLatency };
}
