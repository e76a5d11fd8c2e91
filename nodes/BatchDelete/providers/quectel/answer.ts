import { z } from 'zod';

import { shortText } from '../common';

/** What every Quectel answer carries, delete and list alike: HTTP 200 with a body `code`. */

/** `code` values that mean the call worked: 200 in real traffic, 0 in the documentation's example. */
export const SUCCESS_CODES = new Set([200, 0]);
export const TOKEN_FAILED = 5032;
export const TOKEN_MISSING = 5106;
export const NO_PERMISSION = 5041;

/** The envelope every Quectel answer has (delete and list alike). */
export const answerSchema = z
	.object({
		code: z.union([z.number(), z.string().regex(/^-?\d+$/)]),
		msg: z.string().nullish(),
		extMsg: z.string().nullish(),
		data: z.unknown().optional(),
	})
	.passthrough();

export type Answer = z.infer<typeof answerSchema>;

/** The answer's own words (`msg: extMsg`), or the fallback. */
export function said(answer: Answer, fallback: string): string {
	const text = [answer.msg, answer.extMsg]
		.filter((t) => typeof t === 'string' && t.trim() !== '')
		.join(': ');
	return shortText(text, fallback);
}

/** A refused token (5032, 5106): n8n fetches a new one once. */
export function tokenRefused(
	code: number,
	answer: Answer,
	fallback: string,
): { kind: 'reauth'; code: string; message: string } {
	return {
		kind: 'reauth',
		code: String(code),
		message: `Quectel refused the access token (${code}: ${said(answer, fallback)})`,
	};
}
