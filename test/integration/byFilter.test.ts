import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { PROVIDERS } from '../../nodes/BatchDelete/providers';
import { listModes } from '../mocks/listModes';
import type { AvayaSpacesMock } from '../mocks/avayaSpaces';
import type { QuectelMock } from '../mocks/quectel';
import type { SolapiMock } from '../mocks/solapi';
import { solapiPaging } from '../mocks/solapiList';
import type { FilterEnv } from '../support/byFilterEnvs';
import {
	FILTER_ENVS,
	checkFilterInvariant,
	startAvaya,
	startQuectel,
	startSolapi,
} from '../support/byFilterEnvs';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * Select = By Filter inside n8n's engine, against each provider's mock over real HTTP: the node
 * lists through the provider's list endpoint, page by page, deletes what matches, and reports it
 * with the listed fields. Every provider: more matches than one page, the limit, dry run, a list
 * that changes under the listing, and the invariant.
 */

describe.each(FILTER_ENVS)('By Filter: $id', ({ start }) => {
	let env: FilterEnv;
	beforeEach(async () => {
		env = await start();
	});
	afterEach(async () => await env.close());

	// Above the default Limit (1,000): SOLAPI's pages hold 500, and these runs span more than two.
	const ALL = { filterLimit: 100_000 };
	const run = async (parameters = env.parameters(0, ALL), continueOnFail = false) =>
		await runBatchDelete({
			parameters,
			credentials: env.credentials(),
			items: [{ trigger: 'schedule' }],
			continueOnFail,
		});
	const listRequests = () => env.mock.requestsTo(env.listPath).filter((r) => r.method === 'GET');
	const deleteRequests = () =>
		env.mock.requestsTo(env.deletePath).filter((r) => r.method !== 'GET');

	/** Matches spread over more than two pages, between items that must stay. */
	const seedMixed = () => {
		const pages = env.pageSize * 2 + Math.ceil(env.pageSize / 2);
		const matches = env.seed(pages, { match: true, old: true });
		const otherKind = env.seed(Math.ceil(env.pageSize / 2), { match: false, old: true });
		const young = env.seed(Math.ceil(env.pageSize / 3), { match: true, old: false });
		return { matches, young, keep: [...otherKind, ...young] };
	};

	it('lists page by page, deletes every match, keeps the rest, and carries the listed fields', async () => {
		const { matches, keep } = seedMixed();
		const result = await run();
		expect(result.error).toBeUndefined();
		expect(result.success).toHaveLength(matches.length);
		expect(result.failure).toHaveLength(0);
		expect(result.success.every((i) => i.json.status === 'deleted')).toBe(true);
		checkFilterInvariant(env, result, matches);
		expect(matches.every((id) => !env.exists(id))).toBe(true);
		expect(keep.every((id) => env.exists(id))).toBe(true);
		// The listed fields ride along for downstream logging; every item pairs with the trigger item.
		for (const item of result.success) {
			expect(typeof item.json.title).toBe('string');
			expect(Date.parse(String(item.json.time))).toBeLessThan(Date.now() - 30 * 86_400_000);
			expect(item.json.type).not.toBeNull();
			expect(item.pairedItem).toEqual({ item: 0 });
		}
		// Listing and deleting interleave: the first delete goes out before the last page is read,
		// and no delete request holds more than one page of matches.
		expect(listRequests().length).toBeGreaterThan(2);
		expect(deleteRequests()[0].receivedAt).toBeLessThanOrEqual(listRequests().at(-1)!.receivedAt);
		expect(Math.max(...deleteRequests().map((r) => env.idsOf(r).length))).toBeLessThanOrEqual(
			env.pageSize,
		);
		// Batches are numbered across the whole run, not per page.
		expect(Math.max(...result.success.map((i) => i.json.batch as number))).toBe(
			deleteRequests().length,
		);
	});

	it('stops at Limit, deletes exactly that many, leaves the rest for the next run and says so', async () => {
		const { matches } = seedMixed();
		const limit = env.pageSize + 7;
		const result = await run(env.parameters(0, { filterLimit: limit }));
		expect(result.error).toBeUndefined();
		expect(result.success).toHaveLength(limit);
		const handled = checkFilterInvariant(env, result, matches);
		expect(matches.filter((id) => env.exists(id))).toHaveLength(matches.length - limit);
		expect(handled.every((id) => !env.exists(id))).toBe(true);
		expect(JSON.stringify(result.taskData?.hints ?? [])).toMatch(/Limit reached/);
		// A second run picks up where the first stopped, without touching what it deleted.
		const second = await run(env.parameters(0, ALL));
		expect(second.success).toHaveLength(matches.length - limit);
		checkFilterInvariant(
			env,
			second,
			matches.filter((id) => !handled.includes(id)),
		);
		expect(matches.every((id) => !env.exists(id))).toBe(true);
	});

	it('in a dry run lists and shows what would be deleted, within Limit, and sends no delete', async () => {
		const { matches } = seedMixed();
		const all = await run(env.parameters(0, ALL, { dryRun: true }));
		expect(all.error).toBeUndefined();
		// The preview has its own output: Success and Failure stay empty.
		expect([all.success.length, all.failure.length]).toEqual([0, 0]);
		expect(all.preview.map((i) => i.json.id).sort()).toEqual([...matches].sort());
		expect(
			all.preview.every(
				(i) =>
					i.json.status === 'dryRun' && typeof i.json.title === 'string' && i.json.time !== null,
			),
		).toBe(true);
		expect((all.preview[0].json.request as IDataObject).method).toBeDefined();
		expect(deleteRequests()).toHaveLength(0);
		expect(matches.every((id) => env.exists(id))).toBe(true);

		const capped = await run(env.parameters(0, { filterLimit: 5 }, { dryRun: true }));
		expect(capped.preview).toHaveLength(5);
		expect(deleteRequests()).toHaveLength(0);
	});

	it('neither skips nor repeats a match when the list changes under it', async () => {
		const { matches, young } = seedMixed();
		const others = env.seed(env.pageSize, { match: false, old: true });
		// On the second and third list requests someone else deletes items the list shows but the
		// node keeps (young ones: on newest-first lists, behind the position already read), items
		// it does not show, and matches still ahead; and new items arrive.
		let lists = 0;
		const goneElsewhere: string[] = [];
		env.mock.schedule = (request) => {
			if (request.method === 'GET' && env.listPath.test(request.path) && [2, 3].includes(++lists)) {
				const victims = [
					...young.splice(0, 6),
					...others.splice(0, 5),
					...matches.filter((id) => env.exists(id)).slice(-3),
				];
				env.deleteElsewhere(victims);
				goneElsewhere.push(...victims);
				env.seed(4, { match: true, old: false });
				env.seed(3, { match: false, old: true });
			}
			return undefined;
		};
		const result = await run();
		expect(result.error).toBeUndefined();
		const handled = checkFilterInvariant(env, result, matches);
		// Every match that still existed is gone now, and was reported exactly once (the invariant).
		expect(matches.filter((id) => env.exists(id))).toEqual([]);
		expect(
			matches.filter((id) => !goneElsewhere.includes(id)).every((id) => handled.includes(id)),
		).toBe(true);
		expect(result.success.filter((i) => i.json.status === 'deleted')).toHaveLength(
			matches.filter((id) => !goneElsewhere.includes(id)).length,
		);
	});

	it.each([1, 2, 7])(
		'neither repeats nor loops on deleted items the list still shows for %i more reads, and reaches the end',
		async (reads) => {
			const { matches, keep } = seedMixed();
			// An eventually consistent list: what left it is still listed for the next reads.
			listModes(env.mock).staleReads = reads;
			const result = await run();
			expect(result.error).toBeUndefined();
			const handled = checkFilterInvariant(env, result, matches);
			expect(handled.sort()).toEqual([...matches].sort());
			expect(result.success.every((i) => i.json.status === 'deleted')).toBe(true);
			expect(matches.every((id) => !env.exists(id))).toBe(true);
			expect(keep.every((id) => env.exists(id))).toBe(true);
			// Each match was sent for deletion once, and the listing ended after a bounded number of reads.
			const sent = deleteRequests().flatMap((r) => env.idsOf(r));
			expect(sent.sort()).toEqual([...matches].sort());
			expect(listRequests().length).toBeLessThanOrEqual(
				3 * Math.ceil((matches.length + keep.length) / env.pageSize) + 3,
			);
			// Offset and page lists re-read where deleted items were: the mock did show them again.
			if (PROVIDERS.find((p) => p.id === env.provider)?.list?.paging !== 'cursor')
				expect(listModes(env.mock).staleShown).toBeGreaterThan(0);
		},
	);

	it.each([1, 3])(
		'reads every match when the total already drops while pages still show deleted rows for %i reads',
		async (reads) => {
			const { matches, keep } = seedMixed();
			const modes = listModes(env.mock);
			modes.staleReads = reads;
			modes.liveTotal = true;
			const result = await run();
			expect(result.error).toBeUndefined();
			const handled = checkFilterInvariant(env, result, matches);
			expect(handled.sort()).toEqual([...matches].sort());
			expect(matches.filter((id) => env.exists(id))).toEqual([]);
			expect(keep.every((id) => env.exists(id))).toBe(true);
			expect(result.failure).toHaveLength(0);
		},
	);

	it('stops at Limit on a list that still shows deleted items', async () => {
		const { matches } = seedMixed();
		listModes(env.mock).staleReads = 3;
		const limit = env.pageSize + 7;
		const result = await run(env.parameters(0, { filterLimit: limit }));
		expect(result.error).toBeUndefined();
		expect(result.success).toHaveLength(limit);
		const handled = checkFilterInvariant(env, result, matches);
		expect(handled.every((id) => !env.exists(id))).toBe(true);
		expect(matches.filter((id) => env.exists(id))).toHaveLength(matches.length - limit);
		expect(JSON.stringify(result.taskData?.hints ?? [])).toMatch(/Limit reached/);
	});

	it('reports a list request that keeps failing and deletes nothing more', async () => {
		env.seed(3, { match: true, old: true });
		env.mock.schedule = (request) =>
			request.method === 'GET' && env.listPath.test(request.path)
				? { kind: 'reply', status: 503, body: {} }
				: undefined;
		const failed = await run(env.parameters(0, {}, { maxRetries: 1 }));
		expect(failed.error?.message).toMatch(/could not list what to delete/);
		expect(deleteRequests()).toHaveLength(0);
		const reported = await run(env.parameters(0, {}, { maxRetries: 1 }), true);
		expect(reported.error).toBeUndefined();
		expect(reported.failure).toHaveLength(1);
		expect(reported.failure[0].json).toMatchObject({ id: null, status: 'error', code: 'HTTP_503' });
	});
});

describe('By Filter on a page-number list (Quectel)', () => {
	it('reports a match whose delete fails once, although the list keeps showing it', async () => {
		const env = await startQuectel();
		try {
			const matches = env.seed(260, { match: true, old: true });
			const locked = matches.filter((_, i) => i % 10 === 0);
			for (const id of locked) (env.mock as QuectelMock).messages.get(id)!.locked = true;
			const result = await runBatchDelete({
				parameters: env.parameters(),
				credentials: env.credentials(),
				items: [{}],
			});
			expect(result.error).toBeUndefined();
			checkFilterInvariant(env, result, matches);
			expect(result.failure.map((i) => i.json.id).sort()).toEqual([...locked].sort());
			expect(result.failure.every((i) => i.json.status === 'rejected')).toBe(true);
			expect(result.success).toHaveLength(matches.length - locked.length);
			// Each failed ID was sent once, although the pages that hold it were read again.
			const sent = env.mock.requestsTo(env.deletePath).flatMap((r) => env.idsOf(r));
			expect(sent.filter((id) => locked.includes(id))).toHaveLength(locked.length);
			// Page 1 again and again: what failed stays at its head, behind the position.
			expect(env.mock.requestsTo(env.listPath).map((r) => r.query.get('page'))).toEqual([
				'1',
				'1',
				'1',
			]);
		} finally {
			await env.close();
		}
	});

	it('logs in again when the token expires mid-listing (5032 inside HTTP 200) and goes on', async () => {
		const env = await startQuectel();
		try {
			const matches = env.seed(230, { match: true, old: true });
			const mock = env.mock as QuectelMock;
			let lists = 0;
			env.mock.schedule = (request) => {
				if (env.listPath.test(request.path) && ++lists === 2) mock.expireTokens();
				return undefined;
			};
			const result = await runBatchDelete({
				parameters: env.parameters(),
				credentials: env.credentials(),
				items: [{}],
			});
			expect(result.error).toBeUndefined();
			expect(result.success).toHaveLength(230);
			checkFilterInvariant(env, result, matches);
			expect(mock.logins).toBe(2);
		} finally {
			await env.close();
		}
	});

	it('steps back by what others deleted (the total says so) and skips no match', async () => {
		const env = await startQuectel();
		try {
			// Newest first: exactly one page of young read messages (kept), then old read ones (matches).
			const young = env.seed(env.pageSize, { match: true, old: false });
			const matches = env.seed(150, { match: true, old: true });
			let lists = 0;
			env.mock.schedule = (request) => {
				// While the node asks for page 2, someone deletes 6 of the page-1 messages it kept:
				// the first 6 matches slide onto page 1, behind the position.
				if (env.listPath.test(request.path) && ++lists === 2)
					env.deleteElsewhere(young.slice(0, 6));
				return undefined;
			};
			const result = await runBatchDelete({
				parameters: env.parameters(),
				credentials: env.credentials(),
				items: [{}],
			});
			expect(result.error).toBeUndefined();
			checkFilterInvariant(env, result, matches);
			expect(matches.filter((id) => env.exists(id))).toEqual([]);
			expect(result.success).toHaveLength(150);
			// The step back: page 1 was read again after the total dropped by 6.
			const pages = env.mock.requestsTo(env.listPath).map((r) => r.query.get('page'));
			expect(pages.slice(0, 3)).toEqual(['1', '2', '1']);
		} finally {
			await env.close();
		}
	});
});

/**
 * The list contract (ProviderList.matches): a filter the node sends is a filter the node checks
 * again. For every provider the node registers with a list API, the mock ignores every filter and
 * lists everything; only the items that pass every filter may be deleted or even named, and each
 * filter the request carried must be one the scenario has items failing (only) on.
 */
const LIST_PROVIDERS = PROVIDERS.filter((p) => p.list !== undefined).map((p) => p.id);

describe.each(LIST_PROVIDERS)('By Filter against a server that ignores every filter: %s', (id) => {
	it('deletes only the items that pass every filter, and names no other', async () => {
		const entry = FILTER_ENVS.find((e) => e.id === id);
		if (entry === undefined)
			throw new Error(
				`${id} has a list API but no By Filter test environment (test/support/byFilterEnvs.ts)`,
			);
		const env = await entry.start();
		try {
			const { matches, misses } = env.seedStrict(30);
			const modes = listModes(env.mock);
			modes.ignoreFilters = true;
			const before = env.held();
			const result = await runBatchDelete({
				parameters: env.strictParameters(0, { filterLimit: 100_000 }),
				credentials: env.credentials(),
				items: [{ trigger: 'schedule' }],
			});
			expect(result.error).toBeUndefined();
			checkFilterInvariant(env, result, matches);
			expect(result.success.map((i) => i.json.id).sort()).toEqual([...matches].sort());
			expect(result.success.every((i) => i.json.status === 'deleted')).toBe(true);
			expect(result.failure).toHaveLength(0);
			// The mock's state: every match gone, everything else still there.
			expect(matches.filter((m) => env.exists(m))).toEqual([]);
			expect(before.filter((held) => !matches.includes(held) && !env.exists(held))).toEqual([]);
			// Every filter the node sent (and the server ignored) is one the scenario tested.
			expect(modes.ignored.size).toBeGreaterThan(0);
			for (const name of modes.ignored)
				expect([name, misses[name]?.length ?? 0]).toEqual([name, 30]);
			// The server really listed the misses: they reached the node and its own check left them alone.
			const listed = env.mock.requestsTo(env.listPath).filter((r) => r.method === 'GET').length;
			expect(listed).toBeGreaterThanOrEqual(
				Math.ceil((30 * (1 + Object.keys(misses).length)) / env.pageSize) - 1,
			);
		} finally {
			await env.close();
		}
	});
});

describe('By Filter: Avaya Spaces messages the list gives no time for', () => {
	it.each([
		[0, 'deletes them with the others (0 is any age; the list ends at the run start)'],
		[30, 'keeps them (they cannot be shown to be old enough)'],
	])('with Older Than %i days %s, and says so in a hint', async (olderThan) => {
		const env = await startAvaya();
		try {
			const dated = env.seed(3, { match: true, old: true });
			const undated = env.seed(2, { match: true, old: true });
			for (const id of undated) (env.mock as AvayaSpacesMock).undated.add(id);
			const result = await runBatchDelete({
				parameters: env.parameters(0, { olderThan }),
				credentials: env.credentials(),
				items: [{}],
			});
			expect(result.error).toBeUndefined();
			const expected = olderThan === 0 ? [...dated, ...undated] : dated;
			checkFilterInvariant(env, result, expected);
			expect(result.success.map((i) => i.json.id).sort()).toEqual([...expected].sort());
			expect(undated.every((id) => env.held().includes(id))).toBe(olderThan !== 0);
			const hints = JSON.stringify(result.taskData?.hints ?? []);
			expect(hints).toContain(
				olderThan === 0
					? '2 listed messages had no readable time; Older Than is 0 (any age), so they were handled like the others'
					: '2 listed messages had no readable time, so Older Than left them alone',
			);
		} finally {
			await env.close();
		}
	});
});

describe('By Filter: Avaya Spaces Search Text on a server that ignores searchstring', () => {
	it('of 60 old chat messages, deletes the 40 that contain the text, names none of the other 20', async () => {
		const env = await startAvaya();
		try {
			const space = String(env.parameters(0).avayaSpaceId);
			const { seedAvayaSpace } = await import('../mocks/avayaSpacesList');
			const old = Date.now() - 40 * 86_400_000;
			const containing = seedAvayaSpace(
				env.mock as never,
				space,
				Array.from({ length: 40 }, (_, i) => ({
					created: old - i * 1000,
					category: 'chat' as const,
					bodyText: `<p>Invoice ${i} ${i % 2 ? 'OVERDUE' : 'overdue'}</p>`,
				})),
			);
			const other = seedAvayaSpace(
				env.mock as never,
				space,
				Array.from({ length: 20 }, (_, i) => ({
					created: old - 500 - i * 1000,
					category: 'chat' as const,
					bodyText: `<p>Lunch at ${i}</p>`,
				})),
			);
			listModes(env.mock).ignoreFilters = true;
			const result = await runBatchDelete({
				parameters: env.parameters(0, { avayaSearch: 'Overdue' }),
				credentials: env.credentials(),
				items: [{}],
			});
			expect(result.error).toBeUndefined();
			checkFilterInvariant(env, result, containing);
			expect(result.success.map((i) => i.json.id).sort()).toEqual([...containing].sort());
			expect(containing.every((id) => !env.exists(id))).toBe(true);
			expect(other.every((id) => env.exists(id))).toBe(true);
			expect(listModes(env.mock).ignored.has('searchstring')).toBe(true);
		} finally {
			await env.close();
		}
	});
});

describe.each([
	{ startKey: 'at', nextKey: 'nextFirst' },
	{ startKey: 'after', nextKey: 'nextFirst' },
	{ startKey: 'at', nextKey: 'pageLast' },
	{ startKey: 'after', nextKey: 'pageLast' },
] as const)(
	'By Filter on SOLAPI whose pages start $startKey startKey, nextKey naming $nextKey',
	(paging) => {
		it('skips no match and handles none twice', async () => {
			const env = await startSolapi();
			try {
				solapiPaging(env.mock as SolapiMock, paging);
				// Matches spread over three pages, between messages that stay; the page boundaries fall on both kinds.
				const matches: string[] = [];
				const keep: string[] = [];
				for (let i = 0; i < 14; i++) {
					matches.push(...env.seed(97, { match: true, old: true }));
					keep.push(...env.seed(3, { match: false, old: true }));
				}
				const result = await runBatchDelete({
					parameters: env.parameters(0, { filterLimit: 100_000 }),
					credentials: env.credentials(),
					items: [{}],
				});
				expect(result.error).toBeUndefined();
				const handled = checkFilterInvariant(env, result, matches);
				expect(handled.sort()).toEqual([...matches].sort());
				expect(matches.every((id) => !env.exists(id))).toBe(true);
				expect(keep.every((id) => env.exists(id))).toBe(true);
				const sent = env.mock.requestsTo(env.deletePath).flatMap((r) => env.idsOf(r));
				expect(sent.sort()).toEqual([...matches].sort());
				// The next page was asked from the last message each page listed.
				const keys = env.mock
					.requestsTo(env.listPath)
					.filter((r) => r.method === 'GET')
					.map((r) => r.query.get('startKey'));
				expect(keys[0]).toBeNull();
				expect(keys.length).toBe(3);
			} finally {
				await env.close();
			}
		});
	},
);

describe('By Filter parameters, through the node', () => {
	let env: FilterEnv;
	beforeEach(async () => {
		env = await startAvaya();
	});
	afterEach(async () => await env.close());
	const run = async (extra: INodeParameters, options: INodeParameters = {}) =>
		await runBatchDelete({
			parameters: env.parameters(0, extra, options),
			credentials: env.credentials(),
			items: [{}],
		});
	const listRequests = () => env.mock.requestsTo(env.listPath).filter((r) => r.method === 'GET');

	it('handles at most 1,000 matches when Limit is left at its default', async () => {
		const matches = env.seed(1_000 + env.pageSize, { match: true, old: true });
		const result = await run({}, { dryRun: true });
		expect(result.error).toBeUndefined();
		expect(result.preview).toHaveLength(1_000);
		expect(matches.every((id) => env.exists(id))).toBe(true);
	});

	it('reads Older Than in its unit: 1.5 hours asks the list for what is older than 90 minutes', async () => {
		env.seed(1, { match: true, old: true });
		const before = Date.now();
		const result = await run({ olderThan: 1.5, olderThanUnit: 'hours' });
		expect(result.error).toBeUndefined();
		const refTime = Number(listRequests()[0].query.get('refTime'));
		expect(refTime).toBeGreaterThanOrEqual(before - 5_400_000);
		expect(refTime).toBeLessThanOrEqual(Date.now() - 5_400_000);
	});

	it.each([
		[{ olderThan: -1 }, /Older Than cannot be negative/],
		[{ filterLimit: 0 }, /Limit must be at least 1/],
		[{ filterLimit: 2.5 }, /whole number/],
		[{ olderThanUnit: 'weeks' }, /Older Than Unit/],
	])('refuses %o before listing, naming the parameter', async (extra, message) => {
		const result = await run(extra);
		expect(String(result.error?.message)).toMatch(message);
		expect(listRequests()).toHaveLength(0);
	});
});
