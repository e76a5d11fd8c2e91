// n8n-core reads these when it loads; without them it writes settings into the home folder.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

if (process.env.N8N_USER_FOLDER === undefined) {
	const folder = mkdtempSync(join(process.env.BD_TEST_TMP ?? tmpdir(), 'bd-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	// One folder per test file; removed when the worker exits so test runs leave nothing behind.
	process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
}
process.env.N8N_ENCRYPTION_KEY ??= 'batch-delete-test-encryption-key';
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
