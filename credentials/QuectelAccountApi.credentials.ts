import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import {
	quectelAuthenticate,
	quectelCredentialTest,
	quectelRegionProperties,
} from './QuectelTokenApi.credentials';
import { baseUrlOf } from './auth/hosts';
import { httpError, tokenRequest } from './auth/guard';
import {
	QUECTEL_HOSTS,
	QUECTEL_LOGIN_PATH,
	quectelLoginForm,
	readQuectelLogin,
} from './auth/quectel';

/**
 * An end-user account: n8n logs in with email and password (`preAuthentication`), keeps the
 * token in the hidden expirable field, and the node empties that field to log in again when
 * Quectel reports the token expired (inside an HTTP 200 body, which n8n alone would not notice).
 */
export class QuectelAccountApi implements ICredentialType {
	name = 'quectelAccountApi';

	// n8n names a new credential "<this without API> account": not "Quectel IoT Account account".
	displayName = 'Quectel IoT Email and Password API';

	icon = 'file:quectel.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#quectel-iot';

	properties: INodeProperties[] = [
		...quectelRegionProperties,
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
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
			displayName: 'User Domain',
			name: 'userDomain',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. C.DM.1234.1',
			description: 'The user domain of your app, from the Quectel / Acceleronix developer center',
		},
		{
			displayName: 'User Domain Secret',
			name: 'domainSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret of that user domain; it signs the login',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const form = quectelLoginForm({
			email: String(credentials.email ?? ''),
			password: String(credentials.password ?? ''),
			userDomain: String(credentials.userDomain ?? ''),
			domainSecret: String(credentials.domainSecret ?? ''),
		});
		const answer = await tokenRequest(this, credentials, {
			method: 'POST',
			url: `${baseUrlOf(credentials, QUECTEL_HOSTS, 'region')}${QUECTEL_LOGIN_PATH}`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(form).toString(),
		});
		if (answer.statusCode < 200 || answer.statusCode >= 300)
			throw httpError(`Quectel login answered HTTP ${answer.statusCode}`, answer.statusCode);
		// The form's own values are masked if the answer echoes them (the encrypted password with its
		// random would give the password away).
		return { accessToken: readQuectelLogin(answer.body, Object.values(form)) };
	}

	authenticate = quectelAuthenticate;

	test = quectelCredentialTest;
}
