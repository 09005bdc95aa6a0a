import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  defaultRuntime,
  heapRef,
  struct,
  deref,
  ForeignPointerError,
  freeHeapRef,
  maxHeapRefs,
  MisuseError,
  newHeapRef,
  OffheapRangeError,
  setDefaultRuntime,
  StaleHandleError,
  type HeapRef,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';

function rt(debug = false): Runtime {
  return createRuntime({ maxBytes: 1 << 20, debug });
}

/** The handle table's whole state: a rejected call must leave it exactly as it was. */
function heapState(r: Runtime): string {
  const h = r.heap as unknown as Record<string, unknown>;
  return JSON.stringify({
    meta: Array.from(r.heap.meta.subarray(0, r.heap.top * 4)),
    objects: (h.objects as unknown[]).slice(0, r.heap.top * 2).map((o) => (typeof o === 'object' ? 'obj' : o)),
    top: r.heap.top,
    live: r.heap.live,
    freeHead: h.freeHead,
    mask: r.heap.mask,
  });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Runs `fn`, expects `type` with `code`, and an unchanged handle table. */
function rejects<E extends Error>(r: Runtime, fn: () => unknown, type: abstract new (...args: never[]) => E, code: string): E {
  const before = heapState(r);
  const e = thrown(fn);
  expect(e).toBeInstanceOf(type);
  expect((e as { code?: string }).code).toBe(code);
  expect(heapState(r)).toBe(before);
  return e as E;
}

describe('handle encoding', () => {
  it('handles are tag | generation | index, V8 small integers in [2^28, 2^30), distinct and never nil', () => {
    const r = rt();
    const objs = Array.from({ length: 3000 }, (_, i) => ({ i }));
    const hs = objs.map((o) => r.newHeapRef(o));
    expect(new Set(hs).size).toBe(hs.length);
    for (let i = 0; i < hs.length; i++) {
      expect(hs[i]).toBeGreaterThanOrEqual(2 ** 28); // no counter, size or address below 256 MiB is a handle
      expect(hs[i]).toBeLessThan(2 ** 30); // a V8 small integer: never boxed
      expect(hs[i] >>> 28).toBe(r.heap.tag);
      expect(r.deref(hs[i])).toBe(objs[i]);
    }
    expect(r.heap.live).toBe(3000);
    expect(r.heap.capacity).toBe(4096); // grew from 1024 slots, twice
  });

  it('runtimes take tags 1, 2, 3 in turn; another runtime\'s handle is a ForeignPointerError, state unchanged', () => {
    const a = rt();
    const b = rt();
    expect(b.heap.tag).not.toBe(a.heap.tag);
    const ha = a.newHeapRef('a');
    const hb = b.newHeapRef('b');
    expect(hb & 0xfffffff).toBe(ha & 0xfffffff); // same slot and generation: only the tag differs
    const e = rejects(a, () => a.deref(hb), ForeignPointerError, 'ERR_FOREIGN_POINTER');
    expect(e.message).toMatch(/belongs to another runtime \(tag \d; this runtime's handles carry tag \d\)/);
    expect(e.value).toBe(hb);
    rejects(a, () => a.freeHeapRef(hb), ForeignPointerError, 'ERR_FOREIGN_POINTER');
    rejects(a, () => a.pin(hb), ForeignPointerError, 'ERR_FOREIGN_POINTER');
    rejects(a, () => a.unpin(hb), ForeignPointerError, 'ERR_FOREIGN_POINTER');
    expect(a.deref(ha)).toBe('a');
    expect(b.deref(hb)).toBe('b');
  });

  it('deref of a freed handle is a StaleHandleError whose message names the handle and the fix', () => {
    const r = rt();
    const h = r.newHeapRef('x');
    r.freeHeapRef(h);
    const e = rejects(r, () => r.deref(h), StaleHandleError, 'ERR_STALE_HANDLE');
    expect(e.value).toBe(h);
    expect(e.message).toContain(String(h));
    expect(e.message).toMatch(/slot 1, generation 0.*freed or collected \(slot 1 is free\)/);
    expect(e.message).toMatch(/pin it \(pin\/unpin\) or keep it in a rooted slot \(addRoot\)/);
    rejects(r, () => r.freeHeapRef(h), StaleHandleError, 'ERR_STALE_HANDLE');
    expect(r.heap.live).toBe(0);
  });

  it('reuse is LIFO: the slot a free touched is the next one handed out, one generation (2^K) on', () => {
    const r = rt();
    const a = r.newHeapRef('a');
    const b = r.newHeapRef('b');
    r.freeHeapRef(a);
    r.freeHeapRef(b);
    const c = r.newHeapRef('c');
    const d = r.newHeapRef('d');
    expect(c).toBe(b + r.heap.capacity);
    expect(d).toBe(a + r.heap.capacity);
    expect(r.deref(c)).toBe('c');
    expect(rejects(r, () => r.deref(b), StaleHandleError, 'ERR_STALE_HANDLE').message).toMatch(/stale: slot 2 now holds .*generation 1/);
  });

  it('rejects nil, forged and out-of-range numbers with StaleHandleError; the message says why', () => {
    const r = rt();
    const h = r.newHeapRef(1);
    const why = (v: number): string => rejects(r, () => r.deref(v as HeapRef<number>), StaleHandleError, 'ERR_STALE_HANDLE').message;
    expect(why(0)).toMatch(/the nil handle/);
    expect(why(5)).toMatch(/not a handle/);
    expect(why(2 ** 30 + 1)).toMatch(/not a handle/);
    expect(why(h + 1)).toMatch(/never handed out/); // the next slot, never used
    expect(why(h + r.heap.capacity)).toMatch(/never handed out/); // a generation the slot has not reached
  });

  const malformed: [string, unknown][] = [
    ['BigInt', 2n ** 28n + 1n],
    ['Symbol', Symbol('h')],
    ['string', '268435457'],
    ['fraction', 2 ** 28 + 0.5],
    ['NaN', Number.NaN],
    ['negative', -1],
    ['2^32', 2 ** 32],
    ['object with valueOf', { valueOf: () => 2 ** 28 + 1 }],
    ['array', [2 ** 28 + 1]],
    ['undefined', undefined],
  ];
  for (const [label, v] of malformed) {
    it(`a malformed handle (${label}) is an OffheapRangeError ERR_BAD_VALUE at deref, freeHeapRef, pin and unpin, state unchanged`, () => {
      for (const debug of [false, true]) {
        const r = rt(debug);
        r.newHeapRef('keep');
        for (const call of [() => r.deref(v as HeapRef<string>), () => r.freeHeapRef(v as HeapRef<string>), () => r.pin(v as HeapRef<string>), () => r.unpin(v as HeapRef<string>)]) {
          const e = rejects(r, call, OffheapRangeError, 'ERR_BAD_VALUE');
          expect(e.message).toMatch(/h must be a HeapRef/);
          expect((e).limit).toBe(2 ** 32 - 1);
        }
      }
    });
  }

  it('refuses to free a pinned handle, state unchanged', () => {
    const r = rt();
    const h = r.newHeapRef({});
    r.pin(h);
    rejects(r, () => r.freeHeapRef(h), MisuseError, 'ERR_MISUSE');
    expect(r.heap.isLive(h)).toBe(true);
    const unpinned = r.newHeapRef('unpinned');
    rejects(r, () => r.unpin(unpinned), MisuseError, 'ERR_MISUSE');
    r.unpin(h);
    r.freeHeapRef(h);
    expect(r.heap.isLive(h)).toBe(false);
  });
});

describe('generation bound', () => {
  /** Frees and re-makes one handle `n` times; the slot is the same each time (LIFO). */
  function churn(r: Runtime, h: HeapRef<number>, n: number): HeapRef<number> {
    for (let k = 0; k < n; k++) {
      r.freeHeapRef(h);
      h = r.newHeapRef(k);
    }
    return h;
  }

  it('at 2^10 slots a slot issues 2^18 generations; the stale handle is rejected until the wrap, then (without debug) named again', () => {
    const r = rt();
    const first = r.newHeapRef(-1);
    expect(r.heap.capacity).toBe(2 ** 10);
    const reuses = 2 ** (28 - 10);
    let h = churn(r, first, reuses - 1);
    expect(h).toBe(first + (reuses - 1) * 2 ** 10); // the last generation
    expect(() => r.deref(first)).toThrow(StaleHandleError); // rejected for 2^18 - 1 reuses
    h = churn(r, h, 1); // generation wraps to 0
    expect(h).toBe(first);
    expect(r.deref(first)).toBe(0); // the documented bound: after 2^18 reuses the first handle names the slot again
  });

  it('debug mode retires the slot instead of wrapping: the stale handle is rejected for good', () => {
    const r = rt(true);
    const first = r.newHeapRef(-1);
    const reuses = 2 ** (28 - 10);
    const h = churn(r, first, reuses - 1);
    r.freeHeapRef(h);
    expect(r.heap.retired).toBe(1);
    const next = r.newHeapRef(7);
    expect(next & r.heap.mask).not.toBe(first & r.heap.mask); // another slot
    const e = rejects(r, () => r.deref(first), StaleHandleError, 'ERR_STALE_HANDLE');
    expect(e.message).toMatch(/retired: its generations ran out/);
    expect(() => r.deref(h)).toThrow(/retired/);
  });

  it('the sweep wraps or retires like freeHeapRef', () => {
    for (const debug of [false, true]) {
      const r = rt(debug);
      const first = r.newHeapRef(-1);
      const h = churn(r, first, 2 ** 18 - 1);
      r.gc(); // unrooted, unpinned: swept at its last generation
      expect(r.heap.isLive(h)).toBe(false);
      expect(r.heap.retired).toBe(debug ? 1 : 0);
      expect(r.heap.live).toBe(0);
      if (!debug) expect(r.newHeapRef(1)).toBe(first);
    }
  });
});

describe('table growth (linear hashing)', () => {
  it('keeps every live handle and every stale one stale across growth; freed slots are reused after it', () => {
    const r = rt();
    const live = new Map<number, number>();
    const dead: number[] = [];
    for (let i = 0; i < 900; i++) live.set(r.newHeapRef(i), i);
    // Churn so slots carry several generations, some odd (they move to the upper half when the table grows).
    for (let round = 0; round < 3; round++) {
      let k = 0;
      for (const h of [...live.keys()]) {
        if (k++ % 3 !== round) continue;
        r.freeHeapRef(h as HeapRef<number>);
        live.delete(h);
        dead.push(h);
        const n = r.newHeapRef(-k);
        live.set(n, -k);
      }
    }
    const cap = r.heap.capacity;
    for (let i = 0; i < 5000; i++) live.set(r.newHeapRef(10_000 + i), 10_000 + i);
    expect(r.heap.capacity).toBeGreaterThan(cap);
    for (const [h, v] of live) expect(r.deref(h as HeapRef<number>)).toBe(v);
    for (const h of dead) expect(() => r.deref(h as HeapRef<number>)).toThrow(StaleHandleError);
    expect(r.heap.live).toBe(live.size);
    const seen = new Set([...live.keys(), ...dead]);
    for (let i = 0; i < 2000; i++) {
      const h = r.newHeapRef(i);
      expect(seen.has(h)).toBe(false); // never a value handed out before
      seen.add(h);
    }
  });

  for (const phase of ['mark', 'sweep'] as const) {
    it(`growth while the collector is in its ${phase} phase keeps every reachable handle and frees the garbage`, () => {
      const r = createRuntime({ maxBytes: 1 << 20, debug: true, checkmark: true });
      const Slot = struct('Slot', { a: heapRef<{ i: number }>() });
      const block = r.sysAlloc<LayoutType<typeof Slot>>(4 * 4096);
      const acc = r.access(Slot);
      const at = (k: number) => (block + 4 * k) as Ptr<LayoutType<typeof Slot>>;
      // 1000 rooted handles, with churn so generations differ; 500 garbage handles.
      for (let k = 0; k < 1000; k++) acc.a.set(at(k), r.newHeapRef({ i: k }));
      for (let k = 0; k < 1000; k += 3) {
        r.freeHeapRef(acc.a.get(at(k)));
        acc.a.set(at(k), r.newHeapRef({ i: k }));
      }
      const garbage = Array.from({ length: 20 }, (_, k) => r.newHeapRef({ i: -k }));
      r.addRoot(block, Slot, 4096);
      r.gcStart();
      r.gcStep(r.heap.top - 1 + 300); // pins and part of the root
      if (phase === 'sweep') {
        while (r.collector.phase === 'mark') r.gcStep(1000);
        r.gcStep(200); // part of the sweep
        expect(r.collector.phase).toBe('sweep');
      }
      const cap = r.heap.capacity;
      // Growth now: 3000 more handles, stored into the root (through the barrier) or pinned.
      const pinned: HeapRef<{ i: number }>[] = [];
      for (let k = 1000; k < 4000; k++) {
        const h = r.newHeapRef({ i: k });
        if (k % 2 === 0) acc.a.set(at(k), h);
        else {
          r.pin(h);
          pinned.push(h);
        }
      }
      expect(r.heap.capacity).toBeGreaterThan(cap);
      r.gcFinish(); // checkmark on: nothing lost
      for (let k = 0; k < 4000; k += 2) expect(r.deref(acc.a.get(at(k))).i).toBe(k);
      for (let k = 1; k < 1000; k += 2) expect(r.deref(acc.a.get(at(k))).i).toBe(k);
      for (const h of pinned) expect(r.deref(h).i % 2).toBe(1);
      r.gc();
      for (const g of garbage) expect(r.heap.isLive(g)).toBe(false);
      expect(r.heap.live).toBe(1000 + 1500 + 1500);
    });
  }

  it('model: random new/free/pin/unpin/gc against a Map; no handle value is ever issued twice', () => {
    type Op = { k: 'new' } | { k: 'free'; i: number } | { k: 'pin'; i: number } | { k: 'unpin'; i: number } | { k: 'gc' } | { k: 'stale'; i: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.constant({ k: 'new' as const }), weight: 6 },
      { arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant('pin' as const), i: fc.nat() }), weight: 2 },
      { arbitrary: fc.record({ k: fc.constant('unpin' as const), i: fc.nat() }), weight: 1 },
      { arbitrary: fc.constant({ k: 'gc' as const }), weight: 1 },
      { arbitrary: fc.record({ k: fc.constant('stale' as const), i: fc.nat() }), weight: 2 },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 3000 }), (debug, ops) => {
        const r = rt(debug);
        const model = new Map<number, { v: number; pins: number }>();
        const issued = new Set<number>();
        const dead: number[] = [];
        let next = 0;
        const pick = (i: number): number | undefined => {
          if (model.size === 0) return undefined;
          const keys = [...model.keys()];
          return keys[i % keys.length];
        };
        for (const o of ops) {
          if (o.k === 'new') {
            const h = r.newHeapRef({ v: next });
            if (issued.has(h)) throw new Error(`handle ${h} issued twice`);
            issued.add(h);
            model.set(h, { v: next++, pins: 0 });
          } else if (o.k === 'free') {
            const h = pick(o.i);
            if (h === undefined) continue;
            const m = model.get(h)!;
            if (m.pins > 0) {
              expect(() => r.freeHeapRef(h as HeapRef<object>)).toThrow(MisuseError);
              continue;
            }
            r.freeHeapRef(h as HeapRef<object>);
            model.delete(h);
            dead.push(h);
          } else if (o.k === 'pin' || o.k === 'unpin') {
            const h = pick(o.i);
            if (h === undefined) continue;
            const m = model.get(h)!;
            if (o.k === 'pin') {
              r.pin(h as HeapRef<object>);
              m.pins++;
            } else if (m.pins === 0) expect(() => r.unpin(h as HeapRef<object>)).toThrow(MisuseError);
            else {
              r.unpin(h as HeapRef<object>);
              m.pins--;
            }
          } else if (o.k === 'gc') {
            r.gc(); // only pinned handles survive
            for (const [h, m] of [...model]) {
              if (m.pins === 0) {
                model.delete(h);
                dead.push(h);
              }
            }
          } else if (dead.length > 0) {
            const h = dead[o.i % dead.length];
            expect(() => r.deref(h as HeapRef<object>)).toThrow(StaleHandleError);
          }
        }
        for (const [h, m] of model) expect((r.deref(h as HeapRef<{ v: number }>)).v).toBe(m.v);
        for (const h of dead) expect(r.heap.isLive(h)).toBe(false);
        expect(r.heap.live).toBe(model.size);
        const pinned = [...model.values()].filter((m) => m.pins > 0).length;
        expect(r.heap.pinnedCount()).toBe(pinned);
        expect(r.heap.pinnedSlots).toBe(pinned); // the count the collector trusts to skip the pin table
      }),
      { numRuns: 60 },
    );
  });
});

describe('object release and module-level functions', () => {
  it('releases the object of a freed handle so V8 can reclaim it', async () => {
    setFlagsFromString('--expose-gc');
    const v8gc = runInNewContext('gc') as () => void;
    const r = rt();
    const make = (): [HeapRef<object>, WeakRef<object>] => {
      const o = { big: new Array(1000).fill(1) };
      return [r.newHeapRef(o), new WeakRef(o)];
    };
    const [h, w] = make();
    const [kept, wk] = make();
    r.freeHeapRef(h);
    await new Promise((res) => setTimeout(res, 0));
    v8gc();
    expect(w.deref()).toBeUndefined();
    expect(wk.deref()).toBe(r.deref(kept));
  });

  it('module-level newHeapRef, deref and freeHeapRef use the default runtime', () => {
    const prev = defaultRuntime();
    const r = rt();
    setDefaultRuntime(r);
    try {
      const h = newHeapRef({ v: 1 });
      expect(deref(h)).toEqual({ v: 1 });
      expect(r.heap.isLive(h)).toBe(true);
      freeHeapRef(h);
      expect(() => deref(h)).toThrow(StaleHandleError);
    } finally {
      setDefaultRuntime(prev);
    }
  });

  it('caps the table at maxHeapRefs = 2^22 - 1 (slot 0 is never used)', () => {
    expect(maxHeapRefs).toBe(2 ** 22 - 1);
  });

  it('a full table refuses newHeapRef with OffheapRangeError, state unchanged (simulated: 2^22 slots would take 4M objects)', () => {
    const r = rt();
    const h = r.newHeapRef('kept');
    const heap = r.heap as unknown as { indexBits: number; top: number; mask: number };
    heap.indexBits = 22; // as if the table had reached its largest size …
    heap.top = heap.mask + 1; // … with every slot in use and none free
    const e = rejects(r, () => r.newHeapRef('one too many'), OffheapRangeError, 'ERR_BAD_SIZE');
    expect(e.message).toMatch(/the object heap is full/);
    expect(r.deref(h)).toBe('kept');
  });
});
