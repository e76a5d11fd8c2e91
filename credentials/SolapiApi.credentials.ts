import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';
import { testRules } from './auth/guard';
import { keyPair } from './auth/keyPair';
import { SOLAPI_HOSTS, newSalt, solapiDate, solapiAuthorization } from './auth/solapi';

const SOLAPI_DEFAULT_BASE_URL = SOLAPI_HOSTS.v4;

/** SOLAPI API key + secret. Each request is signed afresh (new date and salt), so the
 * signature can never be replayed and never trips SOLAPI's duplicate-signature check. */
export class SolapiApi implements ICredentialType {
	name = 'solapiApi';

	displayName = 'SOLAPI API';

	icon = 'file:solapi.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#solapi';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'API Secret',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: SOLAPI_DEFAULT_BASE_URL,
			description:
				'Leave as is for SOLAPI. With the default, the legacy group API goes to https://solapi.com as SOLAPI documents it; a custom URL (a proxy) is used for both API versions.',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { key: apiKey, secret: apiSecret } = keyPair(
			credentials,
			'apiKey',
			'apiSecret',
			'The SOLAPI credential needs an API key and an API secret',
		);
		const authorization = solapiAuthorization(apiKey, apiSecret, solapiDate(new Date()), newSalt());
		return {
			...requestOptions,
			headers: { ...(requestOptions.headers ?? {}), Authorization: authorization },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{($credentials.baseUrl || "${SOLAPI_DEFAULT_BASE_URL}").replace(/\\/+$/, "")}}`,
			url: '/cash/v1/balance',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: testRules({
			401: "SOLAPI refused the API key or secret (401): check both, and the key's allowed IP addresses",
			403: "SOLAPI refused the API key or secret (403): check both, and the key's allowed IP addresses",
		}),
	};
}
