/**
 * Inside a real n8n (1.123.50, installed by scripts/n8n-host/): the Batch Delete node and what
 * users build today without it, against the same Avaya Spaces mock, each in its own workflow run
 * with `n8n execute`:
 *
 * - ours: a Code node emitting N items → Batch Delete (100 IDs a request, concurrency C);
 * - HTTP Request, one POST per item, with n8n's Batching option (`batchSize` items, then wait
 *   `batchInterval` ms; the node does not wait for answers, so this paces request starts);
 * - Loop Over Items (Split in Batches v3) → HTTP Request → back to the loop (→ Wait, under a limit).
 *
 * Time is what n8n records in the execution's run data: from the first deleting node's start to
 * the last one's end, so n8n's start-up and the Code node are left out on every side.
 */
import type { IDataObject } from 'n8n-workflow';

import { AvayaSpacesMock } from '../test/mocks/avayaSpaces';
import { BATCH_DELETE_TYPE } from '../test/e2e/workflow';
import * as n8nHost from '../scripts/n8n-host';
import { log, round } from './lib';

const DELETE_PATH = '/api/messages/deletemessages';
const AVAYA_CREDENTIAL = {
	id: 'benchAvayaSpaces',
	name: 'Avaya Spaces (bench mock)',
	type: 'avayaSpacesApi',
};
const HEADER_CREDENTIAL = {
	id: 'benchHeaderAuth0',
	name: 'Avaya header (bench mock)',
	type: 'httpHeaderAuth',
};
/** Every mock here accepts this token; the header credential sends `Authorization: jwt good-jwt`. */
const TOKEN = 'good-jwt';

export type Approach = 'batchDelete' | 'httpRequest' | 'loopOverItems';

export interface HostCase {
	/** Names the workflow and the row in the results. */
	label: string;
	approach: Approach;
	ids: number;
	latencyMs: number;
	/** Requests per window the mock allows (Avaya's 60 a minute, scaled), or none. */
	limit?: { requests: number; perMs: number };
	/** Batch Delete's options. */
	options?: IDataObject;
	/** HTTP Request's Batching option; undefined for none (every item's request starts at once). */
	batching?: { batchSize: number; batchInterval: number };
	/** Loop Over Items' batch size. */
	loopBatchSize?: number;
	/** Wait node after the HTTP Request in the loop, in seconds. */
	waitSeconds?: number;
}

export interface HostResult {
	label: string;
	approach: Approach;
	ids: number;
	requests: number;
	throttled: number;
	/** n8n's run data: first deleting node's start to last one's end. */
	wallMs: number;
	/** IDs the mock really deleted. */
	deleted: number;
	/** `n8n execute` from start to exit (n8n's start-up included). */
	processMs: number;
}

const uuid = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Code node that emits `count` items `{ id: prefix + i }`, as a database query would. */
function codeNode(count: number, prefix: string) {
	return {
		id: uuid(2),
		name: 'IDs',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
		parameters: {
			jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: { id: '${prefix}' + i } }));`,
		},
	};
}

/** HTTP Request deleting one message per item, as a user sets it up from Avaya's API docs. */
function httpNode(baseUrl: string, batching: HostCase['batching'], position: [number, number]) {
	return {
		id: uuid(3),
		name: 'Delete message',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		parameters: {
			method: 'POST',
			url: `${baseUrl}${DELETE_PATH}`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify([$json.id]) }}',
			options: batching === undefined ? {} : { batching: { batch: batching } },
		},
		credentials: { httpHeaderAuth: { id: HEADER_CREDENTIAL.id, name: HEADER_CREDENTIAL.name } },
	};
}

export const DELETING_NODES = ['Batch Delete', 'Delete message', 'Loop Over Items', 'Wait'];

function workflow(id: string, c: HostCase, baseUrl: string, prefix: string): IDataObject {
	const trigger = {
		id: uuid(1),
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes: IDataObject[] = [trigger, codeNode(c.ids, prefix)];
	const connections: IDataObject = { Start: { main: [[{ node: 'IDs', type: 'main', index: 0 }]] } };
	const link = (from: string, to: string, output = 0) => {
		const main =
			((connections[from] as IDataObject | undefined)?.main as IDataObject[][] | undefined) ?? [];
		while (main.length <= output) main.push([]);
		main[output].push({ node: to, type: 'main', index: 0 });
		connections[from] = { main };
	};
	if (c.approach === 'batchDelete') {
		nodes.push({
			id: uuid(3),
			name: 'Batch Delete',
			type: BATCH_DELETE_TYPE,
			typeVersion: 1,
			position: [440, 0],
			parameters: {
				provider: 'avayaSpaces',
				avayaSpacesAuthentication: 'token',
				idField: 'id',
				options: c.options ?? {},
			},
			credentials: { avayaSpacesApi: { id: AVAYA_CREDENTIAL.id, name: AVAYA_CREDENTIAL.name } },
		});
		link('IDs', 'Batch Delete');
	} else if (c.approach === 'httpRequest') {
		nodes.push(httpNode(baseUrl, c.batching, [440, 0]));
		link('IDs', 'Delete message');
	} else {
		nodes.push({
			id: uuid(4),
			name: 'Loop Over Items',
			type: 'n8n-nodes-base.splitInBatches',
			typeVersion: 3,
			position: [440, 0],
			parameters: { batchSize: c.loopBatchSize ?? 1, options: {} },
		});
		nodes.push({
			id: uuid(5),
			name: 'Done',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [660, -120],
			parameters: {},
		});
		nodes.push(httpNode(baseUrl, undefined, [660, 120]));
		link('IDs', 'Loop Over Items');
		link('Loop Over Items', 'Done', 0);
		link('Loop Over Items', 'Delete message', 1);
		if (c.waitSeconds !== undefined) {
			nodes.push({
				id: uuid(6),
				name: 'Wait',
				type: 'n8n-nodes-base.wait',
				typeVersion: 1.1,
				position: [880, 120],
				parameters: { resume: 'timeInterval', amount: c.waitSeconds, unit: 'seconds' },
				webhookId: uuid(7),
			});
			link('Delete message', 'Wait');
			link('Wait', 'Loop Over Items');
		} else {
			link('Delete message', 'Loop Over Items');
		}
	}
	return {
		id,
		name: `bench ${c.label}`,
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
}

/** First deleting node's start to last one's end, from the execution's run data. */
function deletionWindow(execution: {
	data: { resultData: { runData: Record<string, RunEntry[]> } };
}): number {
	let start = Infinity;
	let end = -Infinity;
	for (const name of DELETING_NODES) {
		for (const run of execution.data.resultData.runData[name] ?? []) {
			start = Math.min(start, run.startTime);
			end = Math.max(end, run.startTime + run.executionTime);
		}
	}
	return end - start;
}

/**
 * Run the cases in one n8n user folder (the packed package installed as users install it), one
 * `n8n execute` each, every case against its own Avaya mock holding exactly its IDs.
 */
export async function runHostCases(
	root: string,
	cases: HostCase[],
	options: { onResult?: (result: HostResult) => void; env?: Record<string, string> } = {},
): Promise<{ version: string; results: HostResult[] }> {
	const host = await n8nHost.ensureHost('1');
	const tarball = await n8nHost.packPackage(root);
	const folder = await n8nHost.createUserFolder(host, { tarball });
	const mocks: AvayaSpacesMock[] = [];
	const results: HostResult[] = [];
	try {
		const prepared = [];
		const throttled = new Map<AvayaSpacesMock, number>();
		for (const [i, c] of cases.entries()) {
			const prefix = `b${i}x`;
			const mock = new AvayaSpacesMock(Array.from({ length: c.ids }, (_, k) => `${prefix}${k}`));
			await mock.start();
			mock.latencyMs = c.latencyMs;
			if (c.limit !== undefined) {
				// Avaya documents the limit, not its answer: HTTP 429 as the reliability mocks throttle.
				mock.rateLimit = {
					...c.limit,
					reply: () => {
						throttled.set(mock, (throttled.get(mock) ?? 0) + 1);
						return { status: 429, body: { code: 'rate_limited', message: 'Too many requests' } };
					},
				};
			}
			mocks.push(mock);
			prepared.push({ c, mock, id: `benchWorkflow${String(i).padStart(3, '0')}`, prefix });
		}
		// One credential per mock would need one workflow per credential; the Avaya credential's base
		// URL is per case, so each case gets its own credential pair.
		await n8nHost.importCredentials(
			folder,
			prepared.flatMap(({ mock, id }) => [
				{
					...AVAYA_CREDENTIAL,
					id: `${id}A`.slice(-16),
					data: { environment: 'custom', baseUrl: mock.baseUrl, tokenType: 'jwt', token: TOKEN },
				},
				{
					...HEADER_CREDENTIAL,
					id: `${id}H`.slice(-16),
					data: { name: 'Authorization', value: `jwt ${TOKEN}` },
				},
			]),
		);
		const workflows = prepared.map(({ c, mock, id, prefix }) => {
			const w = workflow(id, c, mock.baseUrl, prefix);
			for (const node of w.nodes as Array<{ credentials?: Record<string, { id: string }> }>) {
				if (node.credentials?.avayaSpacesApi)
					node.credentials.avayaSpacesApi.id = `${id}A`.slice(-16);
				if (node.credentials?.httpHeaderAuth)
					node.credentials.httpHeaderAuth.id = `${id}H`.slice(-16);
			}
			return w;
		});
		await n8nHost.importWorkflow(folder, workflows);
		for (const { c, mock, id } of prepared) {
			log(`n8n ${host.version}: ${c.label} ...`);
			const before = mock.deleted.size;
			const run = await n8nHost.executeWorkflow(folder, id, {
				timeoutMs: 15 * 60_000,
				env: options.env,
			});
			if (!run.execution)
				throw new Error(`n8n printed no execution for ${c.label}:\n${run.stderr.slice(-2000)}`);
			if (run.error)
				throw new Error(`${c.label} failed in n8n: ${String((run.error as IDataObject).message)}`);
			const requests = mock.requestsTo(/deletemessages$/).length;
			mock.requests.length = 0;
			const result: HostResult = {
				label: c.label,
				approach: c.approach,
				ids: c.ids,
				requests,
				throttled: throttled.get(mock) ?? 0,
				wallMs: deletionWindow(run.execution),
				deleted: mock.deleted.size - before,
				processMs: run.ms,
			};
			log(
				`  ${result.requests} requests, ${round(result.wallMs / 1000, 2)} s in n8n, ${result.deleted} deleted`,
			);
			results.push(result);
			options.onResult?.(result);
		}
		return { version: host.version, results };
	} finally {
		await Promise.all(mocks.map(async (m) => await m.close()));
		await n8nHost.removeUserFolder(folder);
	}
}
