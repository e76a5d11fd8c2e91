/**
 * Child processes: one-shot commands (`run`, `mustRun`) and long-running ones (`startProcess`).
 * Each child gets its own process group, so a timeout or stop() takes n8n's task-runner children
 * along, and every child still running is killed when the caller exits.
 */
import childProcess, { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

import type { RunResult, Service } from './types';
import { log } from './util';

const liveChildren = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* gone */
		}
	}
}

// Never leave n8n (or npm) processes behind when the caller exits.
process.on('exit', () => {
	for (const child of liveChildren) killGroup(child, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as NodeJS.Signals[]) {
	const onSignal = () => {
		for (const child of liveChildren) killGroup(child, 'SIGKILL');
		if (process.listenerCount(sig) === 1) {
			// nobody else handles it: behave as if we had not listened (default: terminate)
			process.removeListener(sig, onSignal);
			process.kill(process.pid, sig);
		}
	};
	process.on(sig, onSignal);
}

export interface RunOptions {
	cwd?: string;
	env?: Record<string, string>;
	timeoutMs?: number;
	/** appends everything the command prints to this file */
	logFile?: string;
	/** copies everything the command prints to this process's stderr */
	echo?: boolean;
}

/** Runs a command; resolves with its outcome (never rejects on a non-zero exit). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = childProcess.spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		liveChildren.add(child);
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		const logStream = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
		const keep = (into: Buffer[]) => (d: Buffer) => {
			into.push(d);
			logStream?.write(d);
			if (opts.echo) process.stderr.write(d);
		};
		child.stdout.on('data', keep(out));
		child.stderr.on('data', keep(err));
		let timer: NodeJS.Timeout | undefined;
		let timedOut = false;
		if (opts.timeoutMs) {
			timer = setTimeout(() => {
				timedOut = true;
				killGroup(child, 'SIGKILL');
			}, opts.timeoutMs);
		}
		child.on('error', (e) => {
			liveChildren.delete(child);
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code, signal) => {
			liveChildren.delete(child);
			clearTimeout(timer);
			logStream?.end();
			const stderr = Buffer.concat(err).toString('utf8');
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: timedOut ? `${stderr}\n[n8n-host] killed after ${opts.timeoutMs} ms` : stderr,
				ms: Date.now() - started,
			});
		});
	});
}

/** Runs a command, logging it to opts.logFile; throws with the log's tail if it fails. */
export async function mustRun(
	what: string,
	cmd: string,
	args: string[],
	opts: RunOptions & { logFile: string },
): Promise<RunResult> {
	fs.appendFileSync(opts.logFile, `\n$ ${cmd} ${args.join(' ')}   (cwd ${opts.cwd})\n`);
	const heartbeat = setInterval(() => log(`  ... still ${what}`), 60000);
	heartbeat.unref();
	let res: RunResult;
	try {
		res = await run(cmd, args, opts);
	} finally {
		clearInterval(heartbeat);
	}
	if (res.code !== 0) {
		const tail = `${res.stdout}\n${res.stderr}`.trim().split('\n').slice(-40).join('\n');
		throw new Error(
			`n8n-host: ${what} failed (exit ${res.code ?? res.signal}); full log: ${opts.logFile}\n${tail}`,
		);
	}
	return res;
}

/**
 * Starts a long-running process (n8n start, n8n worker, Redis, PostgreSQL). `uid`/`gid` run it
 * as another user (PostgreSQL refuses root).
 */
export function startProcess(
	cmd: string,
	args: string[],
	opts: { cwd?: string; env?: Record<string, string>; uid?: number; gid?: number } = {},
): Service {
	const child = childProcess.spawn(cmd, args, {
		cwd: opts.cwd,
		env: opts.env,
		uid: opts.uid,
		gid: opts.gid,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	liveChildren.add(child);
	let output = '';
	const keep = (d: Buffer) => {
		output += d.toString('utf8');
		if (output.length > 2_000_000) output = output.slice(-1_000_000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	let ended: { code: number | null; signal: string | null } | null = null;
	const exitPromise = new Promise<void>((resolve) => {
		const finish = (code: number | null, signal: string | null) => {
			ended = { code, signal };
			liveChildren.delete(child);
			resolve();
		};
		child.on('close', finish);
		child.on('error', (e) => {
			output += `\n[n8n-host] ${e.message}\n`;
			finish(null, null);
		});
	});
	return {
		pid: child.pid as number,
		logs: () => output,
		exited: () => ended,
		kill: (signal) => killGroup(child, signal),
		stop: async () => {
			if (ended) return;
			killGroup(child, 'SIGTERM');
			const t = setTimeout(() => killGroup(child, 'SIGKILL'), 20000);
			await exitPromise;
			clearTimeout(t);
		},
	};
}
