import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import type { BatchVerdict, IdOutcome, Provider, Target } from '../../engine/types';
import type { HttpResponse } from '../common';
import {
	hasWhitespaceOrControl,
	OutcomeMap,
	parseBody,
	rejectedBatch,
	shortText,
	transientVerdict,
	unreadable,
} from '../common';
import { SOLAPI_HOSTS } from '../../../../credentials/auth/solapi';
import { errorOf, refusal, throttled } from './answer';

/**
 * SOLAPI group messages. Two endpoints, the same answer `{errorCount, resultList:[{messageId,
 * resultCode}]}` and at most 1,000 IDs per request:
 * - v4 (current, official SDK): `DELETE /messages/v4/groups/{groupId}/messages`, `{messageIds}`;
 * - legacy (SOLAPI's GroupMessage 3 API): `POST /GroupMessage/3/group/{groupId}/deleteMessages`, `{messages:[{messageId}]}`.
 */

type SolapiApiVersion = 'v4' | 'legacy';

export interface SolapiParams {
	groupId: string;
	apiVersion: SolapiApiVersion;
}

const MAX_ID_LENGTH = 128;

const parameters = z.object({
	groupId: z
		.string({ invalid_type_error: 'Group ID must be text', required_error: 'Group ID is required' })
		.trim()
		.min(1, 'Group ID is required: enter the ID of the SOLAPI group the messages were added to')
		.max(100, 'Group ID is longer than 100 characters, so not a SOLAPI group ID')
		// `*`, not `+`: an empty Group ID gets the one "is required" message above, not two.
		.regex(
			/^[A-Za-z0-9_-]*$/,
			'Group ID may only hold letters, digits, "-" and "_" (SOLAPI group IDs look like G4V20190607105937H3OMPD4ONLWZ2UY)',
		),
	apiVersion: z.enum(['v4', 'legacy'], {
		errorMap: () => ({ message: 'API Version must be "v4" or "legacy"' }),
	}),
});

/**
 * Where each API version lives. A base URL left at the default means "SOLAPI itself", and SOLAPI
 * serves the legacy group API from solapi.com, not api.solapi.com. A custom base URL (a proxy,
 * a test server) is where the user wants traffic to go, so both versions use it as given rather
 * than sending signed requests to a host the user never chose.
 */
export function solapiBaseUrl(credentials: IDataObject, version: SolapiApiVersion): string {
	const configured = String(credentials.baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
	if (configured === '' || configured.toLowerCase() === SOLAPI_HOSTS.v4)
		return SOLAPI_HOSTS[version];
	return configured;
}

const resultEntry = z.object({ messageId: z.string(), resultCode: z.string() }).passthrough();
const deleteAnswer = z
	.object({ errorCount: z.number().optional(), resultList: z.array(z.unknown()) })
	.passthrough();
function outcomeOf(resultCode: string, entry: IDataObject): IdOutcome {
	switch (resultCode) {
		case 'Success':
			return { status: 'deleted' };
		case 'MessageNotFound':
			return {
				status: 'notFound',
				code: resultCode,
				message: 'No message with this ID in the group',
			};
		case 'InternalError':
			// SOLAPI's own failure for this one message, which may have happened after the delete: the
			// engine resends it alone once; still so, whether it was deleted is unknown.
			return {
				status: 'unknown',
				code: resultCode,
				message:
					'SOLAPI had an internal error deleting this message, so whether it was deleted is unknown',
				retryAlone: true,
			};
		default:
			// A code this node does not know: neither a confirmation nor a refusal it can read.
			return {
				status: 'unknown',
				code: resultCode,
				message: `${shortText(entry.resultMessage, `SOLAPI answered ${resultCode} for this message`)} (a result this node does not know, so whether it was deleted is unknown)`,
			};
	}
}

/** A refusal that names the batch's size ("at most 1000 messages", "too many", "초과"…). */
const TOO_LARGE = /at\s*most|too\s*(many|large|long)|exceed|maximum|limit|최대|초과/i;

function readAnswer(chunk: Pick<Target, 'id' | 'fields'>[], result: HttpResponse): BatchVerdict {
	const status = result.statusCode;
	const error = errorOf(result);
	const transient = transientVerdict(result);
	if (transient) return throttled(transient, status, error);
	if (status >= 200 && status < 300) {
		const answer = parseBody(deleteAnswer, result);
		if (answer === undefined) return unreadable(result);
		const map = new OutcomeMap(chunk);
		for (const raw of answer.resultList) {
			// One unreadable entry leaves only its own ID unknown, not the whole batch.
			const entry = resultEntry.safeParse(raw);
			if (entry.success)
				map.set(entry.data.messageId, outcomeOf(entry.data.resultCode, entry.data as IDataObject));
		}
		return map.verdict();
	}
	const code = error.errorCode ?? `HTTP_${status}`;
	const refused = refusal(status, code, error);
	if (refused !== undefined) return refused;
	if (status === 400 || status === 413) {
		// A 400 names no message, so halving the batch isolates the ones it objects to. One that
		// says the batch is too large (v4 documents no limit) lowers the batch size for the run.
		const message = shortText(error.errorMessage, `SOLAPI rejected the request (HTTP ${status})`);
		const tooLarge = status === 413 || TOO_LARGE.test(error.errorMessage ?? '');
		return {
			...rejectedBatch(code, message),
			...(tooLarge && chunk.length > 1 ? { tooLarge: true } : {}),
		};
	}
	if (status === 404) {
		// The group (or the endpoint) does not exist. Not "every ID is already gone": a mistyped
		// Group ID must never send the real messages to Success, so the run stops as a config error.
		const message =
			error.errorCode === undefined
				? 'The SOLAPI delete endpoint was not found (HTTP 404): check the API Version and the base URL in the credential'
				: `SOLAPI found no such group (${code}${error.errorMessage ? `: ${shortText(error.errorMessage, '')}` : ''}): check Group ID`;
		return {
			kind: 'stopRun',
			reason: 'config',
			code: error.errorCode ?? 'ENDPOINT_NOT_FOUND',
			message,
		};
	}
	return {
		kind: 'failBatch',
		status: 'error',
		code,
		message: shortText(error.errorMessage, `SOLAPI answered HTTP ${status}`),
	};
}

/** Everything but the list API (see ./index.ts). */
export const deletion: Omit<Provider<SolapiParams>, 'list'> = {
	id: 'solapi',
	displayName: 'SOLAPI',
	noun: 'group messages',
	idName: 'the message ID (`messageId`) of a message in that group',
	maxBatchSize: 1000,
	defaultBatchSize: 1000,
	defaultConcurrency: 2,
	// SOLAPI documents no request rate; it answers 429 with x-retry-after when it throttles,
	// so Auto concurrency finds the rate it takes (starting from defaultConcurrency).
	autoConcurrency: true,
	defaultRequestsPerSecond: 0,
	credentials: [{ name: 'solapiApi', value: 'apiKey', displayName: 'API Key' }],
	properties: [
		{
			displayName: 'Group ID',
			name: 'solapiGroupId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. G4V20190607105937H3OMPD4ONLWZ2UY',
			description: 'The SOLAPI group the messages were added to',
		},
		{
			displayName: 'API Version',
			name: 'solapiApiVersion',
			type: 'options',
			options: [
				{
					name: 'Legacy GroupMessage 3 (Retired)',
					value: 'legacy',
					description:
						"POST /GroupMessage/3/group/{groupId}/deleteMessages on solapi.com: left SOLAPI's documentation in June 2019 and no SDK release calls it. Use V4.",
				},
				{
					name: 'V4',
					value: 'v4',
					description: 'DELETE /messages/v4/groups/{groupId}/messages on api.solapi.com',
				},
			],
			default: 'v4',
		},
	],
	checkId(id) {
		if (id.length > MAX_ID_LENGTH)
			return `Longer than ${MAX_ID_LENGTH} characters, so not a SOLAPI message ID`;
		if (hasWhitespaceOrControl(id))
			return 'Contains whitespace or control characters, so not a SOLAPI message ID';
		return undefined;
	},
	readParameters(read, itemIndex) {
		const parsed = parameters.safeParse({
			groupId: read('solapiGroupId', itemIndex, ''),
			apiVersion: read('solapiApiVersion', itemIndex, 'v4'),
		});
		if (!parsed.success)
			throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
		return parsed.data;
	},
	scopeFields: (params) => ({ groupId: params.groupId }),
	buildRequest(chunk, ctx) {
		const { groupId, apiVersion } = ctx.params;
		const base = solapiBaseUrl(ctx.credentials, apiVersion);
		const group = encodeURIComponent(groupId);
		if (apiVersion === 'legacy') {
			return {
				method: 'POST',
				url: `${base}/GroupMessage/3/group/${group}/deleteMessages`,
				headers: { 'Content-Type': 'application/json' },
				body: { messages: chunk.map((t) => ({ messageId: t.id })) },
			};
		}
		return {
			method: 'DELETE',
			url: `${base}/messages/v4/groups/${group}/messages`,
			headers: { 'Content-Type': 'application/json' },
			body: { messageIds: chunk.map((t) => t.id) },
		};
	},
	readResponse: readAnswer,
};
