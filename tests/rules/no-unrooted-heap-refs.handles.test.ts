// no-unrooted-heap-refs on handles held by JavaScript (src/analysis/flow/handles.ts):
// a HeapRef in an object literal, a closure, a field initialiser or a returned
// object; pinned late but before anything can run the collector; "unpinned
// where it leaves" (notUnpinned); and freeHeapRef of a handle read back from
// a slot before the slot is cleared. Twins: the broken and the correct code.
import path from 'node:path';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { flowStats } from '../../src/analysis/flow/index.js';
import { handleLimits, handleStats } from '../../src/analysis/flow/handles.js';
import rule, { type MessageIds } from '../../src/rules/no-unrooted-heap-refs.js';
import { rules } from '../../src/rules/index.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** Lines 1-7 of every case. */
const head = [
  `import { struct, u32, heapRef, access, persistentalloc, typedmemclr, addRoot, removeRoot, newHeapRef, freeHeapRef, deref, pin, unpin, gc, gcStep, type HeapRef, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); type Node = LayoutType<typeof Node>; const N = access(Node);`,
  `interface Lease { readonly key: string; readonly value: HeapRef<Owner> }`,
  `declare const c: boolean; declare function work(): void; declare function later(f: () => void): void; declare function retire(p: Ptr<Node>): void;`,
  `function keep(p: Ptr<Node>) { addRoot(p, Node); }`,
  `const all: HeapRef<Owner>[] = []; const leases = new Map<number, Lease>(); const held: Lease[] = [];`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

function twin(ok: string[], mutated: string[], line: number, messageId: MessageIds): void {
  valid.push({ code: code(...ok) });
  invalid.push({ code: code(...mutated), errors: [{ messageId, line: L(line) }] });
}
const lease = [`function lease(id: number, o: Owner) {`, `  const value = newHeapRef(o);`, `  pin(value);`, `  leases.set(id, { key: 'k', value });`, `}`];

// ---- a handle inside an object literal, stored into a Map, an array, a Set, a field, a module-level variable ----
twin(lease, [lease[0], lease[1], lease[3], lease[4]], 3, 'heapRefOnJsHeap');
twin(
  [`function put(h: HeapRef<Owner>) {`, `  pin(h);`, `  held.push({ key: 'k', value: h });`, `}`],
  [`function put(h: HeapRef<Owner>) {`, `  held.push({ key: 'k', value: h });`, `}`],
  2,
  'heapRefOnJsHeap',
);
twin(
  [`const set = new Set<Lease>();`, `function put(h: HeapRef<Owner>) {`, `  pin(h);`, `  set.add({ key: 'k', value: h });`, `}`],
  [`const set = new Set<Lease>();`, `function put(h: HeapRef<Owner>) {`, `  if (c) pin(h);`, `  set.add({ key: 'k', value: h });`, `}`],
  4,
  'heapRefOnJsHeap',
);
// A class field: the old lease is unpinned where it leaves the field, the new one pinned before it is kept.
twin(
  [`class Slot {`, `  lease: Lease | undefined;`, `  put(h: HeapRef<Owner>) {`, `    pin(h);`, `    if (this.lease) unpin(this.lease.value);`, `    this.lease = { key: 'k', value: h };`, `  }`, `}`],
  [`class Slot {`, `  lease: Lease | undefined;`, `  put(h: HeapRef<Owner>) {`, `    this.lease = { key: 'k', value: h };`, `  }`, `}`],
  4,
  'heapRefOnJsHeap',
);
twin(
  [`let current: Lease | undefined;`, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  pin(h);`, `  current = { key: 'k', value: h };`, `}`],
  [`let current: Lease | undefined;`, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  current = { key: 'k', value: h };`, `}`],
  4,
  'heapRefOnJsHeap',
);
// A returned object, and one nested in another literal.
twin(
  [`function make(o: Owner): Lease {`, `  const h = newHeapRef(o);`, `  pin(h);`, `  return { key: 'k', value: h };`, `}`],
  [`function make(o: Owner): Lease {`, `  const h = newHeapRef(o);`, `  return { key: 'k', value: h };`, `}`],
  3,
  'heapRefOnJsHeap',
);
twin(
  [`function make(o: Owner) {`, `  const h = newHeapRef(o);`, `  pin(h);`, `  return { outer: [{ key: 'k', value: h }] };`, `}`],
  [`function make(o: Owner) {`, `  const h = newHeapRef(o);`, `  return { outer: [{ key: 'k', value: h }] };`, `}`],
  3,
  'heapRefOnJsHeap',
);
// A closure capturing the handle, handed to code that may keep it.
twin(
  [`function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  pin(h);`, `  later(() => { deref(h); unpin(h); });`, `}`],
  [`function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  later(() => deref(h));`, `}`],
  3,
  'heapRefOnJsHeap',
);
// A class field initialised with a handle nothing pins.
twin([`class Texture {`, `  owner = new Owner();`, `}`], [`class Texture {`, `  owner = newHeapRef(new Owner());`, `}`], 2, 'heapRefOnJsHeap');

// An object handed to the program's own function is that function's to pin; a library container only keeps it.
twin(
  [`function register(l: Lease) { pin(l.value); held.push(l); }`, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  register({ key: 'k', value: h });`, `}`],
  [`function register(l: Lease) { pin(l.value); held.push(l); }`, `function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  held.push({ key: 'k', value: h });`, `}`],
  4,
  'heapRefOnJsHeap',
);

// ---- pinned after the store: fine while nothing between can run the collector ----
twin(
  [`function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  pin(h);`, `}`],
  [`function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  gcStep(8);`, `  pin(h);`, `}`],
  3,
  'heapRefOnJsHeap',
);
// A helper that pins the handle it is given (and one that returns it pinned).
twin(
  [`function retain(h: HeapRef<Owner>) { pin(h); return h; }`, `function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  retain(h);`, `  gc();`, `  all.push(h);`, `  all.push(retain(newHeapRef(o)));`, `}`],
  [`function retain(h: HeapRef<Owner>) { if (c) pin(h); return h; }`, `function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  retain(h);`, `  gc();`, `  all.push(h);`, `}`],
  6,
  'heapRefOnJsHeap',
);
// A same-file helper is read: one that counts is harmless, one that steps the collector is not.
twin(
  [`let count = 0;`, `function note() { count++; }`, `function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  note();`, `  pin(h);`, `}`],
  [`let count = 0;`, `function note() { count++; if (c) gc(); }`, `function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  note();`, `  pin(h);`, `}`],
  5,
  'heapRefOnJsHeap',
);
// A method call runs whichever implementation the receiver has: an override that collects counts.
twin(
  [`class Base { step() { return 1; } }`, `class Sub extends Base { override step() { return 2; } }`, `function put(o: Owner, b: Base) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  b.step();`, `  pin(h);`, `}`],
  [`class Base { step() { return 1; } }`, `class Sub extends Base { override step() { gc(); return 2; } }`, `function put(o: Owner, b: Base) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  b.step();`, `  pin(h);`, `}`],
  5,
  'heapRefOnJsHeap',
);
// Library code that calls back only into what it is given.
twin(
  [`function put(o: Owner, xs: number[]) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  xs.sort((a, b) => a - b);`, `  pin(h);`, `}`],
  [`function put(o: Owner, xs: number[]) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  xs.forEach(() => gc());`, `  pin(h);`, `}`],
  3,
  'heapRefOnJsHeap',
);
// A generator suspended at `yield` lets any code run, the collector included.
twin(
  [`function* put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  pin(h);`, `  yield 1;`, `}`],
  [`function* put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  yield 1;`, `  pin(h);`, `}`],
  3,
  'heapRefOnJsHeap',
);
// So does an async function at `await`.
twin(
  [`async function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  pin(h);`, `  await Promise.resolve();`, `}`],
  [`async function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  await Promise.resolve();`, `  pin(h);`, `}`],
  3,
  'heapRefOnJsHeap',
);
twin(
  [`async function put(o: Owner, p: Promise<void>) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  pin(h);`, `  await p;`, `}`],
  [`async function put(o: Owner, p: Promise<void>) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  await p;`, `  pin(h);`, `}`],
  3,
  'heapRefOnJsHeap',
);
// A local container that never leaves the function, with no collection while it holds the handle.
twin(
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  return deref(hs[0]);`, `}`],
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  gc();`, `  return deref(hs[0]);`, `}`],
  3,
  'heapRefOnJsHeap',
);
twin(
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  return hs.length;`, `}`],
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  return hs;`, `}`],
  3,
  'heapRefOnJsHeap',
);
twin(
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  return hs.slice().length;`, `}`],
  [`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  return hs.slice();`, `}`],
  3,
  'heapRefOnJsHeap',
);
twin(
  [`function f(o: Owner) {`, `  const l = { key: 'k', value: newHeapRef(o) };`, `  return deref(l.value).name;`, `}`],
  [`function f(o: Owner) {`, `  const l = { key: 'k', value: newHeapRef(o) };`, `  gc();`, `  return deref(l.value).name;`, `}`],
  2,
  'heapRefOnJsHeap',
);

// ---- unpinned where it leaves ----
const release = (...body: string[]) => [...lease, `function release(id: number) {`, `  const l = leases.get(id);`, `  if (l === undefined) return;`, ...body, `}`];
twin(release(`  leases.delete(id);`, `  unpin(l.value);`), release(`  leases.delete(id);`), 9, 'notUnpinned');
twin(release(`  unpin(l.value);`, `  leases.delete(id);`), release(`  if (c) unpin(l.value);`, `  leases.delete(id);`), 10, 'notUnpinned');
// A nullish test of the value read from the container: the empty case has nothing to unpin.
twin(
  [...lease, `function release(id: number) {`, `  const l = leases.get(id);`, `  if (l) unpin(l.value);`, `  leases.delete(id);`, `}`],
  [...lease, `function release(id: number) {`, `  const l = leases.get(id);`, `  if (l) work();`, `  leases.delete(id);`, `}`],
  9,
  'notUnpinned',
);
// Handed on: the caller answers for it.
twin(
  [...lease, `function take(id: number) {`, `  const l = leases.get(id);`, `  leases.delete(id);`, `  return l;`, `}`],
  [...lease, `function take(id: number) {`, `  const l = leases.get(id);`, `  leases.delete(id);`, `  return l?.key;`, `}`],
  8,
  'notUnpinned',
);
// clear() after a loop that unpins every value.
twin(
  [...lease, `function reset() {`, `  for (const l of leases.values()) unpin(l.value);`, `  leases.clear();`, `}`],
  [...lease, `function reset() {`, `  for (const l of leases.values()) deref(l.value);`, `  leases.clear();`, `}`],
  8,
  'notUnpinned',
);
twin(
  [...lease, `function reset() {`, `  leases.forEach((l) => unpin(l.value));`, `  leases.clear();`, `}`],
  [...lease, `function reset() {`, `  leases.forEach((l) => deref(l.value));`, `  leases.clear();`, `}`],
  8,
  'notUnpinned',
);
// An array: pop() whose value is dropped.
const push = [`function push(h: HeapRef<Owner>) {`, `  pin(h);`, `  held.push({ key: 'k', value: h });`, `}`];
twin([...push, `function drop() {`, `  const l = held.pop();`, `  if (l !== undefined) unpin(l.value);`, `}`], [...push, `function drop() {`, `  held.pop();`, `}`], 6, 'notUnpinned');
// splice() whose value is destructured, and a destructured Map value.
twin(
  [...push, `function removeAt(i: number) {`, `  const [l] = held.splice(i, 1);`, `  unpin(l.value);`, `}`],
  [...push, `function removeAt(i: number) {`, `  const [l] = held.splice(i, 1);`, `  deref(l.value);`, `}`],
  6,
  'notUnpinned',
);
twin(
  [...lease, `function release(id: number) {`, `  const { value } = leases.get(id)!;`, `  leases.delete(id);`, `  unpin(value);`, `}`],
  [...lease, `function release(id: number) {`, `  const { value } = leases.get(id)!;`, `  leases.delete(id);`, `  deref(value);`, `}`],
  8,
  'notUnpinned',
);
// The handle to unpin read through the class's own getter (`this.get(k)` returns `this.m.get(k)`).
const library = (unload: string) => [
  `class Library {`,
  `  private readonly m = new Map<string, HeapRef<Owner>>();`,
  `  load(k: string, o: Owner) { const h = newHeapRef(o); pin(h); this.m.set(k, h); }`,
  `  get(k: string) { const h = this.m.get(k); if (h === undefined) throw new Error(k); return h; }`,
  `  unload(k: string) {`,
  unload,
  `    this.m.delete(k);`,
  `  }`,
  `}`,
];
twin(library(`    unpin(this.get(k));`), library(`    deref(this.get(k));`), 7, 'notUnpinned');
// A field overwritten outside the constructor.
twin(
  [`class Holder {`, `  h = 0 as HeapRef<Owner>;`, `  set(h: HeapRef<Owner>) { pin(h); if (this.h !== 0) unpin(this.h); this.h = h; }`, `}`],
  [`class Holder {`, `  h = 0 as HeapRef<Owner>;`, `  set(h: HeapRef<Owner>) { pin(h); this.h = h; }`, `}`],
  3,
  'notUnpinned',
);

// ---- freeHeapRef of a handle read from a slot, before the slot is cleared ----
twin(
  [`function evict(p: Ptr<Node>) {`, `  const h = N.owner.get(p);`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `  freeHeapRef(h);`, `}`],
  [`function evict(p: Ptr<Node>) {`, `  const h = N.owner.get(p);`, `  freeHeapRef(h);`, `  typedmemclr(Node, p);`, `  removeRoot(p);`, `}`],
  3,
  'freeHeapRefRooted',
);
// Replaced in the same slot before the free.
twin(
  [`function swap(p: Ptr<Node>, o: Owner) {`, `  const old = N.owner.get(p);`, `  N.owner.set(p, newHeapRef(o));`, `  freeHeapRef(old);`, `}`],
  [`function swap(p: Ptr<Node>, o: Owner) {`, `  const old = N.owner.get(p);`, `  if (c) N.owner.set(p, newHeapRef(o));`, `  freeHeapRef(old);`, `}`],
  4,
  'freeHeapRefRooted',
);
// A record handed to code that may clear it (the cache's retire helper in another file).
twin(
  [`function evict(p: Ptr<Node>) {`, `  const h = N.owner.get(p);`, `  retire(p);`, `  freeHeapRef(h);`, `}`],
  [`function evict(p: Ptr<Node>) {`, `  const h = N.owner.get(p);`, `  freeHeapRef(h);`, `  retire(p);`, `}`],
  3,
  'freeHeapRefRooted',
);

// ---- no false positives ----
// Ordinary JS objects holding numbers, in containers that come and go.
valid.push({ code: code(`const m = new Map<number, { key: string; n: number }>();`, `function f() {`, `  m.set(1, { key: 'k', n: 2 });`, `  gc();`, `  m.delete(1);`, `  m.clear();`, `}`) });
// Addresses (Ptr) in a Map and an object: numbers the collector never follows.
valid.push({ code: code(`const index = new Map<string, { p: Ptr<Node> }>();`, `function f() {`, `  const p = persistentalloc<Node>(Node.size);`, `  keep(p);`, `  index.set('k', { p });`, `  gc();`, `  index.delete('k');`, `}`) });
// A handle held only in a local variable or in a rooted slot.
valid.push({ code: code(`function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  const p = persistentalloc<Node>(Node.size);`, `  addRoot(p, Node);`, `  N.owner.set(p, h);`, `  gc();`, `  return deref(N.owner.get(p));`, `}`) });
// nil stored into a handle place holds nothing.
valid.push({ code: code(`class H {`, `  h = 0 as HeapRef<Owner>;`, `  reset() { this.h = 0 as HeapRef<Owner>; }`, `}`) });
// A closure called at once, and a callback a library container runs before it returns.
valid.push({ code: code(`function f(o: Owner, xs: number[]) {`, `  const h = newHeapRef(o);`, `  const n = (() => deref(h).name)();`, `  xs.forEach(() => deref(h));`, `  return n;`, `}`) });
// A library container's queries keep nothing: the handle is only looked up.
valid.push({ code: code(`function f(o: Owner) {`, `  const h = newHeapRef(o);`, `  if (all.includes(h)) gc();`, `  return all.indexOf(h);`, `}`) });
// A handle read from a JS holder (a field, another lease) was judged where it entered the JS heap.
valid.push({ code: code(`class Box {`, `  h = 0 as HeapRef<Owner>;`, `  snapshot() { gc(); return { key: 'k', value: this.h }; }`, `  copy(l: Lease) { held.push({ key: l.key, value: l.value }); all.push(l.value); }`, `}`) });
// A container the file keeps only unpinned handles in briefly: leaving it needs no unpin (there is no pin).
valid.push({ code: code(`function f(o: Owner) {`, `  const hs: HeapRef<Owner>[] = [];`, `  hs.push(newHeapRef(o));`, `  hs.pop();`, `}`) });

ruleTester.run('no-unrooted-heap-refs (handles held by JavaScript)', rule, { valid, invalid });

// ---- cost: linear in the code, with counters (never timing) ----
describe('handles held by JavaScript: cost', () => {
  const eslint = new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: fixturesDir } },
        plugins: { offheap: { rules: rules as never } },
        rules: { 'offheap/no-unrooted-heap-refs': 'error' },
      },
    ],
  });
  /** n functions that keep, pin, unpin, remove, load and call helpers that may or may not collect. */
  const program = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => [
      `function helper${i}() { ${i > 0 ? `helper${i - 1}();` : 'work();'} }`,
      `function f${i}(o: Owner, p: Ptr<Node>) {`,
      `  const h = newHeapRef(o);`,
      `  leases.set(${i}, { key: 'k${i}', value: h });`,
      `  pin(h);`,
      `  const l = leases.get(${i});`,
      `  if (l) unpin(l.value);`,
      `  leases.delete(${i});`,
      `  const v = N.owner.get(p);`,
      `  if (c) helper${i}(); else gcStep(1);`,
      `  typedmemclr(Node, p);`,
      `  freeHeapRef(v);`,
      `}`,
    ]).flat();
  const measure = async (n: number) => {
    for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
    for (const k of Object.keys(handleStats) as (keyof typeof handleStats)[]) handleStats[k] = 0;
    const [res] = await eslint.lintText(code(...program(n)), { filePath: path.join(fixturesDir, 'file.ts') });
    return { messages: res.messages.length, work: flowStats.transfers + flowStats.stateOps, handles: { ...handleStats } };
  };

  it('a question past its budget counts as "may run the collector": the finding is kept, never dropped', async () => {
    const chain = Array.from({ length: 10 }, (_, i) => `function step${i}() { ${i > 0 ? `step${i - 1}();` : 'all.length;'} }`);
    const put = [`function put(o: Owner) {`, `  const h = newHeapRef(o);`, `  all.push(h);`, `  step9();`, `  pin(h);`, `}`];
    const lintIt = async () => (await eslint.lintText(code(...chain, ...put), { filePath: path.join(fixturesDir, 'file.ts') }))[0].messages.map((m) => m.messageId);
    expect(await lintIt()).toEqual([]);
    const saved = handleLimits.functionsPerQuery;
    handleLimits.functionsPerQuery = 3;
    try {
      expect(await lintIt()).toEqual(['heapRefOnJsHeap']);
    } finally {
      handleLimits.functionsPerQuery = saved;
    }
  });

  it('grows linearly with the number of functions (a chain of helpers included)', async () => {
    const small = await measure(40);
    const big = await measure(160);
    expect(small.messages).toBe(0);
    expect(big.messages).toBe(0);
    expect(small.handles.keeps).toBeGreaterThan(0);
    expect(small.handles.leaves).toBeGreaterThan(0);
    // Four times the code: at most about four times the work (no quadratic term).
    for (const k of ['keeps', 'leaves', 'collectorQueries', 'functionsScanned', 'reachVisits', 'derivedWalks'] as const) {
      expect(big.handles[k], k).toBeLessThanOrEqual(4.5 * small.handles[k] + 8);
    }
    expect(big.work).toBeLessThanOrEqual(4.5 * small.work);
    // Each helper's body is read once, however many queries pass through the chain.
    expect(big.handles.functionsScanned).toBeLessThanOrEqual(2 * 160 + 8);
  });
});
