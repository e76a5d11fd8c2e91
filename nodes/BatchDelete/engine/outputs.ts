import type { IDataObject, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import type { ResultStatus, Results, TargetResult } from './results';
import { GONE } from './results';
import { redact } from './secrets';
import type { Target } from './types';

/** What the node emits: an item per ID (default), or a summary for big cleanups. */
export type OutputMode = 'eachId' | 'failuresAndSummary' | 'summaryOnly';

/** The most failures a Summary Only item lists; the rest are counted. */
const SUMMARY_MAX_FAILURES = 100;

function pairedItemOf(items: number[]): IPairedItemData | IPairedItemData[] {
	return items.length === 1 ? { item: items[0] } : items.map((item) => ({ item }));
}

/** What a run adds to its summary item besides the counts. */
interface RunFacts {
	requests: number;
	splitRequests: number;
	batches: number;
	durationMs: number;
	stop?: { reason: string; code: string; message: string };
	/** By Filter: how the list was read. */
	listing?: IDataObject;
}

/**
 * The one mapper from results to n8n items, By ID and By Filter alike, fed batch by batch (the
 * engine's sink). Each ID: one item per target, Success for what the provider confirmed gone (or, in
 * a dry run, what would be sent), Failure for the rest, each paired with every input item that
 * named the ID. The summary modes keep only counts (and failures) so memory does not grow with
 * what succeeded. Messages pass through `redact` once more, so nothing a provider echoes of a
 * credential reaches the output. `scopeFields` (by scope) name where an ID was deleted (`groupId`).
 */
export class OutputBuilder {
	readonly success: INodeExecutionData[] = [];
	readonly failure: INodeExecutionData[] = [];
	readonly byStatus: Partial<Record<ResultStatus, number>> = {};
	total = 0;
	failed = 0;
	/** Summary Only: the failures listed (up to SUMMARY_MAX_FAILURES). */
	private readonly listedFailures: IDataObject[] = [];
	// One pairedItem object per input item, shared by that item's outputs: a million IDs from one
	// item then cost one object, not a million.
	private readonly paired: IPairedItemData[] = [];

	constructor(
		private readonly providerId: string,
		private readonly mode: OutputMode,
		private readonly secrets: string[],
		private readonly scopeFields: IDataObject[] = [],
	) {}

	/** An input item that named nothing (or could not be read): a failure, in every mode. */
	addProblem(item: INodeExecutionData): void {
		this.total++;
		this.failed++;
		const status = item.json.status as ResultStatus;
		this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
		if (this.mode !== 'summaryOnly') this.failure.push(item);
		else if (this.listedFailures.length < SUMMARY_MAX_FAILURES) {
			const { id, code, message } = item.json;
			this.listedFailures.push({ id, status, code, message });
		}
	}

	/** Map one batch of targets and their results. */
	add(targets: Target[], results: Results): void {
		for (let i = 0; i < targets.length; i++) {
			const status = results.statusOf(i);
			this.total++;
			this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
			const failed = status !== 'dryRun' && !GONE.has(status);
			if (failed) this.failed++;
			if (this.mode === 'eachId' || (failed && this.mode === 'failuresAndSummary')) {
				(failed ? this.failure : this.success).push(this.item(targets[i], results.get(i)));
			} else if (failed && this.listedFailures.length < SUMMARY_MAX_FAILURES) {
				const { id, status: s, code, message } = this.item(targets[i], results.get(i)).json;
				this.listedFailures.push({ id, status: s, code, message });
			}
		}
	}

	/** The two outputs; in the summary modes with the summary item (paired with the first input). */
	finish(noun: string, facts: RunFacts): [INodeExecutionData[], INodeExecutionData[]] {
		if (this.mode === 'eachId') return [this.success, this.failure];
		const summary = this.summary(noun, facts);
		if (this.mode === 'failuresAndSummary') return [[summary], this.failure];
		// Summary Only: one item, on Failure when anything failed, so a Failure branch alerts.
		return this.failed === 0 ? [[summary], []] : [[], [summary]];
	}

	private summary(noun: string, facts: RunFacts): INodeExecutionData {
		const count = (n: number) => n.toLocaleString('en-US');
		const gone = (this.byStatus.deleted ?? 0) + (this.byStatus.alreadyGone ?? 0);
		const others = Object.entries(this.byStatus)
			.filter(([status]) => status !== 'deleted' && status !== 'alreadyGone' && status !== 'dryRun')
			.map(([status, n]) => `${count(n!)} ${status}`)
			.join(', ');
		const dry = this.byStatus.dryRun ?? 0;
		const sentence =
			dry > 0
				? `Dry run: ${count(dry)} of ${count(this.total)} ${noun} would be sent in ${count(facts.batches)} requests${others ? `; ${others}` : ''}.`
				: `${count(gone)} of ${count(this.total)} ${noun} gone (${count(this.byStatus.deleted ?? 0)} deleted, ${count(this.byStatus.alreadyGone ?? 0)} already gone)${this.failed > 0 ? `; ${count(this.failed)} NOT deleted (${others})` : ''}.`;
		const json: IDataObject = {
			summary: sentence,
			provider: this.providerId,
			total: this.total,
			succeeded: this.total - this.failed,
			failed: this.failed,
			byStatus: { ...this.byStatus },
			requests: facts.requests,
			splitRequests: facts.splitRequests,
			batches: facts.batches,
			durationMs: facts.durationMs,
			stop:
				facts.stop === undefined
					? null
					: {
							reason: facts.stop.reason,
							code: facts.stop.code,
							message: redact(facts.stop.message, this.secrets),
						},
		};
		if (facts.listing !== undefined) json.listing = facts.listing;
		if (this.mode === 'summaryOnly') {
			json.failures = this.listedFailures;
			json.failuresOmitted = this.failed - this.listedFailures.length;
		}
		return { json, pairedItem: { item: 0 } };
	}

	private item(target: Target, result: TargetResult): INodeExecutionData {
		const { status } = result;
		// One object literal per kind of item: the million Success items of a big run then share one
		// shape with their fields inside the object, not in a separate property store.
		let json: IDataObject;
		if (status === 'dryRun') {
			// What a run would send: the batch and its request line (see DeleteEngine.dryRun).
			json = {
				id: target.id,
				provider: this.providerId,
				status,
				batch: result.batch,
				request: result.request ?? null,
			};
		} else if (GONE.has(status)) {
			json = {
				id: target.id,
				provider: this.providerId,
				status,
				batch: result.batch,
				attempts: result.attempts,
			};
		} else {
			const message = result.message === undefined ? null : redact(result.message, this.secrets);
			json = {
				id: target.id,
				provider: this.providerId,
				status,
				code: result.code ?? null,
				message,
				batch: result.batch,
				attempts: result.attempts,
			};
		}
		if (result.splitRequests !== undefined && status !== 'dryRun')
			json.splitRequests = result.splitRequests;
		const scope = this.scopeFields[target.scope ?? 0];
		// Carried fields first: they can never overwrite the ID or its status.
		if (target.fields !== undefined || scope !== undefined)
			json = { ...target.fields, ...scope, ...json };
		return { json, pairedItem: this.pairing(target.items) };
	}

	private pairing(items: number[]): IPairedItemData | IPairedItemData[] {
		if (items.length !== 1) return pairedItemOf(items);
		return (this.paired[items[0]] ??= { item: items[0] });
	}
}
