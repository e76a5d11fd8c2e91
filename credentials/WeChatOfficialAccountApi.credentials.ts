import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';
import { httpError, testRules, tokenRequest } from './auth/guard';
import { WECHAT_DEFAULT_BASE_URL, readStableToken, weChatBaseUrl } from './auth/weChat';

/**
 * AppID and AppSecret: n8n fetches an access token from `/cgi-bin/stable_token`
 * (`preAuthentication`) and keeps it in the hidden expirable field. The stable endpoint, unlike
 * the older `/cgi-bin/token`, does not invalidate tokens other systems of the same account use.
 * WeChat reports an expired token inside an HTTP 200 body, so the node empties the field itself
 * to fetch a new one.
 */
export class WeChatOfficialAccountApi implements ICredentialType {
	name = 'weChatOfficialAccountApi';

	// n8n names a new credential "<this without API> account": not "WeChat Official Account account".
	displayName = 'WeChat Official Account AppSecret API';

	icon = 'file:weChatOfficialAccount.svg' as const;

	documentationUrl =
		'https://github.com/n8n-nodes-batch-delete/n8n-nodes-batch-delete#wechat-official-account';

	properties: INodeProperties[] = [
		{
			displayName: 'AppID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'wx0123456789abcdef',
			description:
				'From the Official Account platform: Settings and Development → Basic Configuration',
		},
		{
			displayName: 'AppSecret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"Also add this n8n server's outgoing IP address to the account's IP whitelist, or WeChat refuses the token request (40164)",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: WECHAT_DEFAULT_BASE_URL,
			description: 'Change only to use a regional API domain or a proxy',
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
		const answer = await tokenRequest(this, credentials, {
			method: 'POST',
			url: `${weChatBaseUrl(credentials)}/cgi-bin/stable_token`,
			headers: { 'Content-Type': 'application/json' },
			body: {
				grant_type: 'client_credential',
				appid: String(credentials.appId ?? '').trim(),
				secret: String(credentials.appSecret ?? ''),
				// The documented default, sent as node-easywechat sends it (test/sdk/weChat.test.ts).
				force_refresh: false,
			},
		});
		if (answer.statusCode < 200 || answer.statusCode >= 300)
			throw httpError(
				`WeChat answered the token request with HTTP ${answer.statusCode}`,
				answer.statusCode,
			);
		return { accessToken: readStableToken(answer.body, [String(credentials.appSecret ?? '')]) };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { qs: { access_token: '={{$credentials.accessToken}}' } },
	};

	/** Lists WeChat's API domain IPs: needs a valid token, changes nothing, uses no delete quota. */
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{String($credentials.baseUrl || "${WECHAT_DEFAULT_BASE_URL}").replace(/\\/+$/, "")}}`,
			url: '/cgi-bin/get_api_domain_ip',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: testRules({}, [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 40001,
					message: 'WeChat refused the access token (40001)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 40164,
					message: "This n8n server's IP address is not in the account's IP whitelist (40164)",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 48001,
					message: 'This account may not call the API (48001): only verified accounts can',
				},
			},
		]),
	};
}
