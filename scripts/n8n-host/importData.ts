/** Credentials and workflows into a user folder, through n8n's own import commands. */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { mustRunN8n } from './n8nCli';
import type { RunResult, UserFolder } from './types';

/** Writes `value` as JSON into the folder, runs `n8n <command> --input=<file>`, removes the file. */
async function importJson(folder: UserFolder, command: string, value: unknown): Promise<RunResult> {
	const file = path.join(
		folder.dir,
		`${command.replace(':', '-')}-${crypto.randomBytes(4).toString('hex')}.json`,
	);
	await fsp.writeFile(file, JSON.stringify(value, null, 2));
	try {
		return await mustRunN8n(folder, command, [command, `--input=${file}`]);
	} finally {
		await fsp.rm(file, { force: true });
	}
}

/** Imports credentials (plain `data`; n8n encrypts them on import with the test key). */
export function importCredentials(
	folder: UserFolder,
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>,
): Promise<RunResult> {
	return importJson(
		folder,
		'import:credentials',
		credentials.map((c) => ({ ...c })),
	);
}

/** Imports one workflow (or an array). Each needs a fixed `id` to be executed by. */
export function importWorkflow(folder: UserFolder, workflow: any): Promise<RunResult> {
	const list = (Array.isArray(workflow) ? workflow : [workflow]).map((w) => ({
		active: false,
		settings: {},
		pinData: {},
		...w,
	}));
	for (const w of list)
		if (!w.id) throw new Error('n8n-host: importWorkflow needs a fixed workflow id');
	return importJson(folder, 'import:workflow', list);
}
