import type { IExecuteFunctions, NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isByFilter } from '../byFilter';
import type { Provider } from '../engine/types';
import { providerById } from '../providers';
import type { Scopes } from '../scopes';
import { readScopes } from '../scopes';
import type { NodeSettings } from '../settings';
import { readOptionsOnce, readSettings } from '../settings';

/** A whole-run error a step returns: `execute` hands it to runError, which throws it or reports
 * it per input item as the node's error setting asks. */
export type RunFailure = NodeOperationError | NodeApiError;

/** Steps return plain objects or arrays otherwise, never an Error. */
export const isFailure = (value: unknown): value is RunFailure => value instanceof Error;

/** What to run, read once: the provider, its options, its parameters per item. */
export interface RunPlan {
	provider: Provider<unknown>;
	settings: NodeSettings;
	scopes: Scopes<unknown>;
	byFilter: boolean;
}

export function resolveRun(ctx: IExecuteFunctions, itemCount: number): RunPlan | RunFailure {
	const node = ctx.getNode();
	const providerId = ctx.getNodeParameter('provider', 0) as string;
	const provider = providerById(providerId);
	if (provider === undefined)
		return new NodeOperationError(node, `Unknown provider "${providerId}"`, { itemIndex: 0 });
	let settings: NodeSettings;
	let scopes: Scopes<unknown>;
	try {
		settings = readSettings(provider, readOptionsOnce(ctx, itemCount));
		scopes = readScopes(ctx, provider, itemCount);
	} catch (error) {
		return new NodeOperationError(node, (error as Error).message, { itemIndex: 0 });
	}
	return { provider, settings, scopes, byFilter: isByFilter(ctx, provider) };
}
