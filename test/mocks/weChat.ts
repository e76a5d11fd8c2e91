import { randomBytes } from 'node:crypto';

import type { MockReply, MockRequest } from './mockServer';
import { MockServer } from './mockServer';

/** A mass message the mock holds: its articles, each with the URL it was published at. */
export interface WeChatMassMessage {
	msgId: string;
	/** How many articles it has (default 1). */
	articles?: number;
}

export const WECHAT_TEST_APP = {
	appId: 'wx5f0c1a2b3c4d5e6f',
	appSecret: '9f86d081884c7d659a2feaa0c55ad015',
};

const TOKEN_LIFETIME_S = 7200;

/** WeChat answers everything with HTTP 200 and `{errcode, errmsg}`. */
const answer = (errcode: number, errmsg: string): MockReply => ({
	status: 200,
	body: { errcode, errmsg },
});
const OK = answer(0, 'ok');

interface Held {
	articles: number;
	gone: boolean;
	deletedArticles: Set<number>;
}

/** The URL an article of a message is published at. */
export function articleUrl(msgId: string, index: number): string {
	return `https://mp.weixin.qq.com/s/${msgId}-${index}`;
}

/**
 * WeChat Official Account as documented: `stable_token` (appid/secret checked, the same token
 * returned while it lives), `access_token` in the query, `message/mass/delete` one message per
 * call with `{msg_id, article_idx}` or `{url}`, and errcodes inside HTTP 200: 40001/42001 bad or
 * expired token, 45009 daily quota, 45011 minute quota, -1 busy, 40059 unknown or deleted message.
 */
export class WeChatMock extends MockServer {
	readonly app = { ...WECHAT_TEST_APP };
	private readonly messages = new Map<string, Held>();
	private readonly byUrl = new Map<string, { msgId: string; index: number }>();
	/** Keys (`msgId#articleIdx`, `url:<url>`) this mock really removed, in the provider's key format. */
	readonly deleted = new Set<string>();
	/** Delete calls allowed per day; undefined = no limit. Every authorised call counts. */
	dailyQuota?: number;
	usedToday = 0;
	/** Delete calls allowed per window (a minute in production; shorter in tests). */
	minuteQuota?: { calls: number; windowMs: number };
	private readonly minuteCalls: number[] = [];
	/** The next this many delete calls answer -1 (system busy). */
	busy = 0;
	/** Successful `stable_token` answers that issued a NEW token. */
	tokensIssued = 0;
	tokenRequests = 0;
	private current?: { token: string; expiresAt: number };
	/** Tokens that expired early (42001) rather than never existing (40001). */
	private readonly expired = new Set<string>();
	private expireAfter?: number;

	constructor(messages: Array<string | WeChatMassMessage> = []) {
		super((request) => this.route(request));
		this.add(...messages);
	}

	add(...messages: Array<string | WeChatMassMessage>): void {
		for (const m of messages) {
			const message = typeof m === 'string' ? { msgId: m } : m;
			const articles = message.articles ?? 1;
			this.messages.set(message.msgId, { articles, gone: false, deletedArticles: new Set() });
			for (let i = 1; i <= articles; i++)
				this.byUrl.set(articleUrl(message.msgId, i), { msgId: message.msgId, index: i });
		}
	}

	/** The current token stops working (the provider's 2 h expiry, on demand). */
	expireTokens(): void {
		if (this.current) this.expired.add(this.current.token);
		this.current = undefined;
	}

	/** Expire the token right after the `count`-th delete call from now is answered. */
	expireTokensAfter(count: number): void {
		this.expireAfter = count;
	}

	/** Whether the target a key names no longer exists here. */
	isGone(key: string): boolean {
		if (key.startsWith('url:')) {
			const at = this.byUrl.get(key.slice(4));
			return at === undefined || this.isGone(`${at.msgId}#${at.index}`);
		}
		const [msgId, index] = key.split('#');
		const held = this.messages.get(msgId);
		if (held === undefined || held.gone) return true;
		return Number(index) > 0 && held.deletedArticles.has(Number(index));
	}

	deleteRequests(): MockRequest[] {
		return this.requestsTo(/\/cgi-bin\/message\/mass\/delete$/);
	}

	private route(request: MockRequest): MockReply | undefined {
		if (request.method === 'POST' && request.path === '/cgi-bin/stable_token')
			return this.stableToken(request);
		if (request.method === 'GET' && request.path === '/cgi-bin/get_api_domain_ip') {
			return (
				this.checkToken(request) ?? {
					status: 200,
					body: { ip_list: ['101.226.62.0', '101.226.62.1'] },
				}
			);
		}
		if (request.method === 'POST' && request.path === '/cgi-bin/message/mass/delete') {
			const reply = this.massDelete(request);
			if (this.expireAfter !== undefined && --this.expireAfter === 0) {
				this.expireAfter = undefined;
				this.expireTokens();
			}
			return reply;
		}
		return undefined;
	}

	private stableToken(request: MockRequest): MockReply {
		this.tokenRequests++;
		const body = (request.body ?? {}) as Record<string, unknown>;
		if (typeof request.body !== 'object' || request.body === null)
			return answer(47001, 'data format error');
		if (body.grant_type !== 'client_credential') return answer(40002, 'invalid grant_type');
		if (body.appid !== this.app.appId) return answer(40013, 'invalid appid');
		if (body.secret !== this.app.appSecret)
			return answer(40125, 'invalid appsecret, view more at http://t.cn/RAEkdVq');
		const now = Date.now();
		if (
			this.current === undefined ||
			this.current.expiresAt <= now ||
			body.force_refresh === true
		) {
			this.current = {
				token: `78_${randomBytes(32).toString('base64url')}`,
				expiresAt: now + TOKEN_LIFETIME_S * 1000,
			};
			this.tokensIssued++;
		}
		return {
			status: 200,
			body: {
				access_token: this.current.token,
				expires_in: Math.round((this.current.expiresAt - now) / 1000),
			},
		};
	}

	private checkToken(request: MockRequest): MockReply | undefined {
		const token = request.query.get('access_token');
		if (token === null || token === '') return answer(41001, 'access_token missing');
		if (this.expired.has(token)) return answer(42001, 'access_token expired');
		if (this.current?.token !== token || this.current.expiresAt <= Date.now())
			return answer(40001, 'invalid credential, access_token is invalid or not latest');
		return undefined;
	}

	private withinMinuteQuota(): boolean {
		const limit = this.minuteQuota;
		if (limit === undefined) return true;
		const now = Date.now();
		while (this.minuteCalls.length > 0 && now - this.minuteCalls[0] >= limit.windowMs)
			this.minuteCalls.shift();
		if (this.minuteCalls.length >= limit.calls) return false;
		this.minuteCalls.push(now);
		return true;
	}

	private massDelete(request: MockRequest): MockReply {
		const denied = this.checkToken(request);
		if (denied) return denied;
		if (this.dailyQuota !== undefined && this.usedToday >= this.dailyQuota)
			return answer(45009, 'reach max api daily quota limit');
		if (!this.withinMinuteQuota())
			return answer(45011, 'api minute-quota reach limit  mustslower  retry next minute');
		if (this.busy > 0) {
			this.busy--;
			return answer(-1, 'system error');
		}
		this.usedToday++;
		const body = request.body as Record<string, unknown> | undefined;
		if (body === undefined || typeof body !== 'object' || body === null)
			return answer(47001, 'data format error');

		const msgId = body.msg_id;
		if (msgId !== undefined && msgId !== null && msgId !== '') {
			const held = this.messages.get(String(msgId));
			if (held === undefined || held.gone) return answer(40059, 'invalid msg id');
			const index = Number(body.article_idx ?? 0);
			if (!Number.isInteger(index) || index < 0 || index > held.articles)
				return answer(40060, 'invalid article idx');
			if (index === 0) {
				held.gone = true;
				this.deleted.add(`${String(msgId)}#0`);
				return OK;
			}
			if (held.deletedArticles.has(index)) return answer(40059, 'invalid msg id');
			held.deletedArticles.add(index);
			this.deleted.add(`${String(msgId)}#${index}`);
			return OK;
		}
		if (typeof body.url === 'string' && body.url !== '') {
			const at = this.byUrl.get(body.url);
			if (at === undefined || this.isGone(`${at.msgId}#${at.index}`))
				return answer(40059, 'invalid msg id');
			this.messages.get(at.msgId)!.deletedArticles.add(at.index);
			this.deleted.add(`url:${body.url}`);
			return OK;
		}
		return answer(40035, 'invalid args');
	}
}
