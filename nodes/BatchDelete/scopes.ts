import type { IExecuteFunctions } from 'n8n-workflow';

import type { Provider } from './engine/types';

/**
 * Provider parameters per item. Any node parameter may be an expression that gives each item its
 * own value (SOLAPI's Group ID from `{{ $json.groupId }}`), so a target is (parameters, ID): items
 * whose parameters resolve alike share a scope, and a request never mixes scopes. A parameter
 * without an expression is read once, as the ID field is (per-item reads dominate on large inputs).
 */
export interface Scopes<P> {
	/** Distinct parameter sets, in first-seen order. */
	params: P[];
	/** Index into `params` for each item; -1 where the item's parameters could not be read. */
	ofItem: Int32Array;
	/** Why an item's parameters could not be read, naming the item and the parameter. */
	problems: Map<number, string>;
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** Whether any of these node parameters is an expression, so may differ per item. */
export function anyExpression(ctx: IExecuteFunctions, names: string[]): boolean {
	const parameters = ctx.getNode().parameters;
	return names.some((name) => isExpression(parameters[name]));
}

/** Names of a provider's own parameters (those that feed `readParameters`). */
export function parameterNames(provider: Provider<unknown>): string[] {
	return provider.properties.map((p) => p.name);
}

/**
 * Read the provider's parameters for every item (once when none is an expression). A failure for
 * the first item when no parameter is an expression is a node configuration error, and throws.
 */
export function readScopes<P>(
	ctx: IExecuteFunctions,
	provider: Provider<P>,
	itemCount: number,
): Scopes<P> {
	const read = (name: string, i: number, fallback?: unknown) =>
		ctx.getNodeParameter(name, i, fallback);
	const ofItem = new Int32Array(itemCount);
	const problems = new Map<number, string>();
	if (!anyExpression(ctx, parameterNames(provider as Provider<unknown>))) {
		return { params: [provider.readParameters(read, 0)], ofItem, problems };
	}
	const params: P[] = [];
	const index = new Map<string, number>();
	for (let i = 0; i < itemCount; i++) {
		let p: P;
		try {
			p = provider.readParameters(read, i);
		} catch (error) {
			problems.set(i, `Item ${i}: ${(error as Error).message}`);
			ofItem[i] = -1;
			continue;
		}
		const key = JSON.stringify(p);
		let at = index.get(key);
		if (at === undefined) {
			at = params.length;
			index.set(key, at);
			params.push(p);
		}
		ofItem[i] = at;
	}
	return { params, ofItem, problems };
}
