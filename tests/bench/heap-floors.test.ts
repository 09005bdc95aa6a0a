// The hand-written floors of H1 (bench/topics/heap.ts): each pair loop must
// keep a valid table of L live handles, or its figure is not the floor of a
// handle table. No timing is asserted.
import { describe, expect, it } from 'vitest';
import { handHeap, handPairLoop, lifoHeap, lifoPairLoop, pool1024 } from '../../bench/topics/heap.js';

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
