/** `npm pack` of the built package: what the tests install into n8n is what users install. */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { npmEnv } from './env';
import { REPO_ROOT } from './install';
import { run } from './processes';
import { exists, readJsonOrNull } from './util';

/** Packs the (already built) package at repoDir into a fresh temp dir; returns the tarball's path. */
export async function packPackage(repoDir: string = REPO_ROOT): Promise<string> {
	const pkg = readJsonOrNull(path.join(repoDir, 'package.json'));
	if (!pkg) throw new Error(`n8n-host: no package.json in ${repoDir}`);
	const declared: string[] = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = declared.filter((f) => !exists(path.join(repoDir, f)));
	if (missing.length) {
		throw new Error(
			`n8n-host: ${pkg.name} is not built (missing ${missing.join(', ')}): run \`npm run build\` first`,
		);
	}
	const dest = await fsp.mkdtemp(path.join(os.tmpdir(), 'n8n-host-pack-'));
	// --workspaces=false: pack the package itself, not the private test/ and bench/ workspaces
	const res = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--workspaces=false', '--pack-destination', dest],
		{ cwd: repoDir, env: npmEnv(), timeoutMs: 120000 },
	);
	if (res.code !== 0) throw new Error(`n8n-host: npm pack failed:\n${res.stderr}`);
	const info = JSON.parse(res.stdout.slice(res.stdout.indexOf('[')));
	return path.join(dest, info[0].filename);
}
