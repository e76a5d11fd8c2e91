import type { MockReply, MockRequest } from './mockServer';
import { MockServer } from './mockServer';

/** What a connected OAuth2 credential holds (n8n's `oauthTokenData`). */
export interface IssuedTokens {
	access_token: string;
	refresh_token: string;
	token_type: 'bearer';
	expires_in: number;
	scope: string;
}

const invalidGrant: MockReply = {
	status: 400,
	body: {
		error: 'invalid_grant',
		error_description: 'The refresh token is invalid, expired or revoked',
	},
};

/**
 * The Avaya accounts host's OAuth2 token endpoint (`POST /oauth2/access_token`), serving the
 * refresh-token grant as RFC 6749 section 6 describes it: form-encoded body, client authenticated by
 * `client_id`/`client_secret` in the body (the credential's Authentication is "body") or HTTP
 * Basic, a new access token in JSON; `invalid_grant` for a refresh token it does not hold. Access
 * tokens expire after `ttlMs`. Refresh tokens rotate (the old one stops working), the stricter
 * of the two behaviours the RFC allows, so a second refresh with a stale refresh token fails as
 * it would at a provider that rotates.
 */
export class AvayaAccountsMock extends MockServer {
	readonly clientId = 'n8n-client';
	readonly clientSecret = 'good-client-secret';
	ttlMs = 3600_000;
	/** Access token → when it expires (epoch ms). */
	private readonly access = new Map<string, number>();
	private readonly refresh = new Set<string>();
	/** Every token it ever issued, for secret scans. */
	readonly minted: string[] = [];
	private n = 0;

	constructor() {
		super((request) => this.route(request));
	}

	/** Tokens as if the user had just connected the credential; `expired` gives an access token past its life. */
	issue(options: { expired?: boolean } = {}): IssuedTokens {
		const tokens = this.mint();
		if (options.expired) this.access.set(tokens.access_token, Date.now() - 1000);
		return tokens;
	}

	/** Whether Avaya Spaces accepts this access token now. */
	accepts(token: string): boolean {
		const expires = this.access.get(token);
		return expires !== undefined && expires > Date.now();
	}

	/** The access token's life is over (as an hour passing would end it). */
	expire(token: string): void {
		if (this.access.has(token)) this.access.set(token, Date.now() - 1000);
	}

	/** The user revoked the app's access, or the refresh token timed out. */
	revoke(refreshToken: string): void {
		this.refresh.delete(refreshToken);
	}

	/** Refresh-token grant requests received (successful or not). */
	refreshRequests(): MockRequest[] {
		return this.requestsTo(/^\/oauth2\/access_token$/).filter(
			(r) => new URLSearchParams(r.rawBody).get('grant_type') === 'refresh_token',
		);
	}

	private mint(): IssuedTokens {
		const k = ++this.n;
		const tokens: IssuedTokens = {
			access_token: `avaya-access-${k}-${Math.random().toString(36).slice(2)}`,
			refresh_token: `avaya-refresh-${k}-${Math.random().toString(36).slice(2)}`,
			token_type: 'bearer',
			expires_in: Math.round(this.ttlMs / 1000),
			scope: 'spaces',
		};
		this.access.set(tokens.access_token, Date.now() + this.ttlMs);
		this.refresh.add(tokens.refresh_token);
		this.minted.push(tokens.access_token, tokens.refresh_token);
		return tokens;
	}

	private clientOk(request: MockRequest, form: URLSearchParams): boolean {
		const basic = /^Basic (.+)$/i.exec(String(request.headers.authorization ?? ''));
		const [id, secret] = basic
			? Buffer.from(basic[1], 'base64').toString('utf8').split(':')
			: [form.get('client_id'), form.get('client_secret')];
		return id === this.clientId && secret === this.clientSecret;
	}

	private route(request: MockRequest): MockReply | undefined {
		if (request.method !== 'POST' || request.path !== '/oauth2/access_token') return undefined;
		const form = new URLSearchParams(request.rawBody);
		if (!this.clientOk(request, form))
			return {
				status: 401,
				body: { error: 'invalid_client', error_description: 'Client authentication failed' },
			};
		if (form.get('grant_type') !== 'refresh_token')
			return { status: 400, body: { error: 'unsupported_grant_type' } };
		const presented = form.get('refresh_token') ?? '';
		if (!this.refresh.has(presented)) return invalidGrant;
		this.refresh.delete(presented);
		return { status: 200, body: this.mint() };
	}
}
