// The RuleTester table of no-hidden-heap-pointers (run by no-hidden-heap-pointers.test.ts).
import type { RunTests } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-hidden-heap-pointers.js';

/** Lines 1-5 of every case. */
const head = [
  `import { struct, u32, heapRef, access, storeHeapRef, type HeapRef, type NotInHeap, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() });`,
  `type Rec = NotInHeap<{ count: number; owner: HeapRef<Owner>; maybe: HeapRef<Owner> | number }>;`,
  `declare const ref: HeapRef<Owner>; declare const p: Ptr<LayoutType<typeof Node>>; declare const u32s: Uint32Array; declare const dv: DataView; declare const rec: Rec;`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

/** The rule's cases, shared by its RuleTester run and the suggestion type-check. */
export const cases: RunTests<MessageIds, Options> = {
  valid: [
    // The twins of the yield, default and static-field stores: HeapRef-typed targets.
    code(
      `declare const refs: HeapRef<Owner>[];`,
      `export function* ids(): Generator<HeapRef<Owner>> { for (const r of refs) yield r; }`,
      `export function f({ id = ref }: { id?: HeapRef<Owner> }) { return id; }`,
      `const [first = ref]: HeapRef<Owner>[] = [];`,
      `export function g(x: HeapRef<Owner> = ref, n = 1) { return [x, first, n]; }`,
      `export class Registry { static last: HeapRef<Owner> = ref; static count: number = 0; }`,
    ),
    code(
      `declare const refs: HeapRef<Owner>[]; declare const src: { id: HeapRef<Owner>; n: number }; declare const ns: number[];`,
      `export const dst: { id: HeapRef<Owner>; n: number } = { ...src };`,
      `export const copy = { ...src };`,
      `u32s.set(ns, 0);`,
      `export const nums: number[] = ns;`,
      `export const kept: HeapRef<Owner>[] = refs;`,
    ),
    // Twin of the two-handle subtraction below: comparing handles converts nothing.
    code(`declare const refs: HeapRef<Owner>[];`, `refs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));`),
    // The barriered accessor and HeapRef-typed slots.
    code(`const N = access(Node);`, `N.owner.set(p, ref);`, `rec.owner = ref;`, `rec.maybe = ref;`),
    // Copies that keep the HeapRef type.
    code(`const a = ref;`, `const b: HeapRef<Owner> = ref;`, `let c: HeapRef<Owner> | undefined = ref;`, `const refs: HeapRef<Owner>[] = [ref];`),
    // Plain numbers into raw memory are fine.
    code(`u32s[0] = 42;`, `dv.setUint32(0, rec.count);`, `rec.count = 1;`, `Atomics.store(u32s, 0, 7);`),
    // Comparisons do not convert.
    code(`declare const other: HeapRef<Owner>;`, `const same = ref === other;`, `if (ref !== 0) {}`, `const less = ref < other;`),
    // Passing to HeapRef and generic parameters keeps the brand.
    code(`function keep(r: HeapRef<Owner>): HeapRef<Owner> { return r; }`, `keep(ref);`, `function id<T>(x: T): T { return x; }`, `const r2 = id(ref);`),
    // Logging takes any: nothing is stored.
    code(`console.log(ref);`),
    // Maps and sets of HeapRefs keep the type.
    code(`const m = new Map<string, HeapRef<Owner>>();`, `m.set('a', ref);`, `const s = new Set([ref]);`),
    // Object literals with HeapRef-typed properties.
    code(`const o: { r: HeapRef<Owner> } = { r: ref };`, `const q = { r: ref };`),
    // Returning a HeapRef as a HeapRef.
    code(`function get(): HeapRef<Owner> { return ref; }`, `const f = (): HeapRef<Owner> => ref;`),
    // The runtime's barriered store.
    code(`declare const slot: Ptr<HeapRef<Owner>>;`, `storeHeapRef(slot, ref);`),
    // Arithmetic is allowed by option.
    { code: code(`const h = ref * 31;`, `const k = ref | 0;`), options: [{ allowArithmetic: true }] },
    // A file that never imports offheap is never analysed.
    `type HeapRef<T> = number & { __ref: T };\ndeclare const r: HeapRef<object>;\nconst n: number = r;\nnew Uint32Array(1)[0] = r;`,
    // A look-alike brand is not the runtime's.
    code(`type FakeRef = number & { readonly heapRef: true };`, `declare const fake: FakeRef;`, `u32s[0] = fake;`, `const n: number = fake;`),
    // Casts between HeapRef types.
    code(`const r = ref as HeapRef<unknown>;`, `const r2 = ref as unknown as HeapRef<Owner>;`),
    // Numbers derived from fields that are numbers.
    code(`const n: number = rec.count;`, `u32s[1] = rec.count + 1;`),
    // Ordinary classes may keep HeapRefs in HeapRef fields.
    code(`class Cache { r: HeapRef<Owner> = ref; }`),
    // A string message does not use the ref.
    code(`const msg = 'count ' + rec.count;`),
    // A HeapRef argument to a parameter typed unknown.
    code(`function take(x: unknown) {}`, `take(ref);`),
    // Ternaries that stay HeapRef.
    code(`declare const c: boolean;`, `const r: HeapRef<Owner> = c ? ref : ref;`),
    // Union targets that include HeapRef.
    code(`let v: HeapRef<Owner> | number = 0;`, `v = ref;`),
    // Formatting a handle for display is not a hidden pointer (Go prints one with %p): the twins of the numeric conversions.
    code(
      `import { describeHandle } from 'offheap';`,
      `const a = 'k' + ref;`,
      `const b = ref + ' handle';`,
      `const c = \`\${ref}\`;`,
      `const d = String(ref);`,
      `const e = ref.toString(16);`,
      `const f = describeHandle(ref);`,
      `let label = 'h';`,
      `label += ref;`,
    ),
    // One runtime at a time is fine: an explicit runtime's handles, memory and accessors with its own methods ...
    [
      `import { createRuntime, struct, heapRef, FixAlloc } from 'offheap';`,
      `class Obj { name = ''; }`,
      `const L = struct('L', { ref: heapRef<Obj>() });`,
      `const rt = createRuntime();`,
      `const A = rt.access(L);`,
      `const pool = new FixAlloc(L, { runtime: rt });`,
      `const p = pool.alloc();`,
      `rt.addRoot(p, L);`,
      `const h = rt.newHeapRef(new Obj());`,
      `A.ref.set(p, h);`,
      `rt.deref(h);`,
    ].join('\n'),
    // ... the module-level functions alone ...
    [
      `import { newHeapRef, deref, sysAlloc, struct, heapRef, access } from 'offheap';`,
      `class Obj { name = ''; }`,
      `const L = struct('L', { ref: heapRef<Obj>() });`,
      `const h = newHeapRef(new Obj());`,
      `const p = sysAlloc<import('offheap').LayoutType<typeof L>>(L.size);`,
      `access(L).ref.set(p, h);`,
      `deref(h);`,
    ].join('\n'),
    // ... and an explicit runtime made the default (it escapes to untagged code: not provably separate).
    [
      `import { createRuntime, setDefaultRuntime, newHeapRef, deref } from 'offheap';`,
      `const rt = createRuntime({ debug: true });`,
      `setDefaultRuntime(rt);`,
      `const h = rt.newHeapRef({});`,
      `deref(h);`,
    ].join('\n'),
    // A helper that makes the runtime the default: the runtime it is given is not provably another one.
    [
      `import { createRuntime, deref, setDefaultRuntime, type Runtime } from 'offheap';`,
      `function configure(r: Runtime): void { setDefaultRuntime(r); }`,
      `const rt = createRuntime();`,
      `configure(rt);`,
      `const h = rt.newHeapRef({});`,
      `deref(h);`,
    ].join('\n'),
    // A module-level function that takes the runtime (`sharedPool(rt, …)`) works on that runtime, not the default.
    [
      `import { createRuntime, sharedPool, struct, f64 } from 'offheap';`,
      `const L = struct('L', { x: f64 });`,
      `const rt = createRuntime({ shared: true });`,
      `const pool = sharedPool(rt, 'pool', L);`,
      `const h = rt.newHeapRef({});`,
      `rt.deref(h);`,
      `void pool;`,
    ].join('\n'),
    // defaultRuntime() is the runtime of the module-level functions.
    [`import { defaultRuntime, deref } from 'offheap';`, `const rt = defaultRuntime();`, `const h = rt.newHeapRef({});`, `deref(h);`].join('\n'),
    // Another module's runtime with its own handles.
    [`import { worldRuntime, worldHandle } from './runtimes-own.ts';`, `worldRuntime.deref(worldHandle);`].join('\n'),
    // Another module's runtime made the default here, or where the program may make it the default: not provably apart.
    [
      `import { deref, setDefaultRuntime } from 'offheap';`,
      `import { worldRuntime, worldHandle } from './runtimes-own.ts';`,
      `setDefaultRuntime(worldRuntime);`,
      `deref(worldHandle);`,
    ].join('\n'),
    [`import { deref, setDefaultRuntime } from 'offheap';`, `import { worldHandle } from './runtimes-own.ts';`, `export const reset = setDefaultRuntime;`, `deref(worldHandle);`].join('\n'),
    // A runtime that is only a parameter is not provably another one.
    [
      `import { deref, type Runtime } from 'offheap';`,
      `export function show(rt: Runtime) { const h = rt.newHeapRef({}); return deref(h); }`,
    ].join('\n'),
    // Maps keyed and valued by HeapRef keep the type.
    code(`const byRef = new Map<HeapRef<Owner>, HeapRef<Owner>>();`, `byRef.set(ref, ref);`, `const refs = new Set<HeapRef<Owner>>([ref]);`),
    // A file that sees no runtime binding but `Ptr` holds no handle: a pointer kept as a number is fine.
    `import type { Address } from './nih-reexport.ts';\ndeclare const p: Address<object>;\nconst n: number = p;`,
  ],
  invalid: [
    // Stores a listener had no sink for (outsider round 2): a yielded value, a default of a destructured parameter, of
    // an array element and of a parameter, a static field. Twins (valid): the same with HeapRef types.
    {
      code: code(
        `declare const refs: HeapRef<Owner>[];`,
        `export function* ids(): Generator<number> { for (const r of refs) yield r; }`,
        `export function f({ id = ref }: { id?: number }) { return id; }`,
        `const [first = ref]: number[] = [];`,
        `export function g(x: number = ref) { return x + first; }`,
        `export class Registry { static last: number = ref; }`,
      ),
      errors: [
        { messageId: 'conversion', line: L(2), data: { expr: 'r', how: 'yielded as a `number`' } },
        { messageId: 'conversion', line: L(3), data: { expr: 'ref', how: 'the default of `id`' } },
        { messageId: 'conversion', line: L(4), data: { expr: 'ref', how: 'the default of `first`' } },
        { messageId: 'conversion', line: L(5), data: { expr: 'ref', how: 'the default of `x`' } },
        { messageId: 'conversion', line: L(6), data: { expr: 'ref', how: 'stored in static field `last`' } },
      ],
    },
    // Handles copied by a spread into number properties, and element-wise into numbers (an ArrayLike<number>
    // parameter, a number[]). Twins (valid): HeapRef-typed targets, and numbers spread and copied.
    {
      code: code(
        `declare const refs: HeapRef<Owner>[]; declare const src: { id: HeapRef<Owner>; n: number };`,
        `export const dst: { id: number; n: number } = { ...src };`,
        `u32s.set(refs, 0);`,
        `export const nums: number[] = refs;`,
      ),
      errors: [
        { messageId: 'conversion', line: L(2), data: { expr: 'src', how: 'spread into `id: number`' } },
        { messageId: 'rawWrite', line: L(3), data: { expr: 'refs', where: '`Uint32Array.set`' } },
        { messageId: 'conversion', line: L(4), data: { expr: 'refs', how: 'stored in `nums`' } },
      ],
    },
    // Operands whose value is told from syntax (literals, nested operators) are not typed; a HeapRef inside them is
    // still found where it is an operand itself, once, and a call with one handle among literal arguments is checked.
    {
      code: code(`const n = ((ref + 1) * 2) | 0;`, `let acc = 0;`, `acc += -(2 * acc) + ref;`, `Math.max(1, 'x'.length, ref, [ref].length);`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'operator `+`' } },
        { messageId: 'conversion', line: L(3), data: { expr: 'ref', how: 'operator `+`' } },
        { messageId: 'conversion', line: L(4), data: { expr: 'ref', how: 'passed as a `number` to `Math.max`' } },
      ],
    },
    // Raw typed-array and DataView writes.
    {
      code: code(`u32s[0] = ref;`),
      errors: [{ messageId: 'rawWrite', line: L(1), data: { expr: 'ref', where: 'a Uint32Array element' } }],
    },
    {
      code: code(`dv.setUint32(4, ref, true);`, `Atomics.store(u32s, 0, ref);`, `u32s.fill(ref);`),
      errors: [
        { messageId: 'rawWrite', line: L(1), data: { expr: 'ref', where: '`DataView.setUint32`' } },
        { messageId: 'rawWrite', line: L(2) },
        { messageId: 'rawWrite', line: L(3) },
      ],
    },
    // A u32 field of a layout, through its accessor.
    {
      code: code(`const N = access(Node);`, `N.count.set(p, ref);`),
      errors: [{ messageId: 'rawWrite', line: L(2), data: { expr: 'ref', where: 'a number slot of `N.count.set`' } }],
    },
    // A number field of a not-in-heap record.
    {
      code: code(`rec.count = ref;`),
      errors: [{ messageId: 'numberField', line: L(1), data: { expr: 'ref', field: 'rec.count', owner: 'Rec' } }],
    },
    {
      code: code(`const r: Rec = { count: ref, owner: ref, maybe: 0 };`),
      errors: [{ messageId: 'numberField', line: L(1), data: { expr: 'ref', field: 'count', owner: 'Rec' } }],
    },
    // A number field of a decorated class.
    {
      code: `import { notInHeap, type HeapRef } from 'offheap';\ndeclare const ref: HeapRef<object>;\n@notInHeap class Span { slot: number = ref; }`,
      errors: [{ messageId: 'numberField', line: 3, data: { expr: 'ref', field: 'slot', owner: 'Span' } }],
    },
    // Conversions to number.
    {
      code: code(`const n: number = ref;`, `let m = 0;`, `m = ref;`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'stored in `n`' } },
        { messageId: 'conversion', line: L(3) },
      ],
    },
    {
      code: code(`const a = ref as number;`, `const b = <number>ref;`, `const c = ref as unknown as number;`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'cast to `number`' } },
        { messageId: 'conversion', line: L(2) },
        { messageId: 'conversion', line: L(3) },
      ],
    },
    {
      code: code(`const a = Number(ref);`, `const b = +ref;`, `const c = ref | 0;`, `const d = ref >>> 0;`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: '`Number(…)`' } },
        { messageId: 'conversion', line: L(2) },
        { messageId: 'conversion', line: L(3) },
        { messageId: 'conversion', line: L(4) },
      ],
    },
    // Passing to a number parameter, returning as a number.
    {
      code: code(`function hide(n: number) {}`, `hide(ref);`, `function out(): number { return ref; }`, `const f = (): number => ref;`),
      errors: [
        { messageId: 'conversion', line: L(2), data: { expr: 'ref', how: 'passed as a `number` to `hide`' } },
        { messageId: 'conversion', line: L(3) },
        { messageId: 'conversion', line: L(4) },
      ],
    },
    // Number arrays and object properties.
    {
      code: code(`const xs: number[] = [ref];`, `const o: { n: number } = { n: ref };`, `const ys: number[] = [];`, `ys.push(ref);`),
      errors: [
        { messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'stored in a `number[]`' } },
        { messageId: 'conversion', line: L(2) },
        { messageId: 'conversion', line: L(4) },
      ],
    },
    // Compound assignment.
    {
      code: code(`let acc = 0;`, `acc += ref;`),
      errors: [{ messageId: 'conversion', line: L(2) }],
    },
    // Reading a HeapRef out of a record and hiding it.
    {
      code: code(`const N = access(Node);`, `u32s[2] = N.owner.get(p);`, `u32s[3] = rec.owner;`),
      errors: [
        { messageId: 'rawWrite', line: L(2), data: { expr: 'N.owner.get(p)', where: 'a Uint32Array element' } },
        { messageId: 'rawWrite', line: L(3) },
      ],
    },
    // Arithmetic is still reported with the option when it is stored.
    {
      code: code(`u32s[0] = ref;`),
      options: [{ allowArithmetic: true }],
      errors: [{ messageId: 'rawWrite', line: L(1) }],
    },
    // Re-exported, renamed brands.
    {
      code: `import type { Handle, Thing } from './nih-reexport.ts';\ndeclare const h: Handle<Thing>;\nconst n: number = h;`,
      errors: [{ messageId: 'conversion', line: 3 }],
    },
    // A number field of a record declared in another file.
    {
      code: `import type { HeapRef } from 'offheap';\nimport type { SpanRecord } from './nih-reexport.ts';\ndeclare const s: SpanRecord;\ndeclare const r: HeapRef<object>;\ns.npages = r;`,
      errors: [{ messageId: 'numberField', line: 5, data: { expr: 'r', field: 's.npages', owner: 'Span' } }],
    },
    // Into a Ptr slot.
    {
      code: code(`declare let q: Ptr<Owner>;`, `q = ref as unknown as Ptr<Owner>;`),
      errors: [{ messageId: 'conversion', line: L(2) }],
    },
    // Ordinary class with a number field.
    {
      code: code(`class Cache { slot: number = ref; }`),
      errors: [{ messageId: 'conversion', line: L(1), data: { expr: 'ref', how: 'stored in field `slot`' } }],
    },
    // Mixing runtimes (issue 13 item 8): the module-level functions next to a runtime of one's own, and a
    // handle, pointer or accessor of one runtime used with another.
    {
      code: [
        `import { createRuntime, newHeapRef, deref, struct, heapRef } from 'offheap';`,
        `class Obj { name = ''; }`,
        `const L = struct('L', { ref: heapRef<Obj>() });`,
        `const rt = createRuntime();`,
        `const h = rt.newHeapRef(new Obj());`,
        `deref(h);`,
        `const g = newHeapRef(new Obj());`,
        `rt.deref(g);`,
        `const other = createRuntime();`,
        `const A = other.access(L);`,
        `const p = rt.sysAlloc<import('offheap').LayoutType<typeof L>>(L.size);`,
        `A.ref.set(p, other.newHeapRef(new Obj()));`,
      ].join('\n'),
      errors: [
        { messageId: 'mixedRuntimes', line: 6, data: { call: 'deref(…)', runtime: 'rt', maker: 'createRuntime', at: 'line 4' } },
        { messageId: 'foreignRuntime', line: 6, data: { expr: 'h', what: 'a handle', from: 'runtime `rt`', at: 'line 5', to: 'the default runtime' } },
        { messageId: 'foreignRuntime', line: 8, data: { expr: 'g', what: 'a handle', from: 'the default runtime', at: 'line 7', to: 'runtime `rt`' } },
        { messageId: 'foreignRuntime', line: 12, data: { expr: 'p', what: 'memory', from: 'runtime `rt`', at: 'line 11', to: 'runtime `other`' } },
      ],
    },
    // Mixing runtimes across files (issue 13 item 8): a handle made by another module's own runtime, used
    // with the module-level functions here (the twin that uses the module's runtime is valid) ...
    {
      code: [`import { deref } from 'offheap';`, `import { worldHandle } from './runtimes-own.ts';`, `deref(worldHandle);`].join('\n'),
      errors: [{ messageId: 'foreignRuntime', line: 3, data: { expr: 'worldHandle', what: 'a handle', from: 'runtime `worldRuntime`', at: 'runtimes-own.ts line 6', to: 'the default runtime' } }],
    },
    // ... a default-runtime handle of another module given to its runtime ...
    {
      code: [`import { worldRuntime, defaultHandle } from './runtimes-own.ts';`, `worldRuntime.deref(defaultHandle);`].join('\n'),
      errors: [{ messageId: 'foreignRuntime', line: 2, data: { expr: 'defaultHandle', what: 'a handle', from: 'the default runtime', at: 'runtimes-own.ts line 7', to: 'runtime `worldRuntime`' } }],
    },
    // ... and the module-level functions next to another module's runtime.
    {
      code: [`import { newHeapRef } from 'offheap';`, `import { worldRuntime } from './runtimes-own.ts';`, `const h = newHeapRef({});`, `worldRuntime.deref(h);`].join('\n'),
      errors: [
        { messageId: 'mixedRuntimes', line: 3, data: { call: 'newHeapRef(…)', runtime: 'worldRuntime', maker: 'createRuntime', at: 'runtimes-own.ts line 5' } },
        { messageId: 'foreignRuntime', line: 4, data: { expr: 'h', what: 'a handle', from: 'the default runtime', at: 'line 3', to: 'runtime `worldRuntime`' } },
      ],
    },
    // The twin: the same runtime and pool, and the module-level newHeapRef (reported there, not at sharedPool).
    {
      code: [
        `import { createRuntime, sharedPool, struct, f64, newHeapRef } from 'offheap';`,
        `const L = struct('L', { x: f64 });`,
        `const rt = createRuntime({ shared: true });`,
        `const pool = sharedPool(rt, 'pool', L);`,
        `const h = newHeapRef({});`,
        `rt.deref(h);`,
        `void pool;`,
      ].join('\n'),
      errors: [
        { messageId: 'mixedRuntimes', line: 5, data: { call: 'newHeapRef(…)', runtime: 'rt', maker: 'createRuntime', at: 'line 3' } },
        { messageId: 'foreignRuntime', line: 6, data: { expr: 'h', what: 'a handle', from: 'the default runtime', at: 'line 5', to: 'runtime `rt`' } },
      ],
    },
    // A runtime handed to untagged code that cannot make it the default (the program never calls
    // setDefaultRuntime) is still another runtime; the twin whose helper calls setDefaultRuntime is valid.
    {
      code: [
        `import { createRuntime, deref, type Runtime } from 'offheap';`,
        `function configure(r: Runtime): void { void r; }`,
        `const rt = createRuntime();`,
        `configure(rt);`,
        `const h = rt.newHeapRef({});`,
        `deref(h);`,
      ].join('\n'),
      errors: [
        { messageId: 'mixedRuntimes', line: 6, data: { call: 'deref(…)', runtime: 'rt', maker: 'createRuntime', at: 'line 3' } },
        { messageId: 'foreignRuntime', line: 6, data: { expr: 'h', what: 'a handle', from: 'runtime `rt`', at: 'line 5', to: 'the default runtime' } },
      ],
    },
    // Both operands of one operator are handles: one conversion, at the first, naming the second (was two reports
    // on the same expression). One handle operand: the report names only the operator.
    {
      code: code(`declare const refs: HeapRef<Owner>[];`, `refs.sort((a, b) => a - b);`, `const d = ref - 1;`, `const e = 1 - ref;`),
      errors: [
        { messageId: 'conversion', line: L(2), column: 21, data: { expr: 'a', how: 'operator `-` with the HeapRef `b`' } },
        { messageId: 'conversion', line: L(3), data: { expr: 'ref', how: 'operator `-`' } },
        { messageId: 'conversion', line: L(4), data: { expr: 'ref', how: 'operator `-`' } },
      ],
    },
    // Numeric conversions, one policy (issue 13 item 5): increments, unary plus, remainder, bitwise operators.
    {
      code: code(`let h = ref;`, `h++;`, `--h;`, `const a = +ref;`, `const b = ref % 64;`, `const c = ref ^ 1;`, `const d = ~ref;`, `let e = 0;`, `e |= ref;`),
      errors: [
        { messageId: 'conversion', line: L(2), data: { expr: 'h', how: 'operator `++`' } },
        { messageId: 'conversion', line: L(3), data: { expr: 'h', how: 'operator `--`' } },
        { messageId: 'conversion', line: L(4), data: { expr: 'ref', how: 'unary `+`' } },
        { messageId: 'conversion', line: L(5), data: { expr: 'ref', how: 'operator `%`' } },
        { messageId: 'conversion', line: L(6) },
        { messageId: 'conversion', line: L(7) },
        { messageId: 'conversion', line: L(9) },
      ],
    },
    // Keys and values of a number-typed Map; the twin with a HeapRef-typed Map is valid.
    {
      code: code(`const byId = new Map<number, string>();`, `byId.set(ref, 'a');`, `const counts = new Map<string, number>();`, `counts.set('a', ref);`, `const seen = new Set<number>([ref]);`),
      errors: [
        { messageId: 'conversion', line: L(2), data: { expr: 'ref', how: 'passed as a `number` to `byId.set`' } },
        { messageId: 'conversion', line: L(4) },
        { messageId: 'conversion', line: L(5) },
      ],
    },
    // Math functions take numbers.
    {
      code: code(`const big = Math.max(ref, 1);`),
      errors: [{ messageId: 'conversion', line: L(1) }],
    },
    // A Float64Array element.
    {
      code: code(`declare const f64: Float64Array;`, `f64[0] = ref;`),
      errors: [{ messageId: 'rawWrite', line: L(2), data: { expr: 'ref', where: 'a Float64Array element' } }],
    },
    // The twin of the runtime-view gate: a file that sees only the `HeapRef` brand (under another name) is checked.
    {
      code: `import type { Handle } from './nih-reexport.ts';\ndeclare const r: Handle<object>;\nconst n: number = r;`,
      errors: [{ messageId: 'conversion', line: 3, data: { expr: 'r', how: 'stored in `n`' } }],
    },
  ],
};
