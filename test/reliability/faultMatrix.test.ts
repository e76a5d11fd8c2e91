import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Fault as MockFault } from '../mocks/mockServer';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import type { ProviderAdapter, ProviderEnv } from './providers';
import { ADAPTERS, byKey, checkInvariant, runOn, statusOf } from './providers';

/**
 * The fault matrix: every provider × every fault, the real node inside n8n's engine, n8n's own
 * request helpers, the provider's mock over real HTTP. Each cell checks the statuses the fault
 * must produce and the invariant (see `checkInvariant`), and the secret scan runs on every run.
 * The table is printed after the run and written to $TABLES_DIR/fault-matrix.md (`npm run tables` writes docs/), never into the tree by `npm test`.
 */

const TARGETS = 7;
const SUCCESS = ['deleted', 'alreadyGone'];

interface Setup {
	env: ProviderEnv;
	ids: string[];
	items: IDataObject[];
	idsByItem: string[][];
	options: INodeParameters;
	/** IDs the first delete request carries. */
	first: string[];
}

/** Seed targets, group them into items, size batches so the run has several. */
function setup(
	env: ProviderEnv,
	ids: string[] = env.seed(TARGETS),
	options: INodeParameters = {},
): Setup {
	const batch = Math.min(3, env.maxBatch);
	const per = env.maxBatch === 1 ? 1 : 4;
	const idsByItem: string[][] = [];
	for (let i = 0; i < ids.length; i += per) idsByItem.push(ids.slice(i, i + per));
	const items = idsByItem.flatMap((group) => env.items(group, per));
	return {
		env,
		ids,
		items,
		idsByItem,
		options: { concurrency: 1, ...(env.maxBatch > 1 ? { batchSize: batch } : {}), ...options },
		first: ids.slice(0, batch),
	};
}

async function run(
	s: Setup,
	extra: { options?: INodeParameters; credentials?: 'default' | 'static' } = {},
): Promise<BatchDeleteRun> {
	const result = await runOn(s.env, {
		items: s.items,
		idsByItem: s.idsByItem,
		options: { ...s.options, ...extra.options },
		credentials: extra.credentials,
	});
	expect(result.error).toBeUndefined();
	checkInvariant(s.env, result, s.idsByItem);
	return result;
}

const deletes = (env: ProviderEnv) => env.mock.requestsTo(env.deletePath);

/** After a stop: IDs a refused request carried are `rejected` (sent, not deleted); IDs never sent
 * are `notAttempted`; at least one of each. */
function expectRefusedOrUnsent(env: ProviderEnv, result: BatchDeleteRun, ids: string[]) {
	const sent = new Set(deletes(env).flatMap((r) => env.idsOf(r)));
	const want = ids.map((id) => (sent.has(id) ? 'rejected' : 'notAttempted'));
	expect(statusOf(env, result, ids)).toEqual(want);
	expect(want).toContain('rejected');
	expect(want).toContain('notAttempted');
}

function expectStatuses(
	env: ProviderEnv,
	result: BatchDeleteRun,
	ids: string[],
	allowed: string[],
) {
	const statuses = statusOf(env, result, ids);
	statuses.forEach((status, i) => {
		if (!allowed.includes(status))
			throw new Error(`${ids[i]} is ${status}, expected one of ${allowed.join(', ')}`);
	});
}

/** The retry went out no earlier than the provider asked. */
function expectRetryNotBefore(env: ProviderEnv, at: number) {
	const [, retry] = deletes(env);
	expect(retry).toBeDefined();
	expect(retry.receivedAt).toBeGreaterThanOrEqual(at - 15);
}

/** Seeds, injects `faults`, runs (with `options`), and checks the first batch ends in one of
 * `first` and every later ID on Success; the cell checks the rest. */
async function runWith(
	env: ProviderEnv,
	faults: MockFault[],
	first: string[],
	options?: INodeParameters,
): Promise<{ s: Setup; result: BatchDeleteRun }> {
	const s = setup(env);
	env.mock.inject(...faults);
	const result = await run(s, { options });
	expectStatuses(env, result, s.first, first);
	expectStatuses(env, result, s.ids.slice(s.first.length), SUCCESS);
	return { s, result };
}

/** An HTTP error answer on the delete path. */
const reply = (
	env: ProviderEnv,
	status: number,
	body: unknown,
	headers?: Record<string, string>,
): MockFault => ({ kind: 'reply', status, body, headers, path: env.deletePath });

interface Fault {
	id: string;
	title: string;
	/** What the cell asserts, for the README. */
	expect: string;
	cell(env: ProviderEnv): Promise<void>;
}

const FAULTS: Fault[] = [
	{
		id: 'timeoutRecovers',
		title: 'slow answer past the timeout, then answered',
		expect: 'retried; all on Success',
		async cell(env) {
			const { s, result } = await runWith(
				env,
				[{ kind: 'latency', ms: 700, path: env.deletePath }],
				SUCCESS,
				{ timeout: 300, maxRetries: 2 },
			);
			expect(byKey(env, result).get(env.keyOf(s.first[0]))?.attempts).toBeGreaterThanOrEqual(2);
		},
	},
	{
		id: 'timeoutExhausted',
		title: 'no answer before the timeout, every try',
		expect: 'first batch `unknown` (TIMEOUT), the rest on Success',
		async cell(env) {
			const hang = { kind: 'hang', path: env.deletePath } as const;
			const { s, result } = await runWith(env, [hang, hang], ['unknown'], {
				timeout: 300,
				maxRetries: 1,
			});
			expect(byKey(env, result).get(env.keyOf(s.first[0]))?.code).toBe('TIMEOUT');
		},
	},
	{
		id: 'http500',
		title: 'HTTP 500',
		expect: 'retried; all on Success',
		async cell(env) {
			await runWith(env, [reply(env, 500, { message: 'internal error' })], SUCCESS);
		},
	},
	{
		id: 'http503',
		title: 'HTTP 503',
		expect: 'retried; all on Success',
		async cell(env) {
			await runWith(
				env,
				[
					reply(env, 503, '<html>Service Unavailable</html>', {
						'content-type': 'text/html',
					}),
				],
				SUCCESS,
			);
		},
	},
	{
		id: 'retryAfterSeconds',
		title: '429 with `Retry-After: 1` (seconds)',
		expect: 'waits ≥ 1 s, then all on Success',
		async cell(env) {
			const started = Date.now();
			await runWith(
				env,
				[reply(env, 429, { message: 'slow down' }, { 'retry-after': '1' })],
				SUCCESS,
			);
			expectRetryNotBefore(env, deletes(env)[0].receivedAt + 1000);
			expect(Date.now() - started).toBeGreaterThanOrEqual(985);
		},
	},
	{
		id: 'retryAfterDate',
		title: '429 with `Retry-After: <HTTP-date>`',
		expect: 'waits until that date, then all on Success',
		async cell(env) {
			const until = Math.ceil((Date.now() + 400) / 1000) * 1000;
			const retryAfter = { 'retry-after': new Date(until).toUTCString() };
			await runWith(env, [reply(env, 429, { message: 'slow down' }, retryAfter)], SUCCESS);
			expectRetryNotBefore(env, until);
		},
	},
	{
		id: 'providerThrottle',
		title: "the provider's own throttle answer",
		expect: 'retried; all on Success',
		async cell(env) {
			const { s, result } = await runWith(env, [env.throttle()], SUCCESS);
			expect(byKey(env, result).get(env.keyOf(s.first[0]))?.attempts).toBe(2);
		},
	},
	{
		id: 'resetBeforeApply',
		title: 'connection reset before the server applied the delete',
		expect: 'retried; first batch `deleted`',
		async cell(env) {
			await runWith(env, [{ kind: 'resetBeforeApply', path: env.deletePath }], ['deleted']);
		},
	},
	{
		id: 'resetAfterApply',
		title: 'connection reset after the server applied the delete',
		expect:
			'retried; first batch `alreadyGone` (this run removed it); WeChat, which never says "not found": `unknown`',
		async cell(env) {
			const { s } = await runWith(
				env,
				[{ kind: 'resetAfterApply', path: env.deletePath }],
				[env.missingRejected ? 'unknown' : 'alreadyGone'],
			);
			expect(s.first.every((id) => env.removed(env.keyOf(id)))).toBe(true);
		},
	},
	{
		id: 'resetAfterApplyNoRetry',
		title: 'connection reset after applying, no retries left',
		expect: 'first batch `unknown` though removed; never `error`',
		async cell(env) {
			const { s } = await runWith(
				env,
				[{ kind: 'resetAfterApply', path: env.deletePath }],
				['unknown'],
				{ maxRetries: 0 },
			);
			expect(s.first.every((id) => env.removed(env.keyOf(id)))).toBe(true);
		},
	},
	{
		id: 'malformedApplied',
		title: 'truncated JSON after the delete was applied',
		expect: 'first batch `unknown` (MALFORMED_RESPONSE)',
		async cell(env) {
			const { s, result } = await runWith(
				env,
				[{ kind: 'malformed', applied: true, path: env.deletePath }],
				['unknown'],
			);
			expect(byKey(env, result).get(env.keyOf(s.first[0]))?.code).toBe('MALFORMED_RESPONSE');
		},
	},
	{
		id: 'malformedNotApplied',
		title: 'malformed JSON, nothing applied',
		expect: 'first batch `unknown`, still on the provider',
		async cell(env) {
			const { s } = await runWith(
				env,
				[{ kind: 'malformed', applied: false, path: env.deletePath }],
				['unknown'],
			);
			expect(s.first.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
		},
	},
	{
		id: 'omitsIds',
		title: 'well-formed answer that leaves an ID out',
		expect: 'that ID `unknown`, the rest on Success',
		async cell(env) {
			const s = setup(env);
			const left = s.first[0];
			env.mock.inject({
				kind: 'rewrite',
				rewrite: (reply) => env.omit(reply, [left]),
				path: env.deletePath,
			});
			const result = await run(s);
			expectStatuses(env, result, [left], ['unknown']);
			expectStatuses(
				env,
				result,
				s.ids.filter((id) => id !== left),
				SUCCESS,
			);
		},
	},
	{
		id: 'foreignIds',
		title: 'well-formed answer naming IDs that were not sent',
		expect: 'no ghost in the outputs; a later ID is judged by its own answer',
		async cell(env) {
			const [missing] = env.missing(1);
			const ghost = env.missing(1)[0];
			const s = setup(env, [...env.seed(TARGETS - 1), missing]);
			env.mock.inject({
				kind: 'rewrite',
				rewrite: (reply) => env.addForeign(reply, [missing, ghost]),
				path: env.deletePath,
			});
			const result = await run(s);
			expectStatuses(env, result, [missing], [env.missingRejected ? 'rejected' : 'alreadyGone']);
			expectStatuses(env, result, s.ids.slice(0, -1), SUCCESS);
			expect(byKey(env, result).has(env.keyOf(ghost))).toBe(false);
		},
	},
	{
		id: 'noneExist',
		title: 'every ID names nothing the provider holds (a wrong ID field)',
		expect:
			'`alreadyGone` with the hint "None of the N IDs exist at <provider>…"; WeChat (40059 "invalid msg id", never "not found"): `rejected` with its code',
		async cell(env) {
			env.seed(1); // the account (SOLAPI: the group) exists
			const s = setup(env, env.missing(TARGETS));
			const result = await run(s);
			const hints = JSON.stringify(result.taskData?.hints ?? []);
			if (env.missingRejected === true) {
				expectStatuses(env, result, s.ids, ['rejected']);
				expect(hints).not.toMatch(/None of/);
			} else {
				expectStatuses(env, result, s.ids, ['alreadyGone']);
				expect(hints).toMatch(new RegExp(`None of the ${TARGETS} IDs exist at`));
			}
		},
	},
	{
		id: 'batch400',
		title: 'batch-level 400 naming no ID',
		expect: 'split down to single IDs: only the bad IDs fail; `splitRequests` on split batches',
		async cell(env) {
			const s = setup(env);
			const bad = [s.ids[1], s.ids[5]];
			env.rejectBatchesHolding(bad);
			const result = await run(s);
			const good = s.ids.filter((id) => !bad.includes(id));
			expectStatuses(env, result, good, ['deleted']);
			expectStatuses(env, result, bad, env.maxBatch > 1 ? ['rejected'] : ['error']);
			expect(bad.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
			const outputs = byKey(env, result);
			if (env.maxBatch > 1) {
				// Batches [0,1,2] and [3,4,5] were split, [6] was not. Every extra request is counted.
				const splitByBatch = new Map<number, number>();
				for (const json of outputs.values())
					if (json.splitRequests !== undefined)
						splitByBatch.set(json.batch as number, json.splitRequests as number);
				expect([...splitByBatch.keys()].sort()).toEqual([1, 2]);
				expect(outputs.get(env.keyOf(s.ids[6]))?.splitRequests).toBeUndefined();
				const extra = [...splitByBatch.values()].reduce((a, b) => a + b, 0);
				expect(deletes(env)).toHaveLength(3 + extra);
			} else {
				expect([...outputs.values()].every((json) => json.splitRequests === undefined)).toBe(true);
				expect(deletes(env)).toHaveLength(s.ids.length);
			}
		},
	},
	{
		id: 'tokenExpires',
		title: 'token expires mid-run',
		expect:
			"refreshed once and resent: all on Success (a static token: the run stops; the refused request's IDs `rejected`, the rest `notAttempted`)",
		async cell(env) {
			const s = setup(env);
			env.expireToken(1);
			const result = await run(s);
			expectStatuses(env, result, s.first, SUCCESS);
			if (env.expireRecovers) {
				expectStatuses(env, result, s.ids, SUCCESS);
			} else {
				expectRefusedOrUnsent(env, result, s.ids.slice(s.first.length));
				expect(deletes(env).length).toBeLessThanOrEqual(3);
			}
		},
	},
	{
		id: 'stopMidRun',
		title: 'quota reached or access withdrawn mid-run (WeChat: daily quota 45009)',
		expect:
			"stops at once: confirmed IDs on Success, the refused request's IDs `rejected`, the rest `notAttempted`",
		async cell(env) {
			const s = setup(env);
			env.stopAfter(1);
			const result = await run(s);
			expectStatuses(env, result, s.first, SUCCESS);
			const rest = s.ids.slice(s.first.length);
			expectRefusedOrUnsent(env, result, rest);
			const outputs = byKey(env, result);
			const code = outputs.get(env.keyOf(rest[0]))?.code;
			expect(rest.every((id) => outputs.get(env.keyOf(id))?.code === code)).toBe(true);
			// The one refused call, and nothing after it (n8n resends a 401 once by itself).
			expect(deletes(env).length).toBeLessThanOrEqual(3);
			expect(rest.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
		},
	},
	{
		id: 'hostileEcho',
		title: 'error answer that echoes the request (headers, query, body)',
		expect: 'no credential, token, signature or auth header in any output, error or log line',
		async cell(env) {
			const s = setup(env);
			const target = s.first[0];
			// Every request carrying this ID gets the echo, halves included, so it reaches the output.
			env.hook((request) =>
				env.deletePath.test(request.path) && env.idsOf(request).includes(target)
					? { kind: 'reply', ...env.echo(request) }
					: undefined,
			);
			// runOn's secret scan fails the run on any hit; the invariant still holds.
			const result = await run(s);
			const shown = byKey(env, result).get(env.keyOf(target));
			expect(shown?.status).toBe('rejected');
			expect(String(shown?.message)).toMatch(/echo: Authorization: /);
			expect(String(shown?.message)).toContain('***');
			expectStatuses(env, result, s.ids.slice(s.first.length), SUCCESS);
		},
	},
];

// ---- the matrix ----

const results = new Map<string, Map<string, 'pass' | 'FAIL'>>();
const notes: Record<string, { throttle: string; expire: string; stop: string; reject: string }> =
	{};

describe.each(ADAPTERS.map((adapter): [string, ProviderAdapter] => [adapter.name, adapter]))(
	'%s',
	(_name, adapter) => {
		it.each(FAULTS.map((fault): [string, Fault] => [fault.title, fault]))(
			'%s',
			async (_title, fault) => {
				const row = results.get(fault.id) ?? new Map<string, 'pass' | 'FAIL'>();
				results.set(fault.id, row);
				row.set(adapter.id, 'FAIL');
				const env = await adapter.start();
				notes[adapter.id] = {
					throttle: env.throttleNote,
					expire: env.expireNote,
					stop: env.stopNote,
					reject: env.rejectNote,
				};
				try {
					await fault.cell(env);
					row.set(adapter.id, 'pass');
				} finally {
					env.mock.clearFaults();
					await env.close();
				}
			},
		);
	},
);

function table(): string {
	const header = `| fault | expected | ${ADAPTERS.map((a) => a.name).join(' | ')} |`;
	const rule = `|---|---|${ADAPTERS.map(() => '---').join('|')}|`;
	const rows = FAULTS.map(
		(f) =>
			`| ${f.title} | ${f.expect} | ${ADAPTERS.map((a) => results.get(f.id)?.get(a.id) ?? 'not run').join(' | ')} |`,
	);
	const perProvider = ADAPTERS.map((a) => {
		const n = notes[a.id];
		return n === undefined
			? ''
			: `| ${a.name} | ${n.throttle} | ${n.expire} | ${n.stop} | ${n.reject} |`;
	}).filter((line) => line !== '');
	return [
		header,
		rule,
		...rows,
		'',
		'What the provider-specific cells mean:',
		'',
		"| provider | provider's own throttle | token expires mid-run | quota / access withdrawn mid-run | batch-level rejection |",
		'|---|---|---|---|---|',
		...perProvider,
	].join('\n');
}

afterAll(() => {
	const text = table();
	process.stdout.write(`\nFault matrix (provider × fault):\n\n${text}\n\n`);
	const complete = FAULTS.every((f) =>
		ADAPTERS.every((a) => results.get(f.id)?.get(a.id) !== undefined),
	);
	// A filtered run (-t) leaves cells out: keep the last complete table instead of a partial one.
	if (complete && process.env.TABLES_DIR)
		writeFileSync(join(process.env.TABLES_DIR, 'fault-matrix.md'), `${text}\n`);
});
