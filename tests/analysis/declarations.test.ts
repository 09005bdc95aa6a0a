import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { brandCounters, brandsOf } from '../../src/analysis/brands.js';
import { calleeId, declarationCounters, offheapIdAt } from '../../src/analysis/declarations.js';
import { programAnalysis } from '../../src/analysis/program-analysis.js';
import { virtualProgram } from '../virtual-program.js';
import { runtimeIndex } from './nih-lint.js';

const runtime = `
/** @offheap sysAlloc */
export function sysAlloc(n: number): number { return n; }
/** @offheap FixAlloc */
export class FixAlloc {
  /** @offheap FixAlloc.alloc */
  alloc(): number { return 0; }
}
/** Looks like one, but carries no tag. */
export function sysFree(p: number): void { void p; }
`;

function callsIn(program: ts.Program, file: string): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(file)!);
  return calls;
}

describe('declaration ids', () => {
  it('resolve through renamed imports, re-exports and namespace imports, never by name', () => {
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/reexport.ts': `export { sysAlloc as grab, FixAlloc as Pool } from './runtime.ts';`,
      '/p/user.ts': `
        import { grab, Pool } from './reexport.ts';
        import * as rt from './runtime.ts';
        import { sysFree } from './runtime.ts';
        function sysAlloc(n: number) { return n; }
        const pool = new Pool();
        grab(1); rt.sysAlloc(2); pool.alloc(); sysFree(3); sysAlloc(4);
        const { alloc } = pool; alloc.call(pool);
      `,
    });
    const checker = program.getTypeChecker();
    const ids = callsIn(program, '/p/user.ts').map((call) => calleeId(checker, call));
    expect(ids).toEqual(['sysAlloc', 'sysAlloc', 'FixAlloc.alloc', undefined, undefined, undefined]);
  });

  it('read the tag of a type reference through an alias', () => {
    const program = virtualProgram({
      '/p/runtime.ts': `/** @offheap Ptr */ export type Ptr<T> = number & { __t?: T };`,
      '/p/user.ts': `import type { Ptr as P } from './runtime.ts'; export type Q = P<string>; let x: P<number>;`,
    });
    const checker = program.getTypeChecker();
    const refs: ts.TypeReferenceNode[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isTypeReferenceNode(node)) refs.push(node);
      ts.forEachChild(node, visit);
    };
    visit(program.getSourceFile('/p/user.ts')!);
    expect(refs.map((r) => offheapIdAt(checker, r.typeName))).toEqual(['Ptr', 'Ptr']);
  });

  it('resolve calls through variables, overloads and aliases alike, and ask for overload resolution only when the declarations cannot decide', () => {
    const program = virtualProgram({
      '/p/runtime.ts': `${runtime}
        /** @offheap pick.text */
        export function pick(a: string): number;
        /** @offheap pick.number */
        export function pick(a: number): number;
        export function pick(a: unknown): number { return a ? 1 : 0; }
        /** @offheap grabber */
        export const grabber = (n: number): number => n;
      `,
      '/p/user.ts': `
        import { sysAlloc, pick, grabber, FixAlloc } from './runtime.ts';
        const root = sysAlloc;
        function local(n: number) { return n; }
        class Box { get(): number { return 1; } }
        const box = new Box();
        const pool = new FixAlloc();
        sysAlloc(1); pool.alloc(); local(2); box.get();
        root(3); pick('x'); pick(4); grabber(5);
      `,
    });
    const checker = program.getTypeChecker();
    const calls = callsIn(program, '/p/user.ts');
    const before = declarationCounters.signatureResolutions;
    const direct = calls.slice(0, 4).map((call) => calleeId(checker, call));
    expect(direct).toEqual(['sysAlloc', 'FixAlloc.alloc', undefined, undefined]);
    // Functions and methods named directly, tagged alike: no overload resolution.
    expect(declarationCounters.signatureResolutions - before).toBe(0);
    const typed = declarationCounters.calleeTypeAnswers;
    const indirect = calls.slice(4).map((call) => calleeId(checker, call));
    // A variable holding a runtime function, overloads tagged apart, a tagged const arrow function.
    expect(indirect).toEqual(['sysAlloc', 'pick.text', 'pick.number', 'grabber']);
    // Only the overloads tagged apart need the checker to pick one; the variable and the const are read from their types.
    expect(declarationCounters.signatureResolutions - before).toBe(2);
    expect(declarationCounters.calleeTypeAnswers - typed).toBe(2);
  });

  it('answer calls through function-typed values from the callee type, without overload resolution', () => {
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/user.ts': `
        import { sysAlloc, sysFree } from './runtime.ts';
        type Cb = (n: number) => void;
        interface Events { onDone: Cb; onOne(n: number): void; onOne(s: string): void }
        function run(cb: Cb, ev: Events, pick: typeof sysAlloc | typeof sysFree, alloc: typeof sysAlloc, fns: Cb[]) {
          cb(1); ev.onDone(2); fns[0](3); (cb)(4); alloc(5); pick(6); ev.onOne(7);
        }
        void run;
      `,
    });
    const checker = program.getTypeChecker();
    const calls = callsIn(program, '/p/user.ts');
    const before = declarationCounters.signatureResolutions;
    const typed = declarationCounters.calleeTypeAnswers;
    const ids = calls.map((call) => calleeId(checker, call));
    // A parameter typed as a runtime function keeps its tag; untagged function types have none.
    // A parameter typed as a runtime function keeps its tag; untagged function types have none. A union of
    // two functions has the checker's union signature, declared by its first member (as overload resolution says).
    expect(ids).toEqual([undefined, undefined, undefined, undefined, 'sysAlloc', 'sysAlloc', undefined]);
    expect(declarationCounters.signatureResolutions - before).toBe(0);
    // Six from the callee's type; the overloaded method signatures are read from their declarations.
    expect(declarationCounters.calleeTypeAnswers - typed).toBe(6);
  });

  it('answer every call of a file that sees no runtime function or class (only Ptr) without resolving it', () => {
    const files = (n: number) => {
      const out: Record<string, string> = {
        '/p/runtime.ts': `${runtime}\n/** @offheap Ptr */\nexport type Ptr<T> = number & { readonly __ptr?: T };`,
        '/p/helper.ts': `import { sysAlloc, type Ptr } from './runtime.ts';\nexport const grab = sysAlloc;\nexport type Cell = Ptr<number>;`,
        // The twin: names a type of a module that sees sysAlloc, so its calls are resolved (here, one reaches sysAlloc).
        '/p/twin.ts': `import type { Ptr } from './runtime.ts';\nimport type { Cell } from './helper.ts';\nimport { grab } from './helper.ts';\nexport const q = grab(1) as Ptr<number> | Cell;\nMath.max(1, 2);`,
      };
      const body = Array.from({ length: n }, (_, i) => `Math.max(${i}, 1); [${i}].map((x) => x + 1); new Map<string, number>().set('k', ${i});`).join('\n');
      out['/p/ptr-only.ts'] = `import type { Ptr } from './runtime.ts';\nexport declare const p: Ptr<number>;\n${body}`;
      return out;
    };
    for (const n of [5, 20]) {
      const program = virtualProgram(files(n));
      programAnalysis(program);
      const checker = program.getTypeChecker();
      const before = { ...declarationCounters };
      const ids = callsIn(program, '/p/ptr-only.ts').map((call) => calleeId(checker, call));
      expect(ids.every((id) => id === undefined)).toBe(true);
      expect(declarationCounters.callsOutOfView - before.callsOutOfView).toBe(ids.length);
      expect(declarationCounters.signatureResolutions - before.signatureResolutions).toBe(0);
      expect(declarationCounters.calleeTypeAnswers - before.calleeTypeAnswers).toBe(0);
      const outOfView = declarationCounters.callsOutOfView;
      expect(callsIn(program, '/p/twin.ts').map((call) => calleeId(checker, call))).toEqual(['sysAlloc', undefined]);
      expect(declarationCounters.callsOutOfView).toBe(outOfView);
    }
  });

  it('answer calls of a file that sees only runtime marks (a type with no runtime method) without resolving them', () => {
    const program = virtualProgram({
      '/p/runtime.ts': `${runtime}
        /** @offheap NotInHeap */
        export type NotInHeap<T> = T & { readonly __nih?: true; readonly length?: number };
        export interface PoolLike {
          /** @offheap FixAlloc.alloc */
          alloc(): number;
        }`,
      '/p/marks.ts': `import type { NotInHeap } from './runtime.ts';\ntype R = NotInHeap<{ n: number; f(): number }>;\ndeclare const r: R;\nr.f(); Math.max(1, 2);`,
      // The twin: a type whose method is the runtime's; calls through it are resolved.
      '/p/pool.ts': `import type { PoolLike } from './runtime.ts';\ndeclare const p: PoolLike;\np.alloc(); Math.max(1, 2);`,
    });
    programAnalysis(program);
    const checker = program.getTypeChecker();
    const before = { ...declarationCounters };
    expect(callsIn(program, '/p/marks.ts').map((call) => calleeId(checker, call))).toEqual([undefined, undefined]);
    expect(declarationCounters.callsOutOfView - before.callsOutOfView).toBe(2);
    expect(callsIn(program, '/p/pool.ts').map((call) => calleeId(checker, call))).toEqual(['FixAlloc.alloc', undefined]);
    expect(declarationCounters.callsOutOfView - before.callsOutOfView).toBe(2);
  });
});

describe('brand keys', () => {
  /** `n` instantiations of each scalar brand, and a look-alike key: a user's own unique symbol named as the runtime's. */
  const brands = (n: number) => {
    const lines = [`import type { Ptr, Garbage, HeapRef } from '${runtimeIndex}';`, `declare const ptrBrand: unique symbol;`, `type Fake<T> = { readonly [ptrBrand]: T };`];
    for (let i = 0; i < n; i++) lines.push(`export interface R${i} { v${i}: number }`, `export declare const p${i}: Ptr<R${i}>, g${i}: Garbage<R${i}>, h${i}: HeapRef<R${i}>, f${i}: Fake<R${i}>;`);
    const program = virtualProgram({ '/p/user.ts': lines.join('\n') });
    const checker = program.getTypeChecker();
    const file = program.getSourceFile('/p/user.ts')!;
    const before = brandCounters.keysResolved;
    const kinds: string[] = [];
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const d of statement.declarationList.declarations) {
        if (d.name.getText() === 'ptrBrand') continue;
        const found = brandsOf(checker, checker.getTypeAtLocation(d.name)).map((b) => b.kind);
        kinds.push(`${d.name.getText()[0]}:${found.join(',') || '-'}`);
      }
    }
    return { kinds: [...new Set(kinds)], keys: brandCounters.keysResolved - before };
  };

  it('look up each key declaration once per program, however many instantiations carry it', () => {
    // Each instantiation of Ptr<T> has its own property symbol for `[ptrBrand]`; all share one declaration.
    const small = brands(5);
    const large = brands(50);
    expect(small.kinds).toEqual(['p:Ptr', 'g:Garbage', 'h:HeapRef', 'f:-']);
    expect(large.kinds).toEqual(small.kinds);
    // The three runtime brands and the look-alike: 4 keys at 5 and at 50 instantiations (a lookup per property: 20, 200).
    expect([small.keys, large.keys]).toEqual([4, 4]);
  });
});

describe('tag reads', () => {
  /** `n` functions of the user's own and a call of each, next to calls of the runtime's sysAlloc and sysFree. */
  const reads = (n: number) => {
    const own = Array.from({ length: n }, (_, i) => `function own${i}(x: number) { return x; }\nown${i}(${i});`).join('\n');
    const program = virtualProgram({ '/p/runtime.ts': runtime, '/p/user.ts': `import { sysAlloc, sysFree } from './runtime.ts';\n${own}\nsysAlloc(1); sysFree(2);` });
    programAnalysis(program);
    const checker = program.getTypeChecker();
    const before = declarationCounters.tagReads;
    const ids = callsIn(program, '/p/user.ts').map((c) => calleeId(checker, c) ?? '-');
    return { ids: [...new Set(ids)], reads: declarationCounters.tagReads - before };
  };

  it("read the JSDoc of the runtime's declarations only, however many functions of the user's are called", () => {
    const small = reads(5);
    const large = reads(50);
    expect(small.ids).toEqual(['-', 'sysAlloc']);
    expect(large.ids).toEqual(small.ids);
    // sysAlloc's and sysFree's declarations (a file that never spells the tag has none): 2 at 5 and at 50 functions.
    expect([small.reads, large.reads]).toEqual([2, 2]);
  });
});

describe('generic members', () => {
  /** `n` layouts of the user's, each with its own instantiation of a tagged generic method, called once each. */
  const calls = (n: number) => {
    const generic = `
      /** @offheap field */
      export declare function field<T>(): Field<T>;
      export interface Field<T> {
        /** @offheap Field.set */
        set(p: number, v: T): void;
      }
    `;
    const user = Array.from({ length: n }, (_, i) => `interface R${i} { v${i}: number }\nconst f${i} = field<R${i}>();\nf${i}.set(${i}, { v${i}: ${i} });`).join('\n');
    const program = virtualProgram({ '/p/runtime.ts': generic, '/p/user.ts': `import { field } from './runtime.ts';\n${user}` });
    programAnalysis(program);
    const checker = program.getTypeChecker();
    const reads = declarationCounters.tagReads;
    const lists = declarationCounters.callableLists;
    const ids = callsIn(program, '/p/user.ts').map((c) => calleeId(checker, c) ?? '-');
    return { ids: [...new Set(ids)], reads: declarationCounters.tagReads - reads, lists: declarationCounters.callableLists - lists };
  };

  it('decide the tag of a generic method once, however many instantiations of it are called', () => {
    // Each instantiation `Field<Ri>` has its own `set` symbol; all share the method's one declaration.
    const small = calls(5);
    const large = calls(50);
    expect(small.ids).toEqual(['field', 'Field.set']);
    expect(large.ids).toEqual(small.ids);
    // `field` and `Field.set`: 2 tag reads and 2 declaration lists at 5 and at 50 instantiations (per symbol: 6, 51).
    expect([small.reads, large.reads]).toEqual([2, 2]);
    expect([small.lists, large.lists]).toEqual([2, 2]);
  });
});
