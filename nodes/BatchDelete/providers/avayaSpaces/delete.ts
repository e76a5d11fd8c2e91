import { z } from 'zod';

import type { BatchVerdict, Provider } from '../../engine/types';
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
import { AVAYA_SPACES_HOSTS } from '../../../../credentials/auth/avayaSpaces';
import { errorOf } from './answer';

/** Avaya Spaces: `POST /api/messages/deletemessages`, a JSON array of up to 100 message IDs. */

const MAX_ID_LENGTH = 128;

const reasoned = z.array(
	z.object({
		messageId: z.union([z.string(), z.number()]),
		reason: z
			.object({ code: z.string().optional(), message: z.string().optional() })
			.passthrough()
			.nullish(),
	}),
);

/** The 200 answer. `notFoundMmessages` is the provider's own spelling; the corrected one is
 * accepted too in case they ever fix it. */
const deleteAnswer = z
	.object({
		deletedMessages: z.array(z.union([z.string(), z.number()])).optional(),
		notFoundMmessages: z.array(z.union([z.string(), z.number()])).optional(),
		notFoundMessages: z.array(z.union([z.string(), z.number()])).optional(),
		notDeletedMessages: reasoned.optional(),
		noPermittedMessages: reasoned.optional(),
	})
	.passthrough();

function readAnswer(
	chunk: Parameters<Provider['readResponse']>[0],
	result: HttpResponse,
): BatchVerdict {
	const transient = transientVerdict(result);
	if (transient) return transient;
	const status = result.statusCode;
	if (status >= 200 && status < 300) {
		const answer = parseExact(deleteAnswer, result);
		if (answer === undefined) return unreadable(result);
		const map = new OutcomeMap(chunk);
		for (const id of answer.deletedMessages ?? []) map.set(id, { status: 'deleted' });
		for (const id of [...(answer.notFoundMmessages ?? []), ...(answer.notFoundMessages ?? [])]) {
			map.set(id, { status: 'notFound', code: 'NOT_FOUND', message: 'Message not found' });
		}
		for (const entry of answer.noPermittedMessages ?? []) {
			map.set(entry.messageId, {
				status: 'forbidden',
				code: entry.reason?.code ?? 'NO_PERMISSION',
				message: shortText(entry.reason?.message, 'No permission to delete this message'),
			});
		}
		for (const entry of answer.notDeletedMessages ?? []) {
			map.set(entry.messageId, {
				status: 'rejected',
				code: entry.reason?.code ?? 'NOT_DELETED',
				message: shortText(entry.reason?.message, 'The provider did not delete this message'),
			});
		}
		return map.verdict();
	}
	const error = errorOf(result);
	if (status === 401) {
		return {
			kind: 'reauth',
			code: error.code,
			message: shortText(
				error.message,
				'Avaya Spaces refused the token (HTTP 401): check the credential',
			),
		};
	}
	if (status === 400) {
		// The 400 names no ID, so the batch is halved to find the ones it objects to.
		const message = shortText(
			error.reason ?? error.error?.message,
			'Avaya Spaces rejected the batch (HTTP 400)',
		);
		return rejectedBatch(error.code, message);
	}
	if (status === 403) {
		return {
			kind: 'failBatch',
			status: 'forbidden',
			code: error.code,
			message: shortText(error.message ?? error.error?.message, 'No permission (HTTP 403)'),
		};
	}
	if (status === 404) {
		return {
			kind: 'stopRun',
			reason: 'config',
			code: 'ENDPOINT_NOT_FOUND',
			message:
				'The delete endpoint was not found (HTTP 404): check the environment or base URL in the credential',
		};
	}
	return {
		kind: 'failBatch',
		status: 'error',
		code: error.code,
		message: `Avaya Spaces answered HTTP ${status}`,
	};
}

/** Everything but the list API (see ./index.ts). */
export const deletion: Omit<Provider<Record<string, never>>, 'list'> = {
	id: 'avayaSpaces',
	displayName: 'Avaya Spaces',
	noun: 'messages',
	idName: 'the message ID (`_id`)',
	maxBatchSize: 100,
	defaultBatchSize: 100,
	defaultConcurrency: 2,
	// Documented: 60 calls a minute per resource (and 600 per 5 minutes per user).
	defaultRequestsPerSecond: 1,
	authParameter: 'avayaSpacesAuthentication',
	credentials: [
		{ name: 'avayaSpacesApi', value: 'token', displayName: 'Access Token (JWT or Bearer)' },
		{ name: 'avayaSpacesOAuth2Api', value: 'oAuth2', displayName: 'OAuth2', oAuth2: true },
	],
	properties: [],
	checkId(id) {
		if (id.length > MAX_ID_LENGTH)
			return `Longer than ${MAX_ID_LENGTH} characters, so not an Avaya Spaces message ID`;
		if (hasWhitespaceOrControl(id))
			return 'Contains whitespace or control characters, so not an Avaya Spaces message ID';
		return undefined;
	},
	readParameters: noParameters,
	buildRequest(chunk, ctx) {
		return {
			method: 'POST',
			url: `${baseUrlOf(ctx.credentials, AVAYA_SPACES_HOSTS)}/api/messages/deletemessages`,
			headers: { 'Content-Type': 'application/json' },
			body: chunk.map((t) => t.id),
		};
	},
	readResponse: readAnswer,
};
