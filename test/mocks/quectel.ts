import { createDecipheriv, createHash, randomBytes } from 'node:crypto';

import type { MockReply, MockRequest } from './mockServer';
import { MockServer } from './mockServer';
import { quectelListReply } from './quectelList';

/** A push message the mock holds. Defaults: deletable by the caller. */
export interface QuectelMessage {
	id: string;
	/** Refused per ID in `failureList` with a reason that is not "does not exist". */
	locked?: boolean;
	/** What the list endpoint shows (see quectelList.ts; defaults: an unread system message added now). */
	title?: string;
	msgType?: number;
	isRead?: boolean;
	/** Epoch milliseconds. */
	addTime?: number;
}

export interface QuectelMockAccount {
	email: string;
	password: string;
	userDomain: string;
	domainSecret: string;
}

export const QUECTEL_TEST_ACCOUNT: QuectelMockAccount = {
	email: 'cleanup@example.com',
	password: 'Pässw0rd-for-tests',
	userDomain: 'C.DM.5903.1',
	domainSecret: 'EufftRJSuWuVY7c6txzGifV9bJcfXHAFa7hXY5doXSn7',
};

/** Like a gateway's request-line limit (nginx's 8 KB header buffer). */
const URL_LIMIT = 8192;
const TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;

const ok = (data: unknown): MockReply => ({
	status: 200,
	body: { code: 200, msg: '', extMsg: '', data },
});
/** Quectel answers errors with HTTP 200 and the error in `code`. */
const fail = (code: number, msg: string): MockReply => ({
	status: 200,
	body: { code, msg, extMsg: '', data: null },
});

/**
 * The Quectel decryption the server does: same key and IV derivation as the client (uppercase
 * hex MD5 of `random`, characters 8..24; IV = key[8..16] + key[0..8]). Written again here on
 * purpose rather than imported, so the mock checks the node's crypto instead of sharing it.
 */
function decryptPassword(pwd: string, random: string): string | undefined {
	const hex = createHash('md5').update(random).digest('hex').toUpperCase();
	const key = hex.substring(8, 24);
	const iv = `${key.substring(8)}${key.substring(0, 8)}`;
	try {
		const decipher = createDecipheriv(
			'aes-128-cbc',
			Buffer.from(key, 'latin1'),
			Buffer.from(iv, 'latin1'),
		);
		return Buffer.concat([decipher.update(Buffer.from(pwd, 'base64')), decipher.final()]).toString(
			'utf8',
		);
	} catch {
		return undefined;
	}
}

/**
 * Quectel's end-user OpenAPI as documented: email login with the encrypted password and signed
 * form, `Authorization: <token>` exactly, `batchDeleteMsg?msgIdList=…` with every error inside
 * an HTTP 200 body (5032 token failed, 5106 token missing, 5041 no permission, 5538 not found).
 */
export class QuectelMock extends MockServer {
	readonly messages = new Map<string, QuectelMessage>();
	/** IDs this mock really removed: the only ones a Success output may hold as `deleted`. */
	readonly deleted = new Set<string>();
	account: QuectelMockAccount = { ...QUECTEL_TEST_ACCOUNT };
	/** token → whether it still works. */
	private readonly tokens = new Map<string, boolean>();
	/** Successful logins; `loginAttempts` counts refused ones too. */
	logins = 0;
	loginAttempts = 0;
	/** Wrong passwords in a row that lock the account (5147), as real accounts do. */
	lockAfter = 5;
	private wrongPasswords = 0;
	/** The account lacks the push-message permission: every delete answers 5041. */
	noPermission = false;
	/** Answer a batch naming a missing message with 5538 for the whole batch, deleting nothing
	 * (as the single-delete endpoint does), instead of a per-ID `failureList` entry. */
	missingAs5538 = false;
	/** Expire every token once this many more delete calls have been answered. */
	private expireAfter?: number;

	constructor(messages: Array<string | QuectelMessage> = []) {
		super((request) => this.route(request));
		this.add(...messages);
	}

	add(...messages: Array<string | QuectelMessage>): void {
		for (const m of messages) {
			const message = typeof m === 'string' ? { id: m } : m;
			this.messages.set(message.id, message);
		}
	}

	/** A token as if the user had logged in elsewhere and pasted it. */
	issueToken(): string {
		const token = `qt.${randomBytes(24).toString('base64url')}`;
		this.tokens.set(token, true);
		return token;
	}

	/** Every token issued so far stops working (the provider's 2 h expiry, on demand). */
	expireTokens(): void {
		for (const token of this.tokens.keys()) this.tokens.set(token, false);
	}

	/** Expire every token right after the `count`-th delete call from now is answered. */
	expireTokensAfter(count: number): void {
		this.expireAfter = count;
	}

	deleteRequests(): MockRequest[] {
		return this.requestsTo(/batchDeleteMsg$/);
	}

	private route(request: MockRequest): MockReply | undefined {
		// Counted on the whole request target, as a gateway does; commas stay literal in the URL.
		const target = `${request.path}?${[...request.query].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/gi, ',')}`).join('&')}`;
		if (target.length > URL_LIMIT) {
			return {
				status: 414,
				body: '<html><head><title>414 Request-URI Too Large</title></head></html>',
				headers: { 'content-type': 'text/html' },
			};
		}
		if (request.method === 'POST' && request.path === '/v2/enduser/enduserapi/emailPwdLogin')
			return this.login(request);
		if (request.method === 'GET' && request.path === '/v2/mobilepush/enduserapi/userMsgList') {
			const denied = this.checkToken(request);
			if (denied) return denied;
			return quectelListReply(this, request);
		}
		if (request.method === 'POST' && request.path === '/v2/mobilepush/enduserapi/batchDeleteMsg') {
			const reply = this.batchDelete(request);
			if (this.expireAfter !== undefined && --this.expireAfter === 0) {
				this.expireAfter = undefined;
				this.expireTokens();
			}
			return reply;
		}
		return undefined;
	}

	private checkToken(request: MockRequest): MockReply | undefined {
		const token = request.headers.authorization;
		if (token === undefined || token === '') return fail(5106, 'Please enter token');
		if (this.tokens.get(token) !== true) return fail(5032, 'Token verification failed');
		return undefined;
	}

	/** Form fields, read from the body and the query as the provider's Spring back end does. */
	private login(request: MockRequest): MockReply {
		this.loginAttempts++;
		const form = new URLSearchParams(request.rawBody);
		const field = (name: string) => form.get(name) ?? request.query.get(name) ?? '';
		const [email, pwd, random, userDomain, signature] = [
			'email',
			'pwd',
			'random',
			'userDomain',
			'signature',
		].map(field);
		if ([email, pwd, random, userDomain, signature].some((v) => v === ''))
			return fail(4000, 'Required parameter is missing');
		if (userDomain !== this.account.userDomain) return fail(5013, 'User domain does not exist');
		const expected = createHash('sha256')
			.update(`${email}${pwd}${random}${this.account.domainSecret}`)
			.digest('hex');
		if (signature.toLowerCase() !== expected) return fail(5420, 'Signature verification failed');
		if (email !== this.account.email) return fail(5031, 'User does not exist');
		if (this.wrongPasswords >= this.lockAfter) return fail(5147, 'Account locked');
		if (decryptPassword(pwd, random) !== this.account.password) {
			this.wrongPasswords++;
			return fail(5583, 'Incorrect password');
		}
		this.wrongPasswords = 0;
		this.logins++;
		const expirationTime = Date.now() + TOKEN_LIFETIME_MS;
		return ok({
			accessToken: { token: this.issueToken(), expirationTime },
			refreshToken: {
				token: `rt.${randomBytes(16).toString('hex')}`,
				expirationTime: Date.now() + 30 * 24 * 3600 * 1000,
			},
		});
	}

	private batchDelete(request: MockRequest): MockReply {
		const denied = this.checkToken(request);
		if (denied) return denied;
		if (this.noPermission) return fail(5041, 'No permission');
		const raw = request.query.get('msgIdList');
		if (raw === null || raw.trim() === '') return fail(4000, 'msgIdList is required');
		const ids = [
			...new Set(
				raw
					.split(',')
					.map((id) => id.trim())
					.filter((id) => id !== ''),
			),
		];
		if (this.missingAs5538 && ids.some((id) => !this.messages.has(id)))
			return fail(5538, 'Message does not exist');

		const successList: Array<{ id: string }> = [];
		const failureList: Array<{ id: string; failureMsg: string }> = [];
		for (const id of ids) {
			const message = this.messages.get(id);
			if (message === undefined) {
				failureList.push({ id, failureMsg: 'Message does not exist' });
			} else if (message.locked) {
				failureList.push({ id, failureMsg: 'Message is being pushed and cannot be deleted' });
			} else {
				this.messages.delete(id);
				this.deleted.add(id);
				successList.push({ id });
			}
		}
		return ok({ successList, failureList });
	}
}
