import { describe, expect, it } from 'vitest';
import { augmentedFiles, namesCounters, namesRuntime, runtimeView, usesOffheap, usesRuntime, viewCounters } from '../../src/analysis/offheap-files.js';
import { analysisCounters, programAnalysis } from '../../src/analysis/program-analysis.js';
import { virtualProgram } from '../virtual-program.js';

const runtime = `/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }`;

describe('usesOffheap', () => {
  it('follows imports, re-exports and import types through cycles', () => {
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/direct.ts': `import { sysAlloc } from './runtime.ts'; sysAlloc(1);`,
      '/p/barrel.ts': `export * from './runtime.ts'; export * from './cycle-a.ts';`,
      '/p/via-barrel.ts': `import { sysAlloc } from './barrel.ts'; sysAlloc(1);`,
      '/p/import-type.ts': `let f: typeof import('./runtime.ts').sysAlloc;`,
      '/p/cycle-a.ts': `import './cycle-b.ts'; export const a = 1;`,
      '/p/cycle-b.ts': `import './cycle-a.ts'; export const b = 2;`,
      '/p/plain.ts': `import { a } from './cycle-a.ts'; export const c = a;`,
    });
    const uses = (name: string) => usesOffheap(program, program.getSourceFile(name)!);
    expect(uses('/p/runtime.ts')).toBe(true);
    expect(uses('/p/direct.ts')).toBe(true);
    expect(uses('/p/via-barrel.ts')).toBe(true);
    expect(uses('/p/import-type.ts')).toBe(true);
    expect(uses('/p/plain.ts')).toBe(false);
    expect(uses('/p/cycle-b.ts')).toBe(false);
  });

  it('follows an import of an ambient module to the file declaring it, as the fixpoints do', () => {
    // `declare module 'x'` in a .d.ts is no resolution result: the edge comes from the checker (moduleTargets).
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/shim.d.ts': `declare module 'ambient-x' { export const alloc: typeof import('./runtime.ts').sysAlloc; }`,
      '/p/user.ts': `import { alloc } from 'ambient-x'; alloc(1);`,
      '/p/other.d.ts': `declare module 'ambient-y' { export const n: number; }`,
      '/p/plain.ts': `import { n } from 'ambient-y'; export const c = n;`,
    });
    const pa = programAnalysis(program);
    const uses = (name: string) => usesOffheap(program, program.getSourceFile(name)!);
    expect(uses('/p/user.ts')).toBe(true);
    expect(uses('/p/plain.ts')).toBe(false);
    // One list of targets per file: the reachability edges are the fixpoints' targets.
    const user = program.getSourceFile('/p/user.ts')!;
    expect(pa.importsOf(user)).toEqual([...new Set(pa.moduleTargets(user).values())]);
  });

  it('answers false for every file when no runtime file is in the program', () => {
    const program = virtualProgram({ '/p/a.ts': `import './b.ts';`, '/p/b.ts': `export {};`, '/p/c.ts': `// mentions @offheap but tags nothing` });
    const visits = analysisCounters.reachVisits;
    expect(usesOffheap(program, program.getSourceFile('/p/a.ts')!)).toBe(false);
    // Without a runtime file in the program, no import graph is walked at all.
    expect(analysisCounters.reachVisits - visits).toBe(0);
  });
});

describe('namesRuntime and usesRuntime: two fixpoints over one import graph', () => {
  it('read each file once per program, and differ only in the edge test (names, or uses)', () => {
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/named.ts': `import { sysAlloc } from './runtime.ts';\nexport const n = 1;`,
      '/p/used.ts': `import { sysAlloc } from './runtime.ts';\nexport const p = sysAlloc(1);`,
      '/p/side.ts': `import './runtime.ts';\nexport const s = 1;`,
      '/p/via-named.ts': `import { n } from './named.ts';\nexport const v = n;`,
      '/p/via-used.ts': `import { p } from './used.ts';\nexport const w = p;`,
      '/p/reexport.ts': `export { p as q } from './used.ts';`,
      '/p/augmenter.ts': `import { p } from './used.ts';\ndeclare module './plain.ts' { interface Box { v: typeof p } }\nexport {};`,
      '/p/plain.ts': `export interface Box { n: number }\nexport const x = 1;`,
    });
    const pa = programAnalysis(program);
    const before = { ...namesCounters };
    const files = ['named', 'used', 'side', 'via-named', 'via-used', 'reexport', 'augmenter', 'plain'];
    const names = files.map((f) => namesRuntime(pa, program.getSourceFile(`/p/${f}.ts`)!));
    const uses = files.map((f) => usesRuntime(pa, program.getSourceFile(`/p/${f}.ts`)!));
    // `import 'm'` names nothing; an import never used again names the runtime but does not use it; an augmentation
    // merges into the augmented file both ways.
    expect(names).toEqual([true, true, false, true, true, true, true, true]);
    expect(uses).toEqual([false, true, false, false, true, true, true, true]);
    expect([...augmentedFiles(pa)].map((f) => f.fileName)).toEqual(['/p/plain.ts']);
    // One graph for both (and for the augmented files): each file's specifiers are read once.
    expect(namesCounters.graphsBuilt - before.graphsBuilt).toBe(1);
    expect(namesCounters.filesRead - before.filesRead).toBe(files.length);
  });
});

describe('runtimeView: alias chains', () => {
  const rt = `${runtime}\n/** @offheap addRoot */ export function addRoot(p: number): void { void p; }`;
  /** A chain of `links` re-exports of sysAlloc (hop0 re-exports the runtime's), and `users` files naming it through the last hop. */
  const chain = (links: number, users: number): Record<string, string> => {
    const files: Record<string, string> = { '/p/runtime.ts': rt };
    for (let i = 0; i < links; i++) files[`/p/hop${i}.ts`] = `export { sysAlloc } from './${i === 0 ? 'runtime' : `hop${i - 1}`}.ts';`;
    for (let i = 0; i < users; i++) files[`/p/user${i}.ts`] = `import { sysAlloc } from './hop${links - 1}.ts';\nexport const x${i} = sysAlloc(${i});`;
    return files;
  };
  const solve = (files: Record<string, string>) => {
    const program = virtualProgram(files);
    const pa = programAnalysis(program);
    const before = { ...viewCounters };
    const views = new Map<string, string[]>();
    for (const f of program.getSourceFiles()) if (f.fileName.startsWith('/p/')) views.set(f.fileName, [...runtimeView(pa, f).symbols].map((s) => s.name));
    return { views, lookups: viewCounters.aliasLookups - before.aliasLookups, bindings: viewCounters.bindingsResolved - before.bindingsResolved };
  };

  it('looks up each link once per program: linear in the chain, not once per binding that passes through it', () => {
    const work: unknown[] = [];
    for (const [links, users] of [
      [5, 3],
      [20, 3],
      [20, 12],
    ]) {
      const { views, lookups, bindings } = solve(chain(links, users));
      for (let i = 0; i < users; i++) expect(views.get(`/p/user${i}.ts`)).toEqual(['sysAlloc']);
      expect(views.get(`/p/hop${links - 1}.ts`)).toEqual(['sysAlloc']);
      work.push({ links, users, lookups, bindings });
    }
    // Each hop's re-export and the users' shared import are one binding each; every binding asks the checker for
    // its resolution once and every alias on the chain for its next link once: 2 per binding. Resolving each
    // binding's whole chain again, once per naming file (the walk before), is quadratic: 41, 296 and 494 lookups.
    expect(work).toEqual([
      { links: 5, users: 3, lookups: 12, bindings: 6 },
      { links: 20, users: 3, lookups: 42, bindings: 21 },
      { links: 20, users: 12, lookups: 42, bindings: 21 },
    ]);
  });

  it('twin: names shared by module and name only; the same specifier naming another module, and a renamed link, resolve apart', () => {
    const { views } = solve({
      '/p/runtime.ts': rt,
      '/p/a/lib.ts': `export { sysAlloc as get } from '../runtime.ts';`,
      '/p/b/lib.ts': `export { addRoot as get } from '../runtime.ts';`,
      '/p/a/user.ts': `import { get } from './lib.ts';\nexport const a = get;`,
      '/p/b/user.ts': `import { get } from './lib.ts';\nexport const b = get;`,
      '/p/c.ts': `import { get as g } from './a/lib.ts';\nimport { sysAlloc } from './runtime.ts';\nexport const c = [g, sysAlloc];`,
      '/p/d.ts': `import { get } from './b/lib.ts';\nexport { addRoot as sysAlloc } from './runtime.ts';\nexport const d = get;`,
    });
    expect(views.get('/p/a/user.ts')).toEqual(['sysAlloc']);
    expect(views.get('/p/b/user.ts')).toEqual(['addRoot']);
    expect(views.get('/p/c.ts')).toEqual(['sysAlloc']);
    expect(views.get('/p/d.ts')).toEqual(['addRoot']);
  });

  it('a cycle of re-exports ends the walk (a walk per binding went on for 64 links), and the name on the cycle views nothing', () => {
    const { views, lookups } = solve({
      '/p/runtime.ts': rt,
      '/p/x.ts': `export { loop } from './y.ts';\nexport { sysAlloc } from './runtime.ts';`,
      '/p/y.ts': `export { loop } from './x.ts';`,
      '/p/user.ts': `import { loop, sysAlloc } from './x.ts';\nexport const u = [loop, sysAlloc];`,
    });
    expect(views.get('/p/user.ts')).toEqual(['sysAlloc']);
    expect(lookups).toBeLessThan(20);
  });
});
