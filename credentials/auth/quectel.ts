import { createCipheriv, createHash, randomBytes } from 'crypto';
import { z } from 'zod';

import { redactText } from './redact';

/**
 * Quectel's email login (`POST /v2/enduser/enduserapi/emailPwdLogin`): the password travels
 * AES-encrypted with a key derived from a random string sent alongside, and the whole form is
 * signed with the user domain secret. Pure functions, shared by the credential and the tests.
 */

export const QUECTEL_LOGIN_PATH = '/v2/enduser/enduserapi/emailPwdLogin';

interface QuectelAccount {
	email: string;
	password: string;
	userDomain: string;
	domainSecret: string;
}

/** Key = characters 8..24 of uppercase hex MD5(random), as 16 ASCII bytes; IV = key[8..16] + key[0..8]. */
function quectelKeyAndIv(random: string): { key: Buffer; iv: Buffer } {
	const digest = createHash('md5').update(random, 'utf8').digest('hex').toUpperCase();
	const key = digest.slice(8, 24);
	const iv = key.slice(8, 16) + key.slice(0, 8);
	return { key: Buffer.from(key, 'ascii'), iv: Buffer.from(iv, 'ascii') };
}

/** base64(AES-128-CBC(password)) with PKCS#7 padding (Node's default for block ciphers). */
function encryptQuectelPassword(password: string, random: string): string {
	const { key, iv } = quectelKeyAndIv(random);
	const cipher = createCipheriv('aes-128-cbc', key, iv);
	return Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]).toString('base64');
}

/** hex SHA-256(email + pwd + random + userDomainSecret), `pwd` being the encrypted password. */
function signQuectelLogin(
	email: string,
	pwd: string,
	random: string,
	domainSecret: string,
): string {
	return createHash('sha256')
		.update(email + pwd + random + domainSecret, 'utf8')
		.digest('hex');
}

/** A new random for every login, so no two logins send the same ciphertext. */
function newQuectelRandom(): string {
	return randomBytes(8).toString('hex');
}

/** The login form, in the order the documentation lists it. */
export function quectelLoginForm(
	account: QuectelAccount,
	random: string = newQuectelRandom(),
): Record<string, string> {
	const pwd = encryptQuectelPassword(account.password, random);
	return {
		email: account.email,
		pwd,
		random,
		userDomain: account.userDomain,
		signature: signQuectelLogin(account.email, pwd, random, account.domainSecret),
	};
}

const loginAnswer = z
	.object({
		code: z.union([z.number(), z.string()]),
		msg: z.string().nullish(),
		extMsg: z.string().nullish(),
		data: z
			.object({
				accessToken: z
					.object({ token: z.string().min(1) })
					.passthrough()
					.nullish(),
			})
			.passthrough()
			.nullish(),
	})
	.passthrough();

/** What the documented login codes mean for the user, so the error says what to fix. */
const LOGIN_ERRORS: Record<number, string> = {
	5013: 'the user domain is not known: check "User Domain" and the region',
	5015: 'the user domain is not valid: check "User Domain" and the region',
	5031: 'no account with this email in this user domain',
	5420: 'the signature was refused: check "User Domain Secret"',
	5583: 'wrong password',
	5584: 'wrong password',
	5585: 'wrong password',
	5586: 'wrong password',
	5147: 'the account is locked: unlock it in the Quectel app or console, then try again',
	5325: 'the account is locked: unlock it in the Quectel app or console, then try again',
};

/**
 * The access token from a login answer, or an Error naming the problem. Never echoes the
 * request, so neither the password nor the domain secret can reach a message.
 */
export function readQuectelLogin(body: unknown, sent: string[] = []): string {
	const parsed = loginAnswer.safeParse(body);
	if (!parsed.success) throw new Error('Quectel login answered with a body this node cannot read');
	const answer = parsed.data;
	const code = Number(answer.code);
	const token = answer.data?.accessToken?.token;
	if (code === 200 || code === 0) {
		if (token !== undefined) return token;
		throw new Error('Quectel login succeeded but sent no access token');
	}
	const said = [answer.msg, answer.extMsg]
		.filter((t) => typeof t === 'string' && t.trim() !== '')
		.join(': ');
	const hint = LOGIN_ERRORS[code] ?? 'check the email, password, user domain and secret';
	const shown = redactText(said, sent).slice(0, 200);
	throw new Error(
		`Quectel login failed (code ${String(answer.code)}${shown === '' ? '' : `, ${shown}`}): ${hint}`,
	);
}

/** Quectel IoT API hosts by region (the US host is inferred from third-party code). */
export const QUECTEL_HOSTS: Record<string, string> = {
	china: 'https://iot-api.quectelcn.com',
	europe: 'https://iot-api.acceleronix.io',
	us: 'https://iot-api.quectelus.com',
};
