import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import { BATCH_DELETE_TYPE, deletedNode, failedNode } from '../e2e/workflow';
import type { Postgres, Started } from './services';

/**
 * n8n in queue mode as users run it: one main instance (`n8n start`, receives the webhooks and
 * enqueues executions), Redis as the queue, PostgreSQL as the shared database, and workers
 * (`n8n worker`) that run the executions. Main and each worker get their own user folder with
 * the packed package installed, as separate machines or containers would.
 */

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
type Server = Awaited<ReturnType<typeof n8nHost.startServer>>;
type Worker = Awaited<ReturnType<typeof n8nHost.startWorker>>;

export interface StoredExecution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: Date | null;
	stoppedAt: Date | null;
	data: { resultData: { runData: Record<string, any[]>; error?: { message?: string } } };
}

/** The workers' Bull settings: a killed worker's job counts as stalled after seconds, not the
 * default minute and a half (60 s lock, 30 s stall check), so the crash test stays short. */
export const STALL = {
	QUEUE_WORKER_LOCK_DURATION: '10000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '3000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

/** A workflow a webhook starts: the posted `items` go through one Batch Delete node into two sinks. */
export function webhookWorkflow(
	id: string,
	path: string,
	parameters: INodeParameters,
	credentials: Record<string, { id: string; name: string }>,
): IDataObject {
	const uuid = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
	const name = 'Batch Delete';
	return {
		id,
		name: `queue ${id}`,
		active: false,
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
		pinData: {},
		nodes: [
			{
				id: uuid(1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				id: uuid(2),
				name: 'IDs',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [250, 0],
				parameters: { jsCode: 'return $input.first().json.body.items.map((json) => ({ json }));' },
			},
			{
				id: uuid(3),
				name,
				type: BATCH_DELETE_TYPE,
				typeVersion: 1,
				position: [500, 0],
				parameters,
				credentials,
			},
			{
				id: uuid(4),
				name: deletedNode(name),
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [750, -80],
				parameters: {},
			},
			{
				id: uuid(5),
				name: failedNode(name),
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [750, 80],
				parameters: {},
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'IDs', type: 'main', index: 0 }]] },
			IDs: { main: [[{ node: name, type: 'main', index: 0 }]] },
			[name]: {
				main: [
					[{ node: deletedNode(name), type: 'main', index: 0 }],
					[{ node: failedNode(name), type: 'main', index: 0 }],
				],
			},
		},
	};
}

/** Batch Delete's two outputs in a stored execution (with pairedItem as n8n stored them). */
export function outputsOf(execution: StoredExecution): {
	success: INodeExecutionData[];
	failure: INodeExecutionData[];
} {
	const wrapped = { data: execution.data };
	return {
		success: (n8nHost.outputOf(wrapped, 'Batch Delete', 0) ?? []) as INodeExecutionData[],
		failure: (n8nHost.outputOf(wrapped, 'Batch Delete', 1) ?? []) as INodeExecutionData[],
	};
}

/** The `label` the webhook call carried. */
export function labelOf(execution: StoredExecution): string | undefined {
	const first = (n8nHost.outputOf({ data: execution.data }, 'Webhook', 0) ?? [])[0] as
		| { json?: { body?: { label?: string } } }
		| undefined;
	return first?.json?.body?.label;
}

export interface QueueTier {
	main: Server;
	workers: Worker[];
	/** POST to a production webhook of the main instance (retries while n8n is still registering it). */
	trigger(path: string, body: unknown): Promise<void>;
	/** Highest execution id so far (to wait for the ones triggered after it). */
	lastExecutionId(): Promise<number>;
	/** Waits until every execution after `afterId` has ended; returns them with their data. */
	settle(afterId: number, count: number, timeoutMs?: number): Promise<StoredExecution[]>;
	status(executionId: string): Promise<string | undefined>;
	execution(executionId: string): Promise<StoredExecution>;
	/** Index of the worker whose log says it started the execution (every one, in order). */
	startedOn(executionId: string): number[];
	/** Everything main and the workers printed. */
	logs(): string;
	stop(): Promise<void>;
}

export interface TierOptions {
	line: '1' | '2';
	pg: Postgres;
	redis: Started;
	tarball: string;
	credentials: Array<{ id: string; name: string; type: string; data: IDataObject }>;
	workflows: IDataObject[];
	workers?: number;
}

export async function startQueueTier(options: TierOptions): Promise<QueueTier> {
	const { line, pg, redis } = options;
	const host = await n8nHost.ensureHost(line);
	const database = `n8n_queue_line${line}`;
	pg.createDatabase(database);
	const queueEnv: Record<string, string> = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_REDIS_DB: line,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: 'unused-trust-auth',
		// Manual runs from the editor go to the workers too (main only enqueues).
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// Every instance must decrypt the same credentials: host.env's fixed test key, shared.
		N8N_ENCRYPTION_KEY: n8nHost.TEST_ENCRYPTION_KEY,
		N8N_LOG_LEVEL: 'info',
		...STALL,
	};
	const folders: Folder[] = [];
	const newFolder = async () => {
		const folder = await n8nHost.createUserFolder(host, {
			tarball: options.tarball,
			fresh: true,
			env: queueEnv,
		});
		folders.push(folder);
		return folder;
	};
	// n8n's own PostgreSQL client and execution-data parser, from the installed n8n.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const pgModule = require(join(host.dir, 'node_modules', 'pg')) as {
		Client: new (config: object) => any;
	};
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { parse } = require(join(host.dir, 'node_modules', 'flatted')) as {
		parse: (text: string) => any;
	};
	const db = new pgModule.Client({ host: '127.0.0.1', port: pg.port, user: pg.user, database });
	let main: Server | undefined;
	const workers: Worker[] = [];
	const stop = async () => {
		await Promise.all(workers.map(async (w) => await w.stop()));
		await main?.stop();
		await db.end().catch(() => undefined);
		await Promise.all(folders.map(async (f) => await n8nHost.removeUserFolder(f)));
	};
	try {
		const mainFolder = await newFolder();
		// The CLI migrates the empty database on its first command.
		await n8nHost.importCredentials(mainFolder, options.credentials);
		await n8nHost.importWorkflow(mainFolder, options.workflows);
		main = await n8nHost.startServer(mainFolder);
		await main.setupOwner();
		await Promise.all(
			options.workflows.map(async (w) => await activate(main!, line, String(w.id))),
		);
		for (let i = 0; i < (options.workers ?? 2); i++)
			workers.push(await n8nHost.startWorker(await newFolder()));
		await db.connect();
	} catch (error) {
		await stop();
		throw error;
	}
	const server = main;

	const query = async (sql: string, params: unknown[]) =>
		(await db.query(sql, params)).rows as IDataObject[];
	const toExecution = (row: IDataObject): StoredExecution => ({
		id: String(row.id),
		workflowId: String(row.workflowId),
		status: String(row.status),
		mode: String(row.mode),
		startedAt: (row.startedAt as Date | null) ?? null,
		stoppedAt: (row.stoppedAt as Date | null) ?? null,
		data: parse(String(row.data)),
	});
	const select =
		'SELECT e.id, e."workflowId", e.status, e.mode, e."startedAt", e."stoppedAt", d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id';
	const logs = () => [server.logs(), ...workers.map((w) => w.logs())].join('\n');
	const finished = (status: unknown) =>
		!['new', 'running', 'waiting', 'unknown'].includes(String(status));

	return {
		main: server,
		workers,
		async trigger(path, body) {
			const deadline = Date.now() + 30000;
			for (;;) {
				const res = await n8nHost.freshFetch(`${server.baseUrl}/webhook/${path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
				const text = await res.text();
				if (res.status === 200) return;
				if (res.status !== 404 || Date.now() > deadline)
					throw new Error(`webhook ${path} answered ${res.status}: ${text.slice(0, 500)}`);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		},
		async lastExecutionId() {
			const [row] = await query('SELECT COALESCE(MAX(id), 0) AS id FROM execution_entity', []);
			return Number(row.id);
		},
		async settle(afterId, count, timeoutMs = 180000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const rows = await query('SELECT id, status FROM execution_entity WHERE id > $1', [
					afterId,
				]);
				if (rows.length >= count && rows.every((r) => finished(r.status))) break;
				if (Date.now() > deadline)
					throw new Error(
						`executions after ${afterId} did not end: ${JSON.stringify(rows)}\n${logs().slice(-4000)}`,
					);
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
			return (await query(`${select} WHERE e.id > $1 ORDER BY e.id`, [afterId])).map(toExecution);
		},
		async status(executionId) {
			const [row] = await query('SELECT status FROM execution_entity WHERE id = $1', [executionId]);
			return row === undefined ? undefined : String(row.status);
		},
		async execution(executionId) {
			const [row] = await query(`${select} WHERE e.id = $1`, [executionId]);
			return toExecution(row);
		},
		startedOn(executionId) {
			const pattern = new RegExp(`Worker started execution ${executionId} \\(`);
			return workers.flatMap((w, index) =>
				w
					.logs()
					.split('\n')
					.filter((l) => pattern.test(l))
					.map(() => index),
			);
		},
		logs,
		stop,
	};
}

/** Activates (n8n 2.x: publishes) a workflow through the REST API, as the editor's toggle does. */
async function activate(main: Server, line: '1' | '2', id: string): Promise<void> {
	const current = await main.rest('GET', `/rest/workflows/${id}`);
	const versionId = current.body?.data?.versionId;
	const res =
		line === '2'
			? await main.rest('POST', `/rest/workflows/${id}/activate`, { versionId })
			: await main.rest('PATCH', `/rest/workflows/${id}`, { active: true, versionId });
	if (res.status !== 200)
		throw new Error(
			`activating workflow ${id} failed (${res.status}): ${JSON.stringify(res.body).slice(0, 500)}`,
		);
}
