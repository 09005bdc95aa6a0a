import { describe, expect, it } from 'vitest';
import {
  BadPointerError,
  cacheBatch,
  cacheMax,
  createRuntime,
  DoubleFreeError,
  fixAllocChunk,
  FixAlloc,
  ForeignPointerError,
  MisuseError,
  OffheapRangeError,
  pageSize,
  poisonByte,
  sharedPool,
  struct,
  u32,
  u8,
  f64,
  type MaybeGarbage,
  type Ptr,
} from '../../src/runtime/index.js';
import { isZero, rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const MiB = 1 << 20;
const Rec = struct('Rec', { a: f64, b: u32 }); // size 16, align 8
const Small = struct('Small', { a: u8, b: u8, c: u8, d: u8, e: u8 }); // size 5, align 1

describe('FixAlloc', () => {
  it('rounds the object size to 4 bytes and to the layout alignment', () => {
    const rt = createRuntime({ maxBytes: MiB });
    expect(new FixAlloc(5, { runtime: rt }).size).toBe(8);
    expect(new FixAlloc(4, { runtime: rt }).size).toBe(4);
    expect(new FixAlloc(Rec, { runtime: rt }).size).toBe(16);
    expect(new FixAlloc(Small, { runtime: rt }).size).toBe(8);
    expect(new FixAlloc(fixAllocChunk, { runtime: rt }).size).toBe(fixAllocChunk);
  });

  it('places fresh objects at multiples of size in 16 KiB spans of whole pages from persistentalloc', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const pool = new FixAlloc(48, { runtime: rt });
    const perChunk = Math.floor(fixAllocChunk / 48);
    const ps: number[] = [];
    for (let i = 0; i < perChunk; i++) ps.push(pool.alloc());
    expect(ps[0] % pageSize).toBe(0);
    for (let i = 1; i < perChunk; i++) expect(ps[i] - ps[i - 1]).toBe(48);
    expect(rt.stats().persistent).toEqual({ fixalloc: fixAllocChunk });
    const next = pool.alloc();
    expect(next).toBe(ps[0] + fixAllocChunk); // the next span follows on the next page of the same persistentalloc chunk
    expect(rt.stats().persistent).toEqual({ fixalloc: 2 * fixAllocChunk });
    expect(pool.inuse).toBe((perChunk + 1) * 48);
  });

  it('hands out zero memory and runs first only for fresh addresses', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const seen: number[] = [];
    const pool = new FixAlloc(Rec, { runtime: rt, first: (p) => void seen.push(p) });
    const a = pool.alloc();
    const b = pool.alloc();
    expect(seen).toEqual([a, b]);
    expect(isZero(rt, a, 16)).toBe(true);
    stateOf(rt).space.u8.fill(0xee, a, a + 16);
    pool.free(a);
    const c = pool.alloc();
    expect(c).toBe(a); // LIFO reuse
    expect(seen).toEqual([a, b]);
    expect(isZero(rt, c, 16)).toBe(true);
    pool.alloc();
    expect(seen).toHaveLength(3);
  });

  it('with zero: false keeps the previous bytes, the link word included', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const pool = new FixAlloc(Rec, { runtime: rt, zero: false });
    const a = pool.alloc();
    const b = pool.alloc();
    stateOf(rt).space.u8.fill(0x11, a, a + 16);
    stateOf(rt).space.u8.fill(0x22, b, b + 16);
    pool.free(a);
    pool.free(b); // b's link word now points at a
    const again: MaybeGarbage<unknown> = pool.alloc();
    expect(again).toBe(b);
    expect(stateOf(rt).space.u32[b >>> 2]).toBe(a);
    expect(stateOf(rt).space.u8[b + 4]).toBe(0x22);
    expect(stateOf(rt).space.u8[b + 15]).toBe(0x22);
  });

  it('reuses memory only within the same pool', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const a = new FixAlloc(16, { runtime: rt });
    const b = new FixAlloc(16, { runtime: rt });
    const p = a.alloc();
    a.free(p);
    const q = b.alloc();
    expect(q).not.toBe(p);
    expect(a.alloc()).toBe(p);
  });

  it('tracks inuse bytes', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const pool = new FixAlloc(24, { runtime: rt });
    const ps = [pool.alloc(), pool.alloc(), pool.alloc()];
    expect(pool.inuse).toBe(72);
    pool.free(ps[1]);
    expect(pool.inuse).toBe(48);
    pool.alloc();
    expect(pool.inuse).toBe(72);
  });

  it('poisons freed objects except the link word in debug mode', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const pool = new FixAlloc(32, { runtime: rt, zero: false });
    const a = pool.alloc();
    const b = pool.alloc();
    pool.free(a);
    pool.free(b);
    expect(stateOf(rt).space.u32[b >>> 2]).toBe(a);
    for (let i = 4; i < 32; i++) expect(stateOf(rt).space.u8[b + i]).toBe(poisonByte);
    expect(stateOf(rt).space.u32[a >>> 2]).toBe(0);
  });

  it('detects double free, wrong pool, pointers never handed out and interior pointers in debug mode', () => {
    const rt = createRuntime({ maxBytes: MiB, debug: true });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const other = new FixAlloc(Rec, { runtime: rt });
    const pools = [pool, other] as FixAlloc<unknown, boolean>[];
    const p = pool.alloc();
    const live = pool.alloc();
    const q = other.alloc();
    pool.free(p);
    const page = rt.sysAlloc(8192);
    rejects(rt, pools, () => pool.free(p), DoubleFreeError, 'ERR_DOUBLE_FREE', /already free \(double free\); got 8192/);
    rejects(rt, pools, () => pool.free(q), ForeignPointerError, 'ERR_FOREIGN_POINTER', /belongs to another pool/);
    rejects(rt, pools, () => pool.free((live + 8) as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /middle of an object of this pool \(size 16\)/);
    rejects(rt, pools, () => pool.free(page as number as Ptr<never>), ForeignPointerError, 'ERR_FOREIGN_POINTER', /not in a span of this pool \(another allocator's memory\)/);
    rejects(rt, pools, () => pool.free((40 * pageSize) as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /not handed out by any FixAlloc/);
    rejects(rt, pools, () => pool.free(0 as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /p must be an address aligned to 4 in \[8192, 1048576\); got 0 \(nil\)/);
    rejects(rt, pools, () => pool.free((live + 2) as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /not aligned to 4/);
    rejects(rt, pools, () => pool.free(NaN as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /got NaN/);
    rejects(rt, pools, () => pool.free(MiB as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /got 1048576/);
    pool.free(live);
    expect(pool.inuse).toBe(0);
  });

  it('never lets inuse go negative, even without debug mode', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const pool = new FixAlloc(16, { runtime: rt });
    const p = pool.alloc();
    pool.free(p);
    rejects(rt, [pool] as FixAlloc<unknown, boolean>[], () => pool.free(p), DoubleFreeError, 'ERR_DOUBLE_FREE', /no live objects/);
    expect(pool.inuse).toBe(0);
  });

  it('rejects nil and out-of-range pointers without debug mode too', () => {
    const rt = createRuntime({ maxBytes: MiB });
    const pool = new FixAlloc(16, { runtime: rt });
    pool.alloc();
    for (const bad of [0, -4, 6, 1.5, NaN, 2 * MiB]) {
      rejects(rt, [pool] as FixAlloc<unknown, boolean>[], () => pool.free(bad as Ptr<never>), BadPointerError, 'ERR_BAD_POINTER', /FixAlloc.free: p must be/);
    }
  });

  it('validates sizes, layouts and options', () => {
    const rt = createRuntime({ maxBytes: MiB });
    for (const size of [0, 3, -1, NaN, 4.5, fixAllocChunk + 1]) {
      expect(() => new FixAlloc(size, { runtime: rt })).toThrow(OffheapRangeError);
    }
    expect(() => new FixAlloc(3, { runtime: rt })).toThrow(/FixAlloc: size must be an integer in \[4, 16384\]; got 3 \(below 4\)/);
    expect(() => new FixAlloc(16385, { runtime: rt })).toThrow(/above the limit 16384/);
    const Tiny = struct('Tiny', { a: u8, b: u8 });
    expect(() => new FixAlloc(Tiny, { runtime: rt })).toThrow(/layout Tiny has size 2; a pool needs \[4, 16384\] bytes/);
    expect(() => new FixAlloc({} as never, { runtime: rt })).toThrow(MisuseError);
    expect(() => new FixAlloc(8, { runtime: rt, zero: 1 as never })).toThrow(/option zero must be true or false/);
    expect(() => new FixAlloc(8, { runtime: rt, first: 1 as never })).toThrow(/option first must be a function/);
    expect(() => new FixAlloc(8, { runtime: rt, stat: 1 as never })).toThrow(/option stat must be a string/);
    expect(rt.stats().inUse).toBe(0);
  });

  it('propagates out of memory from persistentalloc and stays usable', () => {
    const rt = createRuntime({ maxBytes: 4 * 8192 });
    const pool = new FixAlloc(16, { runtime: rt });
    expect(() => pool.alloc()).toThrow(/cannot allocate/);
    expect(pool.inuse).toBe(0);
  });
});

describe('a shared pool: the per-thread cache over the central list (one thread)', () => {
  it('keeps at most cacheMax freed objects, flushes a batch of cacheBatch to the central list, and refills a batch from it', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true });
    const pool = sharedPool(rt, 'rec', Rec);
    const ps: Ptr<unknown>[] = [];
    for (let i = 0; i < cacheMax + 1; i++) ps.push(pool.alloc());
    expect(pool.sharedStats()).toMatchObject({ spans: 1, cached: 0, central: 0, inuse: (cacheMax + 1) * 16 });
    for (let i = 0; i < cacheMax; i++) pool.free(ps[i] as never);
    expect(pool.sharedStats()).toMatchObject({ cached: cacheMax, central: 0 });
    // The 65th free takes the slow path: a batch goes to the central list.
    pool.free(ps[cacheMax] as never);
    expect(pool.sharedStats()).toMatchObject({ cached: cacheMax + 1 - cacheBatch, central: cacheBatch });
    // Emptying the cache, the next alloc refills one batch from the central list (reuse before fresh memory).
    for (let i = 0; i < cacheMax + 1 - cacheBatch; i++) pool.alloc();
    expect(pool.sharedStats()).toMatchObject({ cached: 0, central: cacheBatch });
    const fresh = pool.sharedStats().fresh;
    pool.alloc();
    expect(pool.sharedStats()).toMatchObject({ cached: cacheBatch - 1, central: 0, fresh });
    // flush() returns the whole cache.
    pool.flush();
    expect(pool.sharedStats()).toMatchObject({ cached: 0, central: cacheBatch - 1 });
    // The snapshot (and the memory picture) counts the central list's objects as free.
    const snap = pool.snapshot();
    expect(snap.corrupt).toBe(false);
    expect(snap.spans.reduce((n, sp) => n + sp.free.length, 0)).toBe(cacheBatch - 1);
    const s = pool.sharedStats();
    expect(s.carved).toBe(s.spans * Math.floor(pool.spanBytes / pool.size));
  });

  it('cache: false sends every alloc and free through the central list', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true });
    const pool = sharedPool(rt, 'rec', Rec, { cache: false });
    const a = pool.alloc();
    const b = pool.alloc();
    pool.free(a);
    expect(pool.sharedStats()).toMatchObject({ cached: 0, central: 1 });
    pool.free(b);
    expect(pool.sharedStats()).toMatchObject({ cached: 0, central: 2 });
    expect(pool.alloc()).toBe(b);
    expect(pool.sharedStats()).toMatchObject({ cached: 0, central: 1 });
  });

  it('zeroes reused objects and runs first once per address, and a private pool over a shared space keeps its free list', () => {
    const rt = createRuntime({ maxBytes: MiB, shared: true });
    let firsts = 0;
    const pool = sharedPool(rt, 'rec', Rec, { first: () => void firsts++ });
    const p = pool.alloc();
    stateOf(rt).space.u32[(p >>> 2) + 1] = 0xdead;
    pool.free(p);
    expect(pool.alloc()).toBe(p);
    expect(isZero(rt, p, 16)).toBe(true);
    expect(firsts).toBe(1);
    const mine = new FixAlloc(Rec, { runtime: rt });
    const qs = Array.from({ length: cacheMax + 10 }, () => mine.alloc());
    for (const q of qs) mine.free(q);
    expect(mine.sharedStats()).toMatchObject({ name: '', cached: cacheMax + 10, central: 0 });
    expect(mine.id).not.toBe(pool.id);
  });
});
