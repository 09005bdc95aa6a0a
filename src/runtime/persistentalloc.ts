// persistentalloc: bump allocation for data that is never freed.
//
// Go (malloc.go) carves long-lived runtime metadata (itabs, profiling buckets,
// fixalloc chunks) from 256 KiB chunks taken with sysAlloc, so small
// allocations cost a pointer bump and no per-object bookkeeping. Requests of
// 64 KiB or more go straight to sysAlloc. There is no free; memory is zero
// because chunks are fresh pages that are never reused: sysFree refuses
// them (ForeignPointerError).
//
// Go gives each P its own persistentAlloc state, so small requests take no
// lock; only a new chunk comes from the shared heap. Here each runtime (one
// per thread of a shared space) keeps its own current chunk in the same way,
// and only a new chunk takes the space's lock (space.ts).

import { checkAlign, checkSize, checkStat } from './check.js';
import { type AddressSpace, blockPersistent, maxSpaceBytes, pageSize } from './space.js';

/** Size of the chunks small requests are carved from (Go's persistentChunkSize). */
export const persistentChunkSize = 256 * 1024;
/** Requests this large or larger go straight to sysAlloc. */
export const persistentLargeSize = 64 * 1024;
/** The stat category chunks and large requests are charged to in the space. */
export const persistentStat = 'persistentalloc';

/** The bump state of one runtime's persistentalloc (Go's persistentAlloc). */
export class PersistentAlloc {
  /** Address of the current chunk, 0 before the first. */
  private base = 0;
  /** Bytes used in the current chunk; base+off is the next free byte. */
  private off = persistentChunkSize;
  /** Start addresses of all chunks and large blocks, ascending by allocation time. */
  readonly chunks: number[] = [];
  /** Byte length of each entry of `chunks`. */
  private readonly chunkLen: number[] = [];
  /** Bytes handed out, by stat category (Go moves them from other_sys to the caller's stat), except curBytes. */
  private readonly byStat = new Map<string, number>();
  /** The stat category of the last request; the fast path charges it without a Map update. */
  private curStat = 'other';
  /** Bytes charged to curStat not yet in byStat. */
  private curBytes = 0;

  constructor(private readonly space: AddressSpace) {}

  /**
   * Runtime.close: the current chunk is given up, so every later request
   * reaches the slow path's closed check. An attached runtime of a shared
   * space gives the pages of it no request reached back to the space, for
   * the threads that stay.
   */
  close(): void {
    const i = this.chunks.lastIndexOf(this.base);
    if (this.space.shared && !this.space.owner && i >= 0 && this.off < persistentChunkSize) this.chunkLen[i] = this.space.trimChunk(this.base, this.off);
    this.off = persistentChunkSize;
  }

  /** `size` zero bytes aligned to `align`; never freed. */
  alloc(size: number, align = 8, stat = 'other'): number {
    // Fast path: a valid small request that fits the current chunk, charged to the last stat.
    // `typeof` first: `|` on a BigInt or Symbol would throw, and on an object would run its valueOf.
    if (
      typeof size === 'number' &&
      (size | 0) === size &&
      size > 0 &&
      size < persistentLargeSize &&
      typeof align === 'number' &&
      (align | 0) === align &&
      align > 0 &&
      align <= pageSize &&
      (align & (align - 1)) === 0 &&
      stat === this.curStat
    ) {
      const off = (this.off + align - 1) & ~(align - 1);
      if (off + size <= persistentChunkSize) {
        this.off = off + size;
        this.curBytes += size;
        return this.base + off;
      }
    }
    return this.allocSlow(size, align, stat);
  }

  /** Validates, takes a new chunk or a large block, switches the stat category. */
  private allocSlow(size: number, align: number, stat: string): number {
    // First, as every refusing member: a closed runtime's requests all land here (close gives the chunk up).
    this.space.checkOpen('persistentalloc');
    checkSize('persistentalloc: size', size, 1, maxSpaceBytes);
    checkAlign('persistentalloc: align', align, pageSize);
    checkStat('persistentalloc', stat);
    let p: number;
    if (size >= persistentLargeSize) {
      p = this.space.allocPages(size, persistentStat, blockPersistent, 'persistentalloc');
      this.chunks.push(p);
      this.chunkLen.push(Math.ceil(size / pageSize) * pageSize);
    } else {
      let off = (this.off + align - 1) & ~(align - 1);
      if (off + size > persistentChunkSize) {
        // The old chunk's tail is abandoned, as in Go.
        const chunk = this.space.allocPages(persistentChunkSize, persistentStat, blockPersistent, 'persistentalloc', size);
        this.chunks.push(chunk);
        this.chunkLen.push(persistentChunkSize);
        this.base = chunk;
        off = 0;
      }
      p = this.base + off;
      this.off = off + size;
    }
    if (stat !== this.curStat) {
      this.flush();
      this.curStat = stat;
    }
    this.curBytes += size;
    return p;
  }

  /** Moves the bytes counted for curStat into byStat. */
  private flush(): void {
    if (this.curBytes !== 0) this.byStat.set(this.curStat, (this.byStat.get(this.curStat) ?? 0) + this.curBytes);
    this.curBytes = 0;
  }

  /** Whether `p` lies in memory persistentalloc took from the space (Go's inPersistentAlloc). */
  contains(p: number): boolean {
    for (let i = 0; i < this.chunks.length; i++) {
      if (p >= this.chunks[i] && p < this.chunks[i] + this.chunkLen[i]) return true;
    }
    return false;
  }

  /** Every chunk and large block, in allocation order: start and length in bytes (read-only introspection). */
  regions(): { readonly start: number; readonly bytes: number }[] {
    return this.chunks.map((start, i) => ({ start, bytes: this.chunkLen[i] }));
  }

  /** Bytes handed out, by stat category. */
  stats(): Readonly<Record<string, number>> {
    this.flush();
    return Object.fromEntries(this.byStat);
  }
}
