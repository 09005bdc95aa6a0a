// zero-before-root tried on spellings nobody on the team wrote for it (issue 12, items 4 and 5, as an outsider writes
// code: classes wrapping pools, generics, async, for-of, switch, optional chaining, `.call`, destructuring, `satisfies`,
// `as const`, bound methods, class field arrows). Each case has its twin: the correct code lints clean, the broken one is
// reported, or the analysis says it cannot prove (never silence).
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/zero-before-root.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-7 of every case. `popFree` is the user's own free list (maybe garbage); `seen` records fresh objects. */
const head = [
  `import { struct, u32, heapRef, access, FixAlloc, persistentalloc, memclrNoHeapPointers, storeHeapRef, addRoot, type HeapRef, type Ptr, type Garbage, type MaybeGarbage, type LayoutType, type Runtime, type FixAllocOptions } from 'offheap';`,
  `import * as oh from 'offheap';`,
  `class Session { id = 0; }`,
  `const Entry = struct('Entry', { key: u32, hits: u32, session: heapRef<Session>() }); type Entry = LayoutType<typeof Entry>; const E = access(Entry);`,
  `declare const rt: Runtime; declare const maybeRt: Runtime | undefined; declare const s: HeapRef<Session>; declare const c: boolean;`,
  `declare function grab(n: number): Garbage<Entry>; declare function popFree(): Garbage<Entry>;`,
  `const seen: Ptr<Entry>[] = [];`,
];
const code = (...lines: string[]): string => [...head, ...lines].join('\n');
const L = (n: number): number => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

/** `ok` lints clean; `broken` is reported once with `messageId` at its relative `line` (with `data` when given). */
function twin(ok: string[], broken: string[], line: number, messageId: MessageIds = 'notZeroed', data?: Record<string, string>): void {
  valid.push({ code: code(...ok) });
  invalid.push({ code: code(...broken), errors: [{ messageId, line: L(line), ...(data ? { data } : {}) }] });
}

// ---- a pool's `first` hook, in the forms real code takes (each was silently clean before) ----
const rec = `seen.push(p);`;
const init = `E.hits.set(p, 1);`;
for (const [ok, broken] of [
  // A class field arrow passed as `this.init`, and a method bound to the instance.
  [`class Cache { private init = (p: Ptr<Entry>) => { ${rec} }; pool = new FixAlloc(Entry, { first: this.init }); }`, `class Cache { private init = (p: Ptr<Entry>) => { ${init} }; pool = new FixAlloc(Entry, { first: this.init }); }`],
  [
    `class Cache { pool: FixAlloc<Entry>; constructor() { this.pool = new FixAlloc(Entry, { first: this.init.bind(this) }); } init(p: Ptr<Entry>) { ${rec} } }`,
    `class Cache { pool: FixAlloc<Entry>; constructor() { this.pool = new FixAlloc(Entry, { first: this.init.bind(this) }); } init(p: Ptr<Entry>) { ${init} } }`,
  ],
  // Options that are not a literal at the call: `satisfies`, `as const`, a spread.
  [`const opts = { first(p: Ptr<Entry>) { ${rec} } } satisfies FixAllocOptions<Entry>; const pool = new FixAlloc(Entry, opts);`, `const opts = { first(p: Ptr<Entry>) { ${init} } } satisfies FixAllocOptions<Entry>; const pool = new FixAlloc(Entry, opts);`],
  [`const opts = { first: (p: Ptr<Entry>) => { ${rec} } } as const; const pool = new FixAlloc(Entry, opts);`, `const opts = { first: (p: Ptr<Entry>) => E.hits.set(p, 1) } as const; const pool = new FixAlloc(Entry, opts);`],
  [`const base = { first: (p: Ptr<Entry>) => { ${rec} } }; const pool = new FixAlloc(Entry, { ...base });`, `const base = { first: (p: Ptr<Entry>) => E.hits.set(p, 1) }; const pool = new FixAlloc(Entry, { ...base });`],
  // Either arm of a conditional; a write through a cast address in a generic function; a write in a helper it calls.
  [`function a(p: Ptr<Entry>) { ${rec} } function b(p: Ptr<Entry>) { void p; } const pool = new FixAlloc(Entry, { first: c ? a : b });`, `function a(p: Ptr<Entry>) { ${init} } function b(p: Ptr<Entry>) { void p; } const pool = new FixAlloc(Entry, { first: c ? a : b });`],
  [`function initAny<T>(p: Ptr<T>) { seen.push(p as Ptr<Entry>); } const pool = new FixAlloc(Entry, { first: initAny });`, `function initAny<T>(p: Ptr<T>) { storeHeapRef(p as number, s); } const pool = new FixAlloc(Entry, { first: initAny });`],
  [`function setUp(p: Ptr<Entry>) { ${rec} } const pool = new FixAlloc(Entry, { first: (p) => setUp(p) });`, `function setUp(p: Ptr<Entry>) { ${init} } const pool = new FixAlloc(Entry, { first: (p) => setUp(p) });`],
  // An overload set (the implementation has the body); optional chaining on the accessor.
  [
    `function hook(p: Ptr<Entry>): void; function hook(p: Ptr<Entry>, n: number): void; function hook(p: Ptr<Entry>, n = 1) { seen.push(p); void n; } const pool = new FixAlloc(Entry, { first: hook });`,
    `function hook(p: Ptr<Entry>): void; function hook(p: Ptr<Entry>, n: number): void; function hook(p: Ptr<Entry>, n = 1) { E.hits.set(p, n); } const pool = new FixAlloc(Entry, { first: hook });`,
  ],
  [`declare const acc: typeof E | undefined; const pool = new FixAlloc(Entry, { first: (p) => acc?.hits.get(p) });`, `declare const acc: typeof E | undefined; const pool = new FixAlloc(Entry, { first: (p) => acc?.hits.set(p, 1) });`],
  // Held already before this audit: a static method, an object's method, an async arrow.
  [`class H { static init(p: Ptr<Entry>) { ${rec} } } const pool = new FixAlloc(Entry, { first: H.init });`, `class H { static init(p: Ptr<Entry>) { ${init} } } const pool = new FixAlloc(Entry, { first: H.init });`],
  [`const hooks = { init(p: Ptr<Entry>) { ${rec} } }; const pool = new FixAlloc(Entry, { first: hooks.init });`, `const hooks = { init(p: Ptr<Entry>) { ${init} } }; const pool = new FixAlloc(Entry, { first: hooks.init });`],
  [`const pool = new FixAlloc(Entry, { first: async (p) => { await 0; ${rec} } });`, `const pool = new FixAlloc(Entry, { first: async (p) => { await 0; ${init} } });`],
]) {
  twin([ok], [broken], 1, 'initInFirst');
}
// A `let` holds what is assigned to it later too (was silently clean when reassigned).
twin(
  [`let hook = (p: Ptr<Entry>) => { ${init} }; hook = (p) => { ${rec} }; void hook; const pool = new FixAlloc(Entry, { first: (p) => { ${rec} } });`],
  [`let hook = (p: Ptr<Entry>) => { ${rec} }; hook = (p) => E.hits.set(p, 1); const pool = new FixAlloc(Entry, { first: hook });`],
  1,
  'initInFirst',
);
// Through a user's barrel that renames the hooks and the runtime's addRoot and clear (tests/fixtures/outsider-barrel.ts).
const barrel = `import { publishRoot, wipe, initHook, recordHook, FNode } from './outsider-barrel.js'; declare function popF(): Garbage<FNode>;`;
twin([barrel, `const pool = new FixAlloc(FNode, { first: recordHook });`], [barrel, `const pool = new FixAlloc(FNode, { first: initHook });`], 2, 'initInFirst');
twin([barrel, `function f() { const p = popF(); wipe(p, FNode.size); publishRoot(p as Ptr<FNode>, FNode); }`], [barrel, `function f() { const p = popF(); publishRoot(p as Ptr<FNode>, FNode); }`], 2);
// A hook passed in from outside cannot be read: "cannot prove" (was silently clean), in a function and in a generic class.
twin(
  [`function record(p: Ptr<Entry>) { ${rec} }`, `function makePool() { return new FixAlloc(Entry, { first: record }); }`],
  [`function record(p: Ptr<Entry>) { ${rec} }`, `function makePool(first: (p: Ptr<Entry>) => void) { return new FixAlloc(Entry, { first }); }`],
  2,
  'firstCannotProve',
  { name: 'first', why: 'is a parameter: the function passed in is not visible here' },
);
twin(
  [`class Pool<T> { inner: FixAlloc<T>; constructor(L: oh.Layout<T>) { this.inner = new FixAlloc(L); } }`, `const pp = new Pool(Entry);`],
  [`class Pool<T> { inner: FixAlloc<T>; constructor(L: oh.Layout<T>, init: (p: Ptr<T>) => void) { this.inner = new FixAlloc(L, { first: init }); } }`, `const pp = new Pool(Entry, (p) => E.hits.set(p, 1));`],
  1,
  'firstCannotProve',
  { name: 'init', why: 'is a parameter: the function passed in is not visible here' },
);

// ---- addRoot(p, L, n): the clear must cover n records, however the size is spelled ----
twin(
  [`function f(n: number) { const p = grab(n); memclrNoHeapPointers(p, n * Entry.size); addRoot(p as Ptr<Entry>, Entry, n); }`],
  [`function f(n: number) { const p = grab(n); memclrNoHeapPointers(p, Entry.size * (n - 1)); addRoot(p as Ptr<Entry>, Entry, n); }`],
  1,
);
twin(
  [`function f(n: number) { const p = grab(n); const bytes = Entry.size * n; memclrNoHeapPointers(p, bytes); addRoot(p as Ptr<Entry>, Entry, n); }`],
  [`function f(n: number) { const p = grab(n); memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry, n); }`],
  1,
);
twin(
  [`function f(n: number, m: number) { const p = grab(n); void m; memclrNoHeapPointers(p, Entry.size * n); addRoot(p as Ptr<Entry>, Entry, n); }`],
  [`function f(n: number, m: number) { const p = grab(n); memclrNoHeapPointers(p, Entry.size * n); addRoot(p as Ptr<Entry>, Entry, m); }`],
  1,
);

// ---- helpers that root on some path: switch, async local functions, private and static methods, generics ----
const pub = `function publish(p: Ptr<Entry>, k: number) { switch (k) { case 1: addRoot(p, Entry); break; default: break; } }`;
twin([pub, `function f(k: number) { const p = popFree(); memclrNoHeapPointers(p, Entry.size); publish(p as Ptr<Entry>, k); }`], [pub, `function f(k: number) { const p = popFree(); publish(p as Ptr<Entry>, k); memclrNoHeapPointers(p, Entry.size); }`], 2);
twin(
  [`async function f() { const p = popFree(); const pub = async (q: Ptr<Entry>) => { await Promise.resolve(); addRoot(q, Entry); }; memclrNoHeapPointers(p, Entry.size); await pub(p as Ptr<Entry>); }`],
  [`async function f() { const p = popFree(); const pub = async (q: Ptr<Entry>) => { await Promise.resolve(); addRoot(q, Entry); }; await pub(p as Ptr<Entry>); }`],
  1,
);
twin(
  [`class M { debug = false; private pub(p: Ptr<Entry>) { if (this.debug) addRoot(p, Entry); } run() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); this.pub(p as Ptr<Entry>); } }`],
  [`class M { debug = false; private pub(p: Ptr<Entry>) { if (this.debug) addRoot(p, Entry); } run() { const p = popFree(); this.pub(p as Ptr<Entry>); } }`],
  1,
);
twin(
  [`class M { static pub(p: Ptr<Entry>) { addRoot(p, Entry); } } function f() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); M.pub(p as Ptr<Entry>); }`],
  [`class M { static pub(p: Ptr<Entry>) { addRoot(p, Entry); } } function f() { const p = popFree(); M.pub(p as Ptr<Entry>); }`],
  1,
);
twin(
  [`function pub<T>(p: Ptr<T>, l: oh.Layout<T>) { addRoot(p, l); } function f() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); pub(p as Ptr<Entry>, Entry); }`],
  [`function pub<T>(p: Ptr<T>, l: oh.Layout<T>) { addRoot(p, l); } function f() { const p = popFree(); pub(p as Ptr<Entry>, Entry); }`],
  1,
);
// A helper that clears in `finally` clears on every path.
twin(
  [`function init(p: MaybeGarbage<Entry>) { try { seen.length = 0; } finally { memclrNoHeapPointers(p, Entry.size); } }`, `function f() { const p = popFree(); init(p); addRoot(p as Ptr<Entry>, Entry); }`],
  [`function init(p: MaybeGarbage<Entry>) { try { memclrNoHeapPointers(p, Entry.size); } catch { seen.length = 0; } }`, `function f() { const p = popFree(); init(p); addRoot(p as Ptr<Entry>, Entry); }`],
  2,
);

// ---- rooting through other spellings of the callee ----
const clearFirst = (rootCall: string): string => `function f() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); ${rootCall} }`;
const noClear = (rootCall: string): string => `function f() { const p = popFree(); ${rootCall} }`;
for (const call of [
  `maybeRt?.addRoot(p as Ptr<Entry>, Entry);`,
  `(c ? addRoot : oh.addRoot)(p as Ptr<Entry>, Entry);`,
  `const { addRoot: root } = rt; root(p as Ptr<Entry>, Entry);`,
  `const root = rt.addRoot.bind(rt); root(p as Ptr<Entry>, Entry);`,
]) {
  twin([clearFirst(call)], [noClear(call)], 1);
}
twin([`const { addRoot: root } = oh;`, clearFirst(`root(p as Ptr<Entry>, Entry);`)], [`const { addRoot: root } = oh;`, noClear(`root(p as Ptr<Entry>, Entry);`)], 2);
// `.call` / `.apply` of the runtime's addRoot: the flow does not follow it, so it says so (was silently clean).
twin([clearFirst(`addRoot(p as Ptr<Entry>, Entry);`)], [noClear(`rt.addRoot.call(rt, p as Ptr<Entry>, Entry);`)], 1, 'flowCannotProve');
twin([clearFirst(`oh.addRoot(p as Ptr<Entry>, Entry);`)], [noClear(`oh.addRoot.apply(undefined, [p as Ptr<Entry>, Entry]);`)], 1, 'flowCannotProve');

// ---- correlated conditions ----
const src = (flag: string, test: string): string =>
  `let p: MaybeGarbage<Entry>; if (${flag}) p = popFree(); else p = persistentalloc<Entry>(Entry.size); if (${test}) memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry);`;
// A `let` never reassigned, and the same inside a for-of body.
twin([`function get(n: number) { let fromFree = n > 0; ${src('fromFree', 'fromFree')} }`], [`function get(n: number) { let fromFree = n > 0; ${src('fromFree', '!fromFree')} }`], 1);
twin([`function get(fromFree: boolean, xs: number[]) { for (const x of xs) { void x; ${src('fromFree', 'fromFree')} } }`], [`function get(fromFree: boolean, xs: number[]) { for (const x of xs) { void x; ${src('fromFree', '!fromFree')} } }`], 1);
// A flag reassigned by a for-of head is not a stable predicate (was silently clean).
twin(
  [`function get(fromFree: boolean, bs: boolean[]) { let p: MaybeGarbage<Entry> = persistentalloc<Entry>(Entry.size); for (const b of bs) { if (b) p = popFree(); } memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry); void fromFree; }`],
  [`function get(fromFree: boolean, bs: boolean[]) { let p: MaybeGarbage<Entry> = persistentalloc<Entry>(Entry.size); for (fromFree of bs) { if (fromFree) p = popFree(); } if (fromFree) memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry); }`],
  1,
);
twin(
  [`function get(key: string, o: object) { let p: MaybeGarbage<Entry> = persistentalloc<Entry>(Entry.size); for (const k in o) { if (key) p = popFree(); void k; } if (key) memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry); }`],
  [`function get(key: string, o: object) { let p: MaybeGarbage<Entry> = persistentalloc<Entry>(Entry.size); for (key in o) { if (key) p = popFree(); } if (key) memclrNoHeapPointers(p, Entry.size); addRoot(p as Ptr<Entry>, Entry); }`],
  1,
);
// Reassigned through a closure or a destructuring assignment: judged path by path (reported).
invalid.push({
  code: code(`function get(fromFree: boolean) { const flip = () => { fromFree = !fromFree; }; ${src('fromFree', 'fromFree').replace('if (fromFree) memclr', 'flip(); if (fromFree) memclr')} }`),
  errors: [{ messageId: 'notZeroed', line: L(1) }],
});
invalid.push({ code: code(`function get(fromFree: boolean) { ${src('fromFree', 'fromFree').replace('if (fromFree) memclr', '[fromFree] = [!fromFree]; if (fromFree) memclr')} }`), errors: [{ messageId: 'notZeroed', line: L(1) }] });

// ---- never silently wrong: a 600-deep same-file helper chain, and 200 slots in one message ----
const chain = (n: number, last: string, arrow = false): string[] =>
  Array.from({ length: n }, (_, i) => {
    const body = i === n - 1 ? last : `h${i + 1}(p);`;
    return arrow ? `const h${i} = (p: Ptr<Entry>): void => { ${body} };` : `function h${i}(p: Ptr<Entry>): void { ${body} }`;
  });
twin([...chain(600, 'memclrNoHeapPointers(p, Entry.size);'), `function f() { const p = popFree(); h0(p as Ptr<Entry>); addRoot(p as Ptr<Entry>, Entry); }`], [...chain(600, 'if (c) memclrNoHeapPointers(p, Entry.size);'), `function f() { const p = popFree(); h0(p as Ptr<Entry>); addRoot(p as Ptr<Entry>, Entry); }`], 601);
twin(
  [`function f() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); h0(p as Ptr<Entry>); }`, ...chain(600, 'addRoot(p, Entry);', true)],
  [`function f() { const p = popFree(); h0(p as Ptr<Entry>); }`, ...chain(600, 'addRoot(p, Entry);', true)],
  1,
);
const fields = Array.from({ length: 200 }, (_, i) => `r${i}: heapRef<Session>()`).join(', ');
const big = `const Big = struct('Big', { n: u32, ${fields} }); type Big = LayoutType<typeof Big>; declare function popBig(): Garbage<Big>;`;
twin(
  [big, `function f() { const p = popBig(); memclrNoHeapPointers(p, Big.size); addRoot(p as Ptr<Big>, Big); }`],
  [big, `function f() { const p = popBig(); addRoot(p as Ptr<Big>, Big); }`],
  2,
  'notZeroed',
  { ptr: 'p', how: '`addRoot`', why: `from \`popBig()\` at line ${L(2)}`, slots: 'r0, r1, r2, r3 and 196 more' },
);

// Outsider round 3: a clear through an optional chain may not run; the message names the receiver that may be
// undefined (it said "on the path through line N").
twin(
  [`function take() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); rt.addRoot(p, Entry); }`],
  [`function take() { const p = popFree(); maybeRt?.memclrNoHeapPointers(p, Entry.size); rt.addRoot(p, Entry); }`],
  1,
  'notZeroed',
  { ptr: 'p', how: '`addRoot`', slots: 'session', why: 'from `popFree()` at line 8, on the path where `maybeRt` is undefined or null (`maybeRt?.memclrNoHeapPointers(…)` at line 8 does not run)' },
);

ruleTester.run('zero-before-root (outsider spellings)', rule, { valid, invalid });
