import type { IDataObject } from 'n8n-workflow';

const MIN_SECRET_LENGTH = 6;
const MASK = '***';

/** Every credential value long enough to be a secret (short ones like `jwt` would mangle text). */
export function secretsOf(credentials: IDataObject | undefined): string[] {
	const found = new Set<string>();
	const visit = (value: unknown) => {
		if (typeof value === 'string') {
			if (value.length >= MIN_SECRET_LENGTH) found.add(value);
		} else if (value !== null && typeof value === 'object') {
			for (const inner of Object.values(value)) visit(inner);
		}
	};
	visit(credentials);
	// Longest first, so a secret that contains another is masked whole.
	return [...found].sort((a, b) => b.length - a.length);
}

/** Mask every secret in a text that may reach an output, an error or a log. */
export function redact(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (out.includes(secret)) out = out.split(secret).join(MASK);
	}
	return out;
}
