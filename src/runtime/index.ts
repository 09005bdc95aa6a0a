// The `offheap` runtime: unmanaged memory with Go's allocators and rules.
export type { FixedArray, Garbage, HeapRef, MaybeGarbage, NotInHeap, Ptr } from './types.js';
export { nil } from './types.js';
export {
  AttachError,
  BadPointerError,
  ClosedError,
  DoubleFreeError,
  ForeignPointerError,
  MisuseError,
  OffheapError,
  OffheapRangeError,
  OutOfBoundsError,
  OutOfMemoryError,
  OptionError,
  SharedPoolError,
  StaleHandleError,
  type OffheapErrorDetails,
} from './errors.js';
export { notInHeap, isNotInHeap, notInHeapMark } from './notinheap.js';
export { pageSize, maxSpaceBytes, defaultSpaceBytes, poisonByte, type MemStats, type SpaceBlock } from './space.js';
export { persistentChunkSize, persistentLargeSize } from './persistentalloc.js';
export {
  fixAllocChunk,
  maxFixAllocSize,
  minFixAllocSize,
  sharedPool,
  type FixAllocOptions,
  type FixAllocResult,
  type FixAllocSnapshot,
  type FixAllocSpan,
  type SharedPoolOptions,
  type SharedPoolStats,
} from './fixalloc.js';
import { FixAlloc as FixAllocClass, type FixAllocOptions } from './fixalloc.js';
import { requireNew } from './check.js';
import type { Layout } from './layout.js';

/**
 * A pool of fixed-size objects of one layout (or one raw size): the class of
 * src/runtime/fixalloc.ts, whose instances this type names.
 *
 * @offheap FixAlloc
 */
export type FixAlloc<T, Z extends boolean = true> = FixAllocClass<T, Z>;

/**
 * FixAlloc's constructor, overloaded so that `zero: false` types the pool
 * `FixAlloc<T, false>` when only the record type is given
 * (`new FixAlloc<Job>(Job, { zero: false })`); the class alone would fix `Z`
 * to its default, true. A subclass names both type arguments
 * (`extends FixAlloc<Job, true>`): TypeScript needs one return type for the
 * signatures a base type's arguments select.
 */
export interface FixAllocConstructor {
  /** @offheap FixAlloc */
  new <T>(type: Layout<T> | number, options: FixAllocOptions<T, false> & { readonly zero: false }): FixAlloc<T, false>;
  /** @offheap FixAlloc */
  new <T, Z extends boolean = true>(type: Layout<T> | number, options?: FixAllocOptions<T, Z>): FixAlloc<T, Z>;
  /** @offheap FixAlloc */
  new <T>(type: Layout<T> | number, options: FixAllocOptions<T, boolean> & { readonly zero: boolean }): FixAlloc<T, boolean>;
  /** As TypeScript types a class's prototype (any type arguments), so a subclass's static side extends this one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly prototype: FixAlloc<any, any>;
}

/**
 * A pool of fixed-size objects (see the FixAlloc type and FixAllocConstructor).
 *
 * @offheap FixAlloc
 */
export const FixAlloc: FixAllocConstructor = requireNew(FixAllocClass);
export { maxThreads, maxSharedPools, maxPoolName, type SharedRuntime } from './share.js';
export { cacheMax, cacheBatch } from './mcache.js';
// The runtime's own machinery (rt.barrier, rt.heap, rt.roots, rt.collector) is exported as types only: its methods
// trust their arguments, and every public entry point reaches it through a checked Runtime method.
export type { WriteBarrier, WriteBarrierHook } from './mbarrier.js';
export {
  struct,
  ptr,
  heapRef,
  array,
  u8,
  u16,
  u32,
  i8,
  i16,
  i32,
  f32,
  f64,
  bool,
  isLayout,
  maxArrayLength,
  maxPointerSlots,
  maxStructSize,
  type ArrayField,
  type Field,
  type FieldKind,
  type Fields,
  type FieldValue,
  type HeapRefField,
  type Layout,
  type LayoutType,
  type PtrField,
  type RecordOf,
  type ScalarField,
} from './layout.js';
export {
  type Accessor,
  type AccessorOf,
  type ElemArrayAccessor,
  type FieldAccessor,
  type HeapRefAccessor,
  type HeapRefArrayAccessor,
  type ScalarAccessor,
  type ScalarArrayAccessor,
} from './accessor.js';
export { Runtime, createRuntime, attachRuntime, type AttachOptions, type RuntimeGcStats, type RuntimeOptions, type RuntimeStats, type SpaceViews } from './runtime.js';
export { describeHandle, maxHeapRefs, type ObjectHeap } from './heap.js';
export type { Root, RootSet } from './roots.js';
export type { Collector, GcPhase, GcStats } from './mgc.js';
export { LostObjectError, type LostObject } from './checkmark.js';
export { type PageClass } from './picture.js';
export {
  defaultRuntime,
  setDefaultRuntime,
  sysAlloc,
  sysFree,
  persistentalloc,
  memclrNoHeapPointers,
  typedmemclr,
  memclrHasPointers,
  storeHeapRef,
  storeHeapRefNoWB,
  access,
  newHeapRef,
  deref,
  freeHeapRef,
  addRoot,
  removeRoot,
  pin,
  unpin,
  gcStart,
  gcStep,
  gcFinish,
  gc,
  memoryPicture,
} from './default.js';
