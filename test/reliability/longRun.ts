/**
 * The long run: many IDs through the real node with random faults, counting every ID that is lost.
 *
 *   npm run longrun                       # 200,000 IDs per batching provider, 3,000 for WeChat, 5% faults
 *   npm run longrun -- --ids 50000 --fault-rate 0.1 --providers avayaSpaces,solapi --seed 7
 *
 * Each provider's run is ONE execution of the Batch Delete node inside n8n-core's engine (the
 * test harness: n8n's parameter resolution, `httpRequestWithAuthentication`, credential
 * `authenticate`/`preAuthentication`, its error wrapping) against the provider's mock over real
 * HTTP, the same path the integration tests take, only bigger. Running the engine directly with an
 * in-process sender would be faster but would skip n8n's request helpers, which is where network
 * errors, timeouts and token refreshes are turned into what the engine sees.
 *
 * 5% of delete requests (by default) get a fault drawn from the fault matrix's list: 500, 503,
 * 429, the provider's throttle, connection resets before and after the delete, truncated or
 * malformed bodies, no answer before the timeout, answers that leave IDs out or name IDs that were
 * not sent, a batch-level 400, and answers that echo the request. 1% of the IDs do not exist.
 *
 * "Lost" counts every breach of the node's contract, checked against what the mock really did:
 * an input ID with no output item or with more than one, an ID on Success that still exists, an ID
 * reported `deleted` that this run did not remove, and an ID the mock removed that is on Failure
 * as anything but `unknown`. The run also fails on any credential value, token, signature or auth
 * header in the outputs, the error or the log lines (the integration tier's secret scan).
 * Exit code 1 if anything was lost.
 */
import '../support/resolveTsFirst';
import '../setup/env';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { shutdownHarness } from '../harness';
import type { FaultKind, ProviderAdapter, ProviderEnv } from './providers';
import { ADAPTERS, FAULT_KINDS, faultFor, runOn } from './providers';

interface Args {
	ids: number;
	weChatIds: number;
	faultRate: number;
	providers: string[];
	seed: number;
}

function parseArgs(argv: string[]): Args {
	const args: Args = {
		ids: 200_000,
		weChatIds: 3_000,
		faultRate: 0.05,
		providers: ADAPTERS.map((a) => a.id),
		seed: 20_240_601,
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, value] = [argv[i], argv[i + 1]];
		if (flag === '--ids') args.ids = Number(value);
		else if (flag === '--wechat-ids') args.weChatIds = Number(value);
		else if (flag === '--fault-rate') args.faultRate = Number(value);
		else if (flag === '--providers') args.providers = value.split(',');
		else if (flag === '--seed') args.seed = Number(value);
		else continue;
		i++;
	}
	return args;
}

/** A small seeded PRNG (mulberry32), so a run can be repeated exactly with --seed. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Tally {
	provider: string;
	checked: number;
	lost: number;
	breaches: Record<string, number>;
	statuses: Record<string, number>;
	requests: number;
	faults: number;
	splitRequests: number;
	seconds: number;
}

/** Count (not throw on) every breach of the contract; see the header. */
function audit(
	env: ProviderEnv,
	ids: string[],
	outputs: { success: INodeExecutionData[]; failure: INodeExecutionData[] },
) {
	const breaches: Record<string, number> = {
		noOutput: 0,
		severalOutputs: 0,
		successNotGone: 0,
		deletedNotRemoved: 0,
		removedButFailed: 0,
		unknownOutput: 0,
	};
	const statuses: Record<string, number> = {};
	const seen = new Map<string, IDataObject[]>();
	for (const item of [...outputs.success, ...outputs.failure]) {
		if (item.json.id === null) continue;
		const key = env.outputKey(item.json);
		const list = seen.get(key) ?? [];
		list.push(item.json);
		seen.set(key, list);
		statuses[String(item.json.status)] = (statuses[String(item.json.status)] ?? 0) + 1;
	}
	const expected = new Set(ids.map((id) => env.keyOf(id)));
	for (const key of seen.keys()) if (!expected.has(key)) breaches.unknownOutput++;
	for (const key of expected) {
		const items = seen.get(key) ?? [];
		if (items.length === 0) breaches.noOutput++;
		if (items.length > 1) breaches.severalOutputs++;
		for (const json of items) {
			const onSuccess = json.status === 'deleted' || json.status === 'alreadyGone';
			if (onSuccess && !env.isGone(key)) breaches.successNotGone++;
			if (json.status === 'deleted' && !env.removed(key)) breaches.deletedNotRemoved++;
			if (!onSuccess && json.status !== 'unknown' && env.removed(key)) breaches.removedButFailed++;
		}
	}
	// Extra requests spent splitting rejected batches, as the output items report them (once per batch).
	const splits = new Map<number, number>();
	for (const item of [...outputs.success, ...outputs.failure]) {
		if (typeof item.json.splitRequests === 'number')
			splits.set(item.json.batch as number, item.json.splitRequests);
	}
	const splitRequests = [...splits.values()].reduce((a, b) => a + b, 0);
	return {
		breaches,
		statuses,
		splitRequests,
		lost: Object.values(breaches).reduce((a, b) => a + b, 0),
	};
}

async function runProvider(adapter: ProviderAdapter, args: Args): Promise<Tally> {
	const env = await adapter.start();
	const started = Date.now();
	try {
		const count = env.maxBatch === 1 ? args.weChatIds : args.ids;
		const missingCount = Math.floor(count / 100);
		const ids = [...env.seed(count - missingCount), ...env.missing(missingCount)];
		// Missing IDs spread through the list, not all in the last batches.
		const rng = random(args.seed);
		for (let i = ids.length - 1; i > 0; i--) {
			const j = Math.floor(rng() * (i + 1));
			[ids[i], ids[j]] = [ids[j], ids[i]];
		}
		const per = env.maxBatch === 1 ? 1 : 100;
		const items = env.maxBatch === 1 ? env.items(ids) : env.items(ids, per);

		let faults = 0;
		const pick = random(args.seed ^ 0x9e3779b9);
		const kinds: FaultKind[] = [...FAULT_KINDS];
		env.hook((request) => {
			if (!env.deletePath.test(request.path) || pick() >= args.faultRate) return undefined;
			faults++;
			return faultFor(env, kinds[Math.floor(pick() * kinds.length)], ids, request);
		});

		const result = await runOn(env, {
			items,
			idsByItem: [],
			continueOnFail: true,
			options: {
				concurrency: env.maxBatch === 1 ? 1 : 4,
				maxRetries: 3,
				retryDelay: 5,
				timeout: 300,
				requestsPerSecond: 0,
				maxIds: 1_000_000,
			},
		});
		if (result.error !== undefined) throw new Error(`The node failed: ${result.error.message}`);
		const { breaches, statuses, splitRequests, lost } = audit(env, ids, result);
		return {
			provider: adapter.name,
			checked: ids.length,
			lost,
			breaches,
			statuses,
			requests: env.mock.requestsTo(env.deletePath).length,
			faults,
			splitRequests,
			seconds: (Date.now() - started) / 1000,
		};
	} finally {
		await env.close();
	}
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const adapters = ADAPTERS.filter((a) => args.providers.includes(a.id));
	process.stdout.write(
		`Long run: ${args.ids.toLocaleString('en-US')} IDs per batching provider, ${args.weChatIds.toLocaleString('en-US')} for WeChat (one per call), ${args.faultRate * 100}% of delete requests faulted, seed ${args.seed}\n\n`,
	);
	const tallies: Tally[] = [];
	for (const adapter of adapters) {
		const tally = await runProvider(adapter, args);
		tallies.push(tally);
		const statuses = Object.entries(tally.statuses)
			.map(([status, n]) => `${status} ${n}`)
			.join(', ');
		const breaches = Object.entries(tally.breaches)
			.filter(([, n]) => n > 0)
			.map(([kind, n]) => `${kind} ${n}`)
			.join(', ');
		process.stdout.write(
			`${tally.provider.padEnd(24)} IDs checked ${tally.checked.toLocaleString('en-US').padStart(8)}   lost ${tally.lost}${breaches ? ` (${breaches})` : ''}   ` +
				`${tally.requests} delete requests (${tally.splitRequests} for splitting), ${tally.faults} faulted, ${tally.seconds.toFixed(1)} s   [${statuses}]\n`,
		);
	}
	const checked = tallies.reduce((a, t) => a + t.checked, 0);
	const lost = tallies.reduce((a, t) => a + t.lost, 0);
	process.stdout.write(`\nTotal: ${checked.toLocaleString('en-US')} IDs checked, ${lost} lost\n`);
	process.exitCode = lost === 0 ? 0 : 1;
}

main()
	.catch((error: Error) => {
		process.stderr.write(`${error.stack ?? error.message}\n`);
		process.exitCode = 1;
	})
	.finally(() => shutdownHarness());
