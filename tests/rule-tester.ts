import path from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';

/** The typed fixture project: `file.ts` and friends under tests/fixtures. */
export const fixturesDir = path.join(import.meta.dirname, 'fixtures');

/** A RuleTester whose cases are type-checked inside the fixture project. */
export function createRuleTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: fixturesDir,
      },
    },
  });
}
