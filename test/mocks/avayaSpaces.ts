import { avayaListReply } from './avayaSpacesList';
import type { MockReply, MockRequest } from './mockServer';
import { MockServer } from './mockServer';

/** A message the mock holds. Defaults: deletable by the caller. */
export interface AvayaMessage {
	id: string;
	/** The caller lacks PERM_MESSAGE_DELETE on it → `noPermittedMessages`. */
	forbidden?: boolean;
	/** In an archived topic → `notDeletedMessages` with the provider's reason. */
	archived?: boolean;
	/** What the space message query shows (see avayaSpacesList.ts). */
	spaceId?: string;
	/** Epoch milliseconds. */
	created?: number;
	category?: 'chat' | 'idea' | 'task';
	bodyText?: string;
}

const MAX_IDS = 100;
const UNAUTHORIZED: MockReply = {
	status: 401,
	body: {
		code: 'authen_error.anonymouse_jwt_auth_failed',
		message: 'Authenticate anonymouse jwt failed',
	},
};

function badRequest(reason: string, data: unknown): MockReply {
	return {
		status: 400,
		body: {
			error: { code: 'api_bad_request_input', message: 'Api Bad Request Check Input' },
			reason,
			data,
		},
	};
}

/**
 * Avaya Spaces as its API document describes it: `Authorization: jwt <token>` or `bearer <token>`,
 * `POST /api/messages/deletemessages` with a JSON array of at most 100 IDs, the answer's four
 * lists (including the misspelled `notFoundMmessages`), 400 and 401 bodies as documented.
 */
export class AvayaSpacesMock extends MockServer {
	readonly messages = new Map<string, AvayaMessage>();
	/** Messages the list answers without `created`/`modified` (no readable time). */
	readonly undated = new Set<string>();
	/** IDs this mock really removed: the only ones a Success output may hold as `deleted`. */
	readonly deleted = new Set<string>();
	/** IDs that make the whole batch fail with 400 (the way a malformed ID would). */
	readonly poison = new Set<string>();
	/** Accepted `Authorization` values, scheme compared case-insensitively as HTTP does. */
	readonly tokens = new Set<string>(['jwt good-jwt', 'bearer good-bearer']);
	/** The accounts host whose OAuth2 access tokens this mock also accepts as `bearer`, while
	 * they are current: an expired one gets the same 401 as any refused token. */
	accounts?: { accepts(token: string): boolean };

	constructor(messages: Array<string | AvayaMessage> = []) {
		super((request) => this.route(request));
		this.add(...messages);
	}

	add(...messages: Array<string | AvayaMessage>): void {
		for (const m of messages) {
			const message = typeof m === 'string' ? { id: m } : m;
			this.messages.set(message.id, message);
		}
	}

	private authorized(request: MockRequest): boolean {
		const header = String(request.headers.authorization ?? '');
		const space = header.indexOf(' ');
		if (space === -1) return false;
		const scheme = header.slice(0, space).toLowerCase();
		const token = header.slice(space + 1);
		if (scheme === 'bearer' && this.accounts?.accepts(token) === true) return true;
		return this.tokens.has(`${scheme} ${token}`);
	}

	private route(request: MockRequest): MockReply | undefined {
		if (request.method === 'GET' && request.path === '/api/users/me') {
			return this.authorized(request)
				? { status: 200, body: { _id: 'user-1', displayname: 'Mock User' } }
				: UNAUTHORIZED;
		}
		const query = /^\/api\/spaces\/([^/]+)\/messages\/query$/.exec(request.path);
		if (request.method === 'GET' && query)
			return this.authorized(request)
				? avayaListReply(this, decodeURIComponent(query[1]), request)
				: UNAUTHORIZED;
		if (request.method !== 'POST' || request.path !== '/api/messages/deletemessages')
			return undefined;
		if (!this.authorized(request)) return UNAUTHORIZED;
		const ids = request.body;
		if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
			return badRequest(
				'input data must be an array of message id strings',
				ids ?? request.rawBody,
			);
		}
		if (ids.length === 0) return badRequest('input data is empty', ids);
		if (ids.length > MAX_IDS) {
			return badRequest(
				`input data length is ${ids.length}, cannot delete messages more than ${MAX_IDS}`,
				ids,
			);
		}
		if (ids.some((id) => this.poison.has(id)))
			return badRequest('invalid message id in input data', ids);

		const answer = {
			notFoundMmessages: [] as string[],
			notDeletedMessages: [] as unknown[],
			deletedMessages: [] as string[],
			noPermittedMessages: [] as unknown[],
		};
		for (const id of ids as string[]) {
			const message = this.messages.get(id);
			if (message === undefined) {
				answer.notFoundMmessages.push(id);
			} else if (message.forbidden) {
				answer.noPermittedMessages.push({
					messageId: id,
					reason: { code: 'authorize_error.permission', message: 'Authorise permission failed' },
				});
			} else if (message.archived) {
				answer.notDeletedMessages.push({
					messageId: id,
					reason: {
						code: 'topic.invalid_acesss_to_archived_topic',
						message: 'Accessing archived topic is not valid.',
					},
				});
			} else {
				this.messages.delete(id);
				this.deleted.add(id);
				answer.deletedMessages.push(id);
			}
		}
		return { status: 200, body: answer };
	}
}
