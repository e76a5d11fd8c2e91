import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Fault, MockReply, MockRequest } from './mockServer';
import { MockServer } from './mockServer';
import { solapiListReply } from './solapiList';

/**
 * SOLAPI as its docs and official SDK describe it, over real HTTP:
 * - `Authorization: HMAC-SHA256 apiKey=…, date=…, salt=…, signature=…` (field names in any
 *   case, as the API document's own sample writes `ApiKey=`, `Date=`); signature = hex HMAC-SHA256(secret,
 *   date + salt); salt 12–64 characters;
 * - 403 `{errorCode, errorMessage}` for `InvalidAPIKey`, `SignatureDoesNotMatch`,
 *   `RequestTimeTooSkewed` (date more than 15 minutes off) and `DuplicatedSignature` (a signature
 *   seen in the last 15 minutes); 429 `TooManyRequests` with `x-retry-after` (inferred);
 * - `DELETE /messages/v4/groups/{groupId}/messages` `{messageIds}` and the legacy
 *   `POST /GroupMessage/3/group/{groupId}/deleteMessages` `{messages:[{messageId}]}`, at most
 *   1,000 IDs, answered `{errorCount, resultList:[{messageId, resultCode}]}`;
 * - `GET /cash/v1/balance` for the credential test.
 * Not documented, so chosen here: 400 `ValidationError` for a bad body, 404 `NotFound` for an
 * unknown group.
 */

const MAX_IDS = 1000;
const FIFTEEN_MINUTES = 15 * 60 * 1000;

export interface SolapiAuthFields {
	scheme: string;
	fields: Record<string, string>;
}

/** `HMAC-SHA256 apiKey=a, date=b, …` → scheme and fields, names lower-cased. */
export function parseSolapiAuthorization(header: string): SolapiAuthFields | undefined {
	const match = /^\s*(\S+)\s+(.*)$/.exec(header);
	if (!match) return undefined;
	const fields: Record<string, string> = {};
	for (const part of match[2].split(',')) {
		const eq = part.indexOf('=');
		if (eq === -1) return undefined;
		fields[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
	}
	return { scheme: match[1], fields };
}

const authError = (errorCode: string, errorMessage: string): MockReply => ({
	status: 403,
	body: { errorCode, errorMessage },
});
const badRequest = (errorMessage: string): MockReply => ({
	status: 400,
	body: { errorCode: 'ValidationError', errorMessage },
});

/** A fault that answers 429 as SOLAPI throttles (x-retry-after in seconds). */
export function tooManyRequests(retryAfterSeconds: number): Fault {
	return {
		kind: 'reply',
		status: 429,
		body: { errorCode: 'TooManyRequests', errorMessage: 'Too many requests' },
		headers: { 'x-retry-after': String(retryAfterSeconds) },
		path: /\/(messages|GroupMessage)\//,
	};
}

export class SolapiMock extends MockServer {
	/** groupId → message IDs it holds. */
	readonly groups = new Map<string, Set<string>>();
	/** The most IDs one request may name (the legacy documents say 1,000; v4's state none). */
	maxIds = MAX_IDS;
	/** IDs this mock really removed: the only ones a Success output may hold as `deleted`. */
	readonly deleted = new Set<string>();
	/** API key → secret. */
	readonly keys = new Map<string, string>([['NCSTESTKEY0000001', 'test-api-secret-0123456789']]);
	/** IDs answered `InternalError` (not deleted) the next time they are asked for. */
	readonly internalErrorOnce = new Set<string>();
	/** IDs answered `InternalError` every time. */
	readonly internalErrorAlways = new Set<string>();
	/** IDs deleted as asked but left out of `resultList` (the worst case for a client). */
	readonly leaveOut = new Set<string>();
	/** Signatures seen, with when: a repeat within 15 minutes is `DuplicatedSignature`. */
	private readonly signatures = new Map<string, number>();
	/** Added to the mock's clock for each of the next authenticated requests (then 0). */
	readonly clockOffsets: number[] = [];
	/** How many of the next well-signed requests to refuse as duplicates. */
	duplicateNext = 0;
	/** Every auth failure answered, by code. */
	readonly authFailures: string[] = [];

	constructor() {
		super((request) => this.route(request));
	}

	addGroup(groupId: string, ...messageIds: string[]): void {
		const group = this.groups.get(groupId) ?? new Set<string>();
		for (const id of messageIds) group.add(id);
		this.groups.set(groupId, group);
	}

	/** Whether any group still holds this message. */
	holds(messageId: string): boolean {
		for (const group of this.groups.values()) if (group.has(messageId)) return true;
		return false;
	}

	private refuse(code: string, message: string): MockReply {
		this.authFailures.push(code);
		return authError(code, message);
	}

	/** Undefined when the request is signed right, else the 403 SOLAPI would send. */
	private authenticate(request: MockRequest): MockReply | undefined {
		const offset = this.clockOffsets.length > 0 ? this.clockOffsets.shift()! : 0;
		const now = Date.now() + offset;
		const parsed = parseSolapiAuthorization(String(request.headers.authorization ?? ''));
		const { apikey, date, salt, signature } = parsed?.fields ?? {};
		if (
			!parsed ||
			parsed.scheme.toUpperCase() !== 'HMAC-SHA256' ||
			!apikey ||
			!date ||
			!salt ||
			!signature
		) {
			return this.refuse(
				'InvalidAuthenticationInformation',
				'The Authorization header is missing or malformed',
			);
		}
		const secret = this.keys.get(apikey);
		if (secret === undefined) return this.refuse('InvalidAPIKey', 'Invalid API Key');
		const time = Date.parse(date);
		if (Number.isNaN(time) || Math.abs(now - time) > FIFTEEN_MINUTES) {
			return this.refuse(
				'RequestTimeTooSkewed',
				'The difference between the request time and the current time is too large.',
			);
		}
		const expected = createHmac('sha256', secret)
			.update(date + salt)
			.digest('hex');
		const given = Buffer.from(signature, 'utf8');
		// The SDK sends lowercase hex; anything else is a different signature.
		if (
			salt.length < 12 ||
			salt.length > 64 ||
			given.length !== expected.length ||
			!timingSafeEqual(given, Buffer.from(expected, 'utf8'))
		) {
			return this.refuse('SignatureDoesNotMatch', 'Signature does not match');
		}
		for (const [seen, at] of this.signatures)
			if (now - at > FIFTEEN_MINUTES) this.signatures.delete(seen);
		if (this.signatures.has(signature) || this.duplicateNext > 0) {
			if (this.duplicateNext > 0) this.duplicateNext--;
			return this.refuse(
				'DuplicatedSignature',
				'Duplicated signature: sign every request with a new salt',
			);
		}
		this.signatures.set(signature, now);
		return undefined;
	}

	private route(request: MockRequest): MockReply | undefined {
		const v4 = /^\/messages\/v4\/groups\/([^/]+)\/messages$/.exec(request.path);
		const legacy = /^\/GroupMessage\/3\/group\/([^/]+)\/deleteMessages$/.exec(request.path);
		const balance = request.path === '/cash/v1/balance' && request.method === 'GET';
		const ours =
			(v4 && (request.method === 'DELETE' || request.method === 'GET')) ||
			(legacy && request.method === 'POST') ||
			balance;
		if (!ours) return undefined;

		const refused = this.authenticate(request);
		if (refused) return refused;
		if (balance) return { status: 200, body: { balance: 10000, point: 0 } };
		if (v4 && request.method === 'GET')
			return solapiListReply(this, decodeURIComponent(v4[1]), request);

		const groupId = decodeURIComponent((v4 ?? legacy)![1]);
		const ids = v4 ? this.readV4(request.body) : this.readLegacy(request.body);
		if (typeof ids === 'string') return badRequest(ids);
		if (ids.length === 0) return badRequest('No message IDs to delete');
		if (ids.length > this.maxIds)
			return badRequest(
				`At most ${this.maxIds} messages can be deleted per request, got ${ids.length}`,
			);
		const group = this.groups.get(groupId);
		if (group === undefined)
			return {
				status: 404,
				body: { errorCode: 'NotFound', errorMessage: `Group not found: ${groupId}` },
			};

		const resultList: Array<{ messageId: string; resultCode: string }> = [];
		for (const id of ids) {
			let resultCode: string;
			if (this.internalErrorAlways.has(id) || this.internalErrorOnce.delete(id)) {
				resultCode = 'InternalError';
			} else if (group.delete(id)) {
				this.deleted.add(id);
				resultCode = 'Success';
			} else {
				resultCode = 'MessageNotFound';
			}
			if (!this.leaveOut.has(id)) resultList.push({ messageId: id, resultCode });
		}
		const errorCount = resultList.filter((r) => r.resultCode !== 'Success').length;
		return {
			status: 200,
			body: v4 ? { groupId, errorCount, resultList } : { errorCount, resultList },
		};
	}

	private readV4(body: unknown): string[] | string {
		const ids = (body as { messageIds?: unknown } | undefined)?.messageIds;
		if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
			return 'messageIds must be an array of message ID strings';
		return ids as string[];
	}

	private readLegacy(body: unknown): string[] | string {
		const messages = (body as { messages?: unknown } | undefined)?.messages;
		if (!Array.isArray(messages)) return 'messages must be an array of {messageId}';
		const ids: string[] = [];
		for (const m of messages) {
			const id = (m as { messageId?: unknown } | null)?.messageId;
			if (typeof id !== 'string') return 'each entry of messages needs a messageId string';
			ids.push(id);
		}
		return ids;
	}
}
