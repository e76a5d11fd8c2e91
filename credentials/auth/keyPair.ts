import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** A signing credential's key (trimmed) and secret (as typed: a space may be part of it); throws
 * `missing` when either is empty, before anything is signed. */
export function keyPair(
	credentials: ICredentialDataDecryptedObject,
	key: string,
	secret: string,
	missing: string,
): { key: string; secret: string } {
	const pair = {
		key: String(credentials[key] ?? '').trim(),
		secret: String(credentials[secret] ?? ''),
	};
	if (pair.key === '' || pair.secret === '') throw new Error(missing);
	return pair;
}
