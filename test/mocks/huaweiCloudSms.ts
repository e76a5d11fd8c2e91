import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { createHash, createHmac, randomBytes } from 'node:crypto';

import type { Fault, MockReply, MockRequest } from './mockServer';
import { huaweiListReply } from './huaweiCloudSmsList';
import { MockServer } from './mockServer';

/**
 * Huawei Cloud IAM + Message & SMS, as its API documents and the official SDK describe them:
 * - `POST /v3/auth/tokens` with the documented password body → 201, token in `X-Subject-Token`,
 *   body `{token:{expires_at, project:{id, name}}}`; 401 for a wrong user, password or account;
 * - `GET /v3/auth/projects` (the IAM credential's test) and
 *   `GET /v2/{project_id}/msgsms/templates` (the AK/SK credential's test);
 * - `POST /v2/{project_id}/msgsms/templates/batch-delete`: `Content-Type:
 *   application/json;charset=utf8`, `{ids}` with 1–50 IDs of at most 64 characters, answered
 *   `{success_count, success_ids, failed_count, failed_template_list:[{id, error_msg}]}`;
 * - auth by `X-Auth-Token` (401 APIG.0301 when unknown or expired) or by an SDK-HMAC-SHA256
 *   signature, checked by rebuilding the canonical request from the listed SignedHeaders
 *   (written here from the documented algorithm, independently of the node's signer);
 * - 429 APIG.0308 when throttled.
 */

const MAX_IDS = 50;
const MAX_ID_LENGTH = 64;
const FIFTEEN_MINUTES = 15 * 60 * 1000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface IamUser {
	domainName: string;
	userName: string;
	password: string;
}

export interface HuaweiProject {
	id: string;
	name: string;
}

interface IssuedToken {
	projectId: string;
	expiresAt: number;
}

const gatewayError = (status: number, code: string, msg: string): MockReply => ({
	status,
	body: { error_code: code, error_msg: msg, request_id: randomBytes(8).toString('hex') },
});
const badRequest = (msg: string): MockReply => ({
	status: 400,
	body: { error_code: 'MSGSMS.0002', error_msg: msg, error_detail: msg },
});

/** The gateway's throttle, as a one-shot fault. */
export function throttled(): Fault {
	return {
		kind: 'reply',
		status: 429,
		body: { error_code: 'APIG.0308', error_msg: 'The request is throttled.' },
		path: /batch-delete$/,
	};
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const rfc3986 = (v: string) =>
	encodeURIComponent(v).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);

export class HuaweiCloudSmsMock extends MockServer {
	readonly users: IamUser[] = [
		{ domainName: 'example-account', userName: 'sms-admin', password: 'Correct-Horse-9' },
	];

	/** IAM credential data for the first user this mock accepts, scoped to `project` (by ID). */
	iamCredentialData(project: string): ICredentialDataDecryptedObject {
		const [user] = this.users;
		return {
			iamRegion: 'custom',
			iamUrl: this.baseUrl,
			// The node's Region "Custom" sends to this credential's own endpoint: this mock.
			endpointUrl: this.baseUrl,
			...user,
			projectScope: 'id',
			project,
		};
	}
	readonly projects: HuaweiProject[] = [
		{ id: '0123456789abcdef0123456789abcdef', name: 'cn-north-4' },
	];
	/** Access key → secret key. */
	readonly accessKeys = new Map<string, string>([
		['HPUAEXAMPLEAK0000001', 'exampleSecretKey0123456789abcdefghijklmn'],
	]);
	/** project ID → template IDs. */
	readonly templates = new Map<string, Set<string>>();
	/** IDs this mock really removed: the only ones a Success output may hold as `deleted`. */
	readonly deleted = new Set<string>();
	/** Templates that exist but cannot be deleted (listed in failed_template_list with a reason). */
	readonly locked = new Set<string>();
	/** A batch naming any of these is refused whole with 400 MSGSMS.0002, as a malformed ID would be. */
	readonly poison = new Set<string>();
	/** When set, a batch naming any missing template is refused whole with 400 MSGSMS.0009 instead
	 * of listing it in failed_template_list (the other way the API may answer). */
	missingFailsBatch = false;
	/** Expire every issued token after this many more authenticated batch-delete requests. */
	expireTokensAfter?: number;
	readonly tokens = new Map<string, IssuedToken>();
	/** How many tokens the IAM endpoint issued. */
	tokenIssues = 0;
	/** Every 401 the MSGSMS side answered, by error_msg. */
	readonly authFailures: string[] = [];

	constructor() {
		super((request) => this.route(request));
	}

	addTemplates(projectId: string, ...ids: string[]): void {
		const set = this.templates.get(projectId) ?? new Set<string>();
		for (const id of ids) set.add(id);
		this.templates.set(projectId, set);
	}

	holds(id: string): boolean {
		for (const set of this.templates.values()) if (set.has(id)) return true;
		return false;
	}

	expireAllTokens(): void {
		for (const token of this.tokens.values()) token.expiresAt = 0;
	}

	private route(request: MockRequest): MockReply | undefined {
		if (request.method === 'POST' && request.path === '/v3/auth/tokens')
			return this.issueToken(request);
		if (request.method === 'GET' && request.path === '/v3/auth/projects') {
			const token = this.tokens.get(String(request.headers['x-auth-token'] ?? ''));
			if (!token || token.expiresAt < Date.now())
				return {
					status: 401,
					body: {
						error: {
							code: '401',
							message: 'The request you have made requires authentication.',
							title: 'Unauthorized',
						},
					},
				};
			return {
				status: 200,
				body: {
					projects: this.projects
						.filter((p) => p.id === token.projectId)
						.map((p) => ({ ...p, enabled: true })),
				},
			};
		}
		const list = /^\/v2\/([^/]+)\/msgsms\/templates$/.exec(request.path);
		if (request.method === 'GET' && list) {
			const refused = this.authenticate(request, decodeURIComponent(list[1]));
			return refused ?? huaweiListReply(this, decodeURIComponent(list[1]), request);
		}
		const batch = /^\/v2\/([^/]+)\/msgsms\/templates\/batch-delete$/.exec(request.path);
		if (request.method === 'POST' && batch)
			return this.batchDelete(request, decodeURIComponent(batch[1]));
		return undefined;
	}

	private issueToken(request: MockRequest): MockReply {
		const auth = (request.body as { auth?: Record<string, any> } | undefined)?.auth;
		const identity = auth?.identity;
		const user = identity?.password?.user;
		const scope = auth?.scope?.project;
		const shapeOk =
			Array.isArray(identity?.methods) &&
			identity.methods.length === 1 &&
			identity.methods[0] === 'password' &&
			typeof user?.name === 'string' &&
			typeof user?.password === 'string' &&
			typeof user?.domain?.name === 'string' &&
			(typeof scope?.name === 'string') !== (typeof scope?.id === 'string');
		if (!shapeOk)
			return {
				status: 400,
				body: {
					error: { code: '400', message: 'The request body is invalid.', title: 'Bad Request' },
				},
			};
		const known = this.users.find(
			(u) =>
				u.domainName === user.domain.name &&
				u.userName === user.name &&
				u.password === user.password,
		);
		if (!known)
			return {
				status: 401,
				body: {
					error: {
						code: '401',
						message: 'The username or password is wrong.',
						title: 'Unauthorized',
					},
				},
			};
		const project = this.projects.find((p) =>
			typeof scope.id === 'string' ? p.id === scope.id : p.name === scope.name,
		);
		if (!project)
			return {
				status: 400,
				body: {
					error: { code: '400', message: 'The project does not exist.', title: 'Bad Request' },
				},
			};
		const token = `MIIT${randomBytes(24).toString('base64url')}`;
		const expiresAt = Date.now() + 24 * 3600 * 1000;
		this.tokens.set(token, { projectId: project.id, expiresAt });
		this.tokenIssues++;
		return {
			status: 201,
			headers: { 'X-Subject-Token': token },
			body: {
				token: {
					expires_at: new Date(expiresAt).toISOString(),
					methods: ['password'],
					project: { id: project.id, name: project.name },
					user: { name: known.userName },
				},
			},
		};
	}

	private unauthorized(why: string): MockReply {
		this.authFailures.push(why);
		return gatewayError(401, 'APIG.0301', `Incorrect IAM authentication information: ${why}`);
	}

	/** Undefined when the token or the signature is good for this project, else the gateway's answer. */
	private authenticate(request: MockRequest, projectId: string): MockReply | undefined {
		const tokenHeader = request.headers['x-auth-token'];
		if (typeof tokenHeader === 'string') {
			const token = this.tokens.get(tokenHeader);
			if (!token) return this.unauthorized('token is invalid');
			if (token.expiresAt < Date.now()) return this.unauthorized('token expires');
			if (token.projectId !== projectId)
				return gatewayError(403, 'APIG.0302', 'The token is not scoped to the project in the URL');
			return undefined;
		}
		const why = this.checkSignature(request);
		if (why !== undefined) return this.unauthorized(why);
		const projectHeader = request.headers['x-project-id'];
		if (projectHeader !== undefined && projectHeader !== projectId)
			return gatewayError(403, 'APIG.0302', 'X-Project-Id does not match the project in the URL');
		return undefined;
	}

	/** Rebuild the canonical request from what arrived and the headers it says it signed. */
	private checkSignature(request: MockRequest): string | undefined {
		const header = String(request.headers.authorization ?? '');
		const match =
			/^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(
				header,
			);
		if (!match) return 'no X-Auth-Token and no SDK-HMAC-SHA256 signature';
		const [, access, signedList, signature] = match;
		const secret = this.accessKeys.get(access);
		if (secret === undefined) return 'access key not found';
		const signed = signedList.split(';');
		if (!signed.includes('host') || !signed.includes('x-sdk-date'))
			return 'host and x-sdk-date must be signed';
		if ([...signed].sort().join(';') !== signedList) return 'SignedHeaders must be sorted';
		const date = String(request.headers['x-sdk-date'] ?? '');
		const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
		if (!stamp) return 'x-sdk-date is malformed';
		const time = Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6]);
		if (Math.abs(Date.now() - time) > FIFTEEN_MINUTES) return 'x-sdk-date expired';

		const uri = request.path
			.split('/')
			.map((s) => encodeURIComponent(decodeURIComponent(s)))
			.join('/');
		const keys = [...new Set(request.query.keys())].sort();
		const query = keys
			.flatMap((k) => {
				const values = request.query.getAll(k);
				if (values.length > 1) values.sort();
				return values.map((v) => `${rfc3986(k)}=${rfc3986(v)}`);
			})
			.join('&');
		const headers = signed
			.map((name) => `${name}:${String(request.headers[name] ?? '')}\n`)
			.join('');
		const canonical = [
			request.method,
			uri.endsWith('/') ? uri : `${uri}/`,
			query,
			headers,
			signedList,
			request.rawBody === '' ? EMPTY_SHA256 : sha256(request.rawBody),
		].join('\n');
		const expected = createHmac('sha256', secret)
			.update(`SDK-HMAC-SHA256\n${date}\n${sha256(canonical)}`)
			.digest('hex');
		return expected === signature ? undefined : 'verify aksk signature fail';
	}

	private batchDelete(request: MockRequest, projectId: string): MockReply {
		const refused = this.authenticate(request, projectId);
		if (refused) return refused;
		if (
			this.expireTokensAfter !== undefined &&
			typeof request.headers['x-auth-token'] === 'string'
		) {
			if (this.expireTokensAfter === 0) {
				this.expireTokensAfter = undefined;
				this.expireAllTokens();
				return this.unauthorized('token expires');
			}
			this.expireTokensAfter--;
		}
		const contentType = String(request.headers['content-type'] ?? '')
			.replace(/\s+/g, '')
			.toLowerCase();
		if (contentType !== 'application/json;charset=utf8')
			return badRequest(
				`Content-Type must be application/json;charset=utf8, got "${request.headers['content-type'] ?? ''}"`,
			);
		const ids = (request.body as { ids?: unknown } | undefined)?.ids;
		if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
			return badRequest('ids must be an array of template ID strings');
		if (ids.length < 1 || ids.length > MAX_IDS)
			return badRequest(`ids must hold 1 to ${MAX_IDS} template IDs, got ${ids.length}`);
		const tooLong = (ids as string[]).find((id) => id.length < 1 || [...id].length > MAX_ID_LENGTH);
		if (tooLong !== undefined)
			return badRequest(`template ID length must be 1 to ${MAX_ID_LENGTH}`);
		if ((ids as string[]).some((id) => this.poison.has(id)))
			return badRequest('The template ID is invalid.');

		const templates = this.templates.get(projectId) ?? new Set<string>();
		if (this.missingFailsBatch && (ids as string[]).some((id) => !templates.has(id))) {
			return {
				status: 400,
				body: {
					error_code: 'MSGSMS.0009',
					error_msg: 'Message Template Info does not EXIST',
					error_detail: 'template not exist',
				},
			};
		}
		const success_ids: string[] = [];
		const failed_template_list: Array<{ id: string; error_msg: string }> = [];
		for (const id of ids as string[]) {
			if (this.locked.has(id) && templates.has(id)) {
				failed_template_list.push({
					id,
					error_msg: 'The template is being used by a pending SMS task and cannot be deleted',
				});
			} else if (templates.delete(id)) {
				this.deleted.add(id);
				success_ids.push(id);
			} else {
				failed_template_list.push({ id, error_msg: 'Message Template Info does not EXIST' });
			}
		}
		return {
			status: 200,
			body: {
				success_count: success_ids.length,
				success_ids,
				failed_count: failed_template_list.length,
				failed_template_list,
			},
		};
	}
}
