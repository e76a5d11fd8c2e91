import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { CredentialInstance } from '../harness';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { seedAvayaSpace } from '../mocks/avayaSpacesList';
import { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import { seedHuaweiTemplates } from '../mocks/huaweiCloudSmsList';
import type { MockRequest, MockServer } from '../mocks/mockServer';
import { QUECTEL_TEST_ACCOUNT, QuectelMock } from '../mocks/quectel';
import { SolapiMock } from '../mocks/solapi';
import { seedSolapiGroup } from '../mocks/solapiList';
import { assertInvariant } from './invariant';

/**
 * One environment per provider with a list API, for the By Filter tests (in-engine and real n8n):
 * a mock holding items that do or do not pass the provider's filter, old or young, and the node
 * parameters that select them. A `scope` (0, 1, 2…) keeps several scenarios apart on one mock
 * (its own space, group, message type or template-name prefix), for the one-workflow e2e test.
 */

export const DAY = 86_400_000;
/** Older Than in every scenario: 30 days. Old items are 40 days old, young ones 1 day. */
export const OLD = () => Date.now() - 40 * DAY;
export const YOUNG = () => Date.now() - DAY;

export interface ItemKind {
	/** Passes the provider's own filter (read notification, chat, SMS, rejected template). */
	match: boolean;
	/** Older than 30 days. */
	old: boolean;
}

export interface FilterEnv {
	readonly provider: string;
	readonly name: string;
	readonly mock: MockServer;
	readonly pageSize: number;
	readonly listPath: RegExp;
	readonly deletePath: RegExp;
	/** `count` items of this kind in `scope`; returns their IDs. */
	seed(count: number, kind: ItemKind, scope?: number): string[];
	/** By Filter parameters selecting the matching kind in `scope`, 30 days old or more. */
	parameters(scope?: number, extra?: INodeParameters, options?: INodeParameters): INodeParameters;
	/** By Filter parameters that set every filter the provider offers, for `seedStrict`'s items. */
	strictParameters(
		scope?: number,
		extra?: INodeParameters,
		options?: INodeParameters,
	): INodeParameters;
	/**
	 * `count` items in `scope` that pass every filter `strictParameters` sets, and for each filter
	 * the node sends (keyed by its name as sent: query parameter, or `spaceId` / `groupId` for the
	 * path) `count` items that fail that filter only; `age` (Older Than) too.
	 */
	seedStrict(
		count: number,
		scope?: number,
	): { matches: string[]; misses: Record<string, string[]> };
	/** Every ID the mock holds now. */
	held(): string[];
	credentials(): CredentialInstance[];
	exists(id: string): boolean;
	removed(id: string): boolean;
	/** Someone else deletes these, not the node. */
	deleteElsewhere(ids: string[]): void;
	/** IDs one delete request carried. */
	idsOf(request: MockRequest): string[];
	close(): Promise<void>;
}

const FAST: INodeParameters = { retryDelay: 5, requestsPerSecond: 0, timeout: 10000 };
const byFilter = (extra: INodeParameters, options: INodeParameters): INodeParameters => ({
	select: 'byFilter',
	olderThan: 30,
	olderThanUnit: 'days',
	...extra,
	options: { ...FAST, ...options },
});

/** An env's `parameters`: the provider's own for a scope, then By Filter with the scope's filter
 * (`extra` may override any of them). */
const parametersFor =
	(own: (scope: number) => INodeParameters, filter: (scope: number) => INodeParameters) =>
	(scope = 0, extra: INodeParameters = {}, options: INodeParameters = {}): INodeParameters => ({
		...own(scope),
		...byFilter({ ...filter(scope), ...extra }, options),
	});

/** Starts a mock and hands it back. */
async function started<M extends { start(): Promise<unknown> }>(mock: M): Promise<M> {
	await mock.start();
	return mock;
}

export const HUAWEI_FILTER_PROJECT = '0123456789abcdef0123456789abcdef';

export async function startQuectel(): Promise<FilterEnv> {
	const mock = await started(new QuectelMock());
	let n = 0;
	const parameters = parametersFor(
		() => ({ provider: 'quectel', quectelAuthentication: 'account' }),
		(scope) => ({ quectelMsgType: scope + 1, quectelReadStatus: 'read' }),
	);
	return {
		provider: 'quectel',
		name: 'Quectel IoT',
		mock,
		pageSize: 100,
		listPath: /\/userMsgList$/,
		deletePath: /\/batchDeleteMsg$/,
		seed(count, kind, scope = 0) {
			const time = kind.old ? OLD() : YOUNG();
			return Array.from({ length: count }, () => {
				const id = `17${String(scope)}${String(++n).padStart(8, '0')}`;
				// Spread over a few minutes so the newest-first order interleaves kinds.
				mock.add({
					id,
					title: `Door ${n} opened`,
					msgType: scope + 1,
					isRead: kind.match,
					addTime: time - ((n * 7919) % 600_000),
				});
				return id;
			});
		},
		parameters,
		strictParameters: parameters,
		seedStrict(count, scope = 0) {
			const add = (msgType: number, isRead: boolean, time: number) =>
				Array.from({ length: count }, () => {
					const id = `18${String(scope)}${String(++n).padStart(8, '0')}`;
					mock.add({
						id,
						title: `Valve ${n} closed`,
						msgType,
						isRead,
						addTime: time - ((n * 7919) % 600_000),
					});
					return id;
				});
			return {
				matches: add(scope + 1, true, OLD()),
				misses: {
					msgType: add(((scope + 1) % 4) + 1, true, OLD()),
					isRead: add(scope + 1, false, OLD()),
					age: add(scope + 1, true, YOUNG()),
				},
			};
		},
		held: () => [...mock.messages.keys()],
		credentials: () => [
			{
				id: 'quectel-filter',
				name: 'Quectel',
				type: 'quectelAccountApi',
				data: { region: 'custom', baseUrl: mock.baseUrl, ...QUECTEL_TEST_ACCOUNT },
			},
		],
		exists: (id) => mock.messages.has(id),
		removed: (id) => mock.deleted.has(id),
		deleteElsewhere: (ids) => ids.forEach((id) => mock.messages.delete(id)),
		idsOf: (request) => (request.query.get('msgIdList') ?? '').split(',').filter((id) => id !== ''),
		close: async () => await mock.close(),
	};
}

export async function startAvaya(): Promise<FilterEnv> {
	const mock = await started(new AvayaSpacesMock());
	let n = 0;
	const space = (scope: number) => `5e5e538d89fc6dc77aaa1f${String(scope).padStart(2, '0')}`;
	const parameters = parametersFor(
		() => ({ provider: 'avayaSpaces' }),
		(scope) => ({ avayaSpaceId: space(scope), avayaCategory: 'chat' }),
	);
	return {
		provider: 'avayaSpaces',
		name: 'Avaya Spaces',
		mock,
		pageSize: 50,
		listPath: /\/messages\/query$/,
		deletePath: /\/api\/messages\/deletemessages$/,
		seed(count, kind, scope = 0) {
			const time = kind.old ? OLD() : YOUNG();
			return seedAvayaSpace(
				mock,
				space(scope),
				Array.from({ length: count }, () => ({
					created: time - ((++n * 7919) % 600_000),
					category: kind.match ? 'chat' : 'task',
					bodyText: `<p>Stand-up note ${n}</p>`,
				})),
			);
		},
		parameters,
		strictParameters: (scope = 0, extra = {}, options = {}) =>
			parameters(scope, { avayaSearch: 'Quarterly Report', ...extra }, options),
		seedStrict(count, scope = 0) {
			// The text in varied case and markup: the node's check is not case-sensitive.
			const said = () =>
				n % 2 === 0
					? `<p>Notes: the QUARTERLY report ${n}</p>`
					: `<p>quarterly&nbsp;report draft ${n}</p>`;
			const add = (spaceOf: number, category: 'chat' | 'task', text: boolean, time: number) =>
				seedAvayaSpace(
					mock,
					space(spaceOf),
					Array.from({ length: count }, () => ({
						created: time - ((++n * 7919) % 600_000),
						category,
						bodyText: text ? said() : `<p>Stand-up note ${n}</p>`,
					})),
				);
			const young = add(scope, 'chat', true, YOUNG());
			return {
				matches: add(scope, 'chat', true, OLD()),
				misses: {
					category: add(scope, 'task', true, OLD()),
					searchstring: add(scope, 'chat', false, OLD()),
					spaceId: add(scope + 50, 'chat', true, OLD()),
					refTime: young,
					direction: young,
				},
			};
		},
		held: () => [...mock.messages.keys()],
		credentials: () => [
			{
				id: 'avaya-filter',
				name: 'Avaya',
				type: 'avayaSpacesApi',
				data: { environment: 'custom', baseUrl: mock.baseUrl, scheme: 'jwt', token: 'good-jwt' },
			},
		],
		exists: (id) => mock.messages.has(id),
		removed: (id) => mock.deleted.has(id),
		deleteElsewhere: (ids) => ids.forEach((id) => mock.messages.delete(id)),
		idsOf: (request) => (Array.isArray(request.body) ? (request.body as string[]) : []),
		close: async () => await mock.close(),
	};
}

export async function startSolapi(): Promise<FilterEnv> {
	const mock = await started(new SolapiMock());
	let n = 0;
	const group = (scope: number) => `G4VFILTERGROUP${scope}`;
	const parameters = parametersFor(
		(scope) => ({ provider: 'solapi', solapiGroupId: group(scope) }),
		() => ({ solapiMessageType: 'SMS' }),
	);
	return {
		provider: 'solapi',
		name: 'SOLAPI',
		mock,
		pageSize: 500,
		listPath: /^\/messages\/v4\/groups\/[^/]+\/messages$/,
		deletePath: /^\/messages\/v4\/groups\/[^/]+\/messages$/,
		seed(count, kind, scope = 0) {
			const time = kind.old ? OLD() : YOUNG();
			return seedSolapiGroup(
				mock,
				group(scope),
				Array.from({ length: count }, () => ({
					dateCreated: time - ((++n * 7919) % 600_000),
					type: kind.match ? 'SMS' : 'LMS',
					text: `Your code is ${n}`,
				})),
			);
		},
		parameters,
		strictParameters: (scope = 0, extra = {}, options = {}) =>
			parameters(scope, { solapiStatusCode: '4000', ...extra }, options),
		seedStrict(count, scope = 0) {
			const add = (groupOf: number, type: 'SMS' | 'LMS', statusCode: string, time: number) =>
				seedSolapiGroup(
					mock,
					group(groupOf),
					Array.from({ length: count }, () => ({
						dateCreated: time - ((++n * 7919) % 600_000),
						type,
						statusCode,
						text: `Your code is ${n}`,
					})),
				);
			return {
				matches: add(scope, 'SMS', '4000', OLD()),
				misses: {
					type: add(scope, 'LMS', '4000', OLD()),
					statusCode: add(scope, 'SMS', '3059', OLD()),
					groupId: add(scope + 50, 'SMS', '4000', OLD()),
					age: add(scope, 'SMS', '4000', YOUNG()),
				},
			};
		},
		held: () => [...mock.groups.values()].flatMap((ids) => [...ids]),
		credentials: () => [
			{
				id: 'solapi-filter',
				name: 'SOLAPI',
				type: 'solapiApi',
				data: {
					apiKey: 'NCSTESTKEY0000001',
					apiSecret: 'test-api-secret-0123456789',
					baseUrl: mock.baseUrl,
				},
			},
		],
		exists: (id) => mock.holds(id),
		removed: (id) => mock.deleted.has(id),
		deleteElsewhere: (ids) => {
			for (const set of mock.groups.values()) for (const id of ids) set.delete(id);
		},
		idsOf: (request) =>
			request.method === 'DELETE'
				? ((request.body as { messageIds?: string[] } | undefined)?.messageIds ?? [])
				: [],
		close: async () => await mock.close(),
	};
}

export async function startHuawei(): Promise<FilterEnv> {
	const mock = await started(new HuaweiCloudSmsMock());
	let n = 0;
	const parameters = parametersFor(
		() => ({
			provider: 'huaweiCloudSms',
			huaweiCloudAuthentication: 'iamToken',
			huaweiCloudRegion: 'custom',
		}),
		(scope) => ({ huaweiCloudFlowStatus: 'Reject', huaweiCloudTemplateName: `scope${scope}-` }),
	);
	return {
		provider: 'huaweiCloudSms',
		name: 'Huawei Cloud SMS',
		mock,
		pageSize: 50,
		listPath: /\/msgsms\/templates$/,
		deletePath: /\/batch-delete$/,
		seed(count, kind, scope = 0) {
			const time = kind.old ? OLD() : YOUNG();
			return seedHuaweiTemplates(
				mock,
				HUAWEI_FILTER_PROJECT,
				Array.from({ length: count }, () => ({
					createTime: time - ((++n * 7919) % 600_000),
					name: `scope${scope}-promo-${n}`,
					type: 'PROMOTION_TYPE' as const,
					flowStatus: kind.match ? ('Reject' as const) : ('Adopted' as const),
				})),
			);
		},
		parameters,
		strictParameters: (scope = 0, extra = {}, options = {}) =>
			parameters(scope, { huaweiCloudTemplateType: 'PROMOTION_TYPE', ...extra }, options),
		seedStrict(count, scope = 0) {
			type Seed = Parameters<typeof seedHuaweiTemplates>[2][number];
			const add = (
				named: boolean,
				type: Seed['type'],
				flowStatus: Seed['flowStatus'],
				time: number,
			) =>
				seedHuaweiTemplates(
					mock,
					HUAWEI_FILTER_PROJECT,
					Array.from({ length: count }, () => ({
						createTime: time - ((++n * 7919) % 600_000),
						name: named ? `scope${scope}-sale-${n}` : `sale-scope${scope}_${n}`,
						type,
						flowStatus,
					})),
				);
			return {
				matches: add(true, 'PROMOTION_TYPE', 'Reject', OLD()),
				misses: {
					flow_status: add(true, 'PROMOTION_TYPE', 'Adopted', OLD()),
					template_type: add(true, 'NOTIFY_TYPE', 'Reject', OLD()),
					template_name: add(false, 'PROMOTION_TYPE', 'Reject', OLD()),
					age: add(true, 'PROMOTION_TYPE', 'Reject', YOUNG()),
				},
			};
		},
		held: () => [...(mock.templates.get(HUAWEI_FILTER_PROJECT) ?? [])],
		credentials: () => [
			{
				id: 'hw-filter',
				name: 'Huawei IAM',
				type: 'huaweiCloudIamApi',
				data: mock.iamCredentialData(HUAWEI_FILTER_PROJECT),
			},
		],
		exists: (id) => mock.holds(id),
		removed: (id) => mock.deleted.has(id),
		deleteElsewhere: (ids) => {
			for (const set of mock.templates.values()) for (const id of ids) set.delete(id);
		},
		idsOf: (request) => (request.body as { ids?: string[] } | undefined)?.ids ?? [],
		close: async () => await mock.close(),
	};
}

export const FILTER_ENVS: Array<{ id: string; start: () => Promise<FilterEnv> }> = [
	{ id: 'avayaSpaces', start: startAvaya },
	{ id: 'solapi', start: startSolapi },
	{ id: 'quectel', start: startQuectel },
	{ id: 'huaweiCloudSms', start: startHuawei },
];

/**
 * The node's contract for a By Filter run: every output ID once, paired with item 0; Success only
 * for what is gone, `deleted` only for what this run removed; and every ID it names was a match.
 */
export function checkFilterInvariant(
	env: FilterEnv,
	outputs: { success: INodeExecutionData[]; failure: INodeExecutionData[] },
	matches: Iterable<string>,
): string[] {
	const ids = [...outputs.success, ...outputs.failure]
		.map((i) => i.json.id)
		.filter((id): id is string => typeof id === 'string');
	const allowed = new Set(matches);
	const stranger = ids.find((id) => !allowed.has(id));
	if (stranger !== undefined)
		throw new Error(`${env.provider}: output names ${stranger}, which did not match the filters`);
	assertInvariant({
		idsByItem: [ids],
		success: outputs.success,
		failure: outputs.failure,
		removedByRun: env.removed,
		isGone: (id) => !env.exists(id),
	});
	return ids;
}

/** The listed fields every output item carries. */
export function listedFields(json: IDataObject): IDataObject {
	return { title: json.title, time: json.time, type: json.type };
}
