import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';
import {
	HUAWEI_IAM_ENDPOINTS,
	HUAWEI_TOKEN_PROPERTY,
	iamBaseUrl,
	iamRefusal,
	iamTokenRequestBody,
	regionOptions,
	subjectToken,
	huaweiEndpointProperty,
} from './auth/huaweiCloud';
import { testRules, tokenRequest } from './auth/guard';

const iamBaseUrlExpression = `={{$credentials.iamRegion === "custom" ? $credentials.iamUrl.trim().replace(/\\/+$/, "") : ${JSON.stringify(HUAWEI_IAM_ENDPOINTS)}[$credentials.iamRegion]}}`;

/**
 * An IAM user's password exchanged for a project-scoped token (valid 24 h). n8n keeps the token in
 * the hidden expirable field, reuses it across executions and fetches a new one when it is empty;
 * the node empties it when the API answers 401 (APIG.0301).
 */
export class HuaweiCloudIamApi implements ICredentialType {
	name = 'huaweiCloudIamApi';

	displayName = 'Huawei Cloud IAM API';

	icon = 'file:huaweiCloud.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#huawei-cloud-sms';

	properties: INodeProperties[] = [
		{
			displayName: 'IAM Region',
			name: 'iamRegion',
			type: 'options',
			options: regionOptions(HUAWEI_IAM_ENDPOINTS),
			default: 'cn-north-4',
		},
		{
			displayName: 'IAM Endpoint URL',
			name: 'iamUrl',
			type: 'string',
			default: '',
			placeholder: 'https://iam.cn-north-4.myhuaweicloud.com',
			displayOptions: { show: { iamRegion: ['custom'] } },
		},
		{
			displayName: 'Account Name',
			name: 'domainName',
			type: 'string',
			default: '',
			required: true,
			description: 'The Huawei Cloud account (domain) the IAM user belongs to',
		},
		{
			displayName: 'IAM User Name',
			name: 'userName',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Project Given As',
			name: 'projectScope',
			type: 'options',
			options: [
				{
					name: 'Name',
					value: 'name',
					description: 'E.g. cn-north-4; the node then needs the project ID as well',
				},
				{ name: 'ID', value: 'id', description: 'The 32-character project ID' },
			],
			default: 'name',
		},
		{
			displayName: 'Project',
			name: 'project',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'cn-north-4',
			description: 'The project the token is scoped to, by name or by ID as chosen above',
		},
		huaweiEndpointProperty,
		{
			displayName: 'Token',
			name: HUAWEI_TOKEN_PROPERTY,
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		// Read IAM's refusal here (the guarded request returns every status): its reason beats
		// axios's "status code 401", and n8n would otherwise ask IAM again for the same wrong password.
		const response = await tokenRequest(this, credentials, {
			method: 'POST',
			url: `${iamBaseUrl(credentials)}/v3/auth/tokens`,
			headers: { 'Content-Type': 'application/json;charset=utf8' },
			body: iamTokenRequestBody(credentials),
		});
		const refusal = iamRefusal(response.statusCode, response.body, [
			String(credentials.password ?? ''),
		]);
		if (refusal !== undefined) throw new Error(refusal);
		const token = subjectToken(response.headers);
		if (token === undefined)
			throw new Error('Huawei Cloud IAM answered without an X-Subject-Token header');
		return { [HUAWEI_TOKEN_PROPERTY]: token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-Auth-Token': `={{$credentials.${HUAWEI_TOKEN_PROPERTY}}}` } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: iamBaseUrlExpression,
			url: '/v3/auth/projects',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: testRules(),
	};
}
