import type { IExecuteFunctions } from 'n8n-workflow';

import type { RunReport } from './engine/run';

/** Tell the user, once per run, when answers changed how the run sent its requests. */
export function shapeHints(ctx: IExecuteFunctions, report: RunReport<unknown>): void {
	if (typeof ctx.addExecutionHints !== 'function') return;
	if (report.fallback !== undefined) {
		ctx.addExecutionHints({
			message: `${report.fallback.notice} (${report.fallback.code})`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (report.loweredBatchSize !== undefined) {
		ctx.addExecutionHints({
			message: `The provider refused batches as too large, so this run sent at most ${report.loweredBatchSize} IDs per request: lower Batch Size to match`,
			type: 'info',
			location: 'outputPane',
		});
	}
}
