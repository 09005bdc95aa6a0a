import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/no-unrooted-heap-refs.js';
import path from 'node:path';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-6 of every case. Node is rooted by `keep`; Lost is never rooted unless a case does it. */
const head = [
  `import { struct, u32, f64, heapRef, access, FixAlloc, persistentalloc, sysAlloc, memclrNoHeapPointers, typedmemclr, storeHeapRef, addRoot, removeRoot, type HeapRef, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); type Node = LayoutType<typeof Node>; const N = access(Node);`,
  `const Lost = struct('Lost', { ref: heapRef<Owner>() }); type Lost = LayoutType<typeof Lost>; const Plain = struct('Plain', { x: f64 }); type Plain = LayoutType<typeof Plain>;`,
  `function keep(p: Ptr<Node>) { addRoot(p, Node); }`,
  `declare const ref: HeapRef<Owner>; declare const c: boolean; declare const xs: number[]; declare function later(f: () => void): void; declare function work(): void; declare function take(p: Ptr<Node>): void; const table: Ptr<Node>[] = [];`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

function twin(ok: string[], mutated: string[], line: number, messageId: MessageIds = 'unrootedStore'): void {
  valid.push({ code: code(...ok) });
  const src = code(...mutated);
  // unrootUncleared offers `typedmemclr(L, p);` before the removeRoot statement.
  const suggestions = messageId === 'unrootUncleared' ? [{ messageId: 'useTypedmemclrFirst' as const, output: clearBefore(src, L(line)) }] : undefined;
  invalid.push({ code: src, errors: [{ messageId, line: L(line), ...(suggestions ? { suggestions } : {}) }] });
}
/** `src` with `typedmemclr(Node, p);` inserted before the statement at 1-based `line`. */
function clearBefore(src: string, line: number, layout = 'Node', p = 'p'): string {
  const rows = src.split('\n');
  const row = rows[line - 1];
  const col = row.search(/removeRoot\(|rt\.removeRoot\(/);
  rows[line - 1] = `${row.slice(0, col)}typedmemclr(${layout}, ${p});\n${' '.repeat(col)}${row.slice(col)}`;
  return rows.join('\n');
}
const alloc = `  const p = persistentalloc<Node>(Node.size);`;
const store = `  N.owner.set(p, ref);`;

// Go case 37/38: a stored HeapRef in memory only a local points to; rooted after the store.
twin([`function f() {`, alloc, store, `  addRoot(p, Node);`, `}`], [`function f() {`, alloc, store, `}`], 3);
// Rooted before the store is fine too (a late store into a root is barriered).
twin([`function f() {`, alloc, `  addRoot(p, Node);`, store, `}`], [`function f() {`, alloc, `  if (c) addRoot(p, Node);`, store, `}`], 4);
// Rooted on one branch only: the other path returns with the reference unrooted.
twin(
  [`function f() {`, alloc, store, `  if (c) addRoot(p, Node);`, `  else keep(p);`, `}`],
  [`function f() {`, alloc, store, `  if (c) addRoot(p, Node);`, `  else work();`, `}`],
  3,
);
// Early return between the store and the root.
twin(
  [`function f() {`, alloc, store, `  addRoot(p, Node);`, `  if (c) return;`, `  work();`, `}`],
  [`function f() {`, alloc, store, `  if (c) return;`, `  addRoot(p, Node);`, `}`],
  3,
);
// A throw is not a normal exit.
twin(
  [`function f() {`, alloc, store, `  if (c) throw new Error('no');`, `  addRoot(p, Node);`, `}`],
  [`function f() {`, alloc, store, `  if (c) work();`, `  else return;`, `  addRoot(p, Node);`, `}`],
  3,
);
// Escapes: returned, handed to code not known to leave it unrooted, stored into a table.
twin([`function f() {`, alloc, store, `  return p;`, `}`], [`function f() {`, alloc, store, `  return 0;`, `}`], 3);
twin([`function f() {`, alloc, store, `  take(p);`, `}`], [`function f() {`, alloc, store, `  later(() => take(p));`, `}`], 3);
twin([`function f() {`, alloc, store, `  table.push(p);`, `}`], [`function f() {`, alloc, store, `  if (c) table.push(p);`, `}`], 3);
twin([`function f() {`, alloc, store, `  return { p };`, `}`], [`function f() {`, alloc, store, `  const o = { n: 1 };`, `  return o;`, `}`], 3);
// An alias escaping is the object escaping.
twin([`function f() {`, alloc, store, `  const q = p;`, `  return q;`, `}`], [`function f() {`, alloc, store, `  let q = p;`, `  q = persistentalloc<Node>(Node.size);`, `  return q;`, `}`], 3);
// Same-file helper summaries: a helper that roots or returns its parameter.
twin([`function f() {`, alloc, store, `  keep(p);`, `}`], [`function maybe(x: Ptr<Node>) { if (c) addRoot(x, Node); }`, `function f() {`, alloc, store, `  maybe(p);`, `}`], 4);
// A helper that stores the HeapRef makes the caller responsible.
twin(
  [`function fill(x: Ptr<Node>) { N.owner.set(x, ref); }`, `function f() {`, alloc, `  fill(p);`, `  addRoot(p, Node);`, `}`],
  [`function fill(x: Ptr<Node>) { N.owner.set(x, ref); }`, `function f() {`, alloc, `  fill(p);`, `}`],
  4,
);
// Loops: stored in the loop, rooted after it; rooted only in some iterations.
twin(
  [`function f() {`, alloc, `  for (const x of xs) N.owner.set(p, ref);`, `  addRoot(p, Node);`, `}`],
  [`function f() {`, alloc, `  for (const x of xs) {`, `    N.owner.set(p, ref);`, `    if (x > 0) break;`, `  }`, `  if (c) addRoot(p, Node);`, `}`],
  4,
);
// switch: every case roots (mutation: one case falls out without).
twin(
  [`function f(k: number) {`, alloc, store, `  switch (k) {`, `    case 0: addRoot(p, Node); break;`, `    default: keep(p);`, `  }`, `}`],
  [`function f(k: number) {`, alloc, store, `  switch (k) {`, `    case 0: addRoot(p, Node); break;`, `    case 1: work();`, `  }`, `}`],
  3,
);
// Short-circuit: the root may be skipped.
twin([`function f() {`, alloc, store, `  c ? addRoot(p, Node) : keep(p);`, `}`], [`function f() {`, alloc, store, `  c && addRoot(p, Node);`, `}`], 3);
// A labelled break that jumps over the root.
twin(
  [`function f() {`, alloc, store, `  out: { if (c) break out; work(); }`, `  addRoot(p, Node);`, `}`],
  [`function f() {`, alloc, store, `  out: { if (c) break out; addRoot(p, Node); }`, `}`],
  3,
);
// do/while runs its body once at least; while may not.
twin([`function f() {`, alloc, store, `  do { addRoot(p, Node); } while (false);`, `}`], [`function f() {`, alloc, store, `  while (c) { addRoot(p, Node); break; }`, `}`], 3);
// try/finally roots on every path.
twin(
  [`function f() {`, alloc, store, `  try { work(); } finally { addRoot(p, Node); }`, `}`],
  [`function f() {`, alloc, store, `  try { work(); addRoot(p, Node); } catch { work(); }`, `}`],
  3,
);
// The raw barriered store counts as a HeapRef store.
twin([`function f() {`, alloc, `  storeHeapRef(p + 4, ref);`, `  storeHeapRef(p as number as Ptr<HeapRef<Owner>>, ref);`, `  keep(p);`, `}`], [`function f() {`, alloc, `  storeHeapRef(p, ref);`, `}`], 3);
// What a same-file allocator returns is the caller's to root.
twin(
  [`function make() { return persistentalloc<Node>(Node.size); }`, `function f() {`, `  const p = make();`, store, `  keep(p);`, `}`],
  [`function make() { return persistentalloc<Node>(Node.size); }`, `function f() {`, `  const p = make();`, store, `}`],
  4,
);
// A helper that stores and returns has handed the object on: its store is not reported again in the caller.
twin(
  [`function make() { const q = persistentalloc<Node>(Node.size); N.owner.set(q, ref); return q; }`, `function f() {`, `  const p = make();`, `  work();`, `}`],
  [`function make() { const q = persistentalloc<Node>(Node.size); return q; }`, `function f() {`, `  const p = make();`, store, `}`],
  4,
);
// Memory the function did not allocate is its caller's to root.
twin([`function f(p: Ptr<Node>) {`, store, `}`], [`function f() {`, `  const p = sysAlloc<Node>(Node.size);`, store, `}`], 3);

// Pools and allocations never rooted anywhere in the program.
twin([`const a = new FixAlloc(Node);`], [`const a = new FixAlloc(Lost);`], 1, 'neverRooted');
twin([`const a = new FixAlloc(Plain);`], [`const a = persistentalloc<Lost>(Lost.size);`], 1, 'neverRooted');
twin([`const a = persistentalloc(Node.size);`], [`const a = persistentalloc(Lost.size);`], 1, 'neverRooted');
twin([`const a = new FixAlloc(Lost);`, `function r(p: Ptr<Lost>) { addRoot(p, Lost); }`], [`const a = sysAlloc<Lost>(Lost.size);`, `function r(p: Ptr<Node>) { addRoot(p, Node); }`], 1, 'neverRooted');

// An addRoot whose layout is not provable (a parameter) may root anything: not provably never rooted.
valid.push({ code: code(`const a = new FixAlloc(Lost);`, `function r(p: Ptr<unknown>, l: Parameters<typeof addRoot>[1]) { addRoot(p, l); }`) });
// The layout found through the pointer's record type when the layout argument is a parameter.
twin(
  [`const a = new FixAlloc(Lost);`, `function r(p: Ptr<Lost>, l: typeof Lost) { addRoot(p, l); }`],
  [`const a = new FixAlloc(Lost);`, `function r(p: Ptr<Node>, l: typeof Node) { addRoot(p, l); }`],
  1,
  'neverRooted',
);

// Removing a root whose slots may still hold references (Go's runfinq clears first, case 59).
twin([`function f(p: Ptr<Node>) {`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `}`], [`function f(p: Ptr<Node>) {`, `  removeRoot(p);`, `  typedmemclr(Node, p);`, `}`], 2, 'unrootUncleared');
twin([`function f(p: Ptr<Node>) {`, `  N.owner.set(p, 0 as HeapRef<Owner>);`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `}`], [`function f(p: Ptr<Node>) {`, `  if (c) typedmemclr(Node, p);`, `  removeRoot(p);`, `}`], 3, 'unrootUncleared');
twin([`function f(p: Ptr<Plain>) {`, `  removeRoot(p);`, `}`], [`function f() {`, alloc, `  addRoot(p, Node);`, store, `  removeRoot(p);`, `}`], 5, 'unrootUncleared');


// ---- HeapRef stores in every spelling the runtime allows ----
// storeHeapRef at an address: a field offset, a literal offset, an accessor's offset.
for (const at of ['p + Node.offsets.owner', 'p + 4', 'p + N.owner.offset']) {
  twin([`function f() {`, alloc, `  storeHeapRef(${at}, ref);`, `  addRoot(p, Node);`, `}`], [`function f() {`, alloc, `  storeHeapRef(${at}, ref);`, `}`], 3);
}
// An array-element accessor.
{
  const arr = [`import { array } from 'offheap';`, `const Arr = struct('Arr', { n: u32, refs: array(heapRef<Owner>(), 4) }); type Arr = LayoutType<typeof Arr>; const A = access(Arr);`];
  twin(
    [...arr, `function f() {`, `  const p = persistentalloc<Arr>(Arr.size);`, `  A.refs.set(p, 2, ref);`, `  addRoot(p, Arr);`, `}`],
    [...arr, `function f() {`, `  const p = persistentalloc<Arr>(Arr.size);`, `  A.refs.set(p, 2, ref);`, `  if (c) addRoot(p, Arr);`, `}`],
    5,
  );
}
// A store into a record inside a block rooted with a count: records 0..n-1 are scanned, record n is not.
twin(
  [`function f() {`, `  const p = sysAlloc<Node>(Node.size * 4);`, `  addRoot(p, Node, 4);`, `  storeHeapRef(p + 3 * Node.size + Node.offsets.owner, ref);`, `}`],
  [`function f() {`, `  const p = sysAlloc<Node>(Node.size * 4);`, `  addRoot(p, Node, 4);`, `  storeHeapRef(p + 4 * Node.size + Node.offsets.owner, ref);`, `}`],
  4,
  'storeBeyondRoot',
);
twin(
  [`function f() {`, `  const p = sysAlloc<Node>(Node.size * 2);`, `  addRoot(p, Node, 2);`, `  storeHeapRef(p + Node.size + 4, ref);`, `}`],
  [`function f() {`, `  const p = sysAlloc<Node>(Node.size * 2);`, `  addRoot(p, Node);`, `  storeHeapRef(p + Node.size + 4, ref);`, `}`],
  4,
  'storeBeyondRoot',
);

// ---- runfinq: nil into the only HeapRef slot clears it before removeRoot ----
twin([`function f(p: Ptr<Node>) {`, `  N.owner.set(p, 0 as HeapRef<Owner>);`, `  removeRoot(p);`, `}`], [`function f(p: Ptr<Node>) {`, `  N.owner.set(p, ref);`, `  removeRoot(p);`, `}`], 3, 'unrootUncleared');

// ---- escapes: the object is handed on, so rooting it is the receiver's job ----
const handle = `class Handle { constructor(readonly p: Ptr<Node>) {} }`;
twin([handle, `function f() {`, alloc, store, `  return new Handle(p);`, `}`], [handle, `function f() {`, alloc, store, `  return new Handle(0 as Ptr<Node>);`, `}`], 4);
twin([`function* f() {`, alloc, store, `  yield p;`, `}`], [`function* f() {`, alloc, store, `  yield 0;`, `}`], 3);
twin([`function f(q: Ptr<Node>) {`, alloc, store, `  return c ? p : q;`, `}`], [`function f(q: Ptr<Node>) {`, alloc, store, `  return c ? q : q;`, `}`], 3);
twin([`function f(q: Ptr<Node>) {`, alloc, store, `  return p ?? q;`, `}`], [`function f(q: Ptr<Node>) {`, alloc, store, `  return q ?? q;`, `}`], 3);

// ---- the never-rooted scan resolves callees like the flow: aliases, parentheses, element access ----
const other = `declare function other(p: Ptr<Lost>, l: typeof Lost): void;`;
twin([`const a = new FixAlloc(Lost);`, `const root = addRoot;`, `function r(p: Ptr<Lost>) { root(p, Lost); }`], [`const a = new FixAlloc(Lost);`, `const root = other;`, other, `function r(p: Ptr<Lost>) { root(p, Lost); }`], 1, 'neverRooted');
twin([`const a = new FixAlloc(Lost);`, `function r(p: Ptr<Lost>) { (addRoot)(p, Lost); }`], [`const a = new FixAlloc(Lost);`, other, `function r(p: Ptr<Lost>) { (other)(p, Lost); }`], 1, 'neverRooted');
twin(
  [`import { createRuntime } from 'offheap';`, `const rt = createRuntime();`, `const a = new FixAlloc(Lost);`, `function r(p: Ptr<Lost>) { rt['addRoot'](p, Lost); }`],
  [`import { createRuntime } from 'offheap';`, `const rt = createRuntime();`, `const a = new FixAlloc(Lost);`, `function r(p: Ptr<Lost>) { rt['unpin'](0 as HeapRef<Lost>); }`],
  3,
  'neverRooted',
);

// ---- lifecycle: free while rooted, use after free ----
const pool = `const pool = new FixAlloc(Node);`;
twin(
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  work();`, `  removeRoot(p);`, `  pool.free(p);`, `}`],
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  work();`, `  pool.free(p);`, `}`],
  6,
  'freeRooted',
);
twin(
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  removeRoot(p);`, `  pool.free(p);`, `}`],
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  if (c) removeRoot(p);`, `  pool.free(p);`, `}`],
  6,
  'freeRooted',
);
twin(
  [`import { sysFree } from 'offheap';`, `function f() {`, `  const p = sysAlloc<Node>(Node.size);`, `  addRoot(p, Node);`, `  removeRoot(p);`, `  sysFree(p, Node.size);`, `}`],
  [`import { sysFree } from 'offheap';`, `function f() {`, `  const p = sysAlloc<Node>(Node.size);`, `  addRoot(p, Node);`, `  sysFree(p, Node.size);`, `}`],
  5,
  'freeRooted',
);
twin(
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  N.owner.set(p, ref);`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `  pool.free(p);`, `}`],
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `  pool.free(p);`, `  N.owner.set(p, ref);`, `}`],
  8,
  'useAfterFree',
);
twin(
  [pool, `function f() {`, `  let p = pool.alloc();`, `  pool.free(p);`, `  p = pool.alloc();`, `  N.owner.set(p, ref);`, `  addRoot(p, Node);`, `}`],
  [pool, `function f() {`, `  let p = pool.alloc();`, `  pool.free(p);`, `  if (c) p = pool.alloc();`, `  N.owner.set(p, ref);`, `  addRoot(p, Node);`, `}`],
  6,
  'useAfterFree',
);

// Records loaded from a list and freed (Go's mspan lists): nothing seen roots them, so nothing is reported;
// a parameter the function itself roots on every path is.
{
  const list = [`import { ptr } from 'offheap';`, `const Cell = struct('Cell', { next: ptr<Cell>() }); interface Cell extends LayoutType<typeof Cell> {} const CA = access(Cell); const cells = new FixAlloc(Cell);`];
  twin(
    [...list, `function clear(head: Ptr<Cell>) {`, `  let c = head;`, `  while (c !== 0) { const next = CA.next.get(c); cells.free(c); c = next; }`, `}`],
    [...list, `function clear(head: Ptr<Cell>) {`, `  addRoot(head, Cell);`, `  cells.free(head);`, `}`],
    5,
    'freeRooted',
  );
  // A parameter whose record has HeapRef slots may be a root by its type: unroot it before freeing.
  twin(
    [pool, `function drop(p: Ptr<Node>) {`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `  pool.free(p);`, `}`],
    [pool, `function drop(p: Ptr<Node>) {`, `  typedmemclr(Node, p);`, `  pool.free(p);`, `  removeRoot(p);`, `}`],
    4,
    'freeRooted',
  );
}

// The "accesses memory" effect: every accessor get/set (scalar fields too) and every store or clear is a use of the memory.
const retired = [`  typedmemclr(Node, p);`, `  removeRoot(p);`, `  pool.free(p);`];
twin(
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  N.count.set(p, 1);`, ...retired, `}`],
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, ...retired, `  N.count.set(p, 1);`, `}`],
  8,
  'useAfterFree',
);
twin(
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  const n = N.count.get(p);`, ...retired, `  return n;`, `}`],
  [pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, ...retired, `  return N.count.get(p);`, `}`],
  8,
  'useAfterFree',
);
// A clear after free is a use too; a store into a new object in the same variable is not.
twin(
  [pool, `function f() {`, `  let p = pool.alloc();`, `  pool.free(p);`, `  p = pool.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  [pool, `function f() {`, `  let p = pool.alloc();`, `  pool.free(p);`, `  memclrNoHeapPointers(p, Node.size);`, `}`],
  5,
  'useAfterFree',
);
// Freed on one path only: "may already be freed"; an element accessor of a scalar array counts too.
{
  const arr = [`import { array } from 'offheap';`, `const Vec = struct('Vec', { xs: array(u32, 4) }); type Vec = LayoutType<typeof Vec>; const V = access(Vec); const vecs = new FixAlloc(Vec);`];
  twin(
    [...arr, `function f() {`, `  const p = vecs.alloc();`, `  V.xs.set(p, 2, 7);`, `  if (c) vecs.free(p);`, `}`],
    [...arr, `function f() {`, `  const p = vecs.alloc();`, `  if (c) vecs.free(p);`, `  V.xs.set(p, 2, 7);`, `}`],
    6,
    'useAfterFree',
  );
}
// One report per free: the second use after the same free stays quiet.
invalid.push({
  code: code(pool, `function f() {`, `  const p = pool.alloc();`, `  pool.free(p);`, `  N.count.set(p, 1);`, `  N.count.set(p, 2);`, `}`),
  errors: [{ messageId: 'useAfterFree', line: L(5) }],
});
// Ordinary code: reading and writing records that are never freed, in a loop.
valid.push({ code: code(pool, `function f() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `  for (const x of xs) N.count.set(p, N.count.get(p) + x);`, `}`) });

// ---- helpers in another file (tests/fixtures/flow-retire.ts): their bodies are read, not guessed ----
{
  const imp = [`import { Node as FNode } from './flow-layouts.js';`, `import { retire, retireIf, countOf, freeOther, retireSomewhere, nodes, NodePool } from './flow-retire.js';`, `const F = access(FNode); const np = new NodePool();`];
  // A store after a retire function of another module; the correct order stores first.
  twin(
    [...imp, `function f(p: Ptr<FNode>) {`, `  F.count.set(p, 0);`, `  retire(p);`, `}`],
    [...imp, `function f(p: Ptr<FNode>) {`, `  retire(p);`, `  F.count.set(p, 0);`, `}`],
    6,
    'useAfterFree',
  );
  // The retire helper as a method of a class in another module (the cache's `this.entries.retire(p)`).
  twin(
    [...imp, `function f(p: Ptr<FNode>) {`, `  F.owner.set(p, ref);`, `  np.retire(p);`, `}`],
    [...imp, `function f(p: Ptr<FNode>) {`, `  np.retire(p);`, `  F.owner.set(p, ref);`, `}`],
    6,
    'useAfterFree',
  );
  // Freed on some path of the helper: the load after it may read freed memory.
  twin(
    [...imp, `function f(p: Ptr<FNode>) {`, `  const n = F.count.get(p);`, `  retireIf(p, c);`, `  return n;`, `}`],
    [...imp, `function f(p: Ptr<FNode>) {`, `  retireIf(p, c);`, `  return F.count.get(p);`, `}`],
    6,
    'useAfterFree',
  );
  // Through an interface: an implementation in another file frees it; the twin calls the member that only reads.
  const rimp = `import type { Retirer } from './flow-retire.js';`;
  twin(
    [...imp, rimp, `function f(r: Retirer, p: Ptr<FNode>) {`, `  F.count.set(p, r.peek(p));`, `  r.retire(p);`, `}`],
    [...imp, rimp, `function f(r: Retirer, p: Ptr<FNode>) {`, `  r.retire(p);`, `  F.count.set(p, r.peek(p));`, `}`],
    7,
    'useAfterFree',
  );
  valid.push({ code: code(...imp, rimp, `function f(r: Retirer, p: Ptr<FNode>) {`, `  r.peek(p);`, `  F.count.set(p, 1);`, `}`) });
  // A helper that only reads, one that frees another object, one without a body: nothing is invented.
  valid.push({ code: code(...imp, `function f(p: Ptr<FNode>) {`, `  const n = countOf(p);`, `  F.count.set(p, n + 1);`, `}`) });
  valid.push({ code: code(...imp, `function f(p: Ptr<FNode>, q: Ptr<FNode>) {`, `  freeOther(p, q);`, `  F.count.set(p, 1);`, `}`) });
  valid.push({ code: code(...imp, `function f(p: Ptr<FNode>) {`, `  retireSomewhere(p);`, `  F.count.set(p, 1);`, `}`) });
  // A pool wrapper of another module that roots what it hands out, and its twin that does not: a
  // HeapRef stored into the record is never scanned (the program's only addRoot of FNode roots the other allocation).
  twin(
    [...imp, `class Index {`, `  byKey = new Map<string, Ptr<FNode>>();`, `  put(k: string) {`, `    const q = np.alloc();`, `    F.owner.set(q, ref);`, `    this.byKey.set(k, q);`, `  }`, `}`],
    [...imp, `class Index {`, `  byKey = new Map<string, Ptr<FNode>>();`, `  put(k: string) {`, `    const q = np.allocBare();`, `    F.owner.set(q, ref);`, `    this.byKey.set(k, q);`, `  }`, `}`],
    7,
    'neverRooted',
  );
  // Bypassing the wrapper: the record comes from its pool directly.
  twin(
    [...imp, `function put(byKey: Map<string, Ptr<FNode>>, k: string) {`, `  const q = np.alloc();`, `  F.owner.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    [...imp, `function put(byKey: Map<string, Ptr<FNode>>, k: string) {`, `  const q = nodes.alloc();`, `  F.owner.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    5,
    'neverRooted',
  );
  // Handed to code that may root it (a declaration without a body), or no HeapRef stored: not provable.
  valid.push({ code: code(...imp, `declare function adopt(p: Ptr<FNode>): void;`, `function put() {`, `  const q = nodes.alloc();`, `  F.owner.set(q, ref);`, `  adopt(q);`, `}`) });
  valid.push({ code: code(...imp, `function put(byKey: Map<string, Ptr<FNode>>, k: string) {`, `  const q = nodes.alloc();`, `  F.count.set(q, 1);`, `  byKey.set(k, q);`, `}`) });
}

// ---- a generic wrapper over `Layout<T>` (the cache's RootedPool<T>): Go's retire order holds for every T ----
{
  const wrap = [`import { type Layout } from 'offheap';`, `class Wrap<T> {`, `  constructor(readonly layout: Layout<T>, readonly pool: FixAlloc<T>) {}`, `  retire(p: Ptr<T>) {`];
  const end = [`    this.pool.free(p);`, `  }`, `}`];
  // No suggestion: the wrapper's layout is not a name the file can spell at module level.
  valid.push({ code: code(...wrap, `    typedmemclr(this.layout, p);`, `    removeRoot(p);`, ...end) });
  invalid.push({ code: code(...wrap, `    removeRoot(p);`, `    typedmemclr(this.layout, p);`, ...end), errors: [{ messageId: 'unrootUncleared', line: L(5), suggestions: [] }] });
  invalid.push({ code: code(...wrap, `    removeRoot(p);`, ...end), errors: [{ messageId: 'unrootUncleared', line: L(5), suggestions: [] }] });
  // A wrapper over pointer-free records only (`Ptr<Plain>`, not generic) needs no clear.
  valid.push({ code: code(`class PlainWrap {`, `  constructor(readonly pool: FixAlloc<Plain>) {}`, `  retire(p: Ptr<Plain>) {`, `    removeRoot(p);`, `    this.pool.free(p);`, `  }`, `}`) });
}

// ---- an allocation the program never roots, although other objects of its layout are (issue 13 miss 3) ----
{
  // A module-level `Map` of pointers counts as a root table; a parameter's does not.
  const lost = [`const lost = new FixAlloc(Lost); const LA = access(Lost);`, `function make() { const p = lost.alloc(); addRoot(p, Lost); return p; }`];
  twin(
    [...lost, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = make();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    [...lost, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    4,
    'neverRooted',
  );
  // Rooted later in the same function; or an addRoot that may receive any Lost (a parameter).
  valid.push({ code: code(...lost, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  addRoot(q, Lost);`, `  byKey.set(k, q);`, `}`) });
  valid.push({ code: code(...lost, `function rootAny(p: Ptr<Lost>) { addRoot(p, Lost); }`, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`) });
  valid.push({ code: code(...lost, `const byKey = new Map<string, Ptr<Lost>>();`, `function put(k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`) });
  // A const pointer rooted through a call that is not an allocation may be any Lost (the scan decides lazily which
  // it is): clean. Its twin roots the const of another allocation only, so this one is never rooted.
  twin(
    [...lost, `declare function got(): Ptr<Lost>; function rootGot() { const g = got(); addRoot(g, Lost); }`, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    [...lost, `declare function got(): Ptr<Lost>; function rootGot() { const g = lost.alloc(); addRoot(g, Lost); }`, `function put(byKey: Map<string, Ptr<Lost>>, k: string) {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  byKey.set(k, q);`, `}`],
    5,
    'neverRooted',
  );
  // Handed to a constructor: one with a body that keeps it in a field roots nothing; one declared without a body may.
  twin(
    [...lost, `declare class Adopter { constructor(p: Ptr<Lost>); }`, `function put() {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  return new Adopter(q);`, `}`],
    [...lost, `class Keeper { constructor(readonly p: Ptr<Lost>) {} }`, `function put() {`, `  const q = lost.alloc();`, `  LA.ref.set(q, ref);`, `  return new Keeper(q);`, `}`],
    5,
    'neverRooted',
  );
  // A pool without HeapRef slots: nothing to root.
  valid.push({ code: code(`const plain = new FixAlloc(Plain); const PA = access(Plain);`, `function put(byKey: Map<string, Ptr<Plain>>, k: string) {`, `  const q = plain.alloc();`, `  PA.x.set(q, 1);`, `  byKey.set(k, q);`, `}`) });
}

// ---- a HeapRef kept on the JavaScript heap: reported unless pinned on every path to the store ----
const pins = `import { newHeapRef, pin, unpin } from 'offheap';`;
twin(
  [pins, `const cache = new Map<string, HeapRef<Owner>>();`, `function put(k: string) {`, `  const h = newHeapRef(new Owner());`, `  pin(h);`, `  cache.set(k, h);`, `}`],
  [pins, `const cache = new Map<string, HeapRef<Owner>>();`, `function put(k: string) {`, `  const h = newHeapRef(new Owner());`, `  if (c) pin(h);`, `  cache.set(k, h);`, `}`],
  6,
  'heapRefOnJsHeap',
);
twin(
  [pins, `const all: HeapRef<Owner>[] = [];`, `function put(h: HeapRef<Owner>) {`, `  pin(h);`, `  all.push(h);`, `}`],
  // Pinned after the store with unknown code between, which may run the collector (handles.ts).
  [pins, `const all: HeapRef<Owner>[] = [];`, `function put(h: HeapRef<Owner>) {`, `  all.push(h);`, `  work(); pin(h);`, `}`],
  4,
  'heapRefOnJsHeap',
);
twin(
  // The old handle is unpinned where it leaves the field (notUnpinned otherwise; handles.ts).
  [pins, `class Holder {`, `  h = 0 as HeapRef<Owner>;`, `  hold(o: Owner) { const h = newHeapRef(o); pin(h); if (this.h !== 0) unpin(this.h); this.h = h; }`, `}`],
  [pins, `class Holder {`, `  h = 0 as HeapRef<Owner>;`, `  hold(o: Owner) { const h = newHeapRef(o); pin(h); unpin(h); this.h = h; }`, `}`],
  4,
  'heapRefOnJsHeap',
);
twin(
  [pins, `let last = 0 as HeapRef<Owner>;`, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  pin(h);`, `  last = h;`, `}`],
  [pins, `let last = 0 as HeapRef<Owner>;`, `function f(o: Owner) {`, `  last = newHeapRef(o);`, `}`],
  4,
  'heapRefOnJsHeap',
);
// A handle in a local variable, or stored into rooted memory, is not on the JS heap.
valid.push({ code: code(pins, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  const p = persistentalloc<Node>(Node.size);`, `  addRoot(p, Node);`, `  N.owner.set(p, h);`, `}`) });


// ---- freeHeapRef while the handle is still in a rooted slot ----
const frees = `import { newHeapRef, freeHeapRef } from 'offheap';`;
twin(
  [frees, `function f(o: Owner) {`, alloc, `  addRoot(p, Node);`, `  const h = newHeapRef(o);`, `  N.owner.set(p, h);`, `  typedmemclr(Node, p);`, `  freeHeapRef(h);`, `}`],
  [frees, `function f(o: Owner) {`, alloc, `  addRoot(p, Node);`, `  const h = newHeapRef(o);`, `  N.owner.set(p, h);`, `  freeHeapRef(h);`, `  typedmemclr(Node, p);`, `}`],
  7,
  'freeHeapRefRooted',
);
twin(
  [frees, `function f(o: Owner) {`, alloc, `  addRoot(p, Node);`, `  const h = newHeapRef(o);`, `  N.owner.set(p, h);`, `  N.owner.set(p, 0 as HeapRef<Owner>);`, `  freeHeapRef(h);`, `}`],
  [frees, `function f(o: Owner) {`, alloc, `  addRoot(p, Node);`, `  const h = newHeapRef(o);`, `  N.owner.set(p, h);`, `  if (c) N.owner.set(p, 0 as HeapRef<Owner>);`, `  freeHeapRef(h);`, `}`],
  8,
  'freeHeapRefRooted',
);


// ---- a record allocated per instance in a class field, never rooted (even though Node is rooted elsewhere) ----
const pool2 = `const pool2 = new FixAlloc(Node);`;
twin(
  [pool2, `class Cache {`, `  slots = pool2.alloc();`, `  constructor() { addRoot(this.slots, Node); }`, `  put(h: HeapRef<Owner>) { N.owner.set(this.slots, h); }`, `}`],
  [pool2, `class Cache {`, `  slots = pool2.alloc();`, `  constructor() { N.count.set(this.slots, 0); }`, `  put(h: HeapRef<Owner>) { N.owner.set(this.slots, h); }`, `}`],
  3,
  'fieldNeverRooted',
);
// Handed to a same-file helper: it may root it (not provably never rooted).
valid.push({ code: code(pool2, `class Cache {`, `  slots = pool2.alloc();`, `  constructor() { keep(this.slots); }`, `}`) });
// A pointer-free record needs no root.
valid.push({ code: code(`const plain = new FixAlloc(Plain);`, `class Cache {`, `  slots = plain.alloc();`, `}`) });


// ---- correlated conditions: the path that stored is the path that roots ----
twin(
  [`function f(keepIt: boolean) {`, alloc, `  if (keepIt) N.owner.set(p, ref);`, `  work();`, `  if (keepIt) addRoot(p, Node);`, `}`],
  [`function f(keepIt: boolean) {`, alloc, `  if (keepIt) N.owner.set(p, ref);`, `  work();`, `  if (!keepIt) addRoot(p, Node);`, `}`],
  3,
);

// Not analysed: a file that never imports offheap.
valid.push({ code: `declare function addRoot(p: number): void;\nconst p = 8;\naddRoot(p);` });

// A JSX attribute hands the object on (a .tsx file of the fixture project).
{
  const view = [`function View(props: { p: Ptr<Node> }) { return props.p === 0 ? null : 'node'; }`];
  const filename = path.join(fixturesDir, 'view.tsx');
  valid.push({ code: code(...view, `function f() {`, alloc, store, `  const el = <View p={p} />;`, `  return el;`, `}`), filename });
  invalid.push({ code: code(...view, `function f() {`, alloc, store, `  const el = <View p={0 as Ptr<Node>} />;`, `  return el;`, `}`), filename, errors: [{ messageId: 'unrootedStore', line: L(4) }] });
}

// A `switch` without `default` whose cases name every value of its discriminant's type has no path where no case
// matches (the checker narrows the discriminant to `never` there): string unions, string and numeric enums, booleans.
// The twins leave one value without a case, and that path returns with the store unrooted.
{
  const sw = (decl: string, cases: string[]): string[] => [decl, `function put(l: Life) {`, alloc, store, `  switch (l) {`, ...cases, `  }`, `}`];
  const both = [`    case 'long': addRoot(p, Node); break;`, `    case 'short': keep(p); break;`];
  twin(sw(`type Life = 'long' | 'short';`, both), sw(`type Life = 'long' | 'short' | 'none';`, both), 4);
  const members = [`    case Life.Long: addRoot(p, Node); break;`, `    case Life.Short: keep(p); break;`];
  twin(sw(`enum Life { Long = 'long', Short = 'short' }`, members), sw(`enum Life { Long = 'long', Short = 'short', None = 'none' }`, members), 4);
  twin(sw(`enum Life { Long, Short }`, members), sw(`enum Life { Long, Short, None }`, members), 4);
  // Every case returns: nothing follows the switch.
  const returns = [`    case 'long': addRoot(p, Node); return;`, `    case 'short': keep(p); return;`];
  twin(sw(`type Life = 'long' | 'short';`, returns), sw(`type Life = 'long' | 'short' | 'none';`, returns), 4);
  // Two values on one case (fall-through), and a boolean discriminant.
  const shared = [`    case 'long':`, `    case 'short': keep(p); break;`];
  twin(sw(`type Life = 'long' | 'short';`, shared), sw(`type Life = 'long' | 'short' | 'none';`, shared), 4);
  const flag = (cases: string[]) => [`function put(on: boolean) {`, alloc, store, `  switch (on) {`, ...cases, `  }`, `}`];
  twin(flag([`    case true: addRoot(p, Node); break;`, `    case false: keep(p); break;`]), flag([`    case true: addRoot(p, Node); break;`]), 3);
  // A `string` discriminant is never covered: the no-match path stays.
  invalid.push({ code: code(`function put(l: string) {`, alloc, store, `  switch (l) {`, `    case 'long': addRoot(p, Node); break;`, `    case 'short': keep(p); break;`, `  }`, `}`), errors: [{ messageId: 'unrootedStore', line: L(3) }] });
}

ruleTester.run('no-unrooted-heap-refs', rule, { valid, invalid });
