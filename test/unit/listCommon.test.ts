import { byFilterProperties } from '../../nodes/BatchDelete/byFilter';
import { nodeProperties } from '../../nodes/BatchDelete/description';
import {
	foldQuery,
	foldText,
	outOfScope,
	parseListTime,
	titleOf,
} from '../../nodes/BatchDelete/providers/listCommon';
import { PROVIDERS } from '../../nodes/BatchDelete/providers';

describe('list times', () => {
	it('reads epoch milliseconds and seconds, zone-less timestamps as UTC, and ISO 8601', () => {
		expect(parseListTime(1718000000000)?.toISOString()).toBe('2024-06-10T06:13:20.000Z');
		expect(parseListTime(1718000000)?.toISOString()).toBe('2024-06-10T06:13:20.000Z');
		expect(parseListTime('1718000000000')?.toISOString()).toBe('2024-06-10T06:13:20.000Z');
		expect(parseListTime('2022-08-12 07:40:36')?.toISOString()).toBe('2022-08-12T07:40:36.000Z');
		expect(parseListTime('2022-08-12T07:40:36.5')?.toISOString()).toBe('2022-08-12T07:40:36.500Z');
		expect(parseListTime('2020-09-09T05:23:20.686Z')?.toISOString()).toBe(
			'2020-09-09T05:23:20.686Z',
		);
		expect(parseListTime('2020-09-09T14:23:20+09:00')?.toISOString()).toBe(
			'2020-09-09T05:23:20.000Z',
		);
	});

	it('gives no time for 0, empty, junk or other types: such an item never matches Older Than', () => {
		for (const value of [0, -5, Number.NaN, '', 'yesterday', null, undefined, {}, true])
			expect(parseListTime(value)).toBeUndefined();
	});

	it('makes a short one-line title without markup', () => {
		expect(titleOf('<p>Hello&nbsp;<b>world</b></p>\n')).toBe('Hello world');
		expect(titleOf('   ')).toBeNull();
		expect(titleOf(5)).toBeNull();
	});
});

describe('text for filter checks', () => {
	it('reads markup as a reader sees it: tags gone, entities decoded, whitespace collapsed', () => {
		expect(titleOf('<p>Budget&nbsp;&amp;\n <b>hiring</b> &#8211; &#x41;&lt;&gt;</p>')).toBe(
			'Budget & hiring \u2013 A<>',
		);
		expect(titleOf('&bogus; &#0;')).toBe('&bogus; &#0;');
		expect(foldText(42)).toBe('');
		expect(foldText('<p>Quarterly  REPORT</p>')).toBe('quarterly report');
		// What the user typed is not markup: a tag stays text, so it never matches stripped text.
		expect(foldQuery('  <P>  Report ')).toBe('<p> report');
	});

	it('a listed item naming another scope is out of it; one naming none is not', () => {
		expect(outOfScope({ id: '1', fields: {}, checkOn: { scope: 'a' } }, 'b')).toBe(true);
		expect(outOfScope({ id: '1', fields: {}, checkOn: { scope: 'b' } }, 'b')).toBe(false);
		expect(outOfScope({ id: '1', fields: {}, checkOn: { scope: null } }, 'b')).toBe(false);
		expect(outOfScope({ id: '1', fields: {} }, 'b')).toBe(false);
	});
});

describe('By Filter parameters', () => {
	it('offers Mode for every provider with a list API and says WeChat deletes by ID only', () => {
		expect(
			PROVIDERS.filter((p) => p.list !== undefined)
				.map((p) => p.id)
				.sort(),
		).toEqual(['avayaSpaces', 'huaweiCloudSms', 'quectel', 'solapi']);
		const select = byFilterProperties().find((p) => p.name === 'select')!;
		expect(select.default).toBe('byId');
		expect(select.displayOptions?.show?.provider).not.toContain('weChatOfficialAccount');
		// WeChat users, who never see Mode, read it in the Provider list (no warning: nothing is wrong).
		expect(select.displayName).toBe('Mode');
		// The one notice is By Filter's: executing deletes; Dry Run previews on its own output.
		const notices = byFilterProperties().filter((p) => p.type === 'notice');
		expect(notices).toHaveLength(1);
		expect(notices[0].displayOptions?.show?.select).toEqual(['byFilter']);
		expect(notices[0].displayName).toMatch(/deletes up to Limit.*Dry Run.*Preview output/);
		const provider = nodeProperties().find((p) => p.name === 'provider')!;
		const weChat = (provider.options as Array<{ value: string; description?: string }>).find(
			(o) => o.value === 'weChatOfficialAccount',
		)!;
		expect(weChat.description).toMatch(/by ID only/);
	});

	it('shows the filters only for their provider in By Filter mode, and hides the By ID parameters there', () => {
		const properties = nodeProperties();
		const names = properties.map((p) => p.name);
		for (const name of [
			'quectelMsgType',
			'quectelReadStatus',
			'avayaSpaceId',
			'avayaCategory',
			'solapiMessageType',
			'solapiStatusCode',
			'huaweiCloudFlowStatus',
			'olderThan',
			'filterLimit',
		]) {
			expect(names).toContain(name);
			expect(properties.find((p) => p.name === name)!.displayOptions?.show?.select).toEqual([
				'byFilter',
			]);
		}
		expect(
			properties.find((p) => p.name === 'avayaSpaceId')!.displayOptions?.show?.provider,
		).toEqual(['avayaSpaces']);
		for (const name of ['idSource', 'idField', 'ids'])
			for (const property of properties.filter((p) => p.name === name))
				expect(property.displayOptions?.hide?.select).toEqual(['byFilter']);
		// Parameter names stay unique across providers, but for the per-provider variants of Options
		// and the ID Field (each shown for one provider only).
		const shared = ['options', 'idField'];
		expect(new Set(names.filter((n) => !shared.includes(n))).size).toBe(
			names.filter((n) => !shared.includes(n)).length,
		);
	});
});
