import type { INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { BatchDelete } from '../../nodes/BatchDelete/BatchDelete.node';
import { PROVIDERS } from '../../nodes/BatchDelete/providers';

/** What n8n's editor reads from the node's description, checked without a browser (the editor test
 * in test/e2e/editor.test.ts clicks the same things in real n8n). */

const description = new BatchDelete().description;

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
