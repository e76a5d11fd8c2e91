import { huaweiCloudSmsList } from '../../nodes/BatchDelete/providers/huaweiCloudSms/list';
import { WINDOW, pageOf, reader, reply } from './listHelpers';

const PROJECT = '845ada5bc7444f1295cd517af0123da1';
const ctx = (credentialType = 'huaweiCloudAkSkApi') => ({
	params: { endpoint: 'https://msgsms.cn-north-4.myhuaweicloud.com' },
	credentialType,
	credentials: { projectId: PROJECT, projectScope: 'id', project: PROJECT },
});
/** The list answer as the provider reads it; `itemOf`: one template, the only entry of a page. */
const readHuaweiList = (result: ReturnType<typeof reply>) =>
	huaweiCloudSmsList.readListResponse(result, ctx(), {});
const itemOf = (raw: unknown) => pageOf(readHuaweiList(reply(200, { results: [raw] }))).items.at(0);

describe('Huawei Cloud template list request', () => {
	it('asks for one page by item offset, oldest first, with the filters', () => {
		expect(
			huaweiCloudSmsList.buildListRequest(
				{ offset: 150, page: 4, pageSize: 50 },
				ctx(),
				{ flowStatus: 'Reject', templateType: 'PROMOTION_TYPE', templateName: 'promo' },
				WINDOW,
			),
		).toEqual({
			method: 'GET',
			url: `https://msgsms.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/msgsms/templates`,
			headers: { 'Content-Type': 'application/json' },
			qs: {
				offset: 150,
				limit: 50,
				sort_key: 'create_time',
				sort_dir: 'asc',
				flow_status: 'Reject',
				template_type: 'PROMOTION_TYPE',
				template_name: 'promo',
			},
		});
		expect(
			huaweiCloudSmsList.buildListRequest(
				{ offset: 0, page: 1, pageSize: 50 },
				ctx('huaweiCloudIamApi'),
				{},
				WINDOW,
			).qs,
		).toEqual({ offset: 0, limit: 50, sort_key: 'create_time', sort_dir: 'asc' });
		expect(huaweiCloudSmsList.paging).toBe('offset');
	});

	it('reads its filters', () => {
		expect(huaweiCloudSmsList.readFilters(reader({}), 0)).toEqual({});
		expect(
			huaweiCloudSmsList.readFilters(
				reader({
					huaweiCloudFlowStatus: 'Disable',
					huaweiCloudTemplateType: 'NOTIFY_TYPE',
					huaweiCloudTemplateName: ' spring ',
				}),
				0,
			),
		).toEqual({ flowStatus: 'Disable', templateType: 'NOTIFY_TYPE', templateName: 'spring' });
		expect(() =>
			huaweiCloudSmsList.readFilters(reader({ huaweiCloudFlowStatus: 'Gone' }), 0),
		).toThrow(/Template Status/);
		expect(() =>
			huaweiCloudSmsList.readFilters(reader({ huaweiCloudTemplateName: 'x'.repeat(65) }), 0),
		).toThrow(/longer than 64/);
	});
});

describe('Huawei Cloud template list answer', () => {
	// Fields as the API reference shows them (create_time "yyyy-MM-dd HH:mm:ss").
	const template = {
		id: '******27-37eb-4229-bee9-0eba4d8a897f',
		template_name: 'Spring sale',
		template_type: 'PROMOTION_TYPE',
		template_content: 'Up to 50% off',
		create_time: '2022-08-12 07:40:36',
		flow_status: 'Reject',
		status: 'Normal',
	};

	it('maps a template: name as the title, create_time (UTC) as the time, type and review state', () => {
		expect(itemOf(template)).toEqual({
			id: '******27-37eb-4229-bee9-0eba4d8a897f',
			time: new Date('2022-08-12T07:40:36.000Z'),
			fields: {
				title: 'Spring sale',
				time: '2022-08-12T07:40:36.000Z',
				type: 'PROMOTION_TYPE',
				flowStatus: 'Reject',
			},
		});
		expect(itemOf({ template_name: 'no id' })).toBeUndefined();
	});

	it('reads results with the total', () => {
		expect(pageOf(readHuaweiList(reply(200, { results: [template], total: 51 })))).toEqual({
			kind: 'page',
			items: [itemOf(template)],
			total: 51,
		});
		expect(pageOf(readHuaweiList(reply(200, { results: [], total: 0 }))).items).toEqual([]);
		expect(readHuaweiList(reply(200, { results: 'x' }))).toMatchObject({
			kind: 'failBatch',
			code: 'MALFORMED_RESPONSE',
		});
	});

	it('maps errors: 401 refresh, 403 and 404 stop, 400 stops with the message, 429 APIG.0308 retries', () => {
		expect(
			readHuaweiList(
				reply(401, {
					error_code: 'APIG.0301',
					error_msg: 'Incorrect IAM authentication information',
				}),
			),
		).toMatchObject({ kind: 'reauth', code: 'APIG.0301' });
		expect(
			readHuaweiList(reply(403, { error_code: 'APIG.0302', error_msg: 'not authorized' })),
		).toMatchObject({ kind: 'stopRun', reason: 'auth' });
		expect(
			readHuaweiList(reply(404, { error_code: 'APIG.0101', error_msg: 'The API does not exist' })),
		).toMatchObject({ kind: 'stopRun', reason: 'config' });
		expect(
			readHuaweiList(
				reply(400, { error_code: 'MSGSMS.0002', error_msg: 'bad', error_detail: 'limit' }),
			),
		).toMatchObject({ kind: 'stopRun', reason: 'config', message: 'bad: limit' });
		expect(
			readHuaweiList(
				reply(429, { error_code: 'APIG.0308', error_msg: 'The request is throttled.' }),
			),
		).toMatchObject({ kind: 'retry', code: 'APIG.0308' });
	});

	it('checks status, type and name again on every item', () => {
		const item = itemOf(template)!;
		expect(
			huaweiCloudSmsList.matches(
				item,
				{ flowStatus: 'Reject', templateType: 'PROMOTION_TYPE', templateName: 'Spring' },
				ctx(),
				WINDOW,
			),
		).toBe(true);
		expect(huaweiCloudSmsList.matches(item, { flowStatus: 'Adopted' }, ctx(), WINDOW)).toBe(false);
		expect(huaweiCloudSmsList.matches(item, { templateType: 'NOTIFY_TYPE' }, ctx(), WINDOW)).toBe(
			false,
		);
		expect(huaweiCloudSmsList.matches(item, { templateName: 'Autumn' }, ctx(), WINDOW)).toBe(false);
	});
});
