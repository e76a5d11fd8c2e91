/**
 * Teardown of the n8n-core singletons that hold the event loop open.
 *
 * Building any node execution context instantiates n8n-core's `SSHClientsManager` (the SSH
 * tunnel helpers are part of every context's helpers), which starts a 60 s cleanup
 * `setInterval`; n8n only clears it on shutdown. Jest loads modules afresh for each test file,
 * so each file gets its own DI container and its own manager: importing the harness registers
 * an `afterAll` for the file, and `shutdownHarness()` stays exported for other runners.
 */
import { Container } from '@n8n/di';
// Not re-exported from n8n-core's index; the package has no "exports" map, so a deep import works.
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

export function shutdownHarness(): void {
	Container.get(SSHClientsManager).onShutdown();
}

const { afterAll } = globalThis as { afterAll?: (fn: () => void) => void };
if (typeof afterAll === 'function') afterAll(shutdownHarness);
