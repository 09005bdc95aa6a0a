// FixAlloc: a free-list allocator of fixed-size objects.
//
// Go (mfixalloc.go) keeps runtime metadata such as spans and specials in
// pools of one size: freed objects go on a free list threaded through their
// first word and are reused only by the same pool, memory comes from 16 KiB
// chunks of persistentalloc and never returns. Allocation is a pop or a
// bump, freeing a push, so both cost a few loads and stores and no JS
// allocation (perf-anchors §3, goals F1–F4).
//
// Unlike Go, a pool validates its argument, and in debug mode it poisons
// freed objects (all but the link word) and tracks every object it handed
// out, to catch double frees, frees into the wrong pool and pointers no pool
// handed out. Without debug mode those misuses corrupt the pool, as in Go.

import { BadPointerError, DoubleFreeError, ForeignPointerError, MisuseError, OffheapRangeError, checkInt, show } from './errors.js';
import { isLayout, type Layout } from './layout.js';
import { clearBytes } from './memclr.js';
import type { Runtime } from './runtime.js';
import { defaultRuntime } from './default.js';
import { pageSize, poisonByte, type AddressSpace } from './space.js';
import type { MaybeGarbage, Ptr } from './types.js';

/** Go's _FixAllocChunk: the bytes a pool takes from persistentalloc at a time. */
export const fixAllocChunk = 16 * 1024;
/** The largest object a pool holds. */
export const maxFixAllocSize = fixAllocChunk;
/** The smallest: the free-list link is one u32. */
export const minFixAllocSize = 4;

export interface FixAllocOptions<T, Z extends boolean> {
  /**
   * Clear objects taken from the free list (default true). With false they
   * may hold the previous object's bytes, the link word included; safe only
   * for records without HeapRef slots (Go: spanalloc).
   */
  readonly zero?: Z;
  /** Run when an address is handed out for the first time (Go: recordspan). Not run on reuse. */
  readonly first?: (p: Ptr<T>) => void;
  /** The persistentalloc stat category chunks are charged to (default `'fixalloc'`). */
  readonly stat?: string;
  /** The runtime whose memory the pool uses (default: the default runtime). */
  readonly runtime?: Runtime;
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

/**
 * A pool of fixed-size objects of one layout (or one raw size).
 *
 * @offheap FixAlloc
 */
export class FixAlloc<T, Z extends boolean = true> {
  /** Bytes per object: the requested size rounded up to a multiple of 4 and of the layout's alignment. */
  declare readonly size: number;
  /** The layout of the objects, if the pool was made for one. */
  declare readonly layout: Layout<T> | undefined;
  /** Whether objects from the free list are cleared. */
  declare readonly zero: boolean;
  /** Bytes currently handed out (a multiple of `size`). */
  inuse = 0;
  /** Unique across runtimes; keys the debug object table. */
  readonly id = nextPoolId++;
  /** Head of the free list, 0 when empty; each free object's first u32 links the next. */
  private list = 0;
  /** Next fresh byte of the current chunk. */
  private chunk = 0;
  /** Bytes left at `chunk`; fewer than `size` means take a new chunk. */
  private nchunk = 0;
  /** Chunk length: fixAllocChunk rounded down to a multiple of size. */
  private declare readonly nalloc: number;
  /** Start of every chunk, ascending by time (debug lookups only). */
  private readonly chunks: number[] = [];
  private declare readonly rt: Runtime;
  private declare readonly space: AddressSpace;
  /** `space.u32`, cached for the hot path. */
  private declare readonly u32: Uint32Array;
  /** `space.reserved`, cached: every pointer freed lies below it. */
  private declare readonly limit: number;
  private declare readonly first: ((p: Ptr<T>) => void) | undefined;
  private declare readonly stat: string;
  private declare readonly debug: boolean;

  constructor(type: Layout<T> | number, options: FixAllocOptions<T, Z> = {}) {
    let size: number;
    let align = 4;
    if (typeof type === 'number') {
      checkInt('FixAlloc: size', type, minFixAllocSize, maxFixAllocSize);
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
      throw new MisuseError(`FixAlloc: type must be a struct layout or a size in bytes; got ${show(type)}`, { value: type });
    }
    if (typeof options !== 'object' || options === null) throw new MisuseError(`FixAlloc: options must be an object; got ${show(options)}`, { value: options });
    const { zero = true, first, stat = 'fixalloc', runtime } = options;
    if (typeof zero !== 'boolean') throw new MisuseError(`FixAlloc: zero must be a boolean; got ${show(zero)}`, { value: zero });
    if (first !== undefined && typeof first !== 'function') throw new MisuseError(`FixAlloc: first must be a function; got ${show(first)}`, { value: first });
    if (typeof stat !== 'string') throw new MisuseError(`FixAlloc: stat must be a string; got ${show(stat)}`, { value: stat });
    this.rt = runtime ?? defaultRuntime();
    this.size = (size + align - 1) & ~(align - 1);
    this.layout = typeof type === 'number' ? undefined : type;
    this.zero = zero;
    this.first = first;
    this.stat = stat;
    this.nalloc = Math.floor(fixAllocChunk / this.size) * this.size;
    this.space = this.rt.space;
    this.u32 = this.space.u32;
    this.limit = this.space.reserved;
    this.debug = this.rt.debug;
    this.rt.pools.push(this);
  }

  /** The pool's chunks with their free and never-used slots; walks the free list, bounded by the objects handed out. */
  snapshot(): FixAllocSnapshot {
    const free: number[][] = this.chunks.map(() => []);
    const current = this.chunks.length - 1;
    const handedOut = this.chunks.length === 0 ? 0 : current * (this.nalloc / this.size) + (this.nalloc - this.nchunk) / this.size;
    // Chunk indexes by start address, for a binary search per free object.
    const order = this.chunks.map((_, k) => k).sort((a, b) => this.chunks[a] - this.chunks[b]);
    const chunkOf = (q: number): number => {
      let lo = 0;
      let hi = order.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.chunks[order[mid]] <= q) lo = mid;
        else hi = mid - 1;
      }
      const k = order[lo];
      const c = this.chunks[k];
      return order.length > 0 && q >= c && q < c + this.nalloc && (q - c) % this.size === 0 ? k : -1;
    };
    let corrupt = false;
    let n = 0;
    for (let q = this.list; q !== 0; q = this.u32[q >>> 2]) {
      const k = chunkOf(q);
      if (k < 0 || ++n > handedOut) {
        corrupt = true;
        break;
      }
      free[k].push(q);
    }
    return {
      id: this.id,
      name: this.layout?.name ?? `${this.size} B`,
      size: this.size,
      stat: this.stat,
      inuse: this.inuse,
      corrupt,
      spans: this.chunks.map((start, k) => ({
        start,
        bytes: this.nalloc,
        slots: this.nalloc / this.size,
        fresh: k === current ? Math.floor(this.nchunk / this.size) : 0,
        free: free[k].sort((a, b) => a - b),
      })),
    };
  }

  /**
   * An object: from the free list (cleared if `zero`), else fresh zero
   * memory, for which `first` runs.
   *
   * @offheap FixAlloc.alloc
   */
  alloc(): FixAllocResult<T, Z> {
    const p = this.list;
    if (p === 0 || this.debug) return this.allocSlow() as FixAllocResult<T, Z>;
    this.list = this.u32[p >>> 2];
    this.inuse += this.size;
    if (this.zero) clearBytes(this.space, p, this.size);
    return p as FixAllocResult<T, Z>;
  }

  /** alloc's other paths: a fresh object, or debug bookkeeping. */
  private allocSlow(): number {
    const p = this.list;
    if (p === 0) return this.allocFresh();
    this.list = this.u32[p >>> 2];
    this.inuse += this.size;
    if (this.zero) clearBytes(this.space, p, this.size);
    this.rt.debugObjects.set(p, this.id * 2 + 1);
    return p;
  }

  private allocFresh(): number {
    if (this.nchunk < this.size) {
      this.chunk = this.rt.persistent.alloc(this.nalloc, 8, this.stat);
      this.nchunk = this.nalloc;
      this.chunks.push(this.chunk);
      // Heap bits (heapbits.ts): the span's objects have this pool's layout for good, so memclrHasPointers visits exactly their HeapRef slots.
      this.rt.heap.bits.span(this.chunk, this.nalloc, this.size, this.layout);
    }
    const p = this.chunk;
    if (this.first !== undefined) this.first(p as Ptr<T>);
    this.chunk += this.size;
    this.nchunk -= this.size;
    this.inuse += this.size;
    if (this.debug) this.rt.debugObjects.set(p, this.id * 2 + 1);
    return p;
  }

  /**
   * Returns `p` to this pool's free list; only this pool reuses it.
   *
   * @offheap FixAlloc.free
   */
  free(p: MaybeGarbage<T>): void {
    if (!(p >= pageSize && p < this.limit && (p & 3) === 0) || this.debug || this.inuse === 0) {
      this.freeSlow(p);
      return;
    }
    this.inuse -= this.size;
    this.u32[p >>> 2] = this.list;
    this.list = p;
  }

  /** free's other paths: a rejected pointer, or debug checks and poisoning. */
  private freeSlow(p: number): void {
    if (!(p >= pageSize && p < this.limit && (p & 3) === 0)) this.badPointer(p);
    if (this.debug) this.checkFree(p);
    // With nothing handed out, any free is bogus; keeps inuse from going negative without debug mode.
    if (this.inuse === 0) throw new DoubleFreeError(`FixAlloc.free: the pool has no live objects (double free?); got ${show(p)}`, { value: p, limit: 0 });
    this.inuse -= this.size;
    if (this.debug) this.space.u8.fill(poisonByte, p + 4, p + this.size);
    this.u32[p >>> 2] = this.list;
    this.list = p;
  }

  private badPointer(p: number): never {
    throw new BadPointerError(`FixAlloc.free: p must be a 4-aligned address in [${pageSize}, ${this.space.reserved}); got ${show(p)}`, {
      value: p,
      limit: this.space.reserved,
    });
  }

  /** Debug mode: `p` must be live and handed out by this pool. */
  private checkFree(p: number): void {
    const state = this.rt.debugObjects.get(p);
    if (state === undefined) {
      if (this.contains(p)) {
        throw new BadPointerError(`FixAlloc.free: p points into the middle of an object of this pool (size ${this.size}); got ${show(p)}`, { value: p, limit: this.size });
      }
      throw new BadPointerError(`FixAlloc.free: p was not handed out by any FixAlloc of this runtime; got ${show(p)}`, { value: p });
    }
    if (state >>> 1 !== this.id) {
      throw new ForeignPointerError(`FixAlloc.free: p belongs to another pool (id ${state >>> 1}), not this one (id ${this.id}); got ${show(p)}`, { value: p });
    }
    if ((state & 1) === 0) throw new DoubleFreeError(`FixAlloc.free: p is already free (double free); got ${show(p)}`, { value: p });
    this.rt.debugObjects.set(p, this.id * 2);
  }

  /** Whether `p` lies in one of this pool's chunks. */
  contains(p: number): boolean {
    for (const c of this.chunks) if (p >= c && p < c + this.nalloc) return true;
    return false;
  }
}
