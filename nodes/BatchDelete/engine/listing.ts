import type { Requester, RunStop } from './requester';
import type { ResultStatus, Results } from './results';
import type { TargetSource } from './run';
import type {
	ListedItem,
	ListPosition,
	ListVerdict,
	ListWindow,
	Provider,
	ProviderContext,
	ProviderList,
	Target,
} from './types';

/**
 * Delete by filter, as a target source of the one pipeline (engine/run.ts): list page by page
 * through the run's Requester, keep the items that pass the filters, and hand each page's matches
 * to the engine, whose results come back before the next page is read. Why each paging rule
 * (offsets that shift as we delete, cursors read ahead, rows still listed after deletion, others
 * deleting meanwhile): docs/by-filter.md, "Paging while deleting".
 */

interface FilterOptions {
	/** The most matches one run handles: deleted, failed, or shown by a dry run. */
	limit: number;
	/** Only items created before this match; undefined: any age. */
	olderThan?: Date;
	/** When the run started (the list's upper time bound when there is no Older Than). */
	startedAt: Date;
}

/** Why the list was not read to its end (the run's own stops are the engine's). */
export interface ListingStop {
	/** `list`: a list request kept failing or could not be read. */
	reason: RunStop['reason'] | 'list';
	code: string;
	message: string;
}

/** What the source says when it ends. */
export interface FilterEnd {
	/** Set when the run stopped while listing: the rest of the list was never read. */
	stop?: ListingStop;
	/** Limit matches were handled and the list may hold more. */
	limitReached: boolean;
	pages: number;
	listed: number;
	matched: number;
	/** Listed items without a readable time: never matched when Older Than is set; with 0 (any
	 * age) they are checked against the filters like the others. */
	undated: number;
}

/** Statuses after which a listed match has left the list, or may have (over-counting is safe). */
const REMOVED = new Set<ResultStatus>(['deleted', 'alreadyGone', 'notFound', 'unknown']);

/** A provider that never says "last page" and never runs short cannot keep a run going forever. */
const MAX_LIST_PAGES = 100_000;

/** Extra passes over an offset or page list after deleted rows that still showed were stepped over. */
const MAX_SWEEPS = 2;

type Page = Extract<ListVerdict, { kind: 'page' }>;
type Fetched = Page | { kind: 'stop'; stop: ListingStop };

/** The targets the provider's list names, page by page (docs/by-filter.md, "Paging while deleting"). */
export function filterSource<P, F>(
	provider: Provider<P>,
	list: ProviderList<P, F>,
	ctx: ProviderContext<P>,
	filters: F,
	options: FilterOptions,
): (requester: Requester) => TargetSource<FilterEnd> {
	return (requester) => {
		const listing = new Listing(provider, list, ctx, filters, options, requester);
		return list.paging === 'cursor' ? cursorPages(listing) : offsetPages(listing);
	};
}

/** What both pagers share: the list requests, the filters, the counts and the IDs handled. */
class Listing<P, F> {
	readonly end: FilterEnd = { limitReached: false, pages: 0, listed: 0, matched: 0, undated: 0 };
	private readonly window: ListWindow;
	private readonly handled = new Set<string>();

	constructor(
		private readonly provider: Provider<P>,
		readonly list: ProviderList<P, F>,
		private readonly ctx: ProviderContext<P>,
		private readonly filters: F,
		readonly options: FilterOptions,
		readonly requester: Requester,
	) {
		this.window = {
			startedAt: options.startedAt,
			...(options.olderThan === undefined ? {} : { olderThan: options.olderThan }),
		};
	}

	/** One page: a list request gets what a delete request gets (retries, one token refresh). */
	async fetchPage(position: ListPosition): Promise<Fetched> {
		const { list, ctx, filters, requester } = this;
		const exchange = await requester.exchange<ListVerdict>(
			'list',
			() => list.buildListRequest(position, ctx, filters, this.window),
			(result) => list.readListResponse(result, ctx, filters),
		);
		const stopped = (): Fetched => ({ kind: 'stop', stop: requester.stop! });
		switch (exchange.kind) {
			case 'halted':
			case 'refused':
				return stopped();
			case 'gaveUp': {
				if (requester.stop !== undefined) return stopped();
				const { code, message } = exchange.verdict;
				const wait =
					exchange.waitS === undefined
						? ''
						: ` (the provider asked to wait ${exchange.waitS} s, longer than this node waits)`;
				return { kind: 'stop', stop: { reason: 'list', code, message: `${message}${wait}` } };
			}
			case 'answer': {
				const verdict = exchange.verdict;
				if (verdict.kind === 'page') return verdict;
				if (verdict.kind === 'stopRun') return stopped();
				return {
					kind: 'stop',
					stop: { reason: 'list', code: verdict.code, message: verdict.message },
				};
			}
		}
	}

	/** The page's matches, at most what Limit still allows; `cut` when Limit left some out. */
	select(items: ListedItem[]): { targets: Target[]; cut: boolean } {
		const { end, options } = this;
		const targets: Target[] = [];
		const picked = (cut: boolean) => {
			end.matched += targets.length;
			return { targets, cut };
		};
		for (const item of items) {
			if (this.handled.has(item.id)) continue;
			const undated = item.time === undefined || Number.isNaN(item.time.getTime());
			// Counted whatever Older Than is: with 0 (any age) they go on to the filters, and the hint says so.
			if (undated) end.undated++;
			if (options.olderThan !== undefined) {
				if (undated) continue;
				if (item.time!.getTime() >= options.olderThan.getTime()) continue;
			}
			if (!this.list.matches(item, this.filters, this.ctx, this.window)) continue;
			if (end.matched + targets.length >= options.limit) return picked(true);
			this.handled.add(item.id);
			const invalidReason = this.provider.checkId(item.id);
			targets.push({
				id: item.id,
				items: [0],
				fields: item.fields,
				...(invalidReason === undefined ? {} : { invalidReason }),
			});
		}
		return picked(false);
	}
}

/** Cursor endpoints: the next page is read before this page's matches are deleted. */
async function* cursorPages<P, F>(listing: Listing<P, F>): TargetSource<FilterEnd> {
	const { end, options, requester } = listing;
	const pageSize = listing.list.pageSize;
	let position: ListPosition = { offset: 0, page: 1, pageSize };
	let current = await listing.fetchPage(position);
	while (current.kind === 'page') {
		end.pages++;
		end.listed += current.items.length;
		const { targets, cut } = listing.select(current.items);
		const full = end.matched >= options.limit;
		const more = current.next !== undefined && current.next !== '' && current.items.length > 0;
		if (more && current.next === position.cursor) {
			yield targets;
			end.stop = {
				reason: 'list',
				code: 'CURSOR_REPEATED',
				message:
					'The provider answered with the same page cursor twice, so the list was not read further',
			};
			return end;
		}
		// Read ahead before deleting (docs/by-filter.md, "Paging while deleting").
		let next: Fetched | undefined;
		if (more && !full && end.pages < MAX_LIST_PAGES) {
			position = { offset: 0, page: position.page + 1, pageSize, cursor: current.next };
			next = await listing.fetchPage(position);
		}
		yield targets;
		if (requester.stop !== undefined) return end;
		if (full) {
			end.limitReached = cut || more;
			return end;
		}
		if (next === undefined) {
			if (more) end.stop = pageLimitStop();
			return end;
		}
		current = next;
	}
	end.stop = current.stop;
	return end;
}

/** Offset and page-number endpoints: each read starts where our own deletions left the list. */
async function* offsetPages<P, F>(listing: Listing<P, F>): TargetSource<FilterEnd> {
	const { end, options, requester } = listing;
	const { pageSize, paging } = listing.list;
	const startOf = (offset: number) =>
		paging === 'page' ? Math.floor(offset / pageSize) * pageSize : offset;
	let offset = 0;
	/** What the provider's total should be now if nobody else changed the list. */
	let expectedTotal: number | undefined;
	/** Handled matches that left the list (or may have): rows a read may still show for a while. */
	const removedIds = new Set<string>();
	/** Reads in a row at one position that showed only handled rows, some of them deleted. */
	let stuck = 0;
	/** Rows were stepped over while deleted rows still showed: they may have hidden unread ones. */
	let sweepAgain = false;
	let sweeps = 0;
	for (;;) {
		if (end.pages >= MAX_LIST_PAGES) {
			end.stop = pageLimitStop();
			return end;
		}
		const start = startOf(offset);
		const fetched = await listing.fetchPage({
			offset: start,
			page: start / pageSize + 1,
			pageSize,
		});
		if (fetched.kind === 'stop') {
			end.stop = fetched.stop;
			return end;
		}
		end.pages++;
		const total = fetched.total;
		if (total !== undefined && expectedTotal !== undefined && total < expectedTotal && offset > 0) {
			// Others deleted items while we listed; some may have been behind us: step back.
			offset = Math.max(0, offset - (expectedTotal - total));
			expectedTotal = total;
			continue;
		}
		end.listed += fetched.items.length;
		const { targets, cut } = listing.select(fetched.items);
		// The engine deletes this page's matches before the next read.
		const gone = targets.length > 0 ? noteRemoved(targets, yield targets, removedIds) : 0;
		if (requester.stop !== undefined) return end;
		// Only a short or empty page ends the list: a total can already count deletions the pages
		// still show, and would end the run with rows never read.
		const last = fetched.items.length < pageSize;
		if (end.matched >= options.limit) {
			end.limitReached = cut || !last;
			return end;
		}
		if (last) {
			// Once more from the top when rows were stepped over (handled rows skip, so it ends).
			if (!sweepAgain || sweeps >= MAX_SWEEPS) return end;
			sweeps++;
			sweepAgain = false;
			offset = 0;
			expectedTotal = undefined;
			continue;
		}
		// Every row this page shows that left the list (now or earlier) will close up: the next
		// unread row is that many places nearer. Over-counting only re-reads.
		const leaving = fetched.items.filter((item) => removedIds.has(item.id)).length;
		const next = start + fetched.items.length - leaving;
		if (targets.length === 0 && leaving > 0 && startOf(next) <= start) {
			// Only handled rows, deleted ones still shown: read here once more, then step past them
			// and sweep again at the end, as they may vanish later and pull unread rows back.
			if (stuck++ < 1) continue;
			stuck = 0;
			sweepAgain = true;
			offset = start + fetched.items.length;
		} else {
			stuck = 0;
			offset = next;
		}
		expectedTotal = total === undefined ? undefined : total - gone;
	}
}

/** Remember which of a page's matches left the list (or may have); how many did. */
function noteRemoved(targets: Target[], results: Results, removedIds: Set<string>): number {
	let gone = 0;
	targets.forEach((target, i) => {
		if (!REMOVED.has(results.statusOf(i))) return;
		removedIds.add(target.id);
		gone++;
	});
	return gone;
}

function pageLimitStop(): ListingStop {
	return {
		reason: 'list',
		code: 'TOO_MANY_PAGES',
		message: `The list did not end after ${MAX_LIST_PAGES.toLocaleString('en-US')} pages; narrow the filters`,
	};
}
