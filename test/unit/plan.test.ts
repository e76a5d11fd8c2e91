import { chunkIndices, planTargets } from '../../nodes/BatchDelete/engine/plan';
import type { Target } from '../../nodes/BatchDelete/engine/types';

/** The engine's chunks, as the targets they hold. */
const chunkTargets = (targets: Target[], size: number) =>
	chunkIndices(targets, size).map((chunk) => chunk.map((i) => targets[i]));

/** Targets as items yield them: each item's targets share that item's one-element list. */
const named = (list: Array<Omit<Target, 'items'> & { item: number }>): Target[] => {
	const lists: number[][] = [];
	return list.map(({ item, ...target }) => ({ ...target, items: (lists[item] ??= [item]) }));
};

describe('planTargets', () => {
	const targets = () =>
		named([
			{ id: 'a', item: 0 },
			{ id: 'b', item: 0 },
			{ id: 'a', item: 1 },
			{ id: 'a', item: 1 },
			{ id: 'x', item: 2, invalidReason: 'bad' },
		]);

	it('deduplicates while keeping every item that named the ID', () => {
		expect(planTargets(targets(), true)).toEqual([
			{ id: 'a', items: [0, 1] },
			{ id: 'b', items: [0] },
			{ id: 'x', items: [2], invalidReason: 'bad' },
		]);
	});

	it('keeps one target per ID named without dedupe', () => {
		expect(planTargets(targets(), false).map((t) => t.id)).toEqual(['a', 'b', 'a', 'a', 'x']);
	});

	it("keeps an item's targets on its one list, and never changes that list", () => {
		const input = targets();
		const shared = input[0].items;
		const planned = planTargets(input, true);
		// 'b' was named by item 0 only: still item 0's list, which 'a' gaining item 1 left as it was.
		expect(planned[1].items).toBe(shared);
		expect(shared).toEqual([0]);
		expect(planned[0].items).not.toBe(shared);
	});

	it("gathers every item that names an ID, leaving each item's own list as it was", () => {
		const input = named([
			{ id: 'a', item: 0 },
			{ id: 'b', item: 1 },
			{ id: 'a', item: 1 },
			{ id: 'a', item: 2 },
			{ id: 'c', item: 2 },
			{ id: 'a', item: 3 },
		]);
		const lists = [input[0].items, input[1].items, input[3].items, input[5].items];
		const planned = planTargets(input, true);
		expect(planned.map((t) => [t.id, t.items])).toEqual([
			['a', [0, 1, 2, 3]],
			['b', [1]],
			['c', [2]],
		]);
		expect(lists).toEqual([[0], [1], [2], [3]]);
		expect(planned[1].items).toBe(lists[1]);
		expect(planned[2].items).toBe(lists[2]);
	});

	it('dedupes by key when the ID alone does not identify the target', () => {
		const planned = planTargets(
			named([
				{ id: 'm1', key: 'm1#1', item: 0 },
				{ id: 'm1', key: 'm1#2', item: 0 },
				{ id: 'm1', key: 'm1#1', item: 1 },
			]),
			true,
		);
		expect(planned.map((t) => [t.key, t.items])).toEqual([
			['m1#1', [0, 1]],
			['m1#2', [0]],
		]);
	});
});

describe('chunkIndices', () => {
	const targets = (ids: string[]) => ids.map((id, i) => ({ id, items: [i] }));

	it('makes ceil(n / size) chunks of at most size', () => {
		const chunks = chunkTargets(targets(Array.from({ length: 250 }, (_, i) => `m${i}`)), 100);
		expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
	});

	it('never puts the same ID twice in one chunk', () => {
		const chunks = chunkTargets(targets(['a', 'b', 'a', 'c']), 10);
		expect(chunks.map((c) => c.map((t) => t.id))).toEqual([
			['a', 'b'],
			['a', 'c'],
		]);
	});

	it('returns nothing for nothing', () => {
		expect(chunkTargets([], 5)).toEqual([]);
	});
});

describe('scopes', () => {
	it('dedupes within a scope only: the same ID in two scopes is two targets', () => {
		const targets = planTargets(
			named([
				{ id: 'a', item: 0, scope: 0 },
				{ id: 'a', item: 1, scope: 1 },
				{ id: 'a', item: 2, scope: 0 },
				{ id: 'b', item: 3, scope: 1 },
			]),
			true,
		);
		expect(targets.map((t) => [t.id, t.scope, t.items])).toEqual([
			['a', 0, [0, 2]],
			['a', 1, [1]],
			['b', 1, [3]],
		]);
	});

	it('never puts two scopes in one chunk, and keeps each scope in its order', () => {
		const targets = planTargets(
			named(
				['x1', 'y1', 'x2', 'y2', 'x3'].map((id, item) => ({
					id,
					item,
					scope: id.startsWith('x') ? 0 : 1,
				})),
			),
			true,
		);
		expect(chunkTargets(targets, 2).map((chunk) => chunk.map((t) => t.id))).toEqual([
			['x1', 'x2'],
			['x3'],
			['y1', 'y2'],
		]);
		// One scope: plain chunking.
		expect(chunkTargets(targets.slice(0, 1), 2).map((c) => c.length)).toEqual([1]);
	});
});
