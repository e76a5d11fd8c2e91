/** One n8n CLI command against a user folder. */
import type { RunResult, UserFolder } from './types';
import { run } from './processes';
import { getFreePort } from './util';

export async function runN8n(
	folder: UserFolder,
	args: string[],
	opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
	const env = { ...folder.env, ...(opts.env ?? {}) };
	if (folder.host.line === '2' || env.N8N_RUNNERS_ENABLED === 'true') {
		// every concurrent process with task runners needs its own broker port
		if (!opts.env?.N8N_RUNNERS_BROKER_PORT)
			env.N8N_RUNNERS_BROKER_PORT = String(await getFreePort());
	}
	return run(folder.host.nodeBin, [folder.host.n8nBin, ...args], {
		cwd: folder.dir,
		env,
		timeoutMs: opts.timeoutMs ?? 5 * 60000,
	});
}

/** runN8n that throws with n8n's output when the command fails. */
export async function mustRunN8n(
	folder: UserFolder,
	what: string,
	args: string[],
): Promise<RunResult> {
	const res = await runN8n(folder, args);
	if (res.code !== 0) {
		throw new Error(
			`n8n-host: ${what} failed (exit ${res.code ?? res.signal}):\n${res.stdout}\n${res.stderr}`,
		);
	}
	return res;
}
