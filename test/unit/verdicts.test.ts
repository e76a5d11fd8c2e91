import type {
	ChunkState,
	ChunkVerdict,
	DeleteExchange,
	Ending,
} from '../../nodes/BatchDelete/engine/verdicts';
import { chunkVerdict } from '../../nodes/BatchDelete/engine/verdicts';
import type { BatchVerdict, IdOutcome } from '../../nodes/BatchDelete/engine/types';

/** The pure step from an exchange to each target's fate, without HTTP (engine/verdicts.ts). */

const chunk = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
const settings = { treatNotFoundAsDeleted: true, maxSplitRequests: 200 };
const state: ChunkState = {
	resentAlone: false,
	earlierMaybeApplied: false,
	canFallBack: false,
	splitRequests: 0,
};

const answer = (
	verdict: Exclude<BatchVerdict, { kind: 'retry' | 'reauth' }>,
	maybeApplied = false,
): DeleteExchange => ({ kind: 'answer', verdict, maybeApplied });

const outcomes = (entries: Array<[string, IdOutcome]>) =>
	answer({ kind: 'outcomes', outcomes: new Map(entries) });

/** The verdict, held to the rule that every target of the chunk gets exactly one ending. */
function decide(
	exchange: DeleteExchange,
	options: { settings?: Partial<typeof settings>; state?: Partial<ChunkState> } = {},
	targets: Array<{ id: string }> = chunk,
): ChunkVerdict {
	const verdict = chunkVerdict(
		targets,
		exchange,
		{ ...settings, ...options.settings },
		{ ...state, ...options.state },
	);
	if (verdict.kind === 'end') expect(verdict.ends).toHaveLength(targets.length);
	return verdict;
}

/** The endings of an `end` verdict, by ID. */
function ends(verdict: ChunkVerdict): Record<string, Ending | 'alone'> {
	if (verdict.kind !== 'end') throw new Error(`expected end, got ${verdict.kind}`);
	return Object.fromEntries(chunk.map((t, k) => [t.id, verdict.ends[k]]));
}

const statuses = (verdict: ChunkVerdict) =>
	Object.values(ends(verdict)).map((e) => (e === 'alone' ? e : e.status));

describe('chunkVerdict: per-ID outcomes', () => {
	it('maps each outcome, and an ID the answer leaves out ends unknown, never deleted', () => {
		const verdict = decide(
			outcomes([
				['a', { status: 'deleted' }],
				['b', { status: 'forbidden', code: 'F', message: 'no' }],
			]),
		);
		expect(verdict).toMatchObject({ kind: 'end', applied: true });
		expect(ends(verdict)).toEqual({
			a: { status: 'deleted' },
			b: { status: 'forbidden', code: 'F', message: 'no' },
			c: expect.objectContaining({ status: 'unknown', code: 'NOT_IN_RESPONSE' }),
		});
	});

	it('ends notFound as alreadyGone only when not found is treated as deleted', () => {
		const exchange = outcomes(chunk.map((t) => [t.id, { status: 'notFound', code: 'NF' }]));
		expect(statuses(decide(exchange))).toEqual(['alreadyGone', 'alreadyGone', 'alreadyGone']);
		expect(statuses(decide(exchange, { settings: { treatNotFoundAsDeleted: false } }))).toEqual([
			'notFound',
			'notFound',
			'notFound',
		]);
	});

	it('ends notFound unknown after a try whose answer was lost, unless treated as deleted', () => {
		const entries: Array<[string, IdOutcome]> = [
			['a', { status: 'notFound', message: 'gone' }],
			['b', { status: 'deleted' }],
			['c', { status: 'rejected' }],
		];
		const lost = { ...outcomes(entries), maybeApplied: true };
		const strict = decide(lost, { settings: { treatNotFoundAsDeleted: false } });
		expect(ends(strict).a).toMatchObject({
			status: 'unknown',
			message: 'gone, but an earlier try whose answer was lost may have deleted it',
		});
		expect(statuses(strict)).toEqual(['unknown', 'deleted', 'rejected']);
		// The same for a loss before a requeue.
		const requeued = decide(outcomes(entries), {
			settings: { treatNotFoundAsDeleted: false },
			state: { earlierMaybeApplied: true },
		});
		expect(statuses(requeued)).toEqual(['unknown', 'deleted', 'rejected']);
		expect(statuses(decide(lost))).toEqual(['alreadyGone', 'deleted', 'rejected']);
	});

	it('resends a retryAlone ID on its own once, then takes its outcome', () => {
		const exchange = outcomes([
			['a', { status: 'unknown', code: 'InternalError', retryAlone: true }],
			['b', { status: 'deleted' }],
			['c', { status: 'deleted', retryAlone: true }],
		]);
		expect(statuses(decide(exchange))).toEqual(['alone', 'deleted', 'alone']);
		expect(statuses(decide(exchange, { state: { resentAlone: true } }))).toEqual([
			'unknown',
			'deleted',
			'deleted',
		]);
	});
});

describe('chunkVerdict: no answer for the IDs', () => {
	it('a run stopped before the answer: notAttempted, or unknown when a try may have applied', () => {
		expect(decide({ kind: 'halted', maybeApplied: false })).toEqual({
			kind: 'stopped',
			status: 'notAttempted',
		});
		expect(decide({ kind: 'halted', maybeApplied: true })).toEqual({
			kind: 'stopped',
			status: 'unknown',
		});
		expect(
			decide({ kind: 'halted', maybeApplied: false }, { state: { earlierMaybeApplied: true } }),
		).toEqual({ kind: 'stopped', status: 'unknown' });
	});

	it('a refused token stops the scope: rejected, or unknown when a try may have applied', () => {
		const refused = { kind: 'refused', code: 'AUTH', message: 'bad', maybeApplied: false } as const;
		const verdict = decide(refused);
		expect(verdict).toMatchObject({ kind: 'end', stopsScope: true });
		expect(ends(verdict).a).toEqual({ status: 'rejected', code: 'AUTH', message: 'bad' });
		expect(statuses(decide({ ...refused, maybeApplied: true }))).toEqual([
			'unknown',
			'unknown',
			'unknown',
		]);
	});

	it('a stopRun answer stops the scope the same way', () => {
		const stop = answer({ kind: 'stopRun', reason: 'quota', code: 'Q', message: 'quota' });
		expect(decide(stop)).toMatchObject({ kind: 'end', stopsScope: true });
		expect(statuses(decide(stop))).toEqual(['rejected', 'rejected', 'rejected']);
		expect(statuses(decide({ ...stop, maybeApplied: true }))).toEqual([
			'unknown',
			'unknown',
			'unknown',
		]);
	});

	describe('retries ran out', () => {
		const retry = { kind: 'retry', code: 'HTTP_503', message: 'busy' } as const;
		const gaveUp = (
			extra: object = {},
			maybeApplied = false,
		): DeleteExchange & { kind: 'gaveUp' } => ({
			kind: 'gaveUp',
			verdict: { ...retry, ...extra },
			maybeApplied,
		});

		it('ends error, or unknown when a try may have applied', () => {
			expect(ends(decide(gaveUp())).a).toEqual({
				status: 'error',
				code: 'HTTP_503',
				message: 'busy',
			});
			expect(statuses(decide(gaveUp({}, true)))).toEqual(['unknown', 'unknown', 'unknown']);
		});

		it('ends notAttempted when the exhausted retry stops the run (onExhausted)', () => {
			const onExhausted = { reason: 'auth', code: 'CLOCK', message: 'skew' } as const;
			expect(statuses(decide(gaveUp({ onExhausted })))).toEqual([
				'notAttempted',
				'notAttempted',
				'notAttempted',
			]);
			expect(statuses(decide(gaveUp({ onExhausted }, true)))).toEqual([
				'unknown',
				'unknown',
				'unknown',
			]);
		});

		it('says when the provider asked to wait longer than the node waits', () => {
			const verdict = decide({ ...gaveUp(), waitS: 3600 });
			expect(ends(verdict).a).toEqual({
				status: 'error',
				code: 'HTTP_503',
				message: 'busy (the provider asked to wait 3600 s, longer than this node waits)',
			});
		});
	});
});

describe('chunkVerdict: whole-batch answers', () => {
	const failBatch = (extra: object = {}) =>
		answer({ kind: 'failBatch', status: 'rejected', code: 'BAD', message: 'bad', ...extra });

	it('ends every ID with the batch status (notFound as alreadyGone when so treated)', () => {
		expect(statuses(decide(failBatch()))).toEqual(['rejected', 'rejected', 'rejected']);
		expect(statuses(decide(failBatch({ status: 'notFound' })))).toEqual([
			'alreadyGone',
			'alreadyGone',
			'alreadyGone',
		]);
		expect(statuses(decide(failBatch({ status: 'unknown' })))).toEqual([
			'unknown',
			'unknown',
			'unknown',
		]);
	});

	it('ends unknown after a lost answer, unless the batch says deleted', () => {
		const lost = { ...failBatch(), maybeApplied: true };
		expect(statuses(decide(lost))).toEqual(['unknown', 'unknown', 'unknown']);
		const deleted = { ...failBatch({ status: 'deleted' }), maybeApplied: true };
		expect(statuses(decide(deleted))).toEqual(['deleted', 'deleted', 'deleted']);
	});

	it('splits a splittable rejection while the budget allows, then says why it stopped', () => {
		expect(decide(failBatch({ splittable: true }))).toEqual({ kind: 'split', maybeApplied: false });
		// The halves carry a lost answer on, as a resend alone does.
		expect(decide({ ...failBatch({ splittable: true }), maybeApplied: true })).toEqual({
			kind: 'split',
			maybeApplied: true,
		});
		// A split costs two requests: the last two of the budget still split.
		expect(decide(failBatch({ splittable: true }), { state: { splitRequests: 198 } })).toEqual({
			kind: 'split',
			maybeApplied: false,
		});
		const spent = decide(failBatch({ splittable: true }), { state: { splitRequests: 199 } });
		expect(ends(spent).a).toEqual({
			status: 'rejected',
			code: 'BAD',
			message:
				'bad (not split further: this run already made the most extra requests it may spend on splitting, 200)',
		});
		// One ID alone is the one at fault: nothing to split.
		expect(decide(failBatch({ splittable: true }), {}, [{ id: 'a' }])).toMatchObject({
			kind: 'end',
			ends: [{ status: 'rejected', message: 'bad' }],
		});
	});

	it('resends a batch refused for its size in halves as the rest of the run', () => {
		expect(decide(failBatch({ tooLarge: true }))).toEqual({
			kind: 'smaller',
			batchLimit: 2,
			maybeApplied: false,
		});
		expect(decide({ ...failBatch({ tooLarge: true }), maybeApplied: true })).toMatchObject({
			kind: 'smaller',
			maybeApplied: true,
		});
		expect(decide(failBatch({ tooLarge: true }), {}, [{ id: 'a' }])).toMatchObject({
			kind: 'end',
		});
	});

	it('switches to the fallback requests when there is one, else stops the run (config)', () => {
		const useFallback = answer({ kind: 'useFallback', code: 'APIGW.0101', message: 'no path' });
		expect(decide(useFallback, { state: { canFallBack: true } })).toEqual({
			kind: 'fallback',
			code: 'APIGW.0101',
			message: 'no path',
			maybeApplied: false,
		});
		const stopped = decide(useFallback);
		expect(stopped).toMatchObject({
			kind: 'end',
			halt: { reason: 'config', code: 'APIGW.0101', message: 'no path' },
		});
		expect(statuses(stopped)).toEqual(['notAttempted', 'notAttempted', 'notAttempted']);
		expect(statuses(decide({ ...useFallback, maybeApplied: true }))).toEqual([
			'unknown',
			'unknown',
			'unknown',
		]);
	});
});
