import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { WeChatOfficialAccountApi } from '../../credentials/WeChatOfficialAccountApi.credentials';
import { WECHAT_TEST_APP, WeChatMock, articleUrl } from '../mocks/weChat';
import { testCredential } from '../support/credentialTest';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/** The node inside n8n's engine, against the WeChat Official Account mock over real HTTP. */

const mock = new WeChatMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());
afterEach(() => {
	mock.dailyQuota = undefined;
	mock.minuteQuota = undefined;
	mock.busy = 0;
});

let counter = 0;
/** Fresh msg_ids per test so tests never share state on the mock. */
const fresh = (n: number) => {
	counter++;
	return Array.from({ length: n }, (_, i) => `${1000 + counter}${100 + i}`);
};

const credential = (data: IDataObject = {}) => ({
	id: 'wechat-1',
	name: 'WeChat',
	type: 'weChatOfficialAccountApi',
	data: { ...WECHAT_TEST_APP, baseUrl: mock.baseUrl, ...data },
});

const FAST = { retryDelay: 5, requestsPerSecond: 0 };

async function run(
	items: IDataObject[],
	options: IDataObject = {},
	extra: IDataObject = {},
	data: IDataObject = {},
) {
	return await runBatchDelete({
		parameters: { provider: 'weChatOfficialAccount', ...extra, options: { ...FAST, ...options } },
		items,
		credentials: [credential(data)],
	});
}

/** A target's identity: msg_id with its article, or the URL (the provider's dedupe key). */
const keyOf = (json: IDataObject) =>
	/^\d+$/.test(String(json.id))
		? `${String(json.id)}#${String(json.article_idx ?? 0)}`
		: `url:${String(json.id)}`;
const whole = (msgId: string) => `${msgId}#0`;

/** The invariant over targets: several articles of one message share an ID but not a key. */
function expectInvariant(result: BatchDeleteRun, keysByItem: string[][]) {
	const rekey = (items: INodeExecutionData[]) =>
		items.map((item) => ({
			...item,
			json: { ...item.json, id: item.json.id === null ? null : keyOf(item.json) },
		}));
	assertInvariant({
		idsByItem: keysByItem,
		success: rekey(result.success),
		failure: rekey(result.failure),
		removedByRun: (key) => mock.deleted.has(key),
		isGone: (key) => mock.isGone(key),
	});
}

const bodiesSince = (from: number) =>
	mock
		.deleteRequests()
		.slice(from)
		.map((r) => r.body);

describe('WeChat Official Account through n8n', () => {
	it('deletes whole messages, single articles and articles by URL, one call each', async () => {
		const [a, b, c] = fresh(3);
		mock.add(a, { msgId: b, articles: 3 }, { msgId: c, articles: 2 });
		const before = mock.deleteRequests().length;
		const url = articleUrl(c, 2);
		const items = [
			{ msg_id: Number(a) },
			{ msg_id: b, article_idx: 2 },
			{ url },
			{ msg_id: a, article_idx: 0 },
			{ msg_id: b, article_idx: '3' },
		];
		const result = await run(items);

		expect(result.error).toBeUndefined();
		expect(bodiesSince(before)).toEqual([
			{ msg_id: Number(a) },
			{ msg_id: Number(b), article_idx: 2 },
			{ url },
			{ msg_id: Number(b), article_idx: 3 },
		]);
		expect(mock.deleteRequests()[before].query.get('access_token')).toMatch(/^78_/);
		expect(result.success.map((i) => i.json)).toEqual([
			{
				article_idx: 0,
				id: a,
				provider: 'weChatOfficialAccount',
				status: 'deleted',
				batch: 1,
				attempts: 1,
			},
			{
				article_idx: 2,
				id: b,
				provider: 'weChatOfficialAccount',
				status: 'deleted',
				batch: 2,
				attempts: 1,
			},
			{ id: url, provider: 'weChatOfficialAccount', status: 'deleted', batch: 3, attempts: 1 },
			{
				article_idx: 3,
				id: b,
				provider: 'weChatOfficialAccount',
				status: 'deleted',
				batch: 4,
				attempts: 1,
			},
		]);
		expect(result.success[0].pairedItem).toEqual([{ item: 0 }, { item: 3 }]);
		expect(mock.isGone(`${b}#1`)).toBe(false);
		expectInvariant(result, [[whole(a)], [`${b}#2`], [`url:${url}`], [whole(a)], [`${b}#3`]]);
	});

	it('reads the fields the user maps', async () => {
		const [a, b] = fresh(2);
		mock.add({ msgId: a, articles: 2 }, b);
		const extra = {
			weChatMsgIdField: 'sent.id',
			weChatArticleIdxField: 'sent.article',
			weChatUrlField: 'link',
		};
		const url = articleUrl(a, 1);
		const result = await run([{ sent: { id: b } }, { link: url }], {}, extra);
		expect(result.success.map((i) => i.json.id)).toEqual([b, url]);
		expectInvariant(result, [[whole(b)], [`url:${url}`]]);
	});

	it('survives a token that expires mid-run: fetched exactly twice, every message reported once', async () => {
		const ids = fresh(5);
		mock.add(...ids);
		const tokens = mock.tokenRequests;
		const before = mock.deleteRequests().length;
		mock.expireTokensAfter(2);
		const result = await run(ids.map((msg_id) => ({ msg_id })));

		expect(result.error).toBeUndefined();
		expect(mock.tokenRequests - tokens).toBe(2);
		expect(result.credentials.preAuthenticationCount('weChatOfficialAccountApi')).toBe(2);
		expect(mock.deleteRequests().length - before).toBe(6);
		expect(result.success.map((i) => i.json.id)).toEqual(ids);
		expect(result.success.map((i) => i.json.attempts)).toEqual([1, 1, 2, 1, 1]);
		expect(result.failure).toHaveLength(0);
		expectInvariant(
			result,
			ids.map((id) => [whole(id)]),
		);
	});

	it('stops at the daily quota: the refused message rejected, the ones never sent notAttempted', async () => {
		const ids = fresh(7);
		mock.add(...ids);
		mock.usedToday = 0;
		mock.dailyQuota = 3;
		const before = mock.deleteRequests().length;
		const result = await run(ids.map((msg_id) => ({ msg_id })));

		expect(result.error).toBeUndefined();
		// Three deletes, the fourth call is refused with 45009, nothing after it is sent.
		expect(mock.deleteRequests().length - before).toBe(4);
		expect(result.success.map((i) => i.json.id)).toEqual(ids.slice(0, 3));
		const notAttempted = result.failure.filter((i) => i.json.status === 'notAttempted');
		expect(new Set(notAttempted.map((i) => i.json.id))).toEqual(new Set(ids.slice(4)));
		expect(
			result.failure.filter((i) => i.json.status === 'rejected').map((i) => i.json.id),
		).toEqual([ids[3]]);
		expect(result.failure).toHaveLength(4);
		for (const item of result.failure) {
			expect(item.json.code).toBe('45009');
			expect(item.json.message).toMatch(
				/daily limit for deleting mass messages is reached \(45009: reach max api daily quota limit\)/,
			);
		}
		expect(ids.slice(3).every((id) => !mock.isGone(whole(id)))).toBe(true);
		expectInvariant(
			result,
			ids.map((id) => [whole(id)]),
		);
	});

	it('retries while WeChat is busy (-1), then deletes', async () => {
		const [id] = fresh(1);
		mock.add(id);
		mock.busy = 2;
		const result = await run([{ msg_id: id }]);
		expect(result.byId[id]).toMatchObject({ status: 'deleted', attempts: 3 });
		expectInvariant(result, [[whole(id)]]);
	});

	it('retries with backoff past the per-minute quota (45011)', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		mock.minuteQuota = { calls: 2, windowMs: 250 };
		const result = await run(
			ids.map((msg_id) => ({ msg_id })),
			{ retryDelay: 100, maxRetries: 6 },
		);
		expect(result.success.map((i) => i.json.status)).toEqual(['deleted', 'deleted', 'deleted']);
		expect(result.byId[ids[2]].attempts).toBeGreaterThan(1);
		expectInvariant(
			result,
			ids.map((id) => [whole(id)]),
		);
	});

	it('reports an ID WeChat calls invalid (40059) on Failure, whatever Treat Not Found as Deleted says', async () => {
		// A msg_data_id mapped instead of msg_id: the mock answers 40059 and nothing is deleted.
		const [id, other] = fresh(2);
		const lax = await run([{ msg_id: id }]);
		expect(lax.byId[id]).toMatchObject({ status: 'rejected', code: '40059' });
		expect(lax.success).toHaveLength(0);
		expectInvariant(lax, [[whole(id)]]);
		const strict = await run([{ msg_id: other }], { treatNotFoundAsDeleted: false });
		expect(strict.byId[other]).toMatchObject({ status: 'rejected', code: '40059' });
		expectInvariant(strict, [[whole(other)]]);
	});

	it('reports other errcodes on the message, with code and text', async () => {
		const [id] = fresh(1);
		mock.add(id);
		const result = await run([{ msg_id: id, article_idx: 5 }]);
		expect(result.byId[id]).toMatchObject({
			status: 'rejected',
			code: '40060',
			message: 'WeChat refused to delete this message (40060: invalid article idx)',
			article_idx: 5,
		});
		expectInvariant(result, [[`${id}#5`]]);
	});

	it('stops with a clear error on a wrong AppSecret, sending nothing', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const before = mock.deleteRequests().length;
		const tokens = mock.tokenRequests;
		const result = await run(
			ids.map((msg_id) => ({ msg_id })),
			{},
			{},
			{ appSecret: 'wrong-app-secret' },
		);
		expect(result.error?.message).toMatch(
			/WeChat Official Account refused the credentials: .*errcode 40125.*AppSecret is wrong/,
		);
		expect(mock.deleteRequests().length).toBe(before);
		expect(mock.tokenRequests - tokens).toBe(1);
		expect(ids.every((id) => !mock.isGone(whole(id)))).toBe(true);
	});

	it('never sends a target it cannot name correctly', async () => {
		const [good] = fresh(1);
		mock.add(good);
		const before = mock.deleteRequests().length;
		const items = [
			{ msg_id: good },
			{ msg_id: 'abc' },
			{ msg_id: '12345', article_idx: 'first' },
			{ url: 'ftp://example.com/a' },
		];
		const result = await run(items);
		expect(bodiesSince(before)).toEqual([{ msg_id: Number(good) }]);
		expect(result.failure.map((i) => [i.json.id, i.json.status])).toEqual([
			['abc', 'invalid'],
			['12345', 'invalid'],
			['ftp://example.com/a', 'invalid'],
		]);
		expect(result.failure[1].json.message).toMatch(/article_idx/);
		expectInvariant(result, [
			[whole(good)],
			['url:abc'],
			['12345#first'],
			['url:ftp://example.com/a'],
		]);
	});

	it('passes the credential test with a good AppSecret, fetching a token first', async () => {
		const tokens = mock.tokenRequests;
		expect(await testCredential(new WeChatOfficialAccountApi(), credential().data)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(mock.tokenRequests - tokens).toBe(1);
		expect(
			mock
				.requestsTo(/get_api_domain_ip$/)
				.at(-1)
				?.query.get('access_token'),
		).toMatch(/^78_/);
	});

	it('fails the credential test on a wrong AppSecret or AppID', async () => {
		expect(
			await testCredential(
				new WeChatOfficialAccountApi(),
				credential({ appSecret: 'wrong-app-secret' }).data,
			),
		).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/40125.*AppSecret is wrong/),
		});
		expect(
			await testCredential(
				new WeChatOfficialAccountApi(),
				credential({ appId: 'wx0000000000000000' }).data,
			),
		).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/40013.*AppID is not valid/),
		});
	});

	it('stops with the item index when an item names nothing to delete', async () => {
		const result = await run([{ msg_id: fresh(1)[0] }, { other: 1 }]);
		expect(result.error?.message).toMatch(/Item 1 has nothing to delete/);
	});

	it('ignores a Batch Size option: the option is hidden for a provider that takes one ID per call', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		const before = mock.requestsTo(/mass\/delete/).length;
		const result = await run([{ msg_id: ids[0] }, { msg_id: ids[1] }], { batchSize: 2 });
		expect(result.error).toBeUndefined();
		expect(mock.requestsTo(/mass\/delete/).length - before).toBe(2);
		expectInvariant(result, [[whole(ids[0])], [whole(ids[1])]]);
	});

	it('shows each request in a dry run without fetching a token', async () => {
		const [id] = fresh(1);
		const tokens = mock.tokenRequests;
		const result = await run([{ msg_id: id, article_idx: 1 }], { dryRun: true });
		expect(mock.tokenRequests).toBe(tokens);
		expect(result.byId[id]).toMatchObject({
			status: 'dryRun',
			article_idx: 1,
			request: {
				method: 'POST',
				url: `${mock.baseUrl}/cgi-bin/message/mass/delete`,
				ids: 1,
				body: { msg_id: Number(id), article_idx: 1 },
			},
		});
	});
});
