/**
 * What the benches share: the machine they ran on, IDs shaped like the providers' real ones, tables;
 * and, for bench/memory.ts, the built node and credentials and the mocks' process.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { ICredentialType, INodeParameters } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import type { BatchDelete as BatchDeleteSource } from '../nodes/BatchDelete/BatchDelete.node';
import { PROVIDERS } from '../nodes/BatchDelete/providers';
import type { CredentialInstance } from '../test/harness';
import { OAuth2Api } from '../test/support/oAuth2Api';
import type { MockCommand, MockCounts } from './mockProcess';

export const ROOT = join(__dirname, '..');

/**
 * The node and its credentials as n8n loads them: the compiled package (dist/, what `npm run build`
 * makes and users install), not the TypeScript sources through tsx, whose esbuild output differs
 * (`__name` wrappers on every closure, for one) and is not what runs in n8n.
 */
function fromDist<T>(entry: string): T {
	const file = join(ROOT, entry);
	const source = join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	let built: number;
	try {
		built = statSync(file).mtimeMs;
	} catch {
		throw new Error(`${entry} is missing: run \`npm run build\` first (npm run bench:big does)`);
	}
	if (newestSource(join(ROOT, 'nodes')) > built || statSync(source).mtimeMs > built) {
		throw new Error(
			`${entry} is older than the sources: run \`npm run build\` first (npm run bench:big does)`,
		);
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(file) as T;
}

function newestSource(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
		else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
	}
	return newest;
}

export const { BatchDelete } = fromDist<{ BatchDelete: typeof BatchDeleteSource }>(
	'dist/nodes/BatchDelete/BatchDelete.node.js',
);

/**
 * n8n's logger: warnings and errors to stderr, the rest dropped (the benchmark's output is its
 * tables; the test support's recording logger would keep every line in memory).
 */
const quiet = {
	error: (message: unknown) => log(`n8n error: ${String(message)}`),
	warn: (message: unknown) => log(`n8n warning: ${String(message)}`),
	info: () => {},
	debug: () => {},
	scoped() {
		return quiet;
	},
};
Container.set(Logger, quiet as unknown as Logger);
LoggerProxy.init(quiet as unknown as Parameters<typeof LoggerProxy.init>[0]);

export const round = (value: number, digits = 2): number =>
	Math.round(value * 10 ** digits) / 10 ** digits;

let loadedTypes: ICredentialType[] | undefined;

/** The package's credential classes, as n8n loads them (package.json `n8n.credentials`, built, one
 * instance each), plus n8n's oAuth2Api. */
export function credentialTypes(): ICredentialType[] {
	if (loadedTypes !== undefined) return loadedTypes;
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
		n8n: { credentials: string[] };
	};
	const declared = pkg.n8n.credentials.map((entry) => {
		// As n8n does: the class named after the file (X.credentials.js exports class X).
		const className = entry.replace(/^.*\//, '').replace(/\.credentials\.js$/, '');
		return new (fromDist<Record<string, new () => ICredentialType>>(entry)[className])();
	});
	loadedTypes = [new OAuth2Api(), ...declared];
	return loadedTypes;
}

/** Batch limit of each provider, from the node's own registry. */
export function batchLimit(providerId: string): number {
	const provider = PROVIDERS.find((p) => p.id === providerId);
	if (provider === undefined) throw new Error(`unknown provider ${providerId}`);
	return provider.maxBatchSize;
}

/** The mocks' process (bench/mockProcess.ts), and one provider mock in it. */
export class MockProcess {
	private readonly pending = new Map<
		number,
		{ resolve: (value: unknown) => void; reject: (error: Error) => void }
	>();
	private nextId = 0;

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
			const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
			if (waiting === undefined) return;
			this.pending.delete(message.id!);
			if (message.error !== undefined) waiting.reject(new Error(message.error));
			else waiting.resolve(message.result);
		});
	}

	static async start(): Promise<MockProcess> {
		const child = fork(join(__dirname, 'mockProcess.ts'), [], {
			execArgv: ['--import', 'tsx'],
			serialization: 'advanced',
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		await new Promise<void>((resolve, reject) => {
			child.once('message', () => resolve());
			child.once('exit', (code) => reject(new Error(`the mock process exited (${code})`)));
		});
		return new MockProcess(child);
	}

	call<T>(command: MockCommand): Promise<T> {
		const id = this.nextId++;
		return new Promise<T>((resolve, reject) => {
			this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
			this.child.send({ id, command });
		});
	}

	async mock(provider: string): Promise<RemoteMock> {
		const started = await this.call<{ key: number; baseUrl: string; idField: string }>({
			cmd: 'start',
			provider,
		});
		return new RemoteMock(this, provider, started.key, started.baseUrl, started.idField);
	}

	stop(): void {
		this.child.kill();
	}
}

export class RemoteMock {
	constructor(
		private readonly process: MockProcess,
		readonly provider: string,
		private readonly key: number,
		readonly baseUrl: string,
		readonly idField: string,
	) {}

	/** `count` IDs the mock holds (created there). */
	seed = (count: number) => this.process.call<string[]>({ cmd: 'seed', key: this.key, count });
	/** Make the mock hold these IDs (the four batching providers). */
	hold = (ids: string[]) => this.process.call<null>({ cmd: 'hold', key: this.key, ids });
	config = (options: INodeParameters) =>
		this.process.call<{ parameters: INodeParameters; credentials: CredentialInstance[] }>({
			cmd: 'config',
			key: this.key,
			options,
		});
	latency = (ms: number) => this.process.call<null>({ cmd: 'latency', key: this.key, ms });
	/** Requests since the last call. */
	counts = () => this.process.call<MockCounts>({ cmd: 'counts', key: this.key });
}

/** An ID like the provider's real ones, unique per `n`. */
export function realisticId(provider: string, n: number): string {
	switch (provider) {
		case 'avayaSpaces': // 24 hex digits (a MongoDB ObjectId)
			return `5f1e${n.toString(16).padStart(20, '0')}`;
		case 'solapi': // 33 characters, like M4V20180307110044DHEXVPFHXJAURNXH
			return `M4V20261122${String(n).padStart(10, '0')}BENCHMARKIDS`;
		case 'quectel': // a 19-digit message ID
			return `1718${String(n).padStart(15, '0')}`;
		case 'huaweiCloudSms': // 32 hex digits
			return `8ff55eac${n.toString(16).padStart(24, '0')}`;
		default:
			throw new Error(`no ID shape for ${provider}`);
	}
}

export interface Machine {
	cpus: number;
	cpuModel: string;
	memoryGiB: number;
	freeGiB: number;
	node: string;
	os: string;
	loadAverageAtStart: number[];
	date: string;
}

export function machine(): Machine {
	let osName = process.platform;
	try {
		const release = readFileSync('/etc/os-release', 'utf8');
		osName = (/^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1] ?? osName) as NodeJS.Platform;
	} catch {
		/* not Linux */
	}
	let nproc = cpus().length;
	try {
		nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
	} catch {
		/* no nproc */
	}
	return {
		cpus: nproc,
		cpuModel: cpus()[0]?.model ?? 'unknown',
		memoryGiB: round(totalmem() / 2 ** 30, 1),
		freeGiB: round(freemem() / 2 ** 30, 1),
		node: process.version,
		os: osName,
		loadAverageAtStart: loadavg().map((l) => round(l, 2)),
		date: new Date().toISOString(),
	};
}

export function log(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

/** A figure the bench checks, and what one run measured. */
export interface Target {
	target: string;
	measured: string;
	met: boolean;
}

/** A Markdown table, columns padded (big.ts prints its results as these). */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = rows.map((r) => r.map(String));
	const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
	const line = (r: string[]) =>
		`| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
	return [
		line(headers),
		`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
		...cells.map(line),
	].join('\n');
}
