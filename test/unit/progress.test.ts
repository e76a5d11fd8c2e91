import type { IExecuteFunctions } from 'n8n-workflow';

import { progressLogger } from '../../nodes/BatchDelete/progress';

/** How often docs/big-cleanups.md says a long run logs its progress. */
const PROGRESS_EVERY_MS = 10_000;

describe('progress lines', () => {
	it(`logs at most every ${PROGRESS_EVERY_MS / 1000} s: done of total, by status, requests, rate, time left`, () => {
		const lines: Array<[string, unknown]> = [];
		const ctx = {
			logger: { info: (message: string, meta: unknown) => lines.push([message, meta]) },
			getNode: () => ({ name: 'Nightly cleanup' }),
		} as unknown as IExecuteFunctions;
		let now = 1_000_000;
		const log = progressLogger(
			ctx,
			'messages',
			'Avaya Spaces',
			() => 100_000,
			() => now,
		);
		now += 5_000;
		log({ settled: 10_000, byStatus: { deleted: 10_000 }, requests: 100 });
		expect(lines).toHaveLength(0);
		now += 5_000;
		log({ settled: 20_000, byStatus: { deleted: 19_990, forbidden: 10 }, requests: 200 });
		expect(lines).toHaveLength(1);
		expect(lines[0][0]).toBe(
			'Batch Delete "Nightly cleanup": 20,000 of 100,000 (20%) Avaya Spaces messages done (19,990 deleted, 10 forbidden); 200 requests, 2,000 IDs/s, about 40 s left',
		);
		expect(lines[0][1]).toMatchObject({ settled: 20_000, total: 100_000, requests: 200 });
		now += 9_999;
		log({ settled: 30_000, byStatus: { deleted: 30_000 }, requests: 300 });
		expect(lines).toHaveLength(1);
		now += 1;
		log({ settled: 30_000, byStatus: { deleted: 30_000 }, requests: 300 });
		expect(lines).toHaveLength(2);
	});

	it('says no total or time left when the total is not known (By Filter)', () => {
		const lines: string[] = [];
		const ctx = {
			logger: { info: (message: string) => lines.push(message) },
			getNode: () => ({ name: 'BD' }),
		} as unknown as IExecuteFunctions;
		let now = 0;
		const log = progressLogger(
			ctx,
			'SMS templates',
			'Huawei Cloud SMS',
			() => undefined,
			() => now,
		);
		now = PROGRESS_EVERY_MS;
		log({ settled: 500, byStatus: { deleted: 500 }, requests: 10 });
		expect(lines).toEqual([
			'Batch Delete "BD": 500 Huawei Cloud SMS SMS templates done (500 deleted); 10 requests, 50 IDs/s',
		]);
	});
});
