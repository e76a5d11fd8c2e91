/** The shapes the n8n host modules hand to tests, benchmarks and scripts. */

export type HostLine = '1' | '2';

/** One installed n8n, and how to run it. */
export interface Host {
	/** n8n version, e.g. '1.123.50' */
	version: string;
	line: HostLine;
	/** install folder (holds node_modules/n8n) */
	dir: string;
	/** the node binary n8n must run with */
	nodeBin: string;
	/** n8n's bin script (run it as `nodeBin n8nBin ...`) */
	n8nBin: string;
	/** full environment for every n8n command, without the per-folder N8N_USER_FOLDER */
	env: Record<string, string>;
}

/** An N8N_USER_FOLDER (n8n keeps its data in `${dir}/.n8n`). */
export interface UserFolder {
	host: Host;
	dir: string;
	/** `${dir}/.n8n` */
	n8nDir: string;
	/** the sqlite database file */
	dbFile: string;
	/** where the community package was extracted, if any */
	packageDir: string | null;
	/** host.env + N8N_USER_FOLDER + the caller's extra env */
	env: Record<string, string>;
}

/** How a finished command ended. */
export interface RunResult {
	/** exit code (null if killed by a signal) */
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	/** wall time */
	ms: number;
}

/** A long-running process in its own process group. */
export interface Service {
	pid: number;
	/** what it printed so far */
	logs: () => string;
	/** how it ended, or null while it runs */
	exited: () => { code: number | null; signal: string | null } | null;
	/** the signal to its whole process group */
	kill: (signal: NodeJS.Signals) => void;
	/** SIGTERM to the process group, SIGKILL after 20 s */
	stop: () => Promise<void>;
}

export interface RestResponse {
	status: number;
	body: any;
	headers: Headers;
}

/** `n8n start` on 127.0.0.1. */
export interface N8nServer {
	/** e.g. http://127.0.0.1:41234 */
	baseUrl: string;
	port: number;
	pid: number;
	logs: () => string;
	stop: () => Promise<void>;
	/** JSON request against the REST API, with the owner's session once setupOwner() ran */
	rest: (method: string, urlPath: string, body?: unknown) => Promise<RestResponse>;
	/** creates the instance owner (or logs in) and keeps its session cookie */
	setupOwner: (who?: { email?: string; password?: string }) => Promise<any>;
}

/**
 * An execution as n8n stores it: `{ id, workflowId, data: { resultData: { runData, error?,
 * lastNodeExecuted } }, status, finished, mode, startedAt, stoppedAt }`.
 */
export type Execution = any;

export interface ExecuteResult {
	code: number | null;
	execution: Execution;
	/** execution.data.resultData.error, if the run failed */
	error: any;
	/** where `execution` was read from: n8n's database, or `--rawOutput` when the database had none */
	source: 'db' | 'stdout';
	stdout: string;
	stderr: string;
	ms: number;
}
