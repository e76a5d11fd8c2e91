/**
 * The tiers' HTTP client for n8n: one fresh connection per request (`agent: false`, `Connection:
 * close`). Node's fetch keeps idle sockets and reuses them; n8n closes idle keep-alive sockets, and a
 * request written as it closes one fails with ECONNRESET after it may have run, which a delete
 * webhook must never resend. A new connection per request leaves no idle socket to race with.
 */
import http from 'node:http';

export interface FreshRequestInit {
	method?: string;
	headers?: Record<string, string>;
	body?: string;
	timeoutMs?: number;
}

/** Sends one request on its own connection and resolves with the whole answer as a `Response`. */
export function freshFetch(url: string | URL, init: FreshRequestInit = {}): Promise<Response> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{
				method: init.method ?? 'GET',
				agent: false,
				headers: { ...(init.headers ?? {}), connection: 'close' },
				timeout: init.timeoutMs,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('error', reject);
				res.on('end', () => {
					const headers = new Headers();
					for (const [name, value] of Object.entries(res.headers)) {
						for (const v of Array.isArray(value) ? value : [value ?? '']) headers.append(name, v);
					}
					const status = res.statusCode ?? 0;
					// A Response with status 204 or 304 takes no body.
					const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
					resolve(new Response(body, { status, statusText: res.statusMessage, headers }));
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`timeout after ${init.timeoutMs} ms: ${url}`)));
		req.on('error', reject);
		req.end(init.body);
	});
}
