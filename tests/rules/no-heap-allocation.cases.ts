// The RuleTester table of no-heap-allocation (run by no-heap-allocation.test.ts).
import type { RunTests } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-heap-allocation.js';

/** Lines 1-4 of every case: a decorated class, a branded record and an ordinary class. */
const head = [
  `import { notInHeap, sysAlloc, persistentalloc, FixAlloc, type NotInHeap, type Ptr, type HeapRef, type FixedArray } from 'offheap';`,
  `@notInHeap class Span { declare npages: number; declare next: Ptr<Span>; }`,
  `type Rec = NotInHeap<{ n: number; p: Ptr<Rec> }>;`,
  `class Owner { name = ''; }`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
/** Line numbers of the case's own lines. */
const L = (n: number) => head.length + n;

/** The rule's cases, shared by its RuleTester run and the suggestion type-check. */
export const cases: RunTests<MessageIds, Options> = {
  valid: [
    code(`let h: import('./nih-generic.ts').Source<Ptr<Rec>>;`, `let c: import('./nih-generic.ts').Cell<Rec>;`),
    code(`const o = new Owner();`, `const m = new Map<string, Owner>();`),
    // Allocators produce not-in-heap memory; viewing it as a record is the sanctioned cast.
    code(`const p = sysAlloc<Span>(8192);`, `const q = persistentalloc(64) as Ptr<Rec>;`, `const r = sysAlloc(8192) as unknown as Rec;`),
    // Containers of pointers.
    code(`const a = new Map<string, Ptr<Span>>();`, `const b = new Set<Ptr<Rec>>();`, `const c: Ptr<Span>[] = [];`, `const d = new Array<Ptr<Span>>();`),
    // The runtime's own generics take not-in-heap types by value.
    code(`type Slots = FixedArray<Rec, 4>;`, `declare const pool: FixAlloc<Rec>;`, `let p: Ptr<Span>;`, `let h: HeapRef<Owner>;`),
    // Ordinary literals and arrays.
    code(`const x = { name: 'a', n: 1 };`, `const xs = [1, 2, 3];`, `const ps: Ptr<Span>[] = [sysAlloc<Span>(8192)];`),
    // Not-in-heap to ordinary is one-way and fine (Go: converting *T to *U).
    code(`declare const s: Span;`, `const o = s as unknown as object;`, `const s2 = s as Span;`),
    // A function explicitly marked as an allocator.
    code(`/** Builds records in fresh memory. @allocator */`, `function makeRec(): Rec { return { n: 0, p: 0 } as unknown as Rec; }`),
    code(`/** @allocator */`, `const makeSpan = () => new Span();`),
    // The option names allocators.
    { code: code(`function makeSpan(): Span { return new Span(); }`), options: [{ allocators: ['makeSpan'] }] },
    // A generic that embeds its argument by value is itself not-in-heap; declaring it is fine.
    code(`interface Box<T> { v: T }`, `type SpanBox = Box<Span>;`, `type Pair<T> = NotInHeap<{ a: T; b: T }>;`, `type Two = Pair<Rec>;`),
    // Function types that mention not-in-heap types are declarations only.
    code(`type Visit = (s: Span) => Rec;`, `declare function visit(f: Visit): void;`),
    // Object.create and Reflect.construct of ordinary classes.
    code(`const a = Object.create(Owner.prototype);`, `const b = Reflect.construct(Owner, []);`),
    // Generic calls with pointers.
    code(`function id<T>(x: T): T { return x; }`, `const p = id(sysAlloc<Span>(8192));`, `const q = id<Ptr<Rec>>(0 as Ptr<Rec>);`),
    // A class that only points to not-in-heap memory is ordinary.
    code(`class Cache { first: Ptr<Span> = 0 as Ptr<Span>; all: Ptr<Span>[] = []; }`, `const c = new Cache();`),
    // A look-alike brand is not the runtime's.
    code(`type Mine<T> = T & { readonly notInHeap: true };`, `const m = { n: 1 } as Mine<{ n: number }>;`, `const ms: Mine<{ n: number }>[] = [];`),
    // A file that never imports offheap is never analysed.
    `function notInHeap(c: unknown, _: unknown) { return c; }\n@notInHeap class Span {}\nconst s = new Span();`,
    // The runtime's FixAlloc is created with new (it is not a record).
    code(`declare const RecLayout: import('offheap').Layout<Rec>;`, `const pool = new FixAlloc(RecLayout);`),
    // Casting a number address to a record view.
    code(`declare const addr: number;`, `const r = addr as unknown as Rec;`),
    // Record types mentioned in Ptr arrays and maps in type positions.
    code(`let index: Map<number, Ptr<Rec>>;`, `let byName: Record<string, Ptr<Span>>;`),
    // Clean containers of ordinary objects.
    code(`const xs = [new Owner()];`, `const ys = new Set([new Owner()]);`),
    // Library type aliases compute types and hold nothing.
    code(`let r: Readonly<Span>;`, `let k: Partial<Rec>;`, `type K = Pick<Span, 'npages'>;`, `type M = ReturnType<() => Rec>;`),
    // An allocator marked on a method.
    code(`class Pool {`, `  /** @allocator */`, `  make(): Rec { return {} as Rec; }`, `}`),
    // Generic abstractions that keep T only under Ptr, FixAlloc, Layout, MaybeGarbage or HeapRef hold no record (issue 13 item 1).
    code(
      `import type { Layout, MaybeGarbage } from 'offheap';`,
      `class RootedPool<T> { pool: FixAlloc<T>; constructor(L: Layout<T>) { this.pool = new FixAlloc(L); } alloc(): Ptr<T> { return this.pool.alloc(); } }`,
      `declare const R: Layout<Rec>;`,
      `const a = new RootedPool(R);`,
      `const b = new RootedPool<Rec>(R);`,
      `let c: RootedPool<Rec>;`,
      `function each<T>(xs: Ptr<T>[], f: (p: Ptr<T>) => void): void { for (const x of xs) f(x); }`,
      `declare const ptrs: Ptr<Rec>[];`,
      `each<Rec>(ptrs, () => {});`,
      `each(ptrs, () => {});`,
      `interface Slot<T> { maybe: MaybeGarbage<T>; ref: HeapRef<T>; layout: Layout<T>; sizes: Map<string, Ptr<T>> }`,
      `let s: Slot<Span>;`,
      `type Keys<T> = keyof T;`,
      `let k: Keys<Rec>;`,
    ),
    // A generic that passes T on to another generic is judged by what that one does with it.
    code(`class Inner<T> { p: Ptr<T> = 0 as Ptr<T>; }`, `class Outer<T> { inner = new Inner<T>(); list: Inner<T>[] = []; }`, `const o = new Outer<Span>();`, `let q: Outer<Rec>;`),
    // The twin of the generic past the scan budget: the same class, small enough to prove.
    code(`declare function tick(): void;`, `class Big<T> { p?: Ptr<T>; run(): void { ${'tick();'.repeat(100)} } }`, `const b = new Big<Rec>();`),
    // Mutually recursive generics that only point.
    code(`class A<T> { b?: B<T>; p?: Ptr<T>; }`, `class B<T> { a?: A<T>; }`, `const a = new A<Rec>();`),
    // The constructor of a @notInHeap class is an ordinary function on the JS heap (issue 13 item 2).
    code(
      `function id<T>(x: T): T { return x; }`,
      `const o = { S: Span };`,
      `const xs = [Span];`,
      `const m = new Map<string, typeof Span>();`,
      `const c = id(Span);`,
      `interface R { ctor: typeof Span; label: string }`,
      `declare const r: R;`,
      `const rs = [r];`,
    ),
    // An auto-typed variable that later statements give a pointer: nothing by value (twin: the invalid case after it).
    code(`let holder;`, `holder = sysAlloc<Span>(8192);`, `export const z = { holder };`),
    code(`let table: Record<string, Ptr<Span>>;`, `declare const r: Readonly<Rec>; declare const q: Partial<Rec>; declare const k: Pick<Rec, 'n'>;`, `export const t = () => table;`),
    // Evolving arrays given pointers, numbers or ordinary objects: nothing by value (twin: the invalid case below).
    code(
      `declare function makeRec(): Ptr<Rec>;`,
      `const xs = [];`,
      `xs.push(makeRec());`,
      `export const z = { xs };`,
      `export function f() { const ys = []; ys.push(makeRec(), 1); const os = []; os.push(new Owner()); return { ys, os }; }`,
    ),
    // The twin of the anonymous-type messages (invalid below): the same code holding the records through `Ptr`.
    code(
      `declare const p: Ptr<Rec>;`,
      `const a: { r: Ptr<Rec>; k: number } = { r: p, k: 1 };`,
      `const m = new Map<string, Ptr<{ meta: { r: Rec } }>>();`,
      `let xs: Ptr<{ r: Rec }>[];`,
      `declare function id<T>(x: T): T;`,
      `id<Ptr<{ r: Rec }>>(0 as Ptr<{ r: Rec }>);`,
      `const o = sysAlloc(16) as unknown as { r: Rec };`,
    ),
    // A file that sees no runtime binding but `Ptr` holds no not-in-heap type (twin: the last invalid case).
    `import type { Address } from './nih-reexport.ts';\ninterface Counted { count: number }\nconst tallies: Counted[] = [];\nconst last = new Map<string, Address<Counted>>();`,
  ],
  invalid: [
    // A generic named through an import type is checked as one named directly (it was not: an import type is no
    // TSTypeReference). Twin: the second line, and the same case in `valid`.
    {
      code: code(`let g: import('./nih-generic.ts').Source<Rec>;`, `let h: import('./nih-generic.ts').Source<Ptr<Rec>>;`),
      errors: [
        {
          messageId: 'typeArgument',
          line: L(1),
          data: { generic: "import('./nih-generic.ts').Source", type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' },
          suggestions: [{ messageId: 'usePtr', output: code(`let g: import('./nih-generic.ts').Source<Ptr<Rec>>;`, `let h: import('./nih-generic.ts').Source<Ptr<Rec>>;`) }],
        },
      ],
    },
    // An auto-typed variable (`let holder;`) is typed at each use by what other statements assigned: the literal
    // naming only `holder` holds a Rec, though its own statement mentions nothing of the runtime.
    {
      code: code(`declare function makeRec(): Rec;`, `let holder;`, `holder = makeRec();`, `export const z = { holder };`, `let slot = null;`, `slot = makeRec();`, `export const w = { h: slot };`),
      errors: [
        { messageId: 'literal', line: L(4) },
        { messageId: 'literal', line: L(7) },
      ],
    },
    // An evolving array (`const xs = []`, no type) is typed at its uses by what the code pushed or stored: reported at
    // the literal, once, at top level and in a function (silently clean before: the literal's own type is never[]);
    // with no use after the push (zs), by the values pushed.
    {
      code: code(
        `declare function makeRec(): Rec;`,
        `const xs = [];`,
        `xs.push(makeRec());`,
        `export const z = { xs };`,
        `export function f() { const ys = []; ys[0] = makeRec(); return { ys }; }`,
        `let zs = [];`,
        `zs.unshift(new Owner(), makeRec());`,
        `const vs = [];`,
        `export const n = vs.length;`,
        `vs.splice(0, 0, makeRec());`,
      ),
      errors: [
        { messageId: 'container', line: L(2), data: { container: 'xs', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        { messageId: 'container', line: L(5), data: { container: 'ys', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        { messageId: 'container', line: L(6), data: { container: 'zs', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        { messageId: 'container', line: L(8), data: { container: 'vs', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
      ],
    },
    // Record<K, T> is `{ [P in K]: T }`: it holds T by value, like Map (twin in the valid table: Record of a Ptr,
    // and Readonly/Partial/Pick of the record itself, its own view).
    {
      code: code(`let table: Record<string, Span>;`, `export const t = () => table;`),
      errors: [{ messageId: 'container', line: L(1), data: { container: 'Record', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is decorated @notInHeap' } }],
    },
    {
      code: code(`const s = new Span();`),
      errors: [{ messageId: 'allocation', line: L(1), data: { how: '`new Span`', type: 'Span', why: 'Span is decorated @notInHeap' } }],
    },
    // Through an alias of the constructor and a subclass.
    {
      code: code(`const C = Span;`, `const s = new C();`, `class Sub extends Span {}`, `const t = new Sub();`),
      errors: [
        { messageId: 'allocation', line: L(2) },
        { messageId: 'allocation', line: L(4), data: { how: '`new Sub`', type: 'Sub', why: 'Sub is not-in-heap by inheritance (Sub extends Span; Span is decorated @notInHeap)' } },
      ],
    },
    // A renamed import of the decorator.
    {
      code: `import { notInHeap as unmanaged } from 'offheap';\n@unmanaged class Arena {}\nconst a = new Arena();`,
      errors: [{ messageId: 'allocation', line: 3 }],
    },
    // Reflect.construct and Object.create.
    {
      code: code(`const s = Reflect.construct(Span, []);`, `const t = Object.create(Span.prototype);`),
      errors: [
        { messageId: 'allocation', line: L(1), data: { how: '`Reflect.construct`', type: 'Span', why: 'Span is decorated @notInHeap' } },
        { messageId: 'allocation', line: L(2), data: { how: '`Object.create`', type: 'Span', why: 'Span is decorated @notInHeap' } },
      ],
    },
    // A class that holds a record by value is not-in-heap by containment (P3).
    {
      code: code(`class Holder { declare r: Rec; }`, `const h = new Holder();`),
      errors: [{ messageId: 'allocation', line: L(2), data: { how: '`new Holder`', type: 'Holder', why: 'Holder is not-in-heap by containment (Holder.r; Rec is marked NotInHeap)' } }],
    },
    // Object literals with a not-in-heap contextual type.
    {
      code: code(`const s: Span = { npages: 1, next: 0 as Ptr<Span> };`, `function take(r: Rec) {}`, `take({ n: 1, p: 0 as Ptr<Rec> });`),
      errors: [
        { messageId: 'literal', line: L(1), data: { type: 'Span', why: 'Span is decorated @notInHeap' } },
        { messageId: 'literal', line: L(3) },
      ],
    },
    // A literal holding a record by value; nested literals are reported once.
    {
      code: code(`declare const r: Rec;`, `const h = { r };`, `class Holder { declare span: Span; }`, `const k: Holder = { span: { npages: 1, next: 0 as Ptr<Span> } };`),
      errors: [
        { messageId: 'literal', line: L(2) },
        { messageId: 'literal', line: L(4) },
      ],
    },
    // Parentheses change nothing: a parenthesised nested literal is reported once, at the outer one, and a
    // parenthesised cast literal at the cast. Twin: a nested literal under a cast is reported at the cast too.
    {
      code: code(
        `class Holder { declare span: Span; }`,
        `const k: Holder = { span: ({ npages: 1, next: 0 as Ptr<Span> }) };`,
        `const r = (({ n: 1, p: 0 })) as Rec;`,
        `const c: Holder = { span: { npages: 1, next: 0 as Ptr<Span> } as Span };`,
      ),
      errors: [
        { messageId: 'literal', line: L(2), data: { type: 'Holder', why: 'Holder is not-in-heap by containment (Holder.span; Span is decorated @notInHeap)' } },
        { messageId: 'cast', line: L(3) },
        { messageId: 'literal', line: L(4) },
        { messageId: 'cast', line: L(4) },
      ],
    },
    // Casts of ordinary objects.
    {
      code: code(`const a = { n: 1, p: 0 } as NotInHeap<{ n: number; p: number }>;`, `const b = <Rec>{ n: 1 };`),
      errors: [
        { messageId: 'cast', line: L(1) },
        { messageId: 'cast', line: L(2) },
      ],
    },
    {
      code: code(`declare const plain: { n: number; p: Ptr<Rec> };`, `const r = plain as unknown as Rec;`, `const o = new Owner() as unknown as Span;`),
      errors: [
        { messageId: 'cast', line: L(2), data: { from: '{ n: number; p: Ptr<Rec>; }', type: 'Rec', why: 'Rec is marked NotInHeap' } },
        { messageId: 'cast', line: L(3) },
      ],
    },
    // JS containers holding records by value.
    {
      code: code(`declare const a: Rec;`, `declare const b: Rec;`, `const xs = [a, b];`),
      errors: [{ messageId: 'container', line: L(3), data: { container: 'Rec[]', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } }],
    },
    {
      code: code(`const m = new Map<string, Ptr<Span> | Span>();`, `const s = new Set<Rec>();`, `const xs = new Array<Span>();`),
      errors: [
        { messageId: 'container', line: L(1), data: { container: 'Map<string, Span | Ptr<Span>>', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is decorated @notInHeap' } },
        { messageId: 'container', line: L(2) },
        { messageId: 'container', line: L(3) },
      ],
    },
    // Containers in type positions, with the Ptr suggestion.
    {
      code: code(`let xs: Array<Span>;`),
      errors: [
        {
          messageId: 'container',
          line: L(1),
          data: { container: 'Array', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is decorated @notInHeap' },
          suggestions: [{ messageId: 'usePtr', output: code(`let xs: Array<Ptr<Span>>;`) }],
        },
      ],
    },
    {
      code: code(`let m: Map<string, Rec>;`, `let xs: Rec[];`, `let t: [Span, number];`),
      errors: [
        { messageId: 'container', line: L(1), suggestions: [{ messageId: 'usePtr', output: code(`let m: Map<string, Ptr<Rec>>;`, `let xs: Rec[];`, `let t: [Span, number];`) }] },
        { messageId: 'container', line: L(2), suggestions: [{ messageId: 'usePtr', output: code(`let m: Map<string, Rec>;`, `let xs: Ptr<Rec>[];`, `let t: [Span, number];`) }] },
        { messageId: 'container', line: L(3), suggestions: [{ messageId: 'usePtr', output: code(`let m: Map<string, Rec>;`, `let xs: Rec[];`, `let t: [Ptr<Span>, number];`) }] },
      ],
    },
    // Ordinary generics that do not embed the argument (R7).
    {
      code: code(`interface Getter<T> { get(): T }`, `let g: Getter<Rec>;`, `let p: Promise<Span>;`),
      errors: [
        { messageId: 'typeArgument', line: L(2), data: { generic: 'Getter', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' }, suggestions: [{ messageId: 'usePtr', output: code(`interface Getter<T> { get(): T }`, `let g: Getter<Ptr<Rec>>;`, `let p: Promise<Span>;`) }] },
        { messageId: 'typeArgument', line: L(3), suggestions: [{ messageId: 'usePtr', output: code(`interface Getter<T> { get(): T }`, `let g: Getter<Rec>;`, `let p: Promise<Ptr<Span>>;`) }] },
      ],
    },
    // Explicit and inferred type arguments of generic functions.
    {
      code: code(`function id<T>(x: T): T { return x; }`, `declare const r: Rec;`, `id(r);`, `id<Rec>(r);`),
      errors: [
        { messageId: 'typeArgument', line: L(3), data: { generic: 'id', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        // No suggestion: `id<Ptr<Rec>>(r)` would not type-check.
        { messageId: 'typeArgument', line: L(4), suggestions: [] },
      ],
    },
    // Twins of the generic abstractions: a generic that keeps T by value in a field, an element or a Map value.
    {
      code: code(
        `class Box<T> { v?: T; }`,
        `class Bag<T> { items: T[] = []; }`,
        `class Index<T> { byName = new Map<string, T>(); }`,
        `const a = new Box<Rec>();`,
        `const b = new Bag<Span>();`,
        `let c: Index<Rec>;`,
      ),
      errors: [
        // A field of type T makes the instance itself not-in-heap (containment): creating it allocates a record.
        { messageId: 'allocation', line: L(4), data: { how: '`new Box`', type: 'Box<Rec>', why: 'Box<Rec> is not-in-heap by containment (Box<Rec>.v; Rec is marked NotInHeap)' } },
        { messageId: 'container', line: L(5) },
        {
          messageId: 'typeArgument',
          line: L(6),
          data: { generic: 'Index', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' },
          suggestions: [
            {
              messageId: 'usePtr',
              output: code(
                `class Box<T> { v?: T; }`,
                `class Bag<T> { items: T[] = []; }`,
                `class Index<T> { byName = new Map<string, T>(); }`,
                `const a = new Box<Rec>();`,
                `const b = new Bag<Span>();`,
                `let c: Index<Ptr<Rec>>;`,
              ),
            },
          ],
        },
      ],
    },
    // The twin of `each`: a callback that takes T by value.
    {
      code: code(`function each<T>(xs: T[], f: (p: T) => void): void { xs.forEach(f); }`, `declare const recs: Ptr<Rec>[];`, `declare const r: Rec;`, `each<Rec>([r], () => {});`),
      errors: [
        { messageId: 'typeArgument', line: L(4), data: { generic: 'each', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        { messageId: 'container', line: L(4), data: { container: 'Rec[]', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
      ],
    },
    // T passed on to a generic that keeps it: the instance embeds a Span by value.
    {
      code: code(`class Inner<T> { v?: T; }`, `class Outer<T> { inner = new Inner<T>(); }`, `const o = new Outer<Span>();`),
      errors: [
        {
          messageId: 'allocation',
          line: L(3),
          data: { how: '`new Outer`', type: 'Outer<Span>', why: 'Outer<Span> is not-in-heap by containment (Outer<Span>.inner.v; Span is decorated @notInHeap)' },
        },
      ],
    },
    // The constructor is fine, an instance is not: the twins of `{ S: Span }` and `[Span]`.
    {
      code: code(`declare const s: Span;`, `const o = { s };`, `const xs = [s];`),
      errors: [
        { messageId: 'literal', line: L(2) },
        { messageId: 'container', line: L(3), data: { container: 'Span[]', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is decorated @notInHeap' } },
      ],
    },
    // The Ptr suggestion is offered only where the new type meets no value of the old one.
    {
      code: code(`declare const r: Rec;`, `const xs: Rec[] = [r];`, `let ys: Rec[];`, `ys = [];`),
      errors: [
        { messageId: 'container', line: L(2), suggestions: [] },
        { messageId: 'container', line: L(2) },
        { messageId: 'container', line: L(3), suggestions: [] },
      ],
    },
    // Messages name records by the names the file knows them by, not the expanded `RecordOf<{…}>`.
    {
      code: [
        `import { struct, f64, type LayoutType, type Ptr } from 'offheap';`,
        `const P = struct('Particle', { x: f64, y: f64, vx: f64, vy: f64, mass: f64, charge: f64 });`,
        `type Particle = LayoutType<typeof P>;`,
        `declare const p: Particle;`,
        `const all = new Set<Particle>([p]);`,
      ].join('\n'),
      errors: [
        {
          messageId: 'container',
          line: 5,
          data: { container: 'Set<Particle>', type: 'Particle', ptr: 'Ptr<Particle>', why: 'Particle is marked NotInHeap' },
        },
        { messageId: 'container', line: 5, data: { container: 'Particle[]', type: 'Particle', ptr: 'Ptr<Particle>', why: 'Particle is marked NotInHeap' } },
      ],
    },
    // Nested literals take their types from the outermost one: each is still judged (once).
    {
      code: code(`declare const r: Rec;`, `const xss = [[1], [r]];`, `const spans: Span[][] = [[{ npages: 1, next: 0 as Ptr<Span> }]];`),
      errors: [
        { messageId: 'container', line: L(2), data: { container: 'Rec[]', type: 'Rec', ptr: 'Ptr<Rec>', why: 'Rec is marked NotInHeap' } },
        { messageId: 'container', line: L(3), data: { container: 'Span[]', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is decorated @notInHeap' } },
        { messageId: 'literal', line: L(3), data: { type: 'Span', why: 'Span is decorated @notInHeap' } },
      ],
    },
    // A generic too large to scan is not proven to hold T only behind a pointer: reported, and the message says why.
    {
      code: code(`declare function tick(): void;`, `class Big<T> { p?: Ptr<T>; run(): void { ${'tick();'.repeat(7000)} } }`, `const b = new Big<Rec>();`),
      errors: [
        {
          messageId: 'container',
          line: L(3),
          data: {
            container: 'Big<Rec>',
            type: 'Rec',
            ptr: 'Ptr<Rec>',
            why: 'Rec is marked NotInHeap (cannot prove the generic holds it only behind a pointer: its declaration is past the scan budget of 20000 nodes)',
          },
        },
      ],
    },
    // Array methods that build containers of records.
    {
      code: code(`declare const r: Rec;`, `const xs = [1, 2].map(() => r);`),
      errors: [{ messageId: 'typeArgument', line: L(2) }],
    },
    // The allocators option exempts only the named functions.
    {
      code: code(`function makeSpan(): Span { return new Span(); }`, `function other(): Span { return new Span(); }`),
      options: [{ allocators: ['makeSpan'] }],
      errors: [{ messageId: 'allocation', line: L(2) }],
    },
    // Re-exported, renamed brands are recognised.
    {
      code: `import type { Unmanaged } from './nih-reexport.ts';\ntype R = Unmanaged<{ n: number }>;\nconst r = { n: 1 } as R;`,
      errors: [{ messageId: 'cast', line: 3 }],
    },
    // A class expression allocated immediately.
    {
      code: code(`const s = new (class extends Span {})();`),
      errors: [{ messageId: 'allocation', line: L(1) }],
    },
    // Returned and `satisfies`-checked literals create records too.
    {
      code: code(`function make(): Span { return { npages: 1, next: 0 as Ptr<Span> }; }`, `const t = { npages: 2, next: 0 as Ptr<Span> } satisfies Span;`),
      errors: [
        { messageId: 'literal', line: L(1) },
        { messageId: 'literal', line: L(2) },
      ],
    },
    // A decorated class from another file, through a re-export and a renamed import.
    {
      code: `import { NihBase as Base } from './nih-reexport.ts';\nconst b = new Base();`,
      errors: [{ messageId: 'allocation', line: 2, data: { how: '`new Base`', type: 'NihBase', why: 'NihBase is decorated @notInHeap' } }],
    },
    // A record from another file.
    {
      code: `import type { SpanRecord } from './nih-reexport.ts';\nconst spans = new Set<SpanRecord>();`,
      errors: [{ messageId: 'container', line: 2, data: { container: 'Set<Span>', type: 'Span', ptr: 'Ptr<Span>', why: 'Span is marked NotInHeap' } }],
    },
    // An anonymous object type is spelled out once per message; the rest of the message (the container, the `Ptr`
    // to use, the field path) calls it `{…}` (it was spelled three or four times). A named type keeps its name.
    {
      code: code(
        `declare const r: Rec;`,
        `const a: { r: Rec; k: number } = { r, k: 1 };`,
        `const m = new Map<string, { meta: { r: Rec } }>();`,
        `let xs: { r: Rec }[];`,
        `declare function id<T>(x: T): T;`,
        `id<{ r: Rec }>(0 as never);`,
        `const o = new Owner() as unknown as { r: Rec };`,
        `type Named = { r: Rec };`,
        `const s = new Set<Named>();`,
      ),
      errors: [
        { messageId: 'literal', line: L(2), data: { type: '{ r: Rec; k: number; }', why: 'that type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' } },
        {
          messageId: 'container',
          line: L(3),
          data: { container: 'Map<string, {…}>', type: '{ meta: { r: Rec; }; }', ptr: 'Ptr<{…}>', why: 'that type is not-in-heap by containment ({…}.meta.r; Rec is marked NotInHeap)' },
        },
        {
          messageId: 'container',
          line: L(4),
          data: { container: '{…}[]', type: '{ r: Rec; }', ptr: 'Ptr<{…}>', why: 'that type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' },
          suggestions: [
            {
              messageId: 'usePtr',
              output: code(
                `declare const r: Rec;`,
                `const a: { r: Rec; k: number } = { r, k: 1 };`,
                `const m = new Map<string, { meta: { r: Rec } }>();`,
                `let xs: Ptr<{ r: Rec }>[];`,
                `declare function id<T>(x: T): T;`,
                `id<{ r: Rec }>(0 as never);`,
                `const o = new Owner() as unknown as { r: Rec };`,
                `type Named = { r: Rec };`,
                `const s = new Set<Named>();`,
              ),
            },
          ],
        },
        { messageId: 'typeArgument', line: L(6), data: { generic: 'id', type: '{ r: Rec; }', ptr: 'Ptr<{…}>', why: 'that type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' } },
        { messageId: 'cast', line: L(7), data: { from: 'Owner', type: '{ r: Rec; }', why: 'that type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' } },
        { messageId: 'container', line: L(9), data: { container: 'Set<Named>', type: 'Named', ptr: 'Ptr<Named>', why: 'Named is not-in-heap by containment (Named.r; Rec is marked NotInHeap)' } },
      ],
    },
    // The twin of the runtime-view gate: a file that names only `Ptr` (through a barrel) but a record type from a
    // module that names `NotInHeap` is checked.
    {
      code: `import type { Address } from './nih-reexport.ts';\nimport type { Counted } from './nih-types.ts';\nconst tallies: Counted[] = [];\nconst last = new Map<string, Address<Counted>>();`,
      errors: [{ messageId: 'container', line: 3, data: { container: 'Counted[]', type: 'Counted', ptr: 'Ptr<Counted>', why: 'Counted is marked NotInHeap' } }],
    },
  ],
};
