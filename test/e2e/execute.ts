import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import { assertNoSecrets } from '../support/secretScan';

export type Execution = Awaited<ReturnType<typeof n8nHost.executeWorkflow>>;

/**
 * Import a workflow into a real n8n user folder and run it with `n8n execute`. Fails loudly when
 * no execution could be read, and when anything the run printed or stored holds a secret.
 */
export async function executeScanned(
	folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>,
	workflow: IDataObject,
	secrets: string[],
): Promise<Execution> {
	await n8nHost.importWorkflow(folder, workflow);
	const result = await n8nHost.executeWorkflow(folder, String(workflow.id));
	if (result.execution === null || result.execution === undefined) {
		throw new Error(
			`n8n execute printed no execution (exit ${result.code}):\n${result.stderr.slice(-3000)}\n${result.stdout.slice(-3000)}`,
		);
	}
	assertNoSecrets(result.stdout + result.stderr, secrets);
	assertNoSecrets(result.execution, secrets);
	return result;
}

/** A node's items on one output in a real execution (none when it did not run). */
export const outputItems = (execution: Execution, node: string, index: number) =>
	(n8nHost.outputOf(execution.execution, node, index) ?? []) as INodeExecutionData[];

/** The n8n lines a real-n8n test runs on: both, or those E2E_LINES names (`E2E_LINES=1`). */
export const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
/** Installing an n8n line the first time takes a while. */
export const INSTALL_TIMEOUT = 40 * 60 * 1000;
