// offheap/no-unrooted-heap-refs. Go: every heap pointer in unmanaged memory
// must be an explicit root (HACKING.md, "Unmanaged memory", rule 1): the
// collector never traces into unmanaged memory, only root jobs (markroot)
// make its pointer slots visible.
//
// Run-time forms: an object referenced only from an unrooted slot is
// collected, and the next deref throws StaleHandleError; a record unrooted
// with a reference still in it and rooted again later hands the collector a
// dead handle: BadPointerError (debug mode).
import { FixAlloc, heapRef, struct, u32, type LayoutType, type Ptr, type Runtime } from 'offheap';
import { Rec, type Obj } from './layouts.js';

/** Stores a handle into a record that is never registered as a root. */
export function unrootedStore(rt: Runtime): string {
  const R = rt.access(Rec);
  const p = new FixAlloc(Rec, { runtime: rt }).alloc();
  R.ref.set(p, rt.newHeapRef<Obj>({ name: 'label' })); // expect: offheap/no-unrooted-heap-refs (unrootedStore)
  rt.gc();
  return rt.deref(R.ref.get(p)).name;
}

/** Deactivates a record with its reference still in it, then activates it again. */
export function unrootUncleared(rt: Runtime): void {
  const R = rt.access(Rec);
  const p = new FixAlloc(Rec, { runtime: rt }).alloc();
  rt.addRoot(p, Rec);
  R.ref.set(p, rt.newHeapRef<Obj>({ name: 'label' }));
  rt.removeRoot(p); // expect: offheap/no-unrooted-heap-refs (unrootUncleared)
  rt.gc(); // the label is collected: nothing roots it
  rt.addRoot(p, Rec);
  rt.gc(); // the slot still names the collected label
}

/** A cache entry layout that nothing in the program registers as a root. */
const Cache = struct('Cache', { key: u32, value: heapRef<Obj>() });
type CacheT = LayoutType<typeof Cache>;

/** Caches an object in a pool of records that are never roots; the JS index holds only their addresses. */
export function neverRooted(rt: Runtime): string {
  const C = rt.access(Cache);
  const cache = new FixAlloc(Cache, { runtime: rt }); // expect: offheap/no-unrooted-heap-refs (neverRooted)
  const index = new Map<string, Ptr<CacheT>>();
  const p = cache.alloc();
  C.value.set(p, rt.newHeapRef<Obj>({ name: 'cached' }));
  index.set('cached', p);
  rt.gc();
  return rt.deref(C.value.get(index.get('cached')!)).name;
}
