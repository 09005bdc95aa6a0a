// The barriered paths into unmanaged memory.
//
// A `HeapRef` slot in unmanaged memory is a heap pointer the collector scans
// through roots (markroot). While it marks, overwriting or clearing such a
// slot must let it see the old value, or an object reachable only from that
// slot could be lost (Go's hybrid write barrier, mbarrier.go). Every store of
// a HeapRef and every clear of memory holding them therefore passes through
// one `WriteBarrier` per runtime. The flag is checked once per operation, not
// per slot, so the off state costs one load (goal B1 in docs/benchmarks.md).
//
// Hook point: the collector (part 2) sets `hook` and flips `enabled` while it
// marks. Until then nothing marks, `enabled` stays false and the stores below
// are plain stores after one check.

import { badValue } from './check.js';
import { BadPointerError, MisuseError, show } from './errors.js';
import { isLayout, layoutSlotRuns, type Layout } from './layout.js';
import type { HeapBits } from './heapbits.js';
import { checkRange, checkRangeOf, clearBytes } from './memclr.js';
import { pageSize } from './space.js';
import type { RuntimeState } from './runtime.js';

/** pageSize in an immutable module binding: TurboFan folds it, where an import is a cell load and a hole check per use. */
const firstAddress = pageSize;

/**
 * Called for every HeapRef slot about to change while the barrier is on:
 * `slot` is its address, `old` the value it held (deletion barrier: shade
 * it), `next` the value being stored (0 for clears).
 */
export type WriteBarrierHook = (slot: number, old: number, next: number) => void;

/**
 * What the hook does, for a whole clear at once (the collector's shade, Go's
 * bulkBarrierPreWrite): the clears call it once per clear, so the per-slot
 * work is a loop inside one monomorphic method, not a call through a closure
 * per slot (which V8 cannot inline once several runtimes exist).
 */
export interface BulkBarrier {
  /** Same effect as the hook on each slot: `next` stored over `old` at `slot`. */
  write(slot: number, old: number, next: number): void;
  /** Shades the non-zero old values of a typedmemclr's HeapRef slots: `runs` holds `[first, stride, count]` per run of slots at `p + first + i × stride` (layoutSlotRuns); `i32` is the space's words. */
  clearSlots(i32: Int32Array, p: number, runs: Int32Array): void;
  /** The same for one run: the `count` (> 0) words `w + i × stride` of `i32` (a layout whose slots are evenly spaced, as any one or two are). */
  clearRun(i32: Int32Array, w: number, stride: number, count: number): void;
  /** Shades the old values of the 4-byte words inside [p, p+n) of `i32` that the heap bits name HeapRef slots, and conservatively those with no recorded layout (a memclrHasPointers). */
  clearRange(i32: Int32Array, bits: HeapBits, p: number, n: number): void;
}

function noHook(): void {}

/** The bulk form of a hook installed without one (a test's hook): the hook per slot. */
class HookBulk implements BulkBarrier {
  constructor(private readonly hook: WriteBarrierHook) {}
  write(slot: number, old: number, next: number): void {
    this.hook(slot, old, next);
  }
  clearSlots(i32: Int32Array, p: number, runs: Int32Array): void {
    for (let r = 0; r < runs.length; r += 3) {
      for (let a = p + runs[r], end = a + runs[r + 1] * runs[r + 2]; a < end; a += runs[r + 1]) {
        const old = i32[a >>> 2] >>> 0;
        if (old !== 0) this.hook(a, old, 0);
      }
    }
  }
  clearRun(i32: Int32Array, w: number, stride: number, count: number): void {
    for (const end = w + stride * count; w < end; w += stride) {
      const old = i32[w] >>> 0;
      if (old !== 0) this.hook(w * 4, old, 0);
    }
  }
  clearRange(i32: Int32Array, bits: HeapBits, p: number, n: number): void {
    bits.visit((p + 3) >>> 2, (p + n) >>> 2, (w) => {
      const old = i32[w] >>> 0;
      if (old !== 0) this.hook(w * 4, old, 0);
    });
  }
}

/** The initial `checkedLayout`: no argument is ever this object. */
const notALayout = Object.freeze({});
/** The initial `checkedSlots`. */
const noSlots = new Int32Array(0);

/** The write-barrier state of one runtime (Go: writeBarrier + gcWriteBarrier). */
export class WriteBarrier {
  /** True only while the collector marks; `hook` is then a real shade function. */
  enabled = false;
  /** The collector's shade function; a no-op while `enabled` is false. */
  hook: WriteBarrierHook = noHook;
  /** The same shade in bulk form: the collector's, or the hook per slot (HookBulk); set exactly while `enabled`. */
  bulk: BulkBarrier | undefined = undefined;
  /** The last layout typedmemclr validated: a loop clearing one type checks it once. */
  checkedLayout: unknown = notALayout;
  /** That layout's HeapRef slots as runs (layoutSlotRuns), read when it was checked: the fast path loads them from here, one field of an object it already holds. */
  checkedSlots: Int32Array = noSlots;
  /**
   * The same slots as one run where they form one (any one or two slots do): the number of slots, 0 for none, -1
   * for several runs (then `checkedSlots`); the first slot's word offset and the stride in words. The fast path
   * passes these three fields to BulkBarrier.clearRun instead of reading an array (64 B with 2 slots: 20 % fewer
   * instructions for the barrier).
   */
  checkedRunCount = 0;
  checkedRunFirst = 0;
  checkedRunStride = 0;

  /** Turns the barrier on with `hook` (and its bulk form, if any), or off with `undefined`. */
  set(hook: WriteBarrierHook | undefined, bulk?: BulkBarrier): void {
    if (hook !== undefined && typeof hook !== 'function') {
      throw new MisuseError(`setWriteBarrier: hook must be a function or undefined; got ${show(hook)}`, { value: hook, limit: 'a function or undefined' });
    }
    this.hook = hook ?? noHook;
    this.bulk = hook === undefined ? undefined : (bulk ?? new HookBulk(hook));
    this.enabled = hook !== undefined;
  }
}

/** The barriered HeapRef store, unchecked. Accessors of HeapRef fields call this. */
export function storeHeapRefUnchecked(rt: RuntimeState, p: number, v: number): void {
  const u32 = rt.space.u32;
  const i = p >>> 2;
  const wb = rt.barrier;
  if (wb.enabled) {
    const bulk = wb.bulk;
    if (bulk !== undefined) bulk.write(p, u32[i], v);
    else wb.hook(p, u32[i], v);
  }
  u32[i] = v;
}

function checkSlot(rt: RuntimeState, what: string, p: number, v: number): void {
  checkRange(rt.space, what, p, 4);
  if ((p & 3) !== 0) throw new BadPointerError(`${what}: p must be 4-byte aligned for a HeapRef slot; got ${show(p)}`, { value: p, limit: 4 });
  // A HeapRef slot holds nil or a handle; handles lie in [2^28, 2^30) (heap.ts).
  if (typeof v !== 'number' || (v !== 0 && !(v >= 0x10000000 && v < 0x40000000 && (v | 0) === v))) {
    badValue(`${what}: v`, v, 'a HeapRef: 0 (nil) or a handle, an integer in [2^28, 2^30)');
  }
  // Debug mode: only a live handle of this runtime (a stale or foreign one is a use after free or a mix-up).
  if (rt.debug && v !== 0 && !rt.heap.isLive(v)) rt.heap.reject(what, v);
}

/** Checked barriered store of `v` into the HeapRef slot at `p`. */
export function storeHeapRefImpl(rt: RuntimeState, p: number, v: number): void {
  checkSlot(rt, 'storeHeapRef', p, v);
  storeHeapRefUnchecked(rt, p, v);
}

/** Checked store that skips the barrier. */
export function storeHeapRefNoWBImpl(rt: RuntimeState, p: number, v: number): void {
  checkSlot(rt, 'storeHeapRefNoWB', p, v);
  rt.space.u32[p >>> 2] = v;
}

/** Checks that `layout` is a struct layout (once per layout in a row). */
function checkLayout(rt: RuntimeState, what: string, layout: unknown): void {
  if (layout === rt.barrier.checkedLayout) return;
  if (!isLayout(layout)) throw new MisuseError(`${what}: layout must be a struct layout made by struct(); got ${show(layout)}`, { value: layout, limit: 'a struct layout' });
  const wb = rt.barrier;
  const runs = layoutSlotRuns(layout);
  wb.checkedSlots = runs;
  wb.checkedRunCount = runs.length === 0 ? 0 : runs.length === 3 ? runs[2] : -1;
  wb.checkedRunFirst = runs.length === 3 ? runs[0] >> 2 : 0;
  wb.checkedRunStride = runs.length === 3 ? runs[1] >> 2 : 0;
  wb.checkedLayout = layout;
}

/**
 * Clears one object of `layout` at `p`, with a deletion barrier on each HeapRef slot.
 *
 * The fast path makes every check the slow path makes, in the cheapest form:
 * the layout is the one validated last (identity; the brand check ran then),
 * `p` is a number whose `& -align` is itself (an int32 multiple of the
 * alignment: false for fractions, NaN and values ≥ 2³¹), at or above the
 * first page with the whole object below mapped memory's end, and the space
 * is not in debug mode. Anything else, including the first call with a
 * layout, takes the slow path, which names the failed check.
 */
export function typedmemclrImpl(rt: RuntimeState, layout: Layout<unknown>, p: number): void {
  const wb = rt.barrier;
  const space = rt.space;
  // `=== false` / `=== true`: a compare with a constant, where `!x` on a field compiles to a full ToBoolean.
  if (layout === wb.checkedLayout && typeof p === 'number' && (p & -layout.align) === p && p >= firstAddress && p + layout.size <= space.mappedEnd && space.debug === false) {
    if (wb.enabled === true) {
      const count = wb.checkedRunCount;
      // `bulk` is set whenever the barrier is on (a hook without a bulk form gets HookBulk).
      if (count > 0) (wb.bulk as BulkBarrier).clearRun(space.i32, (p >>> 2) + wb.checkedRunFirst, wb.checkedRunStride, count);
      else if (count < 0) clearSlotsBarrier(rt, wb, p, wb.checkedSlots);
    }
    clearBytes(space, p, layout.size);
    return;
  }
  typedmemclrSlow(rt, layout, p);
}

function typedmemclrSlow(rt: RuntimeState, layout: Layout<unknown>, p: number): void {
  // A closed space's bound is 0, so a closed runtime always lands here: refused before the layout is looked at.
  if (rt.space.closed) rt.space.closedError('typedmemclr');
  checkLayout(rt, 'typedmemclr', layout);
  checkRangeOf(rt.space, 'typedmemclr', p, layout);
  if ((p & (layout.align - 1)) !== 0) {
    throw new BadPointerError(`typedmemclr: p must be aligned to ${layout.name}'s alignment ${layout.align}; got ${show(p)}`, { value: p, limit: layout.align });
  }
  const wb = rt.barrier;
  if (wb.enabled) clearSlotsBarrier(rt, wb, p, layoutSlotRuns(layout));
  clearBytes(rt.space, p, layout.size);
}

/** The deletion barrier of a typedmemclr: the old value of each HeapRef slot of `runs` (layoutSlotRuns) at `p`. A `const`, so compiled callers need no check that the binding still holds this function. */
const clearSlotsBarrier = (rt: RuntimeState, wb: WriteBarrier, p: number, runs: Int32Array): void => {
  // `bulk` is set whenever the barrier is on (a hook without a bulk form gets HookBulk).
  if (runs.length !== 0) (wb.bulk as BulkBarrier).clearSlots(rt.space.i32, p, runs);
};

/**
 * Clears [p, p+n) with a deletion barrier on the HeapRef slots in it: those
 * the heap bits name where the memory's layout was recorded, every non-zero
 * aligned word where it was not (heapbits.ts).
 */
export function memclrHasPointersImpl(rt: RuntimeState, p: number, n: number): void {
  checkRange(rt.space, 'memclrHasPointers', p, n);
  const wb = rt.barrier;
  // The bulk barrier directly, no helper: everything V8 inlines into a caller's loop, the barrier's fast path
  // (Collector.clearRange) included, must stay under its cumulative inlining budget, or a loop clearing with the
  // barrier off calls memclrHasPointers instead of inlining it (B1 at 64 B: 0.70x).
  if (wb.enabled === true) (wb.bulk as BulkBarrier).clearRange(rt.space.i32, rt.heap.bits, p, n);
  clearBytes(rt.space, p, n);
}
