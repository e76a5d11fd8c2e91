import { avayaSpaces } from '../../nodes/BatchDelete/providers/avayaSpaces';
import { chunk, reply, wire } from './listHelpers';

/* Avaya Spaces publishes no SDK for its REST API: requests and answers here follow its API
 * document only (docs/providers.md). */

const ctx = (credentials: Record<string, string>) => ({
	params: {},
	credentialType: 'avayaSpacesApi',
	credentials,
});

describe('Avaya Spaces request', () => {
	it('posts the IDs as a JSON array to the environment host', () => {
		const request = avayaSpaces.buildRequest(chunk('a', 'b'), ctx({ environment: 'production' }));
		expect(request).toMatchObject({
			method: 'POST',
			url: 'https://spacesapis.avayacloud.com/api/messages/deletemessages',
			body: ['a', 'b'],
		});
		expect(avayaSpaces.buildRequest(chunk('a'), ctx({ environment: 'staging' })).url).toBe(
			'https://loganstagingapis.esna.com/api/messages/deletemessages',
		);
		expect(
			avayaSpaces.buildRequest(
				chunk('a'),
				ctx({ environment: 'custom', baseUrl: 'http://127.0.0.1:9/' }),
			).url,
		).toBe('http://127.0.0.1:9/api/messages/deletemessages');
	});

	it('rejects IDs that cannot be message IDs', () => {
		expect(avayaSpaces.checkId('58e3d0cb9dbbbd1b0e1c9f53')).toBeUndefined();
		expect(avayaSpaces.checkId('x'.repeat(129))).toMatch(/Longer than 128/);
		expect(avayaSpaces.checkId('a b')).toMatch(/whitespace/);
	});
});

describe('Avaya Spaces answer', () => {
	const sent = chunk(
		'58e3d0cb9dbbbd1b0e1c9f53',
		'5942f21cad73d2815b272a95',
		'5942edd99db385796bdcc4d6',
		'5942f4e0c7b53d85bf75da13',
		'left-out',
	);

	it("maps the API document's example answer, misspelled key included", () => {
		const verdict = avayaSpaces.readResponse(
			sent,
			reply(200, {
				notFoundMmessages: ['5942edd99db385796bdcc4d6'],
				notDeletedMessages: [
					{
						messageId: '58e3d0cb9dbbbd1b0e1c9f53',
						reason: {
							code: 'topic.invalid_acesss_to_archived_topic',
							message: 'Accessing archived topic is not valid.',
						},
					},
				],
				deletedMessages: ['5942f4e0c7b53d85bf75da13', 'never-sent'],
				noPermittedMessages: [
					{
						messageId: '5942f21cad73d2815b272a95',
						reason: { code: 'authorize_error.permission', message: 'Authorise permission failed' },
					},
				],
			}),
		);
		expect(verdict.kind).toBe('outcomes');
		const outcomes = verdict.kind === 'outcomes' ? verdict.outcomes : new Map();
		expect(outcomes.get('5942f4e0c7b53d85bf75da13')).toEqual({ status: 'deleted' });
		expect(outcomes.get('5942edd99db385796bdcc4d6')?.status).toBe('notFound');
		expect(outcomes.get('58e3d0cb9dbbbd1b0e1c9f53')).toMatchObject({
			status: 'rejected',
			code: 'topic.invalid_acesss_to_archived_topic',
		});
		expect(outcomes.get('5942f21cad73d2815b272a95')).toMatchObject({
			status: 'forbidden',
			code: 'authorize_error.permission',
		});
		expect(outcomes.has('left-out')).toBe(false);
		expect(outcomes.has('never-sent')).toBe(false);
	});

	it('reads IDs above 2^53 digit for digit: a rounded neighbour is never confirmed', () => {
		// JSON.parse reads both as 12345678901234567000: only the one the answer names is deleted.
		const verdict = avayaSpaces.readResponse(
			chunk('12345678901234567050', '12345678901234567000'),
			wire(200, '{"deletedMessages":[12345678901234567050]}'),
		);
		const outcomes = verdict.kind === 'outcomes' ? verdict.outcomes : new Map();
		expect(outcomes.get('12345678901234567050')).toEqual({ status: 'deleted' });
		expect(outcomes.has('12345678901234567000')).toBe(false);
	});

	it('treats a 200 it cannot read as unknown, never as deleted', () => {
		expect(avayaSpaces.readResponse(sent, reply(200, undefined))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
		expect(avayaSpaces.readResponse(sent, reply(200, { deletedMessages: 'all' }))).toMatchObject({
			kind: 'failBatch',
			status: 'unknown',
		});
	});

	it('halves a 400 batch and reports its reason', () => {
		const verdict = avayaSpaces.readResponse(
			sent,
			reply(400, {
				error: { code: 'api_bad_request_input', message: 'Api Bad Request Check Input' },
				reason: 'bad id',
				data: [],
			}),
		);
		expect(verdict).toEqual({
			kind: 'failBatch',
			status: 'rejected',
			code: 'api_bad_request_input',
			message: 'bad id',
			splittable: true,
		});
	});

	it('asks for re-authentication on 401', () => {
		expect(
			avayaSpaces.readResponse(
				sent,
				reply(401, {
					code: 'authen_error.anonymouse_jwt_auth_failed',
					message: 'Authenticate anonymouse jwt failed',
				}),
			),
		).toMatchObject({
			kind: 'reauth',
			code: 'authen_error.anonymouse_jwt_auth_failed',
		});
	});

	it('retries 429 with Retry-After and 5xx', () => {
		expect(avayaSpaces.readResponse(sent, reply(429, {}, { 'retry-after': '2' }))).toMatchObject({
			kind: 'retry',
			retryAfterMs: 2000,
		});
		expect(avayaSpaces.readResponse(sent, reply(503, {}))).toMatchObject({
			kind: 'retry',
			code: 'HTTP_503',
		});
		expect(avayaSpaces.readResponse(sent, reply(500, {}))).toMatchObject({
			kind: 'retry',
			maybeApplied: true,
		});
	});

	it('stops the run when the endpoint does not exist', () => {
		expect(avayaSpaces.readResponse(sent, reply(404, 'Not Found'))).toMatchObject({
			kind: 'stopRun',
			reason: 'config',
		});
	});
});
