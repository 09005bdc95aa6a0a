// Threads: bad input across threads, what stays per thread, and debug mode
// across threads. Real worker threads (threads-helpers.ts) run the steps
// the test sends, so each case shows which thread erred and that the typed
// error came with the state unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachError,
  attachRuntime,
  cacheMax,
  createRuntime,
  heapRef,
  maxThreads,
  OptionError,
  pageSize,
  sharedPool,
  SharedPoolError,
  struct,
  u32,
  type Runtime,
} from '../../src/runtime/index.js';
import { H } from '../../src/runtime/share.js';
import { attempt, Remote, type Outcome } from './threads-helpers.js';
import { rejects, snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Cell = struct('Cell', { value: u32, count: u32 });
const Owner = struct('Owner', { obj: heapRef<object>(), n: u32 });

let w: Remote;
let w2: Remote;

beforeAll(async () => {
  [w, w2] = await Promise.all([Remote.start(null), Remote.start(null)]);
}, 30_000);

afterAll(async () => {
  await Promise.all([w.stop(), w2.stop()]);
});

/** Attaches the worker to `rt`'s space (closing its previous runtime) and opens pool `cells` of Cell. */
async function attachWorker(r: Remote, rt: Runtime): Promise<void> {
  await r.run(
    `state.rt?.close();
     state.rt = off.attachRuntime(arg);
     state.Cell = off.struct('Cell', { value: off.u32, count: off.u32 });
     state.Owner = off.struct('Owner', { obj: off.heapRef(), n: off.u32 });
     return 0;`,
    rt.share(),
  );
}

const attachCount = (rt: Runtime): number => {
  let n = 0;
  for (let k = 0; k < maxThreads; k++) if (stateOf(rt).space.hdr[H.attach + 2 * k] !== 0) n++;
  return n;
};

describe('attaching', () => {
  it('attaching twice in one thread is refused, the owner’s thread included; after close() the thread attaches again', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    await attachWorker(w, rt);
    expect(attachCount(rt)).toBe(2);
    const again = await w.run<Outcome>(`return attempt(() => off.attachRuntime(arg));`, rt.share());
    expect(again).toMatchObject({ name: 'AttachError', code: 'ERR_ALREADY_ATTACHED' });
    expect(again.message).toMatch(/attachRuntime: this thread already has a runtime over this space \(attached earlier\); close\(\) it first/);
    expect(attachCount(rt)).toBe(2);
    // The owner's thread has the owner.
    const before = snapshot(rt);
    const e = attempt(() => attachRuntime(rt.share()));
    expect(e).toMatchObject({ name: 'AttachError', code: 'ERR_ALREADY_ATTACHED' });
    expect(e.message).toMatch(/\(the owner\)/);
    expect(snapshot(rt)).toBe(before);
    // close() frees the thread's slot; attaching again works.
    expect(await w.run(`state.rt.close(); state.rt.close(); state.rt = off.attachRuntime(arg); return state.rt.closed;`, rt.share())).toBe(false);
    expect(attachCount(rt)).toBe(2);
  }, 30_000);

  it('attaching to what is not a shared runtime is refused with ERR_NOT_SHARED', async () => {
    const plain = createRuntime({ maxBytes: 1 << 20 });
    rejects(plain, [], () => plain.share(), AttachError, 'ERR_NOT_SHARED', /share: this runtime is not shared; create it with createRuntime\(\{ shared: true \}\)/);
    const cases: [unknown, RegExp][] = [
      [{ offheap: 'shared-runtime', version: 1, buffer: new SharedArrayBuffer(1 << 20) }, /its buffer holds no shared space/],
      [{ offheap: 'shared-runtime', version: 1, buffer: new ArrayBuffer(1 << 20) }, /its buffer is not shared/],
      [{ offheap: 'shared-runtime', version: 2, buffer: new SharedArrayBuffer(1 << 20) }, /not a SharedRuntime descriptor/],
      [plain.buffer, /not a SharedRuntime descriptor/],
      [null, /not an object/],
      ['shared-runtime', /not an object/],
      [[1, 2], /not an object/],
    ];
    for (const [desc, why] of cases) {
      const e = attempt(() => attachRuntime(desc as never));
      expect(e, String(why)).toMatchObject({ name: 'AttachError', code: 'ERR_NOT_SHARED' });
      expect(e.message).toMatch(why);
    }
    // A getter is never run (no caller code inside the check).
    let ran = false;
    const sneaky = { offheap: 'shared-runtime', version: 1 } as Record<string, unknown>;
    Object.defineProperty(sneaky, 'buffer', { get: () => ((ran = true), new SharedArrayBuffer(8)) });
    expect(attempt(() => attachRuntime(sneaky as never))).toMatchObject({ code: 'ERR_NOT_SHARED' });
    expect(ran).toBe(false);
    // In a worker too: an unshared runtime's buffer, posted, names no shared space.
    const remote = await w.run<Outcome>(`return attempt(() => off.attachRuntime({ offheap: 'shared-runtime', version: 1, buffer: arg }));`, new SharedArrayBuffer(1 << 16));
    expect(remote).toMatchObject({ name: 'AttachError', code: 'ERR_NOT_SHARED' });
  }, 30_000);

  it('refuses a thread beyond maxThreads with ERR_TOO_MANY_THREADS', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    // Fill the table's other slots as if 31 threads were attached (the tokens are not this thread's or the worker's).
    for (let k = 1; k < maxThreads; k++) {
      stateOf(rt).space.hdr[H.attach + 2 * k] = 0x7000 + k;
      stateOf(rt).space.hdr[H.attach + 2 * k + 1] = 1;
    }
    const e = await w.run<Outcome>(`state.rt?.close(); state.rt = undefined; return attempt(() => off.attachRuntime(arg));`, rt.share());
    expect(e).toMatchObject({ name: 'AttachError', code: 'ERR_TOO_MANY_THREADS' });
    expect(e.message).toMatch(/32 runtimes are attached to this space already \(the owner included\)/);
    expect(attachCount(rt)).toBe(maxThreads);
  }, 30_000);
});

describe('closing', () => {
  it('after the owner closed the space, every runtime of it gets ClosedError: a worker at its next step that touches shared state', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const pool = sharedPool(rt, 'cells', Cell);
    await attachWorker(w, rt);
    // Prime the worker's cache with 10 free objects and keep a page.
    await w.run(
      `const pool = off.sharedPool(state.rt, 'cells', state.Cell);
       const ps = []; for (let i = 0; i < 10; i++) ps.push(pool.alloc());
       for (const p of ps) pool.free(p);
       state.pool = pool; state.page = state.rt.sysAlloc(8192); return pool.sharedStats().cached;`,
    );
    rt.close();
    rt.close(); // a second close does nothing
    expect(rt.closed).toBe(true);
    for (const fn of [() => rt.sysAlloc(1), () => rt.persistentalloc(8), () => pool.alloc(), () => pool.free(pool.size as never), () => sharedPool(rt, 'other', Cell), () => rt.share()]) {
      expect(attempt(fn)).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    }
    expect(attempt(() => rt.sysFree(pageSize, pageSize)).message).toMatch(/sysFree: the runtime is closed: its owner closed the shared space/);
    const seen = await w.run<{ cached: Outcome[]; after: Outcome[] }>(
      `const cached = []; for (let i = 0; i < 10; i++) cached.push(attempt(() => state.pool.alloc()));
       const after = [
         attempt(() => state.pool.alloc()),
         attempt(() => state.rt.sysAlloc(8192)),
         attempt(() => state.rt.sysFree(state.page, 8192)),
         attempt(() => state.rt.persistentalloc(1 << 16)),
         attempt(() => off.sharedPool(state.rt, 'more', state.Cell)),
         attempt(() => new off.FixAlloc(state.Cell, { runtime: state.rt })),
         attempt(() => state.rt.share()),
       ];
       state.rt = undefined;
       return { cached, after };`,
    );
    // The cache served what it held (at most cacheMax per pool), then the slow path saw the owner's close.
    expect(seen.cached.every((o) => typeof o.value === 'number')).toBe(true);
    expect(10).toBeLessThanOrEqual(cacheMax);
    for (const o of seen.after) expect(o).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(seen.after[1].message).toMatch(/the owner closed the shared space/);
    // Nobody attaches to a closed space.
    const late = await w2.run<Outcome>(`return attempt(() => off.attachRuntime(arg));`, { offheap: 'shared-runtime', version: 1, buffer: rt.buffer }); // share() itself is refused once closed
    expect(late).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
  }, 30_000);

  it('an attached runtime’s close() returns its cache to the central list and closes only itself', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const pool = sharedPool(rt, 'cells', Cell);
    await attachWorker(w, rt);
    const cached = await w.run<number>(
      `const pool = off.sharedPool(state.rt, 'cells', state.Cell);
       const ps = []; for (let i = 0; i < 20; i++) ps.push(pool.alloc());
       for (const p of ps) pool.free(p);
       const n = pool.sharedStats().cached;
       state.rt.close();
       state.after = [attempt(() => pool.alloc()), attempt(() => pool.free(ps[0])), attempt(() => state.rt.sysAlloc(1))];
       return n;`,
    );
    expect(cached).toBe(20);
    const s = pool.sharedStats();
    expect(s.central).toBe(20);
    expect(s.abandoned).toBe(s.carved - 20);
    const after = await w.run<Outcome[]>(`return state.after;`);
    for (const o of after) expect(o).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(after[0].message).toMatch(/close\(\) was called/);
    // The owner's snapshot (and memory picture) shows the worker's span, its 20 objects free on the central list.
    const snap = pool.snapshot();
    expect(snap.corrupt).toBe(false);
    expect(snap.spans).toHaveLength(1);
    expect(snap.spans[0].free).toHaveLength(20);
    // The owner goes on, and reuses the worker's objects.
    expect(rt.closed).toBe(false);
    const p = pool.alloc();
    expect(stateOf(rt).space.pagePool[p >>> 13]).toBe(pool.id);
    expect(pool.sharedStats().cached).toBe(cacheMax >= 20 ? 19 : 0);
    await w.run(`state.rt = undefined; return 0;`);
  }, 30_000);

  it('workers that allocate, keep their objects and close, one after another, carve one span between them: each takes the tail the last one left', async () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true, debug: true });
    const pool = sharedPool(rt, 'cells', Cell);
    const held: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      await attachWorker(w, rt);
      const got = await w.run<{ ps: number[]; firsts: number[]; zero: boolean; abandoned: number }>(
        `const u32 = new Uint32Array(state.rt.buffer);
         const firsts = [];
         let zero = true;
         const pool = off.sharedPool(state.rt, 'cells', state.Cell, { first: (p) => { firsts.push(p); zero = zero && u32[p >>> 2] === 0 && u32[(p >>> 2) + 1] === 0; } });
         const ps = [];
         for (let i = 0; i < 40; i++) ps.push(pool.alloc());
         state.rt.close();
         state.rt = undefined;
         return { ps, firsts, zero, abandoned: pool.sharedStats().abandoned };`,
      );
      // Every object is handed out for the first time, zero, with first run once for it, in the thread that hands it out.
      expect(got.firsts).toEqual(got.ps);
      expect(got.zero).toBe(true);
      held.push(...got.ps);
      expect(new Set(held).size).toBe(held.length);
      const s = pool.sharedStats();
      expect({ cycle, spans: s.spans, abandoned: s.abandoned, central: s.central }).toEqual({ cycle, spans: 1, abandoned: s.carved - held.length, central: 0 });
    }
    // The owner frees them all: each was handed out once and is live (debug states in the space agree).
    for (const p of held) pool.free(p as never);
    expect(pool.sharedStats()).toMatchObject({ spans: 1, central: held.length > cacheMax ? held.length - pool.sharedStats().cached : 0 });
  }, 30_000);

  it('an attached runtime’s close() gives back the pages of its persistentalloc chunk that no request reached; the owner’s pages stay', async () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true });
    const before = rt.stats().byOwner.persistentalloc ?? 0;
    await attachWorker(w, rt);
    // One span of the pool (2 pages) and 100 bytes: both in the worker's first chunk.
    const kept = await w.run<number>(
      `const pool = off.sharedPool(state.rt, 'cells', state.Cell);
       pool.alloc();
       state.rt.persistentalloc(100);
       const s = state.rt.stats().byOwner.persistentalloc;
       state.rt.close();
       state.rt = undefined;
       return s;`,
    );
    expect(kept - before).toBe(256 * 1024);
    // The chunk keeps its span and the 100 bytes (3 pages); its other 29 pages are free for every thread.
    expect(rt.stats().byOwner.persistentalloc).toBe(before + 3 * pageSize);
    expect(rt.stats().inUse).toBe(before + 3 * pageSize);
    // The chunk was the last block, so its tail went back to the unmapped region, where the next request starts.
    const top = stateOf(rt).space.mappedEnd;
    expect(top).toBe((stateOf(rt).space.firstPage + 3) * pageSize);
    expect(rt.sysAlloc(29 * pageSize)).toBe(top);
    // Again with a block after the chunk: the tail becomes a free run, and the next request that fits takes it.
    await attachWorker(w, rt);
    const chunk = await w.run<number>(`return state.rt.persistentalloc(20000);`); // the attached runtime's first request starts its first chunk
    const after = rt.sysAlloc(pageSize);
    expect(after).toBe(chunk + 32 * pageSize);
    await w.run(`state.rt.close(); state.rt = undefined; return 0;`);
    expect(stateOf(rt).space.freeRuns()).toEqual([[chunk / pageSize + 3, 29]]);
    expect(rt.sysAlloc(29 * pageSize)).toBe(chunk + 3 * pageSize);
    // The owner's own chunk is never trimmed (its close() closes the space).
    rt.persistentalloc(100);
    const owned = rt.stats().byOwner.persistentalloc;
    rt.close();
    expect(rt.stats().byOwner.persistentalloc).toBe(owned);
  }, 30_000);
});

describe('shared pools', () => {
  it('a layout with HeapRef slots has one user: a second runtime opening it gets ERR_SHARED_HEAPREF; pointer-free records are shared freely', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const owners = sharedPool(rt, 'owners', Owner);
    const cells = sharedPool(rt, 'cells', Cell);
    const raw = sharedPool(rt, 'raw', 24);
    await attachWorker(w, rt);
    const got = await w.run<Outcome[]>(
      `return [
         attempt(() => off.sharedPool(state.rt, 'owners', state.Owner)),
         attempt(() => off.sharedPool(state.rt, 'cells', 16)),
         attempt(() => off.sharedPool(state.rt, 'raw', 32)),
         attempt(() => off.sharedPool(state.rt, 'cells', state.Cell).id),
         attempt(() => off.sharedPool(state.rt, 'raw', 24).id),
         attempt(() => off.sharedPool(state.rt, 'mine', state.Owner).id),
         attempt(() => off.sharedPool(state.rt, 'cells', 8)),
       ];`,
    );
    expect(got[0]).toMatchObject({ name: 'SharedPoolError', code: 'ERR_SHARED_HEAPREF' });
    expect(got[0].message).toMatch(/pool "owners" holds records with 1 HeapRef slots and another runtime uses it already; a HeapRef names an object only one thread's heap holds/);
    expect(got[1]).toMatchObject({ name: 'SharedPoolError', code: 'ERR_POOL_MISMATCH' });
    expect(got[1].message).toMatch(/pool "cells" exists with objects of 8 bytes aligned to 4 \(a layout without HeapRef slots\); this one asks 16 bytes aligned to 4 \(a raw size\)/);
    expect(got[2]).toMatchObject({ code: 'ERR_POOL_MISMATCH' });
    expect(got[3]).toEqual({ value: cells.id });
    expect(got[4]).toEqual({ value: raw.id });
    // Opened once per runtime: asking again with another type is refused too.
    expect(got[6]).toMatchObject({ code: 'ERR_POOL_MISMATCH' });
    expect(got[6].message).toMatch(/this runtime opened pool "cells" already with objects of 8 bytes/);
    // The worker's own HeapRef pool is its alone; the owner cannot open it.
    expect(got[5].value).toBeGreaterThan(0);
    rejects(rt, [owners as never], () => sharedPool(rt, 'mine', Owner), SharedPoolError, 'ERR_SHARED_HEAPREF', /another runtime uses it already/);
    // The owner itself may use its HeapRef pool, and opening it again returns the same object.
    expect(sharedPool(rt, 'owners', Owner)).toBe(owners);
    expect(owners.alloc()).toBeGreaterThan(0);
    await w.run(`state.rt.close(); state.rt = undefined; return 0;`);
  }, 30_000);

  it('validates its arguments: runtime, name, options, and a runtime that is not shared', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const plain = createRuntime({ maxBytes: 1 << 20 });
    rejects(plain, [], () => sharedPool(plain, 'x', Cell), SharedPoolError, 'ERR_NOT_SHARED', /the runtime is not shared/);
    for (const name of ['', 'x'.repeat(33), 5, undefined, Symbol('n')]) {
      rejects(rt, [], () => sharedPool(rt, name as never, Cell), OptionError, 'ERR_OPTION', /sharedPool: name must be a string of 1 to 32 UTF-16 units/);
    }
    rejects(rt, [], () => sharedPool({} as never, 'x', Cell), OptionError, 'ERR_OPTION', /sharedPool: rt must be a Runtime/);
    rejects(rt, [], () => sharedPool(rt, 'x', Cell, { cache: 'no' } as never), OptionError, 'ERR_OPTION', /option cache must be true or false/);
    rejects(rt, [], () => sharedPool(rt, 'x', Cell, { runtime: rt } as never), OptionError, 'ERR_OPTION', /unknown option "runtime"; the options are zero, first, stat, cache/);
    rejects(rt, [], () => sharedPool(rt, 'x', 2), Error, 'ERR_BAD_SIZE', /FixAlloc: size must be an integer in \[4, 16384\]/);
  });
});

describe('per thread: handles', () => {
  it('a handle of the owner used in a worker is foreign there (ForeignPointerError), and the other way round', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const h = rt.newHeapRef({ owner: true });
    await attachWorker(w, rt);
    const fromOwner = await w.run<Outcome>(`state.h = state.rt.newHeapRef({ worker: true }); return attempt(() => state.rt.deref(${h}));`);
    expect(fromOwner).toMatchObject({ name: 'ForeignPointerError', code: 'ERR_FOREIGN_POINTER' });
    expect(fromOwner.message).toMatch(/belongs to another runtime of this shared space/);
    // Every entry that takes a handle says so in the worker: pin, unpin, freeHeapRef.
    const others = await w.run<Outcome[]>(`return [attempt(() => state.rt.pin(${h})), attempt(() => state.rt.unpin(${h})), attempt(() => state.rt.freeHeapRef(${h}))];`);
    for (const o of others) expect(o).toMatchObject({ name: 'ForeignPointerError' });
    const wh = await w.run<number>(`return state.h;`);
    expect(wh).not.toBe(h);
    const back = attempt(() => rt.deref(wh as never));
    expect(back).toMatchObject({ name: 'ForeignPointerError', code: 'ERR_FOREIGN_POINTER' });
    // A value no runtime of the space took is still just stale (never handed out), not foreign.
    const untaken = 0x10000000 + ((stateOf(rt).space.hdr[H.handleSeed] + 1000) % 196_608) * 4096;
    expect(attempt(() => rt.deref(untaken as never))).toMatchObject({ name: 'StaleHandleError', code: 'ERR_STALE_HANDLE' });
    expect(rt.deref(h)).toEqual({ owner: true });
    await w.run(`state.rt.close(); state.rt = undefined; return 0;`);
  }, 30_000);
});

describe('debug mode across threads', () => {
  it('catches a double free, a free into the wrong pool and a foreign pointer whichever thread errs', async () => {
    const rt = createRuntime({ maxBytes: 2 << 20, shared: true, debug: true });
    const cells = sharedPool(rt, 'cells', Cell);
    const other = sharedPool(rt, 'other', Cell);
    const p = cells.alloc();
    const q = other.alloc();
    const page = rt.sysAlloc(pageSize);
    await attachWorker(w, rt);
    // The worker frees the owner's object (fine), then frees it again: double free, caught in the worker.
    const seen = await w.run<Outcome[]>(
      `const cells = off.sharedPool(state.rt, 'cells', state.Cell);
       const other = off.sharedPool(state.rt, 'other', state.Cell);
       state.cells = cells;
       const r = cells.alloc();
       return [
         attempt(() => cells.free(${p})),
         attempt(() => cells.free(${p})),
         attempt(() => cells.free(${q})),
         attempt(() => cells.free(${page})),
         attempt(() => cells.free(${p} + 4)),
         attempt(() => cells.free(r + 8 * 200)),
         attempt(() => other.free(${q})),
         attempt(() => r),
       ];`,
    );
    expect(seen[0]).toEqual({ value: undefined });
    expect(seen[1]).toMatchObject({ name: 'DoubleFreeError', code: 'ERR_DOUBLE_FREE' });
    expect(seen[1].message).toMatch(/p is already free \(double free, by this or another thread\)/);
    expect(seen[2]).toMatchObject({ name: 'ForeignPointerError', code: 'ERR_FOREIGN_POINTER' });
    expect(seen[2].message).toMatch(/belongs to another pool/);
    expect(seen[3]).toMatchObject({ name: 'ForeignPointerError' });
    expect(seen[4]).toMatchObject({ name: 'BadPointerError' });
    expect(seen[4].message).toMatch(/points into the middle of an object of this pool/);
    expect(seen[5]).toMatchObject({ name: 'BadPointerError' });
    expect(seen[5].message).toMatch(/never handed out by this pool \(by any thread\)/);
    expect(seen[6]).toEqual({ value: undefined });
    const r = seen[7].value as number;
    // The owner's handle on the pool sees the worker's span through the shared page owner table.
    expect([cells.contains(r), other.contains(r), cells.contains(page), cells.contains('x' as never)]).toEqual([true, false, false, false]);
    // The owner frees the worker's q again: double free, caught in the owner, whose state stays as it was.
    rejects(rt, [other as never], () => other.free(q), Error, 'ERR_DOUBLE_FREE', /already free \(double free, by this or another thread\)/);
    // The owner frees the worker's live r (fine), and the worker's second free of r fails there.
    cells.free(r as never);
    const twice = await w.run<Outcome>(`return attempt(() => state.cells.free(${r}));`);
    expect(twice).toMatchObject({ name: 'DoubleFreeError' });
    // Allocators own their memory across threads: a worker's persistentalloc bytes and the pool's span pages are not sysFree's.
    const wp = await w.run<number>(`return state.rt.persistentalloc(64);`);
    const chunk = wp - (wp % pageSize);
    rejects(rt, [cells as never], () => rt.sysFree(chunk, 256 * 1024), Error, 'ERR_FOREIGN_POINTER', /persistentalloc took from the space/);
    const fromWorker = await w.run<Outcome>(`return attempt(() => state.rt.sysFree(${p - (p % pageSize)}, 16384));`);
    expect(fromWorker).toMatchObject({ name: 'ForeignPointerError' });
    // Accessors in either thread refuse a freed object (its state is in the space).
    expect(attempt(() => rt.access(Cell).value.get(p as never))).toMatchObject({ name: 'OutOfBoundsError' });
    expect(await w.run<Outcome>(`return attempt(() => state.rt.access(state.Cell).value.get(${r}));`)).toMatchObject({ name: 'OutOfBoundsError' });
    await w.run(`state.rt.close(); state.rt = undefined; return 0;`);
  }, 30_000);

  it('two threads freeing the same object at once: exactly one wins', async () => {
    const rt = createRuntime({ maxBytes: 2 << 20, shared: true, debug: true });
    const cells = sharedPool(rt, 'cells', Cell);
    const ps: number[] = [];
    for (let i = 0; i < 400; i++) ps.push(cells.alloc());
    await attachWorker(w, rt);
    await attachWorker(w2, rt);
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const body = `const cells = off.sharedPool(state.rt, 'cells', state.Cell);
       Atomics.add(arg.b, 0, 1);
       while (Atomics.load(arg.b, 0) < 2) {}
       let won = 0, lost = 0;
       for (const p of arg.ps) { const o = attempt(() => cells.free(p)); if (o.name === undefined) won++; else if (o.code === 'ERR_DOUBLE_FREE') lost++; }
       cells.flush();
       return [won, lost];`;
    const [a, b] = await Promise.all([w.run<number[]>(body, { b: barrier, ps }), w2.run<number[]>(body, { b: barrier, ps })]);
    expect(a[0] + b[0]).toBe(400);
    expect(a[1] + b[1]).toBe(400);
    expect(cells.sharedStats().central).toBe(400);
    await Promise.all([w.run(`state.rt.close(); state.rt = undefined; return 0;`), w2.run(`state.rt.close(); state.rt = undefined; return 0;`)]);
  }, 30_000);
});

