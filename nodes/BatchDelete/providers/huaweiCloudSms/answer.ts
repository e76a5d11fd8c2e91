import { z } from 'zod';

import type { BatchVerdict } from '../../engine/types';
import type { HttpResponse } from '../common';
import { parseBody, shortText } from '../common';

/** `{error_code, error_msg, error_detail}` from MSGSMS and API Gateway; IAM's `{error:{code,message}}` too. */
const errorAnswer = z
	.object({
		error_code: z.string().optional(),
		error_msg: z.string().optional(),
		error_detail: z.string().optional(),
		error: z
			.object({ code: z.string().optional(), message: z.string().optional() })
			.passthrough()
			.optional(),
	})
	.passthrough();

/** What an error body says, delete and list answers alike. */
interface HuaweiError {
	/** MSGSMS's or the gateway's `error_code`. */
	gatewayCode?: string;
	/** That, else IAM's `error.code`. */
	code?: string;
	/** `error_msg: error_detail` (or IAM's message), '' when none. */
	text: string;
}

export function errorOf(result: HttpResponse): HuaweiError {
	const error = parseBody(errorAnswer, result) ?? {};
	return {
		gatewayCode: error.error_code,
		code: error.error_code ?? error.error?.code,
		text: [error.error_msg ?? error.error?.message, error.error_detail]
			.filter((t): t is string => typeof t === 'string' && t !== '')
			.join(': '),
	};
}

/** A retry with the gateway's own code and words (429 APIG.0308: its throttle). */
export function withGatewayCode(transient: BatchVerdict, error: HuaweiError): BatchVerdict {
	if (transient.kind !== 'retry' || error.gatewayCode === undefined) return transient;
	return {
		...transient,
		code: error.gatewayCode,
		message: shortText(error.text, transient.message),
	};
}
