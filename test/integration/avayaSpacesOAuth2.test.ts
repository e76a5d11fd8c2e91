import type { IDataObject } from 'n8n-workflow';

import type { HarnessCredentialsHelper } from '../harness';
import type { IssuedTokens } from '../mocks/avayaAccounts';
import { AvayaAccountsMock } from '../mocks/avayaAccounts';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { seedAvayaSpace } from '../mocks/avayaSpacesList';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * The OAuth2 credential inside n8n's engine when its access token expires: n8n-core's own OAuth2
 * path refreshes it at the accounts mock's token endpoint (refresh-token grant) and stores it with
 * the credential; the Avaya Spaces mock accepts only current tokens that endpoint issued.
 */

const accounts = new AvayaAccountsMock();
const mock = new AvayaSpacesMock();
mock.accounts = accounts;
beforeAll(async () => {
	await accounts.start();
	await mock.start();
});
afterAll(async () => {
	await mock.close();
	await accounts.close();
});
afterEach(() => {
	accounts.ttlMs = 3600_000;
	mock.schedule = undefined;
});

let counter = 0;
const fresh = (n: number) => {
	counter++;
	return Array.from({ length: n }, (_, i) => `o${counter}x${i}`);
};

const credential = (tokens: IssuedTokens) => ({
	id: `avaya-oauth-${counter}`,
	name: 'Avaya OAuth2',
	type: 'avayaSpacesOAuth2Api',
	data: {
		environment: 'custom',
		baseUrl: mock.baseUrl,
		clientId: accounts.clientId,
		clientSecret: accounts.clientSecret,
		accessTokenUrl: `${accounts.baseUrl}/oauth2/access_token`,
		oauthTokenData: { ...tokens },
	},
});

async function run(
	ids: string[],
	tokens: IssuedTokens,
	options: IDataObject = {},
	credentialsHelper?: HarnessCredentialsHelper,
) {
	return await runBatchDelete({
		parameters: {
			provider: 'avayaSpaces',
			avayaSpacesAuthentication: 'oAuth2',
			idField: 'id',
			options: { retryDelay: 5, requestsPerSecond: 0, ...options },
		},
		items: [{ id: ids }],
		...(credentialsHelper ? { credentialsHelper } : { credentials: [credential(tokens)] }),
	});
}

function expectInvariant(result: BatchDeleteRun, ids: string[]) {
	assertInvariant({
		idsByItem: [ids],
		success: result.success,
		failure: result.failure,
		removedByRun: (id) => mock.deleted.has(id),
		isGone: (id) => !mock.messages.has(id),
	});
}

const stored = (result: BatchDeleteRun) =>
	result.credentials.getStoredData(`avaya-oauth-${counter}`).oauthTokenData as IDataObject;
/** Each ID at most once in a delete request the mock answered 200 (nothing deleted twice). */
const deleteBodies = (ids: string[]) =>
	mock
		.requestsTo(/deletemessages/)
		.filter((r) => Array.isArray(r.body) && (r.body as string[]).some((id) => ids.includes(id)));

describe('Avaya Spaces OAuth2 through n8n: an expired access token', () => {
	it('is refreshed once, stored with the credential, and every ID is deleted; the next run does not refresh again', async () => {
		const ids = fresh(3);
		mock.add(...ids);
		const tokens = accounts.issue({ expired: true });
		const refreshesBefore = accounts.refreshRequests().length;
		const result = await run(ids, tokens, { concurrency: 1 });
		expect(result.error).toBeUndefined();
		expect(accounts.refreshRequests().length - refreshesBefore).toBe(1);
		// The node asked twice (the 401, then the refresh send); n8n sent that second one twice:
		// once more with the expired token (its 401 starts the refresh), then with the new token.
		expect(result.success.map((i) => [i.json.status, i.json.attempts])).toEqual(
			ids.map(() => ['deleted', 2]),
		);
		expect(deleteBodies(ids)).toHaveLength(3);
		expectInvariant(result, ids);
		const now = stored(result);
		expect(now.access_token).not.toBe(tokens.access_token);
		expect(accounts.accepts(String(now.access_token))).toBe(true);
		expect(now.refresh_token).not.toBe(tokens.refresh_token);

		// A second execution with the stored credential uses the refreshed token as it is.
		const more = fresh(2);
		mock.add(...more);
		const second = await run(more, tokens, { concurrency: 1 }, result.credentials);
		expect(second.error).toBeUndefined();
		expect(accounts.refreshRequests().length - refreshesBefore).toBe(1);
		expect(second.success.map((i) => [i.json.status, i.json.attempts])).toEqual(
			more.map(() => ['deleted', 1]),
		);
		expectInvariant(second, more);
	});

	it('with Concurrency > 1 and several batches, is still refreshed once and nothing is deleted twice', async () => {
		const ids = fresh(12);
		mock.add(...ids);
		const refreshesBefore = accounts.refreshRequests().length;
		const result = await run(ids, accounts.issue({ expired: true }), {
			concurrency: 4,
			batchSize: 2,
		});
		expect(result.error).toBeUndefined();
		expect(accounts.refreshRequests().length - refreshesBefore).toBe(1);
		expect(result.success.map((i) => i.json.status)).toEqual(ids.map(() => 'deleted'));
		expect(result.failure).toHaveLength(0);
		expect(ids.every((id) => mock.deleted.has(id))).toBe(true);
		expectInvariant(result, ids);
	});

	it('with a revoked refresh token, fails with "reconnect the credential" and deletes nothing', async () => {
		const ids = fresh(4);
		mock.add(...ids);
		const tokens = accounts.issue({ expired: true });
		accounts.revoke(tokens.refresh_token);
		const refreshesBefore = accounts.refreshRequests().length;
		const result = await run(ids, tokens, { concurrency: 2, batchSize: 1 });
		expect(result.error?.message).toMatch(
			/^Avaya Spaces refused the credentials: n8n could not refresh the OAuth2 access token \(.*\): reconnect the credential$/,
		);
		expect(accounts.refreshRequests().length - refreshesBefore).toBe(1);
		expect(ids.some((id) => mock.deleted.has(id))).toBe(false);
		expect(stored(result).access_token).toBe(tokens.access_token);
	});

	it('expiring mid-run with a revoked refresh token: what was deleted is on Success, the rest on Failure', async () => {
		const ids = fresh(6);
		mock.add(...ids);
		const tokens = accounts.issue();
		let deletes = 0;
		mock.schedule = (request) => {
			if (request.path.endsWith('/deletemessages') && ++deletes === 3) {
				accounts.expire(tokens.access_token);
				accounts.revoke(tokens.refresh_token);
			}
			return undefined;
		};
		const result = await run(ids, tokens, { concurrency: 1, batchSize: 1 });
		expect(result.error).toBeUndefined();
		expect(result.success.map((i) => i.json.id)).toEqual(ids.slice(0, 2));
		expect(result.failure.map((i) => [i.json.id, i.json.status, i.json.code])).toEqual(
			ids.slice(2).map((id) => [id, 'notAttempted', 'OAUTH2_REFRESH_FAILED']),
		);
		expect(result.failure[0].json.message).toMatch(/reconnect the credential/);
		expectInvariant(result, ids);
	});

	it('refused again after a successful refresh, stops saying so', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		const tokens = accounts.issue({ expired: true });
		// Tokens the endpoint issues from now on are dead on arrival.
		accounts.ttlMs = 0;
		const result = await run(ids, tokens, { concurrency: 1 });
		expect(result.error?.message).toBe(
			'Avaya Spaces refused the credentials: The provider refused the refreshed OAuth2 access token too (HTTP 401): reconnect the credential',
		);
		expect(ids.some((id) => mock.deleted.has(id))).toBe(false);
		// Stored, so the next run does not refresh with a rotated-away refresh token.
		expect(stored(result).access_token).not.toBe(tokens.access_token);
	});

	it('a 503 after the refresh is retried with the fresh token', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		const tokens = accounts.issue({ expired: true });
		// The first two delete requests carry the expired token (the node's, then n8n's before it refreshes).
		mock.inject(
			{ kind: 'latency', ms: 0, path: /deletemessages/ },
			{ kind: 'latency', ms: 0, path: /deletemessages/ },
			{ kind: 'reply', status: 503, path: /deletemessages/ },
		);
		const result = await run(ids, tokens, { concurrency: 1 });
		expect(result.error).toBeUndefined();
		expect(result.success.map((i) => [i.json.status, i.json.attempts])).toEqual(
			ids.map(() => ['deleted', 3]),
		);
		expect(mock.clearFaults()).toEqual([]);
		expectInvariant(result, ids);
	});

	it('By Filter: the list request that meets the expired token gets it refreshed once, then the matches are deleted', async () => {
		counter++;
		const old = Date.now() - 40 * 86_400_000;
		const ids = seedAvayaSpace(mock, `space-oauth-${counter}`, [
			{ created: old },
			{ created: old + 1000 },
			{ created: old + 2000 },
		]);
		const refreshesBefore = accounts.refreshRequests().length;
		const result = await runBatchDelete({
			parameters: {
				provider: 'avayaSpaces',
				avayaSpacesAuthentication: 'oAuth2',
				select: 'byFilter',
				avayaSpaceId: `space-oauth-${counter}`,
				avayaCategory: 'chat',
				olderThan: 30,
				olderThanUnit: 'days',
				options: { retryDelay: 5, requestsPerSecond: 0 },
			},
			credentials: [credential(accounts.issue({ expired: true }))],
		});
		expect(result.error).toBeUndefined();
		expect(accounts.refreshRequests().length - refreshesBefore).toBe(1);
		expect(result.success.map((i) => [i.json.id, i.json.status]).sort()).toEqual(
			ids.map((id) => [id, 'deleted']).sort(),
		);
		expect(result.failure).toHaveLength(0);
	});
});
