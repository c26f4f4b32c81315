/**
 * ESLint flat config: a line-for-line copy of the `config` that `@n8n/node-cli@0.48.3` exports as
 * `@n8n/node-cli/eslint` (the n8n Cloud-support variant, what `n8n-node lint` runs; source:
 * @n8n/node-cli/dist/configs/eslint.js). Same plugins, same order, same rule overrides, no additions.
 *
 * It is copied rather than imported because @n8n/node-cli is a whole CLI: it pulls in n8n's AI node
 * SDK and backend packages, among them isolated-vm, which needs Node 24 and a native build, while this
 * repository runs on Node 20 with ignore-scripts. package.json therefore pins, as devDependencies,
 * the exact versions node-cli 0.48.3 resolves for what this file imports (eslint 9.29.0,
 * @eslint/js, typescript-eslint 8.35.0, @n8n/eslint-plugin-community-nodes 0.32.0,
 * eslint-plugin-import-x, eslint-import-resolver-typescript, eslint-plugin-n8n-nodes-base 1.16.7).
 * When moving to a newer node-cli, diff this file against its dist/configs/eslint.js and the pins
 * against its lock.
 */
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importPlugin from 'eslint-plugin-import-x';
import n8nNodesBasePlugin from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

// node-cli's `config` is createConfig(supportCloud = true), i.e. the recommended (Cloud) rule set.
const communityNodesRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default tseslint.config(
	globalIgnores(['dist']),
	{
		files: ['**/*.ts'],
		extends: [
			js.configs.recommended,
			tseslint.configs.recommended,
			communityNodesRecommended,
			importPlugin.configs['flat/recommended'],
		],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBasePlugin },
		settings: {
			'import-x/resolver-next': [createTypeScriptImportResolver()],
		},
	},
	{
		files: ['package.json'],
		extends: [communityNodesRecommended],
		rules: {
			...n8nNodesBasePlugin.configs.community.rules,
		},
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				extraFileExtensions: ['.json'],
			},
		},
	},
	{
		files: ['./credentials/**/*.ts'],
		rules: {
			...n8nNodesBasePlugin.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['./nodes/**/*.ts'],
		rules: {
			...n8nNodesBasePlugin.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
