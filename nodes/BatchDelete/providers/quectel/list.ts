import { z } from 'zod';

import type { ListedItem, ListVerdict, ProviderList } from '../../engine/types';
import type { HttpResponse } from '../common';
import {
	listedItem,
	listedItems,
	listEntry,
	listPage,
	listRefusal,
	parseListTime,
	readListAnswer,
	titleOf,
	unexpectedList,
	unreadableList,
} from '../listCommon';
import type { Answer } from './answer';
import {
	answerSchema,
	NO_PERMISSION,
	said,
	SUCCESS_CODES,
	TOKEN_FAILED,
	TOKEN_MISSING,
	tokenRefused,
} from './answer';
import { QUECTEL_MAX_BATCH_SIZE } from './delete';
import { baseUrlOf } from '../../../../credentials/auth/hosts';
import { QUECTEL_HOSTS } from '../../../../credentials/auth/quectel';

/**
 * Quectel's message list (Quectel developer center, OpenAPI "Query User Message List"):
 * `GET /v2/mobilepush/enduserapi/userMsgList?page=&pageSize=&msgType=&isRead=`, answered in an
 * HTTP 200 body `{code, msg, data: PageInfo}` whose `data.list` items carry `id`, `title`,
 * `content`, `msgType` (1 device notification, 2 device alarm, 3 device fault, 4 system message),
 * `isRead`, `addTime` (epoch milliseconds), `deviceName`; `data.total` counts the filtered list.
 * Page numbers start at 1. Errors arrive inside HTTP 200 bodies, as for the delete call.
 */

const QUECTEL_LIST_PATH = '/v2/mobilepush/enduserapi/userMsgList';

const QUECTEL_MESSAGE_TYPES = [
	{ name: 'Any', value: 0 },
	{ name: 'Device Alarm (2)', value: 2 },
	{ name: 'Device Fault (3)', value: 3 },
	{ name: 'Device Notification (1)', value: 1 },
	{ name: 'System Message (4)', value: 4 },
];

interface QuectelFilters {
	/** 1–4, or undefined for any type. */
	msgType?: number;
	/** true: read messages only; false: unread only; undefined: both. */
	isRead?: boolean;
}

const pageSchema = z
	.object({
		list: z.array(z.unknown()).nullish(),
		total: z.union([z.number(), z.string().regex(/^\d+$/)]).nullish(),
	})
	.passthrough();

const messageSchema = z
	.object({
		id: z.union([z.string(), z.number()]),
		title: z.string().nullish(),
		content: z.string().nullish(),
		msgType: z.union([z.number(), z.string().regex(/^\d+$/)]).nullish(),
		isRead: z.union([z.boolean(), z.number(), z.string()]).nullish(),
		addTime: z.union([z.number(), z.string()]).nullish(),
		deviceName: z.string().nullish(),
	})
	.passthrough();

function readFlag(value: unknown): boolean | null {
	if (value === true || value === 1 || value === 'true' || value === '1') return true;
	if (value === false || value === 0 || value === 'false' || value === '0') return false;
	return null;
}

/** One `data.list` entry as a listed item, or undefined when it names no message. Pure. */
function quectelListedItem(raw: unknown): ListedItem | undefined {
	const read = listEntry(messageSchema, raw, (m) => m.id);
	if (read === undefined) return undefined;
	const m = read.entry;
	return listedItem(read.id, parseListTime(m.addTime), {
		title: titleOf(m.title) ?? titleOf(m.content),
		type: m.msgType === undefined || m.msgType === null ? null : Number(m.msgType),
		isRead: readFlag(m.isRead),
		deviceName: m.deviceName ?? null,
	});
}

/** A 200's body: a page on a success code, else what the code says. */
function readBody(answer: Answer, result: HttpResponse): ListVerdict {
	const code = Number(answer.code);
	if (SUCCESS_CODES.has(code)) {
		const page = pageSchema.safeParse(answer.data ?? {});
		if (!page.success) return unreadableList(result, 'Quectel');
		return listPage(listedItems(page.data.list ?? [], quectelListedItem), {
			total: page.data.total,
		});
	}
	if (code === TOKEN_FAILED || code === TOKEN_MISSING)
		return tokenRefused(code, answer, 'Token verification failed');
	if (code === NO_PERMISSION) {
		return {
			kind: 'stopRun',
			reason: 'auth',
			code: String(code),
			message: `The account may not read push messages (${code}: ${said(answer, 'No permission')})`,
		};
	}
	return unexpectedList(
		'Quectel',
		result.statusCode,
		String(code),
		said(answer, `Quectel refused the list request (code ${code})`),
	);
}

function readQuectelList(result: HttpResponse): ListVerdict {
	return readListAnswer(result, {
		provider: 'Quectel',
		body: answerSchema,
		read: readBody,
		refused: ({ statusCode: status }) =>
			listRefusal('Quectel', status, `HTTP_${status}`, undefined, {
				401: 'Quectel refused the access token (HTTP 401)',
				404: 'The message list endpoint was not found (HTTP 404): check the region or base URL in the credential',
				notFoundCode: 'ENDPOINT_NOT_FOUND',
			}),
	});
}

export const quectelList: ProviderList<Record<string, never>, QuectelFilters> = {
	paging: 'page',
	// Not documented beyond the default of 10; one page fills one delete request.
	pageSize: QUECTEL_MAX_BATCH_SIZE,
	properties: [
		{
			displayName: 'Message Type',
			name: 'quectelMsgType',
			type: 'options',
			options: QUECTEL_MESSAGE_TYPES,
			default: 0,
			description: "Only messages of this type (the list API's msgType)",
		},
		{
			displayName: 'Read Status',
			name: 'quectelReadStatus',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Read', value: 'read' },
				{ name: 'Unread', value: 'unread' },
			],
			default: 'read',
			description:
				"Only messages the user has read, or has not read (the list API's isRead). Read by default, so unread messages stay unless you choose otherwise.",
		},
	],
	readFilters(read, itemIndex) {
		const msgType = Number(read('quectelMsgType', itemIndex, 0));
		if (!Number.isInteger(msgType) || msgType < 0 || msgType > 4)
			throw new Error('Message Type must be one of 1–4, or Any');
		const readStatus = String(read('quectelReadStatus', itemIndex, 'read'));
		if (!['any', 'read', 'unread'].includes(readStatus))
			throw new Error('Read Status must be Any, Read or Unread');
		return {
			...(msgType === 0 ? {} : { msgType }),
			...(readStatus === 'any' ? {} : { isRead: readStatus === 'read' }),
		};
	},
	buildListRequest(position, ctx, filters) {
		return {
			method: 'GET',
			url: `${baseUrlOf(ctx.credentials, QUECTEL_HOSTS, 'region')}${QUECTEL_LIST_PATH}`,
			qs: {
				page: position.page,
				pageSize: position.pageSize,
				...(filters.msgType === undefined ? {} : { msgType: filters.msgType }),
				...(filters.isRead === undefined ? {} : { isRead: filters.isRead }),
			},
		};
	},
	readListResponse: (result) => readQuectelList(result),
	matches(item, filters) {
		if (filters.msgType !== undefined && item.fields.type !== filters.msgType) return false;
		if (filters.isRead !== undefined && item.fields.isRead !== filters.isRead) return false;
		return true;
	},
};
