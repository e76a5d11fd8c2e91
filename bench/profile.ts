/**
 * A CPU profile of one piece of work (V8's sampling profiler through node:inspector), and where
 * its time went: the node's own code, n8n's helpers and engine, the HTTP client, the mock, Node's
 * internals, the garbage collector, idle.
 */
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = pathToFileURL(join(__dirname, '..')).href;
/** The package's own code: the compiled node and credentials the bench runs, or their sources. */
const PACKAGE = ['dist/nodes/', 'dist/credentials/', 'nodes/', 'credentials/'].map(
	(dir) => `${ROOT}/${dir}`,
);

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** Run `work` with the sampling profiler on (every `intervalUs` µs). */
export async function profiled<T>(
	work: () => Promise<T>,
	intervalUs = 100,
): Promise<{ result: T; profile: CpuProfile; window: [number, number] }> {
	const session = new Session();
	session.connect();
	try {
		await session.post('Profiler.enable');
		await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
		await session.post('Profiler.start');
		let result: T;
		let profile: CpuProfile;
		// V8 stamps samples with the monotonic clock in µs, as process.hrtime does on Linux: the
		// window keeps the profiler's own start and stop out of the figures.
		const from = Number(process.hrtime.bigint() / 1000n);
		let to = from;
		try {
			result = await work();
			to = Number(process.hrtime.bigint() / 1000n);
		} finally {
			// Stopped in any case, so a failed run does not leave the profiler sampling.
			profile = ((await session.post('Profiler.stop')) as unknown as { profile: CpuProfile })
				.profile;
		}
		return { result, profile, window: [from, to] };
	} finally {
		await session.post('Profiler.disable').catch(() => undefined);
		session.disconnect();
	}
}

/** Where a frame's code lives. */
export type Category =
	| 'node'
	| 'n8n'
	| 'http client'
	| 'mock'
	| 'harness'
	| 'other packages'
	| 'node internals'
	| 'garbage collector'
	| 'idle'
	| 'other';

function categoryOf(url: string): Category | undefined {
	if (url === '') return undefined;
	if (PACKAGE.some((dir) => url.startsWith(dir))) return 'node';
	if (url.startsWith(`${ROOT}/test/mocks/`)) return 'mock';
	if (url.startsWith(`${ROOT}/test/`) || url.startsWith(`${ROOT}/bench/`)) return 'harness';
	if (/node_modules\/(n8n-core|n8n-workflow|@n8n\/|luxon|lodash|jmespath|@n8n_io\/)/.test(url))
		return 'n8n';
	if (
		/node_modules\/(axios|follow-redirects|form-data|proxy-from-env|http-proxy-agent|https-proxy-agent|agent-base)\//.test(
			url,
		)
	)
		return 'http client';
	if (url.includes('node_modules/')) return 'other packages';
	if (url.startsWith('node:')) return 'node internals';
	return 'other';
}

export interface Attribution {
	/** Milliseconds of samples by category. Builtins (JSON.parse, Map.set…) count for the JS code that
	 * called them, and libraries the node calls (zod) for the node. */
	ms: Record<Category, number>;
	/** Milliseconds whose stack holds a frame of the node's code anywhere (its own work plus what it called synchronously). */
	underNodeMs: number;
	/** The costliest functions of the node's own code, by self time. */
	topNode: Array<{ fn: string; ms: number }>;
	/** The costliest functions overall, by self time, for the report. */
	top: Array<{ fn: string; category: Category; ms: number }>;
	totalMs: number;
}

/** Where the samples taken between `window[0]` and `window[1]` (µs, monotonic) went. */
export function attribute(
	profile: CpuProfile,
	window: [number, number] = [-Infinity, Infinity],
): Attribution {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const ms = {
		node: 0,
		n8n: 0,
		'http client': 0,
		mock: 0,
		harness: 0,
		'other packages': 0,
		'node internals': 0,
		'garbage collector': 0,
		idle: 0,
		other: 0,
	} as Record<Category, number>;
	const selfFn = new Map<string, { category: Category; ms: number }>();
	const sampleCategory = new Map<number, { category: Category; fn: string; underNode: boolean }>();
	let underNodeMs = 0;
	let totalMs = 0;

	const classify = (id: number) => {
		const cached = sampleCategory.get(id);
		if (cached !== undefined) return cached;
		const leaf = byId.get(id)!;
		let category: Category | undefined;
		let fn = '';
		let underNode = false;
		let internal = false;
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const frame = byId.get(at)!.callFrame;
			const c = categoryOf(frame.url);
			if (c === 'node') underNode = true;
			if (category === undefined && c !== undefined && c !== 'node internals') {
				category = c;
				fn = `${frame.functionName || '(anonymous)'} ${frame.url.replace(`${ROOT}/`, '').replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`;
			}
			if (c === 'node internals') internal = true;
		}
		const name = leaf.callFrame.functionName;
		if (category === undefined) {
			if (name === '(garbage collector)') category = 'garbage collector';
			else if (name === '(idle)') category = 'idle';
			else if (internal) category = 'node internals';
			else category = 'other';
			fn = name || '(native)';
		}
		// A library the node itself calls (zod validating an answer) is the node's cost; n8n's
		// helpers and the HTTP client keep their own category.
		if (category === 'other packages' && underNode) category = 'node';
		const result = { category, fn, underNode };
		sampleCategory.set(id, result);
		return result;
	};

	let stamp = profile.startTime;
	profile.samples.forEach((id, i) => {
		stamp += profile.timeDeltas[i] ?? 0;
		if (stamp < window[0] || stamp > window[1]) return;
		const delta = (profile.timeDeltas[i] ?? 0) / 1000;
		totalMs += delta;
		const { category, fn, underNode } = classify(id);
		ms[category] += delta;
		if (underNode) underNodeMs += delta;
		const entry = selfFn.get(fn) ?? { category, ms: 0 };
		entry.ms += delta;
		selfFn.set(fn, entry);
	});
	const sorted = [...selfFn].sort((a, b) => b[1].ms - a[1].ms);
	return {
		ms,
		underNodeMs,
		topNode: sorted
			.filter(([, v]) => v.category === 'node')
			.slice(0, 12)
			.map(([fn, v]) => ({ fn, ms: v.ms })),
		top: sorted.slice(0, 20).map(([fn, v]) => ({ fn, category: v.category, ms: v.ms })),
		totalMs,
	};
}
