// The `offheap` runtime: unmanaged memory with Go's allocators and rules.
export type { Garbage, HeapRef, MaybeGarbage, NotInHeap, Ptr } from './types.js';
export { nil } from './types.js';
