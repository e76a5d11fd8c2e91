import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { testRules } from './auth/guard';
import { keyPair } from './auth/keyPair';
import { HUAWEI_MSGSMS_ENDPOINTS, huaweiEndpointProperty, regionOptions } from './auth/huaweiCloud';
import { signOutgoingRequest } from './auth/huaweiCloudSigner';

const testBaseUrlExpression = `={{$credentials.testRegion === "custom" ? $credentials.testUrl.trim().replace(/\\/+$/, "") : ${JSON.stringify(HUAWEI_MSGSMS_ENDPOINTS)}[$credentials.testRegion]}}`;

/**
 * Access key / secret key. Every request is signed on its way out (SDK-HMAC-SHA256, as the
 * official SDK signs), with a fresh X-Sdk-Date, over the exact bytes sent.
 */
export class HuaweiCloudAkSkApi implements ICredentialType {
	name = 'huaweiCloudAkSkApi';

	displayName = 'Huawei Cloud AK/SK API';

	icon = 'file:huaweiCloud.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#huawei-cloud-sms';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Key ID',
			name: 'accessKey',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '0123456789abcdef0123456789abcdef',
			description: 'The project the SMS templates belong to (My Credentials > API Credentials)',
		},
		huaweiEndpointProperty,
		{
			displayName: 'Region for the Credential Test',
			name: 'testRegion',
			type: 'options',
			options: regionOptions(HUAWEI_MSGSMS_ENDPOINTS),
			default: 'cn-north-4',
			description:
				'Only the Test button uses this: it lists one SMS template of the project there. The node has its own region setting.',
		},
		{
			displayName: 'Endpoint URL for the Credential Test',
			name: 'testUrl',
			type: 'string',
			default: '',
			placeholder: 'https://msgsms.cn-north-4.myhuaweicloud.com',
			displayOptions: { show: { testRegion: ['custom'] } },
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { key: accessKey, secret: secretKey } = keyPair(
			credentials,
			'accessKey',
			'secretKey',
			'The Huawei Cloud AK/SK credential needs an access key and a secret key',
		);
		const projectId = String(credentials.projectId ?? '').trim();
		// As the SDK does for regional services: the project travels (signed) in X-Project-Id.
		const extra: Record<string, string> = projectId === '' ? {} : { 'X-Project-Id': projectId };
		return signOutgoingRequest(requestOptions, accessKey, secretKey, extra, new Date());
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: testBaseUrlExpression,
			url: '=/v2/{{$credentials.projectId}}/msgsms/templates?limit=1',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: testRules({
			401: 'Huawei Cloud refused the AK/SK signature (401): check the access key ID and the secret access key',
			403: 'Huawei Cloud refused access (403): check the project ID and that the key may manage SMS templates',
		}),
	};
}
