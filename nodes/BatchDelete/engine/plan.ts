import type { Target } from './types';

/**
 * Merge the targets items name, as they come. With dedupe, one target per distinct ID (or `key`)
 * and scope, keeping every item that named it in first-seen order; without, each as it came. The
 * same ID named for two scopes (two SOLAPI groups) is two targets. Each incoming target names
 * one item: its `items` is that item's one-element list, shared by all its targets (a million IDs
 * from one item's list then cost one array); a second item gives the target a list of its own.
 */
export function planTargets(named: Iterable<Target>, dedupe: boolean): Target[] {
	if (!dedupe) return Array.from(named);
	const targets: Target[] = [];
	const byKey = new Map<string, Target>();
	// Lists this function made: grown in place. An input list is an item's, shared by all of that
	// item's targets: copied once, so an ID named by K items costs K steps, not K² copies.
	const own = new Set<number[]>();
	for (const target of named) {
		const id = target.key ?? target.id;
		const key = target.scope === undefined ? id : `${target.scope}\u0000${id}`;
		const seen = byKey.get(key);
		const item = target.items[0];
		if (seen === undefined) {
			byKey.set(key, target);
			targets.push(target);
		} else if (seen.items[seen.items.length - 1] !== item) {
			if (own.has(seen.items)) seen.items.push(item);
			else own.add((seen.items = [...seen.items, item]));
		}
	}
	return targets;
}

/**
 * The sendable targets' positions (no `invalidReason`) in chunks of at most `size`, never mixing
 * scopes (each scope's targets on their own, scopes in first-seen order). Without dedupe the same
 * ID can occur twice; a chunk never holds it twice (providers reject or double-count that), so a
 * repeat starts the next chunk. Positions, not targets: the engine's results are indexed by them.
 */
export function chunkIndices(targets: Target[], size: number): number[][] {
	const chunks: number[][] = [];
	const chunkScope = (indices: Iterable<number>) => {
		let current: number[] = [];
		let idsInCurrent = new Set<string>();
		for (const i of indices) {
			const id = targets[i].id;
			if (current.length === size || idsInCurrent.has(id)) {
				chunks.push(current);
				current = [];
				idsInCurrent = new Set();
			}
			current.push(i);
			idsInCurrent.add(id);
		}
		if (current.length > 0) chunks.push(current);
	};
	const sendable = (i: number) => targets[i].invalidReason === undefined;
	const first = targets.findIndex((_, i) => sendable(i));
	const scopeOf = (i: number) => targets[i].scope ?? 0;
	if (first === -1) return chunks;
	if (targets.every((_, i) => !sendable(i) || scopeOf(i) === scopeOf(first))) {
		chunkScope(
			(function* () {
				for (let i = first; i < targets.length; i++) if (sendable(i)) yield i;
			})(),
		);
		return chunks;
	}
	const byScope = new Map<number, number[]>();
	for (let i = first; i < targets.length; i++) {
		if (!sendable(i)) continue;
		const list = byScope.get(scopeOf(i));
		if (list === undefined) byScope.set(scopeOf(i), [i]);
		else list.push(i);
	}
	for (const list of byScope.values()) chunkScope(list);
	return chunks;
}
