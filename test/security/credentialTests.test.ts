import type { ICredentialType } from 'n8n-workflow';

import type { MockServer } from '../mocks/mockServer';
import { MockServer as Server } from '../mocks/mockServer';
import type { ProviderAdapter, ProviderEnv } from '../reliability/providers';
import { ADAPTERS } from '../reliability/providers';
import { testCredential } from '../support/credentialTest';
import { declaredCredentialTypes } from '../support/runBatchDelete';

/**
 * Security tier: the credential dialog's Test button (n8n's RoutingNode, the credential's token
 * request included) never follows a redirect either. Every credential type with a test request,
 * for every provider, answered with a redirect to another local port: nothing reaches it.
 */

const TOKEN_PATH = /\/v3\/auth\/tokens$|\/emailPwdLogin$|\/cgi-bin\/stable_token$/;
const types = new Map(declaredCredentialTypes().map((t) => [t.name, t]));

const cases: Array<[string, ProviderAdapter, 'default' | 'static', 'every' | 'test']> =
	ADAPTERS.flatMap((a) =>
		(['default', 'static'] as const).flatMap((kind) =>
			(['every', 'test'] as const).map(
				(which) =>
					[`${a.name} (${kind} credential), ${which} request redirected`, a, kind, which] as [
						string,
						ProviderAdapter,
						'default' | 'static',
						'every' | 'test',
					],
			),
		),
	);

describe.each(cases)('%s', (_name, adapter, kind, which) => {
	let env: ProviderEnv;
	let attacker: MockServer;
	beforeEach(async () => {
		env = await adapter.start();
		attacker = new Server(() => ({ status: 200, body: { code: 0, errcode: 0, ok: true } }));
		await attacker.start();
	});
	afterEach(async () => {
		await env.close();
		await attacker.close();
	});

	it('the Test button fails and nothing reaches the other host', async () => {
		const [credential] = env.credentials(kind);
		const type = types.get(credential.type) as ICredentialType;
		expect(type.test).toBeDefined();
		env.hook((request) =>
			which === 'every' || !TOKEN_PATH.test(request.path)
				? {
						kind: 'reply',
						status: 302,
						headers: { location: `${attacker.baseUrl}${request.path}` },
					}
				: undefined,
		);
		const result = await testCredential(type, credential.data);
		expect(result.status).toBe('Error');
		expect(attacker.requests).toHaveLength(0);
	});
});

describe('every credential test names a redirect', () => {
	// n8n shows a failed test's own message only when a rule names its status: without these, the
	// dialog shows the bare status text of a redirect the test never follows.
	it.each(declaredCredentialTypes().filter((t) => t.test !== undefined))('$name', (type) => {
		const codes = (type.test!.rules ?? [])
			.filter((rule) => rule.type === 'responseCode')
			.map((rule) => rule.properties.value);
		expect(codes).toEqual(expect.arrayContaining([301, 302, 303, 307, 308]));
	});
});
