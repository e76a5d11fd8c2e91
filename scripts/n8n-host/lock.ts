/**
 * Cross-process lock: an exclusive directory holding the owner's pid. Stale locks (dead owner, or
 * older than an hour) are taken over, so a killed install never blocks the next one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { log, pidAlive, readJsonOrNull, sleep, writeJsonAtomic } from './util';

const LOCK_STALE_MS = 60 * 60 * 1000;
const LOCK_WAIT_MS = 60 * 60 * 1000;

function isStale(
	lockDir: string,
	owner: { pid: number; host: string; since: number } | null,
): boolean {
	if (owner) {
		return (
			(owner.host === os.hostname() && !pidAlive(owner.pid)) ||
			Date.now() - owner.since > LOCK_STALE_MS
		);
	}
	// owner file not written yet (or lost): judge by the directory's age
	try {
		return Date.now() - fs.statSync(lockDir).mtimeMs > 30000;
	} catch {
		return false; // lock vanished: retry at once
	}
}

export async function withLock<T>(lockDir: string, what: string, fn: () => Promise<T>): Promise<T> {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	const ownerFile = path.join(lockDir, 'owner.json');
	const startedWaiting = Date.now();
	let lastNotice = 0;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			writeJsonAtomic(ownerFile, { pid: process.pid, host: os.hostname(), since: Date.now() });
			break;
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
		}
		const owner = readJsonOrNull(ownerFile);
		if (isStale(lockDir, owner)) {
			log(`taking over stale lock ${lockDir}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() - startedWaiting > LOCK_WAIT_MS) {
			throw new Error(`n8n-host: gave up waiting for lock ${lockDir} (${what})`);
		}
		if (Date.now() - lastNotice > 60000) {
			lastNotice = Date.now();
			log(`waiting for another process (pid ${owner?.pid ?? '?'}) that is ${what} ...`);
		}
		await sleep(1000);
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}
