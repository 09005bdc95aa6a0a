// Each rule of this part must return before asking the checker for any type on
// a file that never imports offheap: the checker is wrapped in a proxy that
// counts every method call except the symbol lookups the import-graph walk
// makes. The control file (which imports offheap) proves the spy sees calls.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { declarationCounters } from '../../src/analysis/declarations.js';
import { notInHeapCounters } from '../../src/analysis/not-in-heap.js';
import { namesRuntime, runtimeView, seesHeapRefs, seesRuntimeStructure, viewCounters } from '../../src/analysis/offheap-files.js';
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
  // Symbol lookups (no types): runtimeView follows an alias chain step by step for the files it reads.
  const allowed = new Set(['getSymbolAtLocation', 'getAliasedSymbol', 'getImmediateAliasedSymbol']);
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

  it('a `declare global` block that extends globals with globals only (rxjs\'s SymbolConstructor) carries nothing, though its file names the runtime', () => {
    const symbolOnly = `import type { Ptr } from '${runtimeIndex}';\ndeclare global {\n  interface SymbolConstructor {\n    readonly observable: symbol;\n  }\n}\nexport declare const p: Ptr<number>;`;
    const program = virtualProgram(files({ '/p/types.ts': symbolOnly }));
    expect(named(program, '/p/types.ts')).toBe(true);
    expect(named(program, '/p/other.ts')).toBe(false);
    // Twins: the block names a declaration of its file, or an import() type, and every file may see the runtime.
    const local = symbolOnly.replace('readonly observable: symbol;', 'readonly observable: Cell;') + '\ntype Cell = Ptr<number>;';
    expect(named(virtualProgram(files({ '/p/types.ts': local })), '/p/other.ts')).toBe(true);
    const imported = symbolOnly.replace('readonly observable: symbol;', `readonly observable: import('${runtimeIndex}').Ptr<number>;`);
    expect(named(virtualProgram(files({ '/p/types.ts': imported })), '/p/other.ts')).toBe(true);
  });
});

describe('files that see only the runtime\'s numbers (runtimeView)', () => {
  /** The shape of L4 (f): every file names `Ptr` and otherwise holds ordinary code (with its own look-alike brands). */
  const ptrOnly = (n: number): Record<string, string> => {
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? `import { total as t${i + 1} } from './f${i + 1}.ts';\n` : '';
      files[`/p/f${i}.ts`] = `import type { Ptr } from '${runtimeIndex}';\n${next}${body}\nexport declare const at${i}: Ptr<Owner>;`;
    }
    return files;
  };
  const typeQueries = ['getTypeAtLocation', 'getResolvedSignature', 'getContextualType', 'getTypeFromTypeNode', 'getBaseConstraintOfType'];

  for (const rule of ruleNames) {
    it(`${rule} walks no type and asks no type of a node in files that name only Ptr, however many`, () => {
      const counts: Array<Record<string, number>> = [];
      for (const n of [2, 6]) {
        const { program, calls } = countingProgram(ptrOnly(n));
        const walked = notInHeapCounters.reachExpanded;
        const resolved = declarationCounters.signatureResolutions + declarationCounters.calleeTypeAnswers;
        for (let i = 0; i < n; i++) expect(lintFile(program, `/p/f${i}.ts`, [rule])).toEqual([]);
        expect(notInHeapCounters.reachExpanded - walked).toBe(0);
        expect(declarationCounters.signatureResolutions + declarationCounters.calleeTypeAnswers - resolved).toBe(0);
        for (const q of typeQueries) expect(calls.get(q) ?? 0).toBe(0);
        counts.push(Object.fromEntries(calls));
      }
      // What is asked (the kind of the runtime's `Ptr`, once per program) does not grow with the files.
      expect(counts[1]).toEqual(counts[0]);
    });
  }

  for (const rule of ruleNames) {
    it(`${rule}: the twin, a file of the same program that names the runtime's NotInHeap and HeapRef, is walked and reported`, () => {
      const { program, calls } = countingProgram({
        ...ptrOnly(2),
        '/p/uses.ts': `import type { NotInHeap, HeapRef } from '${runtimeIndex}';\n${body.replace(/^type (NotInHeap|HeapRef).*$/gm, '')}`,
      });
      const walked = notInHeapCounters.reachExpanded;
      expect(lintFile(program, '/p/uses.ts', [rule]).length).toBeGreaterThan(0);
      if (rule !== 'no-hidden-heap-pointers') expect(notInHeapCounters.reachExpanded - walked).toBeGreaterThan(0);
      expect(typeQueries.some((q) => (calls.get(q) ?? 0) > 0)).toBe(true);
    });
  }

  const views = (extra: Record<string, string> = {}) =>
    virtualProgram({
      ...extra,
      '/p/barrel.ts': `export * from '${runtimeIndex}';`,
      '/p/ptr.ts': `import type { Ptr } from './barrel.ts';\nexport type Cell = Ptr<number>;`,
      '/p/ns.ts': `import * as oh from './barrel.ts';\nexport type Cell = oh.Ptr<number>;`,
      '/p/ref.ts': `import type { HeapRef as Handle } from './barrel.ts';\nexport type Box = Handle<object>;`,
      '/p/mark.ts': `import type { NotInHeap } from '${runtimeIndex}';\nexport type Rec = NotInHeap<{ n: number }>;`,
      '/p/via-ptr.ts': `import type { Cell } from './ptr.ts';\nexport const c = 0 as unknown as Cell;`,
      '/p/via-ref.ts': `import type { Cell } from './ptr.ts';\nimport type { Box } from './ref.ts';\nexport declare const b: Box | Cell;`,
      '/p/via-mark.ts': `import type { Cell } from './via-ptr.ts';\nimport { c } from './via-ptr.ts';\nimport type { Rec } from './mark.ts';\nexport declare const r: Rec | Cell; export const d = c;`,
      '/p/cycle-a.ts': `import { b } from './cycle-b.ts';\nimport type { Rec } from './mark.ts';\nexport declare const a: Rec; export const a2 = b;`,
      '/p/cycle-b.ts': `import { a2 } from './cycle-a.ts';\nexport const b = 1; export const b2 = a2;`,
      '/p/plain.ts': `export const plain = 1;`,
    });

  it('a barrel passes on only what is named through it; a namespace import takes the whole runtime', () => {
    const program = views();
    const pa = programAnalysis(program);
    const at = (f: string) => program.getSourceFile(f)!;
    expect(runtimeView(pa, at('/p/ptr.ts')).all).toBe(false);
    expect(runtimeView(pa, at('/p/ptr.ts')).symbols.size).toBe(1);
    expect(seesRuntimeStructure(pa, at('/p/ptr.ts'))).toBe(false);
    expect(seesHeapRefs(pa, at('/p/ptr.ts'))).toBe(false);
    // The whole runtime: every binding of the entry's re-exports, or (since the entry carries tags of its own and is a
    // runtime file itself, 14c5383) the view of a runtime file, which is all of it.
    const ns = runtimeView(pa, at('/p/ns.ts'));
    expect(ns.all || ns.symbols.size > 10).toBe(true);
    expect(seesRuntimeStructure(pa, at('/p/ns.ts'))).toBe(true);
    // A renamed HeapRef is still the HeapRef brand.
    expect(seesRuntimeStructure(pa, at('/p/ref.ts'))).toBe(false);
    expect(seesHeapRefs(pa, at('/p/ref.ts'))).toBe(true);
    expect(seesRuntimeStructure(pa, at('/p/mark.ts'))).toBe(true);
    expect(seesRuntimeStructure(pa, at('/p/plain.ts'))).toBe(false);
  });

  it('views flow along the bindings a file names, through chains and cycles', () => {
    const program = views();
    const pa = programAnalysis(program);
    const at = (f: string) => program.getSourceFile(f)!;
    expect([seesRuntimeStructure(pa, at('/p/via-ptr.ts')), seesHeapRefs(pa, at('/p/via-ptr.ts'))]).toEqual([false, false]);
    expect([seesRuntimeStructure(pa, at('/p/via-ref.ts')), seesHeapRefs(pa, at('/p/via-ref.ts'))]).toEqual([false, true]);
    expect(seesRuntimeStructure(pa, at('/p/via-mark.ts'))).toBe(true);
    // cycle-b names cycle-a's binding, and cycle-a sees NotInHeap through mark.ts.
    expect(seesRuntimeStructure(pa, at('/p/cycle-b.ts'))).toBe(true);
  });

  it('resolves each import binding once per program, however many files ask', () => {
    const resolved = (program: ts.Program): number => {
      const pa = programAnalysis(program);
      const before = viewCounters.bindingsResolved;
      for (const f of program.getSourceFiles()) runtimeView(pa, f);
      const once = viewCounters.bindingsResolved - before;
      for (const f of program.getSourceFiles()) runtimeView(pa, f);
      expect(viewCounters.bindingsResolved - before).toBe(once);
      return once;
    };
    // A binding is resolved once per module and name: one more file naming two names through the barrel that no
    // file names through it costs two resolutions, and one naming Ptr and HeapRef, as ptr.ts and ref.ts do
    // (renamed or not), costs none; bindings of modules that re-export nothing are not resolved (the module's whole
    // view flows in); a file that names nothing of the runtime costs none.
    const base = resolved(views());
    expect(resolved(views({ '/p/extra.ts': `import type { Garbage, MaybeGarbage } from './barrel.ts';\nexport type Both = Garbage<1> | MaybeGarbage<2>;` }))).toBe(base + 2);
    const shared = views({ '/p/extra.ts': `import type { Ptr, HeapRef as R } from './barrel.ts';\nexport type Both = Ptr<1> | R<2>;` });
    expect(resolved(shared)).toBe(base);
    const extra = runtimeView(programAnalysis(shared), shared.getSourceFile('/p/extra.ts')!);
    expect([...extra.symbols].map((s) => s.name).sort()).toEqual(['HeapRef', 'Ptr']);
    expect(resolved(views({ '/p/extra.ts': `import type { Cell } from './ptr.ts';\nimport type { Rec } from './mark.ts';\nexport type Both = Cell | Rec;` }))).toBe(base);
    expect(resolved(views({ '/p/none.ts': `import { plain } from './plain.ts';\nexport const again = plain;` }))).toBe(base);
  });
});
