import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { HuaweiCloudSmsMock, throttled } from '../mocks/huaweiCloudSms';
import { invariantOn } from '../support/mockRun';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/** The node inside n8n's engine against the Huawei Cloud IAM + MSGSMS mock, both auth schemes. */

const mock = new HuaweiCloudSmsMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());

const PROJECT = '0123456789abcdef0123456789abcdef';
const FAST = { retryDelay: 5, requestsPerSecond: 0 };

let counter = 0;
/** Fresh template IDs (`n` existing, `missing` more that do not), so tests never share state. */
const fresh = (n: number, missing = 0) => {
	counter++;
	const ids = Array.from(
		{ length: n + missing },
		(_, i) => `tpl${counter}-${String(i).padStart(3, '0')}-37eb-4229-bee9`,
	);
	mock.addTemplates(PROJECT, ...ids.slice(0, n));
	return ids;
};

const iamCredential = (data: IDataObject = {}) => ({
	id: 'hw-iam',
	name: 'Huawei IAM',
	type: 'huaweiCloudIamApi',
	data: { ...mock.iamCredentialData(PROJECT), ...data } as ICredentialDataDecryptedObject,
});

const akSkCredential = (data: IDataObject = {}) => ({
	id: 'hw-aksk',
	name: 'Huawei AK/SK',
	type: 'huaweiCloudAkSkApi',
	data: {
		accessKey: 'HPUAEXAMPLEAK0000001',
		endpointUrl: mock.baseUrl,
		secretKey: 'exampleSecretKey0123456789abcdefghijklmn',
		projectId: PROJECT,
		...data,
	},
});

async function run(
	items: IDataObject[],
	options: {
		auth?: 'iamToken' | 'akSk';
		credential?: IDataObject;
		node?: IDataObject;
		settings?: IDataObject;
	} = {},
) {
	const auth = options.auth ?? 'iamToken';
	return await runBatchDelete({
		parameters: {
			provider: 'huaweiCloudSms',
			huaweiCloudAuthentication: auth,
			huaweiCloudRegion: 'custom',
			idField: 'id',
			...options.node,
			options: { ...FAST, ...options.settings },
		},
		items,
		credentials: [
			auth === 'iamToken' ? iamCredential(options.credential) : akSkCredential(options.credential),
		],
	});
}

const expectInvariant = invariantOn(
	(id) => mock.deleted.has(id),
	(id) => !mock.holds(id),
);

const deletes = () => mock.requestsTo(/\/batch-delete$/);
const sentIds = () =>
	deletes().flatMap((r) => (r.body as { ids?: string[] } | undefined)?.ids ?? []);

describe('Huawei Cloud SMS with an IAM token', () => {
	it('fetches one token, then deletes 51 IDs in a 50 and a 1 request', async () => {
		const ids = fresh(51);
		const before = deletes().length;
		const issued = mock.tokenIssues;
		// Concurrency 1: with 2, both first requests find the token field empty and each fetches one.
		const result = await run([{ id: ids.slice(0, 30) }, { id: ids.slice(30) }], {
			settings: { concurrency: 1 },
		});
		const sent = deletes().slice(before);
		expect(sent.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([50, 1]);
		expect(sent.every((r) => r.headers['content-type'] === 'application/json;charset=utf8')).toBe(
			true,
		);
		expect(sent.every((r) => typeof r.headers['x-auth-token'] === 'string')).toBe(true);
		expect(mock.tokenIssues - issued).toBe(1);
		expect(result.credentials.preAuthenticationCount('huaweiCloudIamApi')).toBe(1);
		expect(result.success).toHaveLength(51);
		expect(result.byId[ids[50]]).toMatchObject({
			id: ids[50],
			provider: 'huaweiCloudSms',
			status: 'deleted',
			batch: 2,
			attempts: 1,
		});
		expect(result.byId[ids[50]]).toEqual(
			expect.objectContaining({ endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }),
		);
		expectInvariant(result, [ids.slice(0, 30), ids.slice(30)]);
	});

	it('refreshes an expired token once and resends: the token is fetched exactly twice', async () => {
		const ids = fresh(120);
		const issued = mock.tokenIssues;
		const failures = mock.authFailures.length;
		mock.expireTokensAfter = 1;
		const result = await run([{ id: ids }], { settings: { concurrency: 1 } });
		expect(mock.tokenIssues - issued).toBe(2);
		expect(result.credentials.preAuthenticationCount('huaweiCloudIamApi')).toBe(2);
		expect(mock.authFailures.slice(failures)).toEqual(['token expires']);
		expect(result.success).toHaveLength(120);
		expect(result.byId[ids[60]]).toMatchObject({ status: 'deleted', batch: 2, attempts: 2 });
		expect(result.byId[ids[119]]).toMatchObject({ status: 'deleted', batch: 3, attempts: 1 });
		// n8n stored the new token with the credential.
		const stored = String(result.credentials.getStoredData('hw-iam').authToken);
		expect(deletes().at(-1)?.headers['x-auth-token']).toBe(stored);
		expectInvariant(result, [ids]);
	});

	it('scoped by project name, uses the Project ID the node gives', async () => {
		const ids = fresh(2);
		const result = await run([{ id: ids }], {
			credential: { projectScope: 'name', project: 'cn-north-4' },
			node: { huaweiCloudProjectId: PROJECT },
		});
		expect(result.success.map((i) => i.json.status)).toEqual(['deleted', 'deleted']);
		expect(deletes().at(-1)?.path).toBe(`/v2/${PROJECT}/msgsms/templates/batch-delete`);
		expectInvariant(result, [ids]);
	});

	it('scoped by project name without a Project ID, says which parameter is missing and sends nothing', async () => {
		const before = deletes().length;
		const result = await run([{ id: fresh(1) }], {
			credential: { projectScope: 'name', project: 'cn-north-4' },
		});
		expect(result.error?.message).toMatch(/Project ID is required/);
		expect(deletes()).toHaveLength(before);
	});

	it('fails the node on a wrong password, deleting nothing', async () => {
		const ids = fresh(2);
		const before = deletes().length;
		const result = await run([{ id: ids }], { credential: { password: 'wrong-password' } });
		expect(result.error?.message).toMatch(
			/Huawei Cloud SMS refused the credentials: .*IAM refused the token request \(HTTP 401\): The username or password is wrong/,
		);
		expect(result.credentials.preAuthenticationCount()).toBe(1);
		expect(deletes()).toHaveLength(before);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
	});

	it('maps failed_template_list: not found is already gone, anything else rejected', async () => {
		const [gone, locked, ok, missing] = fresh(3, 1);
		mock.templates.get(PROJECT)!.delete(gone);
		mock.locked.add(locked);
		const result = await run([{ id: [gone, locked] }, { id: [ok, missing] }]);
		expect(result.byId[ok]).toMatchObject({ status: 'deleted' });
		expect(result.byId[gone]).toMatchObject({ status: 'alreadyGone' });
		expect(result.byId[missing]).toMatchObject({ status: 'alreadyGone' });
		expect(result.byId[locked]).toMatchObject({
			status: 'rejected',
			code: 'DELETE_FAILED',
			message: expect.stringMatching(/pending SMS task/),
		});
		expectInvariant(result, [
			[gone, locked],
			[ok, missing],
		]);
	});

	it('waits out 429 APIG.0308, then deletes', async () => {
		const ids = fresh(2);
		mock.inject(throttled());
		const result = await run([{ id: ids }]);
		expect(result.byId[ids[0]]).toMatchObject({ status: 'deleted', attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('halves a batch refused with 400 MSGSMS.0009 until each missing template answers for itself', async () => {
		const ids = fresh(6, 2);
		mock.missingFailsBatch = true;
		try {
			const result = await run([{ id: ids }], {
				settings: { concurrency: 1, treatNotFoundAsDeleted: false },
			});
			expect(result.success.map((i) => i.json.id)).toEqual(ids.slice(0, 6));
			expect(result.byId[ids[6]]).toMatchObject({ status: 'notFound', code: 'MSGSMS.0009' });
			expect(result.byId[ids[7]]).toMatchObject({ status: 'notFound', code: 'MSGSMS.0009' });
			expectInvariant(result, [ids]);
		} finally {
			mock.missingFailsBatch = false;
		}
	});

	it('shows the request in a dry run without fetching a token or sending anything', async () => {
		const ids = fresh(3);
		const before = deletes().length;
		const issued = mock.tokenIssues;
		const result = await run([{ id: ids }], { settings: { dryRun: true } });
		expect(result.byId[ids[0]]).toMatchObject({
			status: 'dryRun',
			request: {
				method: 'POST',
				url: `${mock.baseUrl}/v2/${PROJECT}/msgsms/templates/batch-delete`,
				ids: 3,
				body: { ids },
			},
		});
		expect(deletes()).toHaveLength(before);
		expect(mock.tokenIssues).toBe(issued);
	});

	it('isolates the ID a 400 MSGSMS.0002 objects to and deletes the rest', async () => {
		const ids = fresh(8);
		mock.poison.add(ids[3]);
		const result = await run([{ id: ids }]);
		expect(result.byId[ids[3]]).toMatchObject({ status: 'rejected', code: 'MSGSMS.0002' });
		expect(result.success).toHaveLength(7);
		expectInvariant(result, [ids]);
	});
});

describe('Huawei Cloud SMS with AK/SK signing', () => {
	it('signs every request so the gateway accepts it; 51 IDs go as 50 + 1', async () => {
		const ids = fresh(51);
		const before = deletes().length;
		const failures = mock.authFailures.length;
		const result = await run([{ id: ids }], { auth: 'akSk' });
		const sent = deletes().slice(before);
		expect(mock.authFailures.slice(failures)).toEqual([]);
		expect(sent.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([50, 1]);
		expect(sent[0].headers.authorization).toMatch(
			/^SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
		);
		expect(sent[0].headers['x-project-id']).toBe(PROJECT);
		expect(sent[0].headers['x-auth-token']).toBeUndefined();
		expect(result.success).toHaveLength(51);
		expectInvariant(result, [ids]);
	});

	it('never sends a 65-character ID: it is invalid, the rest are deleted', async () => {
		const ids = fresh(2);
		const long = 'x'.repeat(65);
		const edge = `${'y'.repeat(63)}z`;
		const result = await run([{ id: [ids[0], long] }, { id: [ids[1], edge] }], { auth: 'akSk' });
		expect(result.byId[long]).toMatchObject({
			status: 'invalid',
			code: 'INVALID_ID',
			batch: null,
			attempts: 0,
			message: expect.stringMatching(/Longer than 64/),
		});
		expect(result.byId[edge]).toMatchObject({ status: 'alreadyGone' });
		expect(sentIds()).not.toContain(long);
		expect(sentIds()).toContain(edge);
		expectInvariant(result, [
			[ids[0], long],
			[ids[1], edge],
		]);
	});

	it('stops after one refused signature, deleting nothing', async () => {
		const ids = fresh(120);
		const before = deletes().length;
		const result = await run([{ id: ids }], {
			auth: 'akSk',
			credential: { secretKey: 'not-the-secret-key' },
			settings: { concurrency: 1 },
		});
		expect(result.error?.message).toMatch(
			/Huawei Cloud SMS refused the credentials: Incorrect IAM authentication information: verify aksk signature fail/,
		);
		expect(deletes().length - before).toBe(1);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
	});

	it('with continue on fail, a refused signature leaves every ID on Failure, rejected (they were sent)', async () => {
		const ids = fresh(3);
		const result = await runBatchDelete({
			parameters: {
				provider: 'huaweiCloudSms',
				huaweiCloudAuthentication: 'akSk',
				huaweiCloudRegion: 'custom',
				idField: 'id',
				options: FAST,
			},
			items: [{ id: ids }],
			credentials: [akSkCredential({ accessKey: 'HPUAUNKNOWNKEY000000' })],
			continueOnFail: true,
		});
		expect(result.failure.map((i) => [i.json.status, i.json.code])).toEqual(
			ids.map(() => ['rejected', 'APIG.0301']),
		);
		expectInvariant(result, [ids]);
	});
});

describe('Huawei Cloud SMS where the batch path is not served (404 APIG.0101)', () => {
	beforeEach(() => {
		mock.batchPath = false;
	});
	afterEach(() => {
		mock.batchPath = true;
		mock.latencyMs = 0;
	});
	const singles = () => mock.requests.filter((r) => r.method === 'DELETE');
	const hints = (result: BatchDeleteRun) =>
		(result.taskData?.hints ?? []).filter((h) => /one template per request/.test(h.message));

	it.each(['iamToken' as const, 'akSk' as const])(
		'deletes every ID with the single delete after the first 404, the 404 batch resent (%s)',
		async (auth) => {
			const ids = fresh(60, 3);
			const batchBefore = deletes().length;
			const singleBefore = singles().length;
			// The first single delete is throttled once: the fallback goes through the same retries.
			mock.inject({ ...throttled(), path: /\/msgsms\/templates\/(?!batch-delete)[^/]+$/ });
			const result = await run(
				ids.map((id) => ({ id })),
				{ auth, settings: { concurrency: 1 } },
			);
			expectInvariant(
				result,
				ids.map((id) => [id]),
			);
			expect(result.error).toBeUndefined();
			// Missing templates count as gone (Treat Not Found as Deleted is on by default).
			expect(result.success.map((i) => [i.json.id, i.json.status])).toEqual([
				...ids.slice(0, 60).map((id) => [id, 'deleted']),
				...ids.slice(60).map((id) => [id, 'alreadyGone']),
			]);
			expect(result.failure).toEqual([]);
			// One batch request (the 404), then 63 single deletes and the one throttled retry.
			expect(deletes().length - batchBefore).toBe(1);
			expect(singles().length - singleBefore).toBe(64);
			expect(hints(result)).toHaveLength(1);
		},
	);

	it('keeps its concurrency after the switch, and sends every later batch singly', async () => {
		const ids = fresh(150);
		const batchBefore = deletes().length;
		const singleBefore = singles().length;
		mock.latencyMs = 40;
		const result = await run(
			ids.map((id) => ({ id })),
			{ settings: { concurrency: 3 } },
		);
		expectInvariant(
			result,
			ids.map((id) => [id]),
		);
		expect(result.success).toHaveLength(150);
		// The batches in flight when the first 404 came back (at most the concurrency) each got one.
		const batches = deletes().length - batchBefore;
		expect(batches).toBeGreaterThanOrEqual(1);
		expect(batches).toBeLessThanOrEqual(3);
		const sent = singles().slice(singleBefore);
		expect(sent).toHaveLength(150);
		// More than one single delete was in flight at a time: two arrived within one answer's latency.
		const times = sent.map((r) => r.receivedAt).sort((a, b) => a - b);
		expect(times.some((t, i) => i > 0 && t - times[i - 1] < 20)).toBe(true);
		expect(hints(result)).toHaveLength(1);
	});

	it('stops as a wrong endpoint when the single path is missing too, deleting nothing', async () => {
		const ids = fresh(3);
		const result = await run(
			ids.map((id) => ({ id })),
			{ node: { huaweiCloudEndpoint: `${mock.baseUrl}/nowhere` } },
		);
		expect(result.error?.message ?? '').toMatch(/endpoint/i);
		expect(ids.every((id) => mock.holds(id))).toBe(true);
	});
});
