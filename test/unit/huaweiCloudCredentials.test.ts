import { HuaweiCloudAkSkApi } from '../../credentials/HuaweiCloudAkSkApi.credentials';
import { HuaweiCloudIamApi } from '../../credentials/HuaweiCloudIamApi.credentials';
import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';
import { iamBaseUrl, iamRefusal, iamTokenRequestBody } from '../../credentials/auth/huaweiCloud';
import { signRequest } from '../../credentials/auth/huaweiCloudSigner';

const PROJECT = '0123456789abcdef0123456789abcdef';
const iamData = {
	iamRegion: 'cn-north-4',
	iamUrl: '',
	domainName: 'acme',
	userName: 'sms-admin',
	password: 'pw-123456',
	projectScope: 'name',
	project: 'cn-north-4',
	authToken: '',
};

describe('Huawei Cloud IAM credential', () => {
	const credential = new HuaweiCloudIamApi();

	it('builds the documented password-token body, scoped by project name or ID', () => {
		expect(iamTokenRequestBody(iamData)).toEqual({
			auth: {
				identity: {
					methods: ['password'],
					password: {
						user: { name: 'sms-admin', password: 'pw-123456', domain: { name: 'acme' } },
					},
				},
				scope: { project: { name: 'cn-north-4' } },
			},
		});
		expect(
			(iamTokenRequestBody({ ...iamData, projectScope: 'id', project: ` ${PROJECT} ` }).auth as any)
				.scope,
		).toEqual({ project: { id: PROJECT } });
	});

	it('picks the IAM host of the region, or the custom URL', () => {
		expect(iamBaseUrl(iamData)).toBe('https://iam.cn-north-4.myhuaweicloud.com');
		expect(iamBaseUrl({ iamRegion: 'eu-west-101' })).toBe(
			'https://iam.eu-west-101.myhuaweicloud.eu',
		);
		expect(iamBaseUrl({ iamRegion: 'custom', iamUrl: 'http://127.0.0.1:9//' })).toBe(
			'http://127.0.0.1:9',
		);
		expect(() => iamBaseUrl({ iamRegion: 'custom', iamUrl: '' })).toThrow(/No IAM endpoint/);
	});

	it('fetches the token from X-Subject-Token with a full response', async () => {
		const calls: IHttpRequestOptions[] = [];
		const helper = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					calls.push(options);
					return {
						statusCode: 201,
						headers: { 'x-subject-token': 'MIIT-token' },
						body: { token: {} },
					};
				},
			},
		} as unknown as IHttpRequestHelper;
		expect(await credential.preAuthentication.call(helper, iamData)).toEqual({
			authToken: 'MIIT-token',
		});
		expect(calls[0]).toMatchObject({
			method: 'POST',
			url: 'https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens',
			returnFullResponse: true,
			// Never followed, and the answer read as a capped stream (credentials/auth/guard.ts).
			disableFollowRedirect: true,
			encoding: 'stream',
			body: iamTokenRequestBody(iamData),
		});
		const headerless = {
			helpers: { httpRequest: async () => ({ statusCode: 201, headers: {}, body: {} }) },
		} as unknown as IHttpRequestHelper;
		await expect(credential.preAuthentication.call(headerless, iamData)).rejects.toThrow(
			/without an X-Subject-Token/,
		);
	});

	it("reports IAM's own reason when it refuses, without asking twice", async () => {
		let calls = 0;
		const refusing = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					calls++;
					expect(options.ignoreHttpStatusErrors).toBe(true);
					return {
						statusCode: 401,
						headers: {},
						body: {
							error: {
								code: '401',
								message: 'The username or password is wrong.',
								title: 'Unauthorized',
							},
						},
					};
				},
			},
		} as unknown as IHttpRequestHelper;
		await expect(credential.preAuthentication.call(refusing, iamData)).rejects.toThrow(
			'Huawei Cloud IAM refused the token request (HTTP 401): The username or password is wrong.',
		);
		expect(calls).toBe(1);
		expect(iamRefusal(400, 'oops')).toBe('Huawei Cloud IAM refused the token request (HTTP 400)');
		expect(iamRefusal(201, {})).toBeUndefined();
	});

	it('keeps the token in a hidden, expirable, password field and sends it as X-Auth-Token', () => {
		const token = credential.properties.find((p) => p.name === 'authToken');
		expect(token).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		});
		expect(credential.authenticate).toEqual({
			type: 'generic',
			properties: { headers: { 'X-Auth-Token': '={{$credentials.authToken}}' } },
		});
		expect(credential.test.request).toMatchObject({ url: '/v3/auth/projects', method: 'GET' });
	});
});

describe('Huawei Cloud AK/SK credential', () => {
	const credential = new HuaweiCloudAkSkApi();
	const data = {
		accessKey: 'HPUAEXAMPLEAK0000001',
		secretKey: 'exampleSecretKey0123456789abcdefghijklmn',
		projectId: PROJECT,
	};

	it('signs the request it is given with a fresh date, X-Project-Id included', async () => {
		const before = Date.now();
		const out = await credential.authenticate(data, {
			method: 'POST',
			url: `http://127.0.0.1:9/v2/${PROJECT}/msgsms/templates/batch-delete`,
			headers: { 'Content-Type': 'application/json;charset=utf8' },
			body: { ids: ['a'] },
		});
		const headers = out.headers as Record<string, string>;
		expect(headers['X-Project-Id']).toBe(PROJECT);
		expect(headers.host).toBe('127.0.0.1:9');
		const date = headers['X-Sdk-Date'];
		const stamp = Date.parse(
			date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
		);
		expect(stamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
		expect(out.body).toBe('{"ids":["a"]}');
		// The same inputs through the signer give the same Authorization: nothing else went in.
		const again = signRequest(
			{
				method: 'POST',
				url: out.url,
				headers: { 'Content-Type': 'application/json;charset=utf8', 'X-Project-Id': PROJECT },
				body: '{"ids":["a"]}',
			},
			data.accessKey,
			data.secretKey,
			new Date(stamp),
		);
		expect(headers.Authorization).toBe(again.headers.Authorization);
		expect(headers.Authorization).toMatch(
			/^SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
		);
	});

	it('refuses to sign without keys', async () => {
		await expect(
			credential.authenticate({ ...data, secretKey: '' }, { url: 'http://x/' }),
		).rejects.toThrow(/access key and a secret key/);
	});

	it('marks the secret key as a password (the access key ID is not a secret) and tests against the template list', () => {
		expect(credential.properties.filter((p) => p.typeOptions?.password).map((p) => p.name)).toEqual(
			['secretKey'],
		);
		expect(credential.test.request.url).toBe(
			'=/v2/{{$credentials.projectId}}/msgsms/templates?limit=1',
		);
	});
});
