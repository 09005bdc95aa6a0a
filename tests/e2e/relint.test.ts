// The editor's loop, checked against a cold lint. At each edit the project
// service builds the next program from the previous one, and the analyses
// carry solutions and checker facts into it (src/analysis/program-analysis.ts:
// `carried`, `typeCache`). After each edit of a copy of the hazards example,
// every file re-linted in the same process must get exactly the findings that
// the ESLint CLI, in a fresh process, reports for the same files. Needs
// `npm run build` (the example's config imports the plugin by package name),
// which `npm test` runs first.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslintBin = path.join(path.dirname(createRequire(import.meta.url).resolve('eslint/package.json')), 'bin', 'eslint.js');

// Inside the repository, so `offheap` resolves to the package itself, as in the example.
mkdirSync(path.join(root, '.corpus'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.corpus', 'relint-'));
cpSync(path.join(root, 'examples', 'hazards'), dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const at = (name: string): string => path.join(dir, name);

function findings(results: ESLint.LintResult[]): string[] {
  return results.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? '-'} ${m.message}`)).sort();
}

/** The files as they stand on disk, linted by the CLI in a process of its own. */
function cold(): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [eslintBin, '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit status 1: findings
  }
  return findings(JSON.parse(out) as ESLint.LintResult[]);
}

describe('re-lint after edits, through the project service', () => {
  // An editor's process is no single run: typescript-eslint would infer one from CI=true, and then keep serving the
  // other files the program as it first read them.
  const warm = new ESLint({ cwd: dir, overrideConfig: { languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } } });
  /** Writes `text` to `name`, re-lints it and then every other file in this process, as buffers. */
  async function edit(name: string, text: string): Promise<string[]> {
    writeFileSync(at(name), text);
    const out = findings(await warm.lintText(text, { filePath: at(name) }));
    for (const other of files) if (other !== name) out.push(...findings(await warm.lintText(readFileSync(at(other), 'utf8'), { filePath: at(other) })));
    return out.sort();
  }

  it('gives every file the findings of a cold lint after each edit: a leaf, a layout others use, and back', { timeout: 180_000 }, async () => {
    const before = cold();
    expect(findings(await warm.lintFiles(['.']))).toEqual(before);
    const layouts = readFileSync(at('layouts.ts'), 'utf8');
    const handles = readFileSync(at('handles.ts'), 'utf8');

    // A keystroke in a file: what the rules carried must still hold for every file.
    expect(await edit('handles.ts', `${handles}\nexport const editMarker = 1;\n`)).toEqual(cold());

    // A layout's HeapRef slot becomes a number: the files that use the layout change their findings.
    const plain = layouts.replace('ref: heapRef<Obj>() });', 'ref: u32 });');
    expect(plain).not.toBe(layouts);
    const changed = await edit('layouts.ts', plain);
    expect(changed).toEqual(cold());
    expect(changed).not.toEqual(before);

    // And back.
    expect(await edit('layouts.ts', layouts)).toEqual(before);
    expect(await edit('handles.ts', handles)).toEqual(before);
  });
});
