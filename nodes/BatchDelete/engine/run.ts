import type { IHttpRequestOptions } from 'n8n-workflow';

import type { ConcurrencyControl, RequestOutcome } from './concurrency';
import { AUTO_MAX_CONCURRENCY, adaptiveConcurrency, fixedConcurrency } from './concurrency';
import type { Unit } from './plan';
import { chunkByScope } from './plan';
import { RateLimiter } from './rateLimit';
import type { RetryPolicy } from './retry';
import { backoffMs } from './retry';
import type { BatchVerdict, HttpResult, IdOutcome, OutcomeStatus, Provider, ProviderContext } from './types';

export interface RunSettings {
	batchSize: number;
	/** Requests in flight: a fixed number, or 'auto' (see concurrency.ts). */
	concurrency: number | 'auto';
	requestsPerSecond: number;
	treatNotFoundAsDeleted: boolean;
	retry: RetryPolicy;
	/** Extra requests the run may spend halving batches that were rejected as a whole. */
	maxSplitRequests: number;
}

/** The one door to HTTP (see transport.ts); tests can put a fake behind it. */
export interface Sender {
	/** Send one request; `refreshToken` fetches a new token first. Never throws. */
	send(request: IHttpRequestOptions, refreshToken: boolean): Promise<HttpResult>;
	/** Whether the credential holds a token that can be fetched again. */
	readonly canRefresh: boolean;
}

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface UnitResult {
	status: OutcomeStatus;
	code?: string;
	message?: string;
	/** 1-based number of the batch the ID was sent in; null when it was never put in one. */
	batch: number | null;
	/** Requests that carried this ID. */
	attempts: number;
	/** Extra requests spent halving this ID's batch after the provider rejected it whole; absent
	 * when the batch was never split. */
	splitRequests?: number;
}

export interface RunStop {
	reason: 'auth' | 'quota' | 'config' | 'cancelled';
	code: string;
	message: string;
}

export interface RunReport {
	/** Parallel to the units passed in. */
	results: UnitResult[];
	requests: number;
	splitRequests: number;
	stop?: RunStop;
	/** Whether any request may have changed something on the provider's side. */
	anyApplied: boolean;
}

const NOT_IN_RESPONSE = {
	code: 'NOT_IN_RESPONSE',
	message: 'The provider answered but did not mention this ID, so whether it was deleted is unknown',
};

/** One context, or one per scope (a unit's `scope` indexes it). */
export type Contexts<P> = ProviderContext<P> | Array<ProviderContext<P>>;

export function contextOf<P>(contexts: Contexts<P>, unit: Unit): ProviderContext<P> {
	return Array.isArray(contexts) ? contexts[unit.scope ?? 0] : contexts;
}

/** The result of a unit that is never sent. */
export function invalidResult(unit: Unit): UnitResult {
	return { status: 'invalid', code: unit.invalidCode ?? 'INVALID_ID', message: unit.invalidReason, batch: null, attempts: 0 };
}

/**
 * Delete the valid units in chunks: bounded concurrency, one rate limiter, retries with backoff,
 * one token refresh per batch, batch halving for whole-batch rejections, and a stop for the rest
 * of the run when nothing more can succeed. Chunks never mix scopes; concurrency, the limiter,
 * token refresh and the split budget are shared by all. Every unit ends with exactly one result.
 */
export async function runDeletion<P>(
	provider: Provider<P>,
	contexts: Contexts<P>,
	units: Unit[],
	settings: RunSettings,
	sender: Sender,
	clock: Clock,
	isCancelled: () => boolean,
): Promise<RunReport> {
	const results: Array<UnitResult | undefined> = new Array(units.length);
	const attempts = new Uint32Array(units.length);
	const batchOf = new Int32Array(units.length);
	const limiter = new RateLimiter(settings.requestsPerSecond, clock);
	const control: ConcurrencyControl =
		settings.concurrency === 'auto'
			? adaptiveConcurrency({ initial: provider.defaultConcurrency, max: AUTO_MAX_CONCURRENCY }, clock)
			: fixedConcurrency(settings.concurrency);
	let requests = 0;
	let splitRequests = 0;
	const splitsByBatch = new Map<number, number>();
	let stop: RunStop | undefined;
	let anyApplied = false;

	// Token refresh is shared: the first batch that sees a bad token refreshes it, batches that
	// saw the same old token wait for that refresh and resend instead of refreshing again.
	let authEpoch = 0;
	let refreshing: Promise<unknown> | undefined;
	// With a fetched token, the first request goes alone: parallel first sends would each log in
	// (and a wrong password, tried N times at once, can lock the account).
	let firstSend: Promise<unknown> | undefined;

	const indexOf = new Map<Unit, number>();
	units.forEach((unit, index) => {
		if (unit.invalidReason !== undefined) {
			results[index] = invalidResult(unit);
		} else {
			indexOf.set(unit, index);
		}
	});

	const finish = (indices: number[], status: OutcomeStatus, code?: string, message?: string) => {
		for (const i of indices) {
			if (status === 'deleted' || status === 'alreadyGone') anyApplied = true;
			results[i] = { status, code, message, batch: batchOf[i] || null, attempts: attempts[i] };
		}
	};

	const stopped = (): boolean => {
		if (stop === undefined && isCancelled()) {
			stop = { reason: 'cancelled', code: 'CANCELLED', message: 'The execution was cancelled before this ID was sent' };
		}
		return stop !== undefined;
	};

	/** One request through a concurrency slot; the caller releases it with the outcome. */
	const sendInSlot = async (request: IHttpRequestOptions, refresh: boolean) => {
		await control.acquire();
		const started = clock.now();
		const result = await sender.send(request, refresh);
		return { result, started };
	};

	const send = async (request: IHttpRequestOptions, refreshFrom: number | undefined) => {
		if (refreshFrom !== undefined && authEpoch === refreshFrom) {
			authEpoch++;
			const sending = sendInSlot(request, true);
			refreshing = sending;
			return { ...(await sending), epoch: authEpoch };
		}
		if (refreshing !== undefined) await refreshing;
		if (sender.canRefresh) {
			if (firstSend === undefined) {
				const sending = sendInSlot(request, false);
				firstSend = sending;
				return { ...(await sending), epoch: authEpoch };
			}
			await firstSend;
		}
		const epoch = authEpoch;
		return { ...(await sendInSlot(request, false)), epoch };
	};

	const verdictOf = (indices: number[], result: HttpResult): BatchVerdict => {
		if (result.kind === 'network') {
			return { kind: 'retry', code: result.code, message: result.message, maybeApplied: result.maybeApplied };
		}
		if (result.kind === 'credential') {
			return { kind: 'stopRun', reason: 'auth', code: result.code, message: result.message };
		}
		return provider.readResponse(
			indices.map((i) => units[i]),
			result,
			contextOf(contexts, units[indices[0]]),
		);
	};

	/** `resentAlone`: this is the one resend of an ID the provider asked to retry on its own. */
	const runChunk = async (indices: number[], batch: number, resentAlone = false): Promise<void> => {
		for (const i of indices) batchOf[i] = batch;
		let retries = 0;
		let maybeApplied = false;
		let refreshed = false;
		let refreshFrom: number | undefined;
		for (;;) {
			if (stopped()) {
				finish(indices, maybeApplied ? 'unknown' : 'notAttempted', stop!.code, stop!.message);
				return;
			}
			await limiter.take();
			if (stopped()) {
				finish(indices, maybeApplied ? 'unknown' : 'notAttempted', stop!.code, stop!.message);
				return;
			}
			let request: IHttpRequestOptions;
			try {
				request = provider.buildRequest(
					indices.map((i) => units[i]),
					contextOf(contexts, units[indices[0]]),
				);
			} catch (error) {
				// A request that cannot be built (missing project ID, bad base URL) fails every batch alike.
				stop ??= { reason: 'config', code: 'INVALID_CONFIGURATION', message: (error as Error).message };
				finish(indices, maybeApplied ? 'unknown' : 'notAttempted', stop.code, stop.message);
				return;
			}
			requests++;
			for (const i of indices) attempts[i]++;
			const { result, epoch, started } = await send(request, refreshFrom);
			refreshFrom = undefined;
			const verdict = verdictOf(indices, result);
			control.release(outcomeOf(verdict), clock.now() - started);

			switch (verdict.kind) {
				case 'outcomes': {
					anyApplied = true;
					const alone: number[] = [];
					for (const i of indices) {
						const outcome = verdict.outcomes.get(units[i].id);
						if (outcome === undefined) {
							finish([i], 'unknown', NOT_IN_RESPONSE.code, NOT_IN_RESPONSE.message);
						} else if (outcome.retryAlone === true && !resentAlone) {
							alone.push(i);
						} else if (maybeApplied && outcome.status === 'notFound' && !settings.treatNotFoundAsDeleted) {
							// Not found after a try whose answer was lost: that try most likely deleted it.
							finish([i], 'unknown', outcome.code, `${outcome.message ?? 'Not found'}, but an earlier try whose answer was lost may have deleted it`);
						} else {
							finish([i], settleStatus(outcome.status, settings), outcome.code, outcome.message);
						}
					}
					for (const i of alone) await runChunk([i], batch, true);
					return;
				}
				case 'retry': {
					maybeApplied ||= verdict.maybeApplied === true;
					anyApplied ||= maybeApplied;
					if (retries >= Math.min(settings.retry.maxRetries, verdict.maxRetries ?? Infinity) || isCancelled()) {
						if (verdict.onExhausted !== undefined && !isCancelled()) {
							stop ??= { reason: verdict.onExhausted.reason, code: verdict.onExhausted.code, message: verdict.onExhausted.message };
						}
						finish(indices, maybeApplied ? 'unknown' : verdict.onExhausted !== undefined ? 'notAttempted' : 'error', verdict.code, verdict.message);
						return;
					}
					const delay = verdict.retryAfterMs ?? Math.max(backoffMs(retries, settings.retry), verdict.minDelayMs ?? 0);
					if (delay > settings.retry.maxDelayMs) {
						const wait = Math.ceil(delay / 1000);
						finish(indices, maybeApplied ? 'unknown' : 'error', verdict.code,
							`${verdict.message} (the provider asked to wait ${wait} s, longer than this node waits)`);
						return;
					}
					if (verdict.retryAfterMs !== undefined) limiter.pushBack(delay);
					retries++;
					await clock.sleep(delay);
					continue;
				}
				case 'reauth': {
					if (refreshed || !sender.canRefresh) {
						// When another batch's refresh already failed, its words say what to do.
						const why = stop?.reason === 'auth' ? stop : verdict;
						stop ??= { reason: 'auth', code: verdict.code, message: verdict.message };
						finish(indices, maybeApplied ? 'unknown' : 'notAttempted', why.code, why.message);
						return;
					}
					refreshed = true;
					refreshFrom = epoch;
					continue;
				}
				case 'failBatch': {
					const extra = 2;
					const canSplit = verdict.splittable === true && indices.length > 1;
					if (canSplit && splitRequests + extra <= settings.maxSplitRequests) {
						splitRequests += extra;
						splitsByBatch.set(batch, (splitsByBatch.get(batch) ?? 0) + extra);
						const half = Math.ceil(indices.length / 2);
						await runChunk(indices.slice(0, half), batch);
						await runChunk(indices.slice(half), batch);
						return;
					}
					const status = verdict.status === 'unknown' ? 'unknown' : settleStatus(verdict.status, settings);
					const message = canSplit
						? `${verdict.message} (not split further: this run already made the most extra requests it may spend on splitting, ${settings.maxSplitRequests})`
						: verdict.message;
					finish(indices, maybeApplied && status !== 'deleted' ? 'unknown' : status, verdict.code, message);
					return;
				}
				case 'stopRun': {
					stop ??= { reason: verdict.reason, code: verdict.code, message: verdict.message };
					finish(indices, maybeApplied ? 'unknown' : 'notAttempted', verdict.code, verdict.message);
					return;
				}
			}
		}
	};

	const sendable = units.filter((unit) => unit.invalidReason === undefined);
	const chunks = chunkByScope(sendable, settings.batchSize).map((chunk) => chunk.map((unit) => indexOf.get(unit)!));
	let next = 0;
	const worker = async () => {
		while (next < chunks.length && !stopped()) {
			const batch = next++;
			await runChunk(chunks[batch], batch + 1);
		}
	};
	const workers = settings.concurrency === 'auto' ? AUTO_MAX_CONCURRENCY : settings.concurrency;
	await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, chunks.length)) }, worker));

	// Chunks no worker reached because the run stopped.
	const fallback = stop ?? { code: 'NOT_SENT', message: 'Not sent' };
	// Array.from, not map: map skips the holes, which are exactly the units never reached.
	const final = Array.from(results, (result, i): UnitResult => {
		const out = result ?? { status: 'notAttempted', code: fallback.code, message: fallback.message, batch: null, attempts: attempts[i] };
		const splits = out.batch === null ? undefined : splitsByBatch.get(out.batch);
		return splits === undefined ? out : { ...out, splitRequests: splits };
	});
	return { results: final, requests, splitRequests, stop, anyApplied };
}

/** What an answer says about the load the provider takes: only throttles and timeouts slow Auto down. */
function outcomeOf(verdict: BatchVerdict): RequestOutcome {
	if (verdict.kind === 'outcomes' || verdict.kind === 'failBatch') return 'ok';
	if (verdict.kind === 'retry') return verdict.throttled === true ? 'throttled' : verdict.code === 'TIMEOUT' ? 'timeout' : 'error';
	return 'error';
}

/** A provider says `notFound`; the user decides whether that counts as gone. */
function settleStatus(status: IdOutcome['status'], settings: RunSettings): OutcomeStatus {
	if (status === 'notFound' && settings.treatNotFoundAsDeleted) return 'alreadyGone';
	return status;
}
