import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import type { BatchVerdict, FallbackRequests, Provider, Target } from '../../engine/types';
import type { HttpResponse } from '../common';
import {
	hasWhitespaceOrControl,
	OutcomeMap,
	parseBody,
	rejectedBatch,
	shortText,
	transientVerdict,
	unreadable,
} from '../common';
import {
	HUAWEI_AKSK_CREDENTIAL,
	HUAWEI_IAM_CREDENTIAL,
	HUAWEI_MSGSMS_ENDPOINTS,
	HUAWEI_TOKEN_PROPERTY,
	customEndpointOf,
	msgsmsHostOf,
	normalizeEndpoint,
	regionOptions,
} from '../../../../credentials/auth/huaweiCloud';
import { hostRefusal, originOf } from '../../../../credentials/auth/guard';
import { errorOf, withGatewayCode } from './answer';

/**
 * Huawei Cloud Message & SMS templates: `POST /v2/{project_id}/msgsms/templates/batch-delete`,
 * `{ids:[...]}` with 1–50 IDs of at most 64 characters, answered with `success_ids` and
 * `failed_template_list`. Two credentials: an IAM token (`X-Auth-Token`, fetched by n8n through
 * the credential's preAuthentication) or AK/SK request signing.
 * The batch path is in the API documents but no official SDK calls it; where it is not served
 * (404, or the gateway's APIG.0101), the run goes on with the documented single delete
 * `DELETE /v2/{project_id}/msgsms/templates/{template_id}` (`singleDelete` below).
 */

const MAX_TEMPLATE_ID_LENGTH = 64;
const CONTENT_TYPE = 'application/json;charset=utf8';

export interface HuaweiCloudSmsParams {
	/** Where requests go: a documented region's host, or (once the credential is bound, see
	 * `bindCredential`) the credential's Custom Endpoint URL. Empty until then for "Custom". */
	endpoint: string;
	/** The node's Project ID, for an IAM credential that names its project by name. */
	projectId?: string;
	/** Region "Custom": the endpoint comes from the credential. */
	custom?: true;
	/** An Endpoint URL still set on the node (before it moved into the credential), normalized: it
	 * must be the credential's own, or the item is refused. */
	nodeEndpoint?: string;
}

const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REGION_NAMES = Object.keys(HUAWEI_MSGSMS_ENDPOINTS).join(', ');

const parameters = z
	.object({
		region: z.unknown(),
		nodeEndpoint: z.unknown(),
		projectId: z
			.string({ invalid_type_error: 'Project ID must be text' })
			.trim()
			.refine(
				(v) => v === '' || PROJECT_ID.test(v),
				'Project ID may only hold letters, digits, "-" and "_" (a Huawei Cloud project ID is 32 hex characters)',
			),
	})
	.transform((p, ctx): HuaweiCloudSmsParams => {
		const projectId = p.projectId === '' ? {} : { projectId: p.projectId };
		const region = typeof p.region === 'string' ? p.region.trim() : '';
		if (region === 'custom') {
			const raw = typeof p.nodeEndpoint === 'string' ? p.nodeEndpoint.trim() : '';
			if (raw === '') return { endpoint: '', custom: true, ...projectId };
			try {
				return {
					endpoint: '',
					custom: true,
					nodeEndpoint: normalizeEndpoint(raw, 'Endpoint URL'),
					...projectId,
				};
			} catch (error) {
				ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
				return z.NEVER;
			}
		}
		// Only a documented region, looked up as an own property: item data never names a host.
		const endpoint = msgsmsHostOf(region);
		if (endpoint === undefined) {
			ctx.addIssue({
				code: z.ZodIssueCode.custom,
				message: `Region must be one of ${REGION_NAMES} or "custom" (the credential's Custom Endpoint URL); a host cannot be given here`,
			});
			return z.NEVER;
		}
		return { endpoint, ...projectId };
	});

/**
 * The parameters with the credential's host filled in: "Custom" takes the credential's Custom
 * Endpoint URL, and an Endpoint URL still on the node must be that same URL. The host must also
 * pass the credential's Allowed HTTP Request Domains. Throws why not (the node names the item).
 */
function bindHuaweiCredential(
	params: HuaweiCloudSmsParams,
	credentials: IDataObject,
): HuaweiCloudSmsParams {
	let endpoint = params.endpoint;
	if (params.custom === true) {
		endpoint = customEndpointOf(credentials);
		if (params.nodeEndpoint !== undefined && params.nodeEndpoint !== endpoint)
			throw new Error(
				`The node's Endpoint URL (${originOf(params.nodeEndpoint) ?? 'not a URL'}) is not the credential's Custom Endpoint URL (${originOf(endpoint) ?? ''}): requests go only to hosts the credential names, so set the URL in the credential`,
			);
	}
	const refusal = hostRefusal(endpoint, credentials);
	if (refusal !== undefined) throw new Error(refusal);
	return { endpoint, ...(params.projectId === undefined ? {} : { projectId: params.projectId }) };
}

/**
 * The project in the URL. AK/SK: the credential's project ID. IAM: the node's Project ID if set,
 * else the credential's project when it is given as an ID. A project given by name cannot go in
 * the URL, and the token answer that would tell its ID arrives only after the URL is built.
 */
export function projectIdOf(
	params: HuaweiCloudSmsParams,
	credentialType: string,
	credentials: IDataObject,
): string {
	if (credentialType === HUAWEI_AKSK_CREDENTIAL) {
		const id = String(credentials.projectId ?? '').trim();
		if (!PROJECT_ID.test(id))
			throw new Error(
				'The Huawei Cloud AK/SK credential needs a project ID (32 hex characters, from "My Credentials > API Credentials")',
			);
		return id;
	}
	if (params.projectId !== undefined) return params.projectId;
	const project = String(credentials.project ?? '').trim();
	if (credentials.projectScope === 'id' && PROJECT_ID.test(project)) return project;
	throw new Error(
		'Project ID is required: the Huawei Cloud IAM credential names its project by name, but the API path needs the project ID. Enter it in "Project ID" (from "My Credentials > API Credentials"), or give the project by ID in the credential.',
	);
}

const deleteAnswer = z
	.object({
		success_count: z.number().optional(),
		success_ids: z.array(z.string()).nullish(),
		failed_count: z.number().optional(),
		failed_template_list: z.array(z.unknown()).nullish(),
	})
	.passthrough();

const failedEntry = z.object({ id: z.string(), error_msg: z.string().optional() }).passthrough();

/** API Gateway: "The API does not exist or has not been published in the environment" (HTTP 404). */
const API_NOT_FOUND_CODE = 'APIG.0101';

/** A `failed_template_list` entry saying its template does not exist: "Message Template Info does
 * not EXIST" (the doc's example). Only words about the template: a missing project is no evidence. */
const NOT_FOUND_TEXT = /template\b.*\b(does\s*not\s*exist|not\s*exist|not\s*found)/i;
/** Batch-level codes that mean "no such template" (Huawei Cloud documents MSGSMS.0009 for a missing
 * template); a 400's text alone never does ("project does not exist" is not about the ID). */
const NOT_FOUND_CODES = new Set(['MSGSMS.0009']);

function readAnswer(chunk: Pick<Target, 'id' | 'fields'>[], result: HttpResponse): BatchVerdict {
	const status = result.statusCode;
	const error = errorOf(result);
	const code = error.code ?? `HTTP_${status}`;
	const text = error.text;
	const transient = transientVerdict(result);
	if (transient) return withGatewayCode(transient, error);
	if (status >= 200 && status < 300) {
		const answer = parseBody(deleteAnswer, result);
		if (answer === undefined) return unreadable(result);
		const map = new OutcomeMap(chunk);
		for (const id of answer.success_ids ?? []) map.set(id, { status: 'deleted' });
		for (const raw of answer.failed_template_list ?? []) {
			const entry = failedEntry.safeParse(raw);
			if (!entry.success) continue; // its ID stays unknown
			const message = shortText(entry.data.error_msg, 'Huawei Cloud did not delete this template');
			map.set(
				entry.data.id,
				NOT_FOUND_TEXT.test(message)
					? { status: 'notFound', code: 'TEMPLATE_NOT_FOUND', message }
					: { status: 'rejected', code: 'DELETE_FAILED', message },
			);
		}
		return map.verdict();
	}
	if (status === 401) {
		// APIG.0301: bad or expired token (or a bad AK/SK signature). An IAM token is fetched again
		// once; for AK/SK there is nothing to refresh and the engine stops the run.
		return {
			kind: 'reauth',
			code,
			message: shortText(text, 'Huawei Cloud refused the token or signature (HTTP 401)'),
		};
	}
	if (status === 400) {
		// Nothing was deleted. Halving isolates the ID the gateway objects to, whether or not the
		// message names it. Only a request for one ID can be told "not found" about that ID: on a
		// bigger batch "not found" could be any of them, so it stays a rejection if halving stops.
		const notFound = NOT_FOUND_CODES.has(code);
		const message = shortText(text, `Huawei Cloud rejected the request (${code})`);
		if (chunk.length === 1)
			return { kind: 'failBatch', status: notFound ? 'notFound' : 'rejected', code, message };
		return rejectedBatch(code, message);
	}
	if (status === 403) {
		// No permission for this action in this project: the same for every batch.
		return {
			kind: 'stopRun',
			reason: 'auth',
			code,
			message: shortText(
				text,
				'Huawei Cloud denied the request (HTTP 403): check the IAM permissions for Message & SMS',
			),
		};
	}
	if (status === 404 || code === API_NOT_FOUND_CODE) {
		// The path itself is not served here: try the single delete before blaming the endpoint.
		return {
			kind: 'useFallback',
			code: error.gatewayCode ?? 'HTTP_404',
			message: shortText(text, 'The batch-delete path was not found (HTTP 404)'),
		};
	}
	return {
		kind: 'failBatch',
		status: 'error',
		code,
		message: shortText(text, `Huawei Cloud answered HTTP ${status}`),
	};
}

/** Both paths missing: the endpoint or the project ID is wrong. */
function endpointNotFound(code: string | undefined, text: string): BatchVerdict {
	return {
		kind: 'stopRun',
		reason: 'config',
		code: code ?? 'ENDPOINT_NOT_FOUND',
		message: shortText(
			text === '' ? undefined : `${text}: check the region endpoint and the project ID`,
			'The template delete endpoint was not found (HTTP 404): check the region endpoint and the project ID',
		),
	};
}

/**
 * The answer to `DELETE …/templates/{template_id}` (one ID): 200 or 204 when deleted (the API
 * document lists both, with no body); errors as on the batch path, read by `readAnswer`. The
 * document lists no answer for a missing template: a 400 or 404 naming MSGSMS.0009 or "does not
 * exist" is read as not found, the way the batch path's 400 is.
 */
function readSingleAnswer(
	chunk: Pick<Target, 'id' | 'fields'>[],
	result: HttpResponse,
): BatchVerdict {
	const status = result.statusCode;
	if (status === 200 || status === 204) {
		const map = new OutcomeMap(chunk);
		map.set(chunk[0].id, { status: 'deleted' });
		return map.verdict();
	}
	if (status !== 404) {
		const verdict = readAnswer(chunk, result);
		// No third form to fall back to.
		return verdict.kind === 'useFallback'
			? endpointNotFound(verdict.code, verdict.message)
			: verdict;
	}
	const { code, text } = errorOf(result);
	if (
		code !== undefined &&
		!code.startsWith('APIG.') &&
		(NOT_FOUND_CODES.has(code) || NOT_FOUND_TEXT.test(text))
	)
		return { kind: 'failBatch', status: 'notFound', code, message: shortText(text, 'Not found') };
	return endpointNotFound(code, text);
}

/** One template per request, for the rest of a run whose batch path is not served. */
const singleDelete: FallbackRequests<HuaweiCloudSmsParams> = {
	maxBatchSize: 1,
	notice:
		'Huawei Cloud does not serve the batch-delete path at this endpoint, so the rest of this run deleted one template per request (DELETE /v2/{project_id}/msgsms/templates/{template_id})',
	buildRequest(chunk, ctx) {
		if (chunk.length !== 1) throw new Error('The single template delete takes one ID per request');
		const projectId = projectIdOf(ctx.params, ctx.credentialType, ctx.credentials);
		return {
			method: 'DELETE',
			url: `${ctx.params.endpoint}/v2/${encodeURIComponent(projectId)}/msgsms/templates/${encodeURIComponent(chunk[0].id)}`,
			headers: { 'Content-Type': CONTENT_TYPE },
		};
	},
	readResponse: readSingleAnswer,
};

/** Everything but the list API (see ./index.ts). */
export const deletion: Omit<Provider<HuaweiCloudSmsParams>, 'list'> = {
	id: 'huaweiCloudSms',
	displayName: 'Huawei Cloud SMS',
	noun: 'SMS templates',
	idName: 'the template ID (`id`)',
	maxBatchSize: 50,
	defaultBatchSize: 50,
	defaultConcurrency: 2,
	// No request rate is documented for this API; the gateway answers 429 APIG.0308 when it throttles,
	// so Auto concurrency finds the rate it takes (starting from defaultConcurrency).
	autoConcurrency: true,
	defaultRequestsPerSecond: 0,
	authParameter: 'huaweiCloudAuthentication',
	credentials: [
		{
			name: HUAWEI_IAM_CREDENTIAL,
			value: 'iamToken',
			displayName: 'IAM Token (User Name and Password)',
			tokenProperty: HUAWEI_TOKEN_PROPERTY,
		},
		{ name: HUAWEI_AKSK_CREDENTIAL, value: 'akSk', displayName: 'Access Key (AK/SK Signature)' },
	],
	properties: [
		{
			displayName: 'Region',
			name: 'huaweiCloudRegion',
			type: 'options',
			options: regionOptions(HUAWEI_MSGSMS_ENDPOINTS, 'Custom (Endpoint URL in the Credential)'),
			default: 'cn-north-4',
			description:
				'Where the Message & SMS service of your project runs. An expression may pick a region per item; a host comes only from the credential.',
		},
		{
			// Kept, hidden, so a workflow saved with an Endpoint URL on the node is refused unless the
			// URL is the credential's own (where it now lives), instead of silently going elsewhere.
			displayName: 'Endpoint URL (Moved Into the Credential)',
			name: 'huaweiCloudEndpoint',
			type: 'hidden',
			default: '',
			displayOptions: { show: { huaweiCloudRegion: ['custom'] } },
		},
		{
			displayName: 'Project ID',
			name: 'huaweiCloudProjectId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 0123456789abcdef0123456789abcdef',
			description:
				'The ID of the project the templates belong to. Needed when the credential names the project by name; when it gives the project ID, leave this empty.',
			displayOptions: { show: { huaweiCloudAuthentication: ['iamToken'] } },
		},
	],
	checkId(id) {
		// Characters (code points), never more than UTF-16 units: counted only past the limit, as
		// spreading every ID into an array cost 0.85 µs per ID at 100,000 IDs.
		const length = id.length <= MAX_TEMPLATE_ID_LENGTH ? id.length : [...id].length;
		if (length > MAX_TEMPLATE_ID_LENGTH)
			return `Longer than ${MAX_TEMPLATE_ID_LENGTH} characters, so not a Huawei Cloud SMS template ID`;
		if (hasWhitespaceOrControl(id))
			return 'Contains whitespace or control characters, so not a Huawei Cloud SMS template ID';
		return undefined;
	},
	readParameters(read, itemIndex) {
		const auth = read('huaweiCloudAuthentication', itemIndex, 'iamToken');
		const region = read('huaweiCloudRegion', itemIndex, 'cn-north-4');
		const parsed = parameters.safeParse({
			region,
			nodeEndpoint: region === 'custom' ? read('huaweiCloudEndpoint', itemIndex, '') : '',
			// Only the IAM credential uses the node's Project ID (AK/SK carries its own).
			projectId: auth === 'iamToken' ? read('huaweiCloudProjectId', itemIndex, '') : '',
		});
		if (!parsed.success)
			throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
		return parsed.data;
	},
	bindCredential: bindHuaweiCredential,
	// An IAM token is scoped to the credential's project: another Project ID would get 403 for every
	// request. Known before sending only when the credential gives its project by ID.
	scopeProblem(ctx) {
		if (ctx.credentialType !== HUAWEI_IAM_CREDENTIAL || ctx.params.projectId === undefined)
			return undefined;
		const scoped = String(ctx.credentials.project ?? '').trim();
		if (ctx.credentials.projectScope !== 'id' || scoped === '' || scoped === ctx.params.projectId)
			return undefined;
		return `Project ID ${ctx.params.projectId} is not the project the IAM credential is scoped to (${scoped}), and an IAM token works for its own project only, so nothing was sent for it. Use one credential per project (for example a Batch Delete node per project), or an AK/SK credential for that project`;
	},
	// The project ID given by the node (IAM); with none, the credential's project, the same for all.
	scopeFields: (params) => ({
		endpoint: params.endpoint,
		...(params.projectId === undefined ? {} : { projectId: params.projectId }),
	}),
	buildRequest(chunk, ctx) {
		const projectId = projectIdOf(ctx.params, ctx.credentialType, ctx.credentials);
		return {
			method: 'POST',
			url: `${ctx.params.endpoint}/v2/${encodeURIComponent(projectId)}/msgsms/templates/batch-delete`,
			headers: { 'Content-Type': CONTENT_TYPE },
			body: { ids: chunk.map((t) => t.id) },
		};
	},
	readResponse: readAnswer,
	fallback: singleDelete,
};
