import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { testRules } from './auth/guard';
import { QUECTEL_HOSTS } from './auth/quectel';

/** Region and custom base URL, shared by both Quectel credentials. */
export const quectelRegionProperties: INodeProperties[] = [
	{
		displayName: 'Region',
		name: 'region',
		type: 'options',
		options: [
			{ name: 'China', value: 'china', description: QUECTEL_HOSTS.china },
			{ name: 'Europe', value: 'europe', description: QUECTEL_HOSTS.europe },
			{ name: 'United States', value: 'us', description: QUECTEL_HOSTS.us },
			{ name: 'Custom', value: 'custom' },
		],
		default: 'china',
		description: 'The data center your Quectel / Acceleronix account lives in',
	},
	{
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://iot-api.example.com',
		displayOptions: { show: { region: ['custom'] } },
	},
];

/** The same base URL the node derives from `region`/`baseUrl`, as a credential expression. */
const quectelBaseUrlExpression = `={{$credentials.region === "custom" ? String($credentials.baseUrl).replace(/\\/+$/, "") : ${JSON.stringify(QUECTEL_HOSTS)}[$credentials.region]}}`;

/** `Authorization: <token>` exactly as login returned it: no scheme in front. */
export const quectelAuthenticate: IAuthenticateGeneric = {
	type: 'generic',
	properties: { headers: { Authorization: '={{$credentials.accessToken}}' } },
};

/** Lists one message: cheap, needs a valid token, changes nothing. Errors come inside HTTP 200. */
export const quectelCredentialTest: ICredentialTestRequest = {
	request: {
		baseURL: quectelBaseUrlExpression,
		url: '/v2/mobilepush/enduserapi/userMsgList',
		method: 'GET',
		qs: { page: 1, pageSize: 1 },
		// Never followed: a redirect fails the test, with the redirect rules' message.
		disableFollowRedirect: true,
	},
	rules: testRules({}, [
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'code',
				value: 5032,
				message: 'Quectel refused the access token (5032): it may have expired',
			},
		},
		{
			type: 'responseSuccessBody',
			properties: { key: 'code', value: 5106, message: 'Quectel received no access token (5106)' },
		},
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'code',
				value: 5041,
				message: 'The account has no permission for push messages (5041)',
			},
		},
	]),
};

export class QuectelTokenApi implements ICredentialType {
	name = 'quectelTokenApi';

	displayName = 'Quectel IoT Access Token API';

	icon = 'file:quectel.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#quectel-iot';

	properties: INodeProperties[] = [
		...quectelRegionProperties,
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The accessToken.token an end-user login returned. It expires after about 2 hours; for scheduled workflows use the Quectel IoT Email and Password credential instead, which logs in again by itself.',
		},
	];

	authenticate = quectelAuthenticate;

	test = quectelCredentialTest;
}
