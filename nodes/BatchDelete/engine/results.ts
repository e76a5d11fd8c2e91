import type { IDataObject } from 'n8n-workflow';

import type { OutcomeStatus } from './types';

export type ResultStatus = OutcomeStatus | 'dryRun';

/** One target's result, as the outputs read it. */
export interface TargetResult {
	status: ResultStatus;
	code?: string;
	message?: string;
	/** 1-based number of the batch the ID was sent in; null when it was never put in one. */
	batch: number | null;
	/** Requests that carried this ID. */
	attempts: number;
	/** Extra requests spent halving this ID's batch after the provider rejected it whole; absent
	 * when the batch was never split. */
	splitRequests?: number;
	/** Dry run: the request line (the batch's first ID: with its query and body). */
	request?: IDataObject;
}

const STATUSES: ResultStatus[] = [
	'deleted',
	'alreadyGone',
	'dryRun',
	'invalid',
	'notFound',
	'forbidden',
	'rejected',
	'error',
	'unknown',
	'notAttempted',
];
const CODE = new Map(STATUSES.map((s, i) => [s, i + 1]));

/** Statuses after which an ID is confirmed gone. */
export const GONE = new Set<ResultStatus>(['deleted', 'alreadyGone']);

/**
 * The results of one batch of targets, one slot per target, held in typed arrays: a million-ID run
 * keeps 7 bytes per ID here, not an object. Only what is not a plain success keeps its code and
 * message (failures are what a report lists; a success item shows neither).
 */
export class Results {
	readonly status: Uint8Array;
	readonly batch: Int32Array;
	readonly attempts: Uint16Array;
	private readonly detail = new Map<number, { code?: string; message?: string }>();
	/** Extra split requests by batch number. */
	readonly splitsByBatch = new Map<number, number>();
	/** Dry run: each target's request line (shared by a batch). */
	private readonly requests = new Map<number, IDataObject>();

	constructor(readonly length: number) {
		this.status = new Uint8Array(length);
		this.batch = new Int32Array(length);
		this.attempts = new Uint16Array(length);
	}

	set(i: number, result: TargetResult): void {
		this.status[i] = CODE.get(result.status)!;
		this.batch[i] = result.batch ?? 0;
		this.attempts[i] = Math.min(result.attempts, 0xffff);
		if (!GONE.has(result.status) && (result.code !== undefined || result.message !== undefined)) {
			this.detail.set(i, { code: result.code, message: result.message });
		}
		if (result.request !== undefined) this.requests.set(i, result.request);
	}

	/** Whether slot `i` has a result yet. */
	has(i: number): boolean {
		return this.status[i] !== 0;
	}

	statusOf(i: number): ResultStatus {
		return STATUSES[this.status[i] - 1];
	}

	get(i: number): TargetResult {
		const result: TargetResult = {
			status: this.statusOf(i),
			batch: this.batch[i] || null,
			attempts: this.attempts[i],
		};
		const detail = this.detail.get(i);
		if (detail?.code !== undefined) result.code = detail.code;
		if (detail?.message !== undefined) result.message = detail.message;
		const splits = result.batch === null ? undefined : this.splitsByBatch.get(result.batch);
		if (splits !== undefined) result.splitRequests = splits;
		const request = this.requests.get(i);
		if (request !== undefined) result.request = request;
		return result;
	}
}
