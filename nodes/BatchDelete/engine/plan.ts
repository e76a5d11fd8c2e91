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
			seen.items.push(o.itemIndex);
		}
	}
	return units;
}

function toUnit(o: IdOccurrence): Unit {
	const unit: Unit = { id: o.id, items: [o.itemIndex] };
	if (o.fields !== undefined) unit.fields = o.fields;
	if (o.invalidReason !== undefined) unit.invalidReason = o.invalidReason;
	if (o.invalidCode !== undefined) unit.invalidCode = o.invalidCode;
	if (o.scope !== undefined) unit.scope = o.scope;
	return unit;
}

/**
 * Split sendable units into chunks of at most `size`. Without dedupe the same ID can occur twice;
 * a chunk never holds it twice (providers reject or double-count that), so a repeat starts the
 * next chunk.
 */
export function chunkUnits(units: Unit[], size: number): Unit[][] {
	const chunks: Unit[][] = [];
	let current: Unit[] = [];
	let idsInCurrent = new Set<string>();
	for (const unit of units) {
		if (current.length === size || idsInCurrent.has(unit.id)) {
			chunks.push(current);
			current = [];
			idsInCurrent = new Set();
		}
		current.push(unit);
		idsInCurrent.add(unit.id);
	}
	if (current.length > 0) chunks.push(current);
	return chunks;
}

/** Chunks that never mix scopes: each scope's units chunked on their own, scopes in first-seen order. */
export function chunkByScope(units: Unit[], size: number): Unit[][] {
	const byScope = new Map<number, Unit[]>();
	for (const unit of units) {
		const scope = unit.scope ?? 0;
		const list = byScope.get(scope);
		if (list === undefined) byScope.set(scope, [unit]);
		else list.push(unit);
	}
	if (byScope.size <= 1) return chunkUnits(units, size);
	return [...byScope.values()].flatMap((list) => chunkUnits(list, size));
}
