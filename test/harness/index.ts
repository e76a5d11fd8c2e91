/** The in-engine node harness: run one node inside n8n-core's WorkflowExecute. */
export { runNode, runNodeCancellable, DEFAULT_NODE_TYPE } from './runNode';
export type { RunNodeOptions, RunNodeResult, CancellableRun } from './runNode';
export { HarnessCredentialsHelper } from './credentialsHelper';
export type {
	CredentialInstance,
	HarnessCredentialsHelperOptions,
	PreAuthenticationCall,
} from './credentialsHelper';
export { CredentialTypeRegistry } from './credentialTypes';
export type { CredentialTypeInput } from './credentialTypes';
export { shutdownHarness } from './shutdown';
