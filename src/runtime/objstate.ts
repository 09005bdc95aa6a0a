// Debug mode of a shared space: the state of every FixAlloc object, where
// every thread sees it.
//
// An unshared runtime keeps its debug object table in a Map (runtime.ts,
// debugObjects). Over a shared space, a double free, a free into the wrong
// pool or a use after free must be caught whichever thread makes it, so the
// states live in the space's bookkeeping: two bitmaps with one bit per
// 4-byte word (objects start at 4-byte multiples), `handed` (the object was
// handed out at least once) and `live` (it is handed out now). Bits of one
// word belong to different objects that different threads may change at
// once, so every change is an atomic and/or; a free clears `live` with one
// atomic and, so of two threads freeing the same object exactly one wins
// and the other gets DoubleFreeError. The pool of an object is its page's
// entry in the page owner table; its start follows from the span's first
// page (pageSpan) and the pool's size.

import { show } from './errors.js';
import { entryOf } from './mcentral.js';
import { P } from './share.js';
import { pageSize, type AddressSpace } from './space.js';

/** The start of the object of a pool with objects of `size` bytes (spans of `spanBytes`) holding byte `q`, or -1 in a span's unused tail. */
export function objectStart(space: AddressSpace, q: number, size: number, spanBytes: number): number {
  const page = q >>> 13;
  const span = (page - space.pageSpan[page]) * pageSize;
  const off = q - span;
  if (off >= Math.floor(spanBytes / size) * size) return -1;
  return span + off - (off % size);
}

/** Whether the object at `p` was ever handed out. */
export function wasHanded(space: AddressSpace, p: number): boolean {
  return (Atomics.load(space.dbgHanded, p >>> 7) & (1 << ((p >>> 2) & 31))) !== 0;
}

/** Whether the object at `p` is handed out now. */
export function isLiveObject(space: AddressSpace, p: number): boolean {
  return (Atomics.load(space.dbgLive, p >>> 7) & (1 << ((p >>> 2) & 31))) !== 0;
}

/** Marks the object at `p` handed out and live. */
export function markLive(space: AddressSpace, p: number): void {
  const bit = 1 << ((p >>> 2) & 31);
  Atomics.or(space.dbgHanded, p >>> 7, bit);
  Atomics.or(space.dbgLive, p >>> 7, bit);
}

/** Clears `live` of the object at `p`; false if it was not live (nothing changes then). */
export function release(space: AddressSpace, p: number): boolean {
  const bit = 1 << ((p >>> 2) & 31);
  return (Atomics.and(space.dbgLive, p >>> 7, ~bit) & bit) !== 0;
}

/** Forgets the object at `p` (its first hook failed: it was never handed out). */
export function forget(space: AddressSpace, p: number): void {
  const bit = 1 << ((p >>> 2) & 31);
  Atomics.and(space.dbgHanded, p >>> 7, ~bit);
  Atomics.and(space.dbgLive, p >>> 7, ~bit);
}

/**
 * Why a record at [p, p+n) may not be touched, or undefined: it overlaps an
 * object of a shared space's pool (any thread's) that is free or was never
 * handed out.
 */
export function deadSharedObject(space: AddressSpace, p: number, n: number): string | undefined {
  const w = space.i32;
  for (let q = p; q < p + n; ) {
    const id = space.pagePool[q >>> 13];
    const e = id === 0 ? -1 : entryOf(space, id);
    if (e < 0) {
      q = ((q >>> 13) + 1) * pageSize; // not a pool's page: nothing to say about it
      continue;
    }
    const size = w[e + P.size];
    const start = objectStart(space, q, size, w[e + P.spanBytes]);
    if (start < 0) {
      q = ((q >>> 13) + 1) * pageSize;
      continue;
    }
    if (!wasHanded(space, start)) return `object ${show(start)} of pool ${id} was never handed out`;
    if (!isLiveObject(space, start)) return `object ${show(start)} of pool ${id} is free (use after free, by any thread)`;
    q = start + size;
  }
  return undefined;
}
