import { z } from 'zod';

import type { HttpResponse } from '../common';
import { parseBody } from '../common';

/** The provider's error body (delete and list answers alike). */
const errorAnswer = z
	.object({
		error: z
			.object({ code: z.string().optional(), message: z.string().optional() })
			.passthrough()
			.optional(),
		reason: z.string().optional(),
		code: z.string().optional(),
		message: z.string().optional(),
	})
	.passthrough();

/** An error body's fields, with `code` the one to report: `error.code`, else the body's `code`,
 * else `HTTP_<status>`. */
type AvayaError = z.infer<typeof errorAnswer> & { code: string };

export function errorOf(result: HttpResponse): AvayaError {
	const error = parseBody(errorAnswer, result) ?? {};
	return { ...error, code: error.error?.code ?? error.code ?? `HTTP_${result.statusCode}` };
}
