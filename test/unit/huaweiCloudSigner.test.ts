import { signOutgoingRequest, signRequest } from '../../credentials/auth/huaweiCloudSigner';

/*
 * The official SDK's AKSKSigner is compared with the node's in test/sdk/huaweiCloud.test.ts.
 * Expected values computed outside this code base, with a one-off Python 3.11 script written from
 * Huawei's documented algorithm (hashlib/hmac/urllib only):
 *
 *   def sign(method, url, headers, body, ak, sk, date):
 *       u = urlsplit(url)
 *       curi = '/'.join(quote(s, safe="-_.!~*'()") for s in u.path.split('/'))   # encodeURIComponent
 *       if not curi.endswith('/'): curi += '/'
 *       q = {}; [q.setdefault(k, []).append(v) for k, v in parse_qsl(u.query, keep_blank_values=True)]
 *       cq = '&'.join(quote(k, safe='-_.~') + '=' + quote(v, safe='-_.~')
 *                     for k in sorted(q) for v in (sorted(q[k]) if len(q[k]) > 1 else q[k]))
 *       h = dict(headers); h['host'] = u.netloc; h['X-Sdk-Date'] = date
 *       names = sorted(h, key=str.lower)
 *       ch = ''.join(n.lower() + ':' + h[n] + '\n' for n in names); sh = ';'.join(n.lower() for n in names)
 *       ph = sha256(body).hexdigest() if body else EMPTY
 *       creq = '\n'.join([method, curi, cq, ch, sh, ph])
 *       sts = '\n'.join(['SDK-HMAC-SHA256', date, sha256(creq).hexdigest()])
 *       return hmac.new(sk, sts, sha256).hexdigest()
 *
 * with AK HPUAEXAMPLEAK0000001, SK exampleSecretKey0123456789abcdefghijklmn, and the body the
 * compact JSON of the API document's request example.
 */

const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'exampleSecretKey0123456789abcdefghijklmn';
const PROJECT = '0123456789abcdef0123456789abcdef';
const BODY =
	'{"ids":["******27-37eb-4229-bee9-0eba4d8a897f","******fe-8c9d-4cd2-9402-cd2fef488782"]}';
const URL_1 = `https://msgsms.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/msgsms/templates/batch-delete`;
const DATE_1 = new Date(Date.UTC(2024, 9, 25, 8, 0, 0, 123));

describe('Huawei Cloud signer pieces', () => {
	/** The canonical request's lines (method, path, query, headers, signed headers, body hash) and
	 * the X-Sdk-Date header, for a request to `url`. */
	const canonical = (url: string, body?: string, date = DATE_1) => {
		const signed = signRequest(
			{ method: 'GET', url, headers: {}, ...(body === undefined ? {} : { body }) },
			AK,
			SK,
			date,
		);
		const lines = signed.canonicalRequest.split('\n');
		return {
			date: signed.headers['X-Sdk-Date'],
			path: lines[1],
			query: lines[2],
			hash: lines.at(-1),
		};
	};
	const HOST = 'https://msgsms.cn-north-4.myhuaweicloud.com';

	it('formats X-Sdk-Date as YYYYMMDDTHHmmssZ in UTC', () => {
		expect(canonical(HOST).date).toBe('20241025T080000Z');
		expect(canonical(HOST, undefined, new Date(Date.UTC(2024, 0, 1, 23, 59, 59))).date).toBe(
			'20240101T235959Z',
		);
	});

	it('encodes each path segment and adds the trailing slash', () => {
		expect(canonical(`${HOST}/v2/p/msgsms/templates/batch-delete`).path).toBe(
			'/v2/p/msgsms/templates/batch-delete/',
		);
		expect(canonical(`${HOST}/`).path).toBe('/');
		expect(canonical(`${HOST}/a:b/c`).path).toBe('/a%3Ab/c/');
	});

	it('sorts and RFC 3986-encodes the query', () => {
		expect(canonical(`${HOST}/?v=a%20b*!'()~._-`).query).toBe('v=a%20b%2A%21%27%28%29~._-');
		expect(canonical(`${HOST}/?name=cn-north-4&tag=b%20c&tag=a*`).query).toBe(
			'name=cn-north-4&tag=a%2A&tag=b%20c',
		);
		expect(canonical(`${HOST}/`).query).toBe('');
	});

	it('hashes the body bytes, or the empty string', () => {
		expect(canonical(HOST, BODY).hash).toBe(
			'f71bea4078cd9e742d7722a83c60bdb69f4f93df57bbccb1b249ad27ca8bab8e',
		);
		// SHA-256 of no bytes.
		expect(canonical(HOST).hash).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
		);
	});
});

describe('Huawei Cloud SDK-HMAC-SHA256 (fixed vectors)', () => {
	it('signs the batch-delete request', () => {
		const signed = signRequest(
			{
				method: 'POST',
				url: URL_1,
				headers: { 'Content-Type': 'application/json;charset=utf8', 'X-Project-Id': PROJECT },
				body: BODY,
			},
			AK,
			SK,
			DATE_1,
		);
		expect(signed.canonicalRequest).toBe(
			`POST\n/v2/${PROJECT}/msgsms/templates/batch-delete/\n\ncontent-type:application/json;charset=utf8\nhost:msgsms.cn-north-4.myhuaweicloud.com\nx-project-id:${PROJECT}\nx-sdk-date:20241025T080000Z\n\ncontent-type;host;x-project-id;x-sdk-date\nf71bea4078cd9e742d7722a83c60bdb69f4f93df57bbccb1b249ad27ca8bab8e`,
		);
		expect(signed.stringToSign).toBe(
			'SDK-HMAC-SHA256\n20241025T080000Z\ne20e36b084a94c4ef0133ce96d2c944a273ef8f709d2329daceb63da24888fd2',
		);
		expect(signed.signature).toBe(
			'2f48b47e2850b49990db880c3bff67bc2a0673360ced2f7778b9b643325a50aa',
		);
		expect(signed.headers).toEqual({
			'Content-Type': 'application/json;charset=utf8',
			'X-Project-Id': PROJECT,
			host: 'msgsms.cn-north-4.myhuaweicloud.com',
			'X-Sdk-Date': '20241025T080000Z',
			Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=2f48b47e2850b49990db880c3bff67bc2a0673360ced2f7778b9b643325a50aa`,
		});
	});

	it('signs a GET with a sorted, repeated query, a port and no body', () => {
		const signed = signRequest(
			{
				method: 'GET',
				url: 'http://127.0.0.1:8443/v3/auth/projects?name=cn-north-4&tag=b%20c&tag=a*',
				headers: {},
			},
			AK,
			SK,
			new Date(Date.UTC(2024, 0, 1, 23, 59, 59)),
		);
		expect(signed.canonicalRequest).toBe(
			'GET\n/v3/auth/projects/\nname=cn-north-4&tag=a%2A&tag=b%20c\nhost:127.0.0.1:8443\nx-sdk-date:20240101T235959Z\n\nhost;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
		);
		expect(signed.stringToSign).toBe(
			'SDK-HMAC-SHA256\n20240101T235959Z\nd53e7079a67961e1f6f67930742b8eead885a4077dc4fe1327f9a331178f1f7b',
		);
		expect(signed.signature).toBe(
			'e5fbd495ba399f6aa7f2ff907fd3ee5b7b635c60aafdccef2ccfe2e638a0718d',
		);
	});

	it('replaces host, date and authorization headers the caller set in another case', () => {
		const signed = signRequest(
			{
				method: 'GET',
				url: 'https://a.example/x',
				headers: { HOST: 'evil', 'x-sdk-date': 'old', authorization: 'old' },
			},
			AK,
			SK,
			DATE_1,
		);
		expect(signed.signedHeaders).toBe('host;x-sdk-date');
		expect(signed.headers.host).toBe('a.example');
		expect(Object.keys(signed.headers).sort()).toEqual(['Authorization', 'X-Sdk-Date', 'host']);
	});
});

describe('signing n8n request options', () => {
	it('serializes an object body itself, so the hash covers exactly what is sent', () => {
		const out = signOutgoingRequest(
			{
				method: 'POST',
				url: URL_1,
				headers: { 'Content-Type': 'application/json;charset=utf8' },
				body: JSON.parse(BODY),
			},
			AK,
			SK,
			{ 'X-Project-Id': PROJECT },
			DATE_1,
		);
		expect(out.body).toBe(BODY);
		expect(out.url).toBe(URL_1);
		expect(out.headers?.Authorization).toMatch(
			/Signature=2f48b47e2850b49990db880c3bff67bc2a0673360ced2f7778b9b643325a50aa$/,
		);
	});

	it('writes qs into the URL, joins baseURL like axios, and sends no body on GET', () => {
		const out = signOutgoingRequest(
			{
				method: 'GET',
				baseURL: 'http://127.0.0.1:8443/',
				url: '/v3/auth/projects?tag=b%20c',
				qs: { name: 'cn-north-4', tag: ['a*'] },
				body: {},
			},
			AK,
			SK,
			{},
			new Date(Date.UTC(2024, 0, 1, 23, 59, 59)),
		);
		expect(out.url).toBe(
			'http://127.0.0.1:8443/v3/auth/projects?name=cn-north-4&tag=a%2A&tag=b%20c',
		);
		expect(out).not.toHaveProperty('qs');
		expect(out).not.toHaveProperty('baseURL');
		expect(out).not.toHaveProperty('body');
		expect(out.headers?.Authorization).toMatch(
			/Signature=e5fbd495ba399f6aa7f2ff907fd3ee5b7b635c60aafdccef2ccfe2e638a0718d$/,
		);
	});

	it('adds a JSON Content-Type to an object body that has none, and signs it', () => {
		const out = signOutgoingRequest(
			{ method: 'POST', url: 'https://a.example/x', body: { a: 1 } },
			AK,
			SK,
			{},
			DATE_1,
		);
		expect(out.headers?.['Content-Type']).toBe('application/json');
		expect(out.headers?.Authorization).toMatch(/SignedHeaders=content-type;host;x-sdk-date,/);
		expect(out.body).toBe('{"a":1}');
	});

	it('refuses bodies it cannot hash', () => {
		class Stream {}
		expect(() =>
			signOutgoingRequest(
				{ method: 'POST', url: 'https://a.example/x', body: new Stream() },
				AK,
				SK,
				{},
				DATE_1,
			),
		).toThrow(/Cannot sign/);
	});
});
