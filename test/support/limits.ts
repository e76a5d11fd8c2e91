import type { IHttpRequestOptions } from 'n8n-workflow';

import type { RunSettings, Sender } from '../../nodes/BatchDelete/engine/run';
import type { TargetResult } from '../../nodes/BatchDelete/engine/run';
import type { BatchVerdict, Provider, Target } from '../../nodes/BatchDelete/engine/types';
import { runTargets } from './runTargets';

/**
 * Providers with limits the node is not told about, on a simulated clock: runs of thousands of
 * requests take milliseconds and give the same answer every time, so tests assert behaviour
 * (refusals, IDs lost, convergence), never wall-clock time.
 */

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
	/** Advance time until `done` settles. */
	async run<T>(done: Promise<T>): Promise<T> {
		let finished = false;
		void done.finally(() => (finished = true)).catch(() => {});
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
	}
}

/** What the provider does with a request arriving at `at`: serve it, or refuse it (HTTP 429). */
export interface HiddenLimit {
	/** True: serve it. False: 429, with this limit's Retry-After. */
	admit(at: number): boolean;
	/** A served request leaves. */
	done(at: number): void;
	/** Retry-After the refusal carries (ms), or none. */
	retryAfterMs?: (at: number) => number | undefined;
}

export const noLimit = (): HiddenLimit => ({ admit: () => true, done: () => {} });

/** At most `n` requests per fixed window (counted from time 0), as many API gateways do. */
export function fixedWindow(n: number, windowMs = 1000): HiddenLimit {
	let window = -1;
	let count = 0;
	return {
		admit(at) {
			const w = Math.floor(at / windowMs);
			if (w !== window) [window, count] = [w, 0];
			if (count >= n) return false;
			count++;
			return true;
		},
		done: () => {},
		// Retry-After in whole seconds, rounded up: what a gateway says.
		retryAfterMs: (at) =>
			Math.ceil(((Math.floor(at / windowMs) + 1) * windowMs - at) / 1000) * 1000,
	};
}

/** At most `n` requests in any `windowMs` (a sliding log). */
export function slidingWindow(n: number, windowMs = 1000): HiddenLimit {
	const starts: number[] = [];
	let head = 0;
	return {
		admit(at) {
			while (head < starts.length && starts[head] <= at - windowMs) head++;
			if (starts.length - head >= n) return false;
			starts.push(at);
			return true;
		},
		done: () => {},
	};
}

/** A token bucket: `perSecond` sustained, bursts of up to `burst`. */
export function tokenBucket(perSecond: number, burst: number): HiddenLimit {
	let tokens = burst;
	let last = 0;
	return {
		admit(at) {
			tokens = Math.min(burst, tokens + ((at - last) * perSecond) / 1000);
			last = at;
			if (tokens < 1) return false;
			tokens--;
			return true;
		},
		done: () => {},
	};
}

/** At most `n` requests being served at once. */
export function inFlight(n: number): HiddenLimit {
	let serving = 0;
	return {
		admit() {
			if (serving >= n) return false;
			serving++;
			return true;
		},
		done: () => void serving--,
	};
}

/** `before` until `at` ms, `after` from then on (a limit that changes mid-run). */
export function switching(before: HiddenLimit, after: HiddenLimit, at: number): HiddenLimit {
	const pick = (t: number) => (t < at ? before : after);
	return {
		admit: (t) => pick(t).admit(t),
		done: (t) => pick(t).done(t),
		retryAfterMs: (t) => pick(t).retryAfterMs?.(t),
	};
}

/** Every refusal carries this Retry-After (ms; `undefined`: none), whatever the limit says. */
export function withRetryAfter(limit: HiddenLimit, ms: number | undefined): HiddenLimit {
	return { ...limit, retryAfterMs: () => ms };
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

/** Every ID has exactly one result, and it is `deleted` (nothing lost to throttling). */
export function lostIds(run: SimRun): string[] {
	if (run.results.length !== run.ids.length) return run.ids;
	return run.ids.filter((_, i) => run.results[i]?.status !== 'deleted');
}
