import type { IDataObject } from 'n8n-workflow';

import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { assertInvariant } from '../support/invariant';
import { FAST, invariantOn, parametersOf } from '../support/mockRun';
import { runBatchDelete, runBatchDeleteCancellable } from '../support/runBatchDelete';

/** The node inside n8n's engine, against the Avaya Spaces mock over real HTTP. */

const mock = new AvayaSpacesMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

let counter = 0;
/** Fresh IDs per test so tests never share state on the mock. */
const fresh = (n: number, prefix = 'm') => {
	counter++;
	return Array.from({ length: n }, (_, i) => `${prefix}${counter}x${i}`);
};

const credential = (token = 'good-jwt', scheme = 'jwt') => ({
	id: 'avaya-1',
	name: 'Avaya Spaces',
	type: 'avayaSpacesApi',
	data: { environment: 'custom', baseUrl: mock.baseUrl, scheme, token },
});

async function run(
	items: IDataObject[],
	options: IDataObject = {},
	extra: IDataObject = {},
	token?: string,
) {
	return await runBatchDelete({
		parameters: parametersOf({ provider: 'avayaSpaces' }, extra, options),
		items,
		credentials: [credential(token)],
	});
}

const expectInvariant = invariantOn(
	(id) => mock.deleted.has(id),
	(id) => !mock.messages.has(id),
);

const deletesTo = () => mock.requestsTo(/deletemessages/).length;

describe('Avaya Spaces through n8n', () => {
	it('deletes 250 IDs in 3 requests, each ID reported once', async () => {
		const ids = fresh(250);
		mock.add(...ids);
		const before = deletesTo();
		const items = [
			{ id: ids.slice(0, 100) },
			{ id: ids.slice(100, 200).join(',') },
			{ id: ids.slice(200).join('\n') },
		];
		const result = await run(items);
		expect(deletesTo() - before).toBe(3);
		expect(result.success).toHaveLength(250);
		expect(result.failure).toHaveLength(0);
		expect(result.byId[ids[0]]).toEqual({
			id: ids[0],
			provider: 'avayaSpaces',
			status: 'deleted',
			batch: 1,
			attempts: 1,
		});
		expect(result.byId[ids[249]]).toMatchObject({ status: 'deleted', batch: 3 });
		expect(result.success[0].pairedItem).toEqual({ item: 0 });
		expectInvariant(result, [ids.slice(0, 100), ids.slice(100, 200), ids.slice(200)]);
	});

	it('maps every kind of answer and pairs duplicates with every item that named them', async () => {
		const [gone, mine, forbidden, archived, missing] = fresh(5);
		mock.add(gone, { id: forbidden, forbidden: true }, { id: archived, archived: true }, mine);
		const items = [
			{ id: [gone, forbidden] },
			{ id: `${gone}, ${archived}` },
			{ id: [missing, 42, 'has space'] },
			{ id: mine },
		];
		const result = await run(items);
		expect(result.byId[gone]).toMatchObject({ status: 'deleted' });
		expect(result.success.find((i) => i.json.id === gone)?.pairedItem).toEqual([
			{ item: 0 },
			{ item: 1 },
		]);
		expect(result.byId[missing]).toMatchObject({ status: 'alreadyGone' });
		expect(result.byId['42']).toMatchObject({ status: 'alreadyGone' });
		expect(result.byId[forbidden]).toMatchObject({
			status: 'forbidden',
			code: 'authorize_error.permission',
			message: 'Authorise permission failed',
		});
		expect(result.byId[archived]).toMatchObject({
			status: 'rejected',
			code: 'topic.invalid_acesss_to_archived_topic',
		});
		expect(result.byId['has space']).toMatchObject({
			status: 'invalid',
			code: 'INVALID_ID',
			batch: null,
			attempts: 0,
		});
		expect(
			mock.requests.some(
				(r) => Array.isArray(r.body) && (r.body as string[]).includes('has space'),
			),
		).toBe(false);
		expectInvariant(result, [
			[gone, forbidden],
			[gone, archived],
			[missing, '42', 'has space'],
			[mine],
		]);
	});

	it('reports not found as a failure when asked to', async () => {
		const [missing] = fresh(1);
		const result = await run([{ id: missing }], { treatNotFoundAsDeleted: false });
		expect(result.byId[missing]).toMatchObject({ status: 'notFound', code: 'NOT_FOUND' });
		expectInvariant(result, [[missing]]);
	});

	it('reads IDs from an expression list and from a dot path', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const listed = await run(
			[{ data: { ids: ids.slice(0, 2) } }],
			{},
			{ idSource: 'list', ids: '={{ $json.data.ids }}' },
		);
		expect(listed.success.map((i) => i.json.id)).toEqual(ids.slice(0, 2));
		const nested = await run(
			[{ payload: { message: { id: ids[2] } } }],
			{},
			{ idField: 'payload.message.id' },
		);
		expect(nested.byId[ids[2]]).toMatchObject({ status: 'deleted' });
		expectInvariant(listed, [ids.slice(0, 2)]);
	});

	it('sends each occurrence when dedupe is off', async () => {
		const [id] = fresh(1);
		mock.add(id);
		const result = await run([{ id }, { id }], { deduplicate: false });
		expect(result.success.map((i) => i.json.status).sort()).toEqual(['alreadyGone', 'deleted']);
		assertInvariant({
			idsByItem: [[id], [id]],
			success: result.success,
			failure: result.failure,
			removedByRun: (x) => mock.deleted.has(x),
			isGone: (x) => !mock.messages.has(x),
			dedupe: false,
		});
	});

	it('stops with the item index when an item has no ID', async () => {
		const [id] = fresh(1);
		mock.add(id);
		const before = deletesTo();
		const result = await run([{ id }, { other: 1 }]);
		expect(result.error?.message).toMatch(/Item 1 has no ID in field "id"/);
		expect((result.error as unknown as { context: IDataObject }).context.itemIndex).toBe(1);
		expect(deletesTo()).toBe(before);
		expect(mock.messages.has(id)).toBe(true);
	});

	it('with continue on fail, reports the item without an ID and still deletes the rest', async () => {
		const [id] = fresh(1);
		mock.add(id);
		const result = await runBatchDelete({
			parameters: { provider: 'avayaSpaces', idField: 'id', options: FAST },
			items: [{ id }, { other: 1 }],
			credentials: [credential()],
			continueOnFail: true,
		});
		expect(result.byId[id]).toMatchObject({ status: 'deleted' });
		const problem = result.failure.find((i) => i.json.id === null);
		expect(problem?.json).toMatchObject({ status: 'invalid', code: 'NO_ID' });
		expect(problem?.pairedItem).toEqual({ item: 1 });
		expectInvariant(result, [[id], []]);
	});

	it('rejects a batch size over the provider maximum before sending anything', async () => {
		const before = deletesTo();
		const result = await run([{ id: 'x' }], { batchSize: 101 });
		expect(result.error?.message).toBe('Batch Size must be at most 100 for Avaya Spaces');
		expect(deletesTo()).toBe(before);
	});

	it('fails the node on a bad token, deleting nothing', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const result = await run([{ id: ids }], {}, {}, 'wrong-token');
		expect(result.error?.message).toMatch(
			/Avaya Spaces refused the credentials: Authenticate anonymouse jwt failed/,
		);
		expect((result.error as unknown as { httpCode: string }).httpCode).toBe('401');
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
		expect(result.success).toHaveLength(0);
	});

	it('with continue on fail, a bad token puts every ID on Failure: the refused request rejected, the rest notAttempted', async () => {
		const ids = fresh(150);
		mock.add(...ids);
		const result = await runBatchDelete({
			parameters: { provider: 'avayaSpaces', idField: 'id', options: { ...FAST, concurrency: 1 } },
			items: [{ id: ids }],
			credentials: [credential('wrong-token')],
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.failure).toHaveLength(150);
		expect(
			result.failure.every((i) => i.json.code === 'authen_error.anonymouse_jwt_auth_failed'),
		).toBe(true);
		// Batch 1 went out and was refused; nothing after it was sent.
		const batch = result.failure.filter((i) => i.json.status === 'rejected');
		expect(batch.length).toBeGreaterThan(0);
		expect(batch.every((i) => (i.json.attempts as number) > 0)).toBe(true);
		const rest = result.failure.filter((i) => i.json.status !== 'rejected');
		expect(rest.every((i) => i.json.status === 'notAttempted' && i.json.attempts === 0)).toBe(true);
		expectInvariant(result, [ids]);
	});

	it('waits out a 429 with Retry-After, then deletes', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.inject({
			kind: 'reply',
			status: 429,
			body: { message: 'Too many requests' },
			headers: { 'retry-after': '1' },
			path: /deletemessages/,
		});
		const started = Date.now();
		const result = await run([{ id: ids }]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('confirms IDs whose first answer was lost after the delete happened', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.inject({ kind: 'resetAfterApply', path: /deletemessages/ });
		const result = await run([{ id: ids }]);
		expect(ids.every((id) => mock.deleted.has(id))).toBe(true);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'alreadyGone', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('says unknown when a request timed out every time', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.inject({ kind: 'hang', path: /deletemessages/ }, { kind: 'hang', path: /deletemessages/ });
		const result = await run([{ id: ids }], { timeout: 300, maxRetries: 1 });
		expect(result.byId[ids[0]]).toMatchObject({ status: 'unknown', code: 'TIMEOUT', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('says unknown, never deleted, for a body it cannot read', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.inject({ kind: 'malformed', applied: true, path: /deletemessages/ });
		const result = await run([{ id: ids }]);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'unknown', code: 'MALFORMED_RESPONSE' });
		expectInvariant(result, [ids]);
	});

	it('retries a 500, then deletes', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.inject({ kind: 'reply', status: 500, body: { message: 'boom' }, path: /deletemessages/ });
		const result = await run([{ id: ids }]);
		expect(result.byId[ids[1]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('halves a batch rejected with 400 so only the bad ID fails', async () => {
		const ids = fresh(8);
		mock.add(...ids);
		mock.poison.add(ids[5]);
		const result = await run([{ id: ids }]);
		expect(result.byId[ids[5]]).toMatchObject({
			status: 'rejected',
			code: 'api_bad_request_input',
			message: 'invalid message id in input data',
		});
		expect(result.success).toHaveLength(7);
		expectInvariant(result, [ids]);
	});

	it('sends nothing in a dry run and shows the request per batch', async () => {
		const ids = fresh(120);
		mock.add(...ids);
		const before = deletesTo();
		const result = await run([{ id: ids }], { dryRun: true });
		expect(deletesTo()).toBe(before);
		// A preview never reaches Success: it has its own output.
		expect(result.success).toHaveLength(0);
		expect(result.preview).toHaveLength(120);
		expect(result.byId[ids[0]]).toMatchObject({
			status: 'dryRun',
			batch: 1,
			request: {
				method: 'POST',
				url: `${mock.baseUrl}/api/messages/deletemessages`,
				ids: 100,
				body: ids.slice(0, 100),
			},
		});
		expect(result.byId[ids[100]]).toMatchObject({
			batch: 2,
			request: { ids: 20, body: ids.slice(100) },
		});
		expect(result.byId[ids[1]].request).toEqual({
			method: 'POST',
			url: `${mock.baseUrl}/api/messages/deletemessages`,
			ids: 100,
		});
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
	});

	it('stops sending when the execution is cancelled, reporting what was confirmed', async () => {
		const ids = fresh(10);
		mock.add(...ids);
		mock.latencyMs = 150;
		try {
			const running = runBatchDeleteCancellable({
				parameters: {
					provider: 'avayaSpaces',
					idField: 'id',
					options: { ...FAST, batchSize: 1, concurrency: 1 },
				},
				items: [{ id: ids }],
				credentials: [credential()],
			});
			await new Promise((resolve) => setTimeout(resolve, 400));
			running.cancel();
			const result = await running.result;
			expect(result.run.status).toBe('canceled');
			const sent = mock
				.requestsTo(/deletemessages/)
				.filter((r) => ids.includes((r.body as string[])[0])).length;
			expect(sent).toBeLessThan(ids.length);
			// A cancelled run may keep no node output; what it sent is all the mock saw.
			if (result.success.length + result.failure.length > 0) expectInvariant(result, [ids]);
		} finally {
			mock.latencyMs = 0;
		}
	});

	it('authenticates with the OAuth2 credential', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		const result = await runBatchDelete({
			parameters: {
				provider: 'avayaSpaces',
				avayaSpacesAuthentication: 'oAuth2',
				idField: 'id',
				options: FAST,
			},
			items: [{ id: ids }],
			credentials: [
				{
					id: 'avaya-oauth',
					name: 'Avaya OAuth2',
					type: 'avayaSpacesOAuth2Api',
					data: {
						environment: 'custom',
						baseUrl: mock.baseUrl,
						clientId: 'client',
						clientSecret: 'client-secret',
						oauthTokenData: { access_token: 'good-bearer', token_type: 'bearer' },
					},
				},
			],
		});
		expect(result.error).toBeUndefined();
		expect(result.success.map((i) => i.json.status)).toEqual(['deleted', 'deleted']);
		expectInvariant(result, [ids]);
	});
});
