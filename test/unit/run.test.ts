import type { IHttpRequestOptions } from 'n8n-workflow';

import type { RunSettings, Sender } from '../../nodes/BatchDelete/engine/run';
import { runTargets } from '../support/runTargets';
import type {
	BatchVerdict,
	HttpResult,
	IdOutcome,
	Provider,
	Target,
} from '../../nodes/BatchDelete/engine/types';

/** A provider whose answer is whatever verdict the test scripts for each request. */
type Script = (ids: string[], call: number, refresh: boolean) => BatchVerdict | HttpResult;

function fakeProvider(): Provider<null> {
	return {
		id: 'fake',
		displayName: 'Fake',
		noun: 'things',
		idName: 'the thing ID',
		maxBatchSize: 10,
		defaultBatchSize: 10,
		defaultConcurrency: 1,
		defaultRequestsPerSecond: 0,
		credentials: [{ name: 'fakeApi', value: 'fake', displayName: 'Fake' }],
		properties: [],
		checkId: () => undefined,
		readParameters: () => null,
		buildRequest: (chunk) => ({ url: 'http://fake', body: chunk.map((t) => t.id) }),
		readResponse: (_chunk, result) => result.body as BatchVerdict,
	};
}

const CONTEXT = { params: null, credentialType: 'fakeApi', credentials: {} };
/** A clock whose waits end at once. */
const NO_WAIT = { now: () => 0, sleep: async () => undefined };
/** One target per ID, each from its own item. */
const targetsOf = (ids: string[]): Target[] => ids.map((id, i) => ({ id, items: [i] }));
/** Run settings for tests that send one ID per request without retries, with `overrides`. */
const settingsWith = (overrides: Partial<RunSettings> = {}): RunSettings => ({
	batchSize: 1,
	concurrency: 1,
	requestsPerSecond: 0,
	treatNotFoundAsDeleted: true,
	retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 10 },
	maxSplitRequests: 0,
	...overrides,
});
/** An HTTP 200 carrying `body`. */
const answered = (body: unknown): HttpResult => ({
	kind: 'response',
	statusCode: 200,
	headers: {},
	body,
	rawBody: '',
});

function harness(
	script: Script,
	options: Partial<RunSettings> = {},
	canRefresh = true,
	provider: Provider<null> = fakeProvider(),
) {
	const calls: Array<{ ids: string[]; refresh: boolean }> = [];
	let now = 0;
	const sender: Sender = {
		canRefresh,
		async send(request: IHttpRequestOptions, refresh: boolean) {
			const ids = request.body as string[];
			calls.push({ ids, refresh });
			await Promise.resolve();
			const answer = script(ids, calls.length, refresh);
			if (
				'kind' in answer &&
				(answer.kind === 'network' || answer.kind === 'credential' || answer.kind === 'response')
			)
				return answer as HttpResult;
			return answered(answer);
		},
	};
	const settings: RunSettings = {
		batchSize: 3,
		concurrency: 2,
		requestsPerSecond: 0,
		treatNotFoundAsDeleted: true,
		retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 1000 },
		maxSplitRequests: 50,
		...options,
	};
	const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
	let cancelled = false;
	const run = async (ids: string[]) => {
		const targets = targetsOf(ids);
		const report = await runTargets(
			provider,
			CONTEXT,
			targets,
			settings,
			sender,
			clock,
			() => cancelled,
		);
		const byId = Object.fromEntries(targets.map((u, i) => [u.id, report.results[i]]));
		return { report, byId };
	};
	return { run, calls, cancel: () => (cancelled = true), elapsed: () => now };
}

const outcomes = (entries: Array<[string, IdOutcome]>): BatchVerdict => ({
	kind: 'outcomes',
	outcomes: new Map(entries),
});
const allDeleted = (ids: string[]) => outcomes(ids.map((id) => [id, { status: 'deleted' }]));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

describe('runTargets', () => {
	it('sends ceil(n / batch) requests and gives every ID one result', async () => {
		const h = harness((batch) => allDeleted(batch));
		const { report, byId } = await h.run(ids(10));
		expect(h.calls.map((c) => c.ids.length)).toEqual([3, 3, 3, 1]);
		expect(report.requests).toBe(4);
		expect(Object.values(byId).every((r) => r.status === 'deleted' && r.attempts === 1)).toBe(true);
		expect(byId.m9.batch).toBe(4);
	});

	it('marks IDs the answer leaves out as unknown, never deleted', async () => {
		const h = harness((batch) => allDeleted(batch.slice(1)));
		const { byId } = await h.run(ids(3));
		expect(byId.m0).toMatchObject({ status: 'unknown', code: 'NOT_IN_RESPONSE' });
		expect(byId.m1.status).toBe('deleted');
	});

	it('maps notFound to alreadyGone only when asked', async () => {
		const notFound = (batch: string[]) =>
			outcomes(batch.map((id) => [id, { status: 'notFound', code: 'NF' }]));
		expect((await harness(notFound).run(['a'])).byId.a.status).toBe('alreadyGone');
		expect(
			(await harness(notFound, { treatNotFoundAsDeleted: false }).run(['a'])).byId.a,
		).toMatchObject({ status: 'notFound', code: 'NF' });
	});

	it('retries throttling after Retry-After and counts the attempts', async () => {
		const h = harness(
			(batch, call) =>
				call === 1
					? { kind: 'retry', code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 700 }
					: allDeleted(batch),
			{ concurrency: 1 },
		);
		const { byId } = await h.run(ids(2));
		expect(byId.m0).toMatchObject({ status: 'deleted', attempts: 2 });
		expect(h.elapsed()).toBeGreaterThanOrEqual(700);
	});

	it('ends as unknown when a request may have been applied and retries run out', async () => {
		const h = harness(() => ({
			kind: 'network',
			code: 'ECONNRESET',
			message: 'socket hang up',
			maybeApplied: true,
		}));
		const { byId, report } = await h.run(ids(2));
		expect(byId.m0).toMatchObject({ status: 'unknown', code: 'ECONNRESET', attempts: 3 });
		expect(report.requests).toBe(3);
	});

	it('ends as error when no attempt can have been applied', async () => {
		const h = harness(() => ({ kind: 'retry', code: 'HTTP_503', message: 'unavailable' }));
		expect((await h.run(['a'])).byId.a).toMatchObject({
			status: 'error',
			code: 'HTTP_503',
			attempts: 3,
		});
	});

	it('keeps unknown after a retry that was throttled, once an earlier attempt may have applied', async () => {
		const h = harness((_b, call) =>
			call === 1
				? { kind: 'network', code: 'TIMEOUT', message: 'no answer', maybeApplied: true }
				: { kind: 'retry', code: 'RATE_LIMITED', message: 'slow' },
		);
		expect((await h.run(['a'])).byId.a.status).toBe('unknown');
	});

	it('carries a lost answer into the halves of a split and into a resend alone: not found there is unknown', async () => {
		const lost = { kind: 'network', code: 'TIMEOUT', message: 'no answer', maybeApplied: true };
		const notFound = (batch: string[]) =>
			outcomes(batch.map((id) => [id, { status: 'notFound', message: 'gone' }]));
		const split = harness(
			(batch, call) =>
				call === 1
					? (lost as HttpResult)
					: call === 2
						? {
								kind: 'failBatch',
								status: 'rejected',
								code: 'BAD',
								message: 'bad',
								splittable: true,
							}
						: notFound(batch),
			{ batchSize: 4, concurrency: 1, treatNotFoundAsDeleted: false },
		);
		const halves = await split.run(ids(4));
		expect(split.calls.map((c) => c.ids.length)).toEqual([4, 4, 2, 2]);
		expect(Object.values(halves.byId).map((r) => r.status)).toEqual(Array(4).fill('unknown'));
		const alone = harness(
			(batch, call) =>
				call === 1
					? (lost as HttpResult)
					: call === 2
						? outcomes([['m0', { status: 'unknown', code: 'InternalError', retryAlone: true }]])
						: notFound(batch),
			{ batchSize: 1, concurrency: 1, treatNotFoundAsDeleted: false },
		);
		const resent = await alone.run(ids(1));
		expect(alone.calls).toHaveLength(3);
		expect(resent.byId.m0).toMatchObject({ status: 'unknown', attempts: 3 });
	});

	it('gives up at once when Retry-After is longer than the node waits', async () => {
		const h = harness(() => ({
			kind: 'retry',
			code: 'RATE_LIMITED',
			message: 'slow',
			retryAfterMs: 60_000,
		}));
		const { byId } = await h.run(['a']);
		expect(byId.a).toMatchObject({ status: 'error', attempts: 1 });
		expect(byId.a.message).toContain('60 s');
	});

	it('refreshes the token once and resends', async () => {
		const h = harness(
			(batch, call) =>
				call === 1 ? { kind: 'reauth', code: '42001', message: 'expired' } : allDeleted(batch),
			{ concurrency: 1 },
		);
		const { byId } = await h.run(ids(4));
		expect(h.calls.map((c) => c.refresh)).toEqual([false, true, false]);
		expect(byId.m0).toMatchObject({ status: 'deleted', attempts: 2 });
	});

	it('refreshes once when parallel batches see the same expired token', async () => {
		let token = 'old';
		const h = harness(
			(batch, _call, refresh) => {
				if (refresh) token = 'new';
				return token === 'old'
					? { kind: 'reauth', code: '40001', message: 'expired' }
					: allDeleted(batch);
			},
			{ concurrency: 3, batchSize: 1 },
		);
		const { byId } = await h.run(ids(3));
		expect(h.calls.filter((c) => c.refresh)).toHaveLength(1);
		expect(Object.values(byId).map((r) => r.status)).toEqual(['deleted', 'deleted', 'deleted']);
		expect(h.calls).toHaveLength(6);
	});

	it('stops the run when the token is still refused after a refresh', async () => {
		const h = harness(
			() => ({ kind: 'reauth', code: '5032', message: 'token verification failed' }),
			{ concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(7));
		expect(report.stop).toMatchObject({ reason: 'auth', code: '5032' });
		expect(h.calls).toHaveLength(2);
		// The refused request's IDs were sent and refused; the rest were never sent.
		const sent = new Set(h.calls.flatMap((c) => c.ids));
		for (const [id, r] of Object.entries(byId))
			expect(r.status).toBe(sent.has(id) ? 'rejected' : 'notAttempted');
		expect(Object.values(byId).some((r) => r.status === 'notAttempted')).toBe(true);
		expect(report.anyApplied).toBe(false);
	});

	it('when the shared refresh fails, batches that waited for it stop with its words, nothing sent twice', async () => {
		const failed: HttpResult = {
			kind: 'credential',
			code: 'OAUTH2_REFRESH_FAILED',
			message: 'n8n could not refresh the OAuth2 access token (revoked): reconnect the credential',
		};
		const h = harness(
			(_batch, _call, refresh) =>
				refresh ? failed : { kind: 'reauth', code: 'HTTP_401', message: 'refused the token' },
			{ concurrency: 3, batchSize: 1 },
		);
		const { report, byId } = await h.run(ids(5));
		expect(h.calls.filter((c) => c.refresh)).toHaveLength(1);
		expect(report.stop).toMatchObject({ reason: 'auth', code: 'OAUTH2_REFRESH_FAILED' });
		expect(Object.values(byId).map((r) => [r.status, r.code])).toEqual(
			Array.from({ length: 5 }, () => ['notAttempted', 'OAUTH2_REFRESH_FAILED']),
		);
		expect(report.anyApplied).toBe(false);
	});

	it('does not try to refresh a credential without a token', async () => {
		const h = harness(() => ({ kind: 'reauth', code: '401', message: 'bad token' }), {}, false);
		const { report } = await h.run(ids(2));
		expect(h.calls).toHaveLength(1);
		expect(report.stop?.reason).toBe('auth');
	});

	it('halves a batch rejected as a whole until the bad ID stands alone', async () => {
		const h = harness(
			(batch) =>
				batch.includes('bad')
					? {
							kind: 'failBatch',
							status: 'rejected',
							code: 'BAD',
							message: 'bad input',
							splittable: true,
						}
					: allDeleted(batch),
			{ batchSize: 8, concurrency: 1 },
		);
		const { byId, report } = await h.run(['a', 'b', 'c', 'bad', 'd', 'e', 'f', 'g']);
		expect(byId.bad).toMatchObject({ status: 'rejected', code: 'BAD', batch: 1 });
		for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(byId[id].status).toBe('deleted');
		expect(report.splitRequests).toBe(6);
		expect(byId.bad.attempts).toBe(4);
	});

	it('stops splitting when the extra-request budget is spent', async () => {
		const h = harness(
			() => ({
				kind: 'failBatch',
				status: 'rejected',
				code: 'BAD',
				message: 'bad',
				splittable: true,
			}),
			{ batchSize: 8, maxSplitRequests: 2, concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(8));
		expect(report.splitRequests).toBe(2);
		expect(report.requests).toBe(3);
		expect(Object.values(byId).every((r) => r.status === 'rejected')).toBe(true);
	});

	it('sends nothing more once the first request of a token credential stops the run', async () => {
		// The others wait for the first send (it fetches the token); it fails inside n8n.
		const h = harness(
			() => ({
				kind: 'credential',
				code: 'AUTH_FAILED',
				message: 'Authentication failed: bad password',
			}),
			{ batchSize: 1, concurrency: 4 },
		);
		const { report, byId } = await h.run(ids(6));
		expect(h.calls).toHaveLength(1);
		expect(report.requests).toBe(1);
		expect(report.stop).toMatchObject({ reason: 'auth', code: 'AUTH_FAILED' });
		// The token request failed before the delete went out: no ID reached the provider.
		expect(byId.m0).toMatchObject({ status: 'notAttempted', code: 'AUTH_FAILED', attempts: 1 });
		for (const id of ['m1', 'm2', 'm3', 'm4', 'm5'])
			expect(byId[id]).toMatchObject({ status: 'notAttempted', code: 'AUTH_FAILED', attempts: 0 });
	});

	it("blames a stop on the scope whose request was refused, not on the other scopes' unsent IDs", async () => {
		const calls: string[][] = [];
		const sender: Sender = {
			canRefresh: false,
			async send(request: IHttpRequestOptions) {
				const sent = request.body as string[];
				calls.push(sent);
				const verdict: BatchVerdict = sent[0].startsWith('p2')
					? {
							kind: 'stopRun',
							reason: 'auth',
							code: 'HTTP_403',
							message: 'no permission in project 2',
						}
					: allDeleted(sent);
				return answered(verdict);
			},
		};
		const targets: Target[] = [
			{ id: 'p2-a', items: [0], scope: 1 },
			{ id: 'p2-b', items: [0], scope: 1 },
			{ id: 'p1-a', items: [1], scope: 0 },
			{ id: 'p1-b', items: [1], scope: 0 },
		];
		const report = await runTargets(
			fakeProvider(),
			[CONTEXT, CONTEXT],
			targets,
			settingsWith({ batchSize: 2 }),
			sender,
			NO_WAIT,
			() => false,
		);
		const byId = Object.fromEntries(targets.map((u, i) => [u.id, report.results[i]]));
		expect(calls).toEqual([['p2-a', 'p2-b']]);
		// Sent and refused: not "not attempted".
		for (const id of ['p2-a', 'p2-b'])
			expect(byId[id]).toMatchObject({
				status: 'rejected',
				code: 'HTTP_403',
				message: 'no permission in project 2',
				attempts: 1,
			});
		// Never sent, and said so as another request's refusal.
		for (const id of ['p1-a', 'p1-b']) {
			expect(byId[id]).toMatchObject({ status: 'notAttempted', attempts: 0 });
			expect(byId[id].message).toMatch(
				/^Not sent: the run stopped when a request for other parameters was refused: no permission in project 2$/,
			);
		}
	});

	it('on a quota stop sends nothing more: the refused ID rejected, the rest notAttempted', async () => {
		const h = harness(
			(batch, call) =>
				call === 3
					? { kind: 'stopRun', reason: 'quota', code: '45009', message: 'daily quota' }
					: allDeleted(batch),
			{ batchSize: 1, concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(6));
		expect(report.requests).toBe(3);
		expect(byId.m0.status).toBe('deleted');
		expect(byId.m1.status).toBe('deleted');
		expect(byId.m2).toMatchObject({ status: 'rejected', code: '45009', attempts: 1 });
		for (const id of ['m3', 'm4', 'm5'])
			expect(byId[id]).toMatchObject({ status: 'notAttempted', code: '45009', attempts: 0 });
	});

	it('resends an ID alone when the provider asks for it', async () => {
		let second = false;
		const h = harness(
			(batch) => {
				if (batch.length === 1)
					return second
						? allDeleted(batch)
						: ((second = true),
							outcomes([[batch[0], { status: 'error', code: 'InternalError', retryAlone: true }]]));
				return outcomes(
					batch.map((id) => [
						id,
						id === 'm1'
							? { status: 'error', code: 'InternalError', retryAlone: true }
							: { status: 'deleted' },
					]),
				);
			},
			{ batchSize: 3, concurrency: 1 },
		);
		const { byId } = await h.run(ids(3));
		expect(byId.m1).toMatchObject({ status: 'error', code: 'InternalError', attempts: 2 });
		expect(h.calls.map((c) => c.ids)).toEqual([['m0', 'm1', 'm2'], ['m1']]);
	});

	it('reports the credential failing to authenticate as an auth stop', async () => {
		const h = harness(() => ({
			kind: 'credential',
			code: 'AUTH_FAILED',
			message: 'Authentication failed: invalid appsecret',
		}));
		const { report } = await h.run(ids(2));
		expect(report.stop).toMatchObject({ reason: 'auth', code: 'AUTH_FAILED' });
	});

	it('stops sending when the execution is cancelled', async () => {
		const h = harness(
			(batch, call) => {
				if (call === 2) h.cancel();
				return allDeleted(batch);
			},
			{ batchSize: 1, concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(5));
		expect(report.requests).toBe(2);
		expect(byId.m1.status).toBe('deleted');
		expect(byId.m2).toMatchObject({ status: 'notAttempted', code: 'CANCELLED' });
		expect(report.stop?.reason).toBe('cancelled');
	});

	it('spreads request starts by the rate limit', async () => {
		const h = harness((batch) => allDeleted(batch), {
			batchSize: 1,
			concurrency: 4,
			requestsPerSecond: 2,
		});
		await h.run(ids(5));
		expect(h.elapsed()).toBe(2000);
	});
});

describe('runTargets with a fetched token', () => {
	it('sends the first request alone, so parallel batches do not all log in', async () => {
		let inFlight = 0;
		let maxInFlightBeforeFirst = 0;
		let firstDone = false;
		const calls: string[] = [];
		const sender: Sender = {
			canRefresh: true,
			async send(request) {
				inFlight++;
				if (!firstDone) maxInFlightBeforeFirst = Math.max(maxInFlightBeforeFirst, inFlight);
				calls.push((request.body as string[])[0]);
				await new Promise((resolve) => setImmediate(resolve));
				inFlight--;
				firstDone = true;
				return answered(allDeleted(request.body as string[]));
			},
		};
		const report = await runTargets(
			fakeProvider(),
			CONTEXT,
			targetsOf(ids(6)),
			settingsWith({ concurrency: 4 }),
			sender,
			NO_WAIT,
			() => false,
		);
		expect(maxInFlightBeforeFirst).toBe(1);
		expect(report.results.every((r) => r.status === 'deleted')).toBe(true);
	});
});

describe('runTargets, provider-specific retry rules', () => {
	it('waits at least minDelayMs', async () => {
		const h = harness(
			(batch, call) =>
				call === 1
					? { kind: 'retry', code: '45011', message: 'minute quota', minDelayMs: 60_000 }
					: allDeleted(batch),
			{ retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 120_000 } },
		);
		await h.run(['a']);
		expect(h.elapsed()).toBeGreaterThanOrEqual(60_000);
	});

	it('retries at most the verdict maxRetries, then stops the run as onExhausted says', async () => {
		const h = harness(
			() => ({
				kind: 'retry',
				code: 'RequestTimeTooSkewed',
				message: 'skewed',
				maxRetries: 1,
				onExhausted: { reason: 'auth', code: 'RequestTimeTooSkewed', message: 'check the clock' },
			}),
			{ batchSize: 1, concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(3));
		expect(h.calls).toHaveLength(2);
		expect(report.stop).toMatchObject({ reason: 'auth', message: 'check the clock' });
		expect(byId.m0).toMatchObject({ status: 'notAttempted', attempts: 2 });
		expect(byId.m2).toMatchObject({ status: 'notAttempted', attempts: 0 });
	});

	it('resends an ID alone once even when its batch held only it', async () => {
		const h = harness(
			(batch, call) =>
				call === 1
					? outcomes([[batch[0], { status: 'error', code: 'InternalError', retryAlone: true }]])
					: allDeleted(batch),
			{ batchSize: 1 },
		);
		const { byId } = await h.run(['a']);
		expect(byId.a).toMatchObject({ status: 'deleted', attempts: 2 });
		expect(h.calls).toHaveLength(2);
	});

	it('stops the run as a configuration error when a request cannot be built', async () => {
		const provider = {
			...fakeProvider(),
			buildRequest: () => {
				throw new Error('Project ID is required');
			},
		};
		const sender: Sender = {
			canRefresh: false,
			send: async () => {
				throw new Error('never sent');
			},
		};
		const report = await runTargets(
			provider,
			CONTEXT,
			targetsOf(ids(3)),
			settingsWith({ concurrency: 2 }),
			sender,
			NO_WAIT,
			() => false,
		);
		expect(report.stop).toMatchObject({ reason: 'config', message: 'Project ID is required' });
		expect(report.results.every((r) => r.status === 'notAttempted')).toBe(true);
		expect(report.requests).toBe(0);
	});
});

describe('runTargets, concurrency', () => {
	/** A sender whose answers take 20 ms, counting requests in flight. */
	function slowSender(answer: (ids: string[], call: number) => BatchVerdict) {
		let inFlight = 0;
		let calls = 0;
		const seen: number[] = [];
		const sender: Sender = {
			canRefresh: false,
			async send(request: IHttpRequestOptions) {
				inFlight++;
				seen.push(inFlight);
				const call = ++calls;
				await new Promise((resolve) => setTimeout(resolve, 20));
				inFlight--;
				return answered(answer(request.body as string[], call));
			},
		};
		return { sender, maxInFlight: () => Math.max(...seen) };
	}

	const realClock = {
		now: () => Date.now(),
		sleep: async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms)),
	};
	const run = async (sender: Sender, concurrency: RunSettings['concurrency'], n: number) => {
		return await runTargets(
			fakeProvider(),
			CONTEXT,
			targetsOf(ids(n)),
			settingsWith({
				concurrency,
				retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 1000 },
			}),
			sender,
			realClock,
			() => false,
		);
	};

	it('a fixed number is the most requests in flight', async () => {
		const s = slowSender((batch) => allDeleted(batch));
		const report = await run(s.sender, 3, 30);
		expect(s.maxInFlight()).toBe(3);
		expect(report.results.every((r) => r.status === 'deleted')).toBe(true);
	});

	it('Auto starts from the provider default, sends more while answers come, never past its ceiling', async () => {
		const s = slowSender((batch) => allDeleted(batch));
		const report = await run(s.sender, 'auto', 400);
		expect(s.maxInFlight()).toBeGreaterThan(4);
		expect(s.maxInFlight()).toBeLessThanOrEqual(32);
		expect(report.results.every((r) => r.status === 'deleted' && r.attempts === 1)).toBe(true);
	});

	it('Auto backs off on a throttle and still gives every ID one result', async () => {
		// Throttles whenever more than 3 are in flight, as a provider with a hidden limit would.
		let inFlight = 0;
		let throttles = 0;
		let most = 0;
		const sender: Sender = {
			canRefresh: false,
			async send(request: IHttpRequestOptions) {
				inFlight++;
				most = Math.max(most, inFlight);
				const over = inFlight > 3;
				await new Promise((resolve) => setTimeout(resolve, 20));
				inFlight--;
				if (over) throttles++;
				const body: BatchVerdict = over
					? {
							kind: 'retry',
							code: 'RATE_LIMITED',
							message: 'slow down',
							throttled: true,
							retryAfterMs: 1,
						}
					: allDeleted(request.body as string[]);
				return answered(body);
			},
		};
		const report = await run(sender, 'auto', 200);
		expect(report.results.every((r) => r.status === 'deleted')).toBe(true);
		expect(throttles).toBeGreaterThan(0);
		// After backing off it stays near the hidden limit instead of hammering it.
		expect(throttles).toBeLessThan(40);
	});

	describe('a request form that is not served (useFallback)', () => {
		const notServed: BatchVerdict = { kind: 'useFallback', code: 'APIG.0101', message: 'no API' };
		/** The fake provider with a one-ID fallback whose sends are counted. */
		const withFallback = () => {
			const singles: string[] = [];
			const provider: Provider<null> = {
				...fakeProvider(),
				fallback: {
					maxBatchSize: 1,
					notice: 'one per request',
					buildRequest: (chunk) => {
						singles.push(chunk[0].id);
						return { url: 'http://fake/one', body: chunk.map((t) => t.id) };
					},
					readResponse: (_chunk, result) => result.body as BatchVerdict,
				},
			};
			return { provider, singles };
		};

		it('stops the run (config) when the provider has no fallback', async () => {
			const h = harness(() => notServed, { concurrency: 1 });
			const { report, byId } = await h.run(ids(7));
			expect(h.calls).toHaveLength(1);
			expect(report.stop).toMatchObject({ reason: 'config', code: 'APIG.0101' });
			expect(Object.values(byId).every((r) => r.status === 'notAttempted')).toBe(true);
		});

		it('resends the refused batches and sends the rest with the fallback, keeping batch numbers', async () => {
			const { provider, singles } = withFallback();
			// Concurrency 2: both first batches are in flight when the first refusal comes back.
			const h = harness(
				(batch) => (batch.length > 1 ? notServed : allDeleted(batch)),
				{ concurrency: 2 },
				true,
				provider,
			);
			const { report, byId } = await h.run(ids(7));
			expect(h.calls.map((c) => c.ids.length)).toEqual([3, 3, 1, 1, 1, 1, 1, 1, 1]);
			expect([...singles].sort()).toEqual(ids(7));
			expect(report.requests).toBe(9);
			expect(report.fallback).toEqual({
				code: 'APIG.0101',
				message: 'no API',
				notice: 'one per request',
			});
			expect(Object.values(byId).every((r) => r.status === 'deleted')).toBe(true);
			expect(byId.m0).toMatchObject({ batch: 1, attempts: 2 });
			expect(byId.m6).toMatchObject({ batch: 3, attempts: 1 });
		});

		it('stops when the fallback says it is not served either', async () => {
			const { provider } = withFallback();
			const h = harness(() => notServed, { concurrency: 1 }, true, provider);
			const { report, byId } = await h.run(ids(4));
			expect(h.calls.map((c) => c.ids.length)).toEqual([3, 1]);
			expect(report.stop).toMatchObject({ reason: 'config', code: 'APIG.0101' });
			expect(Object.values(byId).every((r) => r.status === 'notAttempted')).toBe(true);
		});
	});

	it('lowers the batch size for the rest of the run when a batch is refused as too large', async () => {
		const h = harness(
			(batch) =>
				batch.length > 2
					? {
							kind: 'failBatch',
							status: 'rejected',
							code: 'TOO_MANY',
							message: 'at most 2',
							splittable: true,
							tooLarge: true,
						}
					: allDeleted(batch),
			{ batchSize: 8, concurrency: 1 },
		);
		const { report, byId } = await h.run(ids(16));
		// Refused at 8 and 4; then 2 per request for both batches of 8, never refused again.
		expect(h.calls.map((c) => c.ids.length)).toEqual([8, 4, 2, 2, 2, 2, 2, 2, 2, 2]);
		expect(report.loweredBatchSize).toBe(2);
		expect(report.splitRequests).toBe(0);
		expect(Object.values(byId).every((r) => r.status === 'deleted')).toBe(true);
		expect(byId.m15.batch).toBe(2);
	});
});
