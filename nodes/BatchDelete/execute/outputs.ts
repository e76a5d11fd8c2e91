import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { filterHints, stopItem } from '../byFilter';
import type { ListingStop } from '../engine/listing';
import type { OutputBuilder } from '../engine/outputs';
import type { RunStop } from '../engine/run';
import { redact } from '../engine/secrets';
import type { Provider } from '../engine/types';
import { shapeHints } from '../hints';
import { isToolMode, shapeForTool } from '../toolMode';
import type { RunCredential } from './credential';
import type { RunFailure, RunPlan } from './resolve';
import type { Ran } from './run';
import type { Targets } from './targets';

/**
 * The outputs. Bad credentials, a wrong endpoint or a list that cannot be read before anything
 * happened fail the node as n8n's own nodes do; once anything may have been deleted, the node
 * reports instead, so the record of what was deleted is never lost.
 */
export function emitOutputs(
	ctx: IExecuteFunctions,
	{ provider, settings }: RunPlan,
	{ filter }: Targets,
	{ secrets }: RunCredential,
	{ report, outputs, durationMs }: Ran,
): INodeExecutionData[][] | RunFailure {
	const end = report.end ?? undefined;
	const stop = end?.stop ?? report.stop;
	if (
		stop !== undefined &&
		(stop.reason === 'auth' || stop.reason === 'config' || stop.reason === 'list') &&
		!report.anyApplied
	) {
		// Continue (regular output) keeps the per-ID report below.
		if (!ctx.continueOnFail() || ctx.getNode().onError === 'continueErrorOutput')
			return stopError(ctx, provider, stop, secrets);
	}
	const listing =
		end === undefined
			? undefined
			: {
					pages: end.pages,
					listed: end.listed,
					matched: end.matched,
					limitReached: end.limitReached,
					listRequests: report.listRequests,
				};
	const [success, failure] = outputs.finish(whatItDeletes(provider), {
		requests: report.requests,
		splitRequests: report.splitRequests,
		batches: report.batchCount,
		durationMs,
		...(stop === undefined ? {} : { stop }),
		...(listing === undefined ? {} : { listing }),
	});
	if (end !== undefined) {
		if (end.stop !== undefined) failure.push(stopItem(provider, end.stop, end, secrets));
		filterHints(ctx, provider, end, filter!.chosen);
	} else {
		notFoundHint(ctx, provider, outputs.byStatus);
	}
	shapeHints(ctx, report);
	// A dry run's items go to Preview, an output that exists only in a dry run: Success stays
	// empty, so a branch that records deletions never runs on a preview. (An agent's tool has
	// one output; the items say dryRun there.)
	if (settings.dryRun && !isToolMode(ctx)) return [[], failure, success];
	return shapeForTool(ctx, provider, [success, failure], settings.output);
}

/** "Huawei Cloud SMS templates", not "Huawei Cloud SMS SMS templates". */
export function whatItDeletes(p: Provider<unknown>): string {
	const [first, ...rest] = p.noun.split(' ');
	return p.displayName.endsWith(` ${first}`) && rest.length > 0
		? `${p.displayName} ${rest.join(' ')}`
		: `${p.displayName} ${p.noun}`;
}

/**
 * Every ID sent came back not found: most likely the ID field holds something else (a WeChat
 * msg_data_id, an Avaya space ID), so the run deleted nothing although Success may be full.
 */
function notFoundHint(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	byStatus: OutputBuilder['byStatus'],
): void {
	const missing = (byStatus.notFound ?? 0) + (byStatus.alreadyGone ?? 0);
	const sent = Object.entries(byStatus)
		.filter(([status]) => status !== 'invalid')
		.reduce((sum, [, n]) => sum + (n ?? 0), 0);
	if (missing === 0 || missing !== sent || typeof ctx.addExecutionHints !== 'function') return;
	ctx.addExecutionHints({
		message: `None of the ${missing.toLocaleString('en-US')} IDs exist at ${provider.displayName}: check that the ID field holds ${provider.idName}`,
		type: 'warning',
		location: 'outputPane',
	});
}

/** The node error for a run stop before anything can have been deleted. */
function stopError(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	stop: RunStop | ListingStop,
	secrets: string[],
): NodeApiError | NodeOperationError {
	const message = redact(stop.message, secrets);
	const nothing = 'Nothing was deleted.';
	if (stop.reason === 'auth') {
		return new NodeApiError(ctx.getNode(), { code: stop.code, message } as JsonObject, {
			message: `${provider.displayName} refused the credentials: ${message}`,
			description: `${nothing} Check the credential, then run again.`,
			httpCode: '401',
			itemIndex: 0,
		});
	}
	if (stop.reason === 'list') {
		const http = /^HTTP_(\d{3})$/.exec(stop.code);
		return new NodeApiError(ctx.getNode(), { code: stop.code, message } as JsonObject, {
			message: `${provider.displayName} could not list what to delete: ${message}`,
			description: `${nothing} The list request failed (${stop.code}) after the retries Options allow.`,
			...(http ? { httpCode: http[1] } : {}),
			itemIndex: 0,
		});
	}
	return new NodeOperationError(ctx.getNode(), message, { itemIndex: 0, description: nothing });
}
