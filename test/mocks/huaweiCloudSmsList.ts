import { randomUUID } from 'node:crypto';

import type { HuaweiCloudSmsMock } from './huaweiCloudSms';
import { listModes } from './listModes';
import type { MockReply, MockRequest } from './mockServer';

/**
 * Huawei Cloud's "Querying an SMS Template" (ListTemplateDetails):
 * `GET /v2/{project_id}/msgsms/templates` with `offset` (items to skip, default 0), `limit`
 * (default 10), `flow_status`, `template_type`, `template_name`, `template_id`, `sort_key`
 * (create_time only) and `sort_dir` (desc by default), answered `{results, total}`; templates
 * carry `id`, `template_name`, `template_type`, `flow_status`, `create_time` as
 * `yyyy-MM-dd HH:mm:ss` (UTC here). Offsets count items, so deleting shifts later pages forward,
 * exactly the behaviour the node's paging has to cope with. Filters can be ignored and deleted
 * templates listed a while longer (listModes.ts); `total` counts what is listed (or, with
 * `liveTotal`, only what is left).
 */

export interface HuaweiTemplateSeed {
	/** Epoch milliseconds. */
	createTime: number;
	name?: string;
	type?: 'VERIFY_CODE_TYPE' | 'NOTIFY_TYPE' | 'PROMOTION_TYPE';
	flowStatus?:
		| 'Adopted'
		| 'Reviewing'
		| 'Reject'
		| 'Disable'
		| 'Pending'
		| 'Adopted_inactive'
		| 'SignReviewing';
}

const infoOf = new WeakMap<HuaweiCloudSmsMock, Map<string, HuaweiTemplateSeed>>();

/** Add templates with list fields to a project; returns their IDs in the order given. */
export function seedHuaweiTemplates(
	mock: HuaweiCloudSmsMock,
	projectId: string,
	seeds: HuaweiTemplateSeed[],
): string[] {
	const info = infoOf.get(mock) ?? new Map<string, HuaweiTemplateSeed>();
	infoOf.set(mock, info);
	const ids = seeds.map((seed) => {
		const id = randomUUID();
		info.set(id, seed);
		return id;
	});
	mock.addTemplates(projectId, ...ids);
	return ids;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const badRequest = (msg: string): MockReply => ({
	status: 400,
	body: { error_code: 'MSGSMS.0002', error_msg: msg, error_detail: msg },
});

export function huaweiListReply(
	mock: HuaweiCloudSmsMock,
	projectId: string,
	request: MockRequest,
): MockReply {
	const q = request.query;
	const offset = Number(q.get('offset') ?? 0);
	const limit = Number(q.get('limit') ?? 10);
	if (!Number.isInteger(offset) || offset < 0)
		return badRequest('offset must be a non-negative integer');
	if (!Number.isInteger(limit) || limit < 1) return badRequest('limit must be a positive integer');
	const sortKey = q.get('sort_key');
	if (sortKey !== null && sortKey !== 'create_time')
		return badRequest('sort_key only supports create_time');
	const asc = q.get('sort_dir') === 'asc';
	const now = Date.now();
	const info = infoOf.get(mock);
	const modes = listModes(mock);
	modes.noteQuery(q, ['offset', 'limit', 'sort_key', 'sort_dir']);
	const filter = (key: string, value: string) => {
		const wanted = q.get(key);
		return modes.passes(key, wanted !== null && wanted !== '', () => value === wanted);
	};
	const name = q.get('template_name');
	const all = modes
		.rows([...(mock.templates.get(projectId) ?? [])], (id) => id)
		.map((id) => {
			const seed = info?.get(id);
			return {
				id,
				createTime: seed?.createTime ?? now,
				name: seed?.name ?? `Template ${id.slice(0, 8)}`,
				type: seed?.type ?? 'NOTIFY_TYPE',
				flowStatus: seed?.flowStatus ?? 'Adopted',
			};
		})
		.filter(
			(t) =>
				filter('flow_status', t.flowStatus) &&
				filter('template_type', t.type) &&
				filter('template_id', t.id),
		)
		.filter((t) =>
			modes.passes('template_name', name !== null && name !== '', () => t.name.includes(name!)),
		)
		// Whole seconds, as create_time shows them; the ID breaks ties so the order is stable.
		.sort(
			(a, b) =>
				(Math.floor(a.createTime / 1000) - Math.floor(b.createTime / 1000)) * (asc ? 1 : -1) ||
				(a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
		);
	const results = all.slice(offset, offset + limit).map((t) => ({
		app_key: '******3baZf4c856O4Qrbqvui3K2',
		create_time: stamp(t.createTime),
		customer_id: '******c55c3c4526b2ed7a0213bc9871',
		flow_status: t.flowStatus,
		has_variable: 'No',
		id: t.id,
		region: 'cn',
		sign_id: '******d2f0fd4b1e9e8b8c0b7b3f5d19',
		status: 'Normal',
		template_content: `Your code is \${1}`,
		template_id: `******${t.id.slice(-6)}`,
		template_name: t.name,
		template_type: t.type,
		universal_template: 0,
	}));
	return { status: 200, body: { results, total: modes.totalOf(all, (t) => t.id) } };
}
