import * as fs from 'node:fs';
import * as path from 'node:path';

import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import type { Provider } from '../../nodes/BatchDelete/engine/types';
import { PROVIDERS as REGISTRY } from '../../nodes/BatchDelete/providers';
import * as n8nHost from '../../scripts/n8n-host';
import type { AvayaSpacesMock } from '../mocks/avayaSpaces';
import type { ProviderEnv } from '../reliability/providers';
import { avaya } from '../reliability/providers';
import { declaredCredentialTypes } from '../support/runBatchDelete';

/**
 * The node in n8n's real editor: Debian's Chromium (headless, driven by playwright-core) opens the
 * editor that `n8n start` serves on 127.0.0.1, signs in as the owner, adds Batch Delete from the
 * node creator, switches through the five providers and checks that each shows its own parameters
 * and offers only its own credential types. Then it runs a saved workflow from the editor and
 * checks the run's two outputs. Screenshots go to docs/screenshots/ (the README shows them).
 *
 * Both n8n lines (1.123.50 and 2.41.1), or the one EDITOR_LINE names. The browser may reach nothing but the n8n server: every other request is
 * aborted (the editor asks the npm registry about community package versions, loads fonts...).
 * Skipped with a message when /usr/bin/chromium (or CHROMIUM_PATH) is missing; .ci/run installs it.
 */

// Both lines unless EDITOR_LINE names one: what the editor offers differs between them.
const LINES = (process.env.EDITOR_LINE ? [process.env.EDITOR_LINE] : ['1', '2']) as Array<
	'1' | '2'
>;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Every run saves its screenshots (each provider's panel, the credential forms, a run's outputs,
// per line) as a test artefact in .tmp/editor-screenshots/ (ignored by git), or in
// EDITOR_SCREENSHOTS; docs/screenshots/ holds a few of them, copied by hand.
const SHOTS =
	process.env.EDITOR_SCREENSHOTS ?? path.join(__dirname, '..', '..', '.tmp', 'editor-screenshots');
const INSTALL_TIMEOUT = 40 * 60 * 1000;
const TEST_TIMEOUT = 3 * 60 * 1000;
const OWNER = { email: 'owner@example.com', password: 'Test-Passw0rd!' };

/**
 * Per provider, from the registry: its label in the Provider list, the parameters only it shows
 * with the defaults (its Authentication selector, its own parameters whose display conditions the
 * defaults meet, and the ID field unless it reads items itself), and the credential it offers by
 * default. A new provider is checked here without an edit.
 */
function shownByDefault(provider: Provider<unknown>, property: INodeProperties): boolean {
	const defaults: Record<string, unknown> = Object.fromEntries(
		provider.properties.map((p) => [p.name, p.default]),
	);
	if (provider.authParameter !== undefined)
		defaults[provider.authParameter] = provider.credentials[0].value;
	const show = property.displayOptions?.show ?? {};
	return Object.entries(show).every(
		([name, values]) => name === 'provider' || (values as unknown[]).includes(defaults[name]),
	);
}
const credentialName = (
	provider: Provider<unknown>,
	choice: Provider<unknown>['credentials'][number],
) => `${provider.displayName} ${choice.displayName}`;
const PROVIDERS = REGISTRY.map((provider) => ({
	id: provider.id,
	label: provider.displayName,
	own: [
		...(provider.authParameter === undefined ? [] : [provider.authParameter]),
		...provider.properties.filter((p) => shownByDefault(provider, p)).map((p) => p.name),
		...(provider.readTargets === undefined ? ['idField'] : []),
	],
	credentials: [credentialName(provider, provider.credentials[0])],
}));
const PROVIDER_ONLY_PARAMETERS = [
	...new Set(PROVIDERS.flatMap((p) => p.own.filter((name) => name !== 'idField'))),
];

/** One saved credential per type the registry uses, named as above. Values are never sent: every
 * text field gets a placeholder, every other field its default. */
const CREDENTIALS: Array<{ type: string; name: string; data: IDataObject }> = REGISTRY.flatMap(
	(provider) =>
		provider.credentials.map((choice) => {
			const type = declaredCredentialTypes().find((t) => t.name === choice.name)!;
			const data: IDataObject = {};
			for (const property of type.properties) {
				if (property.type === 'hidden' || property.type === 'notice') continue;
				data[property.name] =
					property.type === 'string' && (property.default === '' || property.default === undefined)
						? 'editor-test'
						: (property.default as IDataObject[string]);
			}
			return { type: choice.name, name: credentialName(provider, choice), data };
		}),
);

const chromiumThere = fs.existsSync(CHROMIUM);
if (!chromiumThere) {
	console.warn(
		`editor.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
	);
}
const describeIfChromium = chromiumThere ? describe : describe.skip;

describeIfChromium.each(LINES)("the node in n8n's editor (n8n %s.x, Chromium)", (LINE) => {
	/** Screenshot file for this line: `node-panel-n8n1.png`. */
	const shot = (name: string) => path.join(SHOTS, `${name}-n8n${LINE}.png`);
	let folder: Awaited<ReturnType<typeof n8nHost.createUserFolder>>;
	let server: Awaited<ReturnType<typeof n8nHost.startServer>>;
	let browser: Browser;
	let page: Page;
	let env: ProviderEnv;
	const blocked = new Set<string>();

	beforeAll(async () => {
		const host = await n8nHost.ensureHost(LINE);
		const tarball = await n8nHost.packPackage();
		folder = await n8nHost.createUserFolder(host, { tarball });
		env = await avaya.start();
		server = await n8nHost.startServer(folder);
		await server.setupOwner(OWNER);
		for (const c of CREDENTIALS) {
			const r = await server.rest('POST', '/rest/credentials', c);
			if (r.status !== 200)
				throw new Error(
					`saving ${c.type}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`,
				);
		}
		fs.mkdirSync(SHOTS, { recursive: true });
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		// A fresh profile (playwright's own temporary user-data-dir), 127.0.0.1 only.
		const context = await browser.newContext({
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
		});
		const origin = new URL(server.baseUrl).origin;
		await context.route('**/*', async (route) => {
			const url = new URL(route.request().url());
			if (url.origin === origin || url.protocol === 'data:' || url.protocol === 'blob:')
				return await route.continue();
			blocked.add(url.host);
			return await route.abort();
		});
		page = await context.newPage();
		page.setDefaultTimeout(30000);
		// Sign in as a user would.
		await page.goto(`${server.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
		await page.locator('input[type=email]').fill(OWNER.email);
		await page.locator('input[type=password]').fill(OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL(/\/(home|workflows)/);
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		await env?.close();
		if (folder) await n8nHost.removeUserFolder(folder);
	});

	const ndv = () => page.locator('[data-test-id="ndv"]');
	const parametersShown = async (panel: Locator) =>
		await panel
			.locator('[data-test-id="node-parameters"] [data-test-id^="parameter-input-"]')
			.evaluateAll((els) =>
				els.map((e) => (e.getAttribute('data-test-id') ?? '').replace(/^parameter-input-/, '')),
			);

	/** Opens "Credential to connect with" until `item` shows. The select is drawn again when the
	 * provider or Authentication changes: a click may land on the old one. */
	async function openCredentialList(panel: Locator, item: Locator): Promise<void> {
		for (let attempt = 1; ; attempt++) {
			await panel.locator('[data-test-id="node-credentials-select"]').click();
			const open = await item
				.first()
				.waitFor({ timeout: 5000 })
				.then(() => true)
				.catch(() => false);
			if (open) return;
			if (attempt === 3) {
				await page.screenshot({ path: shot('debug-credential-list') });
				throw new Error('the credential list did not open');
			}
		}
	}

	/** The credentials the panel's "Credential to connect with" list offers. */
	async function credentialsOffered(panel: Locator): Promise<string[]> {
		// One item per saved credential of the types the node accepts here, and "Create new credential".
		const items = page.locator(
			'[data-test-id^="node-credentials-select-item-"]:not([data-test-id="node-credentials-select-item-new"]):visible',
		);
		await openCredentialList(panel, items);
		const names = (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim());
		// Close the list by clicking the Provider label, not Escape (Escape closes the panel on n8n 2.x).
		await panel.locator('[data-test-id="node-credentials-select"]').click();
		await items
			.first()
			.waitFor({ state: 'hidden', timeout: 5000 })
			.catch(async () => {
				await page.keyboard.press('Escape');
			});
		return names;
	}

	it(
		'adds Batch Delete from the node creator; each provider shows its own parameters and credential',
		async () => {
			await page.goto(`${server.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.locator('[data-test-id="canvas-plus-button"]').click();
			await page.locator('[data-test-id="node-creator-search-bar"]').fill('Batch Delete');
			await page
				.locator('[data-test-id="node-creator-item-name"]', { hasText: /^Batch Delete$/ })
				.first()
				.click();
			// A community node first shows its card ("Installed", "Via npm"): add it from there.
			await page.getByRole('button', { name: 'Add to workflow' }).click();
			const panel = ndv();
			await panel.locator('[data-test-id="parameter-input-provider"]').waitFor();

			const seen: Record<string, { parameters: string[]; credentials: string[] }> = {};
			for (const provider of [...PROVIDERS.slice(1), PROVIDERS[0]]) {
				await panel.locator('[data-test-id="parameter-input-provider"]').click();
				await page
					.locator('.el-select-dropdown__item:visible', { hasText: provider.label })
					.first()
					.click();
				await expectValue(
					panel.locator('[data-test-id="parameter-input-provider"] input'),
					provider.label,
				);
				const parameters = await parametersShown(panel);
				const credentials = await credentialsOffered(panel);
				seen[provider.label] = { parameters, credentials };
				await page.mouse.move(720, 880);
				await page.screenshot({ path: shot(`panel-${provider.id}`) });
				for (const own of provider.own)
					expect([provider.label, own, parameters.includes(own)]).toEqual([
						provider.label,
						own,
						true,
					]);
				for (const other of PROVIDER_ONLY_PARAMETERS.filter(
					(name) => !provider.own.includes(name),
				)) {
					expect([provider.label, other, parameters.includes(other)]).toEqual([
						provider.label,
						other,
						false,
					]);
				}
				expect([provider.label, credentials]).toEqual([provider.label, provider.credentials]);
			}

			// Authentication switches the credential type within a provider.
			await panel.locator('[data-test-id="parameter-input-avayaSpacesAuthentication"]').click();
			await page
				.locator('.el-select-dropdown__item:visible', { hasText: 'OAuth2' })
				.first()
				.click();
			expect(await credentialsOffered(panel)).toEqual(['Avaya Spaces OAuth2']);
			expect(CREDENTIALS.map((c) => c.name)).toContain('SOLAPI API Key');

			// The panel as a user sets it up for SOLAPI.
			await panel.locator('[data-test-id="parameter-input-provider"]').click();
			await page
				.locator('.el-select-dropdown__item:visible', { hasText: 'SOLAPI' })
				.first()
				.click();
			await panel.locator('[data-test-id="node-credentials-select"]').click();
			await page
				.locator('[data-test-id^="node-credentials-select-item-"]:visible', {
					hasText: 'SOLAPI API Key',
				})
				.first()
				.click();
			await panel
				.locator('[data-test-id="parameter-input-solapiGroupId"] input')
				.fill('G4V20260101000000ABCDEFGHIJKLMN');
			await expectValue(
				panel.locator('[data-test-id="node-credentials-select"] input'),
				'SOLAPI API Key',
			);
			// Leave the field (its tip closes) and the mouse off every control (no tooltip).
			await page.keyboard.press('Tab');
			await page.mouse.move(720, 880);
			await page.waitForTimeout(300);
			await page.screenshot({ path: shot('node-panel') });
			if (process.env.E2E_DEBUG) console.log(JSON.stringify(seen, null, 1));
		},
		TEST_TIMEOUT,
	);

	/** Opens a new workflow and adds Batch Delete through the node creator's search. */
	async function addNode(): Promise<Locator> {
		await page.goto(`${server.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await page.locator('[data-test-id="canvas-plus-button"]').click();
		await page.locator('[data-test-id="node-creator-search-bar"]').fill('Batch Delete');
		await page
			.locator('[data-test-id="node-creator-item-name"]', { hasText: /^Batch Delete$/ })
			.first()
			.click();
		await page.getByRole('button', { name: 'Add to workflow' }).click();
		const panel = ndv();
		await panel.locator('[data-test-id="parameter-input-provider"]').waitFor();
		return panel;
	}

	/** Picks an option of a select parameter in the panel by its exact label. */
	async function choose(panel: Locator, parameter: string, label: string): Promise<void> {
		await panel.locator(`[data-test-id="parameter-input-${parameter}"]`).click();
		await page
			.locator('.el-select-dropdown__item:visible', { hasText: exactly(label) })
			.first()
			.click();
		await expectValue(panel.locator(`[data-test-id="parameter-input-${parameter}"] input`), label);
	}

	it(
		'"Create new credential" opens the form of each provider and Authentication; Provider stays in the panel',
		async () => {
			const panel = await addNode();
			const types = declaredCredentialTypes();
			const forms: Record<string, { name: string; fields: string[] }> = {};
			for (const provider of REGISTRY) {
				await choose(panel, 'provider', provider.displayName);
				for (const choice of provider.credentials) {
					if (provider.authParameter !== undefined)
						await choose(panel, provider.authParameter, choice.displayName);
					// Provider is still there: n8n did not take it for the node's authentication field.
					await panel.locator('[data-test-id="parameter-input-provider"]').waitFor();
					const createNew = page.locator(
						'[data-test-id="node-credentials-select-item-new"]:visible',
					);
					await openCredentialList(panel, createNew);
					await createNew.click();
					const dialog = page.locator('[data-test-id="credential-edit-dialog"]:visible');
					await dialog.waitFor();
					await dialog.locator('[data-test-id^="parameter-input-"]').first().waitFor();
					await page.waitForTimeout(300);
					const fields = await dialog
						.locator('[data-test-id^="parameter-input-"]')
						.evaluateAll((els) =>
							els.map((e) =>
								(e.getAttribute('data-test-id') ?? '').replace(/^parameter-input-/, ''),
							),
						);
					await page.screenshot({ path: shot(`credential-${provider.id}-${choice.value}`) });
					// The name n8n proposes sits in the modal's header, outside the form.
					const name = await page
						.locator('[data-test-id="credential-name"]:visible')
						.first()
						.innerText({ timeout: 5000 })
						.catch(() => '');
					forms[`${provider.id}/${choice.value}`] = { name, fields };
					// The form is this type's: its own fields are there, no field only another type has.
					const own = (type: string) =>
						types
							.find((t) => t.name === type)!
							.properties.filter(
								(p) => p.type !== 'hidden' && p.type !== 'notice' && p.displayOptions === undefined,
							)
							.map((p) => p.name);
					const mine = own(choice.name);
					for (const field of mine)
						expect([choice.name, field, fields.includes(field)]).toEqual([
							choice.name,
							field,
							true,
						]);
					for (const other of REGISTRY.flatMap((p) => p.credentials)) {
						if (other.name === choice.name) continue;
						for (const field of own(other.name).filter((f) => !mine.includes(f)))
							expect([choice.name, other.name, field, fields.includes(field)]).toEqual([
								choice.name,
								other.name,
								field,
								false,
							]);
					}
					// The modal's header names the type; n8n names the credential "<type without API>
					// account": never "... Account account".
					const typeName = types.find((t) => t.name === choice.name)!.displayName;
					expect([
						choice.name,
						await page.getByText(typeName, { exact: true }).first().isVisible(),
					]).toEqual([choice.name, true]);
					expect(name).not.toMatch(/account account/i);
					await closeDialog();
				}
			}
			if (process.env.E2E_DEBUG) console.log(JSON.stringify(forms, null, 1));
		},
		TEST_TIMEOUT,
	);

	it(
		'adding an option starts it at the value the node uses for the provider (Batch Size, Max Requests per Second)',
		async () => {
			const seen: Record<string, Record<string, number>> = {};
			for (const provider of REGISTRY) {
				const panel = await addNode();
				await choose(panel, 'provider', provider.displayName);
				const wanted: Record<string, [string, number]> = {
					requestsPerSecond: ['Max Requests per Second', provider.defaultRequestsPerSecond],
				};
				if (provider.maxBatchSize > 1) wanted.batchSize = ['Batch Size', provider.defaultBatchSize];
				seen[provider.id] = {};
				for (const [name, [label]] of Object.entries(wanted)) {
					// "Add Option" is the placeholder of the collection's select.
					await panel
						.locator('input[placeholder="Add Option"], :text-is("Add Option")')
						.last()
						.click();
					await page
						.locator('.el-select-dropdown__item:visible', { hasText: exactly(label) })
						.first()
						.click();
					const input = panel.locator(`[data-test-id="parameter-input-${name}"] input`).first();
					await input.waitFor();
					seen[provider.id][name] = Number((await input.inputValue()).replace(/[^\d.]/g, ''));
				}
				if (provider.id === 'solapi') {
					// The option list fades out after a pick: a shot taken meanwhile shows it over the panel.
					const faded = async () =>
						await page
							.locator('.el-select-dropdown')
							.evaluateAll((els) =>
								els.every((e) => !e.checkVisibility({ opacityProperty: true })),
							);
					while (!(await faded())) await page.waitForTimeout(50);
					await page.screenshot({ path: shot('options-solapi') });
				}
				expect([provider.id, seen[provider.id]]).toEqual([
					provider.id,
					Object.fromEntries(Object.entries(wanted).map(([name, [, value]]) => [name, value])),
				]);
			}
			if (process.env.E2E_DEBUG) console.log(JSON.stringify(seen));
		},
		TEST_TIMEOUT,
	);

	it(
		"finds the node in the node creator by each provider's name and by what it deletes",
		async () => {
			await page.goto(`${server.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.locator('[data-test-id="canvas-plus-button"]').click();
			const terms = [
				...new Set(
					REGISTRY.flatMap((p) => [p.displayName, p.displayName.split(' ')[0]]).map((t) =>
						t.toLowerCase(),
					),
				),
				'weixin',
				'sms',
				'template',
				'push',
				'message',
			];
			const found: Record<string, boolean> = {};
			for (const term of terms) {
				await page.locator('[data-test-id="node-creator-search-bar"]').fill(term);
				const item = page.locator('[data-test-id="node-creator-item-name"]', {
					hasText: /^Batch Delete$/,
				});
				found[term] = await item
					.first()
					.waitFor({ timeout: 5000 })
					.then(() => true)
					.catch(() => false);
				if (term === 'wechat') await page.screenshot({ path: shot('node-creator-wechat') });
			}
			expect(found).toEqual(Object.fromEntries(terms.map((t) => [t, true])));
			await page.keyboard.press('Escape');
		},
		TEST_TIMEOUT,
	);

	/** Closes the credential form without saving (confirming n8n's question when it asks). */
	async function closeDialog(): Promise<void> {
		// The dialog's own close button: Escape also closes the node panel on n8n 2.x.
		const close = page.locator('.el-dialog__headerbtn:visible').last();
		if (await close.isVisible().catch(() => false)) await close.click();
		else await page.keyboard.press('Escape');
		const confirm = page.locator('.el-message-box:visible');
		if (await confirm.isVisible().catch(() => false))
			await confirm
				.getByRole('button', { name: /close|leave|discard/i })
				.first()
				.click();
		await page
			.locator('[data-test-id="credential-edit-dialog"]:visible')
			.waitFor({
				state: 'detached',
				timeout: 10000,
			})
			.catch(async () => {
				await page
					.locator('.el-message-box:visible button')
					.last()
					.click()
					.catch(() => undefined);
				await page
					.locator('[data-test-id="credential-edit-dialog"]:visible')
					.waitFor({ state: 'hidden' });
			});
	}

	/**
	 * Saves Start → "IDs to delete" → Batch Delete (Avaya Spaces, a credential of its own, the
	 * options given) → one No Op per output, in output order; returns the workflow's id.
	 */
	async function saveWorkflow(spec: {
		workflowName: string;
		credentialName: string;
		uuidPrefix: string;
		ids: string[];
		options: IDataObject;
		sinks: Array<[name: string, y: number]>;
	}): Promise<string> {
		const credential = await server.rest('POST', '/rest/credentials', {
			name: spec.credentialName,
			type: 'avayaSpacesApi',
			data: env.credentials('default')[0].data,
		});
		const credentialId = String((credential.body as { data: { id: string } }).data.id);
		const node = (
			n: number,
			nodeName: string,
			type: string,
			position: [number, number],
			parameters: IDataObject = {},
		) => ({
			id: `${spec.uuidPrefix}0000000-0000-4000-8000-00000000000${n}`,
			name: nodeName,
			type,
			typeVersion: type.endsWith('.code') ? 2 : 1,
			position,
			parameters,
		});
		const workflow = {
			name: spec.workflowName,
			active: false,
			nodes: [
				node(1, 'Start', 'n8n-nodes-base.manualTrigger', [0, 0]),
				node(2, 'IDs to delete', 'n8n-nodes-base.code', [240, 0], {
					jsCode: `return ${JSON.stringify(spec.ids.map((id) => ({ json: { id } })))};`,
				}),
				{
					...node(3, NODE, 'n8n-nodes-batch-delete.batchDelete', [480, 0], {
						...env.parameters(),
						options: spec.options,
					}),
					credentials: { avayaSpacesApi: { id: credentialId, name: spec.credentialName } },
				},
				...spec.sinks.map(([sink, y], i) => node(4 + i, sink, 'n8n-nodes-base.noOp', [760, y])),
			],
			connections: {
				Start: { main: [[{ node: 'IDs to delete', type: 'main', index: 0 }]] },
				'IDs to delete': { main: [[{ node: NODE, type: 'main', index: 0 }]] },
				[NODE]: { main: spec.sinks.map(([sink]) => [{ node: sink, type: 'main', index: 0 }]) },
			},
			settings: { executionOrder: 'v1' },
		};
		const saved = await server.rest('POST', '/rest/workflows', workflow);
		expect(saved.status).toBe(200);
		return String((saved.body as { data: { id: string } }).data.id);
	}

	/** Opens the saved workflow, runs it from the editor's button, and screenshots the finished canvas. */
	async function runInEditor(
		workflowId: string,
		edgeLabel: RegExp,
		mouseY: number,
		shotName: string,
	): Promise<void> {
		await page.goto(`${server.baseUrl}/workflow/${workflowId}`, {
			waitUntil: 'domcontentloaded',
		});
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		// The run is over when the editor shows the items each output sent on to its sink.
		const finished = await waitForExecution(workflowId);
		expect(finished.status).toBe('success');
		await page.locator('[data-test-id="edge-label"]', { hasText: edgeLabel }).first().waitFor();
		await page.locator('[data-test-id="zoom-to-fit"]').click();
		await page.mouse.move(700, mouseY);
		await page.waitForTimeout(800);
		await page.screenshot({ path: shot(shotName) });
	}
	const NODE = 'Batch Delete';

	it(
		'runs a workflow from the editor: Success and Failure both filled',
		async () => {
			const ids = env.seed(5);
			const [gone] = env.missing(1);
			const [archived] = env.seed(1);
			(env.mock as AvayaSpacesMock).poison.add(archived);
			const workflowId = await saveWorkflow({
				workflowName: 'Nightly cleanup (a run with both outputs)',
				credentialName: 'Avaya Spaces (mock)',
				uuidPrefix: 'e',
				ids: [...ids, gone, archived],
				// The options a user leaves alone (the test adapters' fast retry settings are not needed here).
				options: {},
				sinks: [
					['Deleted', -100],
					['Not deleted', 100],
				],
			});
			await runInEditor(workflowId, /1 item/, 250, 'run-both-outputs');
			const edgeLabels = (await page.locator('[data-test-id="edge-label"]').allInnerTexts()).map(
				(t) => t.replace(/\s+/g, ' ').trim(),
			);
			expect(edgeLabels).toEqual(expect.arrayContaining(['6 items', '1 item']));

			// The node's own panel: the Success output, and the Failure output with the reason.
			await page.locator('[data-test-id="canvas-node"]', { hasText: NODE }).first().dblclick();
			const panel = ndv();
			await panel.locator('[data-test-id="output-panel"]').waitFor();
			// Output branches are tabs: "Success Branch (6 items)", "Failure Branch (1 item)".
			const tabs = panel.locator('[data-test-id="output-panel"] [data-test-id="branches"]');
			await expectText(tabs, 'Failure');
			await tabs.locator('[data-test-id="tab-1"]').click();
			await expectText(
				panel.locator('[data-test-id="output-panel"]'),
				'invalid message id in input data',
			);
			await page.mouse.move(700, 880);
			await page.waitForTimeout(300);
			await page.screenshot({ path: shot('run-failure-output') });
			expect(ids.every((id) => env.removed(id))).toBe(true);
		},
		TEST_TIMEOUT,
	);

	it(
		'a dry run from the editor: a Preview output appears, Success and its branch get nothing, nothing is deleted',
		async () => {
			const ids = env.seed(4);
			const workflowId = await saveWorkflow({
				workflowName: 'Dry run (Preview output)',
				credentialName: 'Avaya Spaces (mock, dry run)',
				uuidPrefix: 'f',
				ids,
				options: { dryRun: true },
				sinks: [
					['Mark as deleted', -150],
					['Not deleted', 0],
					['Would delete', 150],
				],
			});
			await runInEditor(workflowId, /4 items/, 880, 'dry-run-preview');
			// The canvas draws a third output while Dry Run is on, named Preview.
			expect(await page.locator('#app').innerText()).toContain('Preview');
			// Only Preview's branch ran; the deletion branch did not.
			const stored = await n8nHost.readExecutionFromDb(folder, { workflowId });
			expect(Object.keys(stored.data.resultData.runData).sort()).toEqual(
				['Start', 'IDs to delete', NODE, 'Would delete'].sort(),
			);
			expect(n8nHost.outputOf(stored, NODE, 0)).toEqual([]);
			expect(n8nHost.outputOf(stored, NODE, 2)?.map((i) => i.json.status)).toEqual(
				ids.map(() => 'dryRun'),
			);
			expect(ids.some((id) => env.removed(id))).toBe(false);
		},
		TEST_TIMEOUT,
	);

	it('keeps the screenshots small and the browser on 127.0.0.1', () => {
		for (const name of [
			'node-panel',
			'run-both-outputs',
			'run-failure-output',
			'dry-run-preview',
		]) {
			const file = shot(name);
			const size = fs.statSync(file).size;
			expect([file, size > 10_000 && size < 400_000]).toEqual([file, true]);
		}
		if (process.env.E2E_DEBUG) console.log('blocked hosts', [...blocked]);
	});

	/** Polls the REST API for the workflow's latest execution until it has finished. */
	async function waitForExecution(workflowId: string): Promise<{ status: string }> {
		const deadline = Date.now() + 60000;
		for (;;) {
			const r = await server.rest(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`,
			);
			const body = r.body as { data?: { results?: Array<{ status: string; finished?: boolean }> } };
			const latest = body.data?.results?.[0];
			if (latest && !['new', 'running', 'waiting'].includes(latest.status)) return latest;
			if (Date.now() > deadline)
				throw new Error(
					`no finished execution of ${workflowId}: ${JSON.stringify(r.body).slice(0, 500)}`,
				);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
});

/** Playwright's web-first assertions without @playwright/test: retry until it holds or 10 s pass. */
async function eventually(check: () => Promise<void>): Promise<void> {
	const deadline = Date.now() + 10000;
	for (;;) {
		try {
			return await check();
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
}
/** An option's text starts with its label (its description may follow). */
const exactly = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
const expectValue = async (locator: Locator, value: string) =>
	await eventually(async () => expect(await locator.inputValue()).toBe(value));
const expectText = async (locator: Locator, text: string) =>
	await eventually(async () => expect(await locator.innerText()).toContain(text));
