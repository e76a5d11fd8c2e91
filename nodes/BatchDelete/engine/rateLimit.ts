import type { RequestOutcome } from './concurrency';

/**
 * Spaces request starts across all parallel batches of one run: at least `1000 / requestsPerSecond`
 * ms apart (the Max Requests per Second option), and, once the provider has throttled, no faster
 * than the rate it was measured to accept (see LearnedRate). Per execution on purpose: the node
 * keeps no state between runs (queue mode).
 */
export class RateLimiter {
	private nextStart = 0;
	private nextPaced = 0;
	private readonly intervalMs: number;
	readonly learned: LearnedRate;

	constructor(
		requestsPerSecond: number,
		private readonly clock: { now(): number; sleep(ms: number): Promise<void> },
	) {
		this.intervalMs = requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
		this.learned = new LearnedRate();
	}

	/** Resolves when the caller may start its request (Max Requests per Second). */
	async take(): Promise<void> {
		const now = this.clock.now();
		const start = Math.max(now, this.nextStart);
		this.nextStart = start + this.intervalMs;
		if (start > now) await this.clock.sleep(start - now);
	}

	/** Resolves when a request holding a slot may go out at the learned rate; true if it waited. */
	async pace(): Promise<boolean> {
		const now = this.clock.now();
		const rate = this.learned.perSecond(now);
		if (rate === Infinity) return false;
		const start = Math.max(now, this.nextPaced);
		this.nextPaced = start + 1000 / rate;
		if (start <= now) return false;
		await this.clock.sleep(start - now);
		return true;
	}

	/** A throttled answer pushes every batch back, not only the one that saw it. */
	pushBack(ms: number): void {
		this.nextStart = Math.max(this.nextStart, this.clock.now() + ms);
		this.nextPaced = Math.max(this.nextPaced, this.clock.now() + ms);
	}

	/** An answer to a request sent at `sentAt`, for the learned rate (see LearnedRate.answered). */
	answered(outcome: RequestOutcome, sentAt: number): Claim {
		return this.learned.answered(outcome, sentAt, this.clock.now());
	}
}

export type Claim = 'cut' | 'same' | 'none';

/** Fraction of the accepted rate kept after a throttle (CUBIC's beta, as for requests in flight). */
const DECREASE = 0.7;
/** CUBIC's C, in requests per second per second cubed (the AWS SDK's scale constant). */
const SCALE = 0.4;
/** The rate climbs back to this fraction of the rate that was throttled and holds there. */
const PLATEAU = 0.9;
/** Then it probes higher by this fraction of the plateau per second: gently, because a token
 * bucket refilled while the run held below it lets a fast probe through, then refuses it all. */
const PROBE_PER_SECOND = 0.1;
/** How long it holds before probing higher; doubles each time the same rate is throttled again. */
const FIRST_HOLD_MS = 4000;
/** Never paced slower than this (requests per second): the AWS SDK's minimum fill rate. */
const MIN_RATE = 0.5;
/** Fewer accepted answers than this in the window are too few to measure a rate from. */
const MIN_SAMPLES = 3;
/** A second refusal this soon after a cut is still the first event's. */
const MIN_ELAPSED_MS = 250;
/** Accepted answers are counted over this much time. */
const WINDOW_MS = 1000;

/**
 * The rate the provider accepts, learnt around throttling (after the AWS SDK's adaptive retry mode;
 * docs/benchmark.md, "Auto under hidden limits"): armed only when a request sent after the first
 * throttle is refused too (fewer in flight did not end it, so it is a rate), then paced to 0.7 of
 * the accepted rate, climbing CUBIC-style to 0.9 of it, holding, then probing higher.
 */
class LearnedRate {
	/** Accepted answers' times, oldest first (pruned to WINDOW_MS). */
	private readonly accepted: number[] = [];
	private head = 0;
	private firstSent = Infinity;
	private armedAt: number | undefined;
	private lastMax = Infinity;
	private lastCut = -Infinity;
	private holdMs = FIRST_HOLD_MS;
	private k = 0;
	/** Throttle events so far (for tests and the bench). */
	throttles = 0;

	/** Requests per second to pace to now; Infinity before the first throttle. */
	perSecond(now: number): number {
		if (this.lastMax === Infinity) return Infinity;
		const t = (now - this.lastCut) / 1000;
		const plateau = this.lastMax * PLATEAU;
		const cubic = (x: number) => SCALE * x ** 3 + plateau;
		let rate: number;
		if (t < this.k) rate = cubic(t - this.k);
		else if (t < this.k + this.holdMs / 1000) rate = plateau;
		else rate = plateau * (1 + PROBE_PER_SECOND * (t - this.k - this.holdMs / 1000));
		return Math.max(MIN_RATE, rate);
	}

	/**
	 * Learn from one answer. For a throttle, `cut`: the rate was cut; `same`: part of the event
	 * that cut it (sent before the cut, or too soon after it to tell); `none`: the rate could not
	 * say (too few acceptances to measure), so it is the in-flight control's alone.
	 */
	answered(outcome: RequestOutcome, sentAt: number, now: number): Claim {
		this.firstSent = Math.min(this.firstSent, sentAt);
		if (outcome === 'ok') {
			this.accepted.push(now);
			this.prune(now);
			return 'none';
		}
		if (outcome !== 'throttled') return 'none';
		if (this.lastMax === Infinity) {
			// The first throttle is the in-flight control's: if fewer in flight ends the refusals, the
			// limit was on requests in flight and no rate is needed; if a request sent after it is
			// refused too, the rate is learnt from then on.
			if (this.armedAt === undefined && this.acceptedInWindow(now) >= MIN_SAMPLES) {
				this.armedAt = now;
				return 'none';
			}
			if (this.armedAt === undefined || sentAt < this.armedAt) return 'none';
		}
		if (sentAt < this.lastCut) return 'same';
		let measured: number;
		if (now - this.lastCut < WINDOW_MS) {
			// Refused again within a window of the cut: the window that was full may still be; but
			// once enough has been accepted since the cut, that rate is the better measure (the last
			// second also holds a burst a token bucket let through before it ran dry).
			const since = this.acceptedSince(this.lastCut);
			const elapsed = now - this.lastCut;
			if (since < MIN_SAMPLES || elapsed < MIN_ELAPSED_MS) return 'same';
			measured = (since * 1000) / elapsed;
			if (measured >= this.perSecond(now)) return 'same';
		} else {
			// Too few answers accepted to measure a rate from (the first refusals of a limit on
			// requests in flight come back before the first acceptances): that one is the in-flight
			// control's.
			if (this.acceptedInWindow(now) < MIN_SAMPLES) return 'none';
			measured = this.measured(now);
		}
		// Before the first throttle nothing was paced: what came back is the best guess.
		const atThrottle = Math.max(
			MIN_RATE,
			this.lastMax === Infinity ? measured : Math.min(measured, this.perSecond(now)),
		);
		// Refused at or above the plateau: the limit is where it was; probe it less often.
		if (this.lastMax !== Infinity && atThrottle >= this.lastMax * PLATEAU) this.holdMs *= 2;
		this.lastMax = atThrottle;
		// Time for the cubic to climb from DECREASE to PLATEAU of the throttled rate.
		this.k = Math.cbrt((atThrottle * (PLATEAU - DECREASE)) / SCALE);
		this.lastCut = now;
		this.throttles++;
		return 'cut';
	}

	/** Accepted answers per second over the last WINDOW_MS (or since the first send, if sooner). */
	private measured(now: number): number {
		return (this.acceptedInWindow(now) * 1000) / this.span(now);
	}

	private acceptedSince(time: number): number {
		let n = 0;
		for (let i = this.accepted.length - 1; i >= this.head && this.accepted[i] > time; i--) n++;
		return n;
	}

	private acceptedInWindow(now: number): number {
		this.prune(now);
		return this.accepted.length - this.head;
	}

	private span(now: number): number {
		return Math.min(WINDOW_MS, Math.max(now - this.firstSent, 100));
	}

	private prune(now: number): void {
		while (this.head < this.accepted.length && this.accepted[this.head] <= now - WINDOW_MS)
			this.head++;
		if (this.head > 1024) {
			this.accepted.splice(0, this.head);
			this.head = 0;
		}
	}
}
