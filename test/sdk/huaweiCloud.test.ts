import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { HuaweiCloudAkSkApi } from '../../credentials/HuaweiCloudAkSkApi.credentials';
import { HuaweiCloudIamApi } from '../../credentials/HuaweiCloudIamApi.credentials';
import { HUAWEI_AKSK_CREDENTIAL } from '../../credentials/auth/huaweiCloud';
import { huaweiCloudSms } from '../../nodes/BatchDelete/providers/huaweiCloudSms';
import type { HuaweiCloudSmsParams } from '../../nodes/BatchDelete/providers/huaweiCloudSms/delete';
import { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import { assertInvariant } from '../support/invariant';
import { runBatchDelete } from '../support/runBatchDelete';
import type { HuaweiSigningRequest } from './sdks';
import { huaweiSdk, sdkVersion } from './sdks';

/**
 * The node's Huawei Cloud requests held against the official Node.js SDK
 * (`@huaweicloud/huaweicloud-sdk-core` and `-iam`, versions pinned in test/package.json):
 * the SDK's AKSKSigner signs the node's request as sent, and its Authorization header must equal
 * the node's byte for byte; the SDK's IAM client builds the password-token request and its body
 * must equal the node's. No SDK calls batch-delete, so the signer is what is compared there.
 */

const sdk = huaweiSdk();
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'exampleSecretKey0123456789abcdefghijklmn';
const PROJECT = '0123456789abcdef0123456789abcdef';
const ENDPOINT = 'https://msgsms.cn-north-4.myhuaweicloud.com';
const NOW = Date.UTC(2026, 2, 14, 9, 26, 53);
const credentialData = { accessKey: AK, secretKey: SK, projectId: PROJECT };
const credential = new sdk.BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);

const ctx = {
	params: { endpoint: ENDPOINT } as HuaweiCloudSmsParams,
	credentialType: HUAWEI_AKSK_CREDENTIAL,
	credentials: credentialData as IDataObject,
};

/** The node's request, signed by the AK/SK credential's `authenticate` at a fixed time. */
async function signedByNode(request: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout'] });
	try {
		return await new HuaweiCloudAkSkApi().authenticate(
			credentialData as ICredentialDataDecryptedObject,
			request,
		);
	} finally {
		jest.useRealTimers();
	}
}

/** What arrives at the server, as the SDK's signer takes it: URL without query, query, headers, body. */
interface Wire {
	method: string;
	url: string;
	headers: Record<string, string>;
	body?: string;
}

function wireOf(options: IHttpRequestOptions): Wire {
	return {
		method: String(options.method),
		url: options.url,
		headers: options.headers as Record<string, string>,
		body: typeof options.body === 'string' ? options.body : undefined,
	};
}

/** The SDK's Authorization for this request on the wire (the same X-Sdk-Date, host and headers). */
function sdkAuthorization(wire: Wire): string {
	const url = new URL(wire.url);
	const queryParams: Record<string, string | string[]> = {};
	for (const key of new Set(url.searchParams.keys())) {
		const values = url.searchParams.getAll(key);
		queryParams[key] = values.length > 1 ? values : values[0];
	}
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(wire.headers))
		if (!['authorization', 'host'].includes(name.toLowerCase())) headers[name] = value;
	const request: HuaweiSigningRequest = {
		endpoint: `${url.origin}${url.pathname}`,
		method: wire.method,
		headers,
		queryParams,
		data: wire.body === undefined || wire.body === '' ? undefined : JSON.parse(wire.body),
	};
	return sdk.AKSKSigner.sign(request, credential).Authorization;
}

/** The headers with one header (any case) set to another value. */
function renamed(headers: Record<string, string>, lower: string, value: string) {
	const out = { ...headers };
	const name = Object.keys(out).find((n) => n.toLowerCase() === lower)!;
	out[name] = value;
	return out;
}

/** The comparison, and proof that it would see a changed signed header, body field or path segment. */
function expectSameSignature(wire: Wire): void {
	expect(wire.headers.Authorization).toMatch(/^SDK-HMAC-SHA256 Access=/);
	expect(sdkAuthorization(wire)).toBe(wire.headers.Authorization);
	const mutations: Array<[string, Wire]> = [
		[
			'signed header X-Project-Id',
			{ ...wire, headers: renamed(wire.headers, 'x-project-id', `${PROJECT.slice(1)}0`) },
		],
		[
			'signed header X-Sdk-Date',
			{ ...wire, headers: renamed(wire.headers, 'x-sdk-date', '20260314T092654Z') },
		],
		['path segment', { ...wire, url: wire.url.replace('/msgsms/', '/msgsmz/') }],
	];
	if (wire.body !== undefined)
		mutations.push(['body field', { ...wire, body: wire.body.replace('"ids":["', '"ids":["x') }]);
	if (wire.url.includes('?'))
		mutations.push(['query', { ...wire, url: wire.url.replace('limit=', 'limit=1') }]);
	for (const [what, mutated] of mutations) {
		expect({ what, same: sdkAuthorization(mutated) === wire.headers.Authorization }).toEqual({
			what,
			same: false,
		});
	}
}

describe(`Huawei Cloud AK/SK against @huaweicloud/huaweicloud-sdk-core@${sdkVersion('@huaweicloud/huaweicloud-sdk-core')} AKSKSigner`, () => {
	it('signs the batch delete as the SDK does', async () => {
		const chunk = [{ id: '******27-37eb-4229-bee9-0eba4d8a897f' }, { id: 'tpl-2' }];
		const wire = wireOf(await signedByNode(huaweiCloudSms.buildRequest(chunk, ctx)));
		expect(wire.url).toBe(`${ENDPOINT}/v2/${PROJECT}/msgsms/templates/batch-delete`);
		expect(wire.headers['X-Sdk-Date']).toBe('20260314T092653Z');
		expect(wire.body).toBe('{"ids":["******27-37eb-4229-bee9-0eba4d8a897f","tpl-2"]}');
		expectSameSignature(wire);
	});

	it('signs the single delete (the fallback), an ID needing percent-encoding, as the SDK does', async () => {
		const request = huaweiCloudSms.fallback!.buildRequest([{ id: 'tpl 1:ü' }], ctx);
		const wire = wireOf(await signedByNode(request));
		expect(wire.method).toBe('DELETE');
		expect(wire.url).toBe(`${ENDPOINT}/v2/${PROJECT}/msgsms/templates/tpl%201%3A%C3%BC`);
		expect(wire.body).toBeUndefined();
		expectSameSignature(wire);
	});

	it('signs a list request whose query needs percent-encoding as the SDK does', async () => {
		const list = huaweiCloudSms.list!;
		const request = list.buildListRequest(
			{ offset: 0, page: 1, pageSize: 100 },
			ctx,
			{ templateName: "Order 通知 (a*b)~'!" },
			{ startedAt: new Date(NOW) },
		);
		const wire = wireOf(await signedByNode(request));
		expect(wire.url).toContain('template_name=Order%20%E9%80%9A%E7%9F%A5%20%28a%2Ab%29~%27%21');
		expect(wire.body).toBeUndefined();
		expectSameSignature(wire);
	});
});

describe(`Huawei Cloud IAM token against @huaweicloud/huaweicloud-sdk-iam@${sdkVersion('@huaweicloud/huaweicloud-sdk-iam')} keystoneCreateUserTokenByPassword`, () => {
	const I = sdk.iam;

	/** The SDK's request, captured at its HTTP client (nothing is sent). */
	async function sdkTokenRequest(project: { id?: string; name?: string }) {
		let sent: { url: string; method: string; data: unknown } | undefined;
		const http = {
			sendRequest: async (request: { url: string; method: string; data: unknown }) => {
				sent = request;
				return { headers: { 'x-subject-token': 'MIIT' }, data: { token: {} }, statusCode: 201 };
			},
		};
		const hc = new sdk.HcClient(http, {});
		hc.withEndpoints(['https://iam.cn-north-4.myhuaweicloud.com']);
		const client = new I.IamClient(hc);
		const scopeProject = new I.AuthScopeProject();
		if (project.id !== undefined) scopeProject.withId(project.id);
		else scopeProject.withName(project.name);
		const body = new I.KeystoneCreateUserTokenByPasswordRequestBody().withAuth(
			new I.PwdAuth()
				.withIdentity(
					new I.PwdIdentity()
						.withMethods(['password'])
						.withPassword(
							new I.PwdPassword().withUser(
								new I.PwdPasswordUser()
									.withDomain(new I.PwdPasswordUserDomain().withName('example-account'))
									.withName('sms-admin')
									.withPassword('Correct-Horse-9'),
							),
						),
				)
				.withScope(new I.AuthScope().withProject(scopeProject)),
		);
		await client.keystoneCreateUserTokenByPassword(
			new I.KeystoneCreateUserTokenByPasswordRequest().withBody(body),
		);
		return sent!;
	}

	/** The node's request, captured at n8n's httpRequest helper. */
	async function nodeTokenRequest(projectScope: 'id' | 'name', project: string) {
		let sent: IHttpRequestOptions | undefined;
		const helper = {
			helpers: {
				httpRequest: async (options: IHttpRequestOptions) => {
					sent = options;
					return { statusCode: 201, headers: { 'x-subject-token': 'MIIT' }, body: {} };
				},
			},
		};
		await new HuaweiCloudIamApi().preAuthentication.call(helper as never, {
			iamRegion: 'cn-north-4',
			domainName: 'example-account',
			userName: 'sms-admin',
			password: 'Correct-Horse-9',
			projectScope,
			project,
		});
		return sent!;
	}

	it.each([
		['by name', 'name' as const, 'cn-north-4'],
		['by ID', 'id' as const, PROJECT],
	])('sends the password-token body of the SDK, project %s', async (_, scope, project) => {
		const ours = await nodeTokenRequest(scope, project);
		const theirs = await sdkTokenRequest(scope === 'id' ? { id: project } : { name: project });
		expect(ours.method).toBe(theirs.method);
		expect(new URL(ours.url).pathname).toBe(theirs.url);
		// Both libraries put the object through JSON.stringify (axios), so these are the bytes sent.
		const bytes = JSON.stringify(ours.body);
		expect(bytes).toBe(JSON.stringify(theirs.data));
		// The comparison sees a changed body field.
		const changed = JSON.parse(bytes);
		changed.auth.identity.password.user.domain.name = 'other-account';
		expect(JSON.stringify(changed)).not.toBe(JSON.stringify(theirs.data));
	});
});

describe('Huawei Cloud AK/SK on the wire, in n8n’s engine', () => {
	const mock = new HuaweiCloudSmsMock();
	beforeAll(async () => await mock.start());
	afterAll(async () => await mock.close());

	it('sends requests whose signature, applied by n8n’s authenticate, is the SDK’s', async () => {
		const ids = ['wire-1', 'wire-2', 'wire-3'];
		mock.addTemplates(PROJECT, ...ids);
		const result = await runBatchDelete({
			parameters: {
				provider: 'huaweiCloudSms',
				huaweiCloudAuthentication: 'akSk',
				huaweiCloudRegion: 'custom',
				idField: 'id',
				options: { batchSize: 2, requestsPerSecond: 0 },
			},
			items: ids.map((id) => ({ id })),
			credentials: [
				{
					id: 'hw',
					name: 'Huawei AK/SK',
					type: HUAWEI_AKSK_CREDENTIAL,
					// The custom endpoint is the credential's (the node's Region "custom" means it).
					data: { ...credentialData, endpointUrl: mock.baseUrl },
				},
			],
		});
		assertInvariant({
			idsByItem: ids.map((id) => [id]),
			success: result.success,
			failure: result.failure,
			removedByRun: (id) => mock.deleted.has(id),
			isGone: (id) => !mock.holds(id),
		});
		expect(result.success).toHaveLength(3);
		const sent = mock.requests.filter((r) => r.path.endsWith('/batch-delete'));
		expect(sent).toHaveLength(2);
		for (const request of sent) {
			// A server checks the headers the request says it signed (Node's HTTP client adds others,
			// unsigned); the list must hold every header the node sets.
			const authorization = String(request.headers.authorization);
			const signedList = /SignedHeaders=([^,]+),/.exec(authorization)![1].split(';');
			expect(signedList).toEqual(['content-type', 'host', 'x-project-id', 'x-sdk-date']);
			const headers: Record<string, string> = {};
			// The SDK looks up `X-Sdk-Date` by that exact name (the wire lower-cases every name).
			const spelled: Record<string, string> = {
				'content-type': 'Content-Type',
				'x-project-id': 'X-Project-Id',
				'x-sdk-date': 'X-Sdk-Date',
			};
			for (const name of signedList)
				if (name !== 'host') headers[spelled[name]] = String(request.headers[name]);
			const query = request.query.toString();
			expectSameSignature({
				method: request.method,
				url: `${mock.baseUrl}${request.path}${query === '' ? '' : `?${query}`}`,
				headers: { ...headers, Authorization: authorization },
				body: request.rawBody,
			});
		}
	});
});
