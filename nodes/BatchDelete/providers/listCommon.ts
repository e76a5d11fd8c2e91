import type { IDataObject } from 'n8n-workflow';

import type { ListedItem, ListVerdict } from '../engine/types';
import type { HttpResponse } from './common';
import { shortText } from './common';

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
	const plain = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?$/.exec(text);
	if (plain) {
		const [, y, mo, d, h, mi, s, ms] = plain;
		const time = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms === undefined ? 0 : +ms.padEnd(3, '0'));
		return Number.isNaN(time) ? undefined : new Date(time);
	}
	const time = Date.parse(text);
	return Number.isNaN(time) ? undefined : new Date(time);
}

/** A title for the output item: tags and extra whitespace removed, at most 200 characters. */
export function titleOf(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const text = value
		.replace(/<[^>]*>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	if (text === '') return null;
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** An item with the fields every provider carries: title, time (ISO 8601 or null), type. */
export function listedItem(id: string, time: Date | undefined, fields: IDataObject & { title: string | null; type: unknown }): ListedItem {
	const carried: IDataObject = { ...fields, time: time === undefined ? null : time.toISOString() } as IDataObject;
	return time === undefined ? { id, fields: carried } : { id, fields: carried, time };
}

/** An ID as list answers give it (string or number), or undefined. */
export function idOf(value: unknown): string | undefined {
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
export function unexpectedList(provider: string, status: number, code: string | undefined, text: string | undefined): ListVerdict {
	return {
		kind: 'failBatch',
		status: 'error',
		code: code ?? `HTTP_${status}`,
		message: shortText(text, `${provider} answered the list request with HTTP ${status}`),
	};
}

/** One of the values a filter allows, or undefined for "any". */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
	if (value === undefined || value === null || value === '' || value === 'any') return undefined;
	if ((allowed as readonly unknown[]).includes(value)) return value as T;
	throw new Error(`${name} must be one of: ${allowed.join(', ')}`);
}
