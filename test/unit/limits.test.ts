import type { HiddenLimit, SimOptions, SimRun } from '../support/limits';
import {
	SHAPES,
	atPhase,
	targetRow,
	fixedWindow,
	inFlight,
	lostIds,
	SimClock,
	simulateRun,
	slidingWindow,
	switching,
	tokenBucket,
	withRetryAfter,
} from '../support/limits';

/**
 * Issue 26's targets as its bench measures them (bench/limits.ts: 10,000 IDs, 100 a request = 100
 * requests, the same SHAPES), and at 300 requests: Auto ≥ 90 % of the speed of the best fixed
 * Concurrency refused ≤ 3 %, Auto itself ≤ 3 % refused. A request takes `travel` plus the server's
 * time: three round trips of 50 ms (quiet), or 230 ms, what bench:limits measured on a loaded
 * machine (Concurrency 3 against 3 in flight: 12.87 s for 100 requests, 386 ms each, 150 of them the
 * server's). Each cell is run in five PHASES: a fixed window refuses 5 or 26 of 100 requests
 * depending on where its boundaries fall against the run's ramp, so a cell counts as met only when
 * it is met in every phase. Why the rate shapes miss: docs/benchmark.md ("Auto under hidden limits").
 */
const TRAVEL = { quiet: 150, loaded: 230 };
/** Where the limit's windows fall against the run (ms); each phase also seeds the requests' latency jitter apart. */
const PHASES = [0, 200, 400, 600, 800];
const SHORT: Record<string, string> = {
	'3 requests in flight, 150 ms each': 'in flight',
	'15 per fixed second, Retry-After: 1': 'fixed RA 1',
	'15 per fixed second, Retry-After: 0': 'fixed RA 0',
	'15 in any second, no Retry-After': 'sliding',
	'token bucket 10/s, bursts of 30': 'bucket',
	'20 in any second, halving to 10 after 3 s': 'halving',
};
// Discovering a rate limit costs about the requests in flight when it is first hit (5–26 here):
// with 3 refusals allowed in 100, only a ramp too slow for the WAN would meet the targets on the
// rate shapes (docs/benchmark.md, "Auto under hidden limits"). What is met in every phase is held.
const MET: Array<[number, keyof typeof TRAVEL, string[]]> = [
	[100, 'quiet', ['in flight']],
	[300, 'quiet', ['in flight']],
	[100, 'loaded', ['in flight']],
	[300, 'loaded', ['in flight']],
];

describe("Auto against issue 26's targets, every shape", () => {
	it.each(MET)(
		'%i requests, %s, five phases: no ID lost by Auto or any fixed Concurrency 1–16; targets met in every phase on %j',
		async (requests, travel, met) => {
			const missed = new Set<string>();
			for (const shape of SHAPES) {
				for (const phase of PHASES) {
					const row = await targetRow(shape, requests, TRAVEL[travel], phase);
					expect([row.shape, phase, row.lost]).toEqual([row.shape, phase, 0]);
					const short = SHORT[row.shape];
					expect([row.shape, short]).toEqual([row.shape, expect.any(String)]);
					if (!row.met) missed.add(short);
				}
			}
			expect(met.filter((shape) => missed.has(shape))).toEqual([]);
		},
	);
});

/**
 * Auto against limits the node is not told about, one shape at a time, through the node's engine
 * (concurrency, learned rate, retries) on a simulated clock: RTT 50 ms, so a request takes about
 * 170 ms with a fresh connection; 300 requests, in each of the PHASES. Asserted in every phase: no
 * ID lost, refusals within what the shape costs today (a guard, not issue 26's 3 %: see above), and
 * convergence (the rate reached in the second half of the run, and the run's speed against the best
 * fixed Concurrency that is refused at most 3 %). `npm run bench:limits` measures the same over HTTPS.
 */

const RTT50 = { latencyMs: 170, serviceMs: 20 };

async function run(limit: HiddenLimit, options: Partial<SimOptions>): Promise<SimRun> {
	const clock = new SimClock();
	return await clock.run(
		simulateRun(clock, limit, { requests: 300, concurrency: 'auto', ...RTT50, ...options }),
	);
}

/** Accepted requests per second over the second half of the run. */
function settledRate(r: SimRun): number {
	const from = r.accepted[Math.floor(r.accepted.length / 2)];
	const to = r.accepted[r.accepted.length - 1];
	return ((r.accepted.length / 2) * 1000) / (to - from);
}

/** The fastest fixed Concurrency refused at most 3 %. */
async function bestFixed(limit: () => HiddenLimit, options: Partial<SimOptions>) {
	let best = Infinity;
	for (const concurrency of [1, 2, 3, 4, 6, 8, 12, 16]) {
		const r = await run(limit(), { ...options, concurrency });
		expect(lostIds(r)).toEqual([]);
		if (r.refused / r.sent <= 0.03) best = Math.min(best, r.ms);
	}
	return best;
}

// [shape, limit, request options, rate it allows (per second) or undefined, most refused share in
// any phase, least share of the best fixed setting's speed]
const shapes: Array<
	[string, () => HiddenLimit, Partial<SimOptions>, number | undefined, number, number?]
> = [
	// 2–8 % by phase: the first window filled costs the requests then in flight.
	['15 per fixed second, Retry-After 1 s', () => fixedWindow(15), RTT50, 15, 0.09],
	['15 per fixed second, Retry-After 0', () => withRetryAfter(fixedWindow(15), 0), RTT50, 15, 0.09],
	['15 in any second, no Retry-After', () => slidingWindow(15), RTT50, 15, 0.04],
	// A bucket refilled while the run holds below its rate lets a burst through, then refuses.
	['a token bucket, 10 a second, bursts of 30', () => tokenBucket(10, 30), RTT50, 10, 0.12],
	[
		'3 in flight, 150 ms server time',
		() => inFlight(3),
		{ latencyMs: 300, serviceMs: 150 },
		undefined,
		0.03,
	],
	[
		'20 in any second, halving to 10 at 10 s',
		() => switching(slidingWindow(20), slidingWindow(10), 10_000),
		RTT50,
		10,
		0.09,
		// Missed in one phase: 0.77 of the best fixed (C = 3, which fits under both halves).
		0.75,
	],
];

describe('Auto under a hidden limit', () => {
	it.each(shapes)(
		'%s, five phases: no ID lost, few refused, settles near the limit, near the best fixed setting',
		async (_name, limit, options, perSecond, refused, share = 0.8) => {
			for (const phase of PHASES) {
				const at = { ...options, seed: 7 + phase };
				const shifted = () => atPhase(limit(), phase);
				const r = await run(shifted(), at);
				expect(r.results).toHaveLength(r.ids.length);
				expect(lostIds(r)).toEqual([]);
				expect(r.refused / r.sent).toBeLessThanOrEqual(refused);
				if (perSecond !== undefined) {
					// Settles near what the limit allows, without exceeding it for long.
					expect(settledRate(r)).toBeGreaterThanOrEqual(0.75 * perSecond);
					expect(settledRate(r)).toBeLessThanOrEqual(1.1 * perSecond);
				}
				const best = await bestFixed(shifted, at);
				expect(best / r.ms).toBeGreaterThanOrEqual(share);
			}
		},
	);

	it('two executions sharing one limit of 20 a second: neither starved, nothing lost', async () => {
		const clock = new SimClock();
		const limit = slidingWindow(20);
		const options: SimOptions = { requests: 300, concurrency: 'auto', ...RTT50 };
		const [a, b] = await clock.run(
			Promise.all([
				simulateRun(clock, limit, options, 'a'),
				simulateRun(clock, limit, { ...options, seed: 11 }, 'b'),
			]),
		);
		expect(lostIds(a)).toEqual([]);
		expect(lostIds(b)).toEqual([]);
		expect((a.refused + b.refused) / (a.sent + b.sent)).toBeLessThanOrEqual(0.05);
		// Together they use most of the limit while both run.
		const both = Math.min(a.ms, b.ms);
		const during = [...a.accepted, ...b.accepted].filter((t) => t <= both).length;
		expect((during * 1000) / both).toBeGreaterThanOrEqual(0.75 * 20);
		// Neither starved: each got at least a quarter of what was accepted while both ran.
		for (const r of [a, b])
			expect(r.accepted.filter((t) => t <= both).length).toBeGreaterThanOrEqual(during / 4);
	});
});
