/// <reference lib="esnext.disposable" preserve="true" />
// The runtime instance: one address space and the allocators over it.
//
// Go has one runtime per process; here a program, a test or a worker may hold
// several, each owning its space, so nothing leaks between them. The methods
// here are the one implementation of each API; the module-level functions
// (default.ts) delegate to them on the default runtime and carry the same
// `@offheap` ids.
//
// A shared runtime (`shared: true`) keeps its allocators' state in its
// SharedArrayBuffer (share.ts); `share()` describes it for another thread,
// whose `attachRuntime` makes a runtime over the same space. Every runtime
// of the space allocates, with its own caches; each keeps its own object
// heap, roots and collector, since a HeapRef names a JS object that only
// its own isolate can see.

import { buildAccessor, type Accessor } from './accessor.js';
import { checkOptions, checkPtr, checkSize, guardReceivers, isU32, optBool, optInt, requireNew } from './check.js';
import { AttachError, MisuseError, OptionError, OutOfBoundsError, show } from './errors.js';
import { isLayout, type Fields, type Layout } from './layout.js';
import {
  memclrHasPointersImpl,
  storeHeapRefImpl,
  storeHeapRefNoWBImpl,
  typedmemclrImpl,
  WriteBarrier,
  type WriteBarrierHook,
} from './mbarrier.js';
import type { FixAllocSnapshot } from './fixalloc.js';
import { checkRange, clearBytes } from './memclr.js';
import { drawMemory } from './picture.js';
import { ObjectHeap, processHandles } from './heap.js';
import { Collector, type GcStats } from './mgc.js';
import type { LostObject } from './checkmark.js';
import { PersistentAlloc } from './persistentalloc.js';
import { RootSet } from './roots.js';
import { deadSharedObject } from './objstate.js';
import { checkDescriptor, SharedHandles, type SharedRuntime } from './share.js';
import { AddressSpace, maxSpaceBytes, pageSize, type MemStats } from './space.js';
import type { HeapRef, MaybeGarbage, Ptr } from './types.js';

export interface RuntimeOptions {
  /** Bytes of address space to reserve, rounded up to pages (default 64 MiB, in [16 KiB, 2 GiB]). Alias: `size`. */
  readonly maxBytes?: number;
  /** Same as maxBytes. */
  readonly size?: number;
  /**
   * Back the space with a SharedArrayBuffer that also holds the allocators'
   * state, so other threads attach (`attachRuntime(rt.share())`) and
   * allocate from the same space.
   */
  readonly shared?: boolean;
  /** Poison freed memory, track FixAlloc objects, check accessors (off by default). */
  readonly debug?: boolean;
  /** Verify each GC mark from the roots, stop-the-world, and report lost objects (Go: GODEBUG=gccheckmark=1). */
  readonly checkmark?: boolean;
}

const runtimeOptionKeys = ['maxBytes', 'size', 'shared', 'debug', 'checkmark'] as const;

/** Options of `attachRuntime`: the space and debug mode are the owner's. */
export interface AttachOptions {
  /** Verify each GC mark of this runtime's own heap (see RuntimeOptions.checkmark). */
  readonly checkmark?: boolean;
}

const attachOptionKeys = ['checkmark'] as const;

/** What attachRuntime passes the constructor: a module-private brand, so no caller can forge it. */
class AttachTo {
  readonly #brand = true;
  constructor(readonly buffer: SharedArrayBuffer) {}
  /** Whether `o` is one: a private brand check, which runs no Proxy trap (`instanceof` ran getPrototypeOf). */
  static is(o: unknown): o is AttachTo {
    return typeof o === 'object' && o !== null && #brand in o && o.#brand;
  }
}

/** What the runtime knows of a FixAlloc pool (fixalloc.ts imports this module, not the reverse). */
export interface RuntimePool {
  readonly id: number;
  snapshot(): FixAllocSnapshot;
  deadObjectIn(p: number, n: number): string | undefined;
  /** Close: return the thread's cache to the central list; later calls reach the closed check. */
  closeCache(key: object): void;
}

/**
 * Typed-array views over the whole space: raw memory, as Go's
 * unsafe.Pointer arithmetic is. Nothing is checked and no write barrier
 * runs (offheap/zeroing-variant reports such a clear of HeapRef slots).
 * They reach nothing `new Uint8Array(rt.buffer)` does not. Each member is
 * tagged, so the rules know a view by its declaration here, whatever object
 * it is read from (`rt.space.u32`, a parameter `v: SpaceViews`, `{ u32 }`).
 */
export interface SpaceViews {
  /** @offheap SpaceViews.u8 */
  readonly u8: Uint8Array;
  /** @offheap SpaceViews.i8 */
  readonly i8: Int8Array;
  /** @offheap SpaceViews.u16 */
  readonly u16: Uint16Array;
  /** @offheap SpaceViews.i16 */
  readonly i16: Int16Array;
  /** @offheap SpaceViews.u32 */
  readonly u32: Uint32Array;
  /** @offheap SpaceViews.i32 */
  readonly i32: Int32Array;
  /** @offheap SpaceViews.f32 */
  readonly f32: Float32Array;
  /** @offheap SpaceViews.f64 */
  readonly f64: Float64Array;
}

/** The collector's statistics as Runtime.gcStats gives them. */
export interface RuntimeGcStats extends GcStats {
  /** Units of the mark's first phase, the pin scan of the handle table: a gcStep budget that ends exactly after it. */
  readonly pinTable: number;
}

/** Runtime-wide accounting: the space's plus persistentalloc's. */
export interface RuntimeStats extends MemStats {
  /** Bytes handed out by persistentalloc, by stat category. */
  readonly persistent: Readonly<Record<string, number>>;
}

/** Every Runtime made (the brand `isRuntime` checks: no Proxy trap or getter runs, unlike `instanceof`). */
const runtimes = new WeakSet<object>();

/** Whether `value` is a Runtime (made by createRuntime, attachRuntime or `new Runtime`). */
export function isRuntime(value: unknown): value is Runtime {
  return typeof value === 'object' && value !== null && runtimes.has(value);
}

/**
 * The key FixAlloc passes to `registerPool` and Runtime.close to a pool's
 * `closeCache`: both are the runtime's own bookkeeping, and a caller's call
 * (a forged pool in the memory picture, a pool's cache dropped while in use)
 * is refused. Not exported from the package entry.
 */
export const poolKey: object = Object.freeze({});

/**
 * The runtime's machinery: the space, the allocators, the object heap, the
 * roots, the collector and the write barrier. Their methods trust their
 * arguments (Go keeps them unexported), so a Runtime holds this object in a
 * private field: no route from a Runtime, a pool or an accessor reaches it,
 * and the package's types do not name it. The runtime's own files get it
 * from the Runtime they are given with `stateOf`; nothing in the package
 * entry (index.ts) exports either.
 */
export class RuntimeState {
  /** The pages and views; fixed for the runtime's life. */
  declare readonly space: AddressSpace;
  /** persistentalloc's bump state. */
  declare readonly persistent: PersistentAlloc;
  /** The write barrier; off until a collector turns it on. */
  readonly barrier = new WriteBarrier();
  /** Debug checks on (see RuntimeOptions.debug). */
  declare readonly debug: boolean;
  /** Debug mode: every FixAlloc object ever handed out → pool id × 2 + (1 if live). */
  readonly debugObjects = new Map<number, number>();
  /** Generated accessors, per layout. */
  readonly accessors = new WeakMap<object, unknown>();
  /** The object heap: JS objects named by HeapRef handles (heap.ts). */
  declare readonly heap: ObjectHeap;
  /** Registered root blocks and pins (roots.ts). */
  declare readonly roots: RootSet;
  /** The incremental collector of the object heap (mgc.ts). */
  declare readonly collector: Collector;
  /** Every FixAlloc pool made over this runtime, in creation order (for the memory picture). */
  readonly pools: RuntimePool[] = [];
  /** The same pools by id (the space's page owner table names them). */
  readonly poolById = new Map<number, RuntimePool>();
  /** The shared pools this runtime opened, by name (fixalloc.ts, sharedPool). */
  readonly sharedPools = new Map<string, RuntimePool>();
  /** `first` hooks of this runtime's pools running now (FixAlloc's slow path counts them): close() is refused meanwhile. */
  firstHooks = 0;

  constructor(space: AddressSpace, handles: SharedHandles | typeof processHandles, checkmark: boolean) {
    this.space = space;
    this.debug = space.debug;
    this.persistent = new PersistentAlloc(space);
    this.heap = new ObjectHeap(this, handles);
    this.roots = new RootSet(this);
    this.collector = new Collector(this, checkmark);
  }

  /** The collector's hook point: unchecked (Runtime.setWriteBarrier is the checked form). */
  setWriteBarrier(hook: WriteBarrierHook | undefined): void {
    this.barrier.set(hook);
  }

  /**
   * Debug mode: refuses a store or clear that touches a FixAlloc object that
   * is free or was never handed out (OutOfBoundsError), as the accessors do:
   * a use after free through storeHeapRef or a clear. Arguments that are not
   * an address aligned to `align` and a length inside the space are left to
   * the entry point's own checks, which name them.
   */
  checkLiveRecord(what: string, p: unknown, n: unknown, align = 1): void {
    if (this.space.closed) this.space.closedError(what);
    if (!isU32(p) || !isU32(n) || n === 0 || p < pageSize || p + n > this.space.reserved || (p & (align - 1)) !== 0) return;
    const dead = this.deadRecord(p, n);
    if (dead !== undefined) throw new OutOfBoundsError(`${what}: [${show(p)}, ${show(p + n)}) touches a FixAlloc object that is not live: ${dead}`, { value: p, limit: n });
  }

  /** Called by each FixAlloc made over this runtime, with `poolKey`. */
  registerPool(pool: RuntimePool, key?: unknown): void {
    if (key !== poolKey) throw new MisuseError(`registerPool: the runtime's own bookkeeping, called by FixAlloc; make a pool with new FixAlloc(type, { runtime }) or sharedPool`, { value: key, limit: 'FixAlloc' });
    this.pools.push(pool);
    this.poolById.set(pool.id, pool);
  }

  /**
   * Debug mode: why a record at [p, p+n) may not be touched, or undefined:
   * it overlaps a FixAlloc object that is free or was never handed out.
   * The accessors' debug check calls it after the live-pages check.
   */
  deadRecord(p: number, n: number): string | undefined {
    checkPtr('deadRecord: p', p, 1, this.space.reserved, pageSize);
    checkSize('deadRecord: n', n, 1, this.space.reserved - p);
    // Only debug mode tracks objects (the shared bitmaps are empty, the Map unused, without it).
    if (!this.debug) return undefined;
    if (this.space.shared) return deadSharedObject(this.space, p, n);
    const pp = this.space.pagePool;
    const first = pp[p >>> 13];
    const last = pp[(p + n - 1) >>> 13];
    if (first === 0 && last === 0) return undefined;
    return this.poolById.get(first)?.deadObjectIn(p, n) ?? (last !== first ? this.poolById.get(last)?.deadObjectIn(p, n) : undefined);
  }
}

/** The machinery of `rt`, for the runtime's own files (set in Runtime's static block: only the class reads `#s`). */
export let stateOf: (rt: Runtime) => RuntimeState;

/** The checked options and the machinery they make (createRuntime, attachRuntime). */
function buildState(options: RuntimeOptions, attach: unknown): RuntimeState {
  if (attach !== undefined) {
    if (!AttachTo.is(attach)) throw new MisuseError(`Runtime: takes (options); attach to a shared space with attachRuntime(desc); got a second argument ${show(attach)}`, { value: attach, limit: 'attachRuntime' });
    // Views over the buffer change nothing; a closed space is refused before the options are looked at.
    const space = new AddressSpace({ attach: attach.buffer });
    space.checkOpen('attachRuntime');
    const opts = checkOptions('attachRuntime', options, attachOptionKeys);
    const checkmark = optBool('attachRuntime', opts, 'checkmark', false);
    space.claimAttachSlot('attachRuntime', (code, message, limit) => {
      throw new AttachError(code, message, { value: space.token, limit });
    });
    return new RuntimeState(space, new SharedHandles(space.hdr), checkmark);
  }
  const what = 'createRuntime';
  const opts = checkOptions(what, options, runtimeOptionKeys, { attach: 'a worker attaches with attachRuntime(rt.share()), and then allocates from the shared space too' });
  const debug = optBool(what, opts, 'debug', false);
  const checkmark = optBool(what, opts, 'checkmark', false);
  const shared = optBool(what, opts, 'shared', false);
  const maxBytes = optInt(what, opts, 'maxBytes', 2 * pageSize, maxSpaceBytes);
  const size = optInt(what, opts, 'size', 2 * pageSize, maxSpaceBytes);
  if (maxBytes !== undefined && size !== undefined) {
    throw new OptionError('size', `${what}: options maxBytes and size are the same option; give one`, { value: size, limit: maxBytes });
  }
  const space = new AddressSpace({ maxBytes: maxBytes ?? size, shared, debug });
  // Every runtime of a shared space takes handles from the space's counter, so a handle used in another thread is foreign there.
  return new RuntimeState(space, shared ? new SharedHandles(space.hdr) : processHandles, checkmark);
}

function viewsOf(space: AddressSpace): SpaceViews {
  const { u8, i8, u16, i16, u32, i32, f32, f64 } = space;
  return Object.freeze({ u8, i8, u16, i16, u32, i32, f32, f64 });
}

/**
 * The state the constructor built, read by the field initializers: a field
 * given its value by its initializer keeps the value's class as its type in
 * V8, where one assigned in the constructor body is first undefined and
 * typed Any, and every inlined use re-checks the map. A derived class's
 * initializers run right after super(), so the constructor builds first.
 */
let pending: RuntimeState | undefined;

/** One address space with sysAlloc, persistentalloc, FixAlloc pools, clears and barriered stores over it. */
export class Runtime extends Object {
  /** The machinery (see RuntimeState); private, so no caller reaches its unchecked methods. */
  readonly #s: RuntimeState = pending as RuntimeState;
  /** `#s.heap`, for the HeapRef pair: the same loads as a field of the runtime. */
  readonly #heap: ObjectHeap = (pending as RuntimeState).heap;
  /** `#s.debug`: private, so no caller turns the checks off. */
  readonly #debug: boolean = (pending as RuntimeState).debug;
  /** The raw views (see SpaceViews), frozen. */
  readonly #views: SpaceViews = viewsOf((pending as RuntimeState).space);

  static {
    stateOf = (rt) => {
      if (!isRuntime(rt)) throw new MisuseError(`stateOf: rt must be a Runtime; got ${show(rt)}`, { value: rt, limit: 'Runtime' });
      return rt.#s;
    };
  }

  constructor(options: RuntimeOptions = {}, attach?: unknown) {
    pending = buildState(options, attach);
    super();
    pending = undefined;
    runtimes.add(this);
  }

  /** Debug checks on (see RuntimeOptions.debug). */
  get debug(): boolean {
    return this.#debug;
  }

  /**
   * Typed-array views over the whole space: raw memory, unchecked (see SpaceViews).
   * @offheap Runtime.space
   */
  get space(): SpaceViews {
    return this.#views;
  }

  /**
   * The SharedArrayBuffer or ArrayBuffer behind the space.
   * @offheap Runtime.buffer
   */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.#s.space.buffer;
  }

  /** Whether the space is shared (created with `shared: true`, or attached). */
  get shared(): boolean {
    return this.#s.space.shared;
  }

  /** Whether this runtime was closed, or the owner of its shared space closed it. */
  get closed(): boolean {
    return this.#s.space.closed;
  }

  /**
   * The descriptor another thread attaches with (`attachRuntime(desc)`): a
   * plain object holding the SharedArrayBuffer, for `postMessage` or
   * `workerData`. Any runtime of a shared space gives the same.
   */
  share(): SharedRuntime {
    const space = this.#s.space;
    space.checkOpen('share');
    if (!space.shared) {
      throw new AttachError('ERR_NOT_SHARED', 'share: this runtime is not shared; create it with createRuntime({ shared: true })', { value: false, limit: 'shared' });
    }
    return { offheap: 'shared-runtime', version: 1, buffer: space.buffer as SharedArrayBuffer };
  }

  /**
   * Closes the runtime and releases the objects its heap holds. The owner
   * of a shared space closes it for every runtime over it; an attached
   * runtime returns its pools' caches to the central lists and leaves (its
   * thread may attach again). Afterwards every member that allocates, frees,
   * clears, stores, reaches a handle, roots or collects throws ClosedError:
   * sysAlloc, sysFree, persistentalloc, the pools, the five clears and
   * stores, newHeapRef, deref, freeHeapRef, pin, unpin, addRoot,
   * removeRoot, gcStart, gcStep, gcFinish, gc, setWriteBarrier, share. What
   * only reads stays: closed, debug, shared, buffer, space, stats, gcStats,
   * lastLost, checkmark, inPersistentAlloc, memoryPicture, access (the
   * accessors and `space` are raw memory, as Go's unsafe.Pointer is; a
   * debug runtime's accessors refuse, their check comes anyway); gcStats's
   * phase is 'off' (close ends a running cycle). Each
   * refusal comes from a check the open runtime's path makes anyway (see
   * AddressSpace.mappedEnd, ObjectHeap.close). The owner's close reaches the
   * other threads' runtimes at their next slow step: a refill, a flush, a
   * new span or chunk, sysAlloc, sysFree, sharedPool, a new handle block;
   * until then a thread's cache may still serve its few objects (at most
   * cacheMax per pool) and its heap its handles. An attached runtime closed
   * alone refuses all of the above too, the five clears and stores included
   * (its own bound of 0, AddressSpace.bound). A second close does nothing.
   * Called from a `first` hook of one of its pools: MisuseError, nothing
   * closed (the hook's alloc is between taking the object and handing it out).
   */
  close(): void {
    const s = this.#s;
    if (s.space.closed) return;
    if (s.firstHooks !== 0) {
      // The hook's pool is between taking a fresh object and handing it out: closed under it, its alloc returned
      // an address of a closed runtime, and an attached runtime's close chained that object (being initialised,
      // and then handed out) onto the pool's shared list of never-used objects.
      throw new MisuseError(`close: called from a FixAlloc first hook of this runtime; close after the alloc that runs the hook returns`, { value: 'close', limit: 'outside a first hook' });
    }
    s.space.close();
    for (const pool of s.pools) pool.closeCache(poolKey);
    s.persistent.close();
    s.collector.close();
    this.#heap.close();
  }

  /** `using rt = createRuntime()`: close() at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Whole zeroed pages for `n` bytes (rounded up to 8 KiB pages), charged to `stat`.
   *
   * @offheap sysAlloc
   */
  sysAlloc<T = unknown>(n: number, stat?: string): Ptr<T> {
    return this.#s.space.sysAlloc(n, stat) as Ptr<T>;
  }

  /**
   * Returns pages from sysAlloc; `n` is the size they were allocated with.
   *
   * @offheap sysFree
   */
  sysFree(p: Ptr<unknown> | MaybeGarbage<unknown> | number, n: number): void {
    this.#s.space.sysFree(p, n);
  }

  /**
   * `size` zero bytes aligned to `align` (a power of two ≤ 8 KiB), never freed.
   *
   * @offheap persistentalloc
   */
  persistentalloc<T = unknown>(size: number, align = 8, stat?: string): Ptr<T> {
    return this.#s.persistent.alloc(size, align, stat) as Ptr<T>;
  }

  /**
   * Zeroes [p, p+n) with no barrier. Narrowing needs an explicitly typed
   * receiver (`const rt: Runtime = …`); the module-level function does not.
   *
   * @offheap memclrNoHeapPointers
   */
  memclrNoHeapPointers<T>(p: MaybeGarbage<T>, n: number): asserts p is Ptr<T> {
    const s = this.#s;
    if (this.#debug) s.checkLiveRecord('memclrNoHeapPointers', p, n);
    checkRange(s.space, 'memclrNoHeapPointers', p, n);
    clearBytes(s.space, p, n);
  }

  /**
   * Zeroes one object with a deletion barrier on each HeapRef slot.
   *
   * @offheap typedmemclr
   * @writebarrier
   */
  typedmemclr<T>(layout: Layout<T>, p: Ptr<T>): void {
    const s = this.#s;
    if (this.#debug && isLayout(layout)) s.checkLiveRecord('typedmemclr', p, layout.size, layout.align);
    typedmemclrImpl(s, layout, p);
  }

  /**
   * Zeroes [p, p+n) with a deletion barrier on every 4-byte slot.
   *
   * @offheap memclrHasPointers
   * @writebarrier
   */
  memclrHasPointers<T>(p: Ptr<T>, n: number): void {
    const s = this.#s;
    if (this.#debug) s.checkLiveRecord('memclrHasPointers', p, n);
    memclrHasPointersImpl(s, p, n);
  }

  /**
   * Stores a HeapRef into unmanaged memory through the write barrier.
   *
   * @offheap storeHeapRef
   * @writebarrier
   */
  storeHeapRef<T>(p: Ptr<HeapRef<T>> | number, v: HeapRef<T>): void {
    const s = this.#s;
    if (this.#debug) s.checkLiveRecord('storeHeapRef', p, 4, 4);
    storeHeapRefImpl(s, p, v);
  }

  /**
   * Stores a HeapRef without the write barrier (only where the collector cannot see the slot).
   *
   * @offheap storeHeapRefNoWB
   */
  storeHeapRefNoWB<T>(p: Ptr<HeapRef<T>> | number, v: HeapRef<T>): void {
    const s = this.#s;
    if (this.#debug) s.checkLiveRecord('storeHeapRefNoWB', p, 4, 4);
    storeHeapRefNoWBImpl(s, p, v);
  }

  /**
   * Turns the write barrier on with `hook`, or off with undefined: the hook
   * point the collector uses. While the collector marks, the barrier is the
   * collector's (turning it off or replacing its hook would lose objects):
   * MisuseError then.
   */
  setWriteBarrier(hook: WriteBarrierHook | undefined): void {
    const s = this.#s;
    s.space.checkOpen('setWriteBarrier');
    if (s.collector.phase === 'mark') {
      throw new MisuseError(`setWriteBarrier: the collector is marking and owns the write barrier; call it before gcStart or after the mark (gcFinish)`, { value: hook, limit: 'phase off or sweep' });
    }
    s.barrier.set(hook);
  }

  /**
   * The collector's statistics now: phase, cycles, handles marked and freed,
   * live handles, registered roots (a copy: changing it changes nothing).
   */
  gcStats(): RuntimeGcStats {
    return { ...this.#s.collector.stats(), pinTable: this.#heap.top - 1 };
  }

  /** The objects the last checkmark verification found unmarked (a copy; empty without checkmark). */
  get lastLost(): readonly LostObject[] {
    return this.#s.collector.lastLost.slice();
  }

  /** Whether each mark is verified from the roots (RuntimeOptions.checkmark); settable between and during cycles. */
  get checkmark(): boolean {
    return this.#s.collector.checkmark;
  }

  set checkmark(on: boolean) {
    if (typeof on !== 'boolean') throw new OptionError('checkmark', `checkmark: must be a boolean; got ${show(on)}`, { value: on, limit: 'boolean' });
    this.#s.collector.checkmark = on;
  }

  /** Whether `p` lies in memory persistentalloc handed out (Go's inPersistentAlloc); false for any non-address. */
  inPersistentAlloc(p: number): boolean {
    return isU32(p) && this.#s.persistent.contains(p);
  }

  /**
   * Holds `obj` in the object heap; returns its handle.
   *
   * @offheap newHeapRef
   */
  newHeapRef<T>(obj: T): HeapRef<T> {
    return this.#heap.alloc(obj) as HeapRef<T>;
  }

  /**
   * The object of `h`; throws StaleHandleError for a freed, collected or forged handle.
   *
   * @offheap deref
   */
  deref<T>(h: HeapRef<T>): T {
    return this.#heap.get(h) as T;
  }

  /**
   * Frees `h` now and releases its object.
   *
   * @offheap freeHeapRef
   */
  freeHeapRef(h: HeapRef<unknown>): void {
    this.#heap.free(h);
  }

  /**
   * Registers `count` objects of `layout` at `p` as a GC root (markroot).
   *
   * @offheap addRoot
   */
  addRoot<T>(p: Ptr<T>, layout: Layout<T>, count = 1): void {
    this.#s.roots.add(p, layout, count);
  }

  /**
   * Unregisters the root at `p`.
   *
   * @offheap removeRoot
   */
  removeRoot(p: Ptr<unknown>): void {
    this.#s.roots.remove(p);
  }

  /**
   * Keeps `h` alive while JS code holds it.
   *
   * @offheap pin
   */
  pin(h: HeapRef<unknown>): void {
    this.#s.roots.pin(h);
  }

  /**
   * Drops one pin of `h`.
   *
   * @offheap unpin
   */
  unpin(h: HeapRef<unknown>): void {
    this.#s.roots.unpin(h);
  }

  /**
   * Starts a GC cycle and turns the write barrier on; false if already marking.
   *
   * @offheap gcStart
   */
  gcStart(): boolean {
    const s = this.#s;
    s.space.checkOpen('gcStart');
    return s.collector.start();
  }

  /**
   * At most `budget` units of collector work; true while the cycle has work left.
   *
   * @offheap gcStep
   */
  gcStep(budget: number): boolean {
    const s = this.#s;
    s.space.checkOpen('gcStep');
    return s.collector.step(budget);
  }

  /**
   * Completes the current GC cycle (mark, termination, sweep).
   *
   * @offheap gcFinish
   */
  gcFinish(): void {
    const s = this.#s;
    s.space.checkOpen('gcFinish');
    s.collector.finish();
  }

  /**
   * A full GC cycle: frees every handle unreachable now.
   *
   * @offheap gc
   */
  gc(): void {
    const s = this.#s;
    s.space.checkOpen('gc');
    s.collector.full();
  }

  /**
   * The generated field accessors of `layout` over this runtime's memory (cached).
   *
   * @offheap access
   */
  access<T, F extends Fields>(layout: Layout<T, F>): Accessor<F, T> {
    if (!isLayout(layout)) throw new MisuseError(`access: layout must be a struct layout made by struct(); got ${show(layout)}`, { value: layout, limit: 'a struct() layout' });
    const s = this.#s;
    let acc = s.accessors.get(layout) as Accessor<F, T> | undefined;
    if (acc === undefined) {
      acc = buildAccessor(s, layout);
      s.accessors.set(layout, acc);
    }
    return acc;
  }

  /**
   * The address space as an SVG picture: each page by owner (sysAlloc
   * categories, persistentalloc chunks, FixAlloc spans), each span's slots
   * (live, free, never used) and the roots.
   *
   * @offheap memoryPicture
   */
  memoryPicture(): string {
    return drawMemory(this.#s);
  }

  /** The accounting now (Go: sysMemStat, mappedReady). */
  stats(): RuntimeStats {
    return { ...this.#s.space.stats(), persistent: this.#s.persistent.stats() };
  }
}

// A method or accessor called on anything but a Runtime: MisuseError ERR_RECEIVER; an assignment to a getter-only property: ERR_READ_ONLY.
// The clears and stores are not wrapped: in a caller's loop the wrapper (try/catch, rest arguments, Reflect.apply)
// cost them their inlining (bench heap B1 64 B 8/16: 0.45x wrapped, 0.89-0.94x not), and so did a receiver check in
// the method (`#s in this`: inlined in one process of two). On a foreign receiver their first statement, `this.#s`,
// throws the engine's TypeError before anything changes.
export const hotMethods = ['memclrNoHeapPointers', 'typedmemclr', 'memclrHasPointers', 'storeHeapRef', 'storeHeapRefNoWB'] as const;
guardReceivers(Runtime, isRuntime, hotMethods);
// `Runtime()` without `new`: MisuseError, not the engine's TypeError (requireNew). The module's binding of a class
// declaration is assignable, so every importer sees the guarded class while the declarations still name a class
// (and its members, which the tooling reads); inside the class body `Runtime` stays the class itself.
// @ts-expect-error TS2629: a class binding is assignable in JavaScript; TypeScript forbids it to catch mistakes.
Runtime = requireNew(Runtime);

/**
 * A new runtime with its own address space.
 *
 * @offheap createRuntime
 */
export function createRuntime(options: RuntimeOptions = {}): Runtime {
  return new Runtime(options);
}

/**
 * A runtime over the shared space `desc` describes (`rt.share()` of a
 * runtime created with `shared: true`, usually posted to a worker). It
 * allocates and frees from the same space as every other runtime over it;
 * its object heap, roots and collector are its own. One per thread at a
 * time: AttachError ERR_ALREADY_ATTACHED otherwise (the owner's thread has
 * one already).
 *
 * @offheap attachRuntime
 */
export function attachRuntime(desc: SharedRuntime, options: AttachOptions = {}): Runtime {
  return new Runtime(options, new AttachTo(checkDescriptor('attachRuntime', desc)));
}
