import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { SolapiMessageService } from 'solapi';

import { SolapiApi } from '../../credentials/SolapiApi.credentials';
import { solapi } from '../../nodes/BatchDelete/providers/solapi';
import { SolapiMock } from '../mocks/solapi';
import { assertInvariant } from '../support/invariant';
import { runBatchDelete } from '../support/runBatchDelete';
import { sdkVersion } from './sdks';

/**
 * The node's SOLAPI v4 group delete held against the official SDK (`solapi`, version pinned in
 * test/package.json): `SolapiMessageService.removeGroupMessages` with its fetch stubbed, its clock
 * fixed and its salt generator (crypto.randomBytes) fed known bytes, so its request can be
 * compared byte for byte with the node's (provider request + the credential's `authenticate`).
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = require('crypto') as typeof import('crypto');

const API_KEY = 'NCSTESTKEY0000001';
const API_SECRET = 'test-api-secret-0123456789';
const GROUP = 'G4V20190607105937H3OMPD4ONLWZ2UY';
const IDS = ['M4V20190607105937ABCDEFGHIJKLMNO', 'M4V2019060710593801234567890ABCDE'];
const NOW = Date.UTC(2026, 2, 14, 9, 26, 53, 589);
const SALT = '0123456789abcdef0123456789abcdef';
/** The SDK picks salt characters as ALPHABET[byte % 62]; the node's salt is hex of 16 bytes. */
const ALPHABET = '1234567890abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface Sent {
	method: string;
	path: string;
	headers: Record<string, string>;
	body: string;
}

const originalTz = process.env.TZ;
beforeAll(() => {
	// The SDK writes its date in local time (date-fns formatISO); in UTC that is `…Z`.
	process.env.TZ = 'UTC';
});
afterAll(() => {
	if (originalTz === undefined) delete process.env.TZ;
	else process.env.TZ = originalTz;
});

/** Run `fn` at instant `now` with every random byte source giving `salt`. */
async function fixed<T>(now: number, salt: string, fn: () => Promise<T>): Promise<T> {
	jest.useFakeTimers({
		now,
		doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'],
	});
	const spy = jest
		.spyOn(crypto, 'randomBytes')
		.mockImplementation(((size: number) =>
			size === salt.length / 2
				? Buffer.from(salt, 'hex')
				: Buffer.from([...salt].map((c) => ALPHABET.indexOf(c)))) as never);
	try {
		return await fn();
	} finally {
		spy.mockRestore();
		jest.useRealTimers();
	}
}

/** The SDK's request, taken at its fetch. */
async function sdkRequest(groupId: string, ids: string[], now: number, salt: string) {
	let sent: Sent | undefined;
	const fetch = globalThis.fetch;
	globalThis.fetch = (async (url: string, init: RequestInit) => {
		sent = {
			method: String(init.method),
			path: new URL(url).pathname,
			headers: init.headers as Record<string, string>,
			body: String(init.body),
		};
		const answer = {
			groupId,
			errorCount: 0,
			resultList: ids.map((messageId) => ({ messageId, resultCode: 'Success' })),
		};
		return new Response(JSON.stringify(answer), {
			status: 200,
			headers: { 'Content-Type': 'application/json' },
		});
	}) as typeof globalThis.fetch;
	try {
		await fixed(
			now,
			salt,
			async () =>
				await new SolapiMessageService(API_KEY, API_SECRET).removeGroupMessages(groupId, ids),
		);
	} finally {
		globalThis.fetch = fetch;
	}
	return sent!;
}

/** The node's request: the provider's, signed by the credential, its body as n8n serializes it. */
async function nodeRequest(): Promise<Sent> {
	const request = solapi.buildRequest(
		IDS.map((id) => ({ id })),
		{
			params: { groupId: GROUP, apiVersion: 'v4' },
			credentialType: 'solapiApi',
			credentials: { apiKey: API_KEY, apiSecret: API_SECRET } as IDataObject,
		},
	);
	const signed: IHttpRequestOptions = await fixed(
		NOW,
		SALT,
		async () =>
			await new SolapiApi().authenticate(
				{ apiKey: API_KEY, apiSecret: API_SECRET } as ICredentialDataDecryptedObject,
				request,
			),
	);
	return {
		method: String(signed.method),
		path: new URL(signed.url).pathname,
		headers: signed.headers as Record<string, string>,
		body: JSON.stringify(signed.body),
	};
}

/** What differs between two requests (empty: the same bytes). */
function differences(ours: Sent, theirs: Sent): string[] {
	const out: string[] = [];
	if (ours.method !== theirs.method) out.push('method');
	if (ours.path !== theirs.path) out.push('path');
	if (ours.body !== theirs.body) out.push('body');
	if (ours.headers.Authorization !== theirs.headers.Authorization) out.push('Authorization');
	const type = (h: Record<string, string>) =>
		Object.entries(h).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
	if (type(ours.headers) !== type(theirs.headers)) out.push('Content-Type');
	return out;
}

describe(`SOLAPI v4 against solapi@${sdkVersion('solapi')} removeGroupMessages`, () => {
	it('sends the SDK’s request: method, path, body and Authorization byte for byte', async () => {
		const theirs = await sdkRequest(GROUP, IDS, NOW, SALT);
		const ours = await nodeRequest();
		expect(theirs.headers.Authorization).toBe(
			`HMAC-SHA256 apiKey=${API_KEY}, date=2026-03-14T09:26:53Z, salt=${SALT}, signature=${crypto
				.createHmac('sha256', API_SECRET)
				.update(`2026-03-14T09:26:53Z${SALT}`)
				.digest('hex')}`,
		);
		expect(differences(ours, theirs)).toEqual([]);

		// The comparison sees a changed signed field, body field or path segment.
		const auth = ours.headers.Authorization;
		const mutated: Array<[string, Sent]> = [
			[
				'Authorization',
				{
					...ours,
					headers: { ...ours.headers, Authorization: auth.replace('date=2026', 'date=2025') },
				},
			],
			[
				'Authorization',
				{
					...ours,
					headers: {
						...ours.headers,
						Authorization: auth.replace(`salt=${SALT}`, `salt=${SALT.slice(1)}0`),
					},
				},
			],
			['body', { ...ours, body: ours.body.replace('"messageIds"', '"messageId"') }],
			['path', { ...ours, path: ours.path.replace('/v4/', '/v3/') }],
		];
		for (const [what, request] of mutated) expect(differences(request, theirs)).toEqual([what]);
	});

	it('sends, in n8n’s engine, what the SDK sends for the same date and salt', async () => {
		const mock = new SolapiMock();
		await mock.start();
		try {
			mock.addGroup(GROUP, ...IDS);
			const result = await runBatchDelete({
				parameters: {
					provider: 'solapi',
					solapiGroupId: GROUP,
					idField: 'id',
					options: { requestsPerSecond: 0 },
				},
				items: IDS.map((id) => ({ id })),
				credentials: [
					{
						id: 'solapi-1',
						name: 'SOLAPI',
						type: 'solapiApi',
						data: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: mock.baseUrl },
					},
				],
			});
			assertInvariant({
				idsByItem: IDS.map((id) => [id]),
				success: result.success,
				failure: result.failure,
				removedByRun: (id) => mock.deleted.has(id),
				isGone: (id) => !mock.holds(id),
			});
			expect(result.success).toHaveLength(2);
			const [wire] = mock.requests.filter((r) => r.method === 'DELETE');
			const authorization = String(wire.headers.authorization);
			const { date, salt } = Object.fromEntries(
				authorization
					.replace(/^HMAC-SHA256\s+/, '')
					.split(/,\s*/)
					.map((field) => field.split('=')),
			) as Record<string, string>;
			const theirs = await sdkRequest(GROUP, IDS, Date.parse(date), salt);
			const ours: Sent = {
				method: wire.method,
				path: wire.path,
				headers: {
					Authorization: authorization,
					'Content-Type': String(wire.headers['content-type']),
				},
				body: wire.rawBody,
			};
			expect(differences(ours, theirs)).toEqual([]);
		} finally {
			await mock.close();
		}
	});
});
