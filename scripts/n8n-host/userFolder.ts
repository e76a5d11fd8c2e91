/**
 * N8N_USER_FOLDERs: a fresh one per test, starting from a copy of an already-migrated database,
 * with the packed community package installed into `.n8n/nodes/node_modules/<name>/` the way a
 * user installs one by hand.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { TEST_ENCRYPTION_KEY } from './env';
import { withLock } from './lock';
import { mustRunN8n } from './n8nCli';
import { run } from './processes';
import type { Host, UserFolder } from './types';
import { exists, log, readJsonOrNull } from './util';

const templatePromises = new Map<string, Promise<string>>();

/**
 * A user folder whose sqlite database has all migrations run (once per installed n8n, kept in the
 * cache beside it); copying it saves the 5-15 s the first n8n command on a fresh folder spends
 * migrating. Returns the template's `.n8n` folder.
 */
function ensureTemplateUserFolder(host: Host): Promise<string> {
	let p = templatePromises.get(host.dir);
	if (!p) {
		p = (async () => {
			const dir = path.join(host.dir, 'template-user-folder');
			const n8nDir = path.join(dir, '.n8n');
			const marker = path.join(dir, '.ready');
			if (exists(marker)) return n8nDir;
			await withLock(`${dir}.lock`, 'preparing a migrated n8n database', async () => {
				if (exists(marker)) return;
				log(`preparing a migrated database for n8n ${host.version} ...`);
				await fsp.rm(dir, { recursive: true, force: true });
				await fsp.mkdir(path.join(n8nDir, 'nodes', 'node_modules'), { recursive: true });
				const folder: UserFolder = {
					host,
					dir,
					n8nDir,
					dbFile: path.join(n8nDir, 'database.sqlite'),
					packageDir: null,
					env: { ...host.env, N8N_USER_FOLDER: dir },
				};
				await mustRunN8n(folder, 'migrating a template database (n8n list:workflow)', [
					'list:workflow',
				]);
				if (!exists(folder.dbFile)) throw new Error(`n8n-host: no database at ${folder.dbFile}`);
				fs.writeFileSync(marker, new Date().toISOString());
			});
			return n8nDir;
		})();
		templatePromises.set(host.dir, p);
		p.catch(() => templatePromises.delete(host.dir));
	}
	return p;
}

/** Extracts the tarball into `.n8n/nodes/node_modules/<name>/`; returns that folder. */
async function installTarball(dir: string, nodesDir: string, tarball: string): Promise<string> {
	const staging = await fsp.mkdtemp(path.join(dir, '.unpack-'));
	const res = await run('tar', ['-xzf', tarball, '-C', staging], { timeoutMs: 60000 });
	if (res.code !== 0) throw new Error(`n8n-host: cannot extract ${tarball}: ${res.stderr}`);
	const root = path.join(staging, 'package');
	const pkg = readJsonOrNull(path.join(root, 'package.json'));
	if (!pkg?.name) throw new Error(`n8n-host: ${tarball} has no package/package.json`);
	const packageDir = path.join(nodesDir, 'node_modules', ...String(pkg.name).split('/'));
	await fsp.mkdir(path.dirname(packageDir), { recursive: true });
	await fsp.rename(root, packageDir);
	await fsp.rm(staging, { recursive: true, force: true });
	// what `npm install <pkg>` in ~/.n8n/nodes would leave behind
	const nodesPkg = {
		name: 'installed-nodes',
		private: true,
		dependencies: { [pkg.name]: pkg.version },
	};
	await fsp.writeFile(
		path.join(nodesDir, 'package.json'),
		JSON.stringify(nodesPkg, null, 2) + '\n',
	);
	return packageDir;
}

/**
 * A fresh N8N_USER_FOLDER in a temp dir.
 * - tarball: a packed community package to install into it
 * - env: extra environment for every n8n command on this folder (e.g. N8N_RUNNERS_ENABLED)
 * - fresh: start with an empty database (n8n migrates it on the first command) instead of a copy
 *   of the cached, already-migrated one
 */
export async function createUserFolder(
	host: Host,
	opts: { tarball?: string; env?: Record<string, string>; dir?: string; fresh?: boolean } = {},
): Promise<UserFolder> {
	const dir = opts.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), `n8n-e2e-${host.line}-`)));
	const n8nDir = path.join(dir, '.n8n');
	const nodesDir = path.join(n8nDir, 'nodes');
	await fsp.mkdir(path.join(nodesDir, 'node_modules'), { recursive: true });
	const key = opts.env?.N8N_ENCRYPTION_KEY ?? host.env.N8N_ENCRYPTION_KEY;
	if (!opts.fresh && key === TEST_ENCRYPTION_KEY && !exists(path.join(n8nDir, 'database.sqlite'))) {
		const template = await ensureTemplateUserFolder(host);
		for (const f of await fsp.readdir(template)) {
			// the db and its write-ahead log (2.x leaves one); SQLite rebuilds the -shm index
			if (f === 'config' || f === 'database.sqlite' || f === 'database.sqlite-wal') {
				await fsp.copyFile(path.join(template, f), path.join(n8nDir, f));
			}
		}
	}
	const packageDir = opts.tarball ? await installTarball(dir, nodesDir, opts.tarball) : null;
	return {
		host,
		dir,
		n8nDir,
		dbFile: path.join(n8nDir, 'database.sqlite'),
		packageDir,
		env: { ...host.env, N8N_USER_FOLDER: dir, ...(opts.env ?? {}) },
	};
}

/** Deletes a user folder (stop its server first). */
export async function removeUserFolder(folder: UserFolder): Promise<void> {
	await fsp.rm(folder.dir, { recursive: true, force: true });
}
