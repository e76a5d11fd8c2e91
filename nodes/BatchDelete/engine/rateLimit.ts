/**
 * Spaces request starts at least `1000 / requestsPerSecond` ms apart across all parallel batches
 * of one run. Per execution on purpose: the node keeps no state between runs (queue mode).
 */
export class RateLimiter {
	private nextStart = 0;
	private readonly intervalMs: number;

	constructor(
		requestsPerSecond: number,
		private readonly clock: { now(): number; sleep(ms: number): Promise<void> },
	) {
		this.intervalMs = requestsPerSecond > 0 ? 1000 / requestsPerSecond : 0;
	}

	/** Resolves when the caller may start its request. */
	async take(): Promise<void> {
		const now = this.clock.now();
		const start = Math.max(now, this.nextStart);
		this.nextStart = start + this.intervalMs;
		if (start > now) await this.clock.sleep(start - now);
	}

	/** A throttled answer pushes every batch back, not only the one that saw it. */
	pushBack(ms: number): void {
		this.nextStart = Math.max(this.nextStart, this.clock.now() + ms);
	}
}
