import * as n8nHost from '../../scripts/n8n-host';
import type { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import type { SolapiMock } from '../mocks/solapi';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, HUAWEI_PROJECT, checkInvariant } from '../reliability/providers';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { secretValues } from '../support/secretScan';
import type { Branch } from './workflow';
import type { Execution } from './execute';
import { INSTALL_TIMEOUT, LINES, executeScanned, outputItems as output } from './execute';
import { branchOf, buildWorkflow } from './workflow';

/**
 * In a REAL n8n, both lines: provider parameters given per item by expressions (two SOLAPI groups
 * holding the same message ID), and where each of n8n's error settings sends what.
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const RUN_TIMEOUT = 120 * 1000;
const SECOND_PROJECT = 'fedcba9876543210fedcba9876543210';

describe.each(LINES)('real n8n %s.x: per-item parameters and error settings', (line) => {
	let folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
	let avaya: ProviderEnv;
	let solapi: ProviderEnv;
	let huawei: ProviderEnv;
	const secrets: string[] = [];

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		const byId = (id: string) => ADAPTERS.find((a) => a.id === id)!;
		[avaya, solapi, huawei] = await Promise.all([
			byId('avayaSpaces').start(),
			byId('solapi').start(),
			byId('huaweiCloudSms').start(),
		]);
		(huawei.mock as HuaweiCloudSmsMock).projects.push({
			id: SECOND_PROJECT,
			name: 'second-project',
		});
		const credentials = [
			...avaya.credentials('default'),
			...solapi.credentials('default'),
			...huawei.credentials('default'),
		];
		const bad = {
			...avaya.credentials('default')[0],
			id: 'e2e-bad-avaya',
			name: 'Avaya bad token',
		};
		bad.data = { ...bad.data, token: 'revoked-token' };
		secrets.push(...secretValues([...credentials, bad].map((c) => c.data)));
		await n8nHost.importCredentials(folder, [...credentials, bad]);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all([avaya?.close(), solapi?.close(), huawei?.close()]);
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	async function execute(id: string, branches: Branch[]): Promise<Execution> {
		return await executeScanned(folder, buildWorkflow(id, `e2e ${id}`, branches), secrets);
	}

	it(
		'SOLAPI Group ID from each item: each ID leaves only the group its item named',
		async () => {
			const mock = solapi.mock as SolapiMock;
			const g1 = `G4VE2EA${line}`;
			const g2 = `G4VE2EB${line}`;
			const shared = `M4VE2ESHARED${line}`;
			const a = [`M4VE2EA${line}X1`, `M4VE2EA${line}X2`];
			const b = [`M4VE2EB${line}X1`];
			mock.addGroup(g1, ...a, shared);
			mock.addGroup(g2, ...b, shared);
			const items = [
				{ id: a[0], group: g1 },
				{ id: shared, group: g2 },
				{ id: a[1], group: g1 },
				{ id: b[0], group: g2 },
			];
			const name = 'Per-item groups';
			const result = await execute(`e2ePerItemGrp${line}0`, [
				branchOf(solapi, name, items, {}, { solapiGroupId: '={{ $json.group }}' }),
			]);
			expect(result.error).toBeUndefined();
			expect(mock.groups.get(g1)!.has(shared)).toBe(true);
			expect(mock.groups.get(g2)!.has(shared)).toBe(false);
			expect([...a, ...b].some((id) => mock.holds(id))).toBe(false);
			const success = output(result, name, 0);
			expect(success.map((i) => [i.json.id, i.json.groupId]).sort()).toEqual(
				items.map((i) => [i.id, i.group]).sort(),
			);
			assertInvariant({
				idsByItem: items.map((i) => [`${i.group}|${i.id}`]),
				success,
				failure: output(result, name, 1),
				removedByRun: (key) => !mock.groups.get(key.split('|')[0])!.has(key.split('|')[1]),
				isGone: (key) => !mock.groups.get(key.split('|')[0])!.has(key.split('|')[1]),
				keyOf: (json) => `${String(json.groupId)}|${String(json.id)}`,
			});
		},
		RUN_TIMEOUT,
	);

	it(
		"Huawei Cloud Project ID from each item: each template is sent to its item's project, never the first item's",
		async () => {
			const mock = huawei.mock as HuaweiCloudSmsMock;
			const p1 = [`tplE2EP1${line}-1`, `tplE2EP1${line}-2`];
			const p2 = [`tplE2EP2${line}-1`];
			const both = `tplE2EBOTH${line}`;
			mock.addTemplates(HUAWEI_PROJECT, ...p1, both);
			mock.addTemplates(SECOND_PROJECT, ...p2, both);
			const items = [
				{ id: p1[0], project: HUAWEI_PROJECT },
				{ id: both, project: SECOND_PROJECT },
				{ id: p1[1], project: HUAWEI_PROJECT },
				{ id: p2[0], project: SECOND_PROJECT },
			];
			const name = 'Per-item projects';
			const result = await execute(`e2ePerItemPrj${line}0`, [
				branchOf(huawei, name, items, {}, { huaweiCloudProjectId: '={{ $json.project }}' }),
			]);
			expect(result.error).toBeUndefined();
			const sent = mock
				.requestsTo(/\/msgsms\/templates\/batch-delete$/)
				.map((r) => [r.path.split('/')[2], (r.body as { ids: string[] }).ids]);
			// The IAM token is scoped to the first project (as Huawei's are): only its templates are
			// sent; the second project's fail before sending, saying why, and stay.
			expect(sent).toEqual([[HUAWEI_PROJECT, p1]]);
			expect(output(result, name, 1).map((i) => [i.json.id, i.json.code])).toEqual([
				[both, 'CREDENTIAL_SCOPE'],
				[p2[0], 'CREDENTIAL_SCOPE'],
			]);
			// The shared one was never touched in the first project.
			expect(p1.some((id) => mock.templates.get(HUAWEI_PROJECT)!.has(id))).toBe(false);
			expect(mock.templates.get(HUAWEI_PROJECT)!.has(both)).toBe(true);
			expect([both, p2[0]].every((id) => mock.templates.get(SECOND_PROJECT)!.has(id))).toBe(true);
			assertInvariant({
				idsByItem: items.map((i) => [`${i.project}|${i.id}`]),
				success: output(result, name, 0),
				failure: output(result, name, 1),
				removedByRun: (key) => !mock.templates.get(key.split('|')[0])!.has(key.split('|')[1]),
				isGone: (key) => !mock.templates.get(key.split('|')[0])!.has(key.split('|')[1]),
				keyOf: (json) => `${String(json.projectId)}|${String(json.id)}`,
			});
		},
		RUN_TIMEOUT,
	);

	it(
		'Huawei Cloud where the batch-delete path is not served: every template deleted one per request',
		async () => {
			const mock = huawei.mock as HuaweiCloudSmsMock;
			const ids = Array.from({ length: 60 }, (_, i) => `tplE2ESINGLE${line}-${i}`);
			mock.addTemplates(HUAWEI_PROJECT, ...ids);
			const batchBefore = mock.requestsTo(/\/batch-delete$/).length;
			const singleBefore = mock.requests.filter((r) => r.method === 'DELETE').length;
			mock.batchPath = false;
			const name = 'No batch path';
			let result: Execution;
			try {
				result = await execute(`e2eNoBatch${line}0`, [
					branchOf(
						huawei,
						name,
						ids.map((id) => ({ id })),
					),
				]);
			} finally {
				mock.batchPath = true;
			}
			expect(result.error).toBeUndefined();
			// The first batch of 50 got the gateway's 404; it and the rest went singly.
			expect(mock.requestsTo(/\/batch-delete$/).length - batchBefore).toBeLessThanOrEqual(2);
			expect(mock.requests.filter((r) => r.method === 'DELETE').length - singleBefore).toBe(60);
			const success = output(result, name, 0);
			expect(success).toHaveLength(60);
			assertInvariant({
				idsByItem: ids.map((id) => [id]),
				success,
				failure: output(result, name, 1),
				removedByRun: (id) => mock.deleted.has(id),
				isGone: (id) => !mock.holds(id),
			});
		},
		RUN_TIMEOUT,
	);

	it(
		'error settings: Continue (using error output) and Continue (regular output) never put anything on Success that was not deleted',
		async () => {
			const refused = avaya.seed(2);
			const mixed = avaya.seed(2);
			const regular = avaya.seed(2);
			const badCredential = { avayaSpacesApi: { id: 'e2e-bad-avaya', name: 'Avaya bad token' } };
			const branches: Branch[] = [
				// A whole-run error (the credential is refused before anything is deleted).
				branchOf(avaya, 'ErrOut refused', avaya.items(refused, 1), {
					credentials: badCredential,
					settings: { onError: 'continueErrorOutput' },
				}),
				// Per-ID failures stay on Failure; the error output stays empty.
				branchOf(avaya, 'ErrOut mixed', [...avaya.items(mixed, 2), { id: true }], {
					settings: { onError: 'continueErrorOutput' },
				}),
				// A configuration error in Continue (regular output): Failure per input item, Success empty.
				branchOf(
					avaya,
					'Regular bad option',
					avaya.items(regular, 1),
					{ settings: { onError: 'continueRegularOutput' } },
					{},
					{ batchSize: 5000 },
				),
			];
			const result = await execute(`e2eErrorOutput${line}0`, branches);
			expect(result.error).toBeUndefined();

			// 1. Refused: both input items on the error output, with their own fields; nothing deleted.
			expect(output(result, 'ErrOut refused', 0)).toEqual([]);
			expect(output(result, 'ErrOut refused', 1)).toEqual([]);
			const errors = output(result, 'ErrOut refused', 2);
			expect(errors.map((i) => String(i.json.id)).sort()).toEqual([...refused].sort());
			for (const item of errors)
				expect(String(item.json.error)).toMatch(/Avaya Spaces refused the credentials/);
			expect(errors.map((i) => (i.pairedItem as { item: number }).item).sort()).toEqual([0, 1]);
			expect(refused.some((id) => avaya.isGone(id))).toBe(false);

			// 2. Mixed: deleted on Success, the boolean on Failure naming its item, error output empty.
			expect(
				output(result, 'ErrOut mixed', 0)
					.map((i) => i.json.id)
					.sort(),
			).toEqual([...mixed].sort());
			const failed = output(result, 'ErrOut mixed', 1);
			expect(failed.map((i) => [i.json.status, i.json.message])).toEqual([
				['invalid', 'Item 1: a boolean, not an ID'],
			]);
			expect(output(result, 'ErrOut mixed', 2)).toEqual([]);
			checkInvariant(
				avaya,
				{ success: output(result, 'ErrOut mixed', 0), failure: [] } as unknown as BatchDeleteRun,
				[mixed],
			);

			// 3. Regular output, bad option: one Failure item per input item, nothing on Success.
			expect(output(result, 'Regular bad option', 0)).toEqual([]);
			const regularFailed = output(result, 'Regular bad option', 1);
			expect(
				regularFailed.map((i) => [i.json.status, (i.pairedItem as { item: number }).item]),
			).toEqual([
				['error', 0],
				['error', 1],
			]);
			expect(String(regularFailed[0].json.message)).toMatch(
				/^Batch Size must be at most 100 for Avaya Spaces/,
			);
			expect(regular.some((id) => avaya.isGone(id))).toBe(false);
		},
		RUN_TIMEOUT,
	);
});
