/**
 * In-memory registry of credential types, standing in for the n8n CLI's `CredentialTypes`
 * (packages/cli/src/credential-types.ts, n8n 1.123.50), which reads them from
 * `LoadNodesAndCredentials`. Only the parts the credentials helper uses are kept.
 */
import { UnrecognizedCredentialTypeError } from 'n8n-core';
import type { ICredentialType } from 'n8n-workflow';

/** A credential class as a package exports it, or an instance of one. */
export type CredentialTypeInput = ICredentialType | (new () => ICredentialType);

export class CredentialTypeRegistry {
	private readonly types = new Map<string, ICredentialType>();

	register(...inputs: CredentialTypeInput[]): this {
		for (const input of inputs) {
			// n8n instantiates each credential class once at load time and keeps the instance.
			const type = typeof input === 'function' ? new input() : input;
			this.types.set(type.name, type);
		}
		return this;
	}

	recognizes(typeName: string): boolean {
		return this.types.has(typeName);
	}

	/** Like `LoadNodesAndCredentials.getCredential`, an unknown name throws n8n-core's error. */
	getByName(typeName: string): ICredentialType {
		const type = this.types.get(typeName);
		if (!type) throw new UnrecognizedCredentialTypeError(typeName);
		return type;
	}

	/**
	 * Same walk as the CLI: the array is extended while it is iterated, so every ancestor is
	 * visited (and deeper ones may appear twice, which callers only test with `includes`).
	 * Unknown names yield [] there too (`knownCredentials[name]?.extends ?? []`).
	 */
	getParentTypes(typeName: string): string[] {
		const extendsArr = this.types.get(typeName)?.extends ?? [];
		if (extendsArr.length === 0) return [];
		const extendsArrCopy = [...extendsArr];
		for (const type of extendsArrCopy) {
			extendsArrCopy.push(...this.getParentTypes(type));
		}
		return extendsArrCopy;
	}
}
