import type { Exchange, RunStop } from './requester';
import type { RunSettings } from './run';
import type { BatchVerdict, IdOutcome, OutcomeStatus, Target } from './types';

/** How one target ends. */
export interface Ending {
	status: OutcomeStatus;
	code?: string;
	message?: string;
}

/** What one exchange means for its chunk (see `chunkVerdict`); the engine carries it out. */
export type ChunkVerdict =
	/** Each target ends as `ends` says (in chunk order); `'alone'`: resend it on its own first. */
	| {
			kind: 'end';
			ends: Array<Ending | 'alone'>;
			/** The provider answered for the IDs: it may have changed something. */
			applied?: boolean;
			/** The run stops on this chunk's scope (other scopes' IDs are told so). */
			stopsScope?: boolean;
			/** The run stops with this, before these IDs end. */
			halt?: RunStop;
			/** This send or an earlier one may have applied: a resend alone carries it on. */
			maybeApplied?: boolean;
	  }
	/** The run stopped before an answer: each target ends `status`, in the stop's words. */
	| { kind: 'stopped'; status: 'unknown' | 'notAttempted' }
	/** Resend the chunk with the provider's fallback requests (switching the run to them). */
	| { kind: 'fallback'; code: string; message: string; maybeApplied: boolean }
	/** Resend the chunk in batches of at most `batchLimit`, as the rest of the run. */
	| { kind: 'smaller'; batchLimit: number; maybeApplied: boolean }
	/** Resend the chunk as two halves, spending `SPLIT_COST` of the split budget. */
	| { kind: 'split'; maybeApplied: boolean };

/** What the engine knows of a chunk beyond its answer. */
export interface ChunkState {
	/** This was the one resend of an ID the provider asked to retry on its own. */
	resentAlone: boolean;
	/** A send of these IDs before a requeue may have applied. */
	earlierMaybeApplied: boolean;
	/** Sent with the provider's own requests, and the provider has a fallback. */
	canFallBack: boolean;
	/** Extra split requests the run has spent so far. */
	splitRequests: number;
}

/** Extra requests one split costs: the two halves replace the one request. */
export const SPLIT_COST = 2;

const NOT_IN_RESPONSE: Ending = {
	status: 'unknown',
	code: 'NOT_IN_RESPONSE',
	message:
		'The provider answered but did not mention this ID, so whether it was deleted is unknown',
};

type Settings = Pick<RunSettings, 'treatNotFoundAsDeleted' | 'maxSplitRequests'>;

/** A delete exchange: the requester has already acted on retry and reauth verdicts. */
export type DeleteExchange = Exchange<Exclude<BatchVerdict, { kind: 'retry' | 'reauth' }>>;

/** The pure step from a chunk's exchange to what happens to each of its targets. Nothing is
 * reported deleted that the answer did not confirm. */
export function chunkVerdict(
	chunk: Array<Pick<Target, 'id'>>,
	exchange: DeleteExchange,
	settings: Settings,
	state: ChunkState,
): ChunkVerdict {
	const maybeApplied = exchange.maybeApplied || state.earlierMaybeApplied;
	const unanswered = maybeApplied ? 'unknown' : 'notAttempted';
	// Sent and refused as a whole (a credential or a quota the run stops on): not deleted.
	const refused = maybeApplied ? 'unknown' : 'rejected';
	const all = (ending: Ending): Ending[] => chunk.map(() => ending);
	if (exchange.kind === 'halted') return { kind: 'stopped', status: unanswered };
	if (exchange.kind === 'refused') {
		const { code, message } = exchange;
		return { kind: 'end', ends: all({ status: refused, code, message }), stopsScope: true };
	}
	if (exchange.kind === 'gaveUp') return { kind: 'end', ends: all(gaveUp(exchange, maybeApplied)) };
	const verdict = exchange.verdict;
	switch (verdict.kind) {
		case 'outcomes': {
			const ends = chunk.map((target) =>
				outcomeEnding(verdict.outcomes.get(target.id), maybeApplied, settings, state),
			);
			return { kind: 'end', ends, applied: true, maybeApplied };
		}
		case 'useFallback': {
			const { code, message } = verdict;
			if (state.canFallBack) return { kind: 'fallback', code, message, maybeApplied };
			return {
				kind: 'end',
				ends: all({ status: unanswered, code, message }),
				halt: { reason: 'config', code, message },
			};
		}
		case 'failBatch':
			return failBatch(chunk.length, verdict, maybeApplied, settings, state);
		case 'stopRun': {
			const { code, message } = verdict;
			return { kind: 'end', ends: all({ status: refused, code, message }), stopsScope: true };
		}
	}
}

/** `notFound` is `alreadyGone` when the user treats not found as deleted. */
function settle(status: IdOutcome['status'], settings: Settings): OutcomeStatus {
	return status === 'notFound' && settings.treatNotFoundAsDeleted ? 'alreadyGone' : status;
}

/** Retries ran out, or the provider asked to wait longer than the node waits. */
function gaveUp(exchange: DeleteExchange & { kind: 'gaveUp' }, maybeApplied: boolean): Ending {
	const { verdict, waitS } = exchange;
	if (waitS !== undefined)
		return {
			status: maybeApplied ? 'unknown' : 'error',
			code: verdict.code,
			message: `${verdict.message} (the provider asked to wait ${waitS} s, longer than this node waits)`,
		};
	const status = maybeApplied
		? 'unknown'
		: verdict.onExhausted !== undefined
			? 'notAttempted'
			: 'error';
	return { status, code: verdict.code, message: verdict.message } satisfies Ending;
}

/** One target's ending from the answer's outcome for its ID (none: the answer left it out). */
function outcomeEnding(
	outcome: IdOutcome | undefined,
	maybeApplied: boolean,
	settings: Settings,
	state: ChunkState,
): Ending | 'alone' {
	if (outcome === undefined) return NOT_IN_RESPONSE;
	if (outcome.retryAlone === true && !state.resentAlone) return 'alone';
	if (maybeApplied && outcome.status === 'notFound' && !settings.treatNotFoundAsDeleted)
		// Not found after a try whose answer was lost: that try most likely deleted it.
		return {
			status: 'unknown',
			code: outcome.code,
			message: `${outcome.message ?? 'Not found'}, but an earlier try whose answer was lost may have deleted it`,
		};
	return { status: settle(outcome.status, settings), code: outcome.code, message: outcome.message };
}

/** A whole-batch rejection: resend it smaller, split it to isolate the bad ID, or end it. */
function failBatch(
	size: number,
	verdict: BatchVerdict & { kind: 'failBatch' },
	maybeApplied: boolean,
	settings: Settings,
	state: ChunkState,
): ChunkVerdict {
	if (verdict.tooLarge === true && size > 1)
		return { kind: 'smaller', batchLimit: Math.ceil(size / 2), maybeApplied };
	const canSplit = verdict.splittable === true && size > 1;
	if (canSplit && state.splitRequests + SPLIT_COST <= settings.maxSplitRequests)
		return { kind: 'split', maybeApplied };
	const status = verdict.status === 'unknown' ? 'unknown' : settle(verdict.status, settings);
	const message = canSplit
		? `${verdict.message} (not split further: this run already made the most extra requests it may spend on splitting, ${settings.maxSplitRequests})`
		: verdict.message;
	const ending: Ending = {
		status: maybeApplied && status !== 'deleted' ? 'unknown' : status,
		code: verdict.code,
		message,
	};
	return { kind: 'end', ends: Array.from({ length: size }, () => ending) };
}
