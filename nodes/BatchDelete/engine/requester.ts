import type { IHttpRequestOptions } from 'n8n-workflow';

import type { ConcurrencyControl, RequestOutcome } from './concurrency';
import { RateLimiter } from './rateLimit';
import type { RetryPolicy } from './retry';
import { backoffMs } from './retry';
import type { BatchVerdict, HttpResult } from './types';

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

export interface RunStop {
	reason: 'auth' | 'quota' | 'config' | 'cancelled';
	code: string;
	message: string;
}

type RetryVerdict = Extract<BatchVerdict, { kind: 'retry' }>;
type ReauthVerdict = Extract<BatchVerdict, { kind: 'reauth' }>;
type StopVerdict = Extract<BatchVerdict, { kind: 'stopRun' }>;

/** A provider's reading of an answer: a final verdict, or retry / reauth, which the requester handles. */
type Reading<V> = V | RetryVerdict | ReauthVerdict | StopVerdict;

/** How an exchange ended. `maybeApplied`: a try whose answer was lost may have changed something. */
export type Exchange<V> =
	| { kind: 'answer'; verdict: V | StopVerdict; maybeApplied: boolean }
	/** Retries ran out (or the provider asked to wait longer than the node waits: `waitS`). */
	| { kind: 'gaveUp'; verdict: RetryVerdict; maybeApplied: boolean; waitS?: number }
	/** The token was refused and cannot be (or was already) refreshed; the run is stopped. */
	| { kind: 'refused'; code: string; message: string; maybeApplied: boolean }
	/** The run was stopped (by another request, cancellation, or a request that cannot be built). */
	| { kind: 'halted'; maybeApplied: boolean };

/**
 * How long one request may be refused as throttled before its IDs end `error`: a provider that
 * refuses for this long is not pacing the run, it is closed (stated in the README).
 */
const THROTTLE_PATIENCE_MS = 5 * 60_000;

/** A Retry-After longer than this pauses the whole run, not only the request that got it. */
const LONG_RETRY_AFTER_MS = 1000;

/** One exchange's tries so far. `refreshFrom`: the token epoch the next send refreshes. */
interface Tries {
	retries: number;
	throttles: number;
	throttledSince?: number;
	maybeApplied: boolean;
	refreshed: boolean;
	refreshFrom?: number;
}

/** A request that went out: its result, and what `exchange` needs to account for it. */
type Sent = NonNullable<Awaited<ReturnType<Requester['send']>>>;

interface RequesterSettings {
	requestsPerSecond: number;
	retry: RetryPolicy;
}

/**
 * Every request of a run, delete and list alike, goes out here: one rate limiter, one shared token
 * refresh, retries with backoff and `Retry-After`, and the run's stop. It returns the provider's
 * final verdict or why it gave up; what that means for the IDs is the caller's to say.
 */
export class Requester {
	stop?: RunStop;
	/** Requests sent, by kind. */
	readonly sent = { delete: 0, list: 0 };
	/** Whether any request may have changed something on the provider's side. */
	anyApplied = false;

	private readonly limiter: RateLimiter;
	// Token refresh is shared: the first request that sees a bad token refreshes it; requests that
	// saw the same old token wait for that refresh and resend instead of refreshing again.
	private authEpoch = 0;
	private refreshing: Promise<void> | undefined;
	// With a fetched token, the first request goes alone: parallel first sends would each log in
	// (and a wrong password, tried N times at once, can lock the account).
	private firstSend: Promise<void> | undefined;

	constructor(
		private readonly sender: Sender,
		private readonly clock: Clock,
		private readonly settings: RequesterSettings,
		private readonly isCancelled: () => boolean,
		/** How many requests may be in flight (fixed, or Auto: see concurrency.ts). */
		private readonly control: ConcurrencyControl,
	) {
		this.limiter = new RateLimiter(settings.requestsPerSecond, clock);
	}

	/** Whether the run has stopped; a cancellation becomes the run's stop here. */
	stopped(): boolean {
		if (this.stop === undefined && this.isCancelled()) {
			this.stop = {
				reason: 'cancelled',
				code: 'CANCELLED',
				message: 'The execution was cancelled before this ID was sent',
			};
		}
		return this.stop !== undefined;
	}

	/** Stop the run (the first reason wins). */
	halt(stop: RunStop): void {
		this.stop ??= stop;
	}

	/**
	 * Send what `build` makes until the provider gives a final verdict. `mutating`: a delete, whose
	 * lost answers may have applied; `onSend` runs before each send (attempt counts).
	 */
	async exchange<V>(
		kind: 'delete' | 'list',
		build: () => IHttpRequestOptions,
		read: (result: HttpResult & { kind: 'response' }) => Reading<V>,
		onSend?: () => void,
	): Promise<Exchange<V>> {
		const tries: Tries = { retries: 0, throttles: 0, maybeApplied: false, refreshed: false };
		for (;;) {
			const request = await this.nextRequest(build);
			if (request === undefined) return { kind: 'halted', maybeApplied: tries.maybeApplied };
			// Counted only when it really goes out: a request waiting for the first send, a refresh or
			// a slot is not sent once the run has stopped meanwhile.
			const sent = await this.send(request, tries.refreshFrom, () => {
				this.sent[kind]++;
				onSend?.();
			});
			if (sent === undefined) return { kind: 'halted', maybeApplied: tries.maybeApplied };
			tries.refreshFrom = undefined;
			// Requests waiting behind this one (the first send, a refresh) go on once its answer is
			// read and any stop it causes is set, so none of them is sent after a stop.
			let open = sent.open;
			const settled = () => {
				open?.();
				open = undefined;
			};
			try {
				const ended = await this.answered(kind, sent, read, tries, settled);
				if (ended !== undefined) return ended;
			} finally {
				settled();
			}
		}
	}

	/** The next request once the rate allows it; undefined when the run has stopped or it cannot be built. */
	private async nextRequest(
		build: () => IHttpRequestOptions,
	): Promise<IHttpRequestOptions | undefined> {
		if (this.stopped()) return undefined;
		await this.limiter.take();
		if (this.stopped()) return undefined;
		try {
			return build();
		} catch (error) {
			// A request that cannot be built (missing project ID, bad base URL) fails every request alike.
			this.halt({
				reason: 'config',
				code: 'INVALID_CONFIGURATION',
				message: (error as Error).message,
			});
			return undefined;
		}
	}

	/** What one answer means: how the exchange ends, or undefined to send again (a retry, a refreshed token). */
	private async answered<V>(
		kind: 'delete' | 'list',
		sent: Sent,
		read: (result: HttpResult & { kind: 'response' }) => Reading<V>,
		tries: Tries,
		settled: () => void,
	): Promise<Exchange<V> | undefined> {
		const { result, epoch, started, paced } = sent;
		if (result.kind === 'credential') {
			// The token exchange or signing failed inside n8n: this request never reached the provider.
			this.control.release('error', this.clock.now() - started);
			this.halt({ reason: 'auth', code: result.code, message: result.message });
			return { kind: 'halted', maybeApplied: tries.maybeApplied };
		}
		const verdict: Reading<V> =
			result.kind === 'refused'
				? this.refusal<V>(result)
				: result.kind === 'network'
					? {
							kind: 'retry',
							code: result.code,
							message: result.message,
							maybeApplied: result.maybeApplied,
						}
					: read(result);
		const tagged = verdict as { kind?: string };
		const outcome = outcomeOf(tagged);
		const claim = this.limiter.answered(outcome, started);
		if (claim === 'cut') this.control.rateFound();
		// A request the learned rate held back was limited by the rate, not by the requests in
		// flight, and a throttle of an event the rate already answered needs no second cut: those
		// are the rate's to learn from. The in-flight control cuts once per event, as before.
		this.control.release(paced || claim !== 'none' ? 'paced' : outcome, this.clock.now() - started);
		if (tagged.kind === 'retry')
			return await this.retried(kind, verdict as RetryVerdict, tries, settled);
		if (tagged.kind === 'reauth') return this.reauthorised(verdict as ReauthVerdict, tries, epoch);
		if (tagged.kind === 'stopRun') {
			const stop = verdict as StopVerdict;
			this.halt({ reason: stop.reason, code: stop.code, message: stop.message });
		}
		return {
			kind: 'answer',
			verdict: verdict as V | StopVerdict,
			maybeApplied: tries.maybeApplied,
		};
	}

	/** A retry verdict: give up, or wait and return undefined to send again. */
	private async retried(
		kind: 'delete' | 'list',
		retry: RetryVerdict,
		tries: Tries,
		settled: () => void,
	): Promise<Exchange<never> | undefined> {
		tries.maybeApplied ||= kind === 'delete' && retry.maybeApplied === true;
		const { maybeApplied } = tries;
		this.anyApplied ||= maybeApplied;
		const cancelled = this.isCancelled();
		// A throttle is the provider pacing the run, not this request failing: it does not spend
		// Max Retries (the run sends fewer and slower instead); only refusing for longer than
		// THROTTLE_PATIENCE_MS ends it.
		const throttled = retry.throttled === true;
		if (throttled) tries.throttledSince ??= this.clock.now();
		const refusedTooLong =
			tries.throttledSince !== undefined &&
			this.clock.now() - tries.throttledSince >= THROTTLE_PATIENCE_MS;
		if (
			(!throttled && tries.retries >= this.settings.retry.maxRetries) ||
			tries.retries + tries.throttles >= (retry.maxRetries ?? Infinity) ||
			refusedTooLong ||
			cancelled
		) {
			if (retry.onExhausted !== undefined && !cancelled) this.halt(retry.onExhausted);
			const gaveUp = refusedTooLong
				? {
						...retry,
						message: `${retry.message}, for ${THROTTLE_PATIENCE_MS / 60_000} minutes running (the longest this node waits out throttling)`,
					}
				: retry;
			return { kind: 'gaveUp', verdict: gaveUp, maybeApplied };
		}
		const delay =
			retry.retryAfterMs ??
			Math.max(
				backoffMs(throttled ? Math.min(tries.throttles, 3) : tries.retries, this.settings.retry),
				retry.minDelayMs ?? 0,
			);
		if (delay > this.settings.retry.maxDelayMs)
			return { kind: 'gaveUp', verdict: retry, maybeApplied, waitS: Math.ceil(delay / 1000) };
		// A Retry-After over a second (a quota that resets later) holds every request back; a
		// shorter one (a per-second window) delays this request, and the learned rate the rest.
		if (retry.retryAfterMs !== undefined && retry.retryAfterMs > LONG_RETRY_AFTER_MS)
			this.limiter.pushBack(delay);
		if (throttled) tries.throttles++;
		else tries.retries++;
		settled();
		await this.clock.sleep(delay);
		return undefined;
	}

	/** A refused token: refresh it once (undefined: send again), else the run stops. */
	private reauthorised(
		reauth: ReauthVerdict,
		tries: Tries,
		epoch: number,
	): Exchange<never> | undefined {
		if (tries.refreshed || !this.sender.canRefresh) {
			// When another request's refresh already failed, its words say what to do.
			const why = this.stop?.reason === 'auth' ? this.stop : reauth;
			this.halt({ reason: 'auth', code: reauth.code, message: reauth.message });
			const { code, message } = why;
			return { kind: 'refused', code, message, maybeApplied: tries.maybeApplied };
		}
		tries.refreshed = true;
		tries.refreshFrom = epoch;
		return undefined;
	}

	/** What a request the transport refused means: nothing more is sent when every request of the
	 * run would be refused alike; the refused request's IDs fail with the refusal's status. */
	private refusal<V>(result: HttpResult & { kind: 'refused' }): Reading<V> {
		const { code, message } = result;
		if (result.stopRun) this.halt({ reason: 'config', code, message });
		if (result.status === 'notAttempted')
			return { kind: 'stopRun', reason: 'config', code, message };
		return { kind: 'failBatch', status: result.status, code, message } as unknown as V;
	}

	/**
	 * Undefined: not sent, the run stopped while this request waited its turn. `open` (the first
	 * send, a refresh): lets the requests waiting for this one go on; `exchange` calls it.
	 */
	private async send(
		request: IHttpRequestOptions,
		refreshFrom: number | undefined,
		onSend: () => void,
	) {
		const gated = async (which: 'first' | 'refresh') => {
			let open!: () => void;
			const gate = new Promise<void>((resolve) => (open = resolve));
			if (which === 'first') this.firstSend = gate;
			else this.refreshing = gate;
			const sent = await this.sendInSlot(request, which === 'refresh', onSend);
			if (sent === undefined) open();
			return sent === undefined ? undefined : { ...sent, epoch: this.authEpoch, open };
		};
		if (refreshFrom !== undefined && this.authEpoch === refreshFrom) {
			this.authEpoch++;
			return await gated('refresh');
		}
		if (this.refreshing !== undefined) await this.refreshing;
		if (this.sender.canRefresh) {
			if (this.firstSend === undefined) return await gated('first');
			await this.firstSend;
		}
		const epoch = this.authEpoch;
		const sent = await this.sendInSlot(request, false, onSend);
		return sent === undefined ? undefined : { ...sent, epoch, open: undefined };
	}

	/** One request in a concurrency slot; `exchange` releases it with what the answer said. */
	private async sendInSlot(request: IHttpRequestOptions, refresh: boolean, onSend: () => void) {
		if (this.stopped()) return undefined;
		await this.control.acquire();
		if (this.stopped()) {
			// The run is over: what the slot says no longer steers anything.
			this.control.release('ok', 0);
			return undefined;
		}
		// The learned rate is kept here, in the slot: a pace taken before waiting for a slot would be
		// spent by the time the slot frees, and the requests waiting for slots would go out at once.
		const paced = await this.limiter.pace();
		if (this.stopped()) {
			this.control.release('ok', 0);
			return undefined;
		}
		onSend();
		const started = this.clock.now();
		return { result: await this.sender.send(request, refresh), started, paced };
	}
}

/** What an answer tells the concurrency control: only a throttle or a timeout says "fewer". */
function outcomeOf(verdict: { kind?: string; throttled?: boolean; code?: string }): RequestOutcome {
	if (verdict.kind === 'retry')
		return verdict.throttled === true
			? 'throttled'
			: verdict.code === 'TIMEOUT'
				? 'timeout'
				: 'error';
	if (verdict.kind === 'reauth' || verdict.kind === 'stopRun') return 'error';
	return 'ok';
}
