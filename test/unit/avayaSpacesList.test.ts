import { avayaListedItem, avayaNextUrl, avayaSpacesList, readAvayaList } from '../../nodes/BatchDelete/providers/avayaSpaces/list';
import { pageOf, reader, reply } from './listHelpers';

const ctx = (credentials: Record<string, string>) => ({ params: {} as Record<string, never>, credentialType: 'avayaSpacesApi', credentials });
const SPACE = '5e5e538d89fc6dc77aaa1fa1';

describe('Avaya Spaces list request', () => {
	it('queries the space, newest first before the Older Than cutoff (UTC ms), with category and search', () => {
		const cutoff = new Date('2024-05-01T00:00:00Z');
		expect(avayaSpacesList.buildListRequest({ offset: 0, page: 1, pageSize: 50 }, ctx({ environment: 'production' }), { spaceId: SPACE, category: 'chat', search: 'stand-up' }, cutoff)).toEqual({
			method: 'GET',
			url: `https://spacesapis.avayacloud.com/api/spaces/${SPACE}/messages/query`,
			qs: { size: 50, direction: 'before', refTime: cutoff.getTime(), category: 'chat', searchstring: 'stand-up' },
		});
		// Without an age, Spaces' default reference time (now) with direction before lists everything.
		expect(avayaSpacesList.buildListRequest({ offset: 0, page: 1, pageSize: 50 }, ctx({ environment: 'staging' }), { spaceId: SPACE }).qs).toEqual({ size: 50, direction: 'before' });
		expect(avayaSpacesList.paging).toBe('cursor');
		expect(avayaSpacesList.pageSize).toBe(50);
	});

	it('follows nextPageUrl on the same host only: the credential must never go elsewhere', () => {
		const base = 'https://spacesapis.avayacloud.com';
		const next = `${base}/api/spaces/${SPACE}/messages/query?size=50&direction=before&nextRefObjId=5f8ec8041f4b4395fc1d9e4b&pageref=2`;
		expect(avayaSpacesList.buildListRequest({ offset: 0, page: 2, pageSize: 50, cursor: next }, ctx({ environment: 'production' }), { spaceId: SPACE })).toEqual({ method: 'GET', url: next });
		expect(avayaNextUrl(`/api/spaces/${SPACE}/messages/query?pageref=2`, base)).toBe(`${base}/api/spaces/${SPACE}/messages/query?pageref=2`);
		expect(() => avayaNextUrl('https://evil.example/api/spaces/x/messages/query', base)).toThrow(/another host/);
	});

	it('reads its filters and refuses a missing or malformed Space ID', () => {
		expect(avayaSpacesList.readFilters(reader({ avayaSpaceId: ` ${SPACE} ` }), 0)).toEqual({ spaceId: SPACE });
		expect(avayaSpacesList.readFilters(reader({ avayaSpaceId: SPACE, avayaCategory: 'idea', avayaSearch: 'x' }), 0)).toEqual({ spaceId: SPACE, category: 'idea', search: 'x' });
		expect(() => avayaSpacesList.readFilters(reader({}), 0)).toThrow(/Space ID is required/);
		expect(() => avayaSpacesList.readFilters(reader({ avayaSpaceId: 'a/b' }), 0)).toThrow(/Space ID may only/);
		expect(() => avayaSpacesList.readFilters(reader({ avayaSpaceId: SPACE, avayaCategory: 'poll' }), 0)).toThrow(/Category/);
	});
});

describe('Avaya Spaces list answer', () => {
	const message = {
		_id: '5f8ec8041f4b4395fc1d9e4b',
		category: 'chat',
		chatCount: 0,
		content: { bodyText: '<p>zinute  from   the stand-up</p>', data: [] },
		created: '2020-10-20T11:24:20.123Z',
		sender: { _id: '5f04251caa4a347af9946e06', displayname: 'Test User', username: 'test@avaya.com' },
		topicId: '5e5e538d89fc6dc77aaa1fa1',
	};

	it('maps a message: text without markup as the title, created as the time, category as the type', () => {
		expect(avayaListedItem(message)).toEqual({
			id: '5f8ec8041f4b4395fc1d9e4b',
			time: new Date('2020-10-20T11:24:20.123Z'),
			fields: { title: 'zinute from the stand-up', time: '2020-10-20T11:24:20.123Z', type: 'chat', sender: 'Test User' },
		});
		expect(avayaListedItem({ ...message, created: undefined, content: { bodyText: 'x'.repeat(300) } })).toMatchObject({ fields: { time: null, title: `${'x'.repeat(200)}…` } });
		expect(avayaListedItem({ category: 'chat' })).toBeUndefined();
	});

	it('reads a page and its nextPageUrl (total only counts this page, so it is not used)', () => {
		const next = 'https://spacesapis.avayacloud.com/api/spaces/x/messages/query?nextRefObjId=5f8ec8041f4b4395fc1d9e4b';
		expect(pageOf(readAvayaList(reply(200, { data: [message], total: 1, nextPageUrl: next, prevPageUrl: null })))).toEqual({ kind: 'page', items: [avayaListedItem(message)], next });
		expect(pageOf(readAvayaList(reply(200, { data: [], total: 0, nextPageUrl: null }))).next).toBeUndefined();
		expect(readAvayaList(reply(200, { messages: [] }))).toMatchObject({ kind: 'failBatch', code: 'MALFORMED_RESPONSE' });
	});

	it('maps errors: 401 refresh, 403 and 404 stop the run with the reason, 429/5xx retry', () => {
		expect(readAvayaList(reply(401, { code: 'authen_error.anonymouse_jwt_auth_failed', message: 'Authenticate anonymouse jwt failed' }))).toMatchObject({ kind: 'reauth', code: 'authen_error.anonymouse_jwt_auth_failed' });
		expect(readAvayaList(reply(403, { code: 'authorize_error.permission', message: 'Authorise permission failed' }))).toMatchObject({ kind: 'stopRun', reason: 'auth' });
		expect(readAvayaList(reply(404, { code: 'topic.not_found', message: 'Space not found' }))).toMatchObject({ kind: 'stopRun', reason: 'config', message: 'Space not found' });
		expect(readAvayaList(reply(400, { error: { code: 'api_bad_request_input' }, reason: 'size must be a positive integer' }))).toMatchObject({ kind: 'stopRun', reason: 'config', code: 'api_bad_request_input' });
		expect(readAvayaList(reply(429, {}))).toMatchObject({ kind: 'retry' });
		expect(readAvayaList(reply(502, {}))).toMatchObject({ kind: 'retry' });
		expect(readAvayaList(reply(418, {}))).toMatchObject({ kind: 'failBatch', code: 'HTTP_418' });
	});

	it('checks the category again on every item', () => {
		const item = avayaListedItem(message)!;
		expect(avayaSpacesList.matches(item, { spaceId: SPACE, category: 'chat' })).toBe(true);
		expect(avayaSpacesList.matches(item, { spaceId: SPACE, category: 'task' })).toBe(false);
		expect(avayaSpacesList.matches(item, { spaceId: SPACE })).toBe(true);
	});
});
