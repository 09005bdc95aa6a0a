// no-heap-allocation tried on programs nobody on the team wrote for it (issue 12 items 4-5, outsider round 2): generic
// containers, caches keyed by handles, records held by JS classes (private #fields, statics, getters), async functions
// and generators, overloads, namespaces, enums, decorators, `satisfies`, `as const`, optional chaining, destructuring
// defaults, class expressions, object spread, re-exports through a barrel and TSX. Each broken program has its correct
// twin: the same code holding `Ptr<T>` (or an allocator's memory), which must lint clean.
import path from 'node:path';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds, type Options } from '../../src/rules/no-heap-allocation.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();
/** Lines 1-4 of every case: a decorated class, a branded record and an ordinary class. */
const head = [
  `import { notInHeap, sysAlloc, type NotInHeap, type Ptr, type HeapRef } from 'offheap';`,
  `@notInHeap class Span { declare npages: number; declare next: Ptr<Span>; }`,
  `type Rec = NotInHeap<{ n: number; p: Ptr<Rec> }>;`,
  `class Owner { name = ''; }`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;
const valid: ValidTestCase<Options>[] = [];
const invalid: InvalidTestCase<MessageIds, Options>[] = [];
type Expected = { messageId: MessageIds; line: number };
/** A broken program (its reports, lines counted from the case's first own line) and its correct twin. */
function twin(broken: string[], errors: Expected[], correct: string[], filename?: string): void {
  const name = broken.join(' ').slice(0, 120);
  const file = filename ? { filename } : {};
  invalid.push({ name: `broken: ${name}`, code: code(...broken), errors: errors.map((e) => ({ ...e, line: L(e.line) })), ...file });
  valid.push({ name: `twin: ${name}`, code: code(...correct), ...file });
}
const e = (messageId: MessageIds, line: number): Expected => ({ messageId, line });

// A generic pool that keeps its T by value, and the one that keeps Ptr<T>.
twin(
  [`class Pool<T> {`, `  items: T[] = [];`, `  put(x: T) { this.items.push(x); }`, `}`, `const spans = new Pool<Span>();`],
  [e('container', 5)],
  [`class Pool<T> {`, `  items: Ptr<T>[] = [];`, `  put(x: Ptr<T>) { this.items.push(x); }`, `}`, `const spans = new Pool<Span>();`],
);
// A cache keyed by handles.
twin([`const byOwner = new Map<HeapRef<Owner>, Rec>();`], [e('container', 1)], [`const byOwner = new Map<HeapRef<Owner>, Ptr<Rec>>();`]);
twin([`const cache = new WeakMap<Owner, Span>();`], [e('container', 1)], [`const cache = new WeakMap<Owner, Ptr<Span>>();`]);
// Record<K, T> holds T by value (silent before, fixed by types-perf); Readonly/Partial of the record stay views.
valid.push({ name: 'twin: a Record of pointers, a Readonly view', code: code(`let table: Record<string, Ptr<Span>>;`, `let view: Readonly<Span>;`) });
invalid.push({
  name: 'broken: let table: Record<string, Span>;',
  code: code(`let table: Record<string, Span>;`),
  errors: [{ messageId: 'container', line: L(1), suggestions: [{ messageId: 'usePtr', output: code(`let table: Record<string, Ptr<Span>>;`) }] }],
});
// A record held by value in a JS class's private #field makes the class not-in-heap.
twin([`class Holder { #s!: Span; }`, `const h = new Holder();`], [e('allocation', 2)], [`class Holder { #s!: Ptr<Span>; }`, `const h = new Holder();`]);
// A static member holding records by value.
twin([`class Registry { static all: Span[] = []; }`], [e('container', 1)], [`class Registry { static all: Ptr<Span>[] = []; }`]);
// A static factory that casts a literal.
twin(
  [`class Recs { static readonly EMPTY = { n: 0, p: 0 } as Rec; }`],
  [e('cast', 1)],
  [`class Recs { static readonly EMPTY = sysAlloc(16) as unknown as Rec; }`],
);
// Async functions and generators.
twin([`declare function load(): Promise<Rec>;`], [e('typeArgument', 1)], [`declare function load(): Promise<Ptr<Rec>>;`]);
twin(
  [`function* walk(first: Ptr<Span>): Generator<Span> {`, `  yield sysAlloc(8) as unknown as Span;`, `}`],
  [e('typeArgument', 1)],
  [`function* walk(first: Ptr<Span>): Generator<Ptr<Span>> {`, `  yield first;`, `}`],
);
// Overloads: the allocator tag on the first signature, where a JSDoc comment of an overloaded function goes (was a
// false positive: only the implementation's own JSDoc was read). A method's overloads alike.
twin(
  [`function make(): Rec;`, `function make(n: number): Rec;`, `function make(n?: number): Rec { return { n: n ?? 0, p: 0 } as Rec; }`],
  [e('cast', 3)],
  [`/** Fresh records. @allocator */`, `function make(): Rec;`, `function make(n: number): Rec;`, `function make(n?: number): Rec { return { n: n ?? 0, p: 0 } as Rec; }`],
);
twin(
  [`class Arena {`, `  /** Fresh records. */`, `  make(): Rec;`, `  make(n: number): Rec;`, `  make(n?: number): Rec { return { n: n ?? 0, p: 0 } as Rec; }`, `}`],
  [e('cast', 5)],
  [`class Arena {`, `  /** Fresh records. @allocator */`, `  make(): Rec;`, `  make(n: number): Rec;`, `  make(n?: number): Rec { return { n: n ?? 0, p: 0 } as Rec; }`, `}`],
);
// The tag on another function of the same name elsewhere does not count.
invalid.push({
  name: 'an @allocator signature of a different overload set',
  code: code(`namespace A { /** @allocator */ export function make(): Rec; export function make(): Rec { return sysAlloc(16) as unknown as Rec; } }`, `function make(): Rec { return { n: 0, p: 0 } as Rec; }`),
  errors: [{ messageId: 'cast', line: L(2) }],
});
// Namespaces: a not-in-heap class declared in one, a container in another.
twin(
  [`namespace Mem { @notInHeap export class Arena { declare used: number; } }`, `const a = new Mem.Arena();`],
  [e('allocation', 2)],
  [`namespace Mem { @notInHeap export class Arena { declare used: number; } }`, `const a = sysAlloc<Mem.Arena>(64);`],
);
twin([`namespace Pools { export const all = new Set<Span>(); }`], [e('container', 1)], [`namespace Pools { export const all = new Set<Ptr<Span>>(); }`]);
// Enums as keys.
twin([`enum Kind { Small, Large }`, `const byKind = new Map<Kind, Span>();`], [e('container', 2)], [`enum Kind { Small, Large }`, `const byKind = new Map<Kind, Ptr<Span>>();`]);
// Another decorator on a class that holds a record by value.
twin(
  [`function sealed<C extends new (...a: never[]) => object>(c: C, _: ClassDecoratorContext): C { return c; }`, `@sealed class Node2 { declare s: Span; }`, `const n = new Node2();`],
  [e('allocation', 3)],
  [`function sealed<C extends new (...a: never[]) => object>(c: C, _: ClassDecoratorContext): C { return c; }`, `@sealed class Node2 { declare s: Ptr<Span>; }`, `const n = new Node2();`],
);
// `satisfies` and `as const`.
twin([`const r = { n: 1, p: 0 as Ptr<Rec> } satisfies Rec;`], [e('literal', 1)], [`const r = { n: 1, p: 0 as Ptr<Rec> } satisfies { n: number; p: Ptr<Rec> };`]);
twin([`declare const s: Span;`, `const pair = [s, s] as const;`], [e('container', 2)], [`declare const s: Ptr<Span>;`, `const pair = [s, s] as const;`]);
// Optional chaining and ?? fallback to a cast literal.
twin(
  [`declare const cache: Map<string, Rec> | undefined;`, `const r = cache?.get('a');`],
  [e('container', 1)],
  [`declare const cache: Map<string, Ptr<Rec>> | undefined;`, `const r = cache?.get('a');`],
);
// Destructuring defaults.
twin([`function f({ r = { n: 0, p: 0 as Ptr<Rec> } }: { r?: Rec }) { return r; }`], [e('literal', 1)], [`function f({ r = 0 as Ptr<Rec> }: { r?: Ptr<Rec> }) { return r; }`]);
// Class expressions.
twin([`const S2 = class extends Span {};`, `const s = new S2();`], [e('allocation', 2)], [`const O2 = class extends Owner {};`, `const o = new O2();`]);
// Object spread of a record copies it onto the JS heap.
twin([`declare const r: Rec;`, `const copy: Rec = { ...r };`], [e('literal', 2)], [`declare const r: Rec;`, `const copy = { n: r.n };`]);
// Inferred type arguments through map.
twin(
  [`declare const ptrs: Ptr<Span>[];`, `declare function view(p: Ptr<Span>): Span;`, `const all = ptrs.map((p) => view(p));`],
  [e('typeArgument', 3)],
  [`declare const ptrs: Ptr<Span>[];`, `declare function view(p: Ptr<Span>): Span;`, `const all = ptrs.map((p) => p);`],
);
// A default type argument.
twin([`class Box<T = Span> { declare v: T; }`, `const b = new Box();`], [e('allocation', 2)], [`class Box<T = Ptr<Span>> { declare v: T; }`, `const b = new Box();`]);
// TSX: a record made in a prop.
const tsx = path.join(fixturesDir, 'view.tsx');
twin(
  [`declare function Row(props: { rec: Rec }): unknown;`, `const row = <Row rec={{ n: 1, p: 0 } as Rec} />;`],
  [e('cast', 2)],
  [`declare function Row(props: { rec: Ptr<Rec> }): unknown;`, `const row = <Row rec={sysAlloc<Rec>(16)} />;`],
  tsx,
);

ruleTester.run('no-heap-allocation (outsider programs)', rule, { valid, invalid });
