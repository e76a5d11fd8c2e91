import { describeValue, idsFromValue, readPath } from '../../nodes/BatchDelete/engine/ids';

describe('idsFromValue', () => {
	it('splits strings on commas and new lines and trims each ID', () => {
		expect(idsFromValue(' a, b\nc\r\n,, d ')).toEqual([
			{ id: 'a' },
			{ id: 'b' },
			{ id: 'c' },
			{ id: 'd' },
		]);
	});

	it('turns numbers into strings', () => {
		expect(idsFromValue(30124)).toEqual([{ id: '30124' }]);
		expect(idsFromValue([1, '2'])).toEqual([{ id: '1' }, { id: '2' }]);
	});

	it('refuses a JSON number above 2^53, which parsing already rounded, telling to pass strings', () => {
		// 2^53 + 1 parses to 2^53: the ID the user meant is lost, a neighbour's would be sent.
		const rounded = JSON.parse('{"id": 9007199254740993}').id as number;
		expect(idsFromValue(rounded)).toEqual([
			{
				id: '9007199254740992',
				invalidReason: expect.stringMatching(/above 2\^53.*pass IDs as strings/),
			},
		]);
		expect(idsFromValue([Number.MAX_SAFE_INTEGER, rounded])[0]).toEqual({
			id: '9007199254740991',
		});
		expect(idsFromValue('9007199254740993')).toEqual([{ id: '9007199254740993' }]);
	});

	it('keeps an array element whole, even when it holds a comma', () => {
		expect(idsFromValue(['a,b', ' c '])).toEqual([{ id: 'a,b' }, { id: 'c' }]);
	});

	it('names nothing for empty values', () => {
		for (const value of [undefined, null, '', '  ', [], [null, ''], ',\n,'])
			expect(idsFromValue(value)).toEqual([]);
	});

	it('marks values that cannot be IDs as invalid instead of dropping them', () => {
		const [object] = idsFromValue({ id: 'x' });
		expect(object).toEqual({
			id: '{"id":"x"}',
			invalidReason: expect.stringMatching(
				/^an object, not an ID: point the ID field at the value inside it/,
			),
		});
		const [nested, ok, flag] = idsFromValue([['a'], 'b', true]);
		expect(nested.invalidReason).toMatch(/^a nested list, not an ID: flatten the list first/);
		expect(ok).toEqual({ id: 'b' });
		expect(flag.invalidReason).toBe('a boolean, not an ID');
		expect(idsFromValue(NaN)[0].invalidReason).toBe('not a finite number');
	});

	it('reads a list by index, never through its iterator (vm2 proxies from a Code node, issue 26)', () => {
		const iterated: string[] = [];
		// What n8n 1.x hands over from a Code node: a proxy whose iterator is costly; here it is counted.
		const list = new Proxy(['a', ' b ', 3, ''], {
			get(target, key, receiver) {
				if (key === Symbol.iterator) iterated.push('iterator');
				return Reflect.get(target, key, receiver) as unknown;
			},
		});
		expect(idsFromValue(list).map((r) => r.id)).toEqual(['a', 'b', '3']);
		expect(iterated).toEqual([]);
	});

	it('shortens long invalid values in the output', () => {
		expect(describeValue({ text: 'x'.repeat(500) }).length).toBeLessThanOrEqual(121);
	});
});

describe('readPath', () => {
	it('reads nested fields and array indices', () => {
		expect(readPath({ data: { ids: ['a', 'b'] } }, 'data.ids')).toEqual(['a', 'b']);
		expect(readPath({ list: [{ id: 7 }] }, 'list.0.id')).toBe(7);
		expect(readPath({ data: null }, 'data.id')).toBeUndefined();
	});

	it('prefers a key that itself contains a dot', () => {
		expect(readPath({ 'msg.id': 'literal', msg: { id: 'nested' } }, 'msg.id')).toBe('literal');
	});
});
