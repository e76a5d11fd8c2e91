import { PROVIDERS } from '../../nodes/BatchDelete/providers';
import { logLinesSince, logMark } from '../support/logCapture';
import { assertNoSecrets, secretValues } from '../support/secretScan';
import type { ProviderAdapter } from './providers';
import { ADAPTERS, avaya, runOn } from './providers';

/**
 * The secret scan itself, and the paths a secret could take that the fault matrix does not reach:
 * the node's own NodeApiError when a provider refuses the credentials with an answer that echoes
 * them. (Every run through `runBatchDelete` and every credential test is scanned: outputs, the
 * error with its description, context and cause, the whole run data, and every log line.)
 */

describe('the secret scan', () => {
	it('records what n8n logs during a run', async () => {
		const env = await avaya.start();
		try {
			const from = logMark();
			await runOn(env, { items: env.items(env.seed(2)), idsByItem: [] });
			const lines = logLinesSince(from).map((l) => l.message);
			expect(lines).toEqual(
				expect.arrayContaining([
					'Workflow execution started',
					'Start executing node "Batch Delete"',
				]),
			);
		} finally {
			await env.close();
		}
	});

	it('finds a credential value, a signature or an auth header anywhere it is given', () => {
		const secrets = secretValues([
			{
				apiKey: 'NCSTESTKEY0000001',
				apiSecret: 'shh-secret-value',
				baseUrl: 'http://127.0.0.1:1',
				region: 'custom',
			},
		]);
		expect(secrets.sort()).toEqual(['NCSTESTKEY0000001', 'shh-secret-value']);
		expect(() =>
			assertNoSecrets({ outputs: [[{ json: { message: 'x shh-secret-value y' } }]] }, secrets),
		).toThrow(/A credential value leaked/);
		expect(() =>
			assertNoSecrets(
				{ logs: [{ message: 'ok', metadata: '{"key":"NCSTESTKEY0000001"}' }] },
				secrets,
			),
		).toThrow(/A credential value leaked/);
		const leaks = [
			'HMAC-SHA256 apiKey=abc, date=2026-01-01T00:00:00Z, salt=0123456789ab, signature=0123456789abcdef0123456789abcdef',
			'Authorization: SDK-HMAC-SHA256 Access=HPUA, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef',
			'POST /cgi-bin/message/mass/delete?access_token=78_abcdefghijklmnop',
			'{"x-auth-token":"MIITabcdefghijklmnop"}',
			'"authorization":"jwt eyJhbGciOiJIUzI1NiJ9"',
		];
		for (const text of leaks)
			expect(() => assertNoSecrets({ error: { description: text } }, [])).toThrow(/leaked/);
		// What the node's masking leaves is not a leak.
		expect(() =>
			assertNoSecrets(
				'signature=*** access_token=*** HMAC-SHA256 apiKey=***, x-auth-token: ***',
				[],
			),
		).not.toThrow();
	});
});

describe.each(
	ADAPTERS.filter((a) => a.refusalStatus !== undefined).map((a): [string, ProviderAdapter] => [
		a.name,
		a,
	]),
)('%s: refused credentials echoed back', (_name, adapter) => {
	it("the node's NodeApiError carries no secret", async () => {
		const env = await adapter.start();
		try {
			const ids = env.seed(3);
			// Every delete is refused as unauthorised, with the request echoed in the answer.
			env.hook((request) => {
				if (!env.deletePath.test(request.path)) return undefined;
				const echoed = env.echo(request).body as Record<string, unknown>;
				return {
					kind: 'reply',
					status: adapter.refusalStatus!,
					body: {
						...echoed,
						errorCode: 'InvalidAPIKey',
						code: 'authen_error',
						error_code: 'APIG.0301',
					},
				};
			});
			const result = await runOn(env, {
				items: env.items(ids),
				idsByItem: [],
				credentials: 'static',
			});
			// runOn's scan passed (the error, its description and context, the logs); the error is there.
			expect(result.error?.message).toMatch(/refused the credentials/);
			expect((result.error as unknown as { httpCode: string }).httpCode).toBe('401');
			expect(ids.some((id) => env.isGone(id))).toBe(false);
		} finally {
			await env.close();
		}
	});
});

it('every registered provider has a reliability adapter, so the fault matrix and its echo cell cover it', () => {
	expect(ADAPTERS.map((a) => a.id).sort()).toEqual(PROVIDERS.map((p) => p.id).sort());
});
