// Outsider round 2 (issue 14): a program nobody here wrote, from the README and
// docs/runtime.md: a generic typed cache keyed by string that holds HeapRefs
// in a JS Map across incremental gc cycles, pinning what it holds, with
// entries added and dropped and a root block added and removed mid-mark.
import { describe, expect, it } from 'vitest';
import { createRuntime, heapRef, StaleHandleError, struct, type HeapRef, type LayoutType, type Runtime } from '../../src/runtime/index.js';

/** The cache as a user would write it: pins what it holds, unpins what it drops. */
class HandleCache<V> {
  private readonly map = new Map<string, HeapRef<V>>();
  constructor(private readonly rt: Runtime) {}
  set(key: string, value: V): HeapRef<V> {
    this.drop(key);
    const h = this.rt.newHeapRef(value);
    this.rt.pin(h);
    this.map.set(key, h);
    return h;
  }
  get(key: string): V | undefined {
    const h = this.map.get(key);
    return h === undefined ? undefined : this.rt.deref(h);
  }
  handle(key: string): HeapRef<V> | undefined {
    return this.map.get(key);
  }
  drop(key: string): void {
    const h = this.map.get(key);
    if (h === undefined) return;
    this.map.delete(key);
    this.rt.unpin(h);
  }
  get size(): number {
    return this.map.size;
  }
}

const Slot = struct('Slot', { ref: heapRef<{ n: number }>() });

describe('a string-keyed cache of pinned HeapRefs across incremental cycles', () => {
  it('keeps every held entry through cycles with entries and a root changing mid-mark; dropped ones are collected', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, checkmark: true });
    const cache = new HandleCache<{ n: number }>(rt);
    const dropped: HeapRef<{ n: number }>[] = [];
    for (let i = 0; i < 200; i++) cache.set(`k${i}`, { n: i });
    const A = rt.access(Slot);
    for (let cycle = 0; cycle < 5; cycle++) {
      rt.gcStart();
      rt.gcStep(7);
      for (let i = 0; i < 40; i++) {
        const key = `k${(cycle * 37 + i * 5) % 200}`;
        const h = cache.handle(key);
        if (h !== undefined) dropped.push(h);
        cache.drop(key);
        cache.set(key, { n: cycle * 1000 + i }); // allocated black while marking
        rt.gcStep(3);
      }
      // A root block registered and removed mid-mark, holding a cached entry's handle.
      const block = rt.sysAlloc<LayoutType<typeof Slot>>(8192);
      rt.addRoot(block, Slot);
      A.ref.set(block, rt.newHeapRef({ n: -1 }));
      rt.gcStep(5);
      rt.removeRoot(block);
      rt.sysFree(block, 8192);
      rt.gcFinish(); // checkmark throws LostObjectError if the mark missed a reachable object
      expect(rt.lastLost).toEqual([]);
      for (let i = 0; i < 200; i++) expect(cache.get(`k${i}`)).toBeDefined();
    }
    rt.gc();
    expect(cache.size).toBe(200);
    expect(rt.gcStats().live).toBe(200);
    for (const h of dropped) expect(() => rt.deref(h)).toThrow(StaleHandleError);
  });

  it('the twin: a cache that does not pin loses its entries at the next cycle', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const map = new Map<string, HeapRef<{ n: number }>>();
    for (let i = 0; i < 10; i++) map.set(`k${i}`, rt.newHeapRef({ n: i }));
    rt.gc();
    for (const h of map.values()) expect(() => rt.deref(h)).toThrow(StaleHandleError);
  });
});
