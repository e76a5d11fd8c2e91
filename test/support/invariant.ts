import type { INodeExecutionData, IPairedItemData } from 'n8n-workflow';

export interface InvariantInput {
	/** For each input item, the IDs it named (in order). */
	idsByItem: string[][];
	success: INodeExecutionData[];
	failure: INodeExecutionData[];
	/** Whether this run really removed the ID on the provider (the mock's record). */
	removedByRun: (id: string) => boolean;
	/** Whether the ID is absent on the provider now. */
	isGone: (id: string) => boolean;
	/** IDs that were sent once per occurrence (dedupe off); default: deduplicated. */
	dedupe?: boolean;
	/** What identifies a target in an output item, when the ID alone does not (WeChat articles:
	 * `msgId#idx`); `idsByItem` then holds those keys. Default: the `id` field. */
	keyOf?: (json: INodeExecutionData['json']) => string;
}

function pairedIndices(item: INodeExecutionData): number[] {
	const paired = item.pairedItem;
	if (paired === undefined || typeof paired === 'number')
		return paired === undefined ? [] : [paired];
	const list = Array.isArray(paired) ? paired : [paired];
	return (list as IPairedItemData[]).map((p) => p.item).sort((a, b) => a - b);
}

/**
 * The contract of the node: every input ID is in exactly one output item, paired with exactly the
 * items that named it; Success holds only IDs that are gone, and `deleted` only those this run
 * removed. Throws with a readable message on the first breach.
 */
export function assertInvariant(input: InvariantInput): void {
	const { idsByItem, success, failure } = input;
	const expected = new Map<string, Set<number>>();
	idsByItem.forEach((ids, item) => {
		for (const id of ids) {
			if (!expected.has(id)) expected.set(id, new Set());
			expected.get(id)!.add(item);
		}
	});
	const seen = new Map<string, number>();
	const pairedSeen = new Map<string, Set<number>>();
	const keyOf = input.keyOf ?? ((json) => json.id as string);
	for (const item of [...success, ...failure]) {
		if (item.json.id === null || item.json.id === undefined) continue;
		const id = keyOf(item.json);
		seen.set(id, (seen.get(id) ?? 0) + 1);
		if (!pairedSeen.has(id)) pairedSeen.set(id, new Set());
		for (const p of pairedIndices(item)) pairedSeen.get(id)!.add(p);
	}
	for (const [id, items] of expected) {
		const count = seen.get(id) ?? 0;
		const occurrences =
			input.dedupe === false ? idsByItem.flat().filter((x) => x === id).length : 1;
		if (count !== occurrences)
			throw new Error(
				`ID ${JSON.stringify(id)} is in ${count} output items, expected ${occurrences}`,
			);
		const paired = [...(pairedSeen.get(id) ?? [])].sort((a, b) => a - b);
		const want = [...items].sort((a, b) => a - b);
		if (JSON.stringify(paired) !== JSON.stringify(want)) {
			throw new Error(
				`ID ${JSON.stringify(id)} is paired with items ${paired} but was named by ${want}`,
			);
		}
	}
	for (const id of seen.keys()) {
		if (!expected.has(id))
			throw new Error(`Output names ID ${JSON.stringify(id)} that no input item named`);
	}
	for (const item of success) {
		const id = keyOf(item.json);
		if (!input.isGone(id))
			throw new Error(
				`ID ${id} is on Success (${item.json.status}) but still exists on the provider`,
			);
		if (item.json.status === 'deleted' && !input.removedByRun(id)) {
			throw new Error(`ID ${id} is reported deleted but this run did not remove it`);
		}
	}
}
