import type { MockServer } from './mockServer';

/**
 * Two ways a real list endpoint can let a client down, switchable on every list mock:
 *
 * - `ignoreFilters`: the server ignores every filter the request carries (query parameters
 *   other than paging and ordering, and a scope in the path that listed items name: a space, a
 *   group) and lists everything. Each filter it ignored is recorded under its query parameter
 *   name (or `spaceId` / `groupId`), so a test can tell which filters the node sent and must
 *   have checked itself. Any query parameter the mock does not know as paging counts as a filter:
 *   a filter the node starts sending later is caught too.
 * - `staleReads`: an eventually consistent backend. An item that left the list (deleted by the
 *   node or anyone) is still listed, as it was, for this many further list reads.
 * - `liveTotal` (with `staleReads`): the list's `total` already counts only what is left while its
 *   pages still show the deleted rows, so pages and total disagree (see `totalOf`).
 */
export class ListModes {
	ignoreFilters = false;
	readonly ignored = new Set<string>();
	staleReads = 0;
	liveTotal = false;
	/** List reads answered since the modes were created. */
	reads = 0;
	/** How many times a read showed an item that had already left the list. */
	staleShown = 0;
	private last = new Map<string, unknown>();
	private readonly stale = new Map<string, { row: unknown; left: number }>();
	/** IDs the last read showed although they had left the list. */
	private shownStale = new Set<string>();

	/** Whether a filter lets an item through: always, when filters are ignored (and it was sent). */
	passes(name: string, sent: boolean, test: () => boolean): boolean {
		if (!sent) return true;
		if (this.ignoreFilters) {
			this.ignored.add(name);
			return true;
		}
		return test();
	}

	/** Records every query parameter that is not paging as an ignored filter (ignore mode only). */
	noteQuery(query: URLSearchParams, paging: readonly string[]): void {
		if (!this.ignoreFilters) return;
		for (const [key, value] of query)
			if (!paging.includes(key) && value !== '') this.ignored.add(key);
	}

	/**
	 * The rows one list read shows: the live ones, plus those that left since an earlier read and
	 * are still within `staleReads` reads of leaving. Call once per list read, before filtering.
	 */
	rows<T>(live: T[], idOf: (row: T) => string): T[] {
		this.reads++;
		const now = new Map(live.map((row) => [idOf(row), row as unknown]));
		if (this.staleReads > 0) {
			for (const [id, row] of this.last)
				if (!now.has(id) && !this.stale.has(id)) this.stale.set(id, { row, left: this.staleReads });
		}
		const shown = [...live];
		this.shownStale = new Set();
		for (const [id, entry] of this.stale) {
			if (now.has(id) || entry.left <= 0) {
				this.stale.delete(id);
				continue;
			}
			entry.left--;
			this.staleShown++;
			this.shownStale.add(id);
			shown.push(entry.row as T);
		}
		this.last = now;
		return shown;
	}

	/** The `total` a list answer gives for these (filtered) rows of the last read: all of them, or
	 * with `liveTotal` only those that had not left the list. */
	totalOf<T>(rows: T[], idOf: (row: T) => string): number {
		if (!this.liveTotal) return rows.length;
		return rows.filter((row) => !this.shownStale.has(idOf(row))).length;
	}
}

const modes = new WeakMap<MockServer, ListModes>();

/** The list modes of a provider mock (created, all off, on first use). */
export function listModes(mock: MockServer): ListModes {
	let found = modes.get(mock);
	if (found === undefined) {
		found = new ListModes();
		modes.set(mock, found);
	}
	return found;
}
