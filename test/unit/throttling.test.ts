import type { HiddenLimit } from '../support/limits';
import { inFlight, lostIds, SimClock, simulateRun } from '../support/limits';

/** How long docs/outputs.md says the node waits out throttling before an ID ends `error`. */
const THROTTLE_PATIENCE_MS = 5 * 60_000;

/**
 * Throttling never costs an ID: a fixed Concurrency above the provider's hidden limit sends fewer
 * at once when refused, and throttled resends do not spend Max Retries (the node's engine on a
 * simulated clock; see test/support/limits.ts).
 */
describe('throttling never costs an ID', () => {
	it.each([8, 16, 32])(
		'Concurrency %i against a hidden limit of 3 in flight: every ID deleted, once',
		async (concurrency) => {
			const clock = new SimClock();
			const run = await clock.run(
				simulateRun(clock, inFlight(3), {
					requests: 300,
					concurrency,
					latencyMs: 300,
					serviceMs: 150,
				}),
			);
			expect(run.results).toHaveLength(run.ids.length);
			expect(lostIds(run)).toEqual([]);
			// A ceiling, not a target: past the first rounds' refusals it stops hammering.
			expect(run.refused).toBeLessThan(2 * concurrency);
		},
	);

	it('Max Retries 0 still loses nothing to throttling', async () => {
		const clock = new SimClock();
		const run = await clock.run(
			simulateRun(clock, inFlight(3), {
				requests: 100,
				concurrency: 16,
				latencyMs: 300,
				serviceMs: 150,
				maxRetries: 0,
			}),
		);
		expect(lostIds(run)).toEqual([]);
	});

	it(`ends an ID error only after the provider refused it for ${THROTTLE_PATIENCE_MS / 60_000} minutes running`, async () => {
		const closed: HiddenLimit = { admit: () => false, done: () => {} };
		const clock = new SimClock();
		const run = await clock.run(
			simulateRun(clock, closed, { requests: 2, concurrency: 2, latencyMs: 100 }),
		);
		expect(run.results.map((r) => r.status)).toEqual(['error', 'error']);
		expect(run.results[0].message).toMatch(/minutes running/);
		expect(run.ms).toBeGreaterThanOrEqual(THROTTLE_PATIENCE_MS);
		expect(run.ms).toBeLessThan(THROTTLE_PATIENCE_MS + 60_000);
	});
});
