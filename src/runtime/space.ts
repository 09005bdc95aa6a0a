// The address space: one fixed buffer, handed out in whole pages.
//
// Go reserves address space up front and maps pages as it needs them
// (mem.go: sysReserve, sysMap, sysUsed). A large plain ArrayBuffer is the same
// thing here: its pages cost nothing until touched, and, unlike a resizable
// buffer, its views run at full speed on Node 20, so the buffer never changes
// and every view over it stays valid. Addresses are byte offsets into it;
// page 0 is never handed out, so address 0 is nil.
//
// sysAlloc/sysFree work in whole pages, first fit over a sorted list of free
// runs, coalesced on free. Pages are zero when handed out: fresh pages are
// zero already (never re-zeroed, Go's needzero), freed pages are cleared
// when handed out again, as the OS does for a new mapping. All bookkeeping
// is in typed arrays sized at creation (page map, free runs, per-block stat
// and owner), so a sysAlloc/sysFree pair allocates no JS objects; only the
// first use of a new stat category grows a table.
//
// Every block records its owner: sysAlloc's caller, or persistentalloc
// (whose chunks also hold FixAlloc spans). sysFree takes back only the
// caller's blocks: persistentalloc memory is never freed, as in Go.
//
// A shared space carries a header in page 0 naming the runtime that owns its
// allocators (a per-thread random token and a serial). A runtime attached to
// the same SharedArrayBuffer elsewhere (a worker) has its own JS objects, so
// it does not see the owner's page map: it may read and write records, but
// every allocation through it is refused with NotOwnerError.

import { checkPtr, checkSize, checkStat } from './check.js';
import { BadPointerError, DoubleFreeError, ForeignPointerError, NotOwnerError, OffheapRangeError, OutOfMemoryError, show } from './errors.js';

/** Go's `_PageSize`: the unit of sysAlloc. */
export const pageSize = 8192;
const pageShift = 13;

/** The most bytes a space may reserve: addresses must fit a u32 link word and `>>> 2` indexing. */
export const maxSpaceBytes = 2 ** 31;

/** The default reservation (only touched pages cost memory). */
export const defaultSpaceBytes = 64 * 1024 * 1024;

/** Byte pattern written over freed memory in debug mode. */
export const poisonByte = 0xa5;

/** A snapshot of the space's accounting (Go: sysMemStat, mappedReady). */
export interface MemStats {
  /** Bytes reserved for the space, page 0 included. */
  readonly reserved: number;
  /** Bytes below the page allocator's high-water mark: live blocks plus free runs between them (Go's Ready). Freeing the top block returns it, and any free run below it, to the unmapped tail. */
  readonly mapped: number;
  /** Bytes of pages currently allocated by sysAlloc. */
  readonly inUse: number;
  /** Bytes mapped but free for reuse (`mapped - inUse`). */
  readonly free: number;
  /** Bytes currently allocated, by the `stat` category passed to sysAlloc. Sums to `inUse`. */
  readonly byOwner: Readonly<Record<string, number>>;
}

/** One live block of sysAlloc pages. */
export interface SpaceBlock {
  /** First byte (page-aligned). */
  readonly start: number;
  /** Length in bytes (whole pages). */
  readonly bytes: number;
  /** The stat category it is charged to. */
  readonly stat: string;
}

export interface SpaceOptions {
  /** Bytes to reserve, rounded up to whole pages (default 64 MiB, at most 2 GiB). Validated by the Runtime. */
  readonly maxBytes?: number;
  /** Back the space with a SharedArrayBuffer so workers can see it. */
  readonly shared?: boolean;
  /** Attach to this shared space, made by another runtime (usually on another thread): records only, no allocation. */
  readonly attach?: SharedArrayBuffer;
  /** Poison freed pages (they are re-zeroed when handed out again). */
  readonly debug?: boolean;
}

/** Who a live block belongs to: sysAlloc's caller, or persistentalloc (chunks, large requests, FixAlloc spans). */
export const blockUser = 1;
export const blockPersistent = 2;

/** The header of a shared space, in page 0 (never handed out): magic, owner thread token, owner serial (u32 words). */
export const spaceMagic = 0x4f464648; // 'OFFH'
const headerMagic = 0;
const headerThread = 1;
const headerSerial = 2;

/**
 * This module instance's token: each thread (worker) that loads the runtime
 * has its own module instance and so its own token. Random, never 0.
 */
const threadToken = ((): number => {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  const a = new Uint32Array(1);
  if (c?.getRandomValues) c.getRandomValues(a);
  else a[0] = Math.floor(Math.random() * 2 ** 32);
  return a[0] === 0 ? 1 : a[0];
})();
let nextSerial = 1;

/** The pages of one runtime and the typed views every access goes through. */
export class AddressSpace {
  /** The whole space; never resized, so the views below never detach. */
  declare readonly buffer: ArrayBuffer | SharedArrayBuffer;
  declare readonly u8: Uint8Array;
  declare readonly i8: Int8Array;
  declare readonly u16: Uint16Array;
  declare readonly i16: Int16Array;
  declare readonly u32: Uint32Array;
  declare readonly i32: Int32Array;
  declare readonly f32: Float32Array;
  declare readonly f64: Float64Array;
  /** `buffer.byteLength`; a multiple of pageSize. */
  declare readonly reserved: number;
  /** Whether freed pages are poisoned. */
  declare readonly debug: boolean;
  /** Whether this space's allocators are this object's (false for a space attached to another runtime's shared buffer). */
  declare readonly owner: boolean;
  /** Backed by a SharedArrayBuffer: the page-0 header names the owning runtime. */
  declare readonly shared: boolean;
  /** This runtime's identity in the header: (threadToken, serial); 0 for an attached space. */
  private declare readonly serial: number;

  /**
   * Per page: `n > 0` starts a live block of n pages, `-k` is the k-th page
   * of a live block, 0 is free or never mapped.
   */
  private declare readonly pageState: Int32Array;
  /** Per page: 1 if it may hold non-zero bytes (freed after use). Fresh pages are 0. */
  private declare readonly needzero: Uint8Array;
  /** Per start page of a live block: its stat category's index × 4 + its owner (blockUser or blockPersistent). */
  private declare readonly blockTag: Int32Array;
  /** Per page: the id of the FixAlloc pool whose span covers it, 0 if none (spans are whole pages). */
  declare readonly pagePool: Int32Array;
  /** First page of the unmapped tail; pages [1, high) are mapped. Pages at or above it may still need zeroing (see needzero). */
  private high = 1;
  /** Free runs below `high`, [0, nfree): starts ascending, disjoint, never adjacent (coalesced), none ending at `high`. */
  private declare readonly freeStart: Int32Array;
  /** Lengths in pages, parallel to freeStart. */
  private declare readonly freeLen: Int32Array;
  private nfree = 0;
  /** Bytes of live blocks. */
  private inUseBytes = 0;
  /** Stat categories in order of first use; index = position. */
  private readonly statNames: string[] = [];
  private readonly statIndex = new Map<string, number>();
  /** Bytes of live blocks per stat index; never negative. */
  private statBytes = new Float64Array(8);

  constructor(options: SpaceOptions = {}) {
    const attach = options.attach;
    let bytes: number;
    if (attach !== undefined) {
      bytes = attach.byteLength;
      this.buffer = attach;
    } else {
      bytes = Math.ceil((options.maxBytes ?? defaultSpaceBytes) / pageSize) * pageSize;
      this.buffer = options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    }
    this.reserved = bytes;
    this.debug = options.debug ?? false;
    this.shared = attach !== undefined || options.shared === true;
    this.owner = attach === undefined;
    const b = this.buffer;
    this.u8 = new Uint8Array(b);
    this.i8 = new Int8Array(b);
    this.u16 = new Uint16Array(b);
    this.i16 = new Int16Array(b);
    this.u32 = new Uint32Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
    const npages = bytes >>> pageShift;
    this.pageState = new Int32Array(npages);
    this.needzero = new Uint8Array(npages);
    this.blockTag = new Int32Array(npages);
    this.pagePool = new Int32Array(npages);
    // At most one free run per two pages: runs are never adjacent.
    this.freeStart = new Int32Array((npages >>> 1) + 1);
    this.freeLen = new Int32Array((npages >>> 1) + 1);
    if (attach !== undefined) {
      this.serial = 0;
      // The owner's page map is not visible here: the whole space counts as mapped, for range checks.
      this.high = npages;
    } else {
      this.serial = nextSerial++;
      if (this.shared) {
        this.u32[headerMagic] = spaceMagic;
        this.u32[headerThread] = threadToken;
        this.u32[headerSerial] = this.serial;
      }
    }
  }

  /** Whether `buffer` is a shared space some runtime created (its page-0 header is set). */
  static isSharedSpace(buffer: SharedArrayBuffer): boolean {
    return buffer.byteLength >= 2 * pageSize && buffer.byteLength % pageSize === 0 && new Uint32Array(buffer, 0, 3)[headerMagic] === spaceMagic;
  }

  /** End of mapped memory: every live block lies in [pageSize, mappedEnd). */
  get mappedEnd(): number {
    return this.high * pageSize;
  }

  /**
   * Throws NotOwnerError unless this object owns the space's allocators: an
   * attached space never does, and a shared space whose header names another
   * runtime (it was overwritten) no longer does.
   */
  checkOwner(what: string): void {
    if (this.owner && (!this.shared || (this.u32[headerThread] === threadToken && this.u32[headerSerial] === this.serial && this.u32[headerMagic] === spaceMagic))) return;
    const other = this.u32[headerThread] === threadToken ? 'another runtime on this thread' : 'a runtime on another thread';
    throw new NotOwnerError(
      `${what}: this runtime does not own the shared space's allocators (${other} does): its page map and free lists are that runtime's. Allocate and free in the owner and pass addresses here.`,
      { value: this.u32[headerThread], limit: threadToken },
    );
  }

  /**
   * Whole zeroed pages for at least `n` bytes (rounded up to pages), charged
   * to `stat`. Throws OutOfMemoryError when no free run or unmapped tail fits.
   */
  sysAlloc(n: number, stat = 'other'): number {
    checkSize('sysAlloc: n', n, 1, maxSpaceBytes);
    checkStat('sysAlloc', stat);
    return this.allocPages(n, stat, blockUser);
  }

  /** sysAlloc for `owner` (blockUser or blockPersistent), `n` and `stat` already checked. */
  allocPages(n: number, stat: string, owner: number): number {
    this.checkOwner('sysAlloc');
    const npages = Math.ceil(n / pageSize);
    let k = this.statIndex.get(stat);
    if (k === undefined) k = this.newStat(stat);
    const starts = this.freeStart;
    const lens = this.freeLen;
    const nf = this.nfree;
    let page = 0;
    for (let i = 0; i < nf; i++) {
      const len = lens[i];
      if (len < npages) continue;
      page = starts[i];
      if (len === npages) {
        starts.copyWithin(i, i + 1, nf);
        lens.copyWithin(i, i + 1, nf);
        this.nfree = nf - 1;
      } else {
        starts[i] = page + npages;
        lens[i] = len - npages;
      }
      break;
    }
    if (page === 0) {
      const total = this.pageState.length;
      if (this.high + npages > total) {
        const mapped = this.mappedEnd - pageSize;
        throw new OutOfMemoryError(
          `sysAlloc: cannot allocate ${npages * pageSize} bytes (${n} asked): ${mapped} of ${this.reserved - pageSize} usable bytes mapped, ${this.inUseBytes} in use`,
          npages * pageSize,
          mapped,
          this.reserved,
        );
      }
      page = this.high;
      this.high += npages;
    }
    this.clearPages(page, npages);
    const st = this.pageState;
    st[page] = npages;
    for (let j = 1; j < npages; j++) st[page + j] = -j;
    const bytes = npages * pageSize;
    this.inUseBytes += bytes;
    this.statBytes[k] += bytes;
    this.blockTag[page] = k * 4 + owner;
    return page * pageSize;
  }

  /** Interns a new stat category (the only allocating step, once per category). */
  private newStat(stat: string): number {
    const k = this.statNames.length;
    this.statNames.push(stat);
    this.statIndex.set(stat, k);
    if (k === this.statBytes.length) {
      const grown = new Float64Array(k * 2);
      grown.set(this.statBytes);
      this.statBytes = grown;
    }
    return k;
  }

  /** Zeroes the pages of [page, page+npages) that may be dirty. */
  private clearPages(page: number, npages: number): void {
    const nz = this.needzero;
    let k = page;
    const end = page + npages;
    while (k < end) {
      if (nz[k] === 0) {
        k++;
        continue;
      }
      let j = k;
      while (j < end && nz[j] !== 0) nz[j++] = 0;
      this.u8.fill(0, k * pageSize, j * pageSize);
      k = j;
    }
  }

  /** The page count of the live sysAlloc block `p` starts, or throws. Argument names are literals: a template string here would allocate on every sysFree. */
  private checkBlock(what: string, p: unknown, n: unknown): number {
    checkPtr('sysFree: p', p, 1, this.reserved, pageSize);
    if (p % pageSize !== 0) {
      throw new BadPointerError(`${what}: p is not page-aligned (${pageSize}); got ${show(p)}`, { value: p, limit: pageSize });
    }
    const page = p >>> pageShift;
    const npages = this.pageState[page];
    if (npages < 0) {
      const start = page + npages;
      if ((this.blockTag[start] & 3) === blockPersistent) this.foreign(what, p);
      throw new BadPointerError(`${what}: p points into the middle of a block starting at ${show(start * pageSize)}; got ${show(p)}`, { value: p });
    }
    if (npages === 0) {
      if (page < this.high || this.needzero[page] !== 0) throw new DoubleFreeError(`${what}: p is not allocated (already freed, or never handed out); got ${show(p)}`, { value: p });
      throw new BadPointerError(`${what}: p was never handed out (beyond mapped memory ${show(this.mappedEnd)}); got ${show(p)}`, { value: p, limit: this.mappedEnd });
    }
    if ((this.blockTag[page] & 3) === blockPersistent) this.foreign(what, p);
    checkSize('sysFree: n', n, 1, this.reserved);
    if (Math.ceil(n / pageSize) !== npages) {
      throw new OffheapRangeError('ERR_BAD_SIZE', `${what}: n must be the size the block was allocated with (${npages} pages, ${npages * pageSize} bytes); got ${show(n)}`, {
        value: n,
        limit: npages * pageSize,
      });
    }
    return npages;
  }

  private foreign(what: string, p: number): never {
    throw new ForeignPointerError(`${what}: p lies in memory persistentalloc took from the space (its chunks and FixAlloc spans are never freed); got ${show(p)}`, {
      value: p,
    });
  }

  /** Returns a block from sysAlloc for reuse. `n` must round to the same pages. */
  sysFree(p: unknown, n: unknown): void {
    this.checkOwner('sysFree');
    const npages = this.checkBlock('sysFree', p, n);
    const addr = p as number;
    const page = addr >>> pageShift;
    const st = this.pageState;
    const nz = this.needzero;
    for (let k = 0; k < npages; k++) {
      st[page + k] = 0;
      nz[page + k] = 1;
    }
    if (this.debug) this.u8.fill(poisonByte, addr, addr + npages * pageSize);
    const bytes = npages * pageSize;
    this.inUseBytes -= bytes;
    this.statBytes[this.blockTag[page] >>> 2] -= bytes;
    this.blockTag[page] = 0;
    if (page + npages === this.high) this.lowerHigh(page);
    else this.insertFree(page, npages);
  }

  /**
   * Returns the tail [page, high) to the unmapped region, together with a free
   * run ending at `page`, so a request can use the tail and the run as one.
   */
  private lowerHigh(page: number): void {
    const last = this.nfree - 1;
    if (last >= 0 && this.freeStart[last] + this.freeLen[last] === page) {
      page = this.freeStart[last];
      this.nfree = last;
    }
    this.high = page;
  }

  /** Adds a free run, coalescing with its neighbours. */
  private insertFree(page: number, npages: number): void {
    const starts = this.freeStart;
    const lens = this.freeLen;
    const nf = this.nfree;
    let lo = 0;
    let hi = nf;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < page) lo = mid + 1;
      else hi = mid;
    }
    const joinPrev = lo > 0 && starts[lo - 1] + lens[lo - 1] === page;
    const joinNext = lo < nf && page + npages === starts[lo];
    if (joinPrev && joinNext) {
      lens[lo - 1] += npages + lens[lo];
      starts.copyWithin(lo, lo + 1, nf);
      lens.copyWithin(lo, lo + 1, nf);
      this.nfree = nf - 1;
    } else if (joinPrev) {
      lens[lo - 1] += npages;
    } else if (joinNext) {
      starts[lo] = page;
      lens[lo] += npages;
    } else {
      starts.copyWithin(lo + 1, lo, nf);
      lens.copyWithin(lo + 1, lo, nf);
      starts[lo] = page;
      lens[lo] = npages;
      this.nfree = nf + 1;
    }
  }

  /** Whether [p, p+n) lies inside blocks currently allocated by sysAlloc (for an attached space: inside the space). */
  isLive(p: number, n: number): boolean {
    if (!(p >= pageSize && n >= 0 && p + n <= this.mappedEnd)) return false;
    if (!this.owner) return true;
    const st = this.pageState;
    const last = n === 0 ? p >>> pageShift : (p + n - 1) >>> pageShift;
    for (let k = p >>> pageShift; k <= last; k++) if (st[k] === 0) return false;
    return true;
  }

  /** Live blocks in address order, with their stat category (read-only introspection, e.g. for the memory picture). */
  blocks(): SpaceBlock[] {
    const out: SpaceBlock[] = [];
    if (!this.owner) return out;
    const st = this.pageState;
    for (let k = 1; k < this.high; k++) {
      const n = st[k];
      if (n <= 0) continue;
      out.push({ start: k * pageSize, bytes: n * pageSize, stat: this.statNames[this.blockTag[k] >>> 2] });
      k += n - 1;
    }
    return out;
  }

  /** The free runs below the high-water mark, as [start page, pages] pairs (read-only introspection for tests and the model). */
  freeRuns(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.nfree; i++) out.push([this.freeStart[i], this.freeLen[i]]);
    return out;
  }

  /** The accounting now. */
  stats(): MemStats {
    const mapped = this.owner ? this.mappedEnd - pageSize : 0;
    const byOwner: Record<string, number> = {};
    for (let k = 0; k < this.statNames.length; k++) if (this.statBytes[k] > 0) byOwner[this.statNames[k]] = this.statBytes[k];
    return {
      reserved: this.reserved,
      mapped,
      inUse: this.inUseBytes,
      free: mapped - this.inUseBytes,
      byOwner,
    };
  }
}
