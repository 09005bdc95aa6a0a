// offheap/no-unrooted-heap-refs. Go: every heap pointer in unmanaged memory
// must be an explicit root (HACKING.md, "Unmanaged memory", rule 1): the
// collector never traces into unmanaged memory, only root jobs (markroot)
// make its pointer slots visible.
//
// Run-time forms: an object referenced only from an unrooted slot is
// collected, and the next deref throws StaleHandleError; a record unrooted
// with a reference still in it and rooted again later hands the collector a
// dead handle: BadPointerError (debug mode).
import { FixAlloc, heapRef, struct, u32, type HeapRef, type Layout, type LayoutType, type Ptr, type Runtime } from 'offheap';
import { Rec, type Obj, type RecT } from './layouts.js';

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
  C.value.set(p, rt.newHeapRef<Obj>({ name: 'cached' })); // expect: offheap/no-unrooted-heap-refs (unrootedCannotProve)
  index.set('cached', p);
  rt.gc();
  return rt.deref(C.value.get(index.get('cached')!)).name;
}

/** Frees a record that is still a root: the collector would keep scanning memory the pool may hand out again (debug mode refuses the free). */
export function freeRooted(rt: Runtime): void {
  const pool = new FixAlloc(Rec, { runtime: rt });
  const p = pool.alloc();
  rt.addRoot(p, Rec);
  pool.free(p); // expect: offheap/no-unrooted-heap-refs (freeRooted)
  rt.gc(); // without debug mode the root table still holds p: the collector scans freed memory
}

/** Stores a handle into a record after retiring it in Go's order: unroot, then free. */
export function useAfterFree(rt: Runtime): void {
  const R = rt.access(Rec);
  const pool = new FixAlloc(Rec, { runtime: rt });
  const p = pool.alloc();
  rt.addRoot(p, Rec);
  rt.typedmemclr(Rec, p);
  rt.removeRoot(p);
  pool.free(p);
  R.ref.set(p, rt.newHeapRef<Obj>({ name: 'late' })); // expect: offheap/no-unrooted-heap-refs (useAfterFree)
}

/** Roots two records of a block of four, then stores a handle into the fourth. */
export function storeBeyondRoot(rt: Runtime): string {
  const p = rt.sysAlloc<RecT>(Rec.size * 4);
  rt.addRoot(p, Rec, 2);
  rt.storeHeapRef(p + 3 * Rec.size + Rec.offsets.ref, rt.newHeapRef<Obj>({ name: 'fourth' })); // expect: offheap/no-unrooted-heap-refs (storeBeyondRoot)
  rt.gc();
  const R = rt.access(Rec);
  return rt.deref(R.ref.get((p + 3 * Rec.size) as Ptr<RecT>)).name;
}

/** A cache of handles in a Map, unpinned: only JS holds them, and the collector frees their objects. */
export function heapRefOnJsHeap(rt: Runtime): string {
  const byName = new Map<string, HeapRef<Obj>>();
  const h = rt.newHeapRef<Obj>({ name: 'cached' });
  byName.set('cached', h); // expect: offheap/no-unrooted-heap-refs (heapRefOnJsHeap)
  rt.gc();
  return rt.deref(byName.get('cached')!).name;
}

/** Frees a handle while a rooted record's slot still names it. */
export function freeHeapRefRooted(rt: Runtime): void {
  const R = rt.access(Rec);
  const p = new FixAlloc(Rec, { runtime: rt }).alloc();
  rt.addRoot(p, Rec);
  const h = rt.newHeapRef<Obj>({ name: 'gone' });
  R.ref.set(p, h);
  rt.freeHeapRef(h); // expect: offheap/no-unrooted-heap-refs (freeHeapRefRooted)
  rt.gc(); // the root's slot names a freed handle
}

/** A record allocated per instance in a class field that nothing roots; the same pool's other objects may well be roots. */
export function fieldNeverRooted(rt: Runtime): string {
  const R = rt.access(Rec);
  const pool = new FixAlloc(Rec, { runtime: rt });
  class Labelled {
    slots = pool.alloc(); // expect: offheap/no-unrooted-heap-refs (fieldNeverRooted)
    label(name: string): void {
      R.ref.set(this.slots, rt.newHeapRef<Obj>({ name }));
    }
    name(): string {
      return rt.deref(R.ref.get(this.slots)).name;
    }
  }
  const l = new Labelled();
  l.label('field');
  rt.gc();
  return l.name();
}

/** Writes a scalar field after retiring the record: every accessor load or store is a use of the memory. */
export function scalarUseAfterFree(rt: Runtime): void {
  const R = rt.access(Rec);
  const pool = new FixAlloc(Rec, { runtime: rt });
  const p = pool.alloc();
  rt.addRoot(p, Rec);
  rt.typedmemclr(Rec, p);
  rt.removeRoot(p);
  pool.free(p);
  R.n.set(p, 1); // expect: offheap/no-unrooted-heap-refs (useAfterFree)
}

/** A pool wrapper that roots every record it hands out. */
class RootingPool {
  readonly pool: FixAlloc<RecT>;
  constructor(readonly rt: Runtime) {
    this.pool = new FixAlloc(Rec, { runtime: rt });
  }
  alloc(): Ptr<RecT> {
    const p = this.pool.alloc();
    this.rt.addRoot(p, Rec);
    return p;
  }
}

/** Takes a record from the wrapper's pool directly: the wrapper's addRoot roots its own allocation only. */
export function bypassedRoot(rt: Runtime): string {
  const R = rt.access(Rec);
  const rooting = new RootingPool(rt);
  const p = rooting.pool.alloc(); // expect: offheap/no-unrooted-heap-refs (neverRooted)
  R.ref.set(p, rt.newHeapRef<Obj>({ name: 'bypassed' })); // expect: offheap/no-unrooted-heap-refs (unrootedCannotProve)
  const held = [p];
  rt.gc();
  return rt.deref(R.ref.get(held[0])).name;
}

/** A generic wrapper over `Layout<T>` that unroots before it clears: wrong for every T with HeapRef slots. */
export class UnclearedPool<T> {
  constructor(
    readonly rt: Runtime,
    readonly layout: Layout<T>,
    readonly pool: FixAlloc<T>,
  ) {}
  retire(p: Ptr<T>): void {
    this.rt.removeRoot(p); // expect: offheap/no-unrooted-heap-refs (unrootUncleared)
    this.rt.typedmemclr(this.layout, p);
    this.pool.free(p);
  }
}
