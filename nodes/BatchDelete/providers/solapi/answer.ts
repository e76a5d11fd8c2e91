import { z } from 'zod';

import type { BatchVerdict } from '../../engine/types';
import type { HttpResponse } from '../common';
import { parseBody, shortText } from '../common';

/** The provider's error body (delete and list answers alike). */
const errorAnswer = z
	.object({ errorCode: z.string().optional(), errorMessage: z.string().optional() })
	.passthrough();

type SolapiError = z.infer<typeof errorAnswer>;

export function errorOf(result: HttpResponse): SolapiError {
	return parseBody(errorAnswer, result) ?? {};
}

/** A 429 with SOLAPI's own code and words; other transient answers as they are. */
export function throttled(
	transient: BatchVerdict,
	status: number,
	error: SolapiError,
): BatchVerdict {
	if (status !== 429 || transient.kind !== 'retry') return transient;
	return {
		...transient,
		code: error.errorCode ?? 'TooManyRequests',
		message: shortText(error.errorMessage, transient.message),
	};
}

/** Auth failures a fresh date and salt can fix: worth a resend, unlike a wrong key or secret. */
const FIXED_BY_RESIGNING = new Set(['RequestTimeTooSkewed', 'DuplicatedSignature']);

/**
 * A 401/403 (delete and list answers alike): a date or signature a fresh one fixes is resent once
 * (a clock that stays off stops the run with a hint); any other refusal stops the run.
 */
export function refusal(
	status: number,
	code: string,
	error: { errorMessage?: string },
): BatchVerdict | undefined {
	if (status !== 401 && status !== 403) return undefined;
	if (FIXED_BY_RESIGNING.has(code)) {
		const why =
			code === 'RequestTimeTooSkewed'
				? "SOLAPI says the request's date is more than 15 minutes off its clock: if this persists, check the n8n server's clock"
				: 'SOLAPI saw this signature before; the request is signed again with a new salt';
		// A fresh date and salt fix a one-off; a clock that is really off will not get better,
		// so one retry, then the run stops with the hint instead of failing batch after batch.
		return {
			kind: 'retry',
			code,
			message: shortText(error.errorMessage, why),
			maxRetries: 1,
			...(code === 'RequestTimeTooSkewed'
				? { onExhausted: { reason: 'auth' as const, code, message: why } }
				: {}),
		};
	}
	// InvalidAPIKey, SignatureDoesNotMatch and the like: no later request can do better.
	return {
		kind: 'stopRun',
		reason: 'auth',
		code,
		message: shortText(
			error.errorMessage,
			`SOLAPI refused the API key or signature (HTTP ${status})`,
		),
	};
}
