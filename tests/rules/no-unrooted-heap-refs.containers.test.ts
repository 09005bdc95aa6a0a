// A pointer put into a container local to the function (an array, a Map, an
// object literal held by a local variable) is handed on only when the
// container itself is: returned, passed, stored. A container used in a way the
// flow does not follow (read back, iterated, copied, captured) gives "cannot
// prove" for what it holds instead of silently counting it as handed on.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds } from '../../src/rules/no-unrooted-heap-refs.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

const head = [
  `import { struct, u32, heapRef, access, persistentalloc, addRoot, type HeapRef, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Rec = struct('Rec', { count: u32, owner: heapRef<Owner>() }); type Rec = LayoutType<typeof Rec>; const R = access(Rec);`,
  `declare const ref: HeapRef<Owner>; declare const c: boolean; declare function take(xs: Ptr<Rec>[]): void; declare function later(f: () => void): void;`,
  `class Box { items: Ptr<Rec>[] = []; } function keep(p: Ptr<Rec>) { addRoot(p, Rec); }`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

const valid: ValidTestCase<[]>[] = [];
const invalid: InvalidTestCase<MessageIds, []>[] = [];

function twin(ok: string[], broken: string[], line: number, messageId: MessageIds = 'unrootedStore'): void {
  valid.push({ code: code(...ok) });
  invalid.push({ code: code(...broken), errors: [{ messageId, line: L(line) }] });
}
const alloc = `  const p = persistentalloc<Rec>(Rec.size);`;
const store = `  R.owner.set(p, ref);`;
const batch = `  const batch: Ptr<Rec>[] = [];`;

// The shape: pushed into a local array that is never handed on.
twin([`function f() {`, batch, alloc, store, `  batch.push(p);`, `  return batch;`, `}`], [`function f() {`, batch, alloc, store, `  batch.push(p);`, `  return batch.length;`, `}`], 4);
// The array stored into a field, passed to a call.
twin([`function f(b: Box) {`, batch, alloc, store, `  batch.push(p);`, `  b.items = batch;`, `}`], [`function f(b: Box) {`, batch, alloc, store, `  batch.push(p);`, `  b.items = [];`, `}`], 4);
twin([`function f() {`, batch, alloc, store, `  batch.push(p);`, `  take(batch);`, `}`], [`function f() {`, batch, alloc, store, `  batch.push(p);`, `  if (c) take(batch);`, `}`], 4);
// An element assignment, an unshift, a Map.
twin([`function f() {`, batch, alloc, store, `  batch[0] = p;`, `  return batch;`, `}`], [`function f() {`, batch, alloc, store, `  batch[0] = p;`, `  return 0;`, `}`], 4);
twin(
  [`function f() {`, `  const m = new Map<string, Ptr<Rec>>();`, alloc, store, `  m.set('a', p);`, `  return m;`, `}`],
  [`function f() {`, `  const m = new Map<string, Ptr<Rec>>();`, alloc, store, `  m.set('a', p);`, `}`],
  4,
);
// An array literal and an object literal held by a local.
twin([`function f() {`, alloc, store, `  const xs = [p];`, `  return xs;`, `}`], [`function f() {`, alloc, store, `  const xs = [p];`, `  return xs.length;`, `}`], 3);
twin([`function f() {`, alloc, store, `  const o = { p };`, `  return o;`, `}`], [`function f() {`, alloc, store, `  const o = { p };`, `  return o.p === 0;`, `}`], 3, 'unrootedCannotProve');
// An alias of the container escaping is the container escaping.
twin([`function f() {`, batch, alloc, store, `  batch.push(p);`, `  const b2 = batch;`, `  return b2;`, `}`], [`function f() {`, batch, alloc, store, `  batch.push(p);`, `  const b2 = batch;`, `  return b2.length;`, `}`], 4);
// Rooted directly: the container does not matter.
valid.push({ code: code(`function f() {`, batch, alloc, store, `  batch.push(p);`, `  addRoot(p, Rec);`, `  for (const x of batch) later(() => x);`, `}`) });
// Pushed on one path, returned on every path: the other path leaks.
invalid.push({ code: code(`function f() {`, batch, alloc, store, `  if (c) batch.push(p);`, `  return batch;`, `}`), errors: [{ messageId: 'unrootedStore', line: L(4) }] });
// Uses the flow does not follow: cannot prove, never silently clean.
for (const use of [`  return batch.concat([]);`, `  return [...batch];`, `  const [first] = batch;`, `  for (const x of batch) take([x]);`, `  later(() => take(batch));`, `  return batch.slice();`, `  return batch[0];`]) {
  invalid.push({ code: code(`function f() {`, batch, alloc, store, `  batch.push(p);`, use, `}`), errors: [{ messageId: 'unrootedCannotProve', line: L(4) }] });
}

// A store into an allocation of a block (a loop body, a branch) is still owed after the block: its variable is gone, not the object.
twin(
  [`function f() {`, `  for (const x of [1, 2]) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    addRoot(p, Rec);`, `  }`, `}`],
  [`function f() {`, `  for (const x of [1, 2]) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `  }`, `}`],
  4,
);
twin(
  [`function f() {`, `  if (c) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    keep(p);`, `  }`, `  return 0;`, `}`],
  [`function f() {`, `  if (c) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `  }`, `  return 0;`, `}`],
  4,
);
// Allocated, stored and pushed inside a block, the container returned after it; each iteration's record.
twin(
  [`function f() {`, batch, `  if (c) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    batch.push(p);`, `  }`, `  return batch;`, `}`],
  [`function f() {`, batch, `  if (c) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    batch.push(p);`, `  }`, `  return batch.length;`, `}`],
  5,
);
twin(
  [`function f() {`, batch, `  for (const x of [1, 2]) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    batch.push(p);`, `  }`, `  return batch;`, `}`],
  [`function f() {`, batch, `  for (const x of [1, 2]) {`, `    const p = persistentalloc<Rec>(Rec.size);`, `    R.owner.set(p, ref);`, `    batch.push(p);`, `  }`, `  return batch.length;`, `}`],
  5,
);
// Pushed on both paths and returned: clean (the one-path twin is above).
valid.push({ code: code(`function f() {`, batch, alloc, store, `  if (c) batch.push(p);`, `  else batch.unshift(p);`, `  return batch;`, `}`) });
// Rooted on the path that does not push it, pushed on the other, the container handed on: clean, as the branch on a
// `const` keeps the two paths apart. Tested on anything else, the paths join, and after the join the flow cannot tell
// them apart ("in `batch`" holds on one of them only), so it keeps the store owed: loud, never silent.
valid.push({ code: code(`function f() {`, batch, alloc, store, `  if (c) batch.push(p);`, `  else addRoot(p, Rec);`, `  return batch;`, `}`) });
invalid.push({ code: code(`function f() {`, batch, alloc, store, `  if (Math.random() > 0.5) batch.push(p);`, `  else addRoot(p, Rec);`, `  return batch;`, `}`), errors: [{ messageId: 'unrootedStore', line: L(4) }] });
// A helper that puts its parameter into a local array it drops does not hand it on; one that returns the array does.
twin(
  [`function gather(x: Ptr<Rec>) { const b: Ptr<Rec>[] = []; b.push(x); return b; }`, `function f() {`, alloc, store, `  return gather(p);`, `}`],
  [`function gather(x: Ptr<Rec>) { const b: Ptr<Rec>[] = []; b.push(x); return b.length; }`, `function f() {`, alloc, store, `  return gather(p);`, `}`],
  4,
);
// A helper that keeps its parameter in a local container it uses in a way the flow does not follow (a loop over it
// feeding a callback): the caller cannot prove the store handed on, and says so (it said unrootedStore).
{
  const peek = `function peek(x: Ptr<Rec>) { const b: Ptr<Rec>[] = []; b.push(x); for (const y of b) later(() => y); }`;
  twin([peek, `function f() {`, alloc, store, `  peek(p);`, `  keep(p);`, `}`], [peek, `function f() {`, alloc, store, `  peek(p);`, `}`], 4, 'unrootedCannotProve');
  // Passed to that helper on one path and rooted on the other: still cannot prove; rooted after it on every path: clean.
  invalid.push({ code: code(peek, `function f() {`, alloc, store, `  if (c) peek(p);`, `  else keep(p);`, `}`), errors: [{ messageId: 'unrootedCannotProve', line: L(4) }] });
  valid.push({ code: code(peek, `function f() {`, alloc, store, `  if (c) peek(p);`, `  keep(p);`, `}`) });
}
// A Map read back with `get` into a variable: the container is still followed, and the variable names what it holds
// (the only object it holds: an alias of it; several: "cannot prove", the value may be any of them).
{
  const map = `  const m = new Map<string, Ptr<Rec>>();`;
  const q = `  const q = m.get('a');`;
  twin([`function f() {`, map, alloc, store, `  m.set('a', p);`, q, `  if (q) R.count.get(q);`, `  return m;`, `}`], [`function f() {`, map, alloc, store, `  m.set('a', p);`, q, `  if (q) R.count.get(q);`, `  return m.size;`, `}`], 4);
  // Rooted through the value read back.
  twin([`function f() {`, map, alloc, store, `  m.set('a', p);`, `  const r = m.get('a')!;`, `  keep(r);`, `}`], [`function f() {`, map, alloc, store, `  m.set('a', p);`, `  const r = m.get('a')!;`, `  R.count.get(r);`, `}`], 4);
  // Two objects in the map: which one `get` returns is not followed.
  const two = [`function f() {`, map, alloc, store, `  const p2 = persistentalloc<Rec>(Rec.size);`, `  R.owner.set(p2, ref);`, `  m.set('a', p);`, `  m.set('b', p2);`, `  const r = m.get('a')!;`];
  valid.push({ code: code(...two, `  keep(r);`, `  return m;`, `}`) });
  invalid.push({ code: code(...two, `  keep(r);`, `}`), errors: [{ messageId: 'unrootedCannotProve', line: L(4) }, { messageId: 'unrootedCannotProve', line: L(6) }] });
  // Read back anywhere else (an argument, a return): not followed, as before.
  invalid.push({ code: code(`function f() {`, map, alloc, store, `  m.set('a', p);`, `  keep(m.get('a')!);`, `}`), errors: [{ messageId: 'unrootedCannotProve', line: L(4) }] });
}
// A nested container, and a container put into another container.
twin([`function f() {`, alloc, store, `  const o = { list: [p] };`, `  return o;`, `}`], [`function f() {`, alloc, store, `  const o = { list: [p] };`, `  return o === null;`, `}`], 3);
twin(
  [`function f() {`, batch, `  const all: Ptr<Rec>[][] = [];`, alloc, store, `  batch.push(p);`, `  all.push(batch);`, `  return all;`, `}`],
  [`function f() {`, batch, `  const all: Ptr<Rec>[][] = [];`, alloc, store, `  batch.push(p);`, `  all.push(batch);`, `  return all.length;`, `}`],
  5,
);
// A library container made from a literal holds what the literal lists, as if put in one by one (`m.set(k, p)`).
twin([`function f() {`, alloc, store, `  const m = new Map([['a', p]]);`, `  return m;`, `}`], [`function f() {`, alloc, store, `  const m = new Map([['a', p]]);`, `  return m.size;`, `}`], 3);
twin(
  [`function f() {`, alloc, store, `  const m = new Map<string, Ptr<Rec>>([['a', p]]);`, `  if (m.has('a')) return m;`, `  return m;`, `}`],
  [`function f() {`, alloc, store, `  const m = new Map<string, Ptr<Rec>>([['a', p]]);`, `  return m.has('a');`, `}`],
  3,
);
twin([`function f() {`, alloc, store, `  const s = new Set([p]);`, `  return s;`, `}`], [`function f() {`, alloc, store, `  const s = new Set([p]);`, `  return s.size;`, `}`], 3);
// Not kept by a local: handed on with the new container, as before.
valid.push({ code: code(`function f() {`, alloc, store, `  return new Map([['a', p]]);`, `}`) });

ruleTester.run('no-unrooted-heap-refs (local containers)', rule, { valid, invalid });
