import type { IDataObject } from 'n8n-workflow';

/** Keys whose values are addresses or choices, not secrets (they may show in a dry run's URL). */
const NOT_SECRET = /url|endpoint|region|environment|project|type|version|domainName|email|appId|user/i;
const MIN_LENGTH = 6;

/** Every credential value that must never be shown: long enough to be a secret, not an address. */
export function secretValues(credentials: IDataObject[]): string[] {
	const found = new Set<string>();
	const visit = (value: unknown, key: string) => {
		if (typeof value === 'string') {
			if (value.length >= MIN_LENGTH && !NOT_SECRET.test(key) && !/^https?:\/\//.test(value)) found.add(value);
		} else if (value !== null && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) visit(v, k);
		}
	};
	for (const credential of credentials) visit(credential, '');
	return [...found];
}

/** Throws if any secret appears anywhere in what the node showed (outputs, error, logs). */
export function assertNoSecrets(shown: unknown, secrets: string[]): void {
	const text = typeof shown === 'string' ? shown : JSON.stringify(shown, (_key, value: unknown) => (value instanceof Error ? { ...value, message: value.message, stack: value.stack } : value));
	for (const secret of secrets) {
		if (text?.includes(secret)) {
			const at = text.indexOf(secret);
			throw new Error(`A credential value leaked into what the node showed: …${text.slice(Math.max(0, at - 60), at)}<SECRET>…`);
		}
	}
}
