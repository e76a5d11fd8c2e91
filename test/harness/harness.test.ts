/**
 * Proves the harness against a tiny local API: a fake node that calls
 * `this.helpers.httpRequestWithAuthentication` per item, and fake credential types covering
 * generic auth, function auth and an expirable token fetched by `preAuthentication`.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes } from 'n8n-workflow';

import { runNode, runNodeCancellable, HarnessCredentialsHelper } from './index';

// ---------- fake credential types ----------

/** A password field (n8n masks it and never shows it again). */
const passwordField = (
	displayName: string,
	name: string,
): ICredentialType['properties'][number] => ({
	displayName,
	name,
	type: 'string',
	typeOptions: { password: true },
	default: '',
});

class HarnessHeaderApi implements ICredentialType {
	name = 'harnessHeaderApi';
	displayName = 'Harness Header API';
	properties: ICredentialType['properties'] = [
		passwordField('API Key', 'apiKey'),
		{ displayName: 'Prefix', name: 'prefix', type: 'string', default: 'Key' },
		{ displayName: 'Tenant', name: 'tenant', type: 'string', default: '' },
	];
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-Api-Key': '={{$credentials.prefix}} {{$credentials.apiKey}}',
				'X-Static': 'plain-value',
			},
			qs: { tenant: '={{$credentials.tenant}}' },
		},
	};
}

class HarnessSignedApi implements ICredentialType {
	name = 'harnessSignedApi';
	displayName = 'Harness Signed API';
	properties: ICredentialType['properties'] = [passwordField('Secret', 'secret')];
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const signature = sign(credentials.secret as string, requestOptions.url);
		return { ...requestOptions, headers: { ...requestOptions.headers, 'X-Signature': signature } };
	}
}

class HarnessTokenApi implements ICredentialType {
	name = 'harnessTokenApi';
	displayName = 'Harness Token API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'App ID', name: 'appId', type: 'string', default: '' },
		passwordField('App Secret', 'appSecret'),
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl}/token`,
			body: { appId: credentials.appId, appSecret: credentials.appSecret },
			json: true,
		})) as { token: string };
		return { accessToken: token };
	}
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } },
	};
}

const sign = (secret: string, url: string) =>
	createHmac('sha256', secret).update(url).digest('hex');

// ---------- fake node ----------

/** Per item: GET `path` with the selected credential; `softExpiry` mimics providers that
 * report an expired token inside an HTTP 200 body, recovered by an emptied token. */
class HarnessFakeNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Fake',
		name: 'harnessFake',
		group: ['transform'],
		version: 1,
		description: 'Calls an API per item',
		defaults: { name: 'Harness Fake' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'harnessHeaderApi', required: false },
			{ name: 'harnessSignedApi', required: false },
			{ name: 'harnessTokenApi', required: false },
		],
		properties: [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '/echo' },
			{
				displayName: 'Credential Type',
				name: 'credentialType',
				type: 'string',
				default: 'harnessHeaderApi',
			},
			{ displayName: 'Handle Soft Expiry', name: 'softExpiry', type: 'boolean', default: false },
			{ displayName: 'Ignore Continue On Fail', name: 'failHard', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		const credentialType = this.getNodeParameter('credentialType', 0) as string;
		for (let i = 0; i < items.length; i++) {
			const request: IHttpRequestOptions = {
				method: 'GET',
				url: `${this.getNodeParameter('baseUrl', i) as string}${this.getNodeParameter('path', i) as string}`,
				json: true,
			};
			try {
				let response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					{ ...request },
				)) as IDataObject;
				if (this.getNodeParameter('softExpiry', i) && response.errcode === 40001) {
					const stored = this.getNode().credentials![credentialType];
					const current = await this.getCredentials(credentialType);
					response = (await this.helpers.httpRequestWithAuthentication.call(
						this,
						credentialType,
						{ ...request },
						{
							credentialsDecrypted: {
								id: stored.id!,
								name: stored.name,
								type: credentialType,
								data: { ...current, accessToken: '' },
							},
						},
					)) as IDataObject;
				}
				out.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (!this.getNodeParameter('failHard', i) && this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				if (error instanceof NodeApiError) throw error;
				throw new NodeApiError(this.getNode(), error as never, { itemIndex: i });
			}
		}
		return [out];
	}
}

// ---------- fake API ----------

interface FakeApi {
	baseUrl: string;
	tokenRequests: number;
	flakyCalls: number;
	requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
	/** Invalidates every issued token (the provider's expiry). */
	expireTokens(): void;
	slowArrived: Promise<void>;
	slowAborted: Promise<void>;
	close(): Promise<void>;
}

async function startFakeApi(): Promise<FakeApi> {
	let issued = 0;
	const valid = new Set<string>();
	let markArrived!: () => void;
	let markAborted!: () => void;
	const slowArrived = new Promise<void>((r) => (markArrived = r));
	const slowAborted = new Promise<void>((r) => (markAborted = r));

	const api: Omit<FakeApi, 'baseUrl'> = {
		tokenRequests: 0,
		flakyCalls: 0,
		requests: [],
		expireTokens: () => valid.clear(),
		slowArrived,
		slowAborted,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((r) => server.close(() => r()));
		},
	};

	const server: Server = createServer((req, res) => {
		const url = new URL(req.url!, 'http://127.0.0.1');
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		let raw = '';
		req.on('data', (c) => (raw += c));
		req.on('end', () => {
			api.requests.push({ path: url.pathname, headers: req.headers });
			if (url.pathname === '/token') {
				const body = JSON.parse(raw || '{}');
				if (body.appId !== 'app-1' || body.appSecret !== 'shh')
					return send(403, { message: 'bad app' });
				api.tokenRequests++;
				const token = `tok-${++issued}`;
				valid.add(token);
				return send(200, { token });
			}
			if (url.pathname === '/slow') {
				res.on('close', () => {
					if (!res.writableEnded) markAborted();
				});
				markArrived();
				return; // never answers
			}
			if (url.pathname === '/flaky') {
				api.flakyCalls++;
				if (api.flakyCalls === 1) return send(503, { message: 'try later' });
			}
			const status = /^\/status\/(\d+)$/.exec(url.pathname);
			if (status) return send(Number(status[1]), { message: `status ${status[1]}` });

			const auth = req.headers.authorization;
			if (auth?.startsWith('Bearer ') && !valid.has(auth.slice(7))) {
				// `/soft` reports expiry the WeChat way: HTTP 200 with an error code in the body.
				if (url.pathname === '/soft')
					return send(200, { errcode: 40001, errmsg: 'access_token expired' });
				return send(401, { message: 'token expired' });
			}
			return send(200, {
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				apiKey: req.headers['x-api-key'],
				static: req.headers['x-static'],
				signature: req.headers['x-signature'],
				authorization: auth,
			});
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const { port } = server.address() as AddressInfo;
	return Object.assign(api, { baseUrl: `http://127.0.0.1:${port}` });
}

// ---------- tests ----------

const credentialTypes = [HarnessHeaderApi, HarnessSignedApi, HarnessTokenApi];
const tokenCredential = {
	id: 'cred-token',
	name: 'Token account',
	type: 'harnessTokenApi',
	data: { appId: 'app-1', appSecret: 'shh' } as ICredentialDataDecryptedObject,
};

let api: FakeApi;
beforeEach(async () => {
	api = await startFakeApi();
	tokenCredential.data.baseUrl = api.baseUrl;
});
afterEach(async () => await api.close());

describe('node harness inside n8n WorkflowExecute', () => {
	test('(a) generic auth: headers and qs resolved from the credential through expressions', async () => {
		const { outputs, error, credentials } = await runNode({
			node: HarnessFakeNode,
			parameters: { baseUrl: api.baseUrl, path: '={{ $json.path }}' },
			credentialTypes,
			credentials: [
				// A stored value can itself be an expression; n8n resolves it in the node's context.
				{
					id: 'c1',
					name: 'Header',
					type: 'harnessHeaderApi',
					data: { apiKey: 'k-123', tenant: '={{ $vars.tenant }}' },
				},
			],
			variables: { tenant: 'acme' },
			items: [{ json: { path: '/echo/1' } }, { json: { path: '/echo/2' } }],
		});

		expect(error).toBeUndefined();
		expect(outputs).toHaveLength(1);
		expect(outputs[0].map((i) => i.json)).toEqual([
			expect.objectContaining({
				path: '/echo/1',
				apiKey: 'Key k-123',
				static: 'plain-value',
				query: { tenant: 'acme' },
			}),
			expect.objectContaining({ path: '/echo/2', apiKey: 'Key k-123' }),
		]);
		expect(outputs[0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		// Stored encrypted, as n8n does: the clear key is not in the row.
		expect(credentials.getStoredCiphertext('c1')).not.toContain('k-123');
		expect(credentials.getStoredData('c1')).toEqual({
			apiKey: 'k-123',
			tenant: '={{ $vars.tenant }}',
		});
	});

	test('(b) function-form authenticate signs each request', async () => {
		const { outputs, error } = await runNode({
			node: HarnessFakeNode,
			parameters: { baseUrl: api.baseUrl, credentialType: 'harnessSignedApi' },
			credentialTypes,
			credentials: [
				{ id: 'c2', name: 'Signed', type: 'harnessSignedApi', data: { secret: 's3cr3t' } },
			],
		});
		expect(error).toBeUndefined();
		expect(outputs[0][0].json.signature).toBe(sign('s3cr3t', `${api.baseUrl}/echo`));
	});

	test('(c) preAuthentication: fetch and persist, reuse next run, refresh once on 401', async () => {
		const parameters = { baseUrl: api.baseUrl, credentialType: 'harnessTokenApi' };
		const first = await runNode({
			node: HarnessFakeNode,
			parameters,
			credentialTypes,
			credentials: [tokenCredential],
			items: [{ json: {} }, { json: {} }],
		});
		const helper = first.credentials;
		expect(first.error).toBeUndefined();
		expect(first.outputs[0].map((i) => i.json.authorization)).toEqual([
			'Bearer tok-1',
			'Bearer tok-1',
		]);
		expect(api.tokenRequests).toBe(1);
		expect(helper.preAuthenticationCalls).toEqual([
			{ type: 'harnessTokenApi', credentialsExpired: false },
		]);
		expect(helper.getStoredData('cred-token')).toMatchObject({
			appId: 'app-1',
			accessToken: 'tok-1',
		});

		// Second execution: the persisted token is used as is.
		const second = await runNode({ node: HarnessFakeNode, parameters, credentialsHelper: helper });
		expect(second.outputs[0][0].json.authorization).toBe('Bearer tok-1');
		expect(api.tokenRequests).toBe(1);

		// The provider expires it: 401 → preAuthentication(expired=true) → resend.
		api.expireTokens();
		const third = await runNode({ node: HarnessFakeNode, parameters, credentialsHelper: helper });
		expect(third.error).toBeUndefined();
		expect(third.outputs[0][0].json.authorization).toBe('Bearer tok-2');
		expect(helper.preAuthenticationCalls.at(-1)).toEqual({
			type: 'harnessTokenApi',
			credentialsExpired: true,
		});
		expect(api.tokenRequests).toBe(2);
		expect(helper.getStoredData('cred-token').accessToken).toBe('tok-2');
		const echoes = api.requests
			.filter((r) => r.path === '/echo')
			.map((r) => r.headers.authorization);
		expect(echoes.slice(-2)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
	});

	test('(d) credentialsDecrypted with the token emptied forces a refresh that is persisted', async () => {
		const parameters = {
			baseUrl: api.baseUrl,
			path: '/soft',
			credentialType: 'harnessTokenApi',
			softExpiry: true,
		};
		const first = await runNode({
			node: HarnessFakeNode,
			parameters,
			credentialTypes,
			credentials: [tokenCredential],
		});
		expect(first.outputs[0][0].json.authorization).toBe('Bearer tok-1');
		const helper = first.credentials;

		api.expireTokens(); // now /soft answers HTTP 200 {errcode: 40001}
		const second = await runNode({ node: HarnessFakeNode, parameters, credentialsHelper: helper });
		expect(second.error).toBeUndefined();
		expect(second.outputs[0][0].json).toMatchObject({ authorization: 'Bearer tok-2' });
		expect(helper.preAuthenticationCalls).toEqual([
			{ type: 'harnessTokenApi', credentialsExpired: false },
			{ type: 'harnessTokenApi', credentialsExpired: false },
		]);
		expect(helper.getStoredData('cred-token').accessToken).toBe('tok-2');

		// And the next execution picks the new token up from the store.
		const third = await runNode({ node: HarnessFakeNode, parameters, credentialsHelper: helper });
		expect(third.outputs[0][0].json.authorization).toBe('Bearer tok-2');
		expect(api.tokenRequests).toBe(2);
	});

	describe('(e) error handling as n8n routes it', () => {
		const base = () => ({
			node: HarnessFakeNode,
			parameters: { baseUrl: api.baseUrl, path: '={{ $json.path }}' },
			credentialTypes,
			credentials: [{ id: 'c1', name: 'Header', type: 'harnessHeaderApi', data: { apiKey: 'k' } }],
			items: [{ json: { path: '/echo', n: 1 } }, { json: { path: '/status/500', n: 2 } }],
		});

		test('stopWorkflow (default): the node error is stored, nothing is output', async () => {
			const { outputs, error, run } = await runNode(base());
			expect(outputs).toEqual([]);
			expect(error).toMatchObject({ httpCode: '500', name: 'NodeApiError' });
			// NodeApiError swaps 5xx messages for a generic text.
			expect(error!.message).not.toContain('status 500');
			expect(run.status).toBe('error');
		});

		test('continueOnFail: the error item stays on the regular output', async () => {
			const { outputs, error } = await runNode({ ...base(), continueOnFail: true });
			expect(error).toBeUndefined();
			expect(outputs).toHaveLength(1);
			expect(outputs[0][0].json).toMatchObject({ path: '/echo' });
			expect(Object.keys(outputs[0][1].json)).toEqual(['error']);
		});

		test('onError=continueErrorOutput: the engine moves error items to an extra output', async () => {
			const { outputs, error } = await runNode({ ...base(), onError: 'continueErrorOutput' });
			expect(error).toBeUndefined();
			expect(outputs).toHaveLength(2);
			expect(outputs[0].map((i) => i.json.path)).toEqual(['/echo']);
			// The error item is merged with the input item it pairs to.
			expect(outputs[1]).toHaveLength(1);
			expect(outputs[1][0].json).toMatchObject({
				path: '/status/500',
				n: 2,
				error: expect.any(String),
			});
			expect(outputs[1][0].pairedItem).toEqual({ item: 1 });
		});

		test('a node that throws anyway: n8n passes the input through and keeps the error', async () => {
			const options = base();
			const { outputs, error } = await runNode({
				...options,
				parameters: { ...options.parameters, failHard: true },
				onError: 'continueRegularOutput',
			});
			expect(error).toMatchObject({ httpCode: '500' });
			expect(outputs[0].map((i) => i.json)).toEqual([
				{ path: '/echo', n: 1 },
				{ path: '/status/500', n: 2 },
			]);
		});

		test('a node that throws anyway with continueErrorOutput: input goes to the regular output', async () => {
			const options = base();
			const { outputs, error } = await runNode({
				...options,
				parameters: { ...options.parameters, failHard: true },
				onError: 'continueErrorOutput',
			});
			expect(error).toMatchObject({ httpCode: '500' });
			// handleNodeErrorOutput only runs on success, so nothing reaches the error output.
			expect(outputs).toHaveLength(1);
			expect(outputs[0]).toHaveLength(2);
		});

		test('retryOnFail re-runs the whole node', async () => {
			const { outputs, error } = await runNode({
				...base(),
				parameters: { baseUrl: api.baseUrl, path: '/flaky' },
				items: [{ json: {} }],
				retryOnFail: true,
				maxTries: 2,
				// n8n reads 0 as "unset" and waits 1000 ms; 1 ms keeps the test fast.
				waitBetweenTries: 1,
			});
			expect(error).toBeUndefined();
			expect(api.flakyCalls).toBe(2);
			expect(outputs[0][0].json.path).toBe('/flaky');
		});
	});

	test('(f) cancel mid-run aborts the in-flight request', async () => {
		const started = Date.now();
		const { cancel, result } = runNodeCancellable({
			node: HarnessFakeNode,
			parameters: { baseUrl: api.baseUrl, path: '/slow' },
			credentialTypes,
			credentials: [{ id: 'c1', name: 'Header', type: 'harnessHeaderApi', data: { apiKey: 'k' } }],
		});
		await api.slowArrived;
		cancel();
		await api.slowAborted;
		const { run } = await result;
		expect(run.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(5000);
	});
});

describe('HarnessCredentialsHelper on its own', () => {
	const additionalData = {
		executionId: 'x',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: { region: 'eu' },
	} as never;

	class ParentApi implements ICredentialType {
		name = 'harnessParentApi';
		displayName = 'Parent';
		properties: ICredentialType['properties'] = [
			{ displayName: 'Host', name: 'host', type: 'string', default: 'parent.example' },
			{ displayName: 'Region', name: 'region', type: 'string', default: 'us' },
		];
	}
	class ChildApi implements ICredentialType {
		name = 'harnessChildApi';
		displayName = 'Child';
		extends = ['harnessParentApi'];
		properties: ICredentialType['properties'] = [
			{ displayName: 'Host', name: 'host', type: 'string', default: 'child.example' },
			{ displayName: 'Key', name: 'key', type: 'string', default: '' },
		];
	}

	test('extends: parent types, merged properties, defaults and expressions outside a run', async () => {
		const helper = new HarnessCredentialsHelper({
			types: [ParentApi, ChildApi],
			credentials: [
				{
					id: 'k',
					name: 'K',
					type: 'harnessChildApi',
					data: { key: 'v', region: '={{ $vars.region }}' },
				},
			],
		});
		expect(helper.getParentTypes('harnessChildApi')).toEqual(['harnessParentApi']);
		expect(
			helper.getCredentialsProperties('harnessChildApi').map((p) => [p.name, p.default]),
		).toEqual([
			['host', 'child.example'],
			['region', 'us'],
			['key', ''],
		]);
		const ref = { id: 'k', name: 'K' };
		expect(await helper.getDecrypted(additionalData, ref, 'harnessChildApi', 'manual')).toEqual({
			host: 'child.example',
			region: 'eu',
			key: 'v',
		});
		expect(
			await helper.getDecrypted(additionalData, ref, 'harnessChildApi', 'manual', undefined, true),
		).toEqual({
			key: 'v',
			region: '={{ $vars.region }}',
		});
		await expect(
			helper.getDecrypted(additionalData, ref, 'harnessParentApi', 'manual'),
		).rejects.toThrow('Credential with ID "k" does not exist for type "harnessParentApi".');
	});

	test('n8n 1.123 persists the resolved credential after a token refresh (expressions included)', async () => {
		const helper = new HarnessCredentialsHelper({ types: [HarnessTokenApi] });
		await runNode({
			node: HarnessFakeNode,
			parameters: { baseUrl: api.baseUrl, credentialType: 'harnessTokenApi' },
			credentialsHelper: helper,
			credentials: [
				{ ...tokenCredential, data: { ...tokenCredential.data, appId: '={{ "app-" + 1 }}' } },
			],
		});
		// The stored expression is replaced by its value, and defaults are written too.
		expect(helper.getStoredData('cred-token')).toEqual({
			baseUrl: api.baseUrl,
			appId: 'app-1',
			appSecret: 'shh',
			accessToken: 'tok-1',
		});
	});
});
