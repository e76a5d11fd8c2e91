import type {
	HttpResult,
	Target,
	ListedItem,
	ListVerdict,
	ListWindow,
} from '../../nodes/BatchDelete/engine/types';

/** Shared by the provider reader tests (delete and list). An answer as the transport hands it over. */
export const reply = (
	statusCode: number,
	body: unknown,
	headers: Record<string, unknown> = {},
): HttpResult & { kind: 'response' } => ({
	kind: 'response',
	statusCode,
	headers,
	body,
	rawBody: typeof body === 'string' ? body : JSON.stringify(body),
});

/** An answer as the transport reads it off the wire: `body` through JSON.parse (an integer above
 * 2^53 rounded to a neighbour), `rawBody` the exact text. */
export const wire = (statusCode: number, text: string): HttpResult & { kind: 'response' } => ({
	...reply(statusCode, JSON.parse(text)),
	rawBody: text,
});

export function pageOf(verdict: ListVerdict): {
	items: ListedItem[];
	next?: string;
	total?: number;
} {
	if (verdict.kind !== 'page') throw new Error(`expected a page, got ${JSON.stringify(verdict)}`);
	return verdict;
}

/** A parameter reader over a plain object, as the node's getNodeParameter would read it. */
export const reader =
	(values: Record<string, unknown>) => (name: string, _i: number, fallback?: unknown) =>
		name in values ? values[name] : fallback;

/** A By Filter run's time bounds: started at `startedAt`, with Older Than's cutoff if given. */
export const windowOf = (
	olderThan?: Date,
	startedAt = new Date('2024-06-01T00:00:00Z'),
): ListWindow => ({ startedAt, ...(olderThan === undefined ? {} : { olderThan }) });
export const WINDOW = windowOf();

/** A chunk of targets with these IDs. */
export const chunk = (...ids: string[]): Pick<Target, 'id'>[] => ids.map((id) => ({ id }));
