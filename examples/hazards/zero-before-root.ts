// offheap/zero-before-root. Go: if unmanaged memory is reused, its pointer
// slots must be zero-initialized before they become visible as roots
// (HACKING.md, "Unmanaged memory", rule 2). Otherwise the collector scans the
// previous object's words as live references.
//
// Run-time form (debug mode): a freed FixAlloc object is poisoned; published
// as a root before it is cleared, the collector meets the poison in its
// HeapRef slot and throws BadPointerError ("found bad pointer").
import { FixAlloc, type Ptr, type Runtime } from 'offheap';
import { Rec, type RecT } from './layouts.js';

/** A pool that does not clear reused objects, for a layout with a HeapRef slot. */
export function junkPool(rt: Runtime): FixAlloc<RecT, false> {
  return new FixAlloc(Rec, { runtime: rt, zero: false }); // expect: offheap/zero-before-root (nonZeroingPool)
}

/** Publishes a reused object as a root before zero-initializing it. */
export function publishReused(rt: Runtime): void {
  const pool = junkPool(rt);
  pool.free(pool.alloc());
  const q = pool.alloc(); // the freed object's memory, with its bytes (debug: poison)
  rt.addRoot(q as Ptr<RecT>, Rec); // expect: offheap/zero-before-root (notZeroed)
  rt.gc();
}

/** Initializes objects in `first`, which runs for fresh addresses only: a reused object comes back with n = 0. */
export function initInFirst(rt: Runtime): number {
  const R = rt.access(Rec);
  const pool = new FixAlloc(Rec, { runtime: rt, first: (p) => R.n.set(p, 1) }); // expect: offheap/zero-before-root (initInFirst)
  pool.free(pool.alloc());
  return R.n.get(pool.alloc());
}

/** A hook with no body to analyse (a declaration only). */
declare function externalFirst(p: Ptr<RecT>): void;

/** Passes a `first` hook the lint cannot see into: whether it initializes objects is not provable. */
export function opaqueFirst(rt: Runtime): FixAlloc<RecT> {
  return new FixAlloc(Rec, { runtime: rt, first: externalFirst }); // expect: offheap/zero-before-root (firstCannotProve)
}

/** Pins a handle read from reused memory before zero-initializing it: a pin is a root, and the word is stale. */
export function pinnedGarbage(rt: Runtime): void {
  const pool = junkPool(rt);
  pool.free(pool.alloc());
  const q = pool.alloc();
  const h = rt.access(Rec).ref.get(q as Ptr<RecT>); // the freed object's old word (debug: poison)
  rt.pin(h); // expect: offheap/zero-before-root (notZeroed)
}
