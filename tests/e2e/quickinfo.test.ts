// What an editor shows on hover: TypeScript's language service quick info
// over the README's opening example (tests/fixtures/readme-example.ts,
// generated from the README). With `interface Particle extends
// LayoutType<typeof Particle> {}` and `new FixAlloc<Particle>(…)`, the pool's
// pointers read `Ptr<Particle>`; the twin without the interface's use shows
// why the README recommends it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../rule-tester.js';

const file = path.join(fixturesDir, 'readme-example.ts');
const example = readFileSync(file, 'utf8');

/** Quick info (as an editor's hover shows it) of the declaration `const <name> =` in `text`, checked as the fixture file. */
function hover(text: string, name: string): string {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(fixturesDir, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  })!;
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const content = f === file ? text : ts.sys.readFile(f);
      return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
    },
    getCurrentDirectory: () => fixturesDir,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
    readDirectory: ts.sys.readDirectory.bind(ts.sys),
    directoryExists: ts.sys.directoryExists.bind(ts.sys),
    getDirectories: ts.sys.getDirectories.bind(ts.sys),
  };
  const service = ts.createLanguageService(host);
  const at = text.indexOf(`const ${name} =`);
  expect(at, `const ${name} in the example`).toBeGreaterThanOrEqual(0);
  const info = service.getQuickInfoAtPosition(file, at + 'const '.length);
  service.dispose();
  return ts.displayPartsToString(info?.displayParts);
}

describe('quick info on the README example', () => {
  it('shows the record by its name: Ptr<Particle>', () => {
    expect(hover(example, 'p')).toBe('const p: Ptr<Particle>');
    expect(hover(example, 'pool')).toBe('const pool: FixAlloc<Particle, true>');
  });

  it('spells the field list out without the named pool type (the twin)', () => {
    const unnamed = example.replace('new FixAlloc<Particle>(Particle)', 'new FixAlloc(Particle)');
    expect(unnamed).not.toBe(example);
    const shown = hover(unnamed, 'p');
    expect(shown).toMatch(/^const p: Ptr<RecordOf<\{/);
    expect(shown).toContain('mesh: HeapRefField<Mesh>');
  });
});
