// offheap/no-hidden-heap-pointers. Go: a heap pointer hidden in a uintptr is
// invisible to the collector, which may free the object; the number then
// names a dead (or reused) object. A HeapRef is a heap pointer only in a
// HeapRef slot of a layout, written through the barrier.
//
// Run-time form: a handle kept in a u32 field of a rooted record is not in the
// layout's pointer bitmap, so the collector frees its object and the next
// deref throws StaleHandleError.
import { createRuntime, deref, FixAlloc, type HeapRef, type NotInHeap, type Runtime } from 'offheap';
import { Rec, type Obj } from './layouts.js';

/** Keeps a handle in the record's `n` (a u32), not in its `ref` slot. */
export function hideInNumberField(rt: Runtime): string {
  const R = rt.access(Rec);
  const p = new FixAlloc(Rec, { runtime: rt }).alloc();
  rt.addRoot(p, Rec);
  R.n.set(p, rt.newHeapRef<Obj>({ name: 'hidden' })); // expect: offheap/no-hidden-heap-pointers (rawWrite)
  rt.gc(); // the root's bitmap covers `ref` only: the object is collected
  return rt.deref(R.n.get(p) as HeapRef<Obj>).name;
}

/** A raw typed-array store: no barrier, and the slot may not be in any bitmap. */
export function rawStore(words: Uint32Array, i: number, h: HeapRef<Obj>): void {
  words[i] = h; // expect: offheap/no-hidden-heap-pointers (rawWrite)
}

type Tally = NotInHeap<{ count: number }>;

/** A number field of a not-in-heap type holding a handle. */
export function countInto(t: Tally, h: HeapRef<Obj>): void {
  t.count = h; // expect: offheap/no-hidden-heap-pointers (numberField)
}

/** A handle turned into a plain number, e.g. to use as a key. */
export function handleKey(h: HeapRef<Obj>): number {
  return h; // expect: offheap/no-hidden-heap-pointers (conversion)
}

/** Stepping a handle to "the next one": a number the collector cannot see, naming another object or none. */
export function nextHandle(h: HeapRef<Obj>): HeapRef<Obj> {
  let next = h;
  next++; // expect: offheap/no-hidden-heap-pointers (conversion)
  return next;
}

/**
 * A runtime of its own next to the module-level functions: two address
 * spaces, two handle tables, two collectors. The handle `own` made names
 * nothing in the default runtime: deref throws ForeignPointerError.
 */
export function mixRuntimes(o: Obj): string {
  const own = createRuntime({ maxBytes: 1 << 20 });
  const h = own.newHeapRef(o);
  return deref(h).name; // expect: offheap/no-hidden-heap-pointers (mixedRuntimes) offheap/no-hidden-heap-pointers (foreignRuntime)
}
