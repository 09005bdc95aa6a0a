// Unaligned pointers are BadPointerError at every entry that takes a typed
// pointer (docs/runtime.md), with the allocators, roots and heap unchanged; an
// alignment option that is not a power of two stays ERR_BAD_ALIGN.
import { describe, expect, it } from 'vitest';
import { BadPointerError, createRuntime, f64, FixAlloc, heapRef, OffheapRangeError, struct, u32, type HeapRef, type LayoutType, type Ptr } from '../../src/runtime/index.js';
import { rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { x: f64, ref: heapRef<object>(), n: u32 });
type RecT = LayoutType<typeof Rec>;

describe.each([false, true])('unaligned pointers (debug: %s)', (debug) => {
  const setup = () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const pools = [pool] as FixAlloc<unknown, boolean>[];
    const p = pool.alloc();
    const h = rt.newHeapRef({});
    rt.storeHeapRef(p + Rec.offsets.ref, h);
    rt.gcStart(); // the barrier is on: a wrongly accepted store or clear would shade or overwrite
    return { rt, pools, p, h };
  };
  const unchanged = (rt: ReturnType<typeof setup>['rt'], p: Ptr<RecT>, h: HeapRef<object>) => {
    expect(stateOf(rt).space.u32[(p + Rec.offsets.ref) >>> 2]).toBe(h);
    expect(stateOf(rt).roots.byAddress.size).toBe(0);
  };

  it('storeHeapRef and storeHeapRefNoWB', () => {
    const { rt, pools, p, h } = setup();
    for (const off of [1, 2, 3]) {
      rejects(rt, pools, () => rt.storeHeapRef(p + Rec.offsets.ref + off, h), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRef: p must be 4-byte aligned/);
      rejects(rt, pools, () => rt.storeHeapRefNoWB(p + Rec.offsets.ref + off, h), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRefNoWB: p must be 4-byte aligned/);
    }
    unchanged(rt, p, h);
  });

  it('typedmemclr', () => {
    const { rt, pools, p, h } = setup();
    for (const off of [1, 4]) {
      const e = rejects(rt, pools, () => rt.typedmemclr(Rec, (p + off) as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER', /typedmemclr: p must be aligned to Rec's alignment 8/);
      expect(e).toMatchObject({ value: p + off, limit: 8 });
    }
    unchanged(rt, p, h);
  });

  it('addRoot', () => {
    const { rt, pools, p, h } = setup();
    for (const off of [2, 4]) {
      const e = rejects(rt, pools, () => rt.addRoot((p + off) as Ptr<RecT>, Rec), BadPointerError, 'ERR_BAD_POINTER', /addRoot: p must be aligned to 8 for Rec/);
      expect(e).toMatchObject({ value: p + off, limit: 8 });
    }
    unchanged(rt, p, h);
  });

  it('an alignment option that is not a power of two stays ERR_BAD_ALIGN', () => {
    const { rt, pools } = setup();
    rejects(rt, pools, () => rt.persistentalloc(8, 3), OffheapRangeError, 'ERR_BAD_ALIGN', /power of two/);
  });
});
