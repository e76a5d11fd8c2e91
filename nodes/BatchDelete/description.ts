import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { byFilterProperties } from './byFilter';
import { AUTO_MAX_CONCURRENCY } from './engine/concurrency';
import type { Provider } from './engine/types';
import { PROVIDERS } from './providers';

/** The node's parameters, built from the provider registry so a new provider needs no edit here. */

function showFor(provider: Provider<unknown>, property: INodeProperties): INodeProperties {
	const show = { ...(property.displayOptions?.show ?? {}), provider: [provider.id] };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

export function credentialsDescription(): INodeCredentialDescription[] {
	return PROVIDERS.flatMap((provider) =>
		provider.credentials.map((credential) => {
			const otherProviders = PROVIDERS.filter((p) => p !== provider).map((p) => p.id);
			const otherCredentials = provider.credentials
				.filter((c) => c !== credential)
				.map((c) => c.value);
			return {
				name: credential.name,
				required: true,
				// `hide`, not `show`: n8n's editor takes a parameter that credentials `show` on, and all of whose
				// options they name, for the node's authentication field, and removes it from the node panel
				// together with every parameter it depends on: that would hide Provider (seen in n8n 1.123).
				displayOptions: {
					hide:
						provider.authParameter === undefined
							? { provider: otherProviders }
							: { provider: otherProviders, [provider.authParameter]: otherCredentials },
				},
			};
		}),
	);
}

const batching = PROVIDERS.filter((p) => p.maxBatchSize > 1);
const batchSizeHint = batching.map((p) => `${p.displayName} ${p.maxBatchSize}`).join(', ');
const oneAtATime = PROVIDERS.filter((p) => p.maxBatchSize === 1).map((p) => p.id);
const autoHint = PROVIDERS.filter((p) => p.autoConcurrency === true)
	.map((p) => p.displayName)
	.join(' and ');
const fixedHint = PROVIDERS.filter((p) => p.autoConcurrency !== true)
	.map((p) => `${p.displayName} ${p.defaultConcurrency}`)
	.join(', ');
const rateHint = PROVIDERS.map(
	(p) => `${p.displayName} ${p.defaultRequestsPerSecond || 'none'}`,
).join(', ');

const optionsDescription: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 100,
			description: `IDs per request, at most the provider's maximum (${batchSizeHint}). Without this option the maximum is used.`,
			// Providers that take one ID per call have nothing to choose.
			...(oneAtATime.length > 0 ? { displayOptions: { hide: { '/provider': oneAtATime } } } : {}),
		},
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: AUTO_MAX_CONCURRENCY },
			default: 0,
			description: `How many requests may be in flight at once. 0 means Auto: start from the provider's default, send more while answers keep coming, and back off when the provider throttles (at most ${AUTO_MAX_CONCURRENCY}; Max Requests per Second still applies). Without this option: Auto for ${autoHint}, otherwise the provider's default (${fixedHint}).`,
		},
		{
			displayName: 'Deduplicate IDs',
			name: 'deduplicate',
			type: 'boolean',
			default: true,
			description:
				'Whether to send each distinct ID once; its output item is still paired with every input item that named it',
		},
		{
			displayName: 'Dry Run',
			name: 'dryRun',
			type: 'boolean',
			default: false,
			description:
				'Whether to send nothing and instead show, per ID, the batch and the request that would delete it',
		},
		{
			displayName: 'Max IDs per Run',
			name: 'maxIds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000000 },
			default: 100000,
			description:
				'A run whose input names more distinct IDs than this stops before sending anything, so a wrong expression or an unexpected input cannot start a huge deletion. Without this option: 100,000 with Output "Each ID", 1,000,000 with the summary outputs. At most 1,000,000; split bigger cleanups into several runs.',
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 1,
			description: `Spacing between request starts across all parallel requests of one run; 0 means no limit. Without this option the provider's default is used (${rateHint}).`,
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 3,
			description: 'How often a batch is resent after a network error, a timeout, HTTP 429 or 5xx',
		},
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			options: [
				{ name: 'Each ID', value: 'eachId', description: 'One item per ID on Success or Failure' },
				{
					name: 'Failures and Summary',
					value: 'failuresAndSummary',
					description:
						'One summary item on Success (counts by status, requests, duration); one item per failed ID on Failure',
				},
				{
					name: 'Summary Only',
					value: 'summaryOnly',
					description:
						'One summary item listing up to 100 failures: on Success when every ID succeeded, on Failure when any failed',
				},
			],
			default: 'eachId',
			description:
				"What the node emits. For big cleanups (100,000 IDs and more) the summaries keep n8n's memory and its saved executions small.",
		},
		{
			displayName: 'Retry Delay (Ms)',
			name: 'retryDelay',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				"First wait before a retry; it doubles each time, with jitter. A provider's Retry-After wins.",
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30000,
			description:
				'How long to wait for one answer; a request that times out may still have been applied, so its IDs end as unknown unless a retry confirms them',
		},
		{
			displayName: 'Treat Not Found as Deleted',
			name: 'treatNotFoundAsDeleted',
			type: 'boolean',
			default: true,
			description:
				'Whether an ID the provider no longer knows goes to Success as "alreadyGone". Keeps scheduled cleanups and "Retry On Fail" safe to repeat.',
		},
	],
};

export function nodeProperties(): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Provider',
			name: 'provider',
			type: 'options',
			noDataExpression: true,
			options: PROVIDERS.map((p) => ({
				name: p.displayName,
				value: p.id,
				description: `Delete ${p.noun}`,
			})),
			default: 'avayaSpaces',
		},
	];
	for (const provider of PROVIDERS) {
		if (provider.authParameter !== undefined) {
			// The provider's first credential (a plain identifier: n8n's scan ignores inline eslint-disable comments).
			const firstCredential = provider.credentials[0].value;
			properties.push(
				showFor(provider, {
					displayName: 'Authentication',
					name: provider.authParameter,
					type: 'options',
					noDataExpression: true,
					options: provider.credentials.map((c) => ({ name: c.displayName, value: c.value })),
					default: firstCredential,
				}),
			);
		}
		for (const property of provider.properties) properties.push(showFor(provider, property));
	}
	// Select (By ID / By Filter), the list filters, Older Than and Limit (byFilter.ts).
	properties.push(...byFilterProperties());
	// Providers that read items themselves have their own ID parameters instead of these; By Filter needs none.
	const ownIds = PROVIDERS.filter((p) => p.readTargets !== undefined).map((p) => p.id);
	const generic = (property: INodeProperties): INodeProperties => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			hide: { ...(ownIds.length === 0 ? {} : { provider: ownIds }), select: ['byFilter'] },
		},
	});
	properties.push(
		generic({
			displayName: 'IDs From',
			name: 'idSource',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Field of Each Item',
					value: 'field',
					description: 'Read the IDs from a field of every input item',
				},
				{
					name: 'List',
					value: 'list',
					description: 'Give the IDs directly, or with an expression',
				},
			],
			default: 'field',
		}),
		generic({
			displayName: 'ID Field',
			name: 'idField',
			type: 'string',
			default: 'id',
			required: true,
			placeholder: 'e.g. messageId or data.messageIds',
			description:
				'Field holding the ID: one ID, a list of IDs, or IDs separated by commas or new lines. Dot paths reach nested fields.',
			displayOptions: { show: { idSource: ['field'] } },
		}),
		generic({
			displayName: 'IDs',
			name: 'ids',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 58e3d0cb9dbbbd1b0e1c9f53, 5942f21cad73d2815b272a95',
			description: 'IDs separated by commas or new lines, or an expression returning a list',
			displayOptions: { show: { idSource: ['list'] } },
		}),
		optionsDescription,
	);
	return properties;
}
