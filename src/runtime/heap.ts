// The object heap: JS objects that unmanaged memory refers to.
//
// Unmanaged memory cannot hold a JS reference, so the runtime holds the
// object and unmanaged memory holds a `HeapRef`: an integer naming a slot of
// this table. The collector (mgc.ts) decides which slots are still reachable
// from roots; freeing a slot drops the runtime's reference so V8 can reclaim
// the object.
//
// Handles. A handle is a value in [2^28, 2^30): a V8 small integer, never
// boxed, and no counter, size or address below 2^28 (256 MiB) is a handle.
// Values are never chosen per slot. A runtime takes them in order from a
// handle source (`HandleSource`) in blocks of consecutive values, and the
// value decides the slot: handle h lives in slot h & (2^K - 1) of a table of
// 2^K slots. newHeapRef takes the runtime's next value; if that value's slot
// is live, the value is passed over (never issued) and the next one tried.
// So:
// - No value is issued twice until the source has handed out all of its
//   3 * 2^28 values (a lap). A freed handle stays stale until then, however
//   often its slot is reused, and debug mode refuses to go past the lap, so
//   there a stale handle is always rejected.
// - One source serves every runtime of the process (and, through a source
//   kept in shared memory, of every thread using it), so two runtimes never
//   hold the same value: a runtime recognises its own handles exactly, by
//   the slot holding exactly that value, and names the owner of a foreign one.
// - A slot is reused at most once per 2^K values, the others' turn coming
//   first, so a freed slot is not the next one taken (the price: new+free
//   touch two slots, not one).
// The table keeps at most half its slots live (it doubles beyond that), so a
// newHeapRef passes over at most one live slot on average (live/free).
//
// Growth is linear hashing: at 2^(K+1) slots, handle h lives in slot
// h & (2^(K+1) - 1), its old slot or that plus 2^K; no value changes.
//
// Per slot:
//   meta    Int32Array, 2 words per slot: value, mark word.
//           value is the live handle, or ~h (negative) while free, h being
//           the last handle it held (0: never used). Slot 0 holds 1, which no
//           handle equals, so it is never taken.
//           mark word: epoch << 1 | pinned, the epoch being the last cycle
//           that marked the slot (30 bits) and pinned 1 while the pin count
//           is not zero, so free and the collector read one word for both.
//   objects JS array, 2 entries per slot: the object and a copy of its
//           handle (undefined while free), so deref reads one line. (The
//           object alone, checked against the value word, is a smaller array
//           but two lines: at 1M live, two cache misses per deref, 35%
//           slower.)
//   pins    Int32Array, the pin count per slot (touched by pin, unpin and the
//           sweep of a pinned slot only).
//   liveBits one bit per slot, set for every live slot (slot 0 never) and
//           maybe for some free ones. Only the sweep reads it: it visits the
//           set bits of each 32 slots and skips free runs without reading
//           their words, so its cost follows the live handles, not the table
//           (at least half free). newHeapRef and freeHeapRef do not touch it:
//           the slots of the values issued from a block are consecutive, so
//           their bits are set as a range when the block ends and before
//           each sweep step (`syncLive`); the sweep clears the bit of a slot
//           it finds free.
// Two words, not four: the sweep and the pair read half the bytes.

import { ForeignPointerError, MisuseError, OffheapRangeError, StaleHandleError, show } from './errors.js';
import { HeapBits } from './heapbits.js';
import type { RuntimeState } from './runtime.js';

/** The smallest handle value. Hot paths use literals: `2 ** x` is a Math.pow call in V8. */
export const handleMin = 0x10000000;
/** Every handle is below this (a V8 small integer on every build). */
export const handleLimit = 0x40000000;
/** Index bits of a new table (1024 slots). */
export const minIndexBits = 10;
/** Index bits of the largest table. */
export const maxIndexBits = 23;
/** The most handles a heap holds at once: half of the largest table. */
export const maxHeapRefs = 2 ** (maxIndexBits - 1);
/** `meta` words per slot: value, mark word (hot paths write the shift, `i << 1`). */
export const metaWords = 2;
const S = metaWords;
/** The largest epoch a mark word holds (30 bits): the collector's cycle counts 1 .. epochMax, then starts over. */
export const epochMax = 0x3fffffff;

/**
 * Where a runtime's handle values come from: blocks of `size` consecutive
 * values, block k starting at `handleMin + k * size`, k = serial mod span.
 * Values repeat only after `span` blocks (a lap). Runtimes that share a
 * source never hold the same value within a lap; threads share one through
 * their shared space.
 */
export interface HandleSource {
  /** Values per block (a power of two, at most 2^28). */
  readonly size: number;
  /** Blocks per lap: (handleLimit - handleMin) / size. */
  readonly span: number;
  /** Blocks taken so far (the next take's serial); grows without wrapping. */
  readonly serial: number;
  /** Takes the next block and returns its first value. */
  take(): number;
  /** Whether some runtime took h's block from this source this lap (a shared space's source knows; then another thread's handle is foreign, not forged). */
  issued?(h: number): boolean;
}

/** A source over one shared counter object, `{ serial }`. */
class CounterSource implements HandleSource {
  readonly span: number;
  constructor(
    readonly size: number,
    private readonly state: { serial: number },
  ) {
    this.span = (handleLimit - handleMin) / size;
  }
  get serial(): number {
    return this.state.serial;
  }
  take(): number {
    const k = this.state.serial++ % this.span;
    return handleMin + k * this.size;
  }
}

/** Values per block of the process-wide source: one take per 4096 handles. */
export const handleBlock = 4096;

/**
 * The process-wide source every runtime uses unless given another. Its
 * counter lives on `globalThis` under a registered symbol, so two copies of
 * this module in one process (source and built) still share it.
 */
export const processHandles: HandleSource = new CounterSource(
  handleBlock,
  ((globalThis as Record<symbol, { serial: number } | undefined>)[Symbol.for('offheap.handleSource')] ??= { serial: 0 }),
);

/**
 * The value words of every heap of this process, for recognising another
 * runtime's live handle (slow paths only). Each entry holds the heap's `meta`
 * and `mask`, not the heap, and goes when the heap is collected. (A list of
 * WeakRefs kept every heap alive until the end of the job that made it: the
 * WeakRef constructor and `deref` keep their target for the rest of the job,
 * so a synchronous loop that made runtimes kept all their tables, and ran out
 * of memory.)
 */
interface HeapTable {
  meta: Int32Array;
  mask: number;
}
const tables = new Map<number, HeapTable>();
/** Every ObjectHeap made (describeHandle's brand check: WeakSet.has runs no Proxy trap, instanceof does). */
const heaps = new WeakSet<object>();
const dropped = new FinalizationRegistry<number>((id) => tables.delete(id));
let heapIds = 0;

/** The object heap of one runtime: slots, mark epochs and pin counts. */
export class ObjectHeap {
  // The four tables are `declare`d: a class field without an initializer is defined as undefined when the object is
  // made, and V8 then types the field Any (`node --trace-generalization`: meta:h{Any}), so every inlined newHeapRef,
  // freeHeapRef and deref re-checked the table's map. Declared, the constructor's store is the field's first value
  // and its type is the array's class.
  /** Per slot: [value, epoch << 1 | pinned] (see the file comment). */
  declare meta: Int32Array;
  /** Per slot: the pin count (non-zero only on live slots). */
  declare pinCounts: Int32Array;
  /** Bit i of word i >>> 5: slot i may be live (set for every live slot once `syncLive` has run). */
  declare liveBits: Int32Array;
  /** Per slot: [object, handle] while live, [undefined, undefined] otherwise. */
  private declare objects: unknown[];
  /** Slot index bits K; the table has 2^K slots. */
  indexBits = minIndexBits;
  /** 2^K - 1: a handle's slot is `h & mask`. */
  mask = (1 << minIndexBits) - 1;
  /** Slots the collector walks: [1, top) (the whole table). */
  top = 1 << minIndexBits;
  /** Slots holding an object now. */
  live = 0;
  /** The table doubles when `live` reaches this (half the slots). */
  private growAt = 1 << (minIndexBits - 1);
  /** Live slots with a non-zero pin count: the collector skips reading the pin table when there are none. */
  pinnedSlots = 0;
  /** Slots freed by freeHeapRef during a cycle while still unmarked (white); the collector's sweep counts on it. */
  whiteFreed = 0;
  /** The next value to issue, and the end of the current block (next === end: take a block). */
  private next = 0;
  private end = 0;
  /** Values [synced, next) have no live bits yet (see syncLive). */
  private synced = 0;
  /** First values of the blocks taken this lap, for messages (issued here, or forged?). */
  private readonly blocks = new Set<number>();
  /** The source's serial at this heap's first block (debug mode stops one lap later). */
  private firstSerial = -1;
  /** The epoch new objects get: the current cycle while marking or sweeping (allocate black), else 0. */
  allocEpoch = 0;
  /** Debug mode: never go past one lap of the source, so no value is issued twice. */
  private readonly debug: boolean;
  /** The pointer bitmap of this runtime's memory (heapbits.ts). */
  readonly bits: HeapBits;
  /** This heap's key in `tables`, and its entry there (updated when the table grows). */
  private readonly id: number;
  private readonly table: HeapTable;

  constructor(
    private readonly rt: RuntimeState,
    /** Where handle values come from (threads: a source in the shared space). */
    readonly source: HandleSource = processHandles,
  ) {
    this.debug = rt.debug;
    this.meta = new Int32Array(S << minIndexBits);
    this.meta[0] = 1;
    this.pinCounts = new Int32Array(1 << minIndexBits);
    this.liveBits = new Int32Array((1 << minIndexBits) >>> 5);
    this.objects = packedArray(2 << minIndexBits);
    this.bits = new HeapBits(rt.space);
    this.id = heapIds++;
    this.table = { meta: this.meta, mask: this.mask };
    tables.set(this.id, this.table);
    heaps.add(this);
    dropped.register(this, this.id);
  }

  /** Slots of the table now (2^K). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Stores `obj` and returns its new handle: the next value, if its slot is free. Fields are read once into locals: V8 did not hoist them. */
  alloc(obj: unknown): number {
    const c = this.next;
    const i = c & this.mask;
    const meta = this.meta;
    const m = i << 1; // shifts and ors, not `* S`, `2 *` or `+ 1`: no overflow check on a masked index
    if (c === this.end || meta[m] > 0 || this.live >= this.growAt) return this.allocSlow(obj);
    meta[m] = c;
    meta[m | 1] = this.allocEpoch << 1; // unpinned; the live bit is set by syncLive
    const objects = this.objects;
    objects[i << 1] = obj;
    objects[(i << 1) | 1] = c;
    this.next = c + 1;
    this.live++;
    return c;
  }

  /** alloc when the table must grow, the block is used up, or the next value's slot is live (passed over): the value, then the same stores as alloc. */
  private allocSlow(obj: unknown): number {
    if (this.live >= this.growAt) this.grow();
    const meta = this.meta;
    const mask = this.mask;
    let c = this.next;
    for (;;) {
      if (c === this.end) c = this.takeBlock();
      if (meta[(c & mask) << 1] <= 0) break;
      c++;
    }
    // The stores again, not a call to alloc: V8 inlines this slow path into a caller's loop, and with a call to
    // alloc it inlined a second copy of alloc too, which cost the fast path (counted with cachegrind, 10k live: a
    // free+new pair ran 234.8 instructions with it, 213.5 without). Merging both paths into one set of stores in
    // alloc cost more (274.8).
    const m = (c & mask) << 1;
    meta[m] = c;
    meta[m | 1] = this.allocEpoch << 1;
    const objects = this.objects;
    objects[m] = obj;
    objects[m | 1] = c;
    this.next = c + 1;
    this.live++;
    return c;
  }

  /** A fresh block from the source; in debug mode, refuses to start a second lap (a value would repeat). */
  private takeBlock(): number {
    // Here, not in allocSlow (inlined into a caller's loop, and run on every passed-over slot): a closed heap's block is used up (see close).
    if (this.rt.space.closed) this.rt.space.closedError('newHeapRef');
    const src = this.source;
    if (this.firstSerial < 0) this.firstSerial = src.serial;
    else if (src.serial - this.firstSerial >= src.span) {
      if (this.debug) {
        throw new OffheapRangeError('ERR_BAD_SIZE', `newHeapRef: debug mode issues each handle value once, and the ${src.span * src.size} values of the handle source are used up since this runtime was made (a stale handle could otherwise name a new object)`, {
          value: src.serial - this.firstSerial,
          limit: src.span,
        });
      }
      // A new lap: values repeat from here on (the documented bound).
      this.firstSerial = src.serial;
      this.blocks.clear();
    }
    const start = src.take();
    if (!(Number.isInteger(start) && start >= handleMin && start + src.size <= handleLimit && (start - handleMin) % src.size === 0)) {
      throw new MisuseError(`newHeapRef: the handle source gave block ${show(start)}, not a block of ${src.size} values in [2^28, 2^30)`, { value: start, limit: handleLimit });
    }
    this.blocks.add(start);
    this.syncLive();
    this.next = this.synced = start;
    this.end = start + src.size;
    return start;
  }

  /** Sets the live bits of the slots of values [synced, next): issued (or passed over) since the last sync, all in the current block. */
  syncLive(): void {
    const a = this.synced;
    const n = this.next - a;
    if (n === 0) return;
    const lb = this.liveBits;
    const cap = this.mask + 1;
    if (n >= cap) lb.fill(-1);
    else {
      const s = a & this.mask;
      if (s + n <= cap) setBits(lb, s, s + n);
      else {
        setBits(lb, s, cap);
        setBits(lb, 0, s + n - cap);
      }
    }
    lb[0] &= ~1; // slot 0 is never live
    this.synced = this.next;
  }

  /** Doubles the table (linear hashing: each live handle moves to slot `h & newMask`). Throws, changing nothing, at the largest size. */
  private grow(): void {
    const K = this.indexBits;
    if (K === maxIndexBits) {
      throw new OffheapRangeError('ERR_BAD_SIZE', `newHeapRef: the object heap is full (${maxHeapRefs} live handles)`, { value: this.live + 1, limit: maxHeapRefs });
    }
    const cap = (this.mask + 1) * 2;
    const newMask = cap - 1;
    const from = this.meta;
    const fromPins = this.pinCounts;
    const fromObjects = this.objects;
    const meta = new Int32Array(cap * S);
    const pinCounts = new Int32Array(cap);
    const liveBits = new Int32Array(cap >>> 5);
    const objects = packedArray(2 * cap);
    for (let s = 1; s <= this.mask; s++) {
      const v = from[s * S];
      if (v > 0) {
        const d = v & newMask;
        const m = d * S;
        meta[m] = v;
        meta[m | 1] = from[s * S + 1];
        pinCounts[d] = fromPins[s];
        liveBits[d >>> 5] |= 1 << d;
        objects[2 * d] = fromObjects[2 * s];
        objects[2 * d + 1] = v;
      } else if (v < 0) {
        // The last handle a free slot held, kept for messages where no live handle lands.
        const d = ~v & newMask;
        if (meta[d * S] === 0) meta[d * S] = v;
      }
    }
    meta[0] = 1;
    this.meta = this.table.meta = meta;
    this.pinCounts = pinCounts;
    this.liveBits = liveBits; // exact: every live slot's bit, set above
    this.synced = this.next;
    this.objects = objects;
    this.mask = this.table.mask = newMask;
    this.indexBits = K + 1;
    this.top = cap;
    this.growAt = cap / 2;
  }

  /**
   * Runtime.close: releases every object and leaves a table of one slot
   * that no value names (value word -1, mark word pinned; the block used
   * up). So newHeapRef, deref, freeHeapRef,
   * pin and unpin fail the checks their fast paths make anyway and reach
   * their slow paths, which throw ClosedError: nothing is added to the open
   * heap's paths. Another runtime no longer finds this heap's handles live.
   */
  close(): void {
    this.meta = this.table.meta = Int32Array.of(-1, 1);
    this.objects = packedArray(2);
    this.pinCounts = new Int32Array(1);
    this.liveBits = new Int32Array(1);
    this.mask = this.table.mask = 0;
    this.indexBits = 0;
    this.top = 1;
    this.live = 0;
    this.pinnedSlots = 0;
    this.next = this.end = this.synced = 0;
    tables.delete(this.id);
  }

  /** Whether `h` names a live object of this heap. */
  isLive(h: unknown): boolean {
    return typeof h === 'number' && h > 0 && this.meta[(h & this.mask) << 1] === h;
  }

  /**
   * The collector's view of a value found in a HeapRef slot that names no
   * live object: true if it lies where handles do, [2^28, 2^30), and so is a
   * bad pointer; false for values that can never be handles.
   */
  looksLikeHandle(v: number): boolean {
    return v >= handleMin && v < handleLimit;
  }

  /** The object of live handle `h`; throws otherwise (see `reject`). */
  get(h: unknown): unknown {
    if (typeof h === 'number') {
      const k = (h & this.mask) << 1;
      const objects = this.objects;
      if (objects[k | 1] === h) return objects[k];
    }
    return this.reject('deref', h);
  }

  /** Frees the slot of live handle `h` and releases its object. The common case (live, unpinned) is inline. */
  free(h: unknown, what = 'freeHeapRef'): void {
    if (typeof h === 'number') {
      const i = h & this.mask;
      const meta = this.meta;
      const m = i << 1;
      const w = meta[m | 1];
      if (meta[m] === h && h > 0 && (w & 1) === 0) {
        const e = this.allocEpoch;
        if (e !== 0 && w >> 1 !== e) this.whiteFreed++;
        meta[m] = ~h;
        const objects = this.objects;
        objects[i << 1] = undefined;
        objects[(i << 1) | 1] = undefined;
        this.live--;
        return;
      }
    }
    this.freeSlow(h, what);
  }

  private freeSlow(h: unknown, what: string): void {
    if (!this.isLive(h)) this.reject(what, h);
    const pins = this.pinCounts[(h as number) & this.mask];
    throw new MisuseError(`${what}: handle ${this.describe(h)} is pinned ${pins} time(s); unpin it first`, { value: h, limit: pins });
  }

  /** Adds a pin to live handle `h`. */
  pin(h: unknown): void {
    if (!this.isLive(h)) this.reject('pin', h);
    const i = (h as number) & this.mask;
    const n = this.pinCounts[i];
    if (n === 0x7fffffff) throw new MisuseError(`pin: handle ${this.describe(h)} is already pinned 2^31 - 1 times`, { value: h, limit: 0x7fffffff });
    this.pinCounts[i] = n + 1;
    if (n === 0) {
      this.meta[i * S + 1] |= 1;
      this.pinnedSlots++;
    }
  }

  /** Drops a pin of live handle `h`. */
  unpin(h: unknown): void {
    if (!this.isLive(h)) this.reject('unpin', h);
    const i = (h as number) & this.mask;
    const n = this.pinCounts[i];
    if (n === 0) throw new MisuseError(`unpin: handle ${this.describe(h)} is not pinned`, { value: h, limit: 0 });
    this.pinCounts[i] = n - 1;
    if (n === 1) {
      this.meta[i * S + 1] &= ~1;
      this.pinnedSlots--;
    }
  }

  /** The pin count of live handle `h` (0 for any other value). */
  pins(h: unknown): number {
    return this.isLive(h) ? this.pinCounts[(h as number) & this.mask] : 0;
  }

  /** Pinned live handles now (for the memory picture). */
  pinnedCount(): number {
    let n = 0;
    for (let i = 1; i < this.top; i++) if (this.meta[i * S] > 0 && (this.meta[i * S + 1] & 1) !== 0) n++;
    return n;
  }

  /** The sweep of slots [from, to): frees every live slot not marked in `cycle` and returns how many. */
  sweep(from: number, to: number, cycle: number): number {
    this.syncLive();
    unpinned[0] = 0;
    const freed = sweepSlots(this.meta, this.liveBits, this.pinCounts, this.objects, from >>> 5, (to - 1) >>> 5, -1 << (from & 31), (to & 31) === 0 ? -1 : (1 << (to & 31)) - 1, cycle);
    this.pinnedSlots -= unpinned[0];
    this.live -= freed;
    return freed;
  }

  /** Whether another heap of this process holds `h` live (slow paths: messages). A collected heap's entry may linger until its cleanup runs; it still holds only values no other heap issues. */
  liveElsewhere(h: number): boolean {
    for (const [id, t] of tables) if (id !== this.id && h > 0 && t.meta[(h & t.mask) << 1] === h) return true;
    return false;
  }

  /** Whether this heap handed out `h` this lap (or passed over it): its block was taken here and the cursor is past it. */
  private issued(h: number): boolean {
    const size = this.source.size;
    const start = h - ((h - handleMin) % size);
    return this.blocks.has(start) && !(start + size === this.end && h >= this.next);
  }

  /**
   * Throws the typed error for a value that names no live object here:
   * OffheapRangeError for a value that is not a u32, ForeignPointerError for
   * a live handle of another runtime, StaleHandleError for nil, freed,
   * collected or never-issued handles.
   */
  reject(what: string, h: unknown): never {
    if (this.rt.space.closed) this.rt.space.closedError(what);
    if (typeof h !== 'number' || h >>> 0 !== h) {
      throw new OffheapRangeError('ERR_BAD_VALUE', `${what}: h must be a HeapRef (an integer handle in [0, 2^32)); got ${show(h)}`, { value: h, limit: 2 ** 32 - 1 });
    }
    const fix = '; keep a handle alive while you use it: pin it (pin/unpin) or keep it in a rooted slot (addRoot), and do not use it after freeHeapRef';
    if (h !== 0 && this.looksLikeHandle(h) && this.liveElsewhere(h)) {
      throw new ForeignPointerError(`${what}: handle ${this.describe(h)} belongs to another runtime (a live object there; no two runtimes hold the same handle value)`, {
        value: h,
        limit: 'a handle of this runtime',
      });
    }
    if (h !== 0 && this.looksLikeHandle(h) && !this.issued(h) && this.source.issued?.(h) === true) {
      throw new ForeignPointerError(`${what}: handle ${this.describe(h)} belongs to another runtime of this shared space (another thread's heap: a HeapRef names an object only its own thread sees)`, {
        value: h,
        limit: 'a handle of this runtime',
      });
    }
    let why: string;
    const i = h & this.mask;
    const v = this.meta[i * S];
    if (h === 0) why = 'the nil handle';
    else if (!this.looksLikeHandle(h)) why = `not a handle (handles lie in [2^28, 2^30))`;
    else if (!this.issued(h)) why = 'never handed out by this runtime (forged, or from another thread?)';
    else if (v > 0) why = `stale: slot ${i} now holds ${this.describe(v)}`;
    else if (v === ~h) why = `freed or collected (slot ${i} is free)`;
    else why = 'freed or collected';
    throw new StaleHandleError(`${what}: handle ${this.describe(h)} names no live object: ${why}${h === 0 ? '' : fix}`, { value: h, limit: v > 0 ? v : this.live });
  }

  /** `h` in messages: value, hex and slot at the current table size. */
  describe(h: unknown): string {
    return describeHandle(h, this);
  }

  /** The runtime this heap belongs to. */
  get runtime(): RuntimeState {
    return this.rt;
  }
}

/** Pinned slots the last sweepSlots freed (only lost objects are pinned there). */
const unpinned = new Int32Array(1);

/**
 * Frees the live slots of [from, to) not marked in `cycle`: per 32 slots one
 * word of the live bitmap, then per set bit the slot's two words, and per
 * freed slot three stores (value word, object, handle copy; a pinned slot,
 * two more) and its bit cleared. Free slots cost nothing beyond their bitmap
 * word. Slots
 * [from, to) are the bits of words [first, last] under `firstMask` (the first
 * word's) and `lastMask` (the last word's). A module function, not a method:
 * V8 compiles a long loop on the stack before the code after it has run, and
 * `this.x` there would then deoptimize on every call (see mgc.ts). For the
 * same reason every operation runs on every word, none only on the first or
 * last: the first calls run without type feedback, and an operation that had
 * never run with it (a shift before the loop, the first word's masking)
 * deoptimized the compiled function on its first call, several times a
 * process.
 */
function sweepSlots(meta: Int32Array, liveBits: Int32Array, pinCounts: Int32Array, objects: unknown[], first: number, last: number, firstMask: number, lastMask: number, cycle: number): number {
  let freed = 0;
  for (let b = first; b <= last; b++) {
    let live = liveBits[b] & (b === first ? firstMask : -1) & (b === last ? lastMask : -1);
    if (live === 0) continue;
    const base = b << 5;
    let dead = 0;
    while (live !== 0) {
      const low = live & -live;
      live ^= low;
      const i = base + 31 - Math.clz32(low);
      const m = i << 1;
      const v = meta[m];
      if (v > 0) {
        const w = meta[m | 1];
        if (w >> 1 === cycle) continue; // marked: stays live
        meta[m] = ~v;
        if ((w & 1) !== 0) {
          meta[m | 1] = w ^ 1;
          pinCounts[i] = 0;
          unpinned[0]++;
        }
        objects[i << 1] = undefined;
        objects[(i << 1) | 1] = undefined;
        freed++;
      }
      dead |= low; // freed now, or by freeHeapRef since its bit was set
    }
    liveBits[b] &= ~dead;
  }
  return freed;
}

/** Sets the bits of slots [from, to) in `lb` (to at most the table's size). */
function setBits(lb: Int32Array, from: number, to: number): void {
  if (from >= to) return;
  const last = (to - 1) >>> 5;
  let b = from >>> 5;
  let lo = -1 << (from & 31);
  for (; b < last; b++, lo = -1) lb[b] |= lo;
  const hi = (to & 31) === 0 ? -1 : (1 << (to & 31)) - 1;
  lb[last] |= lo & hi;
}

/** A packed (never holey) array of `n` undefineds: holey arrays cost a hole check per load. */
function packedArray(n: number): unknown[] {
  const a: unknown[] = [];
  for (let i = 0; i < n; i++) a.push(undefined);
  return a;
}

/** `h` in messages: value and hex, and with `heap` its slot there. */
export function describeHandle(h: unknown, heap?: ObjectHeap): string {
  if (heap !== undefined && !(typeof heap === 'object' && heap !== null && heaps.has(heap))) {
    throw new MisuseError(`describeHandle: heap must be a runtime's object heap (rt.heap) or undefined; got ${show(heap)}`, { value: heap, limit: 'ObjectHeap' });
  }
  if (typeof h !== 'number' || h >>> 0 !== h) return show(h);
  const hex = `${h} (0x${h.toString(16)}`;
  if (h < handleMin || h >= handleLimit) return `${hex}: not a handle)`;
  if (heap === undefined) return `${hex})`;
  return `${hex}: slot ${h & heap.mask})`;
}
