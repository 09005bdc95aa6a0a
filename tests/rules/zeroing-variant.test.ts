import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/zeroing-variant.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-6 of every case. */
const head = [
  `import { struct, u32, f64, heapRef, access, FixAlloc, persistentalloc, createRuntime, memclrNoHeapPointers, typedmemclr, memclrHasPointers, storeHeapRef, storeHeapRefNoWB, type HeapRef, type Ptr, type Garbage, type MaybeGarbage, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); type Node = LayoutType<typeof Node>;`,
  `const Plain = struct('Plain', { x: f64, y: f64 }); type Plain = LayoutType<typeof Plain>;`,
  `const junk = new FixAlloc(Node, { zero: false }); const pool = new FixAlloc(Node); const N = access(Node); declare const ref: HeapRef<Owner>; declare const c: boolean; declare const xs: number[];`,
  `declare function reuse(): Garbage<Node>; declare function load(): Ptr<Node>; declare function later(f: () => void): void; declare function work(): void;`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

interface Sugg {
  readonly messageId: MessageIds;
  /** The call text replaced, and its replacement. */
  readonly from: string;
  readonly to: string;
}
interface Err {
  readonly messageId: MessageIds;
  readonly line: number;
  readonly suggestions: readonly Sugg[];
}

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

const toGarbage = (call: string, p: string, n = 'Node.size') => [{ messageId: 'useNoHeapPointers' as const, from: call, to: `memclrNoHeapPointers(${p}, ${n})` }];
const toTyped = (p: string) => [
  { messageId: 'useTypedmemclr' as const, from: `memclrNoHeapPointers(${p}, Node.size)`, to: `typedmemclr(Node, ${p})` },
  { messageId: 'useHasPointers' as const, from: `memclrNoHeapPointers(${p}, Node.size)`, to: `memclrHasPointers(${p}, Node.size)` },
];

function bad(lines: string[], ...errors: Err[]): void {
  const src = code(...lines);
  invalid.push({
    code: src,
    errors: errors.map((e) => ({
      messageId: e.messageId,
      line: L(e.line),
      suggestions: e.suggestions.map((s) => {
        const at = src.split('\n')[L(e.line) - 1].indexOf(s.from);
        const all = src.split('\n');
        const row = all[L(e.line) - 1];
        all[L(e.line) - 1] = row.slice(0, at) + s.to + row.slice(at + s.from.length);
        return { messageId: s.messageId, output: all.join('\n') };
      }),
    })),
  });
}
/** A case that must stay quiet, and its mutation that must be reported. */
function twin(ok: string[], mutated: string[], ...errors: Err[]): void {
  valid.push({ code: code(...ok) });
  bad(mutated, ...errors);
}

const G = (line: number, call = 'typedmemclr(Node, p as Ptr<Node>)', p = 'p as Ptr<Node>'): Err => ({
  messageId: 'barrierOnGarbage',
  line,
  suggestions: call.startsWith('typedmemclr') ? toGarbage(call, p) : toGarbage(call, p, call.slice(call.lastIndexOf(',') + 2, -1)),
});
const M = (line: number, p = 'p'): Err => ({ messageId: 'missedBarrier', line, suggestions: toTyped(p) });

// Correlated conditions (docs/rules/zeroing-variant.md): the path that took garbage is the path that
// zero-initializes it; the other zeroes a live record with barriers. Swapped, both clears are wrong.
twin(
  [`function f(reused: boolean, live: Ptr<Node>) {`, `  let p: MaybeGarbage<Node> = live;`, `  if (reused) p = junk.alloc();`, `  if (reused) memclrNoHeapPointers(p, Node.size);`, `  else typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f(reused: boolean, live: Ptr<Node>) {`, `  let p: MaybeGarbage<Node> = live;`, `  if (reused) p = junk.alloc();`, `  if (reused) typedmemclr(Node, p as Ptr<Node>);`, `  else memclrNoHeapPointers(p, Node.size);`, `}`],
  G(4),
  M(5),
);

// Straight line: zero-initialize garbage with the plain clear (delete it → barrier on garbage).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(3),
);
// typedmemclr on garbage of a pointer-free layout runs no barrier; memclrHasPointers barriers every word.
twin(
  [`const plainJunk = new FixAlloc(Plain, { zero: false });`, `function f() {`, `  const p = plainJunk.alloc();`, `  typedmemclr(Plain, p as Ptr<Plain>);`, `}`],
  [`const plainJunk = new FixAlloc(Plain, { zero: false });`, `function f() {`, `  const p = plainJunk.alloc();`, `  memclrHasPointers(p as Ptr<Plain>, Plain.size);`, `}`],
  G(4, 'memclrHasPointers(p as Ptr<Plain>, Plain.size)', 'p as Ptr<Plain>'),
);
// memclrHasPointers on garbage from the user's own free list.
twin(
  [`function f() {`, `  const p = reuse();`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  [`function f() {`, `  const p = reuse();`, `  memclrHasPointers(p as Ptr<Node>, Node.size);`, `}`],
  G(3, 'memclrHasPointers(p as Ptr<Node>, Node.size)'),
);
// Type-safe parameter with HeapRef slots: typedmemclr (mutation: the plain clear).
twin([`function f(p: Ptr<Node>) {`, `  typedmemclr(Node, p);`, `}`], [`function f(p: Ptr<Node>) {`, `  memclrNoHeapPointers(p, Node.size);`, `}`], M(2));
// memclrHasPointers is the untyped barriered clear.
twin([`function f(p: Ptr<Node>) {`, `  memclrHasPointers(p, Node.size);`, `}`], [`function f(p: Ptr<Node>) {`, `  const q = p;`, `  memclrNoHeapPointers(q, Node.size);`, `}`], M(3, 'q'));
// Pointer-free layouts: either clear is fine (mutation: a layout with HeapRef slots).
twin(
  [`function f(p: Ptr<Plain>) {`, `  memclrNoHeapPointers(p, Plain.size);`, `  typedmemclr(Plain, p);`, `}`],
  [`function f(p: Ptr<Node>, q: Ptr<Plain>) {`, `  memclrNoHeapPointers(q, Plain.size);`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  M(3),
);
// A loaded pointer is type-safe.
twin([`function f() {`, `  const p = load();`, `  typedmemclr(Node, p);`, `}`], [`function f() {`, `  const p = load();`, `  memclrNoHeapPointers(p, Node.size);`, `}`], M(3));
// Fresh zero memory may be cleared plainly until a HeapRef is stored (mutation: store first).
twin(
  [`function f() {`, `  const p = persistentalloc<Node>(Node.size);`, `  memclrNoHeapPointers(p, Node.size);`, `  N.owner.set(p, ref);`, `}`],
  [`function f() {`, `  const p = persistentalloc<Node>(Node.size);`, `  N.owner.set(p, ref);`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  M(4),
);
// A zeroing pool's objects are zero: a scalar store keeps the HeapRef slots zero.
twin(
  [`function f() {`, `  const p = pool.alloc();`, `  N.count.set(p, 3);`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  [`function f() {`, `  const p = pool.alloc();`, `  if (c) N.owner.set(p, ref);`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  M(4),
);
// Conditional zero-initialization where the other path is fresh memory (Go case 48).
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node>;`, `  if (c) {`, `    p = reuse();`, `    memclrNoHeapPointers(p, Node.size);`, `  } else {`, `    p = persistentalloc<Node>(Node.size);`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node>;`, `  if (c) {`, `    p = reuse();`, `  } else {`, `    p = persistentalloc<Node>(Node.size);`, `    memclrNoHeapPointers(p, Node.size);`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(9),
);
// Cleared in one branch only (mutation moves the clear into the branch).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  if (c) work();`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(4),
);
// Both branches clear.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  else memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  else work();`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(5),
);
// Early return on the path that did not clear.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  else return;`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  else work();`, `  work();`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(6),
);
// A loop may run zero times: clearing inside it does not clear for after it.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  for (const x of xs) work();`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  for (const x of xs) memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(4),
);
// do/while runs its body at least once (mutation: while).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  do {`, `    memclrNoHeapPointers(p, Node.size);`, `  } while (c);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  while (c) {`, `    memclrNoHeapPointers(p, Node.size);`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(6),
);
// State carried into the next iteration: a pop at the end of the body is garbage at the top.
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  for (let i = 0; i < 3; i++) {`, `    typedmemclr(Node, p as Ptr<Node>);`, `    p = pool.alloc();`, `  }`, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  for (let i = 0; i < 3; i++) {`, `    typedmemclr(Node, p as Ptr<Node>);`, `    p = junk.alloc();`, `  }`, `}`],
  G(4),
);
// A pop and a clear in every iteration (Go case 52).
twin(
  [`function f() {`, `  for (let i = 0; i < 3; i++) {`, `    const p = junk.alloc();`, `    memclrNoHeapPointers(p, Node.size);`, `    typedmemclr(Node, p);`, `  }`, `}`],
  [`function f() {`, `  for (let i = 0; i < 3; i++) {`, `    const p = junk.alloc();`, `    if (i === 0) memclrNoHeapPointers(p, Node.size);`, `    typedmemclr(Node, p as Ptr<Node>);`, `  }`, `}`],
  G(5),
);
// try/catch: the catch is reached from the start of the try (the first statement may throw).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  try {`, `    work();`, `  } catch {`, `    typedmemclr(Node, p);`, `  }`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try {`, `    memclrNoHeapPointers(p, Node.size);`, `    work();`, `  } catch {`, `    typedmemclr(Node, p as Ptr<Node>);`, `  }`, `}`],
  G(7),
);
// finally runs after an exception too.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  try {`, `    work();`, `  } finally {`, `    typedmemclr(Node, p);`, `  }`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try {`, `    work();`, `    memclrNoHeapPointers(p, Node.size);`, `  } finally {`, `    typedmemclr(Node, p as Ptr<Node>);`, `  }`, `}`],
  G(7),
);
// switch: fall-through from a case that cleared is fine; a case reached directly is not.
twin(
  [`function f(k: number) {`, `  const p = junk.alloc();`, `  switch (k) {`, `    case 0: memclrNoHeapPointers(p, Node.size); break;`, `    default: memclrNoHeapPointers(p, Node.size);`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f(k: number) {`, `  const p = junk.alloc();`, `  switch (k) {`, `    case 0: memclrNoHeapPointers(p, Node.size);`, `    case 1: typedmemclr(Node, p as Ptr<Node>);`, `  }`, `}`],
  G(5),
);
// A labelled break skips the clear.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  block: {`, `    memclrNoHeapPointers(p, Node.size);`, `    if (c) break block;`, `    work();`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  block: {`, `    if (c) break block;`, `    memclrNoHeapPointers(p, Node.size);`, `  }`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(7),
);
// Short-circuit operators: the right side may not run.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  c ? memclrNoHeapPointers(p, Node.size) : memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  c && memclrNoHeapPointers(p, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(4),
);
// Must-alias: clearing a const copy clears the object (Go case 49).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  const q = p;`, `  memclrNoHeapPointers(q, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  const q = junk.alloc();`, `  memclrNoHeapPointers(q, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(5),
);
// Reassignment drops the alias.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  let q = p;`, `  memclrNoHeapPointers(q, Node.size);`, `  q = junk.alloc();`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  let q = p;`, `  q = junk.alloc();`, `  memclrNoHeapPointers(q, Node.size);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(6),
);
// A laundering cast keeps the garbage: the flow, not the type, knows.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  const q = p as Ptr<Node>;`, `  typedmemclr(Node, q);`, `}`],
  [`function f() {`, `  const q = junk.alloc() as Ptr<Node>;`, `  typedmemclr(Node, q);`, `}`],
  G(3, 'typedmemclr(Node, q)', 'q'),
);
// Same-file helper: a function that clears its parameter zeroes it for the caller.
twin(
  [`function zero(x: MaybeGarbage<Node>) { memclrNoHeapPointers(x, Node.size); }`, `function f() {`, `  const p = junk.alloc();`, `  zero(p);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  [`function zero(x: MaybeGarbage<Node>) { if (c) memclrNoHeapPointers(x, Node.size); }`, `function f() {`, `  const p = junk.alloc();`, `  zero(p);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(5),
);
// A callback is not assumed to have run.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  later(() => work());`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  later(() => memclrNoHeapPointers(p, Node.size));`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(4),
);
// A partial clear that leaves HeapRef slots counts as not cleared (Go case 51).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, 8);`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, 4);`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(4),
);
// A ternary of a zeroing and a non-zeroing pool may be garbage.
twin(
  [`function f() {`, `  const p = c ? pool.alloc() : pool.alloc();`, `  typedmemclr(Node, p);`, `}`],
  [`function f() {`, `  const p = c ? pool.alloc() : junk.alloc();`, `  typedmemclr(Node, p as Ptr<Node>);`, `}`],
  G(3),
);
// A parameter typed as possibly garbage.
twin(
  [`function f(p: MaybeGarbage<Node>) {`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  [`function f(p: MaybeGarbage<Node>) {`, `  memclrHasPointers(p as Ptr<Node>, Node.size);`, `}`],
  G(2, 'memclrHasPointers(p as Ptr<Node>, Node.size)'),
);
// A barriered HeapRef store as the first write to garbage (Go case 44); the unbarriered store is fine.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  N.owner.set(p, ref);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  N.owner.set(p as Ptr<Node>, ref);`, `}`],
  { messageId: 'storeOnGarbage', line: 3, suggestions: [] },
);
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  storeHeapRefNoWB(p + 4, ref);`, `  storeHeapRefNoWB(p, ref);`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  storeHeapRef(p, ref);`, `}`],
  { messageId: 'storeOnGarbage', line: 3, suggestions: [] },
);
// The barriered store at an address inside the object (a field offset, a literal offset) is judged the same way.
for (const at of ['p + Node.offsets.owner', 'p + 4', 'p + N.owner.offset']) {
  twin(
    [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  storeHeapRef(${at}, ref);`, `}`],
    [`function f() {`, `  const p = junk.alloc();`, `  storeHeapRef(${at}, ref);`, `}`],
    { messageId: 'storeOnGarbage', line: 3, suggestions: [] },
  );
}
// Raw views of the space: a clear (or any word written) without the deletion barrier over a HeapRef slot of type-safe memory.
const rtLine = `const rt = createRuntime();`;
twin(
  [rtLine, `function f(p: Ptr<Node>) {`, `  rt.space.u8.fill(0, p, p + 4);`, `}`],
  [rtLine, `function f(p: Ptr<Node>) {`, `  rt.space.u8.fill(0, p, p + Node.size);`, `}`],
  { messageId: 'missedBarrier', line: 3, suggestions: [] },
);
twin(
  [rtLine, `function f(p: Ptr<Node>) {`, `  rt.space.u32[p >> 2] = 0;`, `}`],
  [rtLine, `function f(p: Ptr<Node>) {`, `  rt.space.u32[(p + Node.offsets.owner) >> 2] = 0;`, `}`],
  { messageId: 'missedBarrier', line: 3, suggestions: [] },
);
// Zero-initializing garbage through a raw view is fine: nothing type-safe is dropped.
valid.push({ code: code(rtLine, `function f() {`, `  const p = junk.alloc();`, `  rt.space.u8.fill(0, p, p + Node.size);`, `}`) });
// Clearing only the pointer-free prefix of type-safe memory drops no reference (mutation: the whole object).
twin([`function f(p: Ptr<Node>) {`, `  memclrNoHeapPointers(p, 4);`, `}`], [`function f(p: Ptr<Node>) {`, `  memclrNoHeapPointers(p, 8);`, `}`], {
  messageId: 'missedBarrier',
  line: 2,
  suggestions: [{ messageId: 'useHasPointers', from: 'memclrNoHeapPointers(p, 8)', to: 'memclrHasPointers(p, 8)' }],
});
// Untracked pointers: the type under the cast says garbage.
twin(
  [`function f(o: { p: Ptr<Node> }) {`, `  typedmemclr(Node, o.p);`, `}`],
  [`function f(o: { p: Garbage<Node> }) {`, `  typedmemclr(Node, o.p as Ptr<Node>);`, `}`],
  G(2, 'typedmemclr(Node, o.p as Ptr<Node>)', 'o.p as Ptr<Node>'),
);
// The methods of a Runtime are recognised like the module functions.
valid.push({ code: code(`const rt = createRuntime();`, `function f(p: Ptr<Node>) {`, `  rt.typedmemclr(Node, p);`, `}`) });
invalid.push({
  code: code(`const rt = createRuntime();`, `function f(p: Ptr<Node>) {`, `  rt.memclrNoHeapPointers(p, Node.size);`, `}`),
  errors: [
    {
      messageId: 'missedBarrier',
      line: L(3),
      suggestions: [
        { messageId: 'useTypedmemclr', output: code(`const rt = createRuntime();`, `function f(p: Ptr<Node>) {`, `  rt.typedmemclr(Node, p);`, `}`) },
        { messageId: 'useHasPointers', output: code(`const rt = createRuntime();`, `function f(p: Ptr<Node>) {`, `  rt.memclrHasPointers(p, Node.size);`, `}`) },
      ],
    },
  ],
});
// Renamed imports resolve by declaration, not name.
valid.push({ code: `import { typedmemclr as clear, type Ptr } from 'offheap';\nimport { Node } from './flow-layouts.js';\nfunction f(p: Ptr<Node>) { clear(Node, p); }` });
invalid.push({
  code: `import { memclrNoHeapPointers as zero, typedmemclr as tclear, type Ptr } from 'offheap';\nimport { Node } from './flow-layouts.js';\nfunction f(p: Ptr<Node>) { zero(p, Node.size); }`,
  errors: [
    {
      messageId: 'missedBarrier',
      line: 3,
      suggestions: [
        { messageId: 'useTypedmemclr', output: `import { memclrNoHeapPointers as zero, typedmemclr as tclear, type Ptr } from 'offheap';\nimport { Node } from './flow-layouts.js';\nfunction f(p: Ptr<Node>) { tclear(Node, p); }` },
      ],
    },
  ],
});
// A file that never imports offheap is not analysed.
valid.push({ code: `declare function typedmemclr(a: unknown, p: number): void;\nconst p = 8;\ntypedmemclr({}, p);` });
// Unknown layouts cannot be proven wrong.
valid.push({ code: code(`function f(p: Ptr<unknown>, n: number) {`, `  memclrNoHeapPointers(p, n);`, `}`) });
// A clear at module level is analysed too.
valid.push({ code: code(`const p = junk.alloc();`, `memclrNoHeapPointers(p, Node.size);`, `typedmemclr(Node, p);`) });
bad([`const p = junk.alloc();`, `typedmemclr(Node, p as Ptr<Node>);`], G(2));

ruleTester.run('zeroing-variant', rule, { valid, invalid });
