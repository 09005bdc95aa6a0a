// FixAlloc: a free-list allocator of fixed-size objects.
//
// Go (mfixalloc.go) keeps runtime metadata such as spans and specials in
// pools of one size: freed objects go on a free list threaded through their
// first word and are reused only by the same pool, memory comes from 16 KiB
// chunks of persistentalloc and never returns. Allocation is a pop or a
// bump, freeing a push, so both cost a few loads and stores and no JS
// allocation.
//
// Unlike Go, a pool checks what it is given, in every mode: `free` takes
// only a u32 address, 4-aligned, on a page of one of this pool's spans (a
// per-page owner table, one load: spans are whole pages), so a pointer of
// another pool, of another allocator, or any non-number is refused on the
// fast path too. Debug mode also tracks every object it handed out, to catch
// double frees, interior pointers and addresses never handed out, checks the
// free list's links before following one (a use-after-free write into a
// freed object's link word), poisons freed objects (all but the link word),
// and lets accessors refuse a freed record. Without debug mode a double free
// or an interior pointer of this pool's own span corrupts the pool, as in Go.
//
// Over a shared space (share.ts) every pool has an entry in the space's
// registry with a central free list (mcentral.ts), and this object is its
// thread's cache (mcache.ts): `sharedPool(rt, name, ...)` opens the same
// entry from every thread, so memory one thread frees is reused by the
// others, through the central list and within the pool only. The fast paths
// are the same code for both: a pop or push on this object's own list.

import { checkPtr, checkOptions, checkSize, guardReceivers, optBool, optString } from './check.js';
import { BadPointerError, DoubleFreeError, ForeignPointerError, MisuseError, OffheapRangeError, OptionError, SharedPoolError, show } from './errors.js';
import { defaultRuntime, madeDefaultRuntime } from './default.js';
import { isLayout, type Layout } from './layout.js';
import { batchTail, cacheBatch, cacheMax, noFlush } from './mcache.js';
import { MCentral, openPool } from './mcentral.js';
import { clearBytes } from './memclr.js';
import { forget, isLiveObject, markLive, objectStart, release, wasHanded } from './objstate.js';
import { isRuntime, poolKey, stateOf, type Runtime, type RuntimeState } from './runtime.js';
import { maxPoolName, P } from './share.js';
import { pageSize, poisonByte, type AddressSpace } from './space.js';
import type { MaybeGarbage, Ptr } from './types.js';

/** Go's _FixAllocChunk: the bytes of a span, the unit a pool takes from persistentalloc (more pages for large objects that would waste over 1/8 of it). */
export const fixAllocChunk = 16 * 1024;
/** The largest object a pool holds. */
export const maxFixAllocSize = fixAllocChunk;
/** The smallest: the free-list link is one u32. */
export const minFixAllocSize = 4;
/** The most pages of one span. */
const maxSpanPages = 8;

export interface FixAllocOptions<T, Z extends boolean = boolean> {
  /**
   * Clear objects taken from the free list (default true). With false they
   * may hold the previous object's bytes, the link word included; safe only
   * for records without HeapRef slots (Go: spanalloc).
   */
  readonly zero?: Z;
  /** Run when an address is handed out for the first time (Go: recordspan). Not run on reuse. It must not allocate from the same pool (MisuseError). */
  readonly first?: (p: Ptr<T>) => void;
  /** The persistentalloc stat category chunks are charged to (default `'fixalloc'`). */
  readonly stat?: string;
  /** The runtime whose memory the pool uses (default: the default runtime). */
  readonly runtime?: Runtime;
}

const optionKeys = ['zero', 'first', 'stat', 'runtime'] as const;

/**
 * Options of `sharedPool`: FixAlloc's, but the runtime is an argument, plus
 * the cache switch. `first` runs in the thread that hands an address out for
 * the first time (each thread carves its own spans).
 */
export interface SharedPoolOptions<T, Z extends boolean> extends Omit<FixAllocOptions<T, Z>, 'runtime'> {
  /**
   * Keep a per-thread cache (default true). False sends every alloc and
   * free of this runtime through the pool's lock and central list: a
   * measuring aid showing what the cache saves.
   */
  readonly cache?: boolean;
}

const sharedOptionKeys = ['zero', 'first', 'stat', 'cache'] as const;

/** What `sharedPool` passes the constructor: a module-private brand, so no caller can forge it. */
class SharedOpen {
  readonly #brand = true;
  constructor(
    readonly name: string,
    readonly cache: boolean,
  ) {}
  /** Whether `o` is one: a private brand check, which runs no Proxy trap (`instanceof` ran getPrototypeOf). */
  static is(o: unknown): o is SharedOpen {
    return typeof o === 'object' && o !== null && #brand in o && o.#brand;
  }
}

/** A shared pool's numbers (see `FixAlloc.sharedStats`). */
export interface SharedPoolStats {
  readonly name: string;
  readonly id: number;
  readonly size: number;
  /** Spans taken by every thread, and the objects they hold (carved into the pool). */
  readonly spans: number;
  readonly carved: number;
  /** Objects on the central free list. */
  readonly central: number;
  /** Objects never handed out that closed runtimes left in their span tails, waiting for the threads that stay. */
  readonly abandoned: number;
  /** This thread's cache: free objects on its list, and objects never handed out (the rest of its span, and those it took from closed runtimes' tails). */
  readonly cached: number;
  readonly fresh: number;
  /** This runtime's bytes allocated minus freed (negative when it frees objects other threads allocated). */
  readonly inuse: number;
}

/** What alloc returns: type-safe zero memory, or possibly-garbage memory when `zero` is false. */
export type FixAllocResult<T, Z extends boolean> = [Z] extends [true] ? Ptr<T> : MaybeGarbage<T>;

/** One chunk of a pool (Go's fixalloc chunk; called a span in the memory picture). */
export interface FixAllocSpan {
  /** First byte. */
  readonly start: number;
  /** Length in bytes: a whole number of objects. */
  readonly bytes: number;
  /** Objects that fit. */
  readonly slots: number;
  /** Objects never handed out yet (the unbumped tail of the current chunk). */
  readonly fresh: number;
  /** Addresses of the objects on the free list, ascending. */
  readonly free: readonly number[];
}

/** A read-only view of a pool's memory (for the memory picture and tests). */
export interface FixAllocSnapshot {
  readonly id: number;
  /** The layout's name, or `<size> B` for a raw-size pool. */
  readonly name: string;
  readonly size: number;
  /** The persistentalloc stat category its chunks are charged to. */
  readonly stat: string;
  /** Bytes handed out now. */
  readonly inuse: number;
  readonly spans: readonly FixAllocSpan[];
  /** The free list did not end inside the pool's chunks (a corrupted list: a use after free or a bad free without debug mode). */
  readonly corrupt: boolean;
}

let nextPoolId = 1;

/** Bytes of a span for objects of `size`: 2 pages, or up to 8 when 2 would waste over 1/8 of the span. */
function spanBytesFor(size: number): number {
  let bytes = fixAllocChunk;
  for (let pages = 2; pages <= maxSpanPages; pages++) {
    const b = pages * pageSize;
    if ((b % size) * 8 <= b) return b;
    if (pages === 2) bytes = b;
  }
  return bytes;
}

/**
 * Everything a pool's private fields start from, resolved and checked by the
 * constructor before super(): a derived class's field initializers run right
 * after super(), and a field given its value by its initializer keeps the
 * value's type in V8, where one assigned in the constructor body is first
 * undefined and typed Any (every inlined use re-checks the map).
 */
interface PoolInit {
  readonly rt: RuntimeState;
  readonly size: number;
  readonly layout: Layout<unknown> | undefined;
  readonly spanBytes: number;
  readonly id: number;
  readonly central: MCentral | undefined;
  readonly flushAt: number;
  readonly refillBatch: number;
  readonly sharedName: string;
  readonly zero: boolean;
  readonly first: ((p: number) => void) | undefined;
  readonly stat: string;
}

let pendingPool: PoolInit | undefined;
const init = (): PoolInit => pendingPool as PoolInit;

/** Whether `o` was made by FixAlloc's constructor (a brand: no Proxy trap or getter runs). */
let isPool: (o: unknown) => boolean;

/** A pool's private state, for the runtime's tests (set in FixAlloc's static block; index.ts does not export it). */
export let poolStateOf: (pool: FixAlloc<unknown, boolean>) => Readonly<Record<string, unknown>>;

/**
 * A pool of fixed-size objects of one layout (or one raw size).
 *
 * Its state is in ES private fields: a program reads it through getters and
 * changes it only through alloc and free, whose checks it cannot skip (a
 * plain field such as the free list's head, assigned from JS, made alloc
 * hand out an unchecked address).
 *
 * @offheap FixAlloc
 */
export class FixAlloc<T, Z extends boolean = true> extends Object {
  /** Head of the free list (of a shared space's pool: this thread's cache), 0 when empty; each free object's first u32 links the next. */
  #list = 0;
  /** Bytes handed out (see the `inuse` getter). */
  #inuse = 0;
  /** Debug checks on (the runtime's); private, so no caller turns them off. */
  readonly #debug: boolean = init().rt.debug;
  /** Bytes per object (see the `size` getter). */
  readonly #size: number = init().size;
  /** `space.u32`, cached for the hot path. */
  readonly #u32: Uint32Array = init().rt.space.u32;
  readonly #zero: boolean = init().zero;
  // The runtime's machinery and the space: no caller reaches their unchecked methods through a pool.
  readonly #rt: RuntimeState = init().rt;
  readonly #space: AddressSpace = init().rt.space;
  /** `space.pagePool`, cached: `free` checks the page of `p` belongs to this pool. */
  readonly #pagePool: Int32Array = init().rt.space.pagePool;
  readonly #id: number = init().id;
  /**
   * free's fast path needs `inuse > floor`. An unshared pool's floor is 0
   * for good (a free with nothing in use is bogus: the slow path says so),
   * as before there were shared pools. A shared pool's is
   * `(held - flushAt) × size`, so the free that would grow its cache past
   * flushAt takes the slow path, which returns a batch. +Infinity once closed.
   */
  #floor: number = init().flushAt === noFlush ? 0 : (0 - init().flushAt) * init().size;
  /**
   * Objects on `list` plus this runtime's objects in use (inuse / size).
   * The fast paths move one object between the two and leave the sum alone,
   * so they keep no count of the list: only slow paths that add objects
   * (a refill, a fresh one) or take some away (a flush) change it.
   */
  #held = 0;
  readonly #layout: Layout<T> | undefined = init().layout as Layout<T> | undefined;
  /** The most objects a shared pool's cache keeps (cacheMax, 0 with cache: false; noFlush for other pools). */
  readonly #flushAt: number = init().flushAt;
  /** Objects a refill takes from the central list. */
  readonly #refillBatch: number = init().refillBatch;
  /** The central list of a pool over a shared space (mcentral.ts), else undefined. */
  readonly #central: MCentral | undefined = init().central;
  readonly #sharedName: string = init().sharedName;
  /** Debug mode over a shared space: object states live in the space's bitmaps (objstate.ts), not the runtime's Map. */
  readonly #sharedDebug: boolean = init().rt.debug && init().rt.space.shared;
  /** Next fresh byte of the current span. */
  #chunk = 0;
  /** Bytes left at `chunk`; fewer than `size` means take a new span. */
  #nchunk = 0;
  /** A shared pool: objects never handed out that this thread took from closed runtimes' span tails (linked through their first u32), and how many. */
  #freshList = 0;
  #nfresh = 0;
  readonly #spanBytes: number = init().spanBytes;
  /** Bytes of objects in a span: the span's bytes rounded down to a multiple of size. */
  readonly #nalloc: number = Math.floor(init().spanBytes / init().size) * init().size;
  /** Start of every span, ascending by time. */
  readonly #chunks: number[] = [];
  /** Indexes into `chunks`, ascending by address (lookups by address). */
  readonly #byAddress: number[] = [];
  /** True while `first` runs: alloc is refused (the hook would get the address being initialised). */
  #inFirst = false;
  /** The object `first` is initialising (0 otherwise): the hook may not free it (alloc would hand it out while it is on the free list). */
  #firstP = 0;
  readonly #first: ((p: Ptr<T>) => void) | undefined = init().first;
  readonly #stat: string = init().stat;

  static {
    isPool = (o) => typeof o === 'object' && o !== null && #list in o;
    poolStateOf = (pool) => {
      if (!(#list in pool)) throw new MisuseError(`poolStateOf: pool must be a FixAlloc; got ${show(pool)}`, { value: pool, limit: 'FixAlloc' });
      return Object.freeze({ list: pool.#list, chunk: pool.#chunk, nchunk: pool.#nchunk, inuse: pool.#inuse, held: pool.#held, chunks: pool.#chunks.slice(), inFirst: pool.#inFirst });
    };
  }

  constructor(type: Layout<T> | number, options: FixAllocOptions<T, Z> = {}, open?: unknown) {
    if (open !== undefined && !SharedOpen.is(open)) {
      throw new MisuseError(`FixAlloc: takes (type, options); open a shared pool with sharedPool(rt, name, type, options); got a third argument ${show(open)}`, { value: open, limit: 'sharedPool' });
    }
    const opts = checkOptions('FixAlloc', options, optionKeys);
    const runtime = opts.runtime;
    if (runtime !== undefined && !isRuntime(runtime)) {
      throw new OptionError('runtime', `FixAlloc: option runtime must be a Runtime (createRuntime()); got ${show(runtime)}`, { value: runtime, limit: 'Runtime' });
    }
    // The runtime before the type and the other options, as every refusing member checks it first. Without the
    // option, the default runtime if one was made: a refused call makes none, and one made below is open.
    const given = runtime ?? madeDefaultRuntime();
    if (given !== undefined) stateOf(given).space.checkOpen('FixAlloc');
    let size: number;
    let align = 4;
    if (typeof type === 'number') {
      checkSize('FixAlloc: size', type, minFixAllocSize, maxFixAllocSize);
      size = type;
    } else if (isLayout(type)) {
      size = type.size;
      if (size < minFixAllocSize || size > maxFixAllocSize) {
        throw new OffheapRangeError('ERR_BAD_SIZE', `FixAlloc: layout ${type.name} has size ${size}; a pool needs [${minFixAllocSize}, ${maxFixAllocSize}] bytes`, {
          value: size,
          limit: size < minFixAllocSize ? minFixAllocSize : maxFixAllocSize,
        });
      }
      align = Math.max(align, type.align);
    } else {
      throw new MisuseError(`FixAlloc: type must be a layout made by struct() or a size in bytes; got ${show(type)}`, { value: type, limit: 'a struct() layout or a size in bytes' });
    }
    const zero = optBool('FixAlloc', opts, 'zero', true);
    const first = opts.first;
    if (first !== undefined && typeof first !== 'function') throw new OptionError('first', `FixAlloc: option first must be a function; got ${show(first)}`, { value: first, limit: 'function' });
    const stat = optString('FixAlloc', opts, 'stat', 'fixalloc');
    const rt = stateOf(given ?? defaultRuntime());
    const space = rt.space;
    size = (size + align - 1) & ~(align - 1);
    const layout = typeof type === 'number' ? undefined : type;
    const spanBytes = spanBytesFor(size);
    const sharedName = SharedOpen.is(open) ? open.name : '';
    let id: number;
    let central: MCentral | undefined;
    let flushAt = noFlush;
    let refillBatch = 0;
    if (space.shared) {
      // Every pool over a shared space has a registry entry (its id and central list); a private one is opened by no other runtime.
      const ptrs = layout === undefined ? -1 : layout.ptrSlots.length;
      const opened = openPool(space, { name: sharedName, size, align, ptrs, spanBytes }, sharedName === '' ? 'FixAlloc' : 'sharedPool');
      id = opened.id;
      central = new MCentral(space.i32, space.u32, opened.e);
      const cache = SharedOpen.is(open) ? open.cache : true;
      flushAt = sharedName === '' ? noFlush : cache ? cacheMax : 0;
      refillBatch = cache ? cacheBatch : 1;
    } else {
      id = nextPoolId++;
    }
    pendingPool = { rt, size, layout, spanBytes, id, central, flushAt, refillBatch, sharedName, zero, first: first as ((p: number) => void) | undefined, stat };
    try {
      super();
    } finally {
      pendingPool = undefined;
    }
    rt.registerPool(this, poolKey);
  }

  /** Bytes per object: the requested size rounded up to a multiple of 4 and of the layout's alignment. */
  get size(): number {
    return this.#size;
  }

  /** The layout of the objects, if the pool was made for one. */
  get layout(): Layout<T> | undefined {
    return this.#layout;
  }

  /** Whether objects from the free list are cleared. */
  get zero(): boolean {
    return this.#zero;
  }

  /**
   * Bytes currently handed out (a multiple of `size`). For a pool over a
   * shared space: this runtime's allocations minus its frees, which is
   * negative when it frees objects other threads allocated.
   */
  get inuse(): number {
    return this.#inuse;
  }

  /** Unique among the pools over one space; keys the debug object table and the space's page owner table. Pools over a shared space take the registry's ids. */
  get id(): number {
    return this.#id;
  }

  /** The name every thread opens a shared pool by ('' if private). */
  get sharedName(): string {
    return this.#sharedName;
  }

  /** Bytes of a span (whole pages) taken from persistentalloc: 16 KiB, or up to 64 KiB when 16 KiB would waste over 1/8. */
  get spanBytes(): number {
    return this.#spanBytes;
  }

  /** Objects on this runtime's free list (for a shared pool, its cache). */
  get #nlist(): number {
    return this.#held - this.#inuse / this.#size;
  }

  /** Recomputes `floor` after `held` changed (a named shared pool only). */
  #setFloor(): void {
    if (this.#flushAt !== noFlush) this.#floor = (this.#held - this.#flushAt) * this.#size;
  }

  /** A shared pool's numbers: the pool's (all threads) and this thread's cache. */
  sharedStats(): SharedPoolStats {
    const c = this.#central;
    const get = (k: number): number => (c === undefined ? 0 : c.word(k));
    return {
      name: this.#sharedName,
      id: this.#id,
      size: this.#size,
      spans: c === undefined ? this.#chunks.length : get(P.spans),
      carved: c === undefined ? this.#chunks.length * (this.#nalloc / this.#size) : get(P.carved),
      central: get(P.count),
      abandoned: get(P.abandoned),
      cached: this.#nlist,
      fresh: Math.floor(this.#nchunk / this.#size) + this.#nfresh,
      inuse: this.#inuse,
    };
  }

  /** Returns this thread's cached free objects to the central list (a shared pool; nothing to do otherwise). */
  flush(): void {
    if (this.#central === undefined || this.#sharedName === '') return;
    while (this.#nlist > 0) this.#flushBatch(Math.min(this.#nlist, cacheBatch));
  }

  /**
   * Runtime.close: flushes the cache, puts the objects this thread never
   * handed out (the rest of its span, and what it took from other tails) on
   * the pool's chain of them for the threads that stay (Go's freemcache
   * returns the span to its mcentral), and leaves the fast paths nothing to
   * do (an empty list, a floor no inuse is above), so every later alloc and
   * free reaches the slow path's closed check.
   */
  closeCache(key: object): void {
    if (key !== poolKey) throw new MisuseError(`FixAlloc.closeCache: the runtime's own step of close(); call rt.close()`, { value: key, limit: 'Runtime.close' });
    this.flush();
    const c = this.#central;
    if (c !== undefined && this.#nchunk + this.#nfresh * this.#size >= this.#size) {
      // One chain, ascending through the span's tail, then the objects taken earlier.
      const n = Math.floor(this.#nchunk / this.#size);
      const u32 = this.#u32;
      let head = this.#freshList;
      let tail = this.#nfresh > 0 ? batchTail(u32, this.#freshList, this.#nfresh) : 0;
      for (let k = n - 1; k >= 0; k--) {
        const q = this.#chunk + k * this.#size;
        u32[q >>> 2] = head;
        if (tail === 0) tail = q;
        head = q;
      }
      c.push(head, tail, n + this.#nfresh, true);
    }
    this.#freshList = 0;
    this.#nfresh = 0;
    this.#nchunk = 0;
    this.#list = 0;
    this.#held = this.#inuse / this.#size;
    this.#floor = Infinity;
  }

  /** Moves the first `n` objects of the cache to the central list. */
  #flushBatch(n: number): void {
    const head = this.#list;
    const tail = batchTail(this.#u32, head, n);
    this.#list = this.#u32[tail >>> 2];
    this.#held -= n;
    this.#setFloor();
    (this.#central as MCentral).push(head, tail, n);
  }

  /** The pool's chunks with their free and never-used slots; walks the free list, bounded by the objects handed out. */
  snapshot(): FixAllocSnapshot {
    if (this.#central !== undefined) return this.#sharedSnapshot(this.#central);
    const free: number[][] = this.#chunks.map(() => []);
    const current = this.#chunks.length - 1;
    const handedOut = this.#chunks.length === 0 ? 0 : current * (this.#nalloc / this.#size) + (this.#nalloc - this.#nchunk) / this.#size;
    let corrupt = false;
    let n = 0;
    for (let q = this.#list; q !== 0; q = this.#u32[q >>> 2]) {
      const k = this.#spanOf(q);
      if (k < 0 || (q - this.#chunks[k]) % this.#size !== 0 || ++n > handedOut) {
        corrupt = true;
        break;
      }
      free[k].push(q);
    }
    return {
      id: this.#id,
      name: this.#layout?.name ?? `${this.#size} B`,
      size: this.#size,
      stat: this.#stat,
      inuse: this.#inuse,
      corrupt,
      spans: this.#chunks.map((start, k) => ({
        start,
        bytes: this.#nalloc,
        slots: this.#nalloc / this.#size,
        fresh: k === current ? Math.floor(this.#nchunk / this.#size) : 0,
        free: free[k].sort((a, b) => a - b),
      })),
    };
  }

  /**
   * The snapshot of a pool over a shared space: every thread's spans (from
   * the page owner table), free = this thread's cache and the central list.
   * Other threads' caches and the unused rest of their current spans are
   * not visible here and count as handed out.
   */
  #sharedSnapshot(central: MCentral): FixAllocSnapshot {
    const space = this.#space;
    const starts: number[] = [];
    const spanPages = this.#spanBytes / pageSize;
    for (let page = space.firstPage; page < space.mappedTop / pageSize; page++) {
      if (this.#pagePool[page] === this.#id && space.pageSpan[page] === 0) {
        starts.push(page * pageSize);
        page += spanPages - 1;
      }
    }
    const index = new Map(starts.map((start, k) => [start, k]));
    const free: number[][] = starts.map(() => []);
    const mine = this.#chunks.length === 0 ? -1 : this.#chunks[this.#chunks.length - 1];
    // An object of this pool: its span's index, or -1.
    const spanIndex = (q: number): number => {
      if (q >>> 0 !== q || q >= space.reserved || this.#pagePool[q >>> 13] !== this.#id || objectStart(space, q, this.#size, this.#spanBytes) !== q) return -1;
      return index.get(((q >>> 13) - space.pageSpan[q >>> 13]) * pageSize) ?? -1;
    };
    let corrupt = false;
    let n = 0;
    const cached = this.#nlist;
    for (let q = this.#list; q !== 0; q = this.#u32[q >>> 2]) {
      const k = spanIndex(q);
      if (k < 0 || ++n > cached) {
        corrupt = true;
        break;
      }
      free[k].push(q);
    }
    if (!corrupt) {
      let stray = false;
      const whole = central.each((q) => {
        const k = spanIndex(q);
        if (k < 0) stray = true;
        else free[k].push(q);
      });
      corrupt = stray || !whole;
    }
    // Objects never handed out: this thread's span tail, the ones it took from closed runtimes' tails, and those still
    // on the pool's chain (each span's never-used objects are the top of it while they are taken lowest first).
    const fresh = starts.map((start) => (start === mine ? Math.floor(this.#nchunk / this.#size) : 0));
    if (!corrupt) {
      let stray = false;
      let m = 0;
      for (let q = this.#freshList; q !== 0 && !stray; q = this.#u32[q >>> 2]) {
        const k = spanIndex(q);
        if (k < 0 || ++m > this.#nfresh) stray = true;
        else fresh[k]++;
      }
      const whole = central.each((q) => {
        const k = spanIndex(q);
        if (k < 0) stray = true;
        else fresh[k]++;
      }, true);
      corrupt = stray || !whole;
    }
    return {
      id: this.#id,
      name: this.#layout?.name ?? `${this.#size} B`,
      size: this.#size,
      stat: this.#stat,
      inuse: this.#inuse,
      corrupt,
      spans: starts.map((start, k) => ({
        start,
        bytes: this.#nalloc,
        slots: this.#nalloc / this.#size,
        fresh: fresh[k],
        free: free[k].sort((a, b) => a - b),
      })),
    };
  }

  /** The index in `chunks` of the span holding byte `q` (its objects, not its tail), or -1. Binary search over the spans by address. */
  #spanOf(q: number): number {
    const order = this.#byAddress;
    const chunks = this.#chunks;
    let lo = 0;
    let hi = order.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[order[mid]] <= q) lo = mid;
      else hi = mid - 1;
    }
    const c = chunks[order[lo]];
    return q >= c && q < c + this.#nalloc ? order[lo] : -1;
  }

  /**
   * An object: from the free list (cleared if `zero`), else fresh zero
   * memory, for which `first` runs.
   *
   * @offheap FixAlloc.alloc
   */
  alloc(): FixAllocResult<T, Z> {
    const p = this.#list;
    if (p === 0 || this.#debug) return this.#allocSlow() as FixAllocResult<T, Z>;
    this.#list = this.#u32[p >>> 2];
    this.#inuse += this.#size;
    if (this.#zero) clearBytes(this.#space, p, this.#size);
    return p as FixAllocResult<T, Z>;
  }

  /**
   * alloc's other paths: a closed runtime, a refill from the central list,
   * a fresh object, or debug bookkeeping. One function on purpose, over
   * V8's 460-byte bytecode limit for inlining: inlined into alloc, it made
   * alloc's optimized code too big to inline into the caller's loop in
   * turn (the inliner charges a callee's own inlined bytes), and whether
   * that happened depended on which got compiled first, so the same pair
   * ran 6.5 or 9.5 ns from one process to the next. Out of line, alloc and
   * free stay small and are inlined into the caller every time.
   */
  #allocSlow(): number {
    this.#space.checkOpen('FixAlloc.alloc');
    if (this.#inFirst) {
      throw new MisuseError(`FixAlloc.alloc: called from the pool's own first hook (pool ${this.#id}); first must not allocate from the pool it initialises`, { value: this.#id, limit: 'outside the first hook' });
    }
    let p = this.#list;
    if (p === 0 && this.#central !== undefined && this.#central.count !== 0) {
      // mcache refill: one batch from the central list (the count is read without the lock, as a hint).
      p = this.#central.pop(this.#refillBatch);
      this.#list = p;
      this.#held += this.#central.out[0];
      this.#setFloor();
    }
    if (p !== 0) {
      if (this.#debug) this.#checkLink(p);
      this.#list = this.#u32[p >>> 2];
      this.#inuse += this.#size;
      if (this.#zero) clearBytes(this.#space, p, this.#size);
      if (this.#sharedDebug) markLive(this.#space, p);
      else if (this.#debug) this.#rt.debugObjects.set(p, this.#id * 2 + 1);
      return p;
    }
    // A fresh object: one this thread took from closed runtimes' span tails, else the rest of its span, else (a
    // shared pool) a batch of those tails, else a new span.
    if (this.#freshList === 0 && this.#nchunk < this.#size && this.#central !== undefined && this.#central.word(P.abandoned) !== 0) {
      this.#freshList = this.#central.pop(cacheBatch, true);
      this.#nfresh = this.#central.out[0];
    }
    const taken = this.#freshList !== 0;
    if (!taken && this.#nchunk < this.#size) this.#newSpan();
    p = taken ? this.#freshList : this.#chunk;
    // A taken object's link word is the only byte written since its span was made: cleared, it is fresh zero memory again.
    const next = taken ? this.#u32[p >>> 2] : 0;
    if (taken) this.#u32[p >>> 2] = 0;
    // Live before `first` runs, so the hook may initialise the object through accessors in debug mode.
    if (this.#sharedDebug) markLive(this.#space, p);
    else if (this.#debug) this.#rt.debugObjects.set(p, this.#id * 2 + 1);
    if (this.#first !== undefined) {
      try {
        this.#runFirst(p);
      } catch (e) {
        if (this.#sharedDebug) forget(this.#space, p);
        else if (this.#debug) this.#rt.debugObjects.delete(p);
        if (taken) this.#u32[p >>> 2] = next;
        throw e;
      }
    }
    if (taken) {
      this.#freshList = next;
      this.#nfresh--;
    } else {
      this.#chunk += this.#size;
      this.#nchunk -= this.#size;
    }
    this.#inuse += this.#size;
    this.#held++;
    this.#setFloor();
    return p;
  }

  /** Debug mode: the object state of `p` as the Map keeps it (pool id × 2 + live), from the shared bitmaps over a shared space. */
  #stateOf(p: number): number | undefined {
    if (!this.#sharedDebug) return this.#rt.debugObjects.get(p);
    if (!wasHanded(this.#space, p)) return undefined;
    return this.#pagePool[p >>> 13] * 2 + (isLiveObject(this.#space, p) ? 1 : 0);
  }

  /**
   * Debug mode: the free list's head `p` must be a free object of this pool
   * and its link word 0 or another; else a write after free (or a bad free)
   * broke the list. Checked before anything moves.
   */
  #checkLink(p: number): void {
    const next = this.#u32[p >>> 2];
    if (this.#stateOf(p) !== this.#id * 2) {
      throw new BadPointerError(`FixAlloc.alloc: the free list's head ${show(p)} is not a free object of this pool (pool ${this.#id}): the list is corrupt`, { value: p, limit: this.#id });
    }
    if (next !== 0 && (next >>> 0 !== next || (next & 3) !== 0 || next >= this.#space.reserved || this.#stateOf(next) !== this.#id * 2)) {
      throw new BadPointerError(
        `FixAlloc.alloc: the link word of free object ${show(p)} holds ${show(next)}, not a free object of this pool (pool ${this.#id}): a write after free into [${show(p)}, ${show(p + 4)})?`,
        { value: next, limit: p },
      );
    }
  }

  /** Takes a span of whole pages from persistentalloc and marks its pages as this pool's. */
  #newSpan(): void {
    const chunk = this.#rt.persistent.alloc(this.#spanBytes, pageSize, this.#stat);
    const first = chunk / pageSize;
    const npages = this.#spanBytes / pageSize;
    for (let k = 0; k < npages; k++) this.#space.pageSpan[first + k] = k;
    this.#pagePool.fill(this.#id, first, first + npages);
    this.#central?.addSpan(this.#nalloc / this.#size);
    this.#chunk = chunk;
    this.#nchunk = this.#nalloc;
    const order = this.#byAddress;
    let i = order.length;
    while (i > 0 && this.#chunks[order[i - 1]] > chunk) i--;
    order.splice(i, 0, this.#chunks.length);
    this.#chunks.push(chunk);
    // Heap bits (heapbits.ts): the span's objects have this pool's layout for good, so memclrHasPointers visits exactly their HeapRef slots.
    this.#rt.heap.bits.span(chunk, this.#nalloc, this.#size, this.#layout);
  }

  /** Runs `first` for fresh `p`; alloc from the pool is refused meanwhile (the hook would get `p` again). */
  #runFirst(p: number): void {
    // The free-list head is parked so every alloc in the hook takes the slow path, which refuses it.
    const list = this.#list;
    const nlist = this.#nlist;
    this.#list = 0;
    this.#held -= nlist;
    this.#setFloor();
    // Every free in the hook takes the slow path, which refuses the object being initialised.
    const floor = this.#floor;
    this.#floor = Infinity;
    this.#inFirst = true;
    this.#firstP = p;
    this.#rt.firstHooks++;
    try {
      (this.#first as (p: Ptr<T>) => void)(p as Ptr<T>);
    } finally {
      this.#rt.firstHooks--;
      this.#inFirst = false;
      this.#firstP = 0;
      this.#floor = floor;
      // Objects the hook freed are on the list now; the parked list follows them.
      this.#held += nlist;
      this.#setFloor();
      if (this.#list === 0) this.#list = list;
      else if (list !== 0) {
        let q = this.#list;
        while (this.#u32[q >>> 2] !== 0) q = this.#u32[q >>> 2];
        this.#u32[q >>> 2] = list;
      }
    }
  }

  /**
   * Returns `p` to this pool's free list; only this pool reuses it.
   *
   * @offheap FixAlloc.free
   */
  free(p: MaybeGarbage<T>): void {
    // One check for the fast path: a u32, 4-aligned, on a page of this pool's spans (out-of-range pages read undefined).
    if (typeof p !== 'number' || p >>> 0 !== p || (p & 3) !== 0 || this.#pagePool[p >>> 13] !== this.#id || this.#debug || this.#inuse <= this.#floor) {
      this.#freeSlow(p);
      return;
    }
    this.#inuse -= this.#size;
    this.#u32[p >>> 2] = this.#list;
    this.#list = p;
  }

  /** free's other paths: a rejected pointer, or debug checks and poisoning. */
  #freeSlow(p: unknown): void {
    this.#space.checkOpen('FixAlloc.free');
    checkPtr('FixAlloc.free: p', p, 4, this.#space.reserved, pageSize);
    if (this.#inFirst && p === this.#firstP) {
      throw new MisuseError(`FixAlloc.free: called from the pool's first hook on the object it initialises (${show(p)}); alloc has not handed it out yet`, { value: p, limit: this.#id });
    }
    const owner = this.#pagePool[p >>> 13];
    if (owner !== this.#id) {
      if (owner !== 0) throw new ForeignPointerError(`FixAlloc.free: p belongs to another pool (id ${owner}), not this one (id ${this.#id}); got ${show(p)}`, { value: p, limit: owner });
      if (this.#space.isLive(p, 4)) throw new ForeignPointerError(`FixAlloc.free: p is not in a span of this pool (another allocator's memory); got ${show(p)}`, { value: p, limit: this.#id });
      throw new BadPointerError(`FixAlloc.free: p was not handed out by any FixAlloc of this runtime; got ${show(p)}`, { value: p, limit: this.#id });
    }
    if (this.#sharedDebug) this.#checkFreeShared(p);
    else if (this.#debug) this.#checkFree(p);
    const root = this.#debug ? this.#rt.roots.overlapping(p, this.#size) : undefined;
    if (root !== undefined) {
      // The link word would overwrite the record's first word, and the collector would go on scanning a free object.
      const what =
        root.p === p && root.count === 1
          ? 'p is a registered root (addRoot)'
          : `p lies in a registered root (addRoot of ${root.count} ${root.layout.name} at ${show(root.p)}, ${root.count * root.layout.size} bytes)`;
      throw new MisuseError(`FixAlloc.free: ${what}; removeRoot it before freeing it (removeRoot(${show(root.p)})); got ${show(p)}`, { value: p, limit: 'removeRoot' });
    }
    // With nothing handed out, any free is bogus; keeps inuse from going negative without debug mode. A shared pool's
    // runtime may free what other threads allocated, so its inuse may go negative.
    if (this.#inuse === 0 && this.#flushAt === noFlush) throw new DoubleFreeError(`FixAlloc.free: the pool has no live objects (double free?); got ${show(p)}`, { value: p, limit: 0 });
    if (this.#sharedDebug) {
      // One atomic step decides between two threads freeing the same object: the loser changes nothing.
      if (!release(this.#space, p)) throw new DoubleFreeError(`FixAlloc.free: p is already free (double free, by this or another thread); got ${show(p)}`, { value: p, limit: this.#id });
    } else if (this.#debug) this.#rt.debugObjects.set(p, this.#id * 2);
    this.#inuse -= this.#size;
    if (this.#debug) this.#space.u8.fill(poisonByte, p + 4, p + this.#size);
    this.#u32[p >>> 2] = this.#list;
    this.#list = p;
    const n = this.#nlist;
    if (n > this.#flushAt) this.#flushBatch(Math.min(n, cacheBatch));
  }

  /** Debug mode over a shared space: `p`, on a page of this pool, must start an object some thread handed out. */
  #checkFreeShared(p: number): void {
    const start = objectStart(this.#space, p, this.#size, this.#spanBytes);
    if (start !== p) {
      if (start < 0) throw new BadPointerError(`FixAlloc.free: p lies in the unused tail of a span of this pool (pool ${this.#id}); got ${show(p)}`, { value: p, limit: this.#id });
      throw new BadPointerError(`FixAlloc.free: p points into the middle of an object of this pool (size ${this.#size}); got ${show(p)}`, { value: p, limit: this.#size });
    }
    if (!wasHanded(this.#space, p)) throw new BadPointerError(`FixAlloc.free: p was never handed out by this pool (by any thread); got ${show(p)}`, { value: p, limit: this.#id });
  }

  /** Debug mode: `p` must be a live object handed out by this pool. */
  #checkFree(p: number): void {
    const state = this.#rt.debugObjects.get(p);
    if (state === undefined) {
      if (this.contains(p)) {
        const k = this.#spanOf(p);
        if (k >= 0 && (p - this.#chunks[k]) % this.#size === 0) throw new BadPointerError(`FixAlloc.free: p was never handed out by this pool; got ${show(p)}`, { value: p, limit: this.#id });
        throw new BadPointerError(`FixAlloc.free: p points into the middle of an object of this pool (size ${this.#size}); got ${show(p)}`, { value: p, limit: this.#size });
      }
      throw new BadPointerError(`FixAlloc.free: p was not handed out by any FixAlloc of this runtime; got ${show(p)}`, { value: p, limit: this.#id });
    }
    if (state >>> 1 !== this.#id) {
      throw new ForeignPointerError(`FixAlloc.free: p belongs to another pool (id ${state >>> 1}), not this one (id ${this.#id}); got ${show(p)}`, { value: p, limit: this.#id });
    }
    if ((state & 1) === 0) throw new DoubleFreeError(`FixAlloc.free: p is already free (double free); got ${show(p)}`, { value: p, limit: this.#id });
  }

  /** Whether `p` lies in one of this pool's spans (over a shared space: any thread's, from the page owner table). Anything but an address is not. */
  contains(p: number): boolean {
    if (typeof p !== 'number' || p >>> 0 !== p || p >= this.#space.reserved) return false;
    if (this.#central !== undefined) return this.#pagePool[p >>> 13] === this.#id && objectStart(this.#space, p, this.#size, this.#spanBytes) >= 0;
    return this.#spanOf(p) >= 0;
  }

  /**
   * Debug mode: why [p, p+n) may not be touched as a record, or undefined.
   * It may not overlap an object of this pool that is free or was never
   * handed out (an access after free, or past what was allocated).
   */
  deadObjectIn(p: number, n: number): string | undefined {
    checkPtr('FixAlloc.deadObjectIn: p', p, 1, this.#space.reserved, pageSize);
    checkSize('FixAlloc.deadObjectIn: n', n, 1, this.#space.reserved - p);
    if (!this.#debug) return undefined; // nothing is tracked
    if (this.#sharedDebug) return undefined; // the runtime asks objstate.ts, which sees every thread's objects
    const objects = this.#rt.debugObjects;
    for (let q = p; q < p + n; ) {
      const k = this.#spanOf(q);
      if (k < 0) return undefined; // the span's tail or another page: not this pool's objects
      const start = this.#chunks[k] + Math.floor((q - this.#chunks[k]) / this.#size) * this.#size;
      const state = objects.get(start);
      if (state === undefined) return `object ${show(start)} of pool ${this.#id} was never handed out`;
      if ((state & 1) === 0) return `object ${show(start)} of pool ${this.#id} is free (use after free)`;
      q = start + this.#size;
    }
    return undefined;
  }
}

// A method or accessor called on anything but a pool: MisuseError ERR_RECEIVER; an assignment to a getter-only property (size, inuse, …): ERR_READ_ONLY.
guardReceivers(FixAlloc, (o) => isPool(o));

/** Checks a shared pool's name: a string of 1..maxPoolName UTF-16 units. */
function checkPoolName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > maxPoolName) {
    throw new OptionError('name', `sharedPool: name must be a string of 1 to ${maxPoolName} UTF-16 units; got ${show(name)}`, { value: name, limit: maxPoolName });
  }
}

/**
 * Opens the pool `name` of a shared runtime's space: every runtime attached
 * to the space that opens the same name (with the same size, alignment and
 * HeapRef-ness) gets the same pool, through its own per-thread cache. A
 * layout with HeapRef slots may be opened by one runtime only. A second call
 * on the same runtime returns the same FixAlloc (its first options stand).
 *
 * @offheap sharedPool
 */
export function sharedPool<T, Z extends boolean = true>(rt: Runtime, name: string, type: Layout<T> | number, options: SharedPoolOptions<T, Z> = {}): FixAlloc<T, Z> {
  if (!isRuntime(rt)) throw new OptionError('runtime', `sharedPool: rt must be a Runtime (createRuntime or attachRuntime); got ${show(rt)}`, { value: rt, limit: 'Runtime' });
  const s = stateOf(rt);
  s.space.checkOpen('sharedPool');
  checkPoolName(name);
  const opts = checkOptions('sharedPool', options, sharedOptionKeys);
  const cache = optBool('sharedPool', opts, 'cache', true);
  if (!s.space.shared) {
    throw new SharedPoolError('ERR_NOT_SHARED', `sharedPool: the runtime is not shared; create it with createRuntime({ shared: true }) or attachRuntime(desc)`, { value: name, limit: 'shared' });
  }
  const known = s.sharedPools.get(name) as FixAlloc<T, Z> | undefined;
  if (known !== undefined) {
    const align = typeof type === 'number' ? 4 : isLayout(type) ? Math.max(4, type.align) : 0;
    const size = typeof type === 'number' ? type : isLayout(type) ? type.size : -1;
    if (align === 0 || ((size + align - 1) & ~(align - 1)) !== known.size || (typeof type === 'number') !== (known.layout === undefined)) {
      throw new SharedPoolError('ERR_POOL_MISMATCH', `sharedPool: this runtime opened pool ${show(name)} already with objects of ${known.size} bytes; got ${show(size)}`, { value: size, limit: known.size });
    }
    return known;
  }
  const pool = new FixAlloc<T, Z>(type, { zero: opts.zero as Z | undefined, first: opts.first as ((p: Ptr<T>) => void) | undefined, stat: opts.stat as string | undefined, runtime: rt }, new SharedOpen(name, cache));
  s.sharedPools.set(name, pool);
  return pool;
}
