// zeroing-variant tried on spellings nobody on the team wrote for it (issue 12, item 4): generic wrappers, `switch`,
// async functions, generators, optional chaining, destructured runtime methods, `.call`. Each case has its twin.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/zeroing-variant.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-6 of every case. */
const head = [
  `import { struct, u32, heapRef, access, memclrNoHeapPointers, memclrHasPointers, typedmemclr, storeHeapRef, storeHeapRefNoWB, type HeapRef, type Ptr, type Garbage, type MaybeGarbage, type LayoutType, type Runtime, type Layout } from 'offheap';`,
  `class Session { id = 0; }`,
  `const Entry = struct('Entry', { key: u32, hits: u32, session: heapRef<Session>() }); type Entry = LayoutType<typeof Entry>; const E = access(Entry);`,
  `declare const rt: Runtime; declare const maybeRt: Runtime | undefined; declare const s: HeapRef<Session>;`,
  `declare function popFree(): Garbage<Entry>;`,
  `declare function tick(): Promise<void>;`,
];
const code = (...lines: string[]): string => [...head, ...lines].join('\n');
const L = (n: number): number => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];
type Suggestion = Extract<MessageIds, 'useNoHeapPointers' | 'useTypedmemclr' | 'useHasPointers'>;
/** An expected error: `call` is the reported call's text, each suggestion replaces it with its text. */
function error(src: string, messageId: MessageIds, line: number, call?: string, fixes: [Suggestion, string][] = [], data?: Record<string, string>) {
  const suggestions = fixes.map(([id, to]) => ({ messageId: id, output: src.replace(call!, to) }));
  return { messageId, line: L(line), ...(data ? { data } : {}), ...(call ? { suggestions } : {}) };
}
const toNoHeapPointers = (call: string, size: string): [string, [Suggestion, string][]] => {
  const [, layout, p] = /^typedmemclr\(([^,]+), (.+)\)$/.exec(call)!;
  void layout;
  return [call, [['useNoHeapPointers', `memclrNoHeapPointers(${p}, ${size})`]]];
};
const toBarriered = (call: string, layout: string, p: string, size: string): [string, [Suggestion, string][]] => [
  call,
  [
    ['useTypedmemclr', `typedmemclr(${layout}, ${p})`],
    ['useHasPointers', `memclrHasPointers(${p}, ${size})`],
  ],
];
function twin(ok: string[], broken: string[], line: number, messageId: MessageIds, fix?: [string, [Suggestion, string][]], data?: Record<string, string>): void {
  valid.push({ code: code(...ok) });
  const src = code(...broken);
  invalid.push({ code: src, errors: [error(src, messageId, line, fix?.[0], fix?.[1], data)] });
}

// Generic wrappers: wrong for every record with HeapRef slots the wrapper is used with (both were silently clean).
twin(
  [`class W<T> { constructor(private l: Layout<T>) {} reset(p: MaybeGarbage<T>) { memclrNoHeapPointers(p, this.l.size); } }`],
  [`class W<T> { constructor(private l: Layout<T>) {} reset(p: MaybeGarbage<T>) { typedmemclr(this.l, p as Ptr<T>); } }`],
  1,
  'barrierOnGarbage',
  toNoHeapPointers('typedmemclr(this.l, p as Ptr<T>)', 'this.l.size'),
);
twin([`function reset<T>(l: Layout<T>, p: Garbage<T>) { memclrNoHeapPointers(p, l.size); }`], [`function reset<T>(l: Layout<T>, p: Garbage<T>) { typedmemclr(l, p as Ptr<T>); }`], 1, 'barrierOnGarbage', toNoHeapPointers('typedmemclr(l, p as Ptr<T>)', 'l.size'));
twin(
  [`function release<T>(l: Layout<T>, p: Ptr<T>) { typedmemclr(l, p); }`],
  [`function release<T>(l: Layout<T>, p: Ptr<T>) { memclrNoHeapPointers(p, l.size); }`],
  1,
  'missedBarrier',
  toBarriered('memclrNoHeapPointers(p, l.size)', 'l', 'p', 'l.size'),
);
// Optional chaining and destructured runtime methods.
twin([`function f() { const p = popFree(); maybeRt?.storeHeapRefNoWB(p + Entry.offsets.session, s); }`], [`function f() { const p = popFree(); maybeRt?.storeHeapRef(p + Entry.offsets.session, s); }`], 1, 'storeOnGarbage');
// The rewrite stays on `rt` (the module-level functions would clear in the default runtime).
twin([`function f(p: Ptr<Entry>) { const { typedmemclr: clr } = rt; clr(Entry, p); }`], [`function f(p: Ptr<Entry>) { const { memclrNoHeapPointers: clr } = rt; clr(p, Entry.size); }`], 1, 'missedBarrier', [
  'clr(p, Entry.size)',
  [
    ['useTypedmemclr', 'rt.typedmemclr(Entry, p)'],
    ['useHasPointers', 'rt.memclrHasPointers(p, Entry.size)'],
  ],
]);
// async functions and generators: the state crosses `await` and `yield`.
twin([`async function f(p: Ptr<Entry>) { await tick(); typedmemclr(Entry, p); }`], [`async function f(p: Ptr<Entry>) { await tick(); memclrNoHeapPointers(p, Entry.size); }`], 1, 'missedBarrier', toBarriered('memclrNoHeapPointers(p, Entry.size)', 'Entry', 'p', 'Entry.size'));
twin([`function* f() { const p = popFree(); yield 1; memclrNoHeapPointers(p, Entry.size); yield 2; typedmemclr(Entry, p as Ptr<Entry>); }`], [`function* f() { const p = popFree(); yield 1; typedmemclr(Entry, p as Ptr<Entry>); }`], 1, 'barrierOnGarbage', toNoHeapPointers('typedmemclr(Entry, p as Ptr<Entry>)', 'Entry.size'));
// Correlated through a destructured parameter and a readonly field (both reported before), the broken twin still is.
const recycle = (flag: string, ok: boolean): string =>
  `let p: MaybeGarbage<Entry> = live; if (${flag}) p = popFree(); if (${flag}) ${ok ? 'memclrNoHeapPointers(p, Entry.size)' : 'typedmemclr(Entry, p as Ptr<Entry>)'}; else ${ok ? 'typedmemclr(Entry, p as Ptr<Entry>)' : 'memclrNoHeapPointers(p, Entry.size)'};`;
valid.push({ code: code(`function f({ reused, live }: { reused: boolean; live: Ptr<Entry> }) { ${recycle('reused', true)} }`) });
const both = (src: string, missedFirst = false) => {
  const garbage = error(src, 'barrierOnGarbage', 1, ...toNoHeapPointers('typedmemclr(Entry, p as Ptr<Entry>)', 'Entry.size'));
  const missed = error(src, 'missedBarrier', 1, ...toBarriered('memclrNoHeapPointers(p, Entry.size)', 'Entry', 'p', 'Entry.size'));
  return { code: src, errors: missedFirst ? [missed, garbage] : [garbage, missed] };
};
invalid.push(both(code(`function f({ reused, live }: { reused: boolean; live: Ptr<Entry> }) { ${recycle('reused', false)} }`)));
valid.push({ code: code(`class R { constructor(private readonly reused: boolean) {} run(live: Ptr<Entry>) { ${recycle('this.reused', true)} } }`) });
invalid.push(both(code(`class R { constructor(private readonly reused: boolean) {} run(live: Ptr<Entry>) { ${recycle('this.reused', false)} } }`)));
// A field that is not readonly may change between the tests (another method): judged path by path, so reported.
invalid.push(both(code(`class R { reused = false; run(live: Ptr<Entry>) { ${recycle('this.reused', true)} } }`), true));
// `.call` of a runtime clear or store: "cannot prove" (was silently clean).
twin([`function f() { const p = popFree(); memclrNoHeapPointers(p, Entry.size); }`], [`function f() { const p = popFree(); typedmemclr.call(undefined, Entry, p as Ptr<Entry>); }`], 1, 'flowCannotProve');
twin([`function f() { const p = popFree(); storeHeapRefNoWB(p + Entry.offsets.session, s); }`], [`function f() { const p = popFree(); storeHeapRef.call(undefined, p + Entry.offsets.session, s); }`], 1, 'flowCannotProve');
// 200 slots: the message lists four and counts the rest.
const fields = Array.from({ length: 200 }, (_, i) => `r${i}: heapRef<Session>()`).join(', ');
const big = `const Big = struct('Big', { n: u32, ${fields} }); type Big = LayoutType<typeof Big>;`;
twin([big, `function f(p: Ptr<Big>) { typedmemclr(Big, p); }`], [big, `function f(p: Ptr<Big>) { memclrNoHeapPointers(p, Big.size); }`], 2, 'missedBarrier', toBarriered('memclrNoHeapPointers(p, Big.size)', 'Big', 'p', 'Big.size'), {
  ptr: 'p',
  why: '`p` is typed `Ptr<…>`',
  slots: 'r0, r1, r2, r3 and 196 more',
  how: '`memclrNoHeapPointers`',
});


// Outsider round 3: raw views of the runtime's memory spelled as a newcomer would, known by their origin (a buffer or
// typed-array member the runtime declares, a view constructed over it, a const holding one), never by name. The
// broken version overwrites a type-safe record's HeapRef slot without the barrier; the twin zero-initializes garbage
// with the same write, which must count as a clear (else the barriered store after it is storeOnGarbage).
const raw = (write: (p: string) => string, prelude: string[] = []): { ok: string[]; broken: string[] } => ({
  ok: [...prelude, `function f() { const q = popFree(); ${write('q')} E.session.set(q as Ptr<Entry>, s); }`],
  broken: [...prelude, `function f(p: Ptr<Entry>) { ${write('p')} }`],
});
const rawMissed = (write: (p: string) => string, prelude: string[] = [], how?: string): void => {
  const { ok, broken } = raw(write, prelude);
  twin(ok, broken, prelude.length + 1, 'missedBarrier', undefined, how ? { ptr: 'p', why: '`p` is typed `Ptr<…>`', slots: 'session', how } : undefined);
};
// A view of the whole buffer, inline and through consts (module-level or local), 1, 4 and 8 bytes wide.
rawMissed((p) => `new Uint8Array(rt.buffer).fill(0, ${p}, ${p} + Entry.size);`, [], 'the raw write `new Uint8Array(rt.buffer).fill(0, p, ...`');
rawMissed((p) => `mem.fill(0, ${p}, ${p} + Entry.size);`, [`const mem = new Uint8Array(rt.buffer);`]);
rawMissed((p) => `const m = mem; m.fill(0, ${p}, ${p} + Entry.size);`, [`const mem = new Uint8Array(rt.buffer);`]);
rawMissed((p) => `words.fill(0, ${p} >> 2, (${p} + Entry.size) >> 2);`, [`const words = new Int32Array(rt.buffer);`]);
rawMissed((p) => `rt.space.u32.fill(0, ${p} >>> 2, (${p} + Entry.size) >>> 2);`);
rawMissed((p) => `new Float64Array(rt.buffer).fill(0, ${p} / 8, (${p} + Entry.size) / 8);`);
rawMissed((p) => `const { buffer } = rt; void buffer; new Uint8Array(rt.share().buffer).fill(0, ${p}, ${p} + Entry.size);`);
// set(zeros, p) and the element store through a const view.
rawMissed((p) => `mem.set(zeros, ${p});`, [`const mem = new Uint8Array(rt.buffer);`, `const zeros = new Uint8Array(Entry.size);`]);
rawMissed((p) => `rt.space.u8.set(new Uint8Array(Entry.size), ${p});`);
rawMissed((p) => `words.set([0, 0, 0], ${p} >> 2);`, [`const words = new Uint32Array(rt.buffer);`]);
twin(
  [`const words = new Int32Array(rt.buffer);`, `function f(p: Ptr<Entry>) { words[(p + Entry.offsets.hits) >> 2] = 0; }`],
  [`const words = new Int32Array(rt.buffer);`, `function f(p: Ptr<Entry>) { words[(p + Entry.offsets.session) >> 2] = 0; }`],
  2,
  'missedBarrier',
);
// A DataView setter: the word it writes decides (the session slot, or the hits counter beside it).
twin(
  [`const dv = new DataView(rt.buffer);`, `function f(p: Ptr<Entry>) { dv.setUint32(p + Entry.offsets.hits, 0, true); }`],
  [`const dv = new DataView(rt.buffer);`, `function f(p: Ptr<Entry>) { dv.setUint32(p + Entry.offsets.session, 0, true); }`],
  2,
  'missedBarrier',
);
// copyWithin overwrites p's slots with q's bytes: a write without barriers, and never a zero-initialization.
twin(
  [`const mem = new Uint8Array(rt.buffer);`, `function f(p: Ptr<Entry>, q: Ptr<Entry>) { mem.copyWithin(p, q, q + Entry.offsets.session); }`],
  [`const mem = new Uint8Array(rt.buffer);`, `function f(p: Ptr<Entry>, q: Ptr<Entry>) { mem.copyWithin(p, q, q + Entry.size); }`],
  2,
  'missedBarrier',
);
// Only zeros zero-initialize: garbage filled with 7s (or copied over) is still garbage for the barriered store after it.
// (Its twin, the same fill with 0, is the first case above.)
invalid.push({
  code: code(`function f() { const q = popFree(); new Uint8Array(rt.buffer).fill(7, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`),
  errors: [{ messageId: 'storeOnGarbage', line: L(1) }],
});
// Not the runtime's memory: a view of the program's own buffer, and a view with a byte offset (its indices are not
// addresses), are left alone.
valid.push({ code: code(`const own = new Uint8Array(new ArrayBuffer(1024));`, `function f(p: Ptr<Entry>) { own.fill(0, p, p + Entry.size); }`) });
valid.push({ code: code(`function f(p: Ptr<Entry>) { new Uint8Array(rt.buffer, 64).fill(0, p, p + Entry.size); }`) });

// The runtime's memory is known by the runtime's `@offheap` tags (Runtime.buffer, Runtime.space, SharedRuntime.buffer),
// never by a member's name or the folder its declaration lies in (this test's file sits beside a tagged runtime
// fixture, nowb-runtime.ts, and was taken as runtime): a program's own `buffer` and `space` members are not raw views.
// Twins: the same writes through the runtime, also destructured (`const { buffer } = rt`, `const { u32 } = rt.space`).
const mine = `declare const mine: { buffer: ArrayBuffer; space: { u8: Uint8Array; u32: Uint32Array } }; class Arena { buffer = new ArrayBuffer(64); }`;
const throughMine = (ok: string, broken: string): void => twin([mine, ok], [mine, broken], 2, 'missedBarrier');
throughMine(`function f(p: Ptr<Entry>) { new Uint8Array(mine.buffer).fill(0, p, p + Entry.size); }`, `function f(p: Ptr<Entry>) { new Uint8Array(rt.buffer).fill(0, p, p + Entry.size); }`);
throughMine(`function f(p: Ptr<Entry>) { mine.space.u8.fill(0, p, p + Entry.size); }`, `function f(p: Ptr<Entry>) { rt.space.u8.fill(0, p, p + Entry.size); }`);
throughMine(
  `function f(p: Ptr<Entry>, a: Arena) { const { buffer } = a; new DataView(buffer).setUint32(p + Entry.offsets.session, 0); }`,
  `function f(p: Ptr<Entry>, a: Arena) { const { buffer } = rt; new DataView(buffer).setUint32(p + Entry.offsets.session, 0); }`,
);
throughMine(
  `function f(p: Ptr<Entry>) { const { u32 } = mine.space; u32[(p + Entry.offsets.session) >> 2] = 0; }`,
  `function f(p: Ptr<Entry>) { const { u32 } = rt.space; u32[(p + Entry.offsets.session) >> 2] = 0; }`,
);
throughMine(
  `function f(p: Ptr<Entry>) { const { space: { u32: words } } = mine; words.fill(0, p >> 2, (p + Entry.size) >> 2); }`,
  `function f(p: Ptr<Entry>) { const { space: { u32: words } } = rt; words.fill(0, p >> 2, (p + Entry.size) >> 2); }`,
);
// A shared descriptor received from another thread: its buffer is the space (SharedRuntime.buffer), a look-alike's is not.
throughMine(
  `function f(p: Ptr<Entry>, d: { buffer: SharedArrayBuffer }) { new Uint8Array(d.buffer).fill(0, p, p + Entry.size); }`,
  `function f(p: Ptr<Entry>, d: ReturnType<Runtime['share']>) { new Uint8Array(d.buffer).fill(0, p, p + Entry.size); }`,
);
// Zeros written through the program's own buffer do not zero-initialize the runtime's record: the barriered store
// after them still meets garbage (it passed as zeroed). Twin: the same zeros through `rt.buffer`.
valid.push({ code: code(mine, `function f() { const q = popFree(); new Uint8Array(rt.buffer).fill(0, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`) });
invalid.push({
  code: code(mine, `function f() { const q = popFree(); new Uint8Array(mine.buffer).fill(0, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`),
  errors: [{ messageId: 'storeOnGarbage', line: L(2) }],
});

// A raw view is known by its member's declaration (SpaceViews's tagged members), not by the object it is read from:
// the runtime's views passed to a helper (a parameter, a field, a call's result, a destructured parameter, a `let`)
// are the same raw memory as `rt.space`, which users do pass around. Each was silently clean before. A program's own
// interface with the same member names is not the runtime's memory (the false-positive twins).
const views = `import type { SpaceViews } from 'offheap'; interface MyViews { readonly u8: Uint8Array; readonly u32: Uint32Array } declare function viewsOf(): SpaceViews;`;
const throughViews = (ok: string, broken: string, data?: Record<string, string>): void => twin([views, ok], [views, broken], 2, 'missedBarrier', undefined, data);
// The helper that clears a record's HeapRef slots without the barrier; its twin clears with the barrier.
throughViews(
  `function wipe(v: SpaceViews, p: Ptr<Entry>) { v.u32.fill(0, p >>> 2, (p + Entry.offsets.session) >>> 2); typedmemclr(Entry, p); }`,
  `function wipe(v: SpaceViews, p: Ptr<Entry>) { v.u32.fill(0, p >>> 2, (p + Entry.size) >>> 2); }`,
  { ptr: 'p', why: '`p` is typed `Ptr<…>`', slots: 'session', how: 'the raw write `v.u32.fill(0, p >>> 2, (p + Entry.siz...`' },
);
// A HeapRef written into its slot as a word; the twin writes the counter beside it and stores the HeapRef with the barrier.
throughViews(
  `function put(v: SpaceViews, p: Ptr<Entry>) { v.u32[(p + Entry.offsets.hits) >>> 2] = 0; E.session.set(p, s); }`,
  `function put(v: SpaceViews, p: Ptr<Entry>) { v.u32[(p + Entry.offsets.session) >>> 2] = s; }`,
);
// The same clear through a destructured parameter, a field, a call's result and a `let`: each twin reads the same
// member from the program's own MyViews.
throughViews(`function wipe({ u8 }: MyViews, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`, `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`);
throughViews(
  `class Wiper { constructor(private readonly v: MyViews) {} wipe(p: Ptr<Entry>) { this.v.u8.fill(0, p, p + Entry.size); } }`,
  `class Wiper { constructor(private readonly v: SpaceViews) {} wipe(p: Ptr<Entry>) { this.v.u8.fill(0, p, p + Entry.size); } }`,
);
throughViews(`function wipe(p: Ptr<Entry>, mine: () => MyViews) { mine().u8.fill(0, p, p + Entry.size); }`, `function wipe(p: Ptr<Entry>) { viewsOf().u8.fill(0, p, p + Entry.size); }`);
throughViews(`function wipe(p: Ptr<Entry>, mine: MyViews) { let v = mine; v.u8.fill(0, p, p + Entry.size); }`, `function wipe(p: Ptr<Entry>) { let v = rt.space; v.u8.fill(0, p, p + Entry.size); }`);
// The program's own interface with the runtime's member names: neither its fill nor its word store is a raw view.
valid.push({ code: code(views, `function wipe(v: MyViews, p: Ptr<Entry>) { v.u32.fill(0, p >>> 2, (p + Entry.size) >>> 2); v.u32[(p + Entry.offsets.session) >>> 2] = 0; }`) });
// Zeros written through the runtime's views passed as a parameter zero-initialize garbage, as through `rt.space`
// (the barriered store after them was storeOnGarbage); through MyViews they do not.
valid.push({ code: code(views, `function init(v: SpaceViews) { const q = popFree(); v.u8.fill(0, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`) });
invalid.push({
  code: code(views, `function init(v: MyViews) { const q = popFree(); v.u8.fill(0, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`),
  errors: [{ messageId: 'storeOnGarbage', line: L(2) }],
});
// `rt.space`'s own path is one write, reported once (the member's tag; the object adds nothing).
invalid.push({ code: code(views, `function wipe(p: Ptr<Entry>) { const v: SpaceViews = rt.space; v.u32.fill(0, p >>> 2, (p + Entry.size) >>> 2); rt.space.u8.fill(0, p, p + 4); }`), errors: [{ messageId: 'missedBarrier', line: L(2) }] });

// A destructured view reassigned or defaulted is the view only where it still holds the member: before any write to
// it (not in a loop or closure that may run one), and with a default only for a member the type requires (which a
// default never replaces). Elsewhere it may be a plain array: not proven, not reported (each was reported before).
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { u8 = new Uint8Array(Entry.size + p); u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); u8 = new Uint8Array(Entry.size + p); void u8; }`,
);
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>, fresh: boolean) { if (fresh) u8 = new Uint8Array(Entry.size + p); u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>, fresh: boolean) { if (fresh) void new Uint8Array(Entry.size + p); u8.fill(0, p, p + Entry.size); }`,
);
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>, n: number) { for (let i = 0; i < n; i++) { u8.fill(0, p, p + Entry.size); u8 = new Uint8Array(64); } }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>, n: number) { for (let i = 0; i < n; i++) { u8.fill(0, p, p + Entry.size); } u8 = new Uint8Array(64); void u8; }`,
);
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { const reset = () => { u8 = new Uint8Array(64); }; reset(); u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { let other = u8; const reset = () => { other = new Uint8Array(64); }; reset(); void other; u8.fill(0, p, p + Entry.size); }`,
);
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { ({ u8 } = { u8: new Uint8Array(64) }); u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); ({ u8 } = { u8: new Uint8Array(64) }); void u8; }`,
);
throughViews(
  `function wipe({ u8 = new Uint8Array(64) }: Partial<SpaceViews>, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ u8 = new Uint8Array(64) }: SpaceViews, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`,
);
throughViews(
  `function wipe({ space: { u8 } = { u8: new Uint8Array(64) } }: Partial<Runtime>, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`,
  `function wipe({ space: { u8 } = { u8: new Uint8Array(64) } }: Runtime, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`,
);
// The parameter's own default is typed SpaceViews: its members are views, as `rt.space`'s.
invalid.push({ code: code(views, `function wipe({ u8 }: SpaceViews = rt.space, p: Ptr<Entry>) { u8.fill(0, p, p + Entry.size); }`), errors: [{ messageId: 'missedBarrier', line: L(2) }] });

// A bare typed-array parameter of a helper only its own module calls is a view when every call passes one of the
// same width (`wipe(rt.space.u32, p)`). The twins pass a plain array, mix the two, export the helper (other modules
// may call it), or pass it on as a value: the parameter may be a plain array, not reported.
const helper = `function wipe(v: Uint32Array, p: Ptr<Entry>) { v.fill(0, p >>> 2, (p + Entry.size) >>> 2); }`;
const callers = (...args: string[]): string => `function use(p: Ptr<Entry>) { ${args.map((a) => `wipe(${a}, p);`).join(' ')} }`;
throughViews(`${helper} ${callers('new Uint32Array(64)')}`, `${helper} ${callers('rt.space.u32')}`);
throughViews(`${helper} ${callers('rt.space.u32', 'new Uint32Array(64)')}`, `${helper} ${callers('rt.space.u32', 'rt.space.u32')}`);
throughViews(`export ${helper} ${callers('rt.space.u32')}`, `${helper} ${callers('rt.space.u32')} export { use };`);
throughViews(`${helper} ${callers('rt.space.u32')} export const hooks = [wipe];`, `${helper} ${callers('rt.space.u32')} export const hooks = [use];`);
throughViews(`${helper} ${callers('rt.space.u32', 'rt.space.u8 as unknown as Uint32Array')}`, `${helper} ${callers('rt.space.u32', 'viewsOf().u32')}`);
// A word store through the parameter lands on the HeapRef slot as the fill does.
const put = `function put(v: Uint32Array, p: Ptr<Entry>) { v[(p + Entry.offsets.session) >>> 2] = 0; }`;
throughViews(`${put} function use(p: Ptr<Entry>) { put(new Uint32Array(64), p); }`, `${put} function use(p: Ptr<Entry>) { put(rt.space.u32, p); }`);
// A const taken before the write still holds the view; the parameter after it does not.
throughViews(
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { const before = u8; u8 = new Uint8Array(64); u8.fill(0, p, p + Entry.size); void before; }`,
  `function wipe({ u8 }: SpaceViews, p: Ptr<Entry>) { const before = u8; u8 = new Uint8Array(64); before.fill(0, p, p + Entry.size); void u8; }`,
);
// Through a const alias of the parameter, an arrow helper, and a recursive helper passing its own parameter on.
throughViews(
  `const wipe = (v: Uint32Array, p: Ptr<Entry>) => { v = v.subarray(0); v.fill(0, p >>> 2, (p + Entry.size) >>> 2); }; ${callers('rt.space.u32')}`,
  `const wipe = (v: Uint32Array, p: Ptr<Entry>) => { const w = v; w.fill(0, p >>> 2, (p + Entry.size) >>> 2); }; ${callers('rt.space.u32')}`,
);
throughViews(
  `function wipe(v: Uint32Array, p: Ptr<Entry>, n: number): void { v.fill(0, p >>> 2, (p + Entry.size) >>> 2); if (n) wipe(new Uint32Array(64), p, n - 1); } ${callers('rt.space.u32')}`.replace(/wipe\((rt[^,]*), p\)/, 'wipe($1, p, 2)'),
  `function wipe(v: Uint32Array, p: Ptr<Entry>, n: number): void { v.fill(0, p >>> 2, (p + Entry.size) >>> 2); if (n) wipe(v, p, n - 1); } ${callers('rt.space.u32')}`.replace(/wipe\((rt[^,]*), p\)/, 'wipe($1, p, 2)'),
);
// Zeros through such a helper zero-initialize garbage only when the memory is the runtime's.
const init = `function init(v: Uint8Array) { const q = popFree(); v.fill(0, q, q + Entry.size); E.session.set(q as Ptr<Entry>, s); }`;
valid.push({ code: code(views, `${init} init(rt.space.u8);`) });
invalid.push({ code: code(views, `${init} init(new Uint8Array(64));`), errors: [{ messageId: 'storeOnGarbage', line: L(2) }] });

ruleTester.run('zeroing-variant (outsider spellings)', rule, { valid, invalid });
