// Allocators own their memory: each takes back only what it handed out.
// sysFree refuses persistentalloc's memory (and the FixAlloc spans in it); a
// pool refuses other pools', other allocators' and other runtimes' pointers
// on its fast path; a `first` hook cannot allocate the address it is
// initialising; debug mode checks free-list links before following them and
// refuses accessor stores into freed records. Every refusal leaves the
// allocators as they were.
import { describe, expect, it } from 'vitest';
import {
  BadPointerError,
  createRuntime,
  DoubleFreeError,
  f64,
  FixAlloc,
  ForeignPointerError,
  MisuseError,
  OutOfBoundsError,
  pageSize,
  persistentChunkSize,
  persistentLargeSize,
  struct,
  u32,
  type LayoutType,
  type Ptr,
} from '../../src/runtime/index.js';
import { rejects, snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { a: f64, n: u32 });
type RecT = LayoutType<typeof Rec>;
const any = (p: number) => p as Ptr<never>;
type Pools = FixAlloc<unknown, boolean>[];

describe.each([false, true])('ownership (debug: %s)', (debug) => {
  it('sysFree refuses persistentalloc chunks, large blocks and FixAlloc spans with ForeignPointerError', () => {
    const rt = createRuntime({ maxBytes: 4 << 20, debug });
    const small = rt.persistentalloc(64);
    const large = rt.persistentalloc(persistentLargeSize);
    const pool = new FixAlloc(Rec, { runtime: rt });
    const obj = pool.alloc();
    const pools = [pool] as Pools;
    const chunk = small - (small % pageSize);
    for (const [p, n] of [
      [chunk, persistentChunkSize],
      [chunk + pageSize, pageSize], // a page inside the chunk
      [large, persistentLargeSize],
      [obj - (obj % pageSize), 2 * pageSize],
    ]) {
      rejects(rt, pools, () => rt.sysFree(any(p), n), ForeignPointerError, 'ERR_FOREIGN_POINTER', /persistentalloc took from the space/);
    }
    // The pages stay in use: the next sysAlloc does not get them.
    const q = rt.sysAlloc(pageSize);
    expect(q >= large + persistentLargeSize || q < chunk).toBe(true);
    rt.sysFree(q, pageSize);
  });

  it('a pool refuses pointers of another pool, of sysAlloc, of persistentalloc and of nothing', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug });
    const a = new FixAlloc(Rec, { runtime: rt });
    const b = new FixAlloc(Rec, { runtime: rt });
    const pools = [a, b] as Pools;
    const pa = a.alloc();
    const pb = b.alloc();
    const page = rt.sysAlloc(pageSize);
    const bump = rt.persistentalloc(16);
    rejects(rt, pools, () => a.free(pb), ForeignPointerError, 'ERR_FOREIGN_POINTER', /belongs to another pool/);
    rejects(rt, pools, () => a.free(any(page)), ForeignPointerError, 'ERR_FOREIGN_POINTER', /another allocator's memory/);
    rejects(rt, pools, () => a.free(any(bump)), ForeignPointerError, 'ERR_FOREIGN_POINTER', /another allocator's memory/);
    rejects(rt, pools, () => a.free(any(100 * pageSize)), BadPointerError, 'ERR_BAD_POINTER', /not handed out by any FixAlloc/);
    a.free(pa);
    b.free(pb);
    expect(a.inuse + b.inuse).toBe(0);
  });

  it("a pool refuses another runtime's pointer that lies outside its spans", () => {
    const mine = createRuntime({ maxBytes: 1 << 20, debug });
    const theirs = createRuntime({ maxBytes: 1 << 20, debug });
    theirs.sysAlloc(40 * pageSize); // their spans start past all of mine's memory
    const pool = new FixAlloc(Rec, { runtime: mine });
    const other = new FixAlloc(Rec, { runtime: theirs });
    const p = pool.alloc();
    const q = other.alloc();
    expect(q).not.toBe(p);
    rejects(mine, [pool] as Pools, () => pool.free(q), BadPointerError, 'ERR_BAD_POINTER', /not handed out by any FixAlloc of this runtime/);
    pool.free(p);
  });

  it('first may not allocate from its own pool (MisuseError, nothing handed out); freeing from it works', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug });
    let calls = 0;
    let mode: 'none' | 'alloc' | 'free' | 'catch' = 'none';
    let victim = 0;
    let inner: unknown;
    const pool: FixAlloc<RecT> = new FixAlloc(Rec, {
      runtime: rt,
      first: () => {
        calls++;
        if (mode === 'alloc') pool.alloc();
        if (mode === 'free') pool.free(victim as Ptr<RecT>);
        if (mode === 'catch') {
          try {
            pool.alloc();
          } catch (e) {
            inner = e;
          }
        }
      },
    });
    const a = pool.alloc();
    const b = pool.alloc();
    mode = 'alloc';
    rejects(rt, [pool] as Pools, () => pool.alloc(), MisuseError, 'ERR_MISUSE', /called from the pool's own first hook/);
    pool.free(a);
    expect(pool.alloc()).toBe(a); // taken from the list: first does not run
    mode = 'catch';
    const c = pool.alloc();
    expect(inner).toBeInstanceOf(MisuseError);
    expect([a, b]).not.toContain(c);
    mode = 'free';
    victim = b;
    const d = pool.alloc();
    expect(d).not.toBe(b);
    expect(pool.alloc()).toBe(b); // what the hook freed is on the free list
    expect(pool.inuse).toBe(4 * pool.size);
    expect(calls).toBe(5); // a, b, the refused one, c, d
  });
});

describe('debug mode checks the free list and freed records', () => {
  it('detects a write after free into a link word before alloc returns it', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const pools = [pool] as Pools;
    const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
    pool.free(a);
    pool.free(b); // list: b -> a
    const u32v = stateOf(rt).space.u32;
    for (const bad of [stateOf(rt).space.reserved + 64, 12345, c, b + 8]) {
      u32v[b >>> 2] = bad; // a store through a dangling pointer to b
      rejects(rt, pools, () => pool.alloc(), BadPointerError, 'ERR_BAD_POINTER', /link word of free object .* not a free object of this pool/);
    }
    u32v[b >>> 2] = a; // repaired
    expect(pool.alloc()).toBe(b);
    expect(pool.alloc()).toBe(a);
  });

  it('refuses accessor reads and stores into freed and never-handed-out records, not live ones', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const pools = [pool] as Pools;
    const A = rt.access(Rec);
    const p = pool.alloc();
    const q = pool.alloc();
    A.n.set(p, 1);
    pool.free(p);
    const bytes = stateOf(rt).space.u8.slice(p, p + pool.size);
    rejects(rt, pools, () => A.n.set(p, 2), OutOfBoundsError, 'ERR_OUT_OF_BOUNDS', /is free \(use after free\)/);
    rejects(rt, pools, () => A.a.get(p), OutOfBoundsError, 'ERR_OUT_OF_BOUNDS', /use after free/);
    expect(stateOf(rt).space.u8.slice(p, p + pool.size)).toEqual(bytes);
    rejects(rt, pools, () => A.n.set(any(q + pool.size), 2), OutOfBoundsError, 'ERR_OUT_OF_BOUNDS', /never handed out/);
    A.n.set(q, 3);
    expect(A.n.get(q)).toBe(3);
    const s = snapshot(rt, ...pools);
    expect(pool.alloc()).toBe(p);
    A.n.set(p, 4); // live again
    expect(A.n.get(p)).toBe(4);
    expect(snapshot(rt, ...pools)).not.toBe(s);
  });

  it('lets first initialise its fresh object through accessors (the object is live while the hook runs)', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const A = rt.access(Rec);
    const pool = new FixAlloc(Rec, { runtime: rt, first: (p) => A.n.set(p, 7) });
    const p = pool.alloc();
    expect(A.n.get(p)).toBe(7);
    const failing = new FixAlloc(Rec, {
      runtime: rt,
      first: () => {
        throw new Error('hook failed');
      },
    });
    const before = snapshot(rt, failing as FixAlloc<unknown, boolean>);
    expect(() => failing.alloc()).toThrow('hook failed');
    expect(snapshot(rt, failing as FixAlloc<unknown, boolean>)).not.toBe(before); // its first span was taken
    const after = snapshot(rt, failing as FixAlloc<unknown, boolean>);
    expect(() => failing.alloc()).toThrow('hook failed');
    expect(snapshot(rt, failing as FixAlloc<unknown, boolean>)).toBe(after); // nothing handed out, nothing left live
  });

  it('without debug mode, the same store is not checked (the fast path is two compares)', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const A = rt.access(Rec);
    const p = pool.alloc();
    pool.free(p);
    A.n.set(p, 2);
    expect(A.n.get(p)).toBe(2);
  });

  it('catches double frees and never-handed-out slots of a coinciding foreign pointer', () => {
    const mine = createRuntime({ maxBytes: 1 << 20, debug: true });
    const theirs = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Rec, { runtime: mine });
    const other = new FixAlloc(Rec, { runtime: theirs });
    const p = pool.alloc();
    const [q0, q1] = [other.alloc(), other.alloc()];
    expect(q0).toBe(p); // same history, same numbers: an address alone cannot name its runtime
    pool.free(p);
    rejects(mine, [pool] as Pools, () => pool.free(q0), DoubleFreeError, 'ERR_DOUBLE_FREE', /double free/);
    rejects(mine, [pool] as Pools, () => pool.free(q1), BadPointerError, 'ERR_BAD_POINTER', /never handed out by this pool/);
  });
});
