// The address space: one fixed buffer, handed out in whole pages.
//
// Go reserves address space up front and maps pages as it needs them
// (mem.go: sysReserve, sysMap, sysUsed). A large plain ArrayBuffer is the same
// thing here: its pages cost nothing until touched, and, unlike a resizable
// buffer, its views run at full speed on Node 20 (perf-anchors §6), so the
// buffer never changes and every view over it stays valid. Addresses are byte
// offsets into it; page 0 is never handed out, so address 0 is nil.
//
// sysAlloc/sysFree work in whole pages, first fit over a sorted list of free
// runs, coalesced on free. Pages are zero when handed out: fresh pages are
// zero already (never re-zeroed, Go's needzero), freed pages are cleared
// when handed out again, as the OS does for a new mapping.

import { BadPointerError, DoubleFreeError, OffheapRangeError, OutOfMemoryError, checkInt, show } from './errors.js';

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
  /** Bytes to reserve, rounded up to whole pages (default 64 MiB, at most 2 GiB). */
  readonly maxBytes?: number;
  /** Back the space with a SharedArrayBuffer so workers can see it. */
  readonly shared?: boolean;
  /** Poison freed pages (they are re-zeroed when handed out again). */
  readonly debug?: boolean;
}

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

  /**
   * Per page: `n > 0` starts a live block of n pages, `-k` is the k-th page
   * of a live block, 0 is free or never mapped.
   */
  private readonly pageState: Int32Array;
  /** Per page: 1 if it may hold non-zero bytes (freed after use). Fresh pages are 0. */
  private readonly needzero: Uint8Array;
  /** First page of the unmapped tail; pages [1, high) are mapped. Pages at or above it may still need zeroing (see needzero). */
  private high = 1;
  /** Free runs below `high`: starts ascending, disjoint, never adjacent (coalesced), none ending at `high`. */
  private readonly freeStart: number[] = [];
  /** Lengths in pages, parallel to freeStart. */
  private readonly freeLen: number[] = [];
  /** Bytes of live blocks. */
  private inUseBytes = 0;
  /** Bytes of live blocks by stat category; entries never negative. */
  private readonly owner = new Map<string, number>();
  /** Stat category of each live block, by start page. */
  private readonly blockStat = new Map<number, string>();

  constructor(options: SpaceOptions = {}) {
    const want = options.maxBytes ?? defaultSpaceBytes;
    checkInt('maxBytes', want, 2 * pageSize, maxSpaceBytes, 'ERR_BAD_OPTION');
    const bytes = Math.ceil(want / pageSize) * pageSize;
    this.buffer = options.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.reserved = bytes;
    this.debug = options.debug ?? false;
    const b = this.buffer;
    this.u8 = new Uint8Array(b);
    this.i8 = new Int8Array(b);
    this.u16 = new Uint16Array(b);
    this.i16 = new Int16Array(b);
    this.u32 = new Uint32Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b);
    this.pageState = new Int32Array(bytes >>> pageShift);
    this.needzero = new Uint8Array(bytes >>> pageShift);
  }

  /** End of mapped memory: every live block lies in [pageSize, mappedEnd). */
  get mappedEnd(): number {
    return this.high * pageSize;
  }

  /**
   * Whole zeroed pages for at least `n` bytes (rounded up to pages), charged
   * to `stat`. Throws OutOfMemoryError when no free run or unmapped tail fits.
   */
  sysAlloc(n: number, stat = 'other'): number {
    checkInt('sysAlloc: n', n, 1, maxSpaceBytes);
    if (typeof stat !== 'string') throw new OffheapRangeError('ERR_BAD_OPTION', `sysAlloc: stat must be a string; got ${show(stat)}`, { value: stat });
    const npages = Math.ceil(n / pageSize);
    let page = 0;
    for (let i = 0; i < this.freeStart.length; i++) {
      const len = this.freeLen[i];
      if (len < npages) continue;
      page = this.freeStart[i];
      if (len === npages) {
        this.freeStart.splice(i, 1);
        this.freeLen.splice(i, 1);
      } else {
        this.freeStart[i] = page + npages;
        this.freeLen[i] = len - npages;
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
    for (let k = 1; k < npages; k++) st[page + k] = -k;
    const bytes = npages * pageSize;
    this.inUseBytes += bytes;
    this.owner.set(stat, (this.owner.get(stat) ?? 0) + bytes);
    this.blockStat.set(page, stat);
    return page * pageSize;
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

  /** The start address and page count of the live block `p` starts, or throws. */
  private checkBlock(what: string, p: number, n: number): number {
    if (typeof p !== 'number' || !Number.isInteger(p) || p <= 0 || p >= this.reserved) {
      throw new BadPointerError(`${what}: p must be a page address in [${pageSize}, ${this.reserved}); got ${show(p)}`, { value: p, limit: this.reserved });
    }
    if (p % pageSize !== 0) {
      throw new BadPointerError(`${what}: p is not page-aligned (${pageSize}); got ${show(p)}`, { value: p, limit: pageSize });
    }
    const page = p >>> pageShift;
    const npages = this.pageState[page];
    if (npages < 0) {
      throw new BadPointerError(`${what}: p points into the middle of a block starting at ${show(p + npages * pageSize)}; got ${show(p)}`, { value: p });
    }
    if (npages === 0) {
      if (page < this.high || this.needzero[page] !== 0) throw new DoubleFreeError(`${what}: p is not allocated (already freed, or never handed out); got ${show(p)}`, { value: p });
      throw new BadPointerError(`${what}: p was never handed out (beyond mapped memory ${show(this.mappedEnd)}); got ${show(p)}`, { value: p, limit: this.mappedEnd });
    }
    checkInt(`${what}: n`, n, 1, this.reserved);
    if (Math.ceil(n / pageSize) !== npages) {
      throw new OffheapRangeError('ERR_BAD_SIZE', `${what}: n must be the size the block was allocated with (${npages} pages, ${npages * pageSize} bytes); got ${show(n)}`, {
        value: n,
        limit: npages * pageSize,
      });
    }
    return npages;
  }

  /** Returns a block from sysAlloc for reuse. `n` must round to the same pages. */
  sysFree(p: number, n: number): void {
    const npages = this.checkBlock('sysFree', p, n);
    const page = p >>> pageShift;
    const stat = this.blockStat.get(page) as string;
    const st = this.pageState;
    const nz = this.needzero;
    for (let k = 0; k < npages; k++) {
      st[page + k] = 0;
      nz[page + k] = 1;
    }
    if (this.debug) this.u8.fill(poisonByte, p, p + npages * pageSize);
    const bytes = npages * pageSize;
    this.inUseBytes -= bytes;
    const left = (this.owner.get(stat) as number) - bytes;
    if (left === 0) this.owner.delete(stat);
    else this.owner.set(stat, left);
    this.blockStat.delete(page);
    if (page + npages === this.high) this.lowerHigh(page);
    else this.insertFree(page, npages);
  }

  /**
   * Returns the tail [page, high) to the unmapped region, together with a free
   * run ending at `page`, so a request can use the tail and the run as one.
   */
  private lowerHigh(page: number): void {
    const last = this.freeStart.length - 1;
    if (last >= 0 && this.freeStart[last] + this.freeLen[last] === page) {
      page = this.freeStart[last];
      this.freeStart.pop();
      this.freeLen.pop();
    }
    this.high = page;
  }

  /** Adds a free run, coalescing with its neighbours. */
  private insertFree(page: number, npages: number): void {
    const starts = this.freeStart;
    const lens = this.freeLen;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < page) lo = mid + 1;
      else hi = mid;
    }
    const joinPrev = lo > 0 && starts[lo - 1] + lens[lo - 1] === page;
    const joinNext = lo < starts.length && page + npages === starts[lo];
    if (joinPrev && joinNext) {
      lens[lo - 1] += npages + lens[lo];
      starts.splice(lo, 1);
      lens.splice(lo, 1);
    } else if (joinPrev) {
      lens[lo - 1] += npages;
    } else if (joinNext) {
      starts[lo] = page;
      lens[lo] += npages;
    } else {
      starts.splice(lo, 0, page);
      lens.splice(lo, 0, npages);
    }
  }

  /** Whether [p, p+n) lies inside blocks currently allocated by sysAlloc. */
  isLive(p: number, n: number): boolean {
    if (!(p >= pageSize && n >= 0 && p + n <= this.mappedEnd)) return false;
    const st = this.pageState;
    const last = n === 0 ? p >>> pageShift : (p + n - 1) >>> pageShift;
    for (let k = p >>> pageShift; k <= last; k++) if (st[k] === 0) return false;
    return true;
  }

  /** Live blocks in address order, with their stat category (read-only introspection, e.g. for the memory picture). */
  blocks(): SpaceBlock[] {
    const out: SpaceBlock[] = [];
    for (const [page, stat] of this.blockStat) out.push({ start: page * pageSize, bytes: this.pageState[page] * pageSize, stat });
    return out.sort((a, b) => a.start - b.start);
  }

  /** The accounting now. */
  stats(): MemStats {
    const mapped = this.mappedEnd - pageSize;
    return {
      reserved: this.reserved,
      mapped,
      inUse: this.inUseBytes,
      free: mapped - this.inUseBytes,
      byOwner: Object.fromEntries(this.owner),
    };
  }
}
