// offheap/no-hidden-heap-pointers. Go: a heap pointer hidden in a uintptr is
// invisible to the collector, which may free the object; the number then
// names a dead (or reused) object. A HeapRef is a heap pointer only in a
// HeapRef slot of a layout, written through the barrier.
//
// Run-time form: a handle kept in a u32 field of a rooted record is not in the
// layout's pointer bitmap, so the collector frees its object and the next
// deref throws StaleHandleError.
import { FixAlloc, type HeapRef, type NotInHeap, type Runtime } from 'offheap';
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
