// offheap/no-heap-allocation (sharedPoolHeapRef). A HeapRef names a JS object
// of one thread's heap, kept alive by that thread's collector only. A pool
// that other threads open hands its records to all of them, so its layout
// must have no HeapRef slots (Go: each P's heap objects are the GC's; off-heap
// memory shared between threads holds no pointers into it).
//
// Run-time form: a second thread that opens the pool gets SharedPoolError
// ERR_SHARED_HEAPREF; with one thread only, nothing fails, and the pool is a
// private FixAlloc under a misleading name.
import { createRuntime, f64, sharedPool, struct, type FixAlloc, type Layout, type LayoutType } from 'offheap';
import { Rec } from './layouts.js';

/** Pointer-free scratch: shared freely. */
export const Scratch = struct('Scratch', { x: f64, y: f64 });
export type ScratchT = LayoutType<typeof Scratch>;

const rt = createRuntime({ shared: true });

/** Fine: every thread may allocate scratch records from this pool. */
export const scratch = sharedPool(rt, 'hazards.scratch', Scratch);

/** A shared pool of records with a HeapRef slot. */
export const records = sharedPool(rt, 'hazards.records', Rec); // expect: offheap/no-heap-allocation (sharedPoolHeapRef)

/** A generic over its layout: which records its instantiations hold, this call cannot tell. */
export function openShared<T>(L: Layout<T>, name: string): FixAlloc<T> {
  return sharedPool(rt, name, L); // expect: offheap/no-heap-allocation (sharedPoolUnproven)
}
