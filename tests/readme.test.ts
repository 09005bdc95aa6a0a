// The README's opening example is real: linted with the strict config in the
// typed fixture project, it yields exactly the findings its `✖ offheap/<rule>`
// comments promise, on those lines, and nothing else. The fixture is generated
// from the README by `npm run docs` and checked by `npm run docs:check`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import offheap from '../src/eslint-plugin.js';
import { fixturesDir } from './rule-tester.js';

const file = path.join(fixturesDir, 'readme-example.ts');

describe('README example', () => {
  it('is caught exactly where its comments say', async () => {
    const text = readFileSync(file, 'utf8');
    const expected = text
      .split('\n')
      .flatMap((line, i) => [...line.matchAll(/✖ (offheap\/[a-z-]+)/g)].map((m) => `${m[1]}:${i + 1}`));
    expect(expected.length).toBeGreaterThan(0);

    const eslint = new ESLint({
      cwd: fixturesDir,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: fixturesDir } },
        },
        offheap.configs.strict,
      ],
    });
    const [result] = await eslint.lintFiles([file]);
    const found = result.messages.map((m) => `${m.ruleId ?? `fatal: ${m.message}`}:${m.line}`);
    expect(found).toEqual(expected);
  });
});

describe('README Install section', () => {
  // The pack test runs the section; this keeps its pins inside the declared peer ranges without a network.
  const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Quick start\n'));
  const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
    dependencies?: Record<string, string>;
  };

  it('installs the runtime alone first, then the lint side with pinned majors', () => {
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split('\n'));
    expect(commands).toContain('npm i offheap');
    expect(commands).toContain('npm pkg set type=module');
    const dev = commands.find((c) => c.startsWith('npm i -D '));
    expect(dev).toMatch(/ typescript@~6\.0 /);
    expect(dev).toMatch(/ eslint@\^10 /);
    expect(dev).toMatch(/ typescript-eslint@\^8 /);
    // typescript@~6.0 lies inside the peer range (its floor is below 6.0, and it has no upper bound below 6.1: the
    // runtime's types also check under TypeScript 7, which the plugin entry refuses at load); the runtime has no
    // dependencies to install.
    const [, floor, upper] = /^>=(\d+\.\d+)\.\d+(?: <(\d+\.\d+)\.\d+)?$/.exec(pkg.peerDependencies.typescript)!;
    expect(Number(floor)).toBeLessThanOrEqual(6.0);
    if (upper !== undefined) expect(Number(upper)).toBeGreaterThanOrEqual(6.1);
    expect(pkg.peerDependencies.eslint).toContain('^10.0.0');
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true);
  });

  it('shows a tsconfig that includes the config file the project service must find', () => {
    const tsconfig = /```json title="tsconfig.json"\n([\s\S]*?)```/.exec(section)?.[1];
    expect(tsconfig).toBeDefined();
    expect((JSON.parse(tsconfig!) as { include: string[] }).include).toEqual(expect.arrayContaining(['src', 'eslint.config.ts']));
    expect(section).toContain('```ts title="eslint.config.ts"');
  });

  it('compiles to the directory it runs from, which the ESLint config ignores (ESLint 10 would use build/eslint.config.js there)', () => {
    const tsconfig = JSON.parse(/```json title="tsconfig.json"\n([\s\S]*?)```/.exec(section)![1]) as { compilerOptions: Record<string, unknown> };
    const outDir = tsconfig.compilerOptions.outDir as string;
    expect(tsconfig.compilerOptions.noEmit).toBeUndefined();
    // Explicit, so build/src/ stays the layout when the include list changes (TypeScript 6 and 7 stop with TS5011
    // when the sources' common directory is not the config's and rootDir is unset).
    expect(tsconfig.compilerOptions.rootDir).toBe('.');
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split('\n'));
    expect(commands).toContain(`node ${outDir}/src/main.js`);
    const config = /```ts title="eslint.config.ts"\n([\s\S]*?)```/.exec(section)![1];
    expect(config).toContain(`globalIgnores(['${outDir}'])`);
  });
});
