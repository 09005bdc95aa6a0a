// Each rule of this part must return before asking the checker for any type on
// a file that never imports offheap: the checker is wrapped in a proxy that
// counts every method call except the symbol lookups the import-graph walk
// makes. The control file (which imports offheap) proves the spy sees calls.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { namesRuntime } from '../../src/analysis/offheap-files.js';
import { programAnalysis } from '../../src/analysis/program-analysis.js';
import { virtualProgram } from '../virtual-program.js';
import { lintFile, runtimeIndex } from './nih-lint.js';

const ruleNames = ['no-heap-pointers', 'no-heap-allocation', 'no-hidden-heap-pointers'] as const;

/** Everything the three rules look at, in a file that cannot see offheap. */
const body = `
export class Owner { name = ''; }
type NotInHeap<T> = T & { readonly nih: true };
type HeapRef<T> = number & { readonly ref: T };
export type Span = NotInHeap<{ owner: Owner; name: string }>;
interface Holder { span: Span; label: string }
declare const ref: HeapRef<Owner>;
declare const u32: Uint32Array;
u32[0] = ref;
const n: number = ref;
const s = { owner: new Owner(), name: '' } as Span;
const xs: Array<Span> = [s];
const m = new Map<string, Span>();
function id<T>(x: T): T { return x; }
id(s);
export const total = n + xs.length + m.size;
`;

function countingProgram(files: Record<string, string>) {
  const program = virtualProgram(files);
  const checker = program.getTypeChecker();
  const calls = new Map<string, number>();
  const allowed = new Set(['getSymbolAtLocation', 'getAliasedSymbol']);
  const proxy = new Proxy(checker, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string' || allowed.has(key)) return value;
      return (...args: unknown[]) => {
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  program.getTypeChecker = () => proxy;
  return { program, calls };
}

describe('rules on files that never import offheap', () => {
  for (const rule of ruleNames) {
    it(`${rule} asks the checker for no type`, () => {
      const { program, calls } = countingProgram({
        '/p/plain.ts': `import { helper } from './helper.ts';\n${body}\nexport const h = helper;`,
        '/p/helper.ts': `export const helper = 1;`,
        '/p/uses.ts': `import type { NotInHeap, HeapRef } from '${runtimeIndex}';\n${body.replace(/^type (NotInHeap|HeapRef).*$/gm, '')}`,
      });
      const plain = lintFile(program, '/p/plain.ts', [rule]);
      expect(plain).toEqual([]);
      expect(Object.fromEntries(calls)).toEqual({});

      // Control: the same code importing offheap is analysed (type queries) and reported.
      const used = lintFile(program, '/p/uses.ts', [rule]);
      expect(used.length).toBeGreaterThan(0);
      expect(calls.size).toBeGreaterThan(0);
    });
  }

  for (const rule of ruleNames) {
    it(`${rule} asks the checker for no type on a file that imports offheap only for its side effects`, () => {
      const { program, calls } = countingProgram({
        '/p/sidefx.ts': `import '${runtimeIndex}';\nimport { helper } from './helper.ts';\n${body}\nexport const h = helper;`,
        '/p/helper.ts': `export const helper = 1;`,
        '/p/uses.ts': `import type { NotInHeap, HeapRef } from '${runtimeIndex}';\n${body.replace(/^type (NotInHeap|HeapRef).*$/gm, '')}`,
      });
      // `import 'offheap'` names nothing of the runtime, so no value or type of the file can be one of its.
      expect(lintFile(program, '/p/sidefx.ts', [rule])).toEqual([]);
      expect(Object.fromEntries(calls)).toEqual({});
      // The twin names the runtime's types (a type-only import is enough) and is analysed and reported.
      expect(lintFile(program, '/p/uses.ts', [rule]).length).toBeGreaterThan(0);
      expect(calls.size).toBeGreaterThan(0);
    });
  }

  for (const rule of ruleNames) {
    it(`${rule} asks no type when the file's bindings come only from modules that run offheap for its side effects`, () => {
      const { program, calls } = countingProgram({
        // Every module runs the runtime (as in a codebase with the import added to every file), none names it.
        // An import that resolves to no module gives the error type: it carries nothing either.
        '/p/chain.ts': `import '${runtimeIndex}';\nimport { helper } from './helper.ts';\nimport { gone } from './missing.ts';\n${body}\nexport const h = helper + gone;`,
        '/p/helper.ts': `import '${runtimeIndex}';\nimport { deeper } from './deeper.ts';\nexport const helper = deeper;`,
        '/p/deeper.ts': `import '${runtimeIndex}';\nimport { helper } from './helper.ts';\nexport const deeper = 1;\nexport const again = () => helper;`,
        // The twin: a module between names the runtime's types and passes them on.
        '/p/named.ts': `import '${runtimeIndex}';\nimport type { Pass, Ref } from './pass.ts';\n${body.replace(/^type (NotInHeap|HeapRef).*$/gm, '').replace(/NotInHeap</g, 'Pass<').replace(/HeapRef</g, 'Ref<')}`,
        '/p/pass.ts': `import '${runtimeIndex}';\nexport type { NotInHeap as Pass, HeapRef as Ref } from '${runtimeIndex}';`,
      });
      expect(lintFile(program, '/p/chain.ts', [rule])).toEqual([]);
      expect(Object.fromEntries(calls)).toEqual({});
      expect(lintFile(program, '/p/named.ts', [rule]).length).toBeGreaterThan(0);
      expect(calls.size).toBeGreaterThan(0);
    });
  }

  it('the proxy sees the calls typescript-eslint services make', () => {
    const { program, calls } = countingProgram({ '/p/a.ts': 'export const a = 1;' });
    program.getTypeChecker().getTypeAtLocation(program.getSourceFile('/p/a.ts')!.statements[0]);
    expect(calls.get('getTypeAtLocation')).toBe(1);
    expect(ts.isVariableStatement(program.getSourceFile('/p/a.ts')!.statements[0])).toBe(true);
  });
});

describe('which files can name the runtime (namesRuntime)', () => {
  const files = (extra: Record<string, string>) => ({
    '/p/plain.ts': `export interface Box { n: number }`,
    '/p/reader.ts': `import type { Box } from './plain.ts';\nexport declare const b: Box;`,
    '/p/other.ts': `import { helper } from './helper.ts';\nexport const o = helper;`,
    '/p/helper.ts': `export const helper = 1;`,
    ...extra,
  });
  const named = (program: ts.Program, f: string): boolean => namesRuntime(programAnalysis(program), program.getSourceFile(f)!);

  it('an augmentation `declare module` in a file that names the runtime reaches the augmented module and its importers only', () => {
    const program = virtualProgram(
      files({ '/p/aug.ts': `import type { Ptr } from '${runtimeIndex}';\ndeclare module './plain.ts' {\n  interface Box { p: Ptr<number> }\n}\nexport {};` }),
    );
    expect(named(program, '/p/plain.ts')).toBe(true);
    expect(named(program, '/p/reader.ts')).toBe(true);
    expect(named(program, '/p/other.ts')).toBe(false);
  });

  it('the twins: without the augmentation nothing is named; `declare global` in such a file reaches every file', () => {
    const none = virtualProgram(files({}));
    expect(named(none, '/p/reader.ts')).toBe(false);
    const global = virtualProgram(
      files({ '/p/glob.ts': `import type { Ptr } from '${runtimeIndex}';\ndeclare global {\n  var cell: Ptr<number>;\n}\nexport {};` }),
    );
    expect(named(global, '/p/other.ts')).toBe(true);
  });
});
