import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { CredentialInstance } from '../harness';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS } from '../reliability/providers';
import { buildWorkflow } from './workflow';

/**
 * The credential dialog's "Test" button, in a REAL n8n (`n8n start` on 127.0.0.1, the owner set
 * up, the packed package installed as users install it), through the REST calls the editor makes:
 * `POST /rest/credentials` saves the credential, `POST /rest/credentials/test` runs the type's
 * test request (after its token exchange, where it has one) against the provider mocks.
 *
 * For every credential type: good values → status OK; bad values → status Error with a message
 * that says what is wrong. The OAuth2 credential has no test request: n8n's test for an OAuth2
 * type only asks "has it been connected (does it hold an access token)?". So for it, the test
 * runs n8n's own authorization-code flow (`/rest/oauth2-credential/auth` → the authorization
 * server → `/rest/oauth2-credential/callback` → the token endpoint, all against a local OAuth2
 * mock) and checks that the Test button fails before the connection, fails after a refused token
 * exchange, and passes once a token was obtained.
 *
 * E2E_LINES=1 (or 2) limits the run to one n8n line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const TEST_TIMEOUT = 60 * 1000;

type Server = Awaited<ReturnType<typeof n8nHost.startServer>>;
type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

interface Case {
	/** Credential type. */
	type: string;
	good: IDataObject;
	/** What a user gets wrong, and the message the test must show (a RegExp on n8n's answer). */
	bad: Array<{ what: string; data: IDataObject; message: RegExp }>;
}

const withData = (credential: CredentialInstance, data: IDataObject): IDataObject => ({
	...credential.data,
	...data,
});

/** Good and bad values for the 7 credential types with a test request, from the providers' mocks. */
function cases(envs: Record<string, ProviderEnv>, line: '1' | '2'): Case[] {
	// A refusal by HTTP status: n8n 2.x shows the credential's own `responseCode` rule message; n8n 1.x
	// wraps the error before its rules are read and shows its generic text for 401/403.
	const refused = (status: 401 | 403, rule: RegExp): RegExp =>
		line === '2'
			? rule
			: status === 401
				? /^Authorization failed - please check your credentials$/
				: /^Forbidden - perhaps check your credentials\?$/;
	const [avaya] = envs.avayaSpaces.credentials('default');
	const [solapi] = envs.solapi.credentials('default');
	const [quectelAccount] = envs.quectel.credentials('default');
	const [weChat] = envs.weChatOfficialAccount.credentials('default');
	const [huaweiIam] = envs.huaweiCloudSms.credentials('default');
	// 'static' switches the adapter to the pasted-token / AK-SK kinds (it keeps its default one too).
	const [quectelToken] = envs.quectel.credentials('static');
	const [huaweiAkSk] = envs.huaweiCloudSms.credentials('static');
	const huaweiMock = envs.huaweiCloudSms.mock.baseUrl;
	return [
		{
			type: 'avayaSpacesApi',
			good: withData(avaya, { scheme: 'jwt' }),
			bad: [
				{
					what: 'a revoked token',
					data: withData(avaya, { token: 'revoked-jwt' }),
					message: refused(
						401,
						/Avaya Spaces refused the token \(401\): check that it is current and that Token Type matches it/,
					),
				},
				{
					what: 'the wrong token type',
					data: withData(avaya, { scheme: 'bearer' }),
					message: refused(
						401,
						/Avaya Spaces refused the token \(401\): check that it is current and that Token Type matches it/,
					),
				},
			],
		},
		{
			type: 'solapiApi',
			good: solapi.data,
			bad: [
				{
					what: 'a wrong API secret',
					data: withData(solapi, { apiSecret: 'not-the-secret-0000' }),
					message: refused(403, /SOLAPI refused the API key or secret \(403\)/),
				},
				{
					what: 'an unknown API key',
					data: withData(solapi, { apiKey: 'NCSUNKNOWNKEY0001' }),
					message: refused(403, /SOLAPI refused the API key or secret \(403\)/),
				},
			],
		},
		{
			type: 'quectelAccountApi',
			good: quectelAccount.data,
			bad: [
				{
					what: 'a wrong password',
					data: withData(quectelAccount, { password: 'wrong-password' }),
					message: /Quectel login failed \(code 5583, Incorrect password\)/,
				},
				{
					what: 'a wrong user domain secret',
					data: withData(quectelAccount, { domainSecret: 'wrong-domain-secret' }),
					message: /Quectel login failed .*User Domain Secret/,
				},
			],
		},
		{
			type: 'quectelTokenApi',
			good: quectelToken.data,
			bad: [
				{
					what: 'an expired token',
					data: withData(quectelToken, { accessToken: 'expired-or-unknown-token' }),
					message: /Quectel refused the access token \(5032\)/,
				},
			],
		},
		{
			type: 'weChatOfficialAccountApi',
			good: weChat.data,
			bad: [
				{
					what: 'a wrong AppSecret',
					data: withData(weChat, { appSecret: '00000000000000000000000000000000' }),
					message: /WeChat refused the token request \(errcode 40125.*the AppSecret is wrong/,
				},
			],
		},
		{
			type: 'huaweiCloudIamApi',
			good: huaweiIam.data,
			bad: [
				{
					what: 'a wrong password',
					data: withData(huaweiIam, { password: 'Wrong-Horse-0' }),
					message: /Huawei Cloud IAM refused the token request \(HTTP 401\).*password is wrong/,
				},
			],
		},
		{
			type: 'huaweiCloudAkSkApi',
			good: withData(huaweiAkSk, { testRegion: 'custom', testUrl: huaweiMock }),
			bad: [
				{
					what: 'a wrong secret key',
					data: withData(huaweiAkSk, {
						testRegion: 'custom',
						testUrl: huaweiMock,
						secretKey: 'wrongSecretKey0123456789abcdefghijklmnop',
					}),
					message: refused(401, /Huawei Cloud refused the AK\/SK signature \(401\)/),
				},
				{
					what: 'an unknown access key',
					data: withData(huaweiAkSk, {
						testRegion: 'custom',
						testUrl: huaweiMock,
						accessKey: 'HPUAUNKNOWNAK0000001',
					}),
					message: refused(401, /Huawei Cloud refused the AK\/SK signature \(401\)/),
				},
			],
		},
	];
}

/** A minimal OAuth2 authorization server: authorize redirects with a code, the token endpoint trades it. */
async function startOAuthServer(accessToken: string) {
	const codes = new Set<string>();
	let n = 0;
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
			// The user signs in and approves: back to n8n's callback with a code and n8n's state.
			const code = `code-${++n}`;
			codes.add(code);
			const back = new URL(url.searchParams.get('redirect_uri') ?? '');
			back.searchParams.set('code', code);
			back.searchParams.set('state', url.searchParams.get('state') ?? '');
			res.writeHead(302, { location: back.toString() }).end();
			return;
		}
		if (req.method === 'POST' && url.pathname === '/oauth2/access_token') {
			let raw = '';
			req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
			req.on('end', () => {
				const form = new URLSearchParams(raw);
				const code = form.get('code') ?? '';
				const ok =
					codes.delete(code) &&
					form.get('client_id') === 'n8n-client' &&
					form.get('client_secret') === 'good-client-secret';
				res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
				res.end(
					JSON.stringify(
						ok
							? {
									access_token: accessToken,
									token_type: 'bearer',
									expires_in: 3600,
									refresh_token: 'refresh-1',
									scope: 'spaces',
								}
							: { error: 'invalid_client' },
					),
				);
			});
			return;
		}
		res.writeHead(404).end();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		baseUrl,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe.each(LINES)('credential tests in real n8n %s.x', (line) => {
	let folder: Folder;
	let server: Server;
	const envs: Record<string, ProviderEnv> = {};
	let oauth: Awaited<ReturnType<typeof startOAuthServer>>;
	let oauthAvaya: AvayaSpacesMock;
	let n = 0;

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		const started = await Promise.all(ADAPTERS.map(async (adapter) => await adapter.start()));
		for (const env of started) envs[env.provider] = env;
		oauthAvaya = new AvayaSpacesMock();
		await oauthAvaya.start();
		oauth = await startOAuthServer('good-bearer');
		// The OAuth2 type fixes its authorization and token URLs to Avaya's accounts host (hidden
		// fields). An n8n admin can overwrite credential fields for the whole instance; here that
		// points them at the OAuth2 mock.
		const overwrite = {
			avayaSpacesOAuth2Api: {
				authUrl: `${oauth.baseUrl}/oauth2/authorize`,
				accessTokenUrl: `${oauth.baseUrl}/oauth2/access_token`,
			},
		};
		server = await n8nHost.startServer(folder, {
			env: { CREDENTIALS_OVERWRITE_DATA: JSON.stringify(overwrite) },
		});
		await server.setupOwner();
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await server?.stop();
		await oauth?.close();
		await oauthAvaya?.close();
		await Promise.all(Object.values(envs).map(async (env) => await env.close()));
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	const unwrap = (body: any) =>
		body && typeof body === 'object' && 'data' in body ? body.data : body;

	/** Save a credential the way the editor does; returns its id. */
	async function save(type: string, data: IDataObject): Promise<string> {
		const r = await server.rest('POST', '/rest/credentials', {
			name: `${type} ${++n}`,
			type,
			data,
		});
		if (r.status !== 200)
			throw new Error(
				`saving a ${type} credential: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		return String(unwrap(r.body).id);
	}

	/** Press "Test": the dialog sends the saved credential's id with the values on screen. */
	async function test(
		id: string,
		type: string,
		data: IDataObject,
	): Promise<{ status: string; message: string }> {
		const r = await server.rest('POST', '/rest/credentials/test', {
			credentials: { id, name: `${type} ${n}`, type, data },
		});
		if (r.status !== 200)
			throw new Error(
				`testing a ${type} credential: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		return unwrap(r.body) as { status: string; message: string };
	}

	it(
		'lists all 8 credential types of the package',
		async () => {
			const r = await server.rest('GET', '/types/credentials.json');
			const names = (r.body as Array<{ name: string }>).map((c) => c.name);
			for (const type of [
				'avayaSpacesApi',
				'avayaSpacesOAuth2Api',
				'solapiApi',
				'quectelAccountApi',
				'quectelTokenApi',
				'weChatOfficialAccountApi',
				'huaweiCloudIamApi',
				'huaweiCloudAkSkApi',
			]) {
				expect(names).toContain(type);
			}
		},
		TEST_TIMEOUT,
	);

	it(
		'passes with good values and fails with a clear message with bad ones, for every credential with a test request',
		async () => {
			const results: Array<[string, string, string, string]> = [];
			for (const c of cases(envs, line)) {
				const id = await save(c.type, c.good);
				const good = await test(id, c.type, c.good);
				results.push([c.type, 'good', good.status, good.message]);
				expect([c.type, good.status, good.message]).toEqual([
					c.type,
					'OK',
					'Connection successful!',
				]);
				for (const bad of c.bad) {
					const badId = await save(c.type, bad.data);
					const got = await test(badId, c.type, bad.data);
					results.push([c.type, bad.what, got.status, got.message]);
					expect([c.type, bad.what, got.status]).toEqual([c.type, bad.what, 'Error']);
					expect([c.type, bad.what, got.message]).toEqual([
						c.type,
						bad.what,
						expect.stringMatching(bad.message),
					]);
					// The message names the problem, never the secret the user typed.
					for (const [key, value] of Object.entries(bad.data)) {
						if (
							/secret|password|token/i.test(key) &&
							typeof value === 'string' &&
							value.length >= 8
						)
							expect(got.message).not.toContain(value);
					}
				}
			}
			if (process.env.E2E_DEBUG) console.log(results.map((r) => r.join(' | ')).join('\n'));
		},
		TEST_TIMEOUT,
	);

	it(
		"OAuth2: not connected until n8n's authorization-code flow succeeds; then the node deletes with the token it got",
		async () => {
			const type = 'avayaSpacesOAuth2Api';
			const data = (clientSecret: string): IDataObject => ({
				environment: 'custom',
				baseUrl: oauthAvaya.baseUrl,
				clientId: 'n8n-client',
				clientSecret,
			});
			const shown = async (id: string) =>
				unwrap((await server.rest('GET', `/rest/credentials/${id}?includeData=true`)).body)
					.data as IDataObject;

			/** "Connect my account": n8n builds the authorization URL, the user approves, the provider calls back. */
			const connect = async (id: string): Promise<string> => {
				const auth = await server.rest(
					'GET',
					`/rest/oauth2-credential/auth?id=${encodeURIComponent(id)}`,
				);
				expect(auth.status).toBe(200);
				const authUrl = new URL(String(unwrap(auth.body)));
				expect(authUrl.origin + authUrl.pathname).toBe(`${oauth.baseUrl}/oauth2/authorize`);
				expect(authUrl.searchParams.get('client_id')).toBe('n8n-client');
				const approve = await fetch(authUrl, { redirect: 'manual' });
				const callback = new URL(approve.headers.get('location') ?? '');
				expect(callback.origin + callback.pathname).toBe(
					`${server.baseUrl}/rest/oauth2-credential/callback`,
				);
				const done = await server.rest('GET', callback.pathname + callback.search);
				return typeof done.body === 'string' ? done.body : JSON.stringify(done.body);
			};

			// Before connecting, n8n's test for an OAuth2 type says so.
			const id = await save(type, data('good-client-secret'));
			expect(await test(id, type, data('good-client-secret'))).toEqual({
				status: 'Error',
				message: 'This OAuth2 credential was not connected to an account.',
			});

			// The token endpoint refuses the client secret: n8n shows its error page, nothing is stored.
			const refusedId = await save(type, data('wrong-client-secret'));
			expect(await connect(refusedId)).toMatch(/invalid_client|status code 400/i);
			expect((await shown(refusedId)).oauthTokenData).toBeUndefined();

			// Approved: the dialog then shows "Account connected" (n8n hands out `oauthTokenData: true`).
			expect(await connect(id)).not.toMatch(/invalid_client|status code 4\d\d/i);
			expect((await shown(id)).oauthTokenData).toBe(true);

			// The token works: Batch Delete with this credential deletes on the Avaya Spaces mock, which
			// accepts only `bearer good-bearer` (the token the OAuth2 mock issued).
			const ids = ['oauth-msg-1', 'oauth-msg-2'];
			oauthAvaya.add(...ids);
			const workflow = buildWorkflow('e2eOAuth2Delete1', 'e2e OAuth2 delete', [
				{
					name: 'Delete with OAuth2',
					parameters: {
						provider: 'avayaSpaces',
						avayaSpacesAuthentication: 'oAuth2',
						idField: 'id',
						options: { requestsPerSecond: 0 },
					},
					credentials: { [type]: { id, name: `${type} ${n}` } },
					items: ids.map((msg) => ({ id: msg })),
				},
			]);
			await n8nHost.importWorkflow(folder, workflow);
			const run = await n8nHost.executeWorkflow(folder, 'e2eOAuth2Delete1');
			expect(run.error).toBeUndefined();
			expect(
				(n8nHost.outputOf(run.execution, 'Delete with OAuth2', 0) ?? []).map(
					(i: { json: IDataObject }) => i.json.status,
				),
			).toEqual(['deleted', 'deleted']);
			expect(ids.every((msg) => oauthAvaya.deleted.has(msg))).toBe(true);
		},
		2 * TEST_TIMEOUT,
	);
});
