import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OutputMode } from './engine/outputs';
import type { Provider } from './engine/types';

/** The most per-ID outcomes handed to a model; the rest are counted. */
const TOOL_MAX_OUTCOMES = 100;

/**
 * Whether the node runs as an AI agent's tool. n8n names the tool variant of a node type
 * `<type>Tool` on both lines; n8n-workflow 2.x also offers `isToolExecution()`.
 */
export function isToolMode(ctx: IExecuteFunctions): boolean {
	const withTool = ctx as IExecuteFunctions & { isToolExecution?: () => boolean };
	return (
		ctx.getNode().type.endsWith('Tool') ||
		(typeof withTool.isToolExecution === 'function' && withTool.isToolExecution())
	);
}

/**
 * As a tool, n8n hands the agent only the node's first output, so failures on the second would
 * never reach the model. In tool mode the first output carries a summary item (counts by status,
 * a sentence) followed by every ID's outcome — for runs over TOOL_MAX_OUTCOMES IDs, the failures
 * first, then successes, up to the cap, with the rest counted. Workflow runs are unchanged.
 */
export function shapeForTool(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	outputs: INodeExecutionData[][],
	mode: OutputMode = 'eachId',
): INodeExecutionData[][] {
	if (!isToolMode(ctx)) return outputs;
	const [success, failure] = outputs;
	// The summary outputs already lead with their summary item: hand the model all of it.
	if (mode !== 'eachId') return [[...success, ...failure].slice(0, TOOL_MAX_OUTCOMES + 1), []];
	const byStatus: Record<string, number> = {};
	for (const item of [...success, ...failure]) {
		const status = String(item.json.status);
		byStatus[status] = (byStatus[status] ?? 0) + 1;
	}
	const shown = [...failure, ...success].slice(0, TOOL_MAX_OUTCOMES);
	const omitted = success.length + failure.length - shown.length;
	const counts = Object.entries(byStatus)
		.map(([status, n]) => `${n} ${status}`)
		.join(', ');
	const gone = success.filter(
		(i) => i.json.status === 'deleted' || i.json.status === 'alreadyGone',
	).length;
	const total = success.length + failure.length;
	const sentence =
		failure.length === 0
			? `All ${total} ${provider.noun} handled: ${counts}.`
			: `${failure.length} of ${total} ${provider.noun} were NOT deleted (${counts}); ${gone} are gone. Each outcome below gives the ID, its status and the reason.`;
	const summary: IDataObject = {
		summary: sentence,
		provider: provider.id,
		total,
		succeeded: success.length,
		failed: failure.length,
		byStatus,
		...(omitted > 0 ? { outcomesOmitted: omitted } : {}),
	};
	const outcomes = shown.map((item) => ({
		json: outcomeOf(item.json),
		pairedItem: item.pairedItem,
	}));
	return [[{ json: summary, pairedItem: { item: 0 } }, ...outcomes], []];
}

/** What a model needs of one output item: the ID, its status and why. */
function outcomeOf(json: IDataObject): IDataObject {
	const outcome = { ...json };
	for (const key of ['batch', 'attempts', 'splitRequests', 'request']) delete outcome[key];
	return outcome;
}
