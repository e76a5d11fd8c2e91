import type { IDataObject } from 'n8n-workflow';
import type { ZodType } from 'zod';

import type { BatchVerdict, ListedItem, ListVerdict } from '../engine/types';
import type { HttpResponse } from './common';
import { parseExact, shortText, transientVerdict } from './common';

/** Small pieces every provider's list reader uses. */

/**
 * A time as list endpoints write it: epoch milliseconds or seconds (number or digits),
 * `yyyy-MM-dd HH:mm:ss` without a zone (read as UTC, as Huawei Cloud writes it), or ISO 8601.
 * 0 and anything unreadable give undefined: an item that cannot be dated never matches Older Than.
 */
export function parseListTime(value: unknown): Date | undefined {
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || value <= 0) return undefined;
		// Before 5138 AD in seconds, after 1973 in milliseconds.
		return new Date(value < 1e11 ? value * 1000 : value);
	}
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) return parseListTime(Number(text));
	const plain = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?$/.exec(
		text,
	);
	if (plain) {
		const [, y, mo, d, h, mi, s, ms] = plain;
		const time = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms === undefined ? 0 : +ms.padEnd(3, '0'));
		return Number.isNaN(time) ? undefined : new Date(time);
	}
	const time = Date.parse(text);
	return Number.isNaN(time) ? undefined : new Date(time);
}

const ENTITIES: Record<string, string> = {
	nbsp: ' ',
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
};

/** Text as a reader sees it: tags removed, common entities decoded, whitespace collapsed. */
function plainText(value: unknown): string {
	if (typeof value !== 'string') return '';
	return value
		.replace(/<[^>]*>/g, ' ')
		.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
			if (name.startsWith('#')) {
				const code =
					name[1].toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
				return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
			}
			return ENTITIES[name.toLowerCase()] ?? whole;
		})
		.replace(/\s+/g, ' ')
		.trim();
}

/** Text folded for a "contains" check: plain, lower case (not locale-specific). */
export function foldText(value: unknown): string {
	return plainText(value).toLowerCase();
}

/** What a user typed, folded to compare with `foldText` (not read as markup). */
export function foldQuery(value: string): string {
	return value.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A title for the output item: plain text, at most 200 characters. */
export function titleOf(value: unknown): string | null {
	const text = plainText(value);
	if (text === '') return null;
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** An item with the fields every provider carries: title, time (ISO 8601 or null), type; and
 * `checkOn`, what only the filter check reads. */
export function listedItem(
	id: string,
	time: Date | undefined,
	fields: IDataObject & { title: string | null; type: unknown },
	checkOn?: IDataObject,
): ListedItem {
	const carried: IDataObject = {
		...fields,
		time: time === undefined ? null : time.toISOString(),
	} as IDataObject;
	return {
		id,
		fields: carried,
		...(time === undefined ? {} : { time }),
		...(checkOn === undefined ? {} : { checkOn }),
	};
}

/** Whether a listed item that names its scope (space, group) names another than the one listed.
 * An item that names none passes: the scope is the request's path, not a field every answer carries. */
export function outOfScope(item: ListedItem, scope: string): boolean {
	const named = item.checkOn?.scope;
	return typeof named === 'string' && named !== '' && named !== scope;
}

/** An ID as list answers give it (string or number), or undefined. */
function idOf(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return undefined;
}

/** A 2xx answer whose body has not the expected shape. */
export function unreadableList(result: HttpResponse, provider: string): ListVerdict {
	return {
		kind: 'failBatch',
		status: 'error',
		code: 'MALFORMED_RESPONSE',
		message: `${provider} answered the list request with HTTP ${result.statusCode} and a body this node cannot read`,
	};
}

/** Any other answer to a list request this node does not know: the listing cannot go on. */
export function unexpectedList(
	provider: string,
	status: number,
	code: string | undefined,
	text: string | undefined,
): ListVerdict {
	return {
		kind: 'failBatch',
		status: 'error',
		code: code ?? `HTTP_${status}`,
		message: shortText(text, `${provider} answered the list request with HTTP ${status}`),
	};
}

/** One of the values a filter allows, or undefined for "any". */
export function oneOf<T extends string>(
	value: unknown,
	allowed: readonly T[],
	name: string,
): T | undefined {
	if (value === undefined || value === null || value === '' || value === 'any') return undefined;
	if ((allowed as readonly unknown[]).includes(value)) return value as T;
	throw new Error(`${name} must be one of: ${allowed.join(', ')}`);
}

/** What each refusal means to a provider's user (its own words), and the code a 404 reports. */
interface RefusalWords {
	401?: string;
	403?: string;
	404?: string;
	400?: string;
	notFoundCode?: string;
}

/**
 * A list request refused with an HTTP status, the same for every provider: 401 fetches a new token
 * once; 403 (no permission) stops the run; 404 and 400 (the list's target or filters are wrong)
 * stop it as a configuration error; a status the provider's words do not cover stops the listing.
 * The provider's own text, when it sent one, wins over the words.
 */
export function listRefusal(
	provider: string,
	status: number,
	code: string,
	text: string | undefined,
	words: RefusalWords,
): ListVerdict {
	const said = (fallback: string) => shortText(text, fallback);
	if (status === 401 && words[401] !== undefined)
		return { kind: 'reauth', code, message: said(words[401]) };
	if (status === 403 && words[403] !== undefined)
		return { kind: 'stopRun', reason: 'auth', code, message: said(words[403]) };
	if (status === 404 && words[404] !== undefined) {
		return {
			kind: 'stopRun',
			reason: 'config',
			code: words.notFoundCode ?? code,
			message: said(words[404]),
		};
	}
	if (status === 400 && words[400] !== undefined)
		return { kind: 'stopRun', reason: 'config', code, message: said(words[400]) };
	return unexpectedList(provider, status, code, text);
}

/** How one provider reads a list answer; `readListAnswer` does the rest the same for all. */
interface ListAnswer<B> {
	provider: string;
	/** The shape of a 2xx body (read with big integers exact: its IDs are deleted next). */
	body: ZodType<B>;
	/** A readable 2xx body as a page, or what it says instead. */
	read: (body: B, result: HttpResponse) => ListVerdict;
	/** A status outside 2xx that is not transient. */
	refused: (result: HttpResponse) => ListVerdict;
	/** A transient answer (429, 5xx), when the body says more than the status; else as it is. */
	transient?: (verdict: BatchVerdict, result: HttpResponse) => BatchVerdict;
}

/** A list answer: transient, refused, unreadable, or read by the provider. */
export function readListAnswer<B>(result: HttpResponse, reader: ListAnswer<B>): ListVerdict {
	const transient = transientVerdict(result);
	if (transient) return (reader.transient?.(transient, result) ?? transient) as ListVerdict;
	const status = result.statusCode;
	if (status < 200 || status >= 300) return reader.refused(result);
	const body = parseExact(reader.body, result);
	return body === undefined ? unreadableList(result, reader.provider) : reader.read(body, result);
}

/** `raw` read with `schema`, with the ID `idFrom` picks; undefined when either is missing. */
export function listEntry<T>(
	schema: ZodType<T>,
	raw: unknown,
	idFrom: (entry: T) => unknown,
): { entry: T; id: string } | undefined {
	const parsed = schema.safeParse(raw);
	if (!parsed.success) return undefined;
	const id = idOf(idFrom(parsed.data));
	return id === undefined ? undefined : { entry: parsed.data, id };
}

/** The entries that name an item, in order. */
export function listedItems<T>(
	entries: readonly T[],
	toItem: (entry: T) => ListedItem | undefined,
): ListedItem[] {
	return entries.map(toItem).filter((i): i is ListedItem => i !== undefined);
}

/** A page verdict, with the total or the next position when the answer gave one. */
export function listPage(
	items: ListedItem[],
	more: { total?: number | string | null; next?: string | null } = {},
): ListVerdict {
	const total = more.total === undefined || more.total === null ? undefined : Number(more.total);
	const next =
		more.next === undefined || more.next === null || more.next === '' ? undefined : more.next;
	return {
		kind: 'page',
		items,
		...(total === undefined ? {} : { total }),
		...(next === undefined ? {} : { next }),
	};
}
