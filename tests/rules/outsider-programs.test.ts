// Realistic programs nobody on the team wrote, across the rules (issue 12 items 4-5, outsider round 2): handles and
// pointers held by JS classes (private #fields and #methods, accessors, static members, `accessor` fields), generic
// containers, caches keyed by handles, async functions and generators, decorators, overloads, namespaces, enums,
// `satisfies`, `as const`, optional chaining, destructuring defaults, class expressions and a barrel. Each broken program
// has its correct twin, which must lint clean.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import nowritebarrier from '../../src/rules/nowritebarrier.js';
import { createRuleTester } from '../rule-tester.js';

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

ruleTester.run('nowritebarrier (outsider programs)', nowritebarrier, { valid: nwbValid, invalid: nwbInvalid });
