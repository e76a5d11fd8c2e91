import type { AvayaMessage, AvayaSpacesMock } from './avayaSpaces';
import { listModes } from './listModes';
import type { MockReply, MockRequest } from './mockServer';

/**
 * Avaya Spaces' `GET /api/spaces/{spaceId}/messages/query` as its API reference documents it:
 * `size` (default 30, at most 50), `direction` ('before' or 'after' `refTime`, default after),
 * `refTime` (UTC milliseconds, default now), `category`, `searchstring`, and cursor paging with
 * `nextRefObjId` (the last message of the previous page) inside an absolute `nextPageUrl`.
 * Answer `{data, total (this page), nextPageUrl, prevPageUrl}`. Messages are ordered by their
 * ObjectId, which grows with time, so the cursor works whether or not its message still exists.
 * Ignoring filters (see listModes.ts), it lists every space's messages at any time, oldest first
 * (direction's documented default), and matches nothing by text.
 */

/** Query parameters that page rather than filter. */
const PAGING = ['size', 'nextRefObjId', 'prevRefObjId', 'pageref'];

/** Spaces this mock knows (a space with no messages left still exists). */
const spacesOf = new WeakMap<AvayaSpacesMock, Set<string>>();
let counter = 0;

/** A 24-hex ObjectId for a message created at `time` (ms): seconds first, so IDs sort by time. */
export function avayaObjectId(time: number): string {
	const seconds = Math.floor(time / 1000)
		.toString(16)
		.padStart(8, '0');
	return `${seconds}${(++counter).toString(16).padStart(16, '0')}`;
}

export interface AvayaSeed {
	/** Epoch milliseconds. */
	created: number;
	category?: 'chat' | 'idea' | 'task';
	bodyText?: string;
	forbidden?: boolean;
	archived?: boolean;
}

/** Create a space holding these messages; returns their IDs, in the order given. */
export function seedAvayaSpace(
	mock: AvayaSpacesMock,
	spaceId: string,
	seeds: AvayaSeed[],
): string[] {
	const spaces = spacesOf.get(mock) ?? new Set<string>();
	spaces.add(spaceId);
	spacesOf.set(mock, spaces);
	return seeds.map((seed) => {
		const id = avayaObjectId(seed.created);
		mock.add({
			id,
			spaceId,
			created: seed.created,
			category: seed.category ?? 'chat',
			bodyText: seed.bodyText ?? `<p>Message ${id}</p>`,
			forbidden: seed.forbidden,
			archived: seed.archived,
		});
		return id;
	});
}

export function avayaListReply(
	mock: AvayaSpacesMock,
	spaceId: string,
	request: MockRequest,
): MockReply {
	const known =
		spacesOf.get(mock)?.has(spaceId) === true ||
		[...mock.messages.values()].some((m) => m.spaceId === spaceId);
	if (!known) return { status: 404, body: { code: 'topic.not_found', message: 'Space not found' } };
	const q = request.query;
	const size = Math.min(50, Number(q.get('size') ?? 30));
	if (!Number.isInteger(size) || size < 1) {
		return {
			status: 400,
			body: {
				error: { code: 'api_bad_request_input', message: 'Api Bad Request Check Input' },
				reason: 'size must be a positive integer',
			},
		};
	}
	const direction = q.get('direction') ?? 'after';
	if (direction !== 'before' && direction !== 'after') {
		return {
			status: 400,
			body: {
				error: { code: 'api_bad_request_input', message: 'Api Bad Request Check Input' },
				reason: "direction must be 'before' or 'after'",
			},
		};
	}
	const refRaw = q.get('refTime');
	const refTime =
		refRaw === null || refRaw === ''
			? Date.now()
			: /^\d+$/.test(refRaw)
				? Number(refRaw)
				: Date.parse(refRaw);
	const category = q.get('category');
	const search = q.get('searchstring')?.toLowerCase();
	const anchor = q.get('nextRefObjId');
	const modes = listModes(mock);
	modes.noteQuery(q, PAGING);
	// A server ignoring direction uses its default (after), and lists from the oldest.
	const before = direction === 'before' && !modes.ignoreFilters;
	const now = Date.now();
	const matching = modes
		.rows([...mock.messages.values()], (m) => m.id)
		.filter((m) => modes.passes('spaceId', true, () => m.spaceId === spaceId))
		.map((m) => ({ ...m, created: m.created ?? now }))
		.filter((m) =>
			modes.passes('refTime', true, () => (before ? m.created < refTime : m.created > refTime)),
		)
		.filter((m) =>
			modes.passes('category', category !== null && category !== '', () => m.category === category),
		)
		.filter((m) =>
			modes.passes('searchstring', search !== undefined && search !== '', () =>
				(m.bodyText ?? '').toLowerCase().includes(search!),
			),
		)
		.filter((m) => anchor === null || (before ? m.id < anchor : m.id > anchor))
		.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) * (before ? 1 : -1));
	const page = matching.slice(0, size);
	const pageref = Number(q.get('pageref') ?? 1) || 1;
	const link = (extra: Record<string, string>) => {
		const params = new URLSearchParams();
		for (const key of ['size', 'direction', 'refTime', 'category', 'searchstring']) {
			const value = q.get(key);
			if (value !== null) params.set(key, value);
		}
		for (const [key, value] of Object.entries(extra)) params.set(key, value);
		return `${mock.baseUrl}/api/spaces/${encodeURIComponent(spaceId)}/messages/query?${params.toString()}`;
	};
	const data = page.map((m: AvayaMessage & { created: number }) => ({
		_id: m.id,
		category: m.category,
		chatCount: 0,
		content: { bodyText: m.bodyText ?? '', data: [] },
		...(mock.undated.has(m.id)
			? {}
			: {
					created: new Date(m.created).toISOString(),
					modified: new Date(m.created).toISOString(),
				}),
		sender: {
			_id: 'user-1',
			displayname: 'Mock User',
			type: 'user',
			username: 'mock.user@example.com',
		},
		topicId: m.spaceId,
		version: 1,
	}));
	return {
		status: 200,
		body: {
			data,
			total: data.length,
			nextPageUrl:
				matching.length > size
					? link({ nextRefObjId: page[page.length - 1].id, pageref: String(pageref + 1) })
					: null,
			prevPageUrl:
				anchor === null
					? null
					: link({ prevRefObjId: page[0]?.id ?? anchor, pageref: String(pageref - 1) }),
		},
	};
}
