import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type {
	ICredentialType,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { BatchDelete } from '../../nodes/BatchDelete/BatchDelete.node';
import type {
	CredentialInstance,
	HarnessCredentialsHelper,
	RunNodeOptions,
	RunNodeResult,
} from '../harness';
import { runNode, runNodeCancellable } from '../harness';
import { captureLogs, logLinesSince, logMark } from './logCapture';
import { OAuth2Api } from './oAuth2Api';
import { assertNoSecrets, secretValues } from './secretScan';

// Everything n8n logs during these runs is recorded, so the secret scan reads log lines too.
captureLogs();

const ROOT = join(__dirname, '..', '..');

/**
 * Every credential class the package declares, loaded from package.json's `n8n.credentials`
 * list (dist path mapped back to the .ts source), so a credential missing from that list fails
 * the tests that need it, as it would fail in n8n.
 */
export function declaredCredentialTypes(): ICredentialType[] {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
		n8n: { credentials: string[] };
	};
	return pkg.n8n.credentials.flatMap((entry) => {
		const source = join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const module = require(source) as Record<string, new () => ICredentialType>;
		// As n8n does: the class named after the file (X.credentials.js exports class X).
		const className = source.replace(/^.*\//, '').replace(/\.credentials\.ts$/, '');
		const Class = module[className];
		if (typeof Class !== 'function')
			throw new Error(`${entry} does not export a class ${className}`);
		return [new Class()];
	});
}

export interface BatchDeleteRun extends RunNodeResult {
	success: INodeExecutionData[];
	failure: INodeExecutionData[];
	/** A dry run's third output (empty otherwise). */
	preview: INodeExecutionData[];
	/** Success, Failure and Preview items by ID (last one wins; use with deduplicated runs). */
	byId: Record<string, IDataObject>;
}

export interface BatchDeleteOptions extends Omit<RunNodeOptions, 'node' | 'parameters' | 'items'> {
	parameters: INodeParameters;
	/** Plain JSON items, or full items. */
	items?: Array<IDataObject | INodeExecutionData>;
}

function toItems(items: BatchDeleteOptions['items']): INodeExecutionData[] | undefined {
	return items?.map((item) =>
		'json' in item && typeof item.json === 'object'
			? (item as INodeExecutionData)
			: { json: item as IDataObject },
	);
}

function finish(
	result: RunNodeResult,
	credentials: CredentialInstance[] | undefined,
	helper: HarnessCredentialsHelper,
	logsFrom: number,
): BatchDeleteRun {
	const [success = [], failure = [], preview = []] = result.outputs;
	// The secret scan runs on every integration run: outputs, the stored error (NodeApiError's
	// description, context and cause included), everything the execution kept and every log line
	// must not hold any credential value, including tokens n8n fetched and stored during the run.
	const stored = helper.listCredentials().map((c) => helper.getStoredData(c.id));
	const shown = {
		outputs: result.outputs,
		error: result.error,
		resultData: result.run.data.resultData,
		logs: logLinesSince(logsFrom),
	};
	assertNoSecrets(shown, secretValues([...(credentials ?? []).map((c) => c.data), ...stored]));
	const byId: Record<string, IDataObject> = {};
	for (const item of [...success, ...failure, ...preview]) byId[String(item.json.id)] = item.json;
	return { ...result, success, failure, preview, byId };
}

const defaults = (options: BatchDeleteOptions): RunNodeOptions => ({
	...options,
	node: BatchDelete,
	credentialTypes: options.credentialTypes ?? [new OAuth2Api(), ...declaredCredentialTypes()],
	items: toItems(options.items),
});

/** Run the Batch Delete node inside n8n's engine and split its two outputs. */
export async function runBatchDelete(options: BatchDeleteOptions): Promise<BatchDeleteRun> {
	const logsFrom = logMark();
	const result = await runNode(defaults(options));
	return finish(result, options.credentials, result.credentials, logsFrom);
}

/** The same, cancellable mid-run. */
export function runBatchDeleteCancellable(options: BatchDeleteOptions) {
	const logsFrom = logMark();
	const run = runNodeCancellable(defaults(options));
	return {
		cancel: run.cancel,
		result: run.result.then((result) =>
			finish(result, options.credentials, result.credentials, logsFrom),
		),
	};
}
