import type { IDataObject } from 'n8n-workflow';

import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import { runBatchDelete } from '../support/runBatchDelete';

/** README claims no other in-engine test pins (docs/claims.md maps every claim to its test). */

const mock = new AvayaSpacesMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

let counter = 0;
const fresh = (n: number) => {
	counter++;
	return Array.from({ length: n }, (_, i) => `claim${counter}x${i}`);
};

const FAST = { retryDelay: 5, requestsPerSecond: 0 };
const deletesTo = () => mock.requestsTo(/deletemessages/).length;

async function run(items: IDataObject[], options: IDataObject = {}, extra: IDataObject = {}) {
	return await runBatchDelete({
		parameters: {
			provider: 'avayaSpaces',
			idField: 'id',
			...extra,
			options: { ...FAST, ...options },
		},
		items,
		credentials: [
			{
				id: 'avaya-1',
				name: 'Avaya Spaces',
				type: 'avayaSpacesApi',
				data: { environment: 'custom', baseUrl: mock.baseUrl, scheme: 'jwt', token: 'good-jwt' },
			},
		],
	});
}

describe('README claims, in the engine (Avaya Spaces mock)', () => {
	it('Dry Run: valid IDs on Preview, the IDs that would fail on Failure, Success empty, nothing sent', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const bad = 'has space';
		const before = deletesTo();
		const result = await run([{ id: [...ids, bad] }], { dryRun: true });
		expect(deletesTo()).toBe(before);
		expect(result.success).toHaveLength(0);
		expect(result.preview.map((i) => i.json.id)).toEqual(ids);
		expect(result.preview.every((i) => i.json.status === 'dryRun')).toBe(true);
		expect(result.failure.map((i) => i.json)).toEqual([
			expect.objectContaining({ id: bad, status: 'invalid', code: 'INVALID_ID', batch: null }),
		]);
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
	});

	it('Success and Failure items have the fields the README lists', async () => {
		const ids = fresh(2);
		mock.add(ids[0]);
		const bad = 'x'.repeat(129);
		const result = await run([{ id: [...ids, bad] }], { treatNotFoundAsDeleted: false });
		expect(result.success.map((i) => i.json)).toEqual([
			{ id: ids[0], provider: 'avayaSpaces', status: 'deleted', batch: 1, attempts: 1 },
		]);
		const failures = Object.fromEntries(result.failure.map((i) => [i.json.id, i.json]));
		expect(Object.keys(failures[ids[1]]).sort()).toEqual(
			['attempts', 'batch', 'code', 'id', 'message', 'provider', 'status'].sort(),
		);
		expect(failures[ids[1]]).toMatchObject({ status: 'notFound', batch: 1, attempts: 1 });
		// "invalid … Never sent … `batch` is null."
		expect(failures[bad]).toMatchObject({ status: 'invalid', batch: null, attempts: 0 });
	});

	it('IDs From List without an expression: read once, paired with the first item', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const before = deletesTo();
		const result = await run(
			[{ other: 1 }, { other: 2 }, { other: 3 }],
			{},
			{ idSource: 'list', ids: `${ids[0]}, ${ids[1]}\n${ids[2]}` },
		);
		expect(deletesTo() - before).toBe(1);
		expect(result.success.map((i) => i.json.id)).toEqual(ids);
		expect(result.failure).toHaveLength(0);
		for (const item of result.success) expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('a run naming more distinct IDs than Max IDs per Run stops before sending anything', async () => {
		const ids = fresh(6);
		mock.add(...ids);
		const before = deletesTo();
		const result = await run([{ id: [...ids, ids[0]] }], { maxIds: 5 });
		expect(result.error?.message).toBe('The input names 6 IDs, more than Max IDs per Run (5)');
		expect(deletesTo()).toBe(before);
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
		// Distinct IDs are counted: a duplicate does not push a run over.
		const ok = await run([{ id: [...ids.slice(0, 5), ids[0]] }], { maxIds: 5 });
		expect(ok.error).toBeUndefined();
		expect(ok.success).toHaveLength(5);
	});
});

describe('README claims, in the engine (Huawei Cloud IAM mock)', () => {
	const huawei = new HuaweiCloudSmsMock();
	beforeAll(async () => await huawei.start());
	afterAll(async () => await huawei.close());
	const PROJECT = '0123456789abcdef0123456789abcdef';

	it('Timeout holds the token request n8n makes first: a token request that never answers ends within it', async () => {
		const ids = ['tplClaim-001', 'tplClaim-002'];
		huawei.addTemplates(PROJECT, ...ids);
		huawei.inject({ kind: 'hang', path: /\/v3\/auth\/tokens$/ });
		const started = Date.now();
		const result = await runBatchDelete({
			parameters: {
				provider: 'huaweiCloudSms',
				huaweiCloudAuthentication: 'iamToken',
				huaweiCloudRegion: 'custom',
				idField: 'id',
				options: { ...FAST, timeout: 800, maxRetries: 0 },
			},
			items: [{ id: ids }],
			credentials: [
				{
					id: 'hw-iam',
					name: 'Huawei IAM',
					type: 'huaweiCloudIamApi',
					data: huawei.iamCredentialData(PROJECT) as never,
				},
			],
		});
		// The node's Timeout (800 ms), not the token request's own 30 s limit, ended it.
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(huawei.requestsTo(/\/v3\/auth\/tokens$/)).toHaveLength(1);
		expect(huawei.requestsTo(/batch-delete/)).toHaveLength(0);
		expect(result.success).toHaveLength(0);
		expect(result.failure.map((i) => [i.json.id, i.json.code])).toEqual(
			ids.map((id) => [id, 'TIMEOUT']),
		);
		expect(ids.every((id) => huawei.holds(id))).toBe(true);
	}, 60_000);
});
