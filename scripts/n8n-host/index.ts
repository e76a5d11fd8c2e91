/**
 * Installs and drives a REAL n8n headlessly, for end-to-end tests, benchmarks and the demo.
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
 * One concern per file: install.ts and node24.ts (installs, behind lock.ts), pack.ts, userFolder.ts,
 * importData.ts, n8nCli.ts (one CLI command), execute.ts and db.ts (a run and its stored
 * execution), server.ts (n8n start, REST, workers), processes.ts (children and their cleanup),
 * env.ts. `tsx scripts/n8n-host/cli.ts install [1] [2]` pre-installs the hosts.
 */
export type {
	ExecuteResult,
	Execution,
	Host,
	HostLine,
	N8nServer,
	RunResult,
	Service,
	UserFolder,
} from './types';
export { BATCH_DELETE_TYPE, TEST_ENCRYPTION_KEY } from './env';
export { ensureNode24 } from './node24';
export { ensureHost, HOST_PACKAGES_DIR } from './install';
export { packPackage } from './pack';
export { createUserFolder, removeUserFolder } from './userFolder';
export { importCredentials, importWorkflow } from './importData';
export { runN8n } from './n8nCli';
export { executeWorkflow, outputOf, parseExecutionOutput } from './execute';
export { readExecutionFromDb } from './db';
export { startServer, startWorker } from './server';
export { startProcess } from './processes';
export { freshFetch } from './http';
export { cacheRoot, getFreePort } from './util';

/** Node type of this repository's node once installed as a community package. */
export const NODE_TYPE = 'n8n-nodes-batch-delete.batchDelete';
export const PACKAGE_NAME = 'n8n-nodes-batch-delete';
