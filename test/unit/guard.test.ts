import { PassThrough } from 'node:stream';

import { isDomainAllowed as n8nIsDomainAllowed } from 'n8n-workflow';

import {
	hostRefusal,
	isDomainAllowed,
	originOf,
	readBody,
	redirectMessage,
} from '../../credentials/auth/guard';
import { redactFields, redactText } from '../../credentials/auth/redact';

describe('Allowed HTTP Request Domains', () => {
	const urls = [
		'https://api.solapi.com/messages/v4/groups',
		'https://API.SOLAPI.COM./x',
		'https://solapi.com/x',
		'https://evil-solapi.com/x',
		'https://solapi.com.evil.net/x',
		'https://api.solapi.com@evil.net/x',
		'https://evil.net#@api.solapi.com',
		'https://evil.net\\@api.solapi.com',
		'https://evil.net\\api.solapi.com',
		'http://127.0.0.1:8080/x',
		'not a url',
	];
	const lists = [
		'',
		'api.solapi.com',
		'*.solapi.com',
		'solapi.com, *.solapi.com',
		'127.0.0.1',
		' , ',
	];
	it.each(lists)("matches exactly as n8n's own isDomainAllowed (list %p)", (list) => {
		for (const url of urls)
			expect([url, isDomainAllowed(url, list)]).toEqual([
				url,
				n8nIsDomainAllowed(url, { allowedDomains: list }),
			]);
	});

	it('refuses look-alikes by the parsed host', () => {
		const only = { allowedHttpRequestDomains: 'domains', allowedDomains: 'api.solapi.com' };
		expect(hostRefusal('https://api.solapi.com/x', only)).toBeUndefined();
		for (const url of [
			'https://api.solapi.com@evil.net/x',
			'https://evil.net#@api.solapi.com',
			'https://evil.net\\@api.solapi.com',
			'https://api.solapi.com.evil.net',
		])
			expect(hostRefusal(url, only)).toMatch(/not in the credential's Allowed Domains/);
	});

	it('None refuses everything, Specific Domains with none listed too, All allows', () => {
		expect(hostRefusal('https://a.b', { allowedHttpRequestDomains: 'none' })).toMatch(/None/);
		expect(
			hostRefusal('https://a.b', { allowedHttpRequestDomains: 'domains', allowedDomains: ' ' }),
		).toMatch(/none listed/);
		expect(hostRefusal('https://a.b', { allowedHttpRequestDomains: 'all' })).toBeUndefined();
		expect(hostRefusal('https://a.b', {})).toBeUndefined();
		expect(hostRefusal('file:///etc/passwd', {})).toMatch(/not an http/);
		expect(hostRefusal('javascript:alert(1)', {})).toMatch(/not an http/);
	});
});

describe('redirects', () => {
	it('name only the scheme and host of the target', () => {
		const message = redirectMessage(
			301,
			'https://evil.net:8443/steal?access_token=abc#x',
			'http://api.solapi.com/x',
		);
		expect(message).toContain('HTTP 301');
		expect(message).toContain('https://evil.net:8443');
		expect(message).not.toMatch(/steal|access_token|abc/);
		// A relative Location is resolved against the request.
		expect(redirectMessage(302, '/other', 'http://api.solapi.com/x')).toContain(
			'http://api.solapi.com',
		);
		expect(redirectMessage(302, '', 'http://a.b/x')).toContain('without a usable Location');
		expect(originOf('https://user:pw@host.example:1/p?q')).toBe('https://host.example:1');
	});
});

describe('reading an answer', () => {
	it('stops past the size cap', async () => {
		const stream = new PassThrough();
		const reading = readBody(stream, undefined, 1000);
		stream.write(Buffer.alloc(600, 'a'));
		stream.write(Buffer.alloc(600, 'a'));
		await expect(reading).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
		expect(stream.destroyed).toBe(true);
	});

	it('stops when the signal aborts (a trickle)', async () => {
		const stream = new PassThrough();
		const controller = new AbortController();
		const reading = readBody(stream, controller.signal);
		stream.write('{"a":');
		controller.abort();
		await expect(reading).rejects.toMatchObject({ code: 'TIMEOUT' });
	});

	it('reads a whole answer as UTF-8', async () => {
		const stream = new PassThrough();
		const reading = readBody(stream, undefined);
		stream.end(Buffer.from('{"ok":"é"}'));
		expect(await reading).toBe('{"ok":"é"}');
	});
});

describe('masking by field name', () => {
	it('masks a login form, JSON keys, auth headers and signatures, and leaves prose alone', () => {
		expect(
			redactFields('echo: email=a@b.c&pwd=Zm9v%2B%3D&random=0a1b&userDomain=C.DM&signature=dead'),
		).toBe('echo: email=a@b.c&pwd=***&random=***&userDomain=C.DM&signature=***');
		expect(redactFields('{"pwd":"Zm9v","random":"0a1b","secret":"s","access_token":"t"}')).toBe(
			'{"pwd":"***","random":"***","secret":"***","access_token":"***"}',
		);
		expect(redactFields('X-Auth-Token: MIIabc')).toBe('X-Auth-Token: ***');
		expect(redactFields('HMAC-SHA256 apiKey=K, date=D, salt=S, signature=F')).toBe(
			'HMAC-SHA256 apiKey=***, date=D, salt=***, signature=***',
		);
		const prose = 'Huawei Cloud refused the token or signature (HTTP 401): check the token';
		expect(redactFields(prose)).toBe(prose);
		expect(redactText('the value s3cr3t-value shown', ['s3cr3t-value'])).toBe(
			'the value *** shown',
		);
	});
});
