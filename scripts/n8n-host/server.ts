/**
 * Long-running n8n: `n8n start` on 127.0.0.1 with a REST client holding the owner's session, and
 * `n8n worker` for queue mode.
 */
import crypto from 'node:crypto';

import { freshFetch } from './http';
import { startProcess } from './processes';
import type { N8nServer, RestResponse, Service, UserFolder } from './types';
import { getFreePort, httpGet, sleep } from './util';

/** Polls until ready() holds; throws with the process's log when it exits or the time runs out. */
async function waitReady(
	service: Service,
	what: string,
	timeoutMs: number,
	ready: () => Promise<boolean>,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const exited = service.exited();
		if (exited)
			throw new Error(
				`n8n-host: ${what} exited (${JSON.stringify(exited)}):\n${service.logs().slice(-4000)}`,
			);
		if (Date.now() > deadline) {
			await service.stop();
			throw new Error(`n8n-host: ${what} did not become ready:\n${service.logs().slice(-4000)}`);
		}
		try {
			if (await ready()) return;
		} catch {
			/* not listening yet */
		}
		await sleep(500);
	}
}

/** A JSON client for n8n's REST API that keeps the n8n-auth cookie once a login sets it. */
function restClient(baseUrl: string) {
	const browserId = `n8n-host-${crypto.randomBytes(8).toString('hex')}`;
	let cookie = '';
	const rest = async (method: string, urlPath: string, body?: unknown): Promise<RestResponse> => {
		const res = await freshFetch(`${baseUrl}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': browserId,
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const auth = (res.headers.getSetCookie?.() ?? [])
			.map((c) => c.split(';')[0])
			.find((c) => c.startsWith('n8n-auth='));
		if (auth) cookie = auth;
		const text = await res.text();
		let parsed: any = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			/* not JSON */
		}
		return { status: res.status, body: parsed, headers: res.headers };
	};
	return { rest, hasSession: () => cookie !== '' };
}

/** Starts `n8n start` on 127.0.0.1 and waits until its REST API answers. */
export async function startServer(
	folder: UserFolder,
	opts: { port?: number; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<N8nServer> {
	const port = opts.port ?? (await getFreePort());
	const baseUrl = `http://127.0.0.1:${port}`;
	const env = {
		...folder.env,
		N8N_PORT: String(port),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		WEBHOOK_URL: `${baseUrl}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(await getFreePort()),
		...(opts.env ?? {}),
	};
	const server = startProcess(folder.host.nodeBin, [folder.host.n8nBin, 'start'], {
		cwd: folder.dir,
		env,
	});
	// /healthz answers as soon as the port is open and /healthz/readiness once the DB is migrated,
	// both before the REST API is mounted: wait for /rest/settings to give JSON.
	await waitReady(server, `n8n start on ${baseUrl}`, opts.timeoutMs ?? 120000, async () => {
		if ((await httpGet(`${baseUrl}/healthz/readiness`, 2000)).status !== 200) return false;
		const s = await httpGet(`${baseUrl}/rest/settings`, 5000);
		return s.status === 200 && s.body.trimStart().startsWith('{');
	});
	const { rest, hasSession } = restClient(baseUrl);
	/** Creates the instance owner (first start of a folder), or logs in if it exists already. */
	const setupOwner = async (who: { email?: string; password?: string } = {}) => {
		const email = who.email ?? 'owner@example.com';
		const password = who.password ?? 'Test-Passw0rd!';
		let r = await rest('POST', '/rest/owner/setup', {
			email,
			firstName: 'E2E',
			lastName: 'Owner',
			password,
		});
		if (r.status !== 200)
			r = await rest('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
		if (r.status !== 200 || !hasSession()) {
			throw new Error(
				`n8n-host: owner setup/login failed (${r.status}): ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		}
		return r.body;
	};
	return { baseUrl, port, pid: server.pid, logs: server.logs, stop: server.stop, rest, setupOwner };
}

/**
 * Starts `n8n worker` (queue mode: the caller's env holds EXECUTIONS_MODE=queue and the Redis and
 * PostgreSQL settings) and waits until its health server answers /healthz/readiness.
 */
export async function startWorker(
	folder: UserFolder,
	opts: { env?: Record<string, string>; concurrency?: number; timeoutMs?: number } = {},
): Promise<Service & { healthPort: number }> {
	const healthPort = await getFreePort();
	const env = {
		...folder.env,
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(await getFreePort()),
		...(opts.env ?? {}),
	};
	const args = [folder.host.n8nBin, 'worker', `--concurrency=${opts.concurrency ?? 10}`];
	const worker = startProcess(folder.host.nodeBin, args, { cwd: folder.dir, env });
	await waitReady(worker, 'n8n worker', opts.timeoutMs ?? 120000, async () => {
		return (await httpGet(`http://127.0.0.1:${healthPort}/healthz/readiness`, 2000)).status === 200;
	});
	return { ...worker, healthPort };
}
