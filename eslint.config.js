// n8n's official community-node rules (eslint-plugin-n8n-nodes-base), as n8n's own CLI applies them.
const tsParser = require('@typescript-eslint/parser');
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
// n8n's community-node plugin in the version its own scan (@n8n/scan-community-package, `npm run scan`) pins. It is
// loaded from the scanner's install: as a direct dev dependency its peer n8n-workflow >= 2 clashes with the 1.x the tests pin.
const communityNodes = require(
	require.resolve('@n8n/eslint-plugin-community-nodes', { paths: [require('path').dirname(require.resolve('@n8n/scan-community-package/package.json'))] }),
).n8nCommunityNodesPlugin;

const rulesOf = (config) => config.rules;

module.exports = [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', 'coverage/**', '*.js'] },
	{
		...communityNodes.configs.recommended,
		files: ['package.json', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: { ...communityNodes.configs.recommended.rules, 'no-console': 'error' },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: rulesOf(n8nNodesBase.configs.community),
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...rulesOf(n8nNodesBase.configs.credentials),
			// The rule itself says it applies only to n8n's main repository; a community package links a full URL.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// Off in n8n's scan and CLI too: the community plugin's credential-password-field rule replaces it (it knows an access key ID is not a secret).
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...rulesOf(n8nNodesBase.configs.nodes),
			// Both are off in n8n's own CLI: they would rewrite a node with two outputs (Success, Failure).
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
		},
	},
];
