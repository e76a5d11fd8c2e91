// Lint for the code that is never published (test/, bench/, scripts/: each folder's eslint.config.mjs
// re-exports this, found through ESLint's config lookup from the linted file, which `npm run lint`
// switches on). The package itself (package.json, nodes/, credentials/) is linted by n8n's own
// config, eslint.config.mjs, which n8n's strict mode wants unchanged.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({
	files: ['**/*.ts'],
	extends: [js.configs.recommended, tseslint.configs.recommended],
	rules: {
		// Tests cast mocks and n8n's untyped JSON (executions, REST bodies) on purpose.
		'@typescript-eslint/no-explicit-any': 'off',
		// `const { host: _host, ...rest } = headers` drops a field on purpose.
		'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
	},
});
