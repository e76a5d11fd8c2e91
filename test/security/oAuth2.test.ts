import type { IDataObject } from 'n8n-workflow';

import type { IssuedTokens } from '../mocks/avayaAccounts';
import { AvayaAccountsMock } from '../mocks/avayaAccounts';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { MockServer } from '../mocks/mockServer';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * Security tier for the OAuth2 credential (Avaya Spaces OAuth2), in n8n's engine: n8n's OAuth2 path
 * signs the request itself, so the transport's rules must hold there too: a redirect (on the
 * first send and on the refresh send) reaches nothing, and Allowed Domains stop every request.
 */

const accounts = new AvayaAccountsMock();
const mock = new AvayaSpacesMock();
mock.accounts = accounts;
const attacker = new MockServer((request) => ({ status: 200, body: request.body }));
beforeAll(async () => {
	await accounts.start();
	await mock.start();
	await attacker.start();
});
afterAll(async () => {
	await mock.close();
	await accounts.close();
	await attacker.close();
});
afterEach(() => {
	mock.schedule = undefined;
});

let counter = 0;
const fresh = (n: number) => {
	counter++;
	return Array.from({ length: n }, (_, i) => `sec${counter}x${i}`);
};

const credential = (tokens: IssuedTokens, extra: IDataObject = {}) => ({
	id: `avaya-oauth-sec-${counter}`,
	name: 'Avaya OAuth2',
	type: 'avayaSpacesOAuth2Api',
	data: {
		environment: 'custom',
		baseUrl: mock.baseUrl,
		clientId: accounts.clientId,
		clientSecret: accounts.clientSecret,
		accessTokenUrl: `${accounts.baseUrl}/oauth2/access_token`,
		oauthTokenData: { ...tokens },
		...extra,
	},
});

async function run(ids: string[], tokens: IssuedTokens, extra: IDataObject = {}) {
	return await runBatchDelete({
		parameters: {
			provider: 'avayaSpaces',
			avayaSpacesAuthentication: 'oAuth2',
			idField: 'id',
			options: { retryDelay: 5, requestsPerSecond: 0, maxRetries: 1 },
		},
		items: ids.map((id) => ({ id })),
		credentials: [credential(tokens, extra)],
		continueOnFail: true,
	});
}

function expectInvariant(result: BatchDeleteRun, ids: string[]) {
	assertInvariant({
		idsByItem: ids.map((id) => [id]),
		success: result.success,
		failure: result.failure,
		removedByRun: (id) => mock.deleted.has(id),
		isGone: (id) => !mock.messages.has(id),
	});
}

const redirect = () => ({
	kind: 'reply' as const,
	status: 308,
	headers: { location: `${attacker.baseUrl}/api/messages/deletemessages` },
});

describe('Avaya Spaces OAuth2: redirects and Allowed Domains', () => {
	it('a redirect on the delete reaches nothing, nothing on Success', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		mock.schedule = (request) => (/deletemessages/.test(request.path) ? redirect() : undefined);
		const result = await run(ids, accounts.issue({}));
		expect(attacker.requests).toHaveLength(0);
		expect(result.success).toHaveLength(0);
		expect(result.failure.map((i) => i.json.code)).toEqual(['REDIRECT', 'REDIRECT']);
		expectInvariant(result, ids);
	});

	it('a redirect on the send after an expired token reaches nothing either', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		let first = true;
		mock.schedule = (request) => {
			if (!/deletemessages/.test(request.path)) return undefined;
			if (first) {
				first = false;
				return undefined; // the expired token's 401 starts the refresh
			}
			return redirect();
		};
		const result = await run(ids, accounts.issue({ expired: true }));
		expect(attacker.requests).toHaveLength(0);
		expect(result.success).toHaveLength(0);
		expectInvariant(result, ids);
	});

	it('Allowed HTTP Request Domains, Specific Domains without this host: nothing is sent', async () => {
		const ids = fresh(2);
		mock.add(...ids);
		const before = mock.requests.length;
		const result = await run(ids, accounts.issue({}), {
			allowedHttpRequestDomains: 'domains',
			allowedDomains: '*.avayacloud.com',
		});
		expect(mock.requests.length).toBe(before);
		expect(result.success).toHaveLength(0);
		expect(JSON.stringify([result.failure, result.error?.message ?? ''])).toMatch(
			/not in the credential's Allowed Domains/,
		);
	});
});
