import { z } from 'zod';

import type { BatchVerdict, Provider, Target } from '../../engine/types';
import type { HttpResponse } from '../common';
import {
	hasWhitespaceOrControl,
	noParameters,
	OutcomeMap,
	parseExact,
	rejectedBatch,
	shortText,
	transientVerdict,
	unreadable,
} from '../common';
import { baseUrlOf } from '../../../../credentials/auth/hosts';
import { QUECTEL_HOSTS } from '../../../../credentials/auth/quectel';
import type { Answer } from './answer';
import {
	answerSchema,
	NO_PERMISSION,
	said,
	SUCCESS_CODES,
	TOKEN_FAILED,
	TOKEN_MISSING,
	tokenRefused,
} from './answer';

/**
 * Quectel IoT App OpenAPI, mobile push messages:
 * `POST /v2/mobilepush/enduserapi/batchDeleteMsg?msgIdList=a,b,c` with an empty body. Every
 * answer is HTTP 200; the body's `code` says what happened.
 */

const QUECTEL_DELETE_PATH = '/v2/mobilepush/enduserapi/batchDeleteMsg';

/**
 * The URL budget. IDs travel in the query, so the request line must fit the 8 KB many gateways
 * allow (nginx's default header buffer). An ID may take at most 64 characters once URL-encoded:
 * 100 IDs × (64 + 1 comma) = 6,500 bytes, plus host, path and `?msgIdList=` (under 150) stays
 * around 6.7 KB even in the worst case. Real IDs (about 20 digits) make it about 2 KB.
 */
const QUECTEL_MAX_ENCODED_ID_LENGTH = 64;
export const QUECTEL_MAX_BATCH_SIZE = 100;

const MESSAGE_NOT_FOUND = 5538;

/** failureMsg texts that say the message is already gone (English or Chinese). */
const NOT_FOUND_TEXT = /not\s*(be\s*)?found|not\s*exist|no\s*such|doesn'?t\s*exist|已删除|不存在/i;

const id = z.union([z.string(), z.number()]);

const listsSchema = z
	.object({
		successList: z.array(z.object({ id }).passthrough()).nullish(),
		failureList: z
			.array(z.object({ id, failureMsg: z.string().nullish() }).passthrough())
			.nullish(),
	})
	.passthrough();

/** The statuses Quectel (or a gateway before it) answers instead of 200, and what each means. */
const STATUS_VERDICTS: Record<number, BatchVerdict> = {
	401: {
		kind: 'reauth',
		code: 'HTTP_401',
		message: 'Quectel refused the access token (HTTP 401)',
	},
	404: {
		kind: 'stopRun',
		reason: 'config',
		code: 'ENDPOINT_NOT_FOUND',
		message:
			'The delete endpoint was not found (HTTP 404): check the region or base URL in the credential',
	},
	// A gateway refused the URL as too long: halving the batch shortens it.
	414: rejectedBatch(
		'HTTP_414',
		'The request URL was too long for the gateway (HTTP 414): lower the batch size',
	),
	400: rejectedBatch('HTTP_400', 'Quectel rejected the request (HTTP 400)'),
};

/** A status other than 2xx: the body's `code` is not read. Undefined for a 2xx. */
function statusVerdict(result: HttpResponse): BatchVerdict | undefined {
	const transient = transientVerdict(result);
	if (transient) return transient;
	const status = result.statusCode;
	if (status >= 200 && status < 300) return undefined;
	return (
		STATUS_VERDICTS[status] ?? {
			kind: 'failBatch',
			status: 'error',
			code: `HTTP_${status}`,
			message: `Quectel answered HTTP ${status}`,
		}
	);
}

/** A success code's `successList` and `failureList` as per-ID outcomes. */
function listsVerdict(
	chunk: Pick<Target, 'id' | 'fields'>[],
	answer: Answer,
	result: HttpResponse,
): BatchVerdict {
	const lists = listsSchema.safeParse(answer.data);
	if (!lists.success) return unreadable(result);
	const map = new OutcomeMap(chunk);
	// Failures first: an ID listed in both lists must not end on Success.
	for (const entry of lists.data.failureList ?? []) {
		const reason = entry.failureMsg ?? '';
		if (NOT_FOUND_TEXT.test(reason)) {
			map.set(entry.id, {
				status: 'notFound',
				code: 'NOT_FOUND',
				message: shortText(reason, 'Message does not exist'),
			});
		} else {
			map.set(entry.id, {
				status: 'rejected',
				code: 'DELETE_FAILED',
				message: shortText(reason, 'Quectel did not delete this message'),
			});
		}
	}
	for (const entry of lists.data.successList ?? []) map.set(entry.id, { status: 'deleted' });
	return map.verdict();
}

/** A `code` that is not a success. */
function codeVerdict(
	chunk: Pick<Target, 'id' | 'fields'>[],
	code: number,
	answer: Answer,
): BatchVerdict {
	if (code === TOKEN_FAILED || code === TOKEN_MISSING) {
		const refused = tokenRefused(
			code,
			answer,
			code === TOKEN_FAILED ? 'Token verification failed' : 'Please enter token',
		);
		return {
			...refused,
			message: `${refused.message}. Tokens expire after about 2 hours: the Email and Password credential logs in again by itself`,
		};
	}
	if (code === NO_PERMISSION) {
		return {
			kind: 'failBatch',
			status: 'forbidden',
			code: String(code),
			message: said(answer, 'No permission'),
		};
	}
	if (code === MESSAGE_NOT_FOUND) {
		// The answer does not say which ID is missing: alone it is this one; in a batch, halving finds it.
		if (chunk.length === 1) {
			const outcomes = new OutcomeMap(chunk);
			outcomes.set(chunk[0].id, {
				status: 'notFound',
				code: String(code),
				message: said(answer, 'Message does not exist'),
			});
			return outcomes.verdict();
		}
		return {
			kind: 'failBatch',
			status: 'unknown',
			code: String(code),
			message: said(answer, 'A message in this batch does not exist'),
			splittable: true,
		};
	}
	return {
		kind: 'failBatch',
		status: 'rejected',
		code: String(code),
		message: said(answer, `Quectel refused the request (code ${code})`),
	};
}

function readAnswer(chunk: Pick<Target, 'id' | 'fields'>[], result: HttpResponse): BatchVerdict {
	const refused = statusVerdict(result);
	if (refused) return refused;
	const answer = parseExact(answerSchema, result);
	if (answer === undefined) return unreadable(result);
	const code = Number(answer.code);
	if (SUCCESS_CODES.has(code)) return listsVerdict(chunk, answer, result);
	return codeVerdict(chunk, code, answer);
}

/** Everything but the list API (see ./index.ts). */
export const deletion: Omit<Provider<Record<string, never>>, 'list'> = {
	id: 'quectel',
	displayName: 'Quectel IoT',
	noun: 'push messages',
	idName: 'the message ID (`msgId`)',
	maxBatchSize: QUECTEL_MAX_BATCH_SIZE,
	defaultBatchSize: QUECTEL_MAX_BATCH_SIZE,
	// No limits are documented. 100 IDs a request keeps the request count low, so one request at
	// a time is fast enough and gentle on an API whose throttling is unknown.
	defaultConcurrency: 1,
	defaultRequestsPerSecond: 0,
	authParameter: 'quectelAuthentication',
	credentials: [
		{
			name: 'quectelAccountApi',
			value: 'account',
			displayName: 'Email and Password (Recommended)',
			tokenProperty: 'accessToken',
		},
		{ name: 'quectelTokenApi', value: 'token', displayName: 'Access Token' },
	],
	properties: [],
	checkId(value) {
		if (value.includes(','))
			return "Contains a comma, which separates IDs in Quectel's msgIdList, so it cannot be sent";
		if (hasWhitespaceOrControl(value))
			return 'Contains whitespace or control characters, so not a Quectel message ID';
		if (encodeURIComponent(value).length > QUECTEL_MAX_ENCODED_ID_LENGTH) {
			return `Longer than ${QUECTEL_MAX_ENCODED_ID_LENGTH} characters once URL-encoded, so not a Quectel message ID`;
		}
		return undefined;
	},
	readParameters: noParameters,
	buildRequest(chunk, ctx) {
		return {
			method: 'POST',
			url: `${baseUrlOf(ctx.credentials, QUECTEL_HOSTS, 'region')}${QUECTEL_DELETE_PATH}`,
			qs: { msgIdList: chunk.map((t) => t.id).join(',') },
		};
	},
	readResponse: readAnswer,
};
