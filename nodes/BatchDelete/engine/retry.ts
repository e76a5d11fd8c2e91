/** Retry timing: exponential backoff with jitter, and the provider's own `Retry-After`. */

export interface RetryPolicy {
	maxRetries: number;
	baseDelayMs: number;
	/** Never wait longer than this for one retry; a longer `Retry-After` gives up instead. */
	maxDelayMs: number;
}

/** "Full jitter" over an exponential ceiling: spreads retries from parallel batches apart. */
export function backoffMs(
	retry: number,
	policy: RetryPolicy,
	random: () => number = Math.random,
): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` (or SOLAPI's `x-retry-after`) as milliseconds: seconds or an HTTP date. */
export function retryAfterMs(
	headers: Record<string, unknown>,
	now: number = Date.now(),
): number | undefined {
	const raw = headers['retry-after'] ?? headers['x-retry-after'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}
