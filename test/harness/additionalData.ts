/**
 * `IWorkflowExecuteAdditionalData` built by hand, shaped like the CLI's `getBase()`
 * (packages/cli/src/workflow-execute-additional-data.ts, n8n 1.123.50) with n8n's default URLs
 * (http://localhost:5678/ + the default endpoint names). What needs n8n's server (sub-workflows,
 * the task runner for Code nodes, execution storage) throws or is a no-op.
 */
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, ExternalSecretsProxy } from 'n8n-core';
import type { IWorkflowBase, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { ApplicationError } from 'n8n-workflow';

import type { HarnessCredentialsHelper } from './credentialsHelper';

const BASE_URL = 'http://localhost:5678/';

export interface AdditionalDataOptions {
	credentialsHelper: HarnessCredentialsHelper;
	executionId: string;
	workflowData: IWorkflowBase;
	/** `$vars` in expressions. */
	variables?: Record<string, string>;
	/** Absolute time after which the engine cancels the execution (n8n's execution timeout). */
	executionTimeoutTimestamp?: number;
}

export function buildAdditionalData(
	options: AdditionalDataOptions,
): IWorkflowExecuteAdditionalData {
	const { credentialsHelper, executionId, workflowData } = options;

	// The CLI creates these hooks per execution (getLifecycleHooksForRegularMain); they save
	// progress and push to the UI there. WorkflowExecute requires the object; no handlers here.
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);

	return {
		credentialsHelper,
		hooks,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE_URL}rest`,
		instanceBaseUrl: BASE_URL,
		formWaitingBaseUrl: `${BASE_URL}form-waiting`,
		webhookBaseUrl: `${BASE_URL}webhook`,
		webhookWaitingBaseUrl: `${BASE_URL}webhook-waiting`,
		webhookTestBaseUrl: `${BASE_URL}webhook-test`,
		executionTimeoutTimestamp: options.executionTimeoutTimestamp,
		variables: options.variables ?? {},
		// No external secrets manager is set, so `$secrets` lists nothing, like an instance
		// without the feature configured.
		externalSecretsProxy: Container.get(ExternalSecretsProxy),
		setExecutionStatus: () => {},
		logAiEvent: () => {},
		async getRunExecutionData() {
			return undefined;
		},
		async executeWorkflow() {
			throw new ApplicationError('The node harness cannot run sub-workflows');
		},
		async startRunnerTask() {
			throw new ApplicationError('The node harness has no task runner (Code node)');
		},
	} as IWorkflowExecuteAdditionalData;
}
