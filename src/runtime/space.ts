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
// A shared space (SharedArrayBuffer) keeps all of this inside the buffer
// (share.ts): the page map, free runs, counters and stat categories are
// views over its first pages, guarded by one lock (lock.ts), so a runtime
// attached in any thread allocates and frees pages of the same map, as
// every P in Go takes pages from the one mheap. The views are the same
// typed arrays an unshared space keeps privately, so both run one code.

import { checkPtr, checkSize, checkStat } from './check.js';
import { BadPointerError, ClosedError, DoubleFreeError, ForeignPointerError, OffheapRangeError, OptionError, OutOfMemoryError, show } from './errors.js';
import { lock, unlock } from './lock.js';
import { gateClosed, gateDebug, H, maxSharedStats, maxThreads, metaLayout, SharedHandles, spaceMagic, spaceVersion, statNameUnits } from './share.js';

/** Go's `_PageSize`: the unit of sysAlloc. */
export const pageSize = 8192;
export const pageShift = 13;
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
  /** Back the space with a SharedArrayBuffer whose own pages hold the allocators' state, so other threads can attach. */
  readonly shared?: boolean;
  /** Attach to this shared space (made by another runtime, usually on another thread); checked by the caller. */
  readonly attach?: SharedArrayBuffer;
  /** Poison freed pages (they are re-zeroed when handed out again); an attached space takes the owner's. */
  readonly debug?: boolean;
}

/** Who a live block belongs to: sysAlloc's caller, or persistentalloc (chunks, large requests, FixAlloc spans). */
export const blockUser = 1;
export const blockPersistent = 2;

export { spaceMagic };

/**
 * This module instance's token: each thread (worker) that loads the runtime
 * has its own module instance and so its own token. Random, never 0.
 */
const threadToken = ((): number => {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Int32Array) => Int32Array } }).crypto;
  const a = new Int32Array(1);
  if (c?.getRandomValues) c.getRandomValues(a);
  else a[0] = Math.floor(Math.random() * 2 ** 32) | 0;
  return a[0] === 0 ? 1 : a[0];
})();
let nextSerial = 1;

const noWords = new Int32Array(0);
/** poisonByte in all eight bytes of a word. */
const poisonWords = BigInt.asIntN(64, BigInt(poisonByte) * 0x0101010101010101n);

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
  /** Whether this object created the space (false for one attached to another runtime's shared space). */
  declare readonly owner: boolean;
  /** Backed by a SharedArrayBuffer holding the allocators' state: any thread may attach and allocate. */
  declare readonly shared: boolean;
  /** This runtime's identity: its thread's token and a serial within the thread. */
  declare readonly token: number;
  declare readonly serial: number;
  /** The header (share.ts, H): page 0 of a shared space, a private array otherwise. */
  declare readonly hdr: Int32Array;
  /**
   * One word, read by every fast path: bit 0 debug, bit 1 closed. For a
   * shared space, the header's word, so the owner's close reaches every
   * thread; replaced by a private closed word when this runtime alone closes.
   */
  gate: Int32Array;
  /**
   * The word mappedEnd reads, as `gate` is: the header's H.bound (the
   * unmapped tail's first page, 0 once the space is closed), replaced by a
   * private 0 when this attached runtime alone closes, so its clears and
   * stores refuse while the owner's space stays open.
   */
  declare bound: Int32Array;
  /** The first page ever handed out; the pages below hold page 0 and a shared space's bookkeeping. */
  declare readonly firstPage: number;

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
  /** Per page of a FixAlloc span: its index within the span (spans have at most 8 pages), so any thread finds an object's start. */
  declare readonly pageSpan: Uint8Array;
  /** Free runs below `high`, [0, nfree): starts ascending, disjoint, never adjacent (coalesced), none ending at `high`. */
  private declare readonly freeStart: Int32Array;
  /** Lengths in pages, parallel to freeStart. */
  private declare readonly freeLen: Int32Array;
  /** Stat categories this thread has seen, by index (a shared space's table is the truth; this caches it). */
  private readonly statNames: string[] = [];
  private readonly statIndex = new Map<string, number>();
  /** Bytes of live blocks per stat index; never negative. A shared space's is a fixed view of maxSharedStats. */
  private statBytes: Float64Array;
  /**
   * A shared space's 8-byte view, for clearing and poisoning pages: V8
   * fills a SharedArrayBuffer's Uint8Array byte by byte (about 9 µs per 8
   * KiB page, measured, against 0.15 µs unshared); a BigInt64Array fill
   * stores words (about 1 µs). Undefined for an unshared space.
   */
  private declare readonly words: BigInt64Array | undefined;
  /** Debug mode of a shared space: per 4-byte word, bit set = a FixAlloc object starting there was handed out / is live. Empty otherwise. */
  declare readonly dbgHanded: Int32Array;
  declare readonly dbgLive: Int32Array;

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
    this.token = threadToken;
    this.serial = nextSerial++;
    const npages = bytes >>> pageShift;
    const runs = (npages >>> 1) + 1; // at most one free run per two pages: runs are never adjacent
    if (!this.shared) {
      this.debug = options.debug ?? false;
      const hdr = (this.hdr = new Int32Array(H.privateWords));
      hdr[H.npages] = npages;
      hdr[H.firstPage] = 1;
      hdr[H.high] = hdr[H.bound] = 1;
      hdr[H.gate] = this.debug ? gateDebug : 0;
      this.pageState = new Int32Array(npages);
      this.needzero = new Uint8Array(npages);
      this.blockTag = new Int32Array(npages);
      this.pagePool = new Int32Array(npages);
      this.pageSpan = new Uint8Array(npages);
      this.freeStart = new Int32Array(runs);
      this.freeLen = new Int32Array(runs);
      this.statBytes = new Float64Array(8);
      this.dbgHanded = this.dbgLive = noWords;
      this.words = undefined;
    } else {
      const hdr = (this.hdr = new Int32Array(b as SharedArrayBuffer, 0, pageSize >>> 2));
      if (attach === undefined) {
        this.debug = options.debug ?? false;
        const m = metaLayout(npages, this.debug);
        if (m.firstPage >= npages) {
          const least = (m.firstPage + 1) * pageSize;
          throw new OptionError('maxBytes', `createRuntime: a shared space of ${bytes} bytes has no page left after its bookkeeping (${m.firstPage} pages); give at least ${least}`, {
            value: bytes,
            limit: least,
          });
        }
        hdr[H.npages] = npages;
        hdr[H.firstPage] = m.firstPage;
        hdr[H.high] = hdr[H.bound] = m.firstPage;
        hdr[H.gate] = this.debug ? gateDebug : 0;
        hdr[H.pageState] = m.pageState;
        hdr[H.needzero] = m.needzero;
        hdr[H.blockTag] = m.blockTag;
        hdr[H.pagePool] = m.pagePool;
        hdr[H.pageSpan] = m.pageSpan;
        hdr[H.freeStart] = m.freeStart;
        hdr[H.freeLen] = m.freeLen;
        hdr[H.pools] = m.pools;
        hdr[H.dbgHanded] = m.dbgHanded;
        hdr[H.dbgLive] = m.dbgLive;
        hdr[H.thread] = threadToken;
        hdr[H.serial] = this.serial;
        hdr[H.attach] = threadToken;
        hdr[H.attach + 1] = this.serial;
        hdr[H.version] = spaceVersion;
        SharedHandles.seed(hdr);
        Atomics.store(hdr, H.magic, spaceMagic);
      } else {
        this.debug = (Atomics.load(hdr, H.gate) & gateDebug) !== 0;
      }
      this.pageState = new Int32Array(b, hdr[H.pageState], npages);
      this.needzero = new Uint8Array(b, hdr[H.needzero], npages);
      this.blockTag = new Int32Array(b, hdr[H.blockTag], npages);
      this.pagePool = new Int32Array(b, hdr[H.pagePool], npages);
      this.pageSpan = new Uint8Array(b, hdr[H.pageSpan], npages);
      this.freeStart = new Int32Array(b, hdr[H.freeStart], runs);
      this.freeLen = new Int32Array(b, hdr[H.freeLen], runs);
      this.statBytes = new Float64Array(b, H.statBytes, maxSharedStats);
      this.words = new BigInt64Array(b);
      const bitmapWords = Math.ceil((npages * pageSize) / 32 / 4);
      this.dbgHanded = this.debug ? new Int32Array(b, hdr[H.dbgHanded], bitmapWords) : noWords;
      this.dbgLive = this.debug ? new Int32Array(b, hdr[H.dbgLive], bitmapWords) : noWords;
    }
    this.firstPage = this.hdr[H.firstPage];
    this.gate = this.hdr.subarray(H.gate, H.gate + 1);
    this.bound = this.hdr.subarray(H.bound, H.bound + 1);
  }

  /** First page of the unmapped tail; pages [firstPage, high) are mapped. Pages at or above it may still need zeroing (see needzero). */
  private get high(): number {
    return this.hdr[H.high];
  }

  /**
   * End of the memory the clears and stores may touch: of mapped memory
   * (every live block lies in [firstPage × pageSize, mappedEnd)) while the
   * space is open, 0 once it is closed. So after close() the range check
   * each clear and store makes anyway fails, and its slow path throws
   * ClosedError: a closed runtime refuses them at no cost to the open one.
   * An attached runtime that closes alone swaps in its own 0 (see `bound`).
   */
  get mappedEnd(): number {
    // On every clear's range check: a field, index 0 and a literal compile to two loads and a multiply, where the
    // imported H's field and the exported pageSize each cost a cell load and a hole check.
    return this.bound[0] * 8192;
  }

  /** End of mapped memory, open or closed (introspection: the memory picture, snapshots). */
  get mappedTop(): number {
    return this.hdr[H.high] * pageSize;
  }

  /** Whether this runtime (or, for a shared space, its owner) was closed. */
  get closed(): boolean {
    return (this.gate[0] & gateClosed) !== 0;
  }

  /** Throws ClosedError once the runtime or the owner of its shared space closed. */
  checkOpen(what: string): void {
    if ((this.gate[0] & gateClosed) !== 0) this.closedError(what);
  }

  closedError(what: string): never {
    const whose = this.shared && (Atomics.load(this.hdr, H.gate) & gateClosed) !== 0 ? (this.owner ? 'its owner closed the shared space (this runtime)' : 'the owner closed the shared space') : 'close() was called';
    throw new ClosedError(`${what}: the runtime is closed: ${whose}; use it only while it is open`, { value: what, limit: 'an open runtime' });
  }

  /**
   * Registers this attached space in the attach table: AttachError if this
   * thread already has a live runtime over it or the table is full,
   * ClosedError if the owner closed it. Nothing changes on error.
   */
  claimAttachSlot(what: string, fail: (code: string, message: string, limit: number) => never): void {
    const hdr = this.hdr;
    lock(hdr, H.registryLock);
    try {
      this.checkOpen(what);
      let free = -1;
      for (let k = 0; k < maxThreads; k++) {
        const t = hdr[H.attach + 2 * k];
        if (t === threadToken) fail('ERR_ALREADY_ATTACHED', `${what}: this thread already has a runtime over this space (${k === 0 ? 'the owner' : 'attached earlier'}); close() it first, or pass that runtime around`, k);
        if (t === 0 && free < 0) free = k;
      }
      if (free < 0) fail('ERR_TOO_MANY_THREADS', `${what}: ${maxThreads} runtimes are attached to this space already (the owner included); close() one first`, maxThreads);
      hdr[H.attach + 2 * free] = threadToken;
      hdr[H.attach + 2 * free + 1] = this.serial;
    } finally {
      unlock(hdr, H.registryLock);
    }
  }

  /**
   * Closes this runtime: the owner of a space closes it for every runtime
   * over it (the gate word is shared), an attached one leaves the attach
   * table and closes only itself.
   */
  close(): void {
    if (this.closed) return;
    const hdr = this.hdr;
    if (this.owner) {
      // Under the page allocator's lock: every step that moves `high` checks the gate under it, so `bound` stays 0.
      if (this.shared) lock(hdr, H.spaceLock);
      try {
        Atomics.or(hdr, H.gate, gateClosed);
        hdr[H.bound] = 0;
      } finally {
        if (this.shared) unlock(hdr, H.spaceLock);
      }
      return;
    }
    lock(hdr, H.registryLock);
    try {
      for (let k = 1; k < maxThreads; k++) {
        if (hdr[H.attach + 2 * k] === threadToken && hdr[H.attach + 2 * k + 1] === this.serial) {
          hdr[H.attach + 2 * k] = 0;
          hdr[H.attach + 2 * k + 1] = 0;
        }
      }
    } finally {
      unlock(hdr, H.registryLock);
    }
    this.gate = Int32Array.of(gateClosed | (this.debug ? gateDebug : 0));
    // Its own bound of 0: the range check of its five clears and stores fails, and their slow path names the close.
    this.bound = Int32Array.of(0);
  }

  /**
   * Whole zeroed pages for at least `n` bytes (rounded up to pages), charged
   * to `stat`. Throws OutOfMemoryError when no free run or unmapped tail fits.
   */
  sysAlloc(n: number, stat = 'other'): number {
    // A closed runtime refuses before the arguments are looked at, as every refusing member does (allocPages checks again under the lock).
    this.checkOpen('sysAlloc');
    checkSize('sysAlloc: n', n, 1, maxSpaceBytes);
    checkStat('sysAlloc', stat);
    return this.allocPages(n, stat, blockUser);
  }

  /**
   * sysAlloc for `owner` (blockUser or blockPersistent), `n` and `stat` already checked. Takes the space's lock when
   * shared. `what` names the caller's entry point in errors (persistentalloc takes its chunks here) and `asked` what
   * the caller asked for (a chunk is larger).
   */
  allocPages(n: number, stat: string, owner: number, what = 'sysAlloc', asked = n): number {
    this.checkOpen(what);
    if (!this.shared) return this.allocPagesLocked(n, stat, owner, what, asked);
    lock(this.hdr, H.spaceLock);
    try {
      this.checkOpen(what);
      return this.allocPagesLocked(n, stat, owner, what, asked);
    } finally {
      unlock(this.hdr, H.spaceLock);
    }
  }

  private allocPagesLocked(n: number, stat: string, owner: number, what: string, asked: number): number {
    const npages = Math.ceil(n / pageSize);
    const hdr = this.hdr;
    const starts = this.freeStart;
    const lens = this.freeLen;
    const nf = hdr[H.nfree];
    // First fit: a free run, else the unmapped tail. Nothing changes until the request is known to succeed.
    let run = -1;
    for (let i = 0; i < nf; i++) {
      if (lens[i] >= npages) {
        run = i;
        break;
      }
    }
    if (run < 0 && hdr[H.high] + npages > hdr[H.npages]) {
      const mapped = (hdr[H.high] - this.firstPage) * pageSize;
      throw new OutOfMemoryError(
        `${what}: cannot allocate ${npages * pageSize} bytes (${asked} asked): ${mapped} of ${this.reserved - this.firstPage * pageSize} usable bytes mapped, ${hdr[H.inUse]} in use`,
        npages * pageSize,
        mapped,
        this.reserved,
      );
    }
    // Interns a new category (a shared space's table in page 0): only for a request that succeeds, so a refused one changes nothing.
    const k = this.statOf(stat);
    let page: number;
    if (run >= 0) {
      page = starts[run];
      const len = lens[run];
      if (len === npages) {
        starts.copyWithin(run, run + 1, nf);
        lens.copyWithin(run, run + 1, nf);
        hdr[H.nfree] = nf - 1;
      } else {
        starts[run] = page + npages;
        lens[run] = len - npages;
      }
    } else {
      page = hdr[H.high];
      hdr[H.high] = hdr[H.bound] = page + npages;
    }
    this.clearPages(page, npages);
    const st = this.pageState;
    st[page] = npages;
    for (let j = 1; j < npages; j++) st[page + j] = -j;
    const bytes = npages * pageSize;
    hdr[H.inUse] += bytes;
    this.statBytes[k] += bytes;
    this.blockTag[page] = k * 4 + owner;
    return page * pageSize;
  }

  /** The index of stat category `stat`, interning it on first use (the only allocating step, once per category). A shared space's lock is held. */
  private statOf(stat: string): number {
    const k = this.statIndex.get(stat);
    if (k !== undefined) return k;
    // The same limits shared or not, so code that runs over an unshared space does not fail once it shares it.
    if (stat.length > statNameUnits) {
      throw new OptionError('stat', `sysAlloc: a stat category is at most ${statNameUnits} UTF-16 units; got ${show(stat)}`, { value: stat, limit: statNameUnits });
    }
    if (!this.shared) {
      if (this.statNames.length === maxSharedStats) {
        throw new OptionError('stat', `sysAlloc: a space tracks at most ${maxSharedStats} stat categories; ${show(stat)} would be one more`, { value: stat, limit: maxSharedStats });
      }
      const n = this.statNames.length;
      this.statNames.push(stat);
      this.statIndex.set(stat, n);
      if (n === this.statBytes.length) {
        const grown = new Float64Array(n * 2);
        grown.set(this.statBytes);
        this.statBytes = grown;
      }
      return n;
    }
    // A shared space: the table in page 0 names the categories for every thread.
    const hdr = this.hdr;
    const u16 = this.u16;
    const nstats = hdr[H.nstats];
    for (let i = 0; i < nstats; i++) {
      if (this.statName(i) === stat) {
        this.statIndex.set(stat, i);
        return i;
      }
    }
    if (nstats === maxSharedStats) {
      throw new OptionError('stat', `sysAlloc: a space tracks at most ${maxSharedStats} stat categories; ${show(stat)} would be one more`, { value: stat, limit: maxSharedStats });
    }
    const at = (H.statNames >>> 1) + nstats * (statNameUnits + 1);
    u16[at] = stat.length;
    for (let i = 0; i < stat.length; i++) u16[at + 1 + i] = stat.charCodeAt(i);
    hdr[H.nstats] = nstats + 1;
    this.statIndex.set(stat, nstats);
    this.statNames[nstats] = stat;
    return nstats;
  }

  /** The name of stat category `k` (a shared space's table is read when this thread has not seen it). */
  private statName(k: number): string {
    const known = this.statNames[k];
    if (known !== undefined || !this.shared) return known;
    const at = (H.statNames >>> 1) + k * (statNameUnits + 1);
    const name = String.fromCharCode(...this.u16.subarray(at + 1, at + 1 + this.u16[at]));
    this.statNames[k] = name;
    return name;
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
      if (this.words !== undefined) this.words.fill(0n, k * (pageSize / 8), j * (pageSize / 8));
      else this.u8.fill(0, k * pageSize, j * pageSize);
      k = j;
    }
  }

  /** The page count of the live sysAlloc block `p` starts, or throws. Argument names are literals: a template string here would allocate on every sysFree. */
  private checkBlock(what: string, p: unknown, n: unknown): number {
    checkPtr('sysFree: p', p, 1, this.reserved, this.firstPage * pageSize);
    if (p % pageSize !== 0) {
      throw new BadPointerError(`${what}: p is not page-aligned (${pageSize}); got ${show(p)}`, { value: p, limit: pageSize });
    }
    const page = p >>> pageShift;
    const npages = this.pageState[page];
    if (npages < 0) {
      const start = page + npages;
      if ((this.blockTag[start] & 3) === blockPersistent) this.foreign(what, p);
      throw new BadPointerError(`${what}: p points into the middle of a block starting at ${show(start * pageSize)}; got ${show(p)}`, { value: p, limit: start * pageSize });
    }
    if (npages === 0) {
      if (page < this.high || this.needzero[page] !== 0) throw new DoubleFreeError(`${what}: p is not allocated (already freed, or never handed out); got ${show(p)}`, { value: p, limit: 'an allocated block' });
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
      limit: 'a sysAlloc block',
    });
  }

  /** Returns a block from sysAlloc for reuse. `n` must round to the same pages. Any thread may free any thread's block. */
  sysFree(p: unknown, n: unknown): void {
    this.checkOpen('sysFree');
    if (!this.shared) {
      this.sysFreeLocked(p, n);
      return;
    }
    lock(this.hdr, H.spaceLock);
    try {
      this.checkOpen('sysFree');
      this.sysFreeLocked(p, n);
    } finally {
      unlock(this.hdr, H.spaceLock);
    }
  }

  private sysFreeLocked(p: unknown, n: unknown): void {
    const npages = this.checkBlock('sysFree', p, n);
    const addr = p as number;
    const page = addr >>> pageShift;
    const st = this.pageState;
    const nz = this.needzero;
    for (let k = 0; k < npages; k++) {
      st[page + k] = 0;
      nz[page + k] = 1;
    }
    if (this.debug) {
      if (this.words !== undefined) this.words.fill(poisonWords, addr / 8, (addr + npages * pageSize) / 8);
      else this.u8.fill(poisonByte, addr, addr + npages * pageSize);
    }
    const bytes = npages * pageSize;
    this.hdr[H.inUse] -= bytes;
    this.statBytes[this.blockTag[page] >>> 2] -= bytes;
    this.blockTag[page] = 0;
    if (page + npages === this.high) this.lowerHigh(page);
    else this.insertFree(page, npages);
  }

  /**
   * An attached runtime's close(): the pages of persistentalloc chunk `p`
   * from byte `keep` on (rounded up to a page) go back to the page map,
   * never touched. Go leaves a dead P's chunk where it is; here threads come
   * and go, and a worker that closes would otherwise keep the rest of its
   * chunk (up to 256 KiB) for good. Returns the block's new length in bytes.
   * Does nothing once the owner closed the space.
   */
  trimChunk(p: number, keep: number): number {
    lock(this.hdr, H.spaceLock);
    try {
      const page = p >>> pageShift;
      const npages = this.pageState[page];
      const kept = Math.max(1, Math.ceil(keep / pageSize));
      if ((Atomics.load(this.hdr, H.gate) & gateClosed) !== 0 || npages <= kept || (this.blockTag[page] & 3) !== blockPersistent) return npages * pageSize;
      const st = this.pageState;
      st[page] = kept;
      for (let k = kept; k < npages; k++) {
        st[page + k] = 0;
        this.needzero[page + k] = 1;
      }
      const bytes = (npages - kept) * pageSize;
      this.hdr[H.inUse] -= bytes;
      this.statBytes[this.blockTag[page] >>> 2] -= bytes;
      if (page + npages === this.high) this.lowerHigh(page + kept);
      else this.insertFree(page + kept, npages - kept);
      return kept * pageSize;
    } finally {
      unlock(this.hdr, H.spaceLock);
    }
  }

  /**
   * Returns the tail [page, high) to the unmapped region, together with a free
   * run ending at `page`, so a request can use the tail and the run as one.
   */
  private lowerHigh(page: number): void {
    const hdr = this.hdr;
    const last = hdr[H.nfree] - 1;
    if (last >= 0 && this.freeStart[last] + this.freeLen[last] === page) {
      page = this.freeStart[last];
      hdr[H.nfree] = last;
    }
    hdr[H.high] = hdr[H.bound] = page;
  }

  /** Adds a free run, coalescing with its neighbours. */
  private insertFree(page: number, npages: number): void {
    const starts = this.freeStart;
    const lens = this.freeLen;
    const hdr = this.hdr;
    const nf = hdr[H.nfree];
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
      hdr[H.nfree] = nf - 1;
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
      hdr[H.nfree] = nf + 1;
    }
  }

  /**
   * Whether [p, p+n) lies inside blocks currently allocated by sysAlloc. In
   * a shared space another thread may free a block meanwhile; the answer is
   * for the moment of the read (typed-array loads never tear).
   */
  isLive(p: number, n: number): boolean {
    if (!(p >= this.firstPage * pageSize && n >= 0 && p + n <= this.mappedEnd)) return false;
    const st = this.pageState;
    const last = n === 0 ? p >>> pageShift : (p + n - 1) >>> pageShift;
    for (let k = p >>> pageShift; k <= last; k++) if (st[k] === 0) return false;
    return true;
  }

  /** Runs `f` holding the space's lock when shared (a consistent view for introspection). */
  private locked<R>(f: () => R): R {
    if (!this.shared) return f();
    lock(this.hdr, H.spaceLock);
    try {
      return f();
    } finally {
      unlock(this.hdr, H.spaceLock);
    }
  }

  /** Live blocks in address order, with their stat category (read-only introspection, e.g. for the memory picture). */
  blocks(): SpaceBlock[] {
    return this.locked(() => {
      const out: SpaceBlock[] = [];
      const st = this.pageState;
      const high = this.high;
      for (let k = this.firstPage; k < high; k++) {
        const n = st[k];
        if (n <= 0) continue;
        out.push({ start: k * pageSize, bytes: n * pageSize, stat: this.statName(this.blockTag[k] >>> 2) });
        k += n - 1;
      }
      return out;
    });
  }

  /** The free runs below the high-water mark, as [start page, pages] pairs (read-only introspection for tests and the model). */
  freeRuns(): [number, number][] {
    return this.locked(() => {
      const out: [number, number][] = [];
      const nf = this.hdr[H.nfree];
      for (let i = 0; i < nf; i++) out.push([this.freeStart[i], this.freeLen[i]]);
      return out;
    });
  }

  /** The accounting now (for a shared space: of every thread's blocks). */
  stats(): MemStats {
    return this.locked(() => {
      const mapped = (this.high - this.firstPage) * pageSize;
      // Defined (Object.fromEntries), not assigned: `byOwner['__proto__'] = n` set no entry (the category vanished
      // and the entries no longer summed to inUse), and with Object.prototype frozen `byOwner.toString = n` threw.
      const owners: [string, number][] = [];
      const n = this.shared ? this.hdr[H.nstats] : this.statNames.length;
      for (let k = 0; k < n; k++) if (this.statBytes[k] > 0) owners.push([this.statName(k), this.statBytes[k]]);
      const byOwner = Object.fromEntries(owners) as Record<string, number>;
      const inUse = this.hdr[H.inUse];
      return { reserved: this.reserved, mapped, inUse, free: mapped - inUse, byOwner };
    });
  }
}
