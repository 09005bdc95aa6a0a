// The example's own flat config, as a user's project would have it: the
// plugin by its package name (this repository's built dist/), typescript-eslint's
// parser with the project service, and offheap's strict config.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import offheap from 'offheap/eslint-plugin';

export default defineConfig([
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  offheap.configs.strict,
]);
