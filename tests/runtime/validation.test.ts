// The validation boundary: every public entry point of the allocators,
// layouts and accessors, fed hostile arguments in debug mode and out. Each
// call must throw the typed error (never a TypeError from inside), run no
// caller code (a valueOf is never called), and leave the allocators exactly
// as they were (snapshot compared before and after). Each runs over an
// unshared runtime and over a shared one (whose allocator state lives in
// its SharedArrayBuffer: header, registry and central lists are compared
// too), in debug mode and out.
import { describe, expect, it } from 'vitest';
import {
  array,
  AttachError,
  attachRuntime,
  BadPointerError,
  createRuntime,
  f64,
  FixAlloc,
  heapRef,
  MisuseError,
  notInHeap,
  OffheapError,
  OffheapRangeError,
  OptionError,
  OutOfBoundsError,
  pageSize,
  ptr,
  setDefaultRuntime,
  sharedPool,
  struct,
  u32,
  type HeapRef,
  type LayoutType,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { rejects, snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { a: f64, n: u32, ref: heapRef<object>(), next: ptr(), hist: array(u32, 4) });
type RecT = LayoutType<typeof Rec>;

let valueOfCalls = 0;
/** Arguments no entry point may accept as a number; none may run caller code. */
function hostile(): [string, unknown][] {
  return [
    ['a numeric string', '8192'],
    ['a fraction', 8192.5],
    ['an array', [8192]],
    ['an object with valueOf', { valueOf: () => (valueOfCalls++, 8192) }],
    ['a BigInt', 8192n],
    ['a Symbol', Symbol('p')],
    ['null', null],
    ['true', true],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a negative', -8192],
    ['above u32', 2 ** 32 + 8192],
  ];
}

/** A shared space's own bookkeeping pages (header, page map, registry with the central lists), as a string to compare. */
function sharedState(rt: Runtime): string {
  if (!stateOf(rt).space.shared) return '';
  return Array.from(new Int32Array(rt.buffer, 0, (stateOf(rt).space.firstPage * pageSize) >>> 2)).join(',');
}

/** Runs `fn` expecting an OffheapError (or OffheapRangeError) of `type` and `code`, with state unchanged. */
function refused(rt: Runtime, pools: FixAlloc<unknown, boolean>[], fn: () => unknown, type: abstract new (...args: never[]) => Error, code: string): void {
  const shared = sharedState(rt);
  const e = rejects(rt, pools, fn, type, code, /./);
  expect(sharedState(rt) === shared, 'the shared bookkeeping changed').toBe(true);
  expect(e).not.toBeInstanceOf(TypeError);
  expect(e instanceof OffheapError || e instanceof OffheapRangeError).toBe(true);
  expect(e).toHaveProperty('value');
  expect(e).toHaveProperty('limit');
}

// The inline pointer check of non-debug accessors, at its edges (debug mode checks allocated memory instead).
it('non-debug accessors take the first and last record of the space and refuse the addresses just outside, unaligned or wrapping', () => {
  const rt = createRuntime({ maxBytes: 1 << 20 });
  const pools = [new FixAlloc(Rec, { runtime: rt })] as FixAlloc<unknown, boolean>[];
  const A = rt.access(Rec);
  const last = stateOf(rt).space.reserved - Rec.size;
  const first = pageSize;
  expect(last % Rec.align).toBe(0);
  expect(A.n.get(first as Ptr<RecT>)).toBe(0);
  expect(A.n.get(last as Ptr<RecT>)).toBe(0);
  for (const bad of [-0, 0, first - Rec.align, first + 1, last + Rec.align, last + 1, -Rec.align, 2 ** 31, 2 ** 31 + first, 2 ** 32 - Rec.align, 2 ** 32 + first]) {
    refused(rt, pools, () => A.n.get(bad as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.a.set(bad as Ptr<RecT>, 1), BadPointerError, 'ERR_BAD_POINTER');
  }
});

describe.each([
  [false, false],
  [true, false],
  [false, true],
  [true, true],
])('the boundary (debug: %s, shared: %s)', (debug, shared) => {
  const setup = () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug, shared });
    const pool = shared ? sharedPool(rt, 'rec', Rec) : new FixAlloc(Rec, { runtime: rt });
    const raw = shared ? sharedPool<unknown>(rt, 'raw', 64) : new FixAlloc<unknown>(64, { runtime: rt });
    const pools = [pool, raw] as FixAlloc<unknown, boolean>[];
    const p = pool.alloc();
    raw.alloc();
    const page = rt.sysAlloc(pageSize);
    rt.persistentalloc(24);
    return { rt, pool, raw, pools, p, page, A: rt.access(Rec) };
  };

  it.each(hostile())('sysAlloc, sysFree and persistentalloc refuse %s', (_, v) => {
    const { rt, pools, page } = setup();
    refused(rt, pools, () => rt.sysAlloc(v as number), OffheapRangeError, 'ERR_BAD_SIZE');
    refused(rt, pools, () => rt.sysFree(v as number, pageSize), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => rt.sysFree(page, v as number), OffheapRangeError, 'ERR_BAD_SIZE');
    refused(rt, pools, () => rt.persistentalloc(v as number), OffheapRangeError, 'ERR_BAD_SIZE');
    refused(rt, pools, () => rt.persistentalloc(8, v as number), OffheapRangeError, 'ERR_BAD_ALIGN');
    if (typeof v !== 'string') {
      refused(rt, pools, () => rt.sysAlloc(8, v as string), OptionError, 'ERR_OPTION');
      refused(rt, pools, () => rt.persistentalloc(8, 8, v as string), OptionError, 'ERR_OPTION');
    }
    expect(valueOfCalls).toBe(0);
  });

  it.each(hostile())('FixAlloc.free and new FixAlloc refuse %s', (_, v) => {
    const { rt, pool, raw, pools } = setup();
    refused(rt, pools, () => pool.free(v as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => raw.free(v as Ptr<unknown>), BadPointerError, 'ERR_BAD_POINTER');
    const isNumber = typeof v === 'number';
    refused(rt, pools, () => new FixAlloc(v as number, { runtime: rt }), isNumber ? OffheapRangeError : MisuseError, isNumber ? 'ERR_BAD_SIZE' : 'ERR_MISUSE');
    expect(stateOf(rt).pools.length).toBe(2); // a refused pool is not registered
    expect(valueOfCalls).toBe(0);
  });

  it.each(hostile())('accessors refuse %s as a pointer, an index and a value', (_, v) => {
    const { rt, pools, p, A } = setup();
    refused(rt, pools, () => A.n.get(v as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.n.set(v as Ptr<RecT>, 1), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.hist.at(v as Ptr<RecT>, 0), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.hist.get(p, v as number), OffheapRangeError, 'ERR_BAD_INDEX');
    refused(rt, pools, () => A.hist.set(p, v as number, 1), OffheapRangeError, 'ERR_BAD_INDEX');
    if (typeof v !== 'number') refused(rt, pools, () => A.n.set(p, v as number), OffheapRangeError, 'ERR_BAD_VALUE');
    if (typeof v !== 'number' || v >>> 0 !== v) {
      refused(rt, pools, () => A.ref.set(p, v as HeapRef<object>), OffheapRangeError, 'ERR_BAD_VALUE');
      refused(rt, pools, () => A.next.set(p, v as Ptr<unknown>), OffheapRangeError, 'ERR_BAD_VALUE');
    }
    expect(A.n.get(p)).toBe(0);
    expect(valueOfCalls).toBe(0);
  });

  it.each(hostile())('layout constructors, access, createRuntime and setDefaultRuntime refuse %s', (_, v) => {
    const { rt, pools } = setup();
    refused(rt, pools, () => array(u32, v as number), OffheapRangeError, 'ERR_BAD_SIZE');
    refused(rt, pools, () => array(v as typeof u32, 2), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => struct(v as string, { a: u32 }), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => struct('S', v as never), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => struct('S', { a: v as typeof u32 }), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => ptr(v as never), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => rt.access(v as typeof Rec), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => createRuntime(v as never), OptionError, 'ERR_OPTION');
    refused(rt, pools, () => setDefaultRuntime(v as Runtime), MisuseError, 'ERR_MISUSE');
    refused(rt, pools, () => notInHeap(v as never, { kind: 'class', name: 'X' } as ClassDecoratorContext<never>), MisuseError, 'ERR_MISUSE');
    expect(valueOfCalls).toBe(0);
  });

  it.each(hostile())('sharedPool and attachRuntime refuse %s', (_, v) => {
    const { rt, pools } = setup();
    if (typeof v !== 'string') refused(rt, pools, () => sharedPool(rt, v as string, Rec), OptionError, 'ERR_OPTION'); // '8192' is a fine name
    refused(rt, pools, () => sharedPool(v as Runtime, 'x', Rec), OptionError, 'ERR_OPTION');
    if (shared) {
      const isNumber = typeof v === 'number';
      refused(rt, pools, () => sharedPool(rt, 'x', v as number), isNumber ? OffheapRangeError : MisuseError, isNumber ? 'ERR_BAD_SIZE' : 'ERR_MISUSE');
      refused(rt, pools, () => sharedPool(rt, 'x', Rec, v as never), OptionError, 'ERR_OPTION');
      if (typeof v !== 'boolean') refused(rt, pools, () => sharedPool(rt, 'x', Rec, { cache: v as boolean }), OptionError, 'ERR_OPTION');
    }
    refused(rt, pools, () => attachRuntime(v as never), AttachError, 'ERR_NOT_SHARED');
    refused(rt, pools, () => attachRuntime({ offheap: 'shared-runtime', version: 1, buffer: v } as never), AttachError, 'ERR_NOT_SHARED');
    expect(stateOf(rt).pools.length).toBe(2); // a refused pool is not registered
    expect(valueOfCalls).toBe(0);
  });

  it('refuses unaligned pointers with BadPointerError at every entry', () => {
    const { rt, pool, pools, p, page, A } = setup();
    refused(rt, pools, () => rt.sysFree(page + 4, pageSize), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => pool.free((p + 2) as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.n.get((p + 4) as Ptr<RecT>), BadPointerError, 'ERR_BAD_POINTER');
    refused(rt, pools, () => A.a.set((p + 1) as Ptr<RecT>, 1), BadPointerError, 'ERR_BAD_POINTER');
  });

  it('refuses pointers past the space, or whose record would run past it', () => {
    const { rt, pools, A } = setup();
    const end = stateOf(rt).space.reserved;
    for (const q of [end, end - 8, 0, 8])
      refused(rt, pools, () => A.a.set(q as Ptr<RecT>, 1), debug && q >= pageSize ? OutOfBoundsError : BadPointerError, debug && q >= pageSize ? 'ERR_OUT_OF_BOUNDS' : 'ERR_BAD_POINTER');
  });

  it('accepts the good calls the refusals were compared against', () => {
    const { rt, pool, p, page, A } = setup();
    const before = snapshot(rt, pool as FixAlloc<unknown, boolean>);
    A.n.set(p, 7);
    A.hist.set(p, 3, 9);
    expect(A.n.get(p) + A.hist.get(p, 3)).toBe(16);
    expect(snapshot(rt, pool as FixAlloc<unknown, boolean>)).toBe(before);
    pool.free(p);
    rt.sysFree(page, pageSize);
    expect(pool.inuse).toBe(0);
  });
});
