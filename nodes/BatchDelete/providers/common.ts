import type { ZodType } from 'zod';

import { retryAfterMs } from '../engine/retry';
import type { BatchVerdict, HttpResult, IdOutcome, Target } from '../engine/types';

/** Small pieces every provider's `readResponse` uses. */

export type HttpResponse = HttpResult & { kind: 'response' };

/** 429, 5xx and friends: the same for every provider unless it says otherwise. */
export function transientVerdict(result: HttpResponse): BatchVerdict | undefined {
	const status = result.statusCode;
	if (status === 429) {
		return {
			kind: 'retry',
			code: 'RATE_LIMITED',
			message: 'The provider is throttling requests (HTTP 429)',
			retryAfterMs: retryAfterMs(result.headers),
			throttled: true,
		};
	}
	// 503 and 408 say the request was not processed; other 5xx may have been half-way through.
	if (status === 503 || status === 408) {
		return {
			kind: 'retry',
			code: `HTTP_${status}`,
			message: `The provider is unavailable (HTTP ${status})`,
			retryAfterMs: retryAfterMs(result.headers),
		};
	}
	if (status >= 500) {
		return {
			kind: 'retry',
			code: `HTTP_${status}`,
			message: `The provider failed (HTTP ${status})`,
			maybeApplied: true,
		};
	}
	return undefined;
}

/** The body if it has the expected shape, else undefined (the caller decides what that means). */
export function parseBody<T>(schema: ZodType<T>, result: HttpResponse): T | undefined {
	const parsed = schema.safeParse(result.body);
	return parsed.success ? parsed.data : undefined;
}

/**
 * `parseBody` over the raw text, with every integer too large for a JavaScript number kept as its
 * exact digits (a string): `JSON.parse` would round an ID like 12345678901234567890 to a
 * neighbour's. For every answer that names IDs (lists, and deletes that confirm them). Falls back to
 * the parsed body.
 */
export function parseExact<T>(schema: ZodType<T>, result: HttpResponse): T | undefined {
	let body: unknown = result.body;
	if (result.rawBody !== '') {
		try {
			body = JSON.parse(quoteBigIntegers(result.rawBody));
		} catch {
			// Not JSON: the body as the transport read it.
		}
	}
	const parsed = schema.safeParse(body);
	return parsed.success ? parsed.data : undefined;
}

/** JSON text with each integer literal outside strings that is not a safe integer put in quotes. */
function quoteBigIntegers(text: string): string {
	let out = '';
	let last = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 34 /* " */) {
			for (i++; i < text.length && text.charCodeAt(i) !== 34; i++)
				if (text.charCodeAt(i) === 92 /* \ */) i++;
			continue;
		}
		if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
			let end = i + 1;
			while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
			const literal = text.slice(i, end);
			if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
				out += `${text.slice(last, i)}"${literal}"`;
				last = end;
			}
			i = end - 1;
		}
	}
	return last === 0 ? text : out + text.slice(last);
}

/** A success status with a body we cannot read: the deletes may have happened, so `unknown`. */
export function unreadable(result: HttpResponse): BatchVerdict {
	return {
		kind: 'failBatch',
		status: 'unknown',
		code: 'MALFORMED_RESPONSE',
		message: `The provider answered HTTP ${result.statusCode} with a body this node cannot read, so whether these IDs were deleted is unknown`,
	};
}

/** Outcomes keyed by ID, only for IDs this chunk sent: an answer never confirms what was not asked. */
export class OutcomeMap {
	readonly outcomes = new Map<string, IdOutcome>();
	private readonly sent: Set<string>;

	constructor(chunk: Pick<Target, 'id'>[]) {
		this.sent = new Set(chunk.map((t) => t.id));
	}

	/** An answer that lists an ID twice never ends as `deleted` unless every mention says so: any
	 * other word beats `deleted`, whatever the order; otherwise the first word wins. A number names
	 * an ID only as a safe integer: a bigger one was rounded (read answers with `parseExact`) and
	 * would name a neighbour, so that ID stays unanswered. */
	set(id: unknown, outcome: IdOutcome): void {
		const key = typeof id === 'number' ? (Number.isSafeInteger(id) ? String(id) : undefined) : id;
		if (typeof key !== 'string' || !this.sent.has(key)) return;
		const earlier = this.outcomes.get(key);
		if (earlier === undefined || (earlier.status === 'deleted' && outcome.status !== 'deleted'))
			this.outcomes.set(key, outcome);
	}

	verdict(): BatchVerdict {
		return { kind: 'outcomes', outcomes: this.outcomes };
	}
}

/** Text a provider sent, cut to a length an output item can carry. */
export function shortText(value: unknown, fallback: string): string {
	const text = typeof value === 'string' && value.trim() !== '' ? value : fallback;
	return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** True when the text holds whitespace, a C0 control character or DEL: no provider ID does. Checked
 * by character code, since a control-character range in a regular expression is what lint flags. */
export function hasWhitespaceOrControl(text: string): boolean {
	if (/\s/.test(text)) return true;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}

/** `readParameters` for a provider the node asks nothing of. */
export function noParameters(): Record<string, never> {
	return {};
}

/** A refusal that names no ID: nothing was deleted, and halving the batch isolates the IDs it
 * objects to. */
export function rejectedBatch(code: string, message: string): BatchVerdict {
	return { kind: 'failBatch', status: 'rejected', code, message, splittable: true };
}
