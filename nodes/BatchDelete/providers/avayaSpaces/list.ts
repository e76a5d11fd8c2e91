import { z } from 'zod';

import type { ListedItem, ListVerdict, ListWindow, ProviderList } from '../../engine/types';
import { errorOf } from './answer';
import type { HttpResponse } from '../common';
import {
	foldQuery,
	foldText,
	listedItem,
	listedItems,
	listEntry,
	listPage,
	listRefusal,
	oneOf,
	outOfScope,
	parseListTime,
	readListAnswer,
	titleOf,
} from '../listCommon';
import { AVAYA_SPACES_HOSTS } from '../../../../credentials/auth/avayaSpaces';
import { baseUrlOf } from '../../../../credentials/auth/hosts';

/**
 * Avaya Spaces lists messages per space (Avaya Spaces API reference, "spaces/{spaceId}/messages/query"):
 * `GET /api/spaces/{spaceId}/messages/query?size=&direction=before&refTime=&category=&searchstring=`,
 * at most 50 a page, answered `{data:[message], nextPageUrl, prevPageUrl, total}` where `total`
 * counts this page only. Paging follows `nextPageUrl` (cursor pagination on the last message's
 * ObjectId: it does not shift when messages are deleted). `refTime` is a UTC timestamp in
 * milliseconds, as the other Spaces list endpoints document it; with `direction=before` it lists
 * the messages older than it, newest first. Both are always sent (the documented defaults are
 * `after` and now): Older Than's cutoff, or the run's start without one. Messages carry `_id`,
 * `topicId` (the space), `category` (chat, idea = post, task), `content` (`bodyText`, and
 * `title`/`description` on posts and tasks), `sender` and `created`.
 *
 * Every filter sent is checked again on each message (`matches`): space, category, the time
 * bound, and the search text, which must occur in the message's text (not case-sensitive). Spaces'
 * own search may find more (a similar word, the sender, an attachment); those messages are not deleted.
 */

const AVAYA_LIST_PAGE_SIZE = 50;
const AVAYA_CATEGORIES = ['chat', 'idea', 'task'] as const;

interface AvayaFilters {
	spaceId: string;
	category?: (typeof AVAYA_CATEGORIES)[number];
	search?: string;
}

const SPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const messageSchema = z
	.object({
		_id: z.union([z.string(), z.number()]).optional(),
		id: z.union([z.string(), z.number()]).optional(),
		topicId: z.string().nullish(),
		category: z.string().nullish(),
		content: z
			.object({
				bodyText: z.string().nullish(),
				title: z.string().nullish(),
				description: z.string().nullish(),
			})
			.passthrough()
			.nullish(),
		created: z.union([z.string(), z.number()]).nullish(),
		createdAt: z.union([z.string(), z.number()]).nullish(),
		sender: z
			.object({ displayname: z.string().nullish(), username: z.string().nullish() })
			.passthrough()
			.nullish(),
	})
	.passthrough();

const pageSchema = z
	.object({ data: z.array(z.unknown()), nextPageUrl: z.string().nullish() })
	.passthrough();

/** One `data` entry as a listed item, or undefined when it names no message. Pure. */
function avayaListedItem(raw: unknown): ListedItem | undefined {
	const read = listEntry(messageSchema, raw, (m) => m._id ?? m.id);
	if (read === undefined) return undefined;
	const m = read.entry;
	const text = [m.content?.title, m.content?.bodyText, m.content?.description]
		.map(foldText)
		.filter((t) => t !== '');
	return listedItem(
		read.id,
		parseListTime(m.created ?? m.createdAt),
		{
			title:
				titleOf(m.content?.bodyText) ??
				titleOf(m.content?.title) ??
				titleOf(m.content?.description),
			type: m.category ?? null,
			sender: m.sender?.displayname ?? m.sender?.username ?? null,
		},
		{ text: text.join('\n'), scope: m.topicId ?? null },
	);
}

/** The `refTime` sent with `direction=before`: Older Than's cutoff, else the run's start. */
function avayaRefTime(window: ListWindow): Date {
	return window.olderThan ?? window.startedAt;
}

/**
 * `nextPageUrl` resolved against the credential's base URL. Only a URL on that same origin is
 * followed: the credential is attached to every request, and a page link elsewhere must never
 * receive it.
 */
function avayaNextUrl(next: string, base: string): string {
	const origin = new URL(base).origin;
	const url = new URL(next, `${base}/`);
	if (url.origin !== origin)
		throw new Error(
			`Avaya Spaces sent a next-page link to another host (${url.origin}); it was not followed`,
		);
	return url.toString();
}

function readAvayaList(result: HttpResponse): ListVerdict {
	return readListAnswer(result, {
		provider: 'Avaya Spaces',
		body: pageSchema,
		read: (page) => listPage(listedItems(page.data, avayaListedItem), { next: page.nextPageUrl }),
		refused: ({ statusCode: status }) => {
			const error = errorOf(result);
			const text = error.reason ?? error.error?.message ?? error.message;
			return listRefusal('Avaya Spaces', status, error.code, text, {
				401: 'Avaya Spaces refused the token (HTTP 401): check the credential',
				403: 'No permission to read the messages of this space (HTTP 403)',
				404: 'The space was not found (HTTP 404): check Space ID',
				400: 'Avaya Spaces rejected the list request (HTTP 400): check Space ID and the filters',
			});
		},
	});
}

export const avayaSpacesList: ProviderList<Record<string, never>, AvayaFilters> = {
	paging: 'cursor',
	pageSize: AVAYA_LIST_PAGE_SIZE,
	properties: [
		{
			displayName: 'Space ID',
			name: 'avayaSpaceId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 5e5e538d89fc6dc77aaa1fa1',
			description:
				'Avaya Spaces lists messages per space: the ID of the space to clean up (the last part of its address, spaces.avayacloud.com/spaces/…)',
		},
		{
			displayName: 'Category',
			name: 'avayaCategory',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Chat', value: 'chat' },
				{ name: 'Post', value: 'idea' },
				{ name: 'Task', value: 'task' },
			],
			default: 'any',
			description: 'Only messages of this kind',
		},
		{
			displayName: 'Search Text',
			name: 'avayaSearch',
			type: 'string',
			default: '',
			description:
				"Only messages whose text (body, title or description) contains this, not case-sensitive. Avaya Spaces' own search narrows the list first; the node then checks each message itself, so a message Spaces finds by other means (a similar word, the sender's name, an attachment) is not deleted.",
		},
	],
	readFilters(read, itemIndex) {
		const spaceId = String(read('avayaSpaceId', itemIndex, '') ?? '').trim();
		if (spaceId === '')
			throw new Error('Space ID is required: Avaya Spaces lists messages per space');
		if (!SPACE_ID.test(spaceId))
			throw new Error(
				'Space ID may only hold letters, digits, "-" and "_" (an Avaya Spaces space ID looks like 5e5e538d89fc6dc77aaa1fa1)',
			);
		const category = oneOf(read('avayaCategory', itemIndex, 'any'), AVAYA_CATEGORIES, 'Category');
		const search = String(read('avayaSearch', itemIndex, '') ?? '').trim();
		return {
			spaceId,
			...(category === undefined ? {} : { category }),
			...(search === '' ? {} : { search }),
		};
	},
	buildListRequest(position, ctx, filters, window) {
		const base = baseUrlOf(ctx.credentials, AVAYA_SPACES_HOSTS);
		if (position.cursor !== undefined)
			return { method: 'GET', url: avayaNextUrl(position.cursor, base) };
		return {
			method: 'GET',
			url: `${base}/api/spaces/${encodeURIComponent(filters.spaceId)}/messages/query`,
			qs: {
				size: position.pageSize,
				direction: 'before',
				refTime: avayaRefTime(window).getTime(),
				...(filters.category === undefined ? {} : { category: filters.category }),
				...(filters.search === undefined ? {} : { searchstring: filters.search }),
			},
		};
	},
	readListResponse: (result) => readAvayaList(result),
	matches(item, filters, _ctx, window) {
		if (outOfScope(item, filters.spaceId)) return false;
		if (filters.category !== undefined && item.fields.type !== filters.category) return false;
		// direction=before&refTime: only what is provably older. An undated message is not deleted when
		// Older Than is set; with 0 (any age) the list the server answered is already bounded by refTime.
		if (item.time === undefined) {
			if (window.olderThan !== undefined) return false;
		} else if (!(item.time.getTime() < avayaRefTime(window).getTime())) return false;
		if (
			filters.search !== undefined &&
			!String(item.checkOn?.text ?? '').includes(foldQuery(filters.search))
		)
			return false;
		return true;
	},
};
