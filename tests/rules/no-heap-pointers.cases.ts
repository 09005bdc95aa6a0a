// The RuleTester table of no-heap-pointers (run by no-heap-pointers.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { RunTests } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-heap-pointers.js';
import { fixturesDir } from '../rule-tester.js';

/** Line 1 of every case: the brands, under their own names. */
const head = `import type { HeapRef, NotInHeap, Ptr, Garbage, MaybeGarbage } from 'offheap';`;
const code = (...lines: string[]) => [head, ...lines].join('\n');
const fixture = (name: string) => fs.readFileSync(path.join(fixturesDir, name), 'utf8');

/** The rule's cases, shared by its RuleTester run and the suggestion type-check. */
export const cases: RunTests<MessageIds, Options> = {
  valid: [
    // Twins of the import-type cases (first in `invalid`): the same types holding numbers.
    `declare function use(r: import('offheap').NotInHeap<{ s: number }>): void;`,
    `let c: import('./nih-generic.ts').Cell<number>;\ntype Named = import('./nih-generic.ts').Cell<import('offheap').Ptr<number>>;`,
    // Scalars, Ptr, Garbage and HeapRef slots are what unmanaged memory may hold (P1).
    code(
      `class Owner { name = ''; }`,
      `type Span = NotInHeap<{ start: number; big: boolean; next: Ptr<Span>; junk: Garbage<Span>; m: MaybeGarbage<Span>; owner: HeapRef<Owner>; none: null; u: undefined }>;`,
    ),
    // Methods and accessors are not storage (P4).
    code(
      `interface Span extends NotInHeap<{}> { n: number; describe(): string; get label(): string; set label(v: string); }`,
    ),
    // Static members are not instance storage (P4); the class holds Span by value, so it is not-in-heap.
    code(`type Span = NotInHeap<{ n: number }>;`, `class Holder { declare span: Span; static label = 'x'; method(): string { return ''; } }`),
    // Ordinary types may hold anything.
    code(`interface Plain { name: string; data: object; fn: () => void; any: any }`),
    // A Ptr to a not-in-heap type does not make the holder not-in-heap.
    code(`type Span = NotInHeap<{ n: number }>;`, `class Cache { spans: Ptr<Span>[] = []; name = ''; first: Ptr<Span> | undefined; }`),
    // Numeric enums, numeric literal unions, optional numbers.
    code(`enum Kind { A, B }`, `type Span = NotInHeap<{ k: Kind; state: 0 | 1 | 2; n?: number; next?: Ptr<Span> }>;`),
    // Nested not-in-heap structs by value are fine when they are clean.
    code(`type Inner = NotInHeap<{ x: number }>;`, `type Outer = NotInHeap<{ inner: Inner; meta: NotInHeap<{ y: Ptr<Inner> }> }>;`),
    // Generics: a constraint that is a number proves the slot.
    code(`type Slot<T extends number> = NotInHeap<{ v: T }>;`, `type Link<T> = NotInHeap<{ p: Ptr<T>; r: HeapRef<T> }>;`),
    // Conditional types that resolve to scalars.
    code(`type Num<T> = T extends string ? number : boolean;`, `type S = NotInHeap<{ c: Num<'a'>; d: Num<1> }>;`),
    // Mapped types producing numbers.
    code(`type S = NotInHeap<{ [K in 'a' | 'b' | 'c']: number }>;`),
    // Index signatures of numbers.
    code(`type Table = NotInHeap<{ [slot: number]: Ptr<Table>; [name: string]: number }>;`),
    // Recursion through Ptr and by value terminates.
    code(`interface Node extends NotInHeap<{}> { next: Ptr<Node>; value: number; self?: Node }`),
    // Mutually recursive ordinary types are not-in-heap only if a mark is reachable.
    code(`interface A { b: B; s: string }`, `interface B { a: A; t: string }`),
    // `any`/`unknown`/unconstrained type parameters allowed by option (P2 relaxed).
    {
      code: code(`type S = NotInHeap<{ a: any; u: unknown }>;`, `type G<T> = NotInHeap<{ v: T }>;`),
      options: [{ allowAnyAndUnknown: true }],
    },
    // User-defined numeric brands are numbers.
    code(`type Px = number & { readonly __unit: 'px' };`, `type S = NotInHeap<{ width: Px }>;`),
    // A look-alike brand is not the runtime's: never matched by name.
    code(
      `declare const notInHeapBrand: unique symbol;`,
      `type Fake<T> = T & { readonly [notInHeapBrand]: true };`,
      `type S = Fake<{ name: string }>;`,
      `type NotInHeapish<T> = T & { readonly __notInHeap: true };`,
      `type S2 = NotInHeapish<{ name: string }>;`,
    ),
    // Renamed imports and re-exports of the brands resolve to the same declarations.
    `import type { Unmanaged, Handle, Address, Thing } from './nih-reexport.ts';\ntype S = Unmanaged<{ r: Handle<Thing>; p: Address<S>; n: number }>;`,
    // Using clean records from another file.
    `import type { Span, Arena, Counted } from './nih-reexport.ts';\ninterface Holder { span: Span; arena: Arena; c: Counted; n: number }`,
    // A merged interface whose parts are all clean.
    code(`interface M extends NotInHeap<{}> { a: number }`, `interface M { b: Ptr<M> }`),
    // A rename of a clean type; a rename of a type reported in its own file is not reported again.
    `import type { Span } from './nih-types.ts';\ntype S2 = Span;`,
    // A file that never imports offheap is never analysed.
    `type NotInHeap<T> = T & { nih: true };\ntype S = NotInHeap<{ s: string }>;`,
    // Intersections of clean parts.
    code(`type S = NotInHeap<{ a: number } & { b: Ptr<S> }>;`),
    // Unions of clean structs by value.
    code(`type A = NotInHeap<{ a: number }>;`, `type B = NotInHeap<{ b: boolean }>;`, `interface H { ab: A | B; n: number }`),
    // Layout records from the runtime are clean; the layout object itself is ordinary.
    `import { struct, u32, heapRef, ptr, type LayoutType, type Layout } from 'offheap';\nconst L = struct('L', { a: u32, r: heapRef<object>(), p: ptr() });\ntype R = LayoutType<typeof L>;\ninterface Uses { layout: Layout<R>; name: string }`,
    // A decorated class: methods, accessors and statics are not storage (P4).
    `import { notInHeap, type Ptr } from 'offheap';\n@notInHeap class Span {\n  declare npages: number;\n  declare next: Ptr<Span>;\n  static registry = new Map<string, object>();\n  describe(): string { return ''; }\n  get label(): string { return ''; }\n}`,
    // A subclass of a decorated class from another file, with scalar fields only.
    `import { NihBase } from './nih-types.ts';\nclass Sub extends NihBase {\n  declare count: number;\n}`,
    // An auto-accessor over a number is scalar storage.
    `import { notInHeap, type Ptr } from 'offheap';\n@notInHeap class Counter {\n  accessor count = 0;\n  static accessor label = 'x';\n}`,
    // Index signatures of HeapRef slots.
    code(`type Refs = NotInHeap<{ [slot: number]: HeapRef<object> }>;`),
    // Instances of a constrained generic with numeric arguments.
    code(`type G<T extends number> = NotInHeap<{ v: T }>;`, `type One = G<1>;`, `type Any = G<number>;`),
    // The runtime's FixedArray of scalars and HeapRefs.
    `import type { FixedArray, HeapRef, Ptr } from 'offheap';\nclass Owner {}\ntype Refs = FixedArray<HeapRef<Owner>, 4>;\ntype Links = FixedArray<Ptr<Refs>, 2>;\ntype Bytes = FixedArray<number, 16>;`,
    // Parameter properties of scalars in a decorated class; readonly fields.
    `import { notInHeap, type Ptr } from 'offheap';\n@notInHeap class Pair {\n  readonly tag = 1;\n  constructor(public n: number, private readonly p: Ptr<Pair>) {}\n}`,
    // Mentioning a record in a method or a function type does not hold it by value.
    code(`type Span = NotInHeap<{ n: number }>;`, `interface Visitor { visit(s: Span): string; name: string }`, `interface UsesFn { cb: (s: Span) => Span; label: string }`),
    // Twins of the instance cases: instances filled with numbers, Ptrs and HeapRefs are clean wherever written.
    `import { sysAlloc, type FixedArray, type HeapRef, type NotInHeap, type Ptr } from 'offheap';\nimport type { Cell } from './nih-generic.ts';\nclass Obj {}\nlet c: Cell<number>;\ndeclare function take(x: Cell<Ptr<Obj>>): Cell<HeapRef<Obj>>;\nconst p = sysAlloc<Cell<boolean>>(64);\ninterface Slots extends NotInHeap<{}> { objs: FixedArray<HeapRef<Obj>, 4> }`,
    // An ordinary record may name the constructor of a not-in-heap class.
    `import { notInHeap } from 'offheap';\n@notInHeap class Span { declare n: number; }\ninterface R { ctor: typeof Span; label: string }`,
    // The twin of the endless instantiation: the next link is a pointer, so nothing is held by value.
    code(`interface Linked<T> { next: Ptr<Linked<[T]>>; v: number }`),
    // The twin of the chain of unproven declarations: the same 50 links ending in a pointer to the instantiation.
    code(
      `interface Endless<T> { next: Ptr<Endless<[T]>>; v: T; at?: Ptr<Span> }`,
      `type Span = NotInHeap<{ n: number }>;`,
      ...Array.from({ length: 50 }, (_, i) => `interface C${i} { next?: ${i === 49 ? 'Endless<number>' : `C${i + 1}`}; n: number }`),
    ),
    // Numeric template-free unions and const enums.
    code(`const enum Mode { Read = 1, Write = 2 }`, `type S = NotInHeap<{ mode: Mode; flags: Mode | 0; big: number }>;`),
    // A file that sees no runtime binding but `Ptr` (here through a barrel that re-exports everything) holds no
    // not-in-heap type: a chain that would exhaust the walk's budget cannot reach a mark, so it is not "cannot prove"
    // (its twin with `NotInHeap` in view is the cannotProve case below), and an interface extending one of the file's
    // own is ordinary.
    `import type { Address } from './nih-reexport.ts';\ninterface Endless<T> { next: Endless<[T]>; v: T; at: Address<T> }`,
    // The mark imported but never used: an endless chain cannot reach it (the cannotProve case below uses it).
    `import type { NotInHeap } from 'offheap';\ninterface Endless<T> { next: Endless<[T]>; v: T }`,
    // The mark used, but in a statement the chain does not name: the chain is proven free from its declaration.
    code(`interface Endless<T> { next: Endless<[T]>; v: T }`, `type Span = NotInHeap<{ n: number }>;`),
    `import type { Address } from './nih-reexport.ts';\ninterface Counted { count: number }\ninterface Tally extends Counted {\n  label: string;\n  next: Address<Tally>;\n}`,
    // The twin of the inline object types (invalid below): the same views holding a HeapRef and numbers.
    code(
      `type Rec = NotInHeap<{ n: number; p: Ptr<Rec> }>;`,
      `declare const raw: number;`,
      `const v = raw as unknown as { r: Rec; owner: HeapRef<object> };`,
      `let w: { r: Rec; len: number };`,
      `function f(x: { n: number; s: string }) { return x; }`,
      `export { v, w, f };`,
    ),
  ],
  invalid: [
    // Types named through an import type, in a file that imports nothing else: checked as the same types written
    // with a name are (they were not: an import type is no TSTypeReference). Twins in `valid`, below the head.
    {
      code: [`declare function use(r: import('offheap').NotInHeap<{`, `  s: string;`, `}>): void;`].join('\n'),
      errors: [{ messageId: 'heapPointer', line: 2, data: { path: 'NotInHeap<{ s: string; }>.s', held: 'string', why: 'NotInHeap<{ s: string; }> is marked NotInHeap' } }],
    },
    {
      code: `let c: import('./nih-generic.ts').Cell<string>;\ntype Named = import('./nih-generic.ts').Cell<object>;`,
      errors: [
        { messageId: 'instanceHeapPointer', line: 1, data: { path: 'Cell<string>.v', held: 'string', file: 'nih-generic.ts', why: 'Cell<string> is marked NotInHeap' } },
        { messageId: 'instanceHeapPointer', line: 2, data: { path: 'Named.v', held: 'object', file: 'nih-generic.ts', why: 'Named is marked NotInHeap' } },
      ],
    },
    {
      code: code(`type Span = NotInHeap<{`, `  n: number;`, `  name: string;`, `}>;`),
      errors: [{ messageId: 'heapPointer', line: 4, data: { path: 'Span.name', held: 'string', why: 'Span is marked NotInHeap' } }],
    },
    // bigint, symbol, string literals and string enums are heap references (P1).
    {
      code: code(`enum Color { Red = 'red' }`, `type S = NotInHeap<{`, `  b: bigint;`, `  y: symbol;`, `  lit: 'a' | 'b';`, `  c: Color;`, `}>;`),
      errors: [
        { messageId: 'heapPointer', line: 4 },
        { messageId: 'heapPointer', line: 5 },
        { messageId: 'heapPointer', line: 6 },
        { messageId: 'heapPointer', line: 7 },
      ],
    },
    // An object reference, with a suggestion to store it as a HeapRef.
    {
      code: code(`class Owner { name = ''; }`, `interface Span extends NotInHeap<{}> {`, `  owner: Owner;`, `}`),
      errors: [
        {
          messageId: 'heapPointer',
          line: 4,
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`class Owner { name = ''; }`, `interface Span extends NotInHeap<{}> {`, `  owner: HeapRef<Owner>;`, `}`),
            },
          ],
        },
      ],
    },
    // Function-valued properties, arrays and tuples are JS objects.
    {
      code: code(`type S = NotInHeap<{`, `  cb: () => void;`, `  xs: number[];`, `  pair: [number, number];`, `}>;`),
      errors: [
        {
          messageId: 'heapPointer',
          line: 3,
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`type S = NotInHeap<{`, `  cb: HeapRef<() => void>;`, `  xs: number[];`, `  pair: [number, number];`, `}>;`),
            },
          ],
        },
        {
          messageId: 'heapPointer',
          line: 4,
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`type S = NotInHeap<{`, `  cb: () => void;`, `  xs: HeapRef<number[]>;`, `  pair: [number, number];`, `}>;`),
            },
          ],
        },
        {
          messageId: 'heapPointer',
          line: 5,
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`type S = NotInHeap<{`, `  cb: () => void;`, `  xs: number[];`, `  pair: HeapRef<[number, number]>;`, `}>;`),
            },
          ],
        },
      ],
    },
    // any and unknown cannot be proven (P2); object and {} are references.
    {
      code: code(`type S = NotInHeap<{`, `  a: any;`, `  u: unknown;`, `  o: object;`, `  e: {};`, `}>;`),
      errors: [
        { messageId: 'unprovable', line: 3 },
        { messageId: 'unprovable', line: 4 },
        { messageId: 'heapPointer', line: 5 },
        {
          messageId: 'heapPointer',
          line: 6,
          suggestions: [
            { messageId: 'useHeapRef', output: code(`type S = NotInHeap<{`, `  a: any;`, `  u: unknown;`, `  o: object;`, `  e: HeapRef<{}>;`, `}>;`) },
          ],
        },
      ],
    },
    // The option relaxes any/unknown only.
    {
      code: code(`type S = NotInHeap<{`, `  a: any;`, `  o: object;`, `}>;`),
      options: [{ allowAnyAndUnknown: true }],
      errors: [{ messageId: 'heapPointer', line: 4 }],
    },
    // A union with one heap member.
    {
      code: code(`type S = NotInHeap<{`, `  v: number | string;`, `  w?: string;`, `}>;`),
      errors: [
        { messageId: 'heapPointer', line: 3, data: { path: 'S.v', held: 'string', why: 'S is marked NotInHeap' } },
        { messageId: 'heapPointer', line: 4 },
      ],
    },
    // The path reaches through an embedded struct.
    {
      code: code(`class Owner { name = ''; }`, `type Span = NotInHeap<{`, `  meta: NotInHeap<{`, `    owner: Owner;`, `  }>;`, `}>;`),
      errors: [
        {
          messageId: 'heapPointer',
          line: 5,
          data: { path: 'Span.meta.owner', held: 'Owner', why: 'Span is marked NotInHeap' },
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`class Owner { name = ''; }`, `type Span = NotInHeap<{`, `  meta: NotInHeap<{`, `    owner: HeapRef<Owner>;`, `  }>;`, `}>;`),
            },
          ],
        },
      ],
    },
    // Containment (P3): an ordinary interface holding a not-in-heap struct by value is not-in-heap.
    {
      code: code(`type Span = NotInHeap<{ n: number }>;`, `interface Holder {`, `  span: Span;`, `  label: string;`, `}`),
      errors: [
        {
          messageId: 'heapPointer',
          line: 5,
          data: {
            path: 'Holder.label',
            held: 'string',
            why: 'Holder is not-in-heap by containment (Holder.span; Span is marked NotInHeap)',
          },
        },
      ],
    },
    // Containment in a class, with a parameter property and a #private field.
    {
      code: code(
        `type Span = NotInHeap<{ n: number }>;`,
        `class Holder {`,
        `  declare span: Span;`,
        `  #secret = 'x';`,
        `  constructor(private tag: string) {}`,
        `}`,
      ),
      errors: [
        { messageId: 'heapPointer', line: 5 },
        { messageId: 'heapPointer', line: 6 },
      ],
    },
    // Inheritance in the same file: the base's field is reported at its declaration.
    {
      code: code(`type Span = NotInHeap<{ n: number }>;`, `class Base {`, `  label = '';`, `}`, `class Sub extends Base {`, `  declare span: Span;`, `}`),
      errors: [{ messageId: 'heapPointer', line: 4, data: { path: 'Sub.label', held: 'string', why: 'Sub is not-in-heap by containment (Sub.span; Span is marked NotInHeap)' } }],
    },
    // A base class in another file brings a heap field: the type itself is reported.
    {
      code: `import type { Span } from './nih-types.ts';\nimport { Named } from './nih-types.ts';\nclass Sub extends Named {\n  declare span: Span;\n}`,
      errors: [{ messageId: 'foreignHeapPointer', line: 3, data: { path: 'Sub.label', held: 'string', file: 'nih-types.ts', why: 'Sub is not-in-heap by containment (Sub.span; Span is marked NotInHeap)' } }],
    },
    // A not-in-heap interface extending an ordinary interface from another file.
    {
      code: `import type { NotInHeap } from 'offheap';\nimport type { Named } from './nih-types.ts';\ninterface S extends NotInHeap<{}>, Named {\n  n: number;\n}`,
      errors: [{ messageId: 'foreignHeapPointer', line: 3 }],
    },
    // Generics: unconstrained parameters cannot be proven; string constraints are references.
    {
      code: code(`type G<T> = NotInHeap<{`, `  v: T;`, `}>;`, `type H<T extends string> = NotInHeap<{`, `  v: T;`, `}>;`),
      errors: [
        { messageId: 'unprovable', line: 3 },
        { messageId: 'heapPointer', line: 6 },
      ],
    },
    // A generic's slot is reported for the declaration and for an instance that fills it with a reference.
    {
      code: code(`type G<T> = NotInHeap<{`, `  v: T;`, `}>;`, `type Names = G<string>;`, `type Counts = G<number>;`),
      errors: [
        { messageId: 'unprovable', line: 3, data: { path: 'G.v', held: 'T', why: 'G is marked NotInHeap' } },
        { messageId: 'heapPointer', line: 3, data: { path: 'Names.v', held: 'string', why: 'Names is marked NotInHeap' } },
      ],
    },
    // An instance of a generic declared in another file is reported at the instance.
    {
      code: `import type { FixedArray, HeapRef } from 'offheap';\nclass Owner {}\ntype Refs = FixedArray<HeapRef<Owner>, 4>;\ntype Owners = FixedArray<Owner, 4>;`,
      errors: [{ messageId: 'instanceHeapPointer', line: 4, data: { path: 'Owners[number]', held: 'Owner', file: 'types.ts', why: 'Owners is marked NotInHeap' } }],
    },
    // Conditional types resolving to a heap type.
    {
      code: code(`class Owner { name = ''; }`, `type Pick1<T> = T extends number ? Owner : number;`, `type S = NotInHeap<{`, `  c: Pick1<1>;`, `}>;`),
      errors: [
        {
          messageId: 'heapPointer',
          line: 5,
          data: { path: 'S.c', held: 'Owner', why: 'S is marked NotInHeap' },
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: code(`class Owner { name = ''; }`, `type Pick1<T> = T extends number ? Owner : number;`, `type S = NotInHeap<{`, `  c: HeapRef<Pick1<1>>;`, `}>;`),
            },
          ],
        },
      ],
    },
    // Mapped types: generated slots have no declaration, so the type is reported.
    {
      code: code(`type S = NotInHeap<{ [K in 'a' | 'b']: string }>;`),
      errors: [
        { messageId: 'heapPointer', line: 2, data: { path: 'S.a', held: 'string', why: 'S is marked NotInHeap' } },
        { messageId: 'heapPointer', line: 2, data: { path: 'S.b', held: 'string', why: 'S is marked NotInHeap' } },
      ],
    },
    // Homomorphic mapped types keep their source declarations.
    {
      code: code(`interface Src { a: number; b: string }`, `type S = NotInHeap<{ [K in keyof Src]: Src[K] }>;`),
      errors: [{ messageId: 'heapPointer', line: 2, data: { path: 'S.b', held: 'string', why: 'S is marked NotInHeap' } }],
    },
    // Index signatures.
    {
      code: code(`type Table = NotInHeap<{`, `  [name: string]: number | object;`, `}>;`),
      errors: [{ messageId: 'heapPointer', line: 3, data: { path: 'Table[string]', held: 'object', why: 'Table is marked NotInHeap' } }],
    },
    // Merged interfaces in one file.
    {
      code: code(`interface M extends NotInHeap<{}> { a: number }`, `interface M {`, `  s: string;`, `}`),
      errors: [{ messageId: 'heapPointer', line: 4 }],
    },
    // Module augmentation from another file: the type is reported where it is declared ...
    {
      filename: 'nih-types.ts',
      code: fixture('nih-types.ts'),
      errors: [{ messageId: 'foreignHeapPointer', data: { path: 'Mergeable.cache', held: 'Owner', file: 'nih-augment.ts', why: 'Mergeable is marked NotInHeap' } }],
    },
    // ... and the augmenting field where it is written.
    {
      filename: 'nih-augment.ts',
      code: fixture('nih-augment.ts'),
      errors: [
        {
          messageId: 'heapPointer',
          line: 6,
          data: { path: 'Mergeable.cache', held: 'Owner', why: 'Mergeable is marked NotInHeap' },
          // The file lacks a HeapRef import: the suggestion adds one.
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: fixture('nih-augment.ts')
                .replace(`from './nih-types.ts';`, `from './nih-types.ts';\nimport { type HeapRef } from 'offheap';`)
                .replace('cache: Owner;', 'cache: HeapRef<Owner>;'),
            },
          ],
        },
      ],
    },
    // Renamed, re-exported brands are recognised.
    {
      code: `import type { Unmanaged as U } from './nih-reexport.ts';\ntype S = U<{\n  s: string;\n}>;`,
      errors: [{ messageId: 'heapPointer', line: 3 }],
    },
    // Recursive types are reported once per slot.
    {
      code: code(`interface Node extends NotInHeap<{}> {`, `  next: Ptr<Node>;`, `  self?: Node;`, `  label: string;`, `}`),
      errors: [{ messageId: 'heapPointer', line: 5, data: { path: 'Node.label', held: 'string', why: 'Node is marked NotInHeap' } }],
    },
    // Intersections.
    {
      code: code(`type S = NotInHeap<{ a: number } & {`, `  s: string;`, `}>;`),
      errors: [{ messageId: 'heapPointer', line: 3 }],
    },
    // An optional not-in-heap struct by value still makes the holder not-in-heap.
    {
      code: code(`type Span = NotInHeap<{ n: number }>;`, `interface H {`, `  span?: Span;`, `  name: string;`, `}`),
      errors: [{ messageId: 'heapPointer', line: 5 }],
    },
    // An inline NotInHeap<…> outside a named declaration.
    {
      code: code(`declare function use(r: NotInHeap<{`, `  s: string;`, `}>): void;`),
      errors: [{ messageId: 'heapPointer', line: 3 }],
    },
    // A decorated class, including an auto-accessor's hidden field.
    {
      code: `import { notInHeap as unmanaged } from 'offheap';\n@unmanaged class Span {\n  name = '';\n  accessor tag = '';\n  get computed(): string { return ''; }\n}`,
      errors: [
        { messageId: 'heapPointer', line: 3, data: { path: 'Span.name', held: 'string', why: 'Span is decorated @notInHeap' } },
        { messageId: 'heapPointer', line: 4, data: { path: 'Span.tag', held: 'string', why: 'Span is decorated @notInHeap' } },
      ],
    },
    // A subclass of a decorated class from another file is not-in-heap by inheritance (P3).
    {
      code: `import { NihBase } from './nih-types.ts';\nclass Sub extends NihBase {\n  label = '';\n}`,
      errors: [
        {
          messageId: 'heapPointer',
          line: 3,
          data: { path: 'Sub.label', held: 'string', why: 'Sub is not-in-heap by inheritance (Sub extends NihBase; NihBase is decorated @notInHeap)' },
        },
      ],
    },
    // An unresolved type is not a crash: it cannot be proven (P2).
    {
      code: code(`import type { Missing } from './does-not-exist.ts';`, `type S = NotInHeap<{`, `  m: Missing;`, `}>;`),
      errors: [{ messageId: 'unprovable', line: 4 }],
    },
    // Not-in-heap instances wherever they are written (issue 13 item 4): a FixedArray field of a record.
    {
      code: `import type { FixedArray, NotInHeap } from 'offheap';\nclass Obj {}\ninterface Slots extends NotInHeap<{}> {\n  n: number;\n  objs: FixedArray<Obj, 4>;\n}`,
      errors: [
        {
          messageId: 'instanceHeapPointer',
          line: 5,
          data: { path: 'FixedArray<Obj, 4>[number]', held: 'Obj', file: 'types.ts', why: 'FixedArray<Obj, 4> is marked NotInHeap' },
        },
      ],
    },
    // A generic from another file, instantiated in a variable, parameter and return annotation, a type argument and a field.
    {
      code: [
        `import { sysAlloc } from 'offheap';`,
        `import type { Cell } from './nih-generic.ts';`,
        `let c: Cell<string>;`,
        `declare function take(x: Cell<object>): Cell<symbol>;`,
        `const p = sysAlloc<Cell<bigint>>(64);`,
        `class Holder { declare cell: Cell<() => void>; }`,
      ].join('\n'),
      errors: [
        { messageId: 'instanceHeapPointer', line: 3, data: { path: 'Cell<string>.v', held: 'string', file: 'nih-generic.ts', why: 'Cell<string> is marked NotInHeap' } },
        { messageId: 'instanceHeapPointer', line: 4, data: { path: 'Cell<object>.v', held: 'object', file: 'nih-generic.ts', why: 'Cell<object> is marked NotInHeap' } },
        { messageId: 'instanceHeapPointer', line: 4, data: { path: 'Cell<symbol>.v', held: 'symbol', file: 'nih-generic.ts', why: 'Cell<symbol> is marked NotInHeap' } },
        { messageId: 'instanceHeapPointer', line: 5 },
        { messageId: 'instanceHeapPointer', line: 6 },
      ],
    },
    // A same-file generic's instance in an annotation is reported at the slot it fills.
    {
      code: code(`type Cell<T> = NotInHeap<{ v: T }>;`, `declare const s: Cell<string>;`, `declare function f(): Cell<Ptr<Cell<number>>>;`),
      errors: [
        { messageId: 'unprovable', line: 2, data: { path: 'Cell.v', held: 'T', why: 'Cell is marked NotInHeap' } },
        { messageId: 'heapPointer', line: 2, data: { path: 'Cell<string>.v', held: 'string', why: 'Cell<string> is marked NotInHeap' } },
      ],
    },
    // The constructor of a not-in-heap class is a function object on the JS heap (issue 13 item 2).
    {
      code: `import { notInHeap, type NotInHeap } from 'offheap';\n@notInHeap class Span { declare n: number; }\ntype Rec = NotInHeap<{\n  n: number;\n  kind: typeof Span;\n}>;`,
      errors: [
        {
          messageId: 'heapPointer',
          line: 5,
          data: { path: 'Rec.kind', held: 'typeof Span', why: 'Rec is marked NotInHeap' },
          suggestions: [
            {
              messageId: 'useHeapRef',
              output: `import { notInHeap, type NotInHeap, type HeapRef } from 'offheap';\n@notInHeap class Span { declare n: number; }\ntype Rec = NotInHeap<{\n  n: number;\n  kind: HeapRef<typeof Span>;\n}>;`,
            },
          ],
        },
      ],
    },
    // A walk that runs out of budget is reported, not passed as ordinary, in a statement that names what carries the
    // mark (here Span, behind a pointer); its twins (the chain broken by a Ptr; the same chain where the mark is
    // imported but never used, or used only in a statement the chain does not name, so no type of it can hold one)
    // are valid.
    {
      code: code(`interface Endless<T> { next: Endless<[T]>; v: T; at?: Ptr<Span> }`, `type Span = NotInHeap<{ n: number }>;`),
      errors: [{ messageId: 'cannotProve', line: 2, data: { name: 'Endless', budget: '10000', more: '' } }],
    },
    // Declarations that hold an unproven one by value are unproven too: one report per chain, at its head, counting
    // and naming the rest (50 interfaces holding the next, the last holding the endless instantiation, gave 51
    // reports); the endless declaration holds none of them and is its own head. Its twin breaks the chain with a
    // Ptr at the end: valid (in the valid table as the Linked case).
    {
      code: code(
        `interface Endless<T> { next: Endless<[T]>; v: T; at?: Ptr<Span> }`,
        `type Span = NotInHeap<{ n: number }>;`,
        ...Array.from({ length: 50 }, (_, i) => `interface C${i} { next?: ${i === 49 ? 'Endless<number>' : `C${i + 1}`}; n: number }`),
      ),
      errors: [
        { messageId: 'cannotProve', line: 2, data: { name: 'Endless', budget: '10000', more: '' } },
        {
          messageId: 'cannotProve',
          line: 4,
          data: { name: 'C0', budget: '10000', more: ', nor those of the 49 more declarations here it holds by value (C1, C2, C3, …, C49)' },
        },
      ],
    },
    // Two heads over one shared tail: each unproven declaration is counted once, under the first head.
    {
      code: code(
        `interface Endless<T> { next: Endless<[T]>; v: T; at?: Ptr<Span> }`,
        `type Span = NotInHeap<{ n: number }>;`,
        `interface Tail { e: Endless<number> }`,
        `interface H1 { t: Tail }`,
        `interface H2 { t: Tail | undefined; h: H1 }`,
        `interface H3 { t: Tail }`,
      ),
      errors: [
        { messageId: 'cannotProve', line: 2, data: { name: 'Endless', budget: '10000', more: '' } },
        { messageId: 'cannotProve', line: 6, data: { name: 'H2', budget: '10000', more: ', nor those of the 2 more declarations here it holds by value (Tail, H1)' } },
        { messageId: 'cannotProve', line: 7, data: { name: 'H3', budget: '10000', more: '' } },
      ],
    },
    // A FixedArray of references.
    {
      code: `import type { FixedArray } from 'offheap';\ntype Names = FixedArray<string, 4>;`,
      errors: [{ messageId: 'instanceHeapPointer', line: 2, data: { path: 'Names[number]', held: 'string', file: 'types.ts', why: 'Names is marked NotInHeap' } }],
    },
    // An object type written inline that holds a record by value is not-in-heap by containment, as its alias is (it was
    // not checked: only aliases, interfaces and classes were). The message spells it `{…}` (the slot is where it is
    // reported). An ordinary inline type (`{ n: number; s: string }`) holds what it likes; a slot of an interface's inline
    // member type is reported once, by the interface's path.
    {
      code: code(
        `type Rec = NotInHeap<{ n: number; p: Ptr<Rec> }>;`,
        `declare const raw: number;`,
        `const v = raw as unknown as { r: Rec; owner: object };`,
        `let w: { r: Rec; name: string };`,
        `function f(x: { n: number; s: string }) { return x; }`,
        `interface I { m: { r: Rec; s: string } }`,
        `export { v, w, f };`,
      ),
      errors: [
        { messageId: 'heapPointer', line: 4, data: { path: '{…}.owner', held: 'object', why: 'this object type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' } },
        { messageId: 'heapPointer', line: 5, data: { path: '{…}.name', held: 'string', why: 'this object type is not-in-heap by containment ({…}.r; Rec is marked NotInHeap)' } },
        { messageId: 'heapPointer', line: 7, data: { path: 'I.m.s', held: 'string', why: 'I is not-in-heap by containment (I.m.r; Rec is marked NotInHeap)' } },
      ],
    },
    // The twins of the runtime-view gate (valid: a file that sees only Ptr): a file that names only `Ptr` but imports
    // a type from a module that names `NotInHeap` sees the mark through it and is checked.
    {
      code: `import type { Address } from './nih-reexport.ts';\nimport type { Counted } from './nih-types.ts';\ninterface Tally extends Counted {\n  label: string;\n  next: Address<Tally>;\n}`,
      errors: [{ messageId: 'heapPointer', line: 4, data: { path: 'Tally.label', held: 'string', why: 'Tally is not-in-heap by inheritance (Tally extends Counted; Counted is marked NotInHeap)' } }],
    },
  ],
};
