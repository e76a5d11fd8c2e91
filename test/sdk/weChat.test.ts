import type { IHttpRequestOptions } from 'n8n-workflow';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import EasyWeChatAccessToken = require('node-easywechat/dist/OfficialAccount/AccessToken');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import EasyWeChatHttpClient = require('node-easywechat/dist/Core/HttpClient/HttpClient');

import { WeChatOfficialAccountApi } from '../../credentials/WeChatOfficialAccountApi.credentials';
import { weChatOfficialAccount } from '../../nodes/BatchDelete/providers/weChatOfficialAccount';
import { sdkVersion } from './sdks';

/** What the test uses of co-wechat-api (it ships no types). */
interface CoWeChatApiInstance {
	request: (url: string, opts: CoWeChatOptions) => Promise<unknown>;
	deleteMass(messageId: number): Promise<unknown>;
}
interface CoWeChatOptions {
	method: string;
	data: string;
	headers: Record<string, string>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CoWeChatApi = require('co-wechat-api') as new (
	appId: string,
	secret: string,
	getToken: () => Promise<{ accessToken: string; expireTime: number }>,
) => CoWeChatApiInstance;

/**
 * The node's WeChat requests held against two widely used libraries (versions pinned in
 * test/package.json), their HTTP layers stubbed: co-wechat-api's `deleteMass` (the mass delete of
 * a whole message; it has no article index) and node-easywechat's stable access token
 * (`AccessToken.getStableAccessToken`). WeChat publishes no official Node.js SDK.
 */

const APP_ID = 'wx0123456789abcdef';
const SECRET = 'example-app-secret-0123456789abcd';
const TOKEN = '78_ACCESS_TOKEN';
const MSG_ID = 1000000001;

interface Sent {
	method: string;
	url: string;
	contentType: string;
	body: string;
}

function differences(ours: Sent, theirs: Sent): string[] {
	return (['method', 'url', 'contentType', 'body'] as const).filter((k) => ours[k] !== theirs[k]);
}

describe(`WeChat mass delete against co-wechat-api@${sdkVersion('co-wechat-api')} deleteMass`, () => {
	it('sends the library’s request for a whole message, byte for byte', async () => {
		const api = new CoWeChatApi(APP_ID, SECRET, async () => ({
			accessToken: TOKEN,
			expireTime: Date.now() + 3_600_000,
		}));
		let theirs: Sent | undefined;
		// The library's one door to HTTP.
		api.request = async (
			url: string,
			opts: { method: string; data: string; headers: Record<string, string> },
		) => {
			theirs = {
				method: opts.method,
				url,
				contentType: opts.headers['Content-Type'],
				body: opts.data,
			};
			return { errcode: 0, errmsg: 'ok' };
		};
		await api.deleteMass(MSG_ID);

		const request = weChatOfficialAccount.buildRequest(
			[{ id: String(MSG_ID), fields: { article_idx: 0 } }],
			{
				params: {} as never,
				credentialType: 'weChatOfficialAccountApi',
				credentials: {},
			},
		);
		// The credential adds the token as the `access_token` query parameter.
		const ours: Sent = {
			method: String(request.method),
			url: `${request.url}?access_token=${TOKEN}`,
			contentType: String((request.headers as Record<string, string>)['Content-Type']),
			body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
		};
		expect(differences(ours, theirs!)).toEqual([]);

		// The comparison sees a changed body field and a changed path segment.
		expect(
			differences({ ...ours, body: ours.body.replace(`${MSG_ID}`, `${MSG_ID + 1}`) }, theirs!),
		).toEqual(['body']);
		expect(differences({ ...ours, url: ours.url.replace('/mass/', '/masss/') }, theirs!)).toEqual([
			'url',
		]);
	});
});

describe(`WeChat stable token against node-easywechat@${sdkVersion('node-easywechat')} getStableAccessToken`, () => {
	it('sends the library’s stable_token request, byte for byte', async () => {
		let theirs: Sent | undefined;
		// axios's adapter is the library's HTTP layer: it receives the serialized request.
		const http = EasyWeChatHttpClient.create({
			baseURL: 'https://api.weixin.qq.com/',
			adapter: async (config: {
				method: string;
				baseURL: string;
				url: string;
				headers: Record<string, string>;
				data: string;
			}) => {
				theirs = {
					method: config.method.toUpperCase(),
					url: new URL(config.url, config.baseURL).href,
					contentType: String(config.headers['Content-Type'] ?? config.headers['content-type']),
					body: config.data,
				};
				return {
					data: { access_token: TOKEN, expires_in: 7200 },
					status: 200,
					statusText: 'OK',
					headers: {},
					config,
				};
			},
		} as never);
		await new EasyWeChatAccessToken(
			APP_ID,
			SECRET,
			null as never,
			null as never,
			http,
			true,
		).getToken();

		let sent: IHttpRequestOptions | undefined;
		const helper = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					sent = options;
					// The token request asks for the whole answer (credentials/auth/guard.ts).
					return {
						statusCode: 200,
						headers: {},
						body: JSON.stringify({ access_token: TOKEN, expires_in: 7200 }),
					};
				},
			},
		};
		await new WeChatOfficialAccountApi().preAuthentication.call(helper as never, {
			appId: APP_ID,
			appSecret: SECRET,
		});
		// n8n sends `json: true` bodies as application/json, serialized with JSON.stringify.
		const ours: Sent = {
			method: String(sent!.method),
			url: sent!.url,
			contentType: 'application/json',
			body: JSON.stringify(sent!.body),
		};
		expect(differences(ours, theirs!)).toEqual([]);
		expect(
			differences({ ...ours, body: ours.body.replace('"appid":"wx', '"appid":"xx') }, theirs!),
		).toEqual(['body']);
		expect(
			differences({ ...ours, url: ours.url.replace('stable_token', 'token') }, theirs!),
		).toEqual(['url']);
	});
});
