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
