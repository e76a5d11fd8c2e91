import type { INodeParameters, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { BatchDelete } from '../../nodes/BatchDelete/BatchDelete.node';
import { AUTO_MAX_CONCURRENCY } from '../../nodes/BatchDelete/engine/concurrency';
import { readSettings } from '../../nodes/BatchDelete/settings';
import { PROVIDERS } from '../../nodes/BatchDelete/providers';

/** What n8n's editor reads from the node's description, checked without a browser (the editor test
 * in test/e2e/editor.test.ts clicks the same things in real n8n). */

const description = new BatchDelete().description;

/** The Options collection the description declares for this provider (exactly one). */
function optionsFor(provider: { id: string }): INodeProperties {
	const declared = description.properties.filter(
		(p) =>
			p.name === 'options' &&
			(p.displayOptions?.show?.provider as string[] | undefined)?.includes(provider.id),
	);
	expect(declared).toHaveLength(1);
	return declared[0];
}

/** The node's parameters as the editor holds them: every default, then the given values. */
function parametersFor(values: INodeParameters): INodeParameters {
	const withValues = { ...values };
	return NodeHelpers.getNodeParameters(
		description.properties,
		withValues,
		true,
		false,
		null,
		description,
	)!;
}

const choices = PROVIDERS.flatMap((provider) =>
	provider.credentials.map((credential) => ({ provider, credential })),
);

describe('credentials in the editor', () => {
	it.each(choices.map((c) => [c.provider.id, c.credential.value, c]))(
		'%s / %s: exactly its own credential type shows, through `show`',
		(_p, _c, { provider, credential }) => {
			const values: INodeParameters = { provider: provider.id };
			if (provider.authParameter !== undefined) values[provider.authParameter] = credential.value;
			const parameters = parametersFor(values);
			const shown = description.credentials!.filter((c) =>
				NodeHelpers.displayParameter(parameters, c, { typeVersion: 1 }, description),
			);
			expect(shown.map((c) => c.name)).toEqual([credential.name]);
			// n8n 1.x opens the node's first credential type from "Create new credential" when a
			// credential has no `show`.
			const declared = description.credentials!.find((c) => c.name === credential.name)!;
			expect(declared.displayOptions?.show).toBeDefined();
		},
	);

	it("names no node parameter in a credential's `show`, so the editor never hides Provider as an authentication field", () => {
		// n8n's editor (getNodeAuthFields) collects the properties whose name is a key of a
		// credential's `show` and removes the one it takes for the authentication field from the panel.
		const names = new Set(description.properties.map((p) => p.name));
		const keys = description.credentials!.flatMap((c) => Object.keys(c.displayOptions?.show ?? {}));
		expect(keys.filter((k) => names.has(k))).toEqual([]);
	});
});

describe("the node creator's search", () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const codex = require('../../nodes/BatchDelete/BatchDelete.node.json') as { alias: string[] };
	const aliases = codex.alias.map((a) => a.toLowerCase());

	it.each(PROVIDERS.map((p) => [p.displayName]))(
		'finds the node by %s and its first word (n8n searches the codex aliases, not the description)',
		(name) => {
			expect(aliases).toContain(name.toLowerCase());
			// and by the brand alone ("wechat", "huawei")
			expect(aliases).toContain(name.split(' ')[0].toLowerCase());
		},
	);

	it('finds it by what a builder deletes', () => {
		for (const word of ['sms', 'template', 'push', 'message', 'weixin'])
			expect(aliases).toContain(word);
	});
});

describe('Options start at what the node uses', () => {
	it.each(PROVIDERS.map((p) => [p.id, p]))(
		'%s: adding any option with the default it shows gives the same settings as leaving it out',
		(_id, provider) => {
			const collection = optionsFor(provider);
			const options = collection.options as INodeProperties[];
			// The editor fills an added option with the first default of that name in the collection.
			expect(new Set(options.map((o) => o.name)).size).toBe(options.length);
			const without = readSettings(provider, {});
			for (const option of options) {
				const added = readSettings(provider, { [option.name]: option.default });
				expect([option.name, added]).toEqual([option.name, without]);
			}
			const batchSize = options.find((o) => o.name === 'batchSize');
			if (batchSize) expect(batchSize.typeOptions?.maxValue).toBe(provider.maxBatchSize);
			else expect(provider.maxBatchSize).toBe(1);
		},
	);

	it('shows each provider its own Options, and only one collection at a time', () => {
		for (const provider of PROVIDERS) {
			const parameters = parametersFor({ provider: provider.id });
			const shown = description.properties.filter(
				(p) =>
					p.name === 'options' &&
					NodeHelpers.displayParameter(parameters, p, { typeVersion: 1 }, description),
			);
			expect(shown).toEqual([optionsFor(provider)]);
		}
	});

	it('keeps saved Concurrency values loading: 0 is Auto, every number up to the maximum a choice', () => {
		const concurrency = (optionsFor(PROVIDERS[0]).options as INodeProperties[]).find(
			(o) => o.name === 'concurrency',
		)!;
		const values = (concurrency.options as INodePropertyOptions[]).map((o) => o.value);
		expect(values[0]).toBe(0);
		expect((concurrency.options as INodePropertyOptions[])[0].name).toBe('Auto');
		for (let n = 1; n <= AUTO_MAX_CONCURRENCY; n++) expect(values).toContain(n);
		expect(readSettings(PROVIDERS[0], { concurrency: 0 }).concurrency).toBe('auto');
	});
});

describe('words', () => {
	it("names every provider in the node creator's description, which ends with a period", () => {
		for (const provider of PROVIDERS)
			expect(description.description).toContain(provider.displayName);
		expect(description.description).toMatch(/\.$/);
		expect(description.description).not.toMatch(/SMS SMS|alreadyGone|notAttempted/);
	});

	it('keeps the canvas subtitle short and shows By Filter and Dry Run', () => {
		const expression = (description.subtitle as string).replace(/^=\{\{([\s\S]*)\}\}$/, '$1');
		const evaluate = new Function('$parameter', `return (${expression});`) as (
			p: INodeParameters,
		) => string;
		for (const provider of PROVIDERS) {
			const plain = evaluate({ provider: provider.id, select: 'byId', options: {} });
			expect(plain).toBe(provider.displayName.split(' ')[0]);
			const both = evaluate({
				provider: provider.id,
				select: 'byFilter',
				options: { dryRun: true },
			});
			expect(both).toMatch(/By Filter · Dry Run$/);
			expect(both.length).toBeLessThanOrEqual(30);
		}
	});

	it('lists providers alphabetically and writes (ms), not (Ms)', () => {
		const provider = description.properties.find((p) => p.name === 'provider')!;
		const names = (provider.options as INodePropertyOptions[]).map((o) => o.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		const labels = PROVIDERS.flatMap((p) =>
			(optionsFor(p).options as INodeProperties[]).map((o) => o.displayName),
		);
		expect(labels.filter((l) => /\(Ms\)/.test(l))).toEqual([]);
	});

	it('says which ID the ID Field holds, per provider', () => {
		for (const provider of PROVIDERS.filter((p) => p.readTargets === undefined)) {
			const parameters = parametersFor({ provider: provider.id });
			const field = description.properties.filter(
				(p) =>
					p.name === 'idField' &&
					NodeHelpers.displayParameter(parameters, p, { typeVersion: 1 }, description),
			);
			expect(field).toHaveLength(1);
			expect(field[0].displayName).toMatch(/^(Message|Template) ID Field$/);
			expect(field[0].description).toContain(provider.displayName);
		}
	});
});
