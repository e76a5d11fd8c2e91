import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readFilterOnce } from '../byFilter';
import { plannedTargets } from '../collect';
import type { FilterEnd } from '../engine/listing';
import { filterSource } from '../engine/listing';
import type { Requester } from '../engine/requester';
import type { TargetSource } from '../engine/run';
import { targetsSource } from '../engine/run';
import type { Provider, ProviderContext, Target } from '../engine/types';
import { bindScopes, firstRefusal, refuseTargets } from '../hosts';
import { MAX_MAX_IDS } from '../settings';
import type { RunCredential } from './credential';
import type { RunFailure, RunPlan } from './resolve';

type Filter = ReturnType<typeof readFilterOnce>;

/** The targets: those the input items name (By ID) or the filters (By Filter), and the Failure items
 * for input items that name nothing valid. */
export type Targets =
	| { filter: Filter; list?: undefined; problemItems: INodeExecutionData[] }
	| { filter?: undefined; list: Target[]; problemItems: INodeExecutionData[] };

export function readTargets(
	ctx: IExecuteFunctions,
	{ provider, settings, scopes, byFilter }: RunPlan,
	items: INodeExecutionData[],
): Targets | RunFailure {
	const node = ctx.getNode();
	if (byFilter) {
		try {
			return { filter: readFilterOnce(ctx, provider, scopes), problemItems: [] };
		} catch (error) {
			return error as NodeOperationError;
		}
	}
	for (const [itemIndex, message] of scopes.problems) {
		if (!ctx.continueOnFail()) throw new NodeOperationError(node, message, { itemIndex });
	}
	// Only the targets live on while the run sends (see plannedTargets).
	const { targets: list, problems } = plannedTargets(ctx, provider, items, scopes, settings.dedupe);
	const problemItems: INodeExecutionData[] = [];
	for (const { itemIndex, code, message } of problems) {
		if (!ctx.continueOnFail()) throw new NodeOperationError(node, message, { itemIndex });
		problemItems.push({
			json: {
				id: null,
				provider: provider.id,
				status: 'invalid',
				code,
				message,
				batch: null,
				attempts: 0,
			},
			pairedItem: { item: itemIndex },
		});
	}
	if (list.length > settings.maxIds) {
		const count = (n: number) => n.toLocaleString('en-US');
		return new NodeOperationError(
			node,
			`The input names ${count(list.length)} IDs, more than Max IDs per Run (${count(settings.maxIds)})`,
			{
				itemIndex: 0,
				description: `Nothing was sent. Split the input into smaller runs (for example with Loop Over Items), or raise "Max IDs per Run" in Options (at most ${count(MAX_MAX_IDS)}).`,
			},
		);
	}
	return { list, problemItems };
}

export interface RunSource {
	contexts: ProviderContext<unknown>[];
	source: (requester: Requester) => TargetSource<FilterEnd | void>;
}

/**
 * What the engine reads the targets from, once the credential is known: hosts come from the
 * credential, so items whose parameters name another are not sent, and scopes this credential
 * cannot reach fail before sending; the others run.
 */
export function sourceOfTargets(
	ctx: IExecuteFunctions,
	{ provider, scopes, byFilter }: RunPlan,
	targets: Targets,
	credential: RunCredential,
): RunSource | RunFailure {
	const refused = bindScopes(provider, scopes, credential.credentials);
	if (refused.size > 0) {
		const { itemIndex, message } = firstRefusal(scopes, refused);
		const error = new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: 'Nothing was sent for this item.',
		});
		if (byFilter) return error;
		if (!ctx.continueOnFail()) throw error;
		refuseTargets(targets.list!, refused);
	}
	const contexts = scopes.params.map((params) => ({
		params,
		credentialType: credential.type.name,
		credentials: credential.credentials,
	}));
	const { list, filter } = targets;
	if (list !== undefined && provider.scopeProblem !== undefined) {
		const why = contexts.map((scope) => provider.scopeProblem!(scope));
		for (const target of list) {
			const problem = why[target.scope ?? 0];
			if (problem === undefined || target.invalidReason !== undefined) continue;
			target.invalidReason = problem;
			target.invalidCode = 'CREDENTIAL_SCOPE';
		}
	}
	const source: RunSource['source'] =
		list !== undefined ? () => targetsSource(list) : listSource(provider, contexts[0], filter);
	return { contexts, source };
}

/** By Filter's source: the provider's list, filtered, from now back to Older Than. */
function listSource<P>(provider: Provider<P>, ctx: ProviderContext<P>, filter: Filter) {
	const { olderThanMs, limit } = filter.chosen;
	const startedAt = new Date();
	const olderThan = olderThanMs > 0 ? new Date(startedAt.getTime() - olderThanMs) : undefined;
	return filterSource(provider, provider.list!, ctx, filter.filters, {
		limit,
		startedAt,
		...(olderThan ? { olderThan } : {}),
	});
}
