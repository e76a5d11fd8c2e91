import type { IDataObject } from 'n8n-workflow';

/** `custom` environment → the user's base URL; otherwise the documented host. No trailing slash. */
export function baseUrlOf(
	credentials: IDataObject,
	hosts: Record<string, string>,
	key = 'environment',
): string {
	const choice = String(credentials[key] ?? '');
	// Own properties only: a choice of `__proto__` or `constructor` names no host.
	const url =
		choice === 'custom'
			? String(credentials.baseUrl ?? '')
			: Object.hasOwn(hosts, choice)
				? hosts[choice]
				: undefined;
	if (url === undefined || url === '')
		throw new Error(`No base URL for ${key} "${choice}": check the credential`);
	return url.replace(/\/+$/, '');
}
