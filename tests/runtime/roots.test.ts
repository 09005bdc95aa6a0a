import { describe, expect, it } from 'vitest';
import { offheapIdOf } from '../../src/analysis/declarations.js';
import { checker, exported, hasWriteBarrierTag, member } from './runtime-program.js';
import {
  addRoot,
  BadPointerError,
  createRuntime,
  defaultRuntime,
  FixAlloc,
  heapRef,
  MisuseError,
  OffheapRangeError,
  OutOfBoundsError,
  pin,
  removeRoot,
  setDefaultRuntime,
  StaleHandleError,
  struct,
  u32,
  unpin,
  type HeapRef,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';
import { snapshot } from './helpers.js';

const Rec = struct('Rec', { n: u32, a: heapRef<object>(), m: u32, b: heapRef<object>() });
type RecT = LayoutType<typeof Rec>;

function setup(): { rt: Runtime; pool: FixAlloc<RecT> } {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
  return { rt, pool: new FixAlloc(Rec, { runtime: rt }) };
}

describe('addRoot / removeRoot', () => {
  it('validates its arguments and changes nothing on rejection', () => {
    const { rt, pool } = setup();
    const p = pool.alloc();
    expect(() => rt.addRoot(p, {} as typeof Rec)).toThrow(MisuseError);
    expect(() => rt.addRoot(p, Rec, 0)).toThrow(OffheapRangeError);
    expect(() => rt.addRoot((p + 2) as Ptr<RecT>, Rec)).toThrow(BadPointerError);
    expect(() => rt.addRoot(0 as Ptr<RecT>, Rec)).toThrow(BadPointerError);
    const block = rt.sysAlloc<RecT>(8192);
    const next = rt.sysAlloc(8192);
    rt.sysAlloc(8192);
    expect(next).toBe(block + 8192);
    rt.sysFree(next, 8192); // mapped but not allocated
    expect(() => rt.addRoot(block, Rec, 8192 / Rec.size + 1)).toThrow(OutOfBoundsError); // debug: past allocated memory
    expect(() => rt.addRoot(block, Rec, 2 ** 20)).toThrow(OffheapRangeError); // past mapped memory
    // The length it checks is the records' size from p, named as such (not an `n` the caller never passed).
    expect(() => rt.addRoot(block, Rec, 2 ** 20)).toThrow(new RegExp(`^addRoot: 1048576 × Rec's size from p must be an integer in \\[0, \\d+\\]; got ${2 ** 20 * Rec.size} `));
    expect(stateOf(rt).roots.byAddress.size).toBe(0);
    rt.addRoot(p, Rec);
    expect(() => rt.addRoot(p, Rec)).toThrow(/already a root/);
    expect(() => rt.removeRoot((p + 16) as Ptr<RecT>)).toThrow(/is not a root/);
    rt.removeRoot(p);
    expect(() => rt.removeRoot(p)).toThrow(MisuseError);
  });

  it('a root keeps exactly the handles in its HeapRef slots, for all count objects', () => {
    const { rt } = setup();
    const block = rt.sysAlloc<RecT>(8192);
    const acc = rt.access(Rec);
    const hs: HeapRef<object>[] = [];
    for (let e = 0; e < 4; e++) {
      const q = (block + e * Rec.size) as Ptr<RecT>;
      const a = rt.newHeapRef({ e, f: 'a' });
      const b = rt.newHeapRef({ e, f: 'b' });
      acc.a.set(q, a);
      acc.b.set(q, b);
      hs.push(a, b);
    }
    // A handle in a u32 field is a number, not a heap pointer: not scanned.
    const inScalar = rt.newHeapRef({ scalar: true });
    acc.n.set(block, inScalar);
    rt.addRoot(block, Rec, 3); // the 4th object is not covered
    rt.gc();
    for (let k = 0; k < 6; k++) expect(stateOf(rt).heap.isLive(hs[k])).toBe(true);
    expect(stateOf(rt).heap.isLive(hs[6])).toBe(false);
    expect(stateOf(rt).heap.isLive(hs[7])).toBe(false);
    expect(stateOf(rt).heap.isLive(inScalar)).toBe(false);
    expect(stateOf(rt).collector.stats().freed).toBe(3);
    rt.removeRoot(block);
    rt.gc();
    expect(stateOf(rt).heap.live).toBe(0);
  });

  it('module-level addRoot/removeRoot/pin/unpin use the default runtime', () => {
    const prev = defaultRuntime();
    const { rt, pool } = setup();
    setDefaultRuntime(rt);
    try {
      const p = pool.alloc();
      const h = rt.newHeapRef({});
      rt.access(Rec).a.set(p, h);
      addRoot(p, Rec);
      expect(stateOf(rt).roots.byAddress.has(p)).toBe(true);
      removeRoot(p);
      pin(h);
      rt.gc();
      expect(stateOf(rt).heap.isLive(h)).toBe(true);
      unpin(h);
      rt.gc();
      expect(stateOf(rt).heap.isLive(h)).toBe(false);
    } finally {
      setDefaultRuntime(prev);
    }
  });
});

describe('bad input at every entry point: a typed error with code, value and limit, state unchanged', () => {
  const junk: [string, unknown][] = [
    ['BigInt', 8192n],
    ['Symbol', Symbol('p')],
    ['string', '8192'],
    ['fraction', 8192.5],
    ['NaN', Number.NaN],
    ['object with valueOf', { valueOf: () => 8192 }],
    ['array', [8192]],
  ];

  function state(rt: Runtime): string {
    return JSON.stringify({ roots: [...stateOf(rt).roots.byAddress.keys()], live: stateOf(rt).heap.live, meta: Array.from(stateOf(rt).heap.meta.subarray(0, stateOf(rt).heap.top * 2)), pins: Array.from(stateOf(rt).heap.pinCounts.subarray(0, stateOf(rt).heap.top)), gc: stateOf(rt).collector.stats() });
  }

  function typed(rt: Runtime, fn: () => unknown, type: abstract new (...args: never[]) => Error, code: string): Error & { value: unknown; limit: unknown } {
    const before = state(rt);
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as { code: string }).code).toBe(code);
    expect(state(rt)).toBe(before);
    return caught as Error & { value: unknown; limit: unknown };
  }

  for (const debug of [false, true]) {
    for (const [label, v] of junk) {
      it(`${label} (debug ${debug})`, () => {
        const rt = createRuntime({ maxBytes: 1 << 20, debug });
        const p = rt.sysAlloc<RecT>(8192);
        const h = rt.newHeapRef({});
        rt.pin(h);
        rt.addRoot(p, Rec);
        expect(typed(rt, () => rt.addRoot(v as Ptr<RecT>, Rec), BadPointerError, 'ERR_BAD_POINTER').value).toBe(v);
        const e = typed(rt, () => rt.addRoot((p + 64) as Ptr<RecT>, Rec, v as number), OffheapRangeError, 'ERR_BAD_SIZE');
        expect([e.value, e.limit]).toEqual([v, 2 ** 30]);
        typed(rt, () => rt.addRoot((p + 64) as Ptr<RecT>, v as typeof Rec), MisuseError, 'ERR_MISUSE');
        expect(typed(rt, () => rt.removeRoot(v as Ptr<RecT>), MisuseError, 'ERR_MISUSE').value).toBe(v);
        for (const call of [() => rt.pin(v as HeapRef<object>), () => rt.unpin(v as HeapRef<object>), () => rt.deref(v as HeapRef<object>), () => rt.freeHeapRef(v as HeapRef<object>)]) {
          const err = typed(rt, call, OffheapRangeError, 'ERR_BAD_VALUE');
          expect([err.value, err.limit]).toEqual([v, 2 ** 32 - 1]);
        }
        rt.gcStart();
        const g = typed(rt, () => rt.gcStep(v as number), OffheapRangeError, 'ERR_BAD_SIZE');
        expect(g.value).toBe(v);
        expect(g.message).toMatch(/gcStep: budget must be an integer in \[1, 2147483648\]/);
        rt.gcFinish();
        expect(rt.deref(h)).toEqual({});
      });
    }
  }
});

describe('debug mode: FixAlloc.free of a record a root still covers', () => {
  /** Six consecutive records of one span, a root over records 1..4 holding a handle in each, and the rest of the world a free may not change. */
  function covered(debug: boolean) {
    const rt = createRuntime({ maxBytes: 1 << 20, debug, checkmark: true });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const ps = Array.from({ length: 6 }, () => pool.alloc());
    for (let i = 1; i < 6; i++) expect(ps[i] - ps[i - 1]).toBe(Rec.size);
    rt.addRoot(ps[1], Rec, 4);
    const objs = ps.map((_, i) => ({ i }));
    for (let i = 1; i <= 4; i++) rt.access(Rec).a.set(ps[i], rt.newHeapRef(objs[i]));
    const state = (): string => `${snapshot(rt, pool as FixAlloc<unknown>)} ${JSON.stringify(rt.gcStats())} ${Array.from(rt.space.u8.subarray(ps[0], ps[5] + Rec.size)).join(',')}`;
    return { rt, pool, ps, state };
  }

  it.each([1, 2, 3, 4])('record %i of a 4-record root (addRoot(p, L, 4)): MisuseError naming removeRoot, value, limit, nothing changed', (k) => {
    const { rt, pool, ps, state } = covered(true);
    const before = state();
    let caught: unknown;
    try {
      pool.free(ps[k]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    const e = caught as MisuseError;
    expect(e.code).toBe('ERR_MISUSE');
    expect(e.value).toBe(ps[k]);
    expect(e.limit).toBe('removeRoot');
    expect(e.message).toMatch(new RegExp(`registered root \\(addRoot of 4 Rec at ${ps[1]}, ${4 * Rec.size} bytes\\); removeRoot it before freeing it \\(removeRoot\\(${ps[1]}\\)\\)`));
    expect(state()).toBe(before);
    rt.gc(); // the root still keeps every handle: the link word did not overwrite one
    for (let i = 1; i <= 4; i++) expect(rt.deref(rt.access(Rec).a.get(ps[i]))).toEqual({ i });
    expect(rt.lastLost).toEqual([]);
  });

  it('the twins: the records beside the root free in debug mode, and after removeRoot every covered record frees', () => {
    const { rt, pool, ps } = covered(true);
    pool.free(ps[0]);
    pool.free(ps[5]);
    rt.removeRoot(ps[1]);
    for (let i = 1; i <= 4; i++) {
      rt.typedmemclr(Rec, ps[i]);
      pool.free(ps[i]);
    }
    expect(pool.inuse).toBe(0);
    rt.gc();
    expect(rt.gcStats()).toMatchObject({ live: 0, roots: 0 });
  });

  it('overlapping roots and a root over records of two spans: each is found while registered, and removing one leaves the other', () => {
    const { rt, pool, ps } = covered(true);
    rt.addRoot(ps[3], Rec, 3); // overlaps the first root on records 3 and 4, adds 5
    expect(() => pool.free(ps[5])).toThrow(/addRoot of 3 Rec at/);
    rt.removeRoot(ps[1]);
    expect(() => pool.free(ps[1])).not.toThrow();
    expect(() => pool.free(ps[4])).toThrow(/addRoot of 3 Rec at/);
    rt.removeRoot(ps[3]);
    expect(() => pool.free(ps[4])).not.toThrow();
    // A root over a whole span and the next one (the records of both spans, one root's pages listed once each).
    const big = new FixAlloc(Rec, { runtime: rt });
    const all: Ptr<RecT>[] = [];
    for (let i = 0; i <= (2 * big.spanBytes) / Rec.size; i++) all.push(big.alloc());
    const start = all[0];
    expect(all[all.length - 1] - start).toBeGreaterThan(big.spanBytes); // the last record is in another span
    const n = (all[all.length - 1] - start) / Rec.size + 1;
    rt.addRoot(start, Rec, n);
    for (const q of [all[0], all[all.length >> 1], all[all.length - 1]]) expect(() => big.free(q)).toThrow(MisuseError);
    rt.removeRoot(start);
    for (const q of all) big.free(q);
    expect(big.inuse).toBe(0);
  });

  it('without debug mode free keeps its fast path and checks no root (documented: the same record is accepted)', () => {
    const { pool, ps } = covered(false);
    expect(() => pool.free(ps[2])).not.toThrow();
  });
});

describe('pin / unpin', () => {
  it('pins count, and an unpinned handle is collected', () => {
    const { rt } = setup();
    const h = rt.newHeapRef({});
    rt.pin(h);
    rt.pin(h);
    rt.gc();
    rt.unpin(h);
    rt.gc();
    expect(rt.deref(h)).toEqual({});
    rt.unpin(h);
    expect(() => rt.unpin(h)).toThrow(/is not pinned/);
    rt.gc();
    expect(() => rt.deref(h)).toThrow(StaleHandleError);
    expect(() => rt.pin(h)).toThrow(StaleHandleError);
    expect(() => rt.unpin(h)).toThrow(StaleHandleError);
  });
});

describe('late roots and removal while marking', () => {
  it('a root added while marking is scanned before marking ends (Go: addfinalizer during GC)', () => {
    const { rt, pool } = setup();
    const old = rt.newHeapRef({ old: true }); // held by JS only, about to be rooted
    const filler = rt.sysAlloc<RecT>(8192);
    const acc = rt.access(Rec);
    for (let e = 0; e < 100; e++) acc.a.set((filler + e * Rec.size) as Ptr<RecT>, rt.newHeapRef({ e }));
    rt.addRoot(filler, Rec, 100);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top + 10); // pins and part of the filler root
    const p = pool.alloc();
    rt.storeHeapRefNoWB(acc.a.offset + p, old); // not yet visible to the collector: no barrier needed
    rt.addRoot(p, Rec);
    while (stateOf(rt).collector.phase === 'mark') rt.gcStep(7);
    expect(stateOf(rt).collector.phase).toBe('sweep');
    rt.gcFinish();
    expect(rt.deref(old)).toEqual({ old: true });
    expect(stateOf(rt).heap.live).toBe(101);
  });

  it('removeRoot while marking shades what the root still held unscanned, so it is floating garbage for one cycle', () => {
    const { rt, pool } = setup();
    const p = pool.alloc();
    const h = rt.newHeapRef({});
    rt.access(Rec).b.set(p, h);
    rt.addRoot(p, Rec);
    rt.gcStart();
    rt.removeRoot(p);
    rt.gcFinish();
    expect(stateOf(rt).heap.isLive(h)).toBe(true); // a mutator might have copied it before removal
    rt.gc();
    expect(stateOf(rt).heap.isLive(h)).toBe(false);
  });
});

describe('declaration tags of the object heap, roots and collector', () => {
  const ids = ['newHeapRef', 'deref', 'freeHeapRef', 'addRoot', 'removeRoot', 'pin', 'unpin', 'gcStart', 'gcStep', 'gcFinish', 'gc'];

  it.each(ids)('%s (module-level and Runtime method) carries its own id as @offheap tag, without @writebarrier', (id) => {
    const fn = exported(id);
    expect(offheapIdOf(checker, fn)).toBe(id);
    const m = member('Runtime', id);
    expect(offheapIdOf(checker, m)).toBe(id);
    expect(hasWriteBarrierTag(fn) || hasWriteBarrierTag(m)).toBe(false);
  });
});
