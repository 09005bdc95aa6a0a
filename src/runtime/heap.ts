// The object heap: JS objects that unmanaged memory refers to.
//
// Unmanaged memory cannot hold a JS reference, so the runtime holds the
// object and unmanaged memory holds a `HeapRef`: an integer naming a slot of
// this table. The collector (mgc.ts) decides which slots are still reachable
// from roots; freeing a slot drops the runtime's reference so V8 can reclaim
// the object.
//
// Handle encoding, with K index bits (the table has 2^K slots, K from 10 to
// 22, growing with the table):
//
//   bit 29..28   27 ......... K   K-1 ...... 0
//   [ tag 1..3 ] [  generation  ] [ slot index ]
//
// - The tag names the runtime (runtimes take tags 1, 2, 3, 1, … in creation
//   order), so a runtime recognises another's handle, and every handle lies
//   in [2^28, 2^30): a V8 small integer, never boxed, and no counter, size or
//   address below 2^28 (256 MiB) is ever a handle.
// - A slot issues the handles of its residue class (index mod 2^K) in
//   increasing order: each reuse adds 2^K, so a stale handle stays stale for
//   2^(28-K) reuses of its slot (2^18 at 1k slots, 2^14 at 16k, 2^8 at 1M).
//   In debug mode a slot whose generations are used up is retired instead
//   of wrapping, so a stale handle is always detected.
// - The table grows like a linear hash: at 2^(K+1) slots, handle h lives in
//   slot h & (2^(K+1) - 1), which is its old slot or that plus 2^K; every
//   handle issued stays valid, and each slot's next handle stays above every
//   handle its old slot issued (so growth never revives a stale handle).
//
// Per slot, everything lives in two arrays, one cache line each:
//   meta    Int32Array, 4 words per slot: value, mark epoch, pins, free link.
//           value is the live handle, or ~next (negative) while free, where
//           next is the handle the slot issues next; -1 once retired; 0 above
//           `top` (never touched: next is tag | index).
//   objects JS array, 2 entries per slot: the object and a copy of its
//           handle (undefined while free), so deref reads one line.
// Freed slots are reused last-in first-out through the free link: the slot
// a free just touched is the one the next newHeapRef takes.

import { ForeignPointerError, MisuseError, OffheapRangeError, StaleHandleError, show } from './errors.js';
import { HeapBits } from './heapbits.js';
import type { Runtime } from './runtime.js';

/** Bit position of the runtime tag. */
export const handleTagShift = 28;
/** Every handle is below this (a V8 small integer on every build). */
export const handleLimit = 0x40000000;
/** The smallest handle value: tag 1, generation 0, index 0. Hot paths use the literal: `2 ** x` is a Math.pow call in V8 (about 150 ns a pair). */
const handleMin = 0x10000000;
/** Index bits of a new table (1024 slots). */
export const minIndexBits = 10;
/** Index bits of the largest table. */
export const maxIndexBits = 22;
/** The most handles a heap holds at once (slot 0 is never used). */
export const maxHeapRefs = 2 ** maxIndexBits - 1;
/** `meta` words per slot. */
const S = 4;
/** Marker of a retired slot (debug mode: its generations are used up). */
const retired = -1;

let runtimesMade = 0;

/** The object heap of one runtime: slots, generations, mark epochs and pin counts. */
export class ObjectHeap {
  /** Per slot: [value, epoch, pins, link] (see the file comment). */
  meta: Int32Array;
  /** Per slot: [object, handle] while live, [undefined, undefined] otherwise. */
  private objects: unknown[];
  /** Slot index bits K; the table has 2^K slots. */
  indexBits = minIndexBits;
  /** 2^K - 1: a handle's slot is `h & mask`. */
  mask = (1 << minIndexBits) - 1;
  /** This runtime's tag (1..3). */
  readonly tag: number;
  /** `tag << 28`: every handle of this heap has exactly these top bits. */
  readonly tagBits: number;
  /** `tagBits + 2^28`: a next handle at or above it has run out of generations. */
  private readonly tagEnd: number;
  /** Slots with state: [1, top). Slots at or above it were never touched. */
  top = 1;
  /** Slots holding an object now. */
  live = 0;
  /** Slots retired because their generations ran out (debug mode only). */
  retired = 0;
  /** Live slots with a non-zero pin count: the collector skips reading the pin table when there are none. */
  pinnedSlots = 0;
  /** Slots freed by freeHeapRef during a cycle while still unmarked (white); the collector's sweep counts on it. */
  whiteFreed = 0;
  /** Head of the LIFO free list (0: empty). */
  private freeHead = 0;
  /** The epoch new objects get: the current cycle while marking or sweeping (allocate black), else 0. */
  allocEpoch = 0;
  /** Debug mode: retire a slot instead of wrapping its generation. */
  private readonly debug: boolean;
  /** The pointer bitmap of this runtime's memory (heapbits.ts). */
  readonly bits: HeapBits;

  constructor(private readonly rt: Runtime) {
    this.tag = (runtimesMade++ % 3) + 1;
    this.tagBits = this.tag << handleTagShift;
    this.tagEnd = this.tagBits + handleMin;
    this.debug = rt.debug;
    this.meta = new Int32Array(S << minIndexBits);
    this.objects = packedArray(2 << minIndexBits);
    this.bits = new HeapBits(rt.space);
  }

  /** Slots of the table now (2^K). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Stores `obj` and returns its new handle. Fields are read once into locals: V8 did not hoist them. */
  alloc(obj: unknown): number {
    const i = this.freeHead;
    if (i === 0) return this.allocFresh(obj);
    const meta = this.meta;
    const m = i * S;
    this.freeHead = meta[m + 3];
    const h = ~meta[m];
    meta[m] = h;
    meta[m + 1] = this.allocEpoch;
    const objects = this.objects;
    objects[2 * i] = obj;
    objects[2 * i + 1] = h;
    this.live++;
    return h;
  }

  /** alloc with no freed slot to reuse: the next never-touched slot (generation 0), growing the table when there is none. */
  private allocFresh(obj: unknown): number {
    if (this.top > this.mask) {
      this.grow();
      if (this.freeHead !== 0) return this.alloc(obj);
    }
    const i = this.top++;
    const h = this.tagBits | i;
    const m = i * S;
    this.meta[m] = h;
    this.meta[m + 1] = this.allocEpoch;
    this.objects[2 * i] = obj;
    this.objects[2 * i + 1] = h;
    this.live++;
    return h;
  }

  /**
   * Doubles the table: each handle moves to slot `h & newMask`, its old slot
   * or that plus the old capacity; the other of the two slots continues the
   * old slot's sequence. Then the free list is rebuilt over [1, top).
   */
  private grow(): void {
    const K = this.indexBits;
    if (K === maxIndexBits) {
      throw new OffheapRangeError('ERR_BAD_SIZE', `newHeapRef: the object heap is full (${maxHeapRefs - this.retired} live handles${this.retired > 0 ? `, ${this.retired} slots retired by debug mode` : ''})`, {
        value: this.live + 1,
        limit: maxHeapRefs - this.retired,
      });
    }
    const old = this.mask + 1;
    const cap = old * 2;
    const newMask = cap - 1;
    const from = this.meta;
    const fromObjects = this.objects;
    const meta = new Int32Array(cap * S);
    const objects = packedArray(2 * cap);
    const tagBits = this.tagBits;
    const free = (s: number, next: number): void => {
      // The next handle of slot s; past the generation bits it wraps (or, in debug mode, the slot retires).
      if (next >= this.tagEnd) next = this.debug ? 0 : tagBits | s;
      meta[s * S] = next === 0 ? retired : ~next;
      if (next === 0) this.retired++;
    };
    let top = this.top;
    for (let s = 1; s < this.top; s++) {
      const v = from[s * S];
      if (v > 0) {
        const d = v & newMask;
        const m = d * S;
        meta[m] = v;
        meta[m + 1] = from[s * S + 1];
        meta[m + 2] = from[s * S + 2];
        objects[2 * d] = fromObjects[2 * s];
        objects[2 * d + 1] = v;
        free(d ^ old, v + old);
      } else if (v === retired) {
        meta[s * S] = retired;
        meta[(s + old) * S] = retired;
        this.retired++;
      } else {
        const n = ~v;
        const d = n & newMask;
        meta[d * S] = v;
        free(d ^ old, n + old);
      }
    }
    // Slots of the upper half whose next handle is not their first (tag | index) hold state: top must cover them.
    for (let s = old + this.top - 1; s >= old; s--) {
      const v = meta[s * S];
      if (v !== 0 && v !== ~(tagBits | s)) {
        top = s + 1;
        break;
      }
    }
    // Free list over [1, top), lowest slot first; never-touched slots below top get their first handle as next.
    let head = 0;
    for (let s = top - 1; s >= 1; s--) {
      const m = s * S;
      const v = meta[m];
      if (v > 0 || v === retired) continue;
      if (v === 0) meta[m] = ~(tagBits | s);
      meta[m + 3] = head;
      head = s;
    }
    this.meta = meta;
    this.objects = objects;
    this.mask = newMask;
    this.indexBits = K + 1;
    this.top = top;
    this.freeHead = head;
  }

  /** Whether `h` names a live object of this heap. */
  isLive(h: unknown): boolean {
    return typeof h === 'number' && h > 0 && this.meta[(h & this.mask) * S] === h;
  }

  /**
   * The collector's view of a value found in a HeapRef slot that names no
   * live object: true if it looks like a handle of any runtime (top bits
   * 01, 10 or 11 below 2^30) and so is a bad pointer; false for values that
   * can never be handles (below 2^28, or 2^30 and above).
   */
  looksLikeHandle(v: number): boolean {
    return v >= handleMin && v < handleLimit;
  }

  /** The object of live handle `h`; throws otherwise (see `reject`). */
  get(h: unknown): unknown {
    if (typeof h === 'number') {
      const k = 2 * (h & this.mask);
      const objects = this.objects;
      if (objects[k + 1] === h) return objects[k];
    }
    return this.reject('deref', h);
  }

  /** Frees the slot of live handle `h` and releases its object. The common case (live, unpinned, generations left) is inline. */
  free(h: unknown, what = 'freeHeapRef'): void {
    if (typeof h === 'number') {
      const i = h & this.mask;
      const meta = this.meta;
      const m = i * S;
      const next = h + this.mask + 1;
      if (meta[m] === h && h > 0 && meta[m + 2] === 0 && next < this.tagEnd) {
        const e = this.allocEpoch;
        if (e !== 0 && meta[m + 1] !== e) this.whiteFreed++;
        meta[m] = ~next;
        meta[m + 3] = this.freeHead;
        this.freeHead = i;
        const objects = this.objects;
        objects[2 * i] = undefined;
        objects[2 * i + 1] = undefined;
        this.live--;
        return;
      }
    }
    this.freeSlow(h, what);
  }

  private freeSlow(h: unknown, what: string): void {
    if (!this.isLive(h)) this.reject(what, h);
    const i = (h as number) & this.mask;
    const pins = this.meta[i * S + 2];
    if (pins !== 0) {
      throw new MisuseError(`${what}: handle ${this.describe(h)} is pinned ${pins} time(s); unpin it first`, { value: h, limit: pins });
    }
    const e = this.allocEpoch;
    if (e !== 0 && this.meta[i * S + 1] !== e) this.whiteFreed++;
    this.release(i);
  }

  /** Adds a pin to live handle `h`. */
  pin(h: unknown): void {
    if (!this.isLive(h)) this.reject('pin', h);
    const m = ((h as number) & this.mask) * S + 2;
    if (this.meta[m] === 0x7fffffff) throw new MisuseError(`pin: handle ${this.describe(h)} is already pinned 2^31 - 1 times`, { value: h, limit: 0x7fffffff });
    if (this.meta[m]++ === 0) this.pinnedSlots++;
  }

  /** Drops a pin of live handle `h`. */
  unpin(h: unknown): void {
    if (!this.isLive(h)) this.reject('unpin', h);
    const m = ((h as number) & this.mask) * S + 2;
    if (this.meta[m] === 0) throw new MisuseError(`unpin: handle ${this.describe(h)} is not pinned`, { value: h, limit: 0 });
    if (--this.meta[m] === 0) this.pinnedSlots--;
  }

  /** The pin count of live handle `h` (0 for any other value). */
  pins(h: unknown): number {
    return this.isLive(h) ? this.meta[((h as number) & this.mask) * S + 2] : 0;
  }

  /** Pinned live handles now (for the memory picture). */
  pinnedCount(): number {
    let n = 0;
    for (let i = 1; i < this.top; i++) if (this.meta[i * S] > 0 && this.meta[i * S + 2] !== 0) n++;
    return n;
  }

  /** Releases live slot `i`: the object goes, pins drop, the slot's next handle is one generation on, and it heads the free list. */
  release(i: number): void {
    const meta = this.meta;
    const m = i * S;
    let next = meta[m] + this.mask + 1;
    if (next >= this.tagEnd) {
      // Generations used up: debug mode retires the slot, otherwise it wraps to generation 0.
      if (this.debug) {
        this.retire(i);
        return;
      }
      next = this.tagBits | i;
    }
    meta[m] = ~next;
    if (meta[m + 2] !== 0) {
      meta[m + 2] = 0;
      this.pinnedSlots--;
    }
    meta[m + 3] = this.freeHead;
    this.freeHead = i;
    const objects = this.objects;
    objects[2 * i] = undefined;
    objects[2 * i + 1] = undefined;
    this.live--;
  }

  /** Debug mode: slot `i`'s generations are used up; it is never reused, so no stale handle of it can revive. */
  private retire(i: number): void {
    this.meta[i * S] = retired;
    if (this.meta[i * S + 2] !== 0) {
      this.meta[i * S + 2] = 0;
      this.pinnedSlots--;
    }
    this.objects[2 * i] = undefined;
    this.objects[2 * i + 1] = undefined;
    this.live--;
    this.retired++;
  }

  /**
   * The sweep of slots [from, to): releases every live slot not marked in
   * `cycle` and returns how many. release() inlined over locals: a freed slot
   * is a few stores into the two lines of its slot.
   */
  sweep(from: number, to: number, cycle: number): number {
    const meta = this.meta;
    const objects = this.objects;
    const step = this.mask + 1;
    const end = this.tagEnd;
    let head = this.freeHead;
    let freed = 0;
    let wrapped = 0; // released out of line (release() counts them in `live` itself)
    for (let i = from; i < to; i++) {
      const m = i * S;
      const v = meta[m];
      if (v <= 0 || meta[m + 1] === cycle) continue;
      if (v + step >= end) {
        // Generations used up: release() wraps or retires, out of line.
        this.freeHead = head;
        this.release(i);
        head = this.freeHead;
        wrapped++;
        continue;
      }
      meta[m] = ~(v + step);
      if (meta[m + 2] !== 0) {
        // Only a lost object is pinned here; no store otherwise.
        meta[m + 2] = 0;
        this.pinnedSlots--;
      }
      meta[m + 3] = head;
      head = i;
      objects[2 * i] = undefined;
      objects[2 * i + 1] = undefined;
      freed++;
    }
    this.freeHead = head;
    this.live -= freed;
    return freed + wrapped;
  }

  /**
   * Throws the typed error for a value that names no live object here:
   * OffheapRangeError for a value that is not a u32, ForeignPointerError for
   * another runtime's handle, StaleHandleError for nil, freed, collected or
   * never-issued handles.
   */
  reject(what: string, h: unknown): never {
    if (typeof h !== 'number' || h >>> 0 !== h) {
      throw new OffheapRangeError('ERR_BAD_VALUE', `${what}: h must be a HeapRef (an integer handle in [0, 2^32)); got ${show(h)}`, { value: h, limit: 2 ** 32 - 1 });
    }
    const fix = '; keep a handle alive while you use it: pin it (pin/unpin) or keep it in a rooted slot (addRoot), and do not use it after freeHeapRef';
    const tag = h >>> handleTagShift;
    if (tag !== this.tag && h !== 0 && this.looksLikeHandle(h)) {
      throw new ForeignPointerError(`${what}: handle ${this.describe(h)} belongs to another runtime (tag ${tag}; this runtime's handles carry tag ${this.tag})`, {
        value: h,
        limit: this.tag,
      });
    }
    let why: string;
    const i = h & this.mask;
    const v = this.meta[i * S];
    if (h === 0) why = 'the nil handle';
    else if (!this.looksLikeHandle(h)) why = `not a handle (handles lie in [2^28, 2^30))`;
    else if (i === 0 || i >= this.top) why = 'never handed out by this runtime (forged?)';
    else if (v > 0) why = h > v ? 'never handed out by this runtime (forged?)' : `stale: slot ${i} now holds ${this.describe(v)}`;
    else if (v === retired) why = `freed or collected (slot ${i} is retired: its generations ran out)`;
    else if (h >= ~v) why = 'never handed out by this runtime (forged?)';
    else why = `freed or collected (slot ${i} is free)`;
    throw new StaleHandleError(`${what}: handle ${this.describe(h)} names no live object: ${why}${h === 0 ? '' : fix}`, { value: h, limit: v > 0 ? v : this.top });
  }

  /** `h` in messages: value, hex, runtime tag, slot and generation at the current table size. */
  describe(h: unknown): string {
    return describeHandle(h, this);
  }

  /** The runtime this heap belongs to. */
  get runtime(): Runtime {
    return this.rt;
  }
}

/** A packed (never holey) array of `n` undefineds: holey arrays cost a hole check per load. */
function packedArray(n: number): unknown[] {
  const a: unknown[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}

/** `h` in messages: value and hex, and with `heap` its runtime tag, slot and generation. */
export function describeHandle(h: unknown, heap?: ObjectHeap): string {
  if (typeof h !== 'number' || h >>> 0 !== h) return show(h);
  const hex = `${h} (0x${h.toString(16)}`;
  if (h < handleMin || h >= handleLimit) return `${hex}: not a handle)`;
  const tag = h >>> handleTagShift;
  if (heap === undefined || tag !== heap.tag) return `${hex}: runtime tag ${tag})`;
  const low = h & (handleMin - 1);
  return `${hex}: slot ${low & heap.mask}, generation ${low >>> heap.indexBits})`;
}
