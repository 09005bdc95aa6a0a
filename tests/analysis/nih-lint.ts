// Lints in-memory files with the plugin's rules against a given ts.Program,
// so analysis tests can control the program (and spy on its checker).
import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { Linter, type Rule } from 'eslint';
import type ts from 'typescript';
import { rules } from '../../src/rules/index.js';

/** Absolute path of the runtime's brands, for virtual files to import. */
export const runtimeTypes = path.resolve(import.meta.dirname, '../../src/runtime/types.ts');
/** Absolute path of the runtime's entry. */
export const runtimeIndex = path.resolve(import.meta.dirname, '../../src/runtime/index.ts');

export interface Report {
  readonly ruleId: string | null;
  readonly messageId: string | undefined;
  readonly message: string;
  readonly line: number;
}

/** Runs `ruleNames` (default options) on `file`, whose text must be the program's, and the test's own `probes` (as `t/<name>`). */
export function lintFile(program: ts.Program, file: string, ruleNames: readonly string[], probes: Record<string, Rule.RuleModule> = {}): Report[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not in the program`);
  const linter = new Linter({ configType: 'flat', cwd: path.dirname(file) });
  const config: Linter.Config[] = [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
      plugins: { offheap: { rules: rules as never }, t: { rules: probes } },
      rules: Object.fromEntries([...ruleNames.map((r) => `offheap/${r}`), ...Object.keys(probes).map((r) => `t/${r}`)].map((r) => [r, 'error'])),
    },
  ];
  const messages = linter.verify(source.text, config, { filename: file });
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file}: ${fatal.message}`);
  return messages.map((m) => ({ ruleId: m.ruleId, messageId: m.messageId, message: m.message, line: m.line }));
}
