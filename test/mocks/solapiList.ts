import { listModes } from './listModes';
import type { MockReply, MockRequest } from './mockServer';
import type { SolapiMock } from './solapi';

/**
 * SOLAPI's group message list, `GET /messages/v4/groups/{groupId}/messages?limit=&startKey=`, as
 * its API reference documents it: `{startKey, nextKey, limit, messageList: {<messageId>: message}}`
 * with messages shaped like the reference's sample (`messageId`, `groupId`, `type`, `statusCode`,
 * `text`, `to`, `from`, `dateCreated` in ISO 8601). Default limit 20. Not documented, so
 * switchable (`solapiPaging`): newest first by message ID (SOLAPI IDs start with the creation
 * time); a page starts at its `startKey` message or after it; `nextKey` names the first message of
 * the next page or the last of this one. A key names a position, so deleting messages never shifts
 * a page. Ignoring filters (listModes.ts), it lists every group's messages.
 */

export interface SolapiPaging {
	/** Whether a page starts at the `startKey` message (`at`, the default) or just after it. */
	startKey: 'at' | 'after';
	/** What `nextKey` names: the next page's first message (the default) or this page's last. */
	nextKey: 'nextFirst' | 'pageLast';
}

const pagingOf = new WeakMap<SolapiMock, SolapiPaging>();

/** The mock's paging behaviour; pass `set` to change it. */
export function solapiPaging(mock: SolapiMock, set?: Partial<SolapiPaging>): SolapiPaging {
	const paging = { ...(pagingOf.get(mock) ?? { startKey: 'at', nextKey: 'nextFirst' }), ...set };
	pagingOf.set(mock, paging);
	return paging;
}

export interface SolapiSeed {
	/** Epoch milliseconds. */
	dateCreated: number;
	type?: 'SMS' | 'LMS' | 'MMS' | 'ATA' | 'CTA' | 'CTI';
	statusCode?: string;
	text?: string;
}

const infoOf = new WeakMap<SolapiMock, Map<string, SolapiSeed>>();
let counter = 0;

/** Put messages with list fields into a group; returns their IDs in the order given. */
export function seedSolapiGroup(mock: SolapiMock, groupId: string, seeds: SolapiSeed[]): string[] {
	const info = infoOf.get(mock) ?? new Map<string, SolapiSeed>();
	infoOf.set(mock, info);
	const ids = seeds.map((seed) => {
		const stamp = new Date(seed.dateCreated).toISOString().replace(/\D/g, '').slice(0, 14);
		const id = `M4V${stamp}${(++counter).toString(36).toUpperCase().padStart(16, '0')}`;
		info.set(id, seed);
		return id;
	});
	mock.addGroup(groupId, ...ids);
	return ids;
}

export function solapiListReply(
	mock: SolapiMock,
	groupId: string,
	request: MockRequest,
): MockReply {
	const group = mock.groups.get(groupId);
	if (group === undefined)
		return {
			status: 404,
			body: { errorCode: 'NotFound', errorMessage: `Group not found: ${groupId}` },
		};
	const limitRaw = request.query.get('limit');
	const limit = limitRaw === null || limitRaw === '' ? 20 : Number(limitRaw);
	if (!Number.isInteger(limit) || limit < 1)
		return {
			status: 400,
			body: { errorCode: 'ValidationError', errorMessage: 'limit must be a positive integer' },
		};
	const startKey = request.query.get('startKey');
	const paging = solapiPaging(mock);
	const modes = listModes(mock);
	modes.noteQuery(request.query, ['limit', 'startKey']);
	const info = infoOf.get(mock);
	const now = Date.now();
	const held = [...mock.groups].flatMap(([gid, ids]) =>
		[...ids].map((id) => ({ id, groupId: gid })),
	);
	const rows = modes
		.rows(held, (m) => m.id)
		.filter((m) => modes.passes('groupId', true, () => m.groupId === groupId))
		.filter(
			(m) =>
				startKey === null ||
				startKey === '' ||
				(paging.startKey === 'at' ? m.id <= startKey : m.id < startKey),
		)
		.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	const page = rows.slice(0, limit);
	const more = rows.length > limit;
	const nextKey = !more
		? null
		: paging.nextKey === 'nextFirst'
			? rows[limit].id
			: page[page.length - 1].id;
	const messageList: Record<string, unknown> = {};
	for (const { id, groupId: gid } of page) {
		const seed = info?.get(id);
		const created = new Date(seed?.dateCreated ?? now).toISOString();
		messageList[id] = {
			_id: id,
			messageId: id,
			groupId: gid,
			accountId: '12925149',
			type: seed?.type ?? 'SMS',
			statusCode: seed?.statusCode ?? '4000',
			text: seed?.text ?? `Message ${id}`,
			subject: null,
			from: '01000000000',
			to: '01012345678',
			country: '82',
			customFields: {},
			dateCreated: created,
			dateUpdated: created,
		};
	}
	return { status: 200, body: { startKey: startKey ?? null, nextKey, limit, messageList } };
}
