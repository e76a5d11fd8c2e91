import { solapiList } from '../../nodes/BatchDelete/providers/solapi/list';
import { WINDOW, pageOf, reader, reply } from './listHelpers';

const ctx = (credentials: Record<string, string>, apiVersion: 'v4' | 'legacy' = 'v4') => ({
	params: { groupId: 'G4V20180307105937H3PTASXMNJG2JIO', apiVersion },
	credentialType: 'solapiApi',
	credentials,
});
/** The list answer as the provider reads it; `itemOf`: one message (under `key` in the map, or in
 * a list), the only entry of a page. */
const readSolapiList = (result: ReturnType<typeof reply>) =>
	solapiList.readListResponse(result, ctx({}), {});
const itemOf = (raw: unknown, key?: string) =>
	pageOf(
		readSolapiList(reply(200, { messageList: key === undefined ? [raw] : { [key]: raw } })),
	).items.at(0);

describe('SOLAPI list request', () => {
	it("asks for the group's messages on api.solapi.com, passing the last nextKey as startKey", () => {
		expect(
			solapiList.buildListRequest({ offset: 0, page: 1, pageSize: 500 }, ctx({}), {}, WINDOW),
		).toEqual({
			method: 'GET',
			url: 'https://api.solapi.com/messages/v4/groups/G4V20180307105937H3PTASXMNJG2JIO/messages',
			qs: { limit: 500 },
		});
		// The legacy delete API does not move the list: it stays on api.solapi.com.
		expect(
			solapiList.buildListRequest(
				{ offset: 0, page: 2, pageSize: 500, cursor: 'M4V20180307110044DTYYJBBYLPQZIB1' },
				ctx({}, 'legacy'),
				{},
				WINDOW,
			),
		).toMatchObject({
			url: 'https://api.solapi.com/messages/v4/groups/G4V20180307105937H3PTASXMNJG2JIO/messages',
			qs: { limit: 500, startKey: 'M4V20180307110044DTYYJBBYLPQZIB1' },
		});
		expect(
			solapiList.buildListRequest(
				{ offset: 0, page: 1, pageSize: 500 },
				ctx({ baseUrl: 'http://127.0.0.1:9' }),
				{},
				WINDOW,
			).url,
		).toBe('http://127.0.0.1:9/messages/v4/groups/G4V20180307105937H3PTASXMNJG2JIO/messages');
		expect(solapiList.paging).toBe('cursor');
	});

	it('reads its filters', () => {
		expect(solapiList.readFilters(reader({}), 0)).toEqual({});
		expect(
			solapiList.readFilters(reader({ solapiMessageType: 'ATA', solapiStatusCode: ' 4000 ' }), 0),
		).toEqual({ type: 'ATA', statusCode: '4000' });
		expect(() => solapiList.readFilters(reader({ solapiMessageType: 'FAX' }), 0)).toThrow(
			/Message Type/,
		);
		expect(() => solapiList.readFilters(reader({ solapiStatusCode: '4000; drop' }), 0)).toThrow(
			/Status Code/,
		);
	});
});

describe('SOLAPI list answer', () => {
	// The API reference's sample message.
	const sample = {
		_id: 'M4V20180307110044DTYYJBBYLPQZIB1',
		type: null,
		statusCode: 'TEST1000',
		messageId: 'M4V20180307110044DTYYJBBYLPQZIB1',
		groupId: 'G4V20180307105937H3PTASXMNJG2JIO',
		text: 'text',
		from: '01000000000',
		to: '01000000000',
		dateCreated: '2020-09-09T05:23:20.686Z',
		dateUpdated: '2020-09-09T05:23:20.686Z',
	};

	it('maps a message: text as the title, dateCreated as the time, type and status code', () => {
		expect(itemOf({ ...sample, type: 'SMS' })).toEqual({
			id: 'M4V20180307110044DTYYJBBYLPQZIB1',
			time: new Date('2020-09-09T05:23:20.686Z'),
			fields: {
				title: 'text',
				time: '2020-09-09T05:23:20.686Z',
				type: 'SMS',
				statusCode: 'TEST1000',
				to: '01000000000',
			},
			checkOn: { scope: 'G4V20180307105937H3PTASXMNJG2JIO' },
		});
		expect(
			itemOf({ ...sample, subject: 'Invoice', messageId: null, _id: null }, 'M4VKEY'),
		).toMatchObject({ id: 'M4VKEY', fields: { title: 'Invoice', type: null } });
	});

	it('reads messageList as the map the API sends (or a list); with a nextKey, goes on from the last message listed', () => {
		const second = {
			...sample,
			_id: 'M4V20180307110043AAAAAAAAAAAAAAA',
			messageId: 'M4V20180307110043AAAAAAAAAAAAAAA',
		};
		const page = pageOf(
			readSolapiList(
				reply(200, {
					startKey: null,
					nextKey: 'M4VNEXT',
					limit: 20,
					messageList: { [sample.messageId]: sample, [second.messageId]: second },
				}),
			),
		);
		expect(page.items.map((i) => i.id)).toEqual([sample.messageId, second.messageId]);
		// Whether a page starts at or after its startKey is not documented, nor what nextKey names:
		// starting from the last message seen skips nothing either way.
		expect(page.next).toBe(second.messageId);
		expect(
			pageOf(readSolapiList(reply(200, { startKey: null, limit: 20, messageList: [sample] }))).next,
		).toBeUndefined();
		expect(
			pageOf(
				readSolapiList(reply(200, { startKey: null, nextKey: null, limit: 20, messageList: {} })),
			).items,
		).toEqual([]);
		expect(
			pageOf(
				readSolapiList(
					reply(200, { startKey: null, nextKey: 'M4VNEXT', limit: 20, messageList: {} }),
				),
			).next,
		).toBe('M4VNEXT');
		expect(readSolapiList(reply(200, '<html>'))).toMatchObject({
			kind: 'failBatch',
			code: 'MALFORMED_RESPONSE',
		});
	});

	it('maps errors as the delete path does: re-sign once for a skewed clock or a repeated signature, stop for a bad key', () => {
		expect(
			readSolapiList(reply(403, { errorCode: 'DuplicatedSignature', errorMessage: 'dup' })),
		).toMatchObject({ kind: 'retry', code: 'DuplicatedSignature', maxRetries: 1 });
		expect(readSolapiList(reply(403, { errorCode: 'RequestTimeTooSkewed' }))).toMatchObject({
			kind: 'retry',
			onExhausted: { reason: 'auth' },
		});
		expect(
			readSolapiList(reply(403, { errorCode: 'InvalidAPIKey', errorMessage: 'Invalid API Key' })),
		).toMatchObject({ kind: 'stopRun', reason: 'auth', code: 'InvalidAPIKey' });
		expect(
			readSolapiList(reply(404, { errorCode: 'NotFound', errorMessage: 'Group not found: G4V1' })),
		).toMatchObject({ kind: 'stopRun', reason: 'config', code: 'NotFound' });
		expect(
			readSolapiList(
				reply(
					429,
					{ errorCode: 'TooManyRequests', errorMessage: 'slow down' },
					{ 'x-retry-after': '3' },
				),
			),
		).toMatchObject({ kind: 'retry', code: 'TooManyRequests', retryAfterMs: 3000 });
		expect(
			readSolapiList(reply(400, { errorCode: 'ValidationError', errorMessage: 'limit' })),
		).toMatchObject({ kind: 'stopRun', reason: 'config' });
	});

	it('checks type and status code on every item (the endpoint takes no filters)', () => {
		const item = itemOf({ ...sample, type: 'LMS', statusCode: '4000' })!;
		expect(solapiList.matches(item, { type: 'LMS', statusCode: '4000' }, ctx({}), WINDOW)).toBe(
			true,
		);
		expect(solapiList.matches(item, { type: 'SMS' }, ctx({}), WINDOW)).toBe(false);
		expect(solapiList.matches(item, { statusCode: '3059' }, ctx({}), WINDOW)).toBe(false);
		expect(solapiList.matches(item, {}, ctx({}), WINDOW)).toBe(true);
		// The group is the path's: a server that ignored it cannot make another group's message match.
		expect(
			solapiList.matches(itemOf({ ...sample, groupId: 'G4VOTHERGROUP' })!, {}, ctx({}), WINDOW),
		).toBe(false);
		expect(
			solapiList.matches(itemOf({ ...sample, groupId: undefined })!, {}, ctx({}), WINDOW),
		).toBe(true);
	});
});
