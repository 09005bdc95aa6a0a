// Benchmarks of the object heap, the write barrier, the clears and the
// collector (goals H1–H3, B1–B2 in docs/benchmarks.md): `npm run bench -- heap`.
// Variants of each table run interleaved in one process (bench/lib/harness.ts);
// ratios are per-round medians against the named anchor of the same run.
import { performance } from 'node:perf_hooks';
import { createRuntime, FixAlloc, heapRef, struct, u32, type HeapRef, type Layout, type LayoutType, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';
import { fresh, fullGc, liveSetStream, measure, median, quick, seededRandom, shuffledOrder, sink, type Variant } from '../lib/harness.js';
import { extra, vs, explain, type Table, type TargetRow, type Topic, type TopicReport } from '../lib/report.js';

export interface Obj {
  v: number;
}
export const pool1024: Obj[] = Array.from({ length: 1024 }, (_, i) => ({ v: i }));

const streams = new Map<number, Int32Array>();
/** The access order over a live set of L: random permutations back to back, so every slot is visited. */
const order = (L: number): Int32Array => {
  let s = streams.get(L);
  if (!s) streams.set(L, (s = liveSetStream(L)));
  return s;
};

// ---- handle table: new+free pair and get, against Map and a direct reference (H1, H2) ----
// Every loop is compiled per variant and per table (fresh), keeps its sum in a local and leaves it in `sink`.
export function handlePairLoop(rt: Runtime, live: HeapRef<Obj>[], objs: Obj[], order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      rt.freeHeapRef(live[j]);
      // eslint-disable-next-line offheap/no-unrooted-heap-refs -- measures the handle table alone: no collection runs while these handles are held
      live[j] = rt.newHeapRef(objs[i & 1023]);
    }
  };
}

function mapPairLoop(map: Map<number, Obj>, keys: Int32Array, objs: Obj[], order: Int32Array, next: number) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      map.delete(keys[j]);
      keys[j] = next;
      map.set(next++, objs[i & 1023]);
    }
  };
}

function derefLoop(rt: Runtime, hs: HeapRef<Obj>[], order: Int32Array, sink: Float64Array) {
  let k = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += rt.deref(hs[order[k]]).v;
      if (++k === order.length) k = 0;
    }
    sink[0] = s;
  };
}

function directLoop(objs: Obj[], order: Int32Array, sink: Float64Array) {
  let k = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += objs[order[k]].v;
      if (++k === order.length) k = 0;
    }
    sink[0] = s;
  };
}

// The floor of a validated lookup: the same [object, handle] pairs as the heap's table, written by hand with the
// table and mask in locals (no method, no field reads per op): index, compare with the handle copy, load the object.
// A bad handle throws from a cold function, as deref's reject does.
function handLookupLoop(table: unknown[], mask: number, hs: number[], order: Int32Array, sink: Float64Array, stale: (h: number) => never) {
  let k = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const h = hs[order[k]];
      const j = (h & mask) << 1;
      if (table[j | 1] !== h) stale(h);
      s += (table[j] as Obj).v;
      if (++k === order.length) k = 0;
    }
    sink[0] = s;
  };
}

// The indirection alone, with no validation (what no public entry may do): index and load the object.
function slotLookupLoop(table: unknown[], mask: number, hs: number[], order: Int32Array, sink: Float64Array) {
  let k = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += (table[(hs[order[k]] & mask) << 1] as Obj).v;
      if (++k === order.length) k = 0;
    }
    sink[0] = s;
  };
}

/**
 * A table of [object, handle] pairs laid out as the heap's (slot `h & mask`, the same size), holding the values a
 * runtime issued for L objects, for the floor variants. The values are plain numbers here: this table is not the
 * runtime's, and nothing collects it.
 */
function handTable(L: number): { table: unknown[]; mask: number; hs: number[] } {
  const rt = createRuntime({ maxBytes: 1 << 20 });
  const hs: number[] = [];
  // eslint-disable-next-line offheap/no-hidden-heap-pointers -- the values only, for a table outside the runtime (see above)
  for (let i = 0; i < L; i++) hs.push(Number(rt.newHeapRef({ v: i })));
  const capacity = stateOf(rt).heap.capacity;
  const mask = capacity - 1;
  const table: unknown[] = [];
  for (let i = 0; i < 2 * capacity; i++) table.push(undefined); // packed, like the heap's
  for (let i = 0; i < L; i++) {
    table[(hs[i] & mask) << 1] = { v: i };
    table[((hs[i] & mask) << 1) | 1] = hs[i];
  }
  return { table, mask, hs };
}

/**
 * The floor of H1 for this table's layout: the pair written by hand over the same [value, mark word] words and
 * [object, handle] entries, table and cursor in locals (no method, no field reads, no growth, block or collector
 * state): free checks the value word and the pinned bit and marks the slot free; new takes the next value, passing
 * over live slots, as newHeapRef does. What any implementation of this layout pays for the pair with its checks.
 */
export function handPairLoop(meta: Int32Array, objects: unknown[], mask: number, live: number[], objs: Obj[], order: Int32Array, first: number, stale: (h: number) => never) {
  let k = 0;
  let next = first;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      const h = live[j];
      const f = h & mask;
      if (meta[f << 1] !== h || (meta[(f << 1) | 1] & 1) !== 0) stale(h);
      meta[f << 1] = ~h;
      objects[f << 1] = undefined;
      objects[(f << 1) | 1] = undefined;
      let c = next;
      while (meta[(c & mask) << 1] > 0) c++;
      const a = (c & mask) << 1;
      meta[a] = c;
      meta[a | 1] = 0;
      objects[a] = objs[i & 1023];
      objects[a | 1] = c;
      next = c + 1;
      live[j] = c;
    }
  };
}

/**
 * The floor of the other layout, last-in first-out reuse (the design docs/runtime.md weighs against this one):
 * handle = generation << K | slot, [object, handle] entries, a stack of free slots, and only the handle check
 * (no pin or collector state). new takes the slot free just freed, so the pair touches one slot.
 */
export function lifoPairLoop(objects: unknown[], gens: Int32Array, freeSlots: Int32Array, top: number, bits: number, live: number[], objs: Obj[], order: Int32Array, stale: (h: number) => never) {
  let k = 0;
  const mask = (1 << bits) - 1;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      const h = live[j];
      const f = h & mask;
      if (objects[(f << 1) | 1] !== h) stale(h);
      objects[f << 1] = undefined;
      objects[(f << 1) | 1] = undefined;
      freeSlots[top++] = f;
      const s = freeSlots[--top];
      const g = (gens[s] + 1) & 0xff;
      gens[s] = g;
      const c = (g << bits) | s;
      objects[s << 1] = objs[i & 1023];
      objects[(s << 1) | 1] = c;
      live[j] = c;
    }
  };
}

/** A table of this heap's layout with L live handles issued in order from `first`, as a runtime's (for handPairLoop). */
export function handHeap(L: number): { meta: Int32Array; objects: unknown[]; mask: number; live: number[]; first: number } {
  const capacity = handTable(L).mask + 1; // the runtime's table size at L live
  const mask = capacity - 1;
  const meta = new Int32Array(2 * capacity);
  meta[0] = 1; // slot 0 is never taken, as in the heap
  const objects: unknown[] = [];
  for (let i = 0; i < 2 * capacity; i++) objects.push(undefined);
  const first = 0x10000001;
  const live: number[] = [];
  for (let c = first; live.length < L; c++) {
    const a = (c & mask) << 1;
    if (meta[a] > 0 || a === 0) continue;
    meta[a] = c;
    objects[a] = pool1024[live.length & 1023];
    objects[a | 1] = c;
    live.push(c);
  }
  return { meta, objects, mask, live, first: live[L - 1] + 1 };
}

/** A LIFO table of 2^bits slots (the power of two at or above L) with L live handles, for lifoPairLoop. */
export function lifoHeap(L: number): { objects: unknown[]; gens: Int32Array; freeSlots: Int32Array; top: number; bits: number; live: number[] } {
  const bits = 32 - Math.clz32(L - 1);
  const capacity = 1 << bits;
  const objects: unknown[] = [];
  for (let i = 0; i < 2 * capacity; i++) objects.push(undefined);
  const gens = new Int32Array(capacity);
  const freeSlots = new Int32Array(capacity);
  const live: number[] = [];
  for (let s = 0; s < L; s++) {
    objects[s << 1] = pool1024[s & 1023];
    objects[(s << 1) | 1] = s; // generation 0
    live.push(s);
  }
  let top = 0;
  for (let s = capacity - 1; s >= L; s--) freeSlots[top++] = s;
  return { objects, gens, freeSlots, top, bits, live };
}

const staleHandle = (h: number): never => {
  throw new Error(`stale handle ${h}`);
};

function mapGetLoop(map: Map<number, Obj>, order: Int32Array, sink: Float64Array) {
  let k = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += map.get(order[k] + 1)!.v;
      if (++k === order.length) k = 0;
    }
    sink[0] = s;
  };
}

export function handleVariants(L: number): Variant[] {
  return [
    {
      name: `handle free+new pair, L=${L}`,
      setup() {
        const rt = createRuntime({ maxBytes: 1 << 20 });
        const live: HeapRef<Obj>[] = [];
        // eslint-disable-next-line offheap/no-unrooted-heap-refs -- measures the handle table alone: no collection runs while these handles are held
        for (let i = 0; i < L; i++) live.push(rt.newHeapRef(pool1024[i & 1023]));
        return fresh(handlePairLoop)(rt, live, pool1024, order(L));
      },
    },
    {
      name: `Map delete+set pair, L=${L}`,
      allocates: true, // a Map's deleted entries are reclaimed by rehashing into a new table
      setup() {
        const map = new Map<number, Obj>();
        const keys = new Int32Array(L);
        for (let i = 0; i < L; i++) {
          keys[i] = i + 1;
          map.set(i + 1, pool1024[i & 1023]);
        }
        return fresh(mapPairLoop)(map, keys, pool1024, order(L), L + 1);
      },
    },
    {
      name: `deref, L=${L}`,
      setup() {
        const rt = createRuntime({ maxBytes: 1 << 20 });
        const hs: HeapRef<Obj>[] = [];
        // eslint-disable-next-line offheap/no-unrooted-heap-refs -- measures the handle table alone: no collection runs while these handles are held
        for (let i = 0; i < L; i++) hs.push(rt.newHeapRef({ v: i }));
        return fresh(derefLoop)(rt, hs, order(L), sink);
      },
    },
    {
      name: `direct reference get, L=${L}`,
      setup() {
        const objs: Obj[] = Array.from({ length: L }, (_, i) => ({ v: i }));
        return fresh(directLoop)(objs, order(L), sink);
      },
    },
    // The floor of H2 at 10k (info rows; at 1M deref is judged against Map.get).
    ...(L === 10_000
      ? [
          {
            name: `hand-written validated lookup, L=${L}`,
            setup() {
              const { table, mask, hs } = handTable(L);
              return fresh(handLookupLoop)(table, mask, hs, order(L), sink, staleHandle);
            },
          },
          {
            name: `hand-written free+new pair, this layout, L=${L}`,
            setup() {
              const { meta, objects, mask, live, first } = handHeap(L);
              return fresh(handPairLoop)(meta, objects, mask, live, pool1024, order(L), first, staleHandle);
            },
          },
          {
            name: `hand-written free+new pair, LIFO layout, L=${L}`,
            setup() {
              const { objects, gens, freeSlots, top, bits, live } = lifoHeap(L);
              return fresh(lifoPairLoop)(objects, gens, freeSlots, top, bits, live, pool1024, order(L), staleHandle);
            },
          },
          {
            name: `slot lookup without validation, L=${L}`,
            setup() {
              const { table, mask, hs } = handTable(L);
              return fresh(slotLookupLoop)(table, mask, hs, order(L), sink);
            },
          },
        ]
      : []),
    {
      name: `Map.get, L=${L}`,
      setup() {
        const map = new Map<number, Obj>();
        for (let i = 0; i < L; i++) map.set(i + 1, { v: i });
        return fresh(mapGetLoop)(map, order(L), sink);
      },
    },
  ];
}

// ---- barriered HeapRef store, barrier off and on ----
const Slot = struct('Slot', { a: heapRef<Obj>(), n: u32 });
type SlotT = LayoutType<typeof Slot>;

function storeVariants(): Variant[] {
  const N = 4096;
  const make = (): { rt: Runtime; base: number; hs: HeapRef<Obj>[] } => {
    const rt = createRuntime({ maxBytes: 4 << 20 });
    const base = rt.sysAlloc(N * Slot.size);
    rt.addRoot(base as Ptr<SlotT>, Slot, N);
    const hs: HeapRef<Obj>[] = [];
    for (let i = 0; i < 64; i++) {
      const h = rt.newHeapRef(pool1024[i]);
      rt.pin(h);
      hs.push(h);
    }
    return { rt, base, hs };
  };
  return [
    {
      name: 'raw u32 store (no barrier check)',
      setup() {
        const { rt, base, hs } = make();
        const u = stateOf(rt).space.u32;
        const raw = hs.map(Number); // plain numbers: the anchor is a bare typed-array store
        return (n) => {
          for (let i = 0; i < n; i++) u[(base + (i & (N - 1)) * 8) >>> 2] = raw[i & 63];
        };
      },
    },
    {
      name: 'HeapRefAccessor.set, barrier off',
      setup() {
        const { rt, base, hs } = make();
        const a = rt.access(Slot).a;
        return (n) => {
          for (let i = 0; i < n; i++) a.set((base + (i & (N - 1)) * 8) as Ptr<SlotT>, hs[i & 63]);
        };
      },
    },
    {
      name: 'HeapRefAccessor.set, barrier ON (marking)',
      setup() {
        const { rt, base, hs } = make();
        const a = rt.access(Slot).a;
        rt.gcStart(); // stays marking: no step is ever run
        return (n) => {
          for (let i = 0; i < n; i++) a.set((base + (i & (N - 1)) * 8) as Ptr<SlotT>, hs[i & 63]);
        };
      },
    },
    {
      name: 'storeHeapRef (checked), barrier off',
      setup() {
        const { rt, base, hs } = make();
        return (n) => {
          for (let i = 0; i < n; i++) rt.storeHeapRef(base + (i & (N - 1)) * 8, hs[i & 63]);
        };
      },
    },
  ];
}

// ---- the three clears, barrier off and on (B1, B2) ----
function clearVariants(words: number, every: number): Variant[] {
  const fields: Record<string, typeof u32> = {};
  for (let w = 0; w < words; w++) fields[`f${w}`] = (w % every === 0 ? heapRef<Obj>() : u32) as typeof u32;
  const L = struct(`C${words}_${every}`, fields);
  const size = L.size;
  const COUNT = 64;
  const make = (on: boolean): { rt: Runtime; addrs: Int32Array; dirty: () => void } => {
    const rt = createRuntime({ maxBytes: 8 << 20 });
    const h = rt.newHeapRef(pool1024[0]);
    rt.pin(h);
    // Objects of a FixAlloc pool of the layout: its chunks record the layout in the heap bits, so
    // memclrHasPointers visits the layout's HeapRef slots, as it does for typed memory in a program.
    const pool = new FixAlloc(L, { runtime: rt });
    const addrs = new Int32Array(COUNT);
    for (let i = 0; i < COUNT; i++) addrs[i] = pool.alloc();
    const u = stateOf(rt).space.u32;
    // Re-dirtying unrooted bench memory is scaffolding, not a heap-pointer store the collector must see.
    // eslint-disable-next-line offheap/no-hidden-heap-pointers -- deliberate raw word, see above
    const word = Number(h);
    // One copy of a saved image of the 64 objects (each HeapRef slot holding the handle, every other word 0: what a
    // clear leaves plus the slots): a builtin memcpy, so the scaffolding costs the same whether or not V8 inlines
    // `dirty` into the timed loop. A store loop did not: the barrier-on loop inlines memclrHasPointers first and
    // then often has no inlining budget left for `dirty`; called, the store loop cost about three times the 4 KiB
    // clear's memset more per op than inlined, in some processes only (B2 at 4 KiB read 3.85 or 5.7-7.25 ns).
    const lo = Math.min(...addrs);
    if (Math.max(...addrs) + size - lo !== COUNT * size) throw new Error(`clears: the ${COUNT} objects of ${L.name} are not contiguous`);
    const image = new Uint32Array((COUNT * size) >>> 2);
    for (const p of addrs) for (const s of L.ptrSlots) image[(p - lo + s) >>> 2] = word;
    const dirty = (): void => u.set(image, lo >>> 2);
    dirty();
    if (on) rt.gcStart();
    return { rt, addrs, dirty };
  };
  // memclrHasPointers with the barrier off and on, once through the runtime before any timed loop is compiled: a loop
  // compiled while the barrier-on path had never run was slower with the barrier off (64 B: 6.8-6.9 ns per clear in
  // the first table of a process, 6.5 in a later one, where the earlier table had run it). Running typedmemclr here
  // too made its barrier-on loop slower (64 B 2/16: 14.2-14.3 against 13.6-13.7 ns), so it is not.
  for (const on of [false, true]) {
    const made = make(on);
    const rt: Runtime = made.rt;
    const { addrs, dirty } = made;
    for (let i = 0; i < 4096; i++) {
      if ((i & 63) === 0) dirty();
      rt.memclrHasPointers(addrs[i & 63] as Ptr<unknown>, size);
    }
  }
  const name = `${size} B, ${words / every}/${words} HeapRef`;
  // Each variant compiles its own loop (fresh): one shared literal would share type feedback across the clears.
  const v = (label: string, on: boolean, factory: ClearLoop): Variant => ({
    name: `${label}, ${name}${on ? ', barrier ON' : ''}`,
    setup() {
      const { rt, addrs, dirty } = make(on);
      // measure() first calls it many times briefly, so it is compiled as a whole function (harness warmWhole).
      return fresh(factory)(rt, L, addrs, size, dirty);
    },
  });
  // The floor of B2's memclrHasPointers (64 B tables only, info rows): the bitmap barrier and the word clear written
  // by hand, the arrays in locals (no call, no check of p or n, no phase test), on the same runtime state.
  const hand = (on: boolean): Variant => ({
    name: `by hand: bitmap barrier + word clear, ${name}${on ? ', barrier ON' : ''}`,
    setup() {
      const { rt, addrs, dirty } = make(on);
      const st = stateOf(rt);
      const c2 = on ? st.collector.cycle << 1 : -1;
      return fresh(handBitmapClearLoop)(st.space.i32, st.space.f64, st.heap.bits.words, st.heap.meta, st.heap.mask, c2, addrs, size, dirty);
    },
  });
  return [
    v('memclrNoHeapPointers', false, plainClearLoop),
    v('typedmemclr', false, typedClearLoop),
    v('typedmemclr', true, typedClearLoop),
    v('memclrHasPointers', false, hasPointersClearLoop),
    v('memclrHasPointers', true, hasPointersClearLoop),
    ...(size <= 64 ? [hand(false), hand(true)] : []),
  ];
}

/**
 * memclrHasPointers' work at a small size, by hand: with the barrier on (c2 ≥ 0), the object's bits of its bitmap
 * word and a mark of each live, unmarked handle in them; then the word clear. The objects lie in one bitmap word
 * each, with a recorded layout (a pool of the layout), so there is no slow path.
 */
export function handBitmapClearLoop(i32: Int32Array, f64: Float64Array, words: Int32Array, meta: Int32Array, mask: number, c2: number, addrs: Int32Array, size: number, dirty: () => void) {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      if ((i & 63) === 0) dirty();
      const p = addrs[i & 63];
      if (c2 >= 0) {
        const b = p >>> 7;
        const last = (p + size - 4) >>> 2;
        const range = (-1 << ((p >>> 2) & 31)) & (-1 >>> (31 - (last & 31)));
        for (let q = words[(b << 1) | 1] & range; q !== 0; q &= q - 1) {
          const v = i32[(b << 5) | (31 - Math.clz32(q & -q))];
          const m = (v & mask) << 1;
          if (meta[m] === v && (meta[m | 1] & -2) !== c2) meta[m | 1] = c2 | (meta[m | 1] & 1);
        }
      }
      for (let w = p >>> 3, e = (p + size) >>> 3; w < e; w++) f64[w] = 0;
    }
  };
}

// Each pass over the 64 objects re-dirties them (one copy of their saved image, see make), in every variant alike.
type ClearLoop = (rt: Runtime, L: Layout<unknown>, addrs: Int32Array, size: number, dirty: () => void) => (n: number) => void;

function plainClearLoop(rt: Runtime, L: Layout<unknown>, addrs: Int32Array, size: number, dirty: () => void) {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      if ((i & 63) === 0) dirty();
      rt.memclrNoHeapPointers(addrs[i & 63] as Ptr<unknown>, size);
    }
  };
}

function typedClearLoop(rt: Runtime, L: Layout<unknown>, addrs: Int32Array, size: number, dirty: () => void) {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      if ((i & 63) === 0) dirty();
      rt.typedmemclr(L, addrs[i & 63] as Ptr<unknown>);
    }
  };
}

function hasPointersClearLoop(rt: Runtime, L: Layout<unknown>, addrs: Int32Array, size: number, dirty: () => void) {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      if ((i & 63) === 0) dirty();
      rt.memclrHasPointers(addrs[i & 63] as Ptr<unknown>, size);
    }
  };
}

// ---- mark/sweep throughput and incremental pauses (H3) ----
// Judged as differences paired within a round: each round runs a collection
// over N1 and over N0 < N1 handles (in shuffled order, a full V8 GC between
// runs), and the per-unit cost is (t(N1) − t(N0)) / (N1 − N0), which removes
// the fixed cost of a cycle. The medians over rounds are reported.
const Ref = struct('Ref', { a: heapRef<Obj>() });
type RefT = LayoutType<typeof Ref>;

interface CycleTimes {
  pinMs: number;
  markMs: number;
  sweepMs: number;
}

function collectorRun(N: number, rooted: number): CycleTimes {
  const rt = createRuntime({ maxBytes: 64 << 20 });
  const block = rt.sysAlloc<RefT>(N * 4);
  const a = rt.access(Ref).a;
  for (let i = 0; i < N; i++) {
    const h = rt.newHeapRef(pool1024[i & 1023]);
    if (i < rooted) a.set((block + i * 4) as Ptr<RefT>, h);
  }
  rt.addRoot(block, Ref, rooted);
  rt.gcStart();
  const tp = performance.now();
  rt.gcStep(N); // the pin table first: one unit per handle slot
  const t0 = performance.now();
  rt.gcStep(2 ** 31 - 1); // the root slots in one step; ends in mark termination
  const t1 = performance.now();
  rt.gcFinish(); // the sweep
  const t2 = performance.now();
  return { pinMs: t0 - tp, markMs: t1 - t0, sweepMs: t2 - t1 };
}

// The incremental pauses. Every kind of unit must cost something, or the
// median step is one that reads nothing (the pin job spends its units
// without reading the table when no handle is pinned, and the sweep does when
// nothing is white): N/2 rooted handles, N/2 garbage ones for the sweep, and
// one pinned handle, so the pin job reads the table. Each phase's steps are
// judged against that phase's own unit cost, measured on the same heap shape
// by a cycle done one phase per step.
type Phase = 'pin' | 'mark' | 'sweep';
const phases: readonly Phase[] = ['pin', 'mark', 'sweep'];

/**
 * A heap of the pause shape, gcStart done: N live handles in a table of 2N
 * slots (N a power of two), every other slot live (each kept handle's next
 * value is freed at once, so the live slots spread evenly instead of filling
 * one half: the sweep skips free runs, and a median step over an empty half
 * read nothing). Of the live ones, N/2 rooted, N/2 − 1 garbage, 1 pinned.
 * Returns the runtime, its pin job's units (the table's slots less slot 0)
 * and its root slots.
 */
function pauseHeap(N: number): { rt: Runtime; pinUnits: number; rootSlots: number } {
  const rt = createRuntime({ maxBytes: 64 << 20 });
  const rootSlots = N >> 1;
  const block = rt.sysAlloc<RefT>(rootSlots * 4);
  const a = rt.access(Ref).a;
  for (let i = 0; i < rootSlots; i++) {
    a.set((block + i * 4) as Ptr<RefT>, rt.newHeapRef(pool1024[i & 1023]));
    rt.freeHeapRef(rt.newHeapRef(pool1024[0]));
    if (i < rootSlots - 1) rt.newHeapRef(pool1024[i & 1023]);
    rt.freeHeapRef(rt.newHeapRef(pool1024[0]));
  }
  rt.pin(rt.newHeapRef(pool1024[0]));
  rt.addRoot(block, Ref, rootSlots);
  rt.gcStart();
  return { rt, pinUnits: stateOf(rt).heap.top - 1, rootSlots };
}

/**
 * ns per unit of each phase: one step per phase (the mark step ends in mark
 * termination). Timed in the process's CPU time: a phase takes milliseconds,
 * and on a shared machine wall time there includes time the process was not
 * running, which the median of microsecond steps does not (in a loaded run
 * the root slot read 12 ns one-shot against 3.4 ns in steps).
 */
function phaseUnitNs(N: number): Record<Phase, number> {
  const { rt, pinUnits, rootSlots } = pauseHeap(N);
  const cpuUs = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const t0 = cpuUs();
  rt.gcStep(pinUnits);
  const t1 = cpuUs();
  rt.gcStep(rootSlots);
  const t2 = cpuUs();
  rt.gcFinish();
  const t3 = cpuUs();
  return { pin: ((t1 - t0) * 1e3) / pinUnits, mark: ((t2 - t1) * 1e3) / rootSlots, sweep: ((t3 - t2) * 1e3) / pinUnits };
}

/** Step pauses in µs by phase, counting only steps that spend their whole budget inside one phase. */
function pauses(N: number, budget: number): Record<Phase, number[]> {
  const { rt, pinUnits, rootSlots } = pauseHeap(N);
  const out: Record<Phase, number[]> = { pin: [], mark: [], sweep: [] };
  const collector = stateOf(rt).collector;
  for (let done = 0; ; done += budget) {
    const sweeping = collector.phase === 'sweep';
    const t0 = performance.now();
    const more = rt.gcStep(budget);
    const us = (performance.now() - t0) * 1000;
    if (!more) break;
    if (sweeping) {
      if (collector.phase === 'sweep') out.sweep.push(us);
    } else if (done + budget <= pinUnits) out.pin.push(us);
    else if (done >= pinUnits && done + budget < pinUnits + rootSlots) out.mark.push(us);
  }
  return out;
}

interface CollectorFigures {
  N1: number;
  N0: number;
  rootNs: number;
  pinNs: number;
  sweepNs: number;
  sweepFreedNs: number;
  /** Per budget and phase: median over rounds of (median step pause ÷ budget × the round's ns per unit of that phase), and the median pause in µs; NaN where no step spent its whole budget in the phase. */
  pause: Map<number, Record<Phase, { ratio: number; us: number }>>;
  /** ns per unit of each phase in the pause heap (medians over rounds). */
  unitNs: Record<Phase, number>;
}

async function collectorRounds(rounds: number, budgets: readonly number[]): Promise<CollectorFigures> {
  const N1 = quick ? 1 << 16 : 1 << 20;
  const N0 = N1 >> 2;
  const gc = fullGc();
  const random = seededRandom((Number(process.env.BENCH_SEED ?? 1) * 7919) >>> 0);
  const per = { root: [] as number[], pin: [] as number[], sweep: [] as number[], freed: [] as number[] };
  const key = (b: number, p: Phase): string => `${b}:${p}`;
  const ratios = new Map<string, number[]>();
  const us = new Map<string, number[]>();
  const units: Record<Phase, number[]> = { pin: [], mark: [], sweep: [] };
  for (let r = 0; r < rounds; r++) {
    // Back to the event loop between rounds, so the runtimes of the last round are collected and their
    // finalizers run (a synchronous loop keeps what it made alive longer, and each round makes eight
    // runtimes of up to 2^21 slots).
    await new Promise((resolve) => setImmediate(resolve));
    const runs: (() => void)[] = [];
    const out: Record<string, CycleTimes> = {};
    for (const [key, N, rooted] of [
      ['full1', N1, N1],
      ['full0', N0, N0],
      ['free1', N1, 1000],
      ['free0', N0, 1000],
    ] as const) {
      runs.push(() => (out[key] = collectorRun(N, rooted)));
    }
    const pauseUs = new Map<number, Record<Phase, number[]>>();
    let unit: Record<Phase, number> | undefined;
    for (const b of budgets) runs.push(() => pauseUs.set(b, pauses(N1, b)));
    runs.push(() => (unit = phaseUnitNs(N1)));
    for (const i of shuffledOrder(runs.length, random)) {
      gc?.();
      runs[i]();
    }
    const d = N1 - N0;
    const rootNs = ((out.full1.markMs - out.full0.markMs) * 1e6) / d;
    const pinNs = ((out.full1.pinMs - out.full0.pinMs) * 1e6) / d;
    per.root.push(rootNs);
    per.pin.push(pinNs);
    per.sweep.push(((out.full1.sweepMs - out.full0.sweepMs) * 1e6) / d);
    per.freed.push(((out.free1.sweepMs - out.free0.sweepMs) * 1e6) / d);
    for (const p of phases) {
      units[p].push(unit![p]);
      for (const b of budgets) {
        const ps = pauseUs.get(b)![p];
        if (ps.length === 0) continue;
        const k = key(b, p);
        ratios.set(k, [...(ratios.get(k) ?? []), median(ps) / ((b * unit![p]) / 1000)]);
        us.set(k, [...(us.get(k) ?? []), median(ps)]);
      }
    }
  }
  return {
    N1,
    N0,
    rootNs: median(per.root),
    pinNs: median(per.pin),
    sweepNs: median(per.sweep),
    sweepFreedNs: median(per.freed),
    pause: new Map(
      budgets.map((b) => [
        b,
        Object.fromEntries(phases.map((p) => [p, { ratio: median(ratios.get(key(b, p)) ?? []), us: median(us.get(key(b, p)) ?? []) }])) as Record<Phase, { ratio: number; us: number }>,
      ]),
    ),
    unitNs: { pin: median(units.pin), mark: median(units.mark), sweep: median(units.sweep) },
  };
}

export const heap: Topic = {
  id: 'heap',
  title: 'Object heap, write barrier, clears and collector',
  async run(): Promise<TopicReport> {
    const tables: Table[] = [];
    const targets: TargetRow[] = [];
    const notes: string[] = [];
    for (const L of [10_000, quick ? 100_000 : 1_000_000]) {
      const m = await measure(handleVariants(L));
      tables.push({ caption: `handle table, ${L} live`, measurement: m });
      const ns = (name: string): string => m.get(name).nsPerOp.toFixed(1);
      const pair = `handle free+new pair, L=${L}`;
      const mapPair = `Map delete+set pair, L=${L}`;
      targets.push(
        explain(
          { id: 'H1', measure: `HeapRef new+free vs \`Map\` delete+set, ${L} live`, ...vs(m, pair, mapPair), unit: '×', target: L === 10_000 ? 10 : 3, better: 'higher' },
          `The pair is ${ns(pair)} ns against Map's ${ns(mapPair)} ns.`,
        ),
      );
      if (L === 10_000) {
        const lookup = `hand-written validated lookup, L=${L}`;
        const direct = `direct reference get, L=${L}`;
        const info = { unit: '×', info: true, target: NaN, better: 'higher' } as const;
        targets.push(
          explain(
            { id: 'H2', measure: 'deref vs the hand-written validated lookup (same table layout), 10k live', ...vs(m, `deref, L=${L}`, lookup), unit: '×', target: 0.9, better: 'higher' },
            `deref is ${ns(`deref, L=${L}`)} ns against the lookup's ${ns(lookup)} ns: the cheapest lookup that still checks the handle, written by hand over the heap's own [object, handle] layout with table and mask in locals, so this is what the runtime adds to any validated handle table.`,
          ),
          {
            id: 'H2',
            measure: 'deref vs a direct JS reference, 10k live (shown, not judged: out of reach for any handle table)',
            ...vs(m, `deref, L=${L}`, direct),
            ...info,
            note: `deref is ${ns(`deref, L=${L}`)} ns against ${ns(direct)} ns. The handle's slot is a dependent load a direct reference does not have, so no handle table reaches the issue's 0.6×: the slot lookup with no validation at all read 0.56× a direct reference on the idle page that decided this (in this run ${m.speedup(`slot lookup without validation, L=${L}`, direct).toFixed(2)}×, the last row). The 0.6× was set when the direct-reference anchor boxed a number per operation. See docs/runtime.md, "Why deref stays near half a direct reference".`,
          },
          { id: 'H2', measure: 'floor: a hand-written validated lookup (same table layout, locals, no call) vs a direct JS reference, 10k live', ...vs(m, lookup, direct), ...info },
          {
            id: 'H1',
            measure: 'floor: a hand-written free+new pair over this table\'s layout (locals, no call, no growth or collector state) vs `Map` delete+set, 10k live',
            ...vs(m, `hand-written free+new pair, this layout, L=${L}`, mapPair),
            ...info,
            note: `The pair by hand is ${ns(`hand-written free+new pair, this layout, L=${L}`)} ns against the runtime's ${ns(pair)} ns: what the checks and the two slots of this layout cost before any method, field or growth test.`,
          },
          {
            id: 'H1',
            measure: 'floor of the other layout: a hand-written LIFO free+new pair (one slot, the handle check only) vs `Map` delete+set, 10k live',
            ...vs(m, `hand-written free+new pair, LIFO layout, L=${L}`, mapPair),
            ...info,
            note: `${ns(`hand-written free+new pair, LIFO layout, L=${L}`)} ns: last-in first-out reuse, generation << K | slot with 8 generation bits (the bound docs/runtime.md rejects), no pin or collector state.`,
          },
          { id: 'H2', measure: 'a slot lookup with no validation vs a direct JS reference, 10k live (the indirection alone; no public entry may skip the check)', ...vs(m, `slot lookup without validation, L=${L}`, direct), ...info },
        );
      } else {
        targets.push(
          explain(
            { id: 'H2', measure: 'deref vs `Map.get`, 1M live', ...vs(m, `deref, L=${L}`, `Map.get, L=${L}`), unit: '×', target: 1.5, better: 'higher' },
            `deref is ${ns(`deref, L=${L}`)} ns against Map.get's ${ns(`Map.get, L=${L}`)} ns; at 1M live both are cache-miss bound (the access stream covers the whole live set).`,
          ),
        );
      }
    }
    const s = await measure(storeVariants());
    tables.push({ caption: 'barriered HeapRef store', measurement: s });
    for (const [words, every] of [
      [16, 8],
      [16, 2],
      [1024, 8],
      [1024, 2],
    ] as const) {
      const m = await measure(clearVariants(words, every));
      const [plain, typedOff, typedOn, hasOff, hasOn] = m.variants;
      const k = words / every;
      const label = `${words * 4} B, ${k}/${words} HeapRef slots`;
      tables.push({ caption: `clears, ${label} (64 objects, re-dirtied every pass)`, measurement: m });
      const offNote = 'Barrier off, both are the plain clear after one flag check; the difference is the extra call and alignment check.';
      targets.push(
        explain({ id: 'B1', measure: `typedmemclr, barrier off, vs memclrNoHeapPointers, ${label}`, ...vs(m, typedOff.name, plain.name), unit: '×', target: 0.9, better: 'higher' }, offNote),
        explain({ id: 'B1', measure: `memclrHasPointers, barrier off, vs memclrNoHeapPointers, ${label}`, ...vs(m, hasOff.name, plain.name), unit: '×', target: 0.9, better: 'higher' }, offNote),
        explain(
          { id: 'B2', measure: `typedmemclr, barrier on: extra ns per pointer slot, ${label}`, ...extra(m, typedOn.name, typedOff.name, k), unit: 'ns', target: words > 16 ? 3 : 4, better: 'lower' },
          `Per round, (barrier on − barrier off) ÷ ${k} pointer slots; the barrier shades the old value of each of the layout's pointer slots.`,
        ),
        explain(
          { id: 'B2', measure: `memclrHasPointers, barrier on: extra ns per pointer slot, ${label}`, ...extra(m, hasOn.name, hasOff.name, k), unit: 'ns', target: words > 16 ? 3 : 4, better: 'lower' },
          `Per round, (barrier on − barrier off) ÷ ${k} pointer slots. The objects come from a FixAlloc pool of the layout, so the barrier finds the ${k} pointer slots in the heap bits instead of scanning the ${words} words of the block.`,
        ),
      );
      if (m.variants.length > 5) {
        const [handOff, handOn] = m.variants.slice(5);
        targets.push({
          id: 'B2',
          measure: `floor: memclrHasPointers' bitmap barrier written by hand (locals, no call or checks), extra ns per pointer slot, ${label}`,
          ...extra(m, handOn.name, handOff.name, k),
          unit: 'ns',
          target: NaN,
          better: 'lower',
          info: true,
        });
      }
    }
    const budgets = [1000, 10_000, 100_000];
    const c = await collectorRounds(quick ? 2 : 5, budgets);
    const d = `(t(${c.N1}) − t(${c.N0})) ÷ ${c.N1 - c.N0}, per round`;
    targets.push(
      explain(
        { id: 'H3', measure: `mark, ns per root slot, each a distinct live handle: ${d}`, value: c.rootNs, unit: 'ns', target: 5, better: 'lower' },
        `Per slot: a u32 load, the handle compare and the mark; the pin table took ${c.pinNs.toFixed(2)} ns per entry on top.`,
      ),
      explain({ id: 'H3', measure: `sweep, ns per handle, all reachable: ${d}`, value: c.sweepNs, unit: 'ns', target: 5, better: 'lower' }, 'Nothing is white, so the sweep reads no slot (the collector counts white handles and stops sweeping at zero).'),
      explain({ id: 'H3', measure: `sweep, ns per handle, all but 1000 freed: ${d}`, value: c.sweepFreedNs, unit: 'ns', target: 5, better: 'lower' }, 'Each freed slot is marked free and its object reference dropped. The sweep visits the set bits of the live bitmap, so the free half of the table (at most half its slots are live) costs one word per 32 slots.'),
    );
    for (const budget of budgets) {
      const byPhase = c.pause.get(budget)!;
      const judged = phases.filter((p) => Number.isFinite(byPhase[p].ratio));
      const worst = judged.reduce<Phase | undefined>((w, p) => (w === undefined || byPhase[p].ratio > byPhase[w].ratio ? p : w), undefined);
      targets.push({
        id: 'H3',
        measure: `incremental step pause ÷ its budget's cost, budget ${budget} units, worst phase (per round and phase: median step pause ÷ budget × that phase's ns per unit; ${c.N1} live handles, every other slot of ${2 * c.N1}: half rooted, half garbage, 1 pinned)`,
        value: worst === undefined ? NaN : byPhase[worst].ratio,
        unit: '×',
        target: 1.5,
        better: 'lower',
        note: judged.map((p) => `${p} ${byPhase[p].ratio.toFixed(2)}× (${byPhase[p].us.toFixed(1)} µs)`).join(', ') || 'no step spent its whole budget in one phase',
      });
    }
    if (quick) notes.push('quick mode uses 100000 live handles for the "1M" table and 65536 handles for the collector rows');
    notes.push(
      `A step's budget is in work units (a pin-table entry, a root slot or a swept slot). The pause rows judge each phase's steps against that phase's unit cost on the same heap (medians: pin entry ${c.unitNs.pin.toFixed(2)} ns, root slot ${c.unitNs.mark.toFixed(2)} ns, swept slot ${c.unitNs.sweep.toFixed(2)} ns), counting only steps that spend their whole budget in one phase; the row shows the worst phase. Before, one mean unit cost was used over a heap where the pin job and the sweep read nothing (no pins, nothing white), so most steps cost nothing and the median step read ~0×.`,
      'The 1M-live tables walk random permutations of the whole live set, so every handle, Map entry and object is touched; misses dominate there.',
    );
    return {
      id: this.id,
      title: this.title,
      tables,
      targets,
      notes,
      anchors: [
        { anchor: '`Map` delete+set / `Map.get`', why: 'the usual way to name JS objects by integer keys (what a handle is): same key type, same objects.' },
        { anchor: 'direct reference get', why: 'the floor for reaching an object: no indirection at all (shown next to deref at 10k; no handle table reaches 0.6× of it, see the H2 rows).' },
        { anchor: 'hand-written validated lookup', why: "the cheapest lookup that still checks the handle, written by hand over the heap's own layout (a packed array of [object, handle] pairs, slot h & mask) with everything in locals: what any validated handle table pays, so deref's distance from it is what the runtime adds." },
        { anchor: 'raw u32 store', why: 'the same store into the same slot as a plain typed-array write: what a HeapRef store costs before its barrier check and validation (shown, not judged).' },
        { anchor: 'memclrNoHeapPointers (B1)', why: 'the plain clear of the same bytes of the same objects with no pointer bookkeeping: the floor a pointer-aware clear reaches with the barrier off, so "≥ 0.9×" bounds what the flag check and the layout cost.' },
        { anchor: 'the same clear, barrier off (B2)', why: 'typedmemclr and memclrHasPointers each measured with the barrier off in the same round on the same objects, so the difference is exactly the barrier\'s cost per pointer slot.' },
      ],
    };
  },
};
