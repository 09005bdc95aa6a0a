// The plugin object behind `offheap/eslint-plugin` (src/eslint-plugin.ts loads
// it once the peer dependencies are known to be there).
//
// The public surface is typed with ESLint's own types, so a user's
// `defineConfig([...])` and `tseslint.config(...)` type-check; the rules stay
// strongly typed inside and are cast once, here.
import { createRequire } from 'node:module';
import * as parserBase from '@typescript-eslint/parser';
import type { ESLint, Linter } from 'eslint';
import { rules } from './rules/index.js';

const pkg = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** TypeScript sources only: the rules need type information. */
const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

/**
 * typescript-eslint's parser, as typescript-eslint's own configs set it (`meta` and `parseForESLint`). The configs set
 * it so that the shortest setup, `[offheap.configs.recommended]`, parses TypeScript and reaches the rules, which then
 * stop the run with offheap's own error naming the one line to add (`noTypeInformation` in src/analysis/context.ts)
 * until the user enables `projectService` or `project`. They set no parserOptions: those are the user's, and ESLint merges `languageOptions.parserOptions` key by
 * key while a later `parser` replaces an earlier one, so a user's parserOptions survive in either order.
 */
const parser = { meta: parserBase.meta, parseForESLint: parserBase.parseForESLint };

/** Options that `strict` sets on top of each rule's defaults. */
const strictOptions: Record<string, unknown[]> = {
  nowritebarrier: [{ reportUnresolvedCalls: true }],
};

export type OffheapPlugin = ESLint.Plugin & {
  meta: { name: string; version: string; namespace: string };
  configs: Record<'recommended' | 'strict', Linter.Config>;
};

function configRules(level: 'recommended' | 'strict'): Linter.RulesRecord {
  const entries: Linter.RulesRecord = {};
  for (const [name, rule] of Object.entries(rules)) {
    const wanted = rule.meta.docs?.recommended;
    if (wanted === 'recommended' || (level === 'strict' && wanted === 'strict')) {
      const options = level === 'strict' ? strictOptions[name] : undefined;
      entries[`offheap/${name}`] = options ? ['error', ...options] : 'error';
    }
  }
  return entries;
}

const plugin: OffheapPlugin = {
  meta: { name: pkg.name, version: pkg.version, namespace: 'offheap' },
  rules: rules as unknown as NonNullable<ESLint.Plugin['rules']>,
  configs: {} as OffheapPlugin['configs'],
};

plugin.configs.recommended = {
  name: 'offheap/recommended',
  files: tsFiles,
  languageOptions: { parser },
  plugins: { offheap: plugin },
  rules: configRules('recommended'),
};

plugin.configs.strict = {
  name: 'offheap/strict',
  files: tsFiles,
  languageOptions: { parser },
  plugins: { offheap: plugin },
  rules: configRules('strict'),
};

export default plugin;
