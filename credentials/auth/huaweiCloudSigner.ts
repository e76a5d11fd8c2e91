import { createHash, createHmac } from 'crypto';

/**
 * Huawei Cloud AK/SK request signing (`SDK-HMAC-SHA256`), following the official SDK's
 * AKSKSigner (`@huaweicloud/huaweicloud-sdk-core`, core/auth/AKSKSigner.ts):
 *
 *   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
 *                      SignedHeaders \n hex(SHA-256(body))
 *   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(SHA-256(CanonicalRequest))
 *   Authorization    = SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<list>, Signature=<hex HMAC-SHA256(SK, StringToSign)>
 *
 * Every header of the request is signed, plus `host` and `X-Sdk-Date` (the SDK's choice; the
 * gateway checks exactly the ones listed in SignedHeaders). Pure apart from the hashing.
 */

const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/** SHA-256 of nothing: what the SDK hashes when there is no body. */
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function sha256Hex(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

/** `YYYYMMDDTHHmmssZ` in UTC. */
function sdkDate(date: Date): string {
	return date
		.toISOString()
		.replace(/\.\d{3}Z$/, 'Z')
		.replace(/[-:]/g, '');
}

/** Each path segment through encodeURIComponent, then a trailing `/` (the SDK always adds one). */
function canonicalUri(pathname: string): string {
	const path = pathname
		.split('/')
		.map((segment) => encodeURIComponent(segment))
		.join('/');
	return path.endsWith('/') ? path : `${path}/`;
}

/** RFC 3986 percent-encoding: only A–Z a–z 0–9 - _ . ~ stay as they are (the SDK's table). */
function urlEncode(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/** Keys sorted; a key given several times contributes each value, values sorted. */
function canonicalQuery(params: Array<[string, string]>): string {
	const byKey = new Map<string, string[]>();
	for (const [key, value] of params) byKey.set(key, [...(byKey.get(key) ?? []), value]);
	const parts: string[] = [];
	for (const key of [...byKey.keys()].sort()) {
		const values = byKey.get(key)!;
		if (values.length > 1) values.sort();
		for (const value of values) parts.push(`${urlEncode(key)}=${urlEncode(value)}`);
	}
	return parts.join('&');
}

interface SignableRequest {
	method: string;
	/** Absolute URL, query included. */
	url: string;
	/** Headers that will be sent, as strings (host and X-Sdk-Date are added here). */
	headers: Record<string, string>;
	/** The exact bytes that will be sent, or undefined for no body. */
	body?: string | Buffer;
}

interface SignedRequest {
	/** The request's headers plus `host`, `X-Sdk-Date` and `Authorization`. */
	headers: Record<string, string>;
	canonicalRequest: string;
	stringToSign: string;
	signedHeaders: string;
	signature: string;
}

export function signRequest(
	request: SignableRequest,
	accessKey: string,
	secretKey: string,
	date: Date,
): SignedRequest {
	const url = new URL(request.url);
	const stamp = sdkDate(date);
	const all: Record<string, string> = {};
	for (const [name, value] of Object.entries(request.headers)) {
		// Header names are case-insensitive: ours replace any the caller set in another case.
		if (!['host', 'x-sdk-date', 'authorization'].includes(name.toLowerCase())) all[name] = value;
	}
	all.host = url.host;
	all['X-Sdk-Date'] = stamp;

	// As the SDK: a multipart Content-Type carries a boundary the client library may rewrite.
	const signed = Object.keys(all)
		.filter(
			(name) =>
				!(name.toLowerCase() === 'content-type' && all[name].includes('multipart/form-data')),
		)
		.sort((a, b) => compare(a.toLowerCase(), b.toLowerCase()));
	const signedHeaders = signed.map((name) => name.toLowerCase()).join(';');
	const canonicalHeaders = signed.map((name) => `${name.toLowerCase()}:${all[name]}\n`).join('');
	const query = canonicalQuery([...url.searchParams.entries()]);
	const payloadHash =
		request.body === undefined || request.body.length === 0
			? EMPTY_BODY_SHA256
			: sha256Hex(request.body);

	const canonicalRequest = [
		request.method.toUpperCase(),
		canonicalUri(url.pathname),
		query,
		canonicalHeaders,
		signedHeaders,
		payloadHash,
	].join('\n');
	const stringToSign = [SIGNING_ALGORITHM, stamp, sha256Hex(canonicalRequest)].join('\n');
	const signature = createHmac('sha256', secretKey).update(stringToSign).digest('hex');
	return {
		headers: {
			...all,
			Authorization: `${SIGNING_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
		},
		canonicalRequest,
		stringToSign,
		signedHeaders,
		signature,
	};
}

function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The parts of n8n's request options that signing reads (IHttpRequestOptions, structurally). */
interface OutgoingRequest {
	method?: string;
	url: string;
	baseURL?: string;
	qs?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	body?: unknown;
}

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const NO_BODY_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Sign n8n request options and return them ready to send: the query (from the URL and `qs`) is
 * written into the URL and the body is serialized here, so the bytes hashed are the bytes sent
 * (axios would otherwise serialize the query and the JSON body itself, after signing).
 */
export function signOutgoingRequest<T extends OutgoingRequest>(
	options: T,
	accessKey: string,
	secretKey: string,
	extraHeaders: Record<string, string>,
	date: Date,
): T & { headers: Record<string, string> } {
	const method = (options.method ?? 'GET').toUpperCase();
	const url = new URL(joinUrl(options.baseURL, options.url));
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value === undefined || value === null) continue;
		for (const item of Array.isArray(value) ? value : [value])
			url.searchParams.append(key, String(item));
	}
	const query = canonicalQuery([...url.searchParams.entries()]);
	const target = `${url.origin}${url.pathname}${query === '' ? '' : `?${query}`}`;

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(options.headers ?? {})) {
		if (value !== undefined && value !== null) headers[name] = String(value);
	}
	for (const [name, value] of Object.entries(extraHeaders)) headers[name] = value;

	const body = NO_BODY_METHODS.includes(method) ? undefined : serializeBody(options.body, headers);
	const signed = signRequest({ method, url: target, headers, body }, accessKey, secretKey, date);
	const out: T & { headers: Record<string, string> } = {
		...options,
		method: options.method ?? 'GET',
		url: target,
		headers: signed.headers,
	};
	delete out.baseURL;
	delete out.qs;
	if (body === undefined) delete out.body;
	else out.body = body;
	return out;
}

/** axios's rule: a relative URL is appended to the base URL with exactly one `/` between. */
function joinUrl(baseURL: string | undefined, url: string): string {
	if (baseURL === undefined || baseURL === '' || ABSOLUTE_URL.test(url)) return url;
	return url === '' ? baseURL : `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** What n8n would send: nothing for an empty body, JSON for an object, a string or bytes as given. */
function serializeBody(
	body: unknown,
	headers: Record<string, string>,
): string | Buffer | undefined {
	if (body === undefined || body === null || body === '') return undefined;
	if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
	if (body instanceof URLSearchParams) return body.toString();
	if (typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype) {
		if (Object.keys(body).length === 0) return undefined;
	} else if (!Array.isArray(body)) {
		throw new Error(
			'Cannot sign this kind of request body (streams and form data are not supported)',
		);
	}
	if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
		headers['Content-Type'] = 'application/json';
	return JSON.stringify(body);
}
