import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/eslint-plugin.js';
import { rules } from '../src/rules/index.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const plugin = entry.default;

describe('the plugin entry', () => {
  it('has a default export only, so require(esm) consumers unwrap it', () => {
    expect(Object.keys(entry)).toEqual(['default']);
  });

  it('reads meta from package.json', () => {
    expect(plugin.meta).toEqual({ name: pkg.name, version: pkg.version, namespace: 'offheap' });
  });

  it('exposes every rule of the table', () => {
    expect(Object.keys(plugin.rules ?? {}).sort()).toEqual(Object.keys(rules).sort());
  });

  it('scopes both configs to TypeScript files and names them', () => {
    for (const name of ['recommended', 'strict'] as const) {
      const config = plugin.configs[name];
      expect(config.name).toBe(`offheap/${name}`);
      expect(config.files).toEqual(expect.arrayContaining(['**/*.ts', '**/*.tsx']));
      expect(config.plugins?.offheap).toBe(plugin);
    }
  });

  it('puts every recommended rule in both configs and every rule in strict', () => {
    const recommended = Object.keys(plugin.configs.recommended.rules ?? {});
    const strict = Object.keys(plugin.configs.strict.rules ?? {});
    expect(strict).toEqual(expect.arrayContaining(recommended));
    expect(strict.sort()).toEqual(Object.keys(rules).map((name) => `offheap/${name}`).sort());
    for (const [name, rule] of Object.entries(rules)) {
      if (rule.meta.docs?.recommended === 'recommended') expect(recommended).toContain(`offheap/${name}`);
    }
  });

  it('leaves a JavaScript file in the same run alone instead of aborting it', () => {
    const linter = new Linter();
    const messages = linter.verify(
      'export const answer = 42;\n',
      [
        { files: ['**/*.js'], languageOptions: { parser: tseslint.parser } },
        plugin.configs.strict,
      ],
      'plain.js',
    );
    expect(messages).toEqual([]);
  });
});

describe('each rule', () => {
  for (const [name, rule] of Object.entries(rules)) {
    it(`${name}: typed, documented and tested`, () => {
      expect(rule.meta.docs?.requiresTypeChecking).toBe(true);
      expect(rule.meta.docs?.url).toBe(`https://github.com/offheap/offheap/blob/main/docs/rules/${name}.md`);
      expect(existsSync(path.join(root, 'docs', 'rules', `${name}.md`))).toBe(true);
      expect(existsSync(path.join(root, 'tests', 'rules', `${name}.test.ts`))).toBe(true);
    });
  }
});
