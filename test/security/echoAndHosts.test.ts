import type { MockServer } from '../mocks/mockServer';
import type { HuaweiCloudSmsMock } from '../mocks/huaweiCloudSms';
import type { ProviderEnv } from '../reliability/providers';
import { checkInvariant, huawei, quectel } from '../reliability/providers';
import { runBatchDelete } from '../support/runBatchDelete';

/**
 * Security tier, in n8n's engine (docs/security.md): item data never chooses a host (Huawei
 * Cloud's Region and the Endpoint URL left on old workflows), and a login error that echoes its
 * form gives nothing of the password away.
 */

describe('Huawei Cloud SMS: a host per item comes only from the credential', () => {
	let env: ProviderEnv;
	let other: MockServer;
	beforeEach(async () => {
		env = await huawei.start();
		// Another server the items point at: it must receive nothing.
		const second = await huawei.start();
		other = second.mock;
		(env as unknown as { second: ProviderEnv }).second = second;
	});
	afterEach(async () => {
		await env.close();
		await (env as unknown as { second: ProviderEnv }).second.close();
	});

	it.each(['default', 'static'] as const)(
		'an Endpoint URL from item data pointing elsewhere is refused for that item, nothing sent there (%s credential)',
		async (kind) => {
			const good = env.seed(2);
			const bad = env.seed(2);
			const credentials = env.credentials(kind);
			const result = await runBatchDelete({
				parameters: env.parameters(
					{},
					{ huaweiCloudRegion: 'custom', huaweiCloudEndpoint: '={{ $json.endpoint }}' },
				),
				items: [
					...good.map((id) => ({ id, endpoint: env.mock.baseUrl })),
					{ id: bad[0], endpoint: `${env.mock.baseUrl.replace('http://', 'http://x@')}` },
					{ id: bad[1], endpoint: other.baseUrl },
				],
				credentials,
				continueOnFail: true,
			});
			expect(other.requests).toHaveLength(0);
			expect(result.success.map((i) => i.json.id).sort()).toEqual([...good].sort());
			const refused = result.failure.filter((i) => bad.includes(String(i.json.id)));
			expect(refused.map((i) => [i.json.status, i.json.code])).toEqual([
				// A user name in the URL (the look-alike `http://x@host`) is refused as it is read.
				['invalid', 'INVALID_PARAMETER'],
				['invalid', 'HOST_NOT_ALLOWED'],
			]);
			expect(String(refused[1].json.message)).toMatch(/^Item 3: The node's Endpoint URL/);
			expect(bad.some((id) => env.isGone(id))).toBe(false);
			checkInvariant(
				env,
				result,
				[...good, ...bad].map((id) => [id]),
			);
		},
	);

	it.each([
		'__proto__',
		'constructor',
		'toString',
		'https://evil.example',
		'msgsms.cn-north-4.myhuaweicloud.com\\@evil.example',
	])(
		'a Region of %p from item data is refused, naming the item, and nothing is sent',
		async (region) => {
			const ids = env.seed(1);
			const result = await runBatchDelete({
				parameters: env.parameters({}, { huaweiCloudRegion: '={{ $json.region }}' }),
				items: [{ id: ids[0], region }],
				credentials: env.credentials('default'),
				continueOnFail: true,
			});
			expect(env.mock.requests).toHaveLength(0);
			expect(result.success).toHaveLength(0);
			expect(result.failure.map((i) => i.json.status)).toEqual(['invalid']);
			expect(String(result.failure[0].json.message)).toMatch(/^Item 0: Region must be one of/);
		},
	);

	it('without continue on fail, such an item fails the node before anything is sent', async () => {
		const ids = env.seed(2);
		const result = await runBatchDelete({
			parameters: env.parameters(
				{},
				{ huaweiCloudRegion: 'custom', huaweiCloudEndpoint: '={{ $json.endpoint }}' },
			),
			items: [
				{ id: ids[0], endpoint: env.mock.baseUrl },
				{ id: ids[1], endpoint: other.baseUrl },
			],
			credentials: env.credentials('default'),
		});
		expect(result.error?.message).toMatch(/^Item 1: The node's Endpoint URL/);
		expect(env.mock.requests).toHaveLength(0);
		expect(other.requests).toHaveLength(0);
	});

	it('"Custom" with no Custom Endpoint URL in the credential is refused clearly', async () => {
		const ids = env.seed(1);
		const [credential] = env.credentials('default');
		const { endpointUrl: _dropped, ...data } = credential.data as Record<string, unknown>;
		const result = await runBatchDelete({
			parameters: env.parameters(),
			items: [{ id: ids[0] }],
			credentials: [{ ...credential, data: data as typeof credential.data }],
		});
		expect(result.error?.message).toMatch(
			/set "Custom Endpoint URL" in the Huawei Cloud credential/,
		);
		expect((env.mock as HuaweiCloudSmsMock).requests).toHaveLength(0);
	});
});

describe('Quectel login refused with an answer that echoes its form', () => {
	let env: ProviderEnv;
	beforeEach(async () => {
		env = await quectel.start();
	});
	afterEach(async () => await env.close());

	it('shows neither the encrypted password, nor its random, nor the signature', async () => {
		const ids = env.seed(2);
		env.hook((request) =>
			request.path.endsWith('/emailPwdLogin')
				? {
						kind: 'reply',
						status: 200,
						body: {
							code: 5583,
							msg: `Incorrect password for form ${request.rawBody}`,
							extMsg: JSON.stringify(Object.fromEntries(new URLSearchParams(request.rawBody))),
						},
					}
				: undefined,
		);
		const result = await runBatchDelete({
			parameters: env.parameters(),
			items: env.items(ids, 1),
			credentials: env.credentials('default'),
			continueOnFail: true,
		});
		const login = env.mock.requests.find((r) => r.path.endsWith('/emailPwdLogin'));
		const form = new URLSearchParams(login!.rawBody);
		const derived = ['pwd', 'random', 'signature'].map((name) => form.get(name)!);
		const shown = JSON.stringify([
			result.success,
			result.failure,
			result.error ?? null,
			result.runData ?? null,
		]);
		for (const value of derived) {
			expect(value.length).toBeGreaterThan(4);
			expect(shown).not.toContain(value);
			expect(shown).not.toContain(encodeURIComponent(value));
		}
		expect(shown).toMatch(/Quectel login failed \(code 5583/);
		expect(result.success).toHaveLength(0);
		checkInvariant(
			env,
			result,
			ids.map((id) => [id]),
		);
	});
});
