// offheap/zeroing-variant. Go: zero-initialization versus zeroing (HACKING.md).
// Memory that may still be garbage is zero-initialized without barriers
// (memclrNoHeapPointers); type-safe memory that may hold live pointers is
// zeroed with the deletion barrier (typedmemclr, memclrHasPointers).
//
// Run-time forms (debug mode, checkmark on):
// - a barrier over garbage shades junk words: BadPointerError;
// - a clear without the barrier drops a reference the collector has not seen
//   yet: checkmark reports LostObjectError.
import { FixAlloc, type Ptr, type Runtime } from 'offheap';
import { Rec, type Obj, type RecT } from './layouts.js';
import { junkPool } from './zero-before-root.js';

/**
 * Clears a rooted record without the deletion barrier while the collector
 * marks. The pin table was scanned before JS pinned the handle it read from
 * the record, so the record's slot was the object's only grey path.
 */
export function clearWithoutBarrier(rt: Runtime): void {
  const R = rt.access(Rec);
  const p = new FixAlloc(Rec, { runtime: rt }).alloc();
  rt.addRoot(p, Rec);
  R.ref.set(p, rt.newHeapRef<Obj>({ name: 'live' }));
  rt.gcStart();
  rt.gcStep(rt.gcStats().pinTable); // exactly the pin table: the record is still grey
  const h = R.ref.get(p);
  rt.pin(h); // JS keeps the object from here on
  rt.memclrNoHeapPointers(p, Rec.size); // expect: offheap/zeroing-variant (missedBarrier)
  rt.gcFinish(); // checkmark: h is reachable (pinned) but was never marked
}

/** Zero-initializes reused memory with the barriered clear while the collector marks. */
export function barrierOnGarbage(rt: Runtime): void {
  const pool = junkPool(rt);
  pool.free(pool.alloc());
  rt.gcStart(); // the barrier is on while marking
  const q = pool.alloc(); // the freed object's bytes (debug: poison)
  rt.typedmemclr(Rec, q as Ptr<RecT>); // expect: offheap/zeroing-variant (barrierOnGarbage)
}

/** A barriered HeapRef store as the first write into reused memory. */
export function storeOnGarbage(rt: Runtime): Ptr<RecT> {
  const pool = junkPool(rt);
  pool.free(pool.alloc());
  rt.gcStart();
  // A second mistake: the program roots other Rec records (each right after its own alloc), never this one.
  const q = pool.alloc() as Ptr<RecT>; // expect: offheap/no-unrooted-heap-refs (neverRooted)
  rt.access(Rec).ref.set(q, rt.newHeapRef<Obj>({ name: 'new' })); // expect: offheap/zeroing-variant (storeOnGarbage)
  return q;
}

/** Clears a rooted record through a raw view of the space: no deletion barrier on its HeapRef slot. */
export function rawClear(rt: Runtime, p: Ptr<RecT>): void {
  rt.space.u8.fill(0, p, p + Rec.size); // expect: offheap/zeroing-variant (missedBarrier)
}
