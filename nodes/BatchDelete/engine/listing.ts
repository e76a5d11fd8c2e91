import type { INodeExecutionData, IHttpRequestOptions } from 'n8n-workflow';

import { dryRunOutputs } from './dryRun';
import { buildOutputs } from './outputs';
import type { Unit } from './plan';
import { chunkUnits } from './plan';
import { RateLimiter } from './rateLimit';
import { backoffMs } from './retry';
import type { Clock, RunSettings, Sender, UnitResult } from './run';
import { runDeletion } from './run';
import type { HttpResult, ListedItem, ListPosition, ListVerdict, ListWindow, Provider, ProviderContext, ProviderList } from './types';

/**
 * Delete by filter: list through the provider's own list endpoint, page by page, keep the items
 * that pass the filters, and hand each page's matches to the same delete engine (`runDeletion`)
 * before the next page is read. Memory stays bounded on large accounts: one page of matches (two
 * for cursor endpoints, see below), the IDs already handled (at most Limit) and the output items.
 *
 * Paging while deleting. What we delete disappears from the list, so an offset or page number
 * computed before the delete points past items nobody has looked at yet. The strategy:
 *
 * - Offset and page-number endpoints (Quectel `page`/`pageSize`, Huawei `offset`/`limit`): the
 *   next read starts at `start + itemsOnThisPage − removedFromThisPage`, the first position no
 *   read has covered once our own deletions have closed the gap. "Removed" counts every match the
 *   provider confirmed gone (`deleted`, `alreadyGone`, `notFound`) and every `unknown` one: when
 *   in doubt we over-count, which re-reads an item or two (harmless, see the next point) rather
 *   than skipping one. A page-number endpoint is read from the page holding that position, so
 *   the head of the page may be items already seen.
 * - No match is handled twice: IDs already handled are remembered (at most Limit of them) and
 *   skipped when a re-read, a shifted page or a provider that still lists a deleted item shows
 *   them again. Those occurrences count as present, so the position always moves on.
 * - Someone else deleting while we list (a second cleanup, a user in the app): items behind our
 *   position would shift forward unseen. When the provider reports a total, a total smaller than
 *   expected (the previous total minus what we removed) means that happened; the position moves
 *   back by the difference and the page is read again, so nothing is skipped (the remembered IDs
 *   keep it from repeating). Items added at the top (newest-first lists) shift the list the
 *   other way: re-reads, never skips. Left open: additions and deletions by others that cancel
 *   out exactly between two reads of a total; the next scheduled run picks up what that missed.
 * - Cursor endpoints (Avaya `nextPageUrl`, SOLAPI's last listed message as `startKey`) do not
 *   shift: the cursor names a position, not a count. The next page is read before this page's
 *   matches are deleted, so a cursor that names the last listed item is always used while that
 *   item still exists.
 *
 * The run ends at the end of the list, when Limit matches were handled, or when the run stops
 * (bad credentials, a quota, cancellation, a list request that kept failing).
 */

export interface FilterSettings extends RunSettings {
	dryRun: boolean;
	/** The most matches one run handles: deleted, failed, or shown by a dry run. */
	limit: number;
	/** Only items created before this match; undefined: any age. */
	olderThan?: Date;
	batchSize: number;
}

export interface ListingStop {
	/** `list`: a list request kept failing or could not be read. */
	reason: 'auth' | 'quota' | 'config' | 'cancelled' | 'list';
	code: string;
	message: string;
	/** Whether the run stopped while listing (the rest of the list was never read) or deleting. */
	during: 'list' | 'delete';
}

export interface FilterReport {
	success: INodeExecutionData[];
	failure: INodeExecutionData[];
	stop?: ListingStop;
	/** Limit matches were handled and the list may hold more. */
	limitReached: boolean;
	/** Whether anything may have been deleted. */
	anyApplied: boolean;
	pages: number;
	listed: number;
	matched: number;
	/** Listed items Older Than could not date (the provider gave no readable time): never matched. */
	undated: number;
	listRequests: number;
	deleteRequests: number;
}

/** Statuses after which a listed match has left the list, or may have (over-counting is safe). */
const REMOVED = new Set(['deleted', 'alreadyGone', 'notFound', 'unknown']);

/** A provider that never says "last page" and never runs short cannot keep a run going forever. */
export const MAX_LIST_PAGES = 100_000;

type Fetched = { kind: 'page'; items: ListedItem[]; next?: string; total?: number } | { kind: 'stop'; stop: ListingStop };

export async function runByFilter<P, F>(
	provider: Provider<P>,
	list: ProviderList<P, F>,
	ctx: ProviderContext<P>,
	filters: F,
	settings: FilterSettings,
	sender: Sender,
	clock: Clock,
	isCancelled: () => boolean,
	secrets: string[],
): Promise<FilterReport> {
	const report: FilterReport = {
		success: [],
		failure: [],
		limitReached: false,
		anyApplied: false,
		pages: 0,
		listed: 0,
		matched: 0,
		undated: 0,
		listRequests: 0,
		deleteRequests: 0,
	};

	// One rate limiter for list and delete requests alike: the provider counts both.
	const limiter = new RateLimiter(settings.requestsPerSecond, clock);
	const paced: Sender = {
		canRefresh: sender.canRefresh,
		send: async (request, refresh) => {
			await limiter.take();
			return await sender.send(request, refresh);
		},
	};
	const deleteSettings: RunSettings = { ...settings, requestsPerSecond: 0 };

	const window: ListWindow = { startedAt: new Date(clock.now()), ...(settings.olderThan === undefined ? {} : { olderThan: settings.olderThan }) };
	const handled = new Set<string>();
	let batchBase = 0;
	const cancelled = (): ListingStop => ({ reason: 'cancelled', code: 'CANCELLED', message: 'The execution was cancelled', during: 'list' });

	/** One page, with retries and one token refresh, as a delete request gets them. */
	const fetchPage = async (position: ListPosition): Promise<Fetched> => {
		let retries = 0;
		let refreshed = false;
		let refresh = false;
		for (;;) {
			if (isCancelled()) return { kind: 'stop', stop: cancelled() };
			let request: IHttpRequestOptions;
			try {
				request = list.buildListRequest(position, ctx, filters, window);
			} catch (error) {
				return { kind: 'stop', stop: { reason: 'config', code: 'INVALID_CONFIGURATION', message: (error as Error).message, during: 'list' } };
			}
			report.listRequests++;
			const result = await paced.send(request, refresh);
			refresh = false;
			const verdict = listVerdictOf(list, result, ctx, filters);
			switch (verdict.kind) {
				case 'page':
					return verdict;
				case 'retry': {
					const stopAs = (message: string): Fetched => ({
						kind: 'stop',
						stop: verdict.onExhausted !== undefined
							? { reason: verdict.onExhausted.reason, code: verdict.onExhausted.code, message: verdict.onExhausted.message, during: 'list' }
							: { reason: 'list', code: verdict.code, message, during: 'list' },
					});
					if (retries >= Math.min(settings.retry.maxRetries, verdict.maxRetries ?? Infinity) || isCancelled()) return stopAs(verdict.message);
					const delay = verdict.retryAfterMs ?? Math.max(backoffMs(retries, settings.retry), verdict.minDelayMs ?? 0);
					if (delay > settings.retry.maxDelayMs) {
						return stopAs(`${verdict.message} (the provider asked to wait ${Math.ceil(delay / 1000)} s, longer than this node waits)`);
					}
					if (verdict.retryAfterMs !== undefined) limiter.pushBack(delay);
					retries++;
					await clock.sleep(delay);
					continue;
				}
				case 'reauth':
					if (refreshed || !sender.canRefresh) return { kind: 'stop', stop: { reason: 'auth', code: verdict.code, message: verdict.message, during: 'list' } };
					refreshed = true;
					refresh = true;
					continue;
				case 'failBatch':
					return { kind: 'stop', stop: { reason: 'list', code: verdict.code, message: verdict.message, during: 'list' } };
				case 'stopRun':
					return { kind: 'stop', stop: { reason: verdict.reason, code: verdict.code, message: verdict.message, during: 'list' } };
			}
		}
	};

	/** The page's matches, at most what Limit still allows; `cut` when Limit left some out. */
	const select = (items: ListedItem[]): { units: Unit[]; cut: boolean } => {
		const units: Unit[] = [];
		for (const item of items) {
			if (handled.has(item.id)) continue;
			if (settings.olderThan !== undefined) {
				if (item.time === undefined || Number.isNaN(item.time.getTime())) {
					report.undated++;
					continue;
				}
				if (item.time.getTime() >= settings.olderThan.getTime()) continue;
			}
			if (!list.matches(item, filters, ctx, window)) continue;
			if (report.matched + units.length >= settings.limit) return { units, cut: true };
			handled.add(item.id);
			const invalidReason = provider.checkId(item.id);
			units.push({ id: item.id, items: [0], fields: item.fields, ...(invalidReason === undefined ? {} : { invalidReason }) });
		}
		return { units, cut: false };
	};

	/** Delete (or, in a dry run, show) one page's matches; returns how many left the list. */
	const handle = async (units: Unit[]): Promise<{ removed: number; stop?: ListingStop }> => {
		report.matched += units.length;
		if (units.length === 0) return { removed: 0 };
		const valid = units.filter((u) => u.invalidReason === undefined);
		const batches = chunkUnits(valid, settings.batchSize).length;
		if (settings.dryRun) {
			for (const item of dryRunOutputs(provider, ctx, valid, settings.batchSize)) {
				item.json.batch = (item.json.batch as number) + batchBase;
				report.success.push(item);
			}
			const invalid = units.filter((u) => u.invalidReason !== undefined);
			const [, failure] = buildOutputs(provider.id, invalid, invalid.map(invalidResult), secrets);
			report.failure.push(...failure);
			batchBase += batches;
			return { removed: 0 };
		}
		const run = await runDeletion(provider, ctx, units, deleteSettings, paced, clock, isCancelled);
		report.deleteRequests += run.requests;
		report.anyApplied ||= run.anyApplied;
		const results = run.results.map((r): UnitResult => (r.batch === null ? r : { ...r, batch: r.batch + batchBase }));
		batchBase += batches;
		const [success, failure] = buildOutputs(provider.id, units, results, secrets);
		report.success.push(...success);
		report.failure.push(...failure);
		const removed = results.filter((r) => REMOVED.has(r.status)).length;
		return { removed, ...(run.stop === undefined ? {} : { stop: { ...run.stop, during: 'delete' as const } }) };
	};

	const pageSize = list.pageSize;
	if (list.paging === 'cursor') {
		let position: ListPosition = { offset: 0, page: 1, pageSize };
		let current = await fetchPage(position);
		while (current.kind === 'page') {
			report.pages++;
			report.listed += current.items.length;
			const { units, cut } = select(current.items);
			const full = report.matched + units.length >= settings.limit;
			const more = current.next !== undefined && current.next !== '' && current.items.length > 0;
			if (more && current.next === position.cursor) {
				await handle(units);
				report.stop = { reason: 'list', code: 'CURSOR_REPEATED', message: 'The provider answered with the same page cursor twice, so the list was not read further', during: 'list' };
				return report;
			}
			// Read ahead before deleting (see the top of this file).
			let next: Fetched | undefined;
			if (more && !full && report.pages < MAX_LIST_PAGES) {
				position = { offset: 0, page: position.page + 1, pageSize, cursor: current.next };
				next = await fetchPage(position);
			}
			const done = await handle(units);
			if (done.stop !== undefined) {
				report.stop = done.stop;
				return report;
			}
			if (full) {
				report.limitReached = cut || more;
				return report;
			}
			if (next === undefined) {
				if (more) report.stop = pageLimitStop();
				return report;
			}
			current = next;
		}
		report.stop = current.stop;
		return report;
	}

	// Offset and page-number endpoints.
	let offset = 0;
	/** What the provider's total should be now if nobody else changed the list. */
	let expectedTotal: number | undefined;
	for (;;) {
		if (report.pages >= MAX_LIST_PAGES) {
			report.stop = pageLimitStop();
			return report;
		}
		const start = list.paging === 'page' ? Math.floor(offset / pageSize) * pageSize : offset;
		const fetched = await fetchPage({ offset: start, page: start / pageSize + 1, pageSize });
		if (fetched.kind === 'stop') {
			report.stop = fetched.stop;
			return report;
		}
		report.pages++;
		const total = fetched.total;
		if (total !== undefined && expectedTotal !== undefined && total < expectedTotal && offset > 0) {
			// Others deleted items while we listed; some may have been behind us: step back.
			offset = Math.max(0, offset - (expectedTotal - total));
			expectedTotal = total;
			continue;
		}
		report.listed += fetched.items.length;
		const { units, cut } = select(fetched.items);
		const done = await handle(units);
		if (done.stop !== undefined) {
			report.stop = done.stop;
			return report;
		}
		const last = fetched.items.length < pageSize || (total !== undefined && start + fetched.items.length >= total);
		if (report.matched >= settings.limit) {
			report.limitReached = cut || !last;
			return report;
		}
		if (last) return report;
		offset = start + fetched.items.length - done.removed;
		expectedTotal = total === undefined ? undefined : total - done.removed;
		if (isCancelled()) {
			report.stop = cancelled();
			return report;
		}
	}
}

function pageLimitStop(): ListingStop {
	return {
		reason: 'list',
		code: 'TOO_MANY_PAGES',
		message: `The list did not end after ${MAX_LIST_PAGES.toLocaleString('en-US')} pages; narrow the filters`,
		during: 'list',
	};
}

function invalidResult(unit: Unit): UnitResult {
	return { status: 'invalid', code: 'INVALID_ID', message: unit.invalidReason, batch: null, attempts: 0 };
}

function listVerdictOf<P, F>(list: ProviderList<P, F>, result: HttpResult, ctx: ProviderContext<P>, filters: F): ListVerdict {
	if (result.kind === 'network') return { kind: 'retry', code: result.code, message: result.message };
	if (result.kind === 'credential') return { kind: 'stopRun', reason: 'auth', code: result.code, message: result.message };
	return list.readListResponse(result, ctx, filters);
}
