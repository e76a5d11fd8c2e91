/**
 * `npm run bench:wan`: the node over a real network's latency, in real n8n (1.x and 2.x). Figures
 * printed, not timed tests; not part of `npm test`. About 10 minutes on 2 cores (`--quick`: ~3).
 * Writes bench/wan-results.json (`--quick`: .tmp/bench/wan-results.json).
 *
 * The provider: an HTTPS Avaya Spaces mock (certificate made at run time with openssl, given to
 * n8n through NODE_EXTRA_CA_CERTS) behind a TCP proxy on 127.0.0.1 that delays each direction by
 * RTT/2, and holds a new connection's first bytes for one RTT as the TCP handshake would: so a
 * request on a new connection pays TCP + TLS + the request, three round trips. Connections are
 * counted at the proxy.
 *
 * 1. No provider limit, RTT 50 and 150 ms, 10,000 IDs (100 a request): Batch Delete at fixed
 *    Concurrency 2 and 8 and at Auto; a plain Node keep-alive client sending the same 100 requests
 *    (the physical limit); the per-item HTTP Request node (all at once, and with Batching), 1,000
 *    items, scaled to 10,000.
 * 2. Hidden limits the node is not told about (429 beyond them): requests per second, and
 *    separately requests at once. Fixed Concurrency swept 1–32 against Auto; two executions at
 *    once against one limit; the per-item HTTP Request node paced to the limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../scripts/n8n-host';
import { BATCH_DELETE_TYPE } from '../scripts/n8n-host';
import { ROOT, log, machine, round } from './lib';

const QUICK = process.argv.includes('--quick');
const LINES = (process.env.WAN_LINES ?? '1,2')
	.split(',')
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const IDS = 10_000;
const BATCH = 100;
const RTTS = [50, 150];
const PER_ITEM_IDS = QUICK ? 300 : 1_000;
const DELETE_PATH = '/api/messages/deletemessages';
const TOKEN = 'good-jwt';
/** Hidden limits, at RTT 50 ms, with the provider taking SERVICE_MS per request. */
const LIMIT_RTT = 50;
const SERVICE_MS = 20;
const HIDDEN_RPS = 20;
const HIDDEN_CONCURRENT = 4;
const CONCURRENT_SERVICE_MS = 150;
const LIMIT_IDS = QUICK ? 10_000 : 30_000;
const SWEEP = QUICK ? [1, 2, 4, 8, 16, 32] : [1, 2, 3, 4, 6, 8, 12, 16, 32];

// ---- certificate ----

export function makeCertificate(dir: string): { key: string; cert: string; certFile: string } {
	const keyFile = join(dir, 'key.pem');
	const certFile = join(dir, 'cert.pem');
	try {
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=127.0.0.1',
				'-addext',
				'subjectAltName=IP:127.0.0.1',
				'-keyout',
				keyFile,
				'-out',
				certFile,
			],
			{ stdio: 'ignore' },
		);
	} catch (error) {
		throw new Error(
			`bench:wan needs openssl to make its self-signed certificate (Debian: apt-get install openssl): ${(error as Error).message}`,
		);
	}
	return {
		key: execFileSync('cat', [keyFile]).toString(),
		cert: execFileSync('cat', [certFile]).toString(),
		certFile,
	};
}

// ---- the provider ----

type HiddenLimit =
	| { kind: 'none' }
	| { kind: 'perSecond'; limit: number }
	| { kind: 'concurrent'; limit: number };

interface Served {
	at: number;
	prefix: string;
	ok: boolean;
}

/** Avaya Spaces' delete endpoint over HTTPS: every ID it is sent is deleted; 429 beyond a hidden limit. */
export class WanMock {
	server?: HttpsServer;
	port = 0;
	served: Served[] = [];
	private starts: number[] = [];
	private serving = 0;

	constructor(
		private readonly tls: { key: string; cert: string },
		public limit: HiddenLimit = { kind: 'none' },
		public serviceMs = 0,
	) {}

	async start(): Promise<void> {
		this.server = createHttpsServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) =>
			this.serve(req, res),
		);
		// Never close an idle connection during a run: a client reusing it while the close is still
		// crossing the proxy's delay would see a reset that a real provider's longer timeout avoids.
		this.server.keepAliveTimeout = 120_000;
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
	}

	private admit(now: number): boolean {
		if (this.limit.kind === 'perSecond') {
			while (this.starts.length > 0 && this.starts[0] <= now - 1000) this.starts.shift();
			if (this.starts.length >= this.limit.limit) return false;
			this.starts.push(now);
		} else if (this.limit.kind === 'concurrent') {
			if (this.serving >= this.limit.limit) return false;
		}
		this.serving++;
		return true;
	}

	private serve(req: IncomingMessage, res: ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const reply = (status: number, body: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			let ids: unknown;
			try {
				ids = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			} catch {
				ids = undefined;
			}
			if (req.method !== 'POST' || req.url !== DELETE_PATH)
				return reply(404, { message: 'not found' });
			if (String(req.headers.authorization ?? '').toLowerCase() !== `jwt ${TOKEN}`)
				return reply(401, { code: 'unauthorized', message: 'bad token' });
			if (!Array.isArray(ids) || ids.length === 0)
				return reply(400, { code: 'bad_request', reason: 'input data must be an array' });
			const prefix = String(ids[0]).replace(/\d+$/, '');
			const now = Date.now();
			if (!this.admit(now)) {
				this.served.push({ at: now, prefix, ok: false });
				return reply(429, { code: 'rate_limited', message: 'Too many requests' });
			}
			setTimeout(() => {
				this.serving--;
				this.served.push({ at: Date.now(), prefix, ok: true });
				reply(200, {
					deletedMessages: ids,
					notFoundMmessages: [],
					notDeletedMessages: [],
					noPermittedMessages: [],
				});
			}, this.serviceMs);
		});
	}

	reset(): void {
		this.served = [];
	}

	async close(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}
}

/**
 * A TCP proxy that makes 127.0.0.1 look `rttMs` away: each direction's bytes arrive RTT/2 later,
 * and a new connection's first bytes wait one RTT more (the SYN / SYN-ACK a real connection pays
 * before the client may send), so handshakes pay the distance too.
 */
export class LatencyProxy {
	private server?: Server;
	port = 0;
	connections = 0;
	private readonly sockets = new Set<Socket>();

	constructor(
		private readonly upstreamPort: number,
		public rttMs: number,
	) {}

	async start(): Promise<void> {
		this.server = createServer((client) => this.accept(client));
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as AddressInfo).port;
	}

	private accept(client: Socket): void {
		this.connections++;
		const acceptedAt = Date.now();
		const upstream = connect(this.upstreamPort, '127.0.0.1');
		this.sockets.add(client);
		this.sockets.add(upstream);
		client.setNoDelay(true);
		upstream.setNoDelay(true);
		// One queue per direction, drained by one timer, so bytes keep their order (timers of
		// different lengths that fall due in the same millisecond may fire in either order).
		const pipe = (from: Socket, to: Socket, earliest: number) => {
			const queue: Array<{ at: number; chunk?: Buffer }> = [];
			let timer: NodeJS.Timeout | undefined;
			const drain = () => {
				timer = undefined;
				while (queue.length > 0 && queue[0].at <= Date.now()) {
					const { chunk } = queue.shift()!;
					if (to.destroyed) continue;
					if (chunk === undefined) to.end();
					else to.write(chunk);
				}
				if (queue.length > 0) timer = setTimeout(drain, queue[0].at - Date.now());
			};
			const push = (chunk?: Buffer) => {
				queue.push({ at: Math.max(earliest, Date.now()) + this.rttMs / 2, chunk });
				timer ??= setTimeout(drain, queue[0].at - Date.now());
			};
			from.on('data', (chunk: Buffer) => push(chunk));
			// A side that ends (or closes without ending) ends the other once its bytes are out.
			let ended = false;
			const end = () => {
				if (ended) return;
				ended = true;
				push();
			};
			from.on('end', end);
			from.on('close', end);
		};
		pipe(client, upstream, acceptedAt + this.rttMs);
		pipe(upstream, client, 0);
		// Each side's end is passed on after its last delayed bytes (end, not destroy: destroy would
		// drop bytes still being written); an error tears both down.
		const done = () => {
			client.destroy();
			upstream.destroy();
		};
		client.on('error', done);
		upstream.on('error', done);
		const forget = () => {
			if (client.destroyed && upstream.destroyed) {
				this.sockets.delete(client);
				this.sockets.delete(upstream);
			}
		};
		client.on('close', forget);
		upstream.on('close', forget);
	}

	async close(): Promise<void> {
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}
}

/** A mock, and a proxy in front of it, per measured case: connections and requests counted apart. */
interface Endpoint {
	mock: WanMock;
	proxy: LatencyProxy;
	baseUrl: string;
}

const endpoints: Endpoint[] = [];

async function endpoint(
	tls: { key: string; cert: string },
	rttMs: number,
	limit: HiddenLimit = { kind: 'none' },
	serviceMs = 0,
	mock?: WanMock,
): Promise<Endpoint> {
	const m = mock ?? new WanMock(tls, limit, serviceMs);
	if (mock === undefined) await m.start();
	const proxy = new LatencyProxy(m.port, rttMs);
	await proxy.start();
	const e = { mock: m, proxy, baseUrl: `https://127.0.0.1:${proxy.port}` };
	endpoints.push(e);
	return e;
}

// ---- the keep-alive client: what the same requests cost on reused connections ----

async function keepAliveClient(
	e: Endpoint,
	ca: string,
	requests: number,
	concurrency: number,
): Promise<number> {
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca });
	const started = Date.now();
	let next = 0;
	const one = async (n: number) =>
		await new Promise<void>((resolve, reject) => {
			const body = JSON.stringify(Array.from({ length: BATCH }, (_, i) => `k${n * BATCH + i}`));
			const req = httpsRequest(
				`${e.baseUrl}${DELETE_PATH}`,
				{
					method: 'POST',
					agent,
					headers: {
						authorization: `jwt ${TOKEN}`,
						'content-type': 'application/json',
						'content-length': Buffer.byteLength(body),
					},
				},
				(res) => {
					res.resume();
					res.on('end', () =>
						res.statusCode === 200
							? resolve()
							: reject(new Error(`keep-alive client got HTTP ${res.statusCode}`)),
					);
				},
			);
			req.on('error', reject);
			req.end(body);
		});
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < requests) await one(next++);
		}),
	);
	agent.destroy();
	return Date.now() - started;
}

// ---- workflows ----

const uuid = (n: number) => `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Branch {
	name: string;
	ids: number;
	prefix: string;
	kind: 'batchDelete' | 'httpRequest';
	/** Batch Delete's options; HTTP Request's Batching. */
	options?: IDataObject;
	batching?: { batchSize: number; batchInterval: number };
	credentialId: string;
	/** HTTP Request: where it sends (through its endpoint's proxy). */
	baseUrl?: string;
}

function workflowOf(id: string, branches: Branch[]): IDataObject {
	const nodes: IDataObject[] = [
		{
			id: uuid(1),
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
	];
	const connections: IDataObject = { Start: { main: [[] as IDataObject[]] } };
	branches.forEach((b, i) => {
		const y = i * 200;
		const code = `IDs ${b.name}`;
		nodes.push({
			id: uuid(100 + i),
			name: code,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [220, y],
			parameters: {
				jsCode: `return Array.from({ length: ${b.ids} }, (_, i) => ({ json: { id: '${b.prefix}' + i } }));`,
			},
		});
		((connections.Start as IDataObject).main as IDataObject[][])[0].push({
			node: code,
			type: 'main',
			index: 0,
		});
		if (b.kind === 'batchDelete') {
			nodes.push({
				id: uuid(300 + i),
				name: b.name,
				type: BATCH_DELETE_TYPE,
				typeVersion: 1,
				position: [440, y],
				parameters: {
					provider: 'avayaSpaces',
					avayaSpacesAuthentication: 'token',
					idField: 'id',
					options: { batchSize: BATCH, maxIds: 1_000_000, requestsPerSecond: 0, ...b.options },
				},
				credentials: { avayaSpacesApi: { id: b.credentialId, name: b.credentialId } },
			});
		} else {
			nodes.push({
				id: uuid(300 + i),
				name: b.name,
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [440, y],
				parameters: {
					method: 'POST',
					url: `${b.baseUrl}${DELETE_PATH}`,
					authentication: 'genericCredentialType',
					genericAuthType: 'httpHeaderAuth',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify([$json.id]) }}',
					options: b.batching === undefined ? {} : { batching: { batch: b.batching } },
				},
				credentials: { httpHeaderAuth: { id: 'wanHeaderAuth000', name: 'wanHeaderAuth000' } },
			});
		}
		connections[code] = { main: [[{ node: b.name, type: 'main', index: 0 }]] };
	});
	return {
		id,
		name: `wan ${id}`,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

interface RunEntry {
	startTime: number;
	executionTime: number;
	data?: { main?: Array<Array<{ json: IDataObject }> | null> };
}

interface NodeRun {
	name: string;
	ms: number;
	startedAt: number;
	success: number;
	failure: number;
}

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

/** One `n8n execute` of one workflow; each branch's time from n8n's own run data. */
async function execute(
	folder: Folder,
	id: string,
	branches: Branch[],
	env: Record<string, string>,
): Promise<Map<string, NodeRun>> {
	await n8nHost.importWorkflow(folder, workflowOf(id, branches));
	const run = await n8nHost.executeWorkflow(folder, id, { timeoutMs: 20 * 60_000, env });
	if (!run.execution)
		throw new Error(
			`n8n printed no execution for ${id}:\n${run.stderr.slice(-3000)}\n${run.stdout.slice(-2000)}`,
		);
	if (run.error)
		throw new Error(`${id} failed in n8n: ${String((run.error as IDataObject).message)}`);
	const runData = (
		run.execution as { data: { resultData: { runData: Record<string, RunEntry[]> } } }
	).data.resultData.runData;
	const out = new Map<string, NodeRun>();
	for (const b of branches) {
		const entry = runData[b.name]?.[0];
		if (entry === undefined) throw new Error(`${b.name} did not run in ${id}`);
		const outputs = entry.data?.main ?? [];
		out.set(b.name, {
			name: b.name,
			ms: entry.executionTime,
			startedAt: entry.startTime,
			success: outputs[0]?.length ?? 0,
			failure: outputs[1]?.length ?? 0,
		});
	}
	return out;
}

// ---- results ----

interface Row {
	line: string;
	group: string;
	label: string;
	rttMs: number;
	ids: number;
	ms: number;
	/** For per-item runs measured at fewer IDs: the time scaled to 10,000 IDs. */
	msAt10k?: number;
	requests: number;
	throttled: number;
	connections: number;
	success?: number;
	failure?: number;
	boundMs?: number;
}

interface TargetRow {
	target: string;
	measured: string;
	met: boolean;
}

const rows: Row[] = [];
const targets: TargetRow[] = [];
/** Runs that failed inside n8n, printed with the table. */
const failures: string[] = [];

function record(row: Row): Row {
	rows.push(row);
	const extra = row.msAt10k === undefined ? '' : ` (${round(row.msAt10k / 1000, 1)} s at 10,000)`;
	log(
		`  ${row.line} ${row.group} ${row.label}: ${round(row.ms / 1000, 2)} s${extra}, ${row.requests} requests, ${row.throttled} throttled, ${row.connections} TCP connections` +
			(row.failure ? `, ${row.failure} IDs on Failure` : ''),
	);
	return row;
}

function measure(e: Endpoint, since: number) {
	const served = e.mock.served.filter((s) => s.at >= since);
	return { requests: served.length, throttled: served.filter((s) => !s.ok).length };
}

async function main(): Promise<void> {
	const started = Date.now();
	const info = machine();
	log(
		`bench:wan — ${info.cpus} cores, Node ${info.node}, load ${loadavg()
			.map((l) => round(l, 2))
			.join(' ')}${QUICK ? ' (quick)' : ''}`,
	);
	const work = mkdtempSync(join(tmpdir(), 'bench-wan-'));
	const tls = makeCertificate(work);
	const env = { NODE_EXTRA_CA_CERTS: tls.certFile };
	const tarball = await n8nHost.packPackage(ROOT);
	const folders: Folder[] = [];
	try {
		// 1. Keep-alive client: the physical limit for the same 100 requests.
		const keepAlive = new Map<string, number>();
		for (const rtt of RTTS) {
			for (const c of [2, 8]) {
				const e = await endpoint(tls, rtt);
				const ms = await keepAliveClient(e, tls.cert, IDS / BATCH, c);
				keepAlive.set(`${rtt}/${c}`, ms);
				const bound = Math.ceil(IDS / BATCH / c) * rtt;
				record({
					line: '-',
					group: 'wan',
					label: `keep-alive client C=${c}`,
					rttMs: rtt,
					ids: IDS,
					ms,
					requests: e.mock.served.length,
					throttled: 0,
					connections: e.proxy.connections,
					boundMs: bound,
				});
			}
		}

		for (const line of LINES) {
			const host = await n8nHost.ensureHost(line);
			const folder = await n8nHost.createUserFolder(host, { tarball });
			folders.push(folder);
			const credentials: Array<{ id: string; name: string; type: string; data: IDataObject }> = [
				{
					id: 'wanHeaderAuth000',
					name: 'wanHeaderAuth000',
					type: 'httpHeaderAuth',
					data: { name: 'Authorization', value: `jwt ${TOKEN}` },
				},
			];
			const credentialFor = (e: Endpoint) => {
				const id = `wanAvaya${String(credentials.length).padStart(8, '0')}`;
				credentials.push({
					id,
					name: id,
					type: 'avayaSpacesApi',
					data: { environment: 'custom', baseUrl: e.baseUrl, tokenType: 'jwt', token: TOKEN },
				});
				return id;
			};
			const v = host.version;

			// 2. No provider limit: fixed 2 and 8, and Auto, at each RTT.
			const wanCases: Array<{ branch: Branch; e: Endpoint; rtt: number; label: string }> = [];
			for (const rtt of RTTS) {
				for (const [label, concurrency] of [
					['C=2', 2],
					['C=8', 8],
					['Auto', 0],
				] as const) {
					const e = await endpoint(tls, rtt);
					const name = `${label} RTT ${rtt}`;
					wanCases.push({
						e,
						rtt,
						label,
						branch: {
							name,
							ids: IDS,
							prefix: `w${wanCases.length}x`,
							kind: 'batchDelete',
							options: { concurrency },
							credentialId: credentialFor(e),
						},
					});
				}
			}
			// 3. Hidden limits: a fixed sweep (line 1 only: the same engine on both lines) and Auto.
			const limitCases: Array<{ branch: Branch; e: Endpoint; kind: string; c: number | 'auto' }> =
				[];
			for (const [kind, limit, service] of [
				['perSecond', { kind: 'perSecond', limit: HIDDEN_RPS }, SERVICE_MS],
				['concurrent', { kind: 'concurrent', limit: HIDDEN_CONCURRENT }, CONCURRENT_SERVICE_MS],
			] as const) {
				for (const c of [...(line === LINES[0] ? SWEEP : []), 'auto' as const]) {
					const e = await endpoint(tls, LIMIT_RTT, limit, service);
					// Slow settings deliver fewer IDs in the same time: throughput is what is compared.
					const ids =
						c === 'auto' || c >= 4
							? LIMIT_IDS
							: Math.max(BATCH * 10, Math.round((LIMIT_IDS * c) / 4 / BATCH) * BATCH);
					limitCases.push({
						e,
						kind,
						c,
						branch: {
							name: `${kind} ${c}`,
							ids,
							prefix: `h${limitCases.length}x`,
							kind: 'batchDelete',
							options: { concurrency: c === 'auto' ? 0 : c },
							credentialId: credentialFor(e),
						},
					});
				}
			}
			// Auto at 10,000 IDs under the per-second limit, for the comparison with HTTP Request.
			const auto10k = await endpoint(
				tls,
				LIMIT_RTT,
				{ kind: 'perSecond', limit: HIDDEN_RPS },
				SERVICE_MS,
			);
			const auto10kBranch: Branch = {
				name: 'perSecond auto 10k',
				ids: IDS,
				prefix: 'a10kx',
				kind: 'batchDelete',
				options: { concurrency: 0 },
				credentialId: credentialFor(auto10k),
			};
			// 4. Per-item HTTP Request node (line 1): all at once, Batching 8 items a round trip, and paced to the hidden limit.
			const perItem: Array<{
				branch: Branch;
				e: Endpoint;
				rtt: number;
				label: string;
				ids: number;
				limited: boolean;
			}> = [];
			if (line === LINES[0]) {
				for (const rtt of RTTS) {
					for (const [label, batching] of [
						['all at once', undefined],
						[`Batching 8 / ${rtt} ms`, { batchSize: 8, batchInterval: rtt }],
					] as const) {
						const e = await endpoint(tls, rtt);
						perItem.push({
							e,
							rtt,
							label,
							ids: PER_ITEM_IDS,
							limited: false,
							branch: {
								name: `HTTP ${label} RTT ${rtt}`,
								ids: PER_ITEM_IDS,
								prefix: `p${perItem.length}x`,
								kind: 'httpRequest',
								batching,
								credentialId: '',
								baseUrl: e.baseUrl,
							},
						});
					}
				}
				const e = await endpoint(
					tls,
					LIMIT_RTT,
					{ kind: 'perSecond', limit: HIDDEN_RPS },
					SERVICE_MS,
				);
				const ids = QUICK ? HIDDEN_RPS * 5 : HIDDEN_RPS * 20;
				perItem.push({
					e,
					rtt: LIMIT_RTT,
					label: `Batching ${HIDDEN_RPS} / 1 s (the hidden limit)`,
					ids,
					limited: true,
					branch: {
						name: 'HTTP limited',
						ids,
						prefix: 'plx',
						kind: 'httpRequest',
						batching: { batchSize: HIDDEN_RPS, batchInterval: 1000 },
						credentialId: '',
						baseUrl: e.baseUrl,
					},
				});
			}
			await n8nHost.importCredentials(folder, credentials);
			const runEnv = env;

			log(`n8n ${v}: no provider limit ...`);
			let t0 = Date.now();
			const wan = await execute(
				folder,
				`wanNoLimit${line}00000`,
				wanCases.map((c) => c.branch),
				runEnv,
			);
			for (const c of wanCases) {
				const r = wan.get(c.branch.name)!;
				const m = measure(c.e, t0);
				record({
					line: v,
					group: 'wan',
					label: c.label,
					rttMs: c.rtt,
					ids: IDS,
					ms: r.ms,
					...m,
					connections: c.e.proxy.connections,
					success: r.success,
					failure: r.failure,
					boundMs: (IDS / BATCH / (c.label === 'C=2' ? 2 : 8)) * c.rtt,
				});
			}

			log(`n8n ${v}: hidden limits ...`);
			t0 = Date.now();
			const limited = await execute(
				folder,
				`wanHidden${line}000000`,
				[...limitCases.map((c) => c.branch), auto10kBranch],
				runEnv,
			);
			for (const c of limitCases) {
				const r = limited.get(c.branch.name)!;
				const m = measure(c.e, t0);
				record({
					line: v,
					group: c.kind,
					label: c.c === 'auto' ? 'Auto' : `C=${c.c}`,
					rttMs: LIMIT_RTT,
					ids: c.branch.ids,
					ms: r.ms,
					...m,
					connections: c.e.proxy.connections,
					success: r.success,
					failure: r.failure,
				});
			}
			{
				const r = limited.get(auto10kBranch.name)!;
				record({
					line: v,
					group: 'perSecond',
					label: 'Auto, 10,000 IDs',
					rttMs: LIMIT_RTT,
					ids: IDS,
					ms: r.ms,
					...measure(auto10k, t0),
					connections: auto10k.proxy.connections,
					success: r.success,
					failure: r.failure,
				});
			}

			if (perItem.length > 0) {
				log(`n8n ${v}: per-item HTTP Request ...`);
				t0 = Date.now();
				// One workflow per case: a per-item run that fails is reported, not fatal to the rest.
				for (const [k, p] of perItem.entries()) {
					let r: NodeRun;
					try {
						r = (
							await execute(folder, `wanPerItem${line}${k}0000`.slice(0, 16), [p.branch], runEnv)
						).get(p.branch.name)!;
					} catch (error) {
						log(
							`  ${v} HTTP Request, ${p.label}, RTT ${p.rtt}: failed in n8n: ${(error as Error).message.split('\n')[0]}`,
						);
						failures.push(
							`n8n ${v}, HTTP Request ${p.label}, RTT ${p.rtt} ms: ${(error as Error).message.split('\n')[0]}`,
						);
						continue;
					}
					record({
						line: v,
						group: p.limited ? 'perSecond' : 'wan',
						label: `HTTP Request, ${p.label}`,
						rttMs: p.rtt,
						ids: p.ids,
						ms: r.ms,
						msAt10k: (r.ms * IDS) / p.ids,
						...measure(p.e, t0),
						connections: p.e.proxy.connections,
						success: r.success,
						failure: r.failure,
					});
				}
			}

			// 5. Two executions at once against one hidden per-second limit (line 1).
			if (line === LINES[0]) {
				log(`n8n ${v}: two executions at once ...`);
				const shared = new WanMock(tls, { kind: 'perSecond', limit: HIDDEN_RPS }, SERVICE_MS);
				await shared.start();
				const second = await n8nHost.createUserFolder(host, { tarball });
				folders.push(second);
				const pair = await Promise.all(
					[folder, second].map(async (f, k) => {
						const e = await endpoint(tls, LIMIT_RTT, undefined, 0, shared);
						const id = `wanTwin${k}Avaya0000`.slice(0, 16);
						await n8nHost.importCredentials(f, [
							{
								id,
								name: id,
								type: 'avayaSpacesApi',
								data: { environment: 'custom', baseUrl: e.baseUrl, tokenType: 'jwt', token: TOKEN },
							},
						]);
						return {
							f,
							e,
							branch: {
								name: `execution ${k + 1}`,
								ids: LIMIT_IDS,
								prefix: `t${k}x`,
								kind: 'batchDelete',
								options: { concurrency: 0 },
								credentialId: id,
							} as Branch,
						};
					}),
				);
				t0 = Date.now();
				const results = await Promise.all(
					pair.map(
						async (p, k) =>
							(
								await execute(p.f, `wanTwin${k}${line}0000000`.slice(0, 16), [p.branch], runEnv)
							).get(p.branch.name)!,
					),
				);
				// The window both ran in: from the later start to the earlier end.
				const from = Math.max(...results.map((r) => r.startedAt));
				const to = Math.min(...results.map((r) => r.startedAt + r.ms));
				const inBoth = shared.served.filter((s) => s.at >= from && s.at <= to);
				const okOf = (k: number) => inBoth.filter((s) => s.ok && s.prefix === `t${k}x`).length;
				const seconds = Math.max(0.001, (to - from) / 1000);
				pair.forEach((p, k) => {
					const mine = shared.served.filter((s) => s.at >= t0 && s.prefix === `t${k}x`);
					record({
						line: v,
						group: 'twoExecutions',
						label: `execution ${k + 1} (Auto)`,
						rttMs: LIMIT_RTT,
						ids: LIMIT_IDS,
						ms: results[k].ms,
						requests: mine.length,
						throttled: mine.filter((s) => !s.ok).length,
						connections: p.e.proxy.connections,
						success: results[k].success,
						failure: results[k].failure,
					});
				});
				const together = (okOf(0) + okOf(1)) / seconds;
				const throttledShare =
					inBoth.length === 0 ? 1 : inBoth.filter((s) => !s.ok).length / inBoth.length;
				const shares = [okOf(0), okOf(1)].map((n) => n / Math.max(1, okOf(0) + okOf(1)));
				twin = {
					overlapSeconds: round(seconds, 2),
					requestsPerSecond: round(together, 1),
					throttledShare,
					shares,
				};
				await shared.close();
			}
		}

		evaluate(keepAlive);
	} finally {
		await Promise.all(endpoints.map(async (e) => await e.proxy.close()));
		await Promise.all([...new Set(endpoints.map((e) => e.mock))].map(async (m) => await m.close()));
		for (const f of folders) await n8nHost.removeUserFolder(f);
		rmSync(work, { recursive: true, force: true });
	}
	const resultsFile = QUICK
		? join(ROOT, '.tmp', 'bench', 'wan-results.json')
		: join(ROOT, 'bench', 'wan-results.json');
	mkdirSync(dirname(resultsFile), { recursive: true });
	const totalSeconds = round((Date.now() - started) / 1000, 0);
	writeFileSync(
		resultsFile,
		`${JSON.stringify({ command: `npm run bench:wan${QUICK ? ' -- --quick' : ''}`, machine: info, settings: { ids: IDS, batch: BATCH, rtts: RTTS, limitRtt: LIMIT_RTT, hiddenRps: HIDDEN_RPS, hiddenConcurrent: HIDDEN_CONCURRENT, serviceMs: SERVICE_MS, concurrentServiceMs: CONCURRENT_SERVICE_MS, limitIds: LIMIT_IDS, perItemIds: PER_ITEM_IDS, quick: QUICK }, rows, twoExecutions: twin, failures, targets, totalSeconds }, null, '\t')}\n`,
	);
	printTable();
	log(`wrote ${resultsFile} (${totalSeconds} s)`);
}

let twin:
	| { overlapSeconds: number; requestsPerSecond: number; throttledShare: number; shares: number[] }
	| undefined;

const pct = (x: number) => `${round(x * 100, 1)} %`;
const sec = (ms: number) => `${round(ms / 1000, 2)} s`;

function evaluate(keepAlive: Map<string, number>): void {
	const line1 = rows.filter(
		(r) => r.line !== '-' && r.line === rows.find((x) => x.line !== '-')?.line,
	);
	for (const kind of ['perSecond', 'concurrent']) {
		// Throughput: IDs a second. A fixed setting that left IDs on Failure does not count as a result.
		const sweep = line1.filter((r) => r.group === kind && r.label.startsWith('C='));
		const rate = (r: Row) => (r.success ?? 0) / (r.ms / 1000);
		const complete = sweep.filter((r) => (r.failure ?? 0) === 0);
		const polite = complete.filter((r) => r.throttled / Math.max(1, r.requests) <= 0.03);
		const best = [...complete].sort((a, b) => rate(b) - rate(a))[0];
		const bestPolite = [...polite].sort((a, b) => rate(b) - rate(a))[0];
		for (const auto of rows.filter((r) => r.group === kind && r.label === 'Auto')) {
			const share = best === undefined ? 0 : rate(auto) / rate(best);
			const sharePolite = bestPolite === undefined ? 0 : rate(auto) / rate(bestPolite);
			const throttled = auto.throttled / Math.max(1, auto.requests);
			targets.push({
				target: `n8n ${auto.line}, hidden ${kind === 'perSecond' ? `${HIDDEN_RPS} requests/s` : `${HIDDEN_CONCURRENT} requests at once`}: Auto ≥ 90 % of the best fixed 1–32, ≤ 3 % throttled`,
				measured:
					`Auto ${round(rate(auto), 0)} IDs/s, ${pct(throttled)} throttled; best fixed ${best?.label} ${best ? round(rate(best), 0) : '-'} IDs/s (${best ? pct(best.throttled / Math.max(1, best.requests)) : '-'} throttled) → ${pct(share)}; ` +
					`best fixed within 3 % throttled ${bestPolite?.label ?? 'none'} → ${pct(sharePolite)}` +
					((auto.failure ?? 0) > 0 ? `; ${auto.failure} IDs on Failure` : ''),
				met: share >= 0.9 && throttled <= 0.03 && (auto.failure ?? 0) === 0,
			});
		}
	}
	if (twin !== undefined) {
		const starved = Math.min(...twin.shares) < 0.25;
		targets.push({
			target: `Two executions at once, one hidden ${HIDDEN_RPS} requests/s limit: together ≥ 80 % of it, ≤ 5 % throttled, neither starved`,
			measured: `${twin.requestsPerSecond} requests/s together while both ran (${twin.overlapSeconds} s) = ${pct(twin.requestsPerSecond / HIDDEN_RPS)} of the limit, ${pct(twin.throttledShare)} throttled, split ${twin.shares.map(pct).join(' / ')}`,
			met: twin.requestsPerSecond >= 0.8 * HIDDEN_RPS && twin.throttledShare <= 0.05 && !starved,
		});
	}
	const ka = keepAlive.get('150/8')!;
	for (const auto of rows.filter(
		(r) => r.group === 'wan' && r.label === 'Auto' && r.rttMs === 150,
	)) {
		targets.push({
			target: `n8n ${auto.line}, no provider limit, RTT 150 ms: Auto within 1.5× of the keep-alive client at C = 8`,
			measured: `Auto ${sec(auto.ms)} vs keep-alive ${sec(ka)} → ${round(auto.ms / ka, 2)}×`,
			met: auto.ms <= 1.5 * ka,
		});
	}
	const http = rows.find((r) => r.group === 'perSecond' && r.label.startsWith('HTTP Request'));
	for (const auto of rows.filter(
		(r) => r.group === 'perSecond' && r.label === 'Auto, 10,000 IDs',
	)) {
		if (http === undefined) continue;
		// The per-item node needs one request per ID: at the limit, 10,000 IDs take at least 10,000 / limit seconds.
		const floor = (IDS / HIDDEN_RPS) * 1000;
		const perItemMs = Math.max(floor, http.msAt10k ?? 0);
		targets.push({
			target: `n8n ${auto.line}, under the hidden ${HIDDEN_RPS} requests/s limit, 10,000 IDs: ≥ 20× less wall time than the per-item HTTP Request node`,
			measured: `Batch Delete Auto ${sec(auto.ms)}; HTTP Request paced to the limit ${sec(http.ms)} for ${http.ids} IDs → ${sec(perItemMs)} at 10,000 (its floor at the limit: ${sec(floor)}) → ${round(perItemMs / auto.ms, 1)}×`,
			met: perItemMs / auto.ms >= 20,
		});
	}
}

function printTable(): void {
	const lines: string[] = [];
	lines.push('');
	lines.push('| n8n | case | RTT | IDs | time | requests | throttled | TCP connections |');
	lines.push('|---|---|---|---|---|---|---|---|');
	for (const r of rows) {
		const time = r.msAt10k === undefined ? sec(r.ms) : `${sec(r.ms)} (${sec(r.msAt10k)} at 10,000)`;
		lines.push(
			`| ${r.line} | ${r.group}: ${r.label} | ${r.rttMs} ms | ${r.ids} | ${time}${r.boundMs ? ` (bound ${sec(r.boundMs)})` : ''} | ${r.requests} | ${r.throttled} | ${r.connections} |`,
		);
	}
	lines.push('');
	for (const f of failures) lines.push(`FAILED RUN ${f}`);
	for (const t of targets)
		lines.push(`${t.met ? 'MET   ' : 'MISSED'} ${t.target}\n       ${t.measured}`);
	process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
		process.exit(1);
	});
}
