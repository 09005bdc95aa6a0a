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
//
// Layouts are trusted by generated code (accessor.ts), so only descriptions
// made here are accepted: every constructor brands its frozen result in a
// module-private WeakSet, and `struct`, `array`, `access`, FixAlloc and the
// collector refuse anything else (a JSON-parsed or hand-written look-alike)
// with MisuseError. Every number in a branded description was computed here
// from checked integers; field names are only ever property keys, never
// source text. Sizes and pointer-slot counts are computed in closed form and
// checked against their limits before anything is built.

import { checkInt } from './check.js';
import { MisuseError, OffheapRangeError, show } from './errors.js';
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

/** Every field description and layout this module made (the brand). */
const made = new WeakSet<object>();

/**
 * A struct layout. Its HeapRef slot offsets, which the barrier, the collector,
 * the heap bits and embedding structs read, live in a private field, where no
 * caller can rewrite them: `Object.freeze` cannot freeze a typed array's
 * elements, so the public `ptrSlots` is a copy for reading, and a write into
 * it (or into `ptrmask`) changes nothing the runtime uses.
 */
class StructLayout {
  readonly #slots: Int32Array;
  readonly #runs: Int32Array;
  constructor(props: object, slots: Int32Array) {
    Object.assign(this, props);
    this.#slots = slots;
    this.#runs = slotRuns(slots);
  }
  /** The slot offsets of `layout`, made by struct (callers checked isLayout). */
  static slotsOf(layout: Layout<unknown>): Int32Array {
    return (layout as unknown as StructLayout).#slots;
  }
  /** The same slots as runs (slotRuns). */
  static runsOf(layout: Layout<unknown>): Int32Array {
    return (layout as unknown as StructLayout).#runs;
  }
}

/**
 * Ascending slot offsets as runs of equally spaced slots, `[first, stride, count]` per run, greedily longest first:
 * the barrier's loop steps through a run without reading an offset per slot (an array of HeapRefs is one run).
 */
export function slotRuns(slots: Int32Array): Int32Array {
  const runs: number[] = [];
  for (let i = 0; i < slots.length; ) {
    const stride = i + 1 < slots.length ? slots[i + 1] - slots[i] : 4;
    let j = i + 1;
    while (j < slots.length && slots[j] - slots[j - 1] === stride) j++;
    runs.push(slots[i], stride, j - i);
    i = j;
  }
  return Int32Array.from(runs);
}

/** The HeapRef slot offsets of a struct layout, ascending, as the runtime reads them (see StructLayout). */
export const layoutSlots = (layout: Layout<unknown>): Int32Array => StructLayout.slotsOf(layout);

/** The HeapRef slots of a struct layout as runs, `[first, stride, count]` each (slotRuns). */
export const layoutSlotRuns = (layout: Layout<unknown>): Int32Array => StructLayout.runsOf(layout);

/** Freezes and brands a description. */
function brand<D extends object>(d: D): D {
  Object.freeze(d);
  made.add(d);
  return d;
}

function scalar<V extends number | boolean>(kind: ScalarField<V>['kind'], size: number): ScalarField<V> {
  return brand({ kind, size, align: size });
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
    throw new MisuseError(`ptr: target must be a function returning a layout; got ${show(target)}`, { value: target, limit: 'a function returning a layout' });
  }
  return brand({ kind: 'ptr', size: 4, align: 4, target });
}

/**
 * A `HeapRef<T>` slot: a heap pointer held in unmanaged memory.
 *
 * @offheap field:heapRef
 */
export function heapRef<T>(): HeapRefField<T> {
  return brand({ kind: 'heapRef', size: 4, align: 4 });
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
  checkInt('array: length', length, 1, maxArrayLength, 'ERR_BAD_SIZE');
  // Closed form: no loop over the elements until the limits hold.
  const size = elem.size * length;
  checkInt('array: size (elem.size × length)', size, 1, maxStructSize);
  checkInt('array: HeapRef slots (per element × length)', slotCount(elem) * length, 0, maxPointerSlots);
  return brand({ kind: 'array', size, align: elem.align, elem, length });
}

/** The largest struct: a layout must fit a u32 and far below the space. */
export const maxStructSize = 2 ** 30;
/** The most HeapRef slots one layout may hold (its pointer list and every root scan are linear in them). */
export const maxPointerSlots = 2 ** 20;

/** The HeapRef slots of a branded description, in closed form. */
function slotCount(f: Field<unknown>): number {
  if (f.kind === 'heapRef') return 1;
  if (f.kind === 'struct') return (f as Layout<unknown>).ptrSlots.length;
  if (f.kind === 'array') return slotCount((f as ArrayField<Field<unknown>, number>).elem) * (f as ArrayField<Field<unknown>, number>).length;
  return 0;
}

function checkField(what: string, f: unknown): asserts f is Field<unknown> {
  if (typeof f !== 'object' || f === null || !made.has(f)) {
    throw new MisuseError(`${what} must be a field description made by the runtime (u8…f64, bool, ptr(), heapRef(), array(), a struct() layout); got ${show(f)}`, {
      value: f,
      limit: 'a field description',
    });
  }
}

/** Field and struct names: identifiers of at most 128 characters. They are only ever property keys and message text. */
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;
/** Names that would change an object's prototype or shadow what accessors and layouts rely on. */
const reservedNames = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']);

/** Adds the HeapRef slots of `f`, placed at `base`, to `slots`. */
function collectSlots(f: Field<unknown>, base: number, slots: number[]): void {
  if (f.kind === 'heapRef') slots.push(base);
  else if (f.kind === 'struct') for (const s of layoutSlots(f as Layout<unknown>)) slots.push(base + s);
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
  if (typeof name !== 'string' || !identifier.test(name) || reservedNames.has(name)) {
    throw new MisuseError(`struct: name must be an identifier of at most 128 characters (not ${[...reservedNames].join(', ')}); got ${show(name)}`, { value: name, limit: 'an identifier of at most 128 characters' });
  }
  if (typeof fields !== 'object' || fields === null || made.has(fields)) {
    throw new MisuseError(`struct ${name}: fields must be a plain object of field descriptions; got ${show(fields)}`, { value: fields, limit: 'a plain object of field descriptions' });
  }
  // Own data properties only, each read once: a getter could answer differently each time. A Proxy's traps run
  // here; what they throw (a revoked Proxy's TypeError included) becomes a MisuseError.
  const keys: string[] = [];
  const descs: Field<unknown>[] = [];
  try {
    if (Array.isArray(fields)) throw new MisuseError(`struct ${name}: fields must be a plain object of field descriptions; got ${show(fields)}`, { value: fields, limit: 'a plain object of field descriptions' });
    // A plain object, as options are: own fields only are read, so an inherited one (Object.create({ a: u32 }), a
    // class instance's prototype members) was silently left out, and a Date, a boxed Number or a Map made an empty layout.
    const proto: unknown = Reflect.getPrototypeOf(fields);
    if (proto !== Object.prototype && proto !== null) {
      throw new MisuseError(`struct ${name}: fields must be a plain object (an object literal or Object.create(null)); got one whose prototype is not Object.prototype, whose inherited fields would be left out`, {
        value: fields,
        limit: 'a plain object of field descriptions',
      });
    }
    for (const key of Reflect.ownKeys(fields)) {
      if (typeof key !== 'string' || !identifier.test(key) || reservedNames.has(key)) {
        throw new MisuseError(`struct ${name}: field name must be an identifier (not ${[...reservedNames].join(', ')}); got ${typeof key === 'string' ? show(key) : 'a symbol'}`, {
          value: typeof key === 'string' ? key : undefined,
          limit: 'an identifier of at most 128 characters',
        });
      }
      const d = Object.getOwnPropertyDescriptor(fields, key);
      if (d === undefined || !('value' in d) || !d.enumerable) {
        throw new MisuseError(`struct ${name}: field ${key} must be an enumerable data property (no getters)`, { value: key, limit: 'an enumerable data property' });
      }
      checkField(`struct ${name}: field ${key}`, d.value);
      keys.push(key);
      descs.push(d.value);
    }
  } catch (e) {
    if (e instanceof MisuseError) throw e;
    throw new MisuseError(`struct ${name}: fields could not be read (a Proxy trap threw)`, { value: fields, limit: 'a plain object of field descriptions' });
  }
  // Own data properties by definition (CreateDataProperty), not by assignment: with Object.prototype frozen (a
  // hardened realm) `offsets.isPrototypeOf = 0` threw the engine's TypeError, as any inherited read-only name would.
  const offs: number[] = [];
  let size = 0;
  let align = 1;
  let nslots = 0;
  for (let k = 0; k < keys.length; k++) {
    const f = descs[k];
    size = (size + f.align - 1) & ~(f.align - 1);
    offs.push(size);
    size += f.size;
    nslots += slotCount(f);
    if (f.align > align) align = f.align;
    // Checked per field, so the sum never leaves the safe integers.
    if (size > maxStructSize) break;
  }
  size = (size + align - 1) & ~(align - 1);
  if (!(size >= 0 && size <= maxStructSize)) {
    throw new OffheapRangeError('ERR_BAD_SIZE', `struct ${name}: size is above the limit ${maxStructSize}`, { value: size, limit: maxStructSize });
  }
  checkInt(`struct ${name}: HeapRef slots`, nslots, 0, maxPointerSlots);
  const slots: number[] = [];
  for (let k = 0; k < keys.length; k++) collectSlots(descs[k], offs[k], slots);
  const offsets = Object.fromEntries(keys.map((key, k) => [key, offs[k]])) as Record<string, number>;
  const frozenFields = Object.fromEntries(keys.map((key, k) => [key, descs[k]])) as Record<string, Field<unknown>>;
  const ptrmask = new Uint8Array(Math.ceil(size / 32));
  for (const s of slots) ptrmask[s >>> 5] |= 1 << ((s >>> 2) & 7);
  return brand(
    new StructLayout(
      {
        kind: 'struct',
        name,
        size,
        align,
        fields: Object.freeze(frozenFields),
        offsets: Object.freeze(offsets),
        ptrmask,
        ptrSlots: Int32Array.from(slots),
        hasPointers: slots.length > 0,
      },
      Int32Array.from(slots),
    ),
  ) as unknown as Layout<RecordOf<F>, F>;
}

/** Whether `value` is a layout made by `struct` (the brand, not its shape: a look-alike is not one). */
export function isLayout(value: unknown): value is Layout<unknown> {
  return typeof value === 'object' && value !== null && made.has(value) && (value as Layout<unknown>).kind === 'struct';
}

/** Whether `value` is a field description or layout made by this module. */
export function isField(value: unknown): value is Field<unknown> {
  return typeof value === 'object' && value !== null && made.has(value);
}
