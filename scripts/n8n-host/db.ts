/**
 * Executions read back from a user folder's sqlite database, with n8n's own sqlite3 and flatted
 * modules run by the host's node (so the native module matches it).
 */
import path from 'node:path';

import { cleanBaseEnv } from './env';
import { run } from './processes';
import type { Execution, UserFolder } from './types';

const READ_EXECUTION = `
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

/**
 * The latest execution of sel.workflowId, or the execution sel.executionId; null when there is
 * none. Throws when the database cannot be read.
 */
export async function readExecutionFromDb(
	folder: UserFolder,
	sel: { workflowId?: string; executionId?: string },
): Promise<Execution | null> {
	const res = await run(
		folder.host.nodeBin,
		['-e', READ_EXECUTION, folder.dbFile, sel.workflowId ?? '', sel.executionId ?? ''],
		{
			cwd: path.join(folder.host.dir, 'node_modules', 'n8n'),
			env: { ...cleanBaseEnv(process.env), PATH: folder.host.env.PATH },
			timeoutMs: 60000,
		},
	);
	if (res.code !== 0)
		throw new Error(`n8n-host: reading the execution from sqlite failed: ${res.stderr}`);
	return JSON.parse(res.stdout);
}
