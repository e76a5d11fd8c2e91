import type { IHttpRequestOptions } from 'n8n-workflow';

import { filterSource } from '../../nodes/BatchDelete/engine/listing';
import { OutputBuilder } from '../../nodes/BatchDelete/engine/outputs';
import type { Clock, RunSettings, Sender } from '../../nodes/BatchDelete/engine/run';
import { runPipeline } from '../../nodes/BatchDelete/engine/run';
import type {
	BatchVerdict,
	HttpResult,
	ListedItem,
	Provider,
	ProviderList,
} from '../../nodes/BatchDelete/engine/types';

/** What a By Filter run's settings are here: the engine's, plus Limit and Older Than. */
type FilterSettings = RunSettings & { limit: number; olderThan?: Date };

/**
 * The By Filter source (engine/listing.ts) in the one pipeline (engine/run.ts), against an
 * in-memory provider: exact paging while deleting, stepping back
 * when others delete behind the position, no match handled twice, cursor read-ahead, Limit, dry
 * run, undated items, and list failures. No HTTP: a fake Sender answers from an array.
 */

interface Row {
	id: string;
	match: boolean;
	/** Epoch ms; undefined = the provider gives no time. */
	time?: number;
	/** Deleting it fails (the provider refuses). */
	locked?: boolean;
	/** Deleted, but still listed for this many more list reads (an eventually consistent list). */
	lingers?: number;
}

const OLD = Date.UTC(2020, 0, 1);
const NOW = Date.UTC(2024, 0, 1);

class Store {
	rows: Row[] = [];
	log: string[] = [];
	deleted = new Set<string>();
	/** Called before each list answer, with its number (1-based). */
	onList?: (n: number) => void;
	lists = 0;
	failLists = 0;
	/** Deleted rows stay listed, in place, for this many more list reads. */
	linger = 0;
	/** The list answer's total: every row shown, only the rows left (`live`), or none. */
	total: 'shown' | 'live' | 'none' = 'shown';
	private counter = 0;
	/** IDs grow in the order rows are added, so the cursor keyset and the row order agree. */
	add(n: number, row: Omit<Row, 'id'>, prefix = 'r'): string[] {
		return Array.from({ length: n }, () => {
			const id = `${prefix}${String(++this.counter).padStart(5, '0')}`;
			this.rows.push({ id, ...row });
			return id;
		});
	}
	exists = (id: string) => this.rows.some((r) => r.id === id && r.lingers === undefined);
}

const clock: Clock = { now: () => Date.now(), sleep: async () => {} };

function setup(paging: 'offset' | 'page' | 'cursor', pageSize = 10) {
	const store = new Store();
	const provider: Provider<object> = {
		id: 'fake',
		displayName: 'Fake',
		noun: 'things',
		idName: 'the thing ID',
		maxBatchSize: 100,
		defaultBatchSize: 100,
		defaultConcurrency: 1,
		defaultRequestsPerSecond: 0,
		credentials: [{ name: 'fakeApi', value: 'fake', displayName: 'Fake' }],
		properties: [],
		checkId: (id) => (id.startsWith('bad') ? 'bad ID' : undefined),
		readParameters: () => ({}),
		buildRequest: (chunk) => ({
			method: 'POST',
			url: 'http://fake/delete',
			body: chunk.map((t) => t.id),
		}),
		readResponse(chunk, result): BatchVerdict {
			const outcomes = new Map();
			const answer = result.body as Record<string, string>;
			for (const t of chunk)
				outcomes.set(
					t.id,
					answer[t.id] === 'deleted'
						? { status: 'deleted' }
						: answer[t.id] === 'missing'
							? { status: 'notFound' }
							: { status: 'rejected', code: 'LOCKED' },
				);
			return { kind: 'outcomes', outcomes };
		},
	};
	const list: ProviderList<object, { onlyMatch: boolean }> = {
		paging,
		pageSize,
		properties: [],
		readFilters: () => ({ onlyMatch: true }),
		buildListRequest: (position) => ({
			method: 'GET',
			url: 'http://fake/list',
			qs: {
				offset: position.offset,
				page: position.page,
				size: position.pageSize,
				...(position.cursor === undefined ? {} : { cursor: position.cursor }),
			},
		}),
		readListResponse: (result) => result.body as never,
		matches: (item) => item.fields.match === true,
	};
	const toItem = (r: Row): ListedItem => ({
		id: r.id,
		fields: { title: r.id, match: r.match },
		...(r.time === undefined ? {} : { time: new Date(r.time) }),
	});
	const sender: Sender = {
		canRefresh: false,
		async send(request: IHttpRequestOptions): Promise<HttpResult> {
			const respond = (body: unknown, statusCode = 200): HttpResult => ({
				kind: 'response',
				statusCode,
				headers: {},
				body,
				rawBody: JSON.stringify(body),
			});
			if (request.url.endsWith('/list')) {
				store.lists++;
				if (store.failLists > 0) {
					store.failLists--;
					return respond({ kind: 'retry', code: 'HTTP_503', message: 'busy' });
				}
				store.onList?.(store.lists);
				const qs = request.qs as { offset: number; page: number; size: number; cursor?: string };
				if (paging === 'cursor') {
					// Keyset on the row order: the cursor is the last ID read; rows are never reordered.
					const order = store.rows;
					const after = qs.cursor === undefined ? 0 : order.findIndex((r) => r.id > qs.cursor!);
					const start = after === -1 ? order.length : qs.cursor === undefined ? 0 : after;
					const page = order.slice(start, start + qs.size);
					store.log.push(`list ${qs.cursor ?? 'first'}`);
					const more = start + qs.size < order.length;
					return respond({
						kind: 'page',
						items: page.map(toItem),
						...(more ? { next: page[page.length - 1].id } : {}),
					});
				}
				const start = paging === 'page' ? (qs.page - 1) * qs.size : qs.offset;
				store.log.push(`list ${start}`);
				const shown = store.rows.slice();
				const live = shown.filter((r) => r.lingers === undefined).length;
				for (const r of shown) if (r.lingers !== undefined) r.lingers--;
				store.rows = store.rows.filter((r) => r.lingers === undefined || r.lingers > 0);
				return respond({
					kind: 'page',
					items: shown.slice(start, start + qs.size).map(toItem),
					...(store.total === 'none'
						? {}
						: { total: store.total === 'live' ? live : shown.length }),
				});
			}
			const ids = request.body as string[];
			store.log.push(`delete ${ids.length}`);
			const answer: Record<string, string> = {};
			for (const id of ids) {
				const row = store.rows.find((r) => r.id === id);
				if (row === undefined || row.lingers !== undefined) answer[id] = 'missing';
				else if (row.locked) answer[id] = 'locked';
				else if (store.linger > 0) {
					row.lingers = store.linger;
					store.deleted.add(id);
					answer[id] = 'deleted';
				} else {
					store.rows = store.rows.filter((r) => r !== row);
					store.deleted.add(id);
					answer[id] = 'deleted';
				}
			}
			return respond(answer);
		},
	};
	const settings = (over: Partial<FilterSettings> = {}): FilterSettings => ({
		batchSize: 100,
		concurrency: 1,
		requestsPerSecond: 0,
		treatNotFoundAsDeleted: true,
		retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1000 },
		maxSplitRequests: 0,
		dryRun: false,
		limit: 1000,
		...over,
	});
	const run = async (over: Partial<FilterSettings> = {}) => {
		const s = settings(over);
		const ctx = { params: {}, credentialType: 'fakeApi', credentials: {} };
		const options = {
			limit: s.limit,
			startedAt: new Date(clock.now()),
			...(s.olderThan ? { olderThan: s.olderThan } : {}),
		};
		const report = await runPipeline(
			provider,
			ctx,
			filterSource(provider, list, ctx, { onlyMatch: true }, options),
			s,
			sender,
			clock,
			() => false,
		);
		const builder = new OutputBuilder(provider.id, 'eachId', []);
		for (const batch of report.batches) builder.add(batch.targets, batch.results);
		const { success, failure } = builder;
		const stop = report.end.stop
			? { ...report.end.stop, during: 'list' }
			: report.stop
				? { ...report.stop, during: 'delete' }
				: undefined;
		return {
			...report.end,
			success,
			failure,
			stop,
			requests: report.requests,
			listRequests: report.listRequests,
		};
	};
	return { store, run };
}

const ids = (items: Array<{ json: { id?: unknown } }>) => items.map((i) => String(i.json.id));

describe.each(['offset', 'page', 'cursor'] as const)('By Filter loop, %s paging', (paging) => {
	it('deletes every match across pages while keeping the rest, each once', async () => {
		const { store, run } = setup(paging);
		// Interleave: match, keep, match, match, keep… so pages shift as matches go.
		const matches: string[] = [];
		for (let i = 0; i < 47; i++) {
			if (i % 3 === 1) store.add(1, { match: false, time: OLD });
			else matches.push(...store.add(1, { match: true, time: OLD }));
		}
		const report = await run();
		expect(ids(report.success).sort()).toEqual([...matches].sort());
		expect(new Set(ids(report.success)).size).toBe(report.success.length);
		expect(store.rows.every((r) => !r.match)).toBe(true);
		expect(report.stop).toBeUndefined();
		expect(report.limitReached).toBe(false);
		// Interleaved: the first delete goes out before the last page is read.
		expect(store.log.findIndex((l) => l.startsWith('delete'))).toBeLessThan(
			store.log.map((l) => l.startsWith('list')).lastIndexOf(true),
		);
	});

	it('handles at most Limit matches and says when more may remain', async () => {
		const { store, run } = setup(paging);
		store.add(35, { match: true, time: OLD });
		const report = await run({ limit: 12 });
		expect(report.success).toHaveLength(12);
		expect(report.limitReached).toBe(true);
		expect(store.rows).toHaveLength(23);
		const exact = setup(paging);
		exact.store.add(12, { match: true, time: OLD });
		const all = await exact.run({ limit: 12 });
		expect(all.success).toHaveLength(12);
		expect(all.limitReached).toBe(false);
	});

	it('in a dry run shows every match within Limit with the listed fields and deletes nothing', async () => {
		const { store, run } = setup(paging);
		store.add(25, { match: true, time: OLD });
		store.add(5, { match: false, time: OLD });
		const report = await run({ dryRun: true, limit: 20 });
		expect(report.success).toHaveLength(20);
		expect(
			report.success.every((i) => i.json.status === 'dryRun' && i.json.title === i.json.id),
		).toBe(true);
		expect(store.log.some((l) => l.startsWith('delete'))).toBe(false);
		expect(store.rows).toHaveLength(30);
		expect(report.success.map((i) => i.json.batch)).toEqual(expect.arrayContaining([1, 2]));
	});

	it('keeps items Older Than cannot date, and items younger than the cutoff', async () => {
		const { store, run } = setup(paging);
		const old = store.add(4, { match: true, time: OLD });
		store.add(3, { match: true, time: NOW });
		store.add(2, { match: true });
		const report = await run({ olderThan: new Date(Date.UTC(2023, 0, 1)) });
		expect(ids(report.success).sort()).toEqual([...old].sort());
		expect(report.undated).toBeGreaterThanOrEqual(2);
		expect(store.rows).toHaveLength(5);
	});

	it('with Older Than 0 (any age) hands undated items to the filters, and counts them', async () => {
		const { store, run } = setup(paging);
		const dated = store.add(4, { match: true, time: OLD });
		const undated = store.add(2, { match: true });
		const report = await run();
		expect(ids(report.success).sort()).toEqual([...dated, ...undated].sort());
		expect(report.undated).toBe(2);
	});

	it('reports an ID the provider may not take as invalid, without sending it', async () => {
		const { store, run } = setup(paging);
		store.add(2, { match: true, time: OLD }, 'bad');
		store.add(3, { match: true, time: OLD });
		const report = await run();
		expect(report.failure.map((i) => i.json.status)).toEqual(['invalid', 'invalid']);
		expect(report.success).toHaveLength(3);
	});

	it('retries a failing list request, then stops and says so', async () => {
		const { store, run } = setup(paging);
		store.add(3, { match: true, time: OLD });
		store.failLists = 1;
		expect((await run()).success).toHaveLength(3);
		store.add(3, { match: true, time: OLD });
		store.failLists = 10;
		const report = await run();
		expect(report.stop).toMatchObject({ reason: 'list', code: 'HTTP_503', during: 'list' });
		expect(report.success).toHaveLength(0);
	});
});

describe('By Filter loop while deleting', () => {
	it('offset paging: the next read starts exactly where unread items begin', async () => {
		const { store, run } = setup('offset', 10);
		// 10 per page: 6 matches and 4 kept on page 1, and so on.
		for (let i = 0; i < 30; i++) store.add(1, { match: i % 5 < 3, time: OLD });
		await run();
		// Page 1 at 0; 6 deleted, 4 kept → the next read at 4; then 8; then 12, a short page: only a
		// short or empty page ends the list (a total may already count deletions pages still show).
		expect(store.log.filter((l) => l.startsWith('list'))).toEqual([
			'list 0',
			'list 4',
			'list 8',
			'list 12',
		]);
		expect(store.rows).toHaveLength(12);
	});

	it('page paging: reads from the page holding the first unread position', async () => {
		const { store, run } = setup('page', 10);
		for (let i = 0; i < 30; i++) store.add(1, { match: i % 5 < 3, time: OLD });
		await run();
		// Page 1 is read again while it still holds unread items behind kept ones; page 2 once it is all kept.
		const reads = store.log.filter((l) => l.startsWith('list'));
		expect(reads.slice(0, 3)).toEqual(['list 0', 'list 0', 'list 0']);
		expect(reads.at(-1)).toBe('list 10');
		expect(store.rows).toHaveLength(12);
		expect(store.rows.every((r) => !r.match)).toBe(true);
	});

	it('a failed delete stays listed but is handled once', async () => {
		const { store, run } = setup('page', 10);
		const locked = store.add(5, { match: true, time: OLD, locked: true });
		store.add(30, { match: true, time: OLD });
		const report = await run();
		expect(ids(report.failure).sort()).toEqual([...locked].sort());
		expect(report.success).toHaveLength(30);
		expect(
			store.log
				.filter((l) => l.startsWith('delete'))
				.reduce((n, l) => n + Number(l.split(' ')[1]), 0),
		).toBe(35);
	});

	it.each(['offset', 'page'] as const)(
		'%s paging: steps back when others delete behind the position',
		async (paging) => {
			const { store, run } = setup(paging, 10);
			const kept = store.add(10, { match: false, time: OLD });
			const matches = store.add(25, { match: true, time: OLD });
			store.onList = (n) => {
				// While page 2 is read, someone deletes 4 kept items of page 1: 4 matches slide behind.
				if (n === 2) store.rows = store.rows.filter((r) => !kept.slice(0, 4).includes(r.id));
			};
			const report = await run();
			expect(ids(report.success).sort()).toEqual([...matches].sort());
			expect(store.rows.filter((r) => r.match)).toEqual([]);
		},
	);

	describe.each(['offset', 'page'] as const)('%s paging, deleted rows still listed', (paging) => {
		it.each([
			['no total', 'none', 1],
			['no total', 'none', 3],
			['a total that already dropped', 'live', 1],
			['a total that already dropped', 'live', 3],
		] as const)(
			'with %s (%s), for %i reads: every match read and deleted once, the list ended only by a short page',
			async (_what, total, linger) => {
				const { store, run } = setup(paging, 10);
				store.linger = linger;
				store.total = total;
				const kept = store.add(7, { match: false, time: OLD });
				const matches = store.add(43, { match: true, time: OLD });
				const report = await run();
				expect(ids(report.success).sort()).toEqual([...matches].sort());
				expect(report.failure).toEqual([]);
				expect(store.rows.filter((r) => r.lingers === undefined).map((r) => r.id)).toEqual(kept);
				expect(store.lists).toBeLessThan(60);
			},
		);
	});

	it('offset paging: items added at the top shift the list but are never handled twice', async () => {
		const { store, run } = setup('offset', 10);
		store.add(40, { match: true, time: OLD, locked: true });
		store.onList = (n) => {
			if (n <= 3) store.rows.unshift({ id: `new${n}`, match: false, time: NOW });
		};
		const report = await run();
		expect(report.failure).toHaveLength(40);
		expect(new Set(ids(report.failure)).size).toBe(40);
	});

	it('cursor paging: reads the next page before deleting this one', async () => {
		const { store, run } = setup('cursor', 10);
		store.add(25, { match: true, time: OLD });
		await run();
		expect(store.log.map((l) => l.split(' ')[0])).toEqual([
			'list',
			'list',
			'delete',
			'list',
			'delete',
			'delete',
		]);
	});
});
