// The `offheap` runtime: unmanaged memory with Go's allocators and rules.
export type { FixedArray, Garbage, HeapRef, MaybeGarbage, NotInHeap, Ptr } from './types.js';
export { nil } from './types.js';
export {
  BadPointerError,
  DoubleFreeError,
  ForeignPointerError,
  MisuseError,
  NotOwnerError,
  OffheapError,
  OffheapRangeError,
  OutOfBoundsError,
  OutOfMemoryError,
  OptionError,
  StaleHandleError,
  type OffheapErrorDetails,
} from './errors.js';
export { notInHeap, isNotInHeap, notInHeapMark } from './notinheap.js';
export { pageSize, maxSpaceBytes, defaultSpaceBytes, poisonByte, type MemStats, type SpaceBlock } from './space.js';
export { persistentChunkSize, persistentLargeSize } from './persistentalloc.js';
export { FixAlloc, fixAllocChunk, maxFixAllocSize, minFixAllocSize, type FixAllocOptions, type FixAllocResult, type FixAllocSnapshot, type FixAllocSpan } from './fixalloc.js';
export { WriteBarrier, type WriteBarrierHook } from './mbarrier.js';
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
export { Runtime, createRuntime, type RuntimeOptions, type RuntimeStats } from './runtime.js';
export { describeHandle, maxHeapRefs, ObjectHeap } from './heap.js';
export { Root, RootSet } from './roots.js';
export { Collector, type GcPhase, type GcStats } from './mgc.js';
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
