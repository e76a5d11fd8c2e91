import { SolapiMock } from '../mocks/solapi';
import { solapiAuthorization } from '../../credentials/auth/solapi';

/** The signature SOLAPI's Authorization header carries for this secret, date and salt. */
const solapiSignature = (secret: string, date: string, salt: string): string =>
	/signature=([0-9a-f]+)$/.exec(solapiAuthorization('k', secret, date, salt))![1];

/** The mock's own checks, so integration tests can trust what it refuses and accepts. */

const mock = new SolapiMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

const KEY = 'NCSTESTKEY0000001';
const SECRET = 'test-api-secret-0123456789';
let saltCounter = 0;

function header(
	options: {
		key?: string;
		secret?: string;
		date?: string;
		salt?: string;
		names?: [string, string, string, string];
	} = {},
) {
	const date = options.date ?? new Date().toISOString();
	const salt = options.salt ?? `salt-${Date.now()}-${++saltCounter}`;
	const [k, d, s, g] = options.names ?? ['apiKey', 'date', 'salt', 'signature'];
	return `HMAC-SHA256 ${k}=${options.key ?? KEY}, ${d}=${date}, ${s}=${salt}, ${g}=${solapiSignature(options.secret ?? SECRET, date, salt)}`;
}

async function call(method: string, path: string, authorization: string, body?: unknown) {
	const response = await fetch(`${mock.baseUrl}${path}`, {
		method,
		headers: { Authorization: authorization, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return {
		status: response.status,
		body: (await response.json()) as Record<string, unknown>,
		headers: response.headers,
	};
}

describe('SOLAPI mock', () => {
	it('serves the balance to a well-signed request, field names in any case', async () => {
		expect(await call('GET', '/cash/v1/balance', header())).toMatchObject({
			status: 200,
			body: { balance: 10000 },
		});
		expect(
			(
				await call(
					'GET',
					'/cash/v1/balance',
					header({ names: ['ApiKey', 'Date', 'Salt', 'Signature'] }),
				)
			).status,
		).toBe(200);
	});

	it('answers each documented auth error with 403 {errorCode, errorMessage}', async () => {
		const codeOf = async (authorization: string) => {
			const r = await call('GET', '/cash/v1/balance', authorization);
			expect(r.status).toBe(403);
			expect(typeof r.body.errorMessage).toBe('string');
			return r.body.errorCode;
		};
		expect(await codeOf(header({ key: 'NCSUNKNOWN' }))).toBe('InvalidAPIKey');
		expect(await codeOf(header({ secret: 'other-secret' }))).toBe('SignatureDoesNotMatch');
		expect(await codeOf(header({ salt: 'short' }))).toBe('SignatureDoesNotMatch');
		expect(
			await codeOf(header({ date: new Date(Date.now() - 16 * 60 * 1000).toISOString() })),
		).toBe('RequestTimeTooSkewed');
		expect(
			await codeOf(header({ date: new Date(Date.now() + 16 * 60 * 1000).toISOString() })),
		).toBe('RequestTimeTooSkewed');
		const replayed = header();
		expect((await call('GET', '/cash/v1/balance', replayed)).status).toBe(200);
		expect(await codeOf(replayed)).toBe('DuplicatedSignature');
		expect(await codeOf('Bearer x')).toBe('InvalidAuthenticationInformation');
	});

	it('accepts a date 14 minutes off', async () => {
		expect(
			(
				await call(
					'GET',
					'/cash/v1/balance',
					header({ date: new Date(Date.now() - 14 * 60 * 1000).toISOString() }),
				)
			).status,
		).toBe(200);
	});

	it('checks the body shape and the 1,000-ID limit of both versions', async () => {
		mock.addGroup('GMOCK1', 'MA', 'MB');
		const v4 = '/messages/v4/groups/GMOCK1/messages';
		const legacy = '/GroupMessage/3/group/GMOCK1/deleteMessages';
		expect(await call('DELETE', v4, header(), { messages: [{ messageId: 'MA' }] })).toMatchObject({
			status: 400,
			body: { errorCode: 'ValidationError' },
		});
		expect(await call('POST', legacy, header(), { messageIds: ['MA'] })).toMatchObject({
			status: 400,
		});
		expect(await call('DELETE', v4, header(), { messageIds: [] })).toMatchObject({ status: 400 });
		const many = Array.from({ length: 1001 }, (_, i) => `MX${i}`);
		expect(await call('DELETE', v4, header(), { messageIds: many })).toMatchObject({
			status: 400,
			body: { errorMessage: expect.stringMatching(/1000/) },
		});
		expect(
			await call('DELETE', '/messages/v4/groups/GNONE/messages', header(), { messageIds: ['MA'] }),
		).toMatchObject({ status: 404, body: { errorCode: 'NotFound' } });
		expect(
			await call('POST', legacy, header(), {
				messages: [{ messageId: 'MA' }, { messageId: 'MZ' }],
			}),
		).toMatchObject({
			status: 200,
			body: {
				errorCount: 1,
				resultList: [
					{ messageId: 'MA', resultCode: 'Success' },
					{ messageId: 'MZ', resultCode: 'MessageNotFound' },
				],
			},
		});
		expect(await call('DELETE', v4, header(), { messageIds: ['MB'] })).toMatchObject({
			status: 200,
			body: { groupId: 'GMOCK1', errorCount: 0 },
		});
		expect([...mock.deleted]).toEqual(expect.arrayContaining(['MA', 'MB']));
	});

	it('answers InternalError once or always, and can leave IDs out', async () => {
		mock.addGroup('GMOCK2', 'M1', 'M2', 'M3');
		mock.internalErrorOnce.add('M1');
		mock.internalErrorAlways.add('M2');
		mock.leaveOut.add('M3');
		const path = '/messages/v4/groups/GMOCK2/messages';
		const first = await call('DELETE', path, header(), { messageIds: ['M1', 'M2', 'M3'] });
		expect(first.body.resultList).toEqual([
			{ messageId: 'M1', resultCode: 'InternalError' },
			{ messageId: 'M2', resultCode: 'InternalError' },
		]);
		expect(mock.deleted.has('M3')).toBe(true);
		const second = await call('DELETE', path, header(), { messageIds: ['M1', 'M2'] });
		expect(second.body.resultList).toEqual([
			{ messageId: 'M1', resultCode: 'Success' },
			{ messageId: 'M2', resultCode: 'InternalError' },
		]);
	});
});
