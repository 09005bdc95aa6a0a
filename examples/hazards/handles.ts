// offheap/no-unrooted-heap-refs on handles held by JavaScript objects. The
// collector sees root blocks and pins only (Go: globals and goroutine
// stacks); a handle kept in an object literal, a Map value or a closure is
// invisible to it, and a pin that is never undone keeps its object forever.
//
// Run-time forms: a lease object in a Map holding an unpinned handle loses
// its object at the next collection (StaleHandleError on deref); a lease
// dropped without `unpin` leaves the handle pinned, so the object is never
// freed and `freeHeapRef` of it is refused (MisuseError).
import type { HeapRef, Runtime } from 'offheap';
import type { Obj } from './layouts.js';

/** What a caller holds while it uses a value. */
interface Lease {
  readonly id: number;
  readonly value: HeapRef<Obj>;
}

/** A lease object in a Map holds the handle; nothing pins it, and a collection runs while it is held. */
export function leaseUnpinned(rt: Runtime): string {
  const leases = new Map<number, Lease>();
  const value = rt.newHeapRef<Obj>({ name: 'leased' });
  leases.set(1, { id: 1, value }); // expect: offheap/no-unrooted-heap-refs (heapRefOnJsHeap)
  rt.gc();
  return rt.deref(leases.get(1)!.value).name;
}

/** A pinned lease leaves the Map without its unpin: the object stays pinned, and freeing it is refused. */
export function notUnpinned(rt: Runtime): void {
  const leases = new Map<number, Lease>();
  const value = rt.newHeapRef<Obj>({ name: 'leased' });
  rt.pin(value);
  leases.set(1, { id: 1, value });
  rt.gc();
  const lease = leases.get(1)!;
  leases.delete(1); // expect: offheap/no-unrooted-heap-refs (notUnpinned)
  rt.freeHeapRef(lease.value); // the pin is still there
}
