import type { IDataObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

/** Statuses on the Success output: the provider confirmed the ID is gone. */
type SuccessStatus = 'deleted' | 'alreadyGone';

/** Statuses on the Failure output: the ID was not confirmed gone. */
type FailureStatus =
	| 'invalid'
	| 'notFound'
	| 'forbidden'
	| 'rejected'
	| 'error'
	| 'unknown'
	| 'notAttempted';

export type OutcomeStatus = SuccessStatus | FailureStatus;

/** What one request's answer says about one ID. `notFound` is turned into `alreadyGone` by the
 * engine when the user treats not-found as deleted, so providers only ever say `notFound`. */
export interface IdOutcome {
	/** `unknown`: the provider answered for this ID without saying whether it was deleted. */
	status: 'deleted' | 'notFound' | Exclude<FailureStatus, 'invalid' | 'notAttempted'>;
	code?: string;
	message?: string;
	/** Resend this ID once on its own before accepting the outcome (SOLAPI `InternalError`);
	 * an ID already sent alone is resent once too. */
	retryAlone?: boolean;
}

/** One thing to delete, and every input item that named it. `fields` are provider-specific
 * extras (WeChat's article index, listed titles) carried into the request and onto the output item. */
export interface Target {
	id: string;
	fields?: IDataObject;
	/** What makes two targets the same for dedupe, when the ID alone does not (WeChat article). */
	key?: string;
	/** The input items that named it, in first-seen order (By Filter: the node's first item). */
	items: number[];
	/** Never sent: the reason it breaks the provider's rules (or its item's parameters do). */
	invalidReason?: string;
	/** The code of an invalid target's result; `INVALID_ID` when absent. */
	invalidCode?: string;
	/** Which parameter set (see scopes.ts) it is deleted with; 0 when absent. */
	scope?: number;
}

/**
 * A provider's reading of one response. Per-ID outcomes, or one verdict for the whole batch.
 * IDs the `outcomes` map leaves out end as `unknown`: a provider never confirms by omission.
 */
export type BatchVerdict =
	| { kind: 'outcomes'; outcomes: Map<string, IdOutcome> }
	/** Transient: throttled, busy or 5xx. `maybeApplied` when the server may have acted anyway. */
	| {
			kind: 'retry';
			code: string;
			message: string;
			retryAfterMs?: number;
			/** Wait at least this long (a per-minute quota is not cleared by a 1 s backoff). */
			minDelayMs?: number;
			/** Retry at most this often, whatever the user's Max Retries (a skewed clock). */
			maxRetries?: number;
			/** What the run does once retries run out, when that is more than this batch failing. */
			onExhausted?: { reason: 'auth' | 'config'; code: string; message: string };
			maybeApplied?: boolean;
			/** The provider refused because of the load (HTTP 429, WeChat 45011...): Auto concurrency backs off. */
			throttled?: boolean;
	  }
	/** The token is bad or expired: refresh it once and resend. */
	| { kind: 'reauth'; code: string; message: string }
	/** The whole batch failed with this status. `splittable` when a batch-level rejection does not
	 * say which ID is at fault, so halving the batch can isolate it. */
	| {
			kind: 'failBatch';
			status: IdOutcome['status'] | 'unknown';
			code: string;
			message: string;
			splittable?: boolean;
			/** The batch was refused for its size: the engine lowers the batch size for the rest of
			 * the run (to half this batch, at most) and resends these IDs in batches of that size. */
			tooLarge?: boolean;
	  }
	/** The request form does not exist where the run sends it (an API in the documents that a
	 * region does not serve): the engine resends this chunk, and sends every later one, with the
	 * provider's `fallback` (see `FallbackRequests`). Without one, the run stops (config). */
	| { kind: 'useFallback'; code: string; message: string }
	/** Nothing more can succeed in this run (bad credentials, daily quota). */
	| { kind: 'stopRun'; reason: 'auth' | 'quota' | 'config'; code: string; message: string };

/** The transport's result: an HTTP answer (any status) or a failure to get one. */
export type HttpResult =
	| {
			kind: 'response';
			statusCode: number;
			headers: Record<string, unknown>;
			body: unknown;
			rawBody: string;
	  }
	| { kind: 'network'; code: string; message: string; maybeApplied: boolean }
	/** The credential could not authenticate (token exchange refused, signing impossible). */
	| { kind: 'credential'; code: string; message: string }
	/**
	 * The transport refused the exchange (see credentials/auth/guard.ts): a host the credential
	 * does not allow (nothing sent: `notAttempted`), a redirect (sent, never followed: `error`), an
	 * answer too large to read (`unknown`). `stopRun`: every request of the run would fare alike.
	 */
	| {
			kind: 'refused';
			code: string;
			message: string;
			status: 'notAttempted' | 'error' | 'unknown';
			stopRun: boolean;
	  };

/** A credential type a provider accepts, and the value of its authentication selector. */
interface CredentialChoice {
	/** credential type name, e.g. `avayaSpacesApi` */
	name: string;
	/** value of the provider's authentication parameter that selects it */
	value: string;
	displayName: string;
	/** The credential's hidden expirable token property, when n8n fetches the token through
	 * preAuthentication; the engine empties it to force a refresh. */
	tokenProperty?: string;
	/** The credential extends n8n's `oAuth2Api`: n8n refreshes its access token (and stores the new
	 * one) only when a request throws a 401, so the transport lets the refresh send throw. */
	oAuth2?: boolean;
}

/** Reads a node parameter for an item (the node passes `this.getNodeParameter` bound). */
export type ParameterReader = (name: string, itemIndex: number, fallback?: unknown) => unknown;

export interface ProviderContext<P> {
	params: P;
	/** The credential type in use, chosen by the provider's authentication parameter. */
	credentialType: string;
	/** Decrypted credential data, for providers whose URL depends on it (region, project). */
	credentials: IDataObject;
}

/**
 * A provider is data plus small pure functions. The engine does everything else: collecting IDs,
 * chunking, concurrency, rate limits, retries, token refresh and the two outputs.
 */
export interface Provider<P = unknown> {
	/** Value of the node's Provider parameter. */
	id: string;
	displayName: string;
	/** What gets deleted, for descriptions: "messages", "SMS templates". */
	noun: string;
	/** What the provider calls the ID this node takes, for the hint when no ID exists there. */
	idName: string;
	maxBatchSize: number;
	defaultBatchSize: number;
	/** Requests in flight by default; where Auto is the default, where it starts. */
	defaultConcurrency: number;
	/** Auto concurrency by default: the provider documents no limit and signals throttling. */
	autoConcurrency?: boolean;
	/** Requests per second the provider documents (0 = none documented). */
	defaultRequestsPerSecond: number;
	/** Name of the provider's authentication selector parameter (absent if only one credential). */
	authParameter?: string;
	credentials: CredentialChoice[];
	/** Provider-specific node parameters; the node adds the `provider` display condition. */
	properties: INodeProperties[];
	/**
	 * For providers whose targets are more than one ID string (WeChat: `msg_id` with
	 * `article_idx`, or an article URL): read one item's targets with the provider's own
	 * parameters. The node then hides its generic "IDs From" parameters for this provider.
	 * An empty list is reported as an item with no ID. Targets still pass `checkId`.
	 */
	readTargets?(
		item: IDataObject,
		itemIndex: number,
		read: ParameterReader,
	): Omit<Target, 'items'>[];
	/** Why an ID can never be sent to this provider, or undefined if it is acceptable. */
	checkId(id: string): string | undefined;
	/** Read and validate the provider's parameters for one item (throws a message naming the
	 * problem). Items whose parameters differ are deleted in separate requests (see scopes.ts). */
	readParameters(read: ParameterReader, itemIndex: number): P;
	/**
	 * The parameters bound to the credential, for a provider whose parameters choose a host
	 * (Huawei Cloud's region): the host must be one the credential names. Throws why not; the node
	 * then refuses the items of that scope before anything is sent, naming the item.
	 */
	bindCredential?(params: P, credentials: IDataObject): P;
	/** Why no ID of this scope can be sent with this credential (an IAM token is scoped to one
	 * project), or undefined. Those IDs fail before sending; the other scopes run. */
	scopeProblem?(ctx: ProviderContext<P>): string | undefined;
	/** The parameters that say where an ID was deleted (SOLAPI's group), put on every output item. */
	scopeFields?(params: P): IDataObject;
	/** The request that deletes this chunk. Base URL included; auth is added by the credential. */
	buildRequest(
		chunk: Pick<Target, 'id' | 'fields'>[],
		ctx: ProviderContext<P>,
	): IHttpRequestOptions;
	/** Read one answer into per-ID outcomes or a batch verdict. Pure. */
	readResponse(
		chunk: Pick<Target, 'id' | 'fields'>[],
		result: HttpResult & { kind: 'response' },
		ctx?: ProviderContext<P>,
	): BatchVerdict;
	/** The provider's list API, for Select = By Filter (see `ProviderList`); absent when it has none. */
	list?: ProviderList<P, unknown>;
	/** Another documented way to delete, used for the rest of a run once an answer says
	 * `useFallback` (Huawei: one template per request when the batch path is not served). */
	fallback?: FallbackRequests<P>;
}

/** A provider's second request form: the same pure functions, with their own batch limit. */
export interface FallbackRequests<P> {
	maxBatchSize: number;
	/** Said once, as an execution hint, when a run switches to this form. */
	notice: string;
	buildRequest(
		chunk: Pick<Target, 'id' | 'fields'>[],
		ctx: ProviderContext<P>,
	): IHttpRequestOptions;
	/** May not answer `useFallback` (there is no third form): the engine would stop the run. */
	readResponse(
		chunk: Pick<Target, 'id' | 'fields'>[],
		result: HttpResult & { kind: 'response' },
		ctx?: ProviderContext<P>,
	): BatchVerdict;
}

/** One item a provider's list endpoint returned. */
export interface ListedItem {
	id: string;
	/** Carried onto the output item (title, time, type…), so downstream nodes can log what was removed. */
	fields: IDataObject;
	/** Creation or sent time, for Older Than; absent when the provider gave none it can read. */
	time?: Date;
	/** What `matches` reads beyond `fields` (a message's plain text, the space it belongs to…);
	 * not carried onto the output. */
	checkOn?: IDataObject;
}

/** The time bounds of one By Filter run, the same for every list request of the run. */
export interface ListWindow {
	/** Older Than's cutoff; undefined: any age. */
	olderThan?: Date;
	/** When the run started. A provider whose list takes an upper time bound sends Older Than's
	 * cutoff, or this when there is none, and checks it again in `matches`. */
	startedAt: Date;
}

/** Where a list request starts. The engine computes it (see engine/listing.ts). */
export interface ListPosition {
	/** 0-based index of the first item wanted (offset and page endpoints). */
	offset: number;
	/** 1-based page number, `offset / pageSize + 1` (page endpoints). */
	page: number;
	pageSize: number;
	/** The previous page's `next` (cursor endpoints); undefined for the first page. */
	cursor?: string;
}

/** A provider's reading of one list answer: a page, or the same verdicts a delete answer can give. */
export type ListVerdict =
	| {
			kind: 'page';
			items: ListedItem[];
			/** Cursor endpoints: where the next page starts; absent on the last page. */
			next?: string;
			/** How many items the (server-filtered) list holds now, when the provider says. */
			total?: number;
	  }
	| Exclude<BatchVerdict, { kind: 'outcomes' } | { kind: 'useFallback' }>;

/**
 * A provider's list API, pure like `buildRequest`/`readResponse`: the engine pages, filters,
 * hands each page's matches to the delete engine, and sends every list request through the same
 * transport (retries, token refresh, secret masking).
 */
export interface ProviderList<P, F> {
	/** `offset`: items from an index; `page`: numbered pages; `cursor`: the answer says where to go on. */
	paging: 'offset' | 'page' | 'cursor';
	pageSize: number;
	/** The filter parameters, shown for this provider when Select is By Filter. */
	properties: INodeProperties[];
	/** Read and validate the filters (throws a message naming the problem). */
	readFilters(read: ParameterReader, itemIndex: number): F;
	/** The request for one page. `window`: the run's time bounds, for endpoints that can narrow by time. */
	buildListRequest(
		position: ListPosition,
		ctx: ProviderContext<P>,
		filters: F,
		window: ListWindow,
	): IHttpRequestOptions;
	readListResponse(
		result: HttpResult & { kind: 'response' },
		ctx: ProviderContext<P>,
		filters: F,
	): ListVerdict;
	/**
	 * Whether a listed item passes the provider's filters, checked on every listed item before it
	 * can be deleted. The contract: every filter `buildListRequest` sends (query parameter, or a
	 * scope in the path that listed items name) is checked again here, or by the engine's Older
	 * Than check, so a server that ignored it can never make the node delete what was not asked
	 * for. Where the server's own filter may be looser than this check (a fuzzy text search), the
	 * check keeps the item. `test/integration/byFilter.test.ts` holds every registered list
	 * provider to this against a mock that ignores every filter.
	 */
	matches(item: ListedItem, filters: F, ctx: ProviderContext<P>, window: ListWindow): boolean;
}
