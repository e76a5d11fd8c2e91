/**
 * How many requests one run keeps in flight: a fixed number, or Auto, which finds what the
 * provider takes without being told. Why and how (slow start, cut to 0.7 on a throttle, additive
 * climb below the level throttled, the delay brake, the learned rate beside it): docs/benchmark.md,
 * "Auto under hidden limits". The rules, each with its reason in a line, are the constants below.
 */

/** `paced`: answered after the run's learned rate held it back (rateLimit.ts): an answer about the
 * rate, which says nothing about requests in flight. */
export type RequestOutcome = 'ok' | 'throttled' | 'timeout' | 'error' | 'paced';

export interface ConcurrencyControl {
	/** Resolves when one more request may start. */
	acquire(): Promise<void>;
	/** A request that acquired a slot finished. */
	release(outcome: RequestOutcome, latencyMs: number): void;
	/** The run's learned rate took a throttle as a rate limit's: the level throttled before it
	 * was not a limit on requests in flight, so it no longer caps the climb back. */
	rateFound(): void;
	/** Requests allowed in flight now. */
	readonly limit: number;
}

/**
 * Auto's ceiling on requests in flight. 32: n8n opens a connection per request, so 32 in flight
 * is 32 TLS handshakes at a time on the n8n server (a few ms of CPU each); at 150 ms round trips
 * and three round trips a request, 32 in flight already sends about 70 requests a second, more
 * than any of the supported providers is known to take; and it stays a fraction of Node's default
 * socket and file limits, for a node that may run in several executions at once.
 */
export const AUTO_MAX_CONCURRENCY = 32;

/** Fraction of the in-flight requests kept after a throttle or timeout (CUBIC's beta); a provider
 * signals overload with a refusal, not slower answers, so a refusal is what cuts. */
const DECREASE = 0.7;
/** Answers without a throttle before Auto probes the level that was throttled again (doubles per
 * repeat): a hidden limit stays where it is, and each probe costs refused requests. */
const FIRST_PROBE_AFTER = 100;
/** Slow start grows the limit at most this much per second, however short the round trip. */
const SLOW_START_PER_SECOND = 4;
/** Answers slower than this multiple of the fastest one mean requests are queueing: more in
 * flight would only add waiting (TCP Vegas), so the limit does not grow. */
const QUEUEING = 2;

/** A counting semaphore; `limit()` is read each time a slot frees or is asked for. */
function slots(limit: () => number) {
	let inFlight = 0;
	const waiting: Array<() => void> = [];
	const admit = () => {
		while (waiting.length > 0 && inFlight < Math.max(1, Math.floor(limit()))) {
			inFlight++;
			waiting.shift()!();
		}
	};
	return {
		acquire: async (): Promise<void> => {
			if (waiting.length === 0 && inFlight < Math.max(1, Math.floor(limit()))) {
				inFlight++;
				return;
			}
			await new Promise<void>((resolve) => {
				waiting.push(resolve);
				admit();
			});
		},
		/** Frees a slot; returns how many were in flight before. */
		release: (): number => {
			const before = inFlight;
			inFlight = Math.max(0, inFlight - 1);
			admit();
			return before;
		},
		admit,
		inFlight: () => inFlight,
	};
}

/**
 * At most `n` requests in flight (the Concurrency option set to a number). A ceiling, not a
 * promise: when the provider throttles, the run sends fewer at once and climbs back as Auto does
 * (same rule, started at `n` and never above it), instead of spending its retries on refusals.
 */
export function fixedConcurrency(n: number, clock: { now(): number }): ConcurrencyControl {
	const limit = Math.max(1, Math.floor(n));
	return adaptiveConcurrency({ initial: limit, max: limit }, clock);
}

/** Auto (docs/benchmark.md, "Auto under hidden limits"). `clock` is the run's clock, so tests can simulate time. */
export function adaptiveConcurrency(
	options: { initial: number; max: number; min?: number },
	clock: { now(): number },
): ConcurrencyControl {
	const min = Math.max(1, Math.floor(options.min ?? 1));
	const max = Math.max(min, Math.floor(options.max));
	let limit = Math.min(max, Math.max(min, options.initial));
	let slowStart = true;
	/** When the limit was last cut: answers to requests sent before then are the same event. */
	let lastCut = -Infinity;
	/** In-flight requests when a throttle last came; Auto stays below it until `probeAfter` answers pass. */
	let throttledAt = Infinity;
	let probeAfter = FIRST_PROBE_AFTER;
	let cleanSinceThrottle = 0;
	let fastest = Infinity;
	let startedAt: number | undefined;
	const gate = slots(() => limit);

	const cut = (inFlight: number, now: number) => {
		if (inFlight >= throttledAt - 1) probeAfter *= 2;
		throttledAt = inFlight;
		cleanSinceThrottle = 0;
		limit = Math.max(min, Math.floor(inFlight * DECREASE));
		slowStart = false;
		lastCut = now;
	};

	// Doubling per round trip fills a provider's per-second window long before the first refusal
	// comes back when round trips are short (5 a second at 50 ms would be 32 times the rate within
	// one window); capping the growth per second keeps the overshoot to about the last second's.
	const slowStartCap = (now: number) =>
		options.initial * SLOW_START_PER_SECOND ** ((now - (startedAt ?? now)) / 1000);

	const grow = (inFlight: number, latencyMs: number, now: number) => {
		// Only a limit in use says anything about more requests in flight.
		if (inFlight < Math.floor(limit)) return;
		if (latencyMs > QUEUEING * fastest) return;
		cleanSinceThrottle++;
		const ceiling = cleanSinceThrottle >= probeAfter ? max : Math.min(max, throttledAt - 1);
		const next = slowStart
			? Math.min(limit + 1, slowStartCap(now))
			: limit + 1 / Math.max(1, limit);
		limit = Math.max(limit, Math.min(ceiling, next));
		if (cleanSinceThrottle >= probeAfter && limit >= throttledAt) {
			// Probed past the old level without a throttle: that level no longer applies.
			throttledAt = Infinity;
		}
	};

	return {
		async acquire() {
			startedAt ??= clock.now();
			await gate.acquire();
		},
		release(outcome, latencyMs) {
			const now = clock.now();
			const inFlight = gate.release();
			if (outcome === 'ok') {
				fastest = Math.min(fastest, Math.max(1, latencyMs));
				grow(inFlight, latencyMs, now);
			} else if (outcome === 'throttled' || outcome === 'timeout') {
				// Sent before the last cut: its throttle belongs to the event that cut already.
				if (now - latencyMs >= lastCut) cut(inFlight, now);
			}
			gate.admit();
		},
		rateFound() {
			throttledAt = Infinity;
		},
		get limit() {
			return Math.floor(limit);
		},
	};
}
