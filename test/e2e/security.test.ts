import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import * as n8nHost from '../../scripts/n8n-host';
import type { CredentialInstance } from '../harness';
import { MockServer } from '../mocks/mockServer';
import type { MockRequest } from '../mocks/mockServer';
import type { ProviderEnv } from '../reliability/providers';
import { ADAPTERS, checkInvariant } from '../reliability/providers';
import { assertNoSecrets, secretValues } from '../support/secretScan';
import type { Execution } from './execute';
import type { Branch } from './workflow';
import { buildWorkflow } from './workflow';

/**
 * The security tier in a REAL n8n, both lines, with the packed package (docs/security.md): for
 * every registered provider with its default credential, a delete answered with a redirect to another
 * local port (the attacker gets nothing, nothing on Success); the credential's Allowed HTTP Request
 * Domains set to Specific Domains (without the host) and None (nothing sent); a trickling answer
 * (ends within Timeout × (Max Retries + 1)); and a Quectel login refused with an answer echoing
 * its form. Every run is executed with debug logs, and its output, the stored execution and every
 * file n8n wrote are scanned for every secret.
 *
 * E2E_LINES=1 (or 2) limits the run to one line.
 */

const LINES = (process.env.E2E_LINES ?? '1,2')
	.split(',')
	.map((l) => l.trim())
	.filter((l) => l === '1' || l === '2') as Array<'1' | '2'>;
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const RUN_TIMEOUT = 180 * 1000;
const LOGIN_PATH = /\/emailPwdLogin$/;

type Folder = Awaited<ReturnType<typeof n8nHost.createUserFolder>>;

/** Every file under a folder, as text (binary files such as n8n's SQLite database included). */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
	const out: Array<{ path: string; text: string }> = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const stat = statSync(path);
		if (stat.isDirectory()) {
			if (name === 'node_modules') continue;
			out.push(...filesUnder(path));
		} else if (stat.size < 200 * 1024 * 1024) {
			out.push({ path, text: readFileSync(path).toString('latin1') });
		}
	}
	return out;
}

describe.each(LINES)('real n8n %s.x: security', (line) => {
	let folder: Folder;
	const envs: ProviderEnv[] = [];
	let attacker: MockServer;
	const secrets: string[] = [];
	/** What the providers' delete endpoints do in the current test. */
	let fault: 'redirect' | 'trickle' | 'loginEcho' | undefined;
	/** Credentials as saved, by provider and variant. */
	const saved = new Map<string, CredentialInstance[]>();

	const variant = (env: ProviderEnv, name: string, extra: IDataObject): CredentialInstance[] =>
		env.credentials('default').map((c) => ({
			...c,
			id: `${c.id}-${name}`,
			name: `${c.name} ${name}`,
			data: { ...c.data, ...extra } as CredentialInstance['data'],
		}));

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(line);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		// Every registered provider, with its default credential (the in-engine tier, test/security,
		// covers every credential type).
		for (const adapter of ADAPTERS) envs.push(await adapter.start());
		// The attacker answers as the real provider would, so a followed redirect would look like a
		// deletion; it records every request.
		attacker = new MockServer((request: MockRequest) => {
			const env = envs.find((e) => e.deletePath.test(request.path));
			return (env?.mock as unknown as { handler: (r: MockRequest) => never })?.handler(request);
		});
		await attacker.start();
		for (const env of envs)
			env.hook((request) => {
				if (fault === 'loginEcho' && LOGIN_PATH.test(request.path))
					return {
						kind: 'reply',
						status: 200,
						body: {
							code: 5583,
							msg: `Incorrect password for form ${request.rawBody}`,
							extMsg: JSON.stringify(Object.fromEntries(new URLSearchParams(request.rawBody))),
						},
					};
				if (!env.deletePath.test(request.path)) return undefined;
				if (fault === 'trickle') return { kind: 'trickle', everyMs: 100 };
				if (fault === 'redirect')
					return {
						kind: 'reply',
						status: 307,
						headers: { location: `${attacker.baseUrl}${request.path}?${request.query.toString()}` },
					};
				return undefined;
			});
		const all: CredentialInstance[] = [];
		for (const env of envs) {
			const variants: Array<[string, IDataObject]> = [
				['plain', {}],
				['domains', { allowedHttpRequestDomains: 'domains', allowedDomains: 'example.com' }],
				['none', { allowedHttpRequestDomains: 'none' }],
				// A credential that has not logged in yet (Quectel's account login is what is echoed).
				['echo', {}],
			];
			for (const [name, extra] of variants) {
				const list = name === 'plain' ? env.credentials('default') : variant(env, name, extra);
				saved.set(`${env.provider}/${name}`, list);
				all.push(...list);
			}
		}
		secrets.push(...secretValues(all.map((c) => c.data)));
		await n8nHost.importCredentials(folder, all);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await Promise.all(envs.map((env) => env.close()));
		await attacker?.close();
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	const branch = (
		env: ProviderEnv,
		credential: string,
		ids: string[],
		options: IDataObject = {},
	): Branch => ({
		name: `${env.provider} ${credential}`,
		parameters: env.parameters({ maxRetries: 1, ...options } as never),
		credentials: Object.fromEntries(
			saved.get(`${env.provider}/${credential}`)!.map((c) => [c.type, { id: c.id, name: c.name }]),
		),
		items: env.items(ids, 1),
		settings: { onError: 'continueRegularOutput' },
	});

	/** Run with debug-level logs, then scan what n8n printed, stored and wrote. */
	async function execute(id: string, branches: Branch[]): Promise<Execution> {
		const workflow = buildWorkflow(id, `e2e ${id}`, branches);
		await n8nHost.importWorkflow(folder, workflow);
		const result = await n8nHost.executeWorkflow(folder, id, {
			env: { N8N_LOG_LEVEL: 'debug' },
		});
		if (!result.execution) throw new Error(`no execution:\n${result.stderr.slice(-3000)}`);
		assertNoSecrets(result.stdout + result.stderr, secrets);
		assertNoSecrets(result.execution, secrets);
		for (const file of filesUnder(folder.n8nDir)) {
			try {
				assertNoSecrets(file.text, secrets);
			} catch (error) {
				throw new Error(`${file.path}: ${(error as Error).message}`);
			}
		}
		return result;
	}

	const output = (execution: Execution, name: string, index: number) =>
		(n8nHost.outputOf(execution.execution, name, index) ?? []) as INodeExecutionData[];

	it(
		'a delete answered with a redirect to another host: nothing reaches it, nothing on Success',
		async () => {
			const seeded = envs.map((env) => env.seed(2));
			fault = 'redirect';
			const result = await execute(
				`e2eSecRedirect${line}`,
				envs.map((env, i) => branch(env, 'plain', seeded[i])),
			);
			expect(attacker.requests).toHaveLength(0);
			envs.forEach((env, i) => {
				const name = `${env.provider} plain`;
				expect(output(result, name, 0)).toHaveLength(0);
				const failure = output(result, name, 1);
				expect(failure.map((f) => f.json.code)).toEqual(seeded[i].map(() => 'REDIRECT'));
				expect(String(failure[0].json.message)).toContain(attacker.baseUrl);
				checkInvariant(
					env,
					{ success: output(result, name, 0), failure } as never,
					seeded[i].map((id) => [id]),
				);
			});
		},
		RUN_TIMEOUT,
	);

	it(
		"the credential's Allowed HTTP Request Domains (Specific Domains without this host, and None): nothing is sent",
		async () => {
			fault = undefined;
			const before = envs.map((env) => env.mock.requests.length);
			const seeded = envs.map((env) => [env.seed(1), env.seed(1)]);
			const result = await execute(
				`e2eSecDomains${line}`,
				envs.flatMap((env, i) => [
					branch(env, 'domains', seeded[i][0]),
					branch(env, 'none', seeded[i][1]),
				]),
			);
			envs.forEach((env, i) => {
				expect(env.mock.requests.length).toBe(before[i]);
				for (const credential of ['domains', 'none']) {
					const name = `${env.provider} ${credential}`;
					expect(output(result, name, 0)).toHaveLength(0);
					expect(JSON.stringify(output(result, name, 1))).toMatch(/HOST_NOT_ALLOWED/);
				}
			});
		},
		RUN_TIMEOUT,
	);

	it(
		'a trickling answer ends within Timeout × (Max Retries + 1) plus a few seconds, its IDs unknown',
		async () => {
			const seeded = envs.map((env) => env.seed(1));
			fault = 'trickle';
			const timeout = 2000;
			const result = await execute(
				`e2eSecTrickle${line}`,
				envs.map((env, i) => branch(env, 'plain', seeded[i], { timeout, retryDelay: 0 })),
			);
			const runData = (result.execution as IDataObject).data as {
				resultData: { runData: Record<string, Array<{ executionTime: number }>> };
			};
			for (const env of envs) {
				const name = `${env.provider} plain`;
				expect(runData.resultData.runData[name][0].executionTime).toBeLessThan(timeout * 2 + 5000);
				expect(output(result, name, 0)).toHaveLength(0);
				expect(output(result, name, 1).map((f) => [f.json.status, f.json.code])).toEqual([
					['unknown', 'TIMEOUT'],
				]);
			}
		},
		RUN_TIMEOUT,
	);

	it(
		'a Quectel login refused with an answer echoing its form: no encrypted password, random or signature anywhere',
		async () => {
			const env = envs.find((e) => e.provider === 'quectel')!;
			const ids = env.seed(1);
			fault = 'loginEcho';
			const before = env.mock.requests.length;
			const result = await execute(`e2eSecEcho${line}`, [branch(env, 'echo', ids)]);
			fault = undefined;
			const logins = env.mock.requests.slice(before).filter((r) => LOGIN_PATH.test(r.path));
			expect(logins.length).toBeGreaterThan(0);
			const derived = logins.flatMap((r) => {
				const form = new URLSearchParams(r.rawBody);
				return ['pwd', 'random', 'signature'].map((name) => form.get(name)!);
			});
			const shown = [result.stdout, result.stderr, JSON.stringify(result.execution)].join('\n');
			expect(shown).toMatch(/Quectel login failed \(code 5583/);
			for (const value of derived) {
				expect(value.length).toBeGreaterThan(4);
				assertNoSecrets(shown, [value, encodeURIComponent(value)]);
				for (const file of filesUnder(folder.n8nDir))
					assertNoSecrets(file.text, [value, encodeURIComponent(value)]);
			}
			expect(output(result, `${env.provider} echo`, 0)).toHaveLength(0);
		},
		RUN_TIMEOUT,
	);
});
