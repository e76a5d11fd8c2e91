import { listModes } from './listModes';
import type { MockReply, MockRequest } from './mockServer';
import type { QuectelMock } from './quectel';

/**
 * Quectel's `GET /v2/mobilepush/enduserapi/userMsgList` as its OpenAPI page documents it:
 * `page` (from 1, default 1), `pageSize` (default 10), optional `msgType` and `isRead`
 * filters; an HTTP 200 body `{code:200, data: PageInfo}` (PageHelper's page object: `list`,
 * `total`, `pageNum`, `pages`, `hasNextPage`…) whose items carry `id`, `title`, `msgType`,
 * `isRead` and `addTime` in epoch milliseconds. Newest first, as a message inbox lists them.
 * Messages seeded without list fields are unread system messages (type 4) added just now.
 * Filters can be ignored and deleted messages listed a while longer (listModes.ts).
 */
export function quectelListReply(mock: QuectelMock, request: MockRequest): MockReply {
	const int = (name: string, fallback: number) => {
		const raw = request.query.get(name);
		return raw === null || raw === '' ? fallback : Number(raw);
	};
	const page = int('page', 1);
	const pageSize = int('pageSize', 10);
	if (!Number.isInteger(page) || !Number.isInteger(pageSize) || page < 1 || pageSize < 1) {
		return {
			status: 200,
			body: {
				code: 4000,
				msg: 'page and pageSize must be positive integers',
				extMsg: '',
				data: null,
			},
		};
	}
	const msgType = request.query.get('msgType');
	const isRead = request.query.get('isRead');
	const modes = listModes(mock);
	modes.noteQuery(request.query, ['page', 'pageSize']);
	const now = Date.now();
	const all = modes
		.rows([...mock.messages.values()], (m) => m.id)
		.map((m) => ({
			...m,
			msgType: m.msgType ?? 4,
			isRead: m.isRead ?? false,
			addTime: m.addTime ?? now,
		}))
		.filter((m) =>
			modes.passes(
				'msgType',
				msgType !== null && msgType !== '',
				() => String(m.msgType) === msgType,
			),
		)
		.filter((m) =>
			modes.passes('isRead', isRead !== null && isRead !== '', () => String(m.isRead) === isRead),
		)
		.sort((a, b) => b.addTime - a.addTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	const total = modes.totalOf(all, (m) => m.id);
	const pages = Math.ceil(total / pageSize);
	const list = all.slice((page - 1) * pageSize, page * pageSize).map((m) => ({
		addTime: m.addTime,
		content: `Content of ${m.title ?? m.id}`,
		deviceName: 'Mock device',
		dk: 'mockdk',
		firstLabel: 3,
		id: m.id,
		isRead: m.isRead,
		msgType: m.msgType,
		pk: 'mockpk',
		readTime: m.isRead ? m.addTime + 60_000 : 0,
		secondaryLabel: 5,
		title: m.title ?? `Message ${m.id}`,
	}));
	const startRow = list.length === 0 ? 0 : (page - 1) * pageSize + 1;
	return {
		status: 200,
		body: {
			code: 200,
			msg: '',
			extMsg: '',
			data: {
				endRow: list.length === 0 ? 0 : startRow + list.length - 1,
				hasNextPage: page < pages,
				hasPreviousPage: page > 1,
				isFirstPage: page === 1,
				isLastPage: page >= pages,
				list,
				navigateFirstPage: 1,
				navigateLastPage: pages,
				navigatePages: 8,
				navigatepageNums: [],
				nextPage: page < pages ? page + 1 : 0,
				pageNum: page,
				pageSize,
				pages,
				prePage: page > 1 ? page - 1 : 0,
				size: list.length,
				startRow,
				total,
			},
		},
	};
}
