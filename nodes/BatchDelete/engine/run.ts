import type { IDataObject } from 'n8n-workflow';

import { AUTO_MAX_CONCURRENCY, adaptiveConcurrency, fixedConcurrency } from './concurrency';
import type { Unit } from './plan';
import { chunkIndices } from './plan';
import type { Clock, Exchange, RunStop, Sender } from './requester';
import { Requester } from './requester';
import type { ResultStatus, UnitResult } from './results';
import { GONE, Results } from './results';
import type { RetryPolicy } from './retry';
import type { BatchVerdict, IdOutcome, OutcomeStatus, Provider, ProviderContext } from './types';

export type { Clock, RunStop, Sender } from './requester';
export type { UnitResult } from './results';

export interface RunSettings {
	batchSize: number;
	/** Requests in flight: a fixed number, or 'auto' (see concurrency.ts). */
	concurrency: number | 'auto';
	requestsPerSecond: number;
	treatNotFoundAsDeleted: boolean;
	retry: RetryPolicy;
	/** Extra requests the run may spend halving batches that were rejected as a whole. */
	maxSplitRequests: number;
	/** Send nothing: every valid unit ends `dryRun` with the request that would delete it. */
	dryRun?: boolean;
}

/**
 * Where a run's units come from: the input items (By ID, one batch) or the provider's list pages
 * (By Filter). The engine hands back each batch's results before it asks for the next batch.
 */
export type TargetSource<E> = AsyncGenerator<Unit[], E, Results>;

/** Counts so far, for progress lines: units settled, by status. */
export interface Tally {
	settled: number;
	byStatus: Partial<Record<ResultStatus, number>>;
	/** Delete requests sent. */
	requests: number;
}

interface PipelineHooks {
	/** Each source batch with its results, as soon as it is done (default: kept in the report). */
	sink?: (units: Unit[], results: Results) => void;
	/** After every request's IDs are settled. */
	progress?: (tally: Tally) => void;
}

export interface RunReport<E = void> {
	/** Every source batch and its results, unless a sink took them. */
	batches: Array<{ units: Unit[]; results: Results }>;
	/** Delete requests sent. */
	requests: number;
	listRequests: number;
	splitRequests: number;
	/** Batches the run made (sent or, with a stop, left unsent). */
	batchCount: number;
	stop?: RunStop;
	/** Whether any request may have changed something on the provider's side. */
	anyApplied: boolean;
	/** What the source said when it ended (By Filter: its counts and why it stopped listing). */
	end: E;
}

/** One context, or one per scope (a unit's `scope` indexes it). */
type Contexts<P> = ProviderContext<P> | Array<ProviderContext<P>>;

function contextOf<P>(contexts: Contexts<P>, unit: Unit): ProviderContext<P> {
	return Array.isArray(contexts) ? contexts[unit.scope ?? 0] : contexts;
}

/** The result of a unit that is never sent. */
function invalidResult(unit: Unit): UnitResult {
	return {
		status: 'invalid',
		code: unit.invalidCode ?? 'INVALID_ID',
		message: unit.invalidReason,
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
 * within one split budget. Every unit ends with exactly one result; the engine builds no n8n items.
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
			: fixedConcurrency(settings.concurrency);
	const requester = new Requester(sender, clock, settings, isCancelled, control);
	const engine = new DeleteEngine(provider, contexts, settings, requester, hooks.progress);
	const batches: RunReport<E>['batches'] = [];
	const sink =
		hooks.sink ?? ((units: Unit[], results: Results) => void batches.push({ units, results }));
	const generator = source(requester);
	let step = await generator.next(undefined as unknown as Results);
	while (!step.done) {
		const units = step.value;
		const results = settings.dryRun ? engine.dryRun(units) : await engine.delete(units);
		sink(units, results);
		step = await generator.next(results);
	}
	return {
		batches,
		requests: requester.sent.delete,
		listRequests: requester.sent.list,
		splitRequests: engine.splitRequests,
		batchCount: engine.batchCount,
		stop: requester.stop,
		anyApplied: requester.anyApplied,
		end: step.value,
	};
}

/** The units as one batch: the By ID source. */
export async function* unitsSource(units: Unit[]): TargetSource<void> {
	yield units;
}

/** Deletes batches of units; batch numbers and the split budget run across all batches of a run. */
class DeleteEngine<P> {
	splitRequests = 0;
	batchCount = 0;
	private readonly tally: Tally = { settled: 0, byStatus: {}, requests: 0 };

	constructor(
		private readonly provider: Provider<P>,
		private readonly contexts: Contexts<P>,
		private readonly settings: RunSettings,
		private readonly requester: Requester,
		private readonly progress?: (tally: Tally) => void,
	) {}

	/** What a run would send, without sending it. */
	dryRun(units: Unit[]): Results {
		const results = new Results(units.length);
		for (const indices of chunkIndices(units, this.settings.batchSize)) {
			const chunk = indices.map((i) => units[i]);
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
		units.forEach((unit, i) => {
			if (!results.has(i)) results.set(i, invalidResult(unit));
		});
		return results;
	}

	/** Delete one batch of units; the results are parallel to `units`. */
	async delete(units: Unit[]): Promise<Results> {
		const { provider, contexts, settings, requester, tally } = this;
		const results = new Results(units.length);
		const attempts = results.attempts;
		const batchOf = results.batch;
		const splitsByBatch = results.splitsByBatch;

		units.forEach((unit, index) => {
			if (unit.invalidReason !== undefined) results.set(index, invalidResult(unit));
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

		/** `resentAlone`: this is the one resend of an ID the provider asked to retry on its own. */
		const runChunk = async (
			indices: number[],
			batch: number,
			resentAlone = false,
		): Promise<void> => {
			for (const i of indices) batchOf[i] = batch;
			const chunk = indices.map((i) => units[i]);
			const ctx = contextOf(contexts, chunk[0]);
			const exchange: Exchange<BatchVerdict> = await requester.exchange(
				'delete',
				() => provider.buildRequest(chunk, ctx),
				(result) => provider.readResponse(chunk, result, ctx),
				() => {
					for (const i of indices) attempts[i]++;
				},
			);
			const maybeApplied = exchange.maybeApplied;
			const notSent = maybeApplied ? 'unknown' : 'notAttempted';
			switch (exchange.kind) {
				case 'halted': {
					const stop = requester.stop!;
					finish(indices, notSent, stop.code, stop.message);
					return;
				}
				case 'refused':
					finish(indices, notSent, exchange.code, exchange.message);
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
						const outcome = verdict.outcomes.get(units[i].id);
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
				case 'failBatch': {
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
					finish(indices, notSent, verdict.code, verdict.message);
					return;
			}
		};

		const chunks = chunkIndices(units, settings.batchSize);
		const first = this.batchCount;
		this.batchCount += chunks.length;
		let next = 0;
		const worker = async () => {
			while (next < chunks.length && !requester.stopped()) {
				const index = next++;
				await runChunk(chunks[index], first + index + 1);
				tally.requests = requester.sent.delete;
				this.progress?.(tally);
			}
		};
		// With Auto, the control's slots decide how many of these actually send at once.
		const workers = settings.concurrency === 'auto' ? AUTO_MAX_CONCURRENCY : settings.concurrency;
		await Promise.all(
			Array.from({ length: Math.max(1, Math.min(workers, chunks.length)) }, worker),
		);

		// Chunks no worker reached because the run stopped.
		const fallback = requester.stop ?? { code: 'NOT_SENT', message: 'Not sent' };
		const unreached: number[] = [];
		for (let i = 0; i < units.length; i++) if (!results.has(i)) unreached.push(i);
		if (unreached.length > 0) finish(unreached, 'notAttempted', fallback.code, fallback.message);
		return results;
	}
}
