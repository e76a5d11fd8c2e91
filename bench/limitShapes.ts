/**
 * Limits a provider may enforce without telling the node, as functions of time: what
 * `npm run bench:limits` enforces in its mock on the wall clock, and what test/unit/limits.test.ts
 * enforces on a simulated clock. One list (SHAPES), so the test and the bench measure the same
 * shapes at the same size (issue 26).
 */

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
	let last: number | undefined;
	return {
		admit(at) {
			tokens = Math.min(burst, tokens + ((at - (last ?? at)) * perSecond) / 1000);
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

export interface Shape {
	name: string;
	/** The limit for a run starting at `start` (ms on the clock the limit is asked with). */
	limit: (start: number) => HiddenLimit;
	/** The provider's time serving one request (counts against a limit on requests in flight). */
	serviceMs: number;
}

/** The shapes issue 26 names, each alone; two executions sharing one limit are measured apart. */
export const SHAPES: Shape[] = [
	{ name: '3 requests in flight, 150 ms each', limit: () => inFlight(3), serviceMs: 150 },
	{ name: '15 per fixed second, Retry-After: 1', limit: () => fixedWindow(15), serviceMs: 20 },
	{
		name: '15 per fixed second, Retry-After: 0',
		limit: () => withRetryAfter(fixedWindow(15), 0),
		serviceMs: 20,
	},
	{ name: '15 in any second, no Retry-After', limit: () => slidingWindow(15), serviceMs: 20 },
	{ name: 'token bucket 10/s, bursts of 30', limit: () => tokenBucket(10, 30), serviceMs: 20 },
	{
		name: '20 in any second, halving to 10 after 3 s',
		limit: (start) => switching(slidingWindow(20), slidingWindow(10), start + 3000),
		serviceMs: 20,
	},
];
