import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { assertInvariant } from './invariant';
import type { BatchDeleteRun } from './runBatchDelete';

/** Retries without waiting and no rate limit: the mock tiers' options unless a test says otherwise. */
export const FAST = { retryDelay: 5, requestsPerSecond: 0 };

/** The node's parameters: the provider's `fixed` ones and the `id` field, then `extra`, and FAST
 * under `options`. */
export const parametersOf = (
	fixed: IDataObject,
	extra: IDataObject = {},
	options: IDataObject = {},
): INodeParameters => ({ ...fixed, idField: 'id', ...extra, options: { ...FAST, ...options } });

/** The invariant check for runs against one mock: `removedByRun` (its record of what a run deleted)
 * and `isGone` (it no longer holds the ID). */
export const invariantOn =
	(removedByRun: (id: string) => boolean, isGone: (id: string) => boolean) =>
	(result: Pick<BatchDeleteRun, 'success' | 'failure'>, idsByItem: string[][]): void =>
		assertInvariant({
			idsByItem,
			success: result.success,
			failure: result.failure,
			removedByRun,
			isGone,
		});
