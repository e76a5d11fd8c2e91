/**
 * Installs a real n8n on demand into a cache folder outside the clone,
 *   ${N8N_HOST_CACHE:-~/.cache/n8n-nodes-batch-delete}/n8n-<version>/
 * from the committed host packages test/e2e/host/n8n-<line>/ (package.json + package-lock.json).
 * The install holds a lock directory and ends with a marker file, so concurrent callers wait for
 * one another and a half-finished install is redone.
 *
 * Measured on the 2-core machine: a first install takes about 5-6.5 min per line (both lines in
 * parallel ~7 min); 1.6 GB for n8n 1.123.50, 2.7 GB for n8n 2.41.1, 0.2 GB for Node 24.
 * Installs use `npm install` with the committed lock, not `npm ci`: the registry here lacks some
 * optional platform packages (@msgpackr-extract/*-darwin-*), so the lock cannot list them and
 * `npm ci` refuses it as out of sync.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { cleanBaseEnv, n8nQuietEnv, npmEnv } from './env';
import { withLock } from './lock';
import { ensureNode24, MARKER_FILE, NODE24_VERSION, type Node24 } from './node24';
import { mustRun, run } from './processes';
import type { Host, HostLine } from './types';
import { cacheRoot, exists, fmtMs, log, readJsonOrNull, writeJsonAtomic } from './util';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const HOST_PACKAGES_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'host');

/** Bump when the install recipe changes, so cached installs are redone. */
const RECIPE_VERSION = 1;
/** Native modules n8n 2.x needs at start-up, built after the `--ignore-scripts` install. */
const LINE2_NATIVE_MODULES = ['sqlite3', 'isolated-vm'];
const COMMON_NPM_ARGS = ['--no-audit', '--no-fund', '--loglevel=warn'];

/** Headers for node-gyp under the current (system) node, if it has them. */
function systemNodedir(): string | undefined {
	if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
	const prefix = path.dirname(path.dirname(process.execPath));
	return exists(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

interface InstallPlan {
	line: HostLine;
	version: string;
	dir: string;
	n8nBin: string;
	nodeBin: string;
	node24: Node24 | null;
	PATH: string;
	pkgText: string;
	lockText: string | null;
}

/** npm install (line 2: without scripts, then the native modules built for Node 24). */
async function npmInstall(plan: InstallPlan, logFile: string): Promise<void> {
	const { line, version, dir, PATH, node24 } = plan;
	if (line === '1') {
		const nodedir = systemNodedir();
		const env = npmEnv({ PATH, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) });
		await mustRun(
			`installing n8n ${version} (npm install)`,
			'npm',
			['install', ...COMMON_NPM_ARGS],
			{
				cwd: dir,
				env,
				logFile,
				timeoutMs: 45 * 60000,
			},
		);
		return;
	}
	// npm runs under Node 24 (first on PATH) and node-gyp builds against its headers. A plain install
	// fails (the Kafka client's native build downloads things), so install without scripts and build
	// the native modules n8n needs at start-up.
	const env = npmEnv({ PATH, npm_config_nodedir: (node24 as Node24).nodedir });
	await mustRun(
		`installing n8n ${version} (npm install --ignore-scripts)`,
		'npm',
		['install', '--ignore-scripts', ...COMMON_NPM_ARGS],
		{ cwd: dir, env, logFile, timeoutMs: 45 * 60000 },
	);
	log(`  building native modules for Node 24: ${LINE2_NATIVE_MODULES.join(', ')} ...`);
	await mustRun(
		'building native modules',
		'npm',
		['rebuild', ...LINE2_NATIVE_MODULES, ...COMMON_NPM_ARGS],
		{
			cwd: dir,
			env,
			logFile,
			timeoutMs: 30 * 60000,
		},
	);
}

/** n8n starts and its native modules load under the node that will run it. */
async function checkInstall(plan: InstallPlan): Promise<void> {
	const { line, version, dir, nodeBin, n8nBin, PATH } = plan;
	const checkEnv = { ...cleanBaseEnv(process.env), PATH };
	const v = await run(nodeBin, [n8nBin, '--version'], {
		cwd: dir,
		env: checkEnv,
		timeoutMs: 120000,
	});
	if (v.code !== 0 || !v.stdout.includes(version)) {
		throw new Error(`n8n-host: installed n8n does not answer --version:\n${v.stdout}\n${v.stderr}`);
	}
	const mods = line === '2' ? LINE2_NATIVE_MODULES : ['sqlite3'];
	const check = await run(
		nodeBin,
		['-e', mods.map((m) => `require(${JSON.stringify(m)});`).join('')],
		{
			cwd: path.join(dir, 'node_modules', 'n8n'),
			env: checkEnv,
			timeoutMs: 60000,
		},
	);
	if (check.code !== 0) {
		throw new Error(`n8n-host: native modules do not load (${mods.join(', ')}):\n${check.stderr}`);
	}
}

async function install(plan: InstallPlan, fingerprint: string): Promise<void> {
	const { version, dir, pkgText, lockText } = plan;
	const t0 = Date.now();
	log(`installing n8n ${version} into ${dir} (first time only; takes several minutes) ...`);
	const markerPath = path.join(dir, MARKER_FILE);
	fs.rmSync(markerPath, { force: true });
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'install.log');
	fs.writeFileSync(logFile, `install of n8n ${version} started ${new Date().toISOString()}\n`);
	fs.writeFileSync(path.join(dir, 'package.json'), pkgText);
	if (lockText !== null) fs.writeFileSync(path.join(dir, 'package-lock.json'), lockText);
	else fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
	// A clean slate: a half-finished node_modules may hold half-extracted packages.
	if (exists(path.join(dir, 'node_modules'))) {
		log('  removing an unfinished install first ...');
		await fsp.rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
	}
	await npmInstall(plan, logFile);
	await checkInstall(plan);
	writeJsonAtomic(markerPath, {
		version,
		line: plan.line,
		fingerprint,
		nodeBin: plan.nodeBin,
		at: new Date().toISOString(),
		ms: Date.now() - t0,
	});
	log(`n8n ${version} installed in ${fmtMs(Date.now() - t0)}`);
}

async function ensureHostUncached(line: HostLine): Promise<Host> {
	if (line !== '1' && line !== '2')
		throw new Error(`n8n-host: unknown n8n line '${line}' (use '1' or '2')`);
	const srcDir = path.join(HOST_PACKAGES_DIR, `n8n-${line}`);
	const pkgText = fs.readFileSync(path.join(srcDir, 'package.json'), 'utf8');
	const lockPath = path.join(srcDir, 'package-lock.json');
	const lockText = exists(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null;
	const version: string = JSON.parse(pkgText).dependencies.n8n;
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const node24 = line === '2' ? await ensureNode24() : null;
	const nodeBin = node24 ? node24.nodeBin : process.execPath;
	const basePath = cleanBaseEnv(process.env).PATH || '/usr/local/bin:/usr/bin:/bin';
	const PATH = `${node24 ? node24.binDir : path.dirname(nodeBin)}${path.delimiter}${basePath}`;
	const plan: InstallPlan = {
		line,
		version,
		dir,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		nodeBin,
		node24,
		PATH,
		pkgText,
		lockText,
	};
	const fingerprint = crypto
		.createHash('sha256')
		.update(
			JSON.stringify({
				RECIPE_VERSION,
				pkgText,
				lockText,
				node: node24 ? NODE24_VERSION : process.versions.modules,
			}),
		)
		.digest('hex');
	const isDone = () =>
		readJsonOrNull(path.join(dir, MARKER_FILE))?.fingerprint === fingerprint && exists(plan.n8nBin);
	if (!isDone()) {
		await withLock(`${dir}.lock`, `installing n8n ${version}`, async () => {
			if (!isDone()) await install(plan, fingerprint);
		});
	}
	return {
		version,
		line,
		dir,
		nodeBin,
		n8nBin: plan.n8nBin,
		env: {
			...cleanBaseEnv(process.env),
			PATH,
			...n8nQuietEnv(),
			// 2.x: the MCP server registry module fetches a catalogue from n8n's API on start-up
			// (1.x rejects unknown module names here, so only on 2.x)
			...(line === '2' ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		},
	};
}

const hostPromises = new Map<string, Promise<Host>>();

/**
 * Makes sure n8n for the given line is installed in the cache and returns how to run it:
 * '1' is n8n 1.123.50 on this Node, '2' is n8n 2.41.1 on Node 24. Safe to call from several
 * processes at once; cheap once installed.
 */
export function ensureHost(line: HostLine | 1 | 2): Promise<Host> {
	const key = `${String(line)}@${cacheRoot()}`;
	let p = hostPromises.get(key);
	if (!p) {
		p = ensureHostUncached(String(line) as HostLine);
		hostPromises.set(key, p);
		p.catch(() => hostPromises.delete(key));
	}
	return p;
}
