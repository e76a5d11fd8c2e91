import { OutcomeMap } from '../../nodes/BatchDelete/providers/common';
import { chunk } from './listHelpers';

describe('OutcomeMap', () => {
	it('never lets a number that is not a safe integer name an ID', () => {
		// 12345678901234567050 is no JavaScript number: it reads as 12345678901234567000, an ID this
		// chunk sent, which must stay unanswered rather than be confirmed by a neighbour's rounding.
		const map = new OutcomeMap(chunk('12345678901234567000', '7', '1.5'));
		map.set(Number('12345678901234567050'), { status: 'deleted' });
		map.set(1.5, { status: 'deleted' });
		map.set(7, { status: 'deleted' });
		expect([...map.outcomes.keys()]).toEqual(['7']);
	});
});
