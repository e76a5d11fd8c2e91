import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { secretsOf } from '../engine/secrets';
import type { Provider } from '../engine/types';
import type { RunFailure, RunPlan } from './resolve';

/** The credential the run sends with, read once, and the secrets no output may show. */
export interface RunCredential {
	type: Provider['credentials'][number];
	credentials: IDataObject;
	/** The transport adds every token n8n fetches during the run to this list (see createTransport). */
	secrets: string[];
}

/** The credential, once. By ID's dry run needs none; By Filter lists even in a dry run. */
export async function readCredential(
	ctx: IExecuteFunctions,
	{ provider, settings, byFilter }: RunPlan,
): Promise<RunCredential | RunFailure> {
	const type = chooseCredential(ctx, provider);
	let credentials: IDataObject = {};
	try {
		credentials = (await ctx.getCredentials(type.name)) as IDataObject;
	} catch (error) {
		if (byFilter || !settings.dryRun) {
			const auth =
				provider.authParameter === undefined ? '' : ` (Authentication: ${type.displayName})`;
			const nothing = byFilter
				? 'Nothing was listed or deleted (By Filter lists through the provider even in a dry run).'
				: 'Nothing was sent.';
			return new NodeOperationError(
				ctx.getNode(),
				`${provider.displayName} needs a credential of type "${type.displayName}": ${(error as Error).message}`,
				{
					itemIndex: 0,
					description: `${nothing} Select or create a credential of that type under "Credential to connect with"${auth}, or change Authentication to match the credential you have.`,
				},
			);
		}
	}
	return { type, credentials, secrets: secretsOf(credentials) };
}

function chooseCredential(ctx: IExecuteFunctions, provider: Provider<unknown>) {
	if (provider.authParameter === undefined) return provider.credentials[0];
	const value = ctx.getNodeParameter(provider.authParameter, 0) as string;
	return provider.credentials.find((c) => c.value === value) ?? provider.credentials[0];
}
