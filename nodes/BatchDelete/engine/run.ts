import type { IDataObject } from 'n8n-workflow';

import { AUTO_MAX_CONCURRENCY, adaptiveConcurrency, fixedConcurrency } from './concurrency';
import { chunkIndices } from './plan';
import type { Clock, Exchange, RunStop, Sender } from './requester';
import { Requester } from './requester';
import type { ResultStatus, TargetResult } from './results';
import { GONE, Results } from './results';
import type { RetryPolicy } from './retry';
import type {
	BatchVerdict,
	FallbackRequests,
	IdOutcome,
	OutcomeStatus,
	Provider,
	ProviderContext,
	Target,
} from './types';

export type { Clock, RunStop, Sender } from './requester';
export type { TargetResult } from './results';

export interface RunSettings {
	batchSize: number;
	/** Requests in flight: a fixed number, or 'auto' (see concurrency.ts). */
	concurrency: number | 'auto';
	requestsPerSecond: number;
	treatNotFoundAsDeleted: boolean;
	retry: RetryPolicy;
	/** Extra requests the run may spend halving batches that were rejected as a whole. */
	maxSplitRequests: number;
	/** Send nothing: every valid target ends `dryRun` with the request that would delete it. */
	dryRun?: boolean;
}

/**
 * Where a run's targets come from: the input items (By ID, one batch) or the provider's list pages
 * (By Filter). The engine hands back each batch's results before it asks for the next batch.
 */
export type TargetSource<E> = AsyncGenerator<Target[], E, Results>;

/** Counts so far, for progress lines: targets settled, by status. */
export interface Tally {
	settled: number;
	byStatus: Partial<Record<ResultStatus, number>>;
	/** Delete requests sent. */
	requests: number;
}

interface PipelineHooks {
	/** Each source batch with its results, as soon as it is done (default: kept in the report). */
	sink?: (targets: Target[], results: Results) => void;
	/** After every request's IDs are settled. */
	progress?: (tally: Tally) => void;
}

export interface RunReport<E = void> {
	/** Every source batch and its results, unless a sink took them. */
	batches: Array<{ targets: Target[]; results: Results }>;
	/** Delete requests sent. */
	requests: number;
	listRequests: number;
	splitRequests: number;
	/** Batches the run made (sent or, with a stop, left unsent). */
	batchCount: number;
	stop?: RunStop;
	/** Whether any request may have changed something on the provider's side. */
	anyApplied: boolean;
	/** Set when the run switched to the provider's fallback requests: the answer that made it. */
	fallback?: { code: string; message: string; notice: string };
	/** The batch size the run ended with, when an answer made it lower the one it started with. */
	loweredBatchSize?: number;
	/** What the source said when it ended (By Filter: its counts and why it stopped listing). */
	end: E;
}

/** One context, or one per scope (a target's `scope` indexes it). */
type Contexts<P> = ProviderContext<P> | Array<ProviderContext<P>>;

function contextOf<P>(contexts: Contexts<P>, target: Target): ProviderContext<P> {
	return Array.isArray(contexts) ? contexts[target.scope ?? 0] : contexts;
}

/** The result of a target that is never sent. */
function invalidResult(target: Target): TargetResult {
	return {
		status: 'invalid',
		code: target.invalidCode ?? 'INVALID_ID',
		message: target.invalidReason,
		batch: null,
		attempts: 0,
	};
}

const NOT_IN_RESPONSE = {
	code: 'NOT_IN_RESPONSE',
	message:
		'The provider answered but did not mention this ID, so whether it was deleted is unknown',
};

/**
 * The one pipeline. Units come from `source` batch by batch; each batch is chunked (never mixing
 * scopes) and deleted with bounded concurrency through one Requester (rate limit, retries, token
 * refresh, stop) shared with the source's own list requests; whole-batch rejections are halved
 * within one split budget. Every target ends with exactly one result; the engine builds no n8n items.
 */
export async function runPipeline<P, E>(
	provider: Provider<P>,
	contexts: Contexts<P>,
	source: (requester: Requester) => TargetSource<E>,
	settings: RunSettings,
	sender: Sender,
	clock: Clock,
	isCancelled: () => boolean,
	hooks: PipelineHooks = {},
): Promise<RunReport<E>> {
	const control =
		settings.concurrency === 'auto'
			? adaptiveConcurrency(
					{ initial: provider.defaultConcurrency, max: AUTO_MAX_CONCURRENCY },
					clock,
				)
			: fixedConcurrency(settings.concurrency, clock);
	const requester = new Requester(sender, clock, settings, isCancelled, control);
	const engine = new DeleteEngine(provider, contexts, settings, requester, hooks.progress);
	const batches: RunReport<E>['batches'] = [];
	const sink =
		hooks.sink ??
		((targets: Target[], results: Results) => void batches.push({ targets, results }));
	const generator = source(requester);
	let step = await generator.next(undefined as unknown as Results);
	while (!step.done) {
		const targets = step.value;
		const results = settings.dryRun ? engine.dryRun(targets) : await engine.delete(targets);
		sink(targets, results);
		step = await generator.next(results);
	}
	return {
		batches,
		requests: requester.sent.delete,
		listRequests: requester.sent.list,
		splitRequests: engine.splitRequests,
		batchCount: engine.batchCount,
		...(engine.fallback === undefined ? {} : { fallback: engine.fallback }),
		...(engine.batchLimit < settings.batchSize ? { loweredBatchSize: engine.batchLimit } : {}),
		stop: requester.stop,
		anyApplied: requester.anyApplied,
		end: step.value,
	};
}

/** The targets as one batch: the By ID source. */
export async function* targetsSource(targets: Target[]): TargetSource<void> {
	yield targets;
}

/** A chunk waiting for a worker. `maybeApplied`: an earlier send of these IDs lost its answer. */
interface Job {
	indices: number[];
	batch: number;
	maybeApplied?: boolean;
}

/** Deletes batches of targets; batch numbers and the split budget run across all batches of a run. */
class DeleteEngine<P> {
	splitRequests = 0;
	batchCount = 0;
	/** The scope whose answer stopped the run, when one did. */
	private stopScope: number | undefined;
	/** The largest chunk sent from now on: the batch size, lowered by `tooLarge` answers or to
	 * the fallback's maximum. It holds for the rest of the run (later source batches too). */
	batchLimit: number;
	/** Set once the run uses the provider's fallback requests (see `switchToFallback`). */
	fallback?: RunReport['fallback'];
	/** The request form in use: the provider's own, or its fallback. */
	private form: Pick<FallbackRequests<P>, 'buildRequest' | 'readResponse'>;
	private readonly tally: Tally = { settled: 0, byStatus: {}, requests: 0 };

	constructor(
		private readonly provider: Provider<P>,
		private readonly contexts: Contexts<P>,
		private readonly settings: RunSettings,
		private readonly requester: Requester,
		private readonly progress?: (tally: Tally) => void,
	) {
		this.batchLimit = settings.batchSize;
		this.form = provider;
	}

	/** Send the rest of the run with the provider's fallback requests (once; false if it has none). */
	private switchToFallback(verdict: { code: string; message: string }): boolean {
		const fallback = this.provider.fallback;
		if (fallback === undefined) return false;
		if (this.fallback === undefined) {
			this.fallback = { code: verdict.code, message: verdict.message, notice: fallback.notice };
			this.form = fallback;
			this.batchLimit = Math.min(this.batchLimit, fallback.maxBatchSize);
		}
		return true;
	}

	/** What a run would send, without sending it. */
	dryRun(targets: Target[]): Results {
		const results = new Results(targets.length);
		for (const indices of chunkIndices(targets, this.settings.batchSize)) {
			const chunk = indices.map((i) => targets[i]);
			const batch = ++this.batchCount;
			let request: IDataObject;
			try {
				const built = this.provider.buildRequest(chunk, contextOf(this.contexts, chunk[0]));
				request = { method: built.method ?? 'GET', url: built.url };
				if (built.qs !== undefined) request.qs = built.qs as IDataObject;
				if (built.body !== undefined) request.body = built.body as IDataObject;
			} catch (error) {
				request = { error: (error as Error).message };
			}
			const line: IDataObject = {
				method: request.method ?? null,
				url: request.url ?? null,
				ids: chunk.length,
			};
			indices.forEach((i, position) => {
				results.set(i, {
					status: 'dryRun',
					batch,
					attempts: 0,
					request: position === 0 ? { ...line, ...request } : line,
				});
			});
		}
		targets.forEach((target, i) => {
			if (!results.has(i)) results.set(i, invalidResult(target));
		});
		return results;
	}

	/** Delete one batch of targets; the results are parallel to `targets`. */
	async delete(targets: Target[]): Promise<Results> {
		const { provider, contexts, settings, requester, tally } = this;
		const results = new Results(targets.length);
		const attempts = results.attempts;
		const batchOf = results.batch;
		const splitsByBatch = results.splitsByBatch;

		targets.forEach((target, index) => {
			if (target.invalidReason !== undefined) results.set(index, invalidResult(target));
		});

		const finish = (indices: number[], status: OutcomeStatus, code?: string, message?: string) => {
			if (GONE.has(status)) requester.anyApplied = true;
			for (const i of indices)
				results.set(i, { status, code, message, batch: batchOf[i] || null, attempts: attempts[i] });
			tally.settled += indices.length;
			tally.byStatus[status] = (tally.byStatus[status] ?? 0) + indices.length;
		};
		const settle = (status: IdOutcome['status']): OutcomeStatus =>
			status === 'notFound' && settings.treatNotFoundAsDeleted ? 'alreadyGone' : status;

		// Chunks wait here for a worker; answers that change the run's shape (a lower batch size,
		// the fallback requests) put their IDs back, to be sent again in the new shape.
		const queue: Job[] = [];
		const requeue = (job: Job) => {
			queue.unshift(job);
			startWorkers();
		};

		/** `resentAlone`: this is the one resend of an ID the provider asked to retry on its own;
		 * `earlierMaybeApplied`: a send of these IDs before a requeue may have applied. */
		const runChunk = async (
			indices: number[],
			batch: number,
			resentAlone = false,
			earlierMaybeApplied = false,
		): Promise<void> => {
			for (const i of indices) batchOf[i] = batch;
			const chunk = indices.map((i) => targets[i]);
			const ctx = contextOf(contexts, chunk[0]);
			const form = this.form;
			const exchange: Exchange<BatchVerdict> = await requester.exchange(
				'delete',
				() => form.buildRequest(chunk, ctx),
				(result) => form.readResponse(chunk, result, ctx),
				() => {
					for (const i of indices) attempts[i]++;
				},
			);
			const maybeApplied = exchange.maybeApplied || earlierMaybeApplied;
			const unanswered = maybeApplied ? 'unknown' : 'notAttempted';
			// Sent and refused as a whole (a credential or a quota the run stops on): not deleted.
			const refused = maybeApplied ? 'unknown' : 'rejected';
			switch (exchange.kind) {
				case 'halted': {
					const stop = this.stopFor(chunk[0]);
					finish(indices, unanswered, stop.code, stop.message);
					return;
				}
				case 'refused':
					this.stopScope ??= chunk[0].scope ?? 0;
					finish(indices, refused, exchange.code, exchange.message);
					return;
				case 'gaveUp': {
					const verdict = exchange.verdict;
					if (exchange.waitS !== undefined) {
						finish(
							indices,
							maybeApplied ? 'unknown' : 'error',
							verdict.code,
							`${verdict.message} (the provider asked to wait ${exchange.waitS} s, longer than this node waits)`,
						);
					} else {
						finish(
							indices,
							maybeApplied
								? 'unknown'
								: verdict.onExhausted !== undefined
									? 'notAttempted'
									: 'error',
							verdict.code,
							verdict.message,
						);
					}
					return;
				}
				case 'answer':
					break;
			}
			const verdict = exchange.verdict;
			switch (verdict.kind) {
				case 'outcomes': {
					requester.anyApplied = true;
					const alone: number[] = [];
					for (const i of indices) {
						const outcome = verdict.outcomes.get(targets[i].id);
						if (outcome === undefined) {
							finish([i], 'unknown', NOT_IN_RESPONSE.code, NOT_IN_RESPONSE.message);
						} else if (outcome.retryAlone === true && !resentAlone) {
							alone.push(i);
						} else if (
							maybeApplied &&
							outcome.status === 'notFound' &&
							!settings.treatNotFoundAsDeleted
						) {
							// Not found after a try whose answer was lost: that try most likely deleted it.
							finish(
								[i],
								'unknown',
								outcome.code,
								`${outcome.message ?? 'Not found'}, but an earlier try whose answer was lost may have deleted it`,
							);
						} else {
							finish([i], settle(outcome.status), outcome.code, outcome.message);
						}
					}
					for (const i of alone) await runChunk([i], batch, true);
					return;
				}
				case 'useFallback': {
					// Sent with the provider's own form (this run may have switched meanwhile): resend.
					if (form === provider && this.switchToFallback(verdict)) {
						requeue({ indices, batch, maybeApplied });
						return;
					}
					requester.halt({ reason: 'config', code: verdict.code, message: verdict.message });
					finish(indices, unanswered, verdict.code, verdict.message);
					return;
				}
				case 'failBatch': {
					if (verdict.tooLarge === true && indices.length > 1) {
						this.batchLimit = Math.min(this.batchLimit, Math.ceil(indices.length / 2));
						requeue({ indices, batch, maybeApplied });
						return;
					}
					const extra = 2;
					const canSplit = verdict.splittable === true && indices.length > 1;
					if (canSplit && this.splitRequests + extra <= settings.maxSplitRequests) {
						this.splitRequests += extra;
						splitsByBatch.set(batch, (splitsByBatch.get(batch) ?? 0) + extra);
						const half = Math.ceil(indices.length / 2);
						await runChunk(indices.slice(0, half), batch);
						await runChunk(indices.slice(half), batch);
						return;
					}
					const status = verdict.status === 'unknown' ? 'unknown' : settle(verdict.status);
					const message = canSplit
						? `${verdict.message} (not split further: this run already made the most extra requests it may spend on splitting, ${settings.maxSplitRequests})`
						: verdict.message;
					finish(
						indices,
						maybeApplied && status !== 'deleted' ? 'unknown' : status,
						verdict.code,
						message,
					);
					return;
				}
				case 'stopRun':
					this.stopScope ??= chunk[0].scope ?? 0;
					finish(indices, refused, verdict.code, verdict.message);
					return;
			}
		};

		const chunks = chunkIndices(targets, this.batchLimit);
		const first = this.batchCount;
		this.batchCount += chunks.length;
		chunks.forEach((indices, index) => queue.push({ indices, batch: first + index + 1 }));
		const worker = async () => {
			while (queue.length > 0 && !requester.stopped()) {
				let job = queue.shift()!;
				if (job.indices.length > this.batchLimit) {
					// Made before the batch size was lowered: send it in pieces of the new size.
					const rest = job.indices.slice(this.batchLimit);
					queue.unshift({ ...job, indices: rest });
					job = { ...job, indices: job.indices.slice(0, this.batchLimit) };
				}
				await runChunk(job.indices, job.batch, false, job.maybeApplied);
				tally.requests = requester.sent.delete;
				this.progress?.(tally);
			}
		};
		// With Auto, the control's slots decide how many of these actually send at once.
		const workers = settings.concurrency === 'auto' ? AUTO_MAX_CONCURRENCY : settings.concurrency;
		const running = new Set<Promise<void>>();
		// Also after a requeue, so a run that switched shape keeps its concurrency.
		function startWorkers() {
			// A worker takes its first job before its first await, so each start empties one slot.
			while (running.size < Math.max(1, workers) && queue.length > 0) {
				const started: Promise<void> = worker().finally(() => running.delete(started));
				running.add(started);
			}
		}
		startWorkers();
		while (running.size > 0) await Promise.all([...running]);

		// Chunks no worker reached because the run stopped.
		for (let i = 0; i < targets.length; i++) {
			if (results.has(i)) continue;
			const stop = this.stopFor(targets[i]);
			finish([i], 'notAttempted', stop.code, stop.message);
		}
		return results;
	}

	/** Why a target was not sent: the run's stop, said as another scope's when it came from one. */
	private stopFor(target: Target): { code: string; message: string } {
		const stop = this.requester.stop ?? { code: 'NOT_SENT', message: 'Not sent' };
		const scope = target.scope ?? 0;
		if (this.stopScope === undefined || this.stopScope === scope || !Array.isArray(this.contexts))
			return stop;
		const where = this.provider.scopeFields?.(this.contexts[this.stopScope].params) ?? {};
		const named = Object.entries(where)
			.map(([key, value]) => `${key} ${String(value)}`)
			.join(', ');
		return {
			code: stop.code,
			message: `Not sent: the run stopped when a request for other parameters${named === '' ? '' : ` (${named})`} was refused: ${stop.message}`,
		};
	}
}
