import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';

/**
 * Where a request may go and how much of its answer is read: the one set of rules every request
 * of this package follows, delete, list, token and credential test alike (docs/security.md).
 * The node's transport and the credentials' token requests both use it; it imports nothing from
 * the node, as credentials never do.
 */

/** The most of an answer that is read: the largest batch answer is a few kilobytes. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** A token request's wall-clock limit: the credential does not know the node's Timeout. */
const TOKEN_TIMEOUT_MS = 30_000;

/** What a refusal is, for whoever turns it into an output. */
type GuardCode = 'REDIRECT' | 'HOST_NOT_ALLOWED' | 'RESPONSE_TOO_LARGE' | 'TIMEOUT';

/** An error a guarded request throws; `code` says which rule refused it. */
class GuardError extends Error {
	constructor(
		readonly code: GuardCode,
		message: string,
	) {
		super(message);
		this.name = 'GuardError';
	}
}

/** `scheme://host[:port]` of an http(s) URL, parsed as WHATWG URL does (as axios will), or
 * undefined. Userinfo, path, query and fragment are never part of it. */
export function originOf(url: string, base?: string): string | undefined {
	try {
		const parsed = new URL(url, base);
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
		if (parsed.hostname === '') return undefined;
		return `${parsed.protocol}//${parsed.host}`;
	} catch {
		return undefined;
	}
}

/**
 * n8n's own matching for "Allowed Domains" (n8n-workflow `isDomainAllowed`, which its HTTP Request
 * node uses): a comma-separated list, case-insensitive, a trailing dot ignored; `*.example.com`
 * matches every subdomain but not example.com itself; an empty list allows everything. Repeated
 * here because older n8n versions do not export it; a unit test holds the two to the same answers.
 */
export function isDomainAllowed(url: string, allowedDomains: string): boolean {
	if (allowedDomains.trim() === '') return true;
	let hostname: string;
	try {
		hostname = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
	} catch {
		return false;
	}
	if (hostname === '') return false;
	const list = allowedDomains
		.split(',')
		.map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
		.filter(Boolean);
	for (const allowed of list) {
		if (allowed.startsWith('*.')) {
			const suffix = allowed.substring(2);
			if (suffix !== '' && hostname.endsWith(`.${suffix}`)) return true;
		} else if (hostname === allowed) {
			return true;
		}
	}
	return false;
}

/**
 * Why a request to `url` may not be sent with these credentials, or undefined when it may: it
 * must be an http(s) URL, and n8n's "Allowed HTTP Request Domains" field (added to every
 * credential type: `allowedHttpRequestDomains` = all | domains | none, `allowedDomains`) must
 * allow its host, read as n8n's HTTP Request node reads it (`getAllowedDomains`).
 */
export function hostRefusal(url: string, credentials: IDataObject | undefined): string | undefined {
	const origin = originOf(url);
	if (origin === undefined) return 'The request URL is not an http(s) URL, so it was not sent';
	const mode = credentials?.allowedHttpRequestDomains;
	if (mode === 'none')
		return `The credential's "Allowed HTTP Request Domains" is None, so no request was sent (${origin})`;
	if (mode === 'domains') {
		const domains = String(credentials?.allowedDomains ?? '');
		if (domains.trim() === '')
			return `The credential's "Allowed HTTP Request Domains" is Specific Domains with none listed, so no request was sent (${origin})`;
		if (!isDomainAllowed(url, domains))
			return `${origin} is not in the credential's Allowed Domains (${domains.trim()}), so no request was sent`;
	}
	return undefined;
}

/** A header's value from a headers object in any case (first value of a list). */
export function headerOf(headers: Record<string, unknown> | undefined, name: string): string {
	const wanted = name.toLowerCase();
	const value = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' ? first : '';
}

/** What a 3xx answer says, naming only the scheme and host it points to (never path or query,
 * which may carry anything). Redirects are never followed. */
export function redirectMessage(status: number, location: string, requestUrl: string): string {
	const target = location === '' ? undefined : originOf(location, requestUrl);
	const where = target === undefined ? 'without a usable Location' : `to ${target}`;
	return `The server answered HTTP ${status}, a redirect ${where}. This node never follows redirects, so nothing was applied: if that is the provider's own address, put it (e.g. https:// instead of http://) in the credential`;
}

/** Whether a status is a redirect (304 Not Modified is not one). */
export function isRedirect(status: number): boolean {
	return status >= 300 && status < 400 && status !== 304;
}

interface Readable {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(error?: Error): unknown;
}

const isStream = (body: unknown): body is Readable =>
	body !== null &&
	typeof body === 'object' &&
	typeof (body as Readable).on === 'function' &&
	typeof (body as Readable).destroy === 'function';

/**
 * An answer body as text, reading at most `maxBytes` (then GuardError RESPONSE_TOO_LARGE) and
 * stopping when `signal` aborts (then GuardError TIMEOUT). A body that is not a stream is taken
 * as it is.
 */
export async function readBody(
	body: unknown,
	signal: AbortSignal | undefined,
	maxBytes = MAX_ANSWER_BYTES,
): Promise<string> {
	if (!isStream(body)) {
		if (body === undefined || body === null) return '';
		if (typeof body === 'string') return body;
		if (Buffer.isBuffer(body)) return body.toString('utf8');
		return JSON.stringify(body);
	}
	return await new Promise<string>((resolve, reject) => {
		const parts: Buffer[] = [];
		let size = 0;
		let done = false;
		const finish = (error?: Error) => {
			if (done) return;
			done = true;
			signal?.removeEventListener('abort', onAbort);
			if (error !== undefined) {
				body.destroy();
				reject(error);
			} else {
				resolve(Buffer.concat(parts).toString('utf8'));
			}
		};
		const onAbort = () =>
			finish(new GuardError('TIMEOUT', 'The answer was still arriving when the timeout ran out'));
		if (signal?.aborted === true) return onAbort();
		signal?.addEventListener('abort', onAbort, { once: true });
		body.on('data', (chunk: unknown) => {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			size += buffer.length;
			if (size > maxBytes) {
				finish(
					new GuardError(
						'RESPONSE_TOO_LARGE',
						`The answer was larger than ${Math.round(maxBytes / 1024 / 1024)} MB, more than any answer this node expects, so it was not read`,
					),
				);
				return;
			}
			parts.push(buffer);
		});
		body.on('end', () => finish());
		body.on('error', (error: unknown) =>
			finish(error instanceof Error ? error : new Error(String(error))),
		);
		body.on('close', () => finish(new Error('The connection closed before the answer ended')));
	});
}

/** The request options every guarded request is sent with: no redirect followed, the answer as a
 * stream (read capped by `readBody`), the status whatever it is. */
export function guardedOptions(
	options: IHttpRequestOptions,
	signal: AbortSignal | undefined,
): IHttpRequestOptions {
	return {
		...options,
		disableFollowRedirect: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		encoding: 'stream',
		json: false,
		...(signal === undefined ? {} : { abortSignal: signal }),
	};
}

interface HttpHelper {
	helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> };
}

/** An error carrying an HTTP status the way n8n's NodeApiError reads it (`httpCode`), so a token
 * request refused with a status is reported as `HTTP_<status>`. */
export function httpError(message: string, status: number): Error {
	return Object.assign(new Error(message), { httpCode: String(status) });
}

/** A token request's answer: status, headers, the body as text and, if it is JSON, parsed. */
interface TokenAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	text: string;
	body: unknown;
}

/**
 * A credential's token request (preAuthentication), under the same rules as the node's requests:
 * refused before sending when the credential's Allowed HTTP Request Domains forbid its host; a
 * redirect is never followed and refused; at most TOKEN_TIMEOUT_MS and MAX_ANSWER_BYTES. Throws
 * a GuardError naming the rule; any status comes back for the caller to read.
 */
export async function tokenRequest(
	helper: HttpHelper,
	credentials: IDataObject,
	options: IHttpRequestOptions & { url: string },
): Promise<TokenAnswer> {
	const refusal = hostRefusal(options.url, credentials);
	if (refusal !== undefined) throw new GuardError('HOST_NOT_ALLOWED', refusal);
	const signal = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
	type Full = { statusCode: number; headers?: Record<string, unknown>; body?: unknown };
	let response: Full | undefined;
	let failure: unknown;
	try {
		response = (await helper.helpers.httpRequest(guardedOptions(options, signal))) as Full;
	} catch (error) {
		failure = error;
	}
	if (response === undefined) {
		if (signal.aborted)
			throw new GuardError('TIMEOUT', 'The token request got no whole answer before its timeout');
		throw failure as Error;
	}
	const headers = response.headers ?? {};
	if (isRedirect(response.statusCode)) {
		(response.body as Readable | undefined)?.destroy?.();
		throw new GuardError(
			'REDIRECT',
			redirectMessage(response.statusCode, headerOf(headers, 'location'), options.url),
		);
	}
	const text = await readBody(response.body, signal);
	let body: unknown;
	try {
		body = text === '' ? undefined : JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { statusCode: response.statusCode, headers, text, body };
}

/** What a credential test says when its request is answered with a redirect, which it never
 * follows (`disableFollowRedirect` in its request): n8n's test shows only fixed texts. */
const REDIRECT_TEST_RULES = [301, 302, 303, 307, 308].map((value) => ({
	type: 'responseCode' as const,
	properties: {
		value,
		message: `The server answered HTTP ${value}, a redirect, which is never followed: put the address it redirects to (e.g. https:// instead of http://) in the credential, if it is the provider's own`,
	},
}));

/**
 * A credential test's rules: the redirect rules, then one message per refusing status, then the
 * rules on an answered body. n8n's type takes one kind of rule per list, but its credential tester
 * reads both kinds from one (status rules when the request fails, body rules when it is answered).
 */
export function testRules(
	refusals: Record<number, string> = {},
	bodyRules: IAuthenticateRuleResponseSuccessBody[] = [],
): ICredentialTestRequest['rules'] {
	const rules = [
		...REDIRECT_TEST_RULES,
		...Object.entries(refusals).map(([value, message]) => ({
			type: 'responseCode' as const,
			properties: { value: Number(value), message },
		})),
		...bodyRules,
	];
	return rules as IAuthenticateRuleResponseCode[];
}
