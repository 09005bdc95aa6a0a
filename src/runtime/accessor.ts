// Field accessors: reading and writing records in unmanaged memory.
//
// An accessor is generated per (runtime, layout) with `new Function`, one
// function per field operation. Closures made from one function literal share
// V8's type feedback, so shared code turns megamorphic across fields and
// layouts; generated code stays monomorphic, captures the
// runtime's typed views directly, and allocates nothing per call. HeapRef
// writes go through the runtime's write barrier.
//
// No caller value reaches the generated source: layouts are branded (only
// `struct` makes them), the numbers spliced in are checked integers (`lit`),
// view and argument names come from fixed tables, and field names are only
// property keys of the result. Every operation checks its arguments in every
// mode: `p` a u32 address aligned to the layout, inside the space with room
// for the record (BadPointerError); `i` an integer index (ERR_BAD_INDEX); a
// stored value of the field's type (ERR_BAD_VALUE; a Ptr a u32, a HeapRef 0
// or an integer in [2^28, 2^30), as storeHeapRef checks it; in debug mode
// also a live handle of this runtime).
// The checks are `typeof` and integer compares, folded by V8 on monomorphic
// sites. Debug mode replaces the pointer check with one against allocated
// memory, including FixAlloc objects that are free or never handed out
// (OutOfBoundsError: a store after free), after refusing a closed runtime
// (ClosedError); without debug mode an accessor is raw memory and checks no
// state, before or after close.

import { checkPtr } from './check.js';
import { BadPointerError, MisuseError, OffheapRangeError, OutOfBoundsError, show } from './errors.js';
import type { ArrayField, Field, Fields, FieldValue, HeapRefField, Layout, PtrField, ScalarField } from './layout.js';
import { storeHeapRefUnchecked } from './mbarrier.js';
import type { RuntimeState } from './runtime.js';
import { pageSize } from './space.js';
import type { Garbage, HeapRef, Ptr } from './types.js';

/** Accessor of a number, boolean or Ptr field. Works on possibly-garbage memory too (it holds no heap pointer). */
export interface ScalarAccessor<V, R> {
  /** Byte offset of the field in the record. */
  readonly offset: number;
  /** @offheap ScalarAccessor.get */
  get(p: Ptr<R> | Garbage<R>): V;
  /** @offheap ScalarAccessor.set */
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
  /** @offheap ScalarAccessor.get */
  get(p: Ptr<R> | Garbage<R>, i: number): V;
  /** @offheap ScalarAccessor.set */
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

const viewOf: Readonly<Record<string, readonly [view: string, shift: number]>> = {
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
function compile(body: string, args: Readonly<Record<(typeof argNames)[number], unknown>>): unknown {
  const bind = argNames
    .map((n) => `${n} = $args.${n}`)
    .join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-field code is the point: it keeps each site monomorphic
  const factory = new Function('$args', `const ${bind};\n${body}\n// accessor ${compiled++}`) as (args: Record<string, unknown>) => unknown;
  return factory(args);
}

/** The only names bound in generated code. */
const argNames = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'rt', 'store', 'chk', 'bad', 'badIndex', 'badRef', 'badValue'] as const;

/** A number for generated source: only a checked non-negative safe integer is ever spliced. */
function lit(n: number): string {
  if (!(typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) throw new MisuseError(`accessor: layout number ${show(n)} is not a non-negative integer`, { value: n, limit: 'a non-negative safe integer' });
  return String(n);
}

/** Builds the debug check of `p` for records of `layout`. */
function pointerCheck(rt: RuntimeState, layout: Layout<unknown>): (p: unknown) => void {
  const space = rt.space;
  const { size, align, name } = layout;
  const what = `${name} accessor`;
  return (p: unknown) => {
    // Debug mode only, so it may afford the check: a closed runtime first, as every refusing member (else its empty memory reads as out of bounds).
    if (space.closed) space.closedError(what);
    if (typeof p !== 'number' || p >>> 0 !== p || p < pageSize || (p & (align - 1)) !== 0) {
      throw new BadPointerError(`${name} accessor: p must be a non-nil address aligned to ${align}; got ${show(p)}`, { value: p, limit: align });
    }
    if (!space.isLive(p, size)) {
      throw new OutOfBoundsError(`${name} accessor: [${show(p)}, ${show(p + size)}) is not inside allocated memory`, { value: p, limit: space.mappedEnd });
    }
    const dead = rt.deadRecord(p, size);
    if (dead !== undefined) throw new OutOfBoundsError(`${name} accessor: [${show(p)}, ${show(p + size)}) touches a FixAlloc object that is not live: ${dead}`, { value: p, limit: size });
  };
}

/** The non-debug pointer check's slow path: throws the BadPointerError for `p`. */
function badPointer(rt: RuntimeState, layout: Layout<unknown>): (p: unknown) => never {
  const { size, align, name } = layout;
  const limit = rt.space.reserved - size + 1;
  return (p: unknown): never => {
    if (limit <= pageSize) {
      // No record fits: the layout is larger than the space's pages (the limit would read negative).
      throw new BadPointerError(`${name} accessor: a ${show(size)}-byte record does not fit this runtime's ${show(rt.space.reserved)}-byte space; got p ${show(p)}`, { value: p, limit: rt.space.reserved });
    }
    checkPtr(`${name} accessor: p`, p, align, limit, pageSize);
    throw new BadPointerError(`${name} accessor: p is not a valid address; got ${show(p)}`, { value: p, limit });
  };
}

function badIndex(i: unknown, n: number): never {
  throw new OffheapRangeError('ERR_BAD_INDEX', `array index i must be an integer in [0, ${n - 1}]; got ${show(i)}`, { value: i, limit: n - 1 });
}

/** The HeapRef store of a debug runtime's accessors: only 0 or a live handle of this runtime, as storeHeapRef (a stale or foreign one is a use after free or a mix-up). */
function storeLiveHeapRef(rt: RuntimeState, p: number, v: number): void {
  if (v !== 0 && !rt.heap.isLive(v)) rt.heap.reject('HeapRef accessor set', v);
  storeHeapRefUnchecked(rt, p, v);
}

function badRef(v: unknown): never {
  throw new OffheapRangeError('ERR_BAD_VALUE', `HeapRef value must be 0 (nil) or a handle, an integer in [2^28, 2^30); got ${show(v)}`, {
    value: v,
    limit: 'a HeapRef: 0 (nil) or a handle, an integer in [2^28, 2^30)',
  });
}

function badValue(v: unknown, kind: string): never {
  const want = kind === 'bool' ? 'a boolean' : kind === 'ptr' ? 'a pointer (a u32)' : `a number (${kind})`;
  throw new OffheapRangeError('ERR_BAD_VALUE', `${kind} field value must be ${want}; got ${show(v)}`, { value: v, limit: want });
}

/** Generates the accessor of field `f` at byte offset `off` within records of `root`. */
interface Gen {
  readonly rt: RuntimeState;
  /** The pointer check at the top of every operation (debug: a call; else inline compares). */
  readonly pchk: string;
  readonly args: Readonly<Record<(typeof argNames)[number], unknown>>;
}

function fieldAccessor(g: Gen, f: Field<unknown>, off: number): unknown {
  if (f.kind === 'struct') {
    const sub = f as Layout<unknown>;
    // A plain object keeps V8's fast properties (`A.pos.x` in a hot loop); struct() refuses `__proto__` and the other names that would reach the prototype.
    // Defined, not assigned: with Object.prototype frozen, `out.isPrototypeOf = …` threw the engine's TypeError.
    const out = Object.fromEntries(Object.keys(sub.fields).map((key) => [key, fieldAccessor(g, sub.fields[key], off + sub.offsets[key])]));
    return Object.freeze(out);
  }
  const o = lit(off);
  if (f.kind === 'array') {
    const a = f as ArrayField<Field<unknown>, number>;
    const es = lit(a.elem.size);
    const n = lit(a.length);
    const idx = `if (!(typeof i === 'number' && (i >>> 0) === i && i < ${n})) badIndex(i, ${n});`;
    const at = `at: function at(p, i) { ${g.pchk} ${idx} return p + ${o} + i * ${es}; }`;
    const vs = Object.hasOwn(viewOf, a.elem.kind) ? viewOf[a.elem.kind] : undefined;
    if (vs === undefined) return compile(`return Object.freeze({ offset: ${o}, length: ${n}, ${at} });`, g.args);
    const [v, sh] = vs;
    const addr = `(p + ${o} + i * ${es})`;
    const { get, set } = accessBodies(a.elem.kind, v, sh, addr);
    return compile(
      `return Object.freeze({ offset: ${o}, length: ${n},
      get: function get(p, i) { ${g.pchk} ${idx} ${get} },
      set: function set(p, i, x) { ${g.pchk} ${idx} ${set} },
      ${at} });`,
      g.args,
    );
  }
  if (!Object.hasOwn(viewOf, f.kind)) throw new MisuseError(`accessor: unknown field kind ${show(f.kind)}`, { value: f.kind, limit: 'a field kind' });
  const [v, sh] = viewOf[f.kind];
  const { get, set } = accessBodies(f.kind, v, sh, `(p + ${o})`);
  return compile(
    `return Object.freeze({ offset: ${o},
    get: function get(p) { ${g.pchk} ${get} },
    set: function set(p, x) { ${g.pchk} ${set} } });`,
    g.args,
  );
}

/** The bodies of get and set for one element of `kind` at address expression `addr`, with the stored value's check. */
function accessBodies(kind: string, v: string, sh: number, addr: string): { get: string; set: string } {
  const index = sh === 0 ? addr : `${addr} >>> ${lit(sh)}`;
  const k = JSON.stringify(kind); // one of viewOf's keys
  if (kind === 'bool') return { get: `return ${v}[${index}] !== 0;`, set: `if (typeof x !== 'boolean') badValue(x, ${k}); ${v}[${index}] = x ? 1 : 0;` };
  // A HeapRef is 0 or a handle, an integer in [2^28, 2^30) (heap.ts): the range storeHeapRef checks. `(x | 0) !== x` rejects fractions and NaN.
  if (kind === 'heapRef') {
    return { get: `return ${v}[${index}];`, set: `if (typeof x !== 'number' || (x !== 0 && (x < 268435456 || x >= 1073741824 || (x | 0) !== x))) badRef(x); store(rt, ${addr}, x);` };
  }
  if (kind === 'ptr') return { get: `return ${v}[${index}];`, set: `if (typeof x !== 'number' || (x >>> 0) !== x) badValue(x, ${k}); ${v}[${index}] = x;` };
  return { get: `return ${v}[${index}];`, set: `if (typeof x !== 'number') badValue(x, ${k}); ${v}[${index}] = x;` };
}

/** Generates the accessor of `layout` over `rt`'s memory. */
export function buildAccessor<T, F extends Fields>(rt: RuntimeState, layout: Layout<T, F>): Accessor<F, T> {
  const root = layout as unknown as Layout<unknown>;
  const s = rt.space;
  // Without debug mode: an aligned integer with the whole record inside the space, in three tests.
  // `typeof` first, so no valueOf runs and a BigInt or Symbol reaches `bad`. `(p & ~am) === p` holds
  // only for an int32 multiple of the alignment (not for a fraction, NaN, ±Infinity or p ≥ 2³¹: the
  // space is below 2³¹), and tells V8 that p is an int32. One unsigned compare then bounds
  // [pageSize, reserved − size]: a p below pageSize wraps to a large u32.
  const room = s.reserved - root.size - pageSize;
  const am = lit(root.align - 1);
  const pchk = rt.debug ? 'chk(p);' : room < 0 ? 'bad(p);' : `if (typeof p !== 'number' || (p & ~${am}) !== p || ((p - ${lit(pageSize)}) >>> 0) > ${lit(room)}) bad(p);`;
  const args = {
    u8: s.u8,
    i8: s.i8,
    u16: s.u16,
    i16: s.i16,
    u32: s.u32,
    i32: s.i32,
    f32: s.f32,
    f64: s.f64,
    rt,
    store: rt.debug ? storeLiveHeapRef : storeHeapRefUnchecked,
    chk: pointerCheck(rt, root),
    bad: badPointer(rt, root),
    badIndex,
    badRef,
    badValue,
  };
  return fieldAccessor({ rt, pchk, args }, root, 0) as Accessor<F, T>;
}
