import type { IDataObject } from 'n8n-workflow';

import { AUTO_MAX_CONCURRENCY, adaptiveConcurrency, fixedConcurrency } from './concurrency';
import { chunkIndices } from './plan';
import type { Clock, RunStop, Sender } from './requester';
import { Requester } from './requester';
import type { ResultStatus, TargetResult } from './results';
import { GONE, Results } from './results';
import type { RetryPolicy } from './retry';
import type { FallbackRequests, Provider, ProviderContext, Target } from './types';
import type { ChunkVerdict, DeleteExchange, Ending } from './verdicts';
import { SPLIT_COST, chunkVerdict } from './verdicts';

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

/**
 * The one pipeline. Targets come from `source` batch by batch; each batch is chunked (never mixing
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

/** One source batch being deleted: its results, the chunks waiting for a worker, the workers. */
interface SourceBatch {
	targets: Target[];
	results: Results;
	/** Answers that change the run's shape (a lower batch size, the fallback requests) put their
	 * chunk back here, to be sent again in the new shape. */
	queue: Job[];
	running: Set<Promise<void>>;
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

	/** Send the rest of the run with the provider's fallback requests (once). */
	private switchToFallback(
		fallback: FallbackRequests<P>,
		verdict: { code: string; message: string },
	) {
		if (this.fallback !== undefined) return;
		this.fallback = { code: verdict.code, message: verdict.message, notice: fallback.notice };
		this.form = fallback;
		this.batchLimit = Math.min(this.batchLimit, fallback.maxBatchSize);
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
		const results = new Results(targets.length);
		const source: SourceBatch = { targets, results, queue: [], running: new Set() };
		targets.forEach((target, i) => {
			if (target.invalidReason !== undefined) results.set(i, invalidResult(target));
		});
		const chunks = chunkIndices(targets, this.batchLimit);
		const first = this.batchCount;
		this.batchCount += chunks.length;
		chunks.forEach((indices, k) => source.queue.push({ indices, batch: first + k + 1 }));
		this.startWorkers(source);
		while (source.running.size > 0) await Promise.all([...source.running]);
		// Chunks no worker reached because the run stopped.
		for (let i = 0; i < targets.length; i++) {
			if (results.has(i)) continue;
			this.finish(source, i, { status: 'notAttempted', ...this.stopFor(targets[i]) });
		}
		return results;
	}

	/** Start workers up to the concurrency; also after a requeue, so a run that switched shape
	 * keeps its concurrency. With Auto, the control's slots decide how many send at once. */
	private startWorkers(source: SourceBatch): void {
		const { concurrency } = this.settings;
		const workers = Math.max(1, concurrency === 'auto' ? AUTO_MAX_CONCURRENCY : concurrency);
		// A worker takes its first job before its first await, so each start empties one slot.
		while (source.running.size < workers && source.queue.length > 0) {
			const started: Promise<void> = this.work(source).finally(() =>
				source.running.delete(started),
			);
			source.running.add(started);
		}
	}

	/** One worker: takes chunks until none is left or the run stops. */
	private async work(source: SourceBatch): Promise<void> {
		const { queue } = source;
		while (queue.length > 0 && !this.requester.stopped()) {
			let job = queue.shift()!;
			if (job.indices.length > this.batchLimit) {
				// Made before the batch size was lowered: send it in pieces of the new size.
				queue.unshift({ ...job, indices: job.indices.slice(this.batchLimit) });
				job = { ...job, indices: job.indices.slice(0, this.batchLimit) };
			}
			await this.runChunk(source, job);
			this.tally.requests = this.requester.sent.delete;
			this.progress?.(this.tally);
		}
	}

	private requeue(source: SourceBatch, job: Job): void {
		source.queue.unshift(job);
		this.startWorkers(source);
	}

	/** Send one chunk and carry out what its answer means. `resentAlone`: this is the one resend
	 * of an ID the provider asked to retry on its own. */
	private async runChunk(source: SourceBatch, job: Job, resentAlone = false): Promise<void> {
		const { indices } = job;
		const { results } = source;
		for (const i of indices) results.batch[i] = job.batch;
		const chunk = indices.map((i) => source.targets[i]);
		const ctx = contextOf(this.contexts, chunk[0]);
		const form = this.form;
		const exchange: DeleteExchange = await this.requester.exchange(
			'delete',
			() => form.buildRequest(chunk, ctx),
			(result) => form.readResponse(chunk, result, ctx),
			() => {
				for (const i of indices) results.attempts[i]++;
			},
		);
		const verdict = chunkVerdict(chunk, exchange, this.settings, {
			resentAlone,
			earlierMaybeApplied: job.maybeApplied === true,
			// Sent with the provider's own form (this run may have switched meanwhile).
			canFallBack: form === this.provider && this.provider.fallback !== undefined,
			splitRequests: this.splitRequests,
		});
		await this.carryOut(source, job, chunk, verdict);
	}

	/** Carry out what a chunk's answer means (see verdicts.ts). */
	private async carryOut(
		source: SourceBatch,
		job: Job,
		chunk: Target[],
		verdict: ChunkVerdict,
	): Promise<void> {
		const { indices, batch } = job;
		switch (verdict.kind) {
			case 'stopped': {
				const ending = { status: verdict.status, ...this.stopFor(chunk[0]) };
				for (const i of indices) this.finish(source, i, ending);
				return;
			}
			case 'fallback':
				this.switchToFallback(this.provider.fallback!, verdict);
				this.requeue(source, { indices, batch, maybeApplied: verdict.maybeApplied });
				return;
			case 'smaller':
				this.batchLimit = Math.min(this.batchLimit, verdict.batchLimit);
				this.requeue(source, { indices, batch, maybeApplied: verdict.maybeApplied });
				return;
			case 'split': {
				this.splitRequests += SPLIT_COST;
				const splits = source.results.splitsByBatch;
				splits.set(batch, (splits.get(batch) ?? 0) + SPLIT_COST);
				const half = Math.ceil(indices.length / 2);
				const { maybeApplied } = verdict;
				await this.runChunk(source, { indices: indices.slice(0, half), batch, maybeApplied });
				await this.runChunk(source, { indices: indices.slice(half), batch, maybeApplied });
				return;
			}
			case 'end':
				if (verdict.halt !== undefined) this.requester.halt(verdict.halt);
				if (verdict.stopsScope === true) this.stopScope ??= chunk[0].scope ?? 0;
				if (verdict.applied === true) this.requester.anyApplied = true;
				verdict.ends.forEach((ending, k) => {
					if (ending !== 'alone') this.finish(source, indices[k], ending);
				});
				for (let k = 0; k < indices.length; k++)
					if (verdict.ends[k] === 'alone')
						await this.runChunk(
							source,
							{ indices: [indices[k]], batch, maybeApplied: verdict.maybeApplied },
							true,
						);
		}
	}

	/** Give target `i` its one result. */
	private finish(source: SourceBatch, i: number, ending: Ending): void {
		const { results } = source;
		const { status, code, message } = ending;
		if (GONE.has(status)) this.requester.anyApplied = true;
		const attempts = results.attempts[i];
		results.set(i, { status, code, message, batch: results.batch[i] || null, attempts });
		this.tally.settled++;
		this.tally.byStatus[status] = (this.tally.byStatus[status] ?? 0) + 1;
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
