import * as n8nHost from '../../scripts/n8n-host';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, checkInvariant } from '../reliability/providers';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { secretValues } from '../support/secretScan';
import type { Branch } from './workflow';
import type { Execution } from './execute';
import { INSTALL_TIMEOUT, LINES, executeScanned, outputItems } from './execute';
import { branchOf, buildWorkflow, deletedNode, failedNode } from './workflow';

/**
 * The packed package inside a REAL n8n (installed on first use into a cache outside the clone),
 * on both release lines users run: the package is installed as users install it by hand, every
 * provider's credential (token exchange, signing, OAuth-less login) runs inside n8n, and the
 * outputs are read back from `n8n execute --rawOutput`.
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const RUN_TIMEOUT = 120 * 1000;

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

/** A Batch Delete node's outputs in a real execution, shaped like an in-engine run. */
function outputsOf(
	execution: Execution,
	branch: string,
): Pick<BatchDeleteRun, 'success' | 'failure'> {
	// Batch Delete's own run data holds both outputs with pairedItem as n8n stored them.
	return { success: outputItems(execution, branch, 0), failure: outputItems(execution, branch, 1) };
}

describe.each(LINES)('real n8n %s.x', (line) => {
	let folder: Folder;
	let envs: ProviderEnv[] = [];
	const secrets: string[] = [];

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		envs = await Promise.all(ADAPTERS.map(async (adapter) => await adapter.start()));
		const credentials = envs.flatMap((env) => [...env.credentials('default')]);
		secrets.push(...secretValues(credentials.map((c) => c.data)));
		await n8nHost.importCredentials(folder, credentials);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all(envs.map(async (env) => await env.close()));
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	/** Import and run a workflow; nothing the run printed or stored may hold a credential value. */
	async function execute(id: string, branches: Branch[]): Promise<Execution> {
		return await executeScanned(folder, buildWorkflow(id, `e2e ${id}`, branches), secrets);
	}

	it(
		'loads the package and deletes through every provider, each ID in exactly one output',
		async () => {
			const plans = envs.map((env) => {
				const ids = env.seed(7);
				const missing = env.missing(1);
				// Two items name the first ID: its output item must pair with both.
				const idsByItem =
					env.maxBatch === 1
						? [...ids, ...missing, ids[0]].map((id) => [id])
						: [
								[...ids.slice(0, 4), ...missing],
								[...ids.slice(4), ids[0]],
							];
				const items = idsByItem.flatMap((group) => env.items(group, group.length));
				return {
					env,
					ids,
					missing,
					idsByItem,
					branch: branchOf(env, `Delete ${env.provider}`, items),
				};
			});
			const result = await execute(
				'e2eAllProviders1',
				plans.map((p) => p.branch),
			);
			expect(result.error).toBeUndefined();
			for (const plan of plans) {
				const outputs = outputsOf(result, plan.branch.name);
				const statuses = outputs.success.map((i) => i.json.status);
				expect([plan.env.provider, statuses.filter((s) => s === 'deleted').length]).toEqual([
					plan.env.provider,
					7,
				]);
				// The missing ID: already gone, or rejected where the provider never says "not found".
				const rejected = plan.env.missingRejected === true ? 1 : 0;
				expect([plan.env.provider, statuses.filter((s) => s === 'alreadyGone').length]).toEqual([
					plan.env.provider,
					1 - rejected,
				]);
				expect([plan.env.provider, outputs.failure.length]).toEqual([plan.env.provider, rejected]);
				checkInvariant(plan.env, outputs as BatchDeleteRun, plan.idsByItem);
				// The sinks received exactly what Batch Delete sent to each output.
				expect(n8nHost.outputOf(result.execution, deletedNode(plan.branch.name))?.length).toBe(
					outputs.success.length,
				);
				expect(n8nHost.outputOf(result.execution, failedNode(plan.branch.name))?.length ?? 0).toBe(
					rejected,
				);
			}
		},
		RUN_TIMEOUT,
	);

	it(
		'stops with a clear error on bad credentials and deletes nothing',
		async () => {
			const env = envs[0];
			const ids = env.seed(3);
			const branch = branchOf(env, 'Bad token', env.items(ids, 3), {
				credentials: { avayaSpacesApi: { id: 'e2e-bad-avaya', name: 'Avaya bad token' } },
			});
			const good = env.credentials('default')[0];
			await n8nHost.importCredentials(folder, [
				{
					...good,
					id: 'e2e-bad-avaya',
					name: 'Avaya bad token',
					data: { ...good.data, token: 'revoked-token' },
				},
			]);
			const result = await execute('e2eBadCredential', [branch]);
			expect(result.error?.message).toMatch(/Avaya Spaces refused the credentials/);
			expect(ids.every((id) => !env.removed(id) && !env.isGone(id))).toBe(true);
		},
		RUN_TIMEOUT,
	);

	it(
		'with "continue on fail", puts every ID of a refused run on Failure: the refused request\'s IDs rejected',
		async () => {
			const env = envs[0];
			const ids = env.seed(3);
			const branch = branchOf(env, 'Bad token, continue', env.items(ids, 3), {
				credentials: { avayaSpacesApi: { id: 'e2e-bad-avaya', name: 'Avaya bad token' } },
				settings: { continueOnFail: true },
			});
			const result = await execute('e2eContinueOnFl1', [branch]);
			expect(result.error).toBeUndefined();
			const outputs = outputsOf(result, branch.name);
			// One request carried all three and was refused (nothing sent after it).
			expect(outputs.failure.map((i) => i.json.status)).toEqual([
				'rejected',
				'rejected',
				'rejected',
			]);
			checkInvariant(env, outputs as BatchDeleteRun, [ids]);
		},
		RUN_TIMEOUT,
	);

	it(
		'waits out a 429 and then deletes',
		async () => {
			const env = envs[0];
			const ids = env.seed(2);
			env.mock.inject({ ...env.throttle(), path: env.deletePath });
			const branch = branchOf(env, 'Throttled', env.items(ids, 2));
			const result = await execute('e2eThrottled0001', [branch]);
			const outputs = outputsOf(result, branch.name);
			if (process.env.E2E_DEBUG)
				console.log(
					JSON.stringify(
						{
							error: result.error,
							source: result.source,
							outputs,
							requests: env.mock
								.requestsTo(env.deletePath)
								.slice(-3)
								.map((r) => r.body),
						},
						null,
						1,
					),
				);
			expect(outputs.success.map((i) => [i.json.status, i.json.attempts])).toEqual([
				['deleted', 2],
				['deleted', 2],
			]);
			checkInvariant(env, outputs as BatchDeleteRun, [ids]);
		},
		RUN_TIMEOUT,
	);
});
