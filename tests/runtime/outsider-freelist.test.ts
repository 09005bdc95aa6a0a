// Outsider round 2 (issue 14): a user's free list over a pool with `first`
// hooks, the way Go's runtime records every span it ever made (recordspan):
// a connection table whose hook roots each fresh record and registers it,
// whose records carry a HeapRef to their JS socket, and whose idle records
// are kept on the user's own list through a `next` ptr field (never freed to
// the pool until shutdown). Then the hooks a user writes when two pools
// initialise each other, and a hook that fails halfway.
import { describe, expect, it } from 'vitest';
import { createRuntime, FixAlloc, heapRef, MisuseError, ptr, struct, u32, type HeapRef, type LayoutType, type Ptr, type Runtime } from '../../src/runtime/index.js';

interface Socket {
  id: number;
}
const Conn = struct('Conn', { sock: heapRef<Socket>(), next: ptr<ConnRec>(), gen: u32 });
// An interface breaks the cycle of a record that points to its own kind (as types.test's Particle does).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
interface ConnRec extends LayoutType<typeof Conn> {}
const Buf = struct('Buf', { len: u32, cap: u32 });

/** The user's table: every record ever made is rooted by the hook; idle ones wait on the table's own list. */
function connTable(rt: Runtime) {
  const all: number[] = [];
  const pool = new FixAlloc(Conn, {
    runtime: rt,
    first: (p) => {
      rt.addRoot(p, Conn);
      all.push(p);
    },
  });
  const C = rt.access(Conn);
  let idle = 0 as Ptr<ConnRec>;
  return {
    all,
    pool,
    open(id: number): Ptr<ConnRec> {
      let p: Ptr<ConnRec>;
      if (idle !== 0) {
        p = idle;
        idle = C.next.get(p);
        C.next.set(p, 0 as Ptr<ConnRec>);
      } else p = pool.alloc();
      C.sock.set(p, rt.newHeapRef({ id }));
      C.gen.set(p, C.gen.get(p) + 1);
      return p;
    },
    close(p: Ptr<ConnRec>): void {
      const h = C.sock.get(p);
      C.sock.set(p, 0 as HeapRef<Socket>);
      rt.freeHeapRef(h);
      C.next.set(p, idle);
      idle = p;
    },
    shutdown(): void {
      for (const p of all) {
        rt.removeRoot(p as Ptr<ConnRec>);
        rt.typedmemclr(Conn, p as Ptr<ConnRec>);
        pool.free(p as Ptr<ConnRec>);
      }
      all.length = 0;
      idle = 0 as Ptr<ConnRec>;
    },
    socket(p: Ptr<ConnRec>): Socket {
      return rt.deref(C.sock.get(p));
    },
  };
}

describe('a connection table over a pool whose first hook roots every record', () => {
  it.each([false, true])('2,000 opens and closes against a model; gc in between keeps every open socket; shutdown returns everything (debug %s)', (debug) => {
    const rt = createRuntime({ maxBytes: 4 << 20, debug, checkmark: true });
    const t = connTable(rt);
    const open = new Map<number, number>(); // record -> socket id
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 2000; i++) {
      if (open.size === 0 || rnd(3) !== 0) {
        const p = t.open(i);
        expect(open.has(p)).toBe(false);
        open.set(p, i);
      } else {
        const p = [...open.keys()][rnd(open.size)];
        t.close(p as Ptr<ConnRec>);
        open.delete(p);
      }
      if (i % 250 === 0) {
        rt.gcStart();
        rt.gcStep(50);
        rt.gcFinish();
        for (const [p, id] of open) expect(t.socket(p as Ptr<ConnRec>).id).toBe(id);
      }
    }
    // Every record ever made was handed out once by the pool and rooted once by the hook.
    expect(new Set(t.all).size).toBe(t.all.length);
    expect(rt.gcStats().roots).toBe(t.all.length);
    expect(t.pool.inuse).toBe(t.all.length * t.pool.size);
    for (const p of open.keys()) t.close(p as Ptr<ConnRec>);
    t.shutdown();
    expect(t.pool.inuse).toBe(0);
    expect(rt.gcStats().roots).toBe(0);
    rt.gc();
    expect(rt.gcStats().live).toBe(0);
    expect(rt.lastLost).toEqual([]);
  });
});

describe('pools whose first hooks allocate from each other', () => {
  it('A’s hook may allocate from B; B’s hook allocating from A while A’s hook runs is MisuseError, and both pools stay usable', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    let bHookTakesA = false;
    const conns: FixAlloc<ConnRec> = new FixAlloc(Conn, {
      runtime: rt,
      first: () => {
        bufs.alloc();
      },
    });
    const bufs = new FixAlloc(Buf, {
      runtime: rt,
      first: () => {
        if (bHookTakesA) conns.alloc();
      },
    });
    const p = conns.alloc(); // A's hook takes a fresh Buf, whose hook does nothing
    expect(bufs.inuse).toBe(bufs.size);
    bHookTakesA = true;
    let caught: unknown;
    try {
      conns.alloc(); // A's hook -> B.alloc (fresh) -> B's hook -> A.alloc while A's hook runs
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    expect((caught as MisuseError).message).toMatch(/first hook/);
    // Neither object of the failed call was handed out: the next calls give the same addresses, once each.
    expect(conns.inuse).toBe(conns.size);
    expect(bufs.inuse).toBe(bufs.size);
    expect(conns.snapshot().corrupt).toBe(false);
    expect(bufs.snapshot().corrupt).toBe(false);
    bHookTakesA = false;
    const q = conns.alloc();
    expect(q).not.toBe(p);
    expect(conns.inuse).toBe(2 * conns.size);
    expect(bufs.inuse).toBe(2 * bufs.size);
    conns.free(q);
    conns.free(p);
    expect(conns.inuse).toBe(0);
  });

  it('a hook that roots its record and then fails leaves the root behind: the next alloc’s hook gets MisuseError from addRoot', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    let fail = true;
    const pool = new FixAlloc(Conn, {
      runtime: rt,
      first: (p) => {
        rt.addRoot(p, Conn);
        if (fail) throw new Error('init failed');
      },
    });
    expect(() => pool.alloc()).toThrow('init failed');
    fail = false;
    // The address was not handed out, so it comes again, and the hook's addRoot finds its own leftover root.
    expect(() => pool.alloc()).toThrow(MisuseError);
    expect(pool.inuse).toBe(0);
  });

  it('the twin: a hook that undoes its root when it fails; the retry gets the same address and succeeds', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    let fail = true;
    const pool = new FixAlloc(Conn, {
      runtime: rt,
      first: (p) => {
        rt.addRoot(p, Conn);
        try {
          if (fail) throw new Error('init failed');
        } catch (e) {
          rt.removeRoot(p);
          throw e;
        }
      },
    });
    let tried = 0;
    expect(() => {
      tried++;
      pool.alloc();
    }).toThrow('init failed');
    fail = false;
    const p = pool.alloc();
    expect(tried).toBe(1);
    expect(rt.gcStats().roots).toBe(1);
    expect(pool.contains(p)).toBe(true);
  });
});
