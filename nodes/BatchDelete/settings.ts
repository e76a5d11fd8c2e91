import type { IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { AUTO_MAX_CONCURRENCY } from './engine/concurrency';
import type { OutputMode } from './engine/outputs';
import type { RunSettings } from './engine/run';
import type { Provider } from './engine/types';

/** The user's options, validated, with the provider's defaults filled in. */
export interface NodeSettings extends RunSettings {
	dedupe: boolean;
	dryRun: boolean;
	timeoutMs: number;
	/** More distinct IDs than this in one run is refused before anything is sent. */
	maxIds: number;
	output: OutputMode;
}

const MAX_RETRY_WAIT_MS = 120_000;
/** With Output = Each ID every ID becomes an output item n8n keeps in memory and saves with the
 * execution (about 150 bytes each), so 100,000 is about 15 MB of results. The summary outputs
 * keep no item per success, so their default is the most a run takes. */
export const DEFAULT_MAX_IDS = 100_000;
export const MAX_MAX_IDS = 1_000_000;

function optionsSchema(provider: Provider<unknown>) {
	const whole = (name: string, min: number, max: number) =>
		z
			.number({ invalid_type_error: `${name} must be a number` })
			.int(`${name} must be a whole number`)
			.min(min, `${name} must be at least ${min}`)
			.max(
				max,
				`${name} must be at most ${max}${name === 'Batch Size' ? ` for ${provider.displayName}` : ''}`,
			);
	return z
		.object({
			batchSize: whole('Batch Size', 1, provider.maxBatchSize).default(provider.defaultBatchSize),
			// 0 is Auto (see engine/concurrency.ts); a number is a fixed setting.
			concurrency: whole('Concurrency', 0, AUTO_MAX_CONCURRENCY).default(
				provider.autoConcurrency === true ? 0 : provider.defaultConcurrency,
			),
			deduplicate: z.boolean().default(true),
			dryRun: z.boolean().default(false),
			maxIds: whole('Max IDs per Run', 1, MAX_MAX_IDS).optional(),
			output: z
				.enum(['eachId', 'failuresAndSummary', 'summaryOnly'], {
					errorMap: () => ({
						message: 'Output must be Each ID, Failures and Summary, or Summary Only',
					}),
				})
				.default('eachId'),
			requestsPerSecond: z
				.number()
				.min(0, 'Max Requests per Second cannot be negative')
				.default(provider.defaultRequestsPerSecond),
			maxRetries: whole('Max Retries', 0, 10).default(3),
			retryDelay: z.number().min(0, 'Retry Delay cannot be negative').default(1000),
			timeout: whole('Timeout', 1, 600_000).default(30_000),
			treatNotFoundAsDeleted: z.boolean().default(true),
		})
		.strict();
}

/** Returns settings, or throws an Error whose message names the option and the fix. */
export function readSettings(provider: Provider<unknown>, options: unknown): NodeSettings {
	const parsed = optionsSchema(provider).safeParse(options ?? {});
	if (!parsed.success) {
		throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
	}
	const o = parsed.data;
	return {
		batchSize: o.batchSize,
		concurrency: o.concurrency === 0 ? 'auto' : o.concurrency,
		requestsPerSecond: o.requestsPerSecond,
		treatNotFoundAsDeleted: o.treatNotFoundAsDeleted,
		retry: { maxRetries: o.maxRetries, baseDelayMs: o.retryDelay, maxDelayMs: MAX_RETRY_WAIT_MS },
		// Enough to isolate a few bad IDs in every batch without turning one run into thousands of calls.
		maxSplitRequests: 200,
		dedupe: o.deduplicate,
		dryRun: o.dryRun,
		timeoutMs: o.timeout,
		maxIds: o.maxIds ?? (o.output === 'eachId' ? DEFAULT_MAX_IDS : MAX_MAX_IDS),
		output: o.output,
	};
}

/**
 * The node's Options, read once: they hold for the whole run, so an Options expression that
 * resolves differently per item (Dry Run from `{{ $json.preview }}`) is refused, naming the items
 * and the options, rather than taken from item 0 for all (as By Filter does for its filters).
 * Throws an Error naming the problem.
 */
export function readOptionsOnce(ctx: IExecuteFunctions, itemCount: number): unknown {
	const first = ctx.getNodeParameter('options', 0, {}) as Record<string, unknown>;
	const raw = ctx.getNode().parameters.options;
	const expressions =
		raw !== null && typeof raw === 'object'
			? Object.values(raw).some((v) => typeof v === 'string' && v.startsWith('='))
			: typeof raw === 'string' && raw.startsWith('=');
	if (!expressions) return first;
	for (let i = 1; i < itemCount; i++) {
		const other = ctx.getNodeParameter('options', i, {}) as Record<string, unknown>;
		const keys = [...new Set([...Object.keys(first ?? {}), ...Object.keys(other ?? {})])];
		const differ = keys.filter((k) => JSON.stringify(first?.[k]) !== JSON.stringify(other?.[k]));
		if (differ.length > 0)
			throw new Error(
				`Options hold for the whole run, but ${differ.join(', ')} resolve${differ.length === 1 ? 's' : ''} differently for item 0 and item ${i}. Nothing was sent. Make them the same for every item, or run one execution per set (for example with Loop Over Items, batch size 1)`,
			);
	}
	return first;
}
