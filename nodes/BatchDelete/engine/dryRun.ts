import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { pairedItemOf } from './outputs';
import type { Unit } from './plan';
import { chunkByScope } from './plan';
import type { Contexts } from './run';
import { contextOf } from './run';
import type { Provider } from './types';

/**
 * What a run would send, without sending it: valid IDs on Success as `dryRun` with their batch
 * and request line; the first ID of each batch also carries that request's query and body, so a
 * cleanup can be checked before it is armed without repeating a 100-ID body on every item.
 * Batches follow the run's: never mixing scopes, so each scope's requests show on their own.
 */
export function dryRunOutputs<P>(
	provider: Provider<P>,
	contexts: Contexts<P>,
	units: Unit[],
	batchSize: number,
	scopeFields: IDataObject[] = [],
): INodeExecutionData[] {
	const out: INodeExecutionData[] = [];
	const chunks = chunkByScope(units.filter((u) => u.invalidReason === undefined), batchSize);
	chunks.forEach((chunk, index) => {
		let request: IDataObject;
		try {
			const built = provider.buildRequest(chunk, contextOf(contexts, chunk[0]));
			request = { method: built.method ?? 'GET', url: built.url };
			if (built.qs !== undefined) request.qs = built.qs as IDataObject;
			if (built.body !== undefined) request.body = built.body as IDataObject;
		} catch (error) {
			request = { error: (error as Error).message };
		}
		const line: IDataObject = { method: request.method ?? null, url: request.url ?? null, ids: chunk.length };
		chunk.forEach((unit, position) => {
			out.push({
				json: {
					...unit.fields,
					...scopeFields[unit.scope ?? 0],
					id: unit.id,
					provider: provider.id,
					status: 'dryRun',
					batch: index + 1,
					request: position === 0 ? { ...line, ...request } : line,
				},
				pairedItem: pairedItemOf(unit.items),
			});
		});
	});
	return out;
}
