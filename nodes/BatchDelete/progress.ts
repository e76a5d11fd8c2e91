import type { IExecuteFunctions } from 'n8n-workflow';

import type { Tally } from './engine/run';

/** A progress line at most this often, and none for runs shorter than that. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * Progress of a long run through n8n's logger (`n8n start` output, queue-mode worker logs): done
 * of total, by status, requests, rate and time left, the provider. Nothing secret: counts only.
 */
export function progressLogger(
	ctx: IExecuteFunctions,
	noun: string,
	providerName: string,
	total: () => number | undefined,
	now: () => number = Date.now,
) {
	const started = now();
	let last = started;
	const count = (n: number) => n.toLocaleString('en-US');
	return (tally: Tally): void => {
		const at = now();
		if (at - last < PROGRESS_EVERY_MS) return;
		last = at;
		const seconds = (at - started) / 1000;
		const rate = tally.settled / seconds;
		const all = total();
		const statuses = Object.entries(tally.byStatus)
			.map(([status, n]) => `${count(n!)} ${status}`)
			.join(', ');
		const left =
			all !== undefined && rate > 0
				? `, about ${Math.ceil((all - tally.settled) / rate)} s left`
				: '';
		const of =
			all === undefined
				? ''
				: ` of ${count(all)} (${Math.floor((100 * tally.settled) / Math.max(all, 1))}%)`;
		ctx.logger.info(
			`Batch Delete "${ctx.getNode().name}": ${count(tally.settled)}${of} ${providerName} ${noun} done (${statuses}); ${count(tally.requests)} requests, ${count(Math.round(rate))} IDs/s${left}`,
			{
				node: ctx.getNode().name,
				provider: providerName,
				settled: tally.settled,
				total: all,
				requests: tally.requests,
			},
		);
	};
}
