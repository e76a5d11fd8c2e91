import { avayaSpacesList } from '../../nodes/BatchDelete/providers/avayaSpaces/list';
import { WINDOW, pageOf, reader, reply, windowOf } from './listHelpers';

const ctx = (credentials: Record<string, string>) => ({
	params: {} as Record<string, never>,
	credentialType: 'avayaSpacesApi',
	credentials,
});
const SPACE = '5e5e538d89fc6dc77aaa1fa1';
/** The list answer as the provider reads it; `itemOf`: one message, the only entry of a page. */
const readAvayaList = (result: ReturnType<typeof reply>) =>
	avayaSpacesList.readListResponse(result, ctx({}), { spaceId: SPACE });
const itemOf = (raw: unknown) => pageOf(readAvayaList(reply(200, { data: [raw] }))).items.at(0);
/** The request for the page a `nextPageUrl` names. */
const nextPage = (cursor: string) =>
	avayaSpacesList.buildListRequest(
		{ offset: 0, page: 2, pageSize: 50, cursor },
		ctx({ environment: 'production' }),
		{ spaceId: SPACE },
		WINDOW,
	);

describe('Avaya Spaces list request', () => {
	it('queries the space, newest first before the Older Than cutoff (UTC ms), with category and search', () => {
		const cutoff = new Date('2024-05-01T00:00:00Z');
		expect(
			avayaSpacesList.buildListRequest(
				{ offset: 0, page: 1, pageSize: 50 },
				ctx({ environment: 'production' }),
				{ spaceId: SPACE, category: 'chat', search: 'stand-up' },
				windowOf(cutoff),
			),
		).toEqual({
			method: 'GET',
			url: `https://spacesapis.avayacloud.com/api/spaces/${SPACE}/messages/query`,
			qs: {
				size: 50,
				direction: 'before',
				refTime: cutoff.getTime(),
				category: 'chat',
				searchstring: 'stand-up',
			},
		});
		// Without an age: still direction before (the documented default is after) and an explicit
		// reference time, the run's start (the documented default, now, would move during the run).
		expect(
			avayaSpacesList.buildListRequest(
				{ offset: 0, page: 1, pageSize: 50 },
				ctx({ environment: 'staging' }),
				{ spaceId: SPACE },
				WINDOW,
			).qs,
		).toEqual({
			size: 50,
			direction: 'before',
			refTime: WINDOW.startedAt.getTime(),
		});
		expect(avayaSpacesList.paging).toBe('cursor');
		expect(avayaSpacesList.pageSize).toBe(50);
	});

	it('follows nextPageUrl on the same host only: the credential must never go elsewhere', () => {
		const base = 'https://spacesapis.avayacloud.com';
		const next = `${base}/api/spaces/${SPACE}/messages/query?size=50&direction=before&nextRefObjId=5f8ec8041f4b4395fc1d9e4b&pageref=2`;
		expect(
			avayaSpacesList.buildListRequest(
				{ offset: 0, page: 2, pageSize: 50, cursor: next },
				ctx({ environment: 'production' }),
				{ spaceId: SPACE },
				WINDOW,
			),
		).toEqual({ method: 'GET', url: next });
		expect(nextPage(`/api/spaces/${SPACE}/messages/query?pageref=2`).url).toBe(
			`${base}/api/spaces/${SPACE}/messages/query?pageref=2`,
		);
		expect(() => nextPage('https://evil.example/api/spaces/x/messages/query')).toThrow(
			/another host/,
		);
	});

	it('reads its filters and refuses a missing or malformed Space ID', () => {
		expect(avayaSpacesList.readFilters(reader({ avayaSpaceId: ` ${SPACE} ` }), 0)).toEqual({
			spaceId: SPACE,
		});
		expect(
			avayaSpacesList.readFilters(
				reader({ avayaSpaceId: SPACE, avayaCategory: 'idea', avayaSearch: 'x' }),
				0,
			),
		).toEqual({ spaceId: SPACE, category: 'idea', search: 'x' });
		expect(() => avayaSpacesList.readFilters(reader({}), 0)).toThrow(/Space ID is required/);
		expect(() => avayaSpacesList.readFilters(reader({ avayaSpaceId: 'a/b' }), 0)).toThrow(
			/Space ID may only/,
		);
		expect(() =>
			avayaSpacesList.readFilters(reader({ avayaSpaceId: SPACE, avayaCategory: 'poll' }), 0),
		).toThrow(/Category/);
	});
});

describe('Avaya Spaces list answer', () => {
	const message = {
		_id: '5f8ec8041f4b4395fc1d9e4b',
		category: 'chat',
		chatCount: 0,
		content: { bodyText: '<p>zinute  from   the stand-up</p>', data: [] },
		created: '2020-10-20T11:24:20.123Z',
		sender: {
			_id: '5f04251caa4a347af9946e06',
			displayname: 'Test User',
			username: 'test@avaya.com',
		},
		topicId: '5e5e538d89fc6dc77aaa1fa1',
	};

	it('maps a message: text without markup as the title, created as the time, category as the type', () => {
		expect(itemOf(message)).toEqual({
			id: '5f8ec8041f4b4395fc1d9e4b',
			time: new Date('2020-10-20T11:24:20.123Z'),
			fields: {
				title: 'zinute from the stand-up',
				time: '2020-10-20T11:24:20.123Z',
				type: 'chat',
				sender: 'Test User',
			},
			checkOn: { text: 'zinute from the stand-up', scope: '5e5e538d89fc6dc77aaa1fa1' },
		});
		expect(
			itemOf({ ...message, created: undefined, content: { bodyText: 'x'.repeat(300) } }),
		).toMatchObject({ fields: { time: null, title: `${'x'.repeat(200)}…` } });
		expect(itemOf({ category: 'chat' })).toBeUndefined();
		// A post or task: its title and description are text the search can find too.
		expect(
			itemOf({
				...message,
				category: 'idea',
				content: { title: 'Q3 <b>Plan</b>', description: 'Budget&nbsp;&amp; hiring' },
			}),
		).toMatchObject({
			fields: { title: 'Q3 Plan' },
			checkOn: { text: 'q3 plan\nbudget & hiring' },
		});
	});

	it('reads a page and its nextPageUrl (total only counts this page, so it is not used)', () => {
		const next =
			'https://spacesapis.avayacloud.com/api/spaces/x/messages/query?nextRefObjId=5f8ec8041f4b4395fc1d9e4b';
		expect(
			pageOf(
				readAvayaList(
					reply(200, { data: [message], total: 1, nextPageUrl: next, prevPageUrl: null }),
				),
			),
		).toEqual({ kind: 'page', items: [itemOf(message)], next });
		expect(
			pageOf(readAvayaList(reply(200, { data: [], total: 0, nextPageUrl: null }))).next,
		).toBeUndefined();
		expect(readAvayaList(reply(200, { messages: [] }))).toMatchObject({
			kind: 'failBatch',
			code: 'MALFORMED_RESPONSE',
		});
	});

	it('maps errors: 401 refresh, 403 and 404 stop the run with the reason, 429/5xx retry', () => {
		expect(
			readAvayaList(
				reply(401, {
					code: 'authen_error.anonymouse_jwt_auth_failed',
					message: 'Authenticate anonymouse jwt failed',
				}),
			),
		).toMatchObject({ kind: 'reauth', code: 'authen_error.anonymouse_jwt_auth_failed' });
		expect(
			readAvayaList(
				reply(403, { code: 'authorize_error.permission', message: 'Authorise permission failed' }),
			),
		).toMatchObject({ kind: 'stopRun', reason: 'auth' });
		expect(
			readAvayaList(reply(404, { code: 'topic.not_found', message: 'Space not found' })),
		).toMatchObject({ kind: 'stopRun', reason: 'config', message: 'Space not found' });
		expect(
			readAvayaList(
				reply(400, {
					error: { code: 'api_bad_request_input' },
					reason: 'size must be a positive integer',
				}),
			),
		).toMatchObject({ kind: 'stopRun', reason: 'config', code: 'api_bad_request_input' });
		expect(readAvayaList(reply(429, {}))).toMatchObject({ kind: 'retry' });
		expect(readAvayaList(reply(502, {}))).toMatchObject({ kind: 'retry' });
		expect(readAvayaList(reply(418, {}))).toMatchObject({ kind: 'failBatch', code: 'HTTP_418' });
	});

	it('checks every filter it sends again on every item: space, category, time bound and search text', () => {
		const item = itemOf(message)!;
		const spaceOnly = { spaceId: SPACE };
		expect(
			avayaSpacesList.matches(item, { spaceId: SPACE, category: 'chat' }, ctx({}), WINDOW),
		).toBe(true);
		expect(
			avayaSpacesList.matches(item, { spaceId: SPACE, category: 'task' }, ctx({}), WINDOW),
		).toBe(false);
		expect(avayaSpacesList.matches(item, spaceOnly, ctx({}), WINDOW)).toBe(true);
		// A server that ignored the space in the path: a message naming another space is not deleted.
		expect(
			avayaSpacesList.matches(item, { spaceId: '5e5e538d89fc6dc77aaa1f00' }, ctx({}), WINDOW),
		).toBe(false);
		expect(
			avayaSpacesList.matches(
				itemOf({ ...message, topicId: undefined })!,
				spaceOnly,
				ctx({}),
				WINDOW,
			),
		).toBe(true);
		// refTime: only messages before it (Older Than's cutoff, else the run's start); undated ones are not deleted.
		expect(
			avayaSpacesList.matches(
				item,
				spaceOnly,
				ctx({}),
				windowOf(undefined, new Date('2020-10-20T11:24:20.123Z')),
			),
		).toBe(false);
		expect(
			avayaSpacesList.matches(item, spaceOnly, ctx({}), windowOf(new Date('2020-10-01T00:00:00Z'))),
		).toBe(false);
		expect(
			avayaSpacesList.matches(item, spaceOnly, ctx({}), windowOf(new Date('2020-11-01T00:00:00Z'))),
		).toBe(true);
		expect(
			avayaSpacesList.matches(
				itemOf({ ...message, created: undefined })!,
				spaceOnly,
				ctx({}),
				windowOf(new Date('2020-11-01T00:00:00Z')),
			),
		).toBe(false);
		// Older Than 0 (any age): the server listed only messages before refTime; an undated one matches.
		expect(
			avayaSpacesList.matches(
				itemOf({ ...message, created: undefined })!,
				spaceOnly,
				ctx({}),
				WINDOW,
			),
		).toBe(true);
	});

	it('keeps a message whose text does not contain Search Text, whatever the server searched', () => {
		const item = itemOf(message)!;
		const search = (text: string) =>
			avayaSpacesList.matches(item, { spaceId: SPACE, search: text }, ctx({}), WINDOW);
		expect(search('stand-up')).toBe(true);
		expect(search('ZINUTE From')).toBe(true);
		expect(search('from the')).toBe(true);
		expect(search('minutes')).toBe(false);
		expect(search('Test User')).toBe(false);
		expect(search('stand up')).toBe(false);
		// Markup is not text: a search for a tag finds nothing.
		expect(search('<p>')).toBe(false);
	});
});
