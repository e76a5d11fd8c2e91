/**
 * `npm run bench:limits`: Auto against limits the node is not told about, one shape at a time,
 * side by side with the best fixed Concurrency that is refused at most 3 % (issue 26). About 8
 * minutes on 2 cores; writes bench/results/limits-<date>.md (one table) and prints it.
 *
 * What runs: the node's engine as built (dist/: concurrency, learned rate, retries, the Avaya
 * Spaces provider reading real 429s and Retry-After headers) over HTTPS, each request on a new
 * connection as n8n's request helpers make them, through bench/wan.ts's latency proxy (RTT 50 ms)
 * to a mock that enforces the shape (bench/limitShapes.ts, the shapes test/unit/limits.test.ts
 * simulates, here on the wall clock). 10,000 IDs, 100 a request, as the issue measured. Not inside
 * n8n: a run of n8n per point of each sweep would take an hour; bench/wan.ts measures the node
 * inside real n8n.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IHttpRequestOptions } from 'n8n-workflow';

import type { HttpResult, Provider } from '../nodes/BatchDelete/engine/types';
import type { RunSettings, Sender, Tally } from '../nodes/BatchDelete/engine/run';
import type * as Engine from '../nodes/BatchDelete/engine/run';
import type { HiddenLimit } from './limitShapes';
import { SHAPES, slidingWindow } from './limitShapes';
import {
	AVAYA_TOKEN,
	ROOT,
	log,
	machine as readMachine,
	machineLine,
	round,
	serveAvayaDelete,
	table,
	writeResults,
} from './lib';
import { LatencyProxy, makeCertificate } from './wan';

/* eslint-disable @typescript-eslint/no-require-imports -- the compiled package, as bench/lib.ts loads it */
const engine = require(join(ROOT, 'dist/nodes/BatchDelete/engine/run')) as typeof Engine;
const { deletion: avayaSpaces } = require(
	join(ROOT, 'dist/nodes/BatchDelete/providers/avayaSpaces/delete'),
) as { deletion: Provider<unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

const IDS = 10_000;
const BATCH = 100;
const RTT = 50;
/** Fixed settings tried; 1 only when none of these is refused at most 3 % (it is never faster). */
const SWEEP = [2, 3, 4, 6, 8, 16];

/** Avaya's delete endpoint (serveAvayaDelete) behind the shape: 429 with its Retry-After. */
class LimitMock {
	server?: HttpsServer;
	port = 0;
	refused = 0;

	constructor(
		private readonly tls: { key: string; cert: string },
		public limit: HiddenLimit,
		public serviceMs: number,
	) {}

	async start(): Promise<void> {
		this.server = createHttpsServer(this.tls, (req, res) => this.serve(req, res));
		this.server.keepAliveTimeout = 120_000;
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
	}

	private serve(req: IncomingMessage, res: ServerResponse): void {
		serveAvayaDelete(
			req,
			res,
			() => this.limit.done(Date.now()),
			this.serviceMs,
			(now) => {
				if (this.limit.admit(now)) return true;
				this.refused++;
				return { retryAfterMs: this.limit.retryAfterMs?.(now) };
			},
		);
	}

	async close(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}
}

/** Each request on a new TCP+TLS connection, as n8n's helpers send them. Never throws. */
function freshConnectionSender(ca: string): Sender {
	return {
		canRefresh: false,
		send: async (request: IHttpRequestOptions): Promise<HttpResult> =>
			await new Promise<HttpResult>((resolve) => {
				const body = JSON.stringify(request.body);
				const req = httpsRequest(
					request.url,
					{
						method: request.method,
						agent: false,
						ca,
						headers: {
							authorization: `jwt ${AVAYA_TOKEN}`,
							'content-type': 'application/json',
							'content-length': Buffer.byteLength(body),
						},
					},
					(res) => {
						const parts: Buffer[] = [];
						res.on('data', (c: Buffer) => parts.push(c));
						res.on('end', () => {
							const rawBody = Buffer.concat(parts).toString('utf8');
							let parsed: unknown;
							try {
								parsed = JSON.parse(rawBody);
							} catch {
								parsed = rawBody;
							}
							resolve({
								kind: 'response',
								statusCode: res.statusCode ?? 0,
								headers: res.headers,
								body: parsed,
								rawBody,
							});
						});
					},
				);
				req.on('error', (error) =>
					resolve({ kind: 'network', code: 'NETWORK', message: error.message, maybeApplied: true }),
				);
				req.end(body);
			}),
	};
}

interface RunResult {
	concurrency: number | 'auto';
	ms: number;
	sent: number;
	refused: number;
	lost: number;
}

async function runOnce(
	mock: LimitMock,
	baseUrl: string,
	ca: string,
	concurrency: number | 'auto',
	prefix = 'm',
): Promise<RunResult> {
	const targets: Parameters<typeof engine.targetsSource>[0] = Array.from(
		{ length: IDS },
		(_, i) => ({
			id: `${prefix}${i}`,
			items: [i],
		}),
	);
	const settings: RunSettings = {
		batchSize: BATCH,
		concurrency,
		requestsPerSecond: 0,
		treatNotFoundAsDeleted: true,
		retry: { maxRetries: 3, baseDelayMs: 1000, maxDelayMs: 120_000 },
		maxSplitRequests: 0,
	};
	const clock = {
		now: () => Date.now(),
		sleep: async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms)),
	};
	const refusedBefore = mock.refused;
	const started = Date.now();
	let tally: Tally | undefined;
	const report = await engine.runPipeline(
		{ ...avayaSpaces, defaultConcurrency: 2 },
		{
			params: {},
			credentialType: 'avayaSpacesApi',
			credentials: { environment: 'custom', baseUrl },
		},
		() => engine.targetsSource(targets),
		settings,
		freshConnectionSender(ca),
		clock,
		() => false,
		{ sink: () => {}, progress: (t) => (tally = t) },
	);
	return {
		concurrency,
		ms: Date.now() - started,
		sent: report.requests,
		refused: mock.refused - refusedBefore,
		lost: IDS - (tally?.byStatus.deleted ?? 0),
	};
}

const pct = (x: number) => `${round(x * 100, 1)} %`;
const sec = (ms: number) => `${round(ms / 1000, 2)} s`;

async function main(): Promise<void> {
	const started = Date.now();
	const machine = readMachine();
	const dir = mkdtempSync(join(tmpdir(), 'bench-limits-'));
	const tls = makeCertificate(dir);
	const rows: string[][] = [];
	for (const shape of SHAPES) {
		const mock = new LimitMock(tls, shape.limit(Date.now()), shape.serviceMs);
		await mock.start();
		const proxy = new LatencyProxy(mock.port, RTT);
		await proxy.start();
		const baseUrl = `https://127.0.0.1:${proxy.port}`;
		const fixed: RunResult[] = [];
		let auto: RunResult | undefined;
		try {
			for (const c of ['auto' as const, ...SWEEP]) {
				mock.limit = shape.limit(Date.now());
				log(`${shape.name}: Concurrency ${c}`);
				const r = await runOnce(mock, baseUrl, tls.cert, c);
				if (c === 'auto') auto = r;
				else fixed.push(r);
				// Let the shape's window pass so the next run starts fresh.
				await new Promise((resolve) => setTimeout(resolve, 1100));
			}
			if (!fixed.some((r) => r.refused / Math.max(1, r.sent) <= 0.03)) {
				mock.limit = shape.limit(Date.now());
				log(`${shape.name}: Concurrency 1`);
				fixed.push(await runOnce(mock, baseUrl, tls.cert, 1));
			}
		} finally {
			await proxy.close();
			await mock.close();
		}
		const share = (r: RunResult) => r.refused / Math.max(1, r.sent);
		const within = fixed.filter((r) => share(r) <= 0.03);
		const best = within.sort((a, b) => a.ms - b.ms)[0];
		const fastest = [...fixed].sort((a, b) => a.ms - b.ms)[0];
		const lostFixed = fixed.filter((r) => r.lost > 0).map((r) => `C ${r.concurrency}: ${r.lost}`);
		rows.push([
			shape.name,
			`${sec(auto!.ms)}, ${pct(share(auto!))} refused (${auto!.refused} of ${auto!.sent})${auto!.lost > 0 ? `, ${auto!.lost} lost` : ''}`,
			best === undefined ? 'none' : `C ${best.concurrency}: ${sec(best.ms)}, ${pct(share(best))}`,
			best === undefined ? '' : pct(best.ms / auto!.ms),
			best !== undefined && best.ms / auto!.ms >= 0.9 && share(auto!) <= 0.03 ? 'yes' : '**no**',
			`C ${fastest.concurrency}: ${sec(fastest.ms)}, ${pct(share(fastest))}`,
			lostFixed.length === 0 ? 'none' : lostFixed.join('; '),
		]);
	}
	// Two executions at once against one hidden 20-a-second limit.
	const shared = new LimitMock(tls, slidingWindow(20), 20);
	await shared.start();
	const proxy = new LatencyProxy(shared.port, RTT);
	await proxy.start();
	const baseUrl = `https://127.0.0.1:${proxy.port}`;
	log('two executions, one limit of 20 in any second: Auto and Auto');
	const t0 = Date.now();
	const [a, b] = await Promise.all([
		runOnce(shared, baseUrl, tls.cert, 'auto', 'a'),
		runOnce(shared, baseUrl, tls.cert, 'auto', 'b'),
	]);
	const both = Date.now() - t0;
	await proxy.close();
	await shared.close();
	rmSync(dir, { recursive: true, force: true });
	rows.push([
		'two executions sharing 20 in any second',
		`${sec(a.ms)} and ${sec(b.ms)}; ${pct(shared.refused / Math.max(1, a.sent + b.sent))} refused; ${round(((a.sent + b.sent - shared.refused) * 1000) / both, 1)} accepted/s together`,
		'',
		'',
		'',
		'',
		a.lost + b.lost === 0 ? 'none' : `${a.lost + b.lost} lost`,
	]);
	const text = table(
		[
			'hidden limit (RTT 50 ms, 10,000 IDs)',
			'Auto',
			'best fixed refused ≤ 3 %',
			'Auto speed vs it',
			'targets met (≥ 90 %, ≤ 3 %)',
			'fastest fixed (any refusals)',
			'IDs lost by any setting',
		],
		rows,
	);
	const markdown = [
		`# \`npm run bench:limits\`, ${machine.date.slice(0, 10)}`,
		'',
		`${machineLine(machine, Math.round((Date.now() - started) / 1000))} Fixed Concurrency tried: ${SWEEP.join(', ')} (1 when none is refused at most 3 %).`,
		'',
		text,
		'',
		'"Refused" counts 429s over the requests the engine sent (resends included); one run per cell.',
	].join('\n');
	writeResults('limits', false, markdown);
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
		process.exit(1);
	},
);
