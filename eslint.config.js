// n8n's official community-node rules (eslint-plugin-n8n-nodes-base), as n8n's own CLI applies them.
const tsParser = require('@typescript-eslint/parser');
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');

const rulesOf = (config) => config.rules;

module.exports = [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'examples/**', 'coverage/**', '*.js'] },
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
