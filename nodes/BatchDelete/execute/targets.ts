import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readFilterOnce } from '../byFilter';
import { plannedUnits } from '../collect';
import type { FilterEnd } from '../engine/listing';
import { filterSource } from '../engine/listing';
import type { Unit } from '../engine/plan';
import type { Requester } from '../engine/requester';
import type { TargetSource } from '../engine/run';
import { unitsSource } from '../engine/run';
import type { Provider, ProviderContext } from '../engine/types';
import { bindScopes, firstRefusal, refuseUnits } from '../hosts';
import { MAX_MAX_IDS } from '../settings';
import type { RunCredential } from './credential';
import type { RunFailure, RunPlan } from './resolve';

export type Filter = ReturnType<typeof readFilterOnce>;

/** The targets: the input items' units (By ID) or the filters (By Filter), and the Failure items
 * for input items that name nothing valid. */
export type Targets =
	| { filter: Filter; units?: undefined; problemItems: INodeExecutionData[] }
	| { filter?: undefined; units: Unit[]; problemItems: INodeExecutionData[] };

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
	// Only the units live on while the run sends (see plannedUnits).
	const { units, problems } = plannedUnits(ctx, provider, items, scopes, settings.dedupe);
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
	if (units.length > settings.maxIds) {
		const count = (n: number) => n.toLocaleString('en-US');
		return new NodeOperationError(
			node,
			`The input names ${count(units.length)} IDs, more than Max IDs per Run (${count(settings.maxIds)})`,
			{
				itemIndex: 0,
				description: `Nothing was sent. Split the input into smaller runs (for example with Loop Over Items), or raise "Max IDs per Run" in Options (at most ${count(MAX_MAX_IDS)}).`,
			},
		);
	}
	return { units, problemItems };
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
		refuseUnits(targets.units!, refused);
	}
	const contexts = scopes.params.map((params) => ({
		params,
		credentialType: credential.type.name,
		credentials: credential.credentials,
	}));
	const { units, filter } = targets;
	if (units !== undefined && provider.scopeProblem !== undefined) {
		const why = contexts.map((scope) => provider.scopeProblem!(scope));
		for (const unit of units) {
			const problem = why[unit.scope ?? 0];
			if (problem === undefined || unit.invalidReason !== undefined) continue;
			unit.invalidReason = problem;
			unit.invalidCode = 'CREDENTIAL_SCOPE';
		}
	}
	const source: RunSource['source'] =
		units !== undefined ? () => unitsSource(units) : listSource(provider, contexts[0], filter);
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
