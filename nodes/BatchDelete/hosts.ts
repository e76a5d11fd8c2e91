import type { IDataObject } from 'n8n-workflow';

import type { Provider, Target } from './engine/types';
import type { Scopes } from './scopes';

/** The code of an ID never sent because its item's parameters name a host the credential does not. */
export const HOST_NOT_ALLOWED = 'HOST_NOT_ALLOWED';

/**
 * Hosts come from the credential: each scope's parameters bound to it (`Provider.bindCredential`),
 * in place. Returns the scopes refused, with why; their items are never sent. The transport checks
 * every request again (credentials/auth/guard.ts); this says which item was at fault, before any
 * request of the run is sent.
 */
export function bindScopes<P>(
	provider: Provider<P>,
	scopes: Scopes<P>,
	credentials: IDataObject,
): Map<number, string> {
	const refused = new Map<number, string>();
	if (provider.bindCredential === undefined) return refused;
	scopes.params.forEach((params, scope) => {
		try {
			scopes.params[scope] = provider.bindCredential!(params, credentials);
		} catch (error) {
			refused.set(scope, (error as Error).message);
		}
	});
	return refused;
}

/** The first item whose scope was refused, and why, for the node's error. */
export function firstRefusal(
	scopes: Scopes<unknown>,
	refused: Map<number, string>,
): { itemIndex: number; message: string } {
	const itemIndex = Math.max(
		0,
		scopes.ofItem.findIndex((scope) => refused.has(scope)),
	);
	const reason = refused.get(scopes.ofItem[itemIndex]) ?? [...refused.values()][0];
	return { itemIndex, message: `Item ${itemIndex}: ${reason}` };
}

/** Mark the targets of refused scopes invalid, naming their item: they are never sent. */
export function refuseTargets(targets: Target[], refused: Map<number, string>): void {
	for (const target of targets) {
		const reason = refused.get(target.scope ?? 0);
		if (reason === undefined || target.invalidReason !== undefined) continue;
		target.invalidReason = `Item ${target.items[0]}: ${reason}`;
		target.invalidCode = HOST_NOT_ALLOWED;
	}
}
