import { describe, expect, it } from 'vitest';
import {
  array,
  BadPointerError,
  ForeignPointerError,
  createRuntime,
  FixAlloc,
  heapRef,
  memclrHasPointers,
  memclrNoHeapPointers,
  MisuseError,
  OffheapRangeError,
  OutOfBoundsError,
  ptr,
  setDefaultRuntime,
  StaleHandleError,
  storeHeapRef,
  storeHeapRefNoWB,
  struct,
  typedmemclr,
  u32,
  type HeapRef,
  type Layout,
  type LayoutType,
  type MaybeGarbage,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { isZero, rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Obj = struct('Obj', { n: u32, a: heapRef<object>(), p: ptr<unknown>(), b: array(heapRef<object>(), 2) });
type ObjRec = LayoutType<typeof Obj>;
type Call = [slot: number, old: number, next: number];

/**
 * A debug runtime, one Obj from a pool of its layout (so the heap bits know
 * it), live handles H[0..4] written into its five words (the scalar and Ptr
 * words too: a live handle's value in a scalar field must not be treated as
 * a pointer), and a recording write-barrier hook.
 */
function setup(): { rt: Runtime; calls: Call[]; p: Ptr<ObjRec>; H: HeapRef<object>[] } {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
  const calls: Call[] = [];
  const p = new FixAlloc(Obj, { runtime: rt }).alloc();
  const H = Array.from({ length: 6 }, (_, i) => rt.newHeapRef({ i }));
  const u = stateOf(rt).space.u32;
  for (let i = 0; i < Obj.size / 4; i++) u[(p >>> 2) + i] = H[i];
  rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
  return { rt, calls, p, H };
}

describe('memclrNoHeapPointers', () => {
  it('clears exactly [p, p+n) for small word-aligned and other ranges', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, debug: true });
    const base = rt.sysAlloc(8192);
    for (const [off, n] of [[0, 8], [8, 64], [16, 72], [3, 5], [1, 0], [100, 4000]] as const) {
      stateOf(rt).space.u8.fill(0xff, base, base + 8192);
      rt.memclrNoHeapPointers(base + off as MaybeGarbage<unknown>, n);
      expect(isZero(rt, base + off, n)).toBe(true);
      if (off > 0) expect(stateOf(rt).space.u8[base + off - 1]).toBe(0xff);
      expect(stateOf(rt).space.u8[base + off + n]).toBe(0xff);
    }
  });

  it('never runs the barrier, and rejects ranges outside live memory', () => {
    const { rt, calls, p } = setup();
    setDefaultRuntime(rt);
    memclrNoHeapPointers(p, Obj.size);
    expect(calls).toEqual([]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
    rejects(rt, [], () => memclrNoHeapPointers(0 as Ptr<unknown>, 8), BadPointerError, 'ERR_BAD_POINTER', /memclrNoHeapPointers: p must be an address in mapped memory/);
    rejects(rt, [], () => memclrNoHeapPointers(p, -1), OffheapRangeError, 'ERR_BAD_SIZE', /memclrNoHeapPointers: n must be/);
    rejects(rt, [], () => memclrNoHeapPointers(p, 1.5), OffheapRangeError, 'ERR_BAD_SIZE', /not an integer/);
    rejects(rt, [], () => memclrNoHeapPointers(p, 1 << 20), OffheapRangeError, 'ERR_BAD_SIZE', /above the limit/);
    const free = rt.sysAlloc(8192);
    rt.sysAlloc(8192); // keeps `free` below the high-water mark: mapped, but not allocated
    rt.sysFree(free, 8192);
    rejects(rt, [], () => memclrNoHeapPointers(free, 8), OutOfBoundsError, 'ERR_OUT_OF_BOUNDS', /not inside allocated memory/);
  });
});

describe('write barrier', () => {
  it('typedmemclr shades the old value of each non-zero HeapRef slot, then clears', () => {
    const { rt, calls, p, H } = setup();
    stateOf(rt).space.u32[(p + 16) >>> 2] = 0; // b[1] is nil: nothing to shade
    rt.typedmemclr(Obj, p);
    expect(calls).toEqual([
      [p + 4, H[1], 0],
      [p + 12, H[3], 0],
    ]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
  });

  it('memclrHasPointers over a pool of a layout visits exactly its HeapRef slots (heap bits), not scalar or Ptr words holding handle values', () => {
    const { rt, calls, p, H } = setup();
    rt.memclrHasPointers(p, 12);
    expect(calls).toEqual([[p + 4, H[1], 0]]);
    expect(isZero(rt, p, 12)).toBe(true);
    expect(stateOf(rt).space.u32[(p + 12) >>> 2]).toBe(H[3]);
    calls.length = 0;
    rt.memclrHasPointers((p + 12) as Ptr<ObjRec>, 8);
    expect(calls).toEqual([
      [p + 12, H[3], 0],
      [p + 16, H[4], 0],
    ]);
  });

  it('memclrHasPointers over memory with no recorded layout visits every non-zero aligned word (conservative)', () => {
    const { rt, calls, H } = setup();
    const q = rt.sysAlloc(8192);
    const u = stateOf(rt).space.u32;
    u[(q >>> 2) + 0] = H[0];
    u[(q >>> 2) + 1] = 12345; // a counter: visited (the hook decides), never mistaken by the collector (see heapbits.test.ts)
    u[(q >>> 2) + 3] = H[2];
    rt.memclrHasPointers((q + 1) as Ptr<unknown>, 15); // the word at q is only partly covered: not visited
    expect(calls).toEqual([
      [q + 4, 12345, 0],
      [q + 12, H[2], 0],
    ]);
    expect(u[q >>> 2]).toBe(H[0] & 0xff); // bytes 1..3 cleared
  });

  it('barriered stores report slot, old and new; the accessor goes through it; NoWB does not', () => {
    const { rt, calls, p, H } = setup();
    const O = rt.access(Obj);
    O.a.set(p, H[5]);
    O.b.set(p, 1, H[0]);
    rt.storeHeapRef(p + 12, H[2]);
    rt.storeHeapRefNoWB(p + 4, 0 as HeapRef<object>);
    O.n.set(p, 5); // not a HeapRef: no barrier
    expect(calls).toEqual([
      [p + 4, H[1], H[5]],
      [p + 16, H[4], H[0]],
      [p + 12, H[3], H[2]],
    ]);
    expect([O.a.get(p), O.b.get(p, 0), O.b.get(p, 1)]).toEqual([0, H[2], H[0]]);
  });

  it("a collection takes over a hook set with setWriteBarrier and leaves the barrier off (the hook is not restored, as docs/runtime.md says)", () => {
    const { rt, calls, p, H } = setup();
    rt.pin(H[2]);
    rt.pin(H[3]);
    rt.gc();
    expect(stateOf(rt).barrier.enabled).toBe(false);
    rt.access(Obj).a.set(p, H[2]);
    expect(calls).toEqual([]);
    // The twin: set again after the cycle, it sees the next store.
    rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
    rt.access(Obj).a.set(p, H[3]);
    expect(calls).toEqual([[p + 4, H[2], H[3]]]);
    rt.setWriteBarrier(undefined);
  });

  it('costs nothing and calls nothing when off', () => {
    const { rt, calls, p, H } = setup();
    rt.setWriteBarrier(undefined);
    expect(stateOf(rt).barrier.enabled).toBe(false);
    rt.access(Obj).a.set(p, H[3]);
    rt.typedmemclr(Obj, p);
    rt.memclrHasPointers(p, 8);
    expect(calls).toEqual([]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
  });

  it('typedmemclr without debug mode: after a layout passed once (its fast path), every bad p still gets its typed error, memory unchanged, no valueOf run', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Obj, { runtime: rt });
    const ps = Array.from({ length: 8 }, () => pool.alloc());
    const pools = [pool] as FixAlloc<unknown, boolean>[];
    const u = stateOf(rt).space.u32;
    const fillAll = (): void => {
      for (const q of ps) for (let i = 0; i < Obj.size / 4; i++) u[(q >>> 2) + i] = 0x5a5a5a5a;
    };
    // Warm the fast path: the same layout, many calls (V8 may optimise the loop meanwhile).
    for (let r = 0; r < 2000; r++) {
      fillAll();
      for (const q of ps) rt.typedmemclr(Obj, q);
    }
    for (const q of ps) expect(isZero(rt, q, Obj.size)).toBe(true);
    fillAll();
    const before = Array.from(u.subarray(ps[0] >>> 2, (ps[7] + Obj.size) >>> 2));
    let valueOfCalls = 0;
    const end = stateOf(rt).space.mappedEnd;
    for (const q of [0, 4, 8188, -8192, ps[0] + 0.5, Number.NaN, Infinity, 2 ** 31, 2 ** 32 + ps[0], end, String(ps[0]), 2n ** 13n, Symbol('p'), undefined, null, { valueOf: () => (valueOfCalls++, ps[0]) }, [ps[0]]]) {
      rejects(rt, pools, () => rt.typedmemclr(Obj, q as Ptr<ObjRec>), BadPointerError, 'ERR_BAD_POINTER', /typedmemclr: p must be/);
    }
    for (const off of [1, 2, 3]) rejects(rt, pools, () => rt.typedmemclr(Obj, (ps[0] + off) as Ptr<ObjRec>), BadPointerError, 'ERR_BAD_POINTER', /aligned to Obj's alignment 4/);
    // A look-alike right after the real layout passed: still the brand check.
    rejects(rt, pools, () => rt.typedmemclr({ ...Obj }, ps[0]), MisuseError, 'ERR_MISUSE', /layout must be a struct layout/);
    expect(valueOfCalls).toBe(0);
    expect(Array.from(u.subarray(ps[0] >>> 2, (ps[7] + Obj.size) >>> 2))).toEqual(before);
    // The last object that fits below mapped memory's end is accepted, one alignment step further is not.
    const last = (end - Obj.size) as Ptr<ObjRec>;
    rt.typedmemclr(Obj, last);
    rejects(rt, pools, () => rt.typedmemclr(Obj, (last + 4) as Ptr<ObjRec>), OffheapRangeError, 'ERR_BAD_SIZE', /^typedmemclr: Obj's size from p must be an integer in \[0, 16\]; got 20 \(above the limit 16\)$/);
  });

  it('typedmemclr without debug mode: the barrier, switched on after the fast path warmed up, sees every non-zero HeapRef slot', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const p = new FixAlloc(Obj, { runtime: rt }).alloc();
    const u = stateOf(rt).space.u32;
    for (let r = 0; r < 2000; r++) rt.typedmemclr(Obj, p);
    const calls: Call[] = [];
    rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
    for (let i = 0; i < Obj.size / 4; i++) u[(p >>> 2) + i] = 0x10000000 + i;
    rt.typedmemclr(Obj, p);
    expect(calls).toEqual([
      [p + 4, 0x10000001, 0],
      [p + 12, 0x10000003, 0],
      [p + 16, 0x10000004, 0],
    ]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
    rt.setWriteBarrier(undefined);
  });

  it('typedmemclr without debug mode, two layouts in turn: each clear shades its own layout\'s HeapRef slots (the fast path reads the slots of the layout it checked last)', () => {
    const Other = struct('Other', { a: heapRef<object>(), n: u32, m: u32, x: u32, b: heapRef<object>() });
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const p = new FixAlloc(Obj, { runtime: rt }).alloc();
    const q = new FixAlloc(Other, { runtime: rt }).alloc();
    const u = stateOf(rt).space.u32;
    const calls: Call[] = [];
    rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
    // Each layout twice in a row: the first clear takes the slow path (a new layout), the second the fast one.
    for (let r = 0; r < 100; r++) {
      for (const [clear, at, slots] of [
        [() => rt.typedmemclr(Obj, p), p, [4, 12, 16]],
        [() => rt.typedmemclr(Other, q), q, [0, 16]],
      ] as const) {
        for (let k = 0; k < 2; k++) {
          for (let i = 0; i < 5; i++) u[(at >>> 2) + i] = 0x10000000 + i;
          calls.length = 0;
          clear();
          expect(calls).toEqual(slots.map((s) => [at + s, 0x10000000 + s / 4, 0]));
        }
      }
    }
    rt.setWriteBarrier(undefined);
  });

  it('module-level forms use the default runtime', () => {
    const { rt, calls, p, H } = setup();
    setDefaultRuntime(rt);
    storeHeapRef(p + 4, H[5]);
    storeHeapRefNoWB(p + 12, H[0]);
    typedmemclr(Obj, p);
    memclrHasPointers(p, 4);
    expect(calls).toEqual([
      [p + 4, H[1], H[5]],
      [p + 4, H[5], 0],
      [p + 12, H[0], 0],
      [p + 16, H[4], 0],
    ]);
  });

  it('rejects bad slots, values, alignments, layouts and hooks with typed errors, state unchanged', () => {
    const { rt, p, H } = setup();
    const other = createRuntime({ maxBytes: 1 << 20 });
    const foreign = other.newHeapRef({});
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const sref = (q: unknown, v: unknown) => () => rt.storeHeapRef(q as number, v as HeapRef<object>);
    rejects(rt, [], sref(p + 2, H[0]), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRef: p must be 4-byte aligned/);
    for (const v of [-1, 2 ** 32, 7, 2 ** 30, 2 ** 28 + 0.5, 2n ** 28n, Symbol('v'), '268435457', { valueOf: () => H[0] }, undefined]) {
      const e = rejects(rt, [], sref(p + 4, v), OffheapRangeError, 'ERR_BAD_VALUE', /storeHeapRef: v must be a HeapRef: 0 \(nil\) or a handle/);
      expect((e as OffheapRangeError).value).toBe(v);
    }
    rejects(rt, [], sref(p + 4, dead), StaleHandleError, 'ERR_STALE_HANDLE', /storeHeapRef: handle .* freed or collected/); // debug mode
    rejects(rt, [], sref(p + 4, foreign), ForeignPointerError, 'ERR_FOREIGN_POINTER', /another runtime/);
    for (const q of [0, 2n ** 13n, Symbol('p'), String(p), 1.5, { valueOf: () => p }]) {
      rejects(rt, [], sref(q, H[0]), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRef: p must be an address/);
      rejects(rt, [], () => rt.storeHeapRefNoWB(q as number, H[0]), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRefNoWB: p must be an address/);
      rejects(rt, [], () => rt.typedmemclr(Obj, q as Ptr<ObjRec>), BadPointerError, 'ERR_BAD_POINTER', /typedmemclr: p must be an address/);
      rejects(rt, [], () => rt.memclrHasPointers(q as Ptr<ObjRec>, 4), BadPointerError, 'ERR_BAD_POINTER', /memclrHasPointers: p must be an address/);
    }
    rejects(rt, [], () => rt.typedmemclr(Obj, (p + 2) as Ptr<ObjRec>), BadPointerError, 'ERR_BAD_POINTER', /typedmemclr: p must be aligned to Obj's alignment 4/);
    for (const layout of [undefined, null, { size: 8 }, { kind: 'struct', size: 8, align: 4 }, 8, 'Obj']) {
      const e = rejects(rt, [], () => rt.typedmemclr(layout as never, p), MisuseError, 'ERR_MISUSE', /typedmemclr: layout must be a struct layout/);
      expect((e as MisuseError).value).toBe(layout);
    }
    for (const n of [Number.NaN, -1, 1.5, 2n, Symbol('n'), '4', 1 << 20]) {
      rejects(rt, [], () => rt.memclrHasPointers(p, n as number), OffheapRangeError, 'ERR_BAD_SIZE', /memclrHasPointers: n must be an integer/);
      rejects(rt, [], () => rt.memclrNoHeapPointers(p, n as number), OffheapRangeError, 'ERR_BAD_SIZE', /memclrNoHeapPointers: n must be an integer/);
    }
    expect(Array.from(stateOf(rt).space.u32.subarray(p >>> 2, (p + Obj.size) >>> 2))).toEqual(H.slice(0, 5));
    const e = rejects(rt, [], () => rt.setWriteBarrier(5 as never), MisuseError, 'ERR_MISUSE', /^setWriteBarrier: hook must be a function or undefined; got 5/);
    expect([(e as MisuseError).value, (e as MisuseError).limit]).toEqual([5, 'a function or undefined']);
  });
});

describe("typedmemclr's barrier over runs of slots (layoutSlotRuns), with the collector", () => {
  // Slots 0, 8 | 12, 16, 20 | 28, 32: three runs of strides 8, 4, 4; the scalar words 4 and 24 sit between them.
  const Runs = struct('Runs', { a: heapRef<object>(), n: u32, b: heapRef<object>(), c: array(heapRef<object>(), 3), m: u32, d: array(heapRef<object>(), 2) });
  const slotWords = [0, 2, 3, 4, 5, 7, 8];

  /** `count` objects of Runs, every word a distinct live unpinned handle, rooted; marking started with the pins scanned. */
  function marking(debug: boolean, count: number) {
    const rt = createRuntime({ maxBytes: 1 << 20, debug });
    const pool = new FixAlloc(Runs, { runtime: rt });
    const ps = Array.from({ length: count }, () => pool.alloc());
    const u = stateOf(rt).space.u32;
    const hs = ps.map((p) => Array.from({ length: 9 }, (_, w) => (u[(p >>> 2) + w] = rt.newHeapRef({ w }))));
    for (const p of ps) rt.addRoot(p, Runs);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1); // exactly the pin table: the roots are still grey
    expect(stateOf(rt).collector.stats().marked).toBe(0);
    return { rt, ps, hs, u };
  }

  for (const debug of [false, true]) {
    it(`shades exactly the layout's slots, first call and fast path alike, never a scalar word (debug ${debug})`, () => {
      const { rt, ps, hs } = marking(debug, 3);
      for (const [i, p] of ps.entries()) {
        rt.typedmemclr(Runs, p);
        expect(stateOf(rt).collector.stats().marked).toBe(slotWords.length * (i + 1));
        expect(isZero(rt, p, Runs.size)).toBe(true);
      }
      for (const p of ps) rt.removeRoot(p);
      rt.gcFinish();
      for (const h of hs) for (let w = 0; w < 9; w++) expect(stateOf(rt).heap.isLive(h[w])).toBe(slotWords.includes(w));
    });
  }

  // Layouts whose slots form one run: the fast path passes the run itself (WriteBarrier.checkedRun*) to
  // clearRun, where several runs go through clearSlots. 1 slot; 2 slots 12 bytes apart (any two are one run);
  // 4 evenly spaced after a scalar; and a layout with no slot at all (the barrier visits nothing).
  const oneRun: { L: Layout<unknown>; words: number; slots: number[] }[] = [
    { L: struct('One', { n: u32, a: heapRef<object>(), m: u32 }), words: 3, slots: [1] },
    { L: struct('Two', { a: heapRef<object>(), n: u32, m: u32, b: heapRef<object>() }), words: 4, slots: [0, 3] },
    { L: struct('Even', { n: u32, a: array(heapRef<object>(), 4) }), words: 5, slots: [1, 2, 3, 4] },
    { L: struct('NoSlot', { n: u32, m: u32 }), words: 2, slots: [] },
  ];
  for (const { L, words, slots } of oneRun) {
    for (const debug of [false, true]) {
      it(`one run (${L.name}, slots ${JSON.stringify(slots)}): the collector shades exactly those slots, first call and fast path alike (debug ${debug})`, () => {
        const rt = createRuntime({ maxBytes: 1 << 20, debug });
        const pool = new FixAlloc(L, { runtime: rt });
        const ps = Array.from({ length: 3 }, () => pool.alloc());
        const u = stateOf(rt).space.u32;
        const hs = ps.map((p) => Array.from({ length: words }, (_, w) => (u[(p >>> 2) + w] = rt.newHeapRef({ w }))));
        for (const p of ps) rt.addRoot(p, L);
        rt.gcStart();
        rt.gcStep(stateOf(rt).heap.top - 1); // the pin table only: the roots are still grey
        for (const [i, p] of ps.entries()) {
          rt.typedmemclr(L, p);
          expect(stateOf(rt).collector.stats().marked).toBe(slots.length * (i + 1));
          expect(isZero(rt, p, L.size)).toBe(true);
        }
        for (const p of ps) rt.removeRoot(p);
        rt.gcFinish();
        for (const h of hs) for (let w = 0; w < words; w++) expect(stateOf(rt).heap.isLive(h[w])).toBe(slots.includes(w));
      });
    }

    it(`one run (${L.name}): a hook without a bulk form gets each slot, first call and fast path alike`, () => {
      const rt = createRuntime({ maxBytes: 1 << 20 });
      const p = new FixAlloc(L, { runtime: rt }).alloc();
      const u = stateOf(rt).space.u32;
      const calls: Call[] = [];
      rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
      for (let k = 0; k < 3; k++) {
        calls.length = 0;
        for (let w = 0; w < words; w++) u[(p >>> 2) + w] = 0xa5a5a5a0 + w;
        rt.typedmemclr(L, p);
        expect(calls).toEqual(slots.map((w) => [p + 4 * w, 0xa5a5a5a0 + w, 0]));
        expect(isZero(rt, p, L.size)).toBe(true);
      }
      rt.setWriteBarrier(undefined);
    });
  }

  it('memclrHasPointers of one whole object wider than a heap-bits word, its slots one run: exactly those slots, with the collector and with a hook', () => {
    // 164 bytes: the range spans two bitmap words, so clearRange takes the span's runs (clearRangeSlow), not the word walk.
    const Wide = struct('Wide', { n: u32, a: array(heapRef<object>(), 40) });
    const slots = Array.from({ length: 40 }, (_, i) => i + 1);
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Wide, { runtime: rt });
    const ps = Array.from({ length: 3 }, () => pool.alloc() as Ptr<unknown>);
    const u = stateOf(rt).space.u32;
    const hs = ps.map((p) => Array.from({ length: 41 }, (_, w) => (u[(p >>> 2) + w] = rt.newHeapRef({ w }))));
    for (const p of ps) rt.addRoot(p, Wide);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1);
    for (const [i, p] of ps.entries()) {
      rt.memclrHasPointers(p, Wide.size);
      expect(stateOf(rt).collector.stats().marked).toBe(40 * (i + 1));
      expect(isZero(rt, p, Wide.size)).toBe(true);
    }
    for (const p of ps) rt.removeRoot(p);
    rt.gcFinish();
    for (const h of hs) for (let w = 0; w < 41; w++) expect(stateOf(rt).heap.isLive(h[w])).toBe(slots.includes(w));
    // The twin with a hook: each slot once, the scalar word never.
    const calls: Call[] = [];
    rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
    const p = ps[0];
    for (let w = 0; w < 41; w++) u[(p >>> 2) + w] = 0xa5a5a5a0 + w;
    rt.memclrHasPointers(p, Wide.size);
    expect(calls).toEqual(slots.map((w) => [p + 4 * w, 0xa5a5a5a0 + w, 0]));
    rt.setWriteBarrier(undefined);
  });

  it('debug, one run: a freed handle in the last slot is a bad pointer, thrown before clearing', () => {
    const L = oneRun[1].L;
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(L, { runtime: rt });
    const [p, q] = [pool.alloc(), pool.alloc()];
    const u = stateOf(rt).space.u32;
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    rt.gcStart();
    rt.typedmemclr(L, q);
    u[(p >>> 2) + 3] = dead;
    expect(() => rt.typedmemclr(L, p)).toThrow(/freed, collected or never-issued/);
    expect(u[(p >>> 2) + 3]).toBe(dead);
    rt.gcFinish();
  });

  it('debug: the poison word or a freed handle in the middle of a run is a bad pointer, thrown before clearing; typedmemclr and memclrHasPointers alike', () => {
    const { rt, ps, u } = marking(true, 8);
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    for (const p of ps) {
      for (const [bad, why] of [
        [0xa5a5a5a5, /debug poison/],
        [dead, /freed, collected or never-issued/],
      ] as const) {
        const slot = (p >>> 2) + 4; // c[1], inside the run 12, 16, 20
        const kept = u[slot];
        u[slot] = bad;
        const before = Array.from(u.subarray(p >>> 2, (p + Runs.size) >>> 2));
        for (const clear of [() => rt.typedmemclr(Runs, p), () => rt.memclrHasPointers(p, Runs.size)]) {
          expect(clear).toThrow(BadPointerError);
          expect(clear).toThrow(why);
          expect(Array.from(u.subarray(p >>> 2, (p + Runs.size) >>> 2))).toEqual(before);
        }
        u[slot] = kept;
      }
    }
  });

  it('a hook without a bulk form gets each slot of each run, its old value unsigned', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const p = new FixAlloc(Runs, { runtime: rt }).alloc();
    const u = stateOf(rt).space.u32;
    for (let w = 0; w < 9; w++) u[(p >>> 2) + w] = 0xa5a5a5a0 + w;
    const calls: Call[] = [];
    rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
    for (let k = 0; k < 2; k++) {
      calls.length = 0;
      for (let w = 0; w < 9; w++) u[(p >>> 2) + w] = 0xa5a5a5a0 + w;
      rt.typedmemclr(Runs, p);
      expect(calls).toEqual(slotWords.map((w) => [p + 4 * w, 0xa5a5a5a0 + w, 0]));
    }
    calls.length = 0;
    for (let w = 0; w < 9; w++) u[(p >>> 2) + w] = 0xa5a5a5a0 + w;
    rt.memclrHasPointers(p, Runs.size);
    expect(calls).toEqual(slotWords.map((w) => [p + 4 * w, 0xa5a5a5a0 + w, 0]));
    rt.setWriteBarrier(undefined);
  });
});
