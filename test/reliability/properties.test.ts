import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { FaultKind, ProviderAdapter, ProviderEnv } from './providers';
import { ADAPTERS, checkInvariant, faultFor, runOn } from './providers';

/**
 * Property-based runs: random ID lists (duplicates, unicode, whitespace, numbers, very long and
 * provider-invalid values, in lists or comma/newline-separated strings), random fault schedules
 * and random settings, for every provider, through the real node inside n8n's engine. Each run
 * must hold the invariant (`checkInvariant`), report every item without an ID once, and leak no
 * secret (the scan inside `runOn`). fast-check prints the seed and the shrunk case on failure.
 */

/** More with PROPERTY_RUNS=200 (about 45 s); the default keeps the file at a few seconds. */
const RUNS_PER_PROVIDER = Number(process.env.PROPERTY_RUNS ?? 14);
const POOL = 10;
const TIMEOUT_MS = 200;

// ---- values a user might put in the ID field ----

type Value =
	| { kind: 'existing'; i: number; pad?: string }
	| { kind: 'missing'; i: number }
	| { kind: 'number'; n: number }
	| { kind: 'raw'; s: string }
	| { kind: 'long' };

const value: fc.Arbitrary<Value> = fc.oneof(
	{
		weight: 6,
		arbitrary: fc.record({ kind: fc.constant('existing' as const), i: fc.nat({ max: POOL - 1 }) }),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('existing' as const),
			i: fc.nat({ max: POOL - 1 }),
			pad: fc.constantFrom(' ', '\t', '  \u00a0'),
		}),
	},
	{
		weight: 2,
		arbitrary: fc.record({ kind: fc.constant('missing' as const), i: fc.nat({ max: 3 }) }),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('number' as const),
			n: fc.oneof(fc.nat({ max: 99_999 }), fc.constant(1e21), fc.constant(-7)),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('raw' as const),
			s: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 6 }),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('raw' as const),
			s: fc.constantFrom(
				'has space',
				'a\u0000b',
				'x,y',
				'   ',
				'ñandú',
				'🙂',
				'https://mp.weixin.qq.com/s/x',
			),
		}),
	},
	{ weight: 1, arbitrary: fc.constant({ kind: 'long' as const }) },
);

/** One item's field: a list of values, or one string with IDs separated by commas or newlines. */
const field = fc.record({
	values: fc.array(value, { minLength: 0, maxLength: 5 }),
	joined: fc.constantFrom(undefined, ',', '\n', ', '),
});

// ---- faults, one per delete request in order (undefined = answered normally) ----

const faultKind: fc.Arbitrary<FaultKind | undefined> = fc.oneof(
	{ weight: 40, arbitrary: fc.constant(undefined) },
	{
		weight: 5,
		arbitrary: fc.constantFrom<FaultKind>(
			'http500',
			'http503',
			'retryAfter0',
			'throttle',
			'resetBefore',
			'resetAfter',
			'malformedApplied',
			'malformed',
			'omit',
			'foreign',
			'batch400',
			'echo',
		),
	},
	{ weight: 1, arbitrary: fc.constant<FaultKind>('hang') },
);

const scenario = fc.record({
	items: fc.array(field, { minLength: 1, maxLength: 10 }),
	faults: fc.array(faultKind, { minLength: 0, maxLength: 12 }),
	/** Token expires (or, for static credentials, access ends) after this many delete calls. */
	expireAfter: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 4 }),
	stopAfter: fc.option(fc.integer({ min: 1, max: 8 }), { freq: 8 }),
	batchSize: fc.integer({ min: 1, max: 5 }),
	concurrency: fc.integer({ min: 1, max: 3 }),
	maxRetries: fc.integer({ min: 0, max: 2 }),
	treatNotFoundAsDeleted: fc.boolean(),
	deduplicate: fc.boolean(),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

// ---- turning a scenario into items, and what the node must read from them ----

function concrete(env: ProviderEnv, v: Value, pool: string[], missing: string[]): string | number {
	switch (v.kind) {
		case 'existing':
			return v.pad === undefined ? pool[v.i] : `${v.pad}${pool[v.i]}${v.pad}`;
		case 'missing':
			return missing[v.i];
		case 'number':
			return v.n;
		case 'raw':
			return v.s;
		case 'long':
			return env.provider === 'weChatOfficialAccount'
				? '9'.repeat(env.maxIdLength + 1)
				: 'L'.repeat(env.maxIdLength + 1);
	}
}

/** The IDs a field value names, as the node's documented contract says (written independently):
 * list elements are one ID each, trimmed, empty ones dropped; numbers as text; a string is split
 * on commas and newlines. */
function named(raw: unknown): string[] {
	const one = (e: unknown): string[] => {
		if (typeof e === 'number') return [String(e)];
		const text = String(e).trim();
		return text === '' ? [] : [text];
	};
	if (Array.isArray(raw)) return raw.flatMap(one);
	if (typeof raw === 'number') return [String(raw)];
	return String(raw)
		.split(/[,\r\n]+/)
		.flatMap(one);
}

function build(env: ProviderEnv, s: Scenario, pool: string[], missing: string[]) {
	const items: IDataObject[] = [];
	const idsByItem: string[][] = [];
	for (const f of s.items) {
		const values = f.values.map((v) => concrete(env, v, pool, missing));
		// A joined string only when no value would itself be split.
		const canJoin =
			f.joined !== undefined && values.every((v) => typeof v === 'string' && !/[,\r\n]/.test(v));
		const raw: unknown = canJoin
			? values.join(f.joined)
			: values.length === 1 && typeof values[0] === 'number'
				? values[0]
				: values;
		items.push({ [env.idField]: raw as IDataObject[keyof IDataObject] });
		idsByItem.push(named(raw));
	}
	return { items, idsByItem };
}

const checked = new Map<string, { runs: number; ids: number }>();

async function property(adapter: ProviderAdapter, s: Scenario): Promise<void> {
	const env = await adapter.start();
	try {
		const pool = env.seed(POOL);
		const missing = env.missing(4);
		const { items, idsByItem } = build(env, s, pool, missing);
		const all = idsByItem.flat();
		let call = 0;
		env.hook((request) => {
			if (!env.deletePath.test(request.path)) return undefined;
			const kind = s.faults[call++];
			return kind === undefined ? undefined : faultFor(env, kind, all, request);
		});
		if (s.expireAfter !== null) env.expireToken(s.expireAfter);
		if (s.stopAfter !== null) env.stopAfter(s.stopAfter);
		const options: INodeParameters = {
			concurrency: s.concurrency,
			maxRetries: s.maxRetries,
			treatNotFoundAsDeleted: s.treatNotFoundAsDeleted,
			deduplicate: s.deduplicate,
			timeout: TIMEOUT_MS,
			...(env.maxBatch > 1 ? { batchSize: s.batchSize } : {}),
		};
		const result = await runOn(env, { items, idsByItem, options, continueOnFail: true });
		expect(result.error).toBeUndefined();
		checkInvariant(env, result, idsByItem, s.deduplicate);
		// Every item that names nothing is reported once, on Failure, paired with it.
		const noId = result.failure
			.filter((i) => i.json.id === null)
			.map((i) => (i.pairedItem as { item: number }).item);
		expect(noId).toEqual(idsByItem.flatMap((ids, i) => (ids.length === 0 ? [i] : [])));
		const tally = checked.get(adapter.id) ?? { runs: 0, ids: 0 };
		checked.set(adapter.id, { runs: tally.runs + 1, ids: tally.ids + all.length });
	} finally {
		env.mock.clearFaults();
		await env.close();
	}
}

describe.each(ADAPTERS.map((a): [string, ProviderAdapter] => [a.name, a]))(
	'%s: random inputs and fault schedules',
	(_name, adapter) => {
		it('holds the invariant', async () => {
			await fc.assert(
				fc.asyncProperty(scenario, async (s) => await property(adapter, s)),
				{ numRuns: RUNS_PER_PROVIDER, endOnFailure: false },
			);
		}, 600_000);
	},
);

afterAll(() => {
	const lines = [...checked].map(
		([provider, t]) => `  ${provider}: ${t.runs} runs, ${t.ids} IDs named, invariant held`,
	);
	process.stdout.write(`\nProperty runs:\n${lines.join('\n')}\n`);
});
