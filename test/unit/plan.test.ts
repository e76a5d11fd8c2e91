import type { Unit } from '../../nodes/BatchDelete/engine/plan';
import { chunkIndices, planUnits } from '../../nodes/BatchDelete/engine/plan';

/** The engine's chunks, as the units they hold. */
const chunkUnits = (units: Unit[], size: number) =>
	chunkIndices(units, size).map((chunk) => chunk.map((i) => units[i]));

describe('planUnits', () => {
	const occurrences = [
		{ id: 'a', itemIndex: 0 },
		{ id: 'b', itemIndex: 0 },
		{ id: 'a', itemIndex: 1 },
		{ id: 'a', itemIndex: 1 },
		{ id: 'x', itemIndex: 2, invalidReason: 'bad' },
	];

	it('deduplicates while keeping every item that named the ID', () => {
		expect(planUnits(occurrences, true)).toEqual([
			{ id: 'a', items: [0, 1] },
			{ id: 'b', items: [0] },
			{ id: 'x', items: [2], invalidReason: 'bad' },
		]);
	});

	it('keeps one unit per occurrence without dedupe', () => {
		expect(planUnits(occurrences, false).map((u) => u.id)).toEqual(['a', 'b', 'a', 'a', 'x']);
	});
});

describe('chunkIndices', () => {
	const units = (ids: string[]) => ids.map((id, i) => ({ id, items: [i] }));

	it('makes ceil(n / size) chunks of at most size', () => {
		const chunks = chunkUnits(units(Array.from({ length: 250 }, (_, i) => `m${i}`)), 100);
		expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
	});

	it('never puts the same ID twice in one chunk', () => {
		const chunks = chunkUnits(units(['a', 'b', 'a', 'c']), 10);
		expect(chunks.map((c) => c.map((u) => u.id))).toEqual([
			['a', 'b'],
			['a', 'c'],
		]);
	});

	it('returns nothing for nothing', () => {
		expect(chunkUnits([], 5)).toEqual([]);
	});
});

describe('scopes', () => {
	it('dedupes within a scope only: the same ID in two scopes is two units', () => {
		const units = planUnits(
			[
				{ id: 'a', itemIndex: 0, scope: 0 },
				{ id: 'a', itemIndex: 1, scope: 1 },
				{ id: 'a', itemIndex: 2, scope: 0 },
				{ id: 'b', itemIndex: 3, scope: 1 },
			],
			true,
		);
		expect(units.map((u) => [u.id, u.scope, u.items])).toEqual([
			['a', 0, [0, 2]],
			['a', 1, [1]],
			['b', 1, [3]],
		]);
	});

	it('never puts two scopes in one chunk, and keeps each scope in its order', () => {
		const units = planUnits(
			['x1', 'y1', 'x2', 'y2', 'x3'].map((id, itemIndex) => ({
				id,
				itemIndex,
				scope: id.startsWith('x') ? 0 : 1,
			})),
			true,
		);
		expect(chunkUnits(units, 2).map((chunk) => chunk.map((u) => u.id))).toEqual([
			['x1', 'x2'],
			['x3'],
			['y1', 'y2'],
		]);
		// One scope: plain chunking.
		expect(chunkUnits(units.slice(0, 1), 2).map((c) => c.length)).toEqual([1]);
	});
});
