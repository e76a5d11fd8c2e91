import { z } from 'zod';

import { quectelList } from '../../nodes/BatchDelete/providers/quectel/list';
import { parseExact } from '../../nodes/BatchDelete/providers/common';
import { WINDOW, pageOf, reader, reply } from './listHelpers';

const ctx = (credentials: Record<string, string>) => ({
	params: {} as Record<string, never>,
	credentialType: 'quectelAccountApi',
	credentials,
});
const position = { offset: 200, page: 3, pageSize: 100 };
/** The list answer as the provider reads it; `itemOf`: one message, the only entry of a page. */
const readQuectelList = (result: ReturnType<typeof reply>) =>
	quectelList.readListResponse(result, ctx({}), {});
const itemOf = (raw: unknown) =>
	pageOf(readQuectelList(reply(200, { code: 200, data: { list: [raw] } }))).items.at(0);

describe('Quectel list request', () => {
	it('asks the region host for one page of the user message list with the filters in the query', () => {
		expect(
			quectelList.buildListRequest(
				position,
				ctx({ region: 'europe' }),
				{ msgType: 2, isRead: true },
				WINDOW,
			),
		).toEqual({
			method: 'GET',
			url: 'https://iot-api.acceleronix.io/v2/mobilepush/enduserapi/userMsgList',
			qs: { page: 3, pageSize: 100, msgType: 2, isRead: true },
		});
		expect(
			quectelList.buildListRequest(
				{ ...position, page: 1 },
				ctx({ region: 'custom', baseUrl: 'http://127.0.0.1:9/' }),
				{},
				WINDOW,
			).qs,
		).toEqual({ page: 1, pageSize: 100 });
		expect(quectelList.paging).toBe('page');
	});

	it('reads its filters: message type 1–4 or any, read status read (the default), unread or any', () => {
		expect(quectelList.readFilters(reader({}), 0)).toEqual({ isRead: true });
		expect(
			quectelList.readFilters(reader({ quectelMsgType: 3, quectelReadStatus: 'unread' }), 0),
		).toEqual({ msgType: 3, isRead: false });
		expect(
			quectelList.readFilters(reader({ quectelMsgType: 0, quectelReadStatus: 'any' }), 0),
		).toEqual({});
		expect(() => quectelList.readFilters(reader({ quectelMsgType: 9 }), 0)).toThrow(/Message Type/);
		expect(() => quectelList.readFilters(reader({ quectelReadStatus: 'maybe' }), 0)).toThrow(
			/Read Status/,
		);
	});
});

describe('Quectel list answer', () => {
	// The documented PageInfo answer, with the fields the node reads filled in.
	const message = {
		addTime: 1718000000000,
		content: 'Temperature 61 °C',
		deviceName: 'Boiler',
		id: '1718012345678901234',
		isRead: true,
		msgType: 2,
		title: 'Device alarm',
	};

	it('maps a message: title, time from addTime (epoch ms), type, read flag, device', () => {
		expect(itemOf(message)).toEqual({
			id: '1718012345678901234',
			time: new Date(1718000000000),
			fields: {
				title: 'Device alarm',
				time: '2024-06-10T06:13:20.000Z',
				type: 2,
				isRead: true,
				deviceName: 'Boiler',
			},
		});
		// No title: the content stands in; numeric IDs become strings; addTime 0 (the doc's placeholder) is no time.
		expect(itemOf({ ...message, id: 42, title: '', addTime: 0 })).toMatchObject({
			id: '42',
			fields: { title: 'Temperature 61 °C', time: null },
		});
		expect(itemOf({ ...message, id: 42, addTime: 0 })!.time).toBeUndefined();
		expect(itemOf({ title: 'no id' })).toBeUndefined();
	});

	it('reads a page with its total, code 200 or the documented 0', () => {
		const body = (code: number) => ({
			code,
			msg: '',
			extMsg: '',
			data: {
				list: [message, { junk: true }],
				total: 301,
				pageNum: 3,
				pages: 4,
				hasNextPage: true,
			},
		});
		expect(pageOf(readQuectelList(reply(200, body(200))))).toEqual({
			kind: 'page',
			items: [itemOf(message)],
			total: 301,
		});
		expect(pageOf(readQuectelList(reply(200, body(0)))).total).toBe(301);
		expect(
			pageOf(readQuectelList(reply(200, { code: 200, data: { list: null, total: 0 } }))).items,
		).toEqual([]);
	});

	it('turns token errors into a refresh, and other answers into a stop', () => {
		expect(
			readQuectelList(reply(200, { code: 5032, msg: 'Token verification failed' })),
		).toMatchObject({ kind: 'reauth', code: '5032' });
		expect(readQuectelList(reply(200, { code: 5106, msg: 'Please enter token' }))).toMatchObject({
			kind: 'reauth',
			code: '5106',
		});
		expect(readQuectelList(reply(401, ''))).toMatchObject({ kind: 'reauth' });
		expect(readQuectelList(reply(200, { code: 5041, msg: 'No permission' }))).toMatchObject({
			kind: 'stopRun',
			reason: 'auth',
		});
		expect(readQuectelList(reply(404, 'Not Found'))).toMatchObject({
			kind: 'stopRun',
			reason: 'config',
		});
		expect(readQuectelList(reply(200, { code: 4000, msg: 'Bad parameter' }))).toMatchObject({
			kind: 'failBatch',
			code: '4000',
			message: 'Bad parameter',
		});
		expect(readQuectelList(reply(200, '<html>'))).toMatchObject({
			kind: 'failBatch',
			code: 'MALFORMED_RESPONSE',
		});
		expect(readQuectelList(reply(503, ''))).toMatchObject({ kind: 'retry', code: 'HTTP_503' });
		expect(readQuectelList(reply(429, '', { 'retry-after': '2' }))).toMatchObject({
			kind: 'retry',
			retryAfterMs: 2000,
		});
	});

	it('checks the filters again on every item, so a server that ignored one deletes nothing it should not', () => {
		const item = itemOf(message)!;
		expect(quectelList.matches(item, { msgType: 2, isRead: true }, ctx({}), WINDOW)).toBe(true);
		expect(quectelList.matches(item, { isRead: false }, ctx({}), WINDOW)).toBe(false);
		expect(quectelList.matches(item, { msgType: 1 }, ctx({}), WINDOW)).toBe(false);
		expect(
			quectelList.matches(itemOf({ id: '1', addTime: 1 })!, { isRead: true }, ctx({}), WINDOW),
		).toBe(false);
		expect(quectelList.matches(item, {}, ctx({}), WINDOW)).toBe(true);
	});
});

describe('big numeric IDs in a list answer', () => {
	it('keeps an ID above 2^53 digit for digit (JSON.parse would name a neighbour)', () => {
		const text =
			'{"code":200,"data":{"total":2,"list":[{"id":12345678901234567891,"title":"a \\"q\\" 98765432109876543210","addTime":1717200000000},{"id":42,"addTime":1717200000000}]}}';
		expect(String(JSON.parse(text).data.list[0].id)).not.toBe('12345678901234567891');
		const page = pageOf(readQuectelList(reply(200, text)));
		expect(page.items.map((i) => i.id)).toEqual(['12345678901234567891', '42']);
		// Inside strings nothing changes; safe numbers stay numbers.
		expect(page.items[0].fields.title).toBe('a "q" 98765432109876543210');
		expect(page.total).toBe(2);
	});

	it('keeps as digits only unsafe integer literals outside strings', () => {
		expect(
			parseExact(
				z.unknown(),
				reply(200, '[1,-9007199254740993,"9007199254740993",1.5e300,9007199254740991]'),
			),
		).toEqual([1, '-9007199254740993', '9007199254740993', 1.5e300, 9007199254740991]);
	});
});
