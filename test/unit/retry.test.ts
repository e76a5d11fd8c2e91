import { RateLimiter } from '../../nodes/BatchDelete/engine/rateLimit';
import { backoffMs, retryAfterMs } from '../../nodes/BatchDelete/engine/retry';

describe('retryAfterMs', () => {
	it('reads seconds', () => {
		expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
		expect(retryAfterMs({ 'x-retry-after': '0.5' })).toBe(500);
	});

	it('reads an HTTP date relative to now', () => {
		const now = Date.parse('2026-11-22T10:00:00Z');
		expect(retryAfterMs({ 'retry-after': 'Sun, 22 Nov 2026 10:00:07 GMT' }, now)).toBe(7000);
		expect(retryAfterMs({ 'retry-after': 'Sun, 22 Nov 2026 09:00:00 GMT' }, now)).toBe(0);
	});

	it('ignores what it cannot read', () => {
		expect(retryAfterMs({})).toBeUndefined();
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
	});
});

describe('backoffMs', () => {
	const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

	it('grows exponentially with jitter between half and all of the ceiling', () => {
		expect(backoffMs(0, policy, () => 0)).toBe(50);
		expect(backoffMs(0, policy, () => 1)).toBe(100);
		expect(backoffMs(3, policy, () => 1)).toBe(800);
	});

	it('never exceeds the cap', () => {
		expect(backoffMs(10, policy, () => 1)).toBe(1000);
	});
});

describe('RateLimiter', () => {
	it('spaces request starts by 1 / rate, across callers', async () => {
		let now = 0;
		const starts: number[] = [];
		const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
		const limiter = new RateLimiter(10, clock);
		for (let i = 0; i < 4; i++) {
			await limiter.take();
			starts.push(now);
		}
		expect(starts).toEqual([0, 100, 200, 300]);
	});

	it('waits after a push back even without a rate', async () => {
		let now = 0;
		const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
		const limiter = new RateLimiter(0, clock);
		limiter.pushBack(2000);
		await limiter.take();
		expect(now).toBe(2000);
	});
});
