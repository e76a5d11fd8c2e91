import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/** The summary's failures list, as the README's Output table states it (the first 100). */
const SUMMARY_MAX_FAILURES = 100;
import { providerById } from '../../nodes/BatchDelete/providers';
import type { FilterEnv } from '../support/byFilterEnvs';
import { FILTER_ENVS } from '../support/byFilterEnvs';
import { runBatchDelete } from '../support/runBatchDelete';
import type { ProviderEnv } from './providers';
import { ADAPTERS, checkInvariant, runOn } from './providers';

/**
 * Output = Failures and Summary / Summary Only, against every provider's mock: the counts add up
 * to the distinct IDs in, every failure is accounted for (as an item, or listed and counted),
 * and nothing is counted `deleted` that the mock did not delete. Each ID stays as it was.
 */

const summaryOf = (items: INodeExecutionData[]) => {
	expect(items).toHaveLength(1);
	return items[0].json as IDataObject & {
		total: number;
		succeeded: number;
		failed: number;
		byStatus: Record<string, number>;
	};
};

describe.each(ADAPTERS.map((a): [string, (typeof ADAPTERS)[number]] => [a.name, a]))(
	'%s: output modes',
	(_name, adapter) => {
		let env: ProviderEnv;
		beforeEach(async () => {
			env = await adapter.start();
		});
		afterEach(async () => await env.close());

		/** 30 IDs: most exist, some are gone already, some sit in batches the provider rejects. */
		const scenario = () => {
			const ok = env.seed(24);
			const gone = env.missing(3);
			const bad = env.seed(3);
			// WeChat takes one ID a call: its "batch" is the one message.
			env.rejectBatchesHolding(bad);
			const ids = [...ok, ...gone, ...bad];
			const perItem = providerById(adapter.id)!.maxBatchSize === 1 ? 1 : 10;
			return { ok, gone, bad, ids, items: env.items(ids, perItem) };
		};
		/** What lands on Failure: the rejected batches, and the missing IDs where the provider never
		 * says "not found" (see `missingRejected`). */
		const failing = (bad: string[], gone: string[]) =>
			[...bad, ...(env.missingRejected === true ? gone : [])].map((id) => env.keyOf(id));
		const deletedByMock = (ids: string[]) => ids.filter((id) => env.removed(env.keyOf(id))).length;

		it('Each ID: one item per ID, the invariant against the mock', async () => {
			const { ids, items } = scenario();
			const result = await runOn(env, {
				items,
				idsByItem: [ids],
				options: { output: 'eachId', batchSize: 3 },
			});
			expect(result.success.length + result.failure.length).toBe(ids.length);
			checkInvariant(
				env,
				result,
				items.map((item) => ([] as unknown[]).concat(item[env.idField] ?? []).map(String)),
			);
		});

		it('Failures and Summary: one summary on Success, one item per failed ID on Failure, counts that add up', async () => {
			const { ids, items, bad, gone } = scenario();
			const result = await runOn(env, {
				items,
				idsByItem: [ids],
				options: { output: 'failuresAndSummary', batchSize: 3 },
			});
			expect(result.error).toBeUndefined();
			const summary = summaryOf(result.success);
			expect(summary.total).toBe(ids.length);
			expect(summary.succeeded + summary.failed).toBe(summary.total);
			expect(Object.values(summary.byStatus).reduce((a, b) => a + b, 0)).toBe(summary.total);
			expect(summary.byStatus.deleted ?? 0).toBe(deletedByMock(ids));
			expect(result.failure).toHaveLength(summary.failed);
			expect(result.failure.map((i) => env.outputKey(i.json)).sort()).toEqual(
				failing(bad, gone).sort(),
			);
			// The rejected batches are still there (an ID that never existed is "gone" to the mock).
			for (const id of bad) expect(env.isGone(env.keyOf(id))).toBe(false);
			expect(summary).toMatchObject({
				provider: adapter.id,
				stop: null,
				splitRequests: expect.any(Number),
				requests: expect.any(Number),
				batches: expect.any(Number),
			});
			expect(String(summary.summary)).toMatch(
				new RegExp(`of ${ids.length} .* gone .*; ${summary.failed} NOT deleted`),
			);
			expect(result.success[0].pairedItem).toEqual({ item: 0 });
		});

		it('Summary Only: one item, on Failure when anything failed, listing the failures; on Success when nothing did', async () => {
			const { ids, items, bad, gone } = scenario();
			const result = await runOn(env, {
				items,
				idsByItem: [ids],
				options: { output: 'summaryOnly', batchSize: 3 },
			});
			expect(result.success).toHaveLength(0);
			const summary = summaryOf(result.failure);
			expect(summary.total).toBe(ids.length);
			expect(summary.byStatus.deleted ?? 0).toBe(deletedByMock(ids));
			const failures = summary.failures as IDataObject[];
			expect(failures.map((f) => env.outputKey(f)).sort()).toEqual(failing(bad, gone).sort());
			expect(summary.failuresOmitted).toBe(0);
			for (const f of failures)
				expect(Object.keys(f).sort()).toEqual(['code', 'id', 'message', 'status']);

			const clean = env.seed(5);
			const second = await runOn(env, {
				items: env.items(clean, 1),
				idsByItem: clean.map((id) => [id]),
				options: { output: 'summaryOnly' },
			});
			expect(second.failure).toHaveLength(0);
			expect(summaryOf(second.success)).toMatchObject({
				total: 5,
				failed: 0,
				failures: [],
				failuresOmitted: 0,
			});
			expect(clean.every((id) => env.removed(env.keyOf(id)))).toBe(true);
		});
	},
);

describe('Summary Only caps the failures it lists', () => {
	it(`lists ${SUMMARY_MAX_FAILURES} and counts the rest`, async () => {
		const env = await ADAPTERS.find((a) => a.id === 'avayaSpaces')!.start();
		try {
			const missing = env.missing(SUMMARY_MAX_FAILURES + 30);
			const result = await runOn(env, {
				items: env.items(missing, 50),
				idsByItem: [missing],
				options: { output: 'summaryOnly', treatNotFoundAsDeleted: false },
			});
			const summary = summaryOf(result.failure);
			expect(summary).toMatchObject({
				total: missing.length,
				failed: missing.length,
				failuresOmitted: 30,
				byStatus: { notFound: missing.length },
			});
			expect(summary.failures).toHaveLength(SUMMARY_MAX_FAILURES);
		} finally {
			await env.close();
		}
	});
});

describe('Summary Only counts an input item that names no ID as a failure', () => {
	it('one item still, listing the item with its reason', async () => {
		const env = await ADAPTERS.find((a) => a.id === 'solapi')!.start();
		try {
			const ids = env.seed(4);
			const result = await runOn(env, {
				items: [...env.items(ids, 4), { note: 'no id here' }],
				idsByItem: [ids],
				options: { output: 'summaryOnly' },
				continueOnFail: true,
			});
			expect(result.success).toHaveLength(0);
			const summary = summaryOf(result.failure);
			expect(summary).toMatchObject({
				total: 5,
				succeeded: 4,
				failed: 1,
				byStatus: { deleted: 4, invalid: 1 },
			});
			expect(summary.failures).toEqual([
				{
					id: null,
					status: 'invalid',
					code: 'NO_ID',
					message: expect.stringMatching(/^Item 1 has no ID/),
				},
			]);
		} finally {
			await env.close();
		}
	});
});

describe.each(FILTER_ENVS)('By Filter with a summary: $id', ({ start }) => {
	let env: FilterEnv;
	beforeEach(async () => {
		env = await start();
	});
	afterEach(async () => await env.close());

	it('Failures and Summary counts what the list matched and the mock deleted', async () => {
		const matches = env.seed(env.pageSize + 5, { match: true, old: true });
		const keep = env.seed(7, { match: false, old: true });
		const result = await runBatchDelete({
			parameters: env.parameters(0, { filterLimit: 100_000 }, { output: 'failuresAndSummary' }),
			credentials: env.credentials(),
			items: [{ trigger: 'schedule' }],
		});
		expect(result.error).toBeUndefined();
		expect(result.failure).toHaveLength(0);
		const summary = summaryOf(result.success);
		expect(summary).toMatchObject({
			total: matches.length,
			failed: 0,
			byStatus: { deleted: matches.length },
		});
		expect(summary.listing).toMatchObject({ matched: matches.length, limitReached: false });
		expect(matches.every((id) => env.removed(id))).toBe(true);
		expect(keep.every((id) => env.exists(id))).toBe(true);
	});
});
