import type { IHttpRequestOptions } from 'n8n-workflow';

import type { RunSettings, Sender } from '../../nodes/BatchDelete/engine/run';
import type { TargetResult } from '../../nodes/BatchDelete/engine/run';
import type { BatchVerdict, Provider, Target } from '../../nodes/BatchDelete/engine/types';
import type { HiddenLimit, Shape } from '../../bench/limitShapes';
import { runTargets } from './runTargets';

export * from '../../bench/limitShapes';

/**
 * Providers with limits the node is not told about (the shapes are bench/limitShapes.ts', shared
 * with `npm run bench:limits`), on a simulated clock: runs of thousands of requests take
 * milliseconds and give the same answer every time, so tests assert behaviour (refusals, IDs lost,
 * convergence), never wall-clock time.
 */

let seeding = false;

/** Time that moves only when every pending promise has settled and a timer is due. */
export class SimClock {
	private t = 0;
	private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	private seq = 0;
	now = (): number => this.t;
	sleep = async (ms: number): Promise<void> =>
		await new Promise<void>((resolve) => {
			this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
		});
	/**
	 * Advance time until `done` settles. Math.random (the retries' jitter) is seeded meanwhile, so
	 * a simulation gives the same answer every time.
	 */
	async run<T>(done: Promise<T>): Promise<T> {
		// Overlapping runs would restore Math.random in the wrong order and leave it seeded.
		if (seeding) throw new Error('SimClock.run: one simulation at a time');
		seeding = true;
		let finished = false;
		void done.finally(() => (finished = true)).catch(() => {});
		const random = Math.random;
		let seed = 42;
		Math.random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		try {
			for (;;) {
				// Let every promise chain run to its next timer before time moves.
				for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
				if (finished) return await done;
				if (this.timers.length === 0) throw new Error('simulation stalled');
				this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
				const next = this.timers.shift()!;
				this.t = Math.max(this.t, next.at);
				next.resolve();
			}
		} finally {
			Math.random = random;
			seeding = false;
		}
	}
}

function fakeProvider(defaultConcurrency: number): Provider<null> {
	return {
		id: 'fake',
		displayName: 'Fake',
		noun: 'things',
		idName: 'thing ID',
		maxBatchSize: 100,
		defaultBatchSize: 10,
		defaultConcurrency,
		defaultRequestsPerSecond: 0,
		credentials: [{ name: 'fakeApi', value: 'fake', displayName: 'Fake' }],
		properties: [],
		checkId: () => undefined,
		readParameters: () => null,
		buildRequest: (chunk) => ({ url: 'http://fake', body: chunk.map((t) => t.id) }),
		readResponse: (_chunk, result) => result.body as BatchVerdict,
	};
}

export interface SimOptions {
	requests: number;
	concurrency: RunSettings['concurrency'];
	/** One request's time with a fresh connection (about three round trips, as n8n's helpers take). */
	latencyMs: number;
	/** Of that, the time the provider spends serving it (counts against an in-flight limit). */
	serviceMs?: number;
	/** Auto starts from this (the provider's default). */
	initial?: number;
	maxRetries?: number;
	requestsPerSecond?: number;
	seed?: number;
}

export interface SimRun {
	ms: number;
	sent: number;
	refused: number;
	results: TargetResult[];
	ids: string[];
	/** Ends of accepted requests, for rates over time. */
	accepted: number[];
	/** Arrivals of refused requests. */
	refusedAt: number[];
	maxInFlight: number;
}

/**
 * One execution: `requests` requests of one ID each through the node's real engine (runTargets:
 * concurrency, rate, retries), against `limit`. Several may share one clock and one limit.
 */
export async function simulateRun(
	clock: SimClock,
	limit: HiddenLimit,
	options: SimOptions,
	prefix = 'm',
): Promise<SimRun> {
	let random = options.seed ?? 7;
	const rand = () => {
		random = (random * 16807) % 2147483647;
		return random / 2147483647;
	};
	const service = options.serviceMs ?? 0;
	const stats = { sent: 0, refused: 0, inFlight: 0, maxInFlight: 0 };
	const accepted: number[] = [];
	const refusedAt: number[] = [];
	const sender: Sender = {
		canRefresh: false,
		async send(request: IHttpRequestOptions) {
			stats.sent++;
			stats.inFlight++;
			stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
			// Handshakes before the request arrives, then service, then the way back; ±10 % jitter.
			const jitter = 0.9 + rand() * 0.2;
			const travel = options.latencyMs - service;
			await clock.sleep((travel * jitter * 5) / 6);
			const ok = limit.admit(clock.now());
			const retryAfter = ok ? undefined : limit.retryAfterMs?.(clock.now());
			if (!ok) refusedAt.push(clock.now());
			await clock.sleep(ok ? service + (travel * jitter) / 6 : (options.latencyMs * jitter) / 6);
			if (ok) limit.done(clock.now());
			stats.inFlight--;
			const ids = request.body as string[];
			let body: BatchVerdict;
			if (ok) {
				accepted.push(clock.now());
				body = {
					kind: 'outcomes',
					outcomes: new Map(ids.map((id) => [id, { status: 'deleted' }])),
				};
			} else {
				stats.refused++;
				body = {
					kind: 'retry',
					code: 'RATE_LIMITED',
					message: 'The provider is throttling requests (HTTP 429)',
					retryAfterMs: retryAfter,
					throttled: true,
				};
			}
			return { kind: 'response', statusCode: ok ? 200 : 429, headers: {}, body, rawBody: '' };
		},
	};
	const ids = Array.from({ length: options.requests }, (_, i) => `${prefix}${i}`);
	const targets: Target[] = ids.map((id, i) => ({ id, items: [i] }));
	const start = clock.now();
	const report = await runTargets(
		fakeProvider(options.initial ?? 2),
		{ params: null, credentialType: 'fakeApi', credentials: {} },
		targets,
		{
			batchSize: 1,
			concurrency: options.concurrency,
			requestsPerSecond: options.requestsPerSecond ?? 0,
			treatNotFoundAsDeleted: true,
			retry: { maxRetries: options.maxRetries ?? 3, baseDelayMs: 1000, maxDelayMs: 120_000 },
			maxSplitRequests: 0,
		},
		sender,
		clock,
		() => false,
	);
	return {
		ms: clock.now() - start,
		sent: stats.sent,
		refused: stats.refused,
		results: report.results,
		ids,
		accepted,
		refusedAt,
		maxInFlight: stats.maxInFlight,
	};
}

/**
 * `limit` seen `phaseMs` later: a fixed window's boundaries fall elsewhere in the run. What a
 * window-based limit refuses depends on where its windows fall against the run's ramp, so the
 * tests measure several phases, not the lucky one.
 */
export function atPhase(limit: HiddenLimit, phaseMs: number): HiddenLimit {
	const retryAfterMs = limit.retryAfterMs;
	return {
		admit: (at) => limit.admit(at + phaseMs),
		done: (at) => limit.done(at + phaseMs),
		retryAfterMs: retryAfterMs && ((at) => retryAfterMs(at + phaseMs)),
	};
}

/** Every ID has exactly one result, and it is `deleted` (nothing lost to throttling). */
export function lostIds(run: SimRun): string[] {
	if (run.results.length !== run.ids.length) return run.ids;
	return run.ids.filter((_, i) => run.results[i]?.status !== 'deleted');
}

/** One row of issue 26's target table: Auto beside the fastest fixed Concurrency refused ≤ 3 %. */
export interface TargetRow {
	shape: string;
	auto: SimRun;
	/** The fastest fixed Concurrency (1–16) refused at most 3 %, if any is. */
	best?: { concurrency: number; run: SimRun };
	/** IDs any setting (Auto or fixed) did not delete. */
	lost: number;
	/** Auto's speed as a share of the best fixed setting's. */
	share: number;
	refusedShare: number;
	/** Auto ≥ 90 % of the best fixed setting's speed and ≤ 3 % refused (issue 26). */
	met: boolean;
}

/** A run of `requests` requests against `shape`, a request taking `travelMs` plus the server's time,
 * the shape's windows falling `phaseMs` later. */
export async function targetRow(
	shape: Shape,
	requests: number,
	travelMs: number,
	phaseMs = 0,
): Promise<TargetRow> {
	const once = async (concurrency: SimOptions['concurrency']) => {
		const clock = new SimClock();
		return await clock.run(
			simulateRun(clock, atPhase(shape.limit(0), phaseMs), {
				requests,
				concurrency,
				latencyMs: travelMs + shape.serviceMs,
				serviceMs: shape.serviceMs,
				seed: 7 + phaseMs,
			}),
		);
	};
	const auto = await once('auto');
	let lost = lostIds(auto).length;
	let best: TargetRow['best'];
	for (const concurrency of [1, 2, 3, 4, 6, 8, 12, 16]) {
		const run = await once(concurrency);
		lost += lostIds(run).length;
		if (run.refused / run.sent <= 0.03 && (best === undefined || run.ms < best.run.ms))
			best = { concurrency, run };
	}
	const share = best === undefined ? 1 : best.run.ms / auto.ms;
	const refusedShare = auto.refused / auto.sent;
	return {
		shape: shape.name,
		auto,
		best,
		lost,
		share,
		refusedShare,
		met: share >= 0.9 && refusedShare <= 0.03,
	};
}
