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
