// mcentral: the central free list of a shared pool, and the registry that
// names shared pools.
//
// Go's mcentral holds the spans of one size class that every P's mcache
// refills from and returns to, under a lock. Here a shared FixAlloc's
// central structure is an entry of the registry in the space's bookkeeping
// pages (share.ts, P): a lock word, the head and length of a free list
// threaded through the objects' first words, and the pool's identity (size,
// alignment, HeapRef slots, name). Threads move objects between their own
// cache (mcache.ts) and this list in batches, so a lock is taken once per
// batch, not per object. The list is only read or written with the lock
// held; `count` is also read without it, to skip the lock when it is empty.
//
// The `...Locked` functions are the critical sections, plain functions of
// the memory they touch, so the interleaving model
// (tests/runtime/threads-model.test.ts) runs this exact code.

import { SharedPoolError, show } from './errors.js';
import { lock, unlock } from './lock.js';
import { H, maxSharedPools, nameEquals, P, poolWords, sharedPoolIdBase, writeName } from './share.js';
import type { AddressSpace } from './space.js';

/**
 * Pushes the chain head..tail (`n` objects, linked through their first u32)
 * on the central list at entry `e` of `w` (or, with `at`/`len` =
 * P.freshHead/P.abandoned, on its chain of never-handed-out objects). The
 * lock is held.
 */
export function pushLocked(w: Int32Array, u32: Uint32Array, e: number, head: number, tail: number, n: number, at: number = P.head, len: number = P.count): void {
  u32[tail >>> 2] = w[e + at];
  w[e + at] = head;
  w[e + len] += n;
}

/**
 * Pops up to `max` objects from the central list at entry `e`; returns the
 * head of the chain (0 if empty), its last link set to 0, and the number
 * taken in `out[0]`. The lock is held.
 */
export function popLocked(w: Int32Array, u32: Uint32Array, e: number, max: number, out: Int32Array, at: number = P.head, len: number = P.count): number {
  const head = w[e + at];
  if (head === 0) {
    out[0] = 0;
    return 0;
  }
  let tail = head;
  let n = 1;
  while (n < max) {
    const next = u32[tail >>> 2];
    if (next === 0) break;
    tail = next;
    n++;
  }
  w[e + at] = u32[tail >>> 2];
  u32[tail >>> 2] = 0;
  w[e + len] -= n;
  out[0] = n;
  return head;
}

/** A shared pool's central list: entry `e` (a word index into `w`, the space's Int32 view). */
export class MCentral {
  /** Objects taken by the last `pop`. */
  readonly out = new Int32Array(1);

  constructor(
    readonly w: Int32Array,
    readonly u32: Uint32Array,
    readonly e: number,
  ) {}

  /** Objects on the central list now (read without the lock: a hint). */
  get count(): number {
    return Atomics.load(this.w, this.e + P.count);
  }

  /** Returns a batch to the central list (`fresh`: objects never handed out, to the chain of closed threads' span tails). */
  push(head: number, tail: number, n: number, fresh = false): void {
    lock(this.w, this.e + P.lock);
    try {
      pushLocked(this.w, this.u32, this.e, head, tail, n, fresh ? P.freshHead : P.head, fresh ? P.abandoned : P.count);
    } finally {
      unlock(this.w, this.e + P.lock);
    }
  }

  /** Takes up to `max` objects (`fresh`: from the chain of objects never handed out); the count is in `out[0]`. */
  pop(max: number, fresh = false): number {
    lock(this.w, this.e + P.lock);
    try {
      return popLocked(this.w, this.u32, this.e, max, this.out, fresh ? P.freshHead : P.head, fresh ? P.abandoned : P.count);
    } finally {
      unlock(this.w, this.e + P.lock);
    }
  }

  /** Calls `visit` for each object on the central list (`fresh`: on the chain of objects never handed out), holding the lock (introspection); false if the list is longer than its count (corrupt). */
  each(visit: (q: number) => void, fresh = false): boolean {
    lock(this.w, this.e + P.lock);
    try {
      let n = 0;
      const count = this.w[this.e + (fresh ? P.abandoned : P.count)];
      for (let q = this.w[this.e + (fresh ? P.freshHead : P.head)]; q !== 0; q = this.u32[q >>> 2]) {
        if (++n > count) return false;
        visit(q);
      }
      return n === count;
    } finally {
      unlock(this.w, this.e + P.lock);
    }
  }

  /** Counts a new span of `objects` objects (atomically: any thread adds its own). */
  addSpan(objects: number): void {
    Atomics.add(this.w, this.e + P.spans, 1);
    Atomics.add(this.w, this.e + P.carved, objects);
  }

  /** A word of the entry (see share.ts, P). */
  word(k: number): number {
    return Atomics.load(this.w, this.e + k);
  }
}

/** What a pool is, as the registry compares it across threads. */
export interface PoolSpec {
  /** The name every thread opens it by; '' for a pool private to one runtime. */
  readonly name: string;
  readonly size: number;
  readonly align: number;
  /** HeapRef slots of the layout; -1 for a raw-size pool. */
  readonly ptrs: number;
  readonly spanBytes: number;
}

/**
 * Finds or creates the registry entry of `spec` in a shared space (under
 * the registry lock) and returns its pool id; `e` receives the entry's word
 * index. A layout with HeapRef slots is bound to the first runtime that
 * opens it. Throws SharedPoolError, or ClosedError, and changes nothing.
 */
export function openPool(space: AddressSpace, spec: PoolSpec, what: string): { readonly id: number; readonly e: number } {
  const hdr = space.hdr;
  const w = space.i32;
  const base = hdr[H.pools] >>> 2;
  lock(hdr, H.registryLock);
  try {
    space.checkOpen(what);
    const npools = hdr[H.npools];
    const name = spec.name;
    if (name !== '') {
      for (let k = 0; k < npools; k++) {
        const e = base + k * poolWords;
        if (w[e + P.nameLen] !== name.length || !nameEquals(space.buffer as SharedArrayBuffer, (e + P.name) * 4, name)) continue;
        const size = w[e + P.size];
        const align = w[e + P.align];
        const ptrs = w[e + P.ptrs];
        if (size !== spec.size || align !== spec.align || (ptrs > 0) !== (spec.ptrs > 0) || (ptrs < 0) !== (spec.ptrs < 0)) {
          const kind = (n: number): string => (n < 0 ? 'a raw size' : n > 0 ? `a layout with ${n} HeapRef slots` : 'a layout without HeapRef slots');
          throw new SharedPoolError(
            'ERR_POOL_MISMATCH',
            `${what}: pool ${show(name)} exists with objects of ${size} bytes aligned to ${align} (${kind(ptrs)}); this one asks ${spec.size} bytes aligned to ${spec.align} (${kind(spec.ptrs)})`,
            { value: spec.size, limit: size },
          );
        }
        if (ptrs > 0 && (w[e + P.ptrToken] !== space.token || w[e + P.ptrSerial] !== space.serial)) {
          throw new SharedPoolError(
            'ERR_SHARED_HEAPREF',
            `${what}: pool ${show(name)} holds records with ${ptrs} HeapRef slots and another runtime uses it already; a HeapRef names an object only one thread's heap holds, so such a pool has one user. Keep those records in a per-thread pool, or hold the handles on one thread and share records without HeapRef slots`,
            { value: name, limit: 1 },
          );
        }
        Atomics.add(w, e + P.openers, 1);
        return { id: sharedPoolIdBase + k + 1, e };
      }
    }
    if (npools === maxSharedPools) {
      throw new SharedPoolError('ERR_TOO_MANY_POOLS', `${what}: a shared space holds at most ${maxSharedPools} pools (named and private); ${name === '' ? 'a private pool' : show(name)} would be one more`, {
        value: npools + 1,
        limit: maxSharedPools,
      });
    }
    const e = base + npools * poolWords;
    w.fill(0, e, e + poolWords);
    w[e + P.used] = 1;
    w[e + P.size] = spec.size;
    w[e + P.align] = spec.align;
    w[e + P.ptrs] = spec.ptrs;
    w[e + P.spanBytes] = spec.spanBytes;
    w[e + P.openers] = 1;
    if (spec.ptrs > 0) {
      w[e + P.ptrToken] = space.token;
      w[e + P.ptrSerial] = space.serial;
    }
    w[e + P.nameLen] = name.length;
    writeName(space.buffer as SharedArrayBuffer, (e + P.name) * 4, name);
    // Published last, atomically: entryOf reads it without the lock (objstate.ts, for another thread's pool).
    Atomics.store(hdr, H.npools, npools + 1);
    return { id: sharedPoolIdBase + npools + 1, e };
  } finally {
    unlock(hdr, H.registryLock);
  }
}

/** The registry entry (word index) of shared pool `id`, or -1 if `id` names none. */
export function entryOf(space: AddressSpace, id: number): number {
  const k = id - sharedPoolIdBase - 1;
  if (!(k >= 0 && k < Atomics.load(space.hdr, H.npools))) return -1;
  return (space.hdr[H.pools] >>> 2) + k * poolWords;
}
