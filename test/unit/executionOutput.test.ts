import { parseExecutionOutput } from '../../scripts/n8n-host';

/**
 * `n8n execute --rawOutput` prints the run as one pretty-printed JSON block among log lines; on
 * large runs the block can end short while n8n exits 0. Such output must not pass for an
 * execution (executeWorkflow then reads the stored one, or fails).
 */
const run = {
	data: {
		resultData: {
			runData: { 'Batch Delete': [{ data: { main: [[{ json: { id: 'a' } }], []] } }] },
		},
	},
	status: 'success',
};
const printed = [
	'Task broker ready on 127.0.0.1:5679',
	JSON.stringify(run, null, 2),
	'License SDK: shutting down',
].join('\n');

describe('parseExecutionOutput', () => {
	it('takes the execution block from between log lines', () => {
		expect(parseExecutionOutput(printed)).toEqual(run);
	});

	it('finds nothing in output cut short, at any point inside the block', () => {
		const start = printed.indexOf('\n{') + 1;
		const end = printed.lastIndexOf('\n}') + 2;
		for (let cut = start; cut < end; cut += 7)
			expect(parseExecutionOutput(printed.slice(0, cut))).toBeNull();
	});

	it('ignores JSON blocks that are not executions', () => {
		expect(parseExecutionOutput('{\n  "level": "info"\n}')).toBeNull();
	});
});
