// Outsider round 2 (issue 14): many runtimes at once, as a user would hold
// them (one per tenant, per test, per document), with handles and pointers
// crossed between them by mistake. Handles name their runtime, so every
// handle API refuses another runtime's handle with ForeignPointerError and
// changes neither runtime; a pool refuses another runtime's pointer that
// falls outside its spans; closing some runtimes leaves the others working;
// the module-level functions follow setDefaultRuntime while a pool keeps
// the runtime it was made with. (An address is a number and does not name
// its runtime: one that coincides with an object of this pool is accepted,
// as docs/runtime.md says; not tested here as a failure.)
import { afterEach, describe, expect, it } from 'vitest';
import * as off from '../../src/runtime/index.js';
import {
  BadPointerError,
  ClosedError,
  createRuntime,
  FixAlloc,
  ForeignPointerError,
  heapRef,
  setDefaultRuntime,
  defaultRuntime,
  struct,
  u32,
  type HeapRef,
  type Runtime,
} from '../../src/runtime/index.js';
import { snapshot } from './helpers.js';

const Cell = struct('Cell', { ref: heapRef<{ tenant: number }>(), n: u32 });

function tenants(n: number, debug = false) {
  return Array.from({ length: n }, (_, i) => {
    const rt = createRuntime({ maxBytes: (1 + (i % 3)) << 20, debug });
    const pool = new FixAlloc(Cell, { runtime: rt });
    const p = pool.alloc();
    rt.addRoot(p, Cell);
    const h = rt.newHeapRef({ tenant: i });
    rt.access(Cell).ref.set(p, h);
    rt.access(Cell).n.set(p, i);
    return { rt, pool, p, h };
  });
}

/** Everything of a runtime a refused call must leave alone: allocators and the object heap. */
function state(rt: Runtime, pool: FixAlloc<unknown>): string {
  return `${snapshot(rt, pool)} ${JSON.stringify(rt.gcStats())}`;
}

const saved = defaultRuntime();
afterEach(() => setDefaultRuntime(saved));

describe('many runtimes at once', () => {
  it.each([false, true])('16 runtimes: each refuses every other one’s live handle in deref, pin, unpin and freeHeapRef (debug %s)', (debug) => {
    const ts = tenants(16, debug);
    const before = ts.map((t) => state(t.rt, t.pool as FixAlloc<unknown>));
    let refused = 0;
    for (const a of ts) {
      for (const b of ts) {
        if (a === b) continue;
        for (const call of [() => a.rt.deref(b.h), () => a.rt.pin(b.h), () => a.rt.unpin(b.h), () => a.rt.freeHeapRef(b.h)]) {
          expect(call).toThrow(ForeignPointerError);
          refused++;
        }
      }
    }
    expect(refused).toBe(16 * 15 * 4);
    expect(ts.map((t) => state(t.rt, t.pool as FixAlloc<unknown>))).toEqual(before);
    // The twin: each runtime's own handle works, and survives its own collection through its root.
    for (const [i, t] of ts.entries()) {
      t.rt.gc();
      expect(t.rt.deref(t.rt.access(Cell).ref.get(t.p))).toEqual({ tenant: i });
    }
  });

  it('a pool refuses another runtime’s pointer outside its spans, with nothing changed in either runtime', () => {
    const [a, b] = tenants(2);
    // b's third span: in a, the address lies in persistentalloc's chunk, past a's one pool span.
    const far = Array.from({ length: 6000 }, () => b.pool.alloc()).at(-1)!;
    const before = [state(a.rt, a.pool as FixAlloc<unknown>), state(b.rt, b.pool as FixAlloc<unknown>)];
    expect(() => a.pool.free(far)).toThrow(ForeignPointerError);
    expect(() => a.pool.free(far)).toThrow(/not in a span of this pool/);
    // Past everything a mapped: no allocator's memory.
    expect(() => a.pool.free(((2 << 20) - 8192) as never)).toThrow(BadPointerError);
    expect([state(a.rt, a.pool as FixAlloc<unknown>), state(b.rt, b.pool as FixAlloc<unknown>)]).toEqual(before);
    // The twin: b frees it.
    b.pool.free(far);
    expect(b.pool.contains(far)).toBe(true);
  });

  it('closing half of them leaves the other half working; the closed ones refuse allocation with ClosedError', () => {
    const ts = tenants(8);
    for (const t of ts.filter((_, i) => i % 2 === 1)) t.rt.close();
    for (const [i, t] of ts.entries()) {
      if (i % 2 === 1) {
        expect(() => t.pool.alloc()).toThrow(ClosedError);
        expect(() => t.rt.sysAlloc(8192)).toThrow(ClosedError);
        expect(() => new FixAlloc(Cell, { runtime: t.rt })).toThrow(ClosedError);
      } else {
        const q = t.pool.alloc();
        t.pool.free(q);
        t.rt.sysFree(t.rt.sysAlloc(8192), 8192);
        t.rt.gc();
        expect(t.rt.deref(t.h)).toEqual({ tenant: i });
      }
    }
  });

  it('module-level functions follow setDefaultRuntime; a pool keeps the runtime it was made with', () => {
    const [a, b] = tenants(2);
    setDefaultRuntime(a.rt);
    const ha = off.newHeapRef({ on: 'a' });
    const poolA = new FixAlloc(Cell); // the default runtime now: a
    setDefaultRuntime(b.rt);
    expect(() => off.deref(ha)).toThrow(ForeignPointerError);
    expect(a.rt.deref(ha)).toEqual({ on: 'a' });
    const q = poolA.alloc();
    expect(() => off.storeHeapRef(q, 0 as HeapRef<unknown>)).not.toThrow(); // q is an address in b too: a number
    poolA.free(q);
    expect(poolA.inuse).toBe(0);
    expect(b.rt.stats()).toEqual(b.rt.stats());
    off.gc();
    expect(b.rt.gcStats().cycle).toBe(1);
    expect(a.rt.gcStats().cycle).toBe(0);
  });
});

describe('another runtime’s live handle stored into this runtime’s memory (docs/runtime.md, "Limit: another runtime’s live handle stored outside debug mode")', () => {
  it('debug mode refuses the store (ForeignPointerError, value the handle), nothing changed; the twin stores its own handle', () => {
    const [a, b] = tenants(2, true);
    const before = state(a.rt, a.pool as FixAlloc<unknown>);
    const bytes = Array.from(a.rt.space.u8.subarray(a.p, a.p + Cell.size)).join(',');
    for (const store of [() => a.rt.storeHeapRef(a.p, b.h as HeapRef<never>), () => a.rt.storeHeapRefNoWB(a.p, b.h as HeapRef<never>), () => a.rt.access(Cell).ref.set(a.p, b.h)]) {
      expect(store).toThrow(expect.objectContaining({ name: 'ForeignPointerError', code: 'ERR_FOREIGN_POINTER', value: b.h, limit: 'a handle of this runtime' }) as Error);
    }
    expect(state(a.rt, a.pool as FixAlloc<unknown>)).toBe(before);
    expect(Array.from(a.rt.space.u8.subarray(a.p, a.p + Cell.size)).join(',')).toBe(bytes);
    const own = a.rt.newHeapRef({ tenant: 0 });
    a.rt.storeHeapRef(a.p, own);
    expect(a.rt.deref(a.rt.access(Cell).ref.get(a.p))).toEqual({ tenant: 0 });
  });

  it('outside debug mode the store is accepted; the error comes at the read: ForeignPointerError while b holds it, StaleHandleError after b’s gc freed it', () => {
    const [a, b] = tenants(2, false);
    const hb = b.rt.newHeapRef({ tenant: 1 }); // held by nothing of b once b collects
    const q = a.pool.alloc();
    a.rt.addRoot(q, Cell);
    a.rt.storeHeapRef(q, hb); // a rooted slot of a
    a.rt.gc(); // a's collector ignores a value it does not hold
    const read = a.rt.access(Cell).ref.get(q);
    expect(read).toBe(hb);
    expect(() => a.rt.deref(read)).toThrow(expect.objectContaining({ code: 'ERR_FOREIGN_POINTER' }) as Error);
    b.rt.gc(); // b's collector frees it: a's root is not b's
    expect(() => b.rt.deref(hb)).toThrow(expect.objectContaining({ code: 'ERR_STALE_HANDLE' }) as Error);
    expect(() => a.rt.deref(read)).toThrow(expect.objectContaining({ code: 'ERR_STALE_HANDLE' }) as Error);
    expect(a.rt.deref(a.h)).toEqual({ tenant: 0 }); // a's own objects are untouched
  });
});
