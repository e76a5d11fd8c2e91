import type { IDataObject } from 'n8n-workflow';

import type { Target } from './types';

const SEPARATORS = /[,\r\n]+/;
const UNSAFE_NUMBER =
	'a JSON number above 2^53 (9007199254740991), which JSON parsing rounds to a neighbouring number, so it may name another message: pass IDs as strings (for example quote them in the source, or read them as text)';
const SHOWN_CHARS = 120;

/** How a value that is not an ID is shown in the output: short, and never `[object Object]`. */
export function describeValue(value: unknown): string {
	let text: string;
	try {
		text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
	} catch {
		text = String(value);
	}
	return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

/** One value's IDs as read, before the provider's rules; `invalidReason` when the value can
 * never be an ID (object, boolean, nested array, NaN). */
function* fromScalar(
	value: unknown,
	splitStrings: boolean,
): Generator<Pick<Target, 'id' | 'invalidReason'>> {
	if (value === null || value === undefined) return;
	if (typeof value === 'string') {
		if (!splitStrings) {
			const id = value.trim();
			if (id !== '') yield { id };
			return;
		}
		for (const part of value.split(SEPARATORS)) {
			const id = part.trim();
			if (id !== '') yield { id };
		}
		return;
	}
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) yield { id: String(value), invalidReason: 'not a finite number' };
		else if (Number.isInteger(value) && !Number.isSafeInteger(value))
			// JSON parsing rounded it: the digits left may name another message.
			yield { id: String(value), invalidReason: UNSAFE_NUMBER };
		else yield { id: String(value) };
		return;
	}
	if (typeof value === 'bigint') {
		yield { id: value.toString() };
		return;
	}
	if (Array.isArray(value)) {
		yield {
			id: describeValue(value),
			invalidReason:
				'a nested list, not an ID: flatten the list first (for example {{ $json.ids.flat() }})',
		};
		return;
	}
	if (typeof value === 'object') {
		yield {
			id: describeValue(value),
			invalidReason:
				'an object, not an ID: point the ID field at the value inside it (dot paths like data.id work)',
		};
		return;
	}
	yield { id: describeValue(value), invalidReason: `a ${typeof value}, not an ID` };
}

/**
 * The IDs a parameter or field value names, one at a time (a list of a million IDs is read without
 * a second list beside it). A string may hold several IDs separated by commas or newlines; an
 * array holds one ID per element, taken as it is, so an element with a comma stays one (invalid,
 * for providers that join IDs with commas) rather than silently becoming two. Empty strings, null
 * and undefined name nothing.
 */
export function* eachId(value: unknown): Generator<Pick<Target, 'id' | 'invalidReason'>> {
	if (Array.isArray(value)) {
		// By index, never `for…of`: in n8n 1.x a Code node's output arrives as vm2 proxies, whose
		// iterator wraps every element in objects that stay allocated (+263 MB for 300,000 IDs,
		// issue 26); an index read costs one property access.
		const length = value.length;
		for (let i = 0; i < length; i++) {
			const element: unknown = value[i];
			// The common case without a generator per element.
			if (typeof element === 'string') {
				const id = element.trim();
				if (id !== '') yield { id };
			} else {
				yield* fromScalar(element, false);
			}
		}
	} else {
		yield* fromScalar(value, true);
	}
}

/** The IDs a value names (see eachId), as a list. */
export function idsFromValue(value: unknown): Pick<Target, 'id' | 'invalidReason'>[] {
	return Array.from(eachId(value));
}

/** Read a dot path (`data.ids`, `messages.0.id`); a key that itself contains dots wins. */
export function readPath(item: IDataObject, path: string): unknown {
	if (path in item) return item[path];
	let current: unknown = item;
	for (const key of path.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}
