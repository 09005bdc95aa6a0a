import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/eslint-plugin.js';
import { peerProblems } from '../src/peers.js';
import { rules } from '../src/rules/index.js';
import { fixturesDir } from './rule-tester.js';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  peerDependencies: Record<string, string>;
};
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

describe('without type information', () => {
  // A file that uses offheap, with a mistake every config reports when types are there.
  const code = `import { notInHeap } from 'offheap';

@notInHeap
export class Span {
  declare start: number;
  declare owner: string;
}
`;
  const filename = path.join(fixturesDir, 'file.ts');
  const lint = (parserOptions: Record<string, unknown>) =>
    new Linter({ cwd: fixturesDir }).verify(
      code,
      [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions } }, plugin.configs.recommended],
      filename,
    );

  it('throws typescript-eslint\'s error instead of passing the file (tseslint.parser, no projectService)', () => {
    expect(() => lint({})).toThrow(/offheap\/[a-z-]+[\s\S]*requires type information/);
  });

  it('reports the mistake once the project service is on (the twin)', () => {
    const messages = lint({ projectService: true, tsconfigRootDir: fixturesDir });
    expect(messages.map((m) => m.ruleId)).toContain('offheap/no-heap-pointers');
  });
});

describe('peer dependencies', () => {
  const installed =
    (versions: Record<string, string>) =>
    (name: string): string | undefined =>
      versions[name];

  it('loads when typescript and @typescript-eslint/utils are there', () => {
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '5.7.2', '@typescript-eslint/utils': '8.0.0' }))).toEqual([]);
  });

  it('names every missing peer, its range and the install command', () => {
    const [problem, ...rest] = peerProblems(pkg.peerDependencies, installed({}));
    expect(rest).toEqual([]);
    expect(problem).toContain(`typescript (${pkg.peerDependencies.typescript})`);
    expect(problem).toContain(`@typescript-eslint/utils (${pkg.peerDependencies['@typescript-eslint/utils']})`);
    expect(problem).toContain('npm i -D eslint typescript@~6.0 typescript-eslint jiti');
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3' }))[0]).toMatch(
      /needs @typescript-eslint\/utils \(\^8[^)]*\), which is not installed.*npm i -D eslint typescript-eslint jiti$/,
    );
  });

  it('refuses a TypeScript below the range, whose compiler API the rules outgrew; the floor and 6.0 load', () => {
    const floor = /^>=(\d+\.\d+\.\d+)/.exec(pkg.peerDependencies.typescript)![1];
    expect(floor).toBe('5.7.2');
    for (const below of ['5.7.1', '5.6.3', '5.4.5', '4.9.5']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: below, '@typescript-eslint/utils': '8.73.0' }))).toEqual([
        `offheap/eslint-plugin supports typescript 5.7.2 to 6.x; found ${below}: npm i -D typescript@~6.0`,
      ]);
    }
    for (const inside of [floor, '5.8.3', '5.9.0-beta', '6.0.3', '6.1.0-dev.20261120']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: inside, '@typescript-eslint/utils': '8.73.0' })), inside).toEqual([]);
    }
  });

  it('gives one install command that works beside TypeScript 7 (npm refuses typescript-eslint next to it otherwise)', () => {
    const problems = peerProblems(pkg.peerDependencies, installed({ typescript: '7.0.2' }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/needs @typescript-eslint\/utils .*: npm i -D eslint typescript@~6\.0 typescript-eslint jiti$/);
    expect(problems[1]).toContain('found 7.0.2');
  });

  it('refuses TypeScript 7, which typescript-eslint 8 cannot run', () => {
    for (const seven of ['7.0.2', '7.0.0-beta', '7.1.0']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: seven, '@typescript-eslint/utils': '8.73.0' }))).toEqual([
        `offheap/eslint-plugin supports typescript 5.7.2 to 6.x; found ${seven} (typescript-eslint 8 does not run on TypeScript 7): npm i -D typescript@~6.0`,
      ]);
    }
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
