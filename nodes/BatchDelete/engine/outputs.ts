import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { Unit } from './plan';
import type { UnitResult } from './run';
import { GONE } from './run';
import { redact } from './secrets';

export function pairedItemOf(items: number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

/**
 * The one mapper from results to n8n items, By ID and By Filter alike.
 * One output item per unit: Success for what the provider confirmed gone (or, in a dry run, what
 * would be sent), Failure for the rest,
 * each paired with every input item that named the ID. Messages pass through `redact` once more
 * so nothing a provider echoes of a credential reaches the output. `scopeFields` (by scope) name
 * the parameters the ID was deleted with (`groupId`), so downstream nodes can tell scopes apart.
 */
export function buildOutputs(
	providerId: string,
	units: Unit[],
	results: UnitResult[],
	secrets: string[],
	scopeFields: IDataObject[] = [],
): [INodeExecutionData[], INodeExecutionData[]] {
	const success: INodeExecutionData[] = [];
	const failure: INodeExecutionData[] = [];
	units.forEach((unit, i) => {
		const result = results[i];
		// Carried fields first: they can never overwrite the ID or its status.
		const json: IDataObject = { ...unit.fields, ...scopeFields[unit.scope ?? 0], id: unit.id, provider: providerId, status: result.status };
		if (result.status === 'dryRun') {
			// What a run would send: the batch and its request line (see DeleteEngine.dryRun).
			json.batch = result.batch;
			json.request = result.request ?? null;
			success.push({ json, pairedItem: pairedItemOf(unit.items) });
		} else if (GONE.has(result.status)) {
			json.batch = result.batch;
			json.attempts = result.attempts;
			if (result.splitRequests !== undefined) json.splitRequests = result.splitRequests;
			success.push({ json, pairedItem: pairedItemOf(unit.items) });
		} else {
			json.code = result.code ?? null;
			json.message = result.message === undefined ? null : redact(result.message, secrets);
			json.batch = result.batch;
			json.attempts = result.attempts;
			if (result.splitRequests !== undefined) json.splitRequests = result.splitRequests;
			failure.push({ json, pairedItem: pairedItemOf(unit.items) });
		}
	});
	return [success, failure];
}
