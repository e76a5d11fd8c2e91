import { createHmac, randomBytes } from 'crypto';

/**
 * SOLAPI's API-key signature, as its official SDK builds it:
 * `Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<random>, signature=<hex>`,
 * signature = lowercase hex HMAC-SHA256(key = API secret, message = date + salt).
 * The server refuses a date more than 15 minutes off and a signature it saw in the last 15
 * minutes, so every request needs its own date and salt.
 */

function solapiSignature(apiSecret: string, date: string, salt: string): string {
	return createHmac('sha256', apiSecret)
		.update(date + salt)
		.digest('hex');
}

export function solapiAuthorization(
	apiKey: string,
	apiSecret: string,
	date: string,
	salt: string,
): string {
	return `HMAC-SHA256 apiKey=${apiKey}, date=${date}, salt=${salt}, signature=${solapiSignature(apiSecret, date, salt)}`;
}

/** ISO 8601 in UTC to the second, as the official SDK writes it in UTC (date-fns `formatISO`). */
export function solapiDate(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 32 hex characters from the OS's CSPRNG (the SDK uses 32 alphanumerics). */
export function newSalt(): string {
	return randomBytes(16).toString('hex');
}

/** SOLAPI hosts: v4 on api.solapi.com, the legacy group API on solapi.com. */
export const SOLAPI_HOSTS = {
	v4: 'https://api.solapi.com',
	legacy: 'https://solapi.com',
};
