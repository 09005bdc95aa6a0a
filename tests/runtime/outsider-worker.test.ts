// Outsider round 2 (issue 14): a worker on a shared runtime, written from
// the documented pattern (docs/runtime.md, Threads): the owner creates the
// runtime with `shared: true`, posts `rt.share()`, the worker attaches,
// makes the attached runtime its default and opens the same named pool.
// The program is a job pipeline: the owner writes inputs into pool records
// and posts their addresses; the worker computes outputs in place and
// frees half of the jobs itself; the owner reads the rest and frees them.
// Then what a newcomer gets wrong: a worker that never attaches, a pool
// opened with another layout, and a record with a HeapRef shared between
// threads; each is a typed error or a separate space, never a silent overlap.
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, f64, sharedPool, struct, u32, type Runtime } from '../../src/runtime/index.js';
import { Remote } from './threads-helpers.js';

const Job = struct('Job', { input: f64, output: f64, state: u32 });

let remotes: Remote[] = [];
afterEach(async () => {
  await Promise.all(remotes.map((r) => r.stop()));
  remotes = [];
});

async function worker(data: unknown): Promise<Remote> {
  const r = await Remote.start(data);
  remotes.push(r);
  return r;
}

describe('a worker on a shared runtime', () => {
  it('a job pipeline: the worker computes in place and frees half; the owner frees the rest; every count balances', async () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true, debug: true });
    const jobs = sharedPool(rt, 'jobs', Job);
    const J = rt.access(Job);
    const addrs: number[] = [];
    for (let i = 0; i < 500; i++) {
      const p = jobs.alloc();
      J.input.set(p, i + 0.5);
      addrs.push(p);
    }
    const w = await worker(rt.share());
    const kept = await w.run<number[]>(
      `const rt = off.attachRuntime(data);
       off.setDefaultRuntime(rt);
       const Job = off.struct('Job', { input: off.f64, output: off.f64, state: off.u32 });
       const jobs = off.sharedPool(rt, 'jobs', Job);
       const J = rt.access(Job);
       const kept = [];
       for (const [k, p] of arg.entries()) {
         J.output.set(p, J.input.get(p) * 2);
         J.state.set(p, 1);
         if (k % 2 === 0) jobs.free(p); else kept.push(p);
       }
       // New jobs the worker makes: taken from what it just freed (its cache), never an address the owner holds.
       state.mine = Array.from({ length: 10 }, () => jobs.alloc());
       state.rt = rt; state.jobs = jobs;
       return kept;`,
      addrs,
    );
    expect(kept.length).toBe(250);
    for (const p of kept) {
      const i = addrs.indexOf(p);
      expect(J.output.get(p as never)).toBe((i + 0.5) * 2);
      expect(J.state.get(p as never)).toBe(1);
      jobs.free(p as never);
    }
    const mine = await w.run<number[]>('return state.mine;');
    for (const p of mine) expect(kept).not.toContain(p);
    // The worker's ten are live in the owner's view too (debug mode tracks every thread's objects): a double free is refused.
    expect(await w.run('for (const p of state.mine) state.jobs.free(p); return attempt(() => state.jobs.free(state.mine[0]));')).toMatchObject({ name: 'DoubleFreeError', code: 'ERR_DOUBLE_FREE' });
    // inuse is per runtime: allocations minus frees of this thread, so the worker's is negative by the 250 it freed for the owner.
    expect(await w.run('const inuse = state.jobs.inuse; state.rt.close(); return [inuse, state.rt.closed];')).toEqual([-250 * jobs.size, true]);
    expect(jobs.inuse).toBe(250 * jobs.size);
    jobs.flush();
    const s = jobs.sharedStats();
    // Every object carved is somewhere: nothing is live any more, so all of them are free or never handed out.
    expect(s.central + s.cached + s.fresh + s.abandoned).toBe(s.carved);
  }, 60_000);

  it('what a newcomer gets wrong: no attach is another space; a mismatched layout and a shared HeapRef are typed errors', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const jobs = sharedPool(rt, 'jobs', Job);
    const p = jobs.alloc();
    rt.access(Job).input.set(p, 7);
    const w = await worker(rt.share());
    const got = await w.run<Record<string, unknown>>(
      `const Job = off.struct('Job', { input: off.f64, output: off.f64, state: off.u32 });
       // Forgot attachRuntime: the module-level pool is over the worker's own default runtime, another buffer.
       const lonely = new off.FixAlloc(Job);
       const q = lonely.alloc();
       const sameBuffer = off.defaultRuntime().buffer === data.buffer;
       const rt = off.attachRuntime(data);
       const Small = off.struct('Job', { input: off.f64 });
       const WithRef = off.struct('WithRef', { ref: off.heapRef(), n: off.u32 });
       return {
         q, sameBuffer,
         mismatch: attempt(() => off.sharedPool(rt, 'jobs', Small)),
         heapRef: attempt(() => off.sharedPool(rt, 'refs', WithRef)),
         read: rt.access(Job).input.get(${p}),
       };`,
    );
    expect(got.sameBuffer).toBe(false);
    expect(got.read).toBe(7);
    expect(got.mismatch).toMatchObject({ name: 'SharedPoolError', code: 'ERR_POOL_MISMATCH' });
    // The owner opened no 'refs': the worker is the first runtime, so it may; the owner, second, is refused.
    expect(got.heapRef).not.toHaveProperty('code');
    const WithRef = struct('WithRef', { ref: (await import('../../src/runtime/index.js')).heapRef(), n: u32 });
    let caught: unknown;
    try {
      sharedPool(rt, 'refs', WithRef);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'ERR_SHARED_HEAPREF' });
    // The owner's job is untouched by the worker's private pool, whose address may well be the same number.
    expect(rt.access(Job).input.get(p)).toBe(7);
  }, 60_000);
});

describe('closing across threads (docs/runtime.md, Closing a runtime)', () => {
  it('an attached runtime closed alone refuses its heap, roots, collector, clears and stores (outside debug mode too); the owner goes on', async () => {
    const rt: Runtime = createRuntime({ maxBytes: 4 << 20, shared: true });
    const p = rt.sysAlloc(8192);
    rt.space.u8.fill(7, p, p + 64);
    const w = await worker(rt.share());
    const seen = await w.run<Record<string, Record<string, unknown>>>(
      `state.rt = off.attachRuntime(arg);
       const Rec = off.struct('Rec', { ref: off.heapRef(), n: off.u32 });
       const h = state.rt.newHeapRef({ w: 1 });
       // The five clears and stores over the owner's block (their range check reads this runtime's bound), and typedmemclr with a bad layout.
       const stores = () => ({
         memclrNoHeapPointers: attempt(() => state.rt.memclrNoHeapPointers(${p}, 64)),
         typedmemclr: attempt(() => state.rt.typedmemclr(Rec, ${p})),
         memclrHasPointers: attempt(() => state.rt.memclrHasPointers(${p}, 64)),
         storeHeapRef: attempt(() => state.rt.storeHeapRef(${p}, 0)),
         storeHeapRefNoWB: attempt(() => state.rt.storeHeapRefNoWB(${p}, 0)),
         badLayout: attempt(() => state.rt.typedmemclr({}, ${p})),
       });
       // The twin: open, they run (the owner refills the block after).
       const open = stores();
       state.rt.close();
       const out = {};
       for (const [name, fn] of Object.entries({
         newHeapRef: () => state.rt.newHeapRef({}), deref: () => state.rt.deref(h), freeHeapRef: () => state.rt.freeHeapRef(h),
         pin: () => state.rt.pin(h), gc: () => state.rt.gc(), gcStart: () => state.rt.gcStart(), sysAlloc: () => state.rt.sysAlloc(8192),
       })) out[name] = attempt(fn);
       out.closed = state.rt.closed;
       return { open, closed: out, stores: stores() };`,
      rt.share(),
    );
    for (const name of ['newHeapRef', 'deref', 'freeHeapRef', 'pin', 'gc', 'gcStart', 'sysAlloc']) {
      expect(seen.closed[name], name).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
      expect((seen.closed[name] as { message: string }).message).toMatch(new RegExp(`^${name}: the runtime is closed: close\\(\\) was called`));
    }
    const five = ['memclrNoHeapPointers', 'typedmemclr', 'memclrHasPointers', 'storeHeapRef', 'storeHeapRefNoWB'];
    for (const name of five) expect(seen.open[name], name).toEqual({ value: undefined });
    expect(seen.open.badLayout).toMatchObject({ name: 'MisuseError' });
    for (const name of five) {
      expect(seen.stores[name], name).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
      expect((seen.stores[name] as { message: string }).message).toMatch(new RegExp(`^${name}: the runtime is closed: close\\(\\) was called`));
    }
    expect(seen.stores.badLayout).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(seen.closed.closed).toBe(true);
    expect(rt.closed).toBe(false);
    // The refused calls wrote nothing: the block is as the open twin's clears left it, then refilled below; the owner's own clears run.
    rt.space.u8.fill(7, p, p + 64);
    await w.run(`attempt(() => state.rt.memclrNoHeapPointers(${p}, 64)); attempt(() => state.rt.storeHeapRef(${p}, 0)); return 0;`);
    expect(Array.from(rt.space.u8.subarray(p, p + 64)).every((b) => b === 7)).toBe(true);
    const h = rt.newHeapRef({ owner: true });
    rt.pin(h);
    rt.gc();
    expect(rt.deref(h)).toEqual({ owner: true });
    rt.memclrNoHeapPointers(p, 64);
    expect(rt.space.u8[p]).toBe(0);
  });

  it('debug mode: an attached runtime closed alone refuses its clears and stores too (the debug check comes first)', async () => {
    const rt: Runtime = createRuntime({ maxBytes: 4 << 20, shared: true, debug: true });
    const p = rt.sysAlloc(8192);
    const w = await worker(rt.share());
    const seen = await w.run<Record<string, unknown>>(
      `state.rt = off.attachRuntime(arg);
       const P = off.struct('P', { n: off.u32 });
       const open = attempt(() => state.rt.memclrNoHeapPointers(${p}, 64));
       const openAccess = attempt(() => state.rt.access(P).n.set(${p}, 1));
       state.rt.close();
       return { open, openAccess, clear: attempt(() => state.rt.memclrNoHeapPointers(${p}, 64)), store: attempt(() => state.rt.storeHeapRef(${p}, 0)), access: attempt(() => state.rt.access(P).n.set(${p}, 2)) };`,
      rt.share(),
    );
    expect(seen.open).toEqual({}); // the twin: open, it clears
    expect(seen.openAccess).toEqual({}); // and the accessor writes
    for (const k of ['clear', 'store', 'access']) expect(seen[k], k).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(rt.space.u32[p >>> 2]).toBe(1); // the closed accessor wrote nothing
    rt.memclrNoHeapPointers(p, 64); // the owner's space stays open
  });

  it('the owner’s close reaches another thread’s clears at once (the shared bound) and its heap at its next miss', async () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true });
    const p = rt.sysAlloc(8192);
    const w = await worker(rt.share());
    await w.run(`state.rt = off.attachRuntime(arg); state.h = state.rt.newHeapRef({ w: 2 }); return 0;`, rt.share());
    rt.close();
    const seen = await w.run<Record<string, unknown>>(
      `return {
         clear: attempt(() => state.rt.memclrNoHeapPointers(${p}, 64)),
         deref: attempt(() => state.rt.deref(state.h)),
         miss: attempt(() => state.rt.deref(state.h + 1)),
         gc: attempt(() => state.rt.gc()),
         closed: state.rt.closed,
       };`,
    );
    expect(seen.clear).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect((seen.clear as { message: string }).message).toMatch(/the owner closed the shared space/);
    expect(seen.deref).toEqual({ value: { w: 2 } }); // its heap is its own: a handle it holds still reads until a slow path
    expect(seen.miss).toMatchObject({ name: 'ClosedError', code: 'ERR_CLOSED' });
    expect(seen.gc).toMatchObject({ name: 'ClosedError' });
    expect(seen.closed).toBe(true);
  });
});
