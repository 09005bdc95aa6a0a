import { PerformanceObserver, performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  access,
  array,
  BadPointerError,
  bool,
  createRuntime,
  f32,
  f64,
  FixAlloc,
  ForeignPointerError,
  heapRef,
  i16,
  i32,
  i8,
  OffheapRangeError,
  OutOfBoundsError,
  ptr,
  setDefaultRuntime,
  StaleHandleError,
  struct,
  u16,
  u32,
  u8,
  type HeapRef,
  type LayoutType,
  type Ptr,
} from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Vec2 = struct('Vec2', { x: f64, y: f64 });
const Node = struct('Node', {
  a: u8,
  b: i8,
  c: u16,
  d: i16,
  e: u32,
  f: i32,
  g: f32,
  h: bool,
  pos: Vec2,
  next: ptr<NodeRec>(),
  ref: heapRef<object>(),
  hist: array(f32, 4),
  refs: array(heapRef<object>(), 2),
  pts: array(Vec2, 2),
});
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a record that points to its own kind is declared as an interface
interface NodeRec extends LayoutType<typeof Node> {}

describe('accessors', () => {
  it('round-trip every field kind at the layout offsets', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const N = rt.access(Node);
    const p = new FixAlloc(Node, { runtime: rt }).alloc();
    N.a.set(p, 300);
    N.b.set(p, -5);
    N.c.set(p, 65535);
    N.d.set(p, -32768);
    N.e.set(p, 4e9);
    N.f.set(p, -2e9);
    N.g.set(p, 0.1);
    N.h.set(p, true);
    N.pos.x.set(p, 1.5);
    N.pos.y.set(p, -2.5);
    N.next.set(p, p);
    const h77 = rt.newHeapRef({ n: 77 });
    const h5 = rt.newHeapRef({ n: 5 });
    N.ref.set(p, h77);
    N.hist.set(p, 3, 9.5);
    N.refs.set(p, 1, h5);
    expect([N.a.get(p), N.b.get(p), N.c.get(p), N.d.get(p), N.e.get(p), N.f.get(p)]).toEqual([44, -5, 65535, -32768, 4e9, -2e9]);
    expect(N.g.get(p)).toBeCloseTo(0.1, 6);
    expect(N.h.get(p)).toBe(true);
    expect([N.pos.x.get(p), N.pos.y.get(p)]).toEqual([1.5, -2.5]);
    expect(N.next.get(p)).toBe(p);
    expect(N.ref.get(p)).toBe(h77);
    expect(N.hist.get(p, 3)).toBe(9.5);
    expect(N.refs.get(p, 1)).toBe(h5);
    // Bytes land where the layout says.
    const s = stateOf(rt).space;
    expect(s.u8[p + Node.offsets.a]).toBe(44);
    expect(s.f64[(p + Node.offsets.pos + Vec2.offsets.y) >>> 3]).toBe(-2.5);
    expect(s.u32[(p + Node.offsets.ref) >>> 2]).toBe(h77);
    expect(s.f32[(p + Node.offsets.hist + 12) >>> 2]).toBe(9.5);
    expect(N.pts.at(p, 1)).toBe(p + Node.offsets.pts + 16);
    expect(N.hist.at(p, 2)).toBe(p + Node.offsets.hist + 8);
    expect(N.hist.length).toBe(4);
    expect(N.pos.y.offset).toBe(Node.offsets.pos + 8);
    N.h.set(p, false);
    expect(N.h.get(p)).toBe(false);
  });

  it('bounds-check array indexes always', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const N = rt.access(Node);
    const p = new FixAlloc(Node, { runtime: rt }).alloc();
    for (const i of [-1, 4, 1.5, NaN]) {
      expect(() => N.hist.get(p, i)).toThrow(OffheapRangeError);
      expect(() => N.hist.set(p, i, 1)).toThrow(/array index i must be an integer in \[0, 3\]/);
    }
    expect(() => N.pts.at(p, 2)).toThrow(/\[0, 1\]/);
    expect(N.hist.get(p, 0)).toBe(0);
  });

  it('check pointers against live memory in debug mode', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    const N = rt.access(Node);
    const page = rt.sysAlloc<NodeRec>(8192);
    N.e.set(page, 1);
    expect(() => N.e.get(0 as Ptr<NodeRec>)).toThrow(BadPointerError);
    expect(() => N.e.get((page + 4) as Ptr<NodeRec>)).toThrow(/aligned to 8/);
    expect(() => N.e.get((page + 8192 - 8) as Ptr<NodeRec>)).toThrow(OutOfBoundsError); // runs past the block
    expect(() => N.e.get((1 << 20) as Ptr<NodeRec>)).toThrow(OutOfBoundsError);
    expect(() => N.ref.set(page, -1 as HeapRef<object>)).toThrow(/HeapRef value must be 0 \(nil\) or a handle/);
    rt.sysFree(page, 8192);
    expect(() => N.e.get(page)).toThrow(OutOfBoundsError); // use after free
  });

  it('a HeapRef field takes what storeHeapRef takes: 0 or a handle in [2^28, 2^30); in debug mode a live handle of this runtime', () => {
    for (const debug of [false, true]) {
      const rt = createRuntime({ maxBytes: 1 << 20, debug });
      const N = rt.access(Node);
      const p = new FixAlloc(Node, { runtime: rt }).alloc();
      const h = rt.newHeapRef({});
      const u = stateOf(rt).space.u32;
      const words = (): number[] => Array.from(u.subarray(p >>> 2, (p + Node.size) >>> 2));
      N.ref.set(p, h);
      N.refs.set(p, 1, h);
      const before = words();
      // A u32 that is not a handle (an ordinary counter, the bounds, a fraction, NaN, a string) is refused by both routes alike.
      for (const v of [12345, 2 ** 28 - 1, 2 ** 30, 2 ** 32 - 1, 2 ** 28 + 0.5, NaN, '268435457', -1]) {
        const bad = v as unknown as HeapRef<object>;
        for (const store of [() => N.ref.set(p, bad), () => N.refs.set(p, 0, bad), () => rt.storeHeapRef(p, bad)]) {
          let err: unknown;
          try {
            store();
          } catch (e) {
            err = e;
          }
          expect(err, `${String(v)} debug=${debug}`).toBeInstanceOf(OffheapRangeError);
          expect((err as OffheapRangeError).code).toBe('ERR_BAD_VALUE');
          expect((err as OffheapRangeError).value).toBe(v);
        }
        expect(words()).toEqual(before);
      }
      // Twin: 0 and a live handle are stored.
      N.ref.set(p, 0 as HeapRef<object>);
      N.refs.set(p, 0, h);
      expect([N.ref.get(p), N.refs.get(p, 0)]).toEqual([0, h]);
      // A freed handle and another runtime's handle look like handles: only debug mode knows them (as for storeHeapRef).
      const dead = rt.newHeapRef({});
      rt.freeHeapRef(dead);
      const other = createRuntime({ maxBytes: 1 << 20 }).newHeapRef({});
      if (debug) {
        expect(() => N.ref.set(p, dead)).toThrow(StaleHandleError);
        expect(() => N.refs.set(p, 1, other)).toThrow(ForeignPointerError);
        expect([N.ref.get(p), N.refs.get(p, 1)]).toEqual([0, h]);
      } else {
        N.ref.set(p, dead);
        expect(N.ref.get(p)).toBe(dead);
      }
    }
  });

  it('are cached per runtime and independent across runtimes', () => {
    const a = createRuntime({ maxBytes: 1 << 20 });
    const b = createRuntime({ maxBytes: 1 << 20 });
    expect(a.access(Node)).toBe(a.access(Node));
    expect(a.access(Node)).not.toBe(b.access(Node));
    const pa = a.sysAlloc<NodeRec>(1);
    const pb = b.sysAlloc<NodeRec>(1);
    a.access(Node).e.set(pa, 1);
    b.access(Node).e.set(pb, 2);
    expect(a.access(Node).e.get(pa)).toBe(1);
    setDefaultRuntime(b);
    expect(access(Node).e.get(pb)).toBe(2);
    expect(() => a.access({} as never)).toThrow(/layout must be a struct layout/);
  });

  it('allocate no JS objects on the hot path', async () => {
    // Counted in GC events, which a heap-size difference cannot do reliably: a
    // scavenge during the loop would hide what it allocated. The control loop,
    // allocating one small object per iteration, proves the count can see it.
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const N = rt.access(Node);
    const p = rt.sysAlloc<NodeRec>(8192);
    const loop = (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        N.e.set(p, i);
        N.pos.x.set(p, i * 0.5);
        N.hist.set(p, i & 3, i);
        sum += N.e.get(p) + N.pos.x.get(p) + N.hist.get(p, i & 3);
      }
      return sum;
    };
    const keep: { v: number }[] = new Array<{ v: number }>(1024);
    const control = (n: number) => {
      for (let i = 0; i < n; i++) keep[i & 1023] = { v: i };
      return keep.length;
    };
    const gcEventsDuring = async (run: () => number): Promise<number> => {
      const seen: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) seen.push(e.startTime);
      });
      observer.observe({ entryTypes: ['gc'] });
      const t0 = performance.now();
      run();
      const t1 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20)); // gc entries arrive a turn of the event loop later
      observer.disconnect();
      return seen.filter((t) => t >= t0 && t <= t1).length;
    };
    // Warm up until optimized: interpreted and baseline code box doubles in calls.
    for (let k = 0; k < 3; k++) loop(1_000_000);
    control(200_000);
    expect(await gcEventsDuring(() => control(4_000_000))).toBeGreaterThan(0);
    expect(await gcEventsDuring(() => loop(4_000_000))).toBe(0);
  });
});
