import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { CredentialInstance } from '../harness';
import { AvayaSpacesMock } from '../mocks/avayaSpaces';
import { HuaweiCloudSmsMock, throttled as huaweiThrottled } from '../mocks/huaweiCloudSms';
import type { Fault, MockReply, MockRequest, MockServer } from '../mocks/mockServer';
import { QUECTEL_TEST_ACCOUNT, QuectelMock } from '../mocks/quectel';
import { SolapiMock } from '../mocks/solapi';
import { WECHAT_TEST_APP, WeChatMock } from '../mocks/weChat';
import { assertInvariant } from '../support/invariant';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * One adapter per provider: how to start its mock, seed targets, build the node's parameters and
 * credentials, and how the provider throttles, expires a token, rejects a batch or stops a run.
 * The fault matrix, the property tests, the bad-input catalogue and the cancellation tests all
 * drive the real node (inside n8n's engine, through n8n's request helpers) through these.
 */

/** A rule the mock applies before its handler on every request (poison, counters, random faults). */
type Hook = (request: MockRequest) => Fault | undefined;

export interface ProviderEnv {
	readonly provider: string;
	readonly mock: MockServer;
	/** Delete requests only (not logins, not token fetches). */
	readonly deletePath: RegExp;
	/** The node's largest batch for this provider (1 for WeChat). */
	readonly maxBatch: number;
	/** The item field the node reads IDs from with these parameters. */
	readonly idField: string;
	/** Longest ID the provider accepts (WeChat: digits of a msg_id). */
	readonly maxIdLength: number;
	/** Create `n` targets that exist on the provider; returns the IDs a user would give. */
	seed(n: number): string[];
	/** `n` well-formed IDs the provider does not hold. */
	missing(n: number): string[];
	/** The provider answers an ID it does not hold without saying it does not exist (WeChat 40059
	 * "invalid msg id"), so those IDs end `rejected` on Failure, not `notFound`/`alreadyGone`. */
	readonly missingRejected?: boolean;
	/** Input items naming these IDs, `perItem` to an item (WeChat: one per item, always). */
	items(ids: Array<string | number>, perItem?: number): IDataObject[];
	/** The node's parameters with these options. */
	parameters(options?: INodeParameters, extra?: INodeParameters): INodeParameters;
	/** Credentials as a user saves them (refreshable kind unless `static`). */
	credentials(kind?: 'default' | 'static'): CredentialInstance[];
	/** The target an input ID names (WeChat: `msgId#0`), as the invariant compares them. */
	keyOf(id: string): string;
	/** The target an output item stands for. */
	outputKey(json: IDataObject): string;
	/** Whether this mock really removed the target. */
	removed(key: string): boolean;
	/** Whether the target no longer exists on the mock. */
	isGone(key: string): boolean;
	/** IDs one delete request carried. */
	idsOf(request: MockRequest): string[];
	/** The provider's own throttle answer (one request). */
	throttle(): Fault;
	/** What "throttle" means for this provider, for the README. */
	readonly throttleNote: string;
	/** The token (or signature) stops working after `after` more delete calls; the node should recover. */
	expireToken(after: number): void;
	readonly expireNote: string;
	/** Whether the node gets past an expired token (it can fetch a new one or re-sign). */
	readonly expireRecovers: boolean;
	/** Nothing more can succeed after `after` delete calls (quota, revoked access): the run must stop. */
	stopAfter(after: number): void;
	readonly stopNote: string;
	/** Reject, as a whole batch and without naming an ID, every batch that holds one of these. */
	rejectBatchesHolding(ids: string[]): void;
	readonly rejectNote: string;
	/** The answer to a batch, rewritten to leave these IDs out. */
	omit(reply: MockReply, ids: string[]): MockReply;
	/** The answer to a batch, rewritten to also confirm IDs that were not sent. */
	addForeign(reply: MockReply, ids: string[]): MockReply;
	/** A hostile answer that echoes the request back: headers, query and body. */
	echo(request: MockRequest): MockReply;
	/** Add a persistent per-request rule. */
	hook(rule: Hook): void;
	close(): Promise<void>;
}

export interface ProviderAdapter {
	id: string;
	name: string;
	/** The HTTP status the provider refuses a bad credential with, where it uses one (Quectel and
	 * WeChat answer 200 with an error code in the body). */
	refusalStatus?: number;
	start(): Promise<ProviderEnv>;
}

/** Options every reliability run uses: no waits beyond what a cell is about. */
export const FAST: INodeParameters = { retryDelay: 5, requestsPerSecond: 0, timeout: 5000 };

let serial = 0;
const next = () => ++serial;

/** The shared part of every env: the started mock, hooks on its schedule, IDs unique to the env,
 * and the members every env has alike (`shared`, spread first so an adapter may override them). */
async function base<M extends MockServer>(mock: M) {
	await mock.start();
	const run = next();
	let n = 0;
	const hooks: Hook[] = [];
	mock.schedule = (request) => {
		for (const hook of hooks) {
			const fault = hook(request);
			if (fault !== undefined) return fault;
		}
		return undefined;
	};
	const hook = (rule: Hook) => void hooks.push(rule);
	return {
		mock,
		/** `k` fresh IDs: `format(run, n)`, `run` this env's number, `n` a counter it never repeats. */
		ids: (k: number, format: (run: number, n: number) => string) =>
			Array.from({ length: k }, () => format(run, n++)),
		hook,
		/** Runs `then` once, just before the delete call numbered `after + 1` (from now) is handled. */
		onDeleteCall: (deletePath: RegExp, after: number, then: () => Fault | undefined) => {
			let seen = 0;
			let done = false;
			hooks.push((request) => {
				if (done || !deletePath.test(request.path)) return undefined;
				if (seen++ < after) return undefined;
				done = true;
				return then();
			});
		},
		/** An env's seed, missing, items and parameters for IDs that `add` puts on the mock; `fixed()`
		 * gives the provider's parameters at call time, items name their IDs in `idField`. */
		targets: (spec: {
			ids: (k: number, prefix: string) => string[];
			add: (part: string[]) => void;
			prefixes: [seed: string, missing: string];
			idField: string;
			fixed: () => INodeParameters;
		}) => ({
			idField: spec.idField,
			seed(k: number) {
				const made = spec.ids(k, spec.prefixes[0]);
				eachChunk(made, spec.add);
				return made;
			},
			missing: (k: number) => spec.ids(k, spec.prefixes[1]),
			items: (values: Array<string | number>, perItem = 50) =>
				chunk(values, perItem).map((id) => ({ [spec.idField]: id })),
			parameters: (options: INodeParameters = {}, extra: INodeParameters = {}) => ({
				...spec.fixed(),
				idField: spec.idField,
				...extra,
				options: { ...FAST, ...options },
			}),
		}),
		shared: {
			keyOf: (id: string) => id,
			outputKey: (json: IDataObject) => String(json.id),
			hook,
			close: async () => await mock.close(),
		},
	};
}

/** Spread into a mock's `add(...ids)` a chunk at a time: 200,000 arguments overflow the stack. */
const eachChunk = (values: string[], add: (part: string[]) => void) => {
	for (let i = 0; i < values.length; i += 10_000) add(values.slice(i, i + 10_000));
};

const chunk = <T>(values: T[], size: number): T[][] => {
	const out: T[][] = [];
	for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
	return out;
};

/** What a careless provider might put in an error: the auth headers first (answers are cut to 500
 * characters), then the query (WeChat's access_token), the body and every header. */
const echoText = (request: MockRequest) =>
	`echo: Authorization: ${String(request.headers.authorization ?? '')} X-Auth-Token: ${String(request.headers['x-auth-token'] ?? '')} ${request.path}?${request.query.toString()} ${request.rawBody} ${JSON.stringify(request.headers)}`;

// ---- Avaya Spaces ----

export const avaya: ProviderAdapter = {
	id: 'avayaSpaces',
	name: 'Avaya Spaces',
	refusalStatus: 401,
	async start() {
		const b = await base(new AvayaSpacesMock());
		const mock = b.mock;
		const deletePath = /\/api\/messages\/deletemessages$/;
		const ids = (k: number, prefix: string) => b.ids(k, (run, n) => `${prefix}${run}x${n}`);
		const reply = (r: MockReply) => r.body as { deletedMessages: string[] };
		return {
			...b.shared,
			provider: 'avayaSpaces',
			mock,
			deletePath,
			maxBatch: 100,
			maxIdLength: 128,
			...b.targets({
				ids,
				add: (part) => mock.add(...part),
				prefixes: ['av', 'avmiss'],
				idField: 'id',
				fixed: () => ({ provider: 'avayaSpaces' }),
			}),
			credentials: () => [
				{
					id: 'avaya',
					name: 'Avaya',
					type: 'avayaSpacesApi',
					data: { environment: 'custom', baseUrl: mock.baseUrl, scheme: 'jwt', token: 'good-jwt' },
				},
			],
			removed: (id) => mock.deleted.has(id),
			isGone: (id) => !mock.messages.has(id),
			idsOf: (request) => (Array.isArray(request.body) ? (request.body as string[]) : []),
			throttle: () => ({
				kind: 'reply',
				status: 429,
				body: { code: 'rate_limited', message: 'Too many requests' },
				path: deletePath,
			}),
			throttleNote: 'HTTP 429 without Retry-After (undocumented; backoff)',
			expireToken: (after) =>
				b.onDeleteCall(deletePath, after, () => void mock.tokens.delete('jwt good-jwt')),
			expireRecovers: false,
			expireNote: 'static JWT revoked: 401, cannot refresh, run stops',
			stopAfter: (after) =>
				b.onDeleteCall(deletePath, after, () => void mock.tokens.delete('jwt good-jwt')),
			stopNote: 'token revoked mid-run (401)',
			rejectBatchesHolding: (poison) => poison.forEach((id) => mock.poison.add(id)),
			rejectNote: 'HTTP 400 api_bad_request_input',
			omit: (r, drop) => ({
				...r,
				body: {
					...reply(r),
					deletedMessages: reply(r).deletedMessages.filter((id) => !drop.includes(id)),
				},
			}),
			addForeign: (r, extra) => ({
				...r,
				body: { ...reply(r), deletedMessages: [...reply(r).deletedMessages, ...extra] },
			}),
			echo: (request) => ({
				status: 400,
				body: {
					error: { code: 'api_bad_request_input', message: echoText(request) },
					reason: echoText(request),
				},
			}),
		};
	},
};

// ---- SOLAPI ----

export const SOLAPI_GROUP = 'G4VRELIABILITYGROUP';

export const solapi: ProviderAdapter = {
	id: 'solapi',
	name: 'SOLAPI',
	refusalStatus: 403,
	async start() {
		const b = await base(new SolapiMock());
		const mock = b.mock;
		const deletePath = /^\/(messages\/v4\/groups|GroupMessage\/3\/group)\//;
		const ids = (k: number, prefix: string) => b.ids(k, (run, n) => `${prefix}${run}X${n}`);
		const idsOf = (request: MockRequest): string[] => {
			const body = request.body as
				| { messageIds?: string[]; messages?: Array<{ messageId: string }> }
				| undefined;
			return body?.messageIds ?? body?.messages?.map((m) => m.messageId) ?? [];
		};
		const list = (r: MockReply) =>
			(r.body as { resultList: Array<{ messageId: string; resultCode: string }> }).resultList;
		return {
			...b.shared,
			provider: 'solapi',
			mock,
			deletePath,
			maxBatch: 1000,
			maxIdLength: 128,
			...b.targets({
				ids,
				add: (part) => mock.addGroup(SOLAPI_GROUP, ...part),
				prefixes: ['M4V', 'M4VMISS'],
				idField: 'id',
				fixed: () => ({ provider: 'solapi', solapiGroupId: SOLAPI_GROUP }),
			}),
			credentials: () => [
				{
					id: 'solapi',
					name: 'SOLAPI',
					type: 'solapiApi',
					data: {
						apiKey: 'NCSTESTKEY0000001',
						apiSecret: 'test-api-secret-0123456789',
						baseUrl: mock.baseUrl,
					},
				},
			],
			removed: (id) => mock.deleted.has(id),
			isGone: (id) => !mock.holds(id),
			idsOf,
			throttle: () => ({
				kind: 'reply',
				status: 429,
				body: { errorCode: 'TooManyRequests', errorMessage: 'Too many requests' },
				headers: { 'x-retry-after': '0' },
				path: deletePath,
			}),
			throttleNote: 'HTTP 429 TooManyRequests with x-retry-after',
			expireToken: (after) =>
				b.onDeleteCall(deletePath, after, () => {
					mock.duplicateNext = 1;
					return undefined;
				}),
			expireRecovers: true,
			expireNote: 'signature refused (403 DuplicatedSignature): signed again, resent',
			stopAfter: (after) => b.onDeleteCall(deletePath, after, () => void mock.keys.clear()),
			stopNote: 'API key revoked mid-run (403 InvalidAPIKey)',
			rejectBatchesHolding: (poison) =>
				b.hook((request) =>
					deletePath.test(request.path) && idsOf(request).some((id) => poison.includes(id))
						? {
								kind: 'reply',
								status: 400,
								body: {
									errorCode: 'ValidationError',
									errorMessage: 'Invalid message ID in the request',
								},
							}
						: undefined,
				),
			rejectNote: 'HTTP 400 ValidationError',
			omit: (r, drop) => ({
				...r,
				body: {
					...(r.body as IDataObject),
					resultList: list(r).filter((e) => !drop.includes(e.messageId)),
				},
			}),
			addForeign: (r, extra) => ({
				...r,
				body: {
					...(r.body as IDataObject),
					resultList: [
						...list(r),
						...extra.map((messageId) => ({ messageId, resultCode: 'Success' })),
					],
				},
			}),
			echo: (request) => ({
				status: 400,
				body: { errorCode: 'ValidationError', errorMessage: echoText(request) },
			}),
		};
	},
};

// ---- Quectel ----

export const quectel: ProviderAdapter = {
	id: 'quectel',
	name: 'Quectel IoT',
	async start() {
		const b = await base(new QuectelMock());
		const mock = b.mock;
		const deletePath = /\/batchDeleteMsg$/;
		const ids = (k: number, prefix: string) =>
			b.ids(k, (run, n) => `${prefix}${run}0${String(n).padStart(4, '0')}`);
		const idsOf = (request: MockRequest) =>
			(request.query.get('msgIdList') ?? '').split(',').filter((id) => id !== '');
		const data = (r: MockReply) =>
			(r.body as { data: { successList?: Array<{ id: string }>; failureList?: unknown[] } | null })
				.data ?? {};
		let pastedToken: string | undefined;
		const env: ProviderEnv = {
			...b.shared,
			provider: 'quectel',
			mock,
			deletePath,
			maxBatch: 100,
			maxIdLength: 64,
			...b.targets({
				ids,
				add: (part) => mock.add(...part),
				prefixes: ['1718', '1719'],
				idField: 'msgId',
				fixed: () => ({
					provider: 'quectel',
					quectelAuthentication: pastedToken === undefined ? 'account' : 'token',
				}),
			}),
			credentials(kind = 'default') {
				if (kind === 'static' || pastedToken !== undefined) {
					pastedToken ??= mock.issueToken();
					return [
						{
							id: 'quectel-token',
							name: 'Quectel token',
							type: 'quectelTokenApi',
							data: { region: 'custom', baseUrl: mock.baseUrl, accessToken: pastedToken },
						},
					];
				}
				return [
					{
						id: 'quectel',
						name: 'Quectel',
						type: 'quectelAccountApi',
						data: { region: 'custom', baseUrl: mock.baseUrl, ...QUECTEL_TEST_ACCOUNT },
					},
				];
			},
			removed: (id) => mock.deleted.has(id),
			isGone: (id) => !mock.messages.has(id),
			idsOf,
			// No throttle is documented; a gateway in front would answer 429.
			throttle: () => ({
				kind: 'reply',
				status: 429,
				body: { code: 429, msg: 'Too Many Requests' },
				path: deletePath,
			}),
			throttleNote: 'none documented: gateway HTTP 429',
			expireToken: (after) => mock.expireTokensAfter(after),
			expireRecovers: true,
			expireNote: 'access token expires (5032 in HTTP 200): logged in again, resent',
			stopAfter(after) {
				// The pasted-token credential cannot log in again: its token expiring ends the run.
				env.credentials('static');
				mock.expireTokensAfter(after);
			},
			stopNote: 'pasted access token expires (5032), no login to refresh it',
			rejectBatchesHolding: (poison) =>
				b.hook((request) =>
					deletePath.test(request.path) && idsOf(request).some((id) => poison.includes(id))
						? {
								kind: 'reply',
								status: 400,
								body: { code: 400, msg: 'Bad Request', extMsg: 'msgIdList is invalid' },
							}
						: undefined,
				),
			rejectNote: 'HTTP 400 for the batch',
			omit: (r, drop) => ({
				...r,
				body: {
					...(r.body as IDataObject),
					data: {
						...data(r),
						successList: (data(r).successList ?? []).filter((e) => !drop.includes(e.id)),
					},
				},
			}),
			addForeign: (r, extra) => ({
				...r,
				body: {
					...(r.body as IDataObject),
					data: {
						...data(r),
						successList: [...(data(r).successList ?? []), ...extra.map((id) => ({ id }))],
					},
				},
			}),
			echo: (request) => ({
				status: 200,
				body: {
					code: 4000,
					msg: echoText(request),
					extMsg: String(request.headers.authorization ?? ''),
					data: null,
				},
			}),
		};
		return env;
	},
};

// ---- WeChat Official Account ----

export const weChat: ProviderAdapter = {
	id: 'weChatOfficialAccount',
	name: 'WeChat Official Account',
	async start() {
		const b = await base(new WeChatMock());
		const mock = b.mock;
		const deletePath = /\/cgi-bin\/message\/mass\/delete$/;
		const ids = (k: number, prefix: number) =>
			b.ids(k, (run, n) => `${prefix}${run}${String(n).padStart(5, '0')}`);
		const idOf = (request: MockRequest): string[] => {
			const body = request.body as { msg_id?: unknown; url?: unknown } | undefined;
			if (body?.msg_id !== undefined) return [String(body.msg_id)];
			// A msg_id too large for a JavaScript number is written out by hand.
			const raw = /"msg_id":(\d+)/.exec(request.rawBody);
			if (raw) return [raw[1]];
			return typeof body?.url === 'string' ? [body.url] : [];
		};
		return {
			...b.shared,
			provider: 'weChatOfficialAccount',
			mock,
			deletePath,
			maxBatch: 1,
			idField: 'msg_id',
			maxIdLength: 20,
			seed(k) {
				const made = ids(k, 1000);
				eachChunk(made, (part) => mock.add(...part));
				return made;
			},
			missing: (k) => ids(k, 2000),
			missingRejected: true,
			// One target per item: msg_id with article_idx are per item.
			items: (values) => values.map((msg_id) => ({ msg_id })),
			parameters: (options = {}, extra = {}) => ({
				provider: 'weChatOfficialAccount',
				...extra,
				options: { ...FAST, ...options },
			}),
			credentials: () => [
				{
					id: 'wechat',
					name: 'WeChat',
					type: 'weChatOfficialAccountApi',
					data: { ...WECHAT_TEST_APP, baseUrl: mock.baseUrl },
				},
			],
			keyOf: (id) => (/^\d+$/.test(id) ? `${id}#0` : `url:${id}`),
			outputKey: (json) =>
				/^\d+$/.test(String(json.id))
					? `${String(json.id)}#${String(json.article_idx ?? 0)}`
					: `url:${String(json.id)}`,
			removed: (key) => mock.deleted.has(key),
			isGone: (key) => mock.isGone(key),
			idsOf: idOf,
			throttle: () => ({
				kind: 'reply',
				status: 200,
				body: {
					errcode: 45011,
					errmsg: 'api minute-quota reach limit  mustslower  retry next minute',
				},
				path: deletePath,
			}),
			throttleNote: 'errcode 45011 (minute quota) in HTTP 200',
			expireToken: (after) => mock.expireTokensAfter(after),
			expireRecovers: true,
			expireNote: 'access token expires (42001 in HTTP 200): fetched again, resent',
			stopAfter(after) {
				mock.usedToday = 0;
				mock.dailyQuota = after;
			},
			stopNote: 'daily quota reached (45009)',
			rejectBatchesHolding: (poison) =>
				b.hook((request) =>
					deletePath.test(request.path) && idOf(request).some((id) => poison.includes(id))
						? { kind: 'reply', status: 400, body: { errcode: 40035, errmsg: 'invalid args' } }
						: undefined,
				),
			rejectNote: 'HTTP 400 (one message per call: nothing to split)',
			// One message per call: an answer that leaves the ID out is one without errcode.
			omit: (r, drop) => (drop.length === 0 ? r : { ...r, body: { errmsg: 'ok' } }),
			addForeign: (r, extra) => ({
				...r,
				body: { ...(r.body as IDataObject), msg_id: extra[0], deleted: extra },
			}),
			echo: (request) => ({ status: 200, body: { errcode: 40035, errmsg: echoText(request) } }),
		};
	},
};

// ---- Huawei Cloud SMS ----

export const HUAWEI_PROJECT = '0123456789abcdef0123456789abcdef';

export const huawei: ProviderAdapter = {
	id: 'huaweiCloudSms',
	name: 'Huawei Cloud SMS',
	refusalStatus: 401,
	async start() {
		const b = await base(new HuaweiCloudSmsMock());
		const mock = b.mock;
		const deletePath = /\/batch-delete$/;
		const ids = (k: number, prefix: string) =>
			b.ids(k, (run, n) => `${prefix}${run}-${String(n).padStart(4, '0')}-37eb-4229`);
		const answer = (r: MockReply) => r.body as { success_ids: string[]; success_count: number };
		let akSk = false;
		return {
			...b.shared,
			provider: 'huaweiCloudSms',
			mock,
			deletePath,
			maxBatch: 50,
			maxIdLength: 64,
			...b.targets({
				ids,
				add: (part) => mock.addTemplates(HUAWEI_PROJECT, ...part),
				prefixes: ['tpl', 'tplmiss'],
				idField: 'id',
				fixed: () => ({
					provider: 'huaweiCloudSms',
					huaweiCloudAuthentication: akSk ? 'akSk' : 'iamToken',
					huaweiCloudRegion: 'custom',
				}),
			}),
			credentials(kind = 'default') {
				if (kind === 'static') {
					akSk = true;
					return [
						{
							id: 'hw-aksk',
							name: 'Huawei AK/SK',
							type: 'huaweiCloudAkSkApi',
							data: {
								accessKey: 'HPUAEXAMPLEAK0000001',
								endpointUrl: mock.baseUrl,
								secretKey: 'exampleSecretKey0123456789abcdefghijklmn',
								projectId: HUAWEI_PROJECT,
							},
						},
					];
				}
				return [
					{
						id: 'hw-iam',
						name: 'Huawei IAM',
						type: 'huaweiCloudIamApi',
						data: mock.iamCredentialData(HUAWEI_PROJECT),
					},
				];
			},
			removed: (id) => mock.deleted.has(id),
			isGone: (id) => !mock.holds(id),
			idsOf: (request) => (request.body as { ids?: string[] } | undefined)?.ids ?? [],
			throttle: huaweiThrottled,
			throttleNote: 'HTTP 429 APIG.0308',
			expireToken: (after) => void (mock.expireTokensAfter = after),
			expireRecovers: true,
			expireNote: 'IAM token expires (401 APIG.0301): fetched again, resent',
			stopAfter(after) {
				// From then on, every delete is refused: the IAM user lost the permission.
				let seen = 0;
				b.hook((request) =>
					deletePath.test(request.path) && seen++ >= after
						? {
								kind: 'reply',
								status: 403,
								body: {
									error_code: 'APIG.0302',
									error_msg: 'The IAM user is not authorized to access the API',
								},
							}
						: undefined,
				);
			},
			stopNote: 'permission withdrawn mid-run (403 APIG.0302)',
			rejectBatchesHolding: (poison) => poison.forEach((id) => mock.poison.add(id)),
			rejectNote: 'HTTP 400 MSGSMS.0002',
			omit: (r, drop) => {
				const kept = answer(r).success_ids.filter((id) => !drop.includes(id));
				return {
					...r,
					body: { ...(r.body as IDataObject), success_ids: kept, success_count: kept.length },
				};
			},
			addForeign: (r, extra) => ({
				...r,
				body: { ...(r.body as IDataObject), success_ids: [...answer(r).success_ids, ...extra] },
			}),
			echo: (request) => ({
				status: 400,
				body: {
					error_code: 'MSGSMS.0002',
					error_msg: echoText(request),
					error_detail: String(request.headers['x-auth-token'] ?? ''),
				},
			}),
		};
	},
};

export const ADAPTERS: ProviderAdapter[] = [avaya, solapi, quectel, weChat, huawei];

// ---- faults by name (property tests and the long run draw them at random) ----

export const FAULT_KINDS = [
	'http500',
	'http503',
	'retryAfter0',
	'throttle',
	'resetBefore',
	'resetAfter',
	'malformedApplied',
	'malformed',
	'hang',
	'omit',
	'foreign',
	'batch400',
	'echo',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One delete request's fault. `inputIds` are IDs the run was given (a foreign answer names one). */
export function faultFor(
	env: ProviderEnv,
	kind: FaultKind,
	all: string[],
	request: MockRequest,
): Fault {
	switch (kind) {
		case 'http500':
			return { kind: 'reply', status: 500, body: { message: 'internal error' } };
		case 'http503':
			return {
				kind: 'reply',
				status: 503,
				body: 'unavailable',
				headers: { 'content-type': 'text/plain' },
			};
		case 'retryAfter0':
			return {
				kind: 'reply',
				status: 429,
				body: { message: 'slow down' },
				headers: { 'retry-after': '0' },
			};
		case 'throttle':
			return { ...env.throttle(), path: undefined };
		case 'resetBefore':
			return { kind: 'resetBeforeApply' };
		case 'resetAfter':
			return { kind: 'resetAfterApply' };
		case 'malformedApplied':
			return { kind: 'malformed', applied: true };
		case 'malformed':
			return { kind: 'malformed', applied: false };
		case 'hang':
			return { kind: 'hang' };
		case 'omit':
			return {
				kind: 'rewrite',
				rewrite: (reply, request) =>
					reply.status === 200 ? env.omit(reply, env.idsOf(request).slice(0, 1)) : reply,
			};
		case 'foreign':
			return {
				kind: 'rewrite',
				rewrite: (reply) =>
					reply.status === 200
						? env.addForeign(reply, [...all.slice(-1), 'GHOST0000000001'])
						: reply,
			};
		case 'batch400':
			return {
				kind: 'reply',
				status: 400,
				body: { message: 'bad request', errorCode: 'ValidationError', error_code: 'MSGSMS.0002' },
			};
		case 'echo':
			// Refused (nothing applied) with an answer that echoes the request.
			return { kind: 'reply', ...env.echo(request) };
	}
}

// ---- running and checking ----

export interface RunInput {
	/** For each input item, the IDs it names (the invariant's `idsByItem`, as input IDs). */
	items: IDataObject[];
	idsByItem: string[][];
	options?: INodeParameters;
	extra?: INodeParameters;
	credentials?: 'default' | 'static';
	continueOnFail?: boolean;
}

/** Run the node once against the env's mock (the secret scan runs inside). */
export async function runOn(env: ProviderEnv, input: RunInput): Promise<BatchDeleteRun> {
	// Credentials first: choosing the static kind also sets the node's authentication parameter.
	const credentials = env.credentials(input.credentials);
	return await runBatchDelete({
		parameters: env.parameters(input.options, input.extra),
		items: input.items,
		credentials,
		continueOnFail: input.continueOnFail,
	});
}

const rekey = (env: ProviderEnv, items: INodeExecutionData[]): INodeExecutionData[] =>
	items.map((item) => ({
		...item,
		json: { ...item.json, id: item.json.id === null ? null : env.outputKey(item.json) },
	}));

/**
 * The node's contract, checked against what the mock really did:
 * - every input target is in exactly one output item, paired with the items that named it;
 * - Success holds only targets that are gone, and `deleted` only those this mock removed;
 * - a target the mock removed has an output item on Success or marked `unknown`: a removal the
 *   node could not confirm says `unknown`, never `error`, `rejected`, `notFound` or
 *   `notAttempted` (with dedupe off, a later occurrence of the same ID may say `notFound`).
 */
export function checkInvariant(
	env: ProviderEnv,
	result: BatchDeleteRun,
	idsByItem: string[][],
	dedupe = true,
): void {
	const keysByItem = idsByItem.map((ids) => ids.map((id) => env.keyOf(id)));
	const success = rekey(env, result.success);
	const failure = rekey(env, result.failure);
	assertInvariant({
		idsByItem: keysByItem,
		success,
		failure,
		removedByRun: env.removed,
		isGone: env.isGone,
		dedupe,
		keyOf: (json) => String(json.id),
	});
	const honest = new Set(
		[...success, ...failure.filter((item) => item.json.status === 'unknown')].map((item) =>
			String(item.json.id),
		),
	);
	for (const item of failure) {
		const key = String(item.json.id);
		if (item.json.id === null || honest.has(key)) continue;
		if (env.removed(key)) {
			throw new Error(
				`Target ${key} was removed by the mock but is on Failure as ${String(item.json.status)} (${String(item.json.code)}), not unknown`,
			);
		}
	}
}

/** Output items by target key. */
export function byKey(env: ProviderEnv, result: BatchDeleteRun): Map<string, IDataObject> {
	const out = new Map<string, IDataObject>();
	for (const item of [...result.success, ...result.failure])
		if (item.json.id !== null) out.set(env.outputKey(item.json), item.json);
	return out;
}

/** Statuses by input ID. */
export function statusOf(env: ProviderEnv, result: BatchDeleteRun, ids: string[]): string[] {
	const map = byKey(env, result);
	return ids.map((id) => String(map.get(env.keyOf(id))?.status));
}
