// F1–F4: FixAlloc under random churn against a naive inlined slab (the
// limit), a typed-array record pool, `new` of a class, an array object pool,
// and (for information) @thi.ng/malloc's MemPool. The AssemblyScript TLSF
// anchor of F1 lives in the assemblyscript topic.
//
// One op is a *pair*: free the object in a slot of a live set of L objects and
// allocate its replacement. The slot order is a stream of random permutations
// of the live set (every slot is visited), the same for every variant.
import { MemPool } from '@thi.ng/malloc';
import { createRuntime, f64, FixAlloc, struct, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { fresh, liveSetStream, measure, quick, type Variant } from '../lib/harness.js';
import { pairLoop, slabLoop } from '../lib/loops.js';
import { vs, explain, gcShare, type Topic, type TopicReport } from '../lib/report.js';

const Rec16 = struct('Rec16', { a: f64, b: f64 });
export const Rec32 = struct('Rec32', { a: f64, b: f64, c: f64, d: f64 });
const Rec64 = struct('Rec64', { a: f64, b: f64, c: f64, d: f64, e: f64, f: f64, g: f64, h: f64 });

const streams = new Map<number, Int32Array>();
/** The slot order for a live set of `live` objects (shared by every variant of that size). */
export const order = (live: number): Int32Array => {
  let s = streams.get(live);
  if (!s) streams.set(live, (s = liveSetStream(live)));
  return s;
};

function recordLoop(pool: FixAlloc<unknown, boolean>, R: ReturnType<Runtime['access']>, slots: Int32Array, order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      pool.free(slots[j] as Ptr<never>);
      const p = pool.alloc() as Ptr<never>;
      (R.a as { set(p: number, v: number): void }).set(p, i + 0.5);
      (R.b as { set(p: number, v: number): void }).set(p, 1.5);
      (R.c as { set(p: number, v: number): void }).set(p, 2.5);
      (R.d as { set(p: number, v: number): void }).set(p, 3.5);
      slots[j] = p;
    }
  };
}

export const recordName = (live: number, zero: boolean): string => `offheap FixAlloc 32 B${zero ? ', zero: true,' : ' (zero: false)'} + 4 f64 writes, ${live} live`;

const spaceFor = (live: number, size: number): number => Math.min(2 ** 31, 2 ** Math.ceil(Math.log2(live * size * 1.25 + (1 << 22))));

export function fixallocPair(name: string, live: number, layout: typeof Rec16 | typeof Rec64, zero: boolean): Variant {
  return {
    name,
    setup() {
      const rt: Runtime = createRuntime({ maxBytes: spaceFor(live, layout.size) });
      const pool = new FixAlloc(layout as typeof Rec64, { runtime: rt, zero });
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = pool.alloc();
      return fresh(pairLoop)(pool, slots, order(live));
    },
  };
}

export { Rec64 };

/** A free list through the freed block's first word, all inlined, no checks: the limit a checked pool approaches. */
function naiveSlab(live: number, size: number): Variant {
  return {
    name: `naive inlined slab ${size} B`,
    setup() {
      const i32 = new Int32Array(new ArrayBuffer(spaceFor(live, size)));
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = 8 + i * size;
      return fresh(slabLoop)(i32, slots, order(live), size, 8);
    },
  };
}

function memPoolLoop(pool: MemPool, slots: Int32Array, order: Int32Array, size: number) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      pool.free(slots[j]);
      slots[j] = pool.malloc(size);
    }
  };
}

function memPool(live: number, size: number): Variant {
  return {
    name: `@thi.ng/malloc MemPool ${size} B`,
    setup() {
      const pool = new MemPool({ size: spaceFor(live, size + 8) });
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = pool.malloc(size);
      return fresh(memPoolLoop)(pool, slots, order(live), size);
    },
  };
}

/**
 * F2's offheap side: a 32-byte record from the pool, its four f64 fields
 * written through the accessors. With `zero: false` the four writes are the
 * record's whole initialisation (Go's spanalloc pattern); with the default
 * `zero: true` it is cleared first.
 */
export function fixallocRecord(live: number, zero: boolean): Variant {
  return {
    name: recordName(live, zero),
    setup() {
      const rt: Runtime = createRuntime({ maxBytes: spaceFor(live, 32) });
      const R = rt.access(Rec32);
      const pool = new FixAlloc(Rec32, { runtime: rt, zero });
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = pool.alloc();
      return fresh(recordLoop)(pool as FixAlloc<unknown, boolean>, R, slots, order(live));
    },
  };
}

function typedRecordLoop(f: Float64Array, freeList: Int32Array, slots: Int32Array, order: Int32Array) {
  let top = 0; // free-list depth
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      freeList[top++] = slots[j];
      const r = freeList[--top];
      const b = r << 2;
      f[b] = i + 0.5;
      f[b + 1] = 1.5;
      f[b + 2] = 2.5;
      f[b + 3] = 3.5;
      slots[j] = r;
    }
  };
}

/** Records as 4 f64 each in one Float64Array, free record indices on an Int32Array stack: the JS programmer's own pool. */
export function typedRecords(live: number): Variant {
  return {
    name: `Float64Array records + Int32Array free list, ${live} live`,
    setup() {
      const f = new Float64Array(live * 4);
      const freeList = new Int32Array(live);
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = i;
      return fresh(typedRecordLoop)(f, freeList, slots, order(live));
    },
  };
}

/**
 * The JS record. Its fields are made by the constructor's assignments, so they start as numbers: with
 * parameter properties (or `a: number;` declarations) an ES2022 build first defines each field as
 * `undefined`, V8 then keeps the fields as tagged values, and every double stored into one allocates a
 * heap number (the array object pool allocated by accident that way: 9-10 GCs in a solo window).
 */
export class P4 {
  declare a: number;
  declare b: number;
  declare c: number;
  declare d: number;
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}

function newLoop(C: typeof P4, slots: P4[], order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      slots[j] = new C(i + 0.5, 1.5, 2.5, 3.5);
    }
  };
}

function poolLoop(C: typeof P4, slots: P4[], free: P4[], order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      free.push(slots[j]);
      const o = free.pop() ?? new C(0, 0, 0, 0);
      o.a = i + 0.5;
      o.b = 1.5;
      o.c = 2.5;
      o.d = 3.5;
      slots[j] = o;
    }
  };
}

export function newClass(live: number): Variant {
  return {
    name: `new of a 4-field class, ${live} live`,
    allocates: true,
    setup() {
      const slots: P4[] = [];
      for (let i = 0; i < live; i++) slots.push(new P4(i, 1.5, 2.5, 3.5));
      return fresh(newLoop)(P4, slots, order(live));
    },
  };
}

/** Recycles records through a free array (push/pop); `C` is the record class (P4 unless a test passes another). */
export function objectPool(live: number, C: typeof P4 = P4): Variant {
  return {
    name: `array object pool, ${live} live`,
    setup() {
      const slots: P4[] = [];
      const free: P4[] = [];
      for (let i = 0; i < live; i++) slots.push(new C(i, 1.5, 2.5, 3.5));
      return fresh(poolLoop)(C, slots, free, order(live));
    },
  };
}

export const fixalloc: Topic = {
  id: 'fixalloc',
  title: 'FixAlloc',
  async run(): Promise<TopicReport> {
    const small = 10_000;
    const large = quick ? 200_000 : 1_000_000;
    const pairName = 'offheap FixAlloc 64 B (bare pair, zero: false)';
    const churn = await measure([fixallocPair(pairName, small, Rec64, false), naiveSlab(small, 64), memPool(small, 64)]);
    const recs = (live: number): Variant[] => [fixallocRecord(live, false), fixallocRecord(live, true), typedRecords(live), newClass(live), objectPool(live)];
    const rec10k = await measure(recs(small));
    // Sustained windows at 1M live: long enough that old-generation GC work lands inside them.
    const rec1m = await measure(recs(large), quick ? undefined : { rounds: 5, callMs: 600 });
    const zero16 = await measure([
      fixallocPair('offheap FixAlloc 16 B, zero: true', small, Rec16, true),
      fixallocPair('offheap FixAlloc 16 B, zero: false (bare pair)', small, Rec16, false),
    ]);
    const zero64 = await measure([
      fixallocPair('offheap FixAlloc 64 B, zero: true', small, Rec64, true),
      fixallocPair('offheap FixAlloc 64 B, zero: false (bare pair)', small, Rec64, false),
    ]);
    const tables = [
      { caption: `alloc+free pairs, random churn, 64 B, ${small} live`, measurement: churn },
      { caption: `32-byte record + 4 f64 writes, ${small} live`, measurement: rec10k },
      { caption: `32-byte record + 4 f64 writes, ${large} live, sustained`, measurement: rec1m },
      { caption: `zeroing reused memory, 16 B, ${small} live`, measurement: zero16 },
      { caption: `zeroing reused memory, 64 B, ${small} live`, measurement: zero64 },
    ];
    const offheapRows = tables.flatMap((t) => t.measurement.variants.filter((v) => v.name.startsWith('offheap')));
    const gcEvents = offheapRows.reduce((s, v) => s + v.gcEvents + (v.solo?.gcEvents ?? 0), 0);
    const rec = (live: number): string => recordName(live, false);
    const ns = (m: typeof churn, name: string): string => m.get(name).nsPerOp.toFixed(1);
    const newSmall = `new of a 4-field class, ${small} live`;
    const newLarge = `new of a 4-field class, ${large} live`;
    const typed = (live: number): string => `Float64Array records + Int32Array free list, ${live} live`;
    const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
    return {
      id: this.id,
      title: this.title,
      tables,
      targets: [
        {
          id: 'F1',
          measure: 'pair vs @thi.ng/malloc MemPool malloc+free, 64 B, 10k live',
          ...vs(churn, pairName, '@thi.ng/malloc MemPool 64 B'),
          unit: '×',
          target: 1000,
          better: 'higher',
          info: true,
          note: "MemPool's free walks the whole used list and compacts the free list: O(live) per free, so this ratio grows with the live set and says little about FixAlloc.",
        },
        explain(
          { id: 'F1', measure: 'pair vs a naive inlined slab, 64 B, 10k live', ...vs(churn, pairName, 'naive inlined slab 64 B'), unit: '×', target: 0.5, better: 'higher' },
          `The pair costs ${ns(churn, pairName)} ns against the slab's ${ns(churn, 'naive inlined slab 64 B')} ns: the difference is free's pointer check (range, alignment, a live object in the pool) and the inuse count, which the slab skips.`,
        ),
        explain(
          { id: 'F2', measure: 'record (zero: false) + 4 writes vs Float64Array records with an Int32Array free list, 10k live', ...vs(rec10k, rec(small), typed(small)), unit: '×', target: 0.5, better: 'higher' },
          `The typed-array pool costs ${ns(rec10k, typed(small))} ns: an unchecked push/pop and four stores; the record path's checked free and accessors cost ${ns(rec10k, rec(small))} ns.`,
        ),
        explain(
          { id: 'F2', measure: `record (zero: false) + 4 writes vs Float64Array records with an Int32Array free list, ${large} live`, ...vs(rec1m, rec(large), typed(large)), unit: '×', target: 0.5, better: 'higher' },
          `At ${large} live both are memory-bound on a random 32-byte record; the record path also touches the pool's free-list word and the chunk metadata free checks.`,
        ),
        explain(
          { id: 'F2', measure: 'record (zero: false; the 4 writes initialise it) vs `new` of a 4-field class, 10k live', ...vs(rec10k, rec(small), newSmall), unit: '×', target: 3, better: 'higher' },
          `The record path is ${ns(rec10k, rec(small))} ns, of which the checked pair is about ${ns(churn, pairName)} ns (F1 table) and the four accessor stores the rest (with the default zero: true, ${ns(rec10k, recordName(small, true))} ns); \`new\` costs ${ns(rec10k, newSmall)} ns with ${pct(gcShare(rec10k, newSmall))} of its windows in GC pauses, because at 10k live V8's scavenger frees short-lived 32-byte objects almost for free. 3× would need the whole record path at about ${(rec10k.get(newSmall).nsPerOp / 3).toFixed(1)} ns, about the typed-array pool's cost.`,
        ),
        explain(
          { id: 'F2', measure: `record (zero: false) + 4 writes vs \`new\` of a 4-field class, ${large} live`, ...vs(rec1m, rec(large), newLarge), unit: '×', target: 6, better: 'higher' },
          `At ${large} live both sides are memory-bound: the record path (${ns(rec1m, rec(large))} ns) takes a cache and TLB miss on a random 32-byte record of a ${((large * 32) / 2 ** 20).toFixed(1)} MiB set. \`new\` spent ${pct(gcShare(rec1m, newLarge))} of its windows in GC pauses: how much old-generation work lands in the windows decides this ratio.`,
        ),
        { id: 'F2', measure: `record (zero: false) + 4 writes vs an array object pool, ${large} live`, ...vs(rec1m, rec(large), `array object pool, ${large} live`), unit: '×', target: 1.5, better: 'higher' },
        { id: 'F3', measure: 'GC events during FixAlloc alloc/free and field access (all offheap rows above, solo and interleaved)', value: gcEvents, unit: 'events', target: 0, better: 'lower' },
        explain(
          { id: 'F4', measure: 'zero: true on reused memory vs the bare pair, 16 B', ...vs(zero16, 'offheap FixAlloc 16 B, zero: true', 'offheap FixAlloc 16 B, zero: false (bare pair)'), unit: '×', target: 0.6, better: 'higher' },
          'The clear is two f64 stores inlined into alloc.',
        ),
        explain(
          { id: 'F4', measure: 'zero: true on reused memory vs the bare pair, 64 B', ...vs(zero64, 'offheap FixAlloc 64 B, zero: true', 'offheap FixAlloc 64 B, zero: false (bare pair)'), unit: '×', target: 0.4, better: 'higher' },
          `Here zeroing costs ${(zero64.get('offheap FixAlloc 64 B, zero: true').nsPerOp - zero64.get('offheap FixAlloc 64 B, zero: false (bare pair)').nsPerOp).toFixed(1)} ns per pair (eight f64 stores).`,
        ),
      ],
      anchors: [
        { anchor: 'naive inlined slab', why: 'the same design as FixAlloc (a free list threaded through freed blocks, bump allocation) with every check removed and everything inlined: the limit a checked pool can approach, so "≥ 0.5×" bounds what the checks may cost.' },
        { anchor: 'AssemblyScript TLSF', why: 'the allocator a user gets by writing the hot part in AssemblyScript; measured in the AssemblyScript topic, inside wasm and called from JS.' },
        { anchor: 'Float64Array records + Int32Array free list', why: 'what a JS programmer writes by hand to avoid GC for fixed records: the same memory shape and free-list reuse as FixAlloc with no checks, so it isolates what the checked pool and accessors cost.' },
        { anchor: '`new` of a class and an array object pool', why: 'the ordinary JS ways to get a 4-field record; they pay GC (`new`) or array push/pop and pointer-chasing (pool), the costs FixAlloc exists to avoid. The class keeps its four fields as unboxed doubles (fields made by the constructor, not declared first), so a store allocates nothing; the pool is not declared to allocate, and the table would flag it if it did.' },
        { anchor: 'the bare pair, zero: false (F4)', why: 'the same pool, size, live set and slot order without the clear, in the same round: the ratio is what zeroing reused memory costs and nothing else.' },
        { anchor: '@thi.ng/malloc MemPool', why: 'information only: a general-purpose allocator whose free is O(live) (a used-list walk plus compaction), so any ratio against it grows with the live set. Not judged.' },
      ],
      notes: quick ? [`quick mode uses ${large} live objects for the "1M" rows`] : [],
    };
  },
};
