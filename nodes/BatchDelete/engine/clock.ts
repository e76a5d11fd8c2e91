import { sleep } from 'n8n-workflow';

import type { Clock } from './run';

/**
 * Wall-clock time and n8n's `sleep`, ended early when the execution is cancelled, so a run waiting
 * out a Retry-After stops promptly. (`sleepWithAbort` exists in n8n-workflow 1.x but not in 2.x,
 * which the end-to-end tier found; `sleep` exists in both.)
 */
export function executionClock(signal: AbortSignal | undefined): Clock {
	return {
		now: () => Date.now(),
		sleep: async (ms) => {
			if (signal?.aborted === true) return;
			await new Promise<void>((resolve) => {
				const done = () => {
					signal?.removeEventListener('abort', done);
					resolve();
				};
				signal?.addEventListener('abort', done, { once: true });
				void sleep(ms).then(done);
			});
		},
	};
}
