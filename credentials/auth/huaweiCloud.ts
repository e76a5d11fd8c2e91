import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { redactText } from './redact';

/** The documented MSGSMS hosts. */
export const HUAWEI_MSGSMS_ENDPOINTS: Record<string, string> = {
	'cn-north-4': 'https://msgsms.cn-north-4.myhuaweicloud.com',
	'cn-south-1': 'https://msgsms.cn-south-1.myhuaweicloud.com',
	'ap-southeast-1': 'https://msgsms.ap-southeast-1.myhuaweicloud.com',
	'eu-west-101': 'https://msgsms.eu-west-101.myhuaweicloud.eu',
};

/** IAM hosts of the same regions (`iam.{region}.myhuaweicloud.com`; the EU site has its own domain). */
export const HUAWEI_IAM_ENDPOINTS: Record<string, string> = {
	'cn-north-4': 'https://iam.cn-north-4.myhuaweicloud.com',
	'cn-south-1': 'https://iam.cn-south-1.myhuaweicloud.com',
	'ap-southeast-1': 'https://iam.ap-southeast-1.myhuaweicloud.com',
	'eu-west-101': 'https://iam.eu-west-101.myhuaweicloud.eu',
};

/** A documented MSGSMS host by region, looked up as own properties only (`__proto__`,
 * `constructor` and the like name no region). */
export function msgsmsHostOf(region: string): string | undefined {
	return Object.hasOwn(HUAWEI_MSGSMS_ENDPOINTS, region)
		? HUAWEI_MSGSMS_ENDPOINTS[region]
		: undefined;
}

/** The credential field holding the user's own Message & SMS endpoint (a proxy, a new region). */
const HUAWEI_ENDPOINT_PROPERTY = 'endpointUrl';

/** That field, the same in both Huawei Cloud credentials. */
export const huaweiEndpointProperty: INodeProperties = {
	displayName: 'Custom Endpoint URL',
	name: HUAWEI_ENDPOINT_PROPERTY,
	type: 'string',
	default: '',
	placeholder: 'https://msgsms.cn-north-4.myhuaweicloud.com',
	description:
		'Only for the node\'s Region "Custom (Endpoint URL in the Credential)": the Message & SMS endpoint to use, e.g. a proxy. The node sends this credential only to this URL or to a documented region.',
};

/**
 * The credential's Custom Endpoint URL, normalized (no trailing slash), or an Error saying why
 * it cannot be used: it must be an http(s) URL without user name, password, query or fragment, so
 * that the host n8n connects to is the one shown (`https://real@other` connects to `other`).
 */
export function customEndpointOf(credentials: IDataObject): string {
	const raw = String(credentials[HUAWEI_ENDPOINT_PROPERTY] ?? '').trim();
	if (raw === '')
		throw new Error(
			'Region is "Custom": set "Custom Endpoint URL" in the Huawei Cloud credential (the Endpoint URL moved from the node into the credential)',
		);
	return normalizeEndpoint(raw, "The credential's Custom Endpoint URL");
}

/** An endpoint URL as one string to compare and prefix paths with, or an Error naming `what`. */
export function normalizeEndpoint(raw: string, what: string): string {
	const url = URL.canParse(raw.trim()) ? new URL(raw.trim()) : undefined;
	if (url === undefined) throw new Error(`${what} is not a URL`);
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		throw new Error(`${what} must be an http(s) URL`);
	if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '')
		throw new Error(`${what} may not hold a user name, password, query or fragment`);
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

const REGIONS = [
	{ name: 'AP-Southeast-1 (Hong Kong)', value: 'ap-southeast-1' },
	{ name: 'CN North-Beijing4', value: 'cn-north-4' },
	{ name: 'CN South-Guangzhou', value: 'cn-south-1' },
	{ name: 'Custom URL', value: 'custom' },
	{ name: 'EU-Dublin', value: 'eu-west-101' },
];

/** The region selector's options, each showing the host it stands for. */
export function regionOptions(
	hosts: Record<string, string>,
	customName?: string,
): INodePropertyOptions[] {
	return REGIONS.map((region) =>
		region.value === 'custom'
			? { ...region, name: customName ?? region.name }
			: { ...region, description: hosts[region.value] },
	);
}

export const HUAWEI_IAM_CREDENTIAL = 'huaweiCloudIamApi';
export const HUAWEI_AKSK_CREDENTIAL = 'huaweiCloudAkSkApi';
/** The IAM credential's hidden, expirable token field. */
export const HUAWEI_TOKEN_PROPERTY = 'authToken';

/** The IAM side of the Huawei Cloud IAM credential: where and how a password token is asked for. */

/** The IAM host: a documented region or the user's URL, without a trailing slash. */
export function iamBaseUrl(credentials: IDataObject): string {
	const region = String(credentials.iamRegion ?? '');
	const url =
		region === 'custom'
			? String(credentials.iamUrl ?? '').trim()
			: Object.hasOwn(HUAWEI_IAM_ENDPOINTS, region)
				? HUAWEI_IAM_ENDPOINTS[region]
				: undefined;
	if (url === undefined || url === '')
		throw new Error(
			`No IAM endpoint for region "${region}": check the Huawei Cloud IAM credential`,
		);
	return url.replace(/\/+$/, '');
}

/** The documented password-token request, scoped to one project by name or by ID. */
export function iamTokenRequestBody(credentials: IDataObject): IDataObject {
	const project = String(credentials.project ?? '').trim();
	return {
		auth: {
			identity: {
				methods: ['password'],
				password: {
					// In the official SDK's order (test/sdk/huaweiCloud.test.ts compares the bytes).
					user: {
						domain: { name: String(credentials.domainName ?? '') },
						name: String(credentials.userName ?? ''),
						password: String(credentials.password ?? ''),
					},
				},
			},
			scope: { project: credentials.projectScope === 'id' ? { id: project } : { name: project } },
		},
	};
}

/** The token from a full response's headers (`X-Subject-Token`, any case). */
export function subjectToken(headers: Record<string, unknown> | undefined): string | undefined {
	const value = Object.entries(headers ?? {}).find(
		([name]) => name.toLowerCase() === 'x-subject-token',
	)?.[1];
	const token = Array.isArray(value) ? value[0] : value;
	return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Why IAM refused a token request (`{error:{code, message}}`), or undefined for a 2xx answer. */
export function iamRefusal(
	statusCode: number | undefined,
	body: unknown,
	sent: string[] = [],
): string | undefined {
	if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return undefined;
	const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
	const reason =
		typeof error?.message === 'string' && error.message !== ''
			? `: ${redactText(error.message, sent).slice(0, 300)}`
			: '';
	return `Huawei Cloud IAM refused the token request (HTTP ${statusCode ?? 'no status'})${reason}`;
}
