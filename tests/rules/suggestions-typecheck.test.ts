// Every suggestion of the type rules must leave a program that type-checks:
// a suggestion is applied by a click, so one that breaks the build is worse
// than none. The rules' own RuleTester tables list every suggestion they
// produce (RuleTester fails a case whose suggestions are not all listed), so
// this test collects those tables, applies each suggestion (its `output`) and
// asks TypeScript for errors the original case did not already have.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../rule-tester.js';
import { cases as allocation } from './no-heap-allocation.cases.js';
import { cases as pointers } from './no-heap-pointers.cases.js';
import { cases as hidden } from './no-hidden-heap-pointers.cases.js';

interface Invalid {
  readonly code: string;
  readonly filename?: string;
  readonly errors: ReadonlyArray<{ readonly suggestions?: ReadonlyArray<{ readonly output: string }> | null }>;
}

const tables = new Map<string, readonly Invalid[]>([
  ['no-heap-allocation', allocation.invalid],
  ['no-heap-pointers', pointers.invalid],
  ['no-hidden-heap-pointers', hidden.invalid],
]);

const config = ts.getParsedCommandLineOfConfigFile(path.join(fixturesDir, 'tsconfig.json'), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
})!;

/** Type errors of each virtual file, in one program over all of them (files under the fixture directory). */
function typeErrors(files: Record<string, string>): Record<string, string[]> {
  const host = ts.createCompilerHost(config.options, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files[name] ?? read(name);
  host.fileExists = (name) => name in files || exists(name);
  host.getSourceFile = (name, version, onError, create) =>
    name in files ? ts.createSourceFile(name, files[name], version, true) : getSourceFile(name, version, onError, create);
  const program = ts.createProgram(Object.keys(files), config.options, host);
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(files)) {
    const sf = program.getSourceFile(name)!;
    out[name] = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(
      (d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    );
  }
  return out;
}

describe('suggestions of the type rules type-check', () => {
  for (const rule of ['no-heap-allocation', 'no-heap-pointers', 'no-hidden-heap-pointers']) {
    it(rule, () => {
      const invalid = tables.get(rule);
      expect(invalid, `${rule}'s table was not collected`).toBeDefined();
      const pairs: Array<{ before: string; after: string; filename?: string }> = [];
      for (const c of invalid!) {
        for (const e of c.errors) for (const s of e.suggestions ?? []) pairs.push({ before: c.code, after: s.output, filename: c.filename });
      }
      if (rule !== 'no-hidden-heap-pointers') expect(pairs.length).toBeGreaterThan(3);
      // Cases in the shared file name are checked together, each pair under its own names; a case that
      // replaces a fixture file (module augmentation) gets a program of its own.
      const shared: Record<string, string> = {};
      const own: Array<Record<string, string>> = [];
      pairs.forEach((p, i) => {
        if (p.filename) {
          const file = path.join(fixturesDir, p.filename);
          own.push({ [file]: p.before }, { [file]: p.after });
        } else {
          shared[path.join(fixturesDir, `suggest-${i}-before.ts`)] = `${p.before}\nexport {};\n`;
          shared[path.join(fixturesDir, `suggest-${i}-after.ts`)] = `${p.after}\nexport {};\n`;
        }
      });
      const errors: Record<string, string[]> = { ...typeErrors(shared) };
      own.forEach((f, i) => {
        for (const [k, v] of Object.entries(typeErrors(f))) errors[`${k}#${i}`] = v;
      });
      const broken: string[] = [];
      pairs.forEach((p, i) => {
        const key = (which: 'before' | 'after') =>
          p.filename ? `${path.join(fixturesDir, p.filename)}#${own.findIndex((f) => Object.values(f)[0] === (which === 'before' ? p.before : p.after))}` : path.join(fixturesDir, `suggest-${i}-${which}.ts`);
        const before = new Set(errors[key('before')]);
        const added = errors[key('after')].filter((e) => !before.has(e));
        if (added.length > 0) broken.push(`${p.after}\n  -> ${added.join('\n  -> ')}`);
      });
      expect(broken).toEqual([]);
    }, 120_000);
  }
});
