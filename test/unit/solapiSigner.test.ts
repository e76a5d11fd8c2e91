import { SolapiApi } from '../../credentials/SolapiApi.credentials';
import { parseSolapiAuthorization } from '../mocks/solapi';
import { newSalt, solapiAuthorization } from '../../credentials/auth/solapi';

/** The signature the Authorization header carries for this secret, date and salt. */
const solapiSignature = (secret: string, date: string, salt: string): string =>
	/signature=([0-9a-f]+)$/.exec(solapiAuthorization('NCSKEY', secret, date, salt))![1];

/*
 * Expected signatures computed outside Node, with OpenSSL:
 *   printf '%s' "2019-07-01T00:41:48Z0af82b52fc4d4b1c9e5a1d0b8f8e3c77" \
 *     | openssl dgst -sha256 -hmac "test-api-secret-0123456789"
 *   → 88e4ed9b43309073df090c484a7060e19f0f91c952003441e4f420d17e9703ca
 *   printf '%s' "2024-10-25T08:00:00.000Zsalt-1234567890" | openssl dgst -sha256 -hmac "s3cr3t"
 *   → b974547269cb157f6a1b63af237ceb5e51a7645cbbf1dfb799fc576b969817ad
 */
describe('SOLAPI signature', () => {
	it('is lowercase hex HMAC-SHA256(secret, date + salt)', () => {
		expect(
			solapiSignature(
				'test-api-secret-0123456789',
				'2019-07-01T00:41:48Z',
				'0af82b52fc4d4b1c9e5a1d0b8f8e3c77',
			),
		).toBe('88e4ed9b43309073df090c484a7060e19f0f91c952003441e4f420d17e9703ca');
		expect(solapiSignature('s3cr3t', '2024-10-25T08:00:00.000Z', 'salt-1234567890')).toBe(
			'b974547269cb157f6a1b63af237ceb5e51a7645cbbf1dfb799fc576b969817ad',
		);
	});

	it('builds the Authorization header the SDK sends', () => {
		expect(
			solapiAuthorization('NCSKEY', 's3cr3t', '2024-10-25T08:00:00.000Z', 'salt-1234567890'),
		).toBe(
			'HMAC-SHA256 apiKey=NCSKEY, date=2024-10-25T08:00:00.000Z, salt=salt-1234567890, signature=b974547269cb157f6a1b63af237ceb5e51a7645cbbf1dfb799fc576b969817ad',
		);
	});

	it('draws a new 32-character salt every time', () => {
		const salts = new Set(Array.from({ length: 200 }, () => newSalt()));
		expect(salts.size).toBe(200);
		for (const salt of salts) expect(salt).toMatch(/^[0-9a-f]{32}$/);
	});
});

describe('SOLAPI credential', () => {
	const credential = new SolapiApi();
	const data = { apiKey: 'NCSKEY', apiSecret: 's3cr3t', baseUrl: 'https://api.solapi.com' };

	it('signs each request with a fresh date and salt, keeping the other headers', async () => {
		const before = Date.now();
		const first = await credential.authenticate(data, {
			url: 'https://api.solapi.com/x',
			headers: { 'Content-Type': 'application/json' },
		});
		const second = await credential.authenticate(data, { url: 'https://api.solapi.com/x' });
		expect(first.headers?.['Content-Type']).toBe('application/json');
		const a = parseSolapiAuthorization(String(first.headers?.Authorization))!;
		const b = parseSolapiAuthorization(String(second.headers?.Authorization))!;
		expect(a.scheme).toBe('HMAC-SHA256');
		expect(a.fields.apikey).toBe('NCSKEY');
		expect(Date.parse(a.fields.date)).toBeGreaterThanOrEqual(before - 1000);
		// ISO 8601 in UTC to the second, as the SDK writes it (test/sdk/solapi.test.ts).
		expect(a.fields.date).toBe(new Date(a.fields.date).toISOString().replace('.000Z', 'Z'));
		expect(a.fields.salt.length).toBeGreaterThanOrEqual(12);
		expect(a.fields.salt.length).toBeLessThanOrEqual(64);
		expect(a.fields.signature).toBe(solapiSignature('s3cr3t', a.fields.date, a.fields.salt));
		expect(b.fields.salt).not.toBe(a.fields.salt);
		expect(b.fields.signature).not.toBe(a.fields.signature);
	});

	it('does not change the request it was given', async () => {
		const request = { url: 'https://api.solapi.com/x', headers: { Accept: 'application/json' } };
		await credential.authenticate(data, request);
		expect(request.headers).toEqual({ Accept: 'application/json' });
	});

	it('refuses to sign without a key or a secret', async () => {
		await expect(credential.authenticate({ ...data, apiSecret: '' }, { url: 'x' })).rejects.toThrow(
			/API key and an API secret/,
		);
	});

	it('tests itself against the balance endpoint of its base URL', () => {
		expect(credential.test.request).toMatchObject({ url: '/cash/v1/balance', method: 'GET' });
		expect(credential.properties.find((p) => p.name === 'apiSecret')?.typeOptions?.password).toBe(
			true,
		);
		expect(credential.properties.find((p) => p.name === 'baseUrl')?.default).toBe(
			'https://api.solapi.com',
		);
	});
});
