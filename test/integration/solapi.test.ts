import type { IDataObject } from 'n8n-workflow';

import { SolapiMock, tooManyRequests } from '../mocks/solapi';
import { invariantOn, parametersOf } from '../support/mockRun';
import { runBatchDelete } from '../support/runBatchDelete';

/** The node inside n8n's engine, signing with the real credential, against the SOLAPI mock. */

const mock = new SolapiMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

const API_KEY = 'NCSTESTKEY0000001';
const API_SECRET = 'test-api-secret-0123456789';
const MINUTES = 60 * 1000;

let counter = 0;
/** A fresh group holding `n` fresh messages, so tests never share state on the mock. */
const freshGroup = (n: number, extra = 0) => {
	counter++;
	const groupId = `G4V${counter}TESTGROUP`;
	const ids = Array.from({ length: n + extra }, (_, i) => `M4V${counter}X${i}`);
	mock.addGroup(groupId, ...ids.slice(0, n));
	return { groupId, ids };
};

const credential = (secret = API_SECRET) => ({
	id: 'solapi-1',
	name: 'SOLAPI',
	type: 'solapiApi',
	data: { apiKey: API_KEY, apiSecret: secret, baseUrl: mock.baseUrl },
});

async function run(
	groupId: string,
	items: IDataObject[],
	options: IDataObject = {},
	extra: IDataObject = {},
	secret?: string,
) {
	return await runBatchDelete({
		parameters: parametersOf({ provider: 'solapi', solapiGroupId: groupId }, extra, options),
		items,
		credentials: [credential(secret)],
	});
}

const expectInvariant = invariantOn(
	(id) => mock.deleted.has(id),
	(id) => !mock.holds(id),
);

const deletes = () => mock.requestsTo(/^\/(messages\/v4|GroupMessage\/3)\//);
const idsIn = (body: unknown): string[] => {
	const b = body as { messageIds?: string[]; messages?: Array<{ messageId: string }> };
	return b.messageIds ?? b.messages?.map((m) => m.messageId) ?? [];
};

describe('SOLAPI through n8n', () => {
	it('v4: deletes 1,500 IDs in a 1,000 and a 500 request, signed each time', async () => {
		const { groupId, ids } = freshGroup(1490, 10);
		const before = deletes().length;
		const items = [{ id: ids.slice(0, 700) }, { id: ids.slice(700) }];
		const result = await run(groupId, items);
		const sent = deletes().slice(before);
		expect(sent.map((r) => [r.method, r.path, idsIn(r.body).length])).toEqual([
			['DELETE', `/messages/v4/groups/${groupId}/messages`, 1000],
			['DELETE', `/messages/v4/groups/${groupId}/messages`, 500],
		]);
		expect(new Set(sent.map((r) => r.headers.authorization)).size).toBe(2);
		expect(result.success).toHaveLength(1500);
		expect(result.byId[ids[0]]).toEqual({
			id: ids[0],
			provider: 'solapi',
			groupId: 'G4V1TESTGROUP',
			status: 'deleted',
			batch: 1,
			attempts: 1,
		});
		expect(result.byId[ids[1499]]).toMatchObject({ status: 'alreadyGone', batch: 2 });
		expectInvariant(result, [ids.slice(0, 700), ids.slice(700)]);
	});

	it('legacy: posts {messages:[{messageId}]} to the GroupMessage 3 endpoint', async () => {
		const { groupId, ids } = freshGroup(3, 1);
		const before = deletes().length;
		const result = await run(
			groupId,
			[{ id: ids }],
			{ treatNotFoundAsDeleted: false },
			{ solapiApiVersion: 'legacy' },
		);
		const [sent] = deletes().slice(before);
		expect(sent.method).toBe('POST');
		expect(sent.path).toBe(`/GroupMessage/3/group/${groupId}/deleteMessages`);
		expect(sent.body).toEqual({ messages: ids.map((messageId) => ({ messageId })) });
		expect(result.success.map((i) => i.json.status)).toEqual(['deleted', 'deleted', 'deleted']);
		expect(result.byId[ids[3]]).toMatchObject({ status: 'notFound', code: 'MessageNotFound' });
		expectInvariant(result, [ids]);
	});

	it('resends an InternalError ID alone once: deleted if it then works, unknown if not', async () => {
		const { groupId, ids } = freshGroup(5);
		mock.internalErrorOnce.add(ids[1]);
		mock.internalErrorAlways.add(ids[3]);
		const before = deletes().length;
		const result = await run(groupId, [{ id: ids }], { concurrency: 1 });
		expect(
			deletes()
				.slice(before)
				.map((r) => idsIn(r.body)),
		).toEqual([ids, [ids[1]], [ids[3]]]);
		expect(result.byId[ids[1]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expect(result.byId[ids[3]]).toMatchObject({
			status: 'unknown',
			code: 'InternalError',
			attempts: 2,
		});
		expect(result.byId[ids[0]]).toMatchObject({ status: 'deleted', attempts: 1 });
		expect(mock.holds(ids[3])).toBe(true);
		expectInvariant(result, [ids]);
	});

	it('re-signs and resends after RequestTimeTooSkewed', async () => {
		const { groupId, ids } = freshGroup(2);
		mock.clockOffsets.push(20 * MINUTES);
		const failures = mock.authFailures.length;
		const result = await run(groupId, [{ id: ids }]);
		expect(mock.authFailures.slice(failures)).toEqual(['RequestTimeTooSkewed']);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('retries a skewed date once, then stops the run with the clock hint, deleting nothing', async () => {
		const { groupId, ids } = freshGroup(2);
		mock.clockOffsets.push(-20 * MINUTES, -20 * MINUTES);
		const before = deletes().length;
		const result = await run(groupId, [{ id: ids }], { maxRetries: 3 });
		expect(deletes().length - before).toBe(2);
		expect(result.error?.message).toMatch(/check the n8n server's clock/);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
	});

	it('re-signs with a new salt after DuplicatedSignature', async () => {
		const { groupId, ids } = freshGroup(2);
		mock.duplicateNext = 1;
		const before = deletes().length;
		const result = await run(groupId, [{ id: ids }]);
		const sent = deletes().slice(before);
		expect(sent).toHaveLength(2);
		expect(sent[0].headers.authorization).not.toBe(sent[1].headers.authorization);
		expect(result.byId[ids[1]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('waits out 429 TooManyRequests for x-retry-after, then deletes', async () => {
		const { groupId, ids } = freshGroup(2);
		mock.inject(tooManyRequests(0.3));
		const started = Date.now();
		const result = await run(groupId, [{ id: ids }]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('reports IDs the answer leaves out as unknown, even though SOLAPI removed them', async () => {
		const { groupId, ids } = freshGroup(3);
		mock.leaveOut.add(ids[2]);
		const result = await run(groupId, [{ id: ids }]);
		expect(mock.deleted.has(ids[2])).toBe(true);
		expect(result.byId[ids[2]]).toMatchObject({ status: 'unknown', code: 'NOT_IN_RESPONSE' });
		expect(result.success).toHaveLength(2);
		expectInvariant(result, [ids]);
	});

	it('fails the node on a wrong secret, deleting nothing', async () => {
		const { groupId, ids } = freshGroup(3);
		const result = await run(groupId, [{ id: ids }], {}, {}, 'wrong-secret-value');
		expect(result.error?.message).toMatch(
			/SOLAPI refused the credentials: Signature does not match/,
		);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
		expect(result.success).toHaveLength(0);
	});

	it('stops on an unknown group instead of calling its messages gone', async () => {
		const { ids } = freshGroup(2);
		const result = await run('G4VNOSUCHGROUP', [{ id: ids }]);
		expect(result.error?.message).toMatch(/SOLAPI found no such group .*check Group ID/);
		expect(result.success).toHaveLength(0);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
	});

	it('names the Group ID parameter when it comes out empty, sending nothing', async () => {
		// n8n itself refuses to run with the required field blank; an expression can still yield ''.
		const before = deletes().length;
		const result = await run('={{ $json.group }}', [{ id: 'M1' }]);
		expect(result.error?.message).toMatch(/^Item 0: Group ID is required/);
		const malformed = await run('={{ "G1/../G2" }}', [{ id: 'M1' }]);
		expect(malformed.error?.message).toMatch(/^Item 0: Group ID may only hold/);
		expect(deletes()).toHaveLength(before);
	});

	it('rejects a batch size over 1,000 before sending anything', async () => {
		const result = await run('G1', [{ id: 'M1' }], { batchSize: 1001 });
		expect(result.error?.message).toBe('Batch Size must be at most 1000 for SOLAPI');
	});
});

describe('SOLAPI v4 refusing batches as too large', () => {
	afterEach(() => {
		mock.maxIds = 1000;
	});

	it('lowers the batch size once for the rest of the run instead of halving every batch', async () => {
		// A server that takes at most 100 IDs per request; the node starts at 1,000.
		mock.maxIds = 100;
		const { groupId, ids } = freshGroup(3000);
		const before = deletes().length;
		const result = await run(
			groupId,
			ids.map((id) => ({ id })),
			{ concurrency: 1 },
		);
		expectInvariant(
			result,
			ids.map((id) => [id]),
		);
		expect(result.success).toHaveLength(3000);
		const sizes = deletes()
			.slice(before)
			.map((r) => idsIn(r.body).length);
		// Refused at 1,000, 500, 250 and 125; from then on at most 63 per request, for all three
		// batches of 1,000: 48 accepted requests. Halving each batch anew took 15 refusals per batch.
		expect(sizes.filter((n) => n > 100)).toEqual([1000, 500, 250, 125]);
		expect(sizes.filter((n) => n <= 100).every((n) => n <= 63)).toBe(true);
		expect(sizes).toHaveLength(52);
		expect(JSON.stringify(result.taskData?.hints ?? [])).toMatch(/at most 63 IDs per request/);
	});
});
