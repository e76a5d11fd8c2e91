/**
 * The provider mocks in a process of their own, so the time a mock spends parsing and answering is
 * not counted as the node's (a provider's servers do not run inside n8n). The benchmark talks to it
 * over IPC: start a provider's mock (the reliability adapters), seed IDs, set a latency, read the
 * request counts, and get the node parameters and credentials that point at it (bench/memory.ts).
 *
 * Started by `MockProcess.start()` (bench/lib.ts); not meant to be run by hand.
 */
import '../test/support/resolveTsFirst';
import '../test/setup/env';

import type { INodeParameters } from 'n8n-workflow';

import type { ProviderEnv } from '../test/reliability/providers';
import { ADAPTERS, HUAWEI_PROJECT, SOLAPI_GROUP } from '../test/reliability/providers';

export type MockCommand =
	| { cmd: 'start'; provider: string }
	| { cmd: 'seed'; key: number; count: number }
	/** Make the mock hold these IDs (the four batching providers). */
	| { cmd: 'hold'; key: number; ids: string[] }
	| { cmd: 'config'; key: number; options: INodeParameters }
	| { cmd: 'latency'; key: number; ms: number }
	| { cmd: 'counts'; key: number };

export interface MockCounts {
	/** Delete requests answered. */
	deletes: number;
	/** Everything else: logins and token fetches. */
	other: number;
}

const envs = new Map<number, ProviderEnv>();
let nextKey = 0;

async function handle(message: MockCommand): Promise<unknown> {
	if (message.cmd === 'start') {
		const adapter = ADAPTERS.find((a) => a.id === message.provider);
		if (adapter === undefined) throw new Error(`no mock for ${message.provider}`);
		const env = await adapter.start();
		const key = nextKey++;
		envs.set(key, env);
		return {
			key,
			baseUrl: env.mock.baseUrl,
			idField: env.idField,
			deletePath: env.deletePath.source,
		};
	}
	const env = envs.get(message.key);
	if (env === undefined) throw new Error(`no mock ${message.key}`);
	switch (message.cmd) {
		case 'seed':
			return env.seed(message.count);
		case 'hold': {
			const mock = env.mock as unknown as {
				add?: (...ids: string[]) => void;
				addGroup?: (group: string, ...ids: string[]) => void;
				addTemplates?: (project: string, ...ids: string[]) => void;
			};
			// In slices: a million arguments overflow the stack.
			for (let i = 0; i < message.ids.length; i += 10_000) {
				const slice = message.ids.slice(i, i + 10_000);
				if (env.provider === 'solapi') mock.addGroup!(SOLAPI_GROUP, ...slice);
				else if (env.provider === 'huaweiCloudSms') mock.addTemplates!(HUAWEI_PROJECT, ...slice);
				else if (env.provider === 'avayaSpaces' || env.provider === 'quectel') mock.add!(...slice);
				else throw new Error(`hold is not for ${env.provider}`);
			}
			return null;
		}
		case 'config':
			// Credentials first: the adapter sets the authentication parameter from them.
			return { credentials: env.credentials(), parameters: env.parameters(message.options) };
		case 'latency':
			env.mock.latencyMs = message.ms;
			return null;
		case 'counts': {
			const deletes = env.mock.requestsTo(env.deletePath).length;
			const counts: MockCounts = {
				deletes,
				other: env.mock.requests.length - deletes,
			};
			// Counted, then dropped: a long run need not keep every request it made.
			env.mock.requests.length = 0;
			return counts;
		}
	}
}

process.on('message', (message: { id: number; command: MockCommand }) => {
	handle(message.command).then(
		(result) => process.send!({ id: message.id, result }),
		(error: Error) => process.send!({ id: message.id, error: error.message }),
	);
});
// The parent going away ends this process.
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
