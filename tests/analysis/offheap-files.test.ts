import { describe, expect, it } from 'vitest';
import { usesOffheap } from '../../src/analysis/offheap-files.js';
import { analysisCounters } from '../../src/analysis/program-analysis.js';
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

  it('answers false for every file when no runtime file is in the program', () => {
    const program = virtualProgram({ '/p/a.ts': `import './b.ts';`, '/p/b.ts': `export {};`, '/p/c.ts': `// mentions @offheap but tags nothing` });
    const visits = analysisCounters.reachVisits;
    expect(usesOffheap(program, program.getSourceFile('/p/a.ts')!)).toBe(false);
    // Without a runtime file in the program, no import graph is walked at all.
    expect(analysisCounters.reachVisits - visits).toBe(0);
  });
});
