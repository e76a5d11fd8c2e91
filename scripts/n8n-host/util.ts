/** Small file, time and network helpers shared by the n8n host modules. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freshFetch } from './http';

export function log(msg: string): void {
	process.stderr.write(`[n8n-host] ${msg}\n`);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export function exists(file: string): boolean {
	try {
		fs.accessSync(file);
		return true;
	} catch {
		return false;
	}
}

export function readJsonOrNull(file: string): any {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
	fs.renameSync(tmp, file);
}

export function fmtMs(ms: number): string {
	return ms >= 60000
		? `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s`
		: `${(ms / 1000).toFixed(1)}s`;
}

/** Where n8n installs live: outside the clone, shared by every worktree. */
export function cacheRoot(): string {
	return path.resolve(
		process.env.N8N_HOST_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-batch-delete'),
	);
}

export function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function getFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => resolve(port));
		});
	});
}

/** A GET on its own connection (see http.ts: no idle socket n8n could close under it). */
export async function httpGet(
	url: string,
	timeoutMs: number,
): Promise<{ status: number; body: string }> {
	const res = await freshFetch(url, { timeoutMs });
	return { status: res.status, body: await res.text() };
}
