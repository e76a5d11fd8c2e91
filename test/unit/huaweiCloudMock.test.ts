import { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import { signRequest } from '../../credentials/auth/huaweiCloudSigner';

/** The mock's own checks, so integration tests can trust what it refuses and accepts. */

const mock = new HuaweiCloudSmsMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

const PROJECT = '0123456789abcdef0123456789abcdef';
const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'exampleSecretKey0123456789abcdefghijklmn';
const CT = 'application/json;charset=utf8';
const path = `/v2/${PROJECT}/msgsms/templates/batch-delete`;

async function send(method: string, url: string, headers: Record<string, string>, body?: string) {
	// fetch sets Host itself; the signed one must match it, which it does for 127.0.0.1:port.
	const { host: _host, ...rest } = headers;
	const response = await fetch(url, { method, headers: rest, body });
	const text = await response.text();
	return {
		status: response.status,
		headers: response.headers,
		body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>),
	};
}

async function signed(
	ids: unknown,
	options: {
		secret?: string;
		date?: Date;
		contentType?: string;
		tamper?: (b: string) => string;
	} = {},
) {
	const body = JSON.stringify({ ids });
	const url = `${mock.baseUrl}${path}`;
	const s = signRequest(
		{ method: 'POST', url, headers: { 'Content-Type': options.contentType ?? CT }, body },
		AK,
		options.secret ?? SK,
		options.date ?? new Date(),
	);
	return await send('POST', url, s.headers, options.tamper ? options.tamper(body) : body);
}

async function token(
	password = 'Correct-Horse-9',
	scope: Record<string, string> = { name: 'cn-north-4' },
) {
	return await send(
		'POST',
		`${mock.baseUrl}/v3/auth/tokens`,
		{ 'Content-Type': 'application/json' },
		JSON.stringify({
			auth: {
				identity: {
					methods: ['password'],
					password: { user: { name: 'sms-admin', password, domain: { name: 'example-account' } } },
				},
				scope: { project: scope },
			},
		}),
	);
}

describe('Huawei Cloud mock: IAM', () => {
	it('issues a token in X-Subject-Token with 201 for the right password, by project name or ID', async () => {
		const byName = await token();
		expect(byName.status).toBe(201);
		expect(byName.headers.get('x-subject-token')).toMatch(/^MIIT/);
		expect(byName.body?.token.project).toEqual({ id: PROJECT, name: 'cn-north-4' });
		expect((await token(undefined, { id: PROJECT })).status).toBe(201);
		expect((await token('wrong')).status).toBe(401);
		expect((await token(undefined, { name: 'cn-north-4', id: PROJECT })).status).toBe(400);
	});

	it('accepts its token on the MSGSMS side until it expires', async () => {
		mock.addTemplates(PROJECT, 'tok-1', 'tok-2');
		const t = (await token()).headers.get('x-subject-token')!;
		const call = async (id: string) =>
			await send(
				'POST',
				`${mock.baseUrl}${path}`,
				{ 'X-Auth-Token': t, 'Content-Type': CT },
				JSON.stringify({ ids: [id] }),
			);
		expect(await call('tok-1')).toMatchObject({ status: 200, body: { success_ids: ['tok-1'] } });
		mock.expireAllTokens();
		expect(await call('tok-2')).toMatchObject({ status: 401, body: { error_code: 'APIG.0301' } });
	});
});

describe('Huawei Cloud mock: AK/SK and the batch-delete contract', () => {
	it('accepts a request signed as the SDK signs it', async () => {
		mock.addTemplates(PROJECT, 'sig-1');
		expect(await signed(['sig-1', 'sig-missing'])).toMatchObject({
			status: 200,
			body: {
				success_count: 1,
				success_ids: ['sig-1'],
				failed_count: 1,
				failed_template_list: [
					{ id: 'sig-missing', error_msg: 'Message Template Info does not EXIST' },
				],
			},
		});
	});

	it('refuses a wrong secret, a changed body and a stale date with 401 APIG.0301', async () => {
		expect((await signed(['x'], { secret: 'wrong' })).body?.error_msg).toMatch(
			/verify aksk signature fail/,
		);
		expect((await signed(['x'], { tamper: (b) => b.replace('x', 'y') })).body?.error_msg).toMatch(
			/verify aksk signature fail/,
		);
		const stale = await signed(['x'], { date: new Date(Date.now() - 20 * 60 * 1000) });
		expect(stale).toMatchObject({
			status: 401,
			body: { error_code: 'APIG.0301', error_msg: expect.stringMatching(/x-sdk-date expired/) },
		});
	});

	it('enforces the Content-Type, 1–50 IDs, 64 characters each and the body shape', async () => {
		expect(await signed(['x'], { contentType: 'application/json' })).toMatchObject({
			status: 400,
			body: { error_code: 'MSGSMS.0002' },
		});
		expect((await signed([])).status).toBe(400);
		expect((await signed(Array.from({ length: 51 }, (_, i) => `t${i}`))).status).toBe(400);
		expect((await signed(['x'.repeat(65)])).status).toBe(400);
		expect((await signed('x')).status).toBe(400);
		expect((await signed(Array.from({ length: 50 }, (_, i) => `t${i}`))).status).toBe(200);
		expect((await signed(['y'.repeat(64)])).status).toBe(200);
	});
});
