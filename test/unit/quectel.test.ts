import { QuectelAccountApi } from '../../credentials/QuectelAccountApi.credentials';
import {
	QuectelTokenApi,
	quectelCredentialTest,
} from '../../credentials/QuectelTokenApi.credentials';
import { QUECTEL_MAX_BATCH_SIZE, quectel } from '../../nodes/BatchDelete/providers/quectel';
import { chunk, reply, wire } from './listHelpers';
import { evaluateCredentialExpression } from '../support/credentialExpression';

/** The longest ID Quectel's delete takes, URL-encoded (the URL budget in quectel/delete.ts). */
const QUECTEL_MAX_ENCODED_ID_LENGTH = 64;

const ctx = (credentials: Record<string, string>) => ({
	params: {},
	credentialType: 'quectelAccountApi',
	credentials,
});
const outcomesOf = (verdict: ReturnType<typeof quectel.readResponse>) =>
	verdict.kind === 'outcomes' ? verdict.outcomes : new Map();

describe('Quectel request', () => {
	it('puts the IDs, comma-joined, in the msgIdList query of an empty-bodied POST to the region host', () => {
		const request = quectel.buildRequest(chunk('1001', '1002', '1003'), ctx({ region: 'china' }));
		expect(request).toEqual({
			method: 'POST',
			url: 'https://iot-api.quectelcn.com/v2/mobilepush/enduserapi/batchDeleteMsg',
			qs: { msgIdList: '1001,1002,1003' },
		});
		expect(quectel.buildRequest(chunk('1'), ctx({ region: 'europe' })).url).toBe(
			'https://iot-api.acceleronix.io/v2/mobilepush/enduserapi/batchDeleteMsg',
		);
		expect(quectel.buildRequest(chunk('1'), ctx({ region: 'us' })).url).toBe(
			'https://iot-api.quectelus.com/v2/mobilepush/enduserapi/batchDeleteMsg',
		);
		expect(
			quectel.buildRequest(chunk('1'), ctx({ region: 'custom', baseUrl: 'http://127.0.0.1:9//' }))
				.url,
		).toBe('http://127.0.0.1:9/v2/mobilepush/enduserapi/batchDeleteMsg');
		expect(() => quectel.buildRequest(chunk('1'), ctx({ region: 'custom', baseUrl: '' }))).toThrow(
			/No base URL/,
		);
	});

	it('never accepts an ID that would split or stretch the list', () => {
		expect(quectel.checkId('1718012345678901234')).toBeUndefined();
		expect(quectel.checkId('a,b')).toMatch(/comma/);
		expect(quectel.checkId('a b')).toMatch(/whitespace/);
		expect(quectel.checkId('a\u0000')).toMatch(/control/);
		expect(quectel.checkId('x'.repeat(QUECTEL_MAX_ENCODED_ID_LENGTH))).toBeUndefined();
		expect(quectel.checkId('x'.repeat(QUECTEL_MAX_ENCODED_ID_LENGTH + 1))).toMatch(
			/Longer than 64/,
		);
		// 22 characters, 66 once encoded.
		expect(quectel.checkId('é'.repeat(11))).toMatch(/URL-encoded/);
	});

	it('keeps a full batch of the longest IDs well under an 8 KB URL', () => {
		const ids = Array.from({ length: QUECTEL_MAX_BATCH_SIZE }, (_, i) =>
			`${i}`.padStart(QUECTEL_MAX_ENCODED_ID_LENGTH, 'x'),
		);
		const request = quectel.buildRequest(chunk(...ids), ctx({ region: 'europe' }));
		const url = `${request.url}?msgIdList=${(request.qs as { msgIdList: string }).msgIdList}`;
		expect(url.length).toBeLessThan(7 * 1024);
		expect(quectel.maxBatchSize).toBe(QUECTEL_MAX_BATCH_SIZE);
		expect(quectel.defaultBatchSize).toBeLessThanOrEqual(quectel.maxBatchSize);
	});

	it('logs in again only with the account credential', () => {
		expect(quectel.credentials.find((c) => c.name === 'quectelAccountApi')?.tokenProperty).toBe(
			'accessToken',
		);
		expect(
			quectel.credentials.find((c) => c.name === 'quectelTokenApi')?.tokenProperty,
		).toBeUndefined();
	});
});

describe('Quectel answer', () => {
	const sent = chunk('m1', 'm2', 'm3', 'm4', 'left-out');

	it('maps successList to deleted and failureList per ID', () => {
		for (const code of [200, 0, '200']) {
			const outcomes = outcomesOf(
				quectel.readResponse(
					sent,
					reply(200, {
						code,
						msg: '',
						extMsg: '',
						data: {
							successList: [{ id: 'm1' }, { id: 'never-sent' }],
							failureList: [
								{ id: 'm2', failureMsg: 'Message does not exist' },
								{ id: 'm3', failureMsg: 'Message is being pushed and cannot be deleted' },
								{ id: 'm4', failureMsg: '消息不存在' },
							],
						},
					}),
				),
			);
			expect(outcomes.get('m1')).toEqual({ status: 'deleted' });
			expect(outcomes.get('m2')).toMatchObject({
				status: 'notFound',
				message: 'Message does not exist',
			});
			expect(outcomes.get('m3')).toMatchObject({
				status: 'rejected',
				code: 'DELETE_FAILED',
				message: 'Message is being pushed and cannot be deleted',
			});
			expect(outcomes.get('m4')?.status).toBe('notFound');
			expect(outcomes.has('left-out')).toBe(false);
			expect(outcomes.has('never-sent')).toBe(false);
		}
	});

	it('accepts numeric IDs and never lets a listed failure become a success', () => {
		const outcomes = outcomesOf(
			quectel.readResponse(
				chunk('7', '8'),
				reply(200, {
					code: 200,
					data: {
						successList: [{ id: 7 }, { id: 8 }],
						failureList: [{ id: 8, failureMsg: 'busy' }],
					},
				}),
			),
		);
		expect(outcomes.get('7')).toEqual({ status: 'deleted' });
		expect(outcomes.get('8')?.status).toBe('rejected');
	});

	it('reads IDs above 2^53 digit for digit: a rounded neighbour is never confirmed', () => {
		// JSON.parse reads both as 12345678901234567000: only the one the answer names is deleted.
		const outcomes = outcomesOf(
			quectel.readResponse(
				chunk('12345678901234567050', '12345678901234567000'),
				wire(200, '{"code":200,"data":{"successList":[{"id":12345678901234567050}]}}'),
			),
		);
		expect(outcomes.get('12345678901234567050')).toEqual({ status: 'deleted' });
		expect(outcomes.has('12345678901234567000')).toBe(false);
	});

	it.each([5032, 5106])('asks for a new token on %d', (code) => {
		const verdict = quectel.readResponse(
			sent,
			reply(200, {
				code,
				msg: code === 5032 ? 'Token verification failed' : 'Please enter token',
				data: null,
			}),
		);
		expect(verdict).toMatchObject({ kind: 'reauth', code: String(code) });
		expect(verdict.kind === 'reauth' && verdict.message).toMatch(/expire after about 2 hours/);
	});

	it('fails the batch as forbidden on 5041', () => {
		expect(quectel.readResponse(sent, reply(200, { code: 5041, msg: 'No permission' }))).toEqual({
			kind: 'failBatch',
			status: 'forbidden',
			code: '5041',
			message: 'No permission',
		});
	});

	it('reads 5538 as not found for a lone ID, and halves a batch to find which one', () => {
		expect(
			outcomesOf(
				quectel.readResponse(
					chunk('m9'),
					reply(200, { code: 5538, msg: 'Message does not exist' }),
				),
			).get('m9'),
		).toMatchObject({ status: 'notFound', code: '5538' });
		expect(
			quectel.readResponse(sent, reply(200, { code: 5538, msg: 'Message does not exist' })),
		).toMatchObject({ kind: 'failBatch', status: 'unknown', splittable: true });
	});

	it('rejects the batch on other codes, with the provider message', () => {
		expect(
			quectel.readResponse(
				sent,
				reply(200, { code: 4000, msg: 'msgIdList is required', extMsg: 'detail' }),
			),
		).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: '4000',
			message: 'msgIdList is required: detail',
		});
	});

	it('treats a success code it cannot read as unknown, never as deleted', () => {
		expect(quectel.readResponse(sent, reply(200, { code: 200, data: null }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
		expect(
			quectel.readResponse(sent, reply(200, { code: 200, data: { successList: 'all' } })),
		).toMatchObject({ kind: 'failBatch', status: 'unknown' });
		expect(quectel.readResponse(sent, reply(200, undefined))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
		expect(quectel.readResponse(sent, reply(200, { msg: 'no code' }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
	});

	it('handles what a gateway in front may answer', () => {
		expect(quectel.readResponse(sent, reply(414, '<html>'))).toMatchObject({
			kind: 'failBatch',
			status: 'rejected',
			splittable: true,
		});
		expect(quectel.readResponse(sent, reply(429, {}, { 'retry-after': '3' }))).toMatchObject({
			kind: 'retry',
			retryAfterMs: 3000,
		});
		expect(quectel.readResponse(sent, reply(502, {}))).toMatchObject({
			kind: 'retry',
			maybeApplied: true,
		});
		expect(quectel.readResponse(sent, reply(401, {}))).toMatchObject({ kind: 'reauth' });
		expect(quectel.readResponse(sent, reply(404, {}))).toMatchObject({
			kind: 'stopRun',
			reason: 'config',
		});
		// A 400 names no ID: the batch is halved to find the IDs it objects to.
		expect(quectel.readResponse(sent, reply(400, {}))).toMatchObject({
			kind: 'failBatch',
			status: 'rejected',
			code: 'HTTP_400',
			splittable: true,
		});
	});
});

describe('Quectel credentials', () => {
	const evaluate = evaluateCredentialExpression;

	it('tests against the same host the node deletes on, for every region', () => {
		const baseURL = String(quectelCredentialTest.request.baseURL);
		for (const region of ['china', 'europe', 'us']) {
			const deleteUrl = String(quectel.buildRequest(chunk('1'), ctx({ region })).url);
			expect(deleteUrl.startsWith(String(evaluate(baseURL, { region })))).toBe(true);
		}
		expect(evaluate(baseURL, { region: 'custom', baseUrl: 'http://127.0.0.1:9/' })).toBe(
			'http://127.0.0.1:9',
		);
	});

	it('sends the token exactly as login returned it, and hides the stored one', () => {
		for (const type of [new QuectelTokenApi(), new QuectelAccountApi()]) {
			expect(type.authenticate).toEqual({
				type: 'generic',
				properties: { headers: { Authorization: '={{$credentials.accessToken}}' } },
			});
			expect(type.test.rules?.map((r) => r.properties.value)).toEqual(
				expect.arrayContaining([5032, 5106]),
			);
		}
		const hidden = new QuectelAccountApi().properties.find((p) => p.name === 'accessToken');
		expect(hidden).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
		});
		expect(
			new QuectelAccountApi().properties.find((p) => p.name === 'domainSecret')?.typeOptions,
		).toEqual({ password: true });
	});
});
