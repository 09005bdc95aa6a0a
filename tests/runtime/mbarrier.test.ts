import { describe, expect, it } from 'vitest';
import {
  array,
  BadPointerError,
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
  storeHeapRef,
  storeHeapRefNoWB,
  struct,
  typedmemclr,
  u32,
  type HeapRef,
  type LayoutType,
  type MaybeGarbage,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { isZero, rejects } from './helpers.js';

const Obj = struct('Obj', { n: u32, a: heapRef<object>(), p: ptr<unknown>(), b: array(heapRef<object>(), 2) });
type ObjRec = LayoutType<typeof Obj>;
type Call = [slot: number, old: number, next: number];

function setup(): { rt: Runtime; calls: Call[]; p: Ptr<ObjRec> } {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
  const calls: Call[] = [];
  const p = new FixAlloc(Obj, { runtime: rt }).alloc();
  const u = rt.space.u32;
  for (let i = 0; i < Obj.size / 4; i++) u[(p >>> 2) + i] = 100 + i; // every word non-zero
  rt.setWriteBarrier((slot, old, next) => void calls.push([slot, old, next]));
  return { rt, calls, p };
}

describe('memclrNoHeapPointers', () => {
  it('clears exactly [p, p+n) for small word-aligned and other ranges', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20, debug: true });
    const base = rt.sysAlloc(8192);
    for (const [off, n] of [[0, 8], [8, 64], [16, 72], [3, 5], [1, 0], [100, 4000]] as const) {
      rt.space.u8.fill(0xff, base, base + 8192);
      rt.memclrNoHeapPointers(base + off as MaybeGarbage<unknown>, n);
      expect(isZero(rt, base + off, n)).toBe(true);
      if (off > 0) expect(rt.space.u8[base + off - 1]).toBe(0xff);
      expect(rt.space.u8[base + off + n]).toBe(0xff);
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
    const { rt, calls, p } = setup();
    rt.space.u32[(p + 16) >>> 2] = 0; // b[1] is nil: nothing to shade
    rt.typedmemclr(Obj, p);
    expect(calls).toEqual([
      [p + 4, 101, 0],
      [p + 12, 103, 0],
    ]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
  });

  it('memclrHasPointers shades every non-zero 4-byte slot', () => {
    const { rt, calls, p } = setup();
    rt.memclrHasPointers(p, 12);
    expect(calls).toEqual([
      [p, 100, 0],
      [p + 4, 101, 0],
      [p + 8, 102, 0],
    ]);
    expect(isZero(rt, p, 12)).toBe(true);
    expect(rt.space.u32[(p + 12) >>> 2]).toBe(103);
  });

  it('barriered stores report slot, old and new; the accessor goes through it; NoWB does not', () => {
    const { rt, calls, p } = setup();
    const O = rt.access(Obj);
    O.a.set(p, 7 as HeapRef<object>);
    O.b.set(p, 1, 8 as HeapRef<object>);
    rt.storeHeapRef(p + 12, 9 as HeapRef<object>);
    rt.storeHeapRefNoWB(p + 4, 10 as HeapRef<object>);
    O.n.set(p, 5); // not a HeapRef: no barrier
    expect(calls).toEqual([
      [p + 4, 101, 7],
      [p + 16, 104, 8],
      [p + 12, 103, 9],
    ]);
    expect([O.a.get(p), O.b.get(p, 0), O.b.get(p, 1)]).toEqual([10, 9, 8]);
  });

  it('costs nothing and calls nothing when off', () => {
    const { rt, calls, p } = setup();
    rt.setWriteBarrier(undefined);
    expect(rt.barrier.enabled).toBe(false);
    rt.access(Obj).a.set(p, 3 as HeapRef<object>);
    rt.typedmemclr(Obj, p);
    rt.memclrHasPointers(p, 8);
    expect(calls).toEqual([]);
    expect(isZero(rt, p, Obj.size)).toBe(true);
  });

  it('module-level forms use the default runtime', () => {
    const { rt, calls, p } = setup();
    setDefaultRuntime(rt);
    storeHeapRef(p + 4, 1 as HeapRef<object>);
    storeHeapRefNoWB(p + 12, 2 as HeapRef<object>);
    typedmemclr(Obj, p);
    memclrHasPointers(p, 4);
    expect(calls).toEqual([
      [p + 4, 101, 1],
      [p + 4, 1, 0],
      [p + 12, 2, 0],
      [p + 16, 104, 0],
    ]);
  });

  it('rejects bad slots, values, alignments and hooks', () => {
    const { rt, p } = setup();
    rejects(rt, [], () => rt.storeHeapRef(p + 2, 1 as HeapRef<object>), OffheapRangeError, 'ERR_BAD_ALIGN', /storeHeapRef: p must be 4-byte aligned/);
    rejects(rt, [], () => rt.storeHeapRef(p + 4, -1 as HeapRef<object>), OffheapRangeError, 'ERR_BAD_SIZE', /v must be a HeapRef \(a u32\); got -1/);
    rejects(rt, [], () => rt.storeHeapRef(p + 4, 2 ** 32 as HeapRef<object>), OffheapRangeError, 'ERR_BAD_SIZE', /got 4294967296/);
    rejects(rt, [], () => rt.storeHeapRefNoWB(0, 1 as HeapRef<object>), BadPointerError, 'ERR_BAD_POINTER', /storeHeapRefNoWB: p must be an address/);
    rejects(rt, [], () => rt.typedmemclr(Obj, (p + 2) as Ptr<ObjRec>), OffheapRangeError, 'ERR_BAD_ALIGN', /typedmemclr: p must be aligned to Obj's alignment 4/);
    rejects(rt, [], () => rt.memclrHasPointers(p, NaN), OffheapRangeError, 'ERR_BAD_SIZE', /NaN/);
    expect(() => rt.setWriteBarrier(5 as never)).toThrow(MisuseError);
  });
});
