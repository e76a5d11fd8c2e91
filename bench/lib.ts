/**
 * What the benches share: the machine they ran on, Markdown tables and the file a run writes them
 * to, and Avaya Spaces' delete endpoint (the provider every bench deletes from).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const AVAYA_DELETE_PATH = '/api/messages/deletemessages';
export const AVAYA_TOKEN = 'good-jwt';

export const round = (value: number, digits = 2): number =>
	Math.round(value * 10 ** digits) / 10 ** digits;

export const fmt = (n: number): string => n.toLocaleString('en-US');

export function log(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

export interface Machine {
	cpus: number;
	cpuModel: string;
	memoryGiB: number;
	node: string;
	os: string;
	loadAverageAtStart: number[];
	date: string;
}

export function machine(): Machine {
	let os: string = process.platform;
	try {
		os = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
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
		node: process.version,
		os,
		loadAverageAtStart: loadavg().map((l) => round(l, 2)),
		date: new Date().toISOString(),
	};
}

/** The machine line of a results file: the load average too, since the machine is shared. */
export function machineLine(m: Machine, seconds: number): string {
	const now = loadavg().map((l) => round(l, 2));
	return `${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average ${m.loadAverageAtStart.join(' / ')} at the start, ${now.join(' / ')} at the end; ${fmt(seconds)} s in all.`;
}

/** A Markdown table, columns padded; a column of figures is right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const cells = rows.map((r) => r.map(String));
	const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
	const right = headers.map((_, i) => cells.every((r) => /^([-+−]?[\d.,]|$)/.test(r[i])));
	const line = (r: string[]) =>
		`| ${r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
	return [
		line(headers),
		`|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
		...cells.map(line),
	].join('\n');
}

/**
 * A run's Markdown: bench/results/<name>-<date>.md (`-quick-` for a `--quick` run, which checks
 * the bench more than the node). Committed when a page cites it. Prints it too.
 */
export function writeResults(name: string, quick: boolean, markdown: string): void {
	const dir = join(ROOT, 'bench', 'results');
	const date = new Date().toISOString().slice(0, 10);
	const file = join(dir, `${name}${quick ? '-quick' : ''}-${date}.md`);
	mkdirSync(dir, { recursive: true });
	writeFileSync(file, `${markdown}\n`);
	process.stdout.write(`${markdown}\n\nWrote ${file}\n`);
}

/**
 * Avaya Spaces' delete endpoint, as its document answers: every ID it is sent is deleted.
 * `admit` may refuse a request before it is served: 429, with Retry-After in whole seconds when it
 * gives one. `onDeleted` is told what was deleted, `serviceMs` later.
 */
export function serveAvayaDelete(
	req: IncomingMessage,
	res: ServerResponse,
	onDeleted: (ids: string[]) => void,
	serviceMs = 0,
	admit?: (now: number) => true | { retryAfterMs?: number },
): void {
	const chunks: Buffer[] = [];
	req.on('data', (c: Buffer) => chunks.push(c));
	req.on('end', () => {
		const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end(JSON.stringify(body));
		};
		let ids: unknown;
		try {
			ids = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			ids = undefined;
		}
		if (req.method !== 'POST' || req.url !== AVAYA_DELETE_PATH)
			return reply(404, { message: 'not found' });
		if (String(req.headers.authorization ?? '').toLowerCase() !== `jwt ${AVAYA_TOKEN}`)
			return reply(401, { code: 'unauthorized', message: 'bad token' });
		if (!Array.isArray(ids) || ids.length === 0)
			return reply(400, { code: 'bad_request', reason: 'input data must be an array' });
		const admitted = admit?.(Date.now()) ?? true;
		if (admitted !== true) {
			const after = admitted.retryAfterMs;
			return reply(
				429,
				{ code: 'rate_limited', message: 'Too many requests' },
				after === undefined ? {} : { 'retry-after': String(Math.ceil(after / 1000)) },
			);
		}
		setTimeout(() => {
			onDeleted(ids as string[]);
			reply(200, {
				deletedMessages: ids,
				notFoundMmessages: [],
				notDeletedMessages: [],
				noPermittedMessages: [],
			});
		}, serviceMs);
	});
}
