import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { avayaEnvironmentProperties } from './AvayaSpacesApi.credentials';

/** Authorization-code OAuth2 against the Avaya accounts host; the node sends `bearer <token>`. */
export class AvayaSpacesOAuth2Api implements ICredentialType {
	name = 'avayaSpacesOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Avaya Spaces OAuth2 API';

	icon = 'file:avayaSpaces.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#avaya-spaces';

	properties: INodeProperties[] = [
		...avayaEnvironmentProperties,
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://accounts.avayacloud.com/oauth2/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: 'https://accounts.avayacloud.com/oauth2/access_token',
		},
		{ displayName: 'Scope', name: 'scope', type: 'string', default: 'spaces' },
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	];
}
