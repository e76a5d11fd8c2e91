import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { IssuedTokens } from '../mocks/avayaAccounts';
import { AvayaAccountsMock } from '../mocks/avayaAccounts';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { assertInvariant } from '../support/invariant';
import { assertNoSecrets } from '../support/secretScan';
import { BATCH_DELETE_TYPE, postToWebhook } from './workflow';

/**
 * An Avaya Spaces OAuth2 credential whose access token has expired, in REAL n8n (both lines): the
 * credential is imported connected (`oauthTokenData` with an expired access token and a refresh
 * token the local token endpoint holds), and the node must have n8n refresh it through n8n's own
 * OAuth2 path, once, store it, and delete every ID. The token endpoint and Avaya Spaces are the
 * mocks in test/mocks (the accounts mock rotates refresh tokens, so a second refresh would fail).
 *
 * The token URL is a hidden field fixed to Avaya's accounts host: n8n 2.x drops a stored value for
 * it and `n8n execute` loads no credential overwrites, so the workflows run under `n8n start` with
 * an admin's overwrite pointing it at the mock, triggered by production webhooks (as a schedule
 * would run them, in the server process).
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 120 * 1000;
const TYPE = 'avayaSpacesOAuth2Api';
const NODE = 'Delete with OAuth2';

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
type Server = Awaited<ReturnType<typeof n8nHost.startServer>>;

interface Scenario {
	/** Workflow id and webhook path. */
	id: string;
	tokens: IssuedTokens;
	options: IDataObject;
	continueOnFail?: boolean;
}

/** Webhook (POST `{id: [...]}`) → Batch Delete with the scenario's own credential. */
function webhookWorkflow(s: Scenario, credential: { id: string; name: string }): IDataObject {
	return {
		id: s.id,
		name: `e2e ${s.id}`,
		active: false,
		nodes: [
			{
				id: `${s.id}-hook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${s.id}-hook`,
				parameters: { httpMethod: 'POST', path: s.id, responseMode: 'lastNode' },
			},
			{
				id: `${s.id}-delete`,
				name: NODE,
				type: BATCH_DELETE_TYPE,
				typeVersion: 1,
				position: [250, 0],
				parameters: {
					provider: 'avayaSpaces',
					avayaSpacesAuthentication: 'oAuth2',
					idField: 'body.id',
					options: { requestsPerSecond: 0, retryDelay: 10, ...s.options },
				},
				credentials: { [TYPE]: credential },
				...(s.continueOnFail ? { continueOnFail: true, onError: 'continueRegularOutput' } : {}),
			},
		],
		connections: { Webhook: { main: [[{ node: NODE, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

describe.each(LINES)('OAuth2 refresh in real n8n %s.x', (line) => {
	let folder: Folder;
	let server: Server | undefined;
	const accounts = new AvayaAccountsMock();
	const avaya = new AvayaSpacesMock();
	avaya.accounts = accounts;
	const scenarios: Record<'expired' | 'concurrent' | 'revoked' | 'revokedContinue', Scenario> =
		{} as never;
	let n = 0;

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		await accounts.start();
		await avaya.start();
		const revoked = () => {
			const tokens = accounts.issue({ expired: true });
			accounts.revoke(tokens.refresh_token);
			return tokens;
		};
		Object.assign(scenarios, {
			expired: {
				id: `e2eOAuthExpired${line}`,
				tokens: accounts.issue({ expired: true }),
				options: { concurrency: 1 },
			},
			concurrent: {
				id: `e2eOAuthConcurr${line}`,
				tokens: accounts.issue({ expired: true }),
				options: { concurrency: 4, batchSize: 2 },
			},
			revoked: {
				id: `e2eOAuthRevoked${line}`,
				tokens: revoked(),
				options: { concurrency: 2, batchSize: 1 },
			},
			revokedContinue: {
				id: `e2eOAuthRevCont${line}`,
				tokens: revoked(),
				options: { concurrency: 2, batchSize: 1 },
				continueOnFail: true,
			},
		});
		const all = Object.values(scenarios);
		// Each workflow its own connected credential, as "Connect my account" would have stored it.
		await n8nHost.importCredentials(
			folder,
			all.map((s) => ({
				id: `${s.id}c`,
				name: `Avaya OAuth2 ${s.id}`,
				type: TYPE,
				data: {
					environment: 'custom',
					baseUrl: avaya.baseUrl,
					clientId: accounts.clientId,
					clientSecret: accounts.clientSecret,
					oauthTokenData: { ...s.tokens },
				},
			})),
		);
		await n8nHost.importWorkflow(
			folder,
			all.map((s) => webhookWorkflow(s, { id: `${s.id}c`, name: `Avaya OAuth2 ${s.id}` })),
		);
		for (const s of all) {
			const args =
				line === '2'
					? ['publish:workflow', `--id=${s.id}`]
					: ['update:workflow', `--id=${s.id}`, '--active=true'];
			const r = await n8nHost.runN8n(folder, args);
			if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
		}
		const overwrite = { [TYPE]: { accessTokenUrl: `${accounts.baseUrl}/oauth2/access_token` } };
		server = await n8nHost.startServer(folder, {
			env: { CREDENTIALS_OVERWRITE_DATA: JSON.stringify(overwrite) },
		});
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await server?.stop();
		await avaya.close();
		await accounts.close();
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	/** What n8n has stored for the scenario's credential now (decrypted). */
	async function stored(s: Scenario): Promise<IDataObject> {
		const file = join(folder.dir, `export-${s.id}.json`);
		const res = await n8nHost.runN8n(folder, [
			'export:credentials',
			`--id=${s.id}c`,
			'--decrypted',
			`--output=${file}`,
		]);
		if (res.code !== 0) throw new Error(`export:credentials failed: ${res.stderr}`);
		try {
			const [row] = JSON.parse(await readFile(file, 'utf8')) as Array<{ data: IDataObject }>;
			return row.data.oauthTokenData as IDataObject;
		} finally {
			await rm(file, { force: true });
		}
	}

	/** Post the IDs to the scenario's webhook and read the execution n8n stored for it. */
	async function deleteWith(s: Scenario, ids: string[]) {
		const before = await n8nHost.readExecutionFromDb(folder, { workflowId: s.id });
		const res = await postToWebhook(`${server!.baseUrl}/webhook/${s.id}`, { id: ids });
		await res.text();
		let execution: any = null;
		for (
			const deadline = Date.now() + 20000;
			Date.now() < deadline;
			await new Promise((r) => setTimeout(r, 300))
		) {
			execution = await n8nHost.readExecutionFromDb(folder, { workflowId: s.id });
			if (execution && execution.id !== before?.id && execution.stoppedAt) break;
			execution = null;
		}
		if (!execution)
			throw new Error(
				`no stored execution for ${s.id} (webhook answered ${res.status})\n${server!.logs().slice(-3000)}`,
			);
		// No token, old or refreshed, in anything n8n logged or stored for the execution.
		const secrets = [accounts.clientSecret, ...accounts.minted];
		assertNoSecrets(server!.logs(), secrets);
		assertNoSecrets(execution, secrets);
		const success = (n8nHost.outputOf(execution, NODE, 0) ?? []) as INodeExecutionData[];
		const failure = (n8nHost.outputOf(execution, NODE, 1) ?? []) as INodeExecutionData[];
		return {
			error: execution.data?.resultData?.error as IDataObject | undefined,
			success,
			failure,
		};
	}

	const fresh = (count: number) => {
		n++;
		const ids = Array.from({ length: count }, (_, i) => `e2e-oauth-${line}-${n}-${i}`);
		avaya.add(...ids);
		return ids;
	};
	const invariant = (
		ids: string[],
		result: { success: INodeExecutionData[]; failure: INodeExecutionData[] },
	) =>
		assertInvariant({
			idsByItem: [ids],
			success: result.success,
			failure: result.failure,
			removedByRun: (id) => avaya.deleted.has(id),
			isGone: (id) => !avaya.messages.has(id),
		});

	it(
		'refreshes an expired access token once and deletes every ID; the next execution uses the stored token without refreshing',
		async () => {
			const s = scenarios.expired;
			const ids = fresh(3);
			const refreshes = accounts.refreshRequests().length;
			const first = await deleteWith(s, ids);
			expect(first.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(first.success.map((i) => [i.json.status, i.json.attempts])).toEqual(
				ids.map(() => ['deleted', 2]),
			);
			expect(ids.every((id) => avaya.deleted.has(id))).toBe(true);
			invariant(ids, first);

			const now = await stored(s);
			expect(now.access_token).not.toBe(s.tokens.access_token);
			expect(accounts.accepts(String(now.access_token))).toBe(true);

			const more = fresh(2);
			const second = await deleteWith(s, more);
			expect(second.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(second.success.map((i) => [i.json.status, i.json.attempts])).toEqual(
				more.map(() => ['deleted', 1]),
			);
			invariant(more, second);
		},
		2 * RUN_TIMEOUT,
	);

	it(
		'with Concurrency > 1 and several batches, still refreshes once',
		async () => {
			const ids = fresh(12);
			const refreshes = accounts.refreshRequests().length;
			const result = await deleteWith(scenarios.concurrent, ids);
			expect(result.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(result.success.map((i) => i.json.status)).toEqual(ids.map(() => 'deleted'));
			expect(result.failure).toHaveLength(0);
			invariant(ids, result);
		},
		RUN_TIMEOUT,
	);

	it(
		'with a revoked refresh token, fails with a clear error and deletes nothing',
		async () => {
			const s = scenarios.revoked;
			const ids = fresh(4);
			const refreshes = accounts.refreshRequests().length;
			const result = await deleteWith(s, ids);
			expect(result.error?.message).toMatch(
				/^Avaya Spaces refused the credentials: n8n could not refresh the OAuth2 access token \(.+\): reconnect the credential$/,
			);
			// Every ID is in the node error (nothing was applied): no output holds any of them.
			expect([...result.success, ...result.failure]).toHaveLength(0);
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(ids.some((id) => avaya.deleted.has(id))).toBe(false);
			expect((await stored(s)).access_token).toBe(s.tokens.access_token);
		},
		RUN_TIMEOUT,
	);

	it(
		'with a revoked refresh token and "continue on fail", puts every ID on Failure',
		async () => {
			const ids = fresh(3);
			const refreshes = accounts.refreshRequests().length;
			const result = await deleteWith(scenarios.revokedContinue, ids);
			expect(result.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(result.failure.map((i) => [i.json.status, i.json.code])).toEqual(
				ids.map(() => ['notAttempted', 'OAUTH2_REFRESH_FAILED']),
			);
			expect(String(result.failure[0].json.message)).toMatch(/reconnect the credential/);
			expect(ids.some((id) => avaya.deleted.has(id))).toBe(false);
			invariant(ids, result);
		},
		RUN_TIMEOUT,
	);
});
