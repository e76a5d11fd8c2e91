import type { IDataObject } from 'n8n-workflow';

import { WeChatOfficialAccountApi } from '../../credentials/WeChatOfficialAccountApi.credentials';

import type { ParameterReader } from '../../nodes/BatchDelete/engine/types';
import { weChatOfficialAccount as weChat } from '../../nodes/BatchDelete/providers/weChatOfficialAccount';
import { reply } from './listHelpers';
import { readStableToken } from '../../credentials/auth/weChat';
import { evaluateCredentialExpression } from '../support/credentialExpression';

const ctx = (credentials: Record<string, string> = {}) => ({
	params: {},
	credentialType: 'weChatOfficialAccountApi',
	credentials,
});
/** The node's parameters as n8n would return them: the user's values, else the given fallback. */
const reader =
	(values: Record<string, string> = {}): ParameterReader =>
	(name, _itemIndex, fallback) =>
		name in values ? values[name] : fallback;
const targets = (item: IDataObject, values?: Record<string, string>) =>
	weChat.readTargets!(item, 0, reader(values));
const msg = { id: '30124', fields: { article_idx: 0 } };

describe('WeChat targets from items', () => {
	it('reads msg_id with article_idx, 0 or absent meaning the whole message', () => {
		expect(targets({ msg_id: 30124, article_idx: 2 })).toEqual([
			{ id: '30124', key: '30124#2', fields: { article_idx: 2 } },
		]);
		expect(targets({ msg_id: '30124', article_idx: '2' })).toEqual([
			{ id: '30124', key: '30124#2', fields: { article_idx: 2 } },
		]);
		for (const article_idx of [undefined, null, '', 0, '0']) {
			expect(targets({ msg_id: 30124, article_idx })).toEqual([
				{ id: '30124', key: '30124#0', fields: { article_idx: 0 } },
			]);
		}
	});

	it('keeps articles of one message apart, and the whole message apart from its articles', () => {
		const keys = [
			targets({ msg_id: 1, article_idx: 1 }),
			targets({ msg_id: 1, article_idx: 2 }),
			targets({ msg_id: 1 }),
		].map((t) => t[0].key);
		expect(new Set(keys).size).toBe(3);
	});

	it('uses the URL only when there is no msg_id, as WeChat does', () => {
		const url = 'https://mp.weixin.qq.com/s/AbC,dEf';
		expect(targets({ url })).toEqual([{ id: url, key: `url:${url}` }]);
		expect(targets({ msg_id: 30124, url })).toEqual([
			{ id: '30124', key: '30124#0', fields: { article_idx: 0 } },
		]);
		expect(targets({ url: [url, 'https://mp.weixin.qq.com/s/2'] }).map((t) => t.id)).toEqual([
			url,
			'https://mp.weixin.qq.com/s/2',
		]);
	});

	it('follows the field names the user maps, dot paths included', () => {
		const values = {
			weChatMsgIdField: 'sent.msgId',
			weChatArticleIdxField: 'sent.idx',
			weChatUrlField: 'link',
		};
		expect(targets({ sent: { msgId: 5, idx: 3 } }, values)).toEqual([
			{ id: '5', key: '5#3', fields: { article_idx: 3 } },
		]);
		expect(targets({ link: 'https://mp.weixin.qq.com/s/x' }, values)).toEqual([
			{ id: 'https://mp.weixin.qq.com/s/x', key: 'url:https://mp.weixin.qq.com/s/x' },
		]);
		expect(targets({ msg_id: 5 }, values)).toEqual([]);
	});

	it('takes a list of msg_ids as several targets with the same article', () => {
		expect(targets({ msg_id: [1, 2], article_idx: 1 }).map((t) => t.key)).toEqual(['1#1', '2#1']);
		expect(targets({ msg_id: '1, 2' }).map((t) => t.key)).toEqual(['1#0', '2#0']);
	});

	it('marks a bad article_idx invalid, and returns nothing for an item with neither field', () => {
		for (const article_idx of [-1, 1.5, 'first', { a: 1 }]) {
			const [target] = targets({ msg_id: 7, article_idx });
			expect(target.invalidReason).toMatch(/article_idx/);
		}
		expect(targets({})).toEqual([]);
		expect(targets({ msg_id: '', url: '  ' })).toEqual([]);
		expect(targets({ url: 42 })[0].invalidReason).toBe('Not a URL');
	});
});

describe('WeChat request', () => {
	it('sends one message per call, msg_id as a JSON number', () => {
		expect(weChat.maxBatchSize).toBe(1);
		expect(weChat.buildRequest([{ id: '30124', fields: { article_idx: 2 } }], ctx())).toEqual({
			method: 'POST',
			url: 'https://api.weixin.qq.com/cgi-bin/message/mass/delete',
			headers: { 'Content-Type': 'application/json' },
			body: { msg_id: 30124, article_idx: 2 },
		});
		expect(weChat.buildRequest([msg], ctx({ baseUrl: 'http://127.0.0.1:9/' })).url).toBe(
			'http://127.0.0.1:9/cgi-bin/message/mass/delete',
		);
		expect(() => weChat.buildRequest([msg, { ...msg, id: '2' }], ctx())).toThrow(/one message/);
	});

	it('sends an article URL as {url}', () => {
		expect(weChat.buildRequest([{ id: 'https://mp.weixin.qq.com/s/x' }], ctx()).body).toEqual({
			url: 'https://mp.weixin.qq.com/s/x',
		});
	});

	it('writes a msg_id too large for a JavaScript number digit for digit', () => {
		const body = weChat.buildRequest(
			[{ id: '18446744073709551615', fields: { article_idx: 1 } }],
			ctx(),
		).body;
		expect(body).toBe('{"msg_id":18446744073709551615,"article_idx":1}');
	});

	it('accepts numeric msg_ids and http(s) URLs only', () => {
		expect(weChat.checkId('30124')).toBeUndefined();
		expect(weChat.checkId('https://mp.weixin.qq.com/s/abc')).toBeUndefined();
		expect(weChat.checkId('1'.repeat(21))).toMatch(/20 digits/);
		expect(weChat.checkId('abc')).toMatch(/Neither/);
		expect(weChat.checkId('https://x/' + 'a'.repeat(2048))).toMatch(/2048/);
	});

	it('refreshes its token through the credential', () => {
		expect(weChat.credentials).toEqual([
			expect.objectContaining({ name: 'weChatOfficialAccountApi', tokenProperty: 'accessToken' }),
		]);
	});
});

describe('WeChat answer', () => {
	const sent = [msg];
	const code = (errcode: number | string, errmsg = 'text') =>
		weChat.readResponse(sent, reply(200, { errcode, errmsg }));

	it('reads errcode 0 as deleted', () => {
		const verdict = code(0, 'ok');
		expect(verdict.kind === 'outcomes' && verdict.outcomes.get('30124')).toEqual({
			status: 'deleted',
		});
	});

	it.each([40001, 40014, 42001])('asks for a new token on %d', (errcode) => {
		expect(code(errcode)).toMatchObject({ kind: 'reauth', code: String(errcode) });
	});

	it('stops the run on the daily quota (45009)', () => {
		const verdict = code(45009, 'reach max api daily quota limit');
		expect(verdict).toMatchObject({ kind: 'stopRun', reason: 'quota', code: '45009' });
		expect(verdict.kind === 'stopRun' && verdict.message).toMatch(
			/daily limit.*45009: reach max api daily quota limit/,
		);
	});

	it.each([45011, -1, '-1'])('retries %s with backoff', (errcode) => {
		const verdict = code(errcode);
		expect(verdict).toMatchObject({ kind: 'retry', code: String(errcode) });
		expect(verdict.kind === 'retry' && verdict.retryAfterMs).toBeUndefined();
		expect(verdict.kind === 'retry' && verdict.maybeApplied).toBeFalsy();
		// 45011 is WeChat's throttle (Auto concurrency backs off); -1 "system busy" is not.
		expect(verdict.kind === 'retry' && verdict.throttled === true).toBe(errcode === 45011);
	});

	it('reads 40059 (invalid msg id) as a rejection naming msg_id, never as not found', () => {
		const verdict = code(40059, 'invalid msg id');
		expect(verdict).toMatchObject({ kind: 'failBatch', status: 'rejected', code: '40059' });
		expect(verdict.kind === 'failBatch' && verdict.message).toMatch(/msg_data_id/);
	});

	it('stops the run on account-wide refusals', () => {
		expect(code(40164)).toMatchObject({ kind: 'stopRun', reason: 'config', code: '40164' });
		expect(code(48001)).toMatchObject({ kind: 'stopRun', reason: 'config', code: '48001' });
	});

	it('rejects the message on any other errcode, naming it', () => {
		expect(code(40060, 'invalid article idx')).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: '40060',
			message: 'WeChat refused to delete this message (40060: invalid article idx)',
		});
	});

	it('treats an answer it cannot read as unknown, and HTTP failures as the common rules say', () => {
		expect(weChat.readResponse(sent, reply(200, { ok: true }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
		expect(weChat.readResponse(sent, reply(200, undefined))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
		expect(weChat.readResponse(sent, reply(502, {}))).toMatchObject({
			kind: 'retry',
			maybeApplied: true,
		});
		expect(weChat.readResponse(sent, reply(403, {}))).toMatchObject({
			kind: 'failBatch',
			status: 'error',
			code: 'HTTP_403',
		});
	});
});

describe('WeChat stable_token answer', () => {
	it('returns the token', () => {
		expect(readStableToken({ access_token: 'tok', expires_in: 7200 })).toBe('tok');
	});

	it.each([
		[40013, /AppID is not valid/],
		[40125, /AppSecret is wrong/],
		[40164, /IP whitelist/],
		[-1, /busy/],
		[12345, /check the AppID and AppSecret/],
	])('explains errcode %d', (errcode, hint) => {
		expect(() => readStableToken({ errcode, errmsg: 'provider text' })).toThrow(hint);
		expect(() => readStableToken({ errcode, errmsg: 'provider text' })).toThrow(
			`errcode ${errcode}, provider text`,
		);
	});

	it('refuses an answer without a token', () => {
		expect(() => readStableToken({})).toThrow(/errcode none/);
		expect(() => readStableToken('nope')).toThrow(/cannot read/);
	});
});

describe('WeChat credential', () => {
	const evaluate = evaluateCredentialExpression;
	const type = new WeChatOfficialAccountApi();

	it('tests against the same host the node deletes on', () => {
		const baseURL = String(type.test.request.baseURL);
		expect(evaluate(baseURL, { baseUrl: 'https://api.weixin.qq.com' })).toBe(
			'https://api.weixin.qq.com',
		);
		expect(evaluate(baseURL, { baseUrl: '' })).toBe('https://api.weixin.qq.com');
		expect(evaluate(baseURL, { baseUrl: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
		expect(weChat.buildRequest([msg], ctx({ baseUrl: '' })).url).toBe(
			'https://api.weixin.qq.com/cgi-bin/message/mass/delete',
		);
	});

	it('sends the token as the access_token query parameter and hides the stored one', () => {
		expect(type.authenticate).toEqual({
			type: 'generic',
			properties: { qs: { access_token: '={{$credentials.accessToken}}' } },
		});
		expect(type.properties.find((p) => p.name === 'accessToken')).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
		});
		expect(type.properties.find((p) => p.name === 'appSecret')?.typeOptions).toEqual({
			password: true,
		});
	});
});
