import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	INode,
	INodeType,
	INodeTypes,
} from 'n8n-workflow';
import {
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	createEmptyRunExecutionData,
} from 'n8n-workflow';

import { HarnessCredentialsHelper } from '../harness';
import { buildAdditionalData } from '../harness/additionalData';
import { captureLogs, logLinesSince, logMark } from './logCapture';
import { assertNoSecrets, secretValues } from './secretScan';

captureLogs();

/**
 * The credential dialog's "Test" button, the way n8n 1.123's CredentialsTester runs a
 * `test.request`: a NoOp node whose one property routes the test request, run by n8n-core's
 * RoutingNode with the credential (its preAuthentication included), then the `rules` checked on
 * the answer's body.
 */
export async function testCredential(
	type: ICredentialType,
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const logsFrom = logMark();
	const result = await runCredentialTest(type, data);
	// The same secret scan as every node run: the message the dialog shows and the log lines.
	const shown = { status: result.status, message: result.message, logs: logLinesSince(logsFrom) };
	assertNoSecrets(shown, secretValues([data, result.stored]));
	return { status: result.status, message: result.message };
}

async function runCredentialTest(
	type: ICredentialType,
	data: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string; stored: ICredentialDataDecryptedObject }> {
	const helper = new HarnessCredentialsHelper()
		.registerTypes(type)
		.addCredential({ id: 'cred-test', name: 'Test', type: type.name, data });
	const additionalData = buildAdditionalData({
		credentialsHelper: helper,
		executionId: 'credential-test',
		workflowData: { nodes: [], connections: {} } as never,
	});
	const decrypted = {
		id: 'cred-test',
		name: 'Test',
		type: type.name,
		data: await helper.applyDefaultsAndOverwrites(additionalData, data, type.name, 'internal'),
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation',
			name: 'n8n-nodes-base.noOp',
			group: ['organization'],
			version: 1,
			description: 'No operation',
			defaults: { name: 'No Operation' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: type.test!.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [type.name]: { id: 'cred-test', name: 'Test' } },
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => NodeHelpers.getVersionedNodeType(nodeType),
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	// Tokens the test fetched (n8n stores them with the credential), to scan for too.
	const stored = () => ({ ...decrypted.data, ...helper.getStoredData('cred-test') });
	let response;
	try {
		response = await new RoutingNode(context, nodeType, decrypted).runNode();
	} catch (error) {
		return { status: 'Error', message: String((error as Error).message), stored: stored() };
	}
	const body = response![0][0].json;
	for (const rule of type.test!.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && body[rule.properties.key] === rule.properties.value)
			return { status: 'Error', message: rule.properties.message, stored: stored() };
	}
	return { status: 'OK', message: 'Connection successful!', stored: stored() };
}
