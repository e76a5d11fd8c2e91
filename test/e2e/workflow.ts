import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { BATCH_DELETE_TYPE, freshFetch } from '../../scripts/n8n-host';
import type { ProviderEnv } from '../reliability/providers';

/** Builds n8n workflow JSON (as `n8n import:workflow` takes it) around Batch Delete nodes. */

export { BATCH_DELETE_TYPE };

/** One Batch Delete branch: IDs from a Code node, the node, and both outputs into NoOp nodes. */
export interface Branch {
	/** Node name of the Batch Delete node; its outputs go to "<name> deleted" / "<name> failed". */
	name: string;
	parameters: INodeParameters;
	/** Credential type → { id, name } as saved in n8n. */
	credentials: Record<string, { id: string; name: string }>;
	/** The items the Code node emits. */
	items: IDataObject[];
	settings?: {
		continueOnFail?: boolean;
		onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	};
	/** Notes shown on the Code node in the editor. */
	note?: string;
}

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: IDataObject;
	credentials?: Record<string, { id: string; name: string }>;
	notes?: string;
	notesInFlow?: boolean;
	continueOnFail?: boolean;
	onError?: string;
}

const uuid = (n: number) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Node names of a branch's two output sinks. */
export const deletedNode = (branch: string) => `${branch} deleted`;
export const failedNode = (branch: string) => `${branch} failed`;
export const idsNode = (branch: string) => `${branch} IDs`;

/**
 * A workflow: one trigger ("Start", a Manual Trigger, or a Schedule Trigger when `schedule` is set)
 * fanning out to every branch. n8n runs the branches one after another.
 */
export function buildWorkflow(
	id: string,
	name: string,
	branches: Branch[],
	options: { schedule?: boolean } = {},
): IDataObject {
	let n = 0;
	const nodes: WorkflowNode[] = [
		options.schedule
			? {
					id: uuid(++n),
					name: 'Start',
					type: 'n8n-nodes-base.scheduleTrigger',
					typeVersion: 1.2,
					position: [0, 0],
					parameters: { rule: { interval: [{ triggerAtHour: 3 }] } },
				}
			: {
					id: uuid(++n),
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
	];
	const connections: IDataObject = { Start: { main: [[] as IDataObject[]] } };
	branches.forEach((branch, row) => {
		const y = row * 300;
		const code = idsNode(branch.name);
		nodes.push({
			id: uuid(++n),
			name: code,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [250, y],
			parameters: {
				jsCode: `// The IDs to delete: in a real cleanup, a database, a sheet or an API list.\nreturn ${JSON.stringify(
					branch.items.map((json) => ({ json })),
					null,
					1,
				)};`,
			},
			...(branch.note ? { notes: branch.note, notesInFlow: true } : {}),
		});
		nodes.push({
			id: uuid(++n),
			name: branch.name,
			type: BATCH_DELETE_TYPE,
			typeVersion: 1,
			position: [500, y],
			parameters: branch.parameters as IDataObject,
			credentials: branch.credentials,
			...(branch.settings?.continueOnFail
				? { continueOnFail: true, onError: 'continueRegularOutput' }
				: {}),
			...(branch.settings?.onError ? { onError: branch.settings.onError } : {}),
		});
		nodes.push({
			id: uuid(++n),
			name: deletedNode(branch.name),
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [750, y - 80],
			parameters: {},
		});
		nodes.push({
			id: uuid(++n),
			name: failedNode(branch.name),
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [750, y + 80],
			parameters: {},
		});
		((connections.Start as IDataObject).main as IDataObject[][])[0].push({
			node: code,
			type: 'main',
			index: 0,
		});
		connections[code] = { main: [[{ node: branch.name, type: 'main', index: 0 }]] };
		connections[branch.name] = {
			main: [
				[{ node: deletedNode(branch.name), type: 'main', index: 0 }],
				[{ node: failedNode(branch.name), type: 'main', index: 0 }],
			],
		};
	});
	return {
		id,
		name,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		tags: [],
	};
}

/**
 * POST JSON to a production webhook, on a fresh connection (freshFetch: a reused idle socket that
 * n8n closes fails after the delete may have run, and is never resent). n8n 2.x registers the webhooks of published workflows a
 * moment after it starts answering (an outbox consumer): until then it says 404 "not registered",
 * which runs nothing, so that answer is retried for up to 30 s.
 */
export async function postToWebhook(url: string, body: unknown): Promise<Response> {
	const deadline = Date.now() + 30000;
	for (;;) {
		const res = await freshFetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (res.status !== 404 || Date.now() > deadline) return res;
		const text = await res.text();
		if (!/is not registered/.test(text)) return new Response(text, { status: res.status });
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** A branch for a provider env: its parameters (with `parameters` and `options` on top) and its
 * default credentials as saved in n8n. */
export const branchOf = (
	env: ProviderEnv,
	name: string,
	items: IDataObject[],
	extra: Partial<Branch> = {},
	parameters: INodeParameters = {},
	options: INodeParameters = {},
): Branch => ({
	name,
	parameters: env.parameters(options, parameters),
	credentials: Object.fromEntries(
		env.credentials('default').map((c) => [c.type, { id: c.id, name: c.name }]),
	),
	items,
	...extra,
});
