// Struct layouts: one description gives both the memory layout of a
// not-in-heap record and its TypeScript type.
//
// Go's compiler derives size, alignment, offsets and the GC pointer bitmap
// from a struct type. Here a description built from field kinds plays the
// compiler's part: `struct` computes the layout at run time, and the same
// value's type yields the record type (`LayoutType<typeof L>`), so the two
// cannot disagree. Fields are laid out in declaration order at their natural
// alignment, as Go does; the pointer bitmap has one bit per 4-byte word and
// marks the HeapRef slots, the only heap pointers unmanaged memory may hold.

import { MisuseError, OffheapRangeError, checkInt, show } from './errors.js';
import type { FixedArray, HeapRef, NotInHeap, Ptr } from './types.js';

/** Type-only key carrying a field's value type. */
declare const fieldValue: unique symbol;

/** The kinds of field a layout can hold. */
export type FieldKind = 'u8' | 'u16' | 'u32' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64' | 'bool' | 'ptr' | 'heapRef' | 'array' | 'struct';

/** A field description whose value, in the record type, is `V`. */
export interface Field<V> {
  readonly kind: FieldKind;
  /** Bytes the field occupies. */
  readonly size: number;
  /** Its alignment, a power of two ≤ 8. */
  readonly align: number;
  /** Type-only: the field's value type. */
  readonly [fieldValue]?: V;
}

/** A number or boolean stored in place. */
export interface ScalarField<V extends number | boolean> extends Field<V> {
  readonly kind: 'u8' | 'u16' | 'u32' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64' | 'bool';
}

/** A `Ptr` to a record: a u32 address, not a heap pointer (no barrier, not in the bitmap). */
export interface PtrField<R> extends Field<Ptr<R>> {
  readonly kind: 'ptr';
  /** The pointee's layout, when given (resolved lazily so records can point to themselves). */
  readonly target: (() => Layout<R>) | undefined;
}

/** A `HeapRef` slot: a u32 handle, a heap pointer in the bitmap, stored through the write barrier. */
export interface HeapRefField<T> extends Field<HeapRef<T>> {
  readonly kind: 'heapRef';
}

/** A fixed array of `length` elements of one field kind, laid out contiguously. */
export interface ArrayField<E extends Field<unknown>, N extends number> extends Field<FixedArray<FieldValue<E>, N>> {
  readonly kind: 'array';
  readonly elem: E;
  readonly length: N;
}

/** The field descriptions of a struct, by name. */
export type Fields = { readonly [name: string]: Field<unknown> };

/** The value type a field description stands for. */
export type FieldValue<F> = F extends Field<infer V> ? V : never;

/** The record type of a struct with fields `F`. */
export type RecordOf<F extends Fields> = NotInHeap<{ -readonly [K in keyof F]: FieldValue<F[K]> }>;

/**
 * The layout of a not-in-heap record `T`: usable as a field (embedding), by
 * FixAlloc, typedmemclr and the accessors.
 */
export interface Layout<T, F extends Fields = Fields> extends Field<T> {
  readonly kind: 'struct';
  /** The record's name, for messages. */
  readonly name: string;
  /** Field descriptions, in declaration (= memory) order. */
  readonly fields: F;
  /** Byte offset of each field. */
  readonly offsets: { readonly [K in keyof F]: number };
  /** Pointer bitmap: bit w (byte w>>3, bit w&7) is set iff the 4-byte word at offset 4w is a HeapRef slot. */
  readonly ptrmask: Uint8Array;
  /** Byte offsets of the HeapRef slots, ascending (the bitmap as a list). */
  readonly ptrSlots: Int32Array;
  /** Whether any HeapRef slot exists (Go: the type has pointers). */
  readonly hasPointers: boolean;
}

/** The record type a layout describes: `LayoutType<typeof Particle>`. */
export type LayoutType<L> = L extends Layout<infer T, Fields> ? T : never;

function scalar<V extends number | boolean>(kind: ScalarField<V>['kind'], size: number): ScalarField<V> {
  return Object.freeze({ kind, size, align: size });
}

/** @offheap field:u8 */
export const u8: ScalarField<number> = scalar('u8', 1);
/** @offheap field:u16 */
export const u16: ScalarField<number> = scalar('u16', 2);
/** @offheap field:u32 */
export const u32: ScalarField<number> = scalar('u32', 4);
/** @offheap field:i8 */
export const i8: ScalarField<number> = scalar('i8', 1);
/** @offheap field:i16 */
export const i16: ScalarField<number> = scalar('i16', 2);
/** @offheap field:i32 */
export const i32: ScalarField<number> = scalar('i32', 4);
/** @offheap field:f32 */
export const f32: ScalarField<number> = scalar('f32', 4);
/** @offheap field:f64 */
export const f64: ScalarField<number> = scalar('f64', 8);
/** A byte holding 0 or 1. @offheap field:bool */
export const bool: ScalarField<boolean> = scalar('bool', 1);

/**
 * A `Ptr<R>` field. Name the record type explicitly; for a record that points
 * to its own kind, declare it as an interface:
 * `interface Node extends LayoutType<typeof Node> {}` and `next: ptr<Node>()`.
 *
 * @offheap field:ptr
 */
export function ptr<R>(target?: () => Layout<R>): PtrField<R> {
  if (target !== undefined && typeof target !== 'function') {
    throw new MisuseError(`ptr: target must be a function returning a layout; got ${show(target)}`, { value: target });
  }
  return Object.freeze({ kind: 'ptr', size: 4, align: 4, target });
}

/**
 * A `HeapRef<T>` slot: a heap pointer held in unmanaged memory.
 *
 * @offheap field:heapRef
 */
export function heapRef<T>(): HeapRefField<T> {
  return Object.freeze({ kind: 'heapRef', size: 4, align: 4 });
}

/** The most elements a fixed array may have. */
export const maxArrayLength = 2 ** 24;

/**
 * A fixed array of `length` elements of `elem`.
 *
 * @offheap field:array
 */
export function array<E extends Field<unknown>, const N extends number>(elem: E, length: N): ArrayField<E, N> {
  checkField('array: elem', elem);
  checkInt('array: length', length, 1, maxArrayLength);
  const size = elem.size * length;
  checkInt('array: size (elem.size × length)', size, 1, maxStructSize);
  return Object.freeze({ kind: 'array', size, align: elem.align, elem, length });
}

/** The largest struct: a layout must fit a u32 and far below the space. */
export const maxStructSize = 2 ** 30;

const kinds = new Set<string>(['u8', 'u16', 'u32', 'i8', 'i16', 'i32', 'f32', 'f64', 'bool', 'ptr', 'heapRef', 'array', 'struct']);

function checkField(what: string, f: unknown): asserts f is Field<unknown> {
  const d = f as Partial<Layout<unknown>> | null;
  const ok =
    typeof f === 'object' &&
    d !== null &&
    typeof d.kind === 'string' &&
    kinds.has(d.kind) &&
    Number.isInteger(d.size) &&
    Number.isInteger(d.align) &&
    (d.kind !== 'struct' || isLayout(f));
  if (!ok) {
    throw new MisuseError(`${what} must be a field description (u8…f64, bool, ptr(), heapRef(), array(), a struct layout); got ${show(f)}`, { value: f });
  }
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Adds the HeapRef slots of `f`, placed at `base`, to `slots`. */
function collectSlots(f: Field<unknown>, base: number, slots: number[]): void {
  if (f.kind === 'heapRef') slots.push(base);
  else if (f.kind === 'struct') for (const s of (f as Layout<unknown>).ptrSlots) slots.push(base + s);
  else if (f.kind === 'array') {
    const a = f as ArrayField<Field<unknown>, number>;
    if (a.elem.kind === 'heapRef' || a.elem.kind === 'struct' || a.elem.kind === 'array') {
      for (let i = 0; i < a.length; i++) collectSlots(a.elem, base + i * a.elem.size, slots);
    }
  }
}

/**
 * Describes a not-in-heap record: fields in memory order, each at its natural
 * alignment; size rounded up to the largest alignment. The record type is
 * `LayoutType<typeof L>`.
 *
 * @offheap struct
 */
export function struct<const F extends Fields>(name: string, fields: F): Layout<RecordOf<F>, F> {
  if (typeof name !== 'string' || !identifier.test(name)) {
    throw new MisuseError(`struct: name must be an identifier; got ${show(name)}`, { value: name });
  }
  if (typeof fields !== 'object' || fields === null) {
    throw new MisuseError(`struct ${name}: fields must be an object of field descriptions; got ${show(fields)}`, { value: fields });
  }
  const offsets: Record<string, number> = {};
  const slots: number[] = [];
  let size = 0;
  let align = 1;
  for (const key of Object.keys(fields)) {
    if (!identifier.test(key)) throw new MisuseError(`struct ${name}: field name must be an identifier; got ${show(key)}`, { value: key });
    const f = fields[key];
    checkField(`struct ${name}: field ${key}`, f);
    size = (size + f.align - 1) & ~(f.align - 1);
    offsets[key] = size;
    collectSlots(f, size, slots);
    size += f.size;
    if (f.align > align) align = f.align;
  }
  size = (size + align - 1) & ~(align - 1);
  if (size > maxStructSize) {
    throw new OffheapRangeError('ERR_BAD_SIZE', `struct ${name}: size ${size} is above the limit ${maxStructSize}`, { value: size, limit: maxStructSize });
  }
  const ptrmask = new Uint8Array(Math.ceil(size / 32));
  for (const s of slots) ptrmask[s >>> 5] |= 1 << ((s >>> 2) & 7);
  return Object.freeze({
    kind: 'struct',
    name,
    size,
    align,
    fields: Object.freeze({ ...fields }),
    offsets: Object.freeze(offsets),
    ptrmask,
    ptrSlots: Int32Array.from(slots),
    hasPointers: slots.length > 0,
  }) as unknown as Layout<RecordOf<F>, F>;
}

/** Whether `value` is a layout made by `struct`. */
export function isLayout(value: unknown): value is Layout<unknown> {
  return typeof value === 'object' && value !== null && (value as Layout<unknown>).kind === 'struct' && (value as Layout<unknown>).ptrSlots instanceof Int32Array;
}
