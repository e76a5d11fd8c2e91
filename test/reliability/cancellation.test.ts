import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDeleteCancellable } from '../support/runBatchDelete';
import type { ProviderAdapter, ProviderEnv } from './providers';
import { ADAPTERS, byKey, checkInvariant } from './providers';

/**
 * Cancelling the execution (n8n's Stop button: the engine's PCancelable, which aborts the
 * execution's signal) mid-run: no new request goes out, the node returns promptly, what was
 * confirmed is on Success and everything else is `unknown` (in flight) or `notAttempted`.
 */

const TARGETS = 24;
const LATENCY = 120;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
		await sleep(5);
	}
}

function start(env: ProviderEnv, ids: string[], options = {}) {
	const items = env.items(ids, 1);
	return runBatchDeleteCancellable({
		parameters: env.parameters({ batchSize: 1, concurrency: 2, ...options }, {}),
		items,
		credentials: env.credentials(),
	});
}

function expectReported(env: ProviderEnv, result: BatchDeleteRun, ids: string[]) {
	// One item per ID; Success only for what the mock removed; the rest unknown or notAttempted.
	checkInvariant(
		env,
		result,
		ids.map((id) => [id]),
	);
	const outputs = byKey(env, result);
	for (const id of ids) {
		const json = outputs.get(env.keyOf(id))!;
		if (json.status === 'deleted' || json.status === 'alreadyGone') continue;
		expect(['unknown', 'notAttempted']).toContain(json.status);
		if (json.status === 'notAttempted') expect(env.removed(env.keyOf(id))).toBe(false);
	}
}

describe.each(ADAPTERS.map((a): [string, ProviderAdapter] => [a.name, a]))(
	'%s: cancellation',
	(_name, adapter) => {
		it('stops sending at once and reports what was confirmed', async () => {
			const env = await adapter.start();
			try {
				const ids = env.seed(TARGETS);
				env.mock.latencyMs = LATENCY;
				const running = start(env, ids);
				await until(() => env.mock.requestsTo(env.deletePath).length >= 4);
				const cancelledAt = Date.now();
				running.cancel();
				const result = await running.result;

				expect(result.run.status).toBe('canceled');
				// In-flight requests are aborted, not waited for: their IDs end `unknown` with CANCELLED
				// (asserted below), which is what shows it, not a wall-clock bound a loaded machine can miss.
				// Nothing new went out after the cancel: a request that lands after it was already on its
				// way (at most Concurrency 2 of them, however loaded the machine), and its ID ends `unknown`.
				await sleep(LATENCY + 100);
				const late = env.mock.requestsTo(env.deletePath).filter((r) => r.receivedAt > cancelledAt);
				expect(late.length).toBeLessThanOrEqual(2);
				const lateStatuses = late
					.flatMap((r) => env.idsOf(r))
					.map((id) => byKey(env, result).get(env.keyOf(id))?.status);
				expect(lateStatuses.filter((status) => status !== 'unknown')).toEqual([]);
				expect(env.mock.requestsTo(env.deletePath).length).toBeLessThan(TARGETS);

				expect(result.success.length + result.failure.length).toBe(TARGETS);
				expectReported(env, result, ids);
				const statuses = new Set([...result.success, ...result.failure].map((i) => i.json.status));
				expect(statuses.has('notAttempted')).toBe(true);
				// The requests in flight when the run was cancelled: n8n aborted them, their fate is unknown.
				const inFlight = result.failure.filter((i) => i.json.status === 'unknown');
				expect(inFlight.length).toBeGreaterThan(0);
				for (const item of inFlight) {
					expect(item.json).toMatchObject({
						code: 'CANCELLED',
						message:
							'The execution was cancelled while this request was in flight, so whether it was applied is unknown',
						attempts: 1,
					});
				}
				const cancelled = result.failure.find((i) => i.json.status === 'notAttempted');
				expect(cancelled?.json).toMatchObject({
					code: 'CANCELLED',
					message: 'The execution was cancelled before this ID was sent',
				});
			} finally {
				env.mock.latencyMs = 0;
				await env.close();
			}
		});

		it('wakes from a long Retry-After wait when cancelled', async () => {
			const env = await adapter.start();
			try {
				const ids = env.seed(3);
				env.mock.inject({
					kind: 'reply',
					status: 429,
					body: { message: 'slow down' },
					headers: { 'retry-after': '30' },
					path: env.deletePath,
				});
				const running = start(env, ids, { concurrency: 1 });
				await until(() => env.mock.requestsTo(env.deletePath).length >= 1);
				await sleep(100);
				const cancelledAt = Date.now();
				running.cancel();
				const result = await running.result;
				// Woken, not waiting the 30 s Retry-After out (a bound far from both, so load cannot flip it).
				expect(Date.now() - cancelledAt).toBeLessThan(10_000);
				expect(env.mock.requestsTo(env.deletePath)).toHaveLength(1);
				expectReported(env, result, ids);
				expect(result.failure.map((i) => i.json.status)).toEqual([
					'notAttempted',
					'notAttempted',
					'notAttempted',
				]);
			} finally {
				env.mock.clearFaults();
				await env.close();
			}
		});
	},
);
