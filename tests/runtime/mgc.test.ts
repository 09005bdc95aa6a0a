import { describe, expect, it } from 'vitest';
import {
  BadPointerError,
  createRuntime,
  defaultRuntime,
  FixAlloc,
  gc,
  gcFinish,
  gcStart,
  gcStep,
  heapRef,
  LostObjectError,
  OffheapRangeError,
  setDefaultRuntime,
  StaleHandleError,
  struct,
  u32,
  type HeapRef,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { epochMax } from '../../src/runtime/heap.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { n: u32, a: heapRef<object>() });
type RecT = LayoutType<typeof Rec>;

function setup(options: { debug?: boolean; checkmark?: boolean } = {}): { rt: Runtime; pool: FixAlloc<RecT> } {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: options.debug ?? true, checkmark: options.checkmark ?? true });
  return { rt, pool: new FixAlloc(Rec, { runtime: rt }) };
}

/** A rooted block of `n` records, each holding a fresh handle. */
function rootedBlock(rt: Runtime, n: number): { block: Ptr<RecT>; hs: HeapRef<object>[] } {
  const block = rt.sysAlloc<RecT>(n * Rec.size);
  const acc = rt.access(Rec);
  const hs: HeapRef<object>[] = [];
  for (let e = 0; e < n; e++) {
    const h = rt.newHeapRef({ e });
    acc.a.set((block + e * Rec.size) as Ptr<RecT>, h);
    hs.push(h);
  }
  rt.addRoot(block, Rec, n);
  return { block, hs };
}

/** Runs mark steps until only the pin table is scanned and the roots are still grey. */
function scanPinsOnly(rt: Runtime): void {
  rt.gcStep(stateOf(rt).heap.top - 1);
}

describe('collector phases', () => {
  it('the write barrier is on exactly while marking', () => {
    const { rt } = setup();
    rootedBlock(rt, 50);
    expect(stateOf(rt).barrier.enabled).toBe(false);
    expect(rt.gcStart()).toBe(true);
    expect(stateOf(rt).collector.phase).toBe('mark');
    expect(stateOf(rt).barrier.enabled).toBe(true);
    expect(rt.gcStart()).toBe(false); // already marking
    while (stateOf(rt).collector.phase === 'mark') {
      expect(stateOf(rt).barrier.enabled).toBe(true);
      rt.gcStep(8);
    }
    expect(stateOf(rt).collector.phase).toBe('sweep');
    expect(stateOf(rt).barrier.enabled).toBe(false);
    rt.gcFinish();
    expect(stateOf(rt).collector.phase).toBe('off');
    expect(stateOf(rt).barrier.enabled).toBe(false);
    expect(rt.gcStep(5)).toBe(false);
  });

  it('gcStep does bounded work: at most budget slots per step', () => {
    const { rt } = setup();
    const { block } = rootedBlock(rt, 1000);
    const root = stateOf(rt).roots.byAddress.get(block)!;
    rt.gcStart();
    scanPinsOnly(rt);
    expect(root.cursor).toBe(0);
    let steps = 0;
    let before = 0;
    while (stateOf(rt).collector.phase === 'mark') {
      rt.gcStep(37);
      expect(root.cursor - before).toBeLessThanOrEqual(37);
      before = root.cursor;
      steps++;
    }
    expect(steps).toBe(Math.ceil(1000 / 37));
    expect(stateOf(rt).collector.stats().marked).toBe(1000);
    let sweepSteps = 0;
    while (rt.gcStep(100)) sweepSteps++;
    expect(sweepSteps).toBe(Math.ceil((stateOf(rt).heap.top - 1) / 100) - 1);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => rt.gcStep(bad)).toThrow(OffheapRangeError);
  });

  it('sweeps incrementally, and gcStart finishes a pending sweep first', () => {
    const { rt } = setup();
    const garbage = Array.from({ length: 300 }, (_, i) => rt.newHeapRef({ i }));
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top); // mark done → sweep
    expect(stateOf(rt).collector.phase).toBe('sweep');
    rt.gcStep(100);
    const freedSoFar = garbage.filter((h) => !stateOf(rt).heap.isLive(h)).length;
    expect(freedSoFar).toBe(100);
    expect(rt.gcStart()).toBe(true);
    expect(garbage.every((h) => !stateOf(rt).heap.isLive(h))).toBe(true);
    rt.gcFinish();
    expect(stateOf(rt).collector.stats().cycle).toBe(2);
  });

  it('objects allocated while marking or sweeping are black: kept this cycle, collected by the next', () => {
    const { rt } = setup();
    rt.gcStart();
    const duringMark = rt.newHeapRef('m');
    rt.gcStep(stateOf(rt).heap.top + 1);
    expect(stateOf(rt).collector.phase).toBe('sweep');
    const duringSweep = rt.newHeapRef('s');
    rt.gcFinish();
    expect(rt.deref(duringMark)).toBe('m');
    expect(rt.deref(duringSweep)).toBe('s');
    rt.gc();
    expect(stateOf(rt).heap.isLive(duringMark)).toBe(false);
    expect(stateOf(rt).heap.isLive(duringSweep)).toBe(false);
  });

  it('gc() while marking completes that cycle, then runs a full one', () => {
    const { rt } = setup();
    rt.gcStart();
    const h = rt.newHeapRef('black'); // survives the running cycle only
    rt.gc();
    expect(stateOf(rt).collector.stats().cycle).toBe(2);
    expect(stateOf(rt).heap.isLive(h)).toBe(false);
  });

  it('module-level gcStart/gcStep/gcFinish/gc drive the default runtime', () => {
    const prev = defaultRuntime();
    const { rt } = setup();
    setDefaultRuntime(rt);
    try {
      const white = rt.newHeapRef({});
      expect(gcStart()).toBe(true);
      expect(stateOf(rt).collector.phase).toBe('mark');
      expect(gcStep(1)).toBe(true);
      gcFinish();
      expect(stateOf(rt).collector.phase).toBe('off');
      expect(stateOf(rt).heap.isLive(white)).toBe(false); // unrooted and unpinned
      const h = rt.newHeapRef({});
      gc();
      expect(stateOf(rt).collector.stats().cycle).toBe(2);
      expect(stateOf(rt).heap.isLive(h)).toBe(false);
    } finally {
      setDefaultRuntime(prev);
    }
  });
});

describe('the hybrid write barrier', () => {
  it('insertion: a white handle stored into an already-scanned root is shaded', () => {
    const { rt, pool } = setup();
    const p = pool.alloc();
    rt.addRoot(p, Rec);
    rootedBlock(rt, 100); // grey work left after p
    const h = rt.newHeapRef({ white: true }); // JS-held, about to be stored
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top); // the pin table and p's one slot: p is black, marking goes on
    expect(stateOf(rt).collector.phase).toBe('mark');
    expect(stateOf(rt).roots.byAddress.get(p)!.scannedCycle).toBe(stateOf(rt).collector.cycle);
    rt.access(Rec).a.set(p, h);
    rt.gcFinish(); // checkmark on: no lost object
    expect(rt.deref(h)).toEqual({ white: true });
  });

  it('a store that bypasses the barrier (storeHeapRefNoWB) into a black root loses the object: checkmark reports it', () => {
    const { rt, pool } = setup();
    const p = pool.alloc();
    rt.addRoot(p, Rec);
    rootedBlock(rt, 100);
    const h = rt.newHeapRef({ white: true });
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top);
    rt.storeHeapRefNoWB(p + Rec.offsets.a, h);
    let err: unknown;
    try {
      rt.gcFinish();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LostObjectError);
    const lost = err as LostObjectError;
    expect(lost.code).toBe('ERR_LOST_OBJECT');
    expect(lost.lost).toEqual([{ handle: h, slot: p + Rec.offsets.a, root: p }]);
    expect(lost.message).toMatch(/missed 1 reachable object/);
    expect(stateOf(rt).collector.phase).toBe('off'); // the cycle completed; the lost object was kept
    expect(rt.deref(h)).toEqual({ white: true });
  });

  it('without checkmark the same bypass frees a reachable object: a later deref throws StaleHandleError', () => {
    const { rt, pool } = setup({ checkmark: false });
    const p = pool.alloc();
    rt.addRoot(p, Rec);
    rootedBlock(rt, 100);
    const h = rt.newHeapRef({ white: true });
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top);
    rt.storeHeapRefNoWB(p + Rec.offsets.a, h);
    rt.gcFinish();
    expect(rt.access(Rec).a.get(p)).toBe(h); // still in a rooted slot …
    expect(() => rt.deref(h)).toThrow(StaleHandleError); // … but collected
  });

  it('debug: a store over a slot holding a value that names no live object, while marking, is a bad pointer, and the slot keeps its value', () => {
    const { rt, pool } = setup();
    const p = pool.alloc();
    rt.addRoot(p, Rec);
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const live = rt.newHeapRef({});
    rt.access(Rec).a.set(p, live);
    rt.gcStart();
    // The checked stores refuse the stale value itself first (debug mode): the accessor as storeHeapRef.
    expect(() => rt.access(Rec).a.set(p, dead)).toThrow(StaleHandleError);
    expect(() => rt.storeHeapRef(p + 4, dead)).toThrow(StaleHandleError);
    expect(rt.access(Rec).a.get(p)).toBe(live);
    // A stale handle already in the slot (written raw, on purpose): the deletion barrier of the next store reports it.
    stateOf(rt).space.u32[(p + Rec.offsets.a) >>> 2] = dead;
    expect(() => rt.access(Rec).a.set(p, live)).toThrow(BadPointerError);
    expect(rt.access(Rec).a.get(p)).toBe(dead);
    stateOf(rt).space.u32[(p + Rec.offsets.a) >>> 2] = 12345; // outside the handle table: not a heap pointer (Go's findObject)
    rt.access(Rec).a.set(p, live);
    expect(() => rt.access(Rec).a.set(p, 12345 as HeapRef<object>)).toThrow(OffheapRangeError); // nor a HeapRef value
    rt.gcFinish();
  });

  it('outside debug mode a bad pointer is ignored and corrupts nothing', () => {
    const { rt, pool } = setup({ debug: false, checkmark: true });
    const p = pool.alloc();
    rt.addRoot(p, Rec);
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const live = rt.newHeapRef({ live: 1 });
    rt.pin(live);
    rt.gcStart();
    rt.access(Rec).a.set(p, dead);
    rt.gcFinish();
    expect(rt.deref(live)).toEqual({ live: 1 });
    expect(stateOf(rt).heap.live).toBe(1);
    const again = rt.newHeapRef('x'); // dead's slot is reusable; the stale value stays stale
    expect(() => rt.deref(dead)).toThrow(StaleHandleError);
    expect(rt.deref(again)).toBe('x');
  });

  it('debug: a root scan meeting a bad pointer throws past it, and the cycle can go on', () => {
    const { rt, pool } = setup();
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const p = pool.alloc();
    const q = pool.alloc();
    const keep = rt.newHeapRef({ keep: 1 });
    stateOf(rt).space.u32[(p + 4) >>> 2] = dead; // wrong on purpose: a stale handle in a root (the checked stores refuse it in debug mode)
    rt.access(Rec).a.set(q, keep);
    rt.addRoot(p, Rec);
    rt.addRoot(q, Rec);
    expect(() => rt.gc()).toThrow(BadPointerError);
    expect(stateOf(rt).collector.phase).toBe('mark');
    rt.gcFinish();
    expect(rt.deref(keep)).toEqual({ keep: 1 });
  });
});

describe('root words that are not handles', () => {
  // The root scan reads words as int32, so a word of 2^31 or more is negative there, as is a free slot's ~h
  // marker. Such a word names no handle and must mark nothing: a counted mark would make the sweep believe
  // nothing white is left, and skip it.
  it("a root word equal to a freed handle's ~h (as u32) marks nothing, and the garbage is still swept (both modes, both layouts)", () => {
    const Two = struct('Two', { a: heapRef<object>(), b: heapRef<object>() });
    for (const debug of [false, true]) {
      for (const layout of [Rec, Two] as const) {
        const rt = createRuntime({ maxBytes: 1 << 20, debug, checkmark: false });
        const freed = rt.newHeapRef({ freed: 1 });
        rt.freeHeapRef(freed);
        const garbage = rt.newHeapRef({ garbage: 1 });
        const block = rt.sysAlloc(layout.size * 4);
        for (let e = 0; e < 4; e++) {
          for (const s of layout.ptrSlots) stateOf(rt).space.u32[(block + e * layout.size + s) >>> 2] = ~freed >>> 0;
        }
        rt.addRoot(block as Ptr<never>, layout as never, 4);
        rt.gc();
        expect(stateOf(rt).collector.stats().marked).toBe(0);
        expect(() => rt.deref(garbage)).toThrow(StaleHandleError);
        expect(stateOf(rt).heap.live).toBe(0);
      }
    }
  });
});

describe('the cycle counter at its bound', () => {
  // Mark words hold epoch << 1 | pinned, so epochs have 30 bits: the cycle counts 1 .. epochMax and starts over at 1.
  it('wraps from epochMax to 1: across the wrap rooted and pinned handles stay, garbage is freed each cycle (both modes)', () => {
    for (const debug of [false, true]) {
      const { rt } = setup({ debug });
      const { hs } = rootedBlock(rt, 3);
      const pinned = rt.newHeapRef({ pinned: 1 });
      rt.pin(pinned);
      stateOf(rt).collector.cycle = epochMax - 2;
      const seen: number[] = [];
      for (let k = 0; k < 5; k++) {
        const garbage = rt.newHeapRef({ garbage: k });
        rt.gc();
        seen.push(stateOf(rt).collector.cycle);
        expect(() => rt.deref(garbage)).toThrow(StaleHandleError);
        for (const h of hs) expect(rt.deref(h)).toBeDefined();
        expect(rt.deref(pinned)).toEqual({ pinned: 1 });
        expect(stateOf(rt).heap.pins(pinned)).toBe(1);
        expect(stateOf(rt).collector.stats().live).toBe(4);
      }
      expect(seen).toEqual([epochMax - 1, epochMax, 1, 2, 3]);
      const w = stateOf(rt).heap.meta[(pinned & stateOf(rt).heap.mask) * 2 + 1];
      expect(w).toBe((3 << 1) | 1); // marked in cycle 3, pinned bit kept
    }
  });
});
