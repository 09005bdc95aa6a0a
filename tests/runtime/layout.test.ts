import { describe, expect, it } from 'vitest';
import {
  array,
  bool,
  f32,
  f64,
  heapRef,
  i16,
  i32,
  i8,
  isLayout,
  maxArrayLength,
  MisuseError,
  OffheapRangeError,
  ptr,
  struct,
  u16,
  u32,
  u8,
} from '../../src/runtime/index.js';
import { layoutSlotRuns, layoutSlots, slotRuns } from '../../src/runtime/layout.js';

describe('struct layouts', () => {
  it('lays fields out in order at natural alignment, like Go', () => {
    const S = struct('S', { a: u8, b: f64, c: u16, d: i8, e: i32, f: bool, g: f32, h: i16 });
    expect(S.offsets).toEqual({ a: 0, b: 8, c: 16, d: 18, e: 20, f: 24, g: 28, h: 32 });
    expect(S.align).toBe(8);
    expect(S.size).toBe(40);
    expect(S.hasPointers).toBe(false);
    expect(Array.from(S.ptrSlots)).toEqual([]);
    expect(Array.from(S.ptrmask)).toEqual([0, 0]);
    expect(isLayout(S)).toBe(true);
    expect(isLayout({ kind: 'struct' })).toBe(false);
  });

  it('builds the pointer bitmap of HeapRef slots through embedding and arrays', () => {
    const Inner = struct('Inner', { x: u32, ref: heapRef<object>() });
    const Outer = struct('Outer', {
      flags: u8,
      inner: Inner, // at 4; ref at 8
      p: ptr<unknown>(), // 12: a Ptr is not a heap pointer
      refs: array(heapRef<object>(), 3), // 16, 20, 24
      inners: array(Inner, 2), // 28..44: refs at 32, 40
      tail: f64, // 48
    });
    expect(Outer.offsets).toEqual({ flags: 0, inner: 4, p: 12, refs: 16, inners: 28, tail: 48 });
    expect(Outer.size).toBe(56);
    expect(Array.from(Outer.ptrSlots)).toEqual([8, 16, 20, 24, 32, 40]);
    // Words 2, 4, 5, 6, 8, 10 → byte 0 = 0b01110100, byte 1 = 0b00000101.
    expect(Array.from(Outer.ptrmask)).toEqual([0b01110100, 0b00000101]);
    expect(Outer.hasPointers).toBe(true);
  });

  it("lists the HeapRef slots as runs of equal stride for the barrier's loop; expanded, the runs are exactly the slots", () => {
    const expand = (runs: Int32Array): number[] => {
      const out: number[] = [];
      for (let r = 0; r < runs.length; r += 3) for (let i = 0; i < runs[r + 2]; i++) out.push(runs[r] + i * runs[r + 1]);
      return out;
    };
    expect(Array.from(slotRuns(Int32Array.of(0, 8, 12, 16)))).toEqual([0, 8, 2, 12, 4, 2]);
    expect(Array.from(slotRuns(Int32Array.of(20)))).toEqual([20, 4, 1]);
    expect(Array.from(slotRuns(new Int32Array(0)))).toEqual([]);
    const Inner = struct('RunsInner', { x: u32, ref: heapRef<object>() });
    const Outer = struct('RunsOuter', { flags: u8, inner: Inner, p: ptr<unknown>(), refs: array(heapRef<object>(), 3), inners: array(Inner, 2), tail: f64 });
    expect(Array.from(layoutSlotRuns(Outer))).toEqual([8, 8, 2, 20, 4, 2, 32, 8, 2]);
    const Many = struct('RunsMany', { n: u32, refs: array(heapRef<object>(), 100) });
    expect(Array.from(layoutSlotRuns(Many))).toEqual([4, 4, 100]);
    const Plain = struct('RunsPlain', { a: u32, b: f64 });
    for (const L of [Inner, Outer, Many, Plain]) expect(expand(layoutSlotRuns(L))).toEqual(Array.from(layoutSlots(L)));
  });

  it('sizes arrays and rounds struct size to alignment', () => {
    const A = struct('A', { v: array(u16, 3), b: u8 });
    expect(A.size).toBe(8);
    expect(A.align).toBe(2);
    const E = struct('E', {});
    expect(E.size).toBe(0);
    expect(E.align).toBe(1);
  });

  it('rejects bad names, fields and array lengths', () => {
    expect(() => struct('not a name', { a: u8 })).toThrow(MisuseError);
    expect(() => struct('S', { 'a-b': u8 })).toThrow(/field name must be an identifier \(not __proto__, .*\); got "a-b"/);
    expect(() => struct('S', { a: 42 as never })).toThrow(/struct S: field a must be a field description made by the runtime .*got 42/);
    expect(() => struct('S', { a: { kind: 'u64', size: 8, align: 8 } as never })).toThrow(MisuseError);
    expect(() => struct('S', null as never)).toThrow(MisuseError);
    expect(() => struct('S', { a: { kind: 'struct', size: 4, align: 4 } as never })).toThrow(/field a must be a field description/);
    expect(() => struct('S', { a: { kind: 'u32' } as never })).toThrow(MisuseError);
    expect(() => array(u8, 0)).toThrow(OffheapRangeError);
    expect(() => array(u8, 2.5)).toThrow(/array: length must be an integer in \[1, 16777216\]; got 2.5/);
    expect(() => array(u8, maxArrayLength + 1)).toThrow(/above the limit/);
    expect(() => array(array(f64, maxArrayLength), 16)).toThrow(/array: size \(elem.size × length\)/);
    expect(() => array('u8' as never, 2)).toThrow(MisuseError);
    expect(() => ptr(5 as never)).toThrow(MisuseError);
  });
});
