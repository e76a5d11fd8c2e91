import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { createTransport } from '../../nodes/BatchDelete/engine/transport';

/**
 * The transport's OAuth2 refresh send, against a fake execute context that behaves as n8n-core's
 * `requestOAuth2` does: a request whose status errors are not ignored throws on 401, n8n refreshes
 * (or fails to), stores the new token and resends; every throw reaches the node as a NodeApiError.
 */

const node: INode = {
	id: '1',
	name: 'Batch Delete',
	type: 'batchDelete',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const axiosError = (status: number) =>
	Object.assign(new Error(`Request failed with status code ${status}`), {
		isAxiosError: true,
		response: { status, data: '', headers: {} },
	});

interface Step {
	/** What the provider answers to the request n8n sends with the stored token. */
	provider: (token: string) => number;
	/** What the token endpoint does on a refresh: a new access token, or an error to throw. */
	refresh: () => string | Error;
}

function fakeContext(step: Step) {
	const stored: IDataObject = {
		clientId: 'client',
		oauthTokenData: { access_token: 'old-access-token', refresh_token: 'refresh-token-1' },
	};
	const seen: IHttpRequestOptions[] = [];
	let refreshes = 0;
	const token = () => String((stored.oauthTokenData as IDataObject).access_token);
	const answer = (status: number) => ({
		statusCode: status,
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ status }),
	});
	const ctx = {
		getNode: () => node,
		getCredentials: async () => structuredClone(stored),
		helpers: {
			async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
				seen.push(options);
				try {
					const status = step.provider(token());
					if (status < 400 || options.ignoreHttpStatusErrors === true) return answer(status);
					if (status !== 401) throw axiosError(status);
					refreshes++;
					const refreshed = step.refresh();
					if (refreshed instanceof Error) throw refreshed;
					stored.oauthTokenData = {
						...(stored.oauthTokenData as IDataObject),
						access_token: refreshed,
					};
					const again = step.provider(token());
					if (again >= 400) throw axiosError(again);
					return answer(again);
				} catch (error) {
					throw new NodeApiError(node, error as never);
				}
			},
		},
	} as unknown as IExecuteFunctions;
	const secrets: string[] = [];
	const sender = createTransport(ctx, 'avayaSpacesOAuth2Api', {
		timeoutMs: 1000,
		oAuth2: true,
		secrets,
	});
	return { sender, seen, secrets, refreshes: () => refreshes };
}

const request: IHttpRequestOptions = { method: 'POST', url: 'http://provider/delete', body: ['a'] };
const expired = (token: string) => (token === 'old-access-token' ? 401 : 200);

describe('transport, OAuth2 refresh', () => {
	it('can refresh an OAuth2 credential; ordinary sends ignore status errors, the refresh send lets n8n see the 401', async () => {
		const t = fakeContext({ provider: expired, refresh: () => 'new-access-token' });
		expect(t.sender.canRefresh).toBe(true);
		expect(await t.sender.send(request, false)).toMatchObject({
			kind: 'response',
			statusCode: 401,
		});
		expect(t.refreshes()).toBe(0);
		const result = await t.sender.send(request, true);
		expect(result).toMatchObject({ kind: 'response', statusCode: 200, body: { status: 200 } });
		expect(t.seen.map((o) => o.ignoreHttpStatusErrors)).toEqual([true, false]);
		expect(t.refreshes()).toBe(1);
		// The refreshed token is masked from now on.
		expect(t.secrets).toContain('new-access-token');
		expect(await t.sender.send(request, false)).toMatchObject({
			kind: 'response',
			statusCode: 200,
		});
	});

	it('a refresh the token endpoint refuses ends as a credential failure that says to reconnect', async () => {
		const revoked = Object.assign(
			new Error('The provided authorization grant is invalid, expired, revoked'),
			{ code: 'EAUTH', body: { error: 'invalid_grant' } },
		);
		const t = fakeContext({ provider: expired, refresh: () => revoked });
		const result = await t.sender.send(request, true);
		expect(result).toEqual({
			kind: 'credential',
			code: 'OAUTH2_REFRESH_FAILED',
			message:
				'n8n could not refresh the OAuth2 access token (The provided authorization grant is invalid, expired, revoked): reconnect the credential',
		});
	});

	it("a token endpoint answering an error status is a failed refresh too, not the provider's answer", async () => {
		const t = fakeContext({ provider: expired, refresh: () => axiosError(502) });
		expect(await t.sender.send(request, true)).toMatchObject({
			kind: 'credential',
			code: 'OAUTH2_REFRESH_FAILED',
		});
	});

	it('a 401 after a successful refresh ends as a credential failure', async () => {
		const t = fakeContext({ provider: () => 401, refresh: () => 'new-access-token' });
		expect(await t.sender.send(request, true)).toEqual({
			kind: 'credential',
			code: 'HTTP_401',
			message:
				'The provider refused the refreshed OAuth2 access token too (HTTP 401): reconnect the credential',
		});
		expect(t.secrets).toContain('new-access-token');
	});

	it('another status after a successful refresh comes back as that status, for the provider to read', async () => {
		const t = fakeContext({
			provider: (token) => (token === 'old-access-token' ? 401 : 503),
			refresh: () => 'new-access-token',
		});
		expect(await t.sender.send(request, true)).toEqual({
			kind: 'response',
			statusCode: 503,
			headers: {},
			body: undefined,
			rawBody: '',
		});
	});

	it('a timeout during the refresh send stays a timeout (the request may have been applied)', async () => {
		const t = fakeContext({
			provider: expired,
			refresh: () =>
				Object.assign(new Error('timeout of 1000ms exceeded'), { code: 'ECONNABORTED' }),
		});
		expect(await t.sender.send(request, true)).toMatchObject({
			kind: 'network',
			code: 'TIMEOUT',
			maybeApplied: true,
		});
	});

	it('masks secrets in the reason it reports', async () => {
		const t = fakeContext({
			provider: expired,
			refresh: () => new Error('refresh-token-1 was revoked'),
		});
		const result = await t.sender.send(request, true);
		expect(result).toMatchObject({
			kind: 'credential',
			message:
				'n8n could not refresh the OAuth2 access token (*** was revoked): reconnect the credential',
		});
	});
});

describe('errors that are not credential refusals', () => {
	const throwing = (error: Error) =>
		({
			getNode: () => node,
			getCredentials: async () => ({}),
			helpers: {
				async httpRequestWithAuthentication() {
					throw error;
				},
			},
		}) as unknown as IExecuteFunctions;
	const send = async (error: Error) =>
		await createTransport(throwing(error), 'someApi', { timeoutMs: 1000, secrets: [] }).send(
			{ url: 'https://provider.example/delete' },
			false,
		);
	const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

	it.each([
		'CERT_HAS_EXPIRED',
		'DEPTH_ZERO_SELF_SIGNED_CERT',
		'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
		'ERR_TLS_CERT_ALTNAME_INVALID',
	])(
		'a certificate refused in the handshake (%s) was certainly not sent: its real cause, never "refused the credentials"',
		async (code) => {
			expect(await send(coded(code, 'certificate problem'))).toEqual({
				kind: 'network',
				code,
				message: `The provider's TLS certificate was refused (${code}: certificate problem), so nothing was sent`,
				maybeApplied: false,
			});
		},
	);

	it('an HTTP parser error after the request went out may have been applied', async () => {
		expect(await send(coded('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'))).toEqual({
			kind: 'network',
			code: 'HPE_INVALID_CONSTANT',
			message: 'Parse Error: Expected HTTP/',
			maybeApplied: true,
		});
	});

	it('a bare error (a credential that could not sign or log in) stays a credential failure', async () => {
		expect(await send(new Error('The SOLAPI credential needs an API key'))).toMatchObject({
			kind: 'credential',
			code: 'AUTH_FAILED',
		});
	});
});
