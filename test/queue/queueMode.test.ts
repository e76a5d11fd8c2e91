import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { AvayaSpacesMock } from '../mocks/avayaSpaces';
import type { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import type { QuectelMock } from '../mocks/quectel';
import type { WeChatMock } from '../mocks/weChat';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, avaya, checkInvariant } from '../reliability/providers';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { assertNoSecrets, secretValues } from '../support/secretScan';
import type { QueueTier, StoredExecution } from './queueTier';
import { STALL, labelOf, outputsOf, startQueueTier, webhookWorkflow } from './queueTier';
import type { Postgres, Started } from './services';
import { startPostgres, startRedis } from './services';

/**
 * The packed package in n8n's queue mode, on both lines: real Redis and PostgreSQL, `n8n start`
 * as main (webhooks enqueue), two `n8n worker` processes that run the executions. The node keeps
 * no state between executions; these cases check that the contract holds when executions run at
 * once on different workers, share token credentials, lose their worker mid-run, and share a
 * provider's rate limit.
 *
 * `npm run test:queue` (not part of `npm test`). QUEUE_LINES=1 (or 2) limits it to one line.
 */

const LINES = (process.env.QUEUE_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const SETUP_TIMEOUT = 40 * 60 * 1000;
const CASE_TIMEOUT = 5 * 60 * 1000;
/** Generous per-request timeout: two cores run main, two workers, the mocks and the databases. */
const TIMEOUT = 20000;

let pg: Postgres;
let redis: Started;
let tarball: string;
const figures: Record<string, IDataObject> = {};

beforeAll(async () => {
	[pg, redis, tarball] = await Promise.all([startPostgres(), startRedis(), n8nHost.packPackage()]);
}, SETUP_TIMEOUT);

afterAll(async () => {
	await Promise.all([pg?.stop(), redis?.stop()]);
	process.stderr.write(`[queue figures] ${JSON.stringify(figures)}\n`);
});

const chunk = <T>(values: T[], size: number): T[][] => {
	const out: T[][] = [];
	for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
	return out;
};

/** Input items for these IDs (50 to an item; WeChat one) and the IDs each item names. */
function itemsFor(
	env: ProviderEnv,
	ids: string[],
): { items: IDataObject[]; idsByItem: string[][] } {
	const idsByItem = chunk(ids, env.maxBatch === 1 ? 1 : 50);
	return { items: idsByItem.flatMap((group) => env.items(group, group.length)), idsByItem };
}

const refs = (credentials: Array<{ id: string; name: string; type: string }>) =>
	Object.fromEntries(credentials.map((c) => [c.type, { id: c.id, name: c.name }]));
const statuses = (env: ProviderEnv, execution: StoredExecution) =>
	outputsOf(execution).success.map(
		(item) => [env.outputKey(item.json), String(item.json.status)] as const,
	);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
/** The most executions that were running at the same moment (from their stored start and stop). */
function maxOverlap(executions: StoredExecution[]): number {
	const edges = executions
		.flatMap((e) => [[e.startedAt!.getTime(), 1] as const, [e.stoppedAt!.getTime(), -1] as const])
		.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let running = 0;
	let most = 0;
	for (const [, step] of edges) most = Math.max(most, (running += step));
	return most;
}
const duration = (e: StoredExecution) =>
	e.startedAt && e.stoppedAt ? seconds(e.stoppedAt.getTime() - e.startedAt.getTime()) : null;

describe.each(LINES)('n8n %s.x in queue mode (main + 2 workers, Redis, PostgreSQL)', (line) => {
	let tier: QueueTier;
	let envs: ProviderEnv[] = [];
	let crashEnv: ProviderEnv;
	let rateEnv: ProviderEnv;
	const secrets: string[] = [];
	const lineFigures: IDataObject = {};
	figures[`n8n ${line}.x`] = lineFigures;

	/** The shared-credential copies the token case starts cold (no token stored yet). */
	const shared = (env: ProviderEnv) =>
		env
			.credentials('default')
			.map((c) => ({ ...c, id: `${c.id}-shared`, name: `${c.name} (shared)` }));
	const workflowId = (tag: string) => `q${tag}`.padEnd(16, '0').slice(0, 16);
	/** The provider allows `limit` requests a second; each execution's Max Requests per Second is a share of it. */
	const RATE = { limit: 10, ids: 200, batch: 10, shares: [1, 0.5, 0.3] };

	beforeAll(async () => {
		const t0 = Date.now();
		envs = await Promise.all(ADAPTERS.map(async (adapter) => await adapter.start()));
		[crashEnv, rateEnv] = await Promise.all([avaya.start(), avaya.start()]);
		// A provider's round trip, so that executions started together really run side by side.
		for (const env of envs) env.mock.latencyMs = 50;
		const tokenEnvs = envs.filter((env) =>
			['quectel', 'weChatOfficialAccount', 'huaweiCloudSms'].includes(env.provider),
		);
		const rename = (env: ProviderEnv, id: string) =>
			env.credentials('default').map((c) => ({ ...c, id, name: id }));
		const credentials = [
			...envs.flatMap((env) => env.credentials('default')),
			...tokenEnvs.flatMap(shared),
			...rename(crashEnv, 'avaya-crash'),
			...rename(rateEnv, 'avaya-rate'),
		];
		secrets.push(...secretValues(credentials.map((c) => c.data)));
		const options = { timeout: TIMEOUT };
		const rateOptions = (requestsPerSecond: number) => ({
			batchSize: RATE.batch,
			concurrency: 2,
			requestsPerSecond,
			maxRetries: 8,
			retryDelay: 250,
			timeout: TIMEOUT,
		});
		const workflows = [
			...envs.map((env, i) =>
				webhookWorkflow(
					workflowId(`main${i}`),
					`bd-${env.provider}`,
					env.parameters(options),
					refs(env.credentials('default')),
				),
			),
			...tokenEnvs.map((env, i) =>
				webhookWorkflow(
					workflowId(`tok${i}`),
					`bd-shared-${env.provider}`,
					env.parameters({ ...options, batchSize: 25 }),
					refs(shared(env)),
				),
			),
			webhookWorkflow(
				workflowId('crash'),
				'bd-crash',
				crashEnv.parameters({ batchSize: 50, concurrency: 2, timeout: TIMEOUT }),
				refs(rename(crashEnv, 'avaya-crash')),
			),
			webhookWorkflow(
				workflowId('ratefull'),
				'bd-rate-full',
				rateEnv.parameters(rateOptions(RATE.limit)),
				refs(rename(rateEnv, 'avaya-rate')),
			),
			// Two parallel executions with half of the limit each, and with less than that.
			...RATE.shares.map((share) =>
				webhookWorkflow(
					workflowId(`rate${share * 100}`),
					`bd-rate-${share * 100}`,
					rateEnv.parameters(rateOptions(RATE.limit * share)),
					refs(rename(rateEnv, 'avaya-rate')),
				),
			),
		];
		tier = await startQueueTier({ line, pg, redis, tarball, credentials, workflows });
		lineFigures.startSeconds = seconds(Date.now() - t0);
	}, SETUP_TIMEOUT);

	afterAll(async () => {
		if (tier) {
			// Nothing main or a worker printed holds a credential value.
			assertNoSecrets(tier.logs(), secrets);
			await tier.stop();
		}
		await Promise.all(
			[...envs, crashEnv, rateEnv]
				.filter((env) => env !== undefined)
				.map(async (env) => await env.close()),
		);
	}, CASE_TIMEOUT);

	/** Triggers one execution per body at once; returns them, ended, by label. */
	async function runAll(
		calls: Array<{ path: string; label: string; items: IDataObject[] }>,
	): Promise<Map<string, StoredExecution>> {
		const after = await tier.lastExecutionId();
		await Promise.all(
			calls.map(
				async (call) => await tier.trigger(call.path, { label: call.label, items: call.items }),
			),
		);
		const executions = await tier.settle(after, calls.length);
		const byLabel = new Map(executions.map((e) => [String(labelOf(e)), e]));
		for (const e of executions) assertNoSecrets(e.data, secrets);
		expect([...byLabel.keys()].sort()).toEqual(calls.map((c) => c.label).sort());
		return byLabel;
	}

	/** Every execution ran on exactly one worker, in webhook mode, and ended well. */
	function ranOnWorkers(executions: StoredExecution[]): number[] {
		return executions.map((e) => {
			const on = tier.startedOn(e.id);
			expect([e.id, e.mode, e.status, on.length, e.data.resultData.error?.message]).toEqual([
				e.id,
				'webhook',
				'success',
				1,
				undefined,
			]);
			return on[0];
		});
	}

	/** Every execution ran on one worker, both workers took some, and some ran side by side. */
	function spread(byLabel: Map<string, StoredExecution>): { workers: number[]; overlap: number } {
		const workers = ranOnWorkers([...byLabel.values()]);
		expect(new Set(workers).size).toBe(2);
		const overlap = maxOverlap([...byLabel.values()]);
		expect(overlap).toBeGreaterThanOrEqual(2);
		return { workers, overlap };
	}

	/** Each execution: nothing on Failure, and the invariant against its own input. */
	function checkRuns(
		runs: Array<{ env: ProviderEnv; label: string; idsByItem: string[][] }>,
		byLabel: Map<string, StoredExecution>,
	): void {
		for (const run of runs) {
			const outputs = outputsOf(byLabel.get(run.label)!);
			expect([run.label, outputs.failure.length]).toEqual([run.label, 0]);
			checkInvariant(run.env, outputs as BatchDeleteRun, run.idsByItem);
		}
	}

	it(
		'8 executions at once across the providers, some naming the same IDs: each ID is deleted by exactly one, the others say alreadyGone (WeChat, which never says not found: rejected)',
		async () => {
			const [av, so, qu, wc, hw] = envs;
			const plan: Array<[ProviderEnv, number, Array<[number, number]>]> = [
				[
					av,
					600,
					[
						[0, 400],
						[200, 600],
					],
				],
				[
					so,
					1500,
					[
						[0, 1000],
						[500, 1500],
					],
				],
				[qu, 400, [[0, 400]]],
				[wc, 40, [[0, 40]]],
				[
					hw,
					500,
					[
						[0, 300],
						[200, 500],
					],
				],
			];
			const runs = plan.flatMap(([env, n, slices]) => {
				const ids = env.seed(n);
				return slices.map(([from, to], k) => ({
					env,
					all: ids,
					path: `bd-${env.provider}`,
					label: `${env.provider}-${k}`,
					...itemsFor(env, ids.slice(from, to)),
				}));
			});
			expect(runs).toHaveLength(8);
			const t0 = Date.now();
			const byLabel = await runAll(runs);
			const wall = Date.now() - t0;
			// Main only enqueued: the workers ran them, side by side.
			const { workers, overlap } = spread(byLabel);
			checkRuns(runs, byLabel);
			let sent = 0;
			for (const [env, n] of plan) {
				const mine = runs.filter((r) => r.env === env);
				const all = mine[0].all;
				const reports = mine.flatMap((r) => statuses(env, byLabel.get(r.label)!));
				sent += reports.length;
				const deletedBy = new Map<string, number>();
				for (const [key, status] of reports)
					if (status === 'deleted') deletedBy.set(key, (deletedBy.get(key) ?? 0) + 1);
				// Every ID gone at the provider, reported deleted by exactly one execution ...
				expect([env.provider, all.filter((id) => deletedBy.get(env.keyOf(id)) !== 1)]).toEqual([
					env.provider,
					[],
				]);
				expect([env.provider, all.filter((id) => !env.removed(env.keyOf(id)))]).toEqual([
					env.provider,
					[],
				]);
				// ... and the reports add up: the overlap is alreadyGone (WeChat: rejected) in the other one.
				const count = (status: string) => reports.filter(([, s]) => s === status).length;
				const overlap = mine.reduce((sum, r) => sum + r.idsByItem.flat().length, 0) - n;
				const again = env.missingRejected === true ? 'rejected' : 'alreadyGone';
				expect([env.provider, count('deleted'), count(again)]).toEqual([env.provider, n, overlap]);
			}
			lineFigures.concurrent = {
				executions: runs.length,
				distinctIds: plan.reduce((sum, [, n]) => sum + n, 0),
				idsSent: sent,
				perWorker: [0, 1].map((w) => workers.filter((x) => x === w).length),
				maxRunningAtOnce: overlap,
				wallSeconds: seconds(wall),
				slowestExecutionSeconds: Math.max(...[...byLabel.values()].map((e) => duration(e) ?? 0)),
			};
		},
		CASE_TIMEOUT,
	);

	it(
		'token credentials shared by executions on both workers: a refresh race never fails a run nor locks an account',
		async () => {
			const tokenEnvs = envs.filter((env) =>
				['quectel', 'weChatOfficialAccount', 'huaweiCloudSms'].includes(env.provider),
			);
			const [qu, wc, hw] = tokenEnvs;
			const quectel = qu.mock as QuectelMock;
			const weChat = wc.mock as WeChatMock;
			const huawei = hw.mock as HuaweiCloudSmsMock;
			const forced = () =>
				weChat
					.requestsTo(/\/cgi-bin\/stable_token$/)
					.filter((r) => (r.body as IDataObject | undefined)?.force_refresh === true).length;
			const before = {
				logins: quectel.logins,
				wrong: quectel.loginAttempts - quectel.logins,
				stable: weChat.tokenRequests,
				issued: weChat.tokensIssued,
				forced: forced(),
				iam: huawei.tokenIssues,
			};
			const perProvider = 3;
			const runs = tokenEnvs.flatMap((env) =>
				Array.from({ length: perProvider }, (_, k) => {
					const ids = env.seed(env.maxBatch === 1 ? 15 : 150);
					return {
						env,
						ids,
						path: `bd-shared-${env.provider}`,
						label: `shared-${env.provider}-${k}`,
						...itemsFor(env, ids),
					};
				}),
			);
			// Every token the providers issued stops working a third of the way through the delete
			// calls: the executions running at that moment, on both workers, all need a new one.
			quectel.expireTokensAfter(6);
			weChat.expireTokensAfter(15);
			huawei.expireTokensAfter = 6;
			const byLabel = await runAll(runs);
			const { workers, overlap } = spread(byLabel);
			checkRuns(runs, byLabel);
			// Distinct IDs per execution: every one of them deleted by its own execution.
			for (const run of runs)
				expect([
					run.label,
					outputsOf(byLabel.get(run.label)!).success.every((i) => i.json.status === 'deleted'),
				]).toEqual([run.label, true]);
			const fetched = {
				quectelLogins: quectel.logins - before.logins,
				quectelWrongLogins: quectel.loginAttempts - quectel.logins - before.wrong,
				weChatStableTokenCalls: weChat.tokenRequests - before.stable,
				weChatTokensIssued: weChat.tokensIssued - before.issued,
				weChatForceRefresh: forced() - before.forced,
				huaweiIamTokens: huawei.tokenIssues - before.iam,
			};
			// No wrong login (an account locks after five), never a forced WeChat refresh (20 a day).
			expect([fetched.quectelWrongLogins, fetched.weChatForceRefresh]).toEqual([0, 0]);
			// Each execution fetches at most twice: once cold, once after the expiry.
			for (const count of [
				fetched.quectelLogins,
				fetched.weChatStableTokenCalls,
				fetched.huaweiIamTokens,
			]) {
				expect(count).toBeGreaterThanOrEqual(2);
				expect(count).toBeLessThanOrEqual(2 * perProvider);
			}
			lineFigures.tokens = {
				executions: runs.length,
				perWorker: [0, 1].map((w) => workers.filter((x) => x === w).length),
				maxRunningAtOnce: overlap,
				...fetched,
			};
		},
		CASE_TIMEOUT,
	);

	it(
		"the rate limit is per execution: two executions at the provider's limit overshoot it, with a share of it each they do not",
		async () => {
			const mock = rateEnv.mock as AvayaSpacesMock;
			mock.rateLimit = {
				requests: RATE.limit,
				perMs: 1000,
				reply: () => ({
					status: 429,
					body: { code: 'rate_limited', message: 'Too many requests' },
				}),
			};
			const measure = async (path: string) => {
				const runs = [0, 1].map((k) => {
					const ids = rateEnv.seed(RATE.ids);
					return { env: rateEnv, ids, path, label: `${path}-${k}`, ...itemsFor(rateEnv, ids) };
				});
				const sentBefore = mock.requestsTo(rateEnv.deletePath).length;
				const t0 = Date.now();
				const byLabel = await runAll(runs);
				const wall = Date.now() - t0;
				const workers = ranOnWorkers([...byLabel.values()]);
				checkRuns(runs, byLabel);
				const requests = mock.requestsTo(rateEnv.deletePath).length - sentBefore;
				const needed = runs.length * (RATE.ids / RATE.batch);
				return {
					workers: [...new Set(workers)].length,
					requests,
					throttled: requests - needed,
					wallSeconds: seconds(wall),
					executionSeconds: [...byLabel.values()].map(duration),
				};
			};
			const measured: IDataObject[] = [];
			for (const share of RATE.shares)
				measured.push({
					requestsPerSecond: RATE.limit * share,
					...(await measure(`bd-rate-${share * 100}`)),
				});
			lineFigures.rateLimit = {
				limitPerSecond: RATE.limit,
				idsPerExecution: RATE.ids,
				requestsPerExecution: RATE.ids / RATE.batch,
				executions: 2,
				measured,
			};
			const [full, , margin] = measured.map((m) => Number(m.throttled));
			// Two executions each keeping to the provider's limit together send twice as much ...
			expect(full).toBeGreaterThan(0);
			// ... while a share with a margin all but removes the 429s (request starts are spaced
			// exactly; their arrival at the provider is not, so a burst can still touch the limit).
			expect(margin).toBeLessThanOrEqual(full / 4);
		},
		CASE_TIMEOUT,
	);

	// Last: it kills a worker.
	it(
		'a worker killed (SIGKILL) mid-run: the run is not lost, the re-run finishes it, no ID deleted twice or lost',
		async () => {
			const mock = crashEnv.mock as AvayaSpacesMock;
			mock.latencyMs = 150;
			const ids = crashEnv.seed(3000);
			const { items, idsByItem } = itemsFor(crashEnv, ids);
			const after = await tier.lastExecutionId();
			await tier.trigger('bd-crash', { label: 'crash-1', items });
			const executionId = String(after + 1);
			const removed = () => ids.filter((id) => crashEnv.removed(id)).length;
			const waitUntil = async (
				what: string,
				done: () => boolean | Promise<boolean>,
				timeoutMs: number,
			) => {
				const deadline = Date.now() + timeoutMs;
				while (!(await done())) {
					if (Date.now() > deadline)
						throw new Error(
							`${what} did not happen in ${timeoutMs} ms\n${tier.logs().slice(-4000)}`,
						);
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			};
			await waitUntil('a third of the IDs deleted', () => removed() >= ids.length / 3, 120000);
			const [victim] = tier.startedOn(executionId);
			expect(victim).toBeDefined();
			const survivor = 1 - victim;
			tier.workers[victim].kill('SIGKILL');
			const killedAt = Date.now();
			// What reached the provider before the worker died, answers lost included.
			await new Promise((resolve) => setTimeout(resolve, 1000));
			const firstRun = new Set(ids.filter((id) => crashEnv.removed(id)));
			expect(firstRun.size).toBeLessThan(ids.length);

			await waitUntil(
				'the execution leaving "running"',
				async () => !['new', 'running'].includes(String(await tier.status(executionId))),
				180000,
			);
			const first = await tier.execution(executionId);
			const endedAfter = seconds(Date.now() - killedAt);
			let second: StoredExecution;
			let outcome: string;
			if (first.status === 'success') {
				// n8n gave the stalled job to the other worker, which ran the execution again from the start.
				outcome = 'n8n re-ran the execution on the other worker';
				expect(tier.startedOn(executionId).sort()).toEqual([victim, survivor].sort());
				second = first;
			} else {
				outcome = `n8n marked the execution ${first.status}`;
				expect(['error', 'crashed', 'failed']).toContain(first.status);
				// Its report, if it has one, names no deleted ID the re-run will claim too (checked below).
				const rerun = await runAll([{ path: 'bd-crash', label: 'crash-2', items }]);
				second = rerun.get('crash-2')!;
				expect(tier.startedOn(second.id)).toEqual([survivor]);
			}
			expect(second.status).toBe('success');
			const outputs = outputsOf(second);
			expect(outputs.failure).toEqual([]);
			const deleted = new Set(
				outputs.success.filter((i) => i.json.status === 'deleted').map((i) => String(i.json.id)),
			);
			const alreadyGone = new Set(
				outputs.success
					.filter((i) => i.json.status === 'alreadyGone')
					.map((i) => String(i.json.id)),
			);
			const firstReported =
				second === first
					? []
					: outputsOf(first)
							.success.filter((i) => i.json.status === 'deleted')
							.map((i) => String(i.json.id));
			// No ID reported deleted by both runs, none lost; what the first run deleted is alreadyGone now.
			expect(firstReported.filter((id) => deleted.has(id))).toEqual([]);
			expect(ids.filter((id) => !crashEnv.removed(id))).toEqual([]);
			expect([...firstRun].filter((id) => !alreadyGone.has(id))).toEqual([]);
			expect([...deleted].filter((id) => firstRun.has(id))).toEqual([]);
			expect(deleted.size + alreadyGone.size).toBe(ids.length);
			// The invariant across both runs: `deleted` only for what this run removed.
			checkInvariant(
				{ ...crashEnv, removed: (key) => crashEnv.removed(key) && !firstRun.has(key) },
				outputs as BatchDeleteRun,
				idsByItem,
			);
			lineFigures.crash = {
				ids: ids.length,
				deletedBeforeKill: firstRun.size,
				outcome,
				firstRunStatus: first.status,
				firstRunError: first.data.resultData.error?.message,
				secondsFromKillToEnd: endedAfter,
				secondRun: {
					deleted: deleted.size,
					alreadyGone: alreadyGone.size,
					seconds: duration(second),
				},
				stallSettings: STALL,
			};
		},
		CASE_TIMEOUT,
	);
});
