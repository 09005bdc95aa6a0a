import { describe, expect, it } from 'vitest';
import { augmentedFiles, namesCounters, namesRuntime, usesOffheap, usesRuntime } from '../../src/analysis/offheap-files.js';
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
