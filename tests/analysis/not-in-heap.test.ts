import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { brandCounters, brandOf, brandsOf, mayBeHeapRef } from '../../src/analysis/brands.js';
import {
  describeReason,
  formatPath,
  heapRefsOf,
  isNotInHeap,
  notInHeapReason,
  notInHeapUnproven,
  typeName,
  valueParts,
  walkBudget,
} from '../../src/analysis/not-in-heap.js';
import { genericUseCounters } from '../../src/analysis/generic-use.js';
import { notInHeapCounters } from '../../src/analysis/not-in-heap.js';
import { allocationCounters } from '../../src/rules/no-heap-allocation.js';
import { programAnalysis } from '../../src/analysis/program-analysis.js';
import { statementGateCounters } from '../../src/analysis/context.js';
import { namesCounters, usesRuntime } from '../../src/analysis/offheap-files.js';
import { virtualOptions, virtualProgram } from '../virtual-program.js';
import { lintFile, runtimeIndex } from './nih-lint.js';

const head = `import { notInHeap, type NotInHeap, type Ptr, type HeapRef, type Garbage, type MaybeGarbage } from '${runtimeIndex}';\n`;

/** A program over `/p/a.ts` (+ extra files) and a lookup of its declared types by name. */
function setup(code: string, extra: Record<string, string> = {}) {
  const program = virtualProgram({ '/p/a.ts': head + code, ...extra }, ['/p/a.ts', ...Object.keys(extra)]);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile('/p/a.ts')!;
  const type = (name: string): ts.Type => {
    const symbol = checker.getSymbolsInScope(file, ts.SymbolFlags.Type).find((s) => s.name === name);
    if (!symbol) throw new Error(`no type ${name}`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  const reason = (name: string) => {
    const r = notInHeapReason(checker, type(name));
    return r && describeReason(checker, name, r);
  };
  const refs = (name: string) =>
    heapRefsOf(checker, type(name)).map((f) => `${formatPath(name, f.steps)}: ${typeName(checker, f.held)}${f.opaque ? ' (opaque)' : ''}`);
  return { program, checker, type, reason, refs };
}

describe('brands', () => {
  it('finds the runtime brands by their declarations, through aliases and re-exports', () => {
    const { checker, type } = setup(
      `import type { Unmanaged, Handle } from './re.ts';
type P = Ptr<number>; type H = HeapRef<object>; type G = Garbage<number>; type N = NotInHeap<{ a: number }>;
type M = MaybeGarbage<number>; type U = Unmanaged<{ b: number }>; type HH = Handle<object>;
declare const ptrBrand: unique symbol; type Fake = number & { readonly [ptrBrand]: number }; type Plain = { a: number };`,
      { '/p/re.ts': `export type { NotInHeap as Unmanaged, HeapRef as Handle } from '${runtimeIndex}';` },
    );
    expect(brandsOf(checker, type('P')).map((b) => b.kind)).toEqual(['Ptr']);
    expect(brandOf(checker, type('H'), 'HeapRef')).toBeDefined();
    expect(brandOf(checker, type('G'), 'Garbage')).toBeDefined();
    expect(brandOf(checker, type('N'), 'NotInHeap')).toBeDefined();
    expect(brandOf(checker, type('U'), 'NotInHeap')).toBeDefined();
    expect(mayBeHeapRef(checker, type('HH'))).toBe(true);
    // A union is not itself branded; its members are.
    expect(brandsOf(checker, type('M'))).toEqual([]);
    expect((type('M') as ts.UnionType).types.map((t) => brandsOf(checker, t)[0]?.kind).sort()).toEqual(['Garbage', 'Ptr']);
    // Look-alikes are not brands.
    expect(brandsOf(checker, type('Fake'))).toEqual([]);
    expect(brandsOf(checker, type('Plain'))).toEqual([]);
    // Cached per type.
    expect(brandsOf(checker, type('P'))).toBe(brandsOf(checker, type('P')));
  });
});

describe('notInHeapReason', () => {
  it('explains marks, decorators, containment and inheritance', () => {
    const { reason } = setup(`
type Span = NotInHeap<{ n: number }>;
interface Marked extends NotInHeap<{}> { n: number }
@notInHeap class Decorated { declare n: number; }
interface Holder { other: number; span: Span }
interface Deep { holder?: Holder | undefined }
class Sub extends Decorated {}
interface Ext extends Marked { m: number }
class Plain { p: Ptr<Span> = 0 as Ptr<Span>; name = ''; }
type Arr = { spans: Span[] };`);
    expect(reason('Span')).toBe('Span is marked NotInHeap');
    expect(reason('Marked')).toBe('Marked is marked NotInHeap');
    expect(reason('Decorated')).toBe('Decorated is decorated @notInHeap');
    expect(reason('Holder')).toBe('Holder is not-in-heap by containment (Holder.span; Span is marked NotInHeap)');
    expect(reason('Deep')).toBe('Deep is not-in-heap by containment (Deep.holder.span; Span is marked NotInHeap)');
    expect(reason('Sub')).toBe('Sub is not-in-heap by inheritance (Sub extends Decorated; Decorated is decorated @notInHeap)');
    expect(reason('Ext')).toBe('Ext is not-in-heap by inheritance (Ext extends Marked; Marked is marked NotInHeap)');
    // Pointers and JS arrays do not hold by value.
    expect(reason('Plain')).toBeUndefined();
    expect(reason('Arr')).toBeUndefined();
  });

  it('terminates on recursive types and gives up on endless instantiation', () => {
    const { checker, type } = setup(`
interface A { b: B; s: string } interface B { a: A; c?: C } interface C { a: A; self: C }
interface Endless<T> { next: Endless<[T]>; v: T }
type Start = Endless<number>;
interface NihRec extends NotInHeap<{}> { self?: NihRec; next: Ptr<NihRec> }`);
    expect(notInHeapReason(checker, type('A'))).toBeUndefined();
    expect(notInHeapReason(checker, type('C'))).toBeUndefined();
    // Bounded by the walk budget (counted, not timed).
    notInHeapCounters.reachExpanded = 0;
    expect(notInHeapReason(checker, type('Start'))).toBeUndefined();
    expect(notInHeapCounters.reachExpanded).toBeLessThanOrEqual(walkBudget);
    expect(isNotInHeap(checker, type('NihRec'))).toBe(true);
    expect(walkBudget).toBeGreaterThan(100);
  });

  it('decides a type whose members are all decided without a walk, as the walk would (counted)', () => {
    const { reason } = setup(`
type Span = NotInHeap<{ n: number }>;
interface Mid { a: number; span: Span }
interface Top1 { m: Mid }
interface Top2 { first: Top1; second: Mid }
interface Plain { a: number }
interface Top3 { p: Plain }`);
    expect(reason('Top1')).toBe('Top1 is not-in-heap by containment (Top1.m.span; Span is marked NotInHeap)');
    expect(reason('Plain')).toBeUndefined();
    notInHeapCounters.reachWalks = 0;
    // Both members decided: the shortest path (through `second`, one step shorter than through `first`), no walk.
    expect(reason('Top2')).toBe('Top2 is not-in-heap by containment (Top2.second.span; Span is marked NotInHeap)');
    expect(reason('Top3')).toBeUndefined();
    expect(notInHeapCounters.reachWalks).toBe(0);
  });

  it('does not depend on declaration order or on the alias met first', () => {
    const decls = [
      `type Span = NotInHeap<{ n: number }>;`,
      `type Alias = Span;`,
      `interface Holder { a: number; viaAlias: Alias; direct: Span }`,
      `type Other = Holder;`,
    ];
    const forward = setup(decls.join('\n'));
    const backward = setup([...decls].reverse().join('\n'));
    // Ask in different orders too.
    const f = [forward.reason('Holder'), forward.reason('Other')];
    const b = [backward.reason('Other'), backward.reason('Holder')].reverse();
    expect(f).toEqual(b);
    expect(forward.reason('Holder')).toBe('Holder is not-in-heap by containment (Holder.viaAlias; Span is marked NotInHeap)');
  });
});

describe('heapRefsOf', () => {
  it('lists every slot that may hold a heap reference, with paths', () => {
    const { refs } = setup(`
class Owner { x = 1; }
enum SE { A = 'a' } enum NE { A = 1 }
type Inner = NotInHeap<{ owner: Owner; n: number }>;
type Span = NotInHeap<{
  inner: Inner; meta: NotInHeap<{ deep: NotInHeap<{ s?: string }> }>;
  n: number; b: boolean; p: Ptr<Span>; r: HeapRef<Owner>; g: MaybeGarbage<Span>;
  big: bigint; sym: symbol; se: SE; ne: NE; lit: 'x'; nl: 1 | 2; u: undefined | null;
  a: any; un: unknown; o: object; e: {}; fn: () => void; arr: number[]; tup: [number];
  method(): string; get acc(): string;
  [k: number]: number | Owner;
}>;`);
    expect(refs('Span')).toEqual([
      'Span[number]: Owner',
      'Span.a: any (opaque)',
      'Span.arr: number[]',
      'Span.big: bigint',
      'Span.e: {}',
      'Span.fn: () => void',
      'Span.inner.owner: Owner',
      'Span.lit: "x"',
      'Span.meta.deep.s: string',
      'Span.o: object',
      'Span.se: SE',
      'Span.sym: symbol',
      'Span.tup: [number]',
      'Span.un: unknown (opaque)',
    ]);
  });

  it('judges type parameters by their constraints and reports recursion once', () => {
    const { refs } = setup(`
type G<T> = NotInHeap<{ v: T }>;
type N<T extends number> = NotInHeap<{ v: T }>;
type S<T extends string> = NotInHeap<{ v: T }>;
interface Rec extends NotInHeap<{}> { self?: Rec; label: string; other?: Rec2 }
interface Rec2 extends NotInHeap<{}> { back?: Rec; tag: string }`);
    expect(refs('G')).toEqual(['G.v: T (opaque)']);
    expect(refs('N')).toEqual([]);
    expect(refs('S')).toEqual(['S.v: string']);
    expect(refs('Rec')).toEqual(['Rec.label: string', 'Rec.other.tag: string']);
  });

  it('paths are the breadth-first shortest ones, ties to the first field, through diamonds, unions and cycles', () => {
    const { refs } = setup(`
type D = NotInHeap<{ s: string }>;
type E = NotInHeap<{ s: string; o: object }>;
type B = NotInHeap<{ d: D }>;
type C = NotInHeap<{ e: E; d: D }>;
type Diamond = NotInHeap<{ y: C; x: B; direct: string }>;
type Either = NotInHeap<{ u: B | C }>;
type Members = B | C;
type Shallow = NotInHeap<{ far: NotInHeap<{ b: B }>; near: Members }>;
interface P extends NotInHeap<{}> { q?: Q; out: B }
interface Q extends NotInHeap<{}> { p?: P; out2: NotInHeap<{ x: C }>; t: symbol }
interface R1 extends NotInHeap<{}> { r2?: R2; c: C }
interface R2 extends NotInHeap<{}> { r1?: R1; b: B }
type Ring = NotInHeap<{ r: R1 }>;`);
    expect(refs('Diamond')).toEqual(['Diamond.direct: string', 'Diamond.y.d.s: string', 'Diamond.y.e.o: object', 'Diamond.y.e.s: string']);
    expect(refs('Either')).toEqual(['Either.u.d.s: string', 'Either.u.e.o: object', 'Either.u.e.s: string']);
    expect(refs('Members')).toEqual(['Members.d.s: string', 'Members.e.o: object', 'Members.e.s: string']);
    expect(refs('Shallow')).toEqual(['Shallow.near.d.s: string', 'Shallow.near.e.o: object', 'Shallow.near.e.s: string']);
    expect(refs('P')).toEqual(['P.out.d.s: string', 'P.q.out2.x.e.o: object', 'P.q.out2.x.e.s: string', 'P.q.t: symbol']);
    expect(refs('Q')).toEqual(['Q.out2.x.e.o: object', 'Q.out2.x.e.s: string', 'Q.p.out.d.s: string', 'Q.t: symbol']);
    expect(refs('R2')).toEqual(['R2.b.d.s: string', 'R2.r1.c.e.o: object', 'R2.r1.c.e.s: string']);
    expect(refs('Ring')).toEqual(['Ring.r.c.d.s: string', 'Ring.r.c.e.o: object', 'Ring.r.c.e.s: string']);
    expect(refs('R1')).toEqual(['R1.c.d.s: string', 'R1.c.e.o: object', 'R1.c.e.s: string']);
  });

  it('is cached per type', () => {
    const { checker, type } = setup(`type S = NotInHeap<{ s: string }>;`);
    expect(heapRefsOf(checker, type('S'))).toBe(heapRefsOf(checker, type('S')));
  });

  it('judges each member storage or not once per program, for the marks walk and the slot walk together (counted)', () => {
    // Holder is not-in-heap by containment: the marks walk expands its members, then the slot walk lists them.
    const judged = (k: number) => {
      const fields = Array.from({ length: k }, (_, i) => `f${i}: number;`).join(' ');
      const { checker, type } = setup(`type Span = NotInHeap<{ n: number }>;\ninterface Holder { span: Span; label: string; ${fields} m(): void }`);
      let before = notInHeapCounters.storageJudged;
      expect(notInHeapReason(checker, type('Holder'))).toBeDefined();
      const marks = notInHeapCounters.storageJudged - before;
      before = notInHeapCounters.storageJudged;
      expect(heapRefsOf(checker, type('Holder')).map((f) => f.steps.join('.'))).toEqual(['label']);
      const slots = notInHeapCounters.storageJudged - before;
      return { marks, slots };
    };
    const a = judged(10);
    const b = judged(20);
    // The marks walk judges Holder's members (10 more at 20 fields); the slot walk judges only what it adds (Span's
    // members), the same at both widths. Before the memo it judged Holder's again: 10 more at 20 fields.
    expect(b.marks - a.marks).toBe(10);
    expect(b.slots).toBe(a.slots);
    expect(a.slots).toBeLessThanOrEqual(2);
  });

  it("lists a type's by-value children once per program, for the coarse and the exact marks walk together (counted)", () => {
    // A chain I0 -> I1 -> ... -> In holding a marked Span: the coarse walk cannot rule it out (it reaches the mark),
    // so the exact walk expands the same interfaces behind it.
    const listed = (n: number) => {
      const chain = Array.from({ length: n }, (_, i) => `interface I${i} { next: I${i + 1}; n: number }`).join('\n');
      const { checker, type } = setup(`type Span = NotInHeap<{ n: number }>;\n${chain}\ninterface I${n} { span: Span }`);
      const before = notInHeapCounters.childrenListed;
      const reason = notInHeapReason(checker, type('I0'));
      expect(reason && describeReason(checker, 'I0', reason)).toContain(`I0.next.next`);
      return notInHeapCounters.childrenListed - before;
    };
    // One more listing per link (two before: the coarse walk's and the exact walk's).
    expect(listed(20) - listed(10)).toBe(10);
  });
});

describe('brands of intersections', () => {
  it('are read from the object members, not from the whole intersection (no Number members listed)', () => {
    const { checker, type } = setup(`
class Owner {}
type P = Ptr<Owner>;
type H = HeapRef<Owner>;
type R = NotInHeap<{ a: number; b: number; c: number }>;
type Both = Ptr<number> & Ptr<string>;
type Plain = number & { unit: 'px' };`);
    const listed = (name: string) => {
      const before = brandCounters.propertiesListed;
      const kinds = brandsOf(checker, type(name)).map((b) => b.kind);
      return { kinds, listed: brandCounters.propertiesListed - before };
    };
    // One brand key each: the number's own members (toFixed, …) are never listed.
    expect(listed('P')).toEqual({ kinds: ['Ptr'], listed: 1 });
    expect(listed('H')).toEqual({ kinds: ['HeapRef'], listed: 1 });
    expect(listed('R')).toEqual({ kinds: ['NotInHeap'], listed: 4 });
    expect(listed('Plain')).toEqual({ kinds: [], listed: 1 });
    // The twin: a key on two members is read from the intersection, whose property combines both payloads.
    const both = listed('Both');
    expect(both.kinds).toEqual(['Ptr']);
    expect(both.listed).toBeGreaterThan(2);
  });

  it('instances of a generic interface are read from its declaration, once, whatever the number of instances (counted)', () => {
    const listed = (n: number) => {
      const aliases = Array.from({ length: n }, (_, i) => `type B${i} = Box<${i}>;`).join('\n');
      const { checker, type } = setup(`interface Box<T> { a: T; b: T; c: T; d: T }\n${aliases}`);
      const before = brandCounters.propertiesListed;
      for (let i = 0; i < n; i++) expect(brandsOf(checker, type(`B${i}`))).toEqual([]);
      return brandCounters.propertiesListed - before;
    };
    // Box's four properties, listed once (before: four per instance).
    expect([listed(10), listed(40)]).toEqual([4, 4]);
  });

  it("the twin: an instance of a generic interface extending a brand carries it, with the instance's payload", () => {
    const { checker, type } = setup(`interface Cell<T> extends NotInHeap<{ n: number }> { v: T }\ntype C1 = Cell<string>;\ntype C2 = Cell<number>;`);
    expect(brandsOf(checker, type('C1')).map((b) => b.kind)).toEqual(['NotInHeap']);
    expect(brandsOf(checker, type('C2')).map((b) => b.kind)).toEqual(['NotInHeap']);
  });

  it('a generic member is read through the intersection (its constraint may carry the brand)', () => {
    const { checker, program } = setup(`export function f<T extends NotInHeap<{ n: number }>>(x: T & { m: number }) { return x; }`);
    const fn = program.getSourceFile('/p/a.ts')!.statements.find(ts.isFunctionDeclaration)!;
    const param = checker.getTypeAtLocation(fn.parameters[0]);
    expect(brandsOf(checker, param).map((b) => b.kind)).toEqual(['NotInHeap']);
  });
});

describe('valueParts', () => {
  it('classifies each alternative of a slot', () => {
    const { checker, type } = setup(`
class Owner {}
type T1 = number | string | HeapRef<Owner> | Ptr<Owner> | NotInHeap<{ a: number }> | unknown[];
type T2 = number & { unit: 'px' };
type T3 = string & { tag: 1 };`);
    const kinds = (name: string) => valueParts(checker, type(name)).map((p) => p.kind).sort();
    expect(kinds('T1')).toEqual(['heap', 'heap', 'heapRef', 'notInHeap', 'scalar', 'scalar']);
    expect(kinds('T2')).toEqual(['scalar']);
    expect(kinds('T3')).toEqual(['heap']);
  });
});

describe('linear cost (counted work, never timing)', () => {
  /** Lints one generated file with the type rules and returns the counted work. */
  function work(source: string, usesRuntime = true) {
    // The rules check only a file that uses a runtime binding (the last line, unless asked not to).
    const uses = usesRuntime ? 'export type UsesTheRuntime = NotInHeap<{ p: Ptr<number> }>;' : '';
    const program = virtualProgram({ '/p/a.ts': `import { type NotInHeap, type Ptr } from '${runtimeIndex}';\n${source}\n${uses}\nexport {};\n` });
    for (const c of [notInHeapCounters, genericUseCounters, allocationCounters] as Array<Record<string, number>>) {
      for (const k of Object.keys(c)) c[k] = 0;
    }
    const reports = lintFile(program, '/p/a.ts', ['no-heap-pointers', 'no-heap-allocation']);
    // Types the not-in-heap walks expanded: the coarse walk, the exact one behind it, and the generic summaries.
    const typesExpanded = notInHeapCounters.reachExpanded + notInHeapCounters.coarseExpanded + notInHeapCounters.originsExpanded;
    return { reports, typesExpanded, ...notInHeapCounters, ...genericUseCounters, ...allocationCounters };
  }
  const chain = (n: number, last: string, name = 'I') =>
    [...Array.from({ length: n }, (_, i) => `interface ${name}${i} { next: ${name}${i + 1}; n: number }`), `interface ${name}${n} ${last}`].join('\n');
  /** Counts at n, 2n and 4n on a straight line: the work per added element is the same at every size. */
  const affine = (n: number, n2: number, n4: number) => {
    expect(n2 - n).toBeGreaterThan(0);
    expect(n4 - n2).toBe(2 * (n2 - n));
  };
  /** n -> 2n roughly doubles the work: between 1.5x and 2.5x. */
  const doubles = (small: number, large: number) => {
    expect(small).toBeGreaterThan(0);
    expect(large / small).toBeGreaterThan(1.5);
    expect(large / small).toBeLessThan(2.5);
  };

  it('a chain of interfaces holding the next by value: each type explored once, marked or not', () => {
    // Three chains per program: ordinary (its end names the file's marked alias behind a pointer, so every link may
    // hold the runtime and is walked; a chain that names nothing carrying it is not asked about at all, see the
    // statement gate's test), marked at the end, and marked at the end with a string there.
    const chains = (n: number) =>
      [chain(n, '{ n: number; p?: Ptr<UsesTheRuntime> }'), chain(n, 'extends NotInHeap<{}> { n: number }', 'J'), chain(n, 'extends NotInHeap<{}> { s: string }', 'K')].join('\n');
    const [a, b, c] = [50, 100, 200].map((n) => work(chains(n)));
    // Exactly linear: each further link costs the same (a walk per link of the rest, as heapRefsOf did, grows it).
    affine(a.typesExpanded, b.typesExpanded, c.typesExpanded);
    affine(a.findingVisits, b.findingVisits, c.findingVisits);
    expect(c.reports.map((r) => `${r.messageId}:${r.line}`)).toEqual([`heapPointer:${1 + 3 * 201}`]);
    // Once, at its own struct, though all 201 links reach it.
    expect(c.reports[0].message).toContain('`K200.s` holds a heap reference (`string`), but K200 is marked NotInHeap.');
  });

  it('heapRefsOf expands each embedded struct once per program: asked of every link of a chain, work grows linearly, paths stay exact', () => {
    // Two chains per program, I holding one reference at its end, J whose every link also embeds the same struct L.
    const programAt = (n: number) => {
      const links = (name: string, link: (i: number) => string, last: string) => [
        ...Array.from({ length: n }, (_, i) => `interface ${name}${i} extends NotInHeap<{}> { ${link(i)} }`),
        `interface ${name}${n} extends NotInHeap<{}> ${last}`,
      ];
      const { checker, program } = setup(
        [
          `type L = NotInHeap<{ o: object }>;`,
          ...links('I', (i) => `next: I${i + 1}; n: number`, '{ s: string }'),
          ...links('J', (i) => `next: J${i + 1}; l: L`, '{ s: string; l: L }'),
        ].join('\n'),
      );
      const byName = new Map(
        checker.getSymbolsInScope(program.getSourceFile('/p/a.ts')!, ts.SymbolFlags.Interface).map((s) => [s.name, checker.getDeclaredTypeOfSymbol(s)]),
      );
      /** Asks heapRefsOf of every link, as no-heap-pointers does, and counts. */
      return (name: string) => {
        notInHeapCounters.findingVisits = 0;
        notInHeapCounters.reachedMerged = 0;
        const lists = Array.from({ length: n + 1 }, (_, i) => heapRefsOf(checker, byName.get(`${name}${i}`)!));
        return { lists, visits: notInHeapCounters.findingVisits, merged: notInHeapCounters.reachedMerged };
      };
    };
    for (const n of [50, 100, 200]) {
      const ask = programAt(n);
      // Each link reaches the one reference through the next (a walk per link was 180,902 visits at 600 links).
      const single = ask('I');
      expect(single.visits).toBe(n + 1);
      expect(single.merged).toBe(0);
      expect(single.lists.map((l) => l.length)).toEqual(Array<number>(n + 1).fill(1));
      expect(single.lists[0][0].depth).toBe(n + 1);
      expect(single.lists[0][0].steps).toEqual([...Array<string>(n).fill('next'), 's']);
      expect(formatPath('I0', single.lists[0][0].steps)).toBe(`I0.next.next.next.next … (${n - 6} more) … .next.next.s`);
      expect(single.lists[n - 1][0].steps).toEqual(['next', 's']);
      // Joined at each link, each struct kept once, by its shortest path: the link's next brings L and J<n>, then L itself.
      const shared = ask('J');
      expect(shared.visits).toBe(n + 2);
      expect(shared.merged).toBe(3 * n);
      expect(shared.lists[0].map((f) => f.steps.join('.'))).toEqual(['l.o', `${'next.'.repeat(n)}s`]);
      expect(shared.lists[n].map((f) => f.steps.join('.'))).toEqual(['l.o', 's']);
    }
  });

  it('no budget cliff: chains across the old 4,000-type budget cost twice as much at twice the length, and stay exact', () => {
    const explored = (n: number) => {
      const { checker, program } = setup(chain(n, 'extends NotInHeap<{}> { n: number }'));
      const byName = new Map(
        checker.getSymbolsInScope(program.getSourceFile('/p/a.ts')!, ts.SymbolFlags.Interface).map((s) => [s.name, checker.getDeclaredTypeOfSymbol(s)]),
      );
      const type = (name: string) => byName.get(name)!;
      notInHeapCounters.reachExpanded = 0;
      for (let i = 0; i <= n; i++) expect(isNotInHeap(checker, type(`I${i}`))).toBe(true);
      expect(notInHeapReason(checker, type('I0'))!.steps.length).toBe(n);
      return notInHeapCounters.reachExpanded;
    };
    doubles(explored(2500), explored(5000));
  });

  it('a walk that runs out of budget is memoised: asking again explores nothing new', () => {
    const endless = setup(`interface Endless<T> { next: Endless<[T]>; v: T }\ntype Start = Endless<number>;`);
    notInHeapCounters.reachExpanded = 0;
    expect(notInHeapReason(endless.checker, endless.type('Start'))).toBeUndefined();
    expect(notInHeapUnproven(endless.checker, endless.type('Start'))).toBe(true);
    const first = notInHeapCounters.reachExpanded;
    expect(first).toBe(walkBudget);
    expect(notInHeapReason(endless.checker, endless.type('Start'))).toBeUndefined();
    expect(notInHeapCounters.reachExpanded).toBe(first);
  });

  it('a slot walk that runs out of budget says so where it stopped, and is memoised: asking a type it expanded walks nothing', () => {
    const { checker, type } = setup(`
interface Deep<T> extends NotInHeap<{}> { next: Deep<[T]>; n: number }
type Start = Deep<number>;`);
    notInHeapCounters.findingVisits = 0;
    const [stop] = heapRefsOf(checker, type('Start'));
    expect(notInHeapCounters.findingVisits).toBe(walkBudget);
    expect(heapRefsOf(checker, type('Start'))).toHaveLength(1);
    expect({ opaque: stop.opaque, depth: stop.depth, leaf: stop.leaf }).toEqual({ opaque: true, depth: walkBudget, leaf: undefined });
    expect(new Set(stop.steps)).toEqual(new Set(['next']));
    expect(typeName(checker, stop.held)).toBe('Deep<[[[…]]]>');
    // The next link was expanded by that walk: its answer is read from it (a walk per link made this 10,000 more).
    const [second] = heapRefsOf(checker, checker.getTypeOfSymbol(type('Start').getProperty('next')!));
    expect(notInHeapCounters.findingVisits).toBe(walkBudget);
    expect({ depth: second.depth, held: second.held }).toEqual({ depth: walkBudget - 1, held: stop.held });
  });

  it('slot walks skip embedded structs that hold no reference', () => {
    const embedded = (n: number) =>
      [`type Leaf = NotInHeap<{ n: number }>;`, ...Array.from({ length: n }, (_, i) => `interface E${i} { inner: ${i === 0 ? 'Leaf' : `E${i - 1}`}; n: number }`)].join('\n');
    const a = work(embedded(300));
    const b = work(embedded(600));
    expect(a.reports).toEqual([]);
    doubles(a.findingVisits, b.findingVisits);
    doubles(a.reachExpanded, b.reachExpanded);
  });

  it('no-heap-allocation asks for the type of a literal once per outermost literal', () => {
    // Each statement names the file's marked alias (so it may hold one and is checked).
    const nested = (n: number) => `const xs: UsesTheRuntime | unknown = ${'['.repeat(n)}1${']'.repeat(n)};`;
    const a = work(nested(60));
    const b = work(nested(120));
    expect(a.literalTypeQueries).toBe(1);
    expect(b.literalTypeQueries).toBe(1);
    doubles(a.literalsTyped, b.literalsTyped);
    const objects = (n: number) => `const o: UsesTheRuntime | unknown = ${'{ a: '.repeat(n)}1${' }'.repeat(n)};`;
    expect(work(objects(80)).literalTypeQueries).toBe(1);
    // The twin: a file that imports the runtime and uses none of it holds no runtime type, and asks for none.
    expect(work(objects(80), false).literalTypeQueries).toBe(0);
    expect(work(nested(120), false).literalsTyped).toBe(0);
  });

  it('the type rules ask nothing about a statement that names nothing carrying the runtime (counted); its twin is reported', () => {
    const fns = (n: number, annotate = '') =>
      Array.from({ length: n }, (_, i) => `export function f${i}(x: number) {\n  const o${annotate} = { a: x, b: [x, { c: ${i} }] };\n  const m = new Map<string, number>([['k', x]]);\n  return Math.max(o.a, m.size, ${i}) + 1;\n}`).join('\n');
    const counted = (source: string) => {
      const before = { ...statementGateCounters };
      const r = work(source);
      return { ...r, skipped: statementGateCounters.skipped - before.skipped, asked: statementGateCounters.asked - before.asked };
    };
    const a = counted(fns(20));
    const b = counted(fns(40));
    expect([a.reports, b.reports]).toEqual([[], []]);
    // No literal, `new`, call or type reference of those functions is typed (before: one literal query per function).
    expect([a.literalTypeQueries, b.literalTypeQueries]).toEqual([0, 0]);
    expect(b.asked).toBe(a.asked);
    doubles(a.skipped, b.skipped);
    // The twin: the same functions where the literal is annotated with the file's marked alias are reported.
    const c = counted(fns(2, ': UsesTheRuntime'));
    expect(c.reports.map((r) => r.messageId)).toEqual(['literal', 'literal']);
  });

  it('no-heap-allocation asks whether a node lies in an allocator only where it would report', () => {
    const ordinary = (n: number) =>
      Array.from({ length: n }, (_, i) => `function f${i}(x: number): number { const o = { x }; const a = [x, ${i}]; const m = new Map<string, number>(); m.set('k', o.x); return Math.max(a[0], x as number); }`).join('\n');
    expect(work(ordinary(20)).allocatorChecks).toBe(0);
    expect(work(ordinary(40)).allocatorChecks).toBe(0);
    // The twins: the same record literal inside an allocator is exempt (asked, not reported), outside it is reported.
    const record = `type R = NotInHeap<{ n: number }>;`;
    const inside = work(`${record}\n/** @allocator */\nfunction make(): R { return { n: 1 } as R; }`);
    expect(inside.reports).toEqual([]);
    expect(inside.allocatorChecks).toBe(1);
    const outside = work(`${record}\nfunction make(): R { return { n: 1 } as R; }`);
    expect(outside.reports.map((r) => r.messageId)).toEqual(['cast']);
  });

  it("no-heap-allocation asks for a call's declaration symbol only for a `construct`/`create` member or a generic call (counted); their twins are reported", () => {
    const plain = (n: number) =>
      [`function plain(x: number): number { return x; }`, ...Array.from({ length: n }, (_, i) => `export const v${i}: UsesTheRuntime | number = plain(${i});`)].join('\n');
    const a = work(plain(20));
    const b = work(plain(40));
    expect([a.reports, b.reports]).toEqual([[], []]);
    // Before: one symbol per call (20 and 40), though neither question could apply to a non-generic `plain`.
    expect([a.declarationSymbols, b.declarationSymbols]).toEqual([0, 0]);
    const record = `type R = NotInHeap<{ n: number }>;\ndeclare const r: R;`;
    // The twins: `Object.create` of a record and a generic keeping a record by value still ask, and are reported.
    const created = work(`${record}\nexport const c: UsesTheRuntime | unknown = Object.create(r);`);
    expect(created.reports.map((x) => x.messageId)).toEqual(['allocation']);
    expect(created.declarationSymbols).toBe(1);
    const generic = work(`${record}\nfunction keep<T>(x: T): { x: T } { return { x }; }\nexport const k: UsesTheRuntime | unknown = keep(r);`);
    expect(generic.reports.map((x) => x.messageId)).toEqual(['typeArgument']);
    expect(generic.declarationSymbols).toBe(1);
  });

  it('generic declarations are scanned once each, however often they are instantiated', () => {
    const generics = (n: number) =>
      [
        `type R = NotInHeap<{ n: number }>;`,
        ...Array.from({ length: n }, (_, i) => `class G${i}<T> { p: Ptr<T> = 0 as Ptr<T>; next?: ${i === 0 ? 'Ptr<T>' : `G${i - 1}<T>`}; }`),
        ...Array.from({ length: n }, (_, i) => `const g${i} = new G${i}<R>();`),
      ].join('\n');
    const a = work(generics(100));
    const b = work(generics(200));
    expect(a.reports).toEqual([]);
    doubles(a.nodesScanned, b.nodesScanned);
    doubles(a.parametersJudged, b.parametersJudged);
  });
});

describe('types from files that never use a mark', () => {
  /**
   * `/p/free.ts` imports the mark and never uses it, so no type declared there can hold one; `/p/a.ts` uses it.
   * Returns the not-in-heap reason of each alias declared in /p/a.ts, named by the alias.
   */
  function run(free: string, marked: string, extra: Record<string, string> = {}) {
    const files = {
      '/p/free.ts': `import type { NotInHeap } from '${runtimeIndex}';\n${free}`,
      '/p/a.ts': `import { type NotInHeap } from '${runtimeIndex}';\ntype Span = NotInHeap<{ n: number }>;\n${marked}`,
      ...extra,
    };
    const program = virtualProgram(files);
    const checker = program.getTypeChecker();
    // The rules make the program's analysis state first; the skip needs it.
    programAnalysis(program);
    const file = program.getSourceFile('/p/a.ts')!;
    const reasons: Record<string, string | undefined> = {};
    for (const symbol of checker.getSymbolsInScope(file, ts.SymbolFlags.TypeAlias)) {
      if (symbol.declarations?.[0]?.getSourceFile() !== file) continue;
      const r = notInHeapReason(checker, checker.getDeclaredTypeOfSymbol(symbol));
      reasons[symbol.name] = r && describeReason(checker, symbol.name, r);
    }
    return { reasons, checker, program };
  }

  it('still finds a mark that reaches a generic of such a file through its type arguments', () => {
    const { reasons } = run(
      `export interface Box<T> { v: T; n: number }
export type Alias<T> = { v: T };
export type Both<T> = T & { n: number };
export type Mapped<T> = { [K in keyof T]: T[K] };
export type Cond<T> = T extends object ? { v: T } : never;
export type Elem<T extends readonly unknown[]> = { e: T[number] };
export class Cell<T> { declare v: T }`,
      `import type { Box, Alias, Both, Mapped, Cond, Elem, Cell } from './free.ts';
type B = Box<Span>; type A = Alias<Span>; type I = Both<Span>; type M = Mapped<{ s: Span }>;
type C = Cond<Span>; type E = Elem<Span[]>; type K = Cell<Span>; type U = Box<number> | Box<Span>;
type Plain = Box<number>; type PlainA = Alias<string>; type PlainE = Elem<number[]>;`,
    );
    expect(reasons.B).toBe('B is not-in-heap by containment (B.v; Span is marked NotInHeap)');
    expect(reasons.A).toBe('A is not-in-heap by containment (A.v; Span is marked NotInHeap)');
    expect(reasons.I).toBe('I is marked NotInHeap');
    expect(reasons.M).toBe('M is not-in-heap by containment (M.s; Span is marked NotInHeap)');
    expect(reasons.C).toBe('C is not-in-heap by containment (C.v; Span is marked NotInHeap)');
    expect(reasons.E).toBe('E is not-in-heap by containment (E.e; Span is marked NotInHeap)');
    expect(reasons.K).toBe('K is not-in-heap by containment (K.v; Span is marked NotInHeap)');
    expect(reasons.U).toBe('U is not-in-heap by containment (U.v; Span is marked NotInHeap)');
    // The twins: the same generics with ordinary arguments.
    expect([reasons.Plain, reasons.PlainA, reasons.PlainE]).toEqual([undefined, undefined, undefined]);
  });

  it('a file that uses the mark through another file, an import() type or a re-export is not such a file', () => {
    const { reasons } = run(
      `export interface Holder { inner: import('./a.ts').Exported }
export type { Exported as Again } from './a.ts';`,
      `export type Exported = { s: Span };
import type { Holder, Again } from './free.ts';
import type { Via } from './via.ts';
type H = Holder; type G = { a: Again }; type V = Via;`,
      { '/p/via.ts': `import type { Exported } from './a.ts';\nexport interface Via { e: Exported }` },
    );
    expect(reasons.H).toBe('H is not-in-heap by containment (H.inner.s; Span is marked NotInHeap)');
    expect(reasons.G).toBe('G is not-in-heap by containment (G.a.s; Span is marked NotInHeap)');
    expect(reasons.V).toBe('V is not-in-heap by containment (V.e.s; Span is marked NotInHeap)');
  });

  it('a declaration merged across files holds what every file adds, and globals from a marking file reach every file', () => {
    const merged = run(
      `export interface Merged { n: number }`,
      `import type { Merged } from './free.ts';
declare module './free.ts' { interface Merged { s: Span } }
type G = Merged;`,
    );
    expect(merged.reasons.G).toBe('G is not-in-heap by containment (G.s; Span is marked NotInHeap)');
    // Another declaration of the augmented file that names the merged one holds what the augmentation added.
    const holder = run(
      `export interface Merged { n: number }\nexport interface Holds { m: Merged }`,
      `import type { Holds } from './free.ts';
declare module './free.ts' { interface Merged { s: Span } }
type H = Holds;`,
    );
    expect(holder.reasons.H).toBe('H is not-in-heap by containment (H.m.s; Span is marked NotInHeap)');
    const global = run(
      `export interface Uses { w: Window2 }`,
      `import type { Uses } from './free.ts';
declare global { interface Window2 { s: Span } }
type W = Uses;`,
    );
    expect(global.reasons.W).toBe('W is not-in-heap by containment (W.w.s; Span is marked NotInHeap)');
  });

  it('a `declare global` block that carries nothing of its marking file leaves the other files answered from their declarations (counted); its twin carries', () => {
    const chain = `export interface I0 { next: I1; s: string }\nexport interface I1 { n: number }`;
    const walked = (block: string) => {
      for (const k of Object.keys(notInHeapCounters) as Array<keyof typeof notInHeapCounters>) notInHeapCounters[k] = 0;
      const { reasons } = run(chain, `import type { I0 } from './free.ts';\n${block}\ntype T0 = I0;`);
      return { reasons, ...notInHeapCounters };
    };
    // rxjs's shape: globals extended with primitives only.
    const quiet = walked(`declare global { interface SymbolConstructor { readonly observable2: symbol } }`);
    const carrying = walked(`declare global { interface Window3 { s: Span } }`);
    expect(quiet.reasons.T0).toBeUndefined();
    expect(carrying.reasons.T0).toBeUndefined();
    // Only I0 and Span are explored when the block carries nothing; a block that names the file's Span makes every
    // file's types candidates, so I0's field I1 is walked too.
    expect(quiet.coarseExpanded).toBeLessThan(carrying.coarseExpanded);
  });

  it('its own types are answered from their declarations: no field is walked, at any length (counted)', () => {
    const chain = (n: number) =>
      [...Array.from({ length: n }, (_, i) => `export interface I${i} { next: I${i + 1}; s: string; b: Box<I${i + 1}> }`), `export interface I${n} { n: number }`, `export interface Box<T> { v: T }`].join('\n');
    const walked = (free: string, marked: string) => {
      for (const k of Object.keys(notInHeapCounters) as Array<keyof typeof notInHeapCounters>) notInHeapCounters[k] = 0;
      const { reasons } = run(free, `import type { I0, I1 } from './free.ts';\n${marked}`);
      return { reasons, ...notInHeapCounters };
    };
    const a = walked(chain(200), `type T0 = I0; type T1 = I1;`);
    const b = walked(chain(400), `type T0 = I0; type T1 = I1;`);
    expect(a.reasons.T0).toBeUndefined();
    // Neither walk expands a field of the free file's types: only the types asked are explored (I0, I1 and Span,
    // which alone goes on to the exact walk), whatever the chain's length.
    expect([a.coarseExpanded, a.reachExpanded, b.coarseExpanded, b.reachExpanded]).toEqual([3, 1, 3, 1]);
    expect(b.originsExpanded).toBe(a.originsExpanded);
    // The twin: the same chain where the free file uses the mark, and the chain's last interface mentions the
    // statement that does (a comment counts), is walked field by field, linearly.
    const mentioned = (n: number) => `type Unused = NotInHeap<{}>;\n${chain(n).replace(`export interface I${n} {`, `/** not Unused */ export interface I${n} {`)}`;
    const c = walked(mentioned(200), `type T0 = I0; type T1 = I1;`);
    const d = walked(mentioned(400), `type T0 = I0; type T1 = I1;`);
    expect(c.reasons.T0).toBeUndefined();
    expect(c.coarseExpanded).toBeGreaterThan(400);
    expect(d.coarseExpanded / c.coarseExpanded).toBeGreaterThan(1.5);
    expect(d.coarseExpanded / c.coarseExpanded).toBeLessThan(2.5);
  });

  it('a file that uses the mark in one statement answers its other types from their declarations (counted); a statement that names that one is walked', () => {
    // The L4 (g) corpus's shape: ordinary code plus one alias of a marked record that nothing else names.
    const chain = (n: number, last = '') =>
      [...Array.from({ length: n }, (_, i) => `export interface I${i} { next: I${i + 1}; s: string; b: Box<I${i + 1}> }`), `export interface I${n} { n: number${last} }`, `export interface Box<T> { v: T }`].join('\n');
    const walked = (free: string) => {
      for (const k of Object.keys(notInHeapCounters) as Array<keyof typeof notInHeapCounters>) notInHeapCounters[k] = 0;
      const { reasons } = run(free, `import type { I0, I1 } from './free.ts';\ntype T0 = I0; type T1 = I1;`);
      return { reasons, ...notInHeapCounters };
    };
    const a = walked(`${chain(200)}\ntype Mark = NotInHeap<{ n: number }>;`);
    const b = walked(`${chain(400)}\ntype Mark = NotInHeap<{ n: number }>;`);
    expect([a.reasons.T0, b.reasons.T0]).toEqual([undefined, undefined]);
    // As for a file that never uses the mark: I0, I1 and Span only, at any length (the old per-file answer walked
    // every field of the chain: 1,000 and more types).
    expect([a.coarseExpanded, b.coarseExpanded]).toEqual([3, 3]);
    // The twins: the chain's end holds the marked alias, so every link holds it by value and is reported; and a
    // link that names it only in a type argument of Box is walked too.
    const c = walked(`${chain(200, '; m: Mark')}\ntype Mark = NotInHeap<{ n: number }>;`);
    expect(c.reasons.T0).toBe('T0 is not-in-heap by containment (T0.next.next.next.next … (194 more) … .next.next.m; Mark is marked NotInHeap)');
    expect(c.coarseExpanded).toBeGreaterThan(200);
    const d = walked(`${chain(3).replace('export interface I0 {', 'export interface I0 { k: Box<Mark>;')}\ntype Mark = NotInHeap<{ n: number }>;`);
    expect(d.reasons.T0).toBe('T0 is not-in-heap by containment (T0.k.v; Mark is marked NotInHeap)');
  });

  it('an instance of a type literal or mapped type declared there is answered from its declaration and its arguments (counted); with a marked argument it is walked', () => {
    // `w${n}` is `{ v: { v: … { v: number; s: string } …; s: string }; s: string }`, n instances of make's literal type.
    const nested = (n: number) => Array.from({ length: n }, (_, i) => `export const w${i + 1} = make(w${i});`).join('\n');
    const generics = `export function make<T>(v: T) { return { v, s: '' }; }\nexport interface Holder<T> { m: { [K in keyof T]: T[K] } }\nexport const w0 = 0;`;
    const walked = (n: number) => {
      for (const k of Object.keys(notInHeapCounters) as Array<keyof typeof notInHeapCounters>) notInHeapCounters[k] = 0;
      const { reasons } = run(
        `${generics}\n${nested(n)}`,
        `import { make, w${n}, type Holder } from './free.ts';
type Made = typeof w${n}; type Mapped = ${'Holder<'.repeat(n)}number${'>'.repeat(n)}['m'];
type MadeSpan = ReturnType<typeof make<Span>>; type MappedSpan = Holder<{ s: Span }>['m'];`,
      );
      return { reasons, ...notInHeapCounters };
    };
    const a = walked(20);
    const b = walked(40);
    expect([a.reasons.Made, a.reasons.Mapped]).toEqual([undefined, undefined]);
    // Neither nest is walked field by field (the old answer took every instantiated type literal or mapped type for a
    // possible mark: 20 and 40 levels of each).
    expect(b.coarseExpanded).toBe(a.coarseExpanded);
    expect(a.coarseExpanded).toBeLessThan(20);
    // The twins: the same instances with a marked argument.
    expect(a.reasons.MadeSpan).toBe('MadeSpan is not-in-heap by containment (MadeSpan.v; Span is marked NotInHeap)');
    expect(a.reasons.MappedSpan).toBe('MappedSpan is not-in-heap by containment (MappedSpan.s; Span is marked NotInHeap)');
  });

  it('which names a file uses is read once per file, not once per program (an editor builds a program per edit)', () => {
    const files: Record<string, string> = {
      '/p/free.ts': `import type { NotInHeap } from '${runtimeIndex}';\nexport interface Box<T> { v: T }`,
      '/p/a.ts': `import type { NotInHeap } from '${runtimeIndex}';\nimport type { Box } from './free.ts';\nexport type S = Box<NotInHeap<{ n: number }>>;`,
    };
    const host = ts.createCompilerHost(virtualOptions, true);
    const parsed = new Map<string, ts.SourceFile | undefined>();
    const fromDisk = host.getSourceFile.bind(host);
    host.readFile = ((read) => (name: string) => files[name] ?? read(name))(host.readFile.bind(host));
    host.fileExists = ((exists) => (name: string) => name in files || exists(name))(host.fileExists.bind(host));
    host.getSourceFile = (name, version, onError, create) => {
      if (!parsed.has(name)) parsed.set(name, name in files ? ts.createSourceFile(name, files[name], version, true) : fromDisk(name, version, onError, create));
      return parsed.get(name);
    };
    let previous: ts.Program | undefined;
    const read = () => {
      // From the previous program, as the language server builds the next one (its module resolution carries over).
      const program = (previous = ts.createProgram(Object.keys(files), virtualOptions, host, previous));
      const before = namesCounters.namesRead;
      const pa = programAnalysis(program);
      const answers = ['/p/free.ts', '/p/a.ts'].map((f) => usesRuntime(pa, program.getSourceFile(f)!));
      return { answers, read: namesCounters.namesRead - before };
    };
    const first = read();
    expect(first.answers).toEqual([false, true]);
    expect(first.read).toBeGreaterThan(0);
    // The second program has the same files: the same answers, and no text read again.
    expect(read()).toEqual({ answers: [false, true], read: 0 });
  });

  it('an import is used when its name occurs again as a whole word (comments count, longer names do not)', () => {
    const { reasons } = run(
      `// NotInHeap
export interface Box<T> { v: T }
export type NotInHeapish = number;`,
      `import type { Box } from './free.ts';\ntype B = Box<number>;`,
    );
    expect(reasons.B).toBeUndefined();
  });
});
