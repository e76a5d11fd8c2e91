import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { idFieldLabel } from './description';
import { eachId, readPath } from './engine/ids';
import { planTargets } from './engine/plan';
import type { Provider, Target } from './engine/types';
import type { Scopes } from './scopes';

/** An input item that names no ID at all, or whose IDs could not be read. */
interface ItemProblem {
	itemIndex: number;
	code: 'NO_ID' | 'PARAMETER_ERROR';
	message: string;
}

interface Planned {
	targets: Target[];
	problems: ItemProblem[];
}

function isExpression(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith('=');
}

/**
 * Read every item's IDs and check them against the provider's rules, one target at a time
 * (planned as they come, so a million IDs never sit in a second list); items that name nothing
 * go to `problems`. A parameter without an expression is read once:
 * per-item reads dominate the node's own cost on large inputs.
 */
function* collectIds(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	items: INodeExecutionData[],
	problems: ItemProblem[],
): Generator<Target> {
	if (provider.readTargets !== undefined) {
		yield* collectTargets(ctx, provider, items, problems);
		return;
	}
	const source = ctx.getNodeParameter('idSource', 0, 'field') as string;
	const label = idFieldLabel(provider);
	const parameter = source === 'list' ? 'ids' : 'idField';
	const perItem = isExpression(ctx.getNode().parameters[parameter]);
	const fixed = perItem ? undefined : ctx.getNodeParameter(parameter, 0, '');

	const add = (itemIndex: number, value: unknown, where: string, named = true) =>
		checkedIds(provider, problems, itemIndex, value, where, named);
	if (source === 'list' && !perItem) {
		// A fixed list belongs to the node, not to each item: read once, paired with the first item.
		yield* add(0, fixed, 'in the "IDs" list: enter IDs separated by commas or new lines', false);
		return;
	}
	for (let i = 0; i < items.length; i++) {
		let read: { value: unknown; where: string };
		try {
			read = readItemIds(ctx, items[i], i, source, perItem ? undefined : { fixed }, label);
		} catch (error) {
			const parameter = source === 'list' ? 'IDs' : label;
			problems.push({
				itemIndex: i,
				code: 'PARAMETER_ERROR',
				message: `Item ${i}: could not read the IDs: ${(error as Error).message}. Fix the "${parameter}" expression (open it to see the error for this item)`,
			});
			continue;
		}
		yield* add(i, read.value, read.where);
	}
}

/** One item's ID value, and where it was looked for (for the message when it names none).
 * `once`: the ID Field read once for every item, when it is no expression. */
function readItemIds(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	i: number,
	source: string,
	once: { fixed: unknown } | undefined,
	label: string,
): { value: unknown; where: string } {
	if (source === 'list')
		return {
			value: ctx.getNodeParameter('ids', i, ''),
			where:
				'in the "IDs" expression: it must return an ID, a list of IDs, or IDs separated by commas',
		};
	// An expression that returns nothing gives no field name, not the field "undefined".
	const field = String(
		(once === undefined ? ctx.getNodeParameter('idField', i, '') : once.fixed) ?? '',
	).trim();
	const fix = `set "${label}" to the field holding the IDs (dot paths like data.id work) or use "IDs From: List"`;
	return {
		value: field === '' ? undefined : readPath(item.json, field),
		where: field === '' ? `because "${label}" is empty: ${fix}` : `in field "${field}": ${fix}`,
	};
}

/** One item's targets, each checked against the provider's rules; `named`: the invalid ID's message
 * names its item (a fixed list belongs to the node, not an item). */
function* checkedIds(
	provider: Provider<unknown>,
	problems: ItemProblem[],
	itemIndex: number,
	value: unknown,
	where: string,
	named: boolean,
): Generator<Target> {
	// One array for all of this item's targets (see planTargets).
	const items = [itemIndex];
	let any = false;
	for (const r of eachId(value)) {
		any = true;
		const reason = r.invalidReason ?? provider.checkId(r.id);
		if (reason === undefined) yield { id: r.id, items };
		else
			yield {
				id: r.id,
				items,
				invalidReason: named ? `Item ${itemIndex}: ${reason}` : reason,
			};
	}
	if (!any)
		problems.push({ itemIndex, code: 'NO_ID', message: `Item ${itemIndex} has no ID ${where}` });
}

/** Providers that read items themselves (see `Provider.readTargets`). */
function* collectTargets(
	ctx: IExecuteFunctions,
	provider: Provider<unknown>,
	items: INodeExecutionData[],
	problems: ItemProblem[],
): Generator<Target> {
	const read = (name: string, i: number, fallback?: unknown) =>
		ctx.getNodeParameter(name, i, fallback);
	for (let i = 0; i < items.length; i++) {
		let targets;
		try {
			targets = provider.readTargets!(items[i].json, i, read);
		} catch (error) {
			problems.push({
				itemIndex: i,
				code: 'PARAMETER_ERROR',
				message: `Item ${i}: could not read the IDs: ${(error as Error).message}. Fix the ${provider.displayName} ID field parameters (open them to see the error for this item)`,
			});
			continue;
		}
		if (targets.length === 0) {
			problems.push({
				itemIndex: i,
				code: 'NO_ID',
				message: `Item ${i} has nothing to delete: check the ${provider.displayName} ID fields`,
			});
			continue;
		}
		const named = [i];
		for (const t of targets) {
			const reason = t.invalidReason ?? provider.checkId(t.id);
			yield {
				id: t.id,
				items: named,
				...(t.key === undefined ? {} : { key: t.key }),
				...(t.fields === undefined ? {} : { fields: t.fields }),
				...(reason === undefined ? {} : { invalidReason: `Item ${i}: ${reason}` }),
			};
		}
	}
}

/**
 * By ID: the targets the input names, each in the scope of its item's parameters, and the items that
 * name none. An item whose parameters are unreadable gets its IDs `invalid` (INVALID_PARAMETER),
 * never sent.
 */
export function plannedTargets<P>(
	ctx: IExecuteFunctions,
	provider: Provider<P>,
	items: INodeExecutionData[],
	scopes: Scopes<P>,
	dedupe: boolean,
): Planned {
	const problems: ItemProblem[] = [];
	const collected = collectIds(ctx, provider as Provider<unknown>, items, problems);
	const scoped = scopes.params.length > 1 || scopes.problems.size > 0;
	const inScope = function* (): Generator<Target> {
		for (const target of collected) {
			if (scoped) {
				const itemIndex = target.items[0];
				const problem = scopes.problems.get(itemIndex);
				if (problem !== undefined) {
					target.invalidReason = problem;
					target.invalidCode = 'INVALID_PARAMETER';
				} else {
					target.scope = scopes.ofItem[itemIndex];
				}
			}
			yield target;
		}
	};
	return { targets: planTargets(inScope(), dedupe), problems };
}
