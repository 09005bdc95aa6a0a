// Whole-program solutions carried to the next program of the same module
// resolution (program-analysis.ts `carried`): which files name and use the
// runtime, each file's runtime view, and the statements that can carry the
// runtime. After every edit the carried answers must equal those of the same
// files solved from nothing, and an edit that leaves the other files' answers
// alone must re-solve only the edited file.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { mayCarryRuntime, mentionCounters } from '../../src/analysis/flow/mentions.js';
import { augmentedFiles, namesCounters, namesRuntime, runtimeView, usesRuntime } from '../../src/analysis/offheap-files.js';
import { analysisCounters, programAnalysis } from '../../src/analysis/program-analysis.js';
import { calleeId, declarationCounters } from '../../src/analysis/declarations.js';
import { editableProject } from '../virtual-program.js';

const runtime = [
  '/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }',
  '/** @offheap sysFree */ export function sysFree(p: number): void {}',
  'export type Ptr<T> = number & { readonly __ptr?: T };',
].join('\n');

const initial = {
  '/p/runtime.ts': runtime,
  '/p/index.ts': `export { sysAlloc, sysFree, type Ptr } from './runtime.ts';`,
  '/p/a.ts': `import { sysAlloc } from './index.ts';\nexport const a = sysAlloc(1);\nexport const plain = 2;`,
  '/p/b.ts': `import { a, plain } from './a.ts';\nexport const b = a;\nexport const c = plain;`,
  // Re-exports a runtime function under a local name: a binding resolved through it reads it.
  '/p/mid.ts': `import { sysAlloc, sysFree } from './index.ts';\nexport { sysAlloc as y };\nexport const z = sysFree;`,
  '/p/barrel.ts': `export * from './mid.ts';`,
  '/p/user.ts': `import { y } from './barrel.ts';\nexport const u = y(8);`,
  '/p/leaf.ts': `import { b as fromB } from './b.ts';\nimport { sysFree } from './index.ts';\nexport function leaf() { return sysFree(fromB); }\nconst x = 1;`,
  '/p/other.ts': `export const o = 1;`,
};

/** Every answer of the carried solutions, by file name and statement index (comparable across programs). */
function answers(program: ts.Program): Record<string, unknown> {
  const pa = programAnalysis(program);
  const out: Record<string, unknown> = {};
  for (const f of program.getSourceFiles()) {
    if (!f.fileName.startsWith('/p/')) continue;
    const view = runtimeView(pa, f);
    out[f.fileName] = {
      names: namesRuntime(pa, f),
      uses: usesRuntime(pa, f),
      augmented: augmentedFiles(pa).has(f),
      view: view.all ? 'all' : [...view.symbols].map((s) => s.name).sort(),
      carrying: f.statements.map((s) => mayCarryRuntime(pa, s)),
    };
  }
  return out;
}

/** Builds the next program, reads every answer and checks them against the same files solved from nothing. */
function step(p: ReturnType<typeof editableProject>) {
  const carried = analysisCounters.solutionsCarried;
  const graphs = namesCounters.graphsBuilt;
  const solved = mentionCounters.filesSolved;
  const got = answers(p.build());
  const work = { carried: analysisCounters.solutionsCarried - carried, graphs: namesCounters.graphsBuilt - graphs, solved: mentionCounters.filesSolved - solved };
  expect(got).toEqual(answers(p.cold()));
  return { got, work };
}

describe('solutions carried to the next program', () => {
  it('re-solves only the edited file when nothing else can see the edit, and equal the solve from nothing after every edit', () => {
    const p = editableProject(initial);
    const first = step(p);
    expect(first.work.carried).toBe(0);
    expect(first.work.graphs).toBe(1);

    // A keystroke in a file nobody imports: every solution carries (names, using, augmented, views, mentions).
    p.edit('/p/leaf.ts', initial['/p/leaf.ts'].replace('const x = 1', 'const x = 2'));
    const keystroke = step(p);
    expect(keystroke.work).toEqual({ carried: 5, graphs: 0, solved: 1 });

    // The same import binds another name: the graph signature differs, so the graph's solutions are solved anew.
    p.edit('/p/leaf.ts', `import { b as fromB } from './b.ts';\nimport { sysAlloc } from './index.ts';\nexport function leaf() { return sysAlloc(fromB); }\nconst x = 1;`);
    expect(step(p).work.graphs).toBe(1);
    // fromB is no longer used past its import: leaf.ts uses the runtime only through index.ts.
    p.edit('/p/leaf.ts', `import { b as fromB } from './b.ts';\nimport { sysAlloc } from './index.ts';\nexport function leaf() { return sysAlloc(1); }`);
    expect(step(p).work.graphs).toBe(1);
  });

  it('solves everything again when an edited file exports more or less that carries', () => {
    const p = editableProject(initial);
    step(p);
    // `plain` now carries: b, which imports it, has one more carrying statement (an import carries none itself).
    p.edit('/p/a.ts', initial['/p/a.ts'].replace('export const plain = 2', 'export const plain = sysAlloc(2)'));
    const grew = step(p);
    expect((grew.got['/p/b.ts'] as { carrying: boolean[] }).carrying).toEqual([false, true, true]);
    expect(grew.work.solved).toBeGreaterThan(1);
    // And back.
    p.edit('/p/a.ts', initial['/p/a.ts']);
    const shrank = step(p);
    expect((shrank.got['/p/b.ts'] as { carrying: boolean[] }).carrying).toEqual([false, true, false]);
    expect(shrank.work.solved).toBeGreaterThan(1);
    // An edit of a.ts that keeps its exports: carried, though b imports it.
    p.edit('/p/a.ts', `${initial['/p/a.ts']}\nconst local = sysAlloc(3);`);
    expect(step(p).work.solved).toBe(1);
  });

  it('reads the views again when a binding of another file was resolved through the edited one', () => {
    const p = editableProject(initial);
    expect((step(p).got['/p/user.ts'] as { view: string[] }).view).toEqual(['sysAlloc']);
    // mid.ts keeps its imports and graph signature, but `y` is now sysFree: user.ts, resolved through it, sees that.
    p.edit('/p/mid.ts', `import { sysAlloc, sysFree } from './index.ts';\nexport { sysFree as y };\nexport const z = sysAlloc;`);
    expect((step(p).got['/p/user.ts'] as { view: string[] }).view).toEqual(['sysFree']);
  });

  it('carries nothing to a program that resolves modules anew', () => {
    const p = editableProject(initial);
    step(p);
    // A new import: TypeScript resolves again, so the solutions are solved from nothing.
    p.edit('/p/other.ts', `import { sysAlloc } from './index.ts';\nexport const o = sysAlloc(1);`);
    const next = step(p);
    expect(next.work.carried).toBe(0);
    expect((next.got['/p/other.ts'] as { names: boolean }).names).toBe(true);
  });
});

describe('checker facts carried to the next program (typeCache)', () => {
  const files = {
    '/p/runtime.ts': runtime,
    '/p/lib.ts': `import { sysAlloc } from './runtime.ts';\n/** @offheap sysFree */ export function release(p: number): void {}\nexport function make(): number { return sysAlloc(8); }`,
    '/p/user.ts': `import { make, release } from './lib.ts';\nexport function use(): void { release(make()); }`,
    '/p/leaf.ts': `import { use } from './user.ts';\nuse();\nexport const v = 1;`,
    '/p/globals.d.ts': `declare const seed: number;`,
  };

  /** Every call's callee id, by file, position and text (comparable across programs), and how many calls were resolved. */
  function callees(program: ts.Program) {
    const before = declarationCounters.calleesResolved;
    const out: string[] = [];
    for (const f of program.getSourceFiles()) {
      if (!f.fileName.startsWith('/p/')) continue;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n)) out.push(`${f.fileName}:${n.pos} ${n.expression.getText()} ${calleeId(program.getTypeChecker(), n) ?? '-'}`);
        ts.forEachChild(n, visit);
      };
      programAnalysis(program);
      visit(f);
    }
    return { out, resolved: declarationCounters.calleesResolved - before };
  }

  function next(p: ReturnType<typeof editableProject>) {
    const got = callees(p.build());
    expect(got.out).toEqual(callees(p.cold()).out);
    return got;
  }

  it('re-resolves only the calls of files that import an edited module, directly or through others', () => {
    const p = editableProject(files);
    // sysAlloc(8) in lib.ts, release(make()) in user.ts, use() in leaf.ts.
    expect(next(p).resolved).toBe(4);
    // leaf.ts: nobody imports it, so only its own call is resolved again.
    p.edit('/p/leaf.ts', files['/p/leaf.ts'].replace('v = 1', 'v = 2'));
    expect(next(p).resolved).toBe(1);
    // user.ts: its two calls and leaf.ts's, which imports it; lib.ts's call carries.
    p.edit('/p/user.ts', `${files['/p/user.ts']}\nexport const w = 1;`);
    expect(next(p).resolved).toBe(3);
    // lib.ts loses a tag: every call is resolved again (user.ts imports it, leaf.ts through user.ts), and
    // `release(…)` is no longer sysFree.
    p.edit('/p/lib.ts', files['/p/lib.ts'].replace('/** @offheap sysFree */ ', ''));
    const untagged = next(p);
    expect(untagged.resolved).toBe(4);
    expect(untagged.out.filter((c) => c.includes(' release '))).toEqual([expect.stringMatching(/release -$/)]);
  });

  it('drops every file\'s facts when the edited file declares globals (a script), which any file can see', () => {
    const p = editableProject(files);
    next(p);
    const dropped = analysisCounters.typedFactsDropped;
    p.edit('/p/globals.d.ts', `declare const seed: string;`);
    expect(next(p).resolved).toBe(4);
    expect(analysisCounters.typedFactsDropped - dropped).toBeGreaterThanOrEqual(3);
  });
});
