// The hazards twin's own flat config: the same as the particle example's, as
// a user's project would have it. The repository's self-lint ignores this
// directory (every file here holds deliberate mistakes); `npm start` and
// tests/examples/hazards.test.ts lint it with this config.
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
