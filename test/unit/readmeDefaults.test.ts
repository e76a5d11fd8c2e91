import { fixedConcurrency } from '../../nodes/BatchDelete/engine/concurrency';
import { PROVIDERS, providerById } from '../../nodes/BatchDelete/providers';
import { readSettings } from '../../nodes/BatchDelete/settings';

/** The README's Options table, value by value: what each option is when the user leaves it out
 * (docs/claims.md lists the claims and the tests that hold them). */

const provider = (id: string) => providerById(id)!;

describe("the README's option defaults", () => {
	it('Batch Size is the provider maximum: Avaya 100, Huawei Cloud 50, Quectel 100, SOLAPI 1,000, WeChat 1', () => {
		const sizes = Object.fromEntries(
			PROVIDERS.map((p) => [p.id, [readSettings(p, {}).batchSize, p.maxBatchSize]]),
		);
		expect(sizes).toEqual({
			avayaSpaces: [100, 100],
			huaweiCloudSms: [50, 50],
			quectel: [100, 100],
			solapi: [1000, 1000],
			weChatOfficialAccount: [1, 1],
		});
		for (const p of PROVIDERS)
			expect(() => readSettings(p, { batchSize: p.maxBatchSize + 1 })).toThrow(
				`Batch Size must be at most ${p.maxBatchSize} for ${p.displayName}`,
			);
	});

	it('Concurrency is Auto for SOLAPI and Huawei Cloud SMS, 2 for Avaya Spaces, 1 for Quectel and WeChat; at most 32', () => {
		const concurrency = Object.fromEntries(
			PROVIDERS.map((p) => [p.id, readSettings(p, {}).concurrency]),
		);
		expect(concurrency).toEqual({
			avayaSpaces: 2,
			huaweiCloudSms: 'auto',
			quectel: 1,
			solapi: 'auto',
			weChatOfficialAccount: 1,
		});
		expect(readSettings(provider('avayaSpaces'), { concurrency: 32 }).concurrency).toBe(32);
		expect(() => readSettings(provider('avayaSpaces'), { concurrency: 33 })).toThrow(
			'Concurrency must be at most 32',
		);
	});

	it('Max Requests per Second is 1 for Avaya Spaces and WeChat, none (0) for the others', () => {
		const rps = Object.fromEntries(
			PROVIDERS.map((p) => [p.id, readSettings(p, {}).requestsPerSecond]),
		);
		expect(rps).toEqual({
			avayaSpaces: 1,
			huaweiCloudSms: 0,
			quectel: 0,
			solapi: 0,
			weChatOfficialAccount: 1,
		});
	});

	it.each(PROVIDERS.map((p) => [p.id, p]))(
		'%s: Max Retries 3, Retry Delay 1000 ms, Timeout 30000 ms, Treat Not Found as Deleted and Deduplicate on, Dry Run off, Output Each ID',
		(_id, p) => {
			const s = readSettings(p, {});
			expect(s.retry).toMatchObject({ maxRetries: 3, baseDelayMs: 1000 });
			expect(s.timeoutMs).toBe(30_000);
			expect(s.treatNotFoundAsDeleted).toBe(true);
			expect(s.dedupe).toBe(true);
			expect(s.dryRun).toBe(false);
			expect(s.output).toBe('eachId');
			// "One run spends at most 200 extra requests on splitting."
			expect(s.maxSplitRequests).toBe(200);
		},
	);

	it('Max IDs per Run is 100,000 with Each ID and 1,000,000 with the summary outputs, at most 1,000,000', () => {
		const p = provider('solapi');
		expect(readSettings(p, {}).maxIds).toBe(100_000);
		expect(readSettings(p, { output: 'eachId' }).maxIds).toBe(100_000);
		expect(readSettings(p, { output: 'failuresAndSummary' }).maxIds).toBe(1_000_000);
		expect(readSettings(p, { output: 'summaryOnly' }).maxIds).toBe(1_000_000);
		expect(readSettings(p, { output: 'summaryOnly', maxIds: 1_000_000 }).maxIds).toBe(1_000_000);
		expect(() => readSettings(p, { maxIds: 1_000_001 })).toThrow(
			'Max IDs per Run must be at most 1000000',
		);
	});
});

describe('a Concurrency number is a ceiling', () => {
	it('sends fewer at once when the provider throttles, and never more than the number', async () => {
		let t = 1000;
		const control = fixedConcurrency(8, { now: () => t });
		for (let i = 0; i < 8; i++) await control.acquire();
		t += 100;
		control.release('throttled', 100);
		expect(control.limit).toBe(Math.floor(8 * 0.7));
		for (let i = 0; i < 7; i++) control.release('ok', 100);
		// Plenty of clean answers later, it climbs back, but never past the number set.
		for (let i = 0; i < 500; i++) {
			t += 10;
			await control.acquire();
			control.release('ok', 10);
		}
		expect(control.limit).toBeLessThanOrEqual(8);
	});
});
