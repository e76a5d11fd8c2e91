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
	private refreshing: Promise<unknown> | undefined;
	// With a fetched token, the first request goes alone: parallel first sends would each log in
	// (and a wrong password, tried N times at once, can lock the account).
	private firstSend: Promise<unknown> | undefined;

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
		let retries = 0;
		let maybeApplied = false;
		let refreshed = false;
		let refreshFrom: number | undefined;
		for (;;) {
			if (this.stopped()) return { kind: 'halted', maybeApplied };
			await this.limiter.take();
			if (this.stopped()) return { kind: 'halted', maybeApplied };
			let request: IHttpRequestOptions;
			try {
				request = build();
			} catch (error) {
				// A request that cannot be built (missing project ID, bad base URL) fails every request alike.
				this.halt({
					reason: 'config',
					code: 'INVALID_CONFIGURATION',
					message: (error as Error).message,
				});
				return { kind: 'halted', maybeApplied };
			}
			this.sent[kind]++;
			onSend?.();
			const { result, epoch, started } = await this.send(request, refreshFrom);
			refreshFrom = undefined;
			const verdict: Reading<V> =
				result.kind === 'network'
					? {
							kind: 'retry',
							code: result.code,
							message: result.message,
							maybeApplied: result.maybeApplied,
						}
					: result.kind === 'credential'
						? { kind: 'stopRun', reason: 'auth', code: result.code, message: result.message }
						: read(result);
			this.control.release(outcomeOf(verdict as { kind?: string }), this.clock.now() - started);
			const tagged = verdict as { kind?: string };
			if (tagged.kind === 'retry') {
				const retry = verdict as RetryVerdict;
				maybeApplied ||= kind === 'delete' && retry.maybeApplied === true;
				this.anyApplied ||= maybeApplied;
				const cancelled = this.isCancelled();
				if (
					retries >= Math.min(this.settings.retry.maxRetries, retry.maxRetries ?? Infinity) ||
					cancelled
				) {
					if (retry.onExhausted !== undefined && !cancelled) this.halt(retry.onExhausted);
					return { kind: 'gaveUp', verdict: retry, maybeApplied };
				}
				const delay =
					retry.retryAfterMs ??
					Math.max(backoffMs(retries, this.settings.retry), retry.minDelayMs ?? 0);
				if (delay > this.settings.retry.maxDelayMs)
					return { kind: 'gaveUp', verdict: retry, maybeApplied, waitS: Math.ceil(delay / 1000) };
				// A throttled answer pushes every request back, not only the one that saw it.
				if (retry.retryAfterMs !== undefined) this.limiter.pushBack(delay);
				retries++;
				await this.clock.sleep(delay);
				continue;
			}
			if (tagged.kind === 'reauth') {
				const reauth = verdict as ReauthVerdict;
				if (refreshed || !this.sender.canRefresh) {
					// When another request's refresh already failed, its words say what to do.
					const why = this.stop?.reason === 'auth' ? this.stop : reauth;
					this.halt({ reason: 'auth', code: reauth.code, message: reauth.message });
					return { kind: 'refused', code: why.code, message: why.message, maybeApplied };
				}
				refreshed = true;
				refreshFrom = epoch;
				continue;
			}
			if (tagged.kind === 'stopRun') {
				const stop = verdict as StopVerdict;
				this.halt({ reason: stop.reason, code: stop.code, message: stop.message });
			}
			return { kind: 'answer', verdict: verdict as V | StopVerdict, maybeApplied };
		}
	}

	private async send(request: IHttpRequestOptions, refreshFrom: number | undefined) {
		if (refreshFrom !== undefined && this.authEpoch === refreshFrom) {
			this.authEpoch++;
			const sending = this.sendInSlot(request, true);
			this.refreshing = sending;
			return { ...(await sending), epoch: this.authEpoch };
		}
		if (this.refreshing !== undefined) await this.refreshing;
		if (this.sender.canRefresh) {
			if (this.firstSend === undefined) {
				const sending = this.sendInSlot(request, false);
				this.firstSend = sending;
				return { ...(await sending), epoch: this.authEpoch };
			}
			await this.firstSend;
		}
		const epoch = this.authEpoch;
		return { ...(await this.sendInSlot(request, false)), epoch };
	}

	/** One request in a concurrency slot; `exchange` releases it with what the answer said. */
	private async sendInSlot(request: IHttpRequestOptions, refresh: boolean) {
		await this.control.acquire();
		const started = this.clock.now();
		return { result: await this.sender.send(request, refresh), started };
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
