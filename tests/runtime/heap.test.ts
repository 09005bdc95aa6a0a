import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  defaultRuntime,
  deref,
  freeHeapRef,
  maxHeapRefs,
  MisuseError,
  newHeapRef,
  setDefaultRuntime,
  StaleHandleError,
  type HeapRef,
  type Runtime,
} from '../../src/runtime/index.js';

function rt(): Runtime {
  return createRuntime({ maxBytes: 1 << 20 });
}

function staleError(fn: () => unknown): StaleHandleError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(StaleHandleError);
  expect((caught as StaleHandleError).code).toBe('ERR_STALE_HANDLE');
  return caught as StaleHandleError;
}

describe('object heap handles', () => {
  it('deref returns the object a handle was made for; handles are distinct and never nil', () => {
    const r = rt();
    const objs = Array.from({ length: 3000 }, (_, i) => ({ i }));
    const hs = objs.map((o) => r.newHeapRef(o));
    expect(new Set(hs).size).toBe(hs.length);
    for (let i = 0; i < hs.length; i++) {
      expect(hs[i]).not.toBe(0);
      expect(hs[i]).toBeGreaterThanOrEqual(2 ** 22); // generation ≥ 1: small integers are never handles
      expect(r.deref(hs[i])).toBe(objs[i]);
    }
    expect(r.heap.live).toBe(3000);
  });

  it('deref of a freed handle throws StaleHandleError naming it; so does a second free', () => {
    const r = rt();
    const h = r.newHeapRef('x');
    r.freeHeapRef(h);
    const e = staleError(() => r.deref(h));
    expect(e.value).toBe(h);
    expect(e.message).toContain(String(h));
    expect(e.message).toMatch(/index 1, generation 1.*freed or collected/);
    staleError(() => r.freeHeapRef(h));
    expect(r.heap.live).toBe(0);
  });

  it('a reused slot gets a new generation, so the old handle stays stale', () => {
    const r = rt();
    const a = r.newHeapRef('a');
    r.freeHeapRef(a);
    const b = r.newHeapRef('b');
    expect(b & 0x3fffff).toBe(a & 0x3fffff);
    expect(b).not.toBe(a);
    expect(r.deref(b)).toBe('b');
    expect(staleError(() => r.deref(a)).message).toMatch(/stale: slot 1 now holds generation 2/);
  });

  it('rejects forged, foreign and malformed handles', () => {
    const r = rt();
    r.newHeapRef(1);
    for (const h of [0, 1, 5, 2 ** 22 + 7, (3 << 22) | 1, 2 ** 30 + 1, -1, 1.5, 2 ** 32, Number.NaN, '1' as unknown as number]) {
      staleError(() => r.deref(h as HeapRef<number>));
    }
    expect(staleError(() => r.deref(0 as HeapRef<number>)).message).toMatch(/nil handle/);
    expect(staleError(() => r.deref((2 ** 22 + 7) as HeapRef<number>)).message).toMatch(/never handed out/);
    const other = rt();
    const h = other.newHeapRef('o');
    other.newHeapRef('o2');
    expect(staleError(() => r.deref((h + 1) as HeapRef<string>)).message).toMatch(/never handed out/);
  });

  it('reuses freed slots first-in first-out, and generations wrap past 255 without 0', () => {
    const r = rt();
    const a = r.newHeapRef('a');
    const b = r.newHeapRef('b');
    r.freeHeapRef(b);
    r.freeHeapRef(a);
    expect(r.newHeapRef('c') & 0x3fffff).toBe(b & 0x3fffff);
    expect(r.newHeapRef('d') & 0x3fffff).toBe(a & 0x3fffff);
    const seen = new Set<number>();
    let h = r.newHeapRef(0);
    for (let k = 0; k < 600; k++) {
      r.freeHeapRef(h);
      h = r.newHeapRef(k);
      expect(h >>> 22).toBeGreaterThan(0);
      expect(h).toBeLessThan(2 ** 30); // a V8 small integer: never boxed
      seen.add(h >>> 22);
      expect(r.deref(h)).toBe(k);
    }
    expect(seen.size).toBe(255);
  });

  it('refuses to free a pinned handle', () => {
    const r = rt();
    const h = r.newHeapRef({});
    r.pin(h);
    expect(() => r.freeHeapRef(h)).toThrow(MisuseError);
    expect(r.heap.isLive(h)).toBe(true);
    r.unpin(h);
    r.freeHeapRef(h);
    expect(r.heap.isLive(h)).toBe(false);
  });

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
      staleError(() => deref(h));
    } finally {
      setDefaultRuntime(prev);
    }
  });

  it('caps the table at maxHeapRefs', () => {
    expect(maxHeapRefs).toBe(2 ** 22 - 1);
  });
});
