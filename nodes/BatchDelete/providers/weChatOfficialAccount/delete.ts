import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { describeValue, idsFromValue, readPath } from '../../engine/ids';
import type { BatchVerdict, ParameterReader, Provider, Target } from '../../engine/types';
import type { HttpResponse } from '../common';
import { OutcomeMap, parseBody, shortText, transientVerdict, unreadable } from '../common';
import { weChatBaseUrl } from '../../../../credentials/auth/weChat';

/**
 * WeChat Official Account, delete a mass message:
 * `POST /cgi-bin/message/mass/delete?access_token=…` with `{msg_id, article_idx}` or `{url}`.
 * One message per call; every answer is HTTP 200 with `{errcode, errmsg}`.
 */

const DELETE_PATH = '/cgi-bin/message/mass/delete';

/** A msg_id is a 64-bit number; a URL longer than this is not an article link. */
const MAX_MSG_ID_DIGITS = 20;
const MAX_URL_LENGTH = 2048;

const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
const DAILY_QUOTA = 45009;
const MINUTE_QUOTA = 45011;
const BUSY = -1;
const INVALID_MSG_ID = 40059;
/** Account-wide refusals: every later call would fail the same way, so the run stops. */
const ACCOUNT_ERRORS: Record<number, string> = {
	40164: "This n8n server's IP address is not in the account's IP whitelist",
	48001: 'This account may not call the mass message API (only verified accounts can)',
};

// ---- targets ----

function isBlank(value: unknown): boolean {
	return (
		value === undefined ||
		value === null ||
		(typeof value === 'string' && value.trim() === '') ||
		(Array.isArray(value) && value.length === 0)
	);
}

/** 0 or empty = the whole message; otherwise the 1-based position of one article. */
function articleIndex(value: unknown): { value: number | string; invalidReason?: string } {
	if (isBlank(value)) return { value: 0 };
	const text =
		typeof value === 'number' || typeof value === 'string' ? String(value).trim() : undefined;
	if (text !== undefined && /^\d{1,3}$/.test(text)) return { value: Number(text) };
	return {
		value: describeValue(value),
		invalidReason: `article_idx ${describeValue(value)} is not 0 (whole message) or the position of an article (1, 2, …)`,
	};
}

function readField(
	read: ParameterReader,
	name: string,
	itemIndex: number,
	fallback: string,
): string {
	return String(read(name, itemIndex, fallback) ?? '').trim();
}

/**
 * One item's targets: its msg_id (with article_idx), else its article URL, as WeChat itself
 * prefers msg_id when both are given. The key keeps articles of one message apart for dedupe.
 */
function readTargets(
	item: IDataObject,
	itemIndex: number,
	read: ParameterReader,
): Omit<Target, 'items'>[] {
	const msgIdField = readField(read, 'weChatMsgIdField', itemIndex, 'msg_id');
	const msgIds = msgIdField === '' ? undefined : readPath(item, msgIdField);
	if (!isBlank(msgIds)) {
		const articleIdxField = readField(read, 'weChatArticleIdxField', itemIndex, 'article_idx');
		const index = articleIndex(
			articleIdxField === '' ? undefined : readPath(item, articleIdxField),
		);
		return idsFromValue(msgIds).map((raw) => {
			const invalidReason = raw.invalidReason ?? index.invalidReason;
			return {
				id: raw.id,
				key: `${raw.id}#${index.value}`,
				fields: { article_idx: index.value },
				...(invalidReason === undefined ? {} : { invalidReason }),
			};
		});
	}
	const urlField = readField(read, 'weChatUrlField', itemIndex, 'url');
	const urls = urlField === '' ? undefined : readPath(item, urlField);
	if (isBlank(urls)) return [];
	// URLs may hold commas, so a string is one URL; a list gives one per element.
	return (Array.isArray(urls) ? urls : [urls]).flatMap((url): Omit<Target, 'items'>[] => {
		if (typeof url !== 'string')
			return [
				{ id: describeValue(url), key: `url:${describeValue(url)}`, invalidReason: 'Not a URL' },
			];
		const trimmed = url.trim();
		return trimmed === '' ? [] : [{ id: trimmed, key: `url:${trimmed}` }];
	});
}

/** The request body. msg_id goes as a JSON number, written out by hand when it is too large for
 * a JavaScript number, so no digit is lost. */
function bodyOf(target: Pick<Target, 'id' | 'fields'>): IDataObject | string {
	if (!/^\d+$/.test(target.id)) return { url: target.id };
	const index = Number(target.fields?.article_idx ?? 0);
	const msgId = Number(target.id);
	// A whole message goes as `{msg_id}` alone ("absent or 0 deletes the whole message"), the
	// bytes co-wechat-api's deleteMass sends (test/sdk/weChat.test.ts).
	if (Number.isSafeInteger(msgId))
		return index === 0 ? { msg_id: msgId } : { msg_id: msgId, article_idx: index };
	return index === 0 ? `{"msg_id":${target.id}}` : `{"msg_id":${target.id},"article_idx":${index}}`;
}

// ---- answers ----

const answerSchema = z
	.object({
		errcode: z.union([z.number(), z.string().regex(/^-?\d+$/)]),
		errmsg: z.string().nullish(),
	})
	.passthrough();

function readAnswer(chunk: Pick<Target, 'id' | 'fields'>[], result: HttpResponse): BatchVerdict {
	const transient = transientVerdict(result);
	if (transient) return transient;
	if (result.statusCode < 200 || result.statusCode >= 300) {
		return {
			kind: 'failBatch',
			status: 'error',
			code: `HTTP_${result.statusCode}`,
			message: `WeChat answered HTTP ${result.statusCode}`,
		};
	}
	const answer = parseBody(answerSchema, result);
	if (answer === undefined) return unreadable(result);
	const code = Number(answer.errcode);
	const text = (fallback: string) => `${code}: ${shortText(answer.errmsg, fallback)}`;
	if (code === 0) {
		const map = new OutcomeMap(chunk);
		for (const target of chunk) map.set(target.id, { status: 'deleted' });
		return map.verdict();
	}
	if (TOKEN_ERRORS.has(code)) {
		return {
			kind: 'reauth',
			code: String(code),
			message: `WeChat refused the access token (${text('invalid credential')})`,
		};
	}
	if (code === DAILY_QUOTA) {
		return {
			kind: 'stopRun',
			reason: 'quota',
			code: String(code),
			message: `WeChat's daily limit for deleting mass messages is reached (${text('reach max api daily quota limit')}): not sent; run it again after the quota resets`,
		};
	}
	if (code === MINUTE_QUOTA || code === BUSY) {
		return {
			kind: 'retry',
			code: String(code),
			message:
				code === BUSY
					? `WeChat is busy (${text('system error')})`
					: `WeChat's per-minute limit is reached (${text('api minute-quota reach limit')})`,
			...(code === MINUTE_QUOTA ? { throttled: true } : {}),
		};
	}
	if (code === INVALID_MSG_ID) {
		// "invalid msg id": not a deletable msg_id (a msg_data_id, a typo). No document says a second
		// delete answers it, so it is no evidence the message is gone.
		return {
			kind: 'failBatch',
			status: 'rejected',
			code: String(code),
			message: `WeChat calls this an invalid msg_id, so nothing was deleted: check that the ID is the msg_id the mass send returned, not its msg_data_id (${text('invalid msg id')})`,
		};
	}
	if (ACCOUNT_ERRORS[code] !== undefined) {
		return {
			kind: 'stopRun',
			reason: 'config',
			code: String(code),
			message: `${ACCOUNT_ERRORS[code]} (${text('refused')})`,
		};
	}
	return {
		kind: 'failBatch',
		status: 'rejected',
		code: String(code),
		message: `WeChat refused to delete this message (${text('refused')})`,
	};
}

/** Everything but the list API (see ./index.ts). */
export const deletion: Omit<Provider<Record<string, never>>, 'list'> = {
	id: 'weChatOfficialAccount',
	displayName: 'WeChat Official Account',
	noun: 'mass messages',
	idName: 'the `msg_id` of the mass send (not its `msg_data_id`)',
	// The API deletes one message per call; there is no batch form.
	maxBatchSize: 1,
	defaultBatchSize: 1,
	// One call at a time: the daily quota is small (10 for new accounts), so speed is never the
	// limit, and with nothing else in flight the call that hits the quota is the last one sent.
	defaultConcurrency: 1,
	// No per-second limit is documented; one a second stays far below any per-minute quota.
	defaultRequestsPerSecond: 1,
	credentials: [
		{
			name: 'weChatOfficialAccountApi',
			value: 'appSecret',
			displayName: 'AppID and AppSecret',
			tokenProperty: 'accessToken',
		},
	],
	properties: [
		{
			displayName: 'Message ID Field',
			name: 'weChatMsgIdField',
			type: 'string',
			default: 'msg_id',
			placeholder: 'e.g. msg_id or data.msg_id',
			description:
				"Field holding the mass message's msg_id (as returned when it was sent). Dot paths reach nested fields. Items without it use the article URL field.",
		},
		{
			displayName: 'Article Index Field',
			name: 'weChatArticleIdxField',
			type: 'string',
			default: 'article_idx',
			description:
				'Field holding which article of the message to delete: 1 for the first; 0, empty or missing deletes the whole message',
		},
		{
			displayName: 'Article URL Field',
			name: 'weChatUrlField',
			type: 'string',
			default: 'url',
			description: 'Field holding an article URL to delete, used only when the item has no msg_id',
		},
	],
	readTargets,
	checkId(id) {
		if (/^\d+$/.test(id))
			return id.length > MAX_MSG_ID_DIGITS
				? `Longer than ${MAX_MSG_ID_DIGITS} digits, so not a WeChat msg_id`
				: undefined;
		if (/^https?:\/\/\S+$/i.test(id))
			return id.length > MAX_URL_LENGTH
				? `Longer than ${MAX_URL_LENGTH} characters, so not an article URL`
				: undefined;
		return 'Neither a numeric msg_id nor an article URL (http… or https…)';
	},
	readParameters() {
		return {};
	},
	buildRequest(chunk, ctx) {
		if (chunk.length !== 1) throw new Error('WeChat deletes one message per request');
		return {
			method: 'POST',
			url: `${weChatBaseUrl(ctx.credentials)}${DELETE_PATH}`,
			headers: { 'Content-Type': 'application/json' },
			body: bodyOf(chunk[0]),
		};
	},
	readResponse: readAnswer,
};
