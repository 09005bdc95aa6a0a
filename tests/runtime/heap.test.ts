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
import { metaWords, ObjectHeap, type HandleSource } from '../../src/runtime/heap.js';
import { stateOf } from '../../src/runtime/runtime.js';

function rt(debug = false): Runtime {
  return createRuntime({ maxBytes: 1 << 20, debug });
}

/** The handle table's whole state: a rejected call must leave it exactly as it was. */
function heapState(r: Runtime): string {
  const h = stateOf(r).heap as unknown as Record<string, unknown>;
  return JSON.stringify({
    meta: Array.from(stateOf(r).heap.meta.subarray(0, stateOf(r).heap.top * metaWords)),
    pins: Array.from(stateOf(r).heap.pinCounts.subarray(0, stateOf(r).heap.top)),
    liveBits: Array.from(stateOf(r).heap.liveBits),
    objects: (h.objects as unknown[]).slice(0, stateOf(r).heap.top * 2).map((o) => (typeof o === 'object' ? 'obj' : o)),
    top: stateOf(r).heap.top,
    live: stateOf(r).heap.live,
    freeHead: h.freeHead,
    mask: stateOf(r).heap.mask,
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
  it('handles are V8 small integers in [2^28, 2^30), distinct and never nil; handle h lives in slot h & mask', () => {
    const r = rt();
    const objs = Array.from({ length: 3000 }, (_, i) => ({ i }));
    const hs = objs.map((o) => r.newHeapRef(o));
    expect(new Set(hs).size).toBe(hs.length);
    for (let i = 0; i < hs.length; i++) {
      expect(hs[i]).toBeGreaterThanOrEqual(2 ** 28); // no counter, size or address below 256 MiB is a handle
      expect(hs[i]).toBeLessThan(2 ** 30); // a V8 small integer: never boxed
      expect(stateOf(r).heap.meta[(hs[i] & stateOf(r).heap.mask) * metaWords]).toBe(hs[i]);
      expect(r.deref(hs[i])).toBe(objs[i]);
    }
    expect(stateOf(r).heap.live).toBe(3000);
    expect(stateOf(r).heap.capacity).toBe(8192); // grew from 1024 slots three times: at most half the slots are live
  });

  it('a runtime takes consecutive values from the source, passing over values whose slot is live', () => {
    const r = rt();
    const a = r.newHeapRef('a');
    const b = r.newHeapRef('b');
    expect(b).toBe(a + 1);
    r.freeHeapRef(a);
    const c = r.newHeapRef('c'); // not a's slot again: the next value
    expect(c).toBe(b + 1);
    expect(() => r.deref(a)).toThrow(StaleHandleError);
    // Values whose slot is still live are passed over: one lap of the table on, b's slot is skipped.
    const mask = stateOf(r).heap.mask;
    const issued: number[] = [];
    while (issued.length === 0 || issued[issued.length - 1] <= b + stateOf(r).heap.capacity) {
      const h = r.newHeapRef('x');
      issued.push(h);
      r.freeHeapRef(h);
    }
    expect(issued).not.toContain(b + stateOf(r).heap.capacity);
    for (const h of issued) expect(h & mask).not.toBe(b & mask);
    expect(r.deref(b)).toBe('b');
  });

  it("another runtime's live handle is a ForeignPointerError for runtimes made any number apart, state unchanged", () => {
    for (const debug of [false, true]) {
      const rs = Array.from({ length: 12 }, () => rt(debug));
      const hs = rs.map((r, k) => r.newHeapRef(`r${k}`));
      expect(new Set(hs).size).toBe(rs.length); // one source: no two runtimes hold the same value
      for (let a = 0; a < rs.length; a++) {
        for (let b = 0; b < rs.length; b++) {
          if (a === b) continue;
          const e = rejects(rs[a], () => rs[a].deref(hs[b]), ForeignPointerError, 'ERR_FOREIGN_POINTER');
          expect(e.message).toMatch(/belongs to another runtime/);
          expect(e.value).toBe(hs[b]);
        }
      }
      const [a, b] = [rs[0], rs[7]];
      rejects(a, () => a.freeHeapRef(hs[7]), ForeignPointerError, 'ERR_FOREIGN_POINTER');
      rejects(a, () => a.pin(hs[7]), ForeignPointerError, 'ERR_FOREIGN_POINTER');
      rejects(a, () => a.unpin(hs[7]), ForeignPointerError, 'ERR_FOREIGN_POINTER');
      expect(a.deref(hs[0])).toBe('r0');
      expect(b.deref(hs[7])).toBe('r7');
      // A freed handle of another runtime names nothing here either (StaleHandleError: no runtime holds it).
      b.freeHeapRef(hs[7]);
      rejects(a, () => a.deref(hs[7]), StaleHandleError, 'ERR_STALE_HANDLE');
    }
  });

  it('deref of a freed handle is a StaleHandleError whose message names the handle and the fix', () => {
    const r = rt();
    const h = r.newHeapRef('x');
    r.freeHeapRef(h);
    const e = rejects(r, () => r.deref(h), StaleHandleError, 'ERR_STALE_HANDLE');
    expect(e.value).toBe(h);
    expect(e.message).toContain(String(h));
    expect(e.message).toMatch(/slot (\d+)\).*freed or collected \(slot \1 is free\)/);
    expect(e.message).toMatch(/pin it \(pin\/unpin\) or keep it in a rooted slot \(addRoot\)/);
    rejects(r, () => r.freeHeapRef(h), StaleHandleError, 'ERR_STALE_HANDLE');
    expect(stateOf(r).heap.live).toBe(0);
  });

  it('a stale handle whose slot holds a newer object says so', () => {
    const r = rt();
    const a = r.newHeapRef('a');
    r.freeHeapRef(a);
    let h = r.newHeapRef('b');
    while ((h & stateOf(r).heap.mask) !== (a & stateOf(r).heap.mask)) {
      r.freeHeapRef(h);
      h = r.newHeapRef('b');
    }
    expect(h - a).toBe(stateOf(r).heap.capacity); // one lap of the table later
    expect(rejects(r, () => r.deref(a), StaleHandleError, 'ERR_STALE_HANDLE').message).toMatch(/stale: slot \d+ now holds /);
  });

  it('rejects nil, forged and out-of-range numbers with StaleHandleError; the message says why', () => {
    const r = rt();
    const h = r.newHeapRef(1);
    const why = (v: number): string => rejects(r, () => r.deref(v as HeapRef<number>), StaleHandleError, 'ERR_STALE_HANDLE').message;
    expect(why(0)).toMatch(/the nil handle/);
    expect(why(5)).toMatch(/not a handle/);
    expect(why(2 ** 30 + 1)).toMatch(/not a handle/);
    expect(why(h + 1)).toMatch(/never handed out/); // the next value, not issued yet
    expect(why(h + stateOf(r).heap.capacity)).toMatch(/never handed out/); // h's slot, a value not reached
    expect(why(h + 2 ** 24)).toMatch(/never handed out/); // a block this runtime never took
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

  it('a negative number equal to a free slot\'s marker is not a handle', () => {
    const r = rt();
    const h = r.newHeapRef('x');
    r.freeHeapRef(h);
    expect(stateOf(r).heap.meta[(h & stateOf(r).heap.mask) * metaWords]).toBe(~h); // the free marker
    rejects(r, () => r.freeHeapRef(~h as HeapRef<string>), OffheapRangeError, 'ERR_BAD_VALUE');
    expect(stateOf(r).heap.isLive(~h)).toBe(false);
  });

  it('refuses to free a pinned handle, state unchanged', () => {
    const r = rt();
    const h = r.newHeapRef({});
    r.pin(h);
    rejects(r, () => r.freeHeapRef(h), MisuseError, 'ERR_MISUSE');
    expect(stateOf(r).heap.isLive(h)).toBe(true);
    const unpinned = r.newHeapRef('unpinned');
    rejects(r, () => r.unpin(unpinned), MisuseError, 'ERR_MISUSE');
    r.unpin(h);
    r.freeHeapRef(h);
    expect(stateOf(r).heap.isLive(h)).toBe(false);
  });
});

/**
 * A handle source for tests: blocks of `size` values, `span` blocks a lap, block k at base + offset + k·stride.
 * base is 2^29 + 2^28, values the process-wide source reaches only after 2^17 blocks, so no runtime of
 * this file holds them (it would be another runtime's handle, rightly a ForeignPointerError).
 */
function testSource(size: number, span: number, stride = size, offset = 0): HandleSource & { serial: number } {
  return {
    size,
    span,
    serial: 0,
    take() {
      return 2 ** 29 + 2 ** 28 + offset + (this.serial++ % span) * stride;
    },
  };
}

describe('generation bound: no value is issued twice within a lap of the source', () => {
  it('a stale handle stays rejected through 2^16 + 1 reuses of its slot, in both modes (a source whose every value lands in one slot)', () => {
    for (const debug of [false, true]) {
      const r = rt(debug);
      // One value a block, each 2^10 apart: every value lands in one slot (5 or 6) of a 1024-slot table.
      const heap = new ObjectHeap(stateOf(r), testSource(1, 2 ** 18, 2 ** 10, debug ? 5 : 6));
      const first = heap.alloc('first');
      const slot = first & heap.mask;
      heap.free(first);
      const seen = new Set<number>([first]);
      let h = 0;
      const reuses = 2 ** 16 + 1;
      for (let k = 0; k < reuses; k++) {
        h = heap.alloc(k);
        expect(h & heap.mask).toBe(slot); // the same slot, reused
        expect(seen.has(h)).toBe(false); // a value never issued before
        seen.add(h);
        if ((k & 0x3fff) === 0) expect(() => heap.get(first)).toThrow(StaleHandleError);
        heap.free(h);
      }
      expect(seen.size).toBe(reuses + 1);
      expect(heap.isLive(first)).toBe(false);
      expect(() => heap.get(first)).toThrow(StaleHandleError);
      expect(() => heap.get(h)).toThrow(StaleHandleError);
    }
  });

  it('past a lap of the source, debug mode refuses newHeapRef (state unchanged); without debug the values start over', () => {
    for (const debug of [false, true]) {
      const r = rt(debug);
      const src = testSource(4, 8, 4, (debug ? 2 ** 21 : 2 ** 20) + 4); // a lap: 8 blocks of 4 values (none in slot 0, which is never used)
      const heap = new ObjectHeap(stateOf(r), src);
      const firstLap: number[] = [];
      for (let k = 0; k < 32; k++) {
        const h = heap.alloc(k);
        firstLap.push(h);
        heap.free(h);
      }
      expect(new Set(firstLap).size).toBe(32);
      if (debug) {
        const before = JSON.stringify({ meta: Array.from(heap.meta), pins: Array.from(heap.pinCounts), live: heap.live, serial: src.serial });
        const e = thrown(() => heap.alloc('one too many'));
        expect(e).toBeInstanceOf(OffheapRangeError);
        expect((e as OffheapRangeError).message).toMatch(/debug mode issues each handle value once/);
        expect(JSON.stringify({ meta: Array.from(heap.meta), pins: Array.from(heap.pinCounts), live: heap.live, serial: src.serial })).toBe(before);
        expect(() => heap.get(firstLap[0])).toThrow(StaleHandleError);
      } else {
        expect(heap.alloc('again')).toBe(firstLap[0]); // the documented bound: a value comes back after a lap
      }
    }
  });

  it("a handle whose block the source says another runtime took is a ForeignPointerError (a shared space's source); without that answer, StaleHandleError", () => {
    for (const answer of [true, false]) {
      const r = rt();
      const base = 2 ** 29 + 2 ** 28 + (answer ? 2 ** 22 : 2 ** 23);
      const src: HandleSource & { serial: number } = {
        size: 16,
        span: 1024,
        serial: 0,
        take() {
          return base + 16 * this.serial++;
        },
        issued: (h) => answer && h >= base && h < base + 16 * src.serial,
      };
      const mine = new ObjectHeap(stateOf(r), src);
      const theirs = new ObjectHeap(stateOf(r), src); // stands for another thread's runtime (its heap is not in this process's list as a live owner)
      const h = theirs.alloc('theirs');
      theirs.free(h); // not live anywhere here: only the source knows it was issued
      const kept = mine.alloc('mine');
      const e = thrown(() => mine.get(h));
      expect(e).toBeInstanceOf(answer ? ForeignPointerError : StaleHandleError);
      if (answer) expect((e as Error).message).toMatch(/another runtime of this shared space/);
      expect(mine.get(kept)).toBe('mine');
      expect(mine.live).toBe(1);
    }
  });

  it('a source giving a block outside [2^28, 2^30) is a MisuseError', () => {
    const r = rt();
    const heap = new ObjectHeap(stateOf(r), { size: 4, span: 8, serial: 0, take: () => 2 ** 30 - 2 });
    expect(() => heap.alloc('x')).toThrow(MisuseError);
    expect(heap.live).toBe(0);
  });

  it('counter: values consumed stay within allocations + live slots passed over (at most one per allocation on average at half load)', () => {
    const r = rt();
    const heap = new ObjectHeap(stateOf(r), testSource(2 ** 12, 2 ** 16, 2 ** 12, 2 ** 24)); // like the process source, but private
    const live: number[] = [];
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let k = 0; k < 500; k++) live.push(heap.alloc(k)); // just under half of 1024 slots
    const start = live[0];
    let allocs = 500;
    for (let k = 0; k < 200_000; k++) {
      const j = rand(live.length);
      heap.free(live[j]);
      live[j] = heap.alloc(k);
      allocs++;
    }
    const consumed = Math.max(...live) + 1 - start;
    expect(heap.capacity).toBe(1024);
    expect(consumed).toBeGreaterThanOrEqual(allocs);
    expect(consumed).toBeLessThanOrEqual(2 * allocs); // live/free = 500/524 passed over per allocation, on average
  });

  it('the sweep frees like freeHeapRef: a swept handle stays stale while its slot is reused', () => {
    for (const debug of [false, true]) {
      const r = rt(debug);
      const h = r.newHeapRef(-1);
      r.gc(); // unrooted, unpinned: swept
      expect(stateOf(r).heap.isLive(h)).toBe(false);
      expect(stateOf(r).heap.live).toBe(0);
      for (let k = 0; k < 3 * stateOf(r).heap.capacity; k++) r.freeHeapRef(r.newHeapRef(k)); // h's slot is reused three times
      expect(() => r.deref(h)).toThrow(StaleHandleError);
    }
  });
});

describe('slot metadata: two words per slot and the live bitmap', () => {
  /** Every live slot's bit is set once syncLive has run, and slot 0's never is. */
  function checkLiveBits(heap: ObjectHeap): void {
    heap.syncLive();
    expect(heap.liveBits[0] & 1).toBe(0);
    for (let i = 1; i < heap.top; i++) {
      if (heap.meta[i * metaWords] > 0 && ((heap.liveBits[i >>> 5] >>> (i & 31)) & 1) === 0) throw new Error(`slot ${i} is live without its bit`);
    }
  }

  it('the sweep frees exactly the live unmarked slots, across block changes, wrap-around and growth (random churn against a model)', () => {
    // Blocks of 2048 values, 5 blocks apart: at 1024 slots a block covers the table twice, and a sync in the middle of a
    // block (each sweep) sets a range of slots that wraps around the table's end.
    const random = (() => {
      let a = 0x2545f491;
      return () => ((a = (Math.imul(a, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
    })();
    for (const debug of [false, true]) {
      const heap = new ObjectHeap(stateOf(rt(debug)), testSource(2048, 2 ** 8, 2048 * 5, 2048 * 3));
      const live = new Set<number>();
      let cycle = 0;
      for (let op = 0; op < 12_000; op++) {
        const x = random();
        if (x < 0.7 || live.size === 0) live.add(heap.alloc(op));
        else if (x < 0.995) {
          const h = [...live][Math.floor(random() * live.size)];
          heap.free(h);
          live.delete(h);
        } else {
          // A sweep with a random part of the live handles marked (what a mark phase leaves).
          cycle++;
          const kept = new Set([...live].filter(() => random() < 0.9));
          for (const h of kept) heap.meta[(h & heap.mask) * metaWords + 1] = cycle << 1;
          const freed = heap.sweep(1, heap.top, cycle);
          expect(freed).toBe(live.size - kept.size);
          for (const h of live) expect(heap.isLive(h)).toBe(kept.has(h));
          live.clear();
          for (const h of kept) live.add(h);
        }
        if (op % 500 === 0) checkLiveBits(heap);
      }
      expect(heap.live).toBe(live.size);
      expect(heap.capacity).toBeGreaterThanOrEqual(2048); // grew at least once
      checkLiveBits(heap);
    }
  });

  it("a free slot's marker (~h, negative) is not a handle: deref, freeHeapRef, pin and unpin reject it, state unchanged", () => {
    for (const debug of [false, true]) {
      const r = rt(debug);
      const h = r.newHeapRef({ v: 1 });
      r.freeHeapRef(h);
      expect(stateOf(r).heap.meta[(h & stateOf(r).heap.mask) * metaWords]).toBe(~h); // the marker a value compare could match
      const before = heapState(r);
      for (const call of [() => r.deref(~h as HeapRef<unknown>), () => r.freeHeapRef(~h as HeapRef<unknown>), () => r.pin(~h as HeapRef<unknown>), () => r.unpin(~h as HeapRef<unknown>)]) {
        const e = thrown(call);
        expect(e).toBeInstanceOf(OffheapRangeError);
        expect((e as OffheapRangeError).code).toBe('ERR_BAD_VALUE');
      }
      expect(heapState(r)).toBe(before);
    }
  });

  it('newHeapRef stores the slot alike on every path (the next value, a new block, a live slot passed over, growth): marked with the cycle while one runs, unmarked otherwise', () => {
    for (const marking of [false, true]) {
      const r = rt(true);
      // First the opposite state's mark words in every slot the loop reuses: a path that skipped the mark word would show.
      if (!marking) r.gcStart();
      for (let k = 0; k < 4096; k++) r.freeHeapRef(r.newHeapRef({ i: -1 }));
      if (!marking) r.gcFinish();
      if (marking) r.gcStart(); // stays marking: no step runs, so every handle made now is allocated black
      const epoch = marking ? stateOf(r).collector.stats().cycle : 0;
      const kept: HeapRef<{ i: number }>[] = [];
      let prev = 0;
      let cap = stateOf(r).heap.capacity;
      const seen = { blocks: 0, passed: 0, grew: 0 };
      for (let k = 0; k < 3 * 4096; k++) {
        const h = r.newHeapRef({ i: k });
        const block = Math.floor((h - 0x10000000) / 4096);
        if (prev !== 0 && block !== Math.floor((prev - 0x10000000) / 4096)) seen.blocks++;
        else if (prev !== 0 && h !== prev + 1) seen.passed++;
        if (stateOf(r).heap.capacity !== cap) {
          seen.grew++;
          cap = stateOf(r).heap.capacity;
        }
        prev = h;
        const m = (h & stateOf(r).heap.mask) * metaWords;
        expect(stateOf(r).heap.meta[m]).toBe(h);
        expect(stateOf(r).heap.meta[m + 1]).toBe(epoch << 1);
        expect(r.deref(h).i).toBe(k);
        // Every third handle kept (700 of them: the table grows past 1024 slots), so the cursor meets live slots.
        if (k % 3 === 0 && kept.length < 700) kept.push(h);
        else r.freeHeapRef(h);
      }
      expect(seen.blocks).toBeGreaterThan(0);
      expect(seen.passed).toBeGreaterThan(0);
      expect(seen.grew).toBeGreaterThan(0);
      // Nothing roots or pins the kept handles: a cycle running at their allocation keeps them (black), the next frees them.
      if (marking) {
        r.gcFinish();
        for (const h of kept) expect(stateOf(r).heap.isLive(h)).toBe(true);
      }
      r.gc();
      for (const h of kept) expect(stateOf(r).heap.isLive(h)).toBe(false);
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
    const cap = stateOf(r).heap.capacity;
    for (let i = 0; i < 5000; i++) live.set(r.newHeapRef(10_000 + i), 10_000 + i);
    expect(stateOf(r).heap.capacity).toBeGreaterThan(cap);
    for (const [h, v] of live) expect(r.deref(h as HeapRef<number>)).toBe(v);
    for (const h of dead) expect(() => r.deref(h as HeapRef<number>)).toThrow(StaleHandleError);
    expect(stateOf(r).heap.live).toBe(live.size);
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
      r.gcStep(stateOf(r).heap.top - 1 + 300); // pins and part of the root
      if (phase === 'sweep') {
        while (stateOf(r).collector.phase === 'mark') r.gcStep(1000);
        r.gcStep(200); // part of the sweep
        expect(stateOf(r).collector.phase).toBe('sweep');
      }
      const cap = stateOf(r).heap.capacity;
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
      expect(stateOf(r).heap.capacity).toBeGreaterThan(cap);
      r.gcFinish(); // checkmark on: nothing lost
      for (let k = 0; k < 4000; k += 2) expect(r.deref(acc.a.get(at(k))).i).toBe(k);
      for (let k = 1; k < 1000; k += 2) expect(r.deref(acc.a.get(at(k))).i).toBe(k);
      for (const h of pinned) expect(r.deref(h).i % 2).toBe(1);
      r.gc();
      for (const g of garbage) expect(stateOf(r).heap.isLive(g)).toBe(false);
      expect(stateOf(r).heap.live).toBe(1000 + 1500 + 1500);
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
        for (const h of dead) expect(stateOf(r).heap.isLive(h)).toBe(false);
        expect(stateOf(r).heap.live).toBe(model.size);
        const pinned = [...model.values()].filter((m) => m.pins > 0).length;
        expect(stateOf(r).heap.pinnedCount()).toBe(pinned);
        expect(stateOf(r).heap.pinnedSlots).toBe(pinned); // the count the collector trusts to skip the pin table
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

  it('a runtime dropped inside the synchronous job that made it can be collected at once (no WeakRef to it keeps it for the job)', async () => {
    setFlagsFromString('--expose-gc');
    const v8gc = runInNewContext('gc') as () => void;
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((what) => collected.push(what));
    const make = (): void => {
      const r = rt();
      const o = { big: new Array(1000).fill(1) };
      r.newHeapRef(o);
      registry.register(o, 'object of a dropped runtime');
      registry.register(r, 'runtime');
    };
    make(); // then, in the same job, a full collection: before, the heap list's WeakRef kept the runtime to the job's end
    v8gc();
    for (let k = 0; k < 20 && collected.length < 2; k++) await new Promise((res) => setTimeout(res, 5));
    expect(collected.sort()).toEqual(['object of a dropped runtime', 'runtime']);
    // Another runtime's handle is still recognised through the table entries.
    const a = rt();
    const b = rt();
    expect(() => b.deref(a.newHeapRef({}))).toThrow(ForeignPointerError);
  });

  it('module-level newHeapRef, deref and freeHeapRef use the default runtime', () => {
    const prev = defaultRuntime();
    const r = rt();
    setDefaultRuntime(r);
    try {
      const h = newHeapRef({ v: 1 });
      expect(deref(h)).toEqual({ v: 1 });
      expect(stateOf(r).heap.isLive(h)).toBe(true);
      freeHeapRef(h);
      expect(() => deref(h)).toThrow(StaleHandleError);
    } finally {
      setDefaultRuntime(prev);
    }
  });

  it('caps the table at maxHeapRefs = 2^22 live handles (half of the largest table, 2^23 slots)', () => {
    expect(maxHeapRefs).toBe(2 ** 22);
  });

  it('a full table refuses newHeapRef with OffheapRangeError, state unchanged (simulated: 2^22 slots would take 4M objects)', () => {
    const r = rt();
    const h = r.newHeapRef('kept');
    const heap = stateOf(r).heap as unknown as { indexBits: number; growAt: number; live: number };
    heap.indexBits = 23; // as if the table had reached its largest size …
    heap.growAt = heap.live; // … with half its slots live
    const e = rejects(r, () => r.newHeapRef('one too many'), OffheapRangeError, 'ERR_BAD_SIZE');
    expect(e.message).toMatch(/the object heap is full/);
    expect(r.deref(h)).toBe('kept');
  });
});
