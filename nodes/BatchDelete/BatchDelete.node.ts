import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { executeByFilter, isByFilter } from './byFilter';
import { collectIds } from './collect';
import { credentialsDescription, nodeProperties } from './description';
import { executionClock } from './engine/clock';
import { dryRunOutputs } from './engine/dryRun';
import { buildOutputs } from './engine/outputs';
import { planUnits } from './engine/plan';
import type { RunStop } from './engine/run';
import { invalidResult, runDeletion } from './engine/run';
import { redact, secretsOf } from './engine/secrets';
import { createTransport } from './engine/transport';
import type { Provider } from './engine/types';
import { PROVIDERS, providerById } from './providers';
import { runError } from './runError';
import type { Scopes } from './scopes';
import { readScopes } from './scopes';
import { MAX_MAX_IDS, readSettings } from './settings';
import { shapeForTool } from './toolMode';

export class BatchDelete implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Batch Delete',
		name: 'batchDelete',
		icon: { light: 'file:batchDelete.svg', dark: 'file:batchDelete.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: subtitle(),
		// Also the tool description an AI agent reads (n8n's default for tools): what it deletes,
		// what an ID is, and how failures come back (see toolMode.ts).
		description:
			'Delete messages by ID, in batches, with a result per ID. IDs are the ones the provider assigned (message or template IDs). Each ID comes back as deleted, alreadyGone, or not deleted with a status (notFound, forbidden, rejected, error, unknown, notAttempted) and a reason',
		defaults: { name: 'Batch Delete' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Success', 'Failure'],
		credentials: credentialsDescription(),
		properties: nodeProperties(),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const providerId = this.getNodeParameter('provider', 0) as string;
		const provider = providerById(providerId);
		if (provider === undefined) {
			return runError(this, items, new NodeOperationError(this.getNode(), `Unknown provider "${providerId}"`, { itemIndex: 0 }));
		}

		let settings: ReturnType<typeof readSettings>;
		let scopes: Scopes<unknown>;
		try {
			settings = readSettings(provider, this.getNodeParameter('options', 0, {}));
			scopes = readScopes(this, provider, items.length);
		} catch (error) {
			return runError(this, items, new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex: 0 }));
		}

		// Select = By Filter: the node lists what to delete itself (byFilter.ts).
		if (isByFilter(this, provider)) {
			try {
				return shapeForTool(this, provider, await executeByFilter(this, provider, settings, scopes));
			} catch (error) {
				const known = error instanceof NodeOperationError || error instanceof NodeApiError;
				return runError(this, items, known ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 }));
			}
		}

		// Items whose own parameters are unreadable: their IDs are never sent (see scopes.ts).
		for (const [itemIndex, message] of scopes.problems) {
			if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), message, { itemIndex });
		}
		const { occurrences, problems } = collectIds(this, provider, items);
		if (scopes.params.length > 1 || scopes.problems.size > 0) {
			for (const o of occurrences) {
				const problem = scopes.problems.get(o.itemIndex);
				if (problem !== undefined) {
					o.invalidReason = problem;
					o.invalidCode = 'INVALID_PARAMETER';
				} else {
					o.scope = scopes.ofItem[o.itemIndex];
				}
			}
		}
		const problemItems: INodeExecutionData[] = [];
		for (const problem of problems) {
			if (!this.continueOnFail()) {
				throw new NodeOperationError(this.getNode(), problem.message, { itemIndex: problem.itemIndex });
			}
			problemItems.push({
				json: { id: null, provider: provider.id, status: 'invalid', code: problem.code, message: problem.message, batch: null, attempts: 0 },
				pairedItem: { item: problem.itemIndex },
			});
		}
		const units = planUnits(occurrences, settings.dedupe);
		if (units.length > settings.maxIds) {
			const count = (n: number) => n.toLocaleString('en-US');
			return runError(
				this,
				items,
				new NodeOperationError(this.getNode(), `The input names ${count(units.length)} IDs, more than Max IDs per Run (${count(settings.maxIds)})`, {
					itemIndex: 0,
					description: `Nothing was sent. Split the input into smaller runs (for example with Loop Over Items), or raise "Max IDs per Run" in Options (at most ${count(MAX_MAX_IDS)}).`,
				}),
			);
		}

		const credentialType = chooseCredential(this, provider);
		let credentials: IDataObject = {};
		try {
			credentials = (await this.getCredentials(credentialType.name)) as IDataObject;
		} catch (error) {
			if (!settings.dryRun) {
				const auth = provider.authParameter === undefined ? '' : ` (Authentication: ${credentialType.displayName})`;
				return runError(
					this,
					items,
					new NodeOperationError(this.getNode(), `${provider.displayName} needs a credential of type "${credentialType.displayName}": ${(error as Error).message}`, {
						itemIndex: 0,
						description: `Nothing was sent. Select or create a credential of that type under "Credential to connect with"${auth}, or change Authentication to match the credential you have.`,
					}),
				);
			}
		}
		const contexts = scopes.params.map((params) => ({ params, credentialType: credentialType.name, credentials }));
		const scopeFields = provider.scopeFields === undefined ? [] : scopes.params.map((params) => provider.scopeFields!(params));
		// The transport adds every token n8n fetches during the run to this list (see createTransport).
		const secrets = secretsOf(credentials);

		if (settings.dryRun) {
			const invalidUnits = units.filter((u) => u.invalidReason !== undefined);
			const [, invalid] = buildOutputs(provider.id, invalidUnits, invalidUnits.map(invalidResult), secrets, scopeFields);
			return shapeForTool(this, provider, [dryRunOutputs(provider, contexts, units, settings.batchSize, scopeFields), [...problemItems, ...invalid]]);
		}

		const signal = this.getExecutionCancelSignal();
		const report = await runDeletion(
			provider,
			contexts,
			units,
			settings,
			createTransport(this, credentialType.name, { timeoutMs: settings.timeoutMs, tokenProperty: credentialType.tokenProperty, secrets }),
			executionClock(signal),
			() => signal?.aborted === true,
		);

		// Bad credentials or a wrong endpoint before anything happened: fail the node as n8n's own
		// nodes do. Once anything may have been deleted, report instead, so nothing is lost.
		const stop = report.stop;
		if (stop !== undefined && (stop.reason === 'auth' || stop.reason === 'config') && !report.anyApplied) {
			const error = stopError(this, provider, stop, secrets);
			// Continue (regular output) keeps the per-ID report below: every ID on Failure, not attempted.
			if (!this.continueOnFail() || this.getNode().onError === 'continueErrorOutput') return runError(this, items, error);
		}

		const [success, failure] = buildOutputs(provider.id, units, report.results, secrets, scopeFields);
		return shapeForTool(this, provider, [success, [...problemItems, ...failure]]);
	}
}

/** The node error for a run stop before anything can have been deleted. */
function stopError(ctx: IExecuteFunctions, provider: Provider<unknown>, stop: RunStop, secrets: string[]): NodeApiError | NodeOperationError {
	const message = redact(stop.message, secrets);
	if (stop.reason === 'auth') {
		return new NodeApiError(ctx.getNode(), { code: stop.code, message } as JsonObject, {
			message: `${provider.displayName} refused the credentials: ${message}`,
			description: 'Nothing was deleted. Check the credential, then run again.',
			httpCode: '401',
			itemIndex: 0,
		});
	}
	return new NodeOperationError(ctx.getNode(), message, { itemIndex: 0, description: 'Nothing was deleted.' });
}

/** "Delete Avaya Spaces messages", from the registry. */
function subtitle(): string {
	const what = Object.fromEntries(PROVIDERS.map((p) => [p.id, `${p.displayName} ${p.noun}`]));
	return `={{"Delete " + (${JSON.stringify(what)}[$parameter["provider"]] ?? "")}}`;
}

function chooseCredential(ctx: IExecuteFunctions, provider: Provider<unknown>) {
	if (provider.authParameter === undefined) return provider.credentials[0];
	const value = ctx.getNodeParameter(provider.authParameter, 0) as string;
	return provider.credentials.find((c) => c.value === value) ?? provider.credentials[0];
}
