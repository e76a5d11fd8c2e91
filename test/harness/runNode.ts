/**
 * Runs one node inside n8n's real engine: a two-node workflow (harness source → node under
 * test) executed by n8n-core's `WorkflowExecute` in 'manual' mode, the way the CLI's
 * `ManualExecutionService` starts a full manual run (`new WorkflowExecute(additionalData,
 * mode).run(workflow, startNode, ...)`) after `WorkflowRunner.runMainProcess` built the
 * `Workflow` (packages/cli/src/manual-execution.service.ts, workflow-runner.ts, n8n 1.123.50).
 */
import type PCancelable from 'p-cancelable';
import type {
	ExecutionError,
	IConnections,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IRunData,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';
import { WorkflowExecute } from 'n8n-core';

import { buildAdditionalData } from './additionalData';
import type { CredentialTypeInput } from './credentialTypes';
import { HarnessCredentialsHelper, type CredentialInstance } from './credentialsHelper';
import { HarnessNodeTypes, SOURCE_NODE_TYPE, createSourceNodeType } from './nodeTypes';
import './shutdown';

export const DEFAULT_NODE_TYPE = 'n8n-nodes-batch-delete.batchDelete';
const SOURCE_NODE_NAME = 'Source';

export interface RunNodeOptions {
	/** The node class (or an instance): plain `INodeType` or a `VersionedNodeType`. */
	node: INodeType | IVersionedNodeType | (new () => INodeType | IVersionedNodeType);
	/** Type name as n8n registers it: `<package name>.<description.name>`. */
	type?: string;
	/** Defaults to what n8n puts on a newly added node: `defaultVersion`, else the highest. */
	typeVersion?: number;
	/** Defaults to the node's `defaults.name`, as on a fresh canvas. */
	nodeName?: string;
	/** As saved in a workflow: unset parameters get their defaults from the engine's `Workflow`. */
	parameters?: INodeParameters;

	/** Credential classes (or instances) to make known. */
	credentialTypes?: CredentialTypeInput[];
	/** Credentials to save (encrypted) before the run; replaces any with the same id. */
	credentials?: CredentialInstance[];
	/** Credential type → credential id the node is set to use. Defaults to every saved
	 * credential (this run's and the reused helper's), by its type, first saved wins. */
	nodeCredentials?: Record<string, string>;
	/** Reuse a store from an earlier run (tokens persisted by `preAuthentication` stay). */
	credentialsHelper?: HarnessCredentialsHelper;

	/** Items the node under test receives. Defaults to one empty item. */
	items?: INodeExecutionData[];

	/** Node settings, as the node's Settings tab stores them. */
	continueOnFail?: boolean;
	onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;

	/** `$vars` for expressions. */
	variables?: Record<string, string>;
	/** Workflow execution timeout, in seconds (n8n's `executionTimeout` setting). */
	executionTimeout?: number;
}

export interface RunNodeResult {
	/** Each output of the node under test (`runData[node][0].data.main`); [] if it never ran. */
	outputs: INodeExecutionData[][];
	/** The node's error as n8n stores it in run data: a plain-object copy of the thrown
	 * error (`{...error, message, stack}`), so `httpCode`, `description`, `context` survive
	 * but `instanceof` does not. */
	error?: ExecutionError;
	/** The node under test's task data (`runData[node][0]`). */
	taskData?: ITaskData;
	runData: IRunData;
	/** The whole `IRun` the engine resolved with (status, resultData.error, ...). */
	run: IRun;
	/** The credentials store, to read back persisted tokens and count `preAuthentication`. */
	credentials: HarnessCredentialsHelper;
	/** The node's name in the workflow. */
	nodeName: string;
}

export interface CancellableRun {
	/** The `PCancelable` from `WorkflowExecute.run()`; `.cancel()` aborts the execution's
	 * signal (`getExecutionCancelSignal()` in the node, `abortSignal` of its HTTP calls). */
	execution: PCancelable<IRun>;
	cancel: () => void;
	/** Settles once the engine has wound down (after a cancel too). */
	result: Promise<RunNodeResult>;
}

let executionCounter = 0;

/** Runs the node to completion. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	return await runNodeCancellable(options).result;
}

/** Starts the run and hands back the engine's cancellable promise. */
export function runNodeCancellable(options: RunNodeOptions): CancellableRun {
	const nodeType = typeof options.node === 'function' ? new options.node() : options.node;
	const typeName = options.type ?? DEFAULT_NODE_TYPE;
	const typeVersion = options.typeVersion ?? defaultTypeVersion(nodeType);
	const description = NodeHelpers.getVersionedNodeType(nodeType, typeVersion).description;
	const nodeName = options.nodeName ?? description.defaults?.name ?? 'Node Under Test';

	const credentialsHelper = options.credentialsHelper ?? new HarnessCredentialsHelper();
	credentialsHelper.registerTypes(...(options.credentialTypes ?? []));
	for (const credential of options.credentials ?? []) credentialsHelper.addCredential(credential);

	const saved = credentialsHelper.listCredentials();
	const wanted =
		options.nodeCredentials ?? Object.fromEntries([...saved].reverse().map((c) => [c.type, c.id]));
	const nodeCredentials: INodeCredentials = {};
	for (const [type, id] of Object.entries(wanted)) {
		nodeCredentials[type] = { id, name: saved.find((c) => c.id === id)?.name ?? id };
	}

	const source: INode = {
		id: 'a0000000-0000-4000-8000-000000000001',
		name: SOURCE_NODE_NAME,
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodeUnderTest: INode = {
		id: 'a0000000-0000-4000-8000-000000000002',
		name: nodeName,
		type: typeName,
		typeVersion,
		position: [220, 0],
		parameters: structuredClone(options.parameters ?? {}),
		...(Object.keys(nodeCredentials).length ? { credentials: nodeCredentials } : {}),
		...pickDefined({
			continueOnFail: options.continueOnFail,
			onError: options.onError,
			retryOnFail: options.retryOnFail,
			maxTries: options.maxTries,
			waitBetweenTries: options.waitBetweenTries,
			alwaysOutputData: options.alwaysOutputData,
			executeOnce: options.executeOnce,
		}),
	};
	const connections: IConnections = {
		[SOURCE_NODE_NAME]: {
			[NodeConnectionTypes.Main]: [[{ node: nodeName, type: NodeConnectionTypes.Main, index: 0 }]],
		},
	};

	const executionId = `harness-${++executionCounter}`;
	// New workflows in n8n 1.x are created with executionOrder 'v1'.
	const settings = {
		executionOrder: 'v1' as const,
		...(options.executionTimeout ? { executionTimeout: options.executionTimeout } : {}),
	};
	const workflowData: IWorkflowBase = {
		id: 'harnessWorkflow1',
		name: 'Node harness',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [source, nodeUnderTest],
		connections,
		settings,
	};

	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections,
		active: false,
		nodeTypes: new HarnessNodeTypes({
			[SOURCE_NODE_TYPE]: createSourceNodeType(options.items ?? [{ json: {} }]),
			[typeName]: nodeType,
		}),
		staticData: {},
		settings,
	});

	const additionalData = buildAdditionalData({
		credentialsHelper,
		executionId,
		workflowData,
		variables: options.variables,
		executionTimeoutTimestamp: options.executionTimeout
			? Date.now() + options.executionTimeout * 1000
			: undefined,
	});

	const execution = new WorkflowExecute(additionalData, 'manual').run(
		workflow,
		workflow.getNode(SOURCE_NODE_NAME)!,
	);

	const result = execution.then((run): RunNodeResult => {
		const runData = run.data.resultData.runData;
		const taskData = runData[nodeName]?.[0];
		return {
			outputs: (taskData?.data?.[NodeConnectionTypes.Main] ?? []).map((items) => items ?? []),
			error: taskData?.error,
			taskData,
			runData,
			run,
			credentials: credentialsHelper,
			nodeName,
		};
	});

	return { execution, cancel: () => execution.cancel(), result };
}

function defaultTypeVersion(nodeType: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version, defaultVersion } = nodeType.description;
	return defaultVersion ?? (Array.isArray(version) ? Math.max(...version) : version);
}

function pickDefined<T extends object>(values: T): Partial<T> {
	return Object.fromEntries(
		Object.entries(values).filter(([, v]) => v !== undefined),
	) as Partial<T>;
}
