import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import { listModes } from '../mocks/listModes';
import type { QuectelMock } from '../mocks/quectel';
import type { FilterEnv } from '../support/byFilterEnvs';
import {
	FILTER_ENVS,
	OLD,
	YOUNG,
	checkFilterInvariant,
	startQuectel,
} from '../support/byFilterEnvs';
import { secretValues } from '../support/secretScan';
import type { Execution } from './execute';
import { executeScanned } from './execute';
import type { Branch } from './workflow';
import { buildWorkflow, deletedNode, failedNode } from './workflow';

/**
 * Select = By Filter in a REAL n8n, the packed package installed as users install it: one
 * workflow with, for each of the four providers with a list API, three By Filter branches (more
 * matches than one page, Limit reached, Dry Run), each on its own part of the mock (a space, a
 * group, a message type, a template-name prefix); the same against servers that ignore every
 * filter; then the examples/ template "every night, delete read notifications older than 30 days"
 * imported and run as a user would.
 *
 * E2E_LINES=1 (or 2) limits the run to one n8n line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 3 * 60 * 1000;
const TEMPLATE = path.join(
	__dirname,
	'..',
	'..',
	'examples',
	'nightly-delete-read-notifications.json',
);

const outputsOf = (execution: Execution, branch: string) => ({
	success: (n8nHost.outputOf(execution.execution, branch, 0) ?? []) as INodeExecutionData[],
	failure: (n8nHost.outputOf(execution.execution, branch, 1) ?? []) as INodeExecutionData[],
	// Only a dry run has it.
	preview: (n8nHost.outputOf(execution.execution, branch, 2) ?? []) as INodeExecutionData[],
});

/** Seeds one scenario: matches over `pages` pages, plus items that must stay. */
function seedScenario(env: FilterEnv, scope: number, matchCount: number) {
	const matches = env.seed(matchCount, { match: true, old: true }, scope);
	const keep = [
		...env.seed(10, { match: false, old: true }, scope),
		...env.seed(10, { match: true, old: false }, scope),
	];
	return { matches, keep };
}

describe.each(LINES)('By Filter in real n8n %s.x', (line) => {
	let folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
	let envs: FilterEnv[] = [];
	let templateEnv: FilterEnv;
	const secrets: string[] = [];

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		envs = await Promise.all(FILTER_ENVS.map(async ({ start }) => await start()));
		templateEnv = await startQuectel();
		const template = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8')) as {
			nodes: Array<{ name: string; credentials?: Record<string, { id: string; name: string }> }>;
		};
		const ref = template.nodes.find((n) => n.name === 'Delete read notifications')!.credentials!
			.quectelAccountApi;
		const credentials = [
			...envs.flatMap((env) => env.credentials()),
			{ ...templateEnv.credentials()[0], ...ref },
		];
		secrets.push(...secretValues(credentials.map((c) => c.data)));
		await n8nHost.importCredentials(folder, credentials);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all([...envs, templateEnv].filter(Boolean).map(async (env) => await env.close()));
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	async function execute(id: string, workflow: IDataObject): Promise<Execution> {
		return await executeScanned(folder, { ...workflow, id }, secrets);
	}

	it(
		'lists, pages and deletes on all four providers: more than one page, Limit, Dry Run',
		async () => {
			const plans = envs.flatMap((env) => {
				const credentials = Object.fromEntries(
					env.credentials().map((c) => [c.type, { id: c.id, name: c.name }]),
				);
				const all = seedScenario(env, 0, env.pageSize * 2 + 25);
				const limited = seedScenario(env, 1, env.pageSize + 30);
				const dry = seedScenario(env, 2, env.pageSize + 20);
				const limit = env.pageSize + 7;
				const branch = (
					name: string,
					scope: number,
					extra: INodeParameters,
					options: INodeParameters = {},
				): Branch => ({
					name: `${env.provider} ${name}`,
					parameters: env.parameters(scope, extra, options),
					credentials,
					items: [{ trigger: 'nightly' }],
				});
				return [
					{
						env,
						kind: 'all' as const,
						seeded: all,
						branch: branch('all', 0, { filterLimit: 100_000 }),
					},
					{
						env,
						kind: 'limit' as const,
						seeded: limited,
						limit,
						branch: branch('limit', 1, { filterLimit: limit }),
					},
					{
						env,
						kind: 'dry' as const,
						seeded: dry,
						branch: branch('dry run', 2, {}, { dryRun: true }),
					},
				];
			});
			const result = await execute(
				'e2eByFilter00001',
				buildWorkflow(
					'e2eByFilter00001',
					'e2e By Filter',
					plans.map((p) => p.branch),
					{ schedule: false },
				),
			);
			expect(result.error).toBeUndefined();
			for (const plan of plans) {
				const { env, seeded } = plan;
				const outputs = outputsOf(result, plan.branch.name);
				const tag = `${plan.branch.name}`;
				expect([tag, outputs.failure.length]).toEqual([tag, 0]);
				if (plan.kind === 'all') {
					expect([tag, outputs.success.length]).toEqual([tag, seeded.matches.length]);
					checkFilterInvariant(env, outputs, seeded.matches);
					expect([tag, seeded.matches.filter((id) => env.exists(id)).length]).toEqual([tag, 0]);
					expect([
						tag,
						outputs.success.every(
							(i) =>
								i.json.status === 'deleted' &&
								typeof i.json.title === 'string' &&
								typeof i.json.time === 'string',
						),
					]).toEqual([tag, true]);
				} else if (plan.kind === 'limit') {
					expect([tag, outputs.success.length]).toEqual([tag, plan.limit]);
					checkFilterInvariant(env, outputs, seeded.matches);
					expect([tag, seeded.matches.filter((id) => env.exists(id)).length]).toEqual([
						tag,
						seeded.matches.length - plan.limit!,
					]);
					expect([
						tag,
						JSON.stringify(
							result.execution.data.resultData.runData[plan.branch.name][0].hints ?? [],
						),
					]).toEqual([tag, expect.stringMatching(/Limit reached/)]);
				} else {
					// The preview has its own output: the Success branch ("Deleted") gets nothing.
					expect([tag, outputs.success.length]).toEqual([tag, 0]);
					expect([tag, outputs.preview.map((i) => i.json.id).sort()]).toEqual([
						tag,
						[...seeded.matches].sort(),
					]);
					expect([tag, outputs.preview.every((i) => i.json.status === 'dryRun')]).toEqual([
						tag,
						true,
					]);
					expect([tag, seeded.matches.every((id) => env.exists(id))]).toEqual([tag, true]);
				}
				expect([tag, seeded.keep.every((id) => env.exists(id))]).toEqual([tag, true]);
				expect(n8nHost.outputOf(result.execution, deletedNode(plan.branch.name))?.length ?? 0).toBe(
					outputs.success.length,
				);
				expect(n8nHost.outputOf(result.execution, failedNode(plan.branch.name))?.length ?? 0).toBe(
					0,
				);
			}
		},
		RUN_TIMEOUT,
	);

	it(
		'deletes only what matches every filter on all four providers when the server ignores every filter',
		async () => {
			const plans = envs.map((env) => {
				const credentials = Object.fromEntries(
					env.credentials().map((c) => [c.type, { id: c.id, name: c.name }]),
				);
				const seeded = env.seedStrict(30, 3);
				const branch: Branch = {
					name: `${env.provider} ignored filters`,
					parameters: env.strictParameters(3, { filterLimit: 100_000 }),
					credentials,
					items: [{ trigger: 'nightly' }],
				};
				listModes(env.mock).ignoreFilters = true;
				return { env, seeded, branch, before: env.held() };
			});
			try {
				const result = await execute(
					'e2eByFilterIgn01',
					buildWorkflow(
						'e2eByFilterIgn01',
						'e2e By Filter, filters ignored',
						plans.map((p) => p.branch),
						{ schedule: false },
					),
				);
				expect(result.error).toBeUndefined();
				for (const { env, seeded, branch, before } of plans) {
					const tag = branch.name;
					const outputs = outputsOf(result, tag);
					checkFilterInvariant(env, outputs, seeded.matches);
					expect([tag, outputs.success.map((i) => i.json.id).sort()]).toEqual([
						tag,
						[...seeded.matches].sort(),
					]);
					expect([tag, outputs.failure.length]).toEqual([tag, 0]);
					// The mock's state: the matches gone, everything else it held (other scopes included) still there.
					expect([tag, seeded.matches.filter((id) => env.exists(id))]).toEqual([tag, []]);
					expect([
						tag,
						before.filter((id) => !seeded.matches.includes(id) && !env.exists(id)),
					]).toEqual([tag, []]);
					const ignored = [...listModes(env.mock).ignored];
					expect([tag, ignored.length > 0]).toEqual([tag, true]);
					for (const name of ignored)
						expect([tag, name, seeded.misses[name]?.length ?? 0]).toEqual([tag, name, 30]);
				}
			} finally {
				for (const { env } of plans) listModes(env.mock).ignoreFilters = false;
			}
		},
		RUN_TIMEOUT,
	);

	it(
		'runs the template "every night, delete read notifications older than 30 days"',
		async () => {
			const mock = templateEnv.mock as QuectelMock;
			const old = Array.from({ length: 130 }, (_, i) => `19000${String(i).padStart(5, '0')}`);
			old.forEach((id, i) =>
				mock.add({
					id,
					title: `Door sensor ${i}`,
					msgType: 1 + (i % 4),
					isRead: true,
					addTime: OLD() - i * 60_000,
				}),
			);
			const unread = ['1900100001', '1900100002'];
			unread.forEach((id) =>
				mock.add({ id, title: 'Unread alarm', msgType: 2, isRead: false, addTime: OLD() }),
			);
			const recent = ['1900200001'];
			recent.forEach((id) =>
				mock.add({ id, title: 'Yesterday', msgType: 1, isRead: true, addTime: YOUNG() }),
			);
			// One the provider refuses to delete: it must reach the alert.
			mock.messages.get(old[7])!.locked = true;

			const workflow = JSON.parse(fs.readFileSync(TEMPLATE, 'utf8')) as IDataObject;
			const result = await execute('tplNightlyRead01', { ...workflow, id: 'tplNightlyRead01' });
			expect(result.error).toBeUndefined();
			const outputs = outputsOf(result, 'Delete read notifications');
			expect(outputs.success).toHaveLength(129);
			expect(outputs.failure.map((i) => [i.json.id, i.json.status, i.json.title])).toEqual([
				[old[7], 'rejected', 'Door sensor 7'],
			]);
			checkFilterInvariant(templateEnv, outputs, old);
			expect([...unread, ...recent, old[7]].every((id) => templateEnv.exists(id))).toBe(true);
			const alert = n8nHost.outputOf(result.execution, 'Send alert') as INodeExecutionData[];
			expect(alert).toHaveLength(1);
			expect(alert[0].json).toMatchObject({ failedCount: 1, byStatus: { rejected: 1 } });
			expect(String(alert[0].json.text)).toContain('"Door sensor 7"');
		},
		RUN_TIMEOUT,
	);
});
