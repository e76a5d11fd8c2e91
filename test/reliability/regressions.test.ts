import type { HttpResponse } from '../../nodes/BatchDelete/providers/common';
import { avayaSpaces } from '../../nodes/BatchDelete/providers/avayaSpaces';
import { huaweiCloudSms } from '../../nodes/BatchDelete/providers/huaweiCloudSms';
import type { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import type { BatchDeleteRun } from '../support/runBatchDelete';
import { providerById } from '../../nodes/BatchDelete/providers';
import { ADAPTERS, byKey, checkInvariant, huawei, runOn, solapi } from './providers';

/**
 * What the property tests and the fault matrix found, pinned as plain tests (each names the
 * shrunk counterexample it came from), so a regression fails here with a readable name.
 */

const answer = (body: unknown): HttpResponse => ({
	kind: 'response',
	statusCode: 200,
	headers: {},
	body,
	rawBody: JSON.stringify(body),
});
const statusIn = (verdict: ReturnType<typeof huaweiCloudSms.readResponse>, id: string) =>
	verdict.kind === 'outcomes' ? verdict.outcomes.get(id)?.status : verdict.kind;

describe('an answer that contradicts itself never confirms a delete', () => {
	// Property run (Huawei Cloud): a rewritten answer listed a template in success_ids AND in
	// failed_template_list; success_ids was read first and "first word wins" made it `deleted`.
	it('Huawei Cloud: listed as deleted and as failed → not deleted', () => {
		const chunk = [{ id: 'tpl-a' }, { id: 'tpl-b' }];
		const verdict = huaweiCloudSms.readResponse(
			chunk,
			answer({
				success_ids: ['tpl-a', 'tpl-b'],
				failed_template_list: [{ id: 'tpl-b', error_msg: 'Message Template Info does not EXIST' }],
			}),
		);
		expect(statusIn(verdict, 'tpl-a')).toBe('deleted');
		expect(statusIn(verdict, 'tpl-b')).toBe('notFound');
	});

	it('Avaya Spaces: in deletedMessages and in notDeletedMessages → rejected', () => {
		const verdict = avayaSpaces.readResponse(
			[{ id: 'm1' }],
			answer({
				deletedMessages: ['m1'],
				notDeletedMessages: [{ messageId: 'm1', reason: { code: 'x', message: 'archived' } }],
			}),
		);
		expect(statusIn(verdict, 'm1')).toBe('rejected');
	});
});

describe('an ID a lost answer may have deleted is never reported as a plain failure', () => {
	// Property run (SOLAPI): resetAfter on the first try, retry answered MessageNotFound, with
	// "Treat Not Found as Deleted" off → the ID this run deleted was on Failure as `notFound`.
	it('SOLAPI: reset after the delete, then "not found", not-found-is-failure → unknown', async () => {
		const env = await solapi.start();
		try {
			const ids = env.seed(2);
			env.mock.inject({ kind: 'resetAfterApply', path: env.deletePath });
			const idsByItem = [ids];
			const result = await runOn(env, {
				items: env.items(ids),
				idsByItem,
				options: { treatNotFoundAsDeleted: false },
			});
			checkInvariant(env, result, idsByItem);
			expect(byKey(env, result).get(ids[0])).toMatchObject({
				status: 'unknown',
				code: 'MessageNotFound',
				message:
					'No message with this ID in the group, but an earlier try whose answer was lost may have deleted it',
				attempts: 2,
			});
		} finally {
			await env.close();
		}
	});
});

describe('a token n8n replaced during the run stays masked', () => {
	// Property run (Huawei Cloud IAM): the first answer echoed the request (X-Auth-Token A), the
	// token then expired and n8n fetched B; only the credential as it was at the end was masked,
	// so token A reached the output.
	it('Huawei Cloud IAM: echoed first token, then a refresh → both masked', async () => {
		const env = await huawei.start();
		try {
			const ids = env.seed(3);
			let first = true;
			env.hook((request) => {
				if (!env.deletePath.test(request.path) || !first) return undefined;
				first = false;
				return { kind: 'reply', ...env.echo(request) };
			});
			env.expireToken(1);
			const idsByItem = [ids];
			// runOn scans outputs, error, run data and logs for every token the store ever held.
			const result: BatchDeleteRun = await runOn(env, {
				items: env.items(ids),
				idsByItem,
				options: { batchSize: 1, concurrency: 1 },
			});
			checkInvariant(env, result, idsByItem);
			expect((env.mock as HuaweiCloudSmsMock).tokenIssues).toBe(2);
			const echoed = byKey(env, result).get(ids[0]);
			expect(echoed?.status).toBe('rejected');
			expect(String(echoed?.message)).toMatch(/X-Auth-Token: \*\*\*/);
		} finally {
			await env.close();
		}
	});
});

describe.each(ADAPTERS)('an ID field that names nothing the provider holds: $id', (adapter) => {
	const provider = providerById(adapter.id)!;
	it('says so in a hint when every ID comes back not found, and not when one existed', async () => {
		const env = await adapter.start();
		try {
			// One target exists (SOLAPI: the group), none of them named.
			const [real] = env.seed(1);
			const missing = env.missing(3);
			const perItem = env.maxBatch === 1 ? 1 : 3;
			const byItem = (ids: string[]) => (perItem === 1 ? ids.map((id) => [id]) : [ids]);
			const result = await runOn(env, {
				items: env.items(missing, perItem),
				idsByItem: byItem(missing),
			});
			checkInvariant(env, result, byItem(missing));
			const hints = JSON.stringify(result.taskData?.hints ?? []);
			if (env.missingRejected === true) {
				// It never says "not found" (WeChat 40059): each ID is on Failure with the provider's code.
				expect(result.failure.map((i) => i.json.status)).toEqual([
					'rejected',
					'rejected',
					'rejected',
				]);
				expect(hints).not.toMatch(/None of/);
			} else {
				expect(hints).toContain(
					`None of the 3 IDs exist at ${provider.displayName}: check that the ID field holds ${provider.idName}`,
				);
			}
			const mixed = [real, ...env.missing(2)];
			const second = await runOn(env, {
				items: env.items(mixed, perItem),
				idsByItem: byItem(mixed),
			});
			checkInvariant(env, second, byItem(mixed));
			expect(JSON.stringify(second.taskData?.hints ?? [])).not.toMatch(/None of/);
		} finally {
			await env.close();
		}
	});
});
