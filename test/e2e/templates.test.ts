import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { AvayaSpacesMock } from '../mocks/avayaSpaces';
import type { SolapiMock } from '../mocks/solapi';
import type { ProviderEnv } from '../reliability/providers';
import { SOLAPI_GROUP, avaya, solapi } from '../reliability/providers';
import { postToWebhook } from './workflow';

/**
 * The workflow templates under examples/, imported into a REAL n8n as a user imports them and
 * run against the provider mocks:
 * - nightly-cleanup.json: Schedule Trigger (and a "Run now" Manual Trigger) → HTTP Request (the
 *   IDs) → Batch Delete → Failure summarized into one alert item. Run with `n8n execute`, which
 *   starts from the Manual Trigger (a schedule cannot be fired on demand; the path is the same).
 * - nightly-million-cleanup.json: the same triggers → HTTP Request (the IDs as ONE item's list,
 *   `{ "ids": [...] }`) → Batch Delete with Output = Summary Only → Failure → the alert text → Send
 *   alert. Run with 2,000 IDs (a few of them failing), then with every ID deletable.
 * - webhook-delete.json: Webhook → Batch Delete → Merge (both outputs) → counts → Respond to
 *   Webhook. Activated, served by `n8n start`, called with an HTTP POST.
 * - ai-agent-tool.json: Chat Trigger → AI Agent with an OpenAI chat model and Batch Delete as its
 *   tool. The model is a local OpenAI-compatible mock (the OpenAI credential's base URL) that
 *   answers first with a tool call to Batch Delete and then with a final message; the chat is
 *   sent to the Chat Trigger's public endpoint.
 *
 * Only two things are changed on import, both addresses: the HTTP Request's URL (the template's
 * is a placeholder) and the Chat Trigger is made public so the test can post to it. Credentials
 * are imported under the ids and names the templates reference, pointing at the mocks.
 *
 * E2E_LINES=1 (or 2) limits the run to one n8n line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 2 * 60 * 1000;
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

type Workflow = {
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		parameters: IDataObject;
		credentials?: Record<string, { id: string; name: string }>;
		webhookId?: string;
	}>;
	connections: IDataObject;
};

const load = (file: string): Workflow =>
	JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as Workflow;
const node = (wf: Workflow, name: string) => {
	const found = wf.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`${wf.name}: no node "${name}"`);
	return found;
};

interface Started {
	baseUrl: string;
	requests: IDataObject[];
	close: () => Promise<void>;
}

/** A tiny JSON server on 127.0.0.1: `handler` answers each request's parsed body. */
async function serve(
	handler: (
		req: http.IncomingMessage,
		body: IDataObject | undefined,
	) => { status?: number; body: unknown; stream?: boolean },
): Promise<Started> {
	const requests: IDataObject[] = [];
	const server = http.createServer((req, res) => {
		let raw = '';
		req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
		req.on('end', () => {
			let body: IDataObject | undefined;
			try {
				body = raw === '' ? undefined : (JSON.parse(raw) as IDataObject);
			} catch {
				body = undefined;
			}
			requests.push({ method: req.method, url: req.url, body });
			const answer = handler(req, body);
			res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(answer.body));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		requests,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/**
 * An OpenAI-compatible chat completions endpoint: with no tool result in the conversation yet it
 * calls the first tool it was offered with `toolArgs`; once a tool result is there, it answers
 * with a final message that quotes it.
 */
function openAiMock(toolArgs: () => IDataObject) {
	let n = 0;
	return serve((req, body) => {
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions'))
			return { status: 404, body: { error: { message: `no route ${req.method} ${req.url}` } } };
		const messages = (body?.messages ?? []) as Array<{
			role: string;
			content?: unknown;
			tool_call_id?: string;
		}>;
		const tools = (body?.tools ?? []) as Array<{ function: { name: string } }>;
		const toolResult = messages.find((m) => m.role === 'tool');
		const base = {
			id: `chatcmpl-${++n}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: String(body?.model ?? 'gpt-4o-mini'),
		};
		const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
		if (toolResult === undefined && tools.length > 0) {
			return {
				body: {
					...base,
					choices: [
						{
							index: 0,
							message: {
								role: 'assistant',
								content: null,
								tool_calls: [
									{
										id: 'call_1',
										type: 'function',
										function: {
											name: tools[0].function.name,
											arguments: JSON.stringify(toolArgs()),
										},
									},
								],
							},
							finish_reason: 'tool_calls',
						},
					],
					usage,
				},
			};
		}
		const quoted =
			typeof toolResult?.content === 'string'
				? toolResult.content
				: JSON.stringify(toolResult?.content ?? null);
		return {
			body: {
				...base,
				choices: [
					{
						index: 0,
						message: { role: 'assistant', content: `Done. The tool answered: ${quoted}` },
						finish_reason: 'stop',
					},
				],
				usage,
			},
		};
	});
}

describe('templates under examples/', () => {
	it('reference credentials by name and bake in no local address', () => {
		for (const file of [
			'nightly-cleanup.json',
			'nightly-million-cleanup.json',
			'webhook-delete.json',
			'ai-agent-tool.json',
		]) {
			const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
			expect([file, /localhost|127\.0\.0\.1|\[::1\]/.test(text)]).toEqual([file, false]);
			const wf = JSON.parse(text) as Workflow;
			for (const n of wf.nodes) {
				for (const [type, ref] of Object.entries(n.credentials ?? {}))
					expect([file, n.name, type, typeof ref.name, ref.name.length > 0]).toEqual([
						file,
						n.name,
						type,
						'string',
						true,
					]);
			}
			// Every connection names a node of the workflow.
			for (const [from, byType] of Object.entries(wf.connections)) {
				expect(wf.nodes.map((n) => n.name)).toContain(from);
				for (const outputs of Object.values(
					byType as Record<string, Array<Array<{ node: string }>>>,
				))
					for (const out of outputs)
						for (const c of out) expect(wf.nodes.map((n) => n.name)).toContain(c.node);
			}
		}
	});
});

describe.each(LINES)('templates in real n8n %s.x', (line) => {
	let folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
	let server: Awaited<ReturnType<typeof n8nHost.startServer>> | undefined;
	let avayaEnv: ProviderEnv;
	let solapiEnv: ProviderEnv;
	let idSource: Started;
	let openAi: Started;
	let idList: IDataObject[] = [];
	/** What the million template's source answers: one object holding the list. */
	let millionIds: string[] = [];
	let agentIds: string[] = [];

	const nightly = load('nightly-cleanup.json');
	const million = load('nightly-million-cleanup.json');
	const webhook = load('webhook-delete.json');
	const agent = load('ai-agent-tool.json');
	// The agent template with the tool set to On Error → Continue and Max IDs per Run 1: a whole-run
	// error the model must be told about. Only the chat's webhook and the tool's settings differ.
	const agentErrors = structuredClone(agent);
	const ERRORS_WEBHOOK = '6f1a2b3c-0003-4a00-8000-0000000000cc';

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		[avayaEnv, solapiEnv] = await Promise.all([avaya.start(), solapi.start()]);
		idSource = await serve((req) => ({
			body: req.url === '/million.json' ? { ids: millionIds } : idList,
		}));
		openAi = await openAiMock(() => ({ ids: agentIds.join(', ') }));

		// The credentials the templates name, under those ids and names, pointing at the mocks.
		const ref = (wf: Workflow, nodeName: string, type: string) =>
			node(wf, nodeName).credentials![type];
		const [avayaCredential] = avayaEnv.credentials('default');
		const [solapiCredential] = solapiEnv.credentials('default');
		await n8nHost.importCredentials(folder, [
			{
				...ref(nightly, 'Batch Delete', 'avayaSpacesApi'),
				type: 'avayaSpacesApi',
				data: avayaCredential.data,
			},
			{
				...ref(webhook, 'Batch Delete', 'solapiApi'),
				type: 'solapiApi',
				data: solapiCredential.data,
			},
			{
				...ref(agent, 'OpenAI Chat Model', 'openAiApi'),
				type: 'openAiApi',
				data: { apiKey: 'sk-test-0000000000000000', url: `${openAi.baseUrl}/v1` },
			},
		]);
		expect(ref(agent, 'delete_messages', 'avayaSpacesApi')).toEqual(
			ref(nightly, 'Batch Delete', 'avayaSpacesApi'),
		);
		expect(ref(million, 'Batch Delete', 'avayaSpacesApi')).toEqual(
			ref(nightly, 'Batch Delete', 'avayaSpacesApi'),
		);

		// Addresses only: the HTTP Request's placeholder URL, and the chat made reachable.
		node(nightly, 'Get IDs to delete').parameters.url =
			`${idSource.baseUrl}/messages-to-delete.json`;
		node(million, 'Get IDs to delete').parameters.url = `${idSource.baseUrl}/million.json`;
		node(agent, 'When chat message received').parameters.public = true;
		node(agentErrors, 'When chat message received').parameters.public = true;
		(node(agentErrors, 'When chat message received') as { webhookId?: string }).webhookId =
			ERRORS_WEBHOOK;
		const tool = node(agentErrors, 'delete_messages') as {
			onError?: string;
			parameters: IDataObject;
		};
		tool.onError = 'continueRegularOutput';
		tool.parameters.options = { maxIds: 1 };
		await n8nHost.importWorkflow(folder, [
			{ ...nightly, id: 'tplNightlyClean1' },
			{ ...million, id: 'tplMillionClean1' },
			{ ...webhook, id: 'tplWebhookDel001' },
			{ ...agent, id: 'tplAiAgentTool01' },
			{ ...agentErrors, id: 'tplAiAgentErrs01', name: `${agent.name} (errors)` },
		]);
		// Activate the ones a server triggers (n8n 2.x: "publish").
		for (const id of ['tplWebhookDel001', 'tplAiAgentTool01', 'tplAiAgentErrs01']) {
			const args =
				line === '2'
					? ['publish:workflow', `--id=${id}`]
					: ['update:workflow', `--id=${id}`, '--active=true'];
			const r = await n8nHost.runN8n(folder, args);
			if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
		}
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await server?.stop();
		await Promise.all([avayaEnv?.close(), solapiEnv?.close(), idSource?.close(), openAi?.close()]);
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	it(
		'nightly cleanup: deletes what the data source lists and collects every failure into one alert',
		async () => {
			const ids = avayaEnv.seed(5);
			const [gone] = avayaEnv.missing(1);
			const [archived] = avayaEnv.seed(1);
			(avayaEnv.mock as AvayaSpacesMock).poison.add(archived);
			idList = [...ids, gone, archived].map((id) => ({ id }));

			const run = await n8nHost.executeWorkflow(folder, 'tplNightlyClean1');
			expect(run.error).toBeUndefined();
			const success = n8nHost.outputOf(run.execution, 'Batch Delete', 0) ?? [];
			const failure = n8nHost.outputOf(run.execution, 'Batch Delete', 1) ?? [];
			expect(success.map((i: { json: IDataObject }) => i.json.status).sort()).toEqual([
				'alreadyGone',
				'deleted',
				'deleted',
				'deleted',
				'deleted',
				'deleted',
			]);
			expect(failure.map((i: { json: IDataObject }) => [i.json.id, i.json.status])).toEqual([
				[archived, 'rejected'],
			]);
			expect(ids.every((id) => avayaEnv.removed(id))).toBe(true);
			const alert = n8nHost.outputOf(run.execution, 'Send alert', 0) ?? [];
			expect(alert).toHaveLength(1);
			expect(alert[0].json).toMatchObject({
				subject: 'Nightly cleanup: 1 message(s) not deleted',
				failedCount: 1,
				byStatus: { rejected: 1 },
			});
			expect(String(alert[0].json.text)).toContain(archived);
		},
		RUN_TIMEOUT,
	);

	it(
		'nightly million-ID cleanup: one list in, one summary out, and the alert only when something failed',
		async () => {
			const mock = avayaEnv.mock as AvayaSpacesMock;
			const ok = avayaEnv.seed(1_990);
			const [forbidden1, forbidden2, forbidden3] = avayaEnv.missing(3);
			const [archived1, archived2] = avayaEnv.missing(2);
			mock.add(
				{ id: forbidden1, forbidden: true },
				{ id: forbidden2, forbidden: true },
				{ id: forbidden3, forbidden: true },
				{ id: archived1, archived: true },
				{ id: archived2, archived: true },
			);
			const gone = avayaEnv.missing(5);
			millionIds = [...ok, forbidden1, archived1, ...gone, forbidden2, archived2, forbidden3];
			expect(millionIds).toHaveLength(2_000);
			const requestsBefore = mock.requestsTo(/deletemessages$/).length;

			const run = await n8nHost.executeWorkflow(folder, 'tplMillionClean1', {
				timeoutMs: RUN_TIMEOUT,
			});
			expect(run.error).toBeUndefined();
			expect(n8nHost.outputOf(run.execution, 'Batch Delete', 0)).toEqual([]);
			const failure = n8nHost.outputOf(run.execution, 'Batch Delete', 1) ?? [];
			expect(failure).toHaveLength(1);
			const summary = failure[0].json as IDataObject;
			// The counts are the mock's: what it deleted, what it refused, what it did not know.
			const deletedByMock = millionIds.filter((id) => avayaEnv.removed(id) && !gone.includes(id));
			expect(deletedByMock.sort()).toEqual([...ok].sort());
			expect(summary).toMatchObject({
				total: 2_000,
				succeeded: 1_995,
				failed: 5,
				byStatus: { deleted: 1_990, alreadyGone: 5, forbidden: 3, rejected: 2 },
				requests: mock.requestsTo(/deletemessages$/).length - requestsBefore,
				batches: 20,
				failuresOmitted: 0,
				stop: null,
			});
			expect((summary.failures as IDataObject[]).map((f) => [f.id, f.status]).sort()).toEqual(
				[
					[forbidden1, 'forbidden'],
					[forbidden2, 'forbidden'],
					[forbidden3, 'forbidden'],
					[archived1, 'rejected'],
					[archived2, 'rejected'],
				].sort(),
			);
			// The alert branch got the summary, with its text.
			const alert = n8nHost.outputOf(run.execution, 'Send alert', 0) ?? [];
			expect(alert).toHaveLength(1);
			expect(alert[0].json).toMatchObject({
				subject: 'Nightly cleanup: 5 of 2,000 messages NOT deleted',
				total: 2_000,
				failed: 5,
			});
			expect(String(alert[0].json.text)).toContain('1,995 of 2,000');
			for (const id of [forbidden1, archived2]) expect(String(alert[0].json.text)).toContain(id);
			expect(n8nHost.outputOf(run.execution, 'All deleted', 0)).toBeUndefined();

			// Nothing fails: the summary goes to Success and no alert is sent.
			millionIds = avayaEnv.seed(150);
			const clean = await n8nHost.executeWorkflow(folder, 'tplMillionClean1', {
				timeoutMs: RUN_TIMEOUT,
			});
			expect(clean.error).toBeUndefined();
			const [ok2] = (n8nHost.outputOf(clean.execution, 'Batch Delete', 0) ?? []) as Array<{
				json: IDataObject;
			}>;
			expect(ok2.json).toMatchObject({
				total: 150,
				succeeded: 150,
				failed: 0,
				byStatus: { deleted: 150 },
				failures: [],
			});
			expect(n8nHost.outputOf(clean.execution, 'Batch Delete', 1)).toEqual([]);
			expect(millionIds.every((id) => avayaEnv.removed(id))).toBe(true);
			expect(n8nHost.outputOf(clean.execution, 'Send alert', 0)).toBeUndefined();
			expect(n8nHost.outputOf(clean.execution, 'All deleted', 0)).toHaveLength(1);
		},
		RUN_TIMEOUT,
	);

	describe('served by n8n start', () => {
		beforeAll(async () => {
			server = await n8nHost.startServer(folder);
		}, RUN_TIMEOUT);

		it(
			'webhook: deletes the IDs it is given and answers with the counts per status',
			async () => {
				const ids = solapiEnv.seed(4);
				const [gone] = solapiEnv.missing(1);
				const [broken] = solapiEnv.seed(1);
				(solapiEnv.mock as SolapiMock).internalErrorAlways.add(broken);
				const res = await postToWebhook(`${server!.baseUrl}/webhook/batch-delete`, {
					groupId: SOLAPI_GROUP,
					ids: [...ids, gone, broken],
				});
				const text = await res.text();
				if (res.status !== 200)
					throw new Error(`webhook answered ${res.status} ${text}\n${server!.logs().slice(-3000)}`);
				const answer = JSON.parse(text) as IDataObject;
				expect(answer).toMatchObject({ requested: 6, deleted: 4, alreadyGone: 1, failed: 1 });
				// SOLAPI's lasting internal error may have applied the delete: `unknown`, never `error`.
				expect((answer.failures as IDataObject[]).map((f) => [f.id, f.status])).toEqual([
					[broken, 'unknown'],
				]);
				expect(ids.every((id) => solapiEnv.removed(id))).toBe(true);

				// All confirmed: the Failure output is empty and the answer still comes.
				const more = solapiEnv.seed(2);
				const again = await postToWebhook(`${server!.baseUrl}/webhook/batch-delete`, {
					groupId: SOLAPI_GROUP,
					ids: more,
				});
				expect(await again.json()).toMatchObject({
					requested: 2,
					deleted: 2,
					alreadyGone: 0,
					failed: 0,
					failures: [],
				});
			},
			RUN_TIMEOUT,
		);

		it(
			'AI agent: the model calls Batch Delete as a tool, the messages are deleted, the answer reports it',
			async () => {
				const ids = avayaEnv.seed(2);
				const [gone] = avayaEnv.missing(1);
				agentIds = [...ids, gone];
				const webhookId = (
					agent.nodes.find((n) => n.name === 'When chat message received') as { webhookId: string }
				).webhookId;
				const res = await postToWebhook(`${server!.baseUrl}/webhook/${webhookId}/chat`, {
					action: 'sendMessage',
					sessionId: 'e2e-session',
					chatInput: `Please delete messages ${agentIds.join(', ')}`,
				});
				const text = await res.text();
				expect([res.status, text]).toEqual([
					200,
					expect.stringContaining('Done. The tool answered'),
				]);
				expect(ids.every((id) => avayaEnv.removed(id))).toBe(true);
				// The model saw the tool, by the name the template gives it, and its per-ID result.
				const calls = openAi.requests.filter((r) => String(r.url).endsWith('/chat/completions'));
				expect(calls).toHaveLength(2);
				const offered = (
					(calls[0].body as IDataObject).tools as Array<{
						function: { name: string; parameters: IDataObject };
					}>
				).map((t) => t.function.name);
				expect(offered).toEqual(['delete_messages']);
				const toolMessage = (
					(calls[1].body as IDataObject).messages as Array<{ role: string; content: string }>
				).find((m) => m.role === 'tool');
				expect(toolMessage?.content).toContain('deleted');
				expect(toolMessage?.content).toContain(ids[0]);
				expect(text).toContain('alreadyGone');
			},
			RUN_TIMEOUT,
		);

		/** Asks the agent's chat webhook to delete `ids`; returns what its last model call was told
		 * by the tool. */
		async function askAgent(webhookId: string, sessionId: string, ids: string[]): Promise<string> {
			const mark = openAi.requests.length;
			const res = await postToWebhook(`${server!.baseUrl}/webhook/${webhookId}/chat`, {
				action: 'sendMessage',
				sessionId,
				chatInput: `Delete ${ids.join(', ')}`,
			});
			expect(res.status).toBe(200);
			const calls = openAi.requests
				.slice(mark)
				.filter((r) => String(r.url).endsWith('/chat/completions'));
			const toolMessage = (
				(calls[calls.length - 1].body as IDataObject).messages as Array<{
					role: string;
					content: string;
				}>
			).find((m) => m.role === 'tool');
			return String(toolMessage?.content);
		}

		it(
			'AI agent, On Error → Continue: a whole-run error reaches the model as "nothing was deleted", and why',
			async () => {
				const ids = avayaEnv.seed(2);
				agentIds = ids;
				const content = await askAgent(ERRORS_WEBHOOK, 'e2e-run-error', ids);
				expect(ids.some((id) => avayaEnv.removed(id))).toBe(false);
				expect(content).toMatch(/Nothing was deleted/);
				expect(content).toMatch(/more than Max IDs per Run \(1\)/);
			},
			RUN_TIMEOUT,
		);

		it(
			'AI agent: failed IDs reach the model, each with its status and reason',
			async () => {
				const mock = avayaEnv.mock as AvayaSpacesMock;
				const deleted = avayaEnv.seed(2);
				const [forbidden, archived] = avayaEnv.missing(2);
				mock.add({ id: forbidden, forbidden: true }, { id: archived, archived: true });
				const [gone] = avayaEnv.missing(1);
				agentIds = [...deleted, forbidden, archived, gone];
				const webhookId = (
					agent.nodes.find((n) => n.name === 'When chat message received') as { webhookId: string }
				).webhookId;
				const content = await askAgent(webhookId, 'e2e-failures', agentIds);
				expect(deleted.every((id) => avayaEnv.removed(id))).toBe(true);
				// What the model is told: a summary with the counts, then each ID's outcome.
				expect(content).toMatch(/2 of 5 messages were NOT deleted/);
				for (const [id, status] of [
					[forbidden, 'forbidden'],
					[archived, 'rejected'],
					[deleted[0], 'deleted'],
					[gone, 'alreadyGone'],
				]) {
					expect(content).toMatch(new RegExp(`"id":"${id}"[^}]*"status":"${status}"`));
				}
				expect(content).toContain('Authorise permission failed');
			},
			RUN_TIMEOUT,
		);
	});
});
