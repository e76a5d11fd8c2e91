import type { IDataObject } from 'n8n-workflow';

import type { CredentialInstance } from '../harness';
import { MockServer } from '../mocks/mockServer';
import type { MockRequest } from '../mocks/mockServer';
import type { ProviderAdapter, ProviderEnv } from '../reliability/providers';
import { ADAPTERS, checkInvariant } from '../reliability/providers';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * Security tier, in n8n's engine (docs/security.md): for every provider and each of its credential
 * kinds, a provider that redirects to another local port (the attacker) reaches nothing there and
 * puts nothing on Success; the credential's Allowed HTTP Request Domains stop every request before
 * it is sent; a trickling answer ends within Timeout × (Max Retries + 1).
 */

/** Token endpoints of the mocks (the requests n8n makes through preAuthentication). */
const TOKEN_PATH = /\/v3\/auth\/tokens$|\/emailPwdLogin$|\/cgi-bin\/stable_token$/;

/** The cases whose credential fetches a token: the redirect may come from the token endpoint. */
const FETCHES_TOKEN = /^(Quectel IoT \(default|WeChat|Huawei Cloud SMS \(default)/;

const cases: Array<[string, ProviderAdapter, 'default' | 'static']> = ADAPTERS.flatMap((a) => [
	[`${a.name} (default credential)`, a, 'default' as const],
	[`${a.name} (static credential)`, a, 'static' as const],
]);

/** A server playing the attacker: it answers as the provider's own mock would (so a followed
 * redirect would look like a deletion), and records every request. */
async function attackerFor(env: ProviderEnv): Promise<MockServer> {
	const real = env.mock as unknown as { handler: (r: MockRequest) => unknown };
	const attacker = new MockServer((request) => real.handler(request) as never);
	await attacker.start();
	return attacker;
}

const withCredentialData = (
	credentials: CredentialInstance[],
	extra: IDataObject,
): CredentialInstance[] =>
	credentials.map((c) => ({ ...c, data: { ...c.data, ...extra } as CredentialInstance['data'] }));

async function run(
	env: ProviderEnv,
	kind: 'default' | 'static',
	ids: string[],
	options: IDataObject = {},
	extra: IDataObject = {},
) {
	const credentials = withCredentialData(env.credentials(kind), extra);
	return await runBatchDelete({
		parameters: env.parameters({ maxRetries: 1, ...options }),
		items: env.items(ids, 1),
		credentials,
		continueOnFail: true,
	});
}

describe.each(cases)('%s', (_name, adapter, kind) => {
	let env: ProviderEnv;
	let attacker: MockServer;
	beforeEach(async () => {
		env = await adapter.start();
		attacker = await attackerFor(env);
	});
	afterEach(async () => {
		await env.close();
		await attacker.close();
	});
	/** Every ID (one item each) lands in exactly one output. */
	const eachIdOnce = (result: Awaited<ReturnType<typeof run>>, ids: string[]) =>
		checkInvariant(
			env,
			result,
			ids.map((id) => [id]),
		);

	it('a delete answered with a redirect to another host: nothing reaches it, nothing on Success', async () => {
		const ids = env.seed(3);
		env.hook((request) =>
			env.deletePath.test(request.path)
				? {
						kind: 'reply',
						status: 307,
						headers: { location: `${attacker.baseUrl}${request.path}?${request.query.toString()}` },
					}
				: undefined,
		);
		const result = await run(env, kind, ids);
		expect(attacker.requests).toHaveLength(0);
		expect(result.success).toHaveLength(0);
		for (const item of result.failure) {
			expect(item.json.code).toBe('REDIRECT');
			expect(['error', 'notAttempted']).toContain(item.json.status);
			// The target's scheme and host, never its path or query.
			expect(String(item.json.message)).toContain(attacker.baseUrl);
			expect(String(item.json.message)).not.toContain(env.deletePath.source.slice(2, 8));
		}
		expect(result.failure.some((i) => i.json.status === 'error')).toBe(true);
		expect(ids.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
		eachIdOnce(result, ids);
	});

	it('Allowed HTTP Request Domains, Specific Domains without this host: nothing is sent', async () => {
		const ids = env.seed(2);
		const result = await run(
			env,
			kind,
			ids,
			{},
			{ allowedHttpRequestDomains: 'domains', allowedDomains: 'example.com, *.127.0.0.1' },
		);
		expect(env.mock.requests).toHaveLength(0);
		expect(result.success).toHaveLength(0);
		const shown = JSON.stringify([result.failure, result.error?.message ?? '']);
		expect(shown).toMatch(/HOST_NOT_ALLOWED|not in the credential's Allowed Domains/);
	});

	it('Allowed HTTP Request Domains, None: nothing is sent', async () => {
		const ids = env.seed(2);
		const result = await run(env, kind, ids, {}, { allowedHttpRequestDomains: 'none' });
		expect(env.mock.requests).toHaveLength(0);
		expect(result.success).toHaveLength(0);
	});

	it('Allowed HTTP Request Domains, Specific Domains naming this host: the run goes through', async () => {
		const ids = env.seed(2);
		const result = await run(
			env,
			kind,
			ids,
			{},
			{ allowedHttpRequestDomains: 'domains', allowedDomains: 'example.com,127.0.0.1' },
		);
		expect(result.success.map((i) => env.outputKey(i.json)).sort()).toEqual(
			ids.map((id) => env.keyOf(id)).sort(),
		);
		eachIdOnce(result, ids);
	});

	it('an answer larger than the cap is not read and its IDs end unknown', async () => {
		const ids = env.seed(2);
		env.hook((request) =>
			env.deletePath.test(request.path)
				? { kind: 'reply', status: 200, body: { padding: 'x'.repeat(6 * 1024 * 1024) } }
				: undefined,
		);
		const result = await run(env, kind, ids);
		expect(result.success).toHaveLength(0);
		for (const item of result.failure) {
			expect(item.json.status).toBe('unknown');
			expect(item.json.code).toBe('RESPONSE_TOO_LARGE');
		}
		eachIdOnce(result, ids);
	});

	it('a trickling answer ends within Timeout × (Max Retries + 1) and its IDs end unknown', async () => {
		const ids = env.seed(2);
		env.hook((request) =>
			env.deletePath.test(request.path) ? { kind: 'trickle', everyMs: 100 } : undefined,
		);
		const started = Date.now();
		const result = await run(env, kind, ids, { timeout: 1000, maxRetries: 1, retryDelay: 0 });
		const took = Date.now() - started;
		expect(took).toBeLessThan(1000 * 2 + 3000);
		expect(result.success).toHaveLength(0);
		for (const item of result.failure) {
			expect(item.json.status).toBe('unknown');
			expect(item.json.code).toBe('TIMEOUT');
		}
		eachIdOnce(result, ids);
	});

	// The credentials that fetch a token (preAuthentication): Quectel's account login, WeChat's
	// stable token (both kinds), Huawei Cloud's IAM password token.
	if (FETCHES_TOKEN.test(_name)) {
		it('a token request answered with a redirect: nothing reaches the other host', async () => {
			const ids = env.seed(2);
			env.hook((request) =>
				TOKEN_PATH.test(request.path)
					? { kind: 'reply', status: 302, headers: { location: `${attacker.baseUrl}/steal` } }
					: undefined,
			);
			const result = await run(env, kind, ids);
			// The credential did ask for a token, and was answered with the redirect.
			expect(env.mock.requests.some((r) => TOKEN_PATH.test(r.path))).toBe(true);
			expect(attacker.requests).toHaveLength(0);
			expect(result.success).toHaveLength(0);
			expect(ids.some((id) => env.isGone(env.keyOf(id)))).toBe(false);
			eachIdOnce(result, ids);
		});
	}
});
