import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as n8nHost from '../../scripts/n8n-host';

/**
 * Debian's redis-server and PostgreSQL, started for a test on 127.0.0.1, free ports, data in a
 * temporary folder, and stopped (folder removed) by `stop()`. `.ci/run` installs the packages
 * when they are missing.
 */

type Service = ReturnType<typeof n8nHost.startProcess>;

export interface Started {
	port: number;
	stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A binary on PATH, else in the given folders (Debian's postgresql: /usr/lib/postgresql/<ver>/bin). */
export function findBinary(name: string, extraDirs: string[] = []): string {
	for (const dir of [...(process.env.PATH ?? '').split(':'), ...extraDirs]) {
		if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
	}
	throw new Error(
		`${name} is not installed (Debian: apt-get install redis-server postgresql); .ci/run installs it`,
	);
}

function postgresBinDirs(): string[] {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return [];
	// The newest version first.
	return readdirSync(root)
		.sort((a, b) => Number(b) - Number(a))
		.map((version) => join(root, version, 'bin'));
}

async function waitFor(
	what: string,
	service: Service,
	ready: () => Promise<boolean>,
	timeoutMs = 60000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (service.exited()) throw new Error(`${what} exited:\n${service.logs().slice(-3000)}`);
		if (await ready().catch(() => false)) return;
		if (Date.now() > deadline) {
			await service.stop();
			throw new Error(`${what} did not become ready:\n${service.logs().slice(-3000)}`);
		}
		await sleep(200);
	}
}

/** redis-server without persistence. */
export async function startRedis(): Promise<Started> {
	const bin = findBinary('redis-server', ['/usr/bin', '/usr/sbin']);
	const dir = mkdtempSync(join(tmpdir(), 'bd-redis-'));
	const port = await n8nHost.getFreePort();
	const redis = n8nHost.startProcess(
		bin,
		[
			'--bind',
			'127.0.0.1',
			'--port',
			String(port),
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--protected-mode',
			'yes',
		],
		{ cwd: dir },
	);
	await waitFor('redis-server', redis, async () =>
		redis.logs().includes('Ready to accept connections'),
	);
	return {
		port,
		async stop() {
			await redis.stop();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

export interface Postgres extends Started {
	user: string;
	/** Creates an empty database (one per n8n line). */
	createDatabase(name: string): void;
}

/**
 * A throw-away PostgreSQL cluster (trust authentication on 127.0.0.1 only, fsync off). PostgreSQL
 * refuses to run as root: as root, it runs as the `postgres` user that Debian's package creates.
 */
export async function startPostgres(): Promise<Postgres> {
	const dirs = postgresBinDirs();
	const initdb = findBinary('initdb', dirs);
	const postgres = findBinary('postgres', dirs);
	const psql = findBinary('psql', dirs);
	const asUser: { uid?: number; gid?: number } = {};
	if (process.getuid?.() === 0) {
		try {
			asUser.uid = Number(
				execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString().trim(),
			);
			asUser.gid = Number(
				execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString().trim(),
			);
		} catch {
			throw new Error(
				"PostgreSQL refuses to run as root and there is no `postgres` user (Debian's postgresql package creates it)",
			);
		}
	}
	const root = mkdtempSync(join(tmpdir(), 'bd-pg-'));
	const data = join(root, 'data');
	if (asUser.uid !== undefined) chownSync(root, asUser.uid, asUser.gid!);
	const user = 'n8n';
	const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
	execFileSync(initdb, ['-D', data, '-U', user, '--auth=trust', '--encoding=UTF8', '--no-sync'], {
		...asUser,
		env,
		cwd: root,
		stdio: 'pipe',
	});
	const port = await n8nHost.getFreePort();
	const server = n8nHost.startProcess(
		postgres,
		[
			'-D',
			data,
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-k',
			root,
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=100',
		],
		{ ...asUser, env, cwd: root },
	);
	const run = (sql: string) =>
		execFileSync(
			psql,
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				user,
				'-d',
				'postgres',
				'-v',
				'ON_ERROR_STOP=1',
				'-qAtc',
				sql,
			],
			{ env, stdio: 'pipe' },
		).toString();
	await waitFor('postgres', server, async () => run('SELECT 1').trim() === '1');
	return {
		port,
		user,
		createDatabase: (name) => void run(`CREATE DATABASE "${name}"`),
		async stop() {
			// SIGTERM to postgres is its "smart" shutdown (waits for clients); SIGINT is "fast".
			server.kill('SIGINT');
			await server.stop();
			rmSync(root, { recursive: true, force: true });
		},
	};
}
