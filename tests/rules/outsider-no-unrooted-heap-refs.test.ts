// no-unrooted-heap-refs tried on spellings nobody on the team wrote for it (issue 12, items 4 and 5): a class wrapping
// a pool, computed offsets, optional chaining, for-of with try/finally, `as const` counts, the runtime's `nil`, escapes
// through `satisfies`, `as const`, `yield*`, `await`, a promise, and the never-rooted scan through destructuring and
// `.call`. Each case has its twin.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/no-unrooted-heap-refs.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-6 of every case. `keepE` roots Entry somewhere in the program, so only the flow findings show. */
const head = [
  `import { struct, u32, heapRef, array, access, FixAlloc, persistentalloc, storeHeapRef, addRoot, removeRoot, typedmemclr, nil, type HeapRef, type Ptr, type LayoutType, type Runtime } from 'offheap';`,
  `class Session { id = 0; }`,
  `const Entry = struct('Entry', { key: u32, hits: u32, session: heapRef<Session>() }); type Entry = LayoutType<typeof Entry>; const E = access(Entry);`,
  `declare const rt: Runtime; declare const maybeRt: Runtime | undefined; declare const s: HeapRef<Session>; declare const c: boolean;`,
  `function keepE(p: Ptr<Entry>) { addRoot(p, Entry); }`,
  `const A = 'persistentalloc'; void A;`,
];
const code = (...lines: string[]): string => [...head, ...lines].join('\n');
const L = (n: number): number => head.length + n;
const alloc = `const p = persistentalloc<Entry>(Entry.size);`;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];
function twin(ok: string[], broken: string[], line: number, messageId: MessageIds = 'unrootedStore'): void {
  valid.push({ code: code(...ok) });
  const src = code(...broken);
  // unrootUncleared offers `typedmemclr(Entry, p);` before the removeRoot statement.
  const suggestions = messageId === 'unrootUncleared' ? [{ messageId: 'useTypedmemclrFirst' as const, output: src.replace('removeRoot(p);', 'typedmemclr(Entry, p);\nremoveRoot(p);') }] : undefined;
  invalid.push({ code: src, errors: [{ messageId, line: L(line), ...(suggestions ? { suggestions } : {}) }] });
}

// ---- a HeapRef store in the spellings users write ----
twin(
  [`class Cache { private pool = new FixAlloc(Entry); put(r: HeapRef<Session>) { const p = this.pool.alloc(); E.session.set(p, r); addRoot(p, Entry); return p; } }`],
  [`class Cache { private pool = new FixAlloc(Entry); put(r: HeapRef<Session>) { const p = this.pool.alloc(); E.session.set(p, r); E.key.set(p, 1); } }`],
  1,
);
for (const store of [
  `storeHeapRef(p + Entry.ptrSlots[0], s);`,
  `storeHeapRef(p + Entry.offsets?.session, s);`,
  `const off = Entry.offsets.session; storeHeapRef(p + off, s);`,
  `maybeRt?.storeHeapRef(p + 8, s);`,
  `const { session } = E; session.set(p, s);`,
]) {
  twin([`function f() { ${alloc} ${store} addRoot(p, Entry); }`], [`function f() { ${alloc} ${store} }`], 1);
}
// An array-element accessor in a for-of, rooted in `finally` (every way out).
const bag = `const Bag = struct('Bag', { n: u32, refs: array(heapRef<Session>(), 4) }); const B = access(Bag); type Bag = LayoutType<typeof Bag>;`;
twin(
  [bag, `function f(rs: HeapRef<Session>[]) { const p = persistentalloc<Bag>(Bag.size); try { for (const [i, r] of rs.entries()) B.refs.set(p, i, r); } finally { addRoot(p, Bag); } }`],
  [bag, `function f(rs: HeapRef<Session>[]) { const p = persistentalloc<Bag>(Bag.size); try { for (const [i, r] of rs.entries()) B.refs.set(p, i, r); } finally { if (c) addRoot(p, Bag); } }`],
  2,
);
// A block rooted with an `as const` count: a store into record N is beyond it.
twin(
  [`const N = 4 as const; function f() { const b = persistentalloc<Entry>(Entry.size * N); addRoot(b, Entry, N); storeHeapRef(b + (N - 1) * Entry.size + Entry.offsets.session, s); }`],
  [`const N = 4 as const; function f() { const b = persistentalloc<Entry>(Entry.size * N); addRoot(b, Entry, N); storeHeapRef(b + N * Entry.size + Entry.offsets.session, s); }`],
  1,
  'storeBeyondRoot',
);

// ---- runfinq: nil into the only slot before removeRoot, spelled with the runtime's `nil` or a const (both were reported) ----
twin([`function f(p: Ptr<Entry>) { try { E.hits.set(p, 0); } finally { E.session.set(p, nil as HeapRef<Session>);`, `removeRoot(p); } }`], [`function f(p: Ptr<Entry>) { try { E.session.set(p, s); } finally {`, `removeRoot(p); } }`], 2, 'unrootUncleared');
twin([`const NIL = 0 as HeapRef<never>;`, `function f(p: Ptr<Entry>) { E.session.set(p, NIL);`, `removeRoot(p); }`], [`const NIL = 0 as HeapRef<never>;`, `function f(p: Ptr<Entry>) { E.key.set(p, NIL);`, `removeRoot(p); }`], 3, 'unrootUncleared');

// ---- handed on: satisfies, as const, yield*, await, a promise, a spread ----
for (const [ok, broken] of [
  [`interface Holder { p: Ptr<Entry> } function f() { ${alloc} E.session.set(p, s); return { p } satisfies Holder; }`, `interface Holder { p: Ptr<Entry> } function f() { ${alloc} E.session.set(p, s); return {} satisfies Partial<Holder>; }`],
  [`function f() { ${alloc} E.session.set(p, s); return [p] as const; }`, `function f() { ${alloc} E.session.set(p, s); return [] as const; }`],
  [`function* f() { ${alloc} E.session.set(p, s); yield* [p]; }`, `function* f() { ${alloc} E.session.set(p, s); yield* []; }`],
  [`function* g(q: Ptr<Entry>) { yield q; } function* f() { ${alloc} E.session.set(p, s); yield* g(p); }`, `function* g(q: Ptr<Entry>) { yield q; } function* f() { ${alloc} E.session.set(p, s); yield* g(0 as Ptr<Entry>); }`],
  [`async function f() { ${alloc} E.session.set(p, s); return await Promise.resolve(p); }`, `async function f() { ${alloc} E.session.set(p, s); return await Promise.resolve(1); }`],
  [`function f() { return new Promise<Ptr<Entry>>((resolve) => { ${alloc} E.session.set(p, s); resolve(p); }); }`, `function f() { return new Promise<number>((resolve) => { ${alloc} E.session.set(p, s); resolve(1); }); }`],
  [`function f(o: object) { ${alloc} E.session.set(p, s); return { ...o, p }; }`, `function f(o: object) { ${alloc} E.session.set(p, s); return { ...o }; }`],
  // The address as text is not a pointer anything keeps: reported, as Go does not keep a uintptr's object alive.
  [`function f(q: Ptr<Entry>) { ${alloc} E.session.set(p, s); return c ? p : q; }`, 'function f(q: Ptr<Entry>) { ' + alloc + ' E.session.set(p, s); return `${c ? p : q}`; }'],
]) {
  twin([ok], [broken], 1);
}

// ---- the never-rooted scan resolves callees as the flow does ----
const lone = `const Lone = struct('Lone', { r: heapRef<Session>() }); type Lone = LayoutType<typeof Lone>; const pool = new FixAlloc(Lone);`;
// `const { addRoot: ar } = rt` roots Lone (was reported as never rooted).
twin([lone, `function f() { const { addRoot: ar } = rt; const p = pool.alloc(); ar(p, Lone); }`], [lone, `function f() { const { removeRoot: ar } = rt; const p = pool.alloc(); ar(p); }`], 1, 'neverRooted');
twin([lone, `function f() { const p = pool.alloc(); maybeRt?.addRoot(p, Lone); }`], [lone, `function f() { const p = pool.alloc(); maybeRt?.removeRoot(p); }`], 1, 'neverRooted');
// `addRoot.call(rt, p, Lone)` roots Lone for the scan; the flow does not follow `.call` and says so.
invalid.push({ code: code(lone, `function f() { const p = pool.alloc(); rt.addRoot.call(rt, p, Lone); }`), errors: [{ messageId: 'flowCannotProve', line: L(2) }] });
invalid.push({ code: code(lone, `function f() { const p = pool.alloc(); void p; const q = persistentalloc<Entry>(Entry.size); rt.addRoot.call(rt, q, Entry); }`), errors: [{ messageId: 'neverRooted', line: L(1) }, { messageId: 'flowCannotProve', line: L(2) }] });
// A non-literal `apply` may root anything: no neverRooted, only "cannot prove".
invalid.push({ code: code(lone, `function f(args: [Ptr<Entry>, typeof Entry]) { const p = pool.alloc(); void p; rt.addRoot.apply(rt, args); }`), errors: [{ messageId: 'flowCannotProve', line: L(2) }] });
// `.call` of a store: "cannot prove" (was silently clean).
twin([`function f() { ${alloc} storeHeapRef(p + 8, s); addRoot(p, Entry); }`], [`function f() { ${alloc} storeHeapRef.call(undefined, p + 8, s); }`], 1, 'flowCannotProve');

// ---- never silently wrong: a 600-deep same-file chain that roots, or frees, at its end ----
const chain = (n: number, last: string): string[] => Array.from({ length: n }, (_, i) => `function h${i}(p: Ptr<Entry>): void { ${i === n - 1 ? last : `h${i + 1}(p);`} }`);
twin([...chain(600, 'addRoot(p, Entry);'), `function f() { ${alloc} E.session.set(p, s); h0(p); }`], [...chain(600, 'void p;'), `function f() { ${alloc} E.session.set(p, s); h0(p); }`], 601);
invalid.push({
  code: code(`const pool = new FixAlloc(Entry);`, ...chain(600, 'typedmemclr(Entry, p); removeRoot(p); pool.free(p);'), `function f() { const p = pool.alloc(); addRoot(p, Entry); h0(p); E.key.set(p, 1); }`),
  errors: [{ messageId: 'useAfterFree', line: L(602) }],
});
// 200 slots: the message lists four and counts the rest.
const fields = Array.from({ length: 200 }, (_, i) => `r${i}: heapRef<Session>()`).join(', ');
const big = `const Big = struct('Big', { n: u32, ${fields} }); type Big = LayoutType<typeof Big>;`;
{
  const src = code(big, `function f(p: Ptr<Big>) {`, `removeRoot(p); }`);
  invalid.push({
    code: src,
    errors: [{ messageId: 'unrootUncleared', line: L(3), data: { ptr: 'p', slots: 'r0, r1, r2, r3 and 196 more' }, suggestions: [{ messageId: 'useTypedmemclrFirst', output: src.replace('removeRoot(p);', 'typedmemclr(Big, p);\nremoveRoot(p);') }] }],
  });
}

// Outsider round 3: a root through an optional chain may not happen; the message names the receiver that may be
// undefined (it said "on the path through line N"). Twins root on every path.
const put = (root: string): string => `function put() { const p = persistentalloc<Entry>(Entry.size); E.session.set(p, s); ${root} }`;
valid.push({ code: code(put(`addRoot(p, Entry);`)) }, { code: code(`class Store { rt: Runtime | undefined; ${put(`(this.rt ?? rt).addRoot(p, Entry);`).replace('function ', '')} }`) });
invalid.push(
  {
    code: code(put(`maybeRt?.addRoot(p, Entry);`)),
    errors: [{ messageId: 'unrootedStore', line: L(1), data: { ptr: 'p', path: 'the path where `maybeRt` is undefined or null (`maybeRt?.addRoot(…)` at line 7 does not run)' } }],
  },
  {
    code: code(`class Store { rt: Runtime | undefined; ${put(`this.rt?.addRoot(p, Entry);`).replace('function ', '')} }`),
    errors: [{ messageId: 'unrootedStore', line: L(1), data: { ptr: 'p', path: 'the path where `this.rt` is undefined or null (`this.rt?.addRoot(…)` at line 7 does not run)' } }],
  },
  {
    code: code(`declare function runtimeFor(k: number): Runtime | undefined;`, put(`runtimeFor(1)?.addRoot(p, Entry);`)),
    errors: [{ messageId: 'unrootedStore', line: L(2), data: { ptr: 'p', path: 'the path where the optional chain at line 8 short-circuits' } }],
  },
);

ruleTester.run('no-unrooted-heap-refs (outsider spellings)', rule, { valid, invalid });
