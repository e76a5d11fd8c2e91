import {
	NodeApiError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type NodeOperationError,
} from 'n8n-workflow';

import { isToolMode } from './toolMode';

/**
 * A whole-run error (bad options or parameters, a missing or refused credential, too many IDs)
 * as the node's error setting asks:
 * - Stop Workflow (default): thrown, as n8n's own nodes do.
 * - Continue (using error output): one error item per input item, which n8n moves to the error
 *   output together with the input item's own fields (and so the IDs it named).
 * - Continue (regular output): one Failure item per input item, status `error`.
 * Never thrown while continuing: n8n then passes the input items through the FIRST output, which
 * here is Success, and would show IDs as deleted that nobody deleted.
 * As an AI agent's tool (either Continue setting) the model sees only the first output (see
 * toolMode.ts), so the error becomes one summary item there saying nothing was deleted, and why.
 */
export function runError(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	error: NodeOperationError | NodeApiError,
): INodeExecutionData[][] {
	if (!ctx.continueOnFail()) throw error;
	const text = error.description ? `${error.message}. ${error.description}` : error.message;
	const inputs = items.length === 0 ? [0] : items.map((_, i) => i);
	const provider = ctx.getNodeParameter('provider', 0, '') as string;
	const code =
		error instanceof NodeApiError
			? error.httpCode === '401'
				? 'AUTH_FAILED'
				: `HTTP_${error.httpCode ?? 'ERROR'}`
			: 'RUN_ERROR';
	if (isToolMode(ctx)) {
		const summary = `Nothing was deleted: the run failed before any ID could be deleted. ${text}`;
		const json = { summary, provider, total: 0, succeeded: 0, failed: 0, code, error: text };
		return [[{ json, pairedItem: { item: 0 } }], []];
	}
	if (ctx.getNode().onError === 'continueErrorOutput') {
		// Exactly `{error}`: the shape n8n moves from the node's outputs to its error output.
		return [[], inputs.map((item) => ({ json: { error: text }, pairedItem: { item } }))];
	}
	return [
		[],
		inputs.map((item) => ({
			json: { id: null, provider, status: 'error', code, message: text, batch: null, attempts: 0 },
			pairedItem: { item },
		})),
	];
}
