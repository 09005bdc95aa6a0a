// Field accessors: reading and writing records in unmanaged memory.
//
// An accessor is generated per (runtime, layout) with `new Function`, one
// function per field operation. Closures made from one function literal share
// V8's type feedback, so shared code turns megamorphic across fields and
// layouts (perf-anchors §6); generated code stays monomorphic, captures the
// runtime's typed views directly, and allocates nothing per call. HeapRef
// writes go through the runtime's write barrier. Debug mode adds a check of
// `p` against live memory to every operation.

import { BadPointerError, OffheapRangeError, OutOfBoundsError, show } from './errors.js';
import type { ArrayField, Field, Fields, FieldValue, HeapRefField, Layout, PtrField, ScalarField } from './layout.js';
import { storeHeapRefUnchecked } from './mbarrier.js';
import type { Runtime } from './runtime.js';
import { pageSize } from './space.js';
import type { Garbage, HeapRef, Ptr } from './types.js';

/** Accessor of a number, boolean or Ptr field. Works on possibly-garbage memory too (it holds no heap pointer). */
export interface ScalarAccessor<V, R> {
  /** Byte offset of the field in the record. */
  readonly offset: number;
  get(p: Ptr<R> | Garbage<R>): V;
  set(p: Ptr<R> | Garbage<R>, v: V): void;
}

/** Accessor of a HeapRef slot. Only type-safe memory (`Ptr<R>`) may be read or written. */
export interface HeapRefAccessor<T, R> {
  readonly offset: number;
  /** @offheap HeapRefAccessor.get */
  get(p: Ptr<R>): HeapRef<T>;
  /**
   * Stores `v` through the runtime's write barrier.
   *
   * @offheap HeapRefAccessor.set
   * @writebarrier
   */
  set(p: Ptr<R>, v: HeapRef<T>): void;
}

/** Accessor of a fixed array of numbers, booleans or Ptrs. `i` is bounds-checked. */
export interface ScalarArrayAccessor<V, N extends number, R> {
  readonly offset: number;
  readonly length: N;
  get(p: Ptr<R> | Garbage<R>, i: number): V;
  set(p: Ptr<R> | Garbage<R>, i: number, v: V): void;
  /** Address of element `i`. */
  at(p: Ptr<R>, i: number): Ptr<V>;
}

/** Accessor of a fixed array of HeapRef slots. */
export interface HeapRefArrayAccessor<T, N extends number, R> {
  readonly offset: number;
  readonly length: N;
  /** @offheap HeapRefAccessor.get */
  get(p: Ptr<R>, i: number): HeapRef<T>;
  /**
   * @offheap HeapRefAccessor.set
   * @writebarrier
   */
  set(p: Ptr<R>, i: number, v: HeapRef<T>): void;
  at(p: Ptr<R>, i: number): Ptr<HeapRef<T>>;
}

/** Accessor of a fixed array of structs or arrays: element addresses only. */
export interface ElemArrayAccessor<V, N extends number, R> {
  readonly offset: number;
  readonly length: N;
  at(p: Ptr<R>, i: number): Ptr<V>;
}

/** The accessor of one field of record `R`. Embedded structs give nested accessors. */
export type FieldAccessor<F, R> =
  F extends HeapRefField<infer T>
    ? HeapRefAccessor<T, R>
    : F extends Layout<unknown, infer SF>
      ? Accessor<SF, R>
      : F extends ArrayField<infer E, infer N>
        ? E extends HeapRefField<infer T>
          ? HeapRefArrayAccessor<T, N, R>
          : E extends PtrField<infer P>
            ? ScalarArrayAccessor<Ptr<P>, N, R>
            : E extends ScalarField<infer V>
              ? ScalarArrayAccessor<V, N, R>
              : ElemArrayAccessor<FieldValue<E>, N, R>
        : F extends ScalarField<infer V>
          ? ScalarAccessor<V, R>
          : F extends PtrField<infer P>
            ? ScalarAccessor<Ptr<P>, R>
            : never;

/** Accessors of every field of a struct with fields `F`, for records `R`: `acc.pos.x.get(p)`. */
export type Accessor<F extends Fields, R> = { readonly [K in keyof F]: FieldAccessor<F[K], R> };

/** Accessor of a layout `L`: `AccessorOf<typeof Particle>`. */
export type AccessorOf<L> = L extends Layout<infer T, infer F> ? Accessor<F, T> : never;

const viewOf: Record<string, [view: string, shift: number]> = {
  u8: ['u8', 0],
  i8: ['i8', 0],
  bool: ['u8', 0],
  u16: ['u16', 1],
  i16: ['i16', 1],
  u32: ['u32', 2],
  i32: ['i32', 2],
  f32: ['f32', 2],
  ptr: ['u32', 2],
  heapRef: ['u32', 2],
  f64: ['f64', 3],
};

let compiled = 0;

/**
 * Compiles `body` with the named arguments bound as `const`s and runs it.
 * Const bindings are immutable context slots, which TurboFan folds to
 * constants once an accessor is inlined: the typed view is then a constant,
 * not a context load per access. The unique trailing comment defeats V8's
 * cache of `new Function` by source: two runtimes with the same layout would
 * otherwise share one compiled function and its type feedback.
 */
function compile(body: string, args: Record<string, unknown>): unknown {
  const bind = Object.keys(args)
    .map((n) => `${n} = $args.${n}`)
    .join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-field code is the point: it keeps each site monomorphic
  const factory = new Function('$args', `const ${bind};\n${body}\n// accessor ${compiled++}`) as (args: Record<string, unknown>) => unknown;
  return factory(args);
}

/** Builds the debug check of `p` for records of `layout`. */
function pointerCheck(rt: Runtime, layout: Layout<unknown>): (p: number) => void {
  const space = rt.space;
  const { size, align, name } = layout;
  return (p: number) => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < pageSize || (p & (align - 1)) !== 0) {
      throw new BadPointerError(`${name} accessor: p must be a non-nil address aligned to ${align}; got ${show(p)}`, { value: p, limit: align });
    }
    if (!space.isLive(p, size)) {
      throw new OutOfBoundsError(`${name} accessor: [${show(p)}, ${show(p + size)}) is not inside allocated memory`, { value: p, limit: space.mappedEnd });
    }
  };
}

function badIndex(i: number, n: number): never {
  throw new OffheapRangeError('ERR_BAD_INDEX', `array index i must be an integer in [0, ${n - 1}]; got ${show(i)}`, { value: i, limit: n - 1 });
}

function badRef(v: unknown): never {
  throw new OffheapRangeError('ERR_BAD_SIZE', `HeapRef value must be a u32; got ${show(v)}`, { value: v, limit: 2 ** 32 - 1 });
}

/** Generates the accessor of field `f` at byte offset `off` within records of `root`. */
function fieldAccessor(rt: Runtime, root: Layout<unknown>, f: Field<unknown>, off: number, check: (p: number) => void): unknown {
  const debug = rt.debug;
  const chk = debug ? 'chk(p);' : '';
  const s = rt.space;
  if (f.kind === 'struct') {
    const sub = f as Layout<unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(sub.fields)) out[key] = fieldAccessor(rt, root, sub.fields[key], off + sub.offsets[key], check);
    return Object.freeze(out);
  }
  const args = { u8: s.u8, i8: s.i8, u16: s.u16, i16: s.i16, u32: s.u32, i32: s.i32, f32: s.f32, f64: s.f64, rt, store: storeHeapRefUnchecked, chk: check, badIndex, badRef };
  if (f.kind === 'array') {
    const a = f as ArrayField<Field<unknown>, number>;
    const es = a.elem.size;
    const n = a.length;
    const idx = `if (!((i >>> 0) === i && i < ${n})) badIndex(i, ${n});`;
    const at = `at: function at(p, i) { ${chk} ${idx} return p + ${off} + i * ${es}; }`;
    const vs = viewOf[a.elem.kind];
    if (vs === undefined) return compile(`return Object.freeze({ offset: ${off}, length: ${n}, ${at} });`, args);
    const [v, sh] = vs;
    const addr = `(p + ${off} + i * ${es})`;
    const { get, set } = accessBodies(a.elem.kind, v, sh, addr, debug);
    return compile(`return Object.freeze({ offset: ${off}, length: ${n},
      get: function get(p, i) { ${chk} ${idx} ${get} },
      set: function set(p, i, x) { ${chk} ${idx} ${set} },
      ${at} });`, args);
  }
  const [v, sh] = viewOf[f.kind];
  const { get, set } = accessBodies(f.kind, v, sh, `(p + ${off})`, debug);
  return compile(`return Object.freeze({ offset: ${off},
    get: function get(p) { ${chk} ${get} },
    set: function set(p, x) { ${chk} ${set} } });`, args);
}

/** The bodies of get and set for one element of `kind` at address expression `addr`. */
function accessBodies(kind: string, v: string, sh: number, addr: string, debug: boolean): { get: string; set: string } {
  const index = sh === 0 ? addr : `${addr} >>> ${sh}`;
  if (kind === 'bool') return { get: `return ${v}[${index}] !== 0;`, set: `${v}[${index}] = x ? 1 : 0;` };
  if (kind === 'heapRef') {
    return { get: `return ${v}[${index}];`, set: `${debug ? 'if ((x >>> 0) !== x) badRef(x);' : ''} store(rt, ${addr}, x);` };
  }
  return { get: `return ${v}[${index}];`, set: `${v}[${index}] = x;` };
}

/** Generates the accessor of `layout` over `rt`'s memory. */
export function buildAccessor<T, F extends Fields>(rt: Runtime, layout: Layout<T, F>): Accessor<F, T> {
  const root = layout as unknown as Layout<unknown>;
  return fieldAccessor(rt, root, root, 0, pointerCheck(rt, root)) as Accessor<F, T>;
}
