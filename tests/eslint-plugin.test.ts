import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tseslintParser from '@typescript-eslint/parser';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { noTypeInformation } from '../src/analysis/context.js';
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

  it("sets typescript-eslint's parser (as typescript-eslint's configs do) and no parserOptions, which are the user's", () => {
    for (const name of ['recommended', 'strict'] as const) {
      const { languageOptions } = plugin.configs[name];
      expect(Object.keys(languageOptions ?? {})).toEqual(['parser']);
      expect(languageOptions?.parser).toEqual({ meta: tseslintParser.meta, parseForESLint: tseslintParser.parseForESLint });
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

/** TypeScript espree cannot parse (a decorator, annotations), with a mistake every config reports once types are there. */
const spanWithMistake = `import { notInHeap } from 'offheap';

@notInHeap
export class Span {
  declare start: number;
  declare owner: string;
}
`;

describe('without type information', () => {
  // A file that uses offheap, with a mistake every config reports when types are there.
  const code = spanWithMistake;
  const filename = path.join(fixturesDir, 'file.ts');
  const lint = (parserOptions: Record<string, unknown>) =>
    new Linter({ cwd: fixturesDir }).verify(
      code,
      [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions } }, plugin.configs.recommended],
      filename,
    );

  it('throws instead of passing the file, naming the one line that fixes it (tseslint.parser, no projectService)', () => {
    expect(() => lint({})).toThrow(noTypeInformation);
    expect(() => lint({})).toThrow(/^Error while loading rule 'offheap\/[a-z-]+': offheap needs type information/);
    // typescript-eslint's error (the rule's first words before) points only at its typed-linting guide.
    expect(() => lint({})).not.toThrow(/requires type information/);
  });

  it('is quoted by the README section it links to', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const anchor = /#([a-z-]+)\)\.$/.exec(noTypeInformation)![1];
    const section = readme.slice(readme.indexOf(`\n## ${anchor[0].toUpperCase()}${anchor.slice(1)}\n`));
    expect(section.startsWith('\n## Install\n')).toBe(true);
    const quoted = /"(offheap needs type information[^"]*)…"/.exec(section.replace(/\s+/g, ' '))![1];
    expect(noTypeInformation.startsWith(quoted)).toBe(true);
  });

  it('reports the mistake once the project service is on (the twin)', () => {
    const messages = lint({ projectService: true, tsconfigRootDir: fixturesDir });
    expect(messages.map((m) => m.ruleId)).toContain('offheap/no-heap-pointers');
  });
});

describe('the shortest config, without typescript-eslint in it', () => {
  // \`export default [offheap.configs.recommended]\`: the user's first try. The code is TypeScript that espree cannot
  // parse (a decorator, type annotations), with the mistake every config reports once types are there.
  const code = spanWithMistake;
  const filePath = path.join(fixturesDir, 'file.ts');
  const typed = { parserOptions: { projectService: true, tsconfigRootDir: fixturesDir } };
  const lint = async (overrideConfig: Linter.Config[]) => {
    const eslint = new ESLint({ cwd: fixturesDir, overrideConfigFile: true, overrideConfig });
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
  };

  for (const name of ['recommended', 'strict'] as const) {
    it(`[configs.${name}] alone parses the TypeScript and stops at the rules' error naming projectService`, async () => {
      const run = lint([plugin.configs[name]]);
      await expect(run).rejects.toThrow(noTypeInformation);
      await expect(run).rejects.toThrow(/^Error while loading rule 'offheap\/[a-z-]+': offheap needs type information/);
      await expect(run).rejects.not.toThrow(/Parsing error/);
    });
  }

  it('(the broken twin) without the parser the config sets, espree reports a Parsing error and no rule runs', async () => {
    const { languageOptions: _, ...withoutParser } = plugin.configs.recommended;
    expect(await lint([withoutParser])).toEqual([expect.stringMatching(/^fatal: Parsing error: /)]);
  });

  it('reports the mistake once projectService is on, set before or after the offheap config (no parser of their own)', async () => {
    expect(await lint([{ languageOptions: typed }, plugin.configs.recommended])).toEqual([expect.stringMatching(/^offheap\/no-heap-pointers: /)]);
    expect(await lint([plugin.configs.recommended, { languageOptions: typed }])).toEqual([expect.stringMatching(/^offheap\/no-heap-pointers: /)]);
  });

  it("keeps a typescript-eslint setup's parserOptions whichever comes first (flat config merges parserOptions apart from parser)", async () => {
    const user = [...tseslint.configs.recommendedTypeChecked, { languageOptions: typed }] as Linter.Config[];
    for (const config of [[...user, plugin.configs.recommended], [plugin.configs.recommended, ...user]]) {
      const eslint = new ESLint({ cwd: fixturesDir, overrideConfigFile: true, overrideConfig: config });
      const resolved = (await eslint.calculateConfigForFile(filePath)) as Linter.Config;
      expect(resolved.languageOptions?.parserOptions).toMatchObject(typed.parserOptions);
      expect((resolved.languageOptions?.parser as { parseForESLint: unknown }).parseForESLint).toBe(tseslintParser.parseForESLint);
      expect(await lint(config)).toEqual([expect.stringMatching(/^offheap\/no-heap-pointers: /)]);
    }
  });
});

describe('peer dependencies', () => {
  const installed =
    (versions: Record<string, string>) =>
    (name: string): string | undefined =>
      versions[name];

  const lintSide = { '@typescript-eslint/utils': '8.73.0', '@typescript-eslint/parser': '8.73.0' };

  it('loads when typescript, @typescript-eslint/utils and @typescript-eslint/parser are there', () => {
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '5.7.2', ...lintSide }))).toEqual([]);
  });

  it("declares the parser the configs set as an optional peer, in the utils peer's range (both come with typescript-eslint)", () => {
    const { peerDependencies, peerDependenciesMeta } = pkg as typeof pkg & { peerDependenciesMeta: Record<string, { optional?: boolean }> };
    expect(peerDependencies['@typescript-eslint/parser']).toBe(peerDependencies['@typescript-eslint/utils']);
    expect(peerDependenciesMeta['@typescript-eslint/parser']).toEqual({ optional: true });
  });

  it('names every missing peer, its range and the install command', () => {
    const [problem, ...rest] = peerProblems(pkg.peerDependencies, installed({}));
    expect(rest).toEqual([]);
    expect(problem).toBe(
      `offheap/eslint-plugin needs typescript (${pkg.peerDependencies.typescript}), ` +
        `@typescript-eslint/utils (${pkg.peerDependencies['@typescript-eslint/utils']}) and ` +
        `@typescript-eslint/parser (${pkg.peerDependencies['@typescript-eslint/parser']}), which are not installed. ` +
        'The runtime (`offheap`) needs no dependencies; the lint side does: npm i -D eslint typescript@~6.0 typescript-eslint jiti',
    );
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3' }))[0]).toMatch(
      /needs @typescript-eslint\/utils \(\^8[^)]*\) and @typescript-eslint\/parser \(\^8[^)]*\), which are not installed.*npm i -D eslint typescript-eslint jiti$/,
    );
  });

  it('names the parser alone when only it is missing (the configs set it)', () => {
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3', '@typescript-eslint/utils': '8.73.0' }))).toEqual([
      `offheap/eslint-plugin needs @typescript-eslint/parser (${pkg.peerDependencies['@typescript-eslint/parser']}), which is not installed. ` +
        'The runtime (`offheap`) needs no dependencies; the lint side does: npm i -D eslint typescript-eslint jiti',
    ]);
  });

  it("refuses a typescript-eslint package outside its peer range (below the floor, another major); the range's ends load", () => {
    const floor = /^\^(\d+\.\d+\.\d+)$/.exec(pkg.peerDependencies['@typescript-eslint/parser'])![1];
    expect(floor).toBe('8.40.0');
    // The command names each package out of range: one installed directly stays put when only typescript-eslint moves.
    for (const outside of ['8.39.0', '8.0.0', '7.18.0', '9.0.0', '9.0.0-alpha.1']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3', ...lintSide, '@typescript-eslint/parser': outside }))).toEqual([
        `offheap/eslint-plugin supports @typescript-eslint/parser ^8.40.0; found ${outside}: npm i -D typescript-eslint@^8 @typescript-eslint/parser@^8.40.0`,
      ]);
    }
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3', ...lintSide, '@typescript-eslint/utils': '7.18.0' }))).toEqual([
      'offheap/eslint-plugin supports @typescript-eslint/utils ^8.40.0; found 7.18.0: npm i -D typescript-eslint@^8 @typescript-eslint/utils@^8.40.0',
    ]);
    expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3', '@typescript-eslint/utils': '8.30.0', '@typescript-eslint/parser': '8.30.0' }))).toEqual([
      'offheap/eslint-plugin supports @typescript-eslint/utils ^8.40.0 and @typescript-eslint/parser ^8.40.0; found 8.30.0 and 8.30.0: ' +
        'npm i -D typescript-eslint@^8 @typescript-eslint/utils@^8.40.0 @typescript-eslint/parser@^8.40.0',
    ]);
    for (const inside of [floor, '8.40.1', '8.73.0', '8.99.0-alpha.3']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: '6.0.3', '@typescript-eslint/utils': inside, '@typescript-eslint/parser': inside })), inside).toEqual([]);
    }
  });

  it('refuses a TypeScript below the range, whose compiler API the rules outgrew; the floor and 6.0 load', () => {
    const floor = /^>=(\d+\.\d+\.\d+)/.exec(pkg.peerDependencies.typescript)![1];
    expect(floor).toBe('5.7.2');
    for (const below of ['5.7.1', '5.6.3', '5.4.5', '4.9.5']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: below, ...lintSide }))).toEqual([
        `offheap/eslint-plugin supports typescript 5.7.2 to 6.x; found ${below}: npm i -D typescript@~6.0`,
      ]);
    }
    for (const inside of [floor, '5.8.3', '5.9.0-beta', '6.0.3', '6.1.0-dev.20261120']) {
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: inside, ...lintSide })), inside).toEqual([]);
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
      expect(peerProblems(pkg.peerDependencies, installed({ typescript: seven, ...lintSide }))).toEqual([
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
