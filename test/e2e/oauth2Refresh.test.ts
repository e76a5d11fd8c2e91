import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { IssuedTokens } from '../mocks/avayaAccounts';
import { AvayaAccountsMock } from '../mocks/avayaAccounts';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { assertInvariant } from '../support/invariant';
import { assertNoSecrets } from '../support/secretScan';
import { buildWorkflow } from './workflow';

/**
 * An Avaya Spaces OAuth2 credential whose access token has expired, in REAL n8n (both lines): the
 * credential is imported connected (`oauthTokenData` with an expired access token and a refresh
 * token the local token endpoint holds), and the node must have n8n refresh it through n8n's own
 * OAuth2 path, once, store it, and delete every ID. The token endpoint and Avaya Spaces are the
 * mocks in test/mocks (the accounts mock rotates refresh tokens, so a second refresh would fail).
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2').split(',').map((l) => l.trim()).filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 120 * 1000;
const TYPE = 'avayaSpacesOAuth2Api';

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

describe.each(LINES)('OAuth2 refresh in real n8n %s.x', (line) => {
	let folder: Folder;
	const accounts = new AvayaAccountsMock();
	const avaya = new AvayaSpacesMock();
	avaya.accounts = accounts;
	const secrets = [accounts.clientSecret];
	let n = 0;

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		await accounts.start();
		await avaya.start();
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await avaya.close();
		await accounts.close();
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	/** Import a connected OAuth2 credential holding these tokens; returns its id and name. */
	async function connected(tokens: IssuedTokens): Promise<{ id: string; name: string }> {
		const credential = { id: `e2eOAuth${line}x${++n}`, name: `Avaya OAuth2 ${n}`, type: TYPE };
		await n8nHost.importCredentials(folder, [
			{
				...credential,
				data: {
					environment: 'custom',
					baseUrl: avaya.baseUrl,
					clientId: accounts.clientId,
					clientSecret: accounts.clientSecret,
					// Hidden in the editor (fixed to Avaya's accounts host); stored values still win.
					accessTokenUrl: `${accounts.baseUrl}/oauth2/access_token`,
					oauthTokenData: { ...tokens },
				},
			},
		]);
		return { id: credential.id, name: credential.name };
	}

	/** What n8n has stored for the credential now (decrypted). */
	async function stored(id: string): Promise<IDataObject> {
		const file = join(folder.dir, `export-${id}.json`);
		const res = await n8nHost.runN8n(folder, ['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`]);
		if (res.code !== 0) throw new Error(`export:credentials failed: ${res.stderr}`);
		try {
			const [row] = JSON.parse(await readFile(file, 'utf8')) as Array<{ data: IDataObject }>;
			return row.data;
		} finally {
			await rm(file, { force: true });
		}
	}

	async function deleteWith(credential: { id: string; name: string }, ids: string[], options: IDataObject = {}) {
		const workflowId = `e2eOAuth2R${line}${String(++n).padStart(5, '0')}`;
		const name = 'Delete with OAuth2';
		await n8nHost.importWorkflow(
			folder,
			buildWorkflow(workflowId, `e2e ${workflowId}`, [
				{
					name,
					parameters: { provider: 'avayaSpaces', avayaSpacesAuthentication: 'oAuth2', idField: 'id', options: { requestsPerSecond: 0, retryDelay: 10, ...options } },
					credentials: { [TYPE]: credential },
					items: [{ id: ids }],
				},
			]),
		);
		const run = await n8nHost.executeWorkflow(folder, workflowId);
		if (!run.execution) throw new Error(`n8n execute printed no execution (exit ${run.code}):\n${run.stderr.slice(-3000)}\n${run.stdout.slice(-3000)}`);
		// No token, old or refreshed, in anything n8n printed or stored for the execution.
		assertNoSecrets(run.stdout + run.stderr, [...secrets, ...accounts.minted]);
		assertNoSecrets(run.execution, [...secrets, ...accounts.minted]);
		const success = (n8nHost.outputOf(run.execution, name, 0) ?? []) as INodeExecutionData[];
		const failure = (n8nHost.outputOf(run.execution, name, 1) ?? []) as INodeExecutionData[];
		return { run, success, failure };
	}

	const fresh = (count: number) => Array.from({ length: count }, (_, i) => `e2e-oauth-${line}-${n}-${i}`);
	const invariant = (ids: string[], result: { success: INodeExecutionData[]; failure: INodeExecutionData[] }) =>
		assertInvariant({ idsByItem: [ids], success: result.success, failure: result.failure, removedByRun: (id) => avaya.deleted.has(id), isGone: (id) => !avaya.messages.has(id) });

	it(
		'refreshes an expired access token once and deletes every ID; the next execution uses the stored token without refreshing',
		async () => {
			const tokens = accounts.issue({ expired: true });
			const credential = await connected(tokens);
			const ids = fresh(3);
			avaya.add(...ids);
			const refreshes = accounts.refreshRequests().length;
			const first = await deleteWith(credential, ids, { concurrency: 1 });
			expect(first.run.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(first.success.map((i) => [i.json.status, i.json.attempts])).toEqual(ids.map(() => ['deleted', 2]));
			expect(ids.every((id) => avaya.deleted.has(id))).toBe(true);
			invariant(ids, first);

			const now = (await stored(credential.id)).oauthTokenData as IDataObject;
			expect(now.access_token).not.toBe(tokens.access_token);
			expect(accounts.accepts(String(now.access_token))).toBe(true);

			const more = fresh(2);
			avaya.add(...more);
			const second = await deleteWith(credential, more, { concurrency: 1 });
			expect(second.run.error).toBeUndefined();
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(second.success.map((i) => [i.json.status, i.json.attempts])).toEqual(more.map(() => ['deleted', 1]));
			invariant(more, second);
		},
		2 * RUN_TIMEOUT,
	);

	it(
		'with Concurrency > 1 and several batches, still refreshes once',
		async () => {
			const credential = await connected(accounts.issue({ expired: true }));
			const ids = fresh(12);
			avaya.add(...ids);
			const refreshes = accounts.refreshRequests().length;
			const result = await deleteWith(credential, ids, { concurrency: 4, batchSize: 2 });
			expect(result.run.error).toBeUndefined();
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
			const tokens = accounts.issue({ expired: true });
			accounts.revoke(tokens.refresh_token);
			const credential = await connected(tokens);
			const ids = fresh(4);
			avaya.add(...ids);
			const refreshes = accounts.refreshRequests().length;
			const result = await deleteWith(credential, ids, { concurrency: 2, batchSize: 1 });
			expect(result.run.error?.message).toMatch(/^Avaya Spaces refused the credentials: n8n could not refresh the OAuth2 access token \(.+\): reconnect the credential$/);
			// Every ID is in the node error (nothing was applied): no output holds any of them.
			expect([...result.success, ...result.failure]).toHaveLength(0);
			expect(accounts.refreshRequests().length - refreshes).toBe(1);
			expect(ids.some((id) => avaya.deleted.has(id))).toBe(false);
			expect(((await stored(credential.id)).oauthTokenData as IDataObject).access_token).toBe(tokens.access_token);
		},
		RUN_TIMEOUT,
	);

	it(
		'with a revoked refresh token and "continue on fail", puts every ID on Failure',
		async () => {
			const tokens = accounts.issue({ expired: true });
			accounts.revoke(tokens.refresh_token);
			const credential = await connected(tokens);
			const ids = fresh(3);
			avaya.add(...ids);
			const workflowId = `e2eOAuth2C${line}${String(++n).padStart(5, '0')}`;
			const name = 'Delete with OAuth2, continue';
			await n8nHost.importWorkflow(
				folder,
				buildWorkflow(workflowId, `e2e ${workflowId}`, [
					{
						name,
						parameters: { provider: 'avayaSpaces', avayaSpacesAuthentication: 'oAuth2', idField: 'id', options: { requestsPerSecond: 0 } },
						credentials: { [TYPE]: credential },
						items: [{ id: ids }],
						settings: { continueOnFail: true },
					},
				]),
			);
			const run = await n8nHost.executeWorkflow(folder, workflowId);
			expect(run.error).toBeUndefined();
			assertNoSecrets(run.execution, [...secrets, ...accounts.minted]);
			const success = (n8nHost.outputOf(run.execution, name, 0) ?? []) as INodeExecutionData[];
			const failure = (n8nHost.outputOf(run.execution, name, 1) ?? []) as INodeExecutionData[];
			expect(failure.map((i) => [i.json.status, i.json.code])).toEqual(ids.map(() => ['notAttempted', 'OAUTH2_REFRESH_FAILED']));
			expect(String(failure[0].json.message)).toMatch(/reconnect the credential/);
			invariant(ids, { success, failure });
		},
		RUN_TIMEOUT,
	);
});
