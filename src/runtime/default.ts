// The default runtime and the module-level functions over it.
//
// Go has one runtime per process; a program here may hold several (tests,
// workers), and the module-level functions (`sysAlloc`, `typedmemclr`,
// `gc`, …) use the default one, made on first use or set with
// `setDefaultRuntime`. This is the only module that holds it: every other
// runtime file takes its runtime as an argument, so nothing else imports
// this one except `FixAlloc`, whose `runtime` option defaults to it.
// Each function delegates to the Runtime method of the same `@offheap` id;
// the method is the one implementation (and the one validation boundary).
// The module-level forms exist because assertion signatures on methods need
// an explicitly typed receiver, and for short programs.

import type { Accessor } from './accessor.js';
import { MisuseError, show } from './errors.js';
import type { Fields, Layout } from './layout.js';
import { isRuntime, Runtime } from './runtime.js';
import type { HeapRef, MaybeGarbage, Ptr } from './types.js';

let theDefault: Runtime | undefined;

/**
 * The runtime behind the module-level functions, made on first use with the default options.
 *
 * @offheap defaultRuntime
 */
export function defaultRuntime(): Runtime {
  return (theDefault ??= new Runtime());
}

/** The default runtime if one was made, without making one (a refused `new FixAlloc` makes none). Not in the package entry. */
export function madeDefaultRuntime(): Runtime | undefined {
  return theDefault;
}

/**
 * Makes `rt` the runtime behind the module-level functions (e.g. a debug
 * runtime in tests, or, in a worker, a runtime attached to the owner's
 * shared space). Pools keep the runtime they were made with.
 *
 * @offheap setDefaultRuntime
 */
export function setDefaultRuntime(rt: Runtime): void {
  if (!isRuntime(rt)) throw new MisuseError(`setDefaultRuntime: rt must be a Runtime; got ${show(rt)}`, { value: rt, limit: 'Runtime' });
  theDefault = rt;
}

/**
 * Whole zeroed pages for `n` bytes (rounded up to 8 KiB pages) from the
 * default runtime, charged to `stat` (Go's sysAlloc(n, sysStat)).
 *
 * @offheap sysAlloc
 */
export function sysAlloc<T = unknown>(n: number, stat?: string): Ptr<T> {
  return defaultRuntime().sysAlloc<T>(n, stat);
}

/**
 * Returns pages from sysAlloc to the default runtime for reuse; `n` is the
 * size they were allocated with (Go's sysFree).
 *
 * @offheap sysFree
 */
export function sysFree(p: Ptr<unknown> | MaybeGarbage<unknown> | number, n: number): void {
  defaultRuntime().sysFree(p, n);
}

/**
 * `size` zero bytes aligned to `align` (a power of two ≤ 8 KiB) from the
 * default runtime; never freed (Go's persistentalloc).
 *
 * @offheap persistentalloc
 */
export function persistentalloc<T = unknown>(size: number, align = 8, stat?: string): Ptr<T> {
  return defaultRuntime().persistentalloc<T>(size, align, stat);
}

/**
 * Zeroes [p, p+n) with no write barrier (Go's memclrNoHeapPointers): for
 * memory that holds no heap pointers, or that the collector cannot see yet.
 * Its assertion signature narrows possibly-garbage memory to `Ptr<T>`, so
 * typed APIs accept `p` afterwards. A module-level function of the default
 * runtime, because assertion signatures on methods need an explicitly typed
 * receiver (`const rt: Runtime = …`).
 *
 * @offheap memclrNoHeapPointers
 */
export function memclrNoHeapPointers<T>(p: MaybeGarbage<T>, n: number): asserts p is Ptr<T> {
  const rt: Runtime = defaultRuntime();
  rt.memclrNoHeapPointers(p, n);
}

/**
 * Zeroes one `layout` object at type-safe `p`, with a deletion barrier on
 * each of its HeapRef slots (Go's typedmemclr). Use it, not
 * memclrNoHeapPointers, on memory the collector may already see.
 *
 * @offheap typedmemclr
 * @writebarrier
 */
export function typedmemclr<T>(layout: Layout<T>, p: Ptr<T>): void {
  defaultRuntime().typedmemclr(layout, p);
}

/**
 * Zeroes [p, p+n) of type-safe memory, with a deletion barrier on every
 * 4-byte slot (Go's memclrHasPointers, for memory whose layout is not known).
 *
 * @offheap memclrHasPointers
 * @writebarrier
 */
export function memclrHasPointers<T>(p: Ptr<T>, n: number): void {
  defaultRuntime().memclrHasPointers(p, n);
}

/**
 * Stores `v` into the HeapRef slot at `p` through the write barrier of the
 * default runtime (Go: a pointer store with the hybrid barrier).
 *
 * @offheap storeHeapRef
 * @writebarrier
 */
export function storeHeapRef<T>(p: Ptr<HeapRef<T>> | number, v: HeapRef<T>): void {
  defaultRuntime().storeHeapRef(p, v);
}

/**
 * Stores `v` into the HeapRef slot at `p` WITHOUT the write barrier. Correct
 * only where the collector cannot be marking or the slot is not yet visible
 * to it (Go: a `//go:nowritebarrier` path, or `*(*uintptr)(p) = v`).
 *
 * @offheap storeHeapRefNoWB
 */
export function storeHeapRefNoWB<T>(p: Ptr<HeapRef<T>> | number, v: HeapRef<T>): void {
  defaultRuntime().storeHeapRefNoWB(p, v);
}

/**
 * The field accessors of `layout` over the default runtime's memory:
 * `const P = access(Particle); P.flags.set(p, 1)`. Fetch once, outside hot loops.
 *
 * @offheap access
 */
export function access<T, F extends Fields>(layout: Layout<T, F>): Accessor<F, T> {
  return defaultRuntime().access(layout);
}

/**
 * Holds `obj` in the default runtime's object heap and returns its handle.
 * The handle keeps the object only while the collector finds it from a root
 * (a root slot or a pin); pin it before the next collection if JS code alone
 * holds it.
 *
 * @offheap newHeapRef
 */
export function newHeapRef<T>(obj: T): HeapRef<T> {
  return defaultRuntime().newHeapRef(obj);
}

/**
 * The object named by `h`. Throws StaleHandleError when `h` was freed,
 * collected, or never handed out.
 *
 * @offheap deref
 */
export function deref<T>(h: HeapRef<T>): T {
  return defaultRuntime().deref(h);
}

/**
 * Frees `h` now and releases its object; `h` and every copy of it go stale.
 *
 * @offheap freeHeapRef
 */
export function freeHeapRef(h: HeapRef<unknown>): void {
  defaultRuntime().freeHeapRef(h);
}

/**
 * Registers `count` objects of `layout` at `p` as a GC root of the default
 * runtime (Go: a root job in markroot). The collector scans exactly their
 * HeapRef slots until `removeRoot(p)`. Reused memory must be zero-initialized
 * first. Registered while the collector marks, the root is scanned before
 * marking ends.
 *
 * @offheap addRoot
 */
export function addRoot<T>(p: Ptr<T>, layout: Layout<T>, count = 1): void {
  defaultRuntime().addRoot(p, layout, count);
}

/**
 * Unregisters the root at `p`; its HeapRef slots stop keeping objects alive.
 *
 * @offheap removeRoot
 */
export function removeRoot(p: Ptr<unknown>): void {
  defaultRuntime().removeRoot(p);
}

/**
 * Keeps `h` alive while JS code holds it (Go: a reference on a goroutine
 * stack). Pins count; each needs an unpin.
 *
 * @offheap pin
 */
export function pin(h: HeapRef<unknown>): void {
  defaultRuntime().pin(h);
}

/**
 * Drops one pin of `h`.
 *
 * @offheap unpin
 */
export function unpin(h: HeapRef<unknown>): void {
  defaultRuntime().unpin(h);
}

/**
 * Starts a GC cycle of the default runtime: snapshots the roots and turns the
 * write barrier on (Go: gcStart). Returns false if a cycle is already marking.
 *
 * @offheap gcStart
 */
export function gcStart(): boolean {
  return defaultRuntime().gcStart();
}

/**
 * Does at most `budget` units of collector work (root slots scanned, pin
 * entries, slots swept), then returns to the mutator. True while the cycle
 * has work left.
 *
 * @offheap gcStep
 */
export function gcStep(budget: number): boolean {
  return defaultRuntime().gcStep(budget);
}

/**
 * Completes the current cycle: the rest of the mark, mark termination
 * (checkmark if on) and the sweep.
 *
 * @offheap gcFinish
 */
export function gcFinish(): void {
  defaultRuntime().gcFinish();
}

/**
 * A full stop-the-world cycle: frees every handle unreachable from the roots now.
 *
 * @offheap gc
 */
export function gc(): void {
  defaultRuntime().gc();
}

/**
 * The default runtime's address space as an SVG picture (see
 * `Runtime.memoryPicture`).
 *
 * @offheap memoryPicture
 */
export function memoryPicture(): string {
  return defaultRuntime().memoryPicture();
}
