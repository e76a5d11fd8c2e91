import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { filterHints, isByFilter, readFilterOnce, stopItem } from './byFilter';
import { shapeHints } from './hints';
import { plannedTargets } from './collect';
import { credentialsDescription, nodeProperties } from './description';
import { executionClock } from './engine/clock';
import type { FilterEnd, ListingStop } from './engine/listing';
import { filterSource } from './engine/listing';
import { OutputBuilder } from './engine/outputs';
import type { Requester } from './engine/requester';
import type { RunStop, TargetSource } from './engine/run';
import { runPipeline, targetsSource } from './engine/run';
import { redact, secretsOf } from './engine/secrets';
import { createTransport } from './engine/transport';
import type { Provider, ProviderContext, Target } from './engine/types';
import { PROVIDERS, providerById } from './providers';
import { bindScopes, firstRefusal, refuseTargets } from './hosts';
import { runError } from './runError';
import type { Scopes } from './scopes';
import { readScopes } from './scopes';
import type { NodeSettings } from './settings';
import { MAX_MAX_IDS, readOptionsOnce, readSettings } from './settings';
import { progressLogger } from './progress';
import { isToolMode, shapeForTool } from './toolMode';

export class BatchDelete implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Batch Delete',
		name: 'batchDelete',
		icon: { light: 'file:batchDelete.svg', dark: 'file:batchDelete.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle(),
		// Also the tool description an AI agent reads (n8n's default for tools): what it deletes,
		// what an ID is, and how failures come back (see toolMode.ts).
		description: nodeDescription(),
		defaults: { name: 'Batch Delete' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Success and Failure; a dry run adds Preview (see outputsFor).
		outputs: `={{(${outputsFor})($parameter)}}`,
		credentials: credentialsDescription(),
		properties: nodeProperties(),
	};

	/**
	 * One pipeline: resolve the provider, options, per-item parameters and credential once; take
	 * the targets from the input items (By ID) or from the provider's list (By Filter); run them
	 * through the engine; map the results to Success and Failure, and a run stop to the node error.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const node = this.getNode();
		const fail = (error: NodeOperationError | NodeApiError) => runError(this, items, error);

		// 1. What to run: provider, options, the provider's parameters per item.
		const providerId = this.getNodeParameter('provider', 0) as string;
		const provider = providerById(providerId);
		if (provider === undefined)
			return fail(
				new NodeOperationError(node, `Unknown provider "${providerId}"`, { itemIndex: 0 }),
			);
		let settings: NodeSettings;
		let scopes: Scopes<unknown>;
		try {
			settings = readSettings(provider, readOptionsOnce(this, items.length));
			scopes = readScopes(this, provider, items.length);
		} catch (error) {
			return fail(new NodeOperationError(node, (error as Error).message, { itemIndex: 0 }));
		}
		const byFilter = isByFilter(this, provider);

		// 2. The targets: the input items' (By ID) or the filters (By Filter), and what input
		// items name nothing.
		let filter: ReturnType<typeof readFilterOnce> | undefined;
		let targets: Target[] | undefined;
		const problemItems: INodeExecutionData[] = [];
		if (byFilter) {
			try {
				filter = readFilterOnce(this, provider, scopes);
			} catch (error) {
				return fail(error as NodeOperationError);
			}
		} else {
			for (const [itemIndex, message] of scopes.problems) {
				if (!this.continueOnFail()) throw new NodeOperationError(node, message, { itemIndex });
			}
			// Only the targets live on while the run sends (see plannedTargets).
			const planned = plannedTargets(this, provider, items, scopes, settings.dedupe);
			targets = planned.targets;
			const problems = planned.problems;
			for (const problem of problems) {
				if (!this.continueOnFail())
					throw new NodeOperationError(node, problem.message, { itemIndex: problem.itemIndex });
				problemItems.push({
					json: {
						id: null,
						provider: provider.id,
						status: 'invalid',
						code: problem.code,
						message: problem.message,
						batch: null,
						attempts: 0,
					},
					pairedItem: { item: problem.itemIndex },
				});
			}
			if (targets.length > settings.maxIds) {
				const count = (n: number) => n.toLocaleString('en-US');
				return fail(
					new NodeOperationError(
						node,
						`The input names ${count(targets.length)} IDs, more than Max IDs per Run (${count(settings.maxIds)})`,
						{
							itemIndex: 0,
							description: `Nothing was sent. Split the input into smaller runs (for example with Loop Over Items), or raise "Max IDs per Run" in Options (at most ${count(MAX_MAX_IDS)}).`,
						},
					),
				);
			}
		}

		// 3. The credential, once. By ID's dry run needs none; By Filter lists even in a dry run.
		const credentialType = chooseCredential(this, provider);
		let credentials: IDataObject = {};
		try {
			credentials = (await this.getCredentials(credentialType.name)) as IDataObject;
		} catch (error) {
			if (byFilter || !settings.dryRun) {
				const auth =
					provider.authParameter === undefined
						? ''
						: ` (Authentication: ${credentialType.displayName})`;
				const nothing = byFilter
					? 'Nothing was listed or deleted (By Filter lists through the provider even in a dry run).'
					: 'Nothing was sent.';
				return fail(
					new NodeOperationError(
						node,
						`${provider.displayName} needs a credential of type "${credentialType.displayName}": ${(error as Error).message}`,
						{
							itemIndex: 0,
							description: `${nothing} Select or create a credential of that type under "Credential to connect with"${auth}, or change Authentication to match the credential you have.`,
						},
					),
				);
			}
		}
		// 3b. Hosts come from the credential: items whose parameters name another are not sent.
		const refused = bindScopes(provider, scopes, credentials);
		if (refused.size > 0) {
			const { itemIndex, message } = firstRefusal(scopes, refused);
			const error = new NodeOperationError(node, message, {
				itemIndex,
				description: 'Nothing was sent for this item.',
			});
			if (byFilter) return fail(error);
			if (!this.continueOnFail()) throw error;
			refuseTargets(targets!, refused);
		}
		const contexts = scopes.params.map((params) => ({
			params,
			credentialType: credentialType.name,
			credentials,
		}));
		// Scopes this credential cannot reach fail before sending; the others run.
		if (targets !== undefined && provider.scopeProblem !== undefined) {
			const why = contexts.map((ctx) => provider.scopeProblem!(ctx));
			for (const target of targets) {
				const problem = why[target.scope ?? 0];
				if (problem === undefined || target.invalidReason !== undefined) continue;
				target.invalidReason = problem;
				target.invalidCode = 'CREDENTIAL_SCOPE';
			}
		}
		const source: (requester: Requester) => TargetSource<FilterEnd | void> =
			targets !== undefined
				? () => targetsSource(targets)
				: listSource(provider, contexts[0], filter!);
		// The transport adds every token n8n fetches during the run to this list (see createTransport).
		const secrets = secretsOf(credentials);

		// 4. Run: results go straight to the outputs, batch by batch.
		const outputs = new OutputBuilder(
			provider.id,
			settings.output,
			secrets,
			provider.scopeFields === undefined
				? []
				: scopes.params.map((params) => provider.scopeFields!(params)),
		);
		for (const item of problemItems) outputs.addProblem(item);
		const signal = this.getExecutionCancelSignal();
		const started = Date.now();
		const report = await runPipeline(
			provider,
			contexts,
			source,
			settings,
			createTransport(this, credentialType.name, {
				timeoutMs: settings.timeoutMs,
				tokenProperty: credentialType.tokenProperty,
				oAuth2: credentialType.oAuth2,
				secrets,
			}),
			executionClock(signal),
			() => signal?.aborted === true,
			{
				sink: (targets, results) => outputs.add(targets, results),
				progress: progressLogger(this, provider.noun, provider.displayName, () => targets?.length),
			},
		);

		// 5. The outputs. Bad credentials, a wrong endpoint or a list that cannot be read before
		// anything happened fail the node as n8n's own nodes do; once anything may have been
		// deleted, the node reports instead, so the record of what was deleted is never lost.
		const end = report.end ?? undefined;
		const stop = end?.stop ?? report.stop;
		if (
			stop !== undefined &&
			(stop.reason === 'auth' || stop.reason === 'config' || stop.reason === 'list') &&
			!report.anyApplied
		) {
			// Continue (regular output) keeps the per-ID report below.
			if (!this.continueOnFail() || node.onError === 'continueErrorOutput')
				return fail(stopError(this, provider, stop, secrets));
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
			durationMs: Date.now() - started,
			...(stop === undefined ? {} : { stop }),
			...(listing === undefined ? {} : { listing }),
		});
		if (end !== undefined) {
			if (end.stop !== undefined) failure.push(stopItem(provider, end.stop, end, secrets));
			filterHints(this, provider, end, filter!.chosen);
		} else {
			notFoundHint(this, provider, outputs.byStatus);
		}
		shapeHints(this, report);
		// A dry run's items go to Preview, an output that exists only in a dry run: Success stays
		// empty, so a branch that records deletions never runs on a preview. (An agent's tool has
		// one output; the items say dryRun there.)
		if (settings.dryRun && !isToolMode(this)) return [[], failure, success];
		return shapeForTool(this, provider, [success, failure], settings.output);
	}
}

/** By Filter's source: the provider's list, filtered, from now back to Older Than. */
function listSource<P>(
	provider: Provider<P>,
	ctx: ProviderContext<P>,
	filter: ReturnType<typeof readFilterOnce>,
) {
	const { olderThanMs, limit } = filter.chosen;
	const startedAt = new Date();
	const olderThan = olderThanMs > 0 ? new Date(startedAt.getTime() - olderThanMs) : undefined;
	return filterSource(provider, provider.list!, ctx, filter.filters, {
		limit,
		startedAt,
		...(olderThan ? { olderThan } : {}),
	});
}

/**
 * Every ID sent came back not found: most likely the ID field holds something else (a WeChat
 * msg_data_id, an Avaya space ID), so the run deleted nothing although Success may be full.
 */
export function notFoundHint(
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

/**
 * The node's outputs, evaluated by n8n over the parameters (as its Switch node does): Success and
 * Failure, plus Preview while Options → Dry Run is on. Connections stay on their index, so Success
 * and Failure keep theirs when Dry Run is switched. Self-contained, as an arrow function like the Switch node's: n8n runs its source.
 */
const outputsFor = (parameters: { options?: { dryRun?: boolean } }) => {
	const main = (displayName: string) => ({ type: 'main', displayName });
	const outputs = [main('Success'), main('Failure')];
	if (parameters.options?.dryRun === true) outputs.push(main('Preview'));
	return outputs;
};

/** "Huawei Cloud SMS templates", not "Huawei Cloud SMS SMS templates". */
function whatItDeletes(p: Provider<unknown>): string {
	const [first, ...rest] = p.noun.split(' ');
	return p.displayName.endsWith(` ${first}`) && rest.length > 0
		? `${p.displayName} ${rest.join(' ')}`
		: `${p.displayName} ${p.noun}`;
}

/** What the node creator shows: every provider and what it deletes, from the registry. */
function nodeDescription(): string {
	const what = PROVIDERS.map(whatItDeletes).sort((a, b) => a.localeCompare(b));
	const list = `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}`;
	return `Delete ${list} in batches. IDs are the ones the provider assigned; each comes back deleted, already gone, or not deleted with a reason.`;
}

/** The canvas line under the name, short enough not to be cut: the provider's brand ("WeChat",
 * "Huawei"), then By Filter and Dry Run when they are on, since both change what a run does. */
function subtitle(): string {
	const brand = Object.fromEntries(PROVIDERS.map((p) => [p.id, p.displayName.split(' ')[0]]));
	return `={{ [${JSON.stringify(brand)}[$parameter["provider"]], $parameter["select"] === "byFilter" ? "By Filter" : "", ($parameter["options"] || {}).dryRun ? "Dry Run" : ""].filter(Boolean).join(" · ") }}`;
}

function chooseCredential(ctx: IExecuteFunctions, provider: Provider<unknown>) {
	if (provider.authParameter === undefined) return provider.credentials[0];
	const value = ctx.getNodeParameter(provider.authParameter, 0) as string;
	return provider.credentials.find((c) => c.value === value) ?? provider.credentials[0];
}
