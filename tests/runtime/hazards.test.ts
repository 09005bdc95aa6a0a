// The seed's rules, each broken and kept: the same scenario run with the
// wrong operation shows the failure the rule prevents, and with the right one
// shows it does not happen.
import { describe, expect, it } from 'vitest';
import {
  BadPointerError,
  createRuntime,
  FixAlloc,
  heapRef,
  LostObjectError,
  StaleHandleError,
  struct,
  u32,
  type HeapRef,
  type LayoutType,
  type MaybeGarbage,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

// The HeapRef is not the first word: a free FixAlloc object's first word is its free-list link.
const Rec = struct('Rec', { n: u32, ref: heapRef<{ name: string }>() });
type RecT = LayoutType<typeof Rec>;

function runtime(debug: boolean, checkmark = true): Runtime {
  return createRuntime({ maxBytes: 1 << 20, debug, checkmark });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('rule 1: a HeapRef in unmanaged memory must be covered by a root', () => {
  function scenario(rooted: boolean): { rt: Runtime; h: HeapRef<{ name: string }> } {
    const rt = runtime(true);
    const p = new FixAlloc(Rec, { runtime: rt }).alloc();
    const h = rt.newHeapRef({ name: 'x' });
    rt.access(Rec).ref.set(p, h);
    if (rooted) rt.addRoot(p, Rec);
    rt.gc();
    return { rt, h };
  }

  it('broken: no root covers the slot → the object is collected → a later deref throws stale-handle', () => {
    const { rt, h } = scenario(false);
    const e = thrown(() => rt.deref(h));
    expect(e).toBeInstanceOf(StaleHandleError);
    expect((e as StaleHandleError).message).toMatch(/freed or collected/);
  });

  it('kept: addRoot covers the slot → the object survives', () => {
    const { rt, h } = scenario(true);
    expect(rt.deref(h)).toEqual({ name: 'x' });
  });
});

describe('rule 2: reused memory must be zero-initialized before it becomes a root', () => {
  /** A record that held `h` is unrooted and freed; the pool hands the same memory out again. */
  function reuse(rt: Runtime): { pool: FixAlloc<RecT, false>; q: MaybeGarbage<RecT>; h: HeapRef<{ name: string }> } {
    const pool = new FixAlloc(Rec, { runtime: rt, zero: false });
    const p = pool.alloc() as Ptr<RecT>;
    const h = rt.newHeapRef({ name: 'dead' });
    rt.access(Rec).ref.set(p, h);
    rt.addRoot(p, Rec);
    rt.removeRoot(p);
    pool.free(p); // h is garbage now: nothing roots it
    const q = pool.alloc();
    expect(q).toBe(p);
    return { pool, q, h };
  }

  it('broken (no debug): the stale slot retains the dead object across a full collection', () => {
    const rt = runtime(false);
    const { q, h } = reuse(rt);
    rt.addRoot(q as Ptr<RecT>, Rec); // published before zero-initialization
    rt.gc();
    expect(stateOf(rt).heap.isLive(h)).toBe(true); // garbage kept alive by leftover bytes
    expect(stateOf(rt).collector.stats().freed).toBe(0);
  });

  it('broken (no debug), object already freed: the stale handle is reached but corrupts nothing', () => {
    const rt = runtime(false);
    const { q, h } = reuse(rt);
    rt.gc(); // h collected; its value is still in q's bytes
    expect(stateOf(rt).heap.isLive(h)).toBe(false);
    rt.addRoot(q as Ptr<RecT>, Rec);
    const fresh = rt.newHeapRef({ name: 'fresh' }); // takes h's slot, one generation on
    rt.pin(fresh);
    rt.gc();
    expect(rt.deref(fresh)).toEqual({ name: 'fresh' });
    expect(() => rt.deref(h)).toThrow(StaleHandleError);
  });

  it('broken (debug): the collector meets a stale word in the root and reports a bad pointer', () => {
    const rt = runtime(true);
    const { q } = reuse(rt);
    rt.addRoot(q as Ptr<RecT>, Rec);
    const e = thrown(() => rt.gc());
    expect(e).toBeInstanceOf(BadPointerError);
    expect((e as BadPointerError).code).toBe('ERR_BAD_POINTER');
    expect((e as BadPointerError).message).toMatch(/found bad pointer in offheap object heap: slot .* debug poison of freed memory/);
  });

  it('broken (debug), leftover handle of a collected object: a bad pointer too', () => {
    const rt = runtime(true);
    const { q, h } = reuse(rt);
    rt.gc();
    stateOf(rt).space.u32[(q + Rec.offsets.ref) >>> 2] = h; // the previous record's bytes, as without poisoning
    rt.addRoot(q as Ptr<RecT>, Rec);
    expect(() => rt.gc()).toThrow(/found bad pointer in offheap object heap.*a freed, collected or never-issued handle/);
  });

  for (const debug of [false, true]) {
    it(`kept (debug ${debug}): memclrNoHeapPointers before addRoot → the dead object is collected, no report`, () => {
      const rt: Runtime = runtime(debug); // typed receiver: memclrNoHeapPointers narrows q
      const { q, h } = reuse(rt);
      rt.memclrNoHeapPointers(q, Rec.size);
      rt.addRoot(q, Rec);
      rt.gc();
      expect(stateOf(rt).heap.isLive(h)).toBe(false);
      expect(stateOf(rt).collector.stats().freed).toBe(1);
    });
  }
});

describe('rule 3: zeroing type-safe memory that holds live HeapRefs needs the deletion barrier', () => {
  /**
   * Root A holds h (its only root). Marking starts; the pin table (JS-held
   * handles, Go's stacks) is scanned, A is still grey. The mutator reads h
   * from A and pins it: a copy into an already-scanned root, which needs no
   * barrier. Then A is cleared.
   */
  function scenario(clear: 'memclrNoHeapPointers' | 'typedmemclr' | 'memclrHasPointers', checkmark: boolean): { rt: Runtime; h: HeapRef<{ name: string }>; err: unknown } {
    const rt: Runtime = runtime(true, checkmark);
    const a = new FixAlloc(Rec, { runtime: rt }).alloc();
    const acc = rt.access(Rec);
    acc.ref.set(a, rt.newHeapRef({ name: 'live' }));
    rt.addRoot(a, Rec);
    rt.gcStart();
    rt.gcStep(stateOf(rt).heap.top - 1); // exactly the pin table
    expect(stateOf(rt).roots.byAddress.get(a)!.cursor).toBe(0);
    const h = acc.ref.get(a);
    rt.pin(h);
    if (clear === 'memclrNoHeapPointers') rt.memclrNoHeapPointers(a, Rec.size);
    else if (clear === 'typedmemclr') rt.typedmemclr(Rec, a);
    else rt.memclrHasPointers(a, Rec.size);
    const err = thrown(() => rt.gcFinish());
    return { rt, h, err };
  }

  it('broken: memclrNoHeapPointers hides the reference from the collector → checkmark reports a lost object', () => {
    const { h, err } = scenario('memclrNoHeapPointers', true);
    expect(err).toBeInstanceOf(LostObjectError);
    expect((err as LostObjectError).lost).toEqual([{ handle: h, slot: 0, root: 0 }]);
    expect((err as LostObjectError).message).toMatch(/held by a pin/);
  });

  it('broken, without checkmark: the pinned, in-use object is freed → deref throws stale-handle', () => {
    const { rt, h, err } = scenario('memclrNoHeapPointers', false);
    expect(err).toBeUndefined();
    expect(() => rt.deref(h)).toThrow(StaleHandleError);
  });

  for (const clear of ['typedmemclr', 'memclrHasPointers'] as const) {
    it(`kept: ${clear} shades the old value → checkmark clean, the object survives`, () => {
      const { rt, h, err } = scenario(clear, true);
      expect(err).toBeUndefined();
      expect(rt.deref(h)).toEqual({ name: 'live' });
      rt.unpin(h);
      rt.gc();
      expect(stateOf(rt).heap.isLive(h)).toBe(false); // and is collected once really unreachable
    });
  }
});

describe('rule 4: zero-initializing fresh garbage must not run barriers', () => {
  /** Reused, poisoned (debug) FixAlloc memory while the collector marks. */
  function garbage(): { rt: Runtime; pool: FixAlloc<RecT, false>; q: MaybeGarbage<RecT>; keep: HeapRef<{ name: string }> } {
    const rt = runtime(true);
    const pool = new FixAlloc(Rec, { runtime: rt, zero: false });
    const old = pool.alloc() as Ptr<RecT>;
    rt.access(Rec).ref.set(old, rt.newHeapRef({ name: 'old' }));
    pool.free(old);
    const keep = rt.newHeapRef({ name: 'keep' });
    rt.pin(keep);
    const q = pool.alloc();
    rt.gcStart();
    return { rt, pool, q, keep };
  }

  it('broken: typedmemclr over garbage while marking → the barrier meets garbage: bad pointer (debug)', () => {
    const { rt, q } = garbage();
    const before = Array.from(stateOf(rt).space.u32.subarray(q >>> 2, (q + Rec.size) >>> 2));
    const e = thrown(() => rt.typedmemclr(Rec, q as Ptr<RecT>));
    expect(e).toBeInstanceOf(BadPointerError);
    expect((e as Error).message).toMatch(/found bad pointer/);
    expect(Array.from(stateOf(rt).space.u32.subarray(q >>> 2, (q + Rec.size) >>> 2))).toEqual(before); // rejected before clearing
  });

  it('broken: memclrHasPointers over garbage while marking → bad pointer (debug)', () => {
    const { rt, q } = garbage();
    expect(() => rt.memclrHasPointers(q as Ptr<RecT>, Rec.size)).toThrow(BadPointerError);
  });

  it('kept: memclrNoHeapPointers over the same garbage → no barrier, no report; the record is then usable as a root', () => {
    const g = garbage();
    const rt: Runtime = g.rt;
    const { q, keep } = g;
    rt.memclrNoHeapPointers(q, Rec.size);
    rt.addRoot(q, Rec);
    const h = rt.newHeapRef({ name: 'new' });
    rt.access(Rec).ref.set(q, h);
    rt.gcFinish();
    rt.gc();
    expect(rt.deref(h)).toEqual({ name: 'new' });
    expect(rt.deref(keep)).toEqual({ name: 'keep' });
    expect(stateOf(rt).heap.live).toBe(2); // 'old' collected
  });
});
