import type { INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { WeChatMock } from '../mocks/weChat';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, checkInvariant } from '../reliability/providers';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { buildWorkflow } from './workflow';

/**
 * The transport reads the credential once per run and hands n8n that copy with every request
 * (`credentialsDecrypted`). In a REAL n8n, on both lines: every provider deletes with it, and for
 * credentials whose token n8n fetches (preAuthentication), a token that expires mid-run is fetched
 * again once and every later request carries the new one: the held copy follows n8n's fetches.
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 180 * 1000;

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

describe.each(LINES)('credential held for the run, real n8n %s.x', (line) => {
	let folder: Folder;
	let envs: ProviderEnv[] = [];

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		folder = await n8nHost.createUserFolder(host, { tarball: await n8nHost.packPackage() });
		envs = await Promise.all(ADAPTERS.map(async (adapter) => await adapter.start()));
		await n8nHost.importCredentials(
			folder,
			envs.flatMap((env) => env.credentials('default')),
		);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all(envs.map(async (env) => await env.close()));
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	it(
		'every provider deletes with the held credential; a token that expires mid-run is fetched again once and used from then on',
		async () => {
			// Providers whose credential can recover (a fetched token, or SOLAPI's fresh signature).
			const plans = envs
				.filter((env) => env.expireRecovers)
				.map((env) => {
					const ids = env.seed(12);
					// Batches of 2 (WeChat: 1), two at a time: the token expires after the third delete call.
					env.expireToken(3);
					// All IDs on one item; WeChat reads one target per item.
					const idsByItem = env.maxBatch === 1 ? ids.map((id) => [id]) : [ids];
					const credentials = env.credentials('default');
					return {
						env,
						ids,
						idsByItem,
						tokenRequestsBefore:
							env.provider === 'weChatOfficialAccount' ? (env.mock as WeChatMock).tokenRequests : 0,
						branch: {
							name: `Delete ${env.provider}`,
							parameters: env.parameters({ batchSize: Math.min(2, env.maxBatch), concurrency: 2 }),
							credentials: Object.fromEntries(
								credentials.map((c) => [c.type, { id: c.id, name: c.name }]),
							),
							items: env.items(ids, ids.length),
						},
					};
				});
			await n8nHost.importWorkflow(
				folder,
				buildWorkflow(
					`e2eHeldCred${line}000`.slice(0, 16),
					'e2e held credential',
					plans.map((p) => p.branch),
				),
			);
			const result = await n8nHost.executeWorkflow(folder, `e2eHeldCred${line}000`.slice(0, 16));
			if (!result.execution)
				throw new Error(`n8n execute printed no execution:\n${result.stderr.slice(-3000)}`);
			expect(result.error).toBeUndefined();
			for (const plan of plans) {
				const success = (n8nHost.outputOf(result.execution, plan.branch.name, 0) ??
					[]) as INodeExecutionData[];
				const failure = (n8nHost.outputOf(result.execution, plan.branch.name, 1) ??
					[]) as INodeExecutionData[];
				expect([plan.env.provider, failure.map((i) => i.json.code)]).toEqual([
					plan.env.provider,
					[],
				]);
				expect([
					plan.env.provider,
					success.filter((i) => i.json.status === 'deleted').length,
				]).toEqual([plan.env.provider, plan.ids.length]);
				checkInvariant(plan.env, { success, failure } as BatchDeleteRun, plan.idsByItem);
				if (plan.env.provider === 'weChatOfficialAccount') {
					// One token fetched at the start and one after it expired: had the held copy not taken
					// the fetched token, every request would fetch one; had it not taken the refreshed
					// one, every later request would meet the expired token and the run would stop.
					expect((plan.env.mock as WeChatMock).tokenRequests - plan.tokenRequestsBefore).toBe(2);
				}
			}
		},
		RUN_TIMEOUT,
	);
});
