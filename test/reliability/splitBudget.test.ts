import { providerById } from '../../nodes/BatchDelete/providers';
import type { ProviderAdapter } from './providers';
import { ADAPTERS, byKey, checkInvariant, runOn } from './providers';

/**
 * Batch-level rejections are isolated by halving, within a bound: one run spends at most 200
 * extra requests on splitting. Every output item of a split batch says how many extra requests
 * its batch cost (`splitRequests`), the mock's request count matches to the request, and batches
 * the budget cannot cover fail whole with a message that says why.
 */

const BUDGET = 200;
const BATCH = 8;
const BATCHES = 60;

// Every provider that batches: a batch rejected whole can be halved.
const BATCHING = ADAPTERS.filter((a) => providerById(a.id)!.maxBatchSize > 1);

describe.each(BATCHING.map((a): [string, ProviderAdapter] => [a.name, a]))(
	'%s: split budget',
	(_name, adapter) => {
		it(`spends at most ${BUDGET} extra requests, counts every one, and says when it stopped splitting`, async () => {
			const env = await adapter.start();
			try {
				const ids = env.seed(BATCH * BATCHES);
				// One bad ID in every batch: isolating it costs 2 + 2 + 2 = 6 extra requests (8 → 4 → 2 → 1).
				const bad = ids.filter((_, i) => i % BATCH === 3);
				env.rejectBatchesHolding(bad);
				const idsByItem = [ids];
				const result = await runOn(env, {
					items: env.items(ids, ids.length),
					idsByItem,
					options: { batchSize: BATCH, concurrency: 1 },
				});
				expect(result.error).toBeUndefined();
				checkInvariant(env, result, idsByItem);

				const outputs = [...byKey(env, result).values()];
				const perBatch = new Map<number, number>();
				for (const json of outputs)
					if (json.splitRequests !== undefined)
						perBatch.set(json.batch as number, json.splitRequests as number);
				const extra = [...perBatch.values()].reduce((a, b) => a + b, 0);
				expect(extra).toBe(BUDGET);
				// 33 batches fully isolated (33 × 6 = 198), the 34th split once (200), the rest not at all.
				expect(perBatch.size).toBe(34);
				expect([...perBatch.values()].filter((n) => n === 6)).toHaveLength(33);
				expect(env.mock.requestsTo(env.deletePath)).toHaveLength(BATCHES + BUDGET);

				const isolated = ids.slice(0, 33 * BATCH);
				expect(
					outputs.filter((j) => isolated.includes(String(j.id)) && j.status === 'deleted'),
				).toHaveLength(33 * (BATCH - 1));
				expect(
					outputs.filter((j) => isolated.includes(String(j.id)) && j.status === 'rejected'),
				).toHaveLength(33);
				const unsplit = outputs.filter((j) => (j.batch as number) > 34);
				expect(unsplit).toHaveLength((BATCHES - 34) * BATCH);
				for (const json of unsplit) {
					expect(json.status).toBe('rejected');
					expect(json.splitRequests).toBeUndefined();
					expect(json.message).toMatch(
						/not split further: this run already made the most extra requests it may spend on splitting, 200/,
					);
				}
			} finally {
				await env.close();
			}
		});
	},
);
