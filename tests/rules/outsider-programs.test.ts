// Realistic programs nobody on the team wrote, across the rules (issue 12 items 4-5, outsider round 2): handles and
// pointers held by JS classes (private #fields and #methods, accessors, static members, `accessor` fields), generic
// containers, caches keyed by handles, async functions and generators, decorators, overloads, namespaces, enums,
// `satisfies`, `as const`, optional chaining, destructuring defaults, class expressions and a barrel. Each broken program
// has its correct twin, which must lint clean.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import noHeapPointers, { type MessageIds as NhpIds, type Options as NhpOptions } from '../../src/rules/no-heap-pointers.js';
import noUnrooted, { type MessageIds as NurIds } from '../../src/rules/no-unrooted-heap-refs.js';
import nowritebarrier from '../../src/rules/nowritebarrier.js';
import zeroBeforeRoot, { type MessageIds as ZbrIds } from '../../src/rules/zero-before-root.js';
import zeroingVariant, { type MessageIds as ZvIds } from '../../src/rules/zeroing-variant.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();

// ---- nowritebarrier: the call graph through the ways classes and modules spell a call ----
type NwbOptions = [{ reportUnresolvedCalls: boolean }];
type NwbMessage = 'prohibited' | 'prohibitedByCaller' | 'unresolvedCall';
const nwbHead = [
  `import { access, heapRef, storeHeapRef, struct, u32, type HeapRef, type LayoutType, type Ptr } from 'offheap';`,
  `const T = struct('T', { f: heapRef<object>(), n: u32 }); type T = LayoutType<typeof T>;`,
  `const X = access(T);`,
  `declare const x: Ptr<T>, y: HeapRef<object>, xs: Ptr<T>[], c: boolean;`,
];
const nwb = (...lines: string[]): string => [...nwbHead, ...lines].join('\n');
const nwbValid: ValidTestCase<NwbOptions>[] = [];
const nwbInvalid: InvalidTestCase<NwbMessage, NwbOptions>[] = [];
const unresolved: NwbOptions = [{ reportUnresolvedCalls: true }];
/** `body(store)` with a barrier is reported once at `line` (relative); with a scalar store it lints clean. */
function nwbTwin(body: (store: string) => string[], line: number, messageId: NwbMessage = 'prohibitedByCaller', options?: NwbOptions): void {
  const name = body('STORE').join(' ').slice(0, 140);
  const opts = options ? { options } : {};
  nwbValid.push({ name: `twin: ${name}`, code: nwb(...body('X.n.set(p, 1);')), ...opts });
  nwbInvalid.push({ name: `broken: ${name}`, code: nwb(...body('X.f.set(p, y);')), errors: [{ messageId, line: nwbHead.length + line }], ...opts });
}
const rec = `/** @nowritebarrierrec */`;

// A private #method and a private static method.
nwbTwin((s) => [`class Sweeper {`, `  #put(p: Ptr<T>) { ${s} }`, `  ${rec}`, `  sweep() { for (const p of xs) this.#put(p); }`, `}`], 2);
nwbTwin((s) => [`class Sweeper {`, `  static #put(p: Ptr<T>) { ${s} }`, `  ${rec}`, `  static sweep() { for (const p of xs) Sweeper.#put(p); }`, `}`], 2);
// A private accessor pair.
nwbTwin((s) => [`class Cell {`, `  constructor(readonly p: Ptr<T>) {}`, `  set #v(_: HeapRef<object>) { const p = this.p; ${s} }`, `  ${rec}`, `  reset() { this.#v = y; }`, `}`], 3);
// An ES `accessor` field is a getter/setter pair with no body of its own: clean in both versions, so only the setter's
// caller matters. A static getter.
nwbTwin((s) => [`class Cfg {`, `  static get first(): number { const p = x; ${s} return 1; }`, `}`, rec, `function sweep() { return Cfg.first; }`], 2);
// A generic container's method reached through its instance.
nwbTwin((s) => [`class Pool<V> {`, `  items: V[] = [];`, `  put(p: Ptr<T>, v: V) { ${s} this.items.push(v); }`, `}`, `const pool = new Pool<string>();`, rec, `function sweep() { pool.put(x, 'a'); }`], 3);
// A cache of handlers keyed by a handle: Map<HeapRef, fn>.get(k)?.(p) is not a callee the graph can name.
nwbTwin(
  (s) => [`function put(p: Ptr<T>) { ${s} }`, `const byRef = new Map<HeapRef<object>, (p: Ptr<T>) => void>([[y, put]]);`, rec, `function sweep() { put(x); byRef.get(y)?.(x); }`],
  1,
);
// Async functions and generators.
nwbTwin((s) => [`async function put(p: Ptr<T>) { await null; ${s} }`, rec, `async function sweep() { await put(x); }`], 1);
nwbTwin((s) => [`function* walk() { for (const p of xs) { ${s} yield p; } }`, rec, `function sweep() { for (const p of walk()) void p; }`], 1);
// A class decorator and a method decorator run their own functions; the decorated method is the callee.
nwbTwin(
  (s) => [
    `function logged<A extends unknown[], R>(m: (...a: A) => R, _: ClassMethodDecoratorContext): (...a: A) => R { return m; }`,
    `class Store {`,
    `  @logged put(p: Ptr<T>) { ${s} }`,
    `}`,
    `const store = new Store();`,
    rec,
    `function sweep() { store.put(x); }`,
  ],
  3,
);
// Overloads of a method lead to the implementation.
nwbTwin(
  (s) => [`class Store {`, `  put(p: Ptr<T>): void;`, `  put(p: Ptr<T>, n: number): void;`, `  put(p: Ptr<T>, n = 0) { void n; ${s} }`, `}`, rec, `function sweep(st: Store) { st.put(x); }`],
  4,
);
// Namespaces, nested.
nwbTwin((s) => [`namespace Heap.Sweep { export function put(p: Ptr<T>) { ${s} } }`, rec, `function sweep() { Heap.Sweep.put(x); }`], 1);
// An enum-keyed handler table (`as const`) and a `satisfies` table.
nwbTwin(
  (s) => [`enum Op { Put, Skip }`, `function put(p: Ptr<T>) { ${s} }`, `const ops = { [Op.Put]: put, [Op.Skip]: (p: Ptr<T>) => void p } as const;`, rec, `function sweep() { ops[Op.Put](x); }`],
  2,
);
nwbTwin(
  (s) => [`type Ops = Record<'put', (p: Ptr<T>) => void>;`, `const ops = { put(p: Ptr<T>) { ${s} } } satisfies Ops;`, rec, `function sweep() { ops.put(x); }`],
  2,
);
// Optional chaining on the receiver and on the call.
nwbTwin((s) => [`class Store { put(p: Ptr<T>) { ${s} } }`, `declare const maybe: Store | undefined;`, rec, `function sweep() { maybe?.put(x); }`], 1);
nwbTwin((s) => [`class Store { put?(p: Ptr<T>): void; }`, `class Real extends Store { put(p: Ptr<T>) { ${s} } }`, `declare const st: Store;`, rec, `function sweep() { st.put?.(x); }`], 2);
// A concrete method overridden in a subclass: a receiver typed by the base may hold the subclass.
nwbTwin((s) => [`class Store { put(p: Ptr<T>) { void p; } }`, `class Real extends Store { put(p: Ptr<T>) { ${s} } }`, `declare const st: Store;`, rec, `function sweep() { st.put(x); }`], 2);
// Destructuring defaults: the default function is a callee.
nwbTwin((s) => [`function put(p: Ptr<T>) { ${s} }`, rec, `function sweep({ run = put }: { run?: (p: Ptr<T>) => void } = {}) { run(x); }`], 1);
nwbTwin((s) => [`function put(p: Ptr<T>) { ${s} }`, rec, `function sweep(run = put) { run(x); }`], 1);
nwbTwin((s) => [`function put(p: Ptr<T>) { ${s} }`, rec, `function sweep(o: { run?: (p: Ptr<T>) => void }) { const { run = put } = o; run(x); }`], 1);
// Under reportUnresolvedCalls the parameter itself is still "cannot prove": a caller may pass another function.
nwbInvalid.push({
  name: 'a destructuring default is called through a parameter: cannot prove',
  code: nwb(`function put(p: Ptr<T>) { X.n.set(p, 1); }`, rec, `function sweep({ run = put }: { run?: (p: Ptr<T>) => void } = {}) { run(x); }`),
  options: unresolved,
  errors: [{ messageId: 'unresolvedCall', line: nwbHead.length + 3 }],
});
// A class expression.
nwbTwin((s) => [`const Store = class { put(p: Ptr<T>) { ${s} } };`, rec, `function sweep() { new Store().put(x); }`], 1);
// A method taken by destructuring from an instance.
nwbTwin((s) => [`class Store { put = (p: Ptr<T>) => { ${s} }; }`, rec, `function sweep() { const { put } = new Store(); put(x); }`], 1);
// An iterator protocol: for-of over a class runs its [Symbol.iterator] / next.
const ring = (s: string): string => `class Ring { *[Symbol.iterator]() { for (const p of xs) { ${s} yield p; } } }`;
for (const use of [
  `for (const p of new Ring()) void p;`,
  `return [...new Ring()];`,
  `return Math.max(...new Ring());`,
  `const [first] = new Ring(); return first;`,
  `let a: Ptr<T>; [a] = new Ring(); return a;`,
  `function* all() { yield* new Ring(); } for (const p of all()) void p;`,
]) {
  nwbTwin((s) => [ring(s), rec, `function sweep() { ${use} }`], 1);
}
// An iterator class: `[Symbol.iterator]() { return this; }` and its `next()`; an async iterable under `for await`.
nwbTwin(
  (s) => [`class Cursor implements Iterator<Ptr<T>> {`, `  i = 0;`, `  [Symbol.iterator]() { return this; }`, `  next(): IteratorResult<Ptr<T>> { const p = xs[this.i++]; if (p === undefined) return { done: true, value: undefined }; ${s} return { done: false, value: p }; }`, `}`, rec, `function sweep() { for (const p of new Cursor()) void p; }`],
  4,
);
nwbTwin(
  (s) => [`class Feed { async *[Symbol.asyncIterator]() { for (const p of xs) { ${s} yield p; } } }`, rec, `async function sweep() { for await (const p of new Feed()) void p; }`],
  1,
);
// Arrays, Maps and strings run no user code when iterated.
nwbValid.push({ name: 'library iterables', code: nwb(rec, `function sweep(m: Map<string, Ptr<T>>) { for (const p of xs) void p; for (const [k] of m) void k; return [...'ab', ...xs]; }`), options: unresolved });
// A barrier reached through an async callback and through a getter of a re-exported class.
nwbTwin((s) => [`class Store { get head(): number { const p = x; ${s} return 0; } }`, `const st = new Store();`, rec, `function sweep() { const { head } = st; return head; }`], 1);

// Classes of another file reached through a barrel (`export *` and a renamed re-export), from roots in a third file
// (fixtures/outsider-store-roots.ts): a method, a setter and the iterator protocol. The reports land in the callee's
// file; its pointer-free twin class, reached by the same roots, stays clean.
nwbInvalid.push({
  name: 'a store of another file reached through a barrel',
  code: readFileSync(path.join(fixturesDir, 'outsider-store.ts'), 'utf8'),
  filename: path.join(fixturesDir, 'outsider-store.ts'),
  errors: [12, 13, 14].map((line) => ({ messageId: 'prohibitedByCaller' as const, line })),
});

ruleTester.run('nowritebarrier (outsider programs)', nowritebarrier, { valid: nwbValid, invalid: nwbInvalid });

// ---- the flow rules on the same kinds of programs ----
/** Lines 1-8 of every flow case. `popFree` is the user's free list (maybe garbage); `keepE` roots Entry somewhere. */
const flowHead = [
  `import { struct, u32, heapRef, access, FixAlloc, persistentalloc, memclrNoHeapPointers, addRoot, type HeapRef, type Ptr, type Garbage, type Layout, type LayoutType, type Runtime } from 'offheap';`,
  `class Session { id = 0; }`,
  `const Entry = struct('Entry', { key: u32, hits: u32, session: heapRef<Session>() }); type Entry = LayoutType<typeof Entry>; const E = access(Entry);`,
  `declare const rt: Runtime; declare const maybeRt: Runtime | undefined; declare const s: HeapRef<Session>; declare const c: boolean;`,
  `declare function popFree(): Garbage<Entry>;`,
  `function keepE(p: Ptr<Entry>) { addRoot(p, Entry); }`,
  `declare function tick(): Promise<void>;`,
  `function logged<A extends unknown[], R>(m: (...a: A) => R, _: ClassMethodDecoratorContext): (...a: A) => R { return m; }`,
];
const flow = (...lines: string[]): string => [...flowHead, ...lines].join('\n');
type ZbrMessage = ZbrIds;
const zbrValid: ValidTestCase<[]>[] = [];
const zbrInvalid: InvalidTestCase<ZbrMessage, []>[] = [];
/** `body(clear)`: with `clear` the memory is zeroed before it is rooted (clean); without, reported once at `line`. */
function zbrTwin(body: (clear: string) => string[], line: number, messageId: ZbrMessage = 'notZeroed'): void {
  const name = body('CLEAR').join(' ').slice(0, 140);
  zbrValid.push({ name: `twin: ${name}`, code: flow(...body('memclrNoHeapPointers(p, Entry.size);')) });
  zbrInvalid.push({ name: `broken: ${name}`, code: flow(...body('')), errors: [{ messageId, line: flowHead.length + line }] });
}
// A JS class that roots through a private #method, a static method, a decorated method.
zbrTwin((z) => [`class Cache {`, `  #publish(p: Ptr<Entry>) { addRoot(p, Entry); }`, `  acquire() { const p = popFree(); ${z} this.#publish(p); return p; }`, `}`], 3);
zbrTwin((z) => [`class Cache {`, `  static publish(p: Ptr<Entry>) { addRoot(p, Entry); }`, `  acquire() { const p = popFree(); ${z} Cache.publish(p); return p; }`, `}`], 3);
zbrTwin((z) => [`class Cache {`, `  @logged acquire() { const p = popFree(); ${z} addRoot(p, Entry); return p; }`, `}`], 2);
// Async functions and generators.
zbrTwin((z) => [`async function acquire() { const p = popFree(); ${z} await tick(); addRoot(p, Entry); return p; }`], 1);
zbrTwin((z) => [`function* fill(n: number) { for (let i = 0; i < n; i++) { const p = popFree(); ${z} addRoot(p, Entry); yield p; } }`], 1);
// Tables the collector scans: a module-level Map keyed by handles, a namespace's table, a class's static table.
zbrTwin((z) => [`const byOwner = new Map<HeapRef<Session>, Ptr<Entry>>();`, `function acquire() { const p = popFree(); ${z} byOwner.set(s, p); }`], 2);
zbrTwin((z) => [`namespace Tables { export const all: Ptr<Entry>[] = []; }`, `function acquire() { const p = popFree(); ${z} Tables.all.push(p); }`], 2);
zbrTwin((z) => [`class Registry { static all: Ptr<Entry>[] = []; }`, `function acquire() { const p = popFree(); ${z} Registry.all.push(p); }`], 2);
// Rooting through optional chaining, an overloaded helper, a generic helper, a class expression's method.
zbrTwin((z) => [`function acquire() { const p = popFree(); ${z} maybeRt?.addRoot(p, Entry); }`], 1);
// An overloaded helper that roots (was silently clean: the flow looked for the overload signature's body).
zbrTwin(
  (z) => [`function publish(p: Ptr<Entry>): void;`, `function publish(p: Ptr<Entry>, n: number): void;`, `function publish(p: Ptr<Entry>, n = 1) { addRoot(p, Entry, n); }`, `function acquire() { const p = popFree(); ${z} publish(p); }`],
  4,
);
zbrTwin((z) => [`class Cache {`, `  publish(p: Ptr<Entry>): void;`, `  publish(p: Ptr<Entry>, n: number): void;`, `  publish(p: Ptr<Entry>, n = 1) { addRoot(p, Entry, n); }`, `  acquire() { const p = popFree(); ${z} this.publish(p); }`, `}`], 5);
zbrTwin((z) => [`function publish<T>(p: Ptr<T>, L: Layout<T>) { addRoot(p, L); }`, `function acquire() { const p = popFree(); ${z} publish(p, Entry); }`], 2);
zbrTwin((z) => [`const Cache = class { acquire() { const p = popFree(); ${z} addRoot(p, Entry); } };`], 1);
// An enum switch that clears on one arm only.
zbrValid.push({ name: 'enum switch, both arms clear', code: flow(`enum Mode { Fresh, Reuse }`, `function acquire(m: Mode) { const p = popFree(); switch (m) { case Mode.Fresh: memclrNoHeapPointers(p, Entry.size); break; case Mode.Reuse: memclrNoHeapPointers(p, Entry.size); break; default: return; } addRoot(p, Entry); }`) });
zbrInvalid.push({
  name: 'enum switch, one arm clears',
  code: flow(`enum Mode { Fresh, Reuse }`, `function acquire(m: Mode) { const p = popFree(); switch (m) { case Mode.Fresh: memclrNoHeapPointers(p, Entry.size); break; case Mode.Reuse: break; default: return; } addRoot(p, Entry); }`),
  errors: [{ messageId: 'notZeroed', line: flowHead.length + 2 }],
});
// A destructuring default that picks the free list.
zbrTwin((z) => [`function acquire({ from = popFree }: { from?: () => Garbage<Entry> } = {}) { const p = from(); ${z} addRoot(p, Entry); }`], 1);
ruleTester.run('zero-before-root (outsider programs)', zeroBeforeRoot, { valid: zbrValid, invalid: zbrInvalid });

// no-unrooted-heap-refs: a HeapRef stored into fresh memory must be rooted or handed on.
const nurValid: ValidTestCase<[]>[] = [];
const nurInvalid: InvalidTestCase<NurIds, []>[] = [];
const alloc = `const p = persistentalloc<Entry>(Entry.size);`;
/** `ok` lints clean; `broken` is reported once at `line` with `messageId`. */
function nurTwin(ok: string[], broken: string[], line: number, messageId: NurIds = 'unrootedStore'): void {
  nurValid.push({ name: `twin: ${ok.join(' ').slice(0, 140)}`, code: flow(...ok) });
  nurInvalid.push({ name: `broken: ${broken.join(' ').slice(0, 140)}`, code: flow(...broken), errors: [{ messageId, line: flowHead.length + line }] });
}
// A cache class: the pointer kept in a private #field table is handed on; kept in a local Map that dies, it is not.
nurTwin(
  [`class Cache {`, `  #byKey = new Map<number, Ptr<Entry>>();`, `  put(k: number, r: HeapRef<Session>) { ${alloc} E.key.set(p, k); E.session.set(p, r); this.#byKey.set(k, p); }`, `}`],
  [`class Cache {`, `  put(k: number, r: HeapRef<Session>) { const byKey = new Map<number, Ptr<Entry>>(); ${alloc} E.key.set(p, k); E.session.set(p, r); byKey.set(k, p); }`, `}`],
  2,
);
// A private #method that roots, and one that only reads.
nurTwin(
  [`class Cache {`, `  #keep(p: Ptr<Entry>) { addRoot(p, Entry); }`, `  put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); this.#keep(p); }`, `}`],
  [`class Cache {`, `  #peek(p: Ptr<Entry>) { return E.key.get(p); }`, `  put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); this.#peek(p); }`, `}`],
  3,
);
// A static helper that roots, and one that only reads.
nurTwin(
  [`class Cache {`, `  static keep(p: Ptr<Entry>) { addRoot(p, Entry); }`, `  put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); Cache.keep(p); }`, `}`],
  [`class Cache {`, `  static peek(p: Ptr<Entry>) { return E.key.get(p); }`, `  put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); Cache.peek(p); }`, `}`],
  3,
);
// Async: rooted after an await; not rooted at all.
nurTwin(
  [`async function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); await tick(); addRoot(p, Entry); }`],
  [`async function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); await tick(); }`],
  1,
);
// A generator hands on what it yields, not a scalar read of it.
nurTwin([`function* fill(rs: HeapRef<Session>[]) { for (const r of rs) { ${alloc} E.session.set(p, r); yield p; } }`], [`function* fill(rs: HeapRef<Session>[]) { for (const r of rs) { ${alloc} E.session.set(p, r); yield E.key.get(p); } }`], 1);
// A handle taken from a cache keyed by strings, with a destructuring default.
nurTwin(
  [`const owners = new Map<string, HeapRef<Session>>();`, `function put({ name = 'a' }: { name?: string } = {}) { const r = owners.get(name); if (r === undefined) return; ${alloc} E.session.set(p, r); addRoot(p, Entry); }`],
  [`const owners = new Map<string, HeapRef<Session>>();`, `function put({ name = 'a' }: { name?: string } = {}) { const r = owners.get(name); if (r === undefined) return; ${alloc} E.session.set(p, r); }`],
  2,
);
// An overloaded helper that roots, and the same overload set that only reads (was silently clean).
nurTwin(
  [`function keep(p: Ptr<Entry>): void;`, `function keep(p: Ptr<Entry>, n: number): void;`, `function keep(p: Ptr<Entry>, n = 1) { addRoot(p, Entry, n); }`, `function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); keep(p); }`],
  [`function keep(p: Ptr<Entry>): void;`, `function keep(p: Ptr<Entry>, n: number): void;`, `function keep(p: Ptr<Entry>, n = 1) { void E.key.get(p); void n; }`, `function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); keep(p); }`],
  4,
);
// A decorated method and a class expression's method.
nurTwin(
  [`class Cache { @logged put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); addRoot(p, Entry); } }`],
  [`class Cache { @logged put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); } }`],
  1,
);
nurTwin([`const Cache = class { put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); return p; } };`], [`const Cache = class { put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); return E.key.get(p); } };`], 1);
// A namespace function, and a root through optional chaining.
nurTwin([`namespace Store { export function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); rt.addRoot(p, Entry); } }`], [`namespace Store { export function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); rt.gc(); } }`], 1);
// Through optional chaining the root may not happen: \`maybeRt?.addRoot\` leaves a path where maybeRt is undefined.
nurTwin([`function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); (maybeRt ?? rt).addRoot(p, Entry); }`], [`function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); maybeRt?.addRoot(p, Entry); }`], 1);
// An enum switch with a default that roots on every arm, and one arm that forgets.
nurTwin(
  [`enum Life { Long, Short }`, `function put(r: HeapRef<Session>, l: Life) { ${alloc} E.session.set(p, r); switch (l) { case Life.Long: addRoot(p, Entry); break; default: addRoot(p, Entry); } }`],
  [`enum Life { Long, Short }`, `function put(r: HeapRef<Session>, l: Life) { ${alloc} E.session.set(p, r); switch (l) { case Life.Long: addRoot(p, Entry); break; default: break; } }`],
  2,
);
// A pointer handed to a class instance (`new Handle(p)`) kept by a static registry, and the same Handle dropped.
nurTwin(
  [`class Handle { static live = new Set<Handle>(); constructor(readonly p: Ptr<Entry>) { Handle.live.add(this); } }`, `function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); return new Handle(p); }`],
  [`class Handle { constructor(readonly p: Ptr<Entry>) {} }`, `function put(r: HeapRef<Session>) { ${alloc} E.session.set(p, r); void E.key.get(p); }`],
  2,
);
ruleTester.run('no-unrooted-heap-refs (outsider programs)', noUnrooted, { valid: nurValid, invalid: nurInvalid });

// zeroing-variant: which clear the memory on each path needs.
const zvHead = [
  `import { struct, u32, heapRef, access, memclrNoHeapPointers, memclrHasPointers, typedmemclr, type HeapRef, type Ptr, type Garbage, type MaybeGarbage, type LayoutType, type Runtime, type Layout } from 'offheap';`,
  `class Session { id = 0; }`,
  `const Entry = struct('Entry', { key: u32, hits: u32, session: heapRef<Session>() }); type Entry = LayoutType<typeof Entry>; const E = access(Entry);`,
  `declare const maybeRt: Runtime | undefined; declare const s: HeapRef<Session>;`,
  `declare function popFree(): Garbage<Entry>;`,
  `declare function tick(): Promise<void>;`,
];
const zv = (...lines: string[]): string => [...zvHead, ...lines].join('\n');
const zvValid: ValidTestCase<[]>[] = [];
const zvInvalid: InvalidTestCase<ZvIds, []>[] = [];
type ZvSuggestion = Extract<ZvIds, 'useNoHeapPointers' | 'useTypedmemclr' | 'useHasPointers'>;
/** `ok` lints clean; `broken` is reported once at `line`; `call` is the reported text, `fixes` its suggested rewrites. */
function zvTwin(ok: string[], broken: string[], line: number, messageId: ZvIds, call?: string, fixes: [ZvSuggestion, string][] = []): void {
  zvValid.push({ name: `twin: ${ok.join(' ').slice(0, 140)}`, code: zv(...ok) });
  const src = zv(...broken);
  const suggestions = fixes.map(([id, to]) => ({ messageId: id, output: src.replace(call!, to) }));
  zvInvalid.push({ name: `broken: ${broken.join(' ').slice(0, 140)}`, code: src, errors: [{ messageId, line: zvHead.length + line, ...(call ? { suggestions } : {}) }] });
}
const barriered = (p: string): [ZvSuggestion, string][] => [['useTypedmemclr', `typedmemclr(Entry, ${p})`], ['useHasPointers', `memclrHasPointers(${p}, Entry.size)`]];
// A generic recycler class whose layout is a private field, and a #private one.
zvTwin(
  [`class Recycler<T> {`, `  constructor(private readonly l: Layout<T>) {}`, `  reset(p: MaybeGarbage<T>) { memclrNoHeapPointers(p, this.l.size); }`, `}`],
  [`class Recycler<T> {`, `  constructor(private readonly l: Layout<T>) {}`, `  reset(p: MaybeGarbage<T>) { typedmemclr(this.l, p); }`, `}`],
  3, 'barrierOnGarbage', 'typedmemclr(this.l, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, this.l.size)']],
);
zvTwin(
  [`class Recycler<T> {`, `  #l: Layout<T>;`, `  constructor(l: Layout<T>) { this.#l = l; }`, `  reset(p: MaybeGarbage<T>) { memclrNoHeapPointers(p, this.#l.size); }`, `}`],
  [`class Recycler<T> {`, `  #l: Layout<T>;`, `  constructor(l: Layout<T>) { this.#l = l; }`, `  reset(p: MaybeGarbage<T>) { typedmemclr(this.#l, p); }`, `}`],
  4, 'barrierOnGarbage', 'typedmemclr(this.#l, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, this.#l.size)']],
);
// Evicting from a cache keyed by handles: the pointer is type-safe and holds live references.
zvTwin(
  [`const cache = new Map<HeapRef<Session>, Ptr<Entry>>();`, `function evict(k: HeapRef<Session>) { const p = cache.get(k); if (p !== undefined) typedmemclr(Entry, p); cache.delete(k); }`],
  [`const cache = new Map<HeapRef<Session>, Ptr<Entry>>();`, `function evict(k: HeapRef<Session>) { const p = cache.get(k); if (p !== undefined) memclrNoHeapPointers(p, Entry.size); cache.delete(k); }`],
  2, 'missedBarrier', 'memclrNoHeapPointers(p, Entry.size)', barriered('p'),
);
// A static method and a private #method that clear a type-safe pointer.
zvTwin([`class Pool { static reset(p: Ptr<Entry>) { typedmemclr(Entry, p); } }`], [`class Pool { static reset(p: Ptr<Entry>) { memclrNoHeapPointers(p, Entry.size); } }`], 1, 'missedBarrier', 'memclrNoHeapPointers(p, Entry.size)', barriered('p'));
// A #method helper that zero-initialises garbage for its caller, and one that does not.
zvTwin(
  [`class Pool {`, `  #wipe(p: Garbage<Entry>) { memclrNoHeapPointers(p, Entry.size); }`, `  take() { const p = popFree(); this.#wipe(p); E.session.set(p, s); return p; }`, `}`],
  [`class Pool {`, `  #wipe(p: Garbage<Entry>) { void p; }`, `  take() { const p = popFree(); this.#wipe(p); E.session.set(p, s); return p; }`, `}`],
  3, 'storeOnGarbage',
);
// Async functions, generators, optional chaining, destructuring defaults.
zvTwin(
  [`async function recycle() { const p = popFree(); await tick(); memclrNoHeapPointers(p, Entry.size); return p; }`],
  [`async function recycle() { const p = popFree(); await tick(); typedmemclr(Entry, p); return p; }`],
  1, 'barrierOnGarbage', 'typedmemclr(Entry, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, Entry.size)']],
);
zvTwin(
  [`function* recycled(n: number) { for (let i = 0; i < n; i++) { const p = popFree(); memclrNoHeapPointers(p, Entry.size); yield p; } }`],
  [`function* recycled(n: number) { for (let i = 0; i < n; i++) { const p = popFree(); typedmemclr(Entry, p); yield p; } }`],
  1, 'barrierOnGarbage', 'typedmemclr(Entry, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, Entry.size)']],
);
zvTwin(
  [`function recycle() { const p = popFree(); maybeRt?.memclrNoHeapPointers(p, Entry.size); }`],
  [`function recycle() { const p = popFree(); maybeRt?.typedmemclr(Entry, p); }`],
  1, 'barrierOnGarbage', 'maybeRt?.typedmemclr(Entry, p)', [['useNoHeapPointers', 'maybeRt?.memclrNoHeapPointers(p, Entry.size)']],
);
// The suggestion keeps the runtime the call names: \`rt['typedmemclr']\` and a method destructured from \`rt\` become
// \`rt.memclrNoHeapPointers\` (the module-level function would clear in the default runtime); a runtime method taken
// through a parameter has no rewrite.
zvTwin(
  [`declare const rt: Runtime;`, `function recycle() { const p = popFree(); rt['memclrNoHeapPointers'](p, Entry.size); }`],
  [`declare const rt: Runtime;`, `function recycle() { const p = popFree(); rt['typedmemclr'](Entry, p); }`],
  2, 'barrierOnGarbage', "rt['typedmemclr'](Entry, p)", [['useNoHeapPointers', 'rt.memclrNoHeapPointers(p, Entry.size)']],
);
zvTwin(
  [`declare const rt: Runtime;`, `const { memclrNoHeapPointers: clear } = rt;`, `function recycle() { const p = popFree(); clear(p, Entry.size); }`],
  [`declare const rt: Runtime;`, `const { typedmemclr: clear } = rt;`, `function recycle() { const p = popFree(); clear(Entry, p); }`],
  3, 'barrierOnGarbage', 'clear(Entry, p)', [['useNoHeapPointers', 'rt.memclrNoHeapPointers(p, Entry.size)']],
);
zvTwin(
  [`function recycle(clear: Runtime['memclrNoHeapPointers']) { const p = popFree(); clear(p, Entry.size); }`],
  [`function recycle(clear: Runtime['typedmemclr']) { const p = popFree(); clear(Entry, p); }`],
  1, 'barrierOnGarbage', 'clear(Entry, p)', [],
);
zvTwin(
  [`function recycle({ p = popFree() }: { p?: Garbage<Entry> } = {}) { memclrNoHeapPointers(p, Entry.size); }`],
  [`function recycle({ p = popFree() }: { p?: Garbage<Entry> } = {}) { typedmemclr(Entry, p); }`],
  1, 'barrierOnGarbage', 'typedmemclr(Entry, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, Entry.size)']],
);
// An enum-driven recycle path.
zvTwin(
  [`enum From { Fresh, Free }`, `function take(f: From, q: Ptr<Entry>) { if (f === From.Free) { const p = popFree(); memclrNoHeapPointers(p, Entry.size); return p; } typedmemclr(Entry, q); return q; }`],
  [`enum From { Fresh, Free }`, `function take(f: From, q: Ptr<Entry>) { const p = f === From.Free ? popFree() : q; typedmemclr(Entry, p); return p; }`],
  2, 'barrierOnGarbage', 'typedmemclr(Entry, p)', [['useNoHeapPointers', 'memclrNoHeapPointers(p, Entry.size)']],
);
ruleTester.run('zeroing-variant (outsider programs)', zeroingVariant, { valid: zvValid, invalid: zvInvalid });

// no-heap-pointers: storage of not-in-heap types written the ways JS classes and modules are written.
const nhpHead = [
  `import { notInHeap, type NotInHeap, type HeapRef, type Ptr } from 'offheap';`,
  `class Owner { name = ''; }`,
];
const nhp = (...lines: string[]): string => [...nhpHead, ...lines].join('\n');
const nhpValid: ValidTestCase<NhpOptions>[] = [];
const nhpInvalid: InvalidTestCase<NhpIds, NhpOptions>[] = [];
/** `broken` is reported once at `line` with `messageId`; `ok` lints clean. */
function nhpTwin(ok: string[], broken: string[], line: number, fix?: [string, string]): void {
  nhpValid.push({ name: `twin: ${ok.join(' ').slice(0, 140)}`, code: nhp(...ok) });
  const src = nhp(...broken);
  // The suggestion rewrites the field's type `X` to `HeapRef<X>`.
  const suggestions = fix ? [{ messageId: 'useHeapRef' as const, output: src.replace(fix[0], fix[1]) }] : undefined;
  nhpInvalid.push({ name: `broken: ${broken.join(' ').slice(0, 140)}`, code: src, errors: [{ messageId: 'heapPointer', line: nhpHead.length + line, ...(suggestions ? { suggestions } : {}) }] });
}
// A #private field and an ES `accessor` field of a @notInHeap class are instance storage; a getter, a method and a
// static member are not.
nhpTwin([`@notInHeap class Span {`, `  declare #owner: HeapRef<Owner>;`, `}`], [`@notInHeap class Span {`, `  declare #owner: Owner;`, `}`], 2, ['#owner: Owner', '#owner: HeapRef<Owner>']);
nhpTwin([`@notInHeap class Span {`, `  accessor npages = 0;`, `}`], [`@notInHeap class Span {`, `  accessor label = '';`, `}`], 2);
nhpValid.push({
  name: 'getters, methods and static members are not instance storage',
  code: nhp(`@notInHeap class Span {`, `  declare npages: number;`, `  static registry = new Map<string, Owner>();`, `  get label(): string { return 'span'; }`, `  describe(): Owner { return new Owner(); }`, `}`),
});
// Optional fields, function-typed fields, string enums (a string is a heap reference) and numeric enums (not).
nhpTwin([`type Rec = NotInHeap<{ owner?: HeapRef<Owner> }>;`], [`type Rec = NotInHeap<{ owner?: Owner }>;`], 1, ['owner?: Owner', 'owner?: HeapRef<Owner>']);
nhpTwin([`type Rec = NotInHeap<{ onFree: Ptr<Rec> }>;`], [`type Rec = NotInHeap<{ onFree: () => void }>;`], 1, ['onFree: () => void', 'onFree: HeapRef<() => void>']);
nhpTwin([`enum Kind { Small, Large }`, `type Rec = NotInHeap<{ kind: Kind }>;`], [`enum Kind { Small = 'small', Large = 'large' }`, `type Rec = NotInHeap<{ kind: Kind }>;`], 2);
// Namespaces, interfaces extending a record, a class expression.
nhpTwin([`namespace Mem { export type Rec = NotInHeap<{ n: number }>; }`], [`namespace Mem { export type Rec = NotInHeap<{ n: number; o: Owner }>; }`], 1, ['o: Owner', 'o: HeapRef<Owner>']);
nhpTwin([`type Rec = NotInHeap<{ n: number }>;`, `interface Big extends Rec { next: Ptr<Big>; }`], [`type Rec = NotInHeap<{ n: number }>;`, `interface Big extends Rec { owner: Owner; }`], 2, ['owner: Owner', 'owner: HeapRef<Owner>']);
nhpTwin([`const Span = @notInHeap class { declare npages: number; };`], [`const Span = @notInHeap class { declare owner: Owner; };`], 1, ['owner: Owner', 'owner: HeapRef<Owner>']);
// A generic record instantiated with a handle, and with an object.
// The unconstrained generic is unprovable at its declaration, and its instance with an object fills the field.
nhpValid.push({ name: 'a generic record of handles', code: nhp(`type Cell<T extends object> = NotInHeap<{ v: HeapRef<T> }>;`, `type OwnerCell = Cell<Owner>;`) });
nhpInvalid.push({
  name: 'a generic record instantiated with an object',
  code: nhp(`type Cell<T> = NotInHeap<{ v: T }>;`, `type OwnerCell = Cell<Owner>;`),
  errors: [{ messageId: 'unprovable', line: nhpHead.length + 1 }, { messageId: 'heapPointer', line: nhpHead.length + 1 }],
});
ruleTester.run('no-heap-pointers (outsider programs)', noHeapPointers, { valid: nhpValid, invalid: nhpInvalid });
