import { createDecipheriv, createHash } from 'node:crypto';
import { quectelLoginForm, readQuectelLogin } from '../../credentials/auth/quectel';

/**
 * Self-derived vectors: Quectel publishes no SDK to compare with (docs/providers.md), so these
 * come from the API document's algorithm, derived outside Node with OpenSSL (3.0), from a shell:
 *
 *   R='n8nRandom0123456'
 *   H=$(printf '%s' "$R" | openssl dgst -md5 -r | cut -d' ' -f1 | tr a-f A-F)   # E6AD2935E0FB4258AB348CDD187EA6B8
 *   K=${H:8:16}; IV="${K:8:8}${K:0:8}"                                         # E0FB4258AB348CDD, AB348CDDE0FB4258
 *   printf '%s' 'S3cret-pässword!' | openssl enc -aes-128-cbc \
 *     -K $(printf '%s' "$K" | xxd -p) -iv $(printf '%s' "$IV" | xxd -p) -base64 -A
 *   # → 3/qdK/KlB2LFzv6eeUU+gIxOwUI7SnKD4vGpO33VaPs=
 *   printf '%s' "user@example.com<that base64>${R}domain-secret-xyz" | openssl dgst -sha256 -r
 *   # → d50b6d709d8211c6977361155974592a398ffdc12ef79324c63a06b2f38225d0
 */
const RANDOM = 'n8nRandom0123456';
const PASSWORD = 'S3cret-pässword!';
const OPENSSL_PWD = '3/qdK/KlB2LFzv6eeUU+gIxOwUI7SnKD4vGpO33VaPs=';
const OPENSSL_SIGNATURE = 'd50b6d709d8211c6977361155974592a398ffdc12ef79324c63a06b2f38225d0';

describe('Quectel login crypto', () => {
	const account = {
		email: 'user@example.com',
		password: PASSWORD,
		userDomain: 'C.DM.1.1',
		domainSecret: 'domain-secret-xyz',
	};
	/** The `pwd` field of the login form for this password, with the fixed random. */
	const pwdOf = (password: string) => quectelLoginForm({ ...account, password }, RANDOM).pwd;

	it('derives the key from characters 8..24 of the uppercase MD5 and swaps its halves for the IV', () => {
		const decipher = createDecipheriv(
			'aes-128-cbc',
			Buffer.from('E0FB4258AB348CDD', 'ascii'),
			Buffer.from('AB348CDDE0FB4258', 'ascii'),
		);
		const pwd = Buffer.from(pwdOf(PASSWORD), 'base64');
		expect(Buffer.concat([decipher.update(pwd), decipher.final()]).toString('utf8')).toBe(PASSWORD);
	});

	it('encrypts the password exactly as openssl aes-128-cbc with PKCS#7 padding does', () => {
		expect(pwdOf(PASSWORD)).toBe(OPENSSL_PWD);
	});

	it('pads a password that fills whole blocks with a full extra block', () => {
		// printf '%s' '0123456789abcdef' | openssl enc -aes-128-cbc -K … -iv … -base64 -A (same key/IV)
		const pwd = pwdOf('0123456789abcdef');
		expect(pwd).toBe('IxM4dZBpLd+kdFwoYQVdtwObXs3hPIvlanMMUKP6uc4=');
		expect(Buffer.from(pwd, 'base64')).toHaveLength(32);
	});

	it('signs email + pwd + random + user domain secret with hex SHA-256', () => {
		expect(quectelLoginForm(account, RANDOM).signature).toBe(OPENSSL_SIGNATURE);
	});

	it('builds the documented form fields, with a fresh random each time', () => {
		expect(quectelLoginForm(account, RANDOM)).toEqual({
			email: 'user@example.com',
			pwd: OPENSSL_PWD,
			random: RANDOM,
			userDomain: 'C.DM.1.1',
			signature: OPENSSL_SIGNATURE,
		});
		const a = quectelLoginForm(account);
		const b = quectelLoginForm(account);
		expect(a.random).not.toBe(b.random);
		expect(a.pwd).not.toBe(b.pwd);
		expect(a.signature).toBe(
			createHash('sha256')
				.update(a.email + a.pwd + a.random + 'domain-secret-xyz')
				.digest('hex'),
		);
	});
});

describe('Quectel login answer', () => {
	it('returns the access token on code 200 (and on the documented placeholder 0)', () => {
		const data = {
			accessToken: { token: 'tok-1', expirationTime: 1 },
			refreshToken: { token: 'r', expirationTime: 2 },
		};
		expect(readQuectelLogin({ code: 200, msg: '', data })).toBe('tok-1');
		expect(readQuectelLogin({ code: 0, data })).toBe('tok-1');
	});

	it.each([
		[5013, /user domain is not known/],
		[5015, /user domain is not valid/],
		[5031, /no account with this email/],
		[5420, /User Domain Secret/],
		[5583, /wrong password/],
		[5586, /wrong password/],
		[5147, /locked/],
		[5325, /locked/],
		[9999, /check the email, password/],
	])('explains code %d', (code, hint) => {
		expect(() => readQuectelLogin({ code, msg: 'provider text', data: null })).toThrow(hint);
		expect(() => readQuectelLogin({ code, msg: 'provider text', data: null })).toThrow(
			`code ${code}, provider text`,
		);
	});

	it('refuses an answer without a token or that it cannot read', () => {
		expect(() => readQuectelLogin({ code: 200, data: {} })).toThrow(/no access token/);
		expect(() => readQuectelLogin('<html>')).toThrow(/cannot read/);
		expect(() => readQuectelLogin(undefined)).toThrow(/cannot read/);
	});
});
