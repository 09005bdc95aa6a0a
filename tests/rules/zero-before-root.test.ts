import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/zero-before-root.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-7 of every case. */
const head = [
  `import { struct, u32, f64, ptr, heapRef, access, FixAlloc, persistentalloc, memclrNoHeapPointers, typedmemclr, addRoot, type HeapRef, type Ptr, type Garbage, type MaybeGarbage, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); type Node = LayoutType<typeof Node>;`,
  `const Plain = struct('Plain', { x: f64, y: f64 }); type Plain = LayoutType<typeof Plain>;`,
  `const Table = struct('Table', { head: ptr<Node>() }); type Table = LayoutType<typeof Table>; const T = access(Table);`,
  `const junk = new FixAlloc(Node, { zero: false }); /* eslint-disable-line -- a garbage source for the flow cases */ const pool = new FixAlloc(Node); const plainJunk = new FixAlloc(Plain, { zero: false }); const N = access(Node); declare const ref: HeapRef<Owner>; declare const c: boolean; declare const xs: number[];`,
  `declare function reuse(): Garbage<Node>; declare function later(f: () => void): void; declare function work(): void; const roots: Ptr<Node>[] = []; let last: MaybeGarbage<Node> = 0 as Ptr<Node>;`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

/** A case that must stay quiet, and its mutation that must be reported at `line` (relative). */
function twin(ok: string[], mutated: string[], line: number, messageId: MessageIds = 'notZeroed', fixed?: string[]): void {
 if (!valid.some((v) => typeof v !== 'string' && v.code === code(...ok))) valid.push({ code: code(...ok) });
  // nonZeroingPool offers to drop a literal `zero: false`: `fixed` is the mutated source after it.
  const suggestions = fixed ? [{ messageId: 'useZeroingPool' as const, output: code(...fixed) }] : undefined;
  invalid.push({ code: code(...mutated), errors: [{ messageId, line: L(line), ...(suggestions ? { suggestions } : {}) }] });
}
const R = `  addRoot(p as Ptr<Node>, Node);`;

// Zero-initialized before the root (mutation: delete the clear).
twin([`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, R, `}`], [`function f() {`, `  const p = junk.alloc();`, R, `}`], 3);
// Mutation: the clear moved after the root.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, R, `  work();`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, R, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  3,
);
// Mutation: the clear moved into one branch.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) work();`, `  memclrNoHeapPointers(p, Node.size);`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  4,
);
// Both branches clear; the else branch only (mutation).
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) { memclrNoHeapPointers(p, Node.size); }`, `  else { memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (c) { work(); }`, `  else { memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  5,
);
// Fresh zero memory needs no clear (Go case 47); the user's free list does (mutation).
twin([`function f() {`, `  const p = persistentalloc<Node>(Node.size);`, `  addRoot(p, Node);`, `}`], [`function f() {`, `  const p = reuse();`, R, `}`], 3);
// A zeroing pool clears on reuse (Go case 41).
twin([`function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `}`], [`function f() {`, `  const p = c ? pool.alloc() : junk.alloc();`, R, `}`], 3);
// Conditional zeroing where the other branch is fresh memory (Go case 48).
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node>;`, `  if (c) { p = reuse(); memclrNoHeapPointers(p, Node.size); }`, `  else { p = persistentalloc<Node>(Node.size); }`, R, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node>;`, `  if (c) { p = reuse(); }`, `  else { p = persistentalloc<Node>(Node.size); memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  5,
);
// A pop every iteration, zeroed every iteration (Go case 52); mutation: only when i === 0.
twin(
  [`function f() {`, `  for (let i = 0; i < 4; i++) {`, `    const p = junk.alloc();`, `    memclrNoHeapPointers(p, Node.size);`, `  ${R}`, `  }`, `}`],
  [`function f() {`, `  for (let i = 0; i < 4; i++) {`, `    const p = junk.alloc();`, `    if (i === 0) memclrNoHeapPointers(p, Node.size);`, `  ${R}`, `  }`, `}`],
  5,
);
// State carried into the next iteration.
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  for (const x of xs) {`, `    addRoot(p as Ptr<Node>, Node);`, `    p = pool.alloc();`, `  }`, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  for (const x of xs) {`, `    addRoot(p as Ptr<Node>, Node);`, `    p = junk.alloc();`, `  }`, `}`],
  4,
);
// A loop that may run zero times.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  for (const x of xs) work();`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  for (const x of xs) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  4,
);
// do/while runs once at least; while may not.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  do { memclrNoHeapPointers(p, Node.size); } while (c);`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  while (c) { memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  4,
);
// Early return on the path that did not clear.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  if (!c) return;`, `  memclrNoHeapPointers(p, Node.size);`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  if (!c) work();`, `  else memclrNoHeapPointers(p, Node.size);`, R, `}`],
  5,
);
// try/catch: the first statement in the try may throw.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  try { work(); } catch { addRoot(p, Node); }`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try { memclrNoHeapPointers(p, Node.size); work(); } catch { addRoot(p as Ptr<Node>, Node); }`, `}`],
  3,
);
// finally after an exception.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  try { work(); } finally { addRoot(p, Node); }`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try { work(); memclrNoHeapPointers(p, Node.size); } finally { addRoot(p as Ptr<Node>, Node); }`, `}`],
  3,
);
// Any statement of the try block may throw, not only the first: the catch sees the state before the clear.
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  try {`, `    work();`, `    p = junk.alloc();`, `    memclrNoHeapPointers(p, Node.size);`, `  } catch {`, `    p = pool.alloc();`, `  }`, R, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  try {`, `    work();`, `    p = junk.alloc();`, `    work();`, `    memclrNoHeapPointers(p, Node.size);`, `  } catch {`, `    addRoot(p as Ptr<Node>, Node);`, `  }`, `}`],
  9,
);
// finally after the catch (and after an exception in it: between `junk.alloc()` and a clear, any call may throw).
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  try {`, `    work();`, `  } catch {`, `    p = pool.alloc();`, `  } finally {`, `  ${R}`, `  }`, `}`],
  [`function f() {`, `  let p: MaybeGarbage<Node> = pool.alloc();`, `  try {`, `    work();`, `  } catch {`, `    p = junk.alloc();`, `  } finally {`, `  ${R}`, `  }`, `}`],
  8,
);
// The misses react-hooks' flow analysis had: an if/else before the site inside a loop,
// do/while bodies, the first statement of a try, a site inside a try.
twin(
  [`function f() {`, `  for (const x of xs) {`, `    if (x > 0) work(); else work();`, `    const p = junk.alloc();`, `    memclrNoHeapPointers(p, Node.size);`, `  ${R}`, `  }`, `}`],
  [`function f() {`, `  for (const x of xs) {`, `    const p = junk.alloc();`, `    if (x > 0) memclrNoHeapPointers(p, Node.size); else work();`, `  ${R}`, `  }`, `}`],
  5,
);
twin(
  [`function f() {`, `  let p = junk.alloc();`, `  do {`, `    memclrNoHeapPointers(p, Node.size);`, `  ${R}`, `    p = junk.alloc();`, `  } while (c);`, `}`],
  [`function f() {`, `  let p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  do {`, `  ${R}`, `    p = junk.alloc();`, `  } while (c);`, `}`],
  5,
);
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  try { memclrNoHeapPointers(p, Node.size); } catch { return; }`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try { memclrNoHeapPointers(p, Node.size); } catch { work(); }`, R, `}`],
  4,
);
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  try { memclrNoHeapPointers(p, Node.size); addRoot(p, Node); } catch { work(); }`, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  try { addRoot(p as Ptr<Node>, Node); memclrNoHeapPointers(p, Node.size); } catch { work(); }`, `}`],
  3,
);
// switch fall-through reaches a case directly.
twin(
  [`function f(k: number) {`, `  const p = junk.alloc();`, `  switch (k) {`, `    case 0: memclrNoHeapPointers(p, Node.size); break;`, `    default: memclrNoHeapPointers(p, Node.size);`, `  }`, R, `}`],
  [`function f(k: number) {`, `  const p = junk.alloc();`, `  switch (k) {`, `    case 0: memclrNoHeapPointers(p, Node.size);`, `    case 1: addRoot(p as Ptr<Node>, Node);`, `  }`, `}`],
  5,
);
// A labelled break skips the clear.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  out: { memclrNoHeapPointers(p, Node.size); if (c) break out; work(); }`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  out: { if (c) break out; memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  4,
);
// Short-circuit: the right side may not run.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  c && work();`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  c || memclrNoHeapPointers(p, Node.size);`, R, `}`],
  4,
);
// Must-alias (Go case 49): clearing q clears p; a different allocation does not.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  const q = p;`, `  memclrNoHeapPointers(q, Node.size);`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  const q = junk.alloc();`, `  memclrNoHeapPointers(q, Node.size);`, R, `}`],
  5,
);
// Reassignment drops the alias.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  let q = p;`, `  memclrNoHeapPointers(q, Node.size);`, `  q = junk.alloc();`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  let q = p;`, `  q = junk.alloc();`, `  memclrNoHeapPointers(q, Node.size);`, R, `}`],
  6,
);
// Same-file helper summary: a helper that clears its parameter.
twin(
  [`function init(x: MaybeGarbage<Node>) { memclrNoHeapPointers(x, Node.size); }`, `function f() {`, `  const p = junk.alloc();`, `  init(p);`, R, `}`],
  [`function init(x: MaybeGarbage<Node>) { if (c) memclrNoHeapPointers(x, Node.size); }`, `function f() {`, `  const p = junk.alloc();`, `  init(p);`, R, `}`],
  5,
);
// A same-file allocator's summary: what it returns is zeroed (or not) on all its returns.
twin(
  [`function make() { const q = junk.alloc(); memclrNoHeapPointers(q, Node.size); return q; }`, `function f() {`, `  const p = make();`, `  addRoot(p, Node);`, `}`],
  [`function make() { const q = junk.alloc(); if (c) memclrNoHeapPointers(q, Node.size); return q as Ptr<Node>; }`, `function f() {`, `  const p = make();`, `  addRoot(p, Node);`, `}`],
  4,
);
// A helper that roots its parameter is a root-making site at the call.
twin(
  [`function publish(x: Ptr<Node>) { addRoot(x, Node); }`, `function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  publish(p);`, `}`],
  [`function publish(x: Ptr<Node>) { addRoot(x, Node); }`, `function f() {`, `  const p = junk.alloc();`, `  publish(p as Ptr<Node>);`, `}`],
  4,
);
// A callback is not assumed to have run.
twin(
  [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  later(() => work());`, R, `}`],
  [`function f() {`, `  const p = junk.alloc();`, `  later(() => memclrNoHeapPointers(p, Node.size));`, R, `}`],
  4,
);
// Partial clear leaving the HeapRef slot (Go case 51).
twin([`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, 8);`, R, `}`], [`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, 4);`, R, `}`], 4);
// Pointer-free memory may be rooted as it is.
twin([`function f() {`, `  const p = plainJunk.alloc();`, `  addRoot(p as Ptr<Plain>, Plain);`, `}`], [`function f() {`, `  const p = junk.alloc();`, R, `  void plainJunk;`, `}`], 3);
// A global root table makes it visible: a module-level array or variable.
twin([`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  roots.push(p);`, `}`], [`function f() {`, `  const p = junk.alloc();`, `  roots.push(p as Ptr<Node>);`, `}`], 3);
// Through a local container: the batch published into the root table publishes what it holds (mutation: the clear dropped).
twin(
  [`function f() {`, `  const batch: Ptr<Node>[] = [];`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  batch.push(p as Ptr<Node>);`, `  roots.push(...batch);`, `}`],
  [`function f() {`, `  const batch: Ptr<Node>[] = [];`, `  const p = junk.alloc();`, `  batch.push(p as Ptr<Node>);`, `  roots.push(...batch);`, `}`],
  5,
);
// Library globals and module-level containers of non-pointers are not root tables.
twin(
  [`const seen = new Set<number>();`, `function f() {`, `  const p = junk.alloc();`, `  console.log(p);`, `  seen.add(p);`, `}`],
  [`const seen = new Set<Ptr<Node>>();`, `function f() {`, `  const p = junk.alloc();`, `  console.log(p);`, `  seen.add(p as Ptr<Node>);`, `}`],
  5,
);
twin([`function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  last = p;`, `}`], [`function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  last = p;`, `}`], 4);
// Stored into rooted memory.
twin(
  [`function f(t: Ptr<Table>) {`, `  addRoot(t, Table);`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  T.head.set(t, p);`, `}`],
  [`function f() {`, `  const t = persistentalloc<Table>(Table.size);`, `  addRoot(t, Table);`, `  const p = junk.alloc();`, `  T.head.set(t, p as Ptr<Node>);`, `}`],
  5,
);
// Typed as possibly garbage at the root.
twin([`function f(p: MaybeGarbage<Node>) {`, `  memclrNoHeapPointers(p, Node.size);`, `  addRoot(p, Node);`, `}`], [`function f(p: MaybeGarbage<Node>) {`, R, `}`], 2);
// Untracked pointers: the type under the cast says garbage.
twin([`function f(o: { p: Ptr<Node> }) {`, `  addRoot(o.p, Node);`, `}`], [`function f(o: { p: Garbage<Node> }) {`, `  addRoot(o.p as Ptr<Node>, Node);`, `}`], 2);
// Reassigning a module-level variable in module code replaces its object.
twin(
  [`let g = reuse();`, `g = persistentalloc<Node>(Node.size);`, `addRoot(g as Ptr<Node>, Node);`],
  [`let g = persistentalloc<Node>(Node.size) as MaybeGarbage<Node>;`, `g = reuse();`, `addRoot(g as Ptr<Node>, Node);`],
  3,
);
// Module-level code is analysed too.
twin([`const p = junk.alloc();`, `memclrNoHeapPointers(p, Node.size);`, `addRoot(p, Node);`], [`const p = junk.alloc();`, `addRoot(p as Ptr<Node>, Node);`], 2);

// Pools: zero: false only for pointer-free layouts (Go case 40).
twin([`const a = new FixAlloc(Plain, { zero: false });`], [`const a = new FixAlloc(Node, { zero: false });`], 1, 'nonZeroingPool', [`const a = new FixAlloc(Node);`]);
twin([`const a = new FixAlloc(Node, { zero: true });`], [`declare const z: boolean;`, `const a = new FixAlloc(Node, { zero: z });`], 2, 'nonZeroingPool');
twin([`const a = new FixAlloc(Node);`], [`const Nested = struct('Nested', { inner: Node, n: u32 });`, `const a = new FixAlloc(Nested, { zero: false });`], 2, 'nonZeroingPool', [
  `const Nested = struct('Nested', { inner: Node, n: u32 });`,
  `const a = new FixAlloc(Nested);`,
]);
// The suggestion keeps the other options.
twin([`const a = new FixAlloc(Node, { first: (p) => { roots.push(p); } });`], [`const a = new FixAlloc(Node, { zero: false, first: (p) => { roots.push(p); } });`], 1, 'nonZeroingPool', [
  `const a = new FixAlloc(Node, { first: (p) => { roots.push(p); } });`,
]);
twin([`const a = new FixAlloc(Node, { first: (p) => { roots.push(p); } });`], [`const a = new FixAlloc(Node, { first: (p) => { roots.push(p); }, zero: false });`], 1, 'nonZeroingPool', [
  `const a = new FixAlloc(Node, { first: (p) => { roots.push(p); } });`,
]);
// Initialization only in `first` (Go case 53).
twin(
  [`const a = new FixAlloc(Node, { first: (p) => { roots.push(p); } });`, `function f() { const p = a.alloc(); N.count.set(p, 1); addRoot(p, Node); }`],
  [`const a = new FixAlloc(Node, { first: (p) => { N.count.set(p, 1); } });`, `function f() { const p = a.alloc(); addRoot(p, Node); }`],
  1,
  'initInFirst',
);
twin(
  [`const a = new FixAlloc(Node, { first: function (p) { work(); } });`],
  [`const a = new FixAlloc(Node, { first: function (p) { N.owner.set(p, ref); } });`],
  1,
  'initInFirst',
);
twin(
  [`function setup(p: Ptr<Node>) { roots.push(p); }`, `const a = new FixAlloc(Node, { first: setup });`],
  [`function setup(p: Ptr<Node>) { N.count.set(p, 7); }`, `const a = new FixAlloc(Node, { first: setup });`],
  1,
  'initInFirst',
);


// ---- addRoot(p, L, n): the rooted range is n records; zero-initialization must cover all of them ----
twin(
  [`function f() {`, `  const p = reuse();`, `  memclrNoHeapPointers(p, Node.size * 4);`, `  addRoot(p, Node, 4);`, `}`],
  [`function f() {`, `  const p = reuse();`, `  memclrNoHeapPointers(p, Node.size);`, `  addRoot(p, Node, 4);`, `}`],
  4,
);
twin(
  [`function f(n: number) {`, `  const p = reuse();`, `  memclrNoHeapPointers(p, Node.size * n);`, `  addRoot(p, Node, n);`, `}`],
  [`function f(n: number) {`, `  const p = reuse();`, `  memclrNoHeapPointers(p, Node.size * 2);`, `  addRoot(p, Node, n);`, `}`],
  4,
);
// Fresh memory of n records needs no clear.
valid.push({ code: code(`function f() {`, `  const p = persistentalloc<Node>(Node.size * 8);`, `  addRoot(p, Node, 8);`, `}`) });

// ---- helpers: rooting on some path makes the object possibly visible (may), clears count on every path (must) ----
twin(
  [`function maybeRoot(x: Ptr<Node>) { if (c) addRoot(x, Node); }`, `function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  maybeRoot(p);`, `}`],
  [`function maybeRoot(x: Ptr<Node>) { if (c) addRoot(x, Node); }`, `function f() {`, `  const p = junk.alloc();`, `  maybeRoot(p as Ptr<Node>);`, `}`],
  4,
);
// A local function called directly is summarised like a helper.
twin(
  [`function f() {`, `  const publish = (x: Ptr<Node>) => addRoot(x, Node);`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  publish(p);`, `}`],
  [`function f() {`, `  const publish = (x: Ptr<Node>) => addRoot(x, Node);`, `  const p = junk.alloc();`, `  publish(p as Ptr<Node>);`, `}`],
  4,
);
twin(
  [`function f() {`, `  function init(x: MaybeGarbage<Node>) { memclrNoHeapPointers(x, Node.size); }`, `  const p = junk.alloc();`, `  init(p);`, R, `}`],
  [`function f() {`, `  function init(x: MaybeGarbage<Node>) { memclrNoHeapPointers(x, Node.size); }`, `  const p = junk.alloc();`, `  later(() => init(p));`, R, `}`],
  5,
);

// ---- rooting through any spelling of the callee ----
const cleared = [`  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`];
twin([`const root = addRoot;`, `function f() {`, ...cleared, `  root(p, Node);`, `}`], [`const root = addRoot;`, `function f() {`, `  const p = junk.alloc();`, `  root(p as Ptr<Node>, Node);`, `}`], 4);
twin([`function f() {`, ...cleared, `  (addRoot)(p, Node);`, `}`], [`function f() {`, `  const p = junk.alloc();`, `  (addRoot)(p as Ptr<Node>, Node);`, `}`], 3);
twin(
  [`import { createRuntime } from 'offheap';`, `const rt = createRuntime();`, `function f() {`, ...cleared, `  rt['addRoot'](p, Node);`, `}`],
  [`import { createRuntime } from 'offheap';`, `const rt = createRuntime();`, `function f() {`, `  const p = junk.alloc();`, `  rt['addRoot'](p as Ptr<Node>, Node);`, `}`],
  5,
);

// ---- what the collector scans: pointer-typed module-level places only; a number is Go's uintptr ----
twin([`let raw = 0;`, `function f() {`, `  const p = junk.alloc();`, `  raw = p;`, `}`], [`let raw: Ptr<Node> = 0 as Ptr<Node>;`, `function f() {`, `  const p = junk.alloc();`, `  raw = p as Ptr<Node>;`, `}`], 4);
twin(
  [`const byId = new Map<number, number>();`, `function f() {`, `  const p = junk.alloc();`, `  byId.set(1, p);`, `}`],
  [`const byId = new Map<number, Ptr<Node>>();`, `function f() {`, `  const p = junk.alloc();`, `  byId.set(1, p as Ptr<Node>);`, `}`],
  4,
);
twin(
  [`const words: number[] = [];`, `function f() {`, `  const p = junk.alloc();`, `  words[0] = p;`, `}`],
  [`const words: Ptr<Node>[] = [];`, `function f() {`, `  const p = junk.alloc();`, `  words[0] = p as Ptr<Node>;`, `}`],
  4,
);
valid.push({ code: code(`import { createRuntime } from 'offheap';`, `const rt = createRuntime();`, `function f() {`, `  const p = junk.alloc();`, `  rt.space.u32[1] = p;`, `}`) });
// Zeros written through the runtime's views zero-initialize, also when the views arrive as a parameter (a view is
// known by SpaceViews's tagged member, not by where the object came from; reported before). Mutation: the program's own
// interface with the same members, which is not the runtime's memory.
twin(
  [`import type { SpaceViews } from 'offheap'; interface MyViews { readonly u8: Uint8Array }`, `function f(v: SpaceViews) {`, `  const p = junk.alloc();`, `  v.u8.fill(0, p, p + Node.size);`, R, `}`],
  [`import type { SpaceViews } from 'offheap'; interface MyViews { readonly u8: Uint8Array }`, `function f(v: MyViews) {`, `  const p = junk.alloc();`, `  v.u8.fill(0, p, p + Node.size);`, R, `}`],
  5,
);

// ---- a pool's first hook in every function form ----
twin([`const a = new FixAlloc(Node, { first(p) { roots.push(p); } });`], [`const a = new FixAlloc(Node, { first(p) { N.count.set(p, 7); } });`], 1, 'initInFirst');
twin([`const a = new FixAlloc(Node, { first: function (p) { roots.push(p); } });`], [`const a = new FixAlloc(Node, { first: function (p) { N.count.set(p, 7); } });`], 1, 'initInFirst');
twin(
  [`import { FNode, recordFirst } from './flow-first.js';`, `const a = new FixAlloc(FNode, { first: recordFirst });`],
  [`import { FNode, countFirst } from './flow-first.js';`, `const a = new FixAlloc(FNode, { first: countFirst });`],
  2,
  'initInFirst',
);
twin(
  [`import { FNode, recordFirst } from './flow-first.js';`, `const a = new FixAlloc(FNode, { first: recordFirst });`],
  [`import { FNode, opaqueFirst } from './flow-first.js';`, `const a = new FixAlloc(FNode, { first: opaqueFirst });`],
  2,
  'firstCannotProve',
);


// ---- correlated conditions: Go's case 48 written as two ifs on the same flag ----
const alloc48 = [`  let p: MaybeGarbage<Node>;`, `  if (fromFreeList) p = reuse();`, `  else p = persistentalloc<Node>(Node.size);`];
twin(
  [`function f(fromFreeList: boolean) {`, ...alloc48, `  if (fromFreeList) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  [`function f(fromFreeList: boolean) {`, ...alloc48, `  if (!fromFreeList) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  6,
);
// A const and a never-reassigned local behave the same; a reassigned flag is not carried.
twin(
  [`function f() {`, `  const fromFreeList = xs.length > 0;`, ...alloc48, `  if (fromFreeList) { memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  [`function f() {`, `  let fromFreeList = xs.length > 0;`, ...alloc48, `  fromFreeList = !fromFreeList;`, `  if (fromFreeList) { memclrNoHeapPointers(p, Node.size); }`, R, `}`],
  8,
);
twin(
  [`function f() {`, `  let p: MaybeGarbage<Node> = persistentalloc<Node>(Node.size);`, `  if (!c) work();`, `  else p = reuse();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  [`function f(d: boolean) {`, `  let p: MaybeGarbage<Node> = persistentalloc<Node>(Node.size);`, `  if (!c) work();`, `  else p = reuse();`, `  if (d) memclrNoHeapPointers(p, Node.size);`, R, `}`],
  6,
);

// A file that does not import offheap is not analysed.
valid.push({ code: `declare function addRoot(p: number, l: unknown): void;\nconst p = 8;\naddRoot(p, {});` });
// Unknown layouts are not proven wrong.
valid.push({ code: code(`declare const L: Parameters<typeof addRoot>[1];`, `function f(p: Ptr<unknown>) { addRoot(p, L); }`) });

// ---- a pin is a root (issue 13 item 3): pinning a handle read from memory that may be garbage shades a stale word ----
{
  const pins = `import { pin } from 'offheap';`;
  twin(
    [pins, `function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  const h = N.owner.get(p as Ptr<Node>);`, `  pin(h);`, `}`],
    [pins, `function f() {`, `  const p = junk.alloc();`, `  const h = N.owner.get(p as Ptr<Node>);`, `  pin(h);`, `}`],
    5,
  );
  // Inline, and on one path only.
  twin(
    [pins, `function f() {`, `  const p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  pin(N.owner.get(p as Ptr<Node>));`, `}`],
    [pins, `function f() {`, `  const p = junk.alloc();`, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  pin(N.owner.get(p as Ptr<Node>));`, `}`],
    5,
  );
  // A handle from a zeroing pool's record, or from a parameter (type-safe memory): nothing stale.
  valid.push({ code: code(pins, `function f() {`, `  const p = pool.alloc();`, `  pin(N.owner.get(p));`, `}`) });
  valid.push({ code: code(pins, `function f(p: Ptr<Node>, h: HeapRef<Owner>) {`, `  pin(N.owner.get(p));`, `  pin(h);`, `}`) });
}

// Cleared in every case of a `switch` without `default` that names every value of its discriminant's type: no path
// skips the clears (twin: one value has no case, and on the path where no case matches the memory is still garbage).
{
  const sw = (decl: string) => [decl, `function f(k: Kind) {`, `  const p = junk.alloc();`, `  switch (k) {`, `    case Kind.A: memclrNoHeapPointers(p, Node.size); break;`, `    case Kind.B: typedmemclr(Node, p as Ptr<Node>); break;`, `  }`, R, `}`];
  twin(sw(`enum Kind { A, B }`), sw(`enum Kind { A, B, C }`), 8);
}

ruleTester.run('zero-before-root', rule, { valid, invalid });
