/**
 * How many requests one run keeps in flight: a fixed number, or Auto, which finds what the
 * provider takes without being told.
 *
 * Why it matters: n8n's request helpers open a new TCP+TLS connection for every request (there is
 * no way to hand them a keep-alive agent), so on a WAN each request costs about three round trips
 * instead of one. More requests in flight is the only lever a node has to win that time back, and
 * too many gets it throttled.
 *
 * The rule Auto follows, and why (AIMD with slow start, TCP's congestion control, RFC 5681):
 * - Slow start: every request answered while the limit was in use raises the limit by one, so it
 *   doubles each round trip from the provider's default until the first throttle. Providers signal
 *   overload with a refusal (HTTP 429, WeChat 45011...), not with slower answers, so a delay-based
 *   rule alone (TCP Vegas, Netflix's gradient limiter) would never see a requests-per-second limit
 *   coming; delay is still used below, as a brake.
 * - Multiplicative decrease: a throttle or a timeout cuts the limit to 0.7 of the requests that
 *   were in flight (the factor CUBIC and the AWS SDK's adaptive retry mode use), once per round
 *   trip: throttles from requests already in flight when the limit was cut are the same event.
 * - Additive increase after that: one more per round trip (each answer adds 1/limit), but never
 *   back above the level that was throttled until enough answers have passed without a throttle,
 *   and that wait doubles each time the same level is throttled again. A provider's hidden limit
 *   stays where it is, so after finding it, Auto sits just below it instead of probing it every
 *   few round trips (CUBIC's plateau near W_max, made stricter: each probe costs throttled
 *   requests, which the run has to wait out).
 * - Delay brake (Vegas): while answers take more than twice the fastest answer seen, the provider
 *   (or n8n itself) is queueing, more in flight only adds waiting, so the limit does not grow.
 * - A limit that is not in use is not raised (TCP's congestion window validation, RFC 7661): under
 *   a requests-per-second setting, or near the end of a run, the limit would otherwise climb on
 *   answers that say nothing about what more requests in flight would do.
 *
 * `max` is a ceiling on requests in flight, whatever happens (AUTO_MAX_CONCURRENCY).
 *
 * A limit on requests per second answers more in flight with refusals, not slower answers: the run
 * also learns the rate the provider accepts (rateLimit.ts, LearnedRate). Answers to requests that
 * rate held back, and throttles that rate took as its own, reach this control as `paced`, which
 * changes nothing here: one throttle event is not cut twice.
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

/** Fraction of the in-flight requests kept after a throttle or timeout (CUBIC's beta). */
const DECREASE = 0.7;
/** Answers without a throttle before Auto probes the level that was throttled again. */
const FIRST_PROBE_AFTER = 100;
/** Slow start grows the limit at most this much per second, however short the round trip. */
const SLOW_START_PER_SECOND = 4;
/** Answers slower than this multiple of the fastest one mean requests are queueing. */
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

/** Auto (see the top of this file). `clock` is the run's clock, so tests can simulate time. */
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
