// The hand-written floors of H1 (bench/topics/heap.ts): each pair loop must
// keep a valid table of L live handles, or its figure is not the floor of a
// handle table, and the barrier's loop must mark what the runtime's would.
// No timing is asserted.
import { describe, expect, it } from 'vitest';
import { handBitmapClearLoop, handHeap, handPairLoop, lifoHeap, lifoPairLoop, pool1024 } from '../../bench/topics/heap.js';
import { createRuntime, FixAlloc, heapRef, struct, u32, type LayoutType, type Ptr } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const stale = (h: number): never => {
  throw new Error(`stale handle ${h}`);
};

/** A random order over L slots, repeated: every live handle is freed and replaced many times. */
function orderOf(L: number, rounds: number): Int32Array {
  const o = new Int32Array(L * rounds);
  let x = 12345;
  for (let i = 0; i < o.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    o[i] = x % L;
  }
  return o;
}

describe("H1 floor: the pair by hand over this heap's layout", () => {
  const L = 1000;

  it('keeps L distinct live handles, each naming its slot, after 20 frees and news per handle', () => {
    const t = handHeap(L);
    handPairLoop(t.meta, t.objects, t.mask, t.live, pool1024, orderOf(L, 20), t.first, stale)(L * 20);
    expect(new Set(t.live).size).toBe(L);
    let liveSlots = 0;
    for (let s = 1; s <= t.mask; s++) if (t.meta[s << 1] > 0) liveSlots++;
    expect(liveSlots).toBe(L);
    for (const h of t.live) {
      const s = h & t.mask;
      expect(t.meta[s << 1]).toBe(h);
      expect(t.objects[(s << 1) | 1]).toBe(h);
      expect(t.objects[s << 1]).toBeDefined();
    }
  });

  it('throws for a freed handle (twin: the check is real)', () => {
    const t = handHeap(L);
    const freed = t.live[0];
    handPairLoop(t.meta, t.objects, t.mask, t.live, pool1024, new Int32Array([0]), t.first, stale)(1);
    expect(t.live[0]).not.toBe(freed);
    t.live[0] = freed; // the old value again: its slot is free now
    expect(() => handPairLoop(t.meta, t.objects, t.mask, t.live, pool1024, new Int32Array([0]), t.first, stale)(1)).toThrow(/stale handle/);
  });
});

describe('H1 floor: the LIFO pair by hand', () => {
  const L = 1000;

  it('keeps L distinct live handles and reuses the slot just freed', () => {
    const t = lifoHeap(L);
    const mask = (1 << t.bits) - 1;
    const before = t.live.map((h) => h & mask);
    lifoPairLoop(t.objects, t.gens, t.freeSlots, t.top, t.bits, t.live, pool1024, orderOf(L, 20), stale)(L * 20);
    expect(new Set(t.live).size).toBe(L);
    expect(t.live.map((h) => h & mask)).toEqual(before); // LIFO: each new took the slot its free gave back
    for (const h of t.live) expect(t.objects[((h & mask) << 1) | 1]).toBe(h);
  });

  it('throws for a freed handle (twin: the check is real)', () => {
    const t = lifoHeap(L);
    const freed = t.live[0];
    lifoPairLoop(t.objects, t.gens, t.freeSlots, t.top, t.bits, t.live, pool1024, new Int32Array([0]), stale)(1);
    expect(t.live[0]).not.toBe(freed);
    t.live[0] = freed;
    expect(() => lifoPairLoop(t.objects, t.gens, t.freeSlots, t.top, t.bits, t.live, pool1024, new Int32Array([0]), stale)(1)).toThrow(/stale handle/);
  });
});

describe("B2 floor: memclrHasPointers' bitmap barrier by hand", () => {
  const L = struct('FloorC', { a: heapRef<{ v: number }>(), b: u32, c: u32, d: u32, e: heapRef<{ v: number }>(), f: u32, g: u32, h: u32 });
  const setup = (on: boolean) => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(L, { runtime: rt });
    const addrs = Int32Array.from({ length: 4 }, () => pool.alloc());
    const a = rt.access(L);
    const hs = [0, 1, 2, 3].map((i) => rt.newHeapRef({ v: i }));
    addrs.forEach((p, i) => {
      a.a.set(p as Ptr<LayoutType<typeof L>>, hs[i]);
      a.b.set(p as Ptr<LayoutType<typeof L>>, 7);
    });
    if (on) rt.gcStart();
    const st = stateOf(rt);
    const c2 = on ? st.collector.cycle << 1 : -1;
    const loop = handBitmapClearLoop(st.space.i32, st.space.f64, st.heap.bits.words, st.heap.meta, st.heap.mask, c2, addrs, L.size, () => {});
    const markWords = () => hs.map((h) => st.heap.meta[((Number(h) & st.heap.mask) << 1) | 1]);
    const marked = () => markWords().filter((w) => w >> 1 === st.collector.cycle).length;
    return { st, addrs, loop, marked, markWords };
  };

  it('marks the handles the cleared objects held, and zeroes them', () => {
    const { st, addrs, loop, marked } = setup(true);
    expect(marked()).toBe(0);
    loop(4);
    expect(marked()).toBe(4);
    for (const p of addrs) for (let w = p >>> 2; w < (p + L.size) >>> 2; w++) expect(st.space.i32[w]).toBe(0);
  });

  it('with the barrier off, zeroes and marks nothing (twin)', () => {
    const { st, addrs, loop, markWords } = setup(false);
    const before = markWords();
    loop(4);
    expect(markWords()).toEqual(before);
    for (const p of addrs) expect(st.space.i32[p >>> 2]).toBe(0);
  });
});
