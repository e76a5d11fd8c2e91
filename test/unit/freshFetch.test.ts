import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { freshFetch } from '../../scripts/n8n-host';

/**
 * A server that answers the first request on a connection with `keep-alive` and resets the
 * connection when a second request arrives on it, as n8n does when its keep-alive timeout closes an
 * idle socket just as a request is written to it (ECONNRESET in test/e2e, issue 25).
 */
async function closingServer() {
	const served = new WeakMap<Socket, number>();
	/** Every request that arrived, answered or not; `hits` only the answered ones. */
	const received: string[] = [];
	const hits: string[] = [];
	let connections = 0;
	const server = http.createServer((req, res) => {
		received.push(`${req.method} ${req.url}`);
		const n = (served.get(req.socket) ?? 0) + 1;
		served.set(req.socket, n);
		if (n > 1) {
			req.socket.resetAndDestroy();
			return;
		}
		req.resume();
		req.on('end', () => {
			hits.push(`${req.method} ${req.url}`);
			res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' });
			res.end(JSON.stringify({ ok: n }));
		});
	});
	server.on('connection', () => connections++);
	server.keepAliveTimeout = 60000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		hits,
		connections: () => connections,
		close: () => {
			server.closeAllConnections();
			return new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

describe('freshFetch (the tiers’ client for n8n)', () => {
	it('sends every request on a new connection, so a socket the server closes is never reused', async () => {
		const srv = await closingServer();
		try {
			for (let i = 0; i < 3; i++) {
				const res = await freshFetch(`${srv.url}/webhook/x${i}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ id: [i] }),
				});
				expect(res.status).toBe(200);
				expect(await res.json()).toEqual({ ok: 1 });
			}
			// Each request arrived once and was answered: none was written to a socket being closed.
			expect(srv.received).toEqual(['POST /webhook/x0', 'POST /webhook/x1', 'POST /webhook/x2']);
			expect(srv.hits).toEqual(srv.received);
			expect(srv.connections()).toBe(3);
		} finally {
			await srv.close();
		}
	});

	it('the fixture is real: a keep-alive client reuses the socket and its POST fails with ECONNRESET', async () => {
		const srv = await closingServer();
		const agent = new http.Agent({ keepAlive: true });
		const post = (path: string) =>
			new Promise<number>((resolve, reject) => {
				const req = http.request(`${srv.url}${path}`, { method: 'POST', agent }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				});
				req.on('error', reject);
				req.end('{}');
			});
		try {
			expect(await post('/webhook/a')).toBe(200);
			await new Promise((resolve) => setImmediate(resolve)); // the socket back in the pool
			await expect(post('/webhook/b')).rejects.toThrow(/ECONNRESET|socket hang up/);
			// It reached the server on the old socket: a delete webhook may have run.
			expect(srv.received).toEqual(['POST /webhook/a', 'POST /webhook/b']);
			expect(srv.connections()).toBe(1);
		} finally {
			agent.destroy();
			await srv.close();
		}
	});

	it('keeps repeated headers (set-cookie) and answers without a body for 204', async () => {
		const server = http.createServer((_req, res) => {
			if (_req.url === '/empty') {
				res.writeHead(204);
				res.end();
				return;
			}
			res.setHeader('set-cookie', ['a=1; Path=/', 'n8n-auth=t; HttpOnly']);
			res.end('x');
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		try {
			const res = await freshFetch(url);
			expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'n8n-auth=t; HttpOnly']);
			expect(await res.text()).toBe('x');
			const empty = await freshFetch(`${url}/empty`);
			expect(empty.status).toBe(204);
			expect(await empty.text()).toBe('');
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	});
});
