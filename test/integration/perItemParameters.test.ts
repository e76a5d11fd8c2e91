import type { IDataObject } from 'n8n-workflow';

import { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import { SolapiMock } from '../mocks/solapi';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * Provider parameters that are expressions resolve per item: a target is (parameters, ID). Each
 * scope is batched on its own, and an ID is deleted from exactly the scope its item named. The
 * mocks' own state is the judge.
 */

const FAST = { retryDelay: 5, requestsPerSecond: 0 };

describe('SOLAPI Group ID per item', () => {
	const mock = new SolapiMock();
	beforeAll(async () => await mock.start());
	afterAll(async () => await mock.close());

	let n = 0;
	/** Two fresh groups; `shared` is a message ID both hold. */
	const groups = () => {
		n++;
		const g1 = `G4VSCOPEA${n}`;
		const g2 = `G4VSCOPEB${n}`;
		const shared = `M4VSHARED${n}`;
		const a = [`M4VA${n}X1`, `M4VA${n}X2`];
		const b = [`M4VB${n}X1`, `M4VB${n}X2`];
		mock.addGroup(g1, ...a, shared);
		mock.addGroup(g2, ...b, shared);
		return { g1, g2, shared, a, b };
	};
	const deletes = () =>
		mock
			.requestsTo(/^\/messages\/v4\/groups\/[^/]+\/messages$/)
			.filter((r) => r.method === 'DELETE');
	const run = async (items: IDataObject[], extra: IDataObject = {}, settings: IDataObject = {}) =>
		await runBatchDelete({
			parameters: {
				provider: 'solapi',
				solapiGroupId: '={{ $json.group }}',
				idField: 'id',
				...extra,
				options: { ...FAST, ...(extra.options as IDataObject) },
			},
			items,
			credentials: [
				{
					id: 'solapi-1',
					name: 'SOLAPI',
					type: 'solapiApi',
					data: {
						apiKey: 'NCSTESTKEY0000001',
						apiSecret: 'test-api-secret-0123456789',
						baseUrl: mock.baseUrl,
					},
				},
			],
			...settings,
		});
	const invariant = (
		result: BatchDeleteRun,
		idsByItem: string[][],
		keyOf?: (json: IDataObject) => string,
	) =>
		assertInvariant({
			idsByItem,
			success: result.success,
			failure: result.failure,
			removedByRun: (key) => mock.deleted.has(key.split('|').pop()!),
			isGone: (key) => {
				const [group, id] = key.split('|');
				return !mock.groups.get(group)?.has(id);
			},
			keyOf: keyOf ?? ((json) => `${String(json.groupId)}|${String(json.id)}`),
		});

	it('deletes each ID from the group its item names, in one request per group, never from the other', async () => {
		const { g1, g2, shared, a, b } = groups();
		const items = [
			{ id: a[0], group: g1 },
			{ id: b[0], group: g2 },
			{ id: a[1], group: g1 },
			{ id: shared, group: g2 },
			{ id: b[1], group: g2 },
			{ id: 'M4VNOWHERE', group: g1 },
		];
		const before = deletes().length;
		const result = await run(items);
		expect(result.error).toBeUndefined();

		// The shared message was named only for G2: gone from G2, still in G1.
		expect(mock.groups.get(g2)!.has(shared)).toBe(false);
		expect(mock.groups.get(g1)!.has(shared)).toBe(true);
		for (const id of a) expect(mock.groups.get(g1)!.has(id)).toBe(false);
		for (const id of b) expect(mock.groups.get(g2)!.has(id)).toBe(false);

		const sent = deletes().slice(before);
		expect(sent).toHaveLength(2);
		const byGroup = Object.fromEntries(
			sent.map((r) => [
				decodeURIComponent(r.path.split('/')[4]),
				(r.body as { messageIds: string[] }).messageIds,
			]),
		);
		expect(byGroup[g1]).toEqual([a[0], a[1], 'M4VNOWHERE']);
		expect(byGroup[g2]).toEqual([b[0], shared, b[1]]);

		// Output items say which group; the not-found one is G1's.
		const shown = result.success.find((i) => i.json.id === shared)!;
		expect(shown.json).toMatchObject({ groupId: g2, status: 'deleted' });
		expect(shown.pairedItem).toEqual({ item: 3 });
		expect(result.success.find((i) => i.json.id === 'M4VNOWHERE')!.json).toMatchObject({
			groupId: g1,
			status: 'alreadyGone',
		});
		invariant(
			result,
			items.map((i) => [`${i.group}|${i.id}`]),
		);
	});

	it('treats the same message ID named for two groups as two targets, even with dedupe on', async () => {
		const { g1, g2, shared } = groups();
		const items = [
			{ id: shared, group: g1 },
			{ id: shared, group: g2 },
			{ id: shared, group: g2 },
		];
		const result = await run(items);
		expect(mock.groups.get(g1)!.has(shared)).toBe(false);
		expect(mock.groups.get(g2)!.has(shared)).toBe(false);
		expect(result.success).toHaveLength(2);
		const inG2 = result.success.find((i) => i.json.groupId === g2)!;
		expect(inG2.pairedItem).toEqual([{ item: 1 }, { item: 2 }]);
		invariant(
			result,
			items.map((i) => [`${i.group}|${i.id}`]),
		);
	});

	it("names the item and the parameter when one item's Group ID is invalid, sending nothing", async () => {
		const { g1, a } = groups();
		const before = deletes().length;
		const result = await run([
			{ id: a[0], group: g1 },
			{ id: a[1], group: g1 },
			{ id: 'M4VX', group: '' },
		]);
		expect(result.error?.message).toMatch(/^Item 2: Group ID is required/);
		expect(deletes().length).toBe(before);
		expect(mock.groups.get(g1)!.has(a[0])).toBe(true);
	});

	it("with Continue On Fail, fails only that item's IDs (invalid, INVALID_PARAMETER) and deletes the rest", async () => {
		const { g1, g2, a, b } = groups();
		const items = [
			{ id: a[0], group: g1 },
			{ id: [b[0], b[1]], group: 'G2/../G1' },
			{ id: a[1], group: g1 },
		];
		const result = await run(items, {}, { continueOnFail: true });
		expect(result.error).toBeUndefined();
		for (const id of a) expect(mock.groups.get(g1)!.has(id)).toBe(false);
		for (const id of b) expect(mock.groups.get(g2)!.has(id)).toBe(true);
		const failed = result.failure.filter((i) => b.includes(String(i.json.id)));
		expect(failed).toHaveLength(2);
		for (const item of failed) {
			expect(item.json).toMatchObject({
				status: 'invalid',
				code: 'INVALID_PARAMETER',
				attempts: 0,
				batch: null,
			});
			expect(String(item.json.message)).toMatch(/^Item 1: Group ID may only hold letters/);
			expect(item.pairedItem).toEqual({ item: 1 });
		}
		expect(result.success.map((i) => i.json.id).sort()).toEqual([...a].sort());
	});

	it("Dry Run shows each group's requests on their own", async () => {
		const { g1, g2, a, b } = groups();
		const before = deletes().length;
		const result = await run(
			[
				{ id: a[0], group: g1 },
				{ id: b[0], group: g2 },
				{ id: a[1], group: g1 },
			],
			{ options: { ...FAST, dryRun: true } },
		);
		expect(deletes().length).toBe(before);
		// Items come in input order; each names its group's batch, on Preview.
		expect(result.success).toHaveLength(0);
		const rows = result.preview
			.map((i) => i.json)
			.sort((x, y) => Number(x.batch) - Number(y.batch));
		expect(rows.map((r) => [r.id, r.groupId, r.batch])).toEqual([
			[a[0], g1, 1],
			[a[1], g1, 1],
			[b[0], g2, 2],
		]);
		const first = (batch: number) => rows.find((r) => r.batch === batch)!.request as IDataObject;
		expect(first(1).url).toBe(`${mock.baseUrl}/messages/v4/groups/${g1}/messages`);
		expect((first(1).body as IDataObject).messageIds).toEqual([a[0], a[1]]);
		expect(first(2).url).toBe(`${mock.baseUrl}/messages/v4/groups/${g2}/messages`);
	});

	it('refuses Options that resolve differently per item (Dry Run for one item only), naming the items, and sends nothing', async () => {
		const { g1, a } = groups();
		const before = mock.requests.length;
		const result = await run(
			[
				{ group: g1, id: a[0], preview: false },
				{ group: g1, id: a[1], preview: true },
			],
			{ options: { ...FAST, dryRun: '={{ $json.preview }}' } },
		);
		expect(result.error?.message).toMatch(
			/^Options hold for the whole run, but dryRun resolves differently for item 0 and item 1/,
		);
		expect(mock.requests.length).toBe(before);
		expect(a.every((id) => mock.groups.get(g1)!.has(id))).toBe(true);
		// The same expression resolving alike for every item runs.
		const same = await run(
			[
				{ group: g1, id: a[0], preview: true },
				{ group: g1, id: a[1], preview: true },
			],
			{ options: { ...FAST, dryRun: '={{ $json.preview }}' } },
		);
		expect(same.error).toBeUndefined();
		expect(same.success).toEqual([]);
		expect(same.preview.map((i) => i.json.status)).toEqual(['dryRun', 'dryRun']);
		expect(mock.requests.length).toBe(before);
	});

	it('By Filter refuses parameters that resolve differently per item, naming the items, and lists nothing', async () => {
		const { g1, g2 } = groups();
		const before = mock.requests.length;
		const result = await run([{ group: g1 }, { group: g1 }, { group: g2 }], {
			select: 'byFilter',
			solapiMessageType: 'SMS',
		});
		expect(result.error?.message).toMatch(
			/^By Filter lists once per execution, but its parameters resolve differently for item 0 and item 2/,
		);
		expect(mock.requests.length).toBe(before);
	});

	it('By Filter runs once when every item resolves the same', async () => {
		const { g1 } = groups();
		const result = await run([{ group: g1 }, { group: g1 }], {
			select: 'byFilter',
			solapiMessageType: 'any',
			olderThan: 0,
			options: { ...FAST, dryRun: true },
		});
		expect(result.error).toBeUndefined();
		expect(result.preview.length).toBeGreaterThan(0);
		expect(result.preview.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
	});
});

describe('Huawei Cloud SMS Project ID per item', () => {
	const mock = new HuaweiCloudSmsMock();
	const P1 = '0123456789abcdef0123456789abcdef';
	const P2 = 'fedcba9876543210fedcba9876543210';
	beforeAll(async () => {
		mock.projects.push({ id: P2, name: 'cn-north-4-second' });
		await mock.start();
	});
	afterAll(async () => await mock.close());

	it('sends each template to the project its item names, never the first item’s project', async () => {
		const t1 = ['tplP1-0001', 'tplP1-0002'];
		const t2 = ['tplP2-0001', 'tplP2-0002'];
		const both = 'tplBOTH-0001';
		mock.addTemplates(P1, ...t1, both);
		mock.addTemplates(P2, ...t2, both);
		const items = [
			{ id: t1[0], project: P1 },
			{ id: t2[0], project: P2 },
			{ id: both, project: P2 },
			{ id: t1[1], project: P1 },
			{ id: t2[1], project: P2 },
		];
		const result = await runBatchDelete({
			parameters: {
				provider: 'huaweiCloudSms',
				huaweiCloudAuthentication: 'iamToken',
				huaweiCloudRegion: 'custom',
				huaweiCloudProjectId: '={{ $json.project }}',
				idField: 'id',
				options: FAST,
			},
			items,
			credentials: [
				{
					id: 'huawei-iam',
					name: 'Huawei IAM',
					type: 'huaweiCloudIamApi',
					data: mock.iamCredentialData(P1),
				},
			],
			continueOnFail: false,
		});
		const sent = mock.requestsTo(/\/msgsms\/templates\/batch-delete$/);
		const paths = sent.map((r) => r.path);
		expect(paths.filter((p) => p.includes(P1))).toHaveLength(1);
		// The credential's token is scoped to P1 (as IAM tokens are): P2's IDs are never sent.
		expect(paths.filter((p) => p.includes(P2))).toHaveLength(0);
		const bodyFor = (project: string) =>
			(sent.find((r) => r.path.includes(project))!.body as { ids: string[] }).ids;
		expect(bodyFor(P1)).toEqual(t1);
		expect(result.error).toBeUndefined();
		expect(result.failure.map((i) => [i.json.id, i.json.status, i.json.code])).toEqual(
			[t2[0], both, t2[1]].map((id) => [id, 'invalid', 'CREDENTIAL_SCOPE']),
		);
		expect(String(result.failure[0].json.message)).toMatch(
			new RegExp(
				`^Project ID ${P2} is not the project the IAM credential is scoped to \\(${P1}\\).*one credential per project`,
			),
		);
		// P1's templates are gone; the shared one, named for P2 only, is still in P1.
		for (const id of t1) expect(mock.templates.get(P1)!.has(id)).toBe(false);
		expect(mock.templates.get(P1)!.has(both)).toBe(true);
		// Nothing of P2 is touched.
		for (const id of [...t2, both]) expect(mock.templates.get(P2)!.has(id)).toBe(true);
		for (const item of result.failure) expect(item.json.projectId).toBe(P2);
		for (const item of result.success) expect(item.json.projectId).toBe(P1);
		assertInvariant({
			idsByItem: items.map((i) => [`${i.project}|${i.id}`]),
			success: result.success,
			failure: result.failure,
			removedByRun: (key) => !mock.templates.get(key.split('|')[0])!.has(key.split('|')[1]),
			isGone: (key) => !mock.templates.get(key.split('|')[0])!.has(key.split('|')[1]),
			keyOf: (json) => `${String(json.projectId)}|${String(json.id)}`,
		});
	});
});
