// The repository lints itself: typescript-eslint's type-checked recommended
// config everywhere, eslint-plugin-eslint-plugin on the rules and their tests,
// and offheap's strict config on the benchmarks. examples/ has its own
// config, as a user's project would.
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import offheap from './src/eslint-plugin.ts';

export default defineConfig([
  {
    ignores: ['dist/**', 'node_modules/**', 'tests/fixtures/**', 'coverage/**', 'examples/hazards/**', '.corpus/**', '.bench-build/**', '.bench-quick/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['src/rules/**/*.ts'],
    extends: [eslintPlugin.configs.rules],
    rules: {
      // RuleCreator fills in meta.docs.url.
      'eslint-plugin/require-meta-docs-url': 'off',
      // docs.recommended names the config ('recommended' | 'strict'), as in typescript-eslint.
      'eslint-plugin/require-meta-docs-recommended': ['error', { allowNonBoolean: true }],
      'eslint-plugin/require-meta-docs-description': ['error', { pattern: '^(Enforce|Require|Disallow) .+[^. ]$' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[object.name="context"][property.name="options"]',
          message: "Read options from create's second parameter, not context.options.",
        },
      ],
    },
  },
  {
    files: ['tests/rules/**/*.ts'],
    extends: [eslintPlugin.configs.tests],
  },
  { ...offheap.configs.strict, files: ['bench/**/*.ts'] },
]);
