// The type-level vocabulary of unmanaged memory.
//
// Every brand is keyed by a `unique symbol` that exists only in declarations,
// so the brands cost nothing at run time and cannot be forged by a structural
// look-alike. The lint rules find these declarations (and every runtime API
// they care about) by the JSDoc tag `@offheap <id>` on the resolved
// declaration, never by name: aliases, re-exports and renamed imports all
// resolve to the tagged declaration, in `src/` as in the shipped `.d.ts`.
// Keep the tags when editing; `tests/analysis` pins them.

/** @offheap brand:Ptr */
declare const ptrBrand: unique symbol;
/** @offheap brand:Garbage */
declare const garbageBrand: unique symbol;
/** @offheap brand:HeapRef */
declare const heapRefBrand: unique symbol;
/** @offheap brand:NotInHeap */
declare const notInHeapBrand: unique symbol;

/**
 * The byte address of a `T` in unmanaged memory. `0` is nil. A `Ptr` is not a
 * heap pointer: storing one needs no write barrier and the collector never
 * follows it (Go: a pointer to a not-in-heap type).
 *
 * @offheap Ptr
 */
export type Ptr<T> = number & { readonly [ptrBrand]: T };

/**
 * The address of memory that may still hold a previous object's bytes (from a
 * non-zeroing pool's free list). It is not yet type-safe: it must be
 * zero-initialized with `memclrNoHeapPointers`, whose assertion signature
 * narrows it to `Ptr<T>`, before typed APIs accept it.
 *
 * @offheap Garbage
 */
export type Garbage<T> = number & { readonly [garbageBrand]: T };

/**
 * What a non-zeroing allocator returns: fresh (zero) or reused (garbage)
 * memory, not known which.
 *
 * @offheap MaybeGarbage
 */
export type MaybeGarbage<T> = Ptr<T> | Garbage<T>;

/**
 * A handle to a JS object held by the runtime's object heap: the only form in
 * which unmanaged memory may refer to the JS heap. A `HeapRef` slot must be
 * covered by a root (Go's `markroot`) or its object is collected.
 *
 * @offheap HeapRef
 */
export type HeapRef<T> = number & { readonly [heapRefBrand]: T };

/**
 * Marks `T` as not-in-heap: values of it live only in unmanaged memory and are
 * reached through `Ptr<T>`. Containment propagates (Go 1.20+): a type holding a
 * not-in-heap type by value is itself not-in-heap.
 *
 * @offheap NotInHeap
 */
export type NotInHeap<T> = T & { readonly [notInHeapBrand]: true };

/** The nil pointer. Address 0 is never handed out. */
export const nil = 0 as Ptr<never>;

/**
 * A fixed-length array held by value inside a not-in-heap record (a layout's
 * `array(elem, n)` field). It is itself not-in-heap: it exists only in
 * unmanaged memory and is reached through the record's accessors.
 *
 * @offheap FixedArray
 */
export type FixedArray<V, N extends number = number> = NotInHeap<{ readonly length: N; [index: number]: V }>;
