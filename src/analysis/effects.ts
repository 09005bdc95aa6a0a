// The declared model of the runtime: what each API tagged `@offheap <id>`
// does to memory state. The flow's transfer functions, the call graph's
// barrier test and the rules read this table instead of switching on ids, so
// a new runtime API is taught to every analysis in one place.
// tests/runtime/tags.test.ts checks that every tag in the runtime has an entry,
// that every entry has a tag, and that `writeBarrier` agrees with the
// runtime's `@writebarrier` tags.

/**
 * An argument position. Non-negative: from the start; negative: from the end
 * (`-1` is the last argument), for APIs whose element-accessor overload adds
 * an index before the value (`set(p, v)` and `set(p, i, v)`).
 */
export type ArgIndex = number;

/** Whether allocated memory is known zero, may hold old bytes, or depends on the pool's `zero` option. */
export type AllocZero = 'zeroed' | 'maybeGarbage' | 'poolOption';

export interface AllocEffect {
  readonly zero: AllocZero;
  /**
   * Where the layout comes from: `receiver` (the pool the method is called
   * on), `sizeArg` (a byte count spelled `L.size`, or `L.size * n`), or an argument.
   */
  readonly layout: 'receiver' | 'sizeArg' | { readonly arg: ArgIndex };
  /** The byte-count argument, for `sizeArg` layouts. */
  readonly sizeArg?: ArgIndex;
}

export interface ClearEffect {
  /** The clear runs the deletion barrier on the HeapRef slots it overwrites. */
  readonly barrier: boolean;
  readonly ptrArg: ArgIndex;
  /** The byte count (`memclrNoHeapPointers(p, n)`), when the range is given in bytes. */
  readonly sizeArg?: ArgIndex;
  /** The layout whose one object is cleared (`typedmemclr(L, p)`). */
  readonly layoutArg?: ArgIndex;
}

export interface StoreEffect {
  /** The slot: `address` = a pointer plus an offset expression; `accessor` = a field accessor's record pointer. */
  readonly slot: 'address' | 'accessor';
  readonly ptrArg: ArgIndex;
  readonly valueArg: ArgIndex;
  /** The element index of an array accessor, present when the call has this many arguments. */
  readonly element?: { readonly arity: number; readonly indexArg: ArgIndex };
}

/**
 * A read or write of a record's memory (every accessor get/set, the raw
 * HeapRef stores, the clears): memory that may be freed must not be touched.
 */
export interface AccessEffect {
  readonly ptrArg: ArgIndex;
  readonly write: boolean;
}

export interface RootEffect {
  readonly ptrArg: ArgIndex;
  readonly layoutArg: ArgIndex;
  /** Number of consecutive records rooted; 1 when the argument is absent. */
  readonly countArg: ArgIndex;
}

export interface FreeEffect {
  /** `pool` = FixAlloc.free (reused by the pool), `pages` = sysFree, `heapRef` = freeHeapRef. */
  readonly what: 'pool' | 'pages' | 'heapRef';
  readonly arg: ArgIndex;
  readonly sizeArg?: ArgIndex;
}

/** What the tagged declaration is, for entries that are not memory operations. */
export type EffectKind =
  | 'operation' // a function or method that runs
  | 'pool' // the FixAlloc class: `new FixAlloc(L, { zero, first })`
  | 'layout' // struct() and the field constructors: describe memory, touch none
  | 'type' // Ptr, Garbage, MaybeGarbage, HeapRef, NotInHeap, FixedArray
  | 'brand' // the unique symbols behind the types
  | 'decorator' // @notInHeap
  | 'memory'; // a property that is or holds the runtime's raw memory (`rawMemory`: its buffer, a view of it)

export interface RuntimeEffect {
  readonly id: string;
  readonly kind: EffectKind;
  /** The call runs the write barrier (the runtime tags it `@writebarrier`). */
  readonly writeBarrier: boolean;
  /** The call can run collector work: mark roots, scan, sweep, free handles. */
  readonly collector: boolean;
  readonly allocates?: AllocEffect;
  readonly clears?: ClearEffect;
  readonly storesHeapRef?: StoreEffect;
  /** Reads or writes the memory a pointer argument addresses. */
  readonly accesses?: AccessEffect;
  readonly roots?: RootEffect;
  readonly unroots?: { readonly ptrArg: ArgIndex };
  readonly frees?: FreeEffect;
  readonly pins?: { readonly arg: ArgIndex };
  readonly unpins?: { readonly arg: ArgIndex };
  /** `newHeapRef`: returns a fresh handle, alive only while a root or pin names it. */
  readonly makesHeapRef?: boolean;
  /**
   * The runtime's whole address space, unchecked (raw-views.ts): `buffer` is its ArrayBuffer (a typed array or
   * DataView made over it with no byte offset indexes by address); `view` a typed-array member of the space's
   * views (SpaceViews), whose index `i` is the address `i * width`, the width its declared type's: a view read
   * from any object typed so (`rt.space.u32`, a parameter `v: SpaceViews`). Writes through either run no barrier.
   */
  readonly rawMemory?: 'buffer' | 'view';
  /** A `FixAlloc` construction: the layout argument and the options argument (`zero`, `first`). */
  readonly pool?: {
    readonly layoutArg: ArgIndex;
    readonly optionsArg: ArgIndex;
    /** The pool may be opened by other threads (Go: a central list with per-P caches); a layout with HeapRef slots cannot be allocated from it. */
    readonly shared?: boolean;
  };
}

type Spec = Omit<RuntimeEffect, 'id' | 'kind' | 'writeBarrier' | 'collector'> & Partial<Pick<RuntimeEffect, 'kind' | 'writeBarrier' | 'collector'>>;

const specs: Record<string, Spec> = {
  // Allocation.
  sysAlloc: { allocates: { zero: 'zeroed', layout: 'sizeArg', sizeArg: 0 } },
  persistentalloc: { allocates: { zero: 'zeroed', layout: 'sizeArg', sizeArg: 0 } },
  FixAlloc: { kind: 'pool', pool: { layoutArg: 0, optionsArg: 1 } },
  // sharedPool(rt, name, layout, options): the same pool in every thread that opens the name.
  sharedPool: { pool: { layoutArg: 2, optionsArg: 3, shared: true } },
  'FixAlloc.alloc': { allocates: { zero: 'poolOption', layout: 'receiver' } },
  // Freeing.
  sysFree: { frees: { what: 'pages', arg: 0, sizeArg: 1 } },
  'FixAlloc.free': { frees: { what: 'pool', arg: 0 } },
  freeHeapRef: { frees: { what: 'heapRef', arg: 0 } },
  // Clears: zero-initialization without barriers, zeroing with them.
  memclrNoHeapPointers: { clears: { barrier: false, ptrArg: 0, sizeArg: 1 }, accesses: { ptrArg: 0, write: true } },
  typedmemclr: { writeBarrier: true, clears: { barrier: true, ptrArg: 1, layoutArg: 0 }, accesses: { ptrArg: 1, write: true } },
  memclrHasPointers: { writeBarrier: true, clears: { barrier: true, ptrArg: 0, sizeArg: 1 }, accesses: { ptrArg: 0, write: true } },
  // HeapRef stores.
  storeHeapRef: { writeBarrier: true, storesHeapRef: { slot: 'address', ptrArg: 0, valueArg: 1 }, accesses: { ptrArg: 0, write: true } },
  storeHeapRefNoWB: { storesHeapRef: { slot: 'address', ptrArg: 0, valueArg: 1 }, accesses: { ptrArg: 0, write: true } },
  'HeapRefAccessor.set': {
    writeBarrier: true,
    storesHeapRef: { slot: 'accessor', ptrArg: 0, valueArg: -1, element: { arity: 3, indexArg: 1 } },
    accesses: { ptrArg: 0, write: true },
  },
  'HeapRefAccessor.get': { accesses: { ptrArg: 0, write: false } },
  // Number, boolean and Ptr fields (and arrays of them): plain loads and stores.
  'ScalarAccessor.get': { accesses: { ptrArg: 0, write: false } },
  'ScalarAccessor.set': { accesses: { ptrArg: 0, write: true } },
  // Roots and pins.
  addRoot: { roots: { ptrArg: 0, layoutArg: 1, countArg: 2 } },
  removeRoot: { unroots: { ptrArg: 0 } },
  pin: { pins: { arg: 0 } },
  unpin: { unpins: { arg: 0 } },
  // The object heap.
  newHeapRef: { makesHeapRef: true },
  deref: {},
  // The collector. gcStart snapshots the roots and turns marking on.
  gcStart: { collector: true },
  gcStep: { collector: true },
  gcFinish: { collector: true },
  gc: { collector: true },
  // A new runtime: its memory, handles and roots are its own (no-hidden-heap-pointers reports mixing them).
  createRuntime: {},
  // The default runtime behind the module-level functions, and the call that replaces it: a runtime
  // passed to setDefaultRuntime is the default from then on (no-hidden-heap-pointers).
  defaultRuntime: {},
  setDefaultRuntime: {},
  // A runtime over another thread's shared space: its handles and roots are its own, its memory the space's.
  attachRuntime: {},
  // Pure queries.
  access: {},
  // The space's raw memory: the runtime's buffer, the same buffer as a shared descriptor carries it to another
  // thread, and the runtime's typed-array views. `rt.space` is the object of views; each view is known by its
  // member's declaration (SpaceViews.*), whatever object it is read from, so the object itself needs no rawMemory.
  'Runtime.buffer': { kind: 'memory', rawMemory: 'buffer' },
  'SharedRuntime.buffer': { kind: 'memory', rawMemory: 'buffer' },
  'Runtime.space': { kind: 'memory' },
  'SpaceViews.u8': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.i8': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.u16': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.i16': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.u32': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.i32': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.f32': { kind: 'memory', rawMemory: 'view' },
  'SpaceViews.f64': { kind: 'memory', rawMemory: 'view' },
  memoryPicture: {},
  // Layouts.
  struct: { kind: 'layout' },
  'field:u8': { kind: 'layout' },
  'field:u16': { kind: 'layout' },
  'field:u32': { kind: 'layout' },
  'field:i8': { kind: 'layout' },
  'field:i16': { kind: 'layout' },
  'field:i32': { kind: 'layout' },
  'field:f32': { kind: 'layout' },
  'field:f64': { kind: 'layout' },
  'field:bool': { kind: 'layout' },
  'field:ptr': { kind: 'layout' },
  'field:heapRef': { kind: 'layout' },
  'field:array': { kind: 'layout' },
  // Types and their brands.
  Ptr: { kind: 'type' },
  Garbage: { kind: 'type' },
  MaybeGarbage: { kind: 'type' },
  HeapRef: { kind: 'type' },
  NotInHeap: { kind: 'type' },
  FixedArray: { kind: 'type' },
  'brand:Ptr': { kind: 'brand' },
  'brand:Garbage': { kind: 'brand' },
  'brand:HeapRef': { kind: 'brand' },
  'brand:NotInHeap': { kind: 'brand' },
  notInHeap: { kind: 'decorator' },
};

/** Every entry, keyed by its `@offheap` id. */
export const effectCatalogue: ReadonlyMap<string, RuntimeEffect> = new Map(
  Object.entries(specs).map(([id, s]): [string, RuntimeEffect] => [
    id,
    Object.freeze({ ...s, id, kind: s.kind ?? 'operation', writeBarrier: s.writeBarrier ?? false, collector: s.collector ?? false }),
  ]),
);

/** The effect of the runtime API tagged `@offheap <id>`, or undefined for an unknown id. */
export function effectOf(id: string | undefined): RuntimeEffect | undefined {
  return id === undefined ? undefined : effectCatalogue.get(id);
}

/** The argument at `index` (negative counts from the end), or undefined. */
export function argAt<T>(args: readonly T[], index: ArgIndex | undefined): T | undefined {
  if (index === undefined) return undefined;
  return index < 0 ? args[args.length + index] : args[index];
}
