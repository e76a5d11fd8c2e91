import type { IDataObject } from 'n8n-workflow';

import { QuectelAccountApi } from '../../credentials/QuectelAccountApi.credentials';
import { QuectelTokenApi } from '../../credentials/QuectelTokenApi.credentials';
import { HarnessCredentialsHelper } from '../harness';
import { QUECTEL_TEST_ACCOUNT, QuectelMock } from '../mocks/quectel';
import { testCredential } from '../support/credentialTest';
import { invariantOn } from '../support/mockRun';
import { declaredCredentialTypes, runBatchDelete } from '../support/runBatchDelete';

/** The node inside n8n's engine, against the Quectel mock over real HTTP. */

const mock = new QuectelMock();
beforeAll(async () => await mock.start());
afterAll(async () => await mock.close());
afterEach(() => {
	mock.noPermission = false;
	mock.missingAs5538 = false;
});

let counter = 0;
/** Fresh IDs per test so tests never share state on the mock. */
const fresh = (n: number) => {
	counter++;
	return Array.from({ length: n }, (_, i) => `17180${counter}0${i}`);
};

const account = (data: IDataObject = {}) => ({
	id: 'quectel-account',
	name: 'Quectel account',
	type: 'quectelAccountApi',
	data: { region: 'custom', baseUrl: mock.baseUrl, ...QUECTEL_TEST_ACCOUNT, ...data },
});
const pasted = (accessToken: string) => ({
	id: 'quectel-token',
	name: 'Quectel token',
	type: 'quectelTokenApi',
	data: { region: 'custom', baseUrl: mock.baseUrl, accessToken },
});

const FAST = { retryDelay: 5, requestsPerSecond: 0 };

interface RunOptions {
	options?: IDataObject;
	credential?: ReturnType<typeof account> | ReturnType<typeof pasted>;
	helper?: HarnessCredentialsHelper;
	continueOnFail?: boolean;
}

async function run(
	items: IDataObject[],
	{ options = {}, credential = account(), helper, continueOnFail }: RunOptions = {},
) {
	return await runBatchDelete({
		parameters: {
			provider: 'quectel',
			quectelAuthentication: credential.type === 'quectelTokenApi' ? 'token' : 'account',
			idField: 'msgId',
			options: { ...FAST, ...options },
		},
		items,
		credentials: helper === undefined ? [credential] : undefined,
		credentialsHelper: helper,
		continueOnFail,
	});
}

/** A credentials store that outlives one run, like n8n's database between nightly runs. */
function store(credential = account()) {
	return new HarnessCredentialsHelper()
		.registerTypes(...declaredCredentialTypes())
		.addCredential(credential);
}

const expectInvariant = invariantOn(
	(id) => mock.deleted.has(id),
	(id) => !mock.messages.has(id),
);

const sentIds = (from = 0) =>
	mock
		.deleteRequests()
		.slice(from)
		.flatMap((r) => (r.query.get('msgIdList') ?? '').split(','));

describe('Quectel IoT through n8n', () => {
	it('logs in, deletes in batches via msgIdList, and maps every kind of answer', async () => {
		const [a, b, c, d, locked, missing] = fresh(6);
		mock.add(a, b, c, d, { id: locked, locked: true });
		const before = mock.deleteRequests().length;
		const logins = mock.logins;
		const result = await run(
			[{ msgId: [a, b] }, { msgId: `${c},${d}` }, { msgId: [locked, missing, a] }],
			{ options: { batchSize: 4 } },
		);

		expect(result.error).toBeUndefined();
		expect(mock.logins - logins).toBe(1);
		const requests = mock.deleteRequests().slice(before);
		expect(requests).toHaveLength(2);
		expect(requests[0].query.get('msgIdList')).toBe([a, b, c, d].join(','));
		expect(requests[1].query.get('msgIdList')).toBe([locked, missing].join(','));
		expect(requests.every((r) => r.method === 'POST' && r.rawBody === '')).toBe(true);
		// The token exactly as login returned it: no scheme in front.
		expect(requests[0].headers.authorization).toMatch(/^qt\./);

		expect(result.byId[a]).toEqual({
			id: a,
			provider: 'quectel',
			status: 'deleted',
			batch: 1,
			attempts: 1,
		});
		expect(result.success.find((i) => i.json.id === a)?.pairedItem).toEqual([
			{ item: 0 },
			{ item: 2 },
		]);
		expect(result.byId[locked]).toMatchObject({
			status: 'rejected',
			code: 'DELETE_FAILED',
			message: 'Message is being pushed and cannot be deleted',
			batch: 2,
		});
		expect(result.byId[missing]).toMatchObject({ status: 'alreadyGone' });
		expectInvariant(result, [
			[a, b],
			[c, d],
			[locked, missing, a],
		]);
	});

	it('never sends an ID that contains a comma', async () => {
		const [good] = fresh(1);
		mock.add(good);
		const before = mock.deleteRequests().length;
		const result = await run([{ msgId: [good, 'evil,1718999'] }]);
		expect(result.byId['evil,1718999']).toMatchObject({
			status: 'invalid',
			code: 'INVALID_ID',
			attempts: 0,
			batch: null,
		});
		expect(result.byId['evil,1718999'].message).toMatch(/comma/);
		expect(result.byId[good]).toMatchObject({ status: 'deleted' });
		expect(sentIds(before)).toEqual([good]);
		expectInvariant(result, [[good, 'evil,1718999']]);
	});

	it('survives a token that expires mid-run: one new login, every ID reported once', async () => {
		const ids = fresh(9);
		mock.add(...ids);
		const logins = mock.logins;
		const before = mock.deleteRequests().length;
		mock.expireTokensAfter(1);
		const result = await run([{ msgId: ids }], { options: { batchSize: 3, concurrency: 1 } });

		expect(result.error).toBeUndefined();
		expect(mock.logins - logins).toBe(2);
		expect(result.credentials.preAuthenticationCount('quectelAccountApi')).toBe(2);
		// Batch 2 was refused (5032), then resent once with the new token.
		expect(mock.deleteRequests().length - before).toBe(4);
		expect(result.success.map((i) => i.json.id).sort()).toEqual([...ids].sort());
		expect(result.success.every((i) => i.json.status === 'deleted')).toBe(true);
		expect(result.byId[ids[3]]).toMatchObject({ batch: 2, attempts: 2 });
		expectInvariant(result, [ids]);
	});

	it('parallel batches that all see the expired token share one new login', async () => {
		const helper = store();
		const warm = fresh(1);
		mock.add(...warm);
		await run([{ msgId: warm }], { helper });
		expect(helper.preAuthenticationCount()).toBe(1);

		const ids = fresh(12);
		mock.add(...ids);
		mock.expireTokens();
		const logins = mock.logins;
		const before = mock.deleteRequests().length;
		const result = await run([{ msgId: ids }], {
			helper,
			options: { batchSize: 2, concurrency: 4 },
		});
		expect(result.error).toBeUndefined();
		// 6 batches, and at least two of them were refused with the old token and resent.
		expect(mock.deleteRequests().length - before).toBeGreaterThanOrEqual(8);
		expect(mock.logins - logins).toBe(1);
		expect(helper.preAuthenticationCount()).toBe(2);
		expect(result.success).toHaveLength(12);
		expectInvariant(result, [ids]);
	});

	it('keeps a nightly workflow working: the stored token is reused, and replaced once it expires', async () => {
		const helper = store();
		const first = fresh(2);
		mock.add(...first);
		const logins = mock.logins;
		const night1 = await run([{ msgId: first }], { helper });
		expect(night1.success).toHaveLength(2);
		expectInvariant(night1, [first]);
		const token = helper.getStoredData('quectel-account').accessToken;
		expect(token).toMatch(/^qt\./);
		expect(helper.getStoredCiphertext('quectel-account')).not.toContain(String(token));

		const second = fresh(2);
		mock.add(...second);
		const night2 = await run([{ msgId: second }], { helper });
		expect(mock.logins - logins).toBe(1);
		expectInvariant(night2, [second]);

		mock.expireTokens();
		const third = fresh(2);
		mock.add(...third);
		const night3 = await run([{ msgId: third }], { helper });
		expect(night3.success.map((i) => i.json.status)).toEqual(['deleted', 'deleted']);
		expect(mock.logins - logins).toBe(2);
		expect(helper.getStoredData('quectel-account').accessToken).not.toBe(token);
		expectInvariant(night3, [third]);
	});

	it('stops with a clear error on a wrong password, sending nothing and logging in once', async () => {
		const ids = fresh(6);
		mock.add(...ids);
		const before = mock.deleteRequests().length;
		const attempts = mock.loginAttempts;
		const result = await run([{ msgId: ids }], {
			credential: account({ password: 'not-the-password' }),
			options: { batchSize: 2 },
		});
		expect(result.error?.message).toMatch(
			/Quectel IoT refused the credentials: .*Quectel login failed \(code 5583, Incorrect password\): wrong password/,
		);
		expect(result.error?.description).toMatch(/Nothing was deleted/);
		expect(mock.deleteRequests().length).toBe(before);
		expect(mock.loginAttempts - attempts).toBe(1);
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
	});

	it('names the domain secret when the signature is refused', async () => {
		const result = await run([{ msgId: fresh(1) }], {
			credential: account({ domainSecret: 'wrong-domain-secret' }),
		});
		expect(result.error?.message).toMatch(/code 5420.*User Domain Secret/);
	});

	it('with a pasted token that expired, stops with a clear error and deletes nothing', async () => {
		const token = mock.issueToken();
		mock.expireTokens();
		const ids = fresh(4);
		mock.add(...ids);
		const before = mock.deleteRequests().length;
		const result = await run([{ msgId: ids }], {
			credential: pasted(token),
			options: { batchSize: 2 },
		});
		expect(result.error?.message).toMatch(
			/Quectel IoT refused the credentials: Quectel refused the access token \(5032: Token verification failed\)/,
		);
		expect(mock.deleteRequests().length - before).toBe(1);
		expect(ids.every((id) => mock.messages.has(id))).toBe(true);
	});

	it('with a pasted token and continue on fail, reports every ID once when it expires mid-run', async () => {
		const token = mock.issueToken();
		const ids = fresh(6);
		mock.add(...ids);
		mock.expireTokensAfter(1);
		const result = await run([{ msgId: ids }], {
			credential: pasted(token),
			options: { batchSize: 2, concurrency: 1 },
			continueOnFail: true,
		});
		expect(result.success.map((i) => i.json.id)).toEqual(ids.slice(0, 2));
		// Batch 2 was sent and refused; batches 3 and 4 never went out.
		expect(result.failure.map((i) => i.json.status)).toEqual([
			'rejected',
			'rejected',
			'notAttempted',
			'notAttempted',
		]);
		expect(result.failure[0].json.code).toBe('5032');
		expectInvariant(result, [ids]);
	});

	it('fails the batch as forbidden on 5041', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.noPermission = true;
		const result = await run([{ msgId: ids }]);
		expect(result.failure.map((i) => i.json)).toEqual(
			ids.map((id) =>
				expect.objectContaining({
					id,
					status: 'forbidden',
					code: '5041',
					message: 'No permission',
				}),
			),
		);
		expectInvariant(result, [ids]);
	});

	it('isolates missing messages when Quectel refuses the whole batch with 5538', async () => {
		const ids = fresh(4);
		mock.add(ids[0], ids[1], ids[3]);
		mock.missingAs5538 = true;
		const result = await run([{ msgId: ids }], { options: { treatNotFoundAsDeleted: false } });
		expect(result.byId[ids[2]]).toMatchObject({ status: 'notFound', code: '5538' });
		expect([ids[0], ids[1], ids[3]].map((id) => result.byId[id].status)).toEqual([
			'deleted',
			'deleted',
			'deleted',
		]);
		expectInvariant(result, [ids]);
	});

	it('sends a full batch of the longest IDs within the gateway URL limit', async () => {
		const ids = Array.from({ length: 100 }, (_, i) => `long${i}-`.padEnd(64, 'z'));
		mock.add(...ids);
		const before = mock.deleteRequests().length;
		const result = await run([{ msgId: ids }]);
		expect(mock.deleteRequests().length - before).toBe(1);
		expect(result.success).toHaveLength(100);
		expectInvariant(result, [ids]);
	});

	it('passes the credential test with a good account, logging in first', async () => {
		const logins = mock.logins;
		expect(await testCredential(new QuectelAccountApi(), account().data)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(mock.logins - logins).toBe(1);
		expect(
			mock
				.requestsTo(/userMsgList$/)
				.at(-1)
				?.query.get('pageSize'),
		).toBe('1');
	});

	it('fails the credential test on a wrong password or an expired pasted token', async () => {
		const wrong = await testCredential(
			new QuectelAccountApi(),
			account({ password: 'nope-nope' }).data,
		);
		expect(wrong).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/5583.*wrong password/),
		});
		const token = mock.issueToken();
		expect(await testCredential(new QuectelTokenApi(), pasted(token).data)).toMatchObject({
			status: 'OK',
		});
		mock.expireTokens();
		expect(await testCredential(new QuectelTokenApi(), pasted(token).data)).toEqual({
			status: 'Error',
			message: 'Quectel refused the access token (5032): it may have expired',
		});
	});

	it('the mock refuses URLs over 8 KB, as a gateway does', async () => {
		const response = await fetch(
			`${mock.baseUrl}/v2/mobilepush/enduserapi/batchDeleteMsg?msgIdList=${'9'.repeat(8200)}`,
			{ method: 'POST' },
		);
		expect(response.status).toBe(414);
	});

	it('rejects a batch size over 100 before sending anything', async () => {
		const result = await run([{ msgId: fresh(1) }], { options: { batchSize: 101 } });
		expect(result.error?.message).toBe('Batch Size must be at most 100 for Quectel IoT');
	});

	it('shows the request in a dry run without logging in or sending', async () => {
		const ids = fresh(3);
		const before = mock.requests.length;
		const result = await run([{ msgId: ids }], { options: { dryRun: true } });
		expect(mock.requests.length).toBe(before);
		expect(result.byId[ids[0]]).toMatchObject({
			status: 'dryRun',
			request: {
				method: 'POST',
				url: `${mock.baseUrl}/v2/mobilepush/enduserapi/batchDeleteMsg`,
				ids: 3,
				qs: { msgIdList: ids.join(',') },
			},
		});
	});
});
