/**
 * `n8n execute --id=<workflow> --rawOutput`, and the execution it stored.
 *
 * The execution is read from n8n's database: `--rawOutput` prints the run as
 * JSON.stringify(run, null, 2) through n8n's logger, and on large runs that stdout can end short
 * while n8n still exits 0. The printed JSON is used only when the database holds no execution of
 * this run; when neither is readable, executeWorkflow throws. Do not use `execute --file` (it exits
 * 0 and runs nothing). NODE_ENV=test (set by jest) makes n8n refuse to load nodes, so the
 * environment drops it (see env.ts).
 */
import { readExecutionFromDb } from './db';
import { runN8n } from './n8nCli';
import type { ExecuteResult, Execution, UserFolder } from './types';

/** An execution started this long before the command counts as this run's (clock granularity). */
const START_SLACK_MS = 5000;

/**
 * The execution JSON `n8n execute --rawOutput` printed: one log message, so it starts with a line
 * that is exactly `{` and ends with the next line that is exactly `}`, with log lines (2.x: task
 * broker, python runner warning, license SDK) before and after. The last block that parses wins.
 */
export function parseExecutionOutput(stdout: string): Execution | null {
	const lines = stdout.split(/\r?\n/);
	let found: Execution | null = null;
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}') continue;
			try {
				const obj = JSON.parse(lines.slice(i, j + 1).join('\n'));
				if (obj?.data?.resultData) {
					found = obj;
					i = j;
				}
			} catch {
				/* not it */
			}
			break;
		}
	}
	return found;
}

function tail(text: string, chars = 3000): string {
	return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/**
 * Runs a workflow by id and returns its execution. A failed execution is returned (code !== 0,
 * `error` set), not thrown; a run whose execution can be read neither from the database nor from
 * stdout throws.
 */
export async function executeWorkflow(
	folder: UserFolder,
	workflowId: string,
	opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ExecuteResult> {
	const runStarted = Date.now();
	const res = await runN8n(folder, ['execute', `--id=${workflowId}`, '--rawOutput'], {
		env: { N8N_LOG_LEVEL: 'info', N8N_LOG_FORMAT: 'text', ...(opts.env ?? {}) },
		timeoutMs: opts.timeoutMs,
	});
	let dbProblem = '';
	let execution: Execution | null = null;
	try {
		execution = await readExecutionFromDb(folder, { workflowId });
		const startedAt = execution?.startedAt ? Date.parse(execution.startedAt) : NaN;
		if (execution && !(startedAt >= runStarted - START_SLACK_MS)) {
			dbProblem = `the latest stored execution of ${workflowId} (${execution.id}) is older than this run`;
			execution = null;
		} else if (!execution) {
			dbProblem = `no stored execution of ${workflowId}`;
		}
	} catch (e) {
		dbProblem = (e as Error).message;
	}
	let source: ExecuteResult['source'] = 'db';
	if (!execution) {
		execution = parseExecutionOutput(res.stdout);
		source = 'stdout';
	}
	if (!execution) {
		throw new Error(
			`n8n-host: no execution of workflow ${workflowId} could be read (n8n execute exit ${res.code ?? res.signal}, ${res.ms} ms): ` +
				`database: ${dbProblem}; stdout: no complete execution JSON (${res.stdout.length} characters)\n` +
				`--- stderr\n${tail(res.stderr)}\n--- stdout\n${tail(res.stdout)}`,
		);
	}
	return {
		code: res.code,
		execution,
		error: execution?.data?.resultData?.error,
		source,
		stdout: res.stdout,
		stderr: res.stderr,
		ms: res.ms,
	};
}

/** Items a node sent to one of its outputs: runData[node][runIndex].data.main[output]. */
export function outputOf(
	execution: Execution,
	nodeName: string,
	output = 0,
	runIndex = 0,
): any[] | undefined {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs || !runs[runIndex]) return undefined;
	return runs[runIndex].data?.main?.[output] ?? [];
}
