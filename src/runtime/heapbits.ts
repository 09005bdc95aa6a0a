// Heap bits: which words of the address space are HeapRef slots.
//
// Go's collector and its bulk barriers never guess which words of an object
// are pointers: the span's heap bits say so (one bit per pointer-sized word,
// kept from the type when the object is allocated). Here two bitmaps over
// the whole space, one bit per 4-byte word, play that part:
//   known  the word lies in memory whose layout was recorded;
//   ptr    the word is a HeapRef slot of that layout (meaningful where known).
// They are interleaved in one Int32Array (known then ptr for each 32 words):
// a clear reads both from one array, so it pays one array's checks (map,
// length, data pointer, which TurboFan repeats per array) instead of two.
// Layouts are recorded by the memory that knows them: a FixAlloc pool of a
// layout records each chunk it takes (every object of the chunk has that
// layout, for the chunk's whole life, as chunks are never freed), and
// `addRoot(p, layout, count)` records its block while it is registered,
// unless some of its words already have a recorded layout (a root inside a
// pool's chunk, or overlapping another root: the first record stands).
// `memclrHasPointers` shades exactly the HeapRef slots of known words, so a
// scalar is never mistaken for a handle; over words with no recorded layout
// (sysAlloc pages or persistentalloc memory that is not rooted, a raw-size
// pool) it falls back to a conservative scan: every non-zero word that is a
// live handle is shaded, and nothing there is reported as a bad pointer,
// since the word may be a scalar.
//
// The bitmaps cover the space up to the highest word recorded (at most
// space / 16 bytes) and grow by doubling, so a runtime that never records a
// layout pays nothing; a word beyond them is unknown.
//
// Spans: as Go's bulk barrier asks the destination's span for its element
// type, a clear of whole objects of one pool's span takes the layout's slot
// runs (typedmemclr's loop, no bitmap word read) instead of the bitmaps.
// Each span keeps its start, the end of its last whole object, its object
// size and its layout's slot runs; a page table names the span recorded last
// on each page. `objects` answers only for a range that is exactly whole
// objects of that span, so any other range, or a page of other memory, goes
// to the bitmaps. A span's record is never dropped (chunks are never freed),
// and the bits of its objects are exactly those runs (record below), so both
// routes shade the same words.

import { layoutSlotRuns, layoutSlots, type Layout } from './layout.js';
import type { AddressSpace } from './space.js';

const empty = new Int32Array(0);
/**
 * log2(pageSize), the span page table's index being `p >>> spanPageShift`: a literal, as importing space.ts here
 * would close an import cycle (space, share, heap, heapbits); heapbits.test checks it against pageSize.
 */
export const spanPageShift = 13;
const pageShift = spanPageShift;

/** What the heap bits say about one word. */
export type WordKind = 'pointer' | 'scalar' | 'unknown';

/** The pointer bitmap of one runtime's space. */
export class HeapBits {
  /**
   * Bit `w & 31` of entry `(w >>> 5) << 1` (known): word `w` has a recorded layout; the same bit of the next entry
   * (ptr): word `w` is a HeapRef slot (only set where known). Covers the words below `16 × length`.
   */
  words: Int32Array = empty;
  /** Start, end of the last whole object and object size of each span, three words per span. */
  private spanWords: Int32Array = empty;
  /** The HeapRef slot runs (layoutSlotRuns) of each span's layout, by span index. */
  readonly spanRuns: Int32Array[] = [];
  /** 1 + the index of the span recorded last on each page (0: none); covers the pages below its length. */
  private pageSpans: Int32Array = empty;

  constructor(private readonly space: AddressSpace) {}

  /** Grows the bitmaps (doubling, up to the whole space) to cover the words below `to`. */
  private ensure(to: number): void {
    const need = ((to + 31) >>> 5) << 1;
    if (need <= this.words.length) return;
    const n = Math.min(Math.max(need, this.words.length * 2, 512), Math.ceil(this.space.reserved / 64));
    const words = new Int32Array(n);
    words.set(this.words);
    this.words = words;
  }

  /**
   * Records [start, start + bytes) as objects of `layout`, `size` bytes apart
   * (a FixAlloc chunk). A pool without a layout records nothing: its memory
   * stays unknown.
   */
  span(start: number, bytes: number, size: number, layout: Layout<unknown> | undefined): void {
    if (layout === undefined) return;
    this.ensure((start + bytes + 3) >>> 2);
    const count = Math.floor(bytes / size);
    this.record(start, bytes, size, count, layout);
    if (count > 0) this.addSpan(start, start + count * size, size, layout);
  }

  private addSpan(start: number, end: number, size: number, layout: Layout<unknown>): void {
    const i = this.spanRuns.length;
    if (3 * i + 3 > this.spanWords.length) {
      const grown = new Int32Array(Math.max(48, this.spanWords.length * 2));
      grown.set(this.spanWords);
      this.spanWords = grown;
    }
    this.spanWords[3 * i] = start;
    this.spanWords[3 * i + 1] = end;
    this.spanWords[3 * i + 2] = size;
    this.spanRuns.push(layoutSlotRuns(layout));
    const last = (end - 1) >>> pageShift;
    if (last >= this.pageSpans.length) {
      const pages = Math.min(Math.max(last + 1, this.pageSpans.length * 2, 64), Math.ceil(this.space.reserved / (1 << pageShift)));
      const grown = new Int32Array(pages);
      grown.set(this.pageSpans);
      this.pageSpans = grown;
    }
    this.pageSpans.fill(i + 1, start >>> pageShift, last + 1);
  }

  /**
   * The index of the span of which [p, p+n) is exactly whole objects, or -1
   * (n = 0, a range through an object or past the span's last whole object,
   * memory of no span). `p` and `n` are checked integers of the space.
   */
  objects(p: number, n: number): number {
    const pages = this.pageSpans;
    const page = p >>> pageShift;
    if (page >= pages.length) return -1;
    const i = pages[page] - 1;
    if (i < 0) return -1;
    const w = this.spanWords;
    const off = p - w[3 * i];
    const size = w[3 * i + 2];
    if (off < 0 || n <= 0 || p + n > w[3 * i + 1] || off % size !== 0 || n % size !== 0) return -1;
    return i;
  }

  /** The object size of span `i`. */
  spanSize(i: number): number {
    return this.spanWords[3 * i + 2];
  }

  /**
   * Records `count` objects of `layout` at `p` (a root block) if none of
   * their words is known yet; returns whether it did (the root then owns the
   * record and `unroot` drops it).
   */
  root(p: number, layout: Layout<unknown>, count: number): boolean {
    const bytes = layout.size * count;
    this.ensure((p + bytes + 3) >>> 2);
    if (this.anyKnown(p >>> 2, (p + bytes + 3) >>> 2)) return false;
    this.record(p, bytes, layout.size, count, layout);
    return true;
  }

  /** Drops the record of a root block made by `root`. */
  unroot(p: number, layout: Layout<unknown>, count: number): void {
    const from = p >>> 2;
    const to = (p + layout.size * count + 3) >>> 2;
    this.setRange(known, from, to, false);
    this.setRange(ptr, from, to, false);
  }

  /** What the bits say about the 4-byte word at byte address `a` (rounded down to a word). */
  wordAt(a: number): WordKind {
    const w = a >>> 2;
    const i = (w >>> 5) << 1;
    if (i >= this.words.length || (this.words[i] & (1 << (w & 31))) === 0) return 'unknown';
    return (this.words[i | 1] & (1 << (w & 31))) !== 0 ? 'pointer' : 'scalar';
  }

  /**
   * Calls `fn(w)` for each word in [from, to) that a barriered clear must
   * shade: the HeapRef slots of known words and every word of unknown ones
   * (`precise` false). The slow, general form of the collector's inlined loop,
   * for a write-barrier hook without a bulk form.
   */
  visit(from: number, to: number, fn: (w: number, precise: boolean) => void): void {
    for (let w = from; w < to; w++) {
      const kind = this.wordAt(w * 4);
      if (kind === 'pointer') fn(w, true);
      else if (kind === 'unknown') fn(w, false);
    }
  }

  private record(start: number, bytes: number, size: number, count: number, layout: Layout<unknown>): void {
    this.setRange(known, start >>> 2, (start + bytes + 3) >>> 2, true);
    const slots = layoutSlots(layout);
    if (slots.length === 0) return;
    const words = this.words;
    for (let e = 0; e < count; e++) {
      const base = start + e * size;
      for (let k = 0; k < slots.length; k++) {
        const w = (base + slots[k]) >>> 2;
        words[((w >>> 5) << 1) | ptr] |= 1 << (w & 31);
      }
    }
  }

  private anyKnown(from: number, to: number): boolean {
    const words = this.words;
    for (let w = from; w < to; ) {
      const b = w >>> 5;
      const end = Math.min(to, (b + 1) << 5);
      if ((words[b << 1] & rangeMask(w & 31, end - (b << 5))) !== 0) return true;
      w = end;
    }
    return false;
  }

  /** Sets or clears the bits of the words [from, to) in one of the two bitmaps (`which`: known or ptr). */
  private setRange(which: 0 | 1, from: number, to: number, on: boolean): void {
    const words = this.words;
    to = Math.min(to, words.length << 4);
    for (let w = from; w < to; ) {
      const b = w >>> 5;
      const end = Math.min(to, (b + 1) << 5);
      const m = rangeMask(w & 31, end - (b << 5));
      const i = (b << 1) | which;
      words[i] = on ? words[i] | m : words[i] & ~m;
      w = end;
    }
  }
}

/** The two bitmaps' places in each pair of `HeapBits.words` entries. */
const known = 0;
const ptr = 1;

/** Bits [lo, hi) of a 32-bit word (0 ≤ lo < hi ≤ 32). */
export function rangeMask(lo: number, hi: number): number {
  const upper = hi === 32 ? -1 : (1 << hi) - 1;
  return upper & (-1 << lo);
}
