import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
} from 'n8n-workflow';

import {
	guardedOptions,
	headerOf,
	hostRefusal,
	isRedirect,
	readBody,
	redirectMessage,
} from '../../../credentials/auth/guard';
import type { Sender } from './run';
import { addSecrets, redact } from './secrets';
import type { HttpResult } from './types';

/** Network failures where the request cannot have reached the provider. */
const NEVER_SENT = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_INVALID_URL',
]);

/**
 * Certificate checks fail during the TLS handshake, before a byte of the request is sent; other
 * TLS and parser errors (`HPE_*`) can come after it went out.
 */
const CERTIFICATE_ERROR =
	/^(CERT_[A-Z_]+|[A-Z_]*SELF_SIGNED_CERT[A-Z_]*|UNABLE_TO_[A-Z_]+|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)$/;

interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/** Codes of credentials/auth/guard.ts, which a token request throws from inside n8n. */
const GUARD_CODES = new Set(['REDIRECT', 'HOST_NOT_ALLOWED', 'RESPONSE_TOO_LARGE', 'TIMEOUT']);

/**
 * The one place that talks HTTP. Every request goes through n8n's
 * `httpRequestWithAuthentication`, so the credential's own `authenticate` and `preAuthentication`
 * run, and the answer comes back as data whatever its status: providers, not exceptions, decide
 * what a status means. Nothing from the request (headers, query, credential) is ever echoed.
 *
 * Every request also follows credentials/auth/guard.ts (docs/security.md): refused before sending
 * unless the credential's Allowed HTTP Request Domains allow its host; a redirect is never
 * followed; Timeout bounds the whole exchange (token request, headers and body) by the wall
 * clock; at most MAX_ANSWER_BYTES of an answer is read.
 */
export function createTransport(
	ctx: IExecuteFunctions,
	credentialType: string,
	/** `secrets` is updated in place with every token n8n fetches during the run. */
	options: TransportOptions,
): Sender {
	const transport = new Transport(ctx, credentialType, options);
	return {
		send: async (request, refreshToken) => await transport.send(request, refreshToken),
		canRefresh: options.tokenProperty !== undefined || options.oAuth2 === true,
	};
}

interface TransportOptions {
	timeoutMs: number;
	tokenProperty?: string;
	oAuth2?: boolean;
	secrets: string[];
}

/** One run's transport: what it reads once per run (the credential, its allowed hosts) and sends with. */
class Transport {
	// The stored token can change only on the first request (n8n fetches it) and on a refresh we ask
	// for (n8n's own 401 resend never fires: status errors are ignored), so only then is it re-read.
	private tokenRead = false;
	// The credential, read and decrypted once per run and handed to n8n with every request
	// (`credentialsDecrypted`): n8n would otherwise read and decrypt it from its database for each
	// one. n8n still runs the credential's preAuthentication and authenticate on it, and
	// preAuthentication writes a token it fetches into this very object (Object.assign) as well as
	// into the database, so the copy stays current; a forced refresh replaces it with the object n8n
	// refreshed. OAuth2 credentials are left alone: n8n's OAuth2 path ignores credentialsDecrypted.
	private held: Promise<ICredentialDataDecryptedObject> | undefined;
	// The Allowed HTTP Request Domains fields, read once per run (OAuth2 credentials too).
	private policy: Promise<IDataObject | undefined> | undefined;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly credentialType: string,
		private readonly options: TransportOptions,
	) {}

	async send(request: IHttpRequestOptions, refreshToken: boolean): Promise<HttpResult> {
		const { ctx, credentialType, options } = this;
		const url = requestUrl(request);
		const refusal = hostRefusal(url, await this.allowed());
		if (refusal !== undefined)
			return {
				kind: 'refused',
				code: 'HOST_NOT_ALLOWED',
				message: refusal,
				status: 'notAttempted',
				stopRun: true,
			};
		const deadline = AbortSignal.timeout(options.timeoutMs);
		const cancel = ctx.getExecutionCancelSignal?.();
		const signal = cancel === undefined ? deadline : AbortSignal.any([deadline, cancel]);
		const full = pinSignal(
			{
				...guardedOptions(request, undefined),
				headers: { ...(request.headers ?? {}) },
				qs: request.qs === undefined ? undefined : { ...request.qs },
				timeout: options.timeoutMs,
			},
			signal,
		);
		const exchange = async (): Promise<HttpResult> => {
			if (refreshToken && options.oAuth2 === true)
				return await refreshOAuth2(ctx, credentialType, full, options.secrets, (r) =>
					answerOf(r, url, signal),
				);
			return await this.call(full, refreshToken);
		};
		const result = await withDeadline(exchange(), deadline);
		if (result !== undefined) return result;
		return cancel?.aborted === true ? cancelled() : timedOut();
	}

	private async call(full: IHttpRequestOptions, refreshToken: boolean): Promise<HttpResult> {
		const { ctx, credentialType, options } = this;
		const url = requestUrl(full);
		const signal = full.abortSignal as AbortSignal;
		let response: FullResponse | undefined;
		let failure: unknown;
		let failed = false;
		try {
			const stale = refreshToken
				? await staleCredentials(ctx, credentialType, options.tokenProperty)
				: undefined;
			response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				credentialType,
				full,
				stale ?? (await this.decrypted()),
			)) as FullResponse;
			// n8n filled the emptied token in: from now on the refreshed copy is the one every request uses.
			if (stale !== undefined && stale.credentialsDecrypted.data[options.tokenProperty!] !== '')
				this.held = Promise.resolve(stale.credentialsDecrypted.data);
		} catch (error) {
			failed = true;
			failure = error;
		}
		await this.noteToken(refreshToken);
		if (failed) {
			if (signal.aborted && !(cancelSignalOf(ctx)?.aborted === true)) return timedOut();
			return classifyError(failure, options.secrets);
		}
		return await answerOf(response!, url, signal);
	}

	/** A token n8n fetched for this request is a secret from now on, even once a refresh replaces it. */
	private async noteToken(refreshToken: boolean): Promise<void> {
		if (this.options.tokenProperty === undefined || (this.tokenRead && !refreshToken)) return;
		this.tokenRead = true;
		const current =
			this.held === undefined
				? await this.ctx.getCredentials(this.credentialType).catch(() => undefined)
				: await this.held.catch(() => undefined);
		addSecrets(this.options.secrets, current as IDataObject | undefined);
	}

	private async decrypted(): Promise<IAdditionalCredentialOptions | undefined> {
		if (this.options.oAuth2 === true) return undefined;
		this.held ??= this.ctx.getCredentials<ICredentialDataDecryptedObject>(this.credentialType);
		// A read that failed is tried again by the next request, as n8n itself would.
		const data = await this.held.catch((error: unknown) => {
			this.held = undefined;
			throw error;
		});
		const type = this.credentialType;
		return { credentialsDecrypted: { id: '', name: type, type, data } };
	}

	private async allowed(): Promise<IDataObject | undefined> {
		this.policy ??= (
			this.options.oAuth2 === true
				? this.ctx.getCredentials(this.credentialType)
				: this.decrypted().then((d) => d?.credentialsDecrypted?.data)
		).then(
			(data) => data as IDataObject | undefined,
			() => {
				this.policy = undefined;
				return undefined;
			},
		);
		return await this.policy;
	}
}

const cancelSignalOf = (ctx: IExecuteFunctions) => ctx.getExecutionCancelSignal?.();

const timedOut = (): HttpResult => ({
	kind: 'network',
	code: 'TIMEOUT',
	message: 'No whole answer before the timeout',
	maybeApplied: true,
});

const cancelled = (): HttpResult => ({
	kind: 'network',
	code: 'CANCELLED',
	message:
		'The execution was cancelled while this request was in flight, so whether it was applied is unknown',
	maybeApplied: true,
});

/** The absolute URL a request goes to, its base URL joined as axios joins it (the query never changes the host). */
function requestUrl(request: IHttpRequestOptions): string {
	const base = request.baseURL;
	const url =
		base === undefined || base === '' || /^[a-z][a-z\d+\-.]*:\/\//i.test(request.url)
			? request.url
			: `${base.replace(/\/+$/, '')}/${request.url.replace(/^\/+/, '')}`;
	return url;
}

/**
 * Our signal, whatever n8n assigns: n8n-core's `httpRequestWithAuthentication` sets the request's
 * `abortSignal` to the execution's cancel signal, which would drop the wall-clock limit. Ours
 * already combines both, so n8n's assignment is absorbed.
 */
function pinSignal(options: IHttpRequestOptions, signal: AbortSignal): IHttpRequestOptions {
	Object.defineProperty(options, 'abortSignal', {
		get: () => signal,
		set: () => undefined,
		enumerable: true,
		configurable: true,
	});
	return options;
}

/** The exchange's result, or undefined when the deadline passed first (the request, aborted by the
 * same signal, ends on its own; its late result is dropped). */
async function withDeadline(
	exchange: Promise<HttpResult>,
	deadline: AbortSignal,
): Promise<HttpResult | undefined> {
	if (deadline.aborted) return undefined;
	let onAbort: (() => void) | undefined;
	const expired = new Promise<undefined>((resolve) => {
		onAbort = () => resolve(undefined);
		deadline.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([exchange, expired]);
	} finally {
		deadline.removeEventListener('abort', onAbort!);
		exchange.catch(() => undefined);
	}
}

/** An answer under the rules: a redirect is refused, the body is read capped and in time. */
async function answerOf(
	response: FullResponse,
	url: string,
	signal: AbortSignal,
): Promise<HttpResult> {
	if (isRedirect(response.statusCode)) {
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		return {
			kind: 'refused',
			code: 'REDIRECT',
			message: redirectMessage(response.statusCode, headerOf(response.headers, 'location'), url),
			status: 'error',
			stopRun: true,
		};
	}
	let text: string;
	try {
		text = await readBody(response.body, signal);
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (code === 'RESPONSE_TOO_LARGE')
			return {
				kind: 'refused',
				code: 'RESPONSE_TOO_LARGE',
				message: `${(error as Error).message}: whether these IDs were deleted is unknown`,
				status: 'unknown',
				stopRun: false,
			};
		if (code === 'TIMEOUT') return timedOut();
		return {
			kind: 'network',
			code: 'ECONNRESET',
			message: 'The connection broke while the answer was arriving',
			maybeApplied: true,
		};
	}
	return readResponse({ ...response, body: text });
}

/**
 * The refresh send for an OAuth2 credential. n8n refreshes an OAuth2 access token only when a
 * request throws a 401 (n8n-core's `requestOAuth2`): it then runs the refresh-token grant, stores
 * the new token with the credential and resends once. So this send lets status errors throw. A 2xx
 * comes back whole; a throw keeps only the status, and whether the stored access token changed
 * tells a failed refresh from an answer the provider gave after a successful one.
 */
async function refreshOAuth2(
	ctx: IExecuteFunctions,
	credentialType: string,
	full: IHttpRequestOptions,
	secrets: string[],
	read: (response: FullResponse) => Promise<HttpResult>,
): Promise<HttpResult> {
	const stored = async () =>
		(await ctx.getCredentials(credentialType).catch(() => undefined)) as IDataObject | undefined;
	const before = accessTokenOf(await stored());
	let response: FullResponse | undefined;
	let failure: unknown;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			credentialType,
			pinSignal({ ...full, ignoreHttpStatusErrors: false }, full.abortSignal as AbortSignal),
		)) as FullResponse;
	} catch (error) {
		failure = error;
	}
	const after = await stored();
	// The refreshed access token (and a rotated refresh token) are secrets from now on.
	addSecrets(secrets, after);
	if (response !== undefined) return await read(response);
	const status = (failure as { httpCode?: unknown }).httpCode;
	const httpStatus =
		typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : undefined;
	if (httpStatus !== undefined && isRedirect(httpStatus))
		return {
			kind: 'refused',
			code: 'REDIRECT',
			message: redirectMessage(httpStatus, '', requestUrl(full)),
			status: 'error',
			stopRun: true,
		};
	if (accessTokenOf(after) === before) {
		// Timeouts and cancellation keep their own meaning; any other failure left the token as it was.
		const classified = classifyError(failure, secrets);
		if (
			classified.kind === 'network' &&
			(classified.code === 'TIMEOUT' || classified.code === 'CANCELLED')
		)
			return classified;
		return {
			kind: 'credential',
			code: 'OAUTH2_REFRESH_FAILED',
			message: `n8n could not refresh the OAuth2 access token (${errorText(failure, secrets)}): reconnect the credential`,
		};
	}
	if (httpStatus === 401) {
		return {
			kind: 'credential',
			code: 'HTTP_401',
			message:
				'The provider refused the refreshed OAuth2 access token too (HTTP 401): reconnect the credential',
		};
	}
	// Refreshed, then the provider answered another status (n8n dropped the body): the provider's
	// reading of that status decides (429 and 5xx retry, now with the fresh token).
	if (httpStatus !== undefined)
		return { kind: 'response', statusCode: httpStatus, headers: {}, body: undefined, rawBody: '' };
	return classifyError(failure, secrets);
}

function accessTokenOf(credentials: IDataObject | undefined): unknown {
	return (credentials?.oauthTokenData as IDataObject | undefined)?.access_token;
}

/**
 * n8n fetches a new token when the expirable field is empty; handing it the credential with that
 * field emptied makes it refresh and store the new token, exactly as its own 401 path would. This
 * is how tokens reported as expired inside HTTP 200 bodies (WeChat, Quectel) are recovered.
 */
async function staleCredentials(
	ctx: IExecuteFunctions,
	credentialType: string,
	tokenProperty: string | undefined,
) {
	if (tokenProperty === undefined) return undefined;
	const data = await ctx.getCredentials<ICredentialDataDecryptedObject>(credentialType);
	return {
		credentialsDecrypted: {
			id: '',
			name: credentialType,
			type: credentialType,
			data: { ...data, [tokenProperty]: '' },
		},
	};
}

function readResponse(response: FullResponse): HttpResult {
	const rawBody =
		typeof response.body === 'string'
			? response.body
			: response.body === undefined
				? ''
				: JSON.stringify(response.body);
	let body: unknown;
	if (typeof response.body === 'string') {
		try {
			body = rawBody === '' ? undefined : JSON.parse(rawBody);
		} catch {
			body = undefined;
		}
	} else {
		body = response.body;
	}
	const headers: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(response.headers ?? {}))
		headers[name.toLowerCase()] = value;
	return { kind: 'response', statusCode: response.statusCode, headers, body, rawBody };
}

/**
 * Turn whatever n8n threw into data, keeping only a code and a message scrubbed of secrets.
 * n8n wraps every failure in a NodeApiError that drops the original error but keeps its code
 * (`ECONNRESET`, `ECONNABORTED`…) or HTTP status in `httpCode`, and the original text in `messages`.
 */
function classifyError(error: unknown, secrets: string[]): HttpResult {
	const e = error as { httpCode?: unknown; code?: unknown; cause?: { code?: unknown } };
	const code = [e.cause?.code, e.code, e.httpCode].find(
		(c): c is string => typeof c === 'string' && c !== '',
	);
	const message = errorText(error, secrets);
	// A guarded token request (credentials/auth/guard.ts) was refused: the request it was for was
	// never sent.
	const guard = e.cause as { code?: unknown; message?: unknown } | undefined;
	if (typeof guard?.code === 'string' && GUARD_CODES.has(guard.code)) {
		const text = redact(String(guard.message ?? ''), secrets);
		if (guard.code === 'TIMEOUT')
			return { kind: 'network', code: 'TIMEOUT', message: text, maybeApplied: false };
		return {
			kind: 'refused',
			code: guard.code,
			message: `The token request was refused: ${text}`,
			status: 'notAttempted',
			stopRun: true,
		};
	}
	if (code !== undefined && CERTIFICATE_ERROR.test(code)) {
		return {
			kind: 'network',
			code,
			message: `The provider's TLS certificate was refused (${code}: ${message}), so nothing was sent`,
			maybeApplied: false,
		};
	}
	if (code !== undefined && /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/.test(code)) {
		if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
			return {
				kind: 'network',
				code: 'TIMEOUT',
				message: 'No answer before the timeout',
				maybeApplied: true,
			};
		}
		if (code === 'ERR_CANCELED') {
			// n8n aborted the request because the execution was cancelled (axios says only "canceled").
			return {
				kind: 'network',
				code: 'CANCELLED',
				message:
					'The execution was cancelled while this request was in flight, so whether it was applied is unknown',
				maybeApplied: true,
			};
		}
		return { kind: 'network', code, message, maybeApplied: !NEVER_SENT.has(code) };
	}
	if (code !== undefined && !/^\d{3}$/.test(code)) {
		// Another error code (an HTTP parser error, a TLS alert): it may have come after the
		// request went out, so it may have been applied.
		return { kind: 'network', code, message, maybeApplied: true };
	}
	// A bare Error or an HTTP status thrown while authenticating: the token exchange or signing was
	// refused (the credentials' own errors carry no code).
	const status = code !== undefined ? `HTTP_${code}` : 'AUTH_FAILED';
	return { kind: 'credential', code: status, message: `Authentication failed: ${message}` };
}

/** The original text of what n8n threw (NodeApiError keeps it in `messages`), secrets masked. */
function errorText(error: unknown, secrets: string[]): string {
	const e = error as { message?: unknown; messages?: unknown };
	const original =
		Array.isArray(e.messages) && typeof e.messages[0] === 'string' ? e.messages[0] : undefined;
	return redact(String(original ?? e.message ?? 'Request failed'), secrets);
}
