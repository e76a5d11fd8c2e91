/**
 * Masking by field name, for text a provider sends back: a login or token error that echoes the
 * request form or query shows `pwd=`, `random=`, `signature=`, `access_token=` (or the same as
 * JSON keys), values made from a secret that appear in no credential field. The node's
 * `redact` (engine/secrets.ts) masks credential values and then applies this; credentials use it
 * for the errors their token requests throw. One list, so every message is masked alike.
 */

const MASK = '***';

/** Field names whose values are secrets or made from one. */
const FIELD =
	'(?:pwd|passw(?:or)?d|passwd|random|salt|signature|sign|secret|app_?secret|api_?secret|api_?key|secret_?key|domain_?secret|access_?key|access_?token|refresh_?token|id_?token|token|client_?secret|code_?verifier)';

/** `name=value`, as in a form, a query or an Authorization header's parameters. */
const ASSIGNED = new RegExp(`(\\b${FIELD}\\s*=\\s*)(?!\\*\\*\\*)[^&\\s"',;)}\\]]+`, 'gi');
/** `"name":"value"` or `'name': value`, as in JSON (a key in quotes, so prose is left alone). */
const KEYED = new RegExp(`(["']${FIELD}["']\\s*:\\s*["']?)(?!\\*\\*\\*)[^"',\\s}\\]]+`, 'gi');
/** Header lines that carry a credential: `X-Auth-Token: …`, `Authorization: jwt …`. */
const HEADER =
	/((?:x-auth-token|x-subject-token|authorization)["']?\s*[:=]\s*["']?)(?!\s|\*\*\*|[\w-]+:)(?:(?:jwt|bearer|basic|token)\s+)?[^\s"',{}[\]:]+/gi;

/** `text` with every value of a secret-named field masked. */
export function redactFields(text: string): string {
	return text
		.replace(HEADER, `$1${MASK}`)
		.replace(ASSIGNED, `$1${MASK}`)
		.replace(KEYED, `$1${MASK}`);
}

/** `text` with each of `values` (long enough to be one) masked, then every secret-named field. */
export function redactText(text: string, values: Array<string | undefined>): string {
	let out = text;
	for (const value of values) {
		if (value !== undefined && value.length >= 4 && out.includes(value))
			out = out.split(value).join(MASK);
	}
	return redactFields(out);
}
