import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runError } from '../../nodes/BatchDelete/runError';

import { isToolMode, shapeForTool } from '../../nodes/BatchDelete/toolMode';

/** The cap docs/outputs.md states for what a tool answers the model. */
const TOOL_MAX_OUTCOMES = 100;
import { PROVIDERS } from '../../nodes/BatchDelete/providers';

const provider = PROVIDERS[0];
const ctx = (type: string, isToolExecution?: () => boolean) =>
	({
		getNode: () => ({ type }),
		...(isToolExecution ? { isToolExecution } : {}),
	}) as unknown as IExecuteFunctions;
const item = (id: string, status: string, item: number): INodeExecutionData => ({
	json: {
		id,
		provider: provider.id,
		status,
		batch: 1,
		attempts: 1,
		...(status === 'deleted' ? {} : { code: status.toUpperCase(), message: `why ${id}` }),
	},
	pairedItem: { item },
});

describe('tool mode', () => {
	it('is detected by the Tool type name (both lines) or isToolExecution (2.x)', () => {
		expect(isToolMode(ctx('n8n-nodes-batch-delete.batchDeleteTool'))).toBe(true);
		expect(isToolMode(ctx('n8n-nodes-batch-delete.batchDelete'))).toBe(false);
		expect(isToolMode(ctx('n8n-nodes-batch-delete.batchDelete', () => true))).toBe(true);
	});

	it('leaves workflow runs untouched', () => {
		const outputs = [[item('a', 'deleted', 0)], [item('b', 'forbidden', 0)]];
		expect(shapeForTool(ctx('x.batchDelete'), provider, outputs)).toBe(outputs);
	});

	it('puts a summary and every outcome, failures first, on the first output', () => {
		const [first, second] = shapeForTool(ctx('x.batchDeleteTool'), provider, [
			[item('a', 'deleted', 0)],
			[item('b', 'forbidden', 1), item('c', 'notFound', 2)],
		]);
		expect(second).toEqual([]);
		expect(first[0].json).toMatchObject({
			total: 3,
			succeeded: 1,
			failed: 2,
			byStatus: { deleted: 1, forbidden: 1, notFound: 1 },
		});
		expect(String(first[0].json.summary)).toMatch(/^2 of 3 messages were NOT deleted/);
		expect(first.slice(1).map((i) => [i.json.id, i.json.status, i.json.message ?? null])).toEqual([
			['b', 'forbidden', 'why b'],
			['c', 'notFound', 'why c'],
			['a', 'deleted', null],
		]);
		expect(first[1].json.batch).toBeUndefined();
		expect(first[1].pairedItem).toEqual({ item: 1 });
	});

	it(`caps the outcomes at ${TOOL_MAX_OUTCOMES}, failures first, and counts the rest`, () => {
		const success = Array.from({ length: 150 }, (_, i) => item(`s${i}`, 'deleted', i));
		const failure = Array.from({ length: 30 }, (_, i) => item(`f${i}`, 'rejected', i));
		const [first] = shapeForTool(ctx('x.batchDeleteTool'), provider, [success, failure]);
		expect(first).toHaveLength(1 + TOOL_MAX_OUTCOMES);
		expect(first.slice(1, 31).every((i) => i.json.status === 'rejected')).toBe(true);
		expect(first[0].json).toMatchObject({ total: 180, failed: 30, outcomesOmitted: 80 });
	});
});

describe('a whole-run error in tool mode', () => {
	const toolCtx = (onError: string) =>
		({
			getNode: () => ({ type: 'x.batchDeleteTool', onError }),
			continueOnFail: () => true,
			getNodeParameter: () => provider.id,
		}) as unknown as IExecuteFunctions;
	const error = new NodeOperationError({} as INode, 'Max IDs per Run exceeded', {
		description: 'Nothing was sent.',
	});

	it.each(['continueRegularOutput', 'continueErrorOutput'])(
		'reaches the model on the first output as a summary saying nothing was deleted, and why (%s)',
		(onError) => {
			const items = [{ json: { id: 'a' } }, { json: { id: 'b' } }];
			const [first, second] = runError(toolCtx(onError), items, error);
			expect(second).toEqual([]);
			expect(first).toHaveLength(1);
			expect(first[0].json).toMatchObject({ provider: provider.id, succeeded: 0, total: 0 });
			expect(String(first[0].json.summary)).toMatch(
				/^Nothing was deleted.*Max IDs per Run exceeded\. Nothing was sent\.$/,
			);
		},
	);
});
