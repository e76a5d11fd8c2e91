import type { IDataObject } from 'n8n-workflow';

/** Keys whose values are addresses or choices, not secrets (they may show in a dry run's URL). */
const NOT_SECRET =
	/url|endpoint|region|environment|project|type|version|domainName|email|appId|user|allowed/i;
const MIN_LENGTH = 6;

/** Every credential value that must never be shown: long enough to be a secret, not an address. */
export function secretValues(credentials: IDataObject[]): string[] {
	const found = new Set<string>();
	const visit = (value: unknown, key: string) => {
		if (typeof value === 'string') {
			if (value.length >= MIN_LENGTH && !NOT_SECRET.test(key) && !/^https?:\/\//.test(value))
				found.add(value);
		} else if (value !== null && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) visit(v, k);
		}
	};
	for (const credential of credentials) visit(credential, '');
	return [...found];
}

/**
 * Secrets that are not credential values but made from them per request: a request signature
 * (SOLAPI `signature=`, Huawei `Signature=`), a token in a query string, an Authorization or
 * X-Auth-Token header value. `***` is what the node's masking leaves, so it does not count.
 */
export const SECRET_PATTERNS: RegExp[] = [
	/signature=(?!\*\*\*)[0-9a-f]{16,}/i,
	/access_token=(?!\*\*\*)[^&\s"',]{8,}/i,
	/x-auth-token\\?["']?\s*[:=]\s*\\?["']?(?!\*\*\*)[A-Za-z0-9_-]{8,}/i,
	/\b(?:SDK-)?HMAC-SHA256\s+(?:apiKey|Access)=(?!\*\*\*)\w/i,
	/authorization\\?["']?\s*[:=]\s*\\?["']?(?:jwt|bearer|token)\s+(?!\*\*\*)[A-Za-z0-9._~+/-]{6,}/i,
];

/** Throws if any secret appears anywhere in what the node showed (outputs, error, logs). */
export function assertNoSecrets(shown: unknown, secrets: string[]): void {
	const text =
		typeof shown === 'string'
			? shown
			: JSON.stringify(shown, (_key, value: unknown) =>
					value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value,
				);
	if (text === undefined) return;
	const leak = (at: number, what: string) =>
		new Error(
			`${what} leaked into what the node showed: …${text.slice(Math.max(0, at - 60), at)}<SECRET>…`,
		);
	for (const secret of secrets) {
		if (text.includes(secret)) throw leak(text.indexOf(secret), 'A credential value');
	}
	for (const pattern of SECRET_PATTERNS) {
		const match = pattern.exec(text);
		if (match) throw leak(match.index, `A signature or auth header (${pattern.source})`);
	}
}
