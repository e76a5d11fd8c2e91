import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { z } from 'zod';

import type { FilterEnd, ListingStop } from './engine/listing';
import { redact } from './engine/secrets';
import type { Provider } from './engine/types';
import { PROVIDERS } from './providers';
import { MAX_MAX_IDS } from './settings';
import type { Scopes } from './scopes';
import { anyExpression, parameterNames } from './scopes';

/**
 * Select = By Filter: the node finds what to delete itself, through the provider's list API
 * (engine/listing.ts is the target source), instead of reading IDs from its input. It runs once,
 * not per item: its parameters are the same for every item and every output item is paired with
 * the first. This file holds its parameters and what it adds to the outputs.
 */

const DEFAULT_FILTER_LIMIT = 1000;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

const listing = () => PROVIDERS.filter((p) => p.list !== undefined);

/** The Mode parameter (`select`: By ID / By Filter), each list provider's filters, Older Than and Limit. */
export function byFilterProperties(): INodeProperties[] {
	const withList = listing().map((p) => p.id);
	const shown = { show: { provider: withList, select: ['byFilter'] } };
	return [...modeProperties(withList, shown), ...filterProperties(), ...ageAndLimit(shown)];
}

type Shown = INodeProperties['displayOptions'];

/** Mode, and the notice By Filter shows where it is chosen. */
function modeProperties(withList: string[], shown: Shown): INodeProperties[] {
	return [
		{
			// "Mode", not "Select": a label names a setting, it does not read as a verb.
			displayName: 'Mode',
			name: 'select',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'By Filter',
					value: 'byFilter',
					description:
						"Find what to delete through the provider's own list: its filters, an age and a limit",
				},
				{ name: 'By ID', value: 'byId', description: 'Delete the IDs the input items name' },
			],
			default: 'byId',
			description: 'How to find what to delete',
			displayOptions: { show: { provider: withList } },
		},
		{
			// By Filter deletes on the first "Execute step": say so where it is chosen, and how to look first.
			displayName:
				'Executing this node deletes up to Limit matching items. To see them first, add Options → Dry Run: the matches go to a separate Preview output and nothing is deleted.',
			name: 'byFilterNotice',
			type: 'notice',
			default: '',
			displayOptions: shown,
		},
	];
}

/** Each list provider's own filters, shown for it in By Filter. */
function filterProperties(): INodeProperties[] {
	return listing().flatMap((provider) =>
		provider.list!.properties.map((property) => ({
			...property,
			displayOptions: {
				...property.displayOptions,
				show: { ...property.displayOptions?.show, provider: [provider.id], select: ['byFilter'] },
			},
		})),
	);
}

function ageAndLimit(shown: Shown): INodeProperties[] {
	return [
		{
			displayName: 'Older Than',
			name: 'olderThan',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 30,
			description:
				'Only items created (or sent) at least this long ago, by the time the provider lists for each item. 0 means any age (items without a readable time included). With an age, items the provider lists without a readable time are not deleted.',
			displayOptions: shown,
		},
		{
			displayName: 'Older Than Unit',
			name: 'olderThanUnit',
			type: 'options',
			options: [
				{ name: 'Days', value: 'days' },
				{ name: 'Hours', value: 'hours' },
				{ name: 'Minutes', value: 'minutes' },
			],
			default: 'days',
			displayOptions: shown,
		},
		{
			displayName: 'Limit',
			name: 'filterLimit',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_MAX_IDS },
			default: DEFAULT_FILTER_LIMIT,
			description:
				'The most matching items one run handles (deleted, failed, or shown by Dry Run). A safety cap: raise it on purpose; what is left over is handled by the next run.',
			displayOptions: shown,
		},
	];
}

export function isByFilter(ctx: IExecuteFunctions, provider: Provider<unknown>): boolean {
	return provider.list !== undefined && ctx.getNodeParameter('select', 0, 'byId') === 'byFilter';
}

const schema = z
	.object({
		olderThan: z
			.number({ invalid_type_error: 'Older Than must be a number' })
			.min(0, 'Older Than cannot be negative')
			.finite('Older Than must be a number'),
		unit: z.enum(['days', 'hours', 'minutes'], {
			errorMap: () => ({ message: 'Older Than Unit must be days, hours or minutes' }),
		}),
		limit: z
			.number({ invalid_type_error: 'Limit must be a number' })
			.int('Limit must be a whole number')
			.min(1, 'Limit must be at least 1')
			.max(MAX_MAX_IDS, `Limit must be at most ${MAX_MAX_IDS.toLocaleString('en-US')}`),
	})
	.strict();

interface ByFilterParameters {
	/** Age in milliseconds; 0 = any age. */
	olderThanMs: number;
	limit: number;
}

/** Older Than and Limit, validated (throws an Error naming the problem). */
function readByFilterParameters(
	read: (name: string, fallback: unknown) => unknown,
): ByFilterParameters {
	const parsed = schema.safeParse({
		olderThan: read('olderThan', 30),
		unit: read('olderThanUnit', 'days'),
		limit: read('filterLimit', DEFAULT_FILTER_LIMIT),
	});
	if (!parsed.success)
		throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
	return {
		olderThanMs: parsed.data.olderThan * UNIT_MS[parsed.data.unit],
		limit: parsed.data.limit,
	};
}

/**
 * By Filter lists once per execution, so its parameters must be the same for every item: items
 * whose expressions resolve differently are refused, naming them, rather than listed for one and
 * paired with all (one execution per set, e.g. with Loop Over Items, does what that would mean).
 */
export function readFilterOnce<P>(
	ctx: IExecuteFunctions,
	provider: Provider<P>,
	scopes: Scopes<P>,
): { params: P; filters: unknown; chosen: ByFilterParameters } {
	const list = provider.list!;
	const names = [
		...parameterNames(provider as Provider<unknown>),
		...list.properties.map((p) => p.name),
		'olderThan',
		'olderThanUnit',
		'filterLimit',
	];
	const read = (i: number) => ({
		params: scopes.params[scopes.ofItem[i]],
		filters: list.readFilters(
			(name, item, fallback) => ctx.getNodeParameter(name, item, fallback),
			i,
		),
		chosen: readByFilterParameters((name, fallback) => ctx.getNodeParameter(name, i, fallback)),
	});
	const fail = (message: string, itemIndex: number) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex });
	const [first] = scopes.problems.entries();
	if (first !== undefined) throw fail(first[1], first[0]);
	let once: ReturnType<typeof read>;
	try {
		once = read(0);
	} catch (error) {
		throw fail((error as Error).message, 0);
	}
	const count = ctx.getInputData().length;
	if (anyExpression(ctx, names) && count > 1) {
		const key = JSON.stringify(once);
		for (let i = 1; i < count; i++) {
			let other: string;
			try {
				other = JSON.stringify(read(i));
			} catch (error) {
				throw fail(`Item ${i}: ${(error as Error).message}`, i);
			}
			if (other !== key) {
				throw fail(
					`By Filter lists once per execution, but its parameters resolve differently for item 0 and item ${i}. Make them the same for every item, or run one execution per set (for example with Loop Over Items, batch size 1)`,
					i,
				);
			}
		}
	}
	return once;
}

/** One Failure item (with no ID) saying the list was not read to its end, and why. */
export function stopItem(
	provider: Provider<unknown>,
	stop: ListingStop,
	report: FilterEnd,
	secrets: string[],
): INodeExecutionData {
	return {
		json: {
			id: null,
			provider: provider.id,
			status: stop.reason === 'cancelled' ? 'notAttempted' : 'error',
			code: stop.code,
			message: `The cleanup stopped before it had listed everything: ${redact(stop.message, secrets)}. Items not listed yet were not checked; the next run continues.`,
			batch: null,
			attempts: 0,
			listing: { pages: report.pages, listed: report.listed, matched: report.matched },
		},
		pairedItem: { item: 0 },
	};
}

/** Tell the user when Limit cut the run short, or when items could not be dated. */
export function filterHints(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	report: FilterEnd,
	chosen: ByFilterParameters,
): void {
	if (typeof ctx.addExecutionHints !== 'function') return;
	const count = (n: number) => n.toLocaleString('en-US');
	if (report.limitReached) {
		ctx.addExecutionHints({
			message: `Limit reached: ${count(chosen.limit)} matching ${provider.noun} handled, and more may match. The next run continues, or raise Limit.`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (report.undated > 0) {
		ctx.addExecutionHints({
			message:
				chosen.olderThanMs > 0
					? `${count(report.undated)} listed ${provider.noun} had no readable time, so Older Than left them alone`
					: `${count(report.undated)} listed ${provider.noun} had no readable time; Older Than is 0 (any age), so they were handled like the others`,
			type: chosen.olderThanMs > 0 ? 'warning' : 'info',
			location: 'outputPane',
		});
	}
}
