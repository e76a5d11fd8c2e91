import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { credentialsDescription, nodeProperties } from './description';
import { readCredential } from './execute/credential';
import { emitOutputs, whatItDeletes } from './execute/outputs';
import type { RunFailure } from './execute/resolve';
import { isFailure, resolveRun } from './execute/resolve';
import { runEngine } from './execute/run';
import { readTargets, sourceOfTargets } from './execute/targets';
import { PROVIDERS } from './providers';
import { runError } from './runError';

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
		description: nodeDescription(),
		defaults: { name: 'Batch Delete' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Success and Failure; a dry run adds Preview (see outputsFor).
		outputs: `={{(${outputsFor})($parameter)}}`,
		credentials: credentialsDescription(),
		properties: nodeProperties(),
	};

	/**
	 * One pipeline, as its steps (each in execute/): resolve the provider, options, per-item
	 * parameters; take the targets from the input items (By ID) or the provider's list (By Filter);
	 * read the credential once; run the engine; map the results to Success and Failure, and a run
	 * stop to the node error. A step's whole-run error goes to runError.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const fail = (error: RunFailure) => runError(this, items, error);
		const run = resolveRun(this, items.length);
		if (isFailure(run)) return fail(run);
		const targets = readTargets(this, run, items);
		if (isFailure(targets)) return fail(targets);
		const credential = await readCredential(this, run);
		if (isFailure(credential)) return fail(credential);
		const source = sourceOfTargets(this, run, targets, credential);
		if (isFailure(source)) return fail(source);
		const ran = await runEngine(this, run, targets, credential, source);
		const outputs = emitOutputs(this, run, targets, credential, ran);
		return isFailure(outputs) ? fail(outputs) : outputs;
	}
}

/**
 * The node's outputs, evaluated by n8n over the parameters (as its Switch node does): Success and
 * Failure, plus Preview while Options → Dry Run is on. Connections stay on their index, so Success
 * and Failure keep theirs when Dry Run is switched. Self-contained, as an arrow function like the Switch node's: n8n runs its source.
 */
const outputsFor = (parameters: { options?: { dryRun?: boolean } }) => {
	const main = (displayName: string) => ({ type: 'main', displayName });
	const outputs = [main('Success'), main('Failure')];
	if (parameters.options?.dryRun === true) outputs.push(main('Preview'));
	return outputs;
};

/** What the node creator shows: every provider and what it deletes, from the registry. */
function nodeDescription(): string {
	const what = PROVIDERS.map(whatItDeletes).sort((a, b) => a.localeCompare(b));
	const list = `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}`;
	return `Delete ${list} in batches. IDs are the ones the provider assigned; each comes back deleted, already gone, or not deleted with a reason.`;
}

/** The canvas line under the name, short enough not to be cut: the provider's brand ("WeChat",
 * "Huawei"), then By Filter and Dry Run when they are on, since both change what a run does. */
function subtitle(): string {
	const brand = Object.fromEntries(PROVIDERS.map((p) => [p.id, p.displayName.split(' ')[0]]));
	return `={{ [${JSON.stringify(brand)}[$parameter["provider"]], $parameter["select"] === "byFilter" ? "By Filter" : "", ($parameter["options"] || {}).dryRun ? "Dry Run" : ""].filter(Boolean).join(" · ") }}`;
}
