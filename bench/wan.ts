/**
 * `npm run bench:wan`: Batch Delete over a real network's latency, in real n8n 1.x and 2.x, against
 * a keep-alive client sending the same requests in the same run (issue 26's target: Auto ≤ 1.3× it
 * at RTT 150 ms). About 6 minutes on 2 cores (`-- --quick`: RTT 150 ms and Concurrency 8 only,
 * about 3). Writes bench/results/wan[-quick]-<date>.md. `WAN_LINES=1` runs one n8n line.
 *
 * The provider: an HTTPS Avaya Spaces mock (certificate made at run time with openssl, given to
 * n8n through NODE_EXTRA_CA_CERTS) behind a TCP proxy on 127.0.0.1 that delays each direction by
 * RTT/2, and holds a new connection's first bytes for one RTT as the TCP handshake would: so a
 * request on a new connection pays TCP + TLS + the request, three round trips. Connections are
 * counted at the proxy. 10,000 IDs, 100 a request: Batch Delete at fixed Concurrency 2 and 8 and
 * at Auto; a plain Node keep-alive client (the physical limit); the per-item HTTP Request node
 * (n8n 1.x, 1,000 items, scaled to 10,000), what users build without this node.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../scripts/n8n-host';
import { BATCH_DELETE_TYPE } from '../scripts/n8n-host';
import {
	AVAYA_DELETE_PATH,
	AVAYA_TOKEN,
	ROOT,
	fmt,
	log,
	machine,
	machineLine,
	round,
	serveAvayaDelete,
	table,
	writeResults,
} from './lib';

const QUICK = process.argv.includes('--quick');
const LINES = (process.env.WAN_LINES ?? '1,2')
	.split(',')
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const IDS = 10_000;
const BATCH = 100;
const RTTS = QUICK ? [150] : [50, 150];
const FIXED = QUICK ? [8] : [2, 8];
const PER_ITEM_IDS = QUICK ? 300 : 1_000;
/** Issue 26: over the WAN at RTT 150 ms, Auto ≤ 1.3× the keep-alive client at Concurrency 8. */
const TARGET = 1.3;

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

/** An HTTPS Avaya Spaces mock and the latency proxy in front of it, one per measured case. */
interface Endpoint {
	server: HttpsServer;
	proxy: LatencyProxy;
	baseUrl: string;
	requests: number;
}

async function endpoint(tls: { key: string; cert: string }, rttMs: number): Promise<Endpoint> {
	const e = { requests: 0 } as Endpoint;
	e.server = createHttpsServer(tls, (req, res) => serveAvayaDelete(req, res, () => e.requests++));
	// Never close an idle connection during a run: a client reusing it while the close is still
	// crossing the proxy's delay would see a reset that a real provider's longer timeout avoids.
	e.server.keepAliveTimeout = 120_000;
	await new Promise<void>((resolve) => e.server.listen(0, '127.0.0.1', resolve));
	e.proxy = new LatencyProxy((e.server.address() as AddressInfo).port, rttMs);
	await e.proxy.start();
	e.baseUrl = `https://127.0.0.1:${e.proxy.port}`;
	return e;
}

async function close(e: Endpoint): Promise<void> {
	await e.proxy.close();
	e.server.closeAllConnections();
	await new Promise((resolve) => e.server.close(resolve));
}

/** The same 100 requests on `concurrency` reused connections: the physical limit. */
async function keepAliveClient(e: Endpoint, ca: string, concurrency: number): Promise<number> {
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca });
	const started = Date.now();
	let next = 0;
	const one = async (n: number) =>
		await new Promise<void>((resolve, reject) => {
			const body = JSON.stringify(Array.from({ length: BATCH }, (_, i) => `k${n * BATCH + i}`));
			const headers = { authorization: `jwt ${AVAYA_TOKEN}`, 'content-type': 'application/json' };
			const req = httpsRequest(
				`${e.baseUrl}${AVAYA_DELETE_PATH}`,
				{ method: 'POST', agent, headers },
				(res) => {
					res.resume();
					res.on('end', () =>
						res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
					);
				},
			);
			req.on('error', reject);
			req.end(body);
		});
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < IDS / BATCH) await one(next++);
		}),
	);
	agent.destroy();
	return Date.now() - started;
}

interface Case {
	/** The node's name in the workflow, and the row's label. */
	name: string;
	rtt: number;
	ids: number;
	e: Endpoint;
	/** Batch Delete's Concurrency (0: Auto); undefined: the per-item HTTP Request node. */
	concurrency?: number;
}

const uuid = (n: number) => `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A Code node making each case's IDs (one item each), into Batch Delete or an HTTP Request. */
function workflowOf(id: string, cases: Case[]): IDataObject {
	const node = (n: number, name: string, type: string, typeVersion: number, rest: IDataObject) => ({
		id: uuid(n),
		name,
		type,
		typeVersion,
		position: [220 * (n % 3), 200 * Math.floor(n / 3)],
		...rest,
	});
	const nodes: IDataObject[] = [node(0, 'Start', 'n8n-nodes-base.manualTrigger', 1, {})];
	const connections: IDataObject = { Start: { main: [[] as IDataObject[]] } };
	cases.forEach((c, i) => {
		const ids = `IDs ${c.name}`;
		const jsCode = `return Array.from({ length: ${c.ids} }, (_, i) => ({ json: { id: 'w${i}x' + i } }));`;
		nodes.push(node(3 * i + 4, ids, 'n8n-nodes-base.code', 2, { parameters: { jsCode } }));
		nodes.push(
			c.concurrency === undefined
				? node(3 * i + 5, c.name, 'n8n-nodes-base.httpRequest', 4.2, {
						parameters: {
							method: 'POST',
							url: `${c.e.baseUrl}${AVAYA_DELETE_PATH}`,
							authentication: 'genericCredentialType',
							genericAuthType: 'httpHeaderAuth',
							sendBody: true,
							specifyBody: 'json',
							jsonBody: '={{ JSON.stringify([$json.id]) }}',
							options: {},
						},
						credentials: { httpHeaderAuth: { id: 'wanHeaderAuth000', name: 'header' } },
					})
				: node(3 * i + 5, c.name, BATCH_DELETE_TYPE, 1, {
						parameters: {
							provider: 'avayaSpaces',
							avayaSpacesAuthentication: 'token',
							idField: 'id',
							options: { batchSize: BATCH, requestsPerSecond: 0, concurrency: c.concurrency },
						},
						credentials: { avayaSpacesApi: { id: credentialId(i), name: credentialId(i) } },
					}),
		);
		((connections.Start as IDataObject).main as IDataObject[][])[0].push({
			node: ids,
			type: 'main',
			index: 0,
		});
		connections[ids] = { main: [[{ node: c.name, type: 'main', index: 0 }]] };
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

const credentialId = (i: number) => `wanAvaya${String(i).padStart(8, '0')}`;

interface Row {
	line: string;
	name: string;
	rtt: number;
	ids: number;
	ms: number;
	/** The per-item node, measured on fewer IDs: its time scaled to 10,000. */
	msAt10k?: number;
	requests: number;
	connections: number;
	failure?: number;
}

/** One `n8n execute` of all of a line's cases; each one's time from n8n's run data. */
async function runLine(
	line: '1' | '2',
	tarball: string,
	tls: { key: string; cert: string; certFile: string },
	endpoints: Endpoint[],
): Promise<Row[]> {
	const host = await n8nHost.ensureHost(line);
	const folder = await n8nHost.createUserFolder(host, { tarball });
	try {
		const cases: Case[] = [];
		for (const rtt of RTTS) {
			for (const concurrency of [...FIXED, 0]) {
				const label = concurrency === 0 ? 'Auto' : `Concurrency ${concurrency}`;
				const e = await endpoint(tls, rtt);
				cases.push({ name: `Batch Delete, ${label}, RTT ${rtt}`, rtt, ids: IDS, e, concurrency });
			}
			if (line === '1') {
				const e = await endpoint(tls, rtt);
				cases.push({ name: `HTTP Request per item, RTT ${rtt}`, rtt, ids: PER_ITEM_IDS, e });
			}
		}
		endpoints.push(...cases.map((c) => c.e));
		await n8nHost.importCredentials(folder, [
			{
				id: 'wanHeaderAuth000',
				name: 'header',
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `jwt ${AVAYA_TOKEN}` },
			},
			...cases.map((c, i) => ({
				id: credentialId(i),
				name: credentialId(i),
				type: 'avayaSpacesApi',
				data: { environment: 'custom', baseUrl: c.e.baseUrl, tokenType: 'jwt', token: AVAYA_TOKEN },
			})),
		]);
		const id = `wanLine${line}000000000`;
		await n8nHost.importWorkflow(folder, workflowOf(id, cases));
		log(`n8n ${host.version}: ${cases.length} cases in one execution ...`);
		const run = await n8nHost.executeWorkflow(folder, id, {
			timeoutMs: 20 * 60_000,
			env: { NODE_EXTRA_CA_CERTS: tls.certFile },
		});
		if (run.error) throw new Error(`n8n ${host.version}: ${String(run.error.message)}`);
		const runData = run.execution.data.resultData.runData as Record<
			string,
			Array<{ executionTime: number; data?: { main?: Array<unknown[] | null> } }>
		>;
		return cases.map((c) => {
			const entry = runData[c.name]?.[0];
			if (entry === undefined) throw new Error(`${c.name} did not run`);
			const ms = entry.executionTime;
			return {
				line: host.version,
				name: c.name,
				rtt: c.rtt,
				ids: c.ids,
				ms,
				msAt10k: c.ids === IDS ? undefined : (ms * IDS) / c.ids,
				requests: c.e.requests,
				connections: c.e.proxy.connections,
				failure: c.concurrency === undefined ? undefined : (entry.data?.main?.[1]?.length ?? 0),
			};
		});
	} finally {
		await n8nHost.removeUserFolder(folder);
	}
}

const sec = (ms: number) => `${round(ms / 1000, 2)} s`;

async function main(): Promise<void> {
	const started = Date.now();
	const info = machine();
	const work = mkdtempSync(join(tmpdir(), 'bench-wan-'));
	const tls = makeCertificate(work);
	const endpoints: Endpoint[] = [];
	const rows: Row[] = [];
	try {
		const tarball = await n8nHost.packPackage(ROOT);
		for (const rtt of RTTS) {
			for (const c of FIXED) {
				const e = await endpoint(tls, rtt);
				endpoints.push(e);
				const ms = await keepAliveClient(e, tls.cert, c);
				const name = `keep-alive client, Concurrency ${c}, RTT ${rtt}`;
				rows.push({
					line: '-',
					name,
					rtt,
					ids: IDS,
					ms,
					requests: e.requests,
					connections: e.proxy.connections,
				});
				log(`${name}: ${sec(ms)}`);
			}
		}
		for (const line of LINES) rows.push(...(await runLine(line, tarball, tls, endpoints)));
	} finally {
		await Promise.all(endpoints.map(close));
		rmSync(work, { recursive: true, force: true });
	}
	const keepAlive = (rtt: number) =>
		rows.find((r) => r.line === '-' && r.rtt === rtt && r.name.includes('Concurrency 8'))!.ms;
	const body = table(
		['n8n', 'case', 'IDs', 'time', '× keep-alive C 8', 'requests', 'TCP connections', 'on Failure'],
		rows.map((r) => [
			r.line,
			r.name,
			fmt(r.ids),
			r.msAt10k === undefined ? sec(r.ms) : `${sec(r.ms)} (${sec(r.msAt10k)} at 10,000)`,
			`${round((r.msAt10k ?? r.ms) / keepAlive(r.rtt), 2)}×`,
			fmt(r.requests),
			fmt(r.connections),
			r.failure ?? '',
		]),
	);
	const targets = rows
		.filter((r) => r.rtt === 150 && r.name.includes('Auto'))
		.map((r) => {
			const ratio = r.ms / keepAlive(150);
			return `- n8n ${r.line}, RTT 150 ms: Auto ${sec(r.ms)} = ${round(ratio, 2)}× the keep-alive client (target ≤ ${TARGET}×): ${ratio <= TARGET ? 'met' : '**missed**'}`;
		});
	writeResults(
		'wan',
		QUICK,
		[
			`# \`npm run bench:wan${QUICK ? ' -- --quick' : ''}\`, ${info.date.slice(0, 10)}`,
			'',
			machineLine(info, round((Date.now() - started) / 1000, 0)),
			'',
			`${fmt(IDS)} Avaya Spaces IDs, ${BATCH} a request, HTTPS behind a latency proxy, no provider limit; each n8n line runs its cases one after another in one execution. Read in [docs/benchmark.md](../../docs/benchmark.md).`,
			'',
			body,
			'',
			...targets,
		].join('\n'),
	);
}

if (require.main === module) {
	main().then(
		() => process.exit(0),
		(error: Error) => {
			process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
			process.exit(1);
		},
	);
}
