import { huaweiCloudSms, projectIdOf } from '../../nodes/BatchDelete/providers/huaweiCloudSms';
import { chunk, reader, reply } from './listHelpers';

const PROJECT = '0123456789abcdef0123456789abcdef';
const bindHuaweiCredential = huaweiCloudSms.bindCredential!;
const iam = (extra: Record<string, unknown> = {}) => ({
	credentialType: 'huaweiCloudIamApi',
	credentials: { projectScope: 'id', project: PROJECT, ...extra },
});
const aksk = {
	credentialType: 'huaweiCloudAkSkApi',
	credentials: { accessKey: 'AK', secretKey: 'SK', projectId: PROJECT },
};

describe('Huawei Cloud SMS parameters', () => {
	it('reads a documented region or a custom URL', () => {
		expect(huaweiCloudSms.readParameters(reader({}), 0)).toEqual({
			endpoint: 'https://msgsms.cn-north-4.myhuaweicloud.com',
		});
		expect(huaweiCloudSms.readParameters(reader({ huaweiCloudRegion: 'eu-west-101' }), 0)).toEqual({
			endpoint: 'https://msgsms.eu-west-101.myhuaweicloud.eu',
		});
		// "Custom": the host comes from the credential; an Endpoint URL left on the node is kept to
		// be compared with it.
		expect(huaweiCloudSms.readParameters(reader({ huaweiCloudRegion: 'custom' }), 0)).toEqual({
			endpoint: '',
			custom: true,
		});
		expect(
			huaweiCloudSms.readParameters(
				reader({ huaweiCloudRegion: 'custom', huaweiCloudEndpoint: ' http://127.0.0.1:9/ ' }),
				0,
			),
		).toEqual({ endpoint: '', custom: true, nodeEndpoint: 'http://127.0.0.1:9' });
		expect(() =>
			huaweiCloudSms.readParameters(
				reader({ huaweiCloudRegion: 'custom', huaweiCloudEndpoint: 'msgsms' }),
				0,
			),
		).toThrow(/^Endpoint URL is not a URL/);
		// Per item only a documented region: never a host, never an inherited property.
		for (const region of [
			'mars-1',
			'__proto__',
			'constructor',
			'toString',
			'https://evil.example',
			'msgsms.cn-north-4.myhuaweicloud.com',
		])
			expect(() => huaweiCloudSms.readParameters(reader({ huaweiCloudRegion: region }), 0)).toThrow(
				/^Region must be one of ap-southeast-1|Region must be one of cn-north-4/,
			);
	});

	it('binds "Custom" to the credential\'s own endpoint, and refuses any other host', () => {
		const custom = { endpoint: '', custom: true as const };
		const own = { endpointUrl: 'https://sms-proxy.example.com/' };
		expect(bindHuaweiCredential(custom, own)).toEqual({
			endpoint: 'https://sms-proxy.example.com',
		});
		expect(() => bindHuaweiCredential(custom, {})).toThrow(/set "Custom Endpoint URL" in the/);
		// An Endpoint URL still on the node must be the credential's.
		expect(
			bindHuaweiCredential({ ...custom, nodeEndpoint: 'https://sms-proxy.example.com' }, own),
		).toEqual({ endpoint: 'https://sms-proxy.example.com' });
		expect(() =>
			bindHuaweiCredential({ ...custom, nodeEndpoint: 'https://evil.example' }, own),
		).toThrow(/\(https:\/\/evil\.example\) is not the credential's Custom Endpoint URL/);
		// Look-alikes in the credential itself are refused: the host shown must be the host used.
		for (const endpointUrl of [
			'https://msgsms.cn-north-4.myhuaweicloud.com@evil.example',
			'https://evil.example#@msgsms.cn-north-4.myhuaweicloud.com',
			'https://evil.example?@msgsms.cn-north-4.myhuaweicloud.com',
			'ftp://msgsms.example.com',
		])
			expect(() => bindHuaweiCredential(custom, { endpointUrl })).toThrow(
				/may not hold a user name|must be an http/,
			);
		// The credential's Allowed HTTP Request Domains apply to a documented region too.
		const region = { endpoint: 'https://msgsms.ap-southeast-1.myhuaweicloud.com' };
		const only = {
			allowedHttpRequestDomains: 'domains',
			allowedDomains: 'msgsms.cn-north-4.myhuaweicloud.com',
		};
		expect(() => bindHuaweiCredential(region, only)).toThrow(/not in the credential's Allowed/);
		expect(
			bindHuaweiCredential({ endpoint: 'https://msgsms.cn-north-4.myhuaweicloud.com' }, only),
		).toEqual({ endpoint: 'https://msgsms.cn-north-4.myhuaweicloud.com' });
	});

	it("reads the node's Project ID only for the IAM credential", () => {
		expect(
			huaweiCloudSms.readParameters(reader({ huaweiCloudProjectId: ` ${PROJECT} ` }), 0),
		).toMatchObject({ projectId: PROJECT });
		expect(
			huaweiCloudSms.readParameters(
				reader({ huaweiCloudAuthentication: 'akSk', huaweiCloudProjectId: PROJECT }),
				0,
			),
		).not.toHaveProperty('projectId');
		expect(() => huaweiCloudSms.readParameters(reader({ huaweiCloudProjectId: 'a/b' }), 0)).toThrow(
			/^Project ID may only hold/,
		);
	});

	it('takes the project from the AK/SK credential, the node, or an IAM credential scoped by ID', () => {
		expect(projectIdOf({ endpoint: 'x' }, aksk.credentialType, aksk.credentials)).toBe(PROJECT);
		expect(
			projectIdOf(
				{ endpoint: 'x', projectId: 'node-project' },
				aksk.credentialType,
				aksk.credentials,
			),
		).toBe(PROJECT);
		expect(() => projectIdOf({ endpoint: 'x' }, aksk.credentialType, { projectId: '' })).toThrow(
			/AK\/SK credential needs a project ID/,
		);
		expect(projectIdOf({ endpoint: 'x' }, 'huaweiCloudIamApi', iam().credentials)).toBe(PROJECT);
		expect(
			projectIdOf({ endpoint: 'x', projectId: 'abc' }, 'huaweiCloudIamApi', iam().credentials),
		).toBe('abc');
		expect(() =>
			projectIdOf({ endpoint: 'x' }, 'huaweiCloudIamApi', {
				projectScope: 'name',
				project: 'cn-north-4',
			}),
		).toThrow(/^Project ID is required/);
	});

	it('refuses template IDs over 64 characters or with whitespace', () => {
		expect(huaweiCloudSms.checkId('460a2427-37eb-4229-bee9-0eba4d8a897f')).toBeUndefined();
		expect(huaweiCloudSms.checkId('x'.repeat(64))).toBeUndefined();
		expect(huaweiCloudSms.checkId('x'.repeat(65))).toMatch(/Longer than 64/);
		expect(huaweiCloudSms.checkId('模'.repeat(64))).toBeUndefined();
		expect(huaweiCloudSms.checkId('a b')).toMatch(/whitespace/);
	});

	it('declares both credentials, the IAM one with its token field, and 50 IDs per request', () => {
		expect(huaweiCloudSms.credentials).toEqual([
			expect.objectContaining({
				name: 'huaweiCloudIamApi',
				value: 'iamToken',
				tokenProperty: 'authToken',
			}),
			expect.objectContaining({ name: 'huaweiCloudAkSkApi', value: 'akSk' }),
		]);
		expect(huaweiCloudSms.credentials[1].tokenProperty).toBeUndefined();
		expect(huaweiCloudSms.maxBatchSize).toBe(50);
	});
});

describe('Huawei Cloud SMS request', () => {
	it('posts {ids} with the documented Content-Type to the project path', () => {
		const params = { endpoint: 'https://msgsms.cn-north-4.myhuaweicloud.com' };
		expect(huaweiCloudSms.buildRequest(chunk('t1', 't2'), { params, ...aksk })).toEqual({
			method: 'POST',
			url: `https://msgsms.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/msgsms/templates/batch-delete`,
			headers: { 'Content-Type': 'application/json;charset=utf8' },
			body: { ids: ['t1', 't2'] },
		});
		expect(() =>
			huaweiCloudSms.buildRequest(chunk('t1'), {
				params,
				credentialType: 'huaweiCloudIamApi',
				credentials: { projectScope: 'name', project: 'cn-north-4' },
			}),
		).toThrow(/Project ID is required/);
	});
});

describe('Huawei Cloud SMS answer', () => {
	const sent = chunk('t-ok', 't-gone', 't-busy', 't-left-out');

	it("maps the API document's example: success_ids deleted, 'does not EXIST' not found", () => {
		const verdict = huaweiCloudSms.readResponse(
			chunk('******27-37eb-4229-bee9-0eba4d8a897f', '******fe-8c9d-4cd2-9402-cd2fef488782'),
			reply(200, {
				success_count: 1,
				success_ids: ['******27-37eb-4229-bee9-0eba4d8a897f'],
				failed_count: 1,
				failed_template_list: [
					{
						id: '******fe-8c9d-4cd2-9402-cd2fef488782',
						error_msg: 'Message Template Info does not EXIST',
					},
				],
			}),
		);
		expect(verdict).toEqual({
			kind: 'outcomes',
			outcomes: new Map([
				['******27-37eb-4229-bee9-0eba4d8a897f', { status: 'deleted' }],
				[
					'******fe-8c9d-4cd2-9402-cd2fef488782',
					{
						status: 'notFound',
						code: 'TEMPLATE_NOT_FOUND',
						message: 'Message Template Info does not EXIST',
					},
				],
			]),
		});
	});

	it('rejects with the reason other failures give; IDs left out stay unknown', () => {
		const verdict = huaweiCloudSms.readResponse(
			sent,
			reply(200, {
				success_count: 1,
				success_ids: ['t-ok', 'never-sent'],
				failed_count: 3,
				failed_template_list: [
					{ id: 't-gone', error_msg: 'template not found' },
					{ id: 't-busy', error_msg: 'The template is in use' },
					{ broken: true },
				],
			}),
		);
		const outcomes = verdict.kind === 'outcomes' ? verdict.outcomes : new Map();
		expect(outcomes.get('t-ok')).toEqual({ status: 'deleted' });
		expect(outcomes.get('t-gone')?.status).toBe('notFound');
		expect(outcomes.get('t-busy')).toEqual({
			status: 'rejected',
			code: 'DELETE_FAILED',
			message: 'The template is in use',
		});
		expect(outcomes.has('t-left-out')).toBe(false);
		expect(outcomes.has('never-sent')).toBe(false);
	});

	it('reads not found only where the answer says this template does not exist, not its project', () => {
		// A one-ID 400 whose text says something else does not exist (a project) is a rejection.
		expect(
			huaweiCloudSms.readResponse(
				chunk('t1'),
				reply(400, { error_code: 'MSGSMS.0002', error_msg: 'The project does not exist' }),
			),
		).toMatchObject({ kind: 'failBatch', status: 'rejected', code: 'MSGSMS.0002' });
		expect(
			huaweiCloudSms.readResponse(
				chunk('t1'),
				reply(400, { error_code: 'APIG.0101', error_msg: 'Resource not found' }),
			),
		).toMatchObject({ kind: 'failBatch', status: 'rejected' });
		const verdict = huaweiCloudSms.readResponse(
			sent,
			reply(200, {
				success_ids: [],
				failed_template_list: [
					{ id: 't-ok', error_msg: 'project not exist' },
					{ id: 't-gone', error_msg: 'Message Template Info does not EXIST' },
				],
			}),
		);
		const outcomes = verdict.kind === 'outcomes' ? verdict.outcomes : new Map();
		expect(outcomes.get('t-ok')).toMatchObject({ status: 'rejected', code: 'DELETE_FAILED' });
		expect(outcomes.get('t-gone')).toMatchObject({ status: 'notFound' });
	});

	it('treats a 200 it cannot read as unknown, never as deleted', () => {
		expect(huaweiCloudSms.readResponse(sent, reply(200, undefined))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
			code: 'MALFORMED_RESPONSE',
		});
		expect(huaweiCloudSms.readResponse(sent, reply(200, { success_ids: 'all' }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
	});

	it('halves a multi-ID batch refused with 400, whatever the code, and never calls the batch not found', () => {
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(400, {
					error_code: 'MSGSMS.0002',
					error_msg: 'bad request',
					error_detail: 'ids invalid',
				}),
			),
		).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: 'MSGSMS.0002',
			message: 'bad request: ids invalid',
			splittable: true,
		});
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(400, { error_code: 'MSGSMS.0009', error_msg: 'template t-gone not exist' }),
			),
		).toMatchObject({
			status: 'rejected',
			splittable: true,
		});
	});

	it('reads a 400 about a single ID: not found for MSGSMS.0009, else rejected', () => {
		expect(
			huaweiCloudSms.readResponse(
				chunk('t1'),
				reply(400, {
					error_code: 'MSGSMS.0009',
					error_msg: 'Message Template Info does not EXIST',
				}),
			),
		).toEqual({
			kind: 'failBatch',
			status: 'notFound',
			code: 'MSGSMS.0009',
			message: 'Message Template Info does not EXIST',
		});
		expect(
			huaweiCloudSms.readResponse(
				chunk('t1'),
				reply(400, { error_code: 'MSGSMS.0002', error_msg: 'invalid' }),
			),
		).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: 'MSGSMS.0002',
			message: 'invalid',
		});
	});

	it('asks for a new token on 401 APIG.0301', () => {
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(401, {
					error_code: 'APIG.0301',
					error_msg: 'Incorrect IAM authentication information: token expires',
				}),
			),
		).toEqual({
			kind: 'reauth',
			code: 'APIG.0301',
			message: 'Incorrect IAM authentication information: token expires',
		});
		expect(huaweiCloudSms.readResponse(sent, reply(401, ''))).toMatchObject({
			kind: 'reauth',
			code: 'HTTP_401',
		});
	});

	it('retries 429 APIG.0308 and 5xx', () => {
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(
					429,
					{ error_code: 'APIG.0308', error_msg: 'The request is throttled.' },
					{ 'retry-after': '2' },
				),
			),
		).toEqual({
			kind: 'retry',
			code: 'APIG.0308',
			message: 'The request is throttled.',
			retryAfterMs: 2000,
			throttled: true,
		});
		expect(huaweiCloudSms.readResponse(sent, reply(429, {}))).toMatchObject({
			kind: 'retry',
			code: 'RATE_LIMITED',
			throttled: true,
		});
		// A failure is not a throttle: Auto concurrency does not back off for it.
		expect(
			huaweiCloudSms.readResponse(sent, reply(500, { error_code: 'MSGSMS.9999' })),
		).not.toHaveProperty('throttled');
		expect(
			huaweiCloudSms.readResponse(sent, reply(500, { error_code: 'MSGSMS.9999' })),
		).toMatchObject({ kind: 'retry', maybeApplied: true, code: 'MSGSMS.9999' });
	});

	it('stops on 403 (no permission); a 404 or APIG.0101 on the batch path asks for the single delete', () => {
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(403, { error_code: 'APIG.0302', error_msg: 'not authorized' }),
			),
		).toMatchObject({ kind: 'stopRun', reason: 'auth', code: 'APIG.0302' });
		expect(huaweiCloudSms.readResponse(sent, reply(404, 'Not Found'))).toMatchObject({
			kind: 'useFallback',
			code: 'HTTP_404',
		});
		expect(
			huaweiCloudSms.readResponse(
				sent,
				reply(404, { error_code: 'APIG.0101', error_msg: 'The API does not exist' }),
			),
		).toEqual({ kind: 'useFallback', code: 'APIG.0101', message: 'The API does not exist' });
	});

	describe('the single delete (fallback)', () => {
		const single = huaweiCloudSms.fallback!;
		const one = chunk('tpl-1');
		const ctx = { params: { endpoint: 'https://msgsms.example.com' }, ...aksk };

		it('sends DELETE …/templates/{template_id}, the ID percent-encoded, one ID per request', () => {
			expect(single.maxBatchSize).toBe(1);
			expect(single.buildRequest(chunk('a b/c'), ctx)).toEqual({
				method: 'DELETE',
				url: `https://msgsms.example.com/v2/${PROJECT}/msgsms/templates/a%20b%2Fc`,
				headers: { 'Content-Type': 'application/json;charset=utf8' },
			});
			expect(() => single.buildRequest(chunk('a', 'b'), ctx)).toThrow(/one ID/);
		});

		it('reads 200 and 204 as deleted, MSGSMS.0009 as not found, a missing path as a stop', () => {
			for (const status of [200, 204])
				expect(single.readResponse(one, reply(status, ''))).toEqual({
					kind: 'outcomes',
					outcomes: new Map([['tpl-1', { status: 'deleted' }]]),
				});
			for (const status of [400, 404])
				expect(
					single.readResponse(
						one,
						reply(status, {
							error_code: 'MSGSMS.0009',
							error_msg: 'Message Template Info does not EXIST',
						}),
					),
				).toMatchObject({ kind: 'failBatch', status: 'notFound', code: 'MSGSMS.0009' });
			expect(
				single.readResponse(
					one,
					reply(404, { error_code: 'APIG.0101', error_msg: 'The API does not exist' }),
				),
			).toMatchObject({ kind: 'stopRun', reason: 'config', code: 'APIG.0101' });
			expect(single.readResponse(one, reply(404, 'Not Found'))).toMatchObject({
				kind: 'stopRun',
				code: 'ENDPOINT_NOT_FOUND',
			});
			expect(single.readResponse(one, reply(401, { error_code: 'APIG.0301' }))).toMatchObject({
				kind: 'reauth',
			});
		});
	});

	it('fails the batch on any other status', () => {
		expect(
			huaweiCloudSms.readResponse(sent, reply(409, { error: { code: 'X', message: 'conflict' } })),
		).toMatchObject({ kind: 'failBatch', status: 'error', code: 'X', message: 'conflict' });
	});
});
