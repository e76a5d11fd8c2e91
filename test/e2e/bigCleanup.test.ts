import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, checkInvariant } from '../reliability/providers';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { secretValues } from '../support/secretScan';
import type { Execution } from './execute';
import { executeScanned } from './execute';
import type { Branch } from './workflow';
import { buildWorkflow } from './workflow';

/**
 * Big cleanups in a REAL n8n, both lines: the three Output modes against the Avaya Spaces mock
 * (counts that add up, nothing counted deleted that the mock did not delete), and the progress
 * lines a long run writes to n8n's log.
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 120 * 1000;

const output = (execution: Execution, branch: string, index: number) =>
	(n8nHost.outputOf(execution.execution, branch, index) ?? []) as INodeExecutionData[];

describe.each(LINES)('real n8n %s.x: big cleanups', (line) => {
	let folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
	let fast: ProviderEnv;
	let slow: ProviderEnv;
	const secrets: string[] = [];
	const avaya = ADAPTERS.find((a) => a.id === 'avayaSpaces')!;

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		[fast, slow] = await Promise.all([avaya.start(), avaya.start()]);
		const credentials = [
			fast.credentials('default')[0],
			{ ...slow.credentials('default')[0], id: 'avaya-slow', name: 'Avaya (slow mock)' },
		];
		secrets.push(...secretValues(credentials.map((c) => c.data)));
		await n8nHost.importCredentials(folder, credentials);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all([fast?.close(), slow?.close()]);
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	const branch = (
		env: ProviderEnv,
		name: string,
		items: IDataObject[],
		options: IDataObject,
		credential = env.credentials('default')[0],
	): Branch => ({
		name,
		parameters: env.parameters(options as never),
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		items,
	});

	it(
		'Each ID, Failures and Summary, Summary Only: counts that add up to what the mock did',
		async () => {
			const plan = () => {
				const ok = fast.seed(40);
				const gone = fast.missing(5);
				return { ok, gone, ids: [...ok, ...gone] };
			};
			const each = plan();
			const both = plan();
			const only = plan();
			const result = await executeScanned(
				folder,
				buildWorkflow(`e2eBigCleanup${line}00`, 'e2e big cleanup', [
					branch(fast, 'Each ID', fast.items(each.ids, 45), {
						output: 'eachId',
						treatNotFoundAsDeleted: false,
					}),
					branch(fast, 'Failures and Summary', fast.items(both.ids, 45), {
						output: 'failuresAndSummary',
						treatNotFoundAsDeleted: false,
					}),
					branch(fast, 'Summary Only', fast.items(only.ids, 45), {
						output: 'summaryOnly',
						treatNotFoundAsDeleted: false,
					}),
				]),
				secrets,
			);
			expect(result.error).toBeUndefined();

			checkInvariant(
				fast,
				{
					success: output(result, 'Each ID', 0),
					failure: output(result, 'Each ID', 1),
				} as BatchDeleteRun,
				[each.ids],
			);

			const [summary] = output(result, 'Failures and Summary', 0).map((i) => i.json);
			expect(output(result, 'Failures and Summary', 0)).toHaveLength(1);
			expect(summary).toMatchObject({
				total: 45,
				succeeded: 40,
				failed: 5,
				byStatus: { deleted: 40, notFound: 5 },
			});
			expect(both.ok.every((id) => fast.removed(id))).toBe(true);
			expect(
				output(result, 'Failures and Summary', 1)
					.map((i) => i.json.id)
					.sort(),
			).toEqual([...both.gone].sort());

			expect(output(result, 'Summary Only', 0)).toHaveLength(0);
			const [only1] = output(result, 'Summary Only', 1).map((i) => i.json);
			expect(only1).toMatchObject({
				total: 45,
				failed: 5,
				byStatus: { deleted: 40, notFound: 5 },
				failuresOmitted: 0,
			});
			expect((only1.failures as IDataObject[]).map((f) => f.id).sort()).toEqual(
				[...only.gone].sort(),
			);
			expect(only.ok.every((id) => fast.removed(id))).toBe(true);
		},
		RUN_TIMEOUT,
	);

	it(
		"a run longer than 10 s writes progress lines to n8n's log, with no secret in them",
		async () => {
			const ids = slow.seed(500);
			// 100 requests one at a time, each answered after 120 ms: about 12 s.
			slow.mock.latencyMs = 120;
			const credential = {
				...slow.credentials('default')[0],
				id: 'avaya-slow',
				name: 'Avaya (slow mock)',
			};
			const result = await executeScanned(
				folder,
				buildWorkflow(`e2eBigProgress${line}0`, 'e2e progress', [
					branch(
						slow,
						'Slow cleanup',
						slow.items(ids, 500),
						{ output: 'summaryOnly', batchSize: 5, concurrency: 1 },
						credential,
					),
				]),
				secrets,
			);
			expect(result.error).toBeUndefined();
			const lines = result.stdout
				.split('\n')
				.filter((l) => l.includes('Batch Delete "Slow cleanup"'));
			expect(lines.length).toBeGreaterThanOrEqual(1);
			expect(lines[0]).toMatch(
				/Batch Delete "Slow cleanup": [\d,]+ of 500 \(\d+%\) Avaya Spaces messages done \([\d,]+ deleted\); [\d,]+ requests, [\d,]+ IDs\/s, about \d+ s left/,
			);
			expect(output(result, 'Slow cleanup', 0).map((i) => i.json.total)).toEqual([500]);
			expect(ids.every((id) => slow.removed(id))).toBe(true);
		},
		RUN_TIMEOUT,
	);
});
