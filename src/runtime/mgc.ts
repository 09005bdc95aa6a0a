// The collector of the object heap: incremental tri-colour mark, then sweep.
//
// Go's collector marks while the mutator runs, in bounded steps, and relies
// on the hybrid write barrier to keep the mark sound. This one does the same
// between calls of the mutator: `gcStart` turns the barrier on, each
// `gcStep(budget)` scans at most `budget` units (one HeapRef slot of a root,
// one pin entry, one swept slot), and when no grey work is left mark
// termination turns the barrier off and sweeping frees every handle left
// white. Objects behind handles are leaves (V8 traces inside them), so the
// grey objects are the roots: root blocks not yet fully scanned, late roots,
// and the pin table, Go's goroutine stacks. A handle is white or black:
// shading it marks it.
//
// Colour invariant (what the barrier keeps while marking):
//   a black root slot never holds the only path to a white handle.
// Deletion (Yuasa) shades a slot's old value before it is overwritten or
// cleared, so a handle a grey root held cannot vanish from it unshaded;
// insertion (Dijkstra) shades the stored value, so a black root never gains
// a white handle. Pins need no barrier (like Go's stack writes): a handle
// JS code pins after the pin table was scanned was either allocated during
// this cycle (allocation is black) or read from a root slot, whose deletion
// barrier shades it before the slot lets go of it.

import { checkmarkRoots, LostObjectError, type LostObject } from './checkmark.js';
import { BadPointerError, checkInt, show } from './errors.js';
import { epochMax, type ObjectHeap } from './heap.js';
import { layoutSlots } from './layout.js';
import type { HeapBits } from './heapbits.js';
import type { BulkBarrier, WriteBarrierHook } from './mbarrier.js';
import type { Root } from './roots.js';
import type { RuntimeState } from './runtime.js';
import { poisonByte } from './space.js';

/** The word freed memory is poisoned with in debug mode. */
const poisonWord = (poisonByte * 0x01010101) >>> 0;

/** The checkmark's report when it is off. */
const noneLost: readonly LostObject[] = Object.freeze([]);

// A heap slot's `meta` words (heap.ts): [value, epoch << 1 | pinned], at `i << 1`.
// Marking a slot in cycle c writes c << 1 and keeps the pinned bit.

/** Where the collector is: not running (also once the runtime is closed: close ends a cycle), marking (barrier on), or sweeping (barrier off). */
export type GcPhase = 'off' | 'mark' | 'sweep';

/** What the collector did, for tests and tuning. */
export interface GcStats {
  readonly phase: GcPhase;
  /** Cycles started so far. */
  readonly cycle: number;
  /** Handles shaded in the current (or last) mark; black allocations are not counted. */
  readonly marked: number;
  /** Handles freed by the last completed sweep. */
  readonly freed: number;
  /** Live handles now. */
  readonly live: number;
  /** Registered roots now. */
  readonly roots: number;
}

/** The collector state of one runtime. */
export class Collector implements BulkBarrier {
  phase: GcPhase = 'off';
  /** The current or last cycle (1 .. epochMax); handles with `epoch === cycle` are black. */
  cycle = 0;
  /** Run checkmark verification at each mark termination. */
  checkmark: boolean;
  /** Lost objects the last checkmark found. */
  lastLost: readonly LostObject[] = [];
  /**
   * Root blocks still grey this cycle, in scan order, in work[workHead, workLen); late roots are
   * appended. The array is kept from cycle to cycle (entries cleared at mark termination), so a
   * cycle allocates nothing on the JS heap once it has seen as many roots.
   */
  private readonly work: (Root | undefined)[] = [];
  private workHead = 0;
  private workLen = 0;
  /** Next heap slot whose pins the pin job scans. */
  private pinCursor = 1;
  /** Next heap slot the sweep looks at. */
  private sweepCursor = 1;
  private marked = 0;
  /** Live handles when the cycle started (all white then). */
  private whiteAtStart = 0;
  /** Handles the checkmark marked (lost objects). */
  private lostMarked = 0;
  private freed = 0;
  private sweptFreed = 0;
  /** The barrier hook: shade the old value (deletion) and the new one (insertion). */
  private declare readonly hook: WriteBarrierHook;
  /** Appends a root to the grey work (a bound function made once: `forEach` over the roots allocates no iterator). */
  private declare readonly enqueue: (root: Root) => void;
  /** `rt.heap`, one load closer for shade. */
  private declare readonly heap: ObjectHeap;

  constructor(
    private readonly rt: RuntimeState,
    checkmark: boolean,
  ) {
    this.checkmark = checkmark;
    this.heap = rt.heap;
    this.hook = (slot, old, next) => {
      if (old !== 0) this.shade(old, slot);
      if (next !== 0) this.shade(next, slot);
    };
    this.enqueue = (root: Root) => {
      root.cursor = 0;
      this.work[this.workLen++] = root;
    };
  }

  /**
   * Marks `v` if it is a live handle. A value that looks like a handle (of
   * this runtime or another) but names no live object, or the debug poison
   * pattern, is a bad pointer, reported in debug mode (Go: "found bad
   * pointer in Go heap") and ignored otherwise; values that can never be
   * handles (below 2^28, 2^30 and above) are not heap pointers.
   */
  shade(v: number, slot: number): void {
    const heap = this.heap;
    const meta = heap.meta;
    const m = (v & heap.mask) << 1;
    if (meta[m] === v) {
      const w = meta[m | 1];
      if (w >> 1 !== this.cycle) {
        meta[m | 1] = (this.cycle << 1) | (w & 1);
        this.marked++;
      }
      return;
    }
    if (this.rt.debug && (heap.looksLikeHandle(v) || v === poisonWord)) this.badPointer(v, slot);
  }

  /** The hook in bulk form (mbarrier.ts): a store of `next` over `old`. */
  write(slot: number, old: number, next: number): void {
    if (old !== 0) this.shade(old, slot);
    if (next !== 0) this.shade(next, slot);
  }

  /**
   * Deletion barrier of a typedmemclr: shades the old values of the HeapRef slots of `runs` (`[first, stride,
   * count]` each, layoutSlotRuns) at `p`, a run at a time.
   */
  clearSlots(i32: Int32Array, p: number, runs: Int32Array): void {
    for (let r = 0; r < runs.length; r += 3) this.clearRun(i32, (p + runs[r]) >>> 2, runs[r + 1] >> 2, runs[r + 2]);
  }

  /**
   * Shades the old values of the `count` HeapRef slots at words `w + i × stride` of `i32`. A run steps by its
   * stride, so no offset is read per slot. The scan (scanRun) has no store and no call, so the common case, every
   * old value nil or already marked, is one tight loop; a slot to mark or report is handled here and the scan goes
   * on past it.
   */
  clearRun(i32: Int32Array, w: number, stride: number, count: number): void {
    const heap = this.heap;
    const meta = heap.meta;
    const mask = heap.mask;
    const c2 = this.cycle << 1;
    const end = w + stride * count;
    while ((w = scanRun(i32, meta, mask, c2, w, end, stride)) < end) {
      const v = i32[w];
      const m = (v & mask) << 1;
      if (meta[m] === v) this.markSlot(m, c2);
      else this.badSlot(v, w);
      w += stride;
    }
  }

  /**
   * clearRun for clearObjects, which runs outside the caller's compiled loop: the scan takes four slots a step
   * (scanRun4), and a slot it stops at goes to hitSlot (clearRun keeps its own lines: a call there, even on the rare
   * path, would change what V8 inlines into a typedmemclr loop).
   */
  private clearLongRun(i32: Int32Array, w: number, stride: number, count: number): void {
    const heap = this.heap;
    const meta = heap.meta;
    const mask = heap.mask;
    const c2 = this.cycle << 1;
    const end = w + stride * count;
    while ((w = scanRun4(i32, meta, mask, c2, w, end, stride)) < end) {
      this.hitSlot(i32[w], w, c2);
      w += stride;
    }
  }

  /** A scan stopped at word `w`, holding `v`: marks the live handle (cycle `c2` >> 1), or reports a bad pointer. */
  private hitSlot(v: number, w: number, c2: number): void {
    const heap = this.heap;
    const m = (v & heap.mask) << 1;
    if (heap.meta[m] === v) this.markSlot(m, c2);
    else this.badSlot(v, w);
  }

  /**
   * Deletion barrier of a memclrHasPointers over the 4-byte words inside
   * [p, p+n): the heap bits name the HeapRef slots of words with a recorded
   * layout, which are shaded (a bad pointer there is reported in debug
   * mode); words with no recorded layout are scanned conservatively (see
   * clearWords).
   *
   * Fast path: the words lie in one bitmap word, all with a recorded layout
   * (a small object of a pool of a layout). It is kept small so that V8
   * inlines it into the clear: a call to the general loop, which is too big
   * to inline, cost about as much as the shading of two slots.
   */
  clearRange(i32: Int32Array, bits: HeapBits, p: number, n: number): void {
    // p is 4-byte aligned; n < 4 gives an empty range (the last word is below p's, and no bit lies from p's up to it).
    // A bitmap word beyond the bitmaps reads as undefined, whose `& range` is 0: the slow path, or an empty range.
    // bits.words interleaves the two bitmaps: known at `b << 1`, ptr at the next entry (heapbits.ts).
    const b = p >>> 7;
    const last = (p + n - 4) >>> 2;
    const range = (-1 << ((p >>> 2) & 31)) & (-1 >>> (31 - (last & 31)));
    const words = bits.words;
    if ((p & 3) !== 0 || last >>> 5 !== b || (words[b << 1] & range) !== range) return this.clearRangeSlow(i32, bits, p, n);
    const c2 = this.cycle << 1;
    const heap = this.heap;
    const meta = heap.meta;
    const mask = heap.mask;
    for (let q = words[(b << 1) | 1] & range; q !== 0; q &= q - 1) {
      const w = (b << 5) | (31 - Math.clz32(q & -q));
      const v = i32[w];
      const m = (v & mask) << 1;
      if (meta[m] !== v) {
        if (v !== 0) this.badSlot(v, w);
      } else if ((meta[m | 1] & -2) !== c2) this.markSlot(m, c2);
    }
  }

  /** Marks the live handle of `meta` word `m` (cycle `c2` >> 1). */
  private markSlot(m: number, c2: number): void {
    const meta = this.heap.meta;
    meta[m | 1] = c2 | (meta[m | 1] & 1);
    this.marked++;
  }

  /** A HeapRef slot (word `w`) holds `v`, which names no live handle: reported in debug mode, ignored otherwise. */
  private badSlot(v: number, w: number): void {
    if (this.rt.debug) this.shade(v >>> 0, w * 4);
  }

  /**
   * clearRange's general case. Whole objects of one pool's span take the
   * span's slot runs (heapbits.ts): typedmemclr's loop over the same slots,
   * once per object or once for the range (clearObjects), with no bitmap
   * word read. Any other range walks the bitmaps over the words inside
   * [p, p+n), known or not.
   */
  private clearRangeSlow(i32: Int32Array, bits: HeapBits, p: number, n: number): void {
    const s = bits.objects(p, n);
    if (s >= 0) return this.clearObjects(i32, p, p + n, bits.spanSize(s), bits.spanRuns[s]);
    const from = (p + 3) >>> 2;
    const to = (p + n) >>> 2;
    if (from < to) this.clearBits(i32, bits, from, to);
  }

  /** The deletion barrier of the objects of `size` bytes in [p, end), each with the HeapRef slot runs `runs`. */
  private clearObjects(i32: Int32Array, p: number, end: number, size: number, runs: Int32Array): void {
    if (runs.length === 0) return;
    if (runs.length === 3) {
      // One run per object: the range's slots are one run too over one object, or where the run goes on into the next
      // object (its stride tiles the object, or one slot per object). One clearLongRun then, with no loop around it (a
      // loop around the scan cost V8 registers: 46 instructions per slot against 43, 4 KiB, cachegrind).
      const first = (p + runs[0]) >>> 2;
      const stride = runs[1];
      const count = runs[2];
      if (end - p === size) return this.clearLongRun(i32, first, stride >> 2, count);
      const objects = (end - p) / size;
      if (stride * count === size) return this.clearLongRun(i32, first, stride >> 2, count * objects);
      if (count === 1) return this.clearLongRun(i32, first, size >> 2, objects);
    }
    for (let q = p; q < end; q += size) this.clearSlots(i32, q, runs);
  }

  /** The bitmap walk of clearRange over the words [from, to) (from < to). */
  private clearBits(i32: Int32Array, bits: HeapBits, from: number, to: number): void {
    const words = bits.words; // known at b << 1, ptr next (heapbits.ts)
    // Words beyond the bitmaps have no recorded layout.
    const covered = words.length << 4;
    if (to > covered) {
      this.clearWords(i32, Math.max(from, covered), to);
      if (from >= covered) return;
      to = covered;
    }
    const { meta, mask } = this.heap;
    const c2 = this.cycle << 1;
    let marked = 0;
    for (let b = from >>> 5, last = (to - 1) >>> 5; b <= last; b++) {
      const base = b << 5;
      let range = -1;
      if (base < from) range = -1 << (from - base);
      if (to - base < 32) range &= (1 << (to - base)) - 1;
      const k = words[b << 1] & range;
      let q = words[(b << 1) | 1] & k;
      while (q !== 0) {
        const low = q & -q;
        q ^= low;
        const w = base + 31 - Math.clz32(low);
        const v = i32[w];
        if (v === 0) continue;
        const m = (v & mask) << 1;
        if (meta[m] === v) {
          const x = meta[m | 1];
          if ((x & -2) !== c2) {
            meta[m | 1] = c2 | (x & 1);
            marked++;
          }
        } else if (this.rt.debug) {
          this.marked += marked;
          marked = 0;
          this.shade(v >>> 0, w * 4); // reports the bad pointer
        }
      }
      if ((range & ~k) !== 0) {
        this.marked += marked;
        marked = 0;
        this.clearUnknown(i32, base, range & ~k);
      }
    }
    if (marked !== 0) this.marked += marked;
  }

  /** The conservative scan of the words `base + bit` for the set bits of `unknown`. */
  private clearUnknown(i32: Int32Array, base: number, unknown: number): void {
    while (unknown !== 0) {
      const low = unknown & -unknown;
      unknown ^= low;
      const w = base + 31 - Math.clz32(low);
      this.shadeConservative(i32[w]);
    }
  }

  /**
   * Conservative deletion barrier over words [from, to) with no recorded
   * layout: shades every word that is a live handle. A word that is not
   * one may be a scalar, so nothing here is a bad pointer.
   */
  clearWords(i32: Int32Array, from: number, to: number): void {
    const { meta, mask } = this.heap;
    const c2 = this.cycle << 1;
    let marked = 0;
    for (let w = from; w < to; w++) {
      const v = i32[w];
      if (v === 0) continue;
      const m = (v & mask) << 1;
      if (meta[m] !== v) continue;
      const x = meta[m | 1];
      if ((x & -2) !== c2) {
        meta[m | 1] = c2 | (x & 1);
        marked++;
      }
    }
    if (marked !== 0) this.marked += marked;
  }

  private shadeConservative(v: number): void {
    if (v === 0) return;
    const { meta, mask } = this.heap;
    const m = (v & mask) << 1;
    if (meta[m] !== v) return;
    const w = meta[m | 1];
    if (w >> 1 !== this.cycle) {
      meta[m | 1] = (this.cycle << 1) | (w & 1);
      this.marked++;
    }
  }

  private badPointer(v: number, slot: number): never {
    const heap = this.heap;
    const why =
      v === poisonWord ? 'the debug poison of freed memory' : heap.liveElsewhere(v) ? "another runtime's handle" : 'a freed, collected or never-issued handle';
    throw new BadPointerError(
      `found bad pointer in offheap object heap: slot ${show(slot)} holds ${heap.describe(v)}, ${why}` +
        ' (a reused block registered or cleared with barriers before zero-initialization, or a HeapRef stored without a root?)',
      { value: v, limit: slot },
    );
  }

  /** Starts a cycle: finishes a pending sweep, snapshots the roots, turns the barrier on. False if already marking. */
  start(): boolean {
    if (this.phase === 'mark') return false;
    if (this.phase === 'sweep') this.sweep(Infinity);
    // Epochs are 30 bits and 0 means "never marked": the cycle counts 1 .. epochMax, then starts over.
    this.cycle = this.cycle === epochMax ? 1 : this.cycle + 1;
    this.phase = 'mark';
    this.marked = 0;
    this.lostMarked = 0;
    this.whiteAtStart = this.heap.live;
    this.heap.whiteFreed = 0;
    this.heap.allocEpoch = this.cycle;
    this.workHead = 0;
    this.workLen = 0;
    this.rt.roots.byAddress.forEach(this.enqueue);
    this.pinCursor = 1;
    this.rt.barrier.set(this.hook, this);
    return true;
  }

  /** At most `budget` units of work; true while the cycle has work left. */
  step(budget: number): boolean {
    checkInt('gcStep: budget', budget, 1, 2 ** 31);
    if (this.phase === 'mark') {
      this.markWork(budget);
      if (this.markDone()) this.markTermination();
      return true;
    }
    if (this.phase === 'sweep') this.sweep(budget);
    return this.phase !== 'off';
  }

  /** Completes the current cycle: the rest of the mark, mark termination, the whole sweep. */
  finish(): void {
    let err: unknown;
    if (this.phase === 'mark') {
      this.markWork(Infinity);
      try {
        this.markTermination();
      } catch (e) {
        err = e;
      }
    }
    if (this.phase === 'sweep') this.sweep(Infinity);
    if (err !== undefined) throw err as Error;
  }

  /** A full cycle that frees everything unreachable now. */
  full(): void {
    if (this.phase === 'mark') this.finish();
    this.start();
    this.finish();
  }

  /** A root registered now: grey until scanned (Go's late roots, as addfinalizer rescans while marking). */
  rootAdded(root: Root): void {
    root.cursor = 0;
    if (this.phase === 'mark') this.enqueue(root);
  }

  /** A root going away while marking: shade what it still holds unscanned (its deletion barrier). */
  rootRemoved(root: Root): void {
    if (this.phase === 'mark' && root.scannedCycle !== this.cycle) this.scanRoot(root, Infinity);
  }

  /**
   * Runtime.close: the cycle ends with the runtime, so the phase says 'off'
   * (the barrier is on exactly while it is 'mark'; close turned it off) and
   * the grey work list lets its roots go. The counts stay for gcStats.
   */
  close(): void {
    this.rt.setWriteBarrier(undefined);
    this.work.fill(undefined, 0, this.workLen);
    this.workHead = this.workLen = 0;
    this.phase = 'off';
  }

  stats(): GcStats {
    return { phase: this.phase, cycle: this.cycle, marked: this.marked, freed: this.freed, live: this.heap.live, roots: this.rt.roots.byAddress.size };
  }

  private markDone(): boolean {
    return this.workHead >= this.workLen && this.pinCursor >= this.heap.top;
  }

  /** Grey work, up to `budget` units: the pin table first (Go scans stacks early too), then root blocks. */
  private markWork(budget: number): void {
    let n = 0;
    const heap = this.heap;
    while (n < budget) {
      if (this.pinCursor < heap.top) {
        const end = Math.min(heap.top, this.pinCursor + (budget - n));
        if (heap.pinnedSlots === 0) {
          // No pins: the job's units are spent without reading the table (a pin made later needs no scan, see the file comment).
          n += end - this.pinCursor;
          this.pinCursor = end;
          continue;
        }
        tally[0] = 0;
        shadePinned(heap.meta, this.cycle << 1, this.pinCursor, end);
        this.marked += tally[0];
        n += end - this.pinCursor;
        this.pinCursor = end;
        continue;
      }
      if (this.workHead < this.workLen) {
        const r = this.work[this.workHead]!;
        if (r.removed || r.scannedCycle === this.cycle) {
          this.workHead++;
          continue;
        }
        n += this.scanRoot(r, budget - n);
        if (r.scannedCycle === this.cycle) this.workHead++;
        continue;
      }
      break;
    }
  }

  /** Scans up to `budget` HeapRef slots of `root` from its cursor; returns the slots scanned. */
  private scanRoot(root: Root, budget: number): number {
    const u32 = this.rt.space.u32;
    const i32 = this.rt.space.i32; // the loops read words as int32: compared with the int32 value words without a conversion
    const layout = root.layout;
    const slots = layoutSlots(layout);
    const per = slots.length;
    const total = root.count * per;
    const start = root.cursor;
    const end = Math.min(total, start + budget);
    const { meta, mask } = this.heap;
    const c2 = this.cycle << 1;
    tally[0] = 0;
    // The loops stop at a word that names no live handle: shade() reports it (debug) past its slot, so the cycle can go on.
    for (let k = start; k < end; ) {
      if (per === 1) {
        const w = (root.p + k * layout.size + slots[0]) >>> 2;
        k += shadeStrided(i32, meta, mask, c2, w, layout.size >>> 2, end - k);
      } else {
        const e = (k / per) | 0;
        k += shadeSlots(i32, meta, mask, c2, slots, k - e * per, root.p + e * layout.size, layout.size, end - k);
      }
      if (k < end) {
        root.cursor = k + 1;
        this.marked += tally[0];
        tally[0] = 0;
        const a = root.slotAddress(k);
        this.shade(u32[a >>> 2], a);
        k++;
      }
    }
    this.marked += tally[0];
    root.cursor = end;
    if (end === total) root.scannedCycle = this.cycle;
    return end - start;
  }

  /** Mark termination: barrier off, checkmark if asked, then sweeping. Throws LostObjectError after entering the sweep. */
  private markTermination(): void {
    this.rt.setWriteBarrier(undefined);
    this.work.fill(undefined, 0, this.workLen); // no removed root stays reachable from here
    this.workHead = this.workLen = 0;
    this.lastLost = this.checkmark ? checkmarkRoots(this.rt, this.cycle) : noneLost;
    this.lostMarked = this.lastLost.length;
    this.phase = 'sweep';
    this.sweepCursor = 1;
    this.sweptFreed = 0;
    if (this.lastLost.length > 0) throw new LostObjectError(this.lastLost, this.cycle);
  }

  /**
   * Frees white handles, up to `budget` slots; ends the cycle at the table's
   * end. A pinned white handle can only be a lost object (a mutator bug the
   * checkmark reports): it is freed like any white one, pins and all, so the
   * bug shows as a stale handle rather than a leak.
   */
  private sweep(budget: number): void {
    const heap = this.heap;
    const end = Math.min(heap.top, this.sweepCursor + budget);
    // White handles left: the live ones at the start, less those marked, freed by freeHeapRef or swept. With none, the
    // sweep's units are spent without reading the table (a fully reachable heap sweeps in O(1) per step).
    const white = this.whiteAtStart - this.marked - this.lostMarked - heap.whiteFreed - this.sweptFreed;
    if (white > 0) this.sweptFreed += heap.sweep(this.sweepCursor, end, this.cycle);
    this.sweepCursor = end;
    if (end >= heap.top) {
      this.phase = 'off';
      this.freed = this.sweptFreed;
      heap.allocEpoch = 0;
    }
  }
}

// The collector's long loops are module functions over typed arrays, not
// methods: V8 compiles a long-running loop on the stack (OSR) before the code
// after it has ever run, and a method's `this.x` after the loop then has no
// type feedback, so the cached OSR code deoptimized at the loop's exit on
// every call (1,270 deopts in 28k gc() calls over 10k handles, allocating on
// the JS heap each time). Marks are counted in `tally[0]` inside the loops.

/** Handles marked by the loops below since the caller zeroed it. */
const tally = new Int32Array(1);

/**
 * Shades the live handles among `n` words of `i32`, from word `w`, `stride`
 * words apart (a layout with one HeapRef slot). Returns the words done: `n`,
 * or fewer if it stopped at a non-zero word naming no live handle. (A word
 * of 2^31 or more is negative here: it equals no live value, all positive,
 * nor the ~h marker of a free slot, since ~h and h never pick the same slot.)
 * Marks are counted in a
 * local and added to `tally[0]` once, at the one exit: a typed-array
 * increment per mark chained every mark through memory.
 */
function shadeStrided(i32: Int32Array, meta: Int32Array, mask: number, c2: number, w: number, stride: number, n: number): number {
  let marked = 0;
  let k = 0;
  for (; k < n; k++, w += stride) {
    const v = i32[w];
    if (v === 0) continue;
    const m = (v & mask) << 1;
    if (meta[m] !== v) break;
    const x = meta[m | 1];
    if ((x & -2) !== c2) {
      meta[m | 1] = c2 | (x & 1);
      marked++;
    }
  }
  tally[0] += marked;
  return k;
}

/**
 * The first word of the run [w, end) (every `stride` words) whose old value needs the barrier: a live handle not
 * marked in cycle `c2 >> 1`, or a non-zero word that names no live handle (reported in debug mode). `end` if none.
 * The words are read as int32 (handles are below 2^30), which compare with `meta`'s without a sign check.
 */
function scanRun(i32: Int32Array, meta: Int32Array, mask: number, c2: number, w: number, end: number, stride: number): number {
  for (; w < end; w += stride) {
    const v = i32[w];
    const m = (v & mask) << 1;
    // v = 0 reads slot 0, whose value word is 1: no match, and nil needs nothing.
    if (meta[m] === v) {
      if ((meta[m | 1] & -2) !== c2) return w;
    } else if (v !== 0) return w;
  }
  return end;
}

/**
 * scanRun, four slots a step, for a scan in a function of its own (clearLongRun): there TurboFan re-checked both
 * typed arrays' maps and reloaded their lengths and data pointers for every slot, and does so once a step here
 * (cachegrind, a 4 KiB clear of 128 slots: 38 instructions a slot against 46). Not for clearRun, which V8 inlines
 * into the caller's loop: the larger body spent that loop's inlining budget (typedmemclr at 64 B, 2 slots: 8.5
 * against 3.2 ns a slot).
 */
function scanRun4(i32: Int32Array, meta: Int32Array, mask: number, c2: number, w: number, end: number, stride: number): number {
  // v = 0 reads slot 0, whose value word is 1: no match, and nil needs nothing.
  for (const s2 = stride * 2, s3 = stride * 3; w + s3 < end; w += stride << 2) {
    const v0 = i32[w];
    const v1 = i32[w + stride];
    const v2 = i32[w + s2];
    const v3 = i32[w + s3];
    const m0 = (v0 & mask) << 1;
    const m1 = (v1 & mask) << 1;
    const m2 = (v2 & mask) << 1;
    const m3 = (v3 & mask) << 1;
    if (meta[m0] === v0) {
      if ((meta[m0 | 1] & -2) !== c2) return w;
    } else if (v0 !== 0) return w;
    if (meta[m1] === v1) {
      if ((meta[m1 | 1] & -2) !== c2) return w + stride;
    } else if (v1 !== 0) return w + stride;
    if (meta[m2] === v2) {
      if ((meta[m2 | 1] & -2) !== c2) return w + s2;
    } else if (v2 !== 0) return w + s2;
    if (meta[m3] === v3) {
      if ((meta[m3 | 1] & -2) !== c2) return w + s3;
    } else if (v3 !== 0) return w + s3;
  }
  return scanRun(i32, meta, mask, c2, w, end, stride); // the last 0-3 slots
}

/**
 * Shades the live handles in `n` HeapRef slots of objects `size` bytes
 * apart, starting at slot `j` of the object at `base`. Returns the slots
 * done, like shadeStrided.
 */
function shadeSlots(i32: Int32Array, meta: Int32Array, mask: number, c2: number, slots: Int32Array, j: number, base: number, size: number, n: number): number {
  const per = slots.length;
  let marked = 0;
  let k = 0;
  for (; k < n; k++) {
    const v = i32[(base + slots[j]) >>> 2];
    if (++j === per) {
      j = 0;
      base += size;
    }
    if (v === 0) continue;
    const m = (v & mask) << 1;
    if (meta[m] !== v) break;
    const x = meta[m | 1];
    if ((x & -2) !== c2) {
      meta[m | 1] = c2 | (x & 1);
      marked++;
    }
  }
  tally[0] += marked;
  return k;
}

/** Shades the pinned handles of slots [from, to), `c2` being the cycle << 1. The pinned bit is set only on live slots (a release clears it). */
function shadePinned(meta: Int32Array, c2: number, from: number, to: number): void {
  let marked = 0;
  for (let m = (from << 1) | 1, e = to << 1; m < e; m += 2) {
    const x = meta[m];
    if ((x & 1) !== 0 && x !== (c2 | 1)) {
      meta[m] = c2 | 1;
      marked++;
    }
  }
  tally[0] += marked;
}
