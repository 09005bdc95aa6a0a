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
