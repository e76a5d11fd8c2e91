import type { IDataObject } from 'n8n-workflow';

import type { Unit } from './plan';
import { chunkByScope } from './plan';
import type { Clock, Exchange, RunStop, Sender } from './requester';
import { Requester } from './requester';
import type { RetryPolicy } from './retry';
import type { BatchVerdict, IdOutcome, OutcomeStatus, Provider, ProviderContext } from './types';

export type { Clock, RunStop, Sender } from './requester';

export interface RunSettings {
	batchSize: number;
	concurrency: number;
	requestsPerSecond: number;
	treatNotFoundAsDeleted: boolean;
	retry: RetryPolicy;
	/** Extra requests the run may spend halving batches that were rejected as a whole. */
	maxSplitRequests: number;
	/** Send nothing: every valid unit ends `dryRun` with the request that would delete it. */
	dryRun?: boolean;
}

export interface UnitResult {
	status: OutcomeStatus | 'dryRun';
	code?: string;
	message?: string;
	/** 1-based number of the batch the ID was sent in; null when it was never put in one. */
	batch: number | null;
	/** Requests that carried this ID. */
	attempts: number;
	/** Extra requests spent halving this ID's batch after the provider rejected it whole; absent
	 * when the batch was never split. */
	splitRequests?: number;
	/** Dry run: the request line (the batch's first ID: with its query and body). */
	request?: IDataObject;
}

/**
 * Where a run's units come from: the input items (By ID, one batch) or the provider's list pages
 * (By Filter). The engine hands back each batch's results before it asks for the next batch.
 */
export type TargetSource<E> = AsyncGenerator<Unit[], E, UnitResult[]>;

export interface RunReport<E = void> {
	/** Every unit the source gave, in order, and its result. */
	units: Unit[];
	results: UnitResult[];
	/** Delete requests sent. */
	requests: number;
	listRequests: number;
	splitRequests: number;
	stop?: RunStop;
	/** Whether any request may have changed something on the provider's side. */
	anyApplied: boolean;
	/** What the source said when it ended (By Filter: its counts and why it stopped listing). */
	end: E;
}

/** One context, or one per scope (a unit's `scope` indexes it). */
export type Contexts<P> = ProviderContext<P> | Array<ProviderContext<P>>;

export function contextOf<P>(contexts: Contexts<P>, unit: Unit): ProviderContext<P> {
	return Array.isArray(contexts) ? contexts[unit.scope ?? 0] : contexts;
}

/** The result of a unit that is never sent. */
export function invalidResult(unit: Unit): UnitResult {
	return { status: 'invalid', code: unit.invalidCode ?? 'INVALID_ID', message: unit.invalidReason, batch: null, attempts: 0 };
}

/** Statuses after which an ID is confirmed gone. */
export const GONE = new Set<UnitResult['status']>(['deleted', 'alreadyGone']);

const NOT_IN_RESPONSE = {
	code: 'NOT_IN_RESPONSE',
	message: 'The provider answered but did not mention this ID, so whether it was deleted is unknown',
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
): Promise<RunReport<E>> {
	const requester = new Requester(sender, clock, settings, isCancelled);
	const engine = new DeleteEngine(provider, contexts, settings, requester);
	const generator = source(requester);
	let units: Unit[] = [];
	let results: UnitResult[] = [];
	let step = await generator.next(undefined as unknown as UnitResult[]);
	while (!step.done) {
		const batch = step.value;
		const done = settings.dryRun ? engine.dryRun(batch) : await engine.delete(batch);
		// One batch (By ID) is kept as it is: no copy of a million-unit array.
		if (units.length === 0) {
			units = batch;
			results = done;
		} else {
			for (let i = 0; i < batch.length; i++) {
				units.push(batch[i]);
				results.push(done[i]);
			}
		}
		step = await generator.next(done);
	}
	return {
		units,
		results,
		requests: requester.sent.delete,
		listRequests: requester.sent.list,
		splitRequests: engine.splitRequests,
		stop: requester.stop,
		anyApplied: requester.anyApplied,
		end: step.value,
	};
}

/** The units as one batch: the By ID source. */
export async function* unitsSource(units: Unit[]): TargetSource<void> {
	yield units;
}

/** Delete these units (one batch): `runPipeline` over `unitsSource`. */
export async function runDeletion<P>(
	provider: Provider<P>,
	contexts: Contexts<P>,
	units: Unit[],
	settings: RunSettings,
	sender: Sender,
	clock: Clock,
	isCancelled: () => boolean,
): Promise<RunReport> {
	return await runPipeline(provider, contexts, () => unitsSource(units), settings, sender, clock, isCancelled);
}

/** Deletes batches of units; batch numbers and the split budget run across all batches of a run. */
class DeleteEngine<P> {
	splitRequests = 0;
	private batches = 0;

	constructor(
		private readonly provider: Provider<P>,
		private readonly contexts: Contexts<P>,
		private readonly settings: RunSettings,
		private readonly requester: Requester,
	) {}

	/** What a run would send, without sending it. */
	dryRun(units: Unit[]): UnitResult[] {
		const results = new Map<Unit, UnitResult>();
		for (const chunk of chunkByScope(units.filter((u) => u.invalidReason === undefined), this.settings.batchSize)) {
			const batch = ++this.batches;
			let request: IDataObject;
			try {
				const built = this.provider.buildRequest(chunk, contextOf(this.contexts, chunk[0]));
				request = { method: built.method ?? 'GET', url: built.url };
				if (built.qs !== undefined) request.qs = built.qs as IDataObject;
				if (built.body !== undefined) request.body = built.body as IDataObject;
			} catch (error) {
				request = { error: (error as Error).message };
			}
			const line: IDataObject = { method: request.method ?? null, url: request.url ?? null, ids: chunk.length };
			chunk.forEach((unit, position) => {
				results.set(unit, { status: 'dryRun', batch, attempts: 0, request: position === 0 ? { ...line, ...request } : line });
			});
		}
		return units.map((unit) => results.get(unit) ?? invalidResult(unit));
	}

	/** Delete one batch of units; the results are parallel to `units`. */
	async delete(units: Unit[]): Promise<UnitResult[]> {
		const { provider, contexts, settings, requester } = this;
		const results: Array<UnitResult | undefined> = new Array(units.length);
		const attempts = new Uint32Array(units.length);
		const batchOf = new Int32Array(units.length);
		const splitsByBatch = new Map<number, number>();

		const indexOf = new Map<Unit, number>();
		units.forEach((unit, index) => {
			if (unit.invalidReason !== undefined) results[index] = invalidResult(unit);
			else indexOf.set(unit, index);
		});

		const finish = (indices: number[], status: OutcomeStatus, code?: string, message?: string) => {
			for (const i of indices) {
				if (GONE.has(status)) requester.anyApplied = true;
				results[i] = { status, code, message, batch: batchOf[i] || null, attempts: attempts[i] };
			}
		};
		const settle = (status: IdOutcome['status']): OutcomeStatus => (status === 'notFound' && settings.treatNotFoundAsDeleted ? 'alreadyGone' : status);

		/** `resentAlone`: this is the one resend of an ID the provider asked to retry on its own. */
		const runChunk = async (indices: number[], batch: number, resentAlone = false): Promise<void> => {
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
						finish(indices, maybeApplied ? 'unknown' : 'error', verdict.code, `${verdict.message} (the provider asked to wait ${exchange.waitS} s, longer than this node waits)`);
					} else {
						finish(indices, maybeApplied ? 'unknown' : verdict.onExhausted !== undefined ? 'notAttempted' : 'error', verdict.code, verdict.message);
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
						} else if (maybeApplied && outcome.status === 'notFound' && !settings.treatNotFoundAsDeleted) {
							// Not found after a try whose answer was lost: that try most likely deleted it.
							finish([i], 'unknown', outcome.code, `${outcome.message ?? 'Not found'}, but an earlier try whose answer was lost may have deleted it`);
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
					finish(indices, maybeApplied && status !== 'deleted' ? 'unknown' : status, verdict.code, message);
					return;
				}
				case 'stopRun':
					finish(indices, notSent, verdict.code, verdict.message);
					return;
			}
		};

		const sendable = units.filter((unit) => unit.invalidReason === undefined);
		const chunks = chunkByScope(sendable, settings.batchSize).map((chunk) => chunk.map((unit) => indexOf.get(unit)!));
		const first = this.batches;
		this.batches += chunks.length;
		let next = 0;
		const worker = async () => {
			while (next < chunks.length && !requester.stopped()) {
				const index = next++;
				await runChunk(chunks[index], first + index + 1);
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.concurrency, chunks.length)) }, worker));

		// Chunks no worker reached because the run stopped.
		const fallback = requester.stop ?? { code: 'NOT_SENT', message: 'Not sent' };
		// Array.from, not map: map skips the holes, which are exactly the units never reached.
		return Array.from(results, (result, i): UnitResult => {
			const out = result ?? { status: 'notAttempted', code: fallback.code, message: fallback.message, batch: null, attempts: attempts[i] };
			const splits = out.batch === null ? undefined : splitsByBatch.get(out.batch);
			return splits === undefined ? out : { ...out, splitRequests: splits };
		});
	}
}
