/// <reference lib="esnext.disposable" />
// Outsider round 2 (issue 14): what a user who did not write the runtime
// builds first around its handles and pool objects, an RAII wrapper.
// - `using` with a lease class whose [Symbol.dispose] unroots, clears and
//   frees a pool record holding a HeapRef. Found: freeing a record that is
//   still a root was accepted even in debug mode; the free-list link
//   overwrote its first word (here its HeapRef slot), so the collector freed
//   the object the record named and went on scanning a free object. Debug
//   mode now refuses it (MisuseError, nothing changed); the twin disposes in
//   the right order.
// - A FinalizationRegistry wrapper around pinned handles: the cleanup runs
//   whenever V8 decides, so it is called here at the moments that matter
//   (mid-mark, after close) as well as by a real collection.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  DoubleFreeError,
  FixAlloc,
  heapRef,
  MisuseError,
  StaleHandleError,
  struct,
  u32,
  type HeapRef,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { snapshot } from './helpers.js';

interface Owner {
  name: string;
}
const Job = struct('Job', { owner: heapRef<Owner>(), n: u32 });
type JobRec = LayoutType<typeof Job>;

/** A record rooted for the lease's life, naming its owner through a HeapRef. */
class JobLease implements Disposable {
  readonly p: Ptr<JobRec>;
  readonly h: HeapRef<Owner>;
  #done = false;

  constructor(
    readonly rt: Runtime,
    readonly pool: FixAlloc<JobRec>,
    owner: Owner,
    readonly order: 'unroot first' | 'free first' = 'unroot first',
  ) {
    this.p = pool.alloc();
    rt.addRoot(this.p, Job);
    this.h = rt.newHeapRef(owner);
    rt.access(Job).owner.set(this.p, this.h);
  }

  get owner(): Owner {
    return this.rt.deref(this.rt.access(Job).owner.get(this.p));
  }

  [Symbol.dispose](): void {
    if (this.#done) return;
    if (this.order === 'unroot first') {
      this.rt.removeRoot(this.p);
      this.rt.typedmemclr(Job, this.p);
      this.pool.free(this.p);
    } else {
      this.pool.free(this.p);
      this.rt.removeRoot(this.p);
    }
    this.#done = true;
  }
}

describe('a using lease over a pool record and a handle', () => {
  it.each([false, true])('keeps the owner alive inside the block and gives everything back at its end (debug %s)', (debug) => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug, checkmark: true });
    const pool = new FixAlloc(Job, { runtime: rt });
    let h = 0 as HeapRef<Owner>;
    {
      using lease = new JobLease(rt, pool, { name: 'a' });
      h = lease.h;
      rt.gc();
      expect(lease.owner).toEqual({ name: 'a' });
      expect(pool.inuse).toBe(pool.size);
      expect(rt.gcStats().roots).toBe(1);
    }
    expect(pool.inuse).toBe(0);
    expect(rt.gcStats().roots).toBe(0);
    rt.gc();
    expect(() => rt.deref(h)).toThrow(StaleHandleError);
    expect(rt.lastLost).toEqual([]);
  });

  it('an exception in the block still disposes, and the exception is the one the block threw', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Job, { runtime: rt });
    const boom = new Error('boom');
    expect(() => {
      using lease = new JobLease(rt, pool, { name: 'b' });
      void lease;
      throw boom;
    }).toThrow(boom);
    expect(pool.inuse).toBe(0);
    expect(rt.gcStats().roots).toBe(0);
  });

  it('leases in a loop reuse one record; disposing twice does nothing the second time', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Job, { runtime: rt });
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      using lease = new JobLease(rt, pool, { name: `j${i}` });
      seen.add(lease.p);
      lease[Symbol.dispose]();
    }
    expect(seen.size).toBe(1);
    rt.gc();
    expect(rt.gcStats().live).toBe(0);
  });

  it('debug mode refuses freeing a record that is still a root (MisuseError, nothing changed)', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
    const pool = new FixAlloc(Job, { runtime: rt });
    const lease = new JobLease(rt, pool, { name: 'c' }, 'free first');
    const before = snapshot(rt, pool as FixAlloc<unknown>);
    let caught: unknown;
    try {
      lease[Symbol.dispose]();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    expect((caught as MisuseError).message).toMatch(/registered root.*removeRoot it before freeing/);
    expect((caught as MisuseError).value).toBe(lease.p);
    expect(snapshot(rt, pool as FixAlloc<unknown>)).toBe(before);
    // The record and its owner are intact: the collector keeps the owner.
    rt.gc();
    expect(lease.owner).toEqual({ name: 'c' });
  });

  it('the twin: the same record freed after removeRoot is accepted, and a second free is a double free', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const pool = new FixAlloc(Job, { runtime: rt });
    const lease = new JobLease(rt, pool, { name: 'd' });
    lease[Symbol.dispose]();
    expect(pool.inuse).toBe(0);
    expect(() => pool.free(lease.p)).toThrow(DoubleFreeError);
  });
});

describe('a FinalizationRegistry wrapper around pinned handles', () => {
  /** A JS object that keeps its HeapRef pinned; when it is collected, the registry unpins and frees the handle. */
  function wrappers(rt: Runtime) {
    const cleanups: (() => void)[] = [];
    const cleanup = (h: HeapRef<Owner>): void => {
      if (rt.closed) return; // close() released every object; the handle is gone with them
      rt.unpin(h);
      rt.freeHeapRef(h);
    };
    const registry = new FinalizationRegistry<HeapRef<Owner>>(cleanup);
    const wrap = (owner: Owner): { h: HeapRef<Owner>; get(): Owner } => {
      const h = rt.newHeapRef(owner);
      rt.pin(h);
      const w = { h, get: () => rt.deref(h) };
      registry.register(w, h);
      cleanups.push(() => cleanup(h));
      return w;
    };
    return { wrap, cleanups, registry };
  }

  it('a cleanup that runs in the middle of an incremental mark loses nothing and frees its handle', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, checkmark: true });
    const { wrap, cleanups } = wrappers(rt);
    const kept = Array.from({ length: 20 }, (_, i) => wrap({ name: `k${i}` }));
    const dropped = Array.from({ length: 20 }, (_, i) => wrap({ name: `d${i}` }));
    rt.gcStart();
    rt.gcStep(5);
    for (const c of cleanups.slice(20)) c(); // the dropped wrappers' cleanups, as V8 might run them now
    rt.gcFinish(); // checkmark: LostObjectError if the mark lost a kept one
    for (const [i, w] of kept.entries()) expect(w.get()).toEqual({ name: `k${i}` });
    for (const w of dropped) expect(() => w.get()).toThrow(StaleHandleError);
    expect(rt.gcStats().live).toBe(20);
  });

  it('a cleanup after close: close released the objects; unpin and free are refused (ClosedError), so the cleanup checks rt.closed', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const { wrap, cleanups } = wrappers(rt);
    const w = wrap({ name: 'late' });
    expect(w.get()).toEqual({ name: 'late' });
    rt.close();
    expect(() => cleanups[0]()).not.toThrow(); // the wrapper's cleanup returns when the runtime is closed
    // The same cleanup without the check: the runtime refuses, naming the member.
    expect(() => rt.unpin(w.h)).toThrow(expect.objectContaining({ name: 'ClosedError', code: 'ERR_CLOSED', value: 'unpin', limit: 'an open runtime' }) as Error);
    expect(() => rt.freeHeapRef(w.h)).toThrow(expect.objectContaining({ name: 'ClosedError', code: 'ERR_CLOSED', value: 'freeHeapRef' }) as Error);
    expect(() => w.get()).toThrow(expect.objectContaining({ name: 'ClosedError', value: 'deref' }) as Error);
    expect(rt.gcStats().live).toBe(0);
  });

  it('a real collection runs the cleanup: the handle is freed and the object heap is empty', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const { wrap, registry } = wrappers(rt);
    const handles: number[] = [];
    (() => {
      for (let i = 0; i < 10; i++) handles.push(wrap({ name: `w${i}` }).h);
    })();
    rt.gc();
    expect(rt.gcStats().live).toBe(10); // pinned
    // Cleanups run as a task after a V8 collection; a bounded wait (a count of turns, not a time limit on the result).
    let freed = 0;
    for (let turn = 0; turn < 200 && freed < handles.length; turn++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 5));
      freed = handles.filter((h) => {
        try {
          rt.deref(h as HeapRef<Owner>);
          return false;
        } catch {
          return true;
        }
      }).length;
    }
    expect(freed).toBe(handles.length);
    rt.gc();
    expect(rt.gcStats().live).toBe(0);
    void registry;
  });
});
