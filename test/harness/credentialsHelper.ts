/**
 * The credentials helper n8n's engine calls for `getCredentials`, `httpRequestWithAuthentication`
 * and friends. n8n-core does not ship one: the real one is the CLI's `CredentialsHelper`
 * (packages/cli/src/credentials-helper.ts; followed here from the published n8n@1.123.50
 * build, dist/credentials-helper.js). This class keeps its method bodies and swaps the
 * database for an in-memory store of ENCRYPTED rows, so the same bytes-in/bytes-out path
 * (n8n-core's `Credentials` + `Cipher` with N8N_ENCRYPTION_KEY) is exercised.
 *
 * Left out on purpose: credential overwrites (none configured, so `applyOverwrite` returns the
 * data unchanged in n8n too), the cache and sharing lookups behind
 * `credentialCanUseExternalSecrets` (a constructor flag instead).
 */
import { Credentials, getAdditionalKeys } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	isExpression,
} from 'n8n-workflow';

import { CredentialTypeRegistry, type CredentialTypeInput } from './credentialTypes';

/** A credential as a test defines it: what a user would save in n8n's credential dialog. */
export interface CredentialInstance {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/** One row of the in-memory "credentials_entity" table: `data` is the encrypted string. */
interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: string;
	updatedAt: Date;
}

/** One real invocation of a credential type's `preAuthentication` (the token fetch). */
export interface PreAuthenticationCall {
	type: string;
	credentialsExpired: boolean;
}

/** Same message as the CLI's `CredentialNotFoundError` (packages/cli/src/errors). */
class CredentialNotFoundError extends UserError {
	constructor(credentialId: string, credentialType: string) {
		super(`Credential with ID "${credentialId}" does not exist for type "${credentialType}".`);
	}
}

// The CLI resolves credential expressions outside an execution on a throwaway workflow made
// of one mock node; these are copied from it so `getComplexParameterValue` behaves the same.
const mockNode = {
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {} as INodeParameters,
} as INode;

const mockNodeTypes: INodeTypes = {
	getKnownTypes: () => ({}),
	getByName: (nodeType: string) => mockNodesData[nodeType],
	getByNameAndVersion: (nodeType: string, version?: number) => {
		if (!mockNodesData[nodeType]) {
			throw new UnexpectedError('Unrecognized node type', { tags: { nodeType } });
		}
		return NodeHelpers.getVersionedNodeType(mockNodesData[nodeType], version);
	},
};
const mockNodesData: Record<string, INodeType> = {
	mock: { description: { properties: [] as INodeProperties[] } } as unknown as INodeType,
};

export interface HarnessCredentialsHelperOptions {
	types?: CredentialTypeInput[];
	credentials?: CredentialInstance[];
	/**
	 * What the CLI's `credentialCanUseExternalSecrets` answers: true when the credential's owner
	 * is an instance owner/admin, which is the case on a single-user instance. Controls whether
	 * `$secrets` is offered to credential expressions.
	 */
	externalSecretsEnabled?: boolean;
}

export class HarnessCredentialsHelper extends ICredentialsHelper {
	readonly credentialTypes = new CredentialTypeRegistry();

	private readonly store = new Map<string, StoredCredential>();

	private readonly externalSecretsEnabled: boolean;

	/** Every time a credential type's own `preAuthentication` ran, in order. */
	readonly preAuthenticationCalls: PreAuthenticationCall[] = [];

	constructor(options: HarnessCredentialsHelperOptions = {}) {
		super();
		this.externalSecretsEnabled = options.externalSecretsEnabled ?? true;
		this.credentialTypes.register(...(options.types ?? []));
		for (const credential of options.credentials ?? []) this.addCredential(credential);
	}

	// ---- test-facing API (not part of ICredentialsHelper) ----

	registerTypes(...types: CredentialTypeInput[]): this {
		this.credentialTypes.register(...types);
		return this;
	}

	/** Saves (or replaces) a credential, encrypted exactly as n8n stores a new one. */
	addCredential({ id, name, type, data }: CredentialInstance): this {
		const credentials = new Credentials({ id, name }, type);
		credentials.setData(data);
		this.store.set(id, {
			id,
			name,
			type,
			data: credentials.getDataToSave().data!,
			updatedAt: new Date(),
		});
		return this;
	}

	/** Id, name and type of every saved credential, in the order they were first saved. */
	listCredentials(): Array<{ id: string; name: string; type: string }> {
		return [...this.store.values()].map(({ id, name, type }) => ({ id, name, type }));
	}

	/** What is in the store now, decrypted: shows tokens persisted by `preAuthentication`. */
	getStoredData(id: string): ICredentialDataDecryptedObject {
		const row = this.store.get(id);
		if (!row) throw new Error(`No stored credential with id "${id}"`);
		return new Credentials({ id: row.id, name: row.name }, row.type, row.data).getData();
	}

	/** The raw encrypted string, to show nothing is kept in clear. */
	getStoredCiphertext(id: string): string {
		const row = this.store.get(id);
		if (!row) throw new Error(`No stored credential with id "${id}"`);
		return row.data;
	}

	/** How many times `preAuthentication` really ran (optionally for one credential type). */
	preAuthenticationCount(type?: string): number {
		return this.preAuthenticationCalls.filter((c) => type === undefined || c.type === type).length;
	}

	// ---- ICredentialsHelper, following the CLI ----

	/** Adds the credential's auth to the request: the function form is called as is; the
	 * generic form's keys and values go through the workflow's expression engine with
	 * `$credentials` bound, as `resolveValue` does in the CLI. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions;
		const credentialType = this.credentialTypes.getByName(typeName);

		if (credentialType.authenticate) {
			if (typeof credentialType.authenticate === 'function') {
				return await credentialType.authenticate(
					credentials,
					requestOptions as IHttpRequestOptions,
				);
			}

			if (typeof credentialType.authenticate === 'object') {
				const { authenticate } = credentialType;
				if (requestOptions.headers === undefined) requestOptions.headers = {};

				if (authenticate.type === 'generic') {
					for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
						for (const [key, value] of Object.entries(outerValue as object)) {
							const keyResolved = this.resolveValue(
								key,
								{ $credentials: credentials },
								workflow,
								node,
							);
							const valueResolved = this.resolveValue(
								value as string,
								{ $credentials: credentials },
								workflow,
								node,
							);
							const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
							if (!target[outerKey]) target[outerKey] = {};
							target[outerKey][keyResolved] = valueResolved;
						}
					}
				}
			}
		}

		return requestOptions as IHttpRequestOptions;
	}

	/** Fetches a fresh token when the expirable hidden field is empty or the caller says it
	 * expired (the 401 path), then persists the whole (merged) credential, as the CLI does. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);

		const expirableProperty = credentialType.properties.find(
			(property) => property.type === 'hidden' && property?.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;

		// n8n's credential "Test" button runs through a mock NoOp node with `temp: ''`.
		const isTestingCredentials =
			node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';

		if (typeof credentialType.preAuthentication === 'function') {
			if (
				credentials[expirableProperty.name] === '' ||
				credentialsExpired ||
				isTestingCredentials
			) {
				this.preAuthenticationCalls.push({ type: typeName, credentialsExpired });
				const output = await credentialType.preAuthentication.call(helpers, credentials);

				// Only an output carrying the expirable field is persisted.
				if (output[expirableProperty.name] === undefined) return undefined;

				if (node.credentials) {
					// As in n8n 1.123: the object written back is the decrypted-with-defaults data
					// the node was using (not the raw stored row) merged with the output.
					await this.updateCredentials(
						node.credentials[credentialType.name],
						credentialType.name,
						Object.assign(credentials, output),
					);
					return Object.assign(credentials, output);
				}
			}
		}
		return undefined;
	}

	/** Same rule as the CLI: only `=`-prefixed strings are expressions; falsy results become ''. */
	private resolveValue(
		parameterValue: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(parameterValue)) return parameterValue;

		const returnValue = workflow.expression.getSimpleParameterValue(
			node,
			parameterValue,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		if (!returnValue) return '';
		return returnValue.toString();
	}

	getParentTypes(typeName: string): string[] {
		return this.credentialTypes.getParentTypes(typeName);
	}

	async getCredentials(
		nodeCredential: INodeCredentialsDetails,
		type: string,
	): Promise<Credentials> {
		if (!nodeCredential.id) {
			throw new UnexpectedError('Found credential with no ID.', {
				extra: { credentialName: nodeCredential.name },
				tags: { credentialType: type },
			});
		}
		// The CLI looks the row up by id AND type.
		const row = this.store.get(nodeCredential.id);
		if (!row || row.type !== type) throw new CredentialNotFoundError(nodeCredential.id, type);

		return new Credentials({ id: row.id, name: row.name }, row.type, row.data);
	}

	/** Own properties, or the parents' merged with the child's (`extends`), plus oauthTokenData
	 * for the two OAuth base types. */
	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialTypeData = this.credentialTypes.getByName(type);

		if (credentialTypeData.extends === undefined) {
			if (['oAuth1Api', 'oAuth2Api'].includes(type)) {
				return [
					...credentialTypeData.properties,
					{
						displayName: 'oauthTokenData',
						name: 'oauthTokenData',
						type: 'json',
						required: false,
						default: {},
					},
				];
			}
			return credentialTypeData.properties;
		}

		const combineProperties = [] as INodeProperties[];
		for (const credentialsTypeName of credentialTypeData.extends) {
			NodeHelpers.mergeNodeProperties(
				combineProperties,
				this.getCredentialsProperties(credentialsTypeName),
			);
		}
		NodeHelpers.mergeNodeProperties(combineProperties, credentialTypeData.properties);
		return combineProperties;
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		const decryptedDataOriginal = credentials.getData();

		if (raw === true) return decryptedDataOriginal;

		return await this.applyDefaultsAndOverwrites(
			additionalData,
			decryptedDataOriginal,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** Defaults from the type's properties, then expressions: in the node's own context when
	 * called from an execution (`expressionResolveValues`), else on a mock workflow. */
	async applyDefaultsAndOverwrites(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const credentialsProperties = this.getCredentialsProperties(type);

		// No overwrites are configured, so `CredentialsOverwrites.applyOverwrite` is identity.
		const dataWithOverwrites = decryptedDataOriginal;

		let decryptedData = NodeHelpers.getNodeParameters(
			credentialsProperties,
			dataWithOverwrites as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;

		// Fields that are not declared properties are dropped by getNodeParameters; the CLI
		// puts these back.
		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}
		if (
			decryptedData.allowedHttpRequestDomains === undefined &&
			decryptedDataOriginal.allowedHttpRequestDomains !== undefined
		) {
			decryptedData.allowedHttpRequestDomains = decryptedDataOriginal.allowedHttpRequestDomains;
		}
		if (
			decryptedData.allowedDomains === undefined &&
			decryptedDataOriginal.allowedDomains !== undefined
		) {
			decryptedData.allowedDomains = decryptedDataOriginal.allowedDomains;
		}
		// OAuth dynamic client registration keeps runtime-negotiated fields that the UI hides.
		if (decryptedData.useDynamicClientRegistration) {
			for (const field of [
				'clientId',
				'clientSecret',
				'authUrl',
				'accessTokenUrl',
				'grantType',
				'authentication',
			]) {
				decryptedData[field] = decryptedDataOriginal[field];
			}
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, {
			secretsEnabled: this.externalSecretsEnabled,
		});

		if (expressionResolveValues) {
			try {
				decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
					decryptedData as INodeParameters,
					expressionResolveValues.runExecutionData,
					expressionResolveValues.runIndex,
					expressionResolveValues.itemIndex,
					expressionResolveValues.node.name,
					expressionResolveValues.connectionInputData,
					mode,
					additionalKeys,
					executeData,
					false,
					decryptedData,
				) as ICredentialDataDecryptedObject;
			} catch (e) {
				(e as Error).message += ' [Error resolving credentials]';
				throw e;
			}
		} else {
			const workflow = new Workflow({
				nodes: [mockNode],
				connections: {},
				active: false,
				nodeTypes: mockNodeTypes,
			});
			decryptedData = workflow.expression.getComplexParameterValue(
				mockNode,
				decryptedData as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		}

		return decryptedData;
	}

	/** Re-encrypts and writes the row, matched on id AND type like the CLI's
	 * `credentialsRepository.update({id, type}, ...)` (no row: silently nothing). */
	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		credentials.setData(data);
		this.save(credentials, type);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		credentials.updateData({ oauthTokenData: data.oauthTokenData });
		this.save(credentials, type);
	}

	private save(credentials: Credentials, type: string): void {
		const row = credentials.id === undefined ? undefined : this.store.get(credentials.id);
		if (!row || row.type !== type) return;
		row.data = credentials.getDataToSave().data!;
		row.updatedAt = new Date();
	}
}
