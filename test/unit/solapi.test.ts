import { solapi, solapiBaseUrl } from '../../nodes/BatchDelete/providers/solapi';
import { chunk, reader, reply } from './listHelpers';

const params = (
	groupId = 'G4V20190607105937H3OMPD4ONLWZ2UY',
	apiVersion: 'v4' | 'legacy' = 'v4',
) => ({ groupId, apiVersion });
const ctx = (p = params(), baseUrl = 'https://api.solapi.com') => ({
	params: p,
	credentialType: 'solapiApi',
	credentials: { apiKey: 'k', apiSecret: 's', baseUrl },
});

describe('SOLAPI parameters', () => {
	it('reads the group ID and the API version', () => {
		expect(
			solapi.readParameters(reader({ solapiGroupId: ' G4V2019 ', solapiApiVersion: 'legacy' }), 0),
		).toEqual({ groupId: 'G4V2019', apiVersion: 'legacy' });
		expect(solapi.readParameters(reader({ solapiGroupId: 'G1' }), 0)).toEqual({
			groupId: 'G1',
			apiVersion: 'v4',
		});
	});

	it('names the Group ID parameter when it is empty or malformed', () => {
		expect(() => solapi.readParameters(reader({ solapiGroupId: '' }), 0)).toThrow(
			/^Group ID is required/,
		);
		expect(() => solapi.readParameters(reader({}), 0)).toThrow(/^Group ID is required/);
		expect(() => solapi.readParameters(reader({ solapiGroupId: 'G1/../x' }), 0)).toThrow(
			/^Group ID may only hold/,
		);
		expect(() => solapi.readParameters(reader({ solapiGroupId: 42 }), 0)).toThrow(
			/^Group ID must be text/,
		);
		expect(() =>
			solapi.readParameters(reader({ solapiGroupId: 'G1', solapiApiVersion: 'v3' }), 0),
		).toThrow(/API Version/);
	});

	it('shows its two parameters, Group ID required', () => {
		expect(solapi.properties.map((p) => [p.name, p.required ?? false])).toEqual([
			['solapiGroupId', true],
			['solapiApiVersion', false],
		]);
	});

	it('refuses IDs that cannot be message IDs', () => {
		expect(solapi.checkId('M4V20180307110044DHSIERPNQNFGGWL')).toBeUndefined();
		expect(solapi.checkId('x'.repeat(129))).toMatch(/Longer than 128/);
		expect(solapi.checkId('M4V 1')).toMatch(/whitespace/);
	});
});

describe('SOLAPI request', () => {
	it('v4: DELETE with {messageIds} on api.solapi.com', () => {
		expect(solapi.buildRequest(chunk('M1', 'M2'), ctx())).toEqual({
			method: 'DELETE',
			url: 'https://api.solapi.com/messages/v4/groups/G4V20190607105937H3OMPD4ONLWZ2UY/messages',
			headers: { 'Content-Type': 'application/json' },
			body: { messageIds: ['M1', 'M2'] },
		});
	});

	it('legacy: POST with {messages:[{messageId}]} on solapi.com, as its API document describes', () => {
		expect(solapi.buildRequest(chunk('M1', 'M2'), ctx(params('G1', 'legacy')))).toEqual({
			method: 'POST',
			url: 'https://solapi.com/GroupMessage/3/group/G1/deleteMessages',
			headers: { 'Content-Type': 'application/json' },
			body: { messages: [{ messageId: 'M1' }, { messageId: 'M2' }] },
		});
	});

	it('sends both versions to a custom base URL as given', () => {
		expect(
			solapi.buildRequest(chunk('M1'), ctx(params('G1', 'legacy'), 'http://127.0.0.1:9/')),
		).toMatchObject({
			url: 'http://127.0.0.1:9/GroupMessage/3/group/G1/deleteMessages',
		});
		expect(
			solapi.buildRequest(chunk('M1'), ctx(params('G1', 'v4'), 'http://127.0.0.1:9')),
		).toMatchObject({ url: 'http://127.0.0.1:9/messages/v4/groups/G1/messages' });
		expect(solapiBaseUrl({}, 'legacy')).toBe('https://solapi.com');
		expect(solapiBaseUrl({ baseUrl: 'https://API.solapi.com/' }, 'legacy')).toBe(
			'https://solapi.com',
		);
		expect(solapiBaseUrl({ baseUrl: '' }, 'v4')).toBe('https://api.solapi.com');
	});

	it('allows 1,000 IDs per request', () => {
		expect(solapi.maxBatchSize).toBe(1000);
		expect(solapi.defaultBatchSize).toBe(1000);
	});
});

describe('SOLAPI answer', () => {
	const sent = chunk('M-ok', 'M-gone', 'M-err', 'M-odd', 'M-left-out');

	it('maps every resultCode; an ID left out stays unknown', () => {
		const verdict = solapi.readResponse(
			sent,
			reply(200, {
				groupId: 'G1',
				errorCount: 3,
				resultList: [
					{ messageId: 'M-ok', resultCode: 'Success' },
					{ messageId: 'M-gone', resultCode: 'MessageNotFound' },
					{ messageId: 'M-err', resultCode: 'InternalError' },
					{ messageId: 'M-odd', resultCode: 'SomethingNew', resultMessage: 'new reason' },
					{ messageId: 'never-sent', resultCode: 'Success' },
					{ messageId: 42 },
				],
			}),
		);
		expect(verdict.kind).toBe('outcomes');
		const outcomes = verdict.kind === 'outcomes' ? verdict.outcomes : new Map();
		expect(outcomes.get('M-ok')).toEqual({ status: 'deleted' });
		expect(outcomes.get('M-gone')).toMatchObject({ status: 'notFound', code: 'MessageNotFound' });
		// An internal error or a code this node does not know may follow the delete: unknown, not error.
		expect(outcomes.get('M-err')).toMatchObject({
			status: 'unknown',
			code: 'InternalError',
			retryAlone: true,
		});
		expect(outcomes.get('M-odd')).toMatchObject({
			status: 'unknown',
			code: 'SomethingNew',
			message:
				'new reason (a result this node does not know, so whether it was deleted is unknown)',
		});
		expect(outcomes.has('M-left-out')).toBe(false);
		expect(outcomes.has('never-sent')).toBe(false);
		expect(outcomes.size).toBe(4);
	});

	it("reads the legacy answer (the API document's sample)", () => {
		const verdict = solapi.readResponse(
			chunk('MID1234567890'),
			reply(200, {
				errorCount: 0,
				resultList: [{ messageId: 'MID1234567890', resultCode: 'Success' }],
			}),
		);
		expect(verdict).toEqual({
			kind: 'outcomes',
			outcomes: new Map([['MID1234567890', { status: 'deleted' }]]),
		});
	});

	it('treats a 200 it cannot read as unknown, never as deleted', () => {
		expect(solapi.readResponse(sent, reply(200, undefined))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
			code: 'MALFORMED_RESPONSE',
		});
		expect(solapi.readResponse(sent, reply(200, { resultList: 'all' }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
	});

	it('stops the run on a wrong key or signature', () => {
		for (const code of ['InvalidAPIKey', 'SignatureDoesNotMatch']) {
			expect(
				solapi.readResponse(sent, reply(403, { errorCode: code, errorMessage: 'no' })),
			).toEqual({ kind: 'stopRun', reason: 'auth', code, message: 'no' });
		}
		expect(solapi.readResponse(sent, reply(401, {}))).toMatchObject({
			kind: 'stopRun',
			reason: 'auth',
			code: 'HTTP_401',
		});
	});

	it('resends after a skewed date or a duplicated signature: a new date and salt fix both', () => {
		expect(
			solapi.readResponse(
				sent,
				reply(403, { errorCode: 'RequestTimeTooSkewed', errorMessage: 'skewed' }),
			),
		).toMatchObject({
			kind: 'retry',
			code: 'RequestTimeTooSkewed',
			message: 'skewed',
			maxRetries: 1,
			onExhausted: { reason: 'auth', code: 'RequestTimeTooSkewed' },
		});
		expect(
			solapi.readResponse(sent, reply(403, { errorCode: 'DuplicatedSignature' })),
		).toMatchObject({
			kind: 'retry',
			code: 'DuplicatedSignature',
			message: expect.stringMatching(/new salt/),
		});
	});

	it('waits out 429 TooManyRequests for x-retry-after seconds', () => {
		expect(
			solapi.readResponse(
				sent,
				reply(
					429,
					{ errorCode: 'TooManyRequests', errorMessage: 'slow down' },
					{ 'x-retry-after': '3' },
				),
			),
		).toEqual({
			kind: 'retry',
			code: 'TooManyRequests',
			message: 'slow down',
			retryAfterMs: 3000,
			throttled: true,
		});
		expect(solapi.readResponse(sent, reply(429, 'busy'))).toMatchObject({
			kind: 'retry',
			code: 'TooManyRequests',
			retryAfterMs: undefined,
		});
	});

	it('retries 5xx, marking a 500 as maybe applied', () => {
		expect(solapi.readResponse(sent, reply(503, {}))).toMatchObject({
			kind: 'retry',
			code: 'HTTP_503',
		});
		expect(solapi.readResponse(sent, reply(500, {}))).toMatchObject({
			kind: 'retry',
			maybeApplied: true,
		});
	});

	it('halves a batch rejected with 400', () => {
		expect(
			solapi.readResponse(
				sent,
				reply(400, { errorCode: 'ValidationError', errorMessage: 'bad id' }),
			),
		).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: 'ValidationError',
			message: 'bad id',
			splittable: true,
		});
	});

	it('says a batch refused for its size is too large (400 naming a limit, or 413), not for one ID', () => {
		for (const [status, errorMessage] of [
			[400, 'At most 100 messages can be deleted per request, got 1000'],
			[400, 'Too many messageIds'],
			[413, 'Payload Too Large'],
		] as const)
			expect(
				solapi.readResponse(sent, reply(status, { errorCode: 'ValidationError', errorMessage })),
			).toMatchObject({ kind: 'failBatch', splittable: true, tooLarge: true });
		expect(
			solapi.readResponse(
				[sent[0]],
				reply(400, { errorCode: 'ValidationError', errorMessage: 'Too many messageIds' }),
			),
		).not.toHaveProperty('tooLarge');
	});

	it('stops the run when the group or the endpoint does not exist, never calling IDs gone', () => {
		expect(
			solapi.readResponse(
				sent,
				reply(404, { errorCode: 'NotFound', errorMessage: 'Group not found' }),
			),
		).toMatchObject({
			kind: 'stopRun',
			reason: 'config',
			code: 'NotFound',
			message: expect.stringMatching(/check Group ID/),
		});
		expect(solapi.readResponse(sent, reply(404, 'Not Found'))).toMatchObject({
			kind: 'stopRun',
			reason: 'config',
			code: 'ENDPOINT_NOT_FOUND',
		});
	});

	it('fails the batch on any other status', () => {
		expect(solapi.readResponse(sent, reply(409, { errorCode: 'Conflict' }))).toMatchObject({
			kind: 'failBatch',
			status: 'error',
			code: 'Conflict',
		});
	});
});
