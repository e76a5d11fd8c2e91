/**
 * Node types for the harness workflow: the `INodeTypes` the engine asks for node classes, and
 * the "source" node that feeds the node under test its input items.
 */
import { RoutingNode, UnrecognizedNodeTypeError } from 'n8n-core';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeHelpers, deepCopy } from 'n8n-workflow';

export const SOURCE_NODE_TYPE = 'n8n-nodes-harness.source';

/**
 * Lookup by name as the CLI's `NodeTypes` does (packages/cli/src/node-types.ts, n8n 1.123.50):
 * `NodeHelpers.getVersionedNodeType` picks the version, and a declarative node (no `execute`,
 * `poll`, `trigger`, ...) gets an `execute` that runs n8n-core's `RoutingNode`. The `...Tool`
 * variants are left out: the harness runs nodes as regular nodes.
 */
export class HarnessNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType | IVersionedNodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.get(nodeType);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const versionedNodeType = NodeHelpers.getVersionedNodeType(this.get(nodeType), version);
		if (shouldAssignExecuteMethod(versionedNodeType)) {
			versionedNodeType.execute = async function (this: IExecuteFunctions) {
				const routingNode = new RoutingNode(
					this as ConstructorParameters<typeof RoutingNode>[0],
					versionedNodeType,
				);
				return (await routingNode.runNode()) ?? [];
			};
		}
		return versionedNodeType;
	}

	getKnownTypes() {
		return {};
	}

	private get(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) {
			const dot = nodeType.indexOf('.');
			throw new UnrecognizedNodeTypeError(nodeType.slice(0, dot), nodeType.slice(dot + 1));
		}
		return type;
	}
}

/** packages/cli/src/utils.ts `shouldAssignExecuteMethod`. */
function shouldAssignExecuteMethod(nodeType: INodeType): boolean {
	const isDeclarativeNode = nodeType?.description?.requestDefaults !== undefined;
	return (
		!nodeType.execute &&
		!nodeType.poll &&
		!nodeType.trigger &&
		(!nodeType.webhook || isDeclarativeNode) &&
		(!nodeType.methods || isDeclarativeNode)
	);
}

/**
 * A node with no inputs that outputs the given items, playing the part of the trigger or the
 * upstream node in a real workflow. Items are deep-copied per run (nodes may mutate their
 * input), and each gets `pairedItem: {item: 0}`: they all derive from the single start item,
 * which is what n8n itself assigns to a one-input node's unpaired output.
 */
export function createSourceNodeType(items: INodeExecutionData[]): INodeType {
	return {
		description: {
			displayName: 'Harness Source',
			name: SOURCE_NODE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Emits the input items of a harness run',
			defaults: { name: 'Source' },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			return [items.map((item) => ({ ...deepCopy(item), pairedItem: { item: 0 } }))];
		},
	};
}
