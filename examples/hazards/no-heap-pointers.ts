// offheap/no-heap-pointers. Go: a not-in-heap type must not contain heap
// pointers (HACKING.md, "Unmanaged memory"; sys.NotInHeap). The collector
// never scans unmanaged memory, so an object referenced only from there can be
// freed while the record still refers to it. Only a HeapRef slot, covered by a
// root and written through the barrier, may refer to the JS heap.
//
// These mistakes have no run-time form: a layout's fields are numbers, so a
// JS reference cannot even be written into unmanaged memory. The types are
// where the mistake is made, and where the lint catches it.
import type { FixedArray, NotInHeap, Ptr } from 'offheap';
import type { Named } from './layouts.js';
import type { Arena } from './no-heap-allocation.js';

class Owner {
  name = 'spans';
}

export type Span = NotInHeap<{
  next: Ptr<Span>;
  npages: number;
  owner: Owner; // expect: offheap/no-heap-pointers (heapPointer)
  name: string; // expect: offheap/no-heap-pointers (heapPointer)
  extra: unknown; // expect: offheap/no-heap-pointers (unprovable)
  arenaClass: typeof Arena; // expect: offheap/no-heap-pointers (heapPointer)
}>;

// Holding a Span by value makes Holder not-in-heap too (containment, P3).
export interface Holder {
  span: Span;
  label: string; // expect: offheap/no-heap-pointers (heapPointer)
}

// The string field comes from a declaration in another file (layouts.ts).
export type Tagged = NotInHeap<Named & { id: number }>; // expect: offheap/no-heap-pointers (foreignHeapPointer)

// A runtime generic filled with a JS object: the FixedArray's elements are heap references.
export type Owners = NotInHeap<{
  count: number;
  owners: FixedArray<Owner, 4>; // expect: offheap/no-heap-pointers (instanceHeapPointer)
}>;

// A type whose by-value graph never ends (each level instantiates a new type), declared beside the runtime's types
// (it names Ptr): the walk gives up and says so. The same chain naming nothing of the runtime is proven ordinary.
export interface Endless<T> { // expect: offheap/no-heap-pointers (cannotProve)
  next: Endless<[T]>;
  v: T;
  at: Ptr<T>;
}
