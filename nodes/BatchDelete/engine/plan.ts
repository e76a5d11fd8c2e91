import type { IDataObject } from 'n8n-workflow';

import type { Target } from './types';

/** An ID the run is responsible for, and every input item that named it. */
export interface Unit extends Target {
	items: number[];
	/** Never sent: the reason it breaks the provider's rules (or its item's parameters do). */
	invalidReason?: string;
	/** The code of an invalid unit's result; `INVALID_ID` when absent. */
	invalidCode?: string;
	/** Which parameter set (see scopes.ts) the unit is deleted with; 0 when absent. */
	scope?: number;
}

export interface IdOccurrence {
	id: string;
	/** Dedupe key when the ID alone does not identify the target; defaults to the ID. */
	key?: string;
	itemIndex: number;
	fields?: IDataObject;
	invalidReason?: string;
	invalidCode?: string;
	scope?: number;
}

/**
 * Turn occurrences into units. With dedupe, one unit per distinct ID (valid or not) and scope that
 * keeps every item that named it, in first-seen order; without, one unit per occurrence. The same
 * ID named for two scopes (two SOLAPI groups) is two units.
 */
export function planUnits(occurrences: Iterable<IdOccurrence>, dedupe: boolean): Unit[] {
	const units: Unit[] = [];
	// Units named by one item share that item's one-element list (a million IDs from one item's
	// list then cost one array, not a million); a second item gives the unit a list of its own.
	const single: number[][] = [];
	const toUnit = (o: IdOccurrence): Unit => {
		const unit: Unit = { id: o.id, items: (single[o.itemIndex] ??= [o.itemIndex]) };
		if (o.fields !== undefined) unit.fields = o.fields;
		if (o.invalidReason !== undefined) unit.invalidReason = o.invalidReason;
		if (o.invalidCode !== undefined) unit.invalidCode = o.invalidCode;
		if (o.scope !== undefined) unit.scope = o.scope;
		return unit;
	};
	if (!dedupe) {
		for (const o of occurrences) units.push(toUnit(o));
		return units;
	}
	const byId = new Map<string, Unit>();
	for (const o of occurrences) {
		const key = o.scope === undefined ? (o.key ?? o.id) : `${o.scope}\u0000${o.key ?? o.id}`;
		const seen = byId.get(key);
		if (seen === undefined) {
			const unit = toUnit(o);
			byId.set(key, unit);
			units.push(unit);
		} else if (seen.items[seen.items.length - 1] !== o.itemIndex) {
			seen.items = [...seen.items, o.itemIndex];
		}
	}
	return units;
}

/**
 * The sendable units' positions (no `invalidReason`) in chunks of at most `size`, never mixing
 * scopes (each scope's units on their own, scopes in first-seen order). Without dedupe the same ID
 * can occur twice; a chunk never holds it twice (providers reject or double-count that), so a
 * repeat starts the next chunk. Positions, not units: the engine's results are indexed by them.
 */
export function chunkIndices(units: Unit[], size: number): number[][] {
	const chunks: number[][] = [];
	const chunkScope = (indices: Iterable<number>) => {
		let current: number[] = [];
		let idsInCurrent = new Set<string>();
		for (const i of indices) {
			const id = units[i].id;
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
	const sendable = (i: number) => units[i].invalidReason === undefined;
	const first = units.findIndex((_, i) => sendable(i));
	const scopeOf = (i: number) => units[i].scope ?? 0;
	if (first === -1) return chunks;
	if (units.every((_, i) => !sendable(i) || scopeOf(i) === scopeOf(first))) {
		chunkScope(
			(function* () {
				for (let i = first; i < units.length; i++) if (sendable(i)) yield i;
			})(),
		);
		return chunks;
	}
	const byScope = new Map<number, number[]>();
	for (let i = first; i < units.length; i++) {
		if (!sendable(i)) continue;
		const list = byScope.get(scopeOf(i));
		if (list === undefined) byScope.set(scopeOf(i), [i]);
		else list.push(i);
	}
	for (const list of byScope.values()) chunkScope(list);
	return chunks;
}
