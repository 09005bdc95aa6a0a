// The pointer bitmap (heapbits.ts): which words are HeapRef slots, and what
// memclrHasPointers does with it while the collector marks.
import { describe, expect, it } from 'vitest';
import {
  array,
  BadPointerError,
  createRuntime,
  f32,
  FixAlloc,
  heapRef,
  pageSize,
  struct,
  u32,
  type HeapRef,
  type Layout,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { spanPageShift } from '../../src/runtime/heapbits.js';
import { stateOf } from '../../src/runtime/runtime.js';

// Scalars around and between the HeapRef slots; 32 bytes.
const Rec = struct('Rec', { n: u32, a: heapRef<object>(), x: f32, b: array(heapRef<object>(), 2), m: u32, k: u32, c: u32 });
type RecT = LayoutType<typeof Rec>;
const ptrWords = [1, 3, 4];

function runtime(debug = true): Runtime {
  return createRuntime({ maxBytes: 1 << 20, debug, checkmark: true });
}

function kinds(rt: Runtime, p: number, words: number): string[] {
  return Array.from({ length: words }, (_, w) => stateOf(rt).heap.bits.wordAt(p + 4 * w));
}

const expected = Array.from({ length: Rec.size / 4 }, (_, w) => (ptrWords.includes(w) ? 'pointer' : 'scalar'));

describe('recording layouts', () => {
  it('a pool of a layout records every object of each span it takes', () => {
    const rt = runtime();
    const pool = new FixAlloc(Rec, { runtime: rt });
    const first = pool.alloc();
    for (let k = 0; k < 600; k++) pool.alloc(); // a second span
    const last = pool.alloc();
    expect(kinds(rt, first, 8)).toEqual(expected);
    expect(kinds(rt, last, 8)).toEqual(expected);
    expect(kinds(rt, first + 32 * 100, 8)).toEqual(expected); // not yet handed out: still the pool's layout
  });

  it('a raw-size pool, sysAlloc pages and persistentalloc memory have no recorded layout', () => {
    const rt = runtime();
    const raw = new FixAlloc(32, { runtime: rt }).alloc();
    expect(kinds(rt, raw, 8)).toEqual(Array(8).fill('unknown'));
    expect(kinds(rt, rt.sysAlloc(8192), 4)).toEqual(Array(4).fill('unknown'));
    expect(kinds(rt, rt.persistentalloc(64), 4)).toEqual(Array(4).fill('unknown'));
  });

  it('addRoot records a block with no layout yet and removeRoot drops it; a root inside a pool span leaves the span\'s record alone', () => {
    const rt = runtime();
    const block = rt.sysAlloc<RecT>(8192);
    rt.addRoot(block, Rec, 3);
    expect(stateOf(rt).roots.byAddress.get(block)!.ownsBits).toBe(true);
    expect(kinds(rt, block, 24)).toEqual([...expected, ...expected, ...expected]);
    expect(stateOf(rt).heap.bits.wordAt(block + 96)).toBe('unknown'); // past the 3 objects
    rt.removeRoot(block);
    expect(kinds(rt, block, 24)).toEqual(Array(24).fill('unknown'));
    const p = new FixAlloc(Rec, { runtime: rt }).alloc();
    rt.addRoot(p, Rec);
    expect(stateOf(rt).roots.byAddress.get(p)!.ownsBits).toBe(false);
    rt.removeRoot(p);
    expect(kinds(rt, p, 8)).toEqual(expected);
  });
});

describe('memclrHasPointers with the pointer bitmap, barrier on', () => {
  /** A rooted record whose every word holds a distinct live, unpinned handle; marking started with the pins scanned. */
  function scenario(rt: Runtime, p: Ptr<RecT>): HeapRef<object>[] {
    const hs = Array.from({ length: 8 }, (_, w) => rt.newHeapRef({ w }));
    const u = stateOf(rt).space.u32;
    for (let w = 0; w < 8; w++) u[(p >>> 2) + w] = hs[w];
    rt.addRoot(p, Rec);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1); // exactly the pin table: the root is still grey
    expect(stateOf(rt).collector.stats().marked).toBe(0);
    return hs;
  }

  it('shades exactly the HeapRef slots: a scalar word equal to a live handle is not shaded, and its object is collected', () => {
    const rt = runtime();
    const p = new FixAlloc(Rec, { runtime: rt }).alloc();
    const hs = scenario(rt, p);
    rt.memclrHasPointers(p, Rec.size);
    expect(stateOf(rt).collector.stats().marked).toBe(ptrWords.length);
    rt.gcFinish();
    for (let w = 0; w < 8; w++) expect(stateOf(rt).heap.isLive(hs[w])).toBe(ptrWords.includes(w));
  });

  it('twin: over memory with no recorded layout the scan is conservative, so the same scalar word keeps its object one more cycle', () => {
    const rt = runtime();
    const q = rt.sysAlloc<RecT>(8192);
    const hs = Array.from({ length: 8 }, (_, w) => rt.newHeapRef({ w }));
    const u = stateOf(rt).space.u32;
    for (let w = 0; w < 8; w++) u[(q >>> 2) + w] = hs[w];
    rt.addRoot(new FixAlloc(Rec, { runtime: rt }).alloc(), Rec); // grey work, so marking goes on after the pins
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1);
    rt.memclrHasPointers(q, Rec.size);
    expect(stateOf(rt).collector.stats().marked).toBe(8);
    rt.gcFinish();
    expect(hs.every((h) => stateOf(rt).heap.isLive(h))).toBe(true); // floating garbage for one cycle
    rt.gc();
    expect(hs.some((h) => stateOf(rt).heap.isLive(h))).toBe(false);
  });

  it('debug: ordinary counters, floats and stale-handle look-alikes in scalar words are never bad pointers; in a HeapRef slot a stale handle still is', () => {
    const rt = runtime(true);
    const pool = new FixAlloc(Rec, { runtime: rt });
    const p = pool.alloc();
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const acc = rt.access(Rec);
    rt.addRoot(p, Rec);
    rt.gcStart();
    for (const v of [1, 12345, 2 ** 28 + 7, dead, 0xa5a5a5a5, 0xffffffff]) {
      acc.n.set(p, v);
      acc.m.set(p, v);
      acc.x.set(p, 1.5); // 0x3fc00000: inside [2^28, 2^30)
      expect(() => rt.memclrHasPointers(p, Rec.size)).not.toThrow();
    }
    // Over unknown memory too: the conservative scan never calls a word a bad pointer.
    const q = rt.sysAlloc(8192);
    stateOf(rt).space.u32[q >>> 2] = dead;
    stateOf(rt).space.u32[(q >>> 2) + 1] = 0xa5a5a5a5;
    expect(() => rt.memclrHasPointers(q, 8)).not.toThrow();
    // The HeapRef slot is checked.
    stateOf(rt).space.u32[(p + Rec.offsets.a) >>> 2] = dead;
    const before = Array.from(stateOf(rt).space.u32.subarray(p >>> 2, (p + Rec.size) >>> 2));
    expect(() => rt.memclrHasPointers(p, Rec.size)).toThrow(BadPointerError);
    expect(Array.from(stateOf(rt).space.u32.subarray(p >>> 2, (p + Rec.size) >>> 2))).toEqual(before); // thrown before clearing
    stateOf(rt).space.u32[(p + Rec.offsets.a) >>> 2] = 0;
    rt.gcFinish();
  });

  it('partial, unaligned and multi-word ranges: only HeapRef slots wholly inside [p, p+n) are shaded', () => {
    const rt = runtime(false);
    const pool = new FixAlloc(Rec, { runtime: rt });
    const base = pool.alloc();
    for (let k = 1; k < 200; k++) pool.alloc(); // contiguous records: one range spans many bitmap words
    const u = stateOf(rt).space.u32;
    const hs: HeapRef<object>[] = [];
    for (let e = 0; e < 200; e++) {
      for (const w of ptrWords) {
        const h = rt.newHeapRef({ e, w });
        hs.push(h);
        u[((base + e * 32) >>> 2) + w] = h;
      }
    }
    rt.addRoot(base, Rec, 200);
    // The cuts go last: a partly cleared slot no longer holds its handle, which the next cycle then frees.
    const cases: [number, number, number][] = [
      [base, 32 * 200, 600],
      [base + 32 * 3 + 12, 32 * 50, 150], // from b[0] of record 3 through b[0] of record 53
      [base + 4, 4, 1], // exactly slot a of record 0
      [base + 13, 3, 0], // inside b[0] only
      [base + 32 + 5, 11, 1], // record 1: a is cut (starts at byte 5), b[0] at [12, 16) is whole, b[1] at [16, 20) is outside
    ];
    for (const [p, n, shaded] of cases) {
      for (const w of ptrWords) for (let e = 0; e < 200; e++) u[((base + e * 32) >>> 2) + w] = hs[e * 3 + ptrWords.indexOf(w)];
      rt.gcStart();
      rt.gcStep(stateOf(rt).heap.top - 1);
      const m0 = stateOf(rt).collector.stats().marked;
      rt.memclrHasPointers(p as Ptr<RecT>, n);
      expect(stateOf(rt).collector.stats().marked - m0, `clear of ${n} bytes at +${p - base}`).toBe(shaded);
      rt.gcFinish();
    }
  });
});

describe('memclrHasPointers over 4 KiB records, and beyond the bitmaps', () => {
  // 4 KiB records, a HeapRef every 8 words (B2's shape); word 1 is a scalar.
  const bigFields: Record<string, ReturnType<typeof heapRef<object>> | typeof u32> = {};
  for (let w = 0; w < 1024; w++) bigFields[`f${w}`] = w % 8 === 0 ? heapRef<object>() : u32;
  const Big = struct('Big', bigFields);
  type BigT = LayoutType<typeof Big>;
  const slotsPer = 128;
  const slotsEnd = 1016 * 4 + 4; // one past the last HeapRef slot

  /** Three contiguous records of a pool, rooted; every HeapRef slot and word 1 hold distinct live handles; marking started with the root grey. */
  function records(debug: boolean): { rt: Runtime; p: Ptr<BigT>; slots: HeapRef<object>[]; scalars: HeapRef<object>[] } {
    const rt = createRuntime({ maxBytes: 1 << 20, debug, checkmark: true });
    const pool = new FixAlloc(Big, { runtime: rt });
    const p = pool.alloc();
    expect([pool.alloc(), pool.alloc()]).toEqual([p + 4096, p + 8192]); // one span
    const u = stateOf(rt).space.u32;
    const slots: HeapRef<object>[] = [];
    const scalars: HeapRef<object>[] = [];
    for (let e = 0; e < 3; e++) {
      for (let w = 0; w < 1024; w += 8) u[((p + e * 4096) >>> 2) + w] = slots[slots.push(rt.newHeapRef({ e, w })) - 1];
      u[((p + e * 4096) >>> 2) + 1] = scalars[scalars.push(rt.newHeapRef({ e })) - 1];
    }
    rt.addRoot(p, Big, 3);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1); // exactly the pin table: the root is still grey
    expect(stateOf(rt).collector.stats().marked).toBe(0);
    return { rt, p, slots, scalars };
  }

  it('whole records, and one record less its tail after the last slot, shade exactly their HeapRef slots; a scalar equal to a live handle is not shaded', () => {
    const { rt, p, slots, scalars } = records(false);
    rt.memclrHasPointers(p, 2 * 4096);
    expect(stateOf(rt).collector.stats().marked).toBe(2 * slotsPer);
    rt.memclrHasPointers((p + 8192) as Ptr<BigT>, slotsEnd);
    expect(stateOf(rt).collector.stats().marked).toBe(3 * slotsPer);
    rt.gcFinish();
    expect(slots.every((h) => stateOf(rt).heap.isLive(h))).toBe(true);
    expect(scalars.some((h) => stateOf(rt).heap.isLive(h))).toBe(false); // word 1 was never a HeapRef: nothing kept them
  });

  it('twin: a range that is not whole records (from mid-record, or one record less a slot) shades the slots inside it', () => {
    const { rt, p } = records(false);
    rt.memclrHasPointers((p + 2048) as Ptr<BigT>, 4096); // second half of record 0, first half of record 1
    expect(stateOf(rt).collector.stats().marked).toBe(slotsPer);
    rt.memclrHasPointers((p + 8192) as Ptr<BigT>, slotsEnd - 4); // record 2 without its last slot
    expect(stateOf(rt).collector.stats().marked).toBe(2 * slotsPer - 1);
    rt.gcFinish();
  });

  it('debug: a stale handle in a HeapRef slot of a 4 KiB record is a bad pointer, thrown before clearing; in a scalar word it is not', () => {
    const { rt, p } = records(true);
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const u = stateOf(rt).space.u32;
    u[(p >>> 2) + 1] = dead;
    expect(() => rt.memclrHasPointers(p, 4096)).not.toThrow();
    u[((p + 4096) >>> 2) + 64] = dead; // record 1, slot word 64
    const before = Array.from(u.subarray((p + 4096) >>> 2, (p + 8192) >>> 2));
    expect(() => rt.memclrHasPointers((p + 4096) as Ptr<BigT>, 4096)).toThrow(BadPointerError);
    expect(Array.from(u.subarray((p + 4096) >>> 2, (p + 8192) >>> 2))).toEqual(before);
    u[((p + 4096) >>> 2) + 64] = 0;
    rt.gcFinish();
  });

  it('memory above every recorded word is scanned conservatively; a range of fewer than 4 bytes shades nothing', () => {
    const rt = runtime(false);
    const pool = new FixAlloc(Rec, { runtime: rt });
    const keep = pool.alloc(); // records a span: the bitmaps exist
    let q = rt.sysAlloc(8192);
    while (q < stateOf(rt).heap.bits.words.length * 64) q = rt.sysAlloc(8192);
    const hs = Array.from({ length: 8 }, (_, w) => rt.newHeapRef({ w }));
    const u = stateOf(rt).space.u32;
    for (let w = 0; w < 8; w++) u[(q >>> 2) + w] = hs[w];
    rt.addRoot(keep, Rec); // grey work, so marking goes on after the pins
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1);
    for (const n of [0, 1, 3]) rt.memclrHasPointers(q as Ptr<RecT>, n);
    rt.memclrHasPointers(keep, 3);
    expect(stateOf(rt).collector.stats().marked).toBe(0);
    u[q >>> 2] = hs[0]; // the 3-byte clears cut word 0
    rt.memclrHasPointers(q as Ptr<RecT>, 32);
    expect(stateOf(rt).collector.stats().marked).toBe(8);
    rt.gcFinish();
  });
});

describe('memclrHasPointers over whole objects of a pool span: the slot runs instead of the bitmaps', () => {
  /** Words of object e of the 8 at `base`: ptr words hold distinct handles (`slot`), scalar words distinct ones too (`scalar`). */
  function objects(debug: boolean) {
    const rt = runtime(debug);
    const pool = new FixAlloc(Rec, { runtime: rt });
    const base = pool.alloc();
    for (let k = 1; k < 8; k++) expect(pool.alloc()).toBe(base + 32 * k);
    const u = stateOf(rt).space.u32;
    const slot = new Map<number, HeapRef<object>>();
    const scalar = new Map<number, HeapRef<object>>();
    for (let w = 0; w < 64; w++) {
      const h = rt.newHeapRef({ w });
      (ptrWords.includes(w & 7) ? slot : scalar).set(w, h);
      u[(base >>> 2) + w] = h;
    }
    rt.addRoot(base, Rec, 8);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1); // exactly the pin table: the root is still grey
    const c = stateOf(rt).collector as unknown as Record<'clearSlots' | 'clearBits', (...a: unknown[]) => void>;
    const calls = { clearSlots: 0, clearBits: 0 };
    for (const name of ['clearSlots', 'clearBits'] as const) {
      const orig = c[name];
      c[name] = function (this: unknown, ...a: unknown[]) {
        calls[name]++;
        return orig.apply(this, a);
      };
    }
    return { rt, pool, base, slot, scalar, calls };
  }

  it('the span page table pages by pageSize', () => {
    expect(1 << spanPageShift).toBe(pageSize);
  });

  it('objects() names the span only for a range of exactly whole objects of it', () => {
    const { rt, pool, base } = objects(false);
    const bits = stateOf(rt).heap.bits;
    const s = bits.objects(base, 32);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(bits.spanSize(s)).toBe(32);
    expect(bits.objects(base + 32 * 3, 32 * 5)).toBe(s);
    // A range through an object, short of or past one, empty, and memory of no span.
    for (const [q, n] of [
      [base + 4, 32],
      [base + 2, 32],
      [base, 28],
      [base, 36],
      [base + 32, 0],
    ]) {
      expect(bits.objects(q, n), `[+${q - base}, ${n}]`).toBe(-1);
    }
    const all = [base];
    for (let k = 0; k < 600; k++) all.push(pool.alloc()); // the pool takes a second span
    const last = all[all.length - 1];
    expect(all.filter((q) => bits.objects(q, 32) < 0)).toEqual([]); // every page of both spans
    const s2 = bits.objects(last, 32);
    expect(s2).toBeGreaterThan(s);
    expect(bits.objects(last - 32 * 600, 32)).toBe(s); // a page of the first span still names it
    expect(bits.objects(rt.sysAlloc(8192), 32)).toBe(-1);
    expect(bits.objects(new FixAlloc(32, { runtime: rt }).alloc(), 32)).toBe(-1); // a raw-size pool records no span
    expect(bits.objects(new FixAlloc(Rec, { runtime: rt }).alloc(), 32)).toBe(s2 + 1); // each pool's span is its own
  });

  it("objects() stops at a span's last whole object: its tail and the next span are not objects of it", () => {
    const rt = runtime(false);
    const Tri = struct('Tri', { n: u32, m: u32, r: heapRef<object>() }); // 12 bytes: a span of whole pages ends in a tail
    const pool = new FixAlloc(Tri, { runtime: rt });
    const all = [pool.alloc()];
    while (all.length < 2 || all[all.length - 1] - all[all.length - 2] === 12) all.push(pool.alloc());
    const last = all[all.length - 2]; // the first span's last object: the next one lies past the tail
    const bits = stateOf(rt).heap.bits;
    expect(all[all.length - 1] - last).toBeGreaterThan(12);
    expect(bits.objects(last, 12)).toBeGreaterThanOrEqual(0);
    expect(bits.objects(last - 12, 24)).toBe(bits.objects(last, 12));
    expect(bits.objects(last, 24)).toBe(-1);
    expect(bits.objects(all[0], last + 24 - all[0])).toBe(-1);
  });

  it('whole objects take the slot runs once per object, any other range the bitmaps; both shade exactly the HeapRef slots inside the range', () => {
    // [offset, bytes, clearSlots calls, clearBits calls]
    const cases: [number, number, number, number][] = [
      [0, 8 * 32, 8, 0],
      [32, 4 * 32, 4, 0],
      [32 * 7, 32, 0, 0], // inside one bitmap word: clearRange's inlined loop, neither
      [32, 4 * 32 - 4, 0, 1], // one word short of 4 objects
      [36, 4 * 32, 0, 1], // from word 1 of object 1 through word 0 of object 5
      [32 + 12, 4 * 32, 0, 1], // from b[0] of object 1: another phase of the same slots
    ];
    for (const [off, n, slots, bitmap] of cases) {
      const { rt, base, slot, scalar, calls } = objects(false);
      const m0 = stateOf(rt).collector.stats().marked;
      rt.memclrHasPointers((base + off) as Ptr<RecT>, n);
      const inside = (w: number): boolean => w * 4 >= off && w * 4 + 4 <= off + n;
      const want = [...slot.keys()].filter(inside).length;
      expect([calls.clearSlots, calls.clearBits, stateOf(rt).collector.stats().marked - m0], `clear of ${n} at +${off}`).toEqual([slots, bitmap, want]);
      rt.gcFinish();
      // Slots outside the range were kept by the root scan, those inside by the barrier; no scalar word kept anything.
      for (const [w, h] of slot) expect(stateOf(rt).heap.isLive(h), `slot word ${w}, clear of ${n} at +${off}`).toBe(true);
      for (const [w, h] of scalar) expect(stateOf(rt).heap.isLive(h), `scalar word ${w}, clear of ${n} at +${off}`).toBe(false);
    }
  });

  it('debug: a stale handle in a HeapRef slot of a whole object is a bad pointer, thrown before clearing; in a scalar word it is not', () => {
    const { rt, base, calls } = objects(true);
    const dead = rt.newHeapRef({});
    rt.freeHeapRef(dead);
    const u = stateOf(rt).space.u32;
    u[(base + 32) >>> 2] = dead; // word 0 of object 1: a scalar
    expect(() => rt.memclrHasPointers((base + 32) as Ptr<RecT>, 64)).not.toThrow();
    u[((base + 96) >>> 2) + 3] = dead; // b[0] of object 3
    const before = Array.from(u.subarray((base + 64) >>> 2, (base + 128) >>> 2));
    expect(() => rt.memclrHasPointers((base + 64) as Ptr<RecT>, 64)).toThrow(BadPointerError);
    expect(Array.from(u.subarray((base + 64) >>> 2, (base + 128) >>> 2))).toEqual(before);
    expect(calls.clearBits).toBe(0);
    u[((base + 96) >>> 2) + 3] = 0;
    rt.gcFinish();
  });
});

describe('memclrHasPointers over whole objects of a one-run layout: one run (clearLongRun) for the whole range where the slots continue', () => {
  // [layout, clearRun calls for a clear of k objects (k > 1)]: the run tiles the object (an array of HeapRefs), one
  // slot per object, and a run that stops short of the next object (one run per object).
  const Arr = struct('Arr', { a: array(heapRef<object>(), 8) });
  const One = struct('One', { n: u32, a: heapRef<object>(), x: u32 });
  const Gap = struct('Gap', { a: heapRef<object>(), n: u32, b: heapRef<object>(), m: u32, k: u32, l: u32 });
  const shapes = [
    { L: Arr, runs: () => 1 },
    { L: One, runs: () => 1 },
    { L: Gap, runs: (k: number) => k },
  ];

  /** 8 objects of `L` with every word a distinct live handle, rooted, the pin table marked: the root is still grey. */
  function objects(L: Layout<unknown>, debug: boolean) {
    const rt = runtime(debug);
    const pool = new FixAlloc(L, { runtime: rt });
    const base = pool.alloc();
    for (let k = 1; k < 8; k++) expect(pool.alloc()).toBe(base + L.size * k);
    const u = stateOf(rt).space.u32;
    const slots = new Set(Array.from({ length: 8 }, (_, e) => Array.from(L.ptrSlots, (s) => (e * L.size + s) >>> 2)).flat());
    const handles = new Map<number, HeapRef<object>>();
    for (let w = 0; w < (8 * L.size) >>> 2; w++) {
      const h = rt.newHeapRef({ w });
      handles.set(w, h);
      u[(base >>> 2) + w] = h;
    }
    rt.addRoot(base, L, 8);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1);
    const c = stateOf(rt).collector as unknown as Record<'clearRun' | 'clearLongRun' | 'clearBits', (...a: unknown[]) => void>;
    const calls = { clearRun: 0, clearLongRun: 0, clearBits: 0 };
    for (const name of ['clearRun', 'clearLongRun', 'clearBits'] as const) {
      const orig = c[name];
      c[name] = function (this: unknown, ...a: unknown[]) {
        calls[name]++;
        return orig.apply(this, a);
      };
    }
    return { rt, base, slots, handles, calls };
  }

  it('shades exactly the HeapRef slots inside the range, with one clearRun where the run goes on into the next object', () => {
    for (const { L, runs } of shapes) {
      for (const [first, k] of [[0, 8], [0, 1], [3, 1], [1, 5], [2, 3], [7, 1]]) {
        const { rt, base, slots, handles, calls } = objects(L, false);
        const m0 = stateOf(rt).collector.stats().marked;
        rt.memclrHasPointers((base + first * L.size) as Ptr<unknown>, k * L.size);
        const inside = (w: number): boolean => w >= (first * L.size) >>> 2 && w < ((first + k) * L.size) >>> 2;
        const what = `${L.name}: clear of objects ${first}..${first + k - 1}`;
        // A range inside one bitmap word (128 bytes) takes clearRange's inlined loop: no clearRun.
        const p = base + first * L.size;
        const oneWord = p >>> 7 === (p + k * L.size - 4) >>> 7;
        expect([calls.clearRun + calls.clearLongRun, calls.clearBits, stateOf(rt).collector.stats().marked - m0], what).toEqual([oneWord ? 0 : runs(k), 0, [...slots].filter(inside).length]);
        expect(Array.from(stateOf(rt).space.u32.subarray((base + first * L.size) >>> 2, (base + (first + k) * L.size) >>> 2)).every((x) => x === 0), what).toBe(true);
        rt.gcFinish();
        // Slots outside the range were kept by the root scan, those inside by the barrier; no scalar word kept anything.
        for (const [w, h] of handles) expect(stateOf(rt).heap.isLive(h), `${what}, word ${w}`).toBe(slots.has(w));
      }
    }
  });

  it('the one slot that needs the barrier, at any place in the scan\'s steps of four or its tail, among marked and nil slots: a live handle is marked, a stale one is a bad pointer in debug mode (thrown before clearing) and ignored otherwise', () => {
    // All 8 objects, and 7 (One's 7 slots: a step of four, then three in the tail).
    for (const [{ L }, k] of shapes.flatMap((sh) => [[sh, 8] as const, [sh, 7] as const])) {
      const all = [...objects(L, false).slots].filter((w) => w < (k * L.size) >>> 2).sort((a, b) => a - b);
      for (const w of all) {
        for (const kind of ['live', 'stale debug', 'stale'] as const) {
          const { rt, base, handles } = objects(L, kind === 'stale debug');
          const u = stateOf(rt).space.u32;
          // Every other slot: nil, or a handle made while marking (allocated black: marked).
          const black = rt.newHeapRef({});
          all.forEach((x, i) => (u[(base >>> 2) + x] = i % 3 === 0 ? 0 : black));
          // The slot: its own handle, made before the cycle and still unmarked, or a freed one.
          let h = handles.get(w) as HeapRef<object>;
          if (kind !== 'live') {
            h = rt.newHeapRef({});
            rt.freeHeapRef(h);
          }
          u[(base >>> 2) + w] = h;
          const before = Array.from(u.subarray(base >>> 2, (base + k * L.size) >>> 2));
          const m0 = stateOf(rt).collector.stats().marked;
          const clear = () => rt.memclrHasPointers(base, k * L.size);
          const what = `${L.name}, ${k} objects, ${kind} handle at word ${w}`;
          if (kind === 'stale debug') {
            expect(clear, what).toThrow(BadPointerError);
            expect(Array.from(u.subarray(base >>> 2, (base + k * L.size) >>> 2)), what).toEqual(before);
            u[(base >>> 2) + w] = 0;
          } else {
            expect(clear, what).not.toThrow();
            expect(stateOf(rt).collector.stats().marked - m0, what).toBe(kind === 'live' ? 1 : 0);
          }
          rt.gcFinish();
          if (kind === 'live') expect(stateOf(rt).heap.isLive(h), what).toBe(true);
        }
      }
    }
  });
});
