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
	parseListTime,
	readListAnswer,
	titleOf,
} from '../listCommon';
import { errorOf, withGatewayCode } from './answer';
import type { HuaweiCloudSmsParams } from './delete';
import { projectIdOf } from './delete';

/**
 * Huawei Cloud Message & SMS, "Querying an SMS Template" (ListTemplateDetails, support.huaweicloud.com
 * api-msgsms sms_05_0038): `GET /v2/{project_id}/msgsms/templates?offset=&limit=&flow_status=
 * &template_type=&template_name=&sort_key=create_time&sort_dir=asc`, answered `{results:[template], total}`.
 * Templates carry `id` (what batch-delete takes), `template_name`, `template_type`, `flow_status`
 * and `create_time` as `yyyy-MM-dd HH:mm:ss` (read as UTC: the documentation names no zone).
 * Oldest first, so templates created while the cleanup runs land after the position it reads
 * from. `offset` counts items (the documented default page is 10; 50 here, one delete request).
 */

const HUAWEI_LIST_PAGE_SIZE = 50;
/**
 * `flow_status`: the list request documents Adopted, Reviewing and Reject; the template answer
 * (ListTemplateDetails' and "Querying Template Details"' `flow_status`) also documents Disable,
 * Pending, Adopted_inactive and SignReviewing, which a template in those states carries, so they
 * are offered too. The node checks the value on each listed template, whether or not the server
 * applies it.
 */
const HUAWEI_FLOW_STATUSES = [
	'Adopted',
	'Reviewing',
	'Reject',
	'Disable',
	'Pending',
	'Adopted_inactive',
	'SignReviewing',
] as const;
/** `template_type`, exactly the values the list request documents. */
const HUAWEI_TEMPLATE_TYPES = ['VERIFY_CODE_TYPE', 'NOTIFY_TYPE', 'PROMOTION_TYPE'] as const;

interface HuaweiFilters {
	flowStatus?: (typeof HUAWEI_FLOW_STATUSES)[number];
	templateType?: (typeof HUAWEI_TEMPLATE_TYPES)[number];
	templateName?: string;
}

const templateSchema = z
	.object({
		id: z.union([z.string(), z.number()]),
		template_name: z.string().nullish(),
		template_type: z.string().nullish(),
		flow_status: z.string().nullish(),
		create_time: z.union([z.string(), z.number()]).nullish(),
	})
	.passthrough();

const pageSchema = z
	.object({
		results: z.array(z.unknown()).nullish(),
		total: z.union([z.number(), z.string().regex(/^\d+$/)]).nullish(),
	})
	.passthrough();

/** One `results` entry as a listed item, or undefined when it has no ID. Pure. */
function huaweiListedItem(raw: unknown): ListedItem | undefined {
	const read = listEntry(templateSchema, raw, (t) => t.id);
	if (read === undefined) return undefined;
	const t = read.entry;
	return listedItem(read.id, parseListTime(t.create_time), {
		title: titleOf(t.template_name),
		type: t.template_type ?? null,
		flowStatus: t.flow_status ?? null,
	});
}

function readHuaweiList(result: HttpResponse): ListVerdict {
	return readListAnswer(result, {
		provider: 'Huawei Cloud',
		body: pageSchema,
		read: (page) =>
			listPage(listedItems(page.results ?? [], huaweiListedItem), { total: page.total }),
		transient: (transient) => withGatewayCode(transient, errorOf(result)),
		refused: ({ statusCode: status }) => {
			const error = errorOf(result);
			return listRefusal('Huawei Cloud', status, error.code ?? `HTTP_${status}`, error.text, {
				401: 'Huawei Cloud refused the token or signature (HTTP 401)',
				403: 'Huawei Cloud denied the request (HTTP 403): check the IAM permissions for Message & SMS',
				404: 'The template list endpoint was not found (HTTP 404): check the region endpoint and the project ID',
				400: 'Huawei Cloud rejected the list request (HTTP 400): check the filters',
			});
		},
	});
}

export const huaweiCloudSmsList: ProviderList<HuaweiCloudSmsParams, HuaweiFilters> = {
	paging: 'offset',
	pageSize: HUAWEI_LIST_PAGE_SIZE,
	properties: [
		{
			displayName: 'Template Status',
			name: 'huaweiCloudFlowStatus',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Approved (Adopted)', value: 'Adopted' },
				{ name: 'Approved, Deactivated', value: 'Adopted_inactive' },
				{ name: 'Disabled', value: 'Disable' },
				{ name: 'Rejected', value: 'Reject' },
				{ name: 'To Be Submitted (Pending)', value: 'Pending' },
				{ name: 'Under Review', value: 'Reviewing' },
				{ name: 'Waiting for Signature Review', value: 'SignReviewing' },
			],
			default: 'any',
			description: "Only templates in this review state (the list API's flow_status)",
		},
		{
			displayName: 'Template Type',
			name: 'huaweiCloudTemplateType',
			type: 'options',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'Notification', value: 'NOTIFY_TYPE' },
				{ name: 'Promotion', value: 'PROMOTION_TYPE' },
				{ name: 'Verification Code', value: 'VERIFY_CODE_TYPE' },
			],
			default: 'any',
		},
		{
			displayName: 'Template Name',
			name: 'huaweiCloudTemplateName',
			type: 'string',
			default: '',
			description: 'Only templates whose name holds this text',
		},
	],
	readFilters(read, itemIndex) {
		const flowStatus = oneOf(
			read('huaweiCloudFlowStatus', itemIndex, 'any'),
			HUAWEI_FLOW_STATUSES,
			'Template Status',
		);
		const templateType = oneOf(
			read('huaweiCloudTemplateType', itemIndex, 'any'),
			HUAWEI_TEMPLATE_TYPES,
			'Template Type',
		);
		const templateName = String(read('huaweiCloudTemplateName', itemIndex, '') ?? '').trim();
		if (templateName.length > 64) throw new Error('Template Name is longer than 64 characters');
		return {
			...(flowStatus === undefined ? {} : { flowStatus }),
			...(templateType === undefined ? {} : { templateType }),
			...(templateName === '' ? {} : { templateName }),
		};
	},
	buildListRequest(position, ctx, filters) {
		const projectId = projectIdOf(ctx.params, ctx.credentialType, ctx.credentials);
		return {
			method: 'GET',
			url: `${ctx.params.endpoint}/v2/${encodeURIComponent(projectId)}/msgsms/templates`,
			headers: { 'Content-Type': 'application/json' },
			qs: {
				offset: position.offset,
				limit: position.pageSize,
				sort_key: 'create_time',
				sort_dir: 'asc',
				...(filters.flowStatus === undefined ? {} : { flow_status: filters.flowStatus }),
				...(filters.templateType === undefined ? {} : { template_type: filters.templateType }),
				...(filters.templateName === undefined ? {} : { template_name: filters.templateName }),
			},
		};
	},
	readListResponse: (result) => readHuaweiList(result),
	matches(item, filters) {
		if (filters.flowStatus !== undefined && item.fields.flowStatus !== filters.flowStatus)
			return false;
		if (filters.templateType !== undefined && item.fields.type !== filters.templateType)
			return false;
		if (
			filters.templateName !== undefined &&
			!String(item.fields.title ?? '').includes(filters.templateName)
		)
			return false;
		return true;
	},
};
