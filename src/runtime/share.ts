// The layout of a shared space's own bookkeeping, and the descriptor a
// worker attaches with.
//
// Go keeps one set of central structures (mheap_, the mcentrals, the
// fixalloc pools) that every thread's P reaches through locks. Here the
// threads are isolates that share nothing but a SharedArrayBuffer, so those
// structures live inside it: page 0 holds the header (identity, gate, locks,
// the page allocator's counters, the attach table and the stat categories),
// the pages after it the page map, the page owner table, the free runs, the
// registry of pools with their central free lists, and in debug mode the
// object states. The pages after those are handed out. Every thread keeps
// only caches: its current persistentalloc chunk and each pool's free list.

import { AttachError, show } from './errors.js';
import { handleBlock, handleLimit, handleMin, type HandleSource } from './heap.js';

/** Header word indexes (page 0 as an Int32Array). Words 0..2 are the same in an unshared space's private header. */
export const H = {
  magic: 0,
  /** The owner's thread token and serial. */
  thread: 1,
  serial: 2,
  version: 3,
  /** Bit 0: debug; bit 1: closed. Fast paths read this one word. */
  gate: 4,
  /** The page allocator's lock (sysAlloc, sysFree, stat categories). */
  spaceLock: 5,
  /** The lock of the attach table and the pool registry. */
  registryLock: 6,
  /** The owner's handle tag, and the next tag an attached runtime takes. */
  ownerTag: 7,
  nextTag: 8,
  /** First page of the unmapped tail. */
  high: 9,
  /** Free runs in freeStart/freeLen. */
  nfree: 10,
  /** Bytes of live sysAlloc blocks. */
  inUse: 11,
  /** Pages of the space, and the first page ever handed out (pages below hold this bookkeeping). */
  npages: 12,
  firstPage: 13,
  /** Stat categories in the shared table, pools in the registry. */
  nstats: 14,
  npools: 15,
  /** Byte offsets of the tables (see `metaLayout`). */
  pageState: 16,
  needzero: 17,
  blockTag: 18,
  pagePool: 19,
  pageSpan: 20,
  freeStart: 21,
  freeLen: 22,
  pools: 23,
  dbgHanded: 24,
  dbgLive: 25,
  /** Handle blocks taken by the space's runtimes (SharedHandles), and the block the counter started at. */
  handles: 26,
  handleSeed: 27,
  /**
   * The page the clears and stores may not reach (AddressSpace.mappedEnd):
   * `high` while the space is open, 0 once its owner closed it, so the range
   * checks they make anyway fail and their slow paths name the close (an
   * attached runtime that closes alone reads a private 0 instead, space.ts).
   */
  bound: 28,
  /** Words of a private (unshared) header. */
  privateWords: 32,
  /** Attach table: maxThreads × (token, serial), from this word. */
  attach: 64,
  /** Stat bytes (Float64, maxSharedStats entries) from this byte offset, names (statNameUnits u16 each, length-prefixed) after them. */
  statBytes: 1024,
  statNames: 1536,
} as const;

export const gateDebug = 1;
export const gateClosed = 2;

/** The magic word of a shared space: 'OFFH'. */
export const spaceMagic = 0x4f464648;
/** The layout version the header describes. */
export const spaceVersion = 3;

/** The most runtimes attached to one space at once, the owner included. */
export const maxThreads = 32;
/** The most stat categories a shared space tracks, and the longest name (UTF-16 units). */
export const maxSharedStats = 64;
export const statNameUnits = 47;
/** The most pools in one shared space (named and private). */
export const maxSharedPools = 256;
/** The longest pool name (UTF-16 units). */
export const maxPoolName = 32;
/**
 * Ids of pools over a shared space start here (per-thread pools count from
 * 1; neither reaches the other). Below 2^30, so an id stays a V8 small
 * integer: at 2^30 it was a heap number, and free's fast-path compare
 * against the page owner table cost the shared pair ~40% (measured).
 */
export const sharedPoolIdBase = 0x20000000;

/** Words of one pool's registry entry (see P). */
export const poolWords = 32;
/** Word indexes within a pool's registry entry. */
export const P = {
  /** The central list's lock (mcentral). */
  lock: 0,
  used: 1,
  size: 2,
  align: 3,
  /** HeapRef slots of the layout; -1 for a raw-size pool. */
  ptrs: 4,
  /** Central free list: head and length. */
  head: 5,
  count: 6,
  /** Spans taken, objects carved from them (by every thread). */
  spans: 7,
  carved: 8,
  /** Runtimes that opened the pool. */
  openers: 9,
  /** For a layout with HeapRef slots: the one runtime (token, serial) allowed to use it. */
  ptrToken: 10,
  ptrSerial: 11,
  nameLen: 12,
  spanBytes: 13,
  /**
   * The unused span tails of closed runtimes: a chain of objects never
   * handed out (head, and its length), taken by the threads that stay
   * before they carve a span of their own.
   */
  abandoned: 14,
  freshHead: 15,
  /** The name, u16 units, from this word. */
  name: 16,
} as const;

/** Byte offsets of a shared space's tables, from its page count. */
export interface MetaLayout {
  readonly pageState: number;
  readonly needzero: number;
  readonly blockTag: number;
  readonly pagePool: number;
  readonly pageSpan: number;
  readonly freeStart: number;
  readonly freeLen: number;
  readonly pools: number;
  readonly dbgHanded: number;
  readonly dbgLive: number;
  /** First page after the tables. */
  readonly firstPage: number;
}

const pageSize = 8192;

/** Where each table of a shared space of `npages` pages lives (debug adds two bitmaps of one bit per 4 bytes). */
export function metaLayout(npages: number, debug: boolean): MetaLayout {
  let off = pageSize;
  const take = (bytes: number): number => {
    const at = off;
    off += Math.ceil(bytes / 8) * 8;
    return at;
  };
  const runs = (npages >>> 1) + 1;
  const pageState = take(npages * 4);
  const blockTag = take(npages * 4);
  const pagePool = take(npages * 4);
  const freeStart = take(runs * 4);
  const freeLen = take(runs * 4);
  const pools = take(maxSharedPools * poolWords * 4);
  const needzero = take(npages);
  const pageSpan = take(npages);
  const bitmapBytes = Math.ceil(npages * pageSize / 32 / 4) * 4;
  const dbgHanded = debug ? take(bitmapBytes) : 0;
  const dbgLive = debug ? take(bitmapBytes) : 0;
  return { pageState, needzero, blockTag, pagePool, pageSpan, freeStart, freeLen, pools, dbgHanded, dbgLive, firstPage: Math.ceil(off / pageSize) };
}

/** What `Runtime.share()` returns and `attachRuntime` takes: a plain, structured-clonable object. */
export interface SharedRuntime {
  readonly offheap: 'shared-runtime';
  readonly version: 1;
  /**
   * The space; its header names the owner and holds every allocator's shared state.
   * @offheap SharedRuntime.buffer
   */
  readonly buffer: SharedArrayBuffer;
}

/**
 * Whether `buffer` is a shared space some runtime created: its page-0 header
 * has the magic and version, and describes this buffer. The layout words
 * (pages, first page, the tables' offsets) are the ones metaLayout gives the
 * buffer's size and the header's debug bit, and the counters lie in their
 * ranges. A buffer that only carries the first words (a forged or partly
 * copied header) attached before, over tables it does not hold, or threw the
 * engine's RangeError from a view at the offset it named.
 */
export function isSharedSpace(buffer: SharedArrayBuffer): boolean {
  const bytes = buffer.byteLength;
  if (bytes < 2 * pageSize || bytes % pageSize !== 0) return false;
  const hdr = new Int32Array(buffer, 0, H.privateWords);
  if (Atomics.load(hdr, H.magic) !== spaceMagic || hdr[H.version] !== spaceVersion) return false;
  const npages = bytes / pageSize;
  const gate = Atomics.load(hdr, H.gate);
  const m = metaLayout(npages, (gate & gateDebug) !== 0);
  const high = Atomics.load(hdr, H.high);
  const bound = Atomics.load(hdr, H.bound);
  return (
    (gate & ~(gateDebug | gateClosed)) === 0 &&
    hdr[H.npages] === npages &&
    hdr[H.firstPage] === m.firstPage &&
    m.firstPage < npages &&
    hdr[H.pageState] === m.pageState &&
    hdr[H.needzero] === m.needzero &&
    hdr[H.blockTag] === m.blockTag &&
    hdr[H.pagePool] === m.pagePool &&
    hdr[H.pageSpan] === m.pageSpan &&
    hdr[H.freeStart] === m.freeStart &&
    hdr[H.freeLen] === m.freeLen &&
    hdr[H.pools] === m.pools &&
    hdr[H.dbgHanded] === m.dbgHanded &&
    hdr[H.dbgLive] === m.dbgLive &&
    high >= m.firstPage &&
    high <= npages &&
    // high and bound are written one after the other under the page lock: read without it, they may differ for a moment.
    (bound === 0 || (bound >= m.firstPage && bound <= npages)) &&
    inRange(Atomics.load(hdr, H.nfree), 0, (npages >>> 1) + 1) &&
    inRange(Atomics.load(hdr, H.nstats), 0, maxSharedStats) &&
    inRange(Atomics.load(hdr, H.npools), 0, maxSharedPools)
  );
}

function inRange(v: number, min: number, max: number): boolean {
  return v >= min && v <= max;
}

/** Checks a descriptor and returns its buffer; AttachError ERR_NOT_SHARED otherwise. No caller code runs (no getters: own data properties only). */
export function checkDescriptor(what: string, desc: unknown): SharedArrayBuffer {
  const fail = (why: string): never => {
    throw new AttachError('ERR_NOT_SHARED', `${what}: expected the descriptor rt.share() returns for a runtime created with shared: true; got ${show(desc)} (${why})`, {
      value: desc,
      limit: 'SharedRuntime',
    });
  };
  if (typeof desc !== 'object' || desc === null) return fail('not an object');
  let isArray: boolean;
  try {
    isArray = Array.isArray(desc);
  } catch {
    return fail('a revoked Proxy'); // Array.isArray throws on one
  }
  if (isArray) return fail('not an object');
  const own = (k: string): unknown => {
    let d: PropertyDescriptor | undefined;
    try {
      d = Reflect.getOwnPropertyDescriptor(desc, k);
    } catch {
      return fail('its properties could not be read: a Proxy trap threw');
    }
    return d !== undefined && 'value' in d ? d.value : undefined;
  };
  if (own('offheap') !== 'shared-runtime' || own('version') !== 1) return fail('not a SharedRuntime descriptor');
  const buffer = own('buffer');
  // By the buffer's internal slots, not `instanceof`: that runs a Proxy's getPrototypeOf trap (a revoked Proxy's
  // TypeError), and an object inheriting from SharedArrayBuffer.prototype (or a Proxy of a real one) passed it and
  // then threw the engine's TypeError from its byteLength.
  if (byteLengthOf(sharedByteLength, buffer) === undefined) return fail(byteLengthOf(unsharedByteLength, buffer) !== undefined ? 'its buffer is not shared' : 'no SharedArrayBuffer');
  if (!isSharedSpace(buffer as SharedArrayBuffer)) return fail('its buffer holds no shared space');
  return buffer as SharedArrayBuffer;
}

/** The byteLength getters, taken once: called on anything but a buffer of their kind they throw, and no trap or getter of the value runs. */
const sharedByteLength = (Reflect.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'byteLength') as { get: (this: unknown) => number }).get;
const unsharedByteLength = (Reflect.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength') as { get: (this: unknown) => number }).get;

/** `getter` applied to `value`: its byteLength if `value` is a buffer of the getter's kind, else undefined. */
function byteLengthOf(getter: (this: unknown) => number, value: unknown): number | undefined {
  try {
    return Reflect.apply(getter, value, []);
  } catch {
    return undefined;
  }
}

/** Writes `name`'s u16 units at `byteOffset`. */
export function writeName(buffer: SharedArrayBuffer, byteOffset: number, name: string): void {
  const u16 = new Uint16Array(buffer, byteOffset, name.length);
  for (let i = 0; i < name.length; i++) u16[i] = name.charCodeAt(i);
}

/** Whether the u16 units at `byteOffset` spell `name` (its length already compared). */
export function nameEquals(buffer: SharedArrayBuffer, byteOffset: number, name: string): boolean {
  const u16 = new Uint16Array(buffer, byteOffset, name.length);
  for (let i = 0; i < name.length; i++) if (u16[i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * The handle source of every runtime over one shared space: a counter in
 * the space's header, taken with one atomic add per block, so no two
 * threads' runtimes ever hold the same handle value within a lap, and a
 * handle used in the wrong thread names no live slot there (the heap then
 * reports it foreign or stale). The owner starts the counter at a random
 * block, which keeps the space's values apart from each thread's own
 * process-wide source (unshared runtimes) except by chance: two blocks meet
 * with probability blocks used / blocks per lap (196,608 of 4,096 values).
 */
export class SharedHandles implements HandleSource {
  readonly size = handleBlock;
  readonly span = (handleLimit - handleMin) / handleBlock;

  constructor(private readonly hdr: Int32Array) {}

  /** Called once by the owner, before any runtime takes a block. */
  static seed(hdr: Int32Array): void {
    const span = (handleLimit - handleMin) / handleBlock;
    hdr[H.handles] = hdr[H.handleSeed] = Math.floor(Math.random() * span);
  }

  /** Whether some runtime of the space took the block of handle value `h` (this lap): a value this runtime did not issue is then another thread's. */
  issued(h: number): boolean {
    if (!(h >= handleMin && h < handleLimit)) return false;
    const k = Math.floor((h - handleMin) / this.size);
    const taken = (Atomics.load(this.hdr, H.handles) >>> 0) - this.hdr[H.handleSeed];
    return taken >= this.span || (k - this.hdr[H.handleSeed] + this.span) % this.span < taken;
  }

  get serial(): number {
    return Atomics.load(this.hdr, H.handles) >>> 0;
  }

  take(): number {
    const k = (Atomics.add(this.hdr, H.handles, 1) >>> 0) % this.span;
    return handleMin + k * this.size;
  }
}
