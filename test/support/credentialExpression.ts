import type { INode, INodeTypes } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

/** Evaluates a credential expression with n8n's own expression engine, as a credential test does. */
export function evaluateCredentialExpression(
	expression: string,
	credentials: Record<string, string>,
): unknown {
	const node: INode = {
		id: 'n',
		name: 'n',
		type: 'n',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodeTypes = {
		getByName: () => undefined,
		getByNameAndVersion: () => undefined,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(
		node,
		expression,
		'internal',
		{ $credentials: credentials } as never,
		undefined,
		'',
	);
}
