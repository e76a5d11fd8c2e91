import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { byFilterProperties } from './byFilter';
import { AUTO_MAX_CONCURRENCY } from './engine/concurrency';
import type { Provider } from './engine/types';
import { PROVIDERS } from './providers';
import { DEFAULT_MAX_IDS, MAX_MAX_IDS } from './settings';

/** The node's parameters, built from the provider registry so a new provider needs no edit here. */

/** "Message" for messages, "Template" for SMS templates: the kind of ID a provider deletes. */
function idWord(provider: Provider<unknown>): string {
	const word = provider.noun.split(' ').pop()!.replace(/s$/, '');
	return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The ID Field's label, which error messages name too. */
export function idFieldLabel(provider: Provider<unknown>): string {
	return `${idWord(provider)} ID Field`;
}

function showFor(provider: Provider<unknown>, property: INodeProperties): INodeProperties {
	const show = { ...(property.displayOptions?.show ?? {}), provider: [provider.id] };
	return { ...property, displayOptions: { ...property.displayOptions, show } };
}

export function credentialsDescription(): INodeCredentialDescription[] {
	return PROVIDERS.flatMap((provider) =>
		provider.credentials.map((credential) => ({
			name: credential.name,
			required: true,
			// `show`: n8n 1.x's "Create new credential" opens the node's first credential type unless
			// each credential says when it shows. The keys are root paths ('/provider'), not bare names:
			// n8n's editor takes a parameter named in a credential's `show` for the node's authentication
			// field and removes it from the panel, which would hide Provider itself.
			displayOptions: {
				show:
					provider.authParameter === undefined
						? { '/provider': [provider.id] }
						: { '/provider': [provider.id], [`/${provider.authParameter}`]: [credential.value] },
			},
		})),
	);
}

/**
 * Options, one collection per provider (same parameter name, shown for that provider only): n8n's
 * editor fills an option it adds with the first declared default of that name, so per-provider
 * defaults inside one collection would all start at the first provider's value. Each option starts
 * at what the node uses for the selected provider without it, so adding one changes nothing by itself.
 */
function optionsFor(provider: Provider<unknown>): INodeProperties {
	return showFor(provider, {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// In the order the editor lists them (alphabetical).
		options: [
			...batchSizeOption(provider),
			concurrencyOption(provider),
			...idOptions(),
			requestsPerSecondOption(provider),
			...answerOptions(),
		],
	});
}

const count = (n: number) => n.toLocaleString('en-US');

/** A provider that takes one ID per call has no batch size to choose. */
function batchSizeOption(provider: Provider<unknown>): INodeProperties[] {
	if (provider.maxBatchSize <= 1) return [];
	// Defaults are plain identifiers: n8n's lint reads nothing else as a default.
	const batchSize = provider.defaultBatchSize;
	return [
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: provider.maxBatchSize },
			default: batchSize,
			description: `IDs per request, at most ${count(provider.maxBatchSize)} for ${provider.displayName}`,
		},
	];
}

function concurrencyOption(provider: Provider<unknown>): INodeProperties {
	const fixed = provider.autoConcurrency === true ? 0 : provider.defaultConcurrency;
	return {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'options',
		// Auto is saved as 0, as before; every number a saved workflow may hold is a choice.
		options: [
			{
				name: 'Auto',
				value: 0,
				description: `Start at ${provider.defaultConcurrency}, send more while answers keep coming, back off when throttled`,
			},
			...Array.from({ length: AUTO_MAX_CONCURRENCY }, (_, k) => ({
				name: String(k + 1),
				value: k + 1,
			})),
		],
		default: fixed,
		description: 'How many requests may be in flight at once',
	};
}

/** Which IDs a run sends, and whether it sends at all. */
function idOptions(): INodeProperties[] {
	return [
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
			typeOptions: { minValue: 1, maxValue: MAX_MAX_IDS },
			default: DEFAULT_MAX_IDS,
			description: `A run naming more distinct IDs stops before sending anything. Without this option: ${count(DEFAULT_MAX_IDS)} with Output "Each ID", ${count(MAX_MAX_IDS)} with the summaries.`,
		},
	];
}

function requestsPerSecondOption(provider: Provider<unknown>): INodeProperties {
	const rate = provider.defaultRequestsPerSecond;
	return {
		displayName: 'Max Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: rate,
		description: `0 means no limit. ${provider.displayName} without this option: ${rate === 0 ? 'no limit' : `${rate} per second`}.`,
	};
}

/**
 * Retries, what the node emits, and how it reads an answer (or its absence). Pushed, not listed:
 * n8n's lint (whose scan ignores eslint-disable) would title-case "(ms)" in a listed parameter.
 */
function answerOptions(): INodeProperties[] {
	const options: INodeProperties[] = [];
	options.push(
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 3,
			description: 'How often a batch is resent after a network error, a timeout, HTTP 429 or 5xx',
		},
		outputOption(),
		{
			displayName: 'Retry Delay (ms)',
			name: 'retryDelay',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				"First wait before a retry; it doubles each time, with jitter. A provider's Retry-After wins.",
		},
		{
			displayName: 'Timeout (ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30000,
			description:
				'How long one request may take in all (headers and body, by the clock). A request that times out may still have been applied: its IDs end as unknown unless a retry confirms them.',
		},
		{
			displayName: 'Treat Not Found as Deleted',
			name: 'treatNotFoundAsDeleted',
			type: 'boolean',
			default: true,
			description:
				'Whether an ID the provider no longer knows goes to Success as "alreadyGone". Keeps scheduled cleanups and "Retry On Fail" safe to repeat.',
		},
	);
	return options;
}

function outputOption(): INodeProperties {
	return {
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
	};
}

export function nodeProperties(): INodeProperties[] {
	return [
		providerProperty(),
		...PROVIDERS.flatMap(providerProperties),
		// Mode (By ID / By Filter), the list filters, Older Than and Limit (byFilter.ts).
		...byFilterProperties(),
		...idProperties(),
		...PROVIDERS.map(optionsFor),
	];
}

function providerProperty(): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		// Listed alphabetically, as n8n lists options; the saved value is the id.
		options: PROVIDERS.map((p) => ({
			name: p.displayName,
			value: p.id,
			// A provider without a list API shows no Mode: it says so here.
			description: `Delete ${p.noun}${p.list === undefined ? ' (by ID only: it has no list API)' : ''}`,
		})).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'avayaSpaces',
	};
}

/** A provider's Authentication choice (if it offers more than one credential) and its own parameters. */
function providerProperties(provider: Provider<unknown>): INodeProperties[] {
	const properties: INodeProperties[] = [];
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
	return properties;
}

/** By ID's parameters: where the IDs come from, the ID Field (per provider) or the list of IDs. */
function idProperties(): INodeProperties[] {
	// Providers that read items themselves have their own ID parameters instead of these; By Filter needs none.
	const ownIds = PROVIDERS.filter((p) => p.readTargets !== undefined).map((p) => p.id);
	const generic = (property: INodeProperties): INodeProperties => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			hide: { ...(ownIds.length === 0 ? {} : { provider: ownIds }), select: ['byFilter'] },
		},
	});
	return [
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
		// One ID Field per provider, so its label and tip say which ID (same name: saved values load).
		...PROVIDERS.filter((p) => p.readTargets === undefined).map((provider) =>
			showFor(
				provider,
				generic({
					displayName: idFieldLabel(provider),
					name: 'idField',
					type: 'string',
					default: 'id',
					required: true,
					placeholder: `e.g. ${idWord(provider).toLowerCase()}Id or data.${idWord(provider).toLowerCase()}Ids`,
					description: `Field holding the ${provider.displayName} ${idWord(provider).toLowerCase()} ID: one ID, a list, or IDs separated by commas or new lines. Dot paths reach nested fields.`,
					displayOptions: { show: { idSource: ['field'] } },
				}),
			),
		),
		generic({
			displayName: 'IDs',
			name: 'ids',
			type: 'string',
			default: '',
			required: true,
			typeOptions: { rows: 4 },
			placeholder: 'e.g. 58e3d0cb9dbbbd1b0e1c9f53, 5942f21cad73d2815b272a95',
			description: 'One ID per line (or separated by commas), or an expression returning a list',
			displayOptions: { show: { idSource: ['list'] } },
		}),
	];
}
