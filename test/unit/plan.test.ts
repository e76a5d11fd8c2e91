import { chunkUnits, planUnits } from '../../nodes/BatchDelete/engine/plan';

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

describe('chunkUnits', () => {
	const units = (ids: string[]) => ids.map((id, i) => ({ id, items: [i] }));

	it('makes ceil(n / size) chunks of at most size', () => {
		const chunks = chunkUnits(units(Array.from({ length: 250 }, (_, i) => `m${i}`)), 100);
		expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
	});

	it('never puts the same ID twice in one chunk', () => {
		const chunks = chunkUnits(units(['a', 'b', 'a', 'c']), 10);
		expect(chunks.map((c) => c.map((u) => u.id))).toEqual([['a', 'b'], ['a', 'c']]);
	});

	it('returns nothing for nothing', () => {
		expect(chunkUnits([], 5)).toEqual([]);
	});
});
