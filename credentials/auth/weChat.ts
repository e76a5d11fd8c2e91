import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { redactText } from './redact';

/** WeChat Official Account: the API host and the stable access token answer. */

export const WECHAT_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

export function weChatBaseUrl(credentials: IDataObject): string {
	const url = String(credentials.baseUrl ?? '').trim();
	return (url === '' ? WECHAT_DEFAULT_BASE_URL : url).replace(/\/+$/, '');
}

const tokenAnswer = z
	.object({
		access_token: z.string().min(1).optional(),
		errcode: z.number().optional(),
		errmsg: z.string().optional(),
	})
	.passthrough();

const TOKEN_HINTS: Record<number, string> = {
	40013: 'the AppID is not valid',
	40125: 'the AppSecret is wrong: copy it again from the Official Account platform',
	41004: 'the AppSecret is missing',
	40164: "this n8n server's IP address is not in the account's IP whitelist",
	40243: 'the AppSecret was frozen: reset it on the Official Account platform',
	45009: 'the daily limit for token requests is reached',
	45011: 'too many token requests this minute: try again shortly',
	'-1': 'WeChat is busy: try again shortly',
};

/** The token from a `stable_token` answer, or an Error naming the problem (never the secret). */
export function readStableToken(body: unknown, sent: string[] = []): string {
	const parsed = tokenAnswer.safeParse(body);
	if (!parsed.success)
		throw new Error('WeChat answered the token request with a body this node cannot read');
	const answer = parsed.data;
	if ((answer.errcode === undefined || answer.errcode === 0) && answer.access_token !== undefined)
		return answer.access_token;
	const code = answer.errcode ?? 'none';
	const hint =
		(typeof code === 'number' ? TOKEN_HINTS[code] : undefined) ?? 'check the AppID and AppSecret';
	throw new Error(
		`WeChat refused the token request (errcode ${code}${answer.errmsg ? `, ${redactText(answer.errmsg, sent).slice(0, 200)}` : ''}): ${hint}`,
	);
}
