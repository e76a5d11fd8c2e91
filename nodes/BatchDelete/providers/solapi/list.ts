import { z } from 'zod';

import type { ListedItem, ListVerdict, ProviderList } from '../../engine/types';
import type { HttpResponse } from '../common';
import {
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
import { errorOf, refusal, throttled } from './answer';
import type { SolapiParams } from './delete';
import { solapiBaseUrl } from './delete';

/**
 * SOLAPI's group message list (solapi/documents, api-reference/messages/groups/getGroupMessageList):
 * `GET /messages/v4/groups/{groupId}/messages?limit=&startKey=`, answered
 * `{startKey, nextKey, limit, messageList: {<messageId>: message}}`. A key, so deleting listed
 * messages does not shift the pages. The reference does not say whether a page starts at its
 * `startKey` message or after it, nor which message `nextKey` names. So the next page is asked
 * from the last message this page listed, whatever `nextKey` holds (its presence only says more
 * follow): a page that starts at that message repeats it (already seen: skipped), one that starts
 * after it goes straight on; no message is skipped either way. The endpoint takes no filters;
 * message type and status code are checked on each listed message (`type`, `statusCode`), the
 * group on its `groupId` when it names one, Older Than on `dateCreated` (ISO 8601). The list lives
 * on api.solapi.com whichever delete API version is set.
 */

const SOLAPI_LIST_PAGE_SIZE = 500;
const SOLAPI_MESSAGE_TYPES = ['SMS', 'LMS', 'MMS', 'ATA', 'CTA', 'CTI'] as const;

interface SolapiFilters {
	type?: (typeof SOLAPI_MESSAGE_TYPES)[number];
	statusCode?: string;
}

const messageSchema = z
	.object({
		messageId: z.string().nullish(),
		_id: z.string().nullish(),
		type: z.string().nullish(),
		statusCode: z.union([z.string(), z.number()]).nullish(),
		subject: z.string().nullish(),
		text: z.string().nullish(),
		to: z.string().nullish(),
		groupId: z.string().nullish(),
		dateCreated: z.union([z.string(), z.number()]).nullish(),
	})
	.passthrough();

const pageSchema = z
	.object({
		messageList: z.union([z.record(z.unknown()), z.array(z.unknown())]).nullish(),
		nextKey: z.string().nullish(),
	})
	.passthrough();

/** One `messageList` entry as a listed item (`key`: its key in the map). Pure. */
function solapiListedItem(raw: unknown, key?: string): ListedItem | undefined {
	const read = listEntry(messageSchema, raw, (m) => m.messageId ?? m._id ?? key);
	if (read === undefined) return undefined;
	const m = read.entry;
	return listedItem(
		read.id,
		parseListTime(m.dateCreated),
		{
			title: titleOf(m.subject) ?? titleOf(m.text),
			type: m.type ?? null,
			statusCode: m.statusCode === undefined || m.statusCode === null ? null : String(m.statusCode),
			to: m.to ?? null,
		},
		{ scope: m.groupId ?? null },
	);
}

/** A 2xx page; the next one is asked from the last message listed (see the top of this file). */
function readPage(page: z.infer<typeof pageSchema>): ListVerdict {
	const list = page.messageList ?? {};
	const entries: Array<[string | undefined, unknown]> = Array.isArray(list)
		? list.map((m) => [undefined, m])
		: Object.entries(list);
	const items = listedItems(entries, ([key, m]) => solapiListedItem(m, key));
	const more = page.nextKey !== undefined && page.nextKey !== null && page.nextKey !== '';
	return listPage(items, { next: more ? (items.at(-1)?.id ?? page.nextKey) : undefined });
}

/** A refusal: a signature or date worth a resend, else the list cannot go on. */
function refused(result: HttpResponse): ListVerdict {
	const status = result.statusCode;
	const error = errorOf(result);
	const code = error.errorCode ?? `HTTP_${status}`;
	const resign = refusal(status, code, error);
	if (resign !== undefined) return resign as ListVerdict;
	return listRefusal('SOLAPI', status, code, error.errorMessage, {
		404: 'SOLAPI found no such group (HTTP 404): check Group ID',
		400: 'SOLAPI rejected the list request (HTTP 400)',
		notFoundCode: error.errorCode ?? 'ENDPOINT_NOT_FOUND',
	});
}

function readSolapiList(result: HttpResponse): ListVerdict {
	return readListAnswer(result, {
		provider: 'SOLAPI',
		body: pageSchema,
		read: readPage,
		refused,
		transient: (transient) => throttled(transient, result.statusCode, errorOf(result)),
	});
}

export const solapiList: ProviderList<SolapiParams, SolapiFilters> = {
	paging: 'cursor',
	pageSize: SOLAPI_LIST_PAGE_SIZE,
	properties: [
		{
			displayName: 'Message Type',
			name: 'solapiMessageType',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Kakao AlimTalk (ATA)', value: 'ATA' },
				{ name: 'Kakao FriendTalk (CTA)', value: 'CTA' },
				{ name: 'Kakao FriendTalk Image (CTI)', value: 'CTI' },
				{ name: 'LMS', value: 'LMS' },
				{ name: 'MMS', value: 'MMS' },
				{ name: 'SMS', value: 'SMS' },
			],
			default: 'any',
			description: 'Only messages of this type',
		},
		{
			displayName: 'Status Code',
			name: 'solapiStatusCode',
			type: 'string',
			default: '',
			placeholder: 'e.g. 4000',
			description:
				'Only messages with this SOLAPI status code (4000: received; 3xxx: failed). Empty: any status.',
		},
	],
	readFilters(read, itemIndex) {
		const type = oneOf(
			read('solapiMessageType', itemIndex, 'any'),
			SOLAPI_MESSAGE_TYPES,
			'Message Type',
		);
		const statusCode = String(read('solapiStatusCode', itemIndex, '') ?? '').trim();
		if (statusCode !== '' && !/^[A-Za-z0-9]{1,16}$/.test(statusCode))
			throw new Error('Status Code must be a SOLAPI status code such as 4000');
		return {
			...(type === undefined ? {} : { type }),
			...(statusCode === '' ? {} : { statusCode }),
		};
	},
	buildListRequest(position, ctx) {
		return {
			method: 'GET',
			url: `${solapiBaseUrl(ctx.credentials, 'v4')}/messages/v4/groups/${encodeURIComponent(ctx.params.groupId)}/messages`,
			qs: {
				limit: position.pageSize,
				...(position.cursor === undefined ? {} : { startKey: position.cursor }),
			},
		};
	},
	readListResponse: (result) => readSolapiList(result),
	matches(item, filters, ctx) {
		if (outOfScope(item, ctx.params.groupId)) return false;
		if (filters.type !== undefined && item.fields.type !== filters.type) return false;
		if (filters.statusCode !== undefined && item.fields.statusCode !== filters.statusCode)
			return false;
		return true;
	},
};
