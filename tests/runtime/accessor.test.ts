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
  heapRef,
  i16,
  i32,
  i8,
  OffheapRangeError,
  OutOfBoundsError,
  ptr,
  setDefaultRuntime,
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
    N.ref.set(p, 77 as HeapRef<object>);
    N.hist.set(p, 3, 9.5);
    N.refs.set(p, 1, 5 as HeapRef<object>);
    expect([N.a.get(p), N.b.get(p), N.c.get(p), N.d.get(p), N.e.get(p), N.f.get(p)]).toEqual([44, -5, 65535, -32768, 4e9, -2e9]);
    expect(N.g.get(p)).toBeCloseTo(0.1, 6);
    expect(N.h.get(p)).toBe(true);
    expect([N.pos.x.get(p), N.pos.y.get(p)]).toEqual([1.5, -2.5]);
    expect(N.next.get(p)).toBe(p);
    expect(N.ref.get(p)).toBe(77);
    expect(N.hist.get(p, 3)).toBe(9.5);
    expect(N.refs.get(p, 1)).toBe(5);
    // Bytes land where the layout says.
    const s = stateOf(rt).space;
    expect(s.u8[p + Node.offsets.a]).toBe(44);
    expect(s.f64[(p + Node.offsets.pos + Vec2.offsets.y) >>> 3]).toBe(-2.5);
    expect(s.u32[(p + Node.offsets.ref) >>> 2]).toBe(77);
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
    expect(() => N.ref.set(page, -1 as HeapRef<object>)).toThrow(/HeapRef value must be a u32/);
    rt.sysFree(page, 8192);
    expect(() => N.e.get(page)).toThrow(OutOfBoundsError); // use after free
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
