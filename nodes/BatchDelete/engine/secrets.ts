import type { IDataObject } from 'n8n-workflow';

import { redactFields } from '../../../credentials/auth/redact';

const MIN_SECRET_LENGTH = 4;
/** Credential keys that hold secrets (tokens, passwords, keys, signatures), at any depth: masking
 * every value would also mangle messages that mention a region or a base URL. */
const SECRET_KEY = /token|secret|password|pwd|key|signature|credential|auth/i;
const MASK = '***';

/** Every secret-named credential value (and everything inside a secret-named object, such as
 * `oauthTokenData`), long enough not to mangle ordinary words. */
export function secretsOf(credentials: IDataObject | undefined): string[] {
	const found = new Set<string>();
	const visit = (value: unknown, secret: boolean) => {
		if (typeof value === 'string') {
			if (secret && value.length >= MIN_SECRET_LENGTH) found.add(value);
		} else if (value !== null && typeof value === 'object') {
			for (const [key, inner] of Object.entries(value))
				visit(inner, secret || SECRET_KEY.test(key));
		}
	};
	visit(credentials, false);
	// Longest first, so a secret that contains another is masked whole.
	return [...found].sort((a, b) => b.length - a.length);
}

/** Add the secrets of `credentials` to `list` in place, keeping it without repeats and longest first. */
export function addSecrets(list: string[], credentials: IDataObject | undefined): void {
	const merged = [...new Set([...list, ...secretsOf(credentials)])].sort(
		(a, b) => b.length - a.length,
	);
	list.splice(0, list.length, ...merged);
}

/** Mask every secret in a text that may reach an output, an error or a log: credential values,
 * then values made from them per request (a signature, a token in a query, an encrypted password
 * and its random), found by field name (credentials/auth/redact.ts). */
export function redact(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (out.includes(secret)) out = out.split(secret).join(MASK);
	}
	return redactFields(out);
}
