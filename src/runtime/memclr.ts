// memclrNoHeapPointers: the plain clear.
//
// Go clears memory that holds no heap pointers, or that the collector cannot
// see yet (junk from a free list being zero-initialized), without a write
// barrier. Small aligned clears use word stores, which beat a `fill` call up
// to 256 B (fill's call costs ~24 ns; 128 B took 12 ns in word stores, 256 B
// 18.5 ns, 384 B the same as fill); larger ones delegate to `fill`, which is
// the bandwidth limit (goals M1/M2 in docs/benchmarks.md).
//
// A shared space is different: on a SharedArrayBuffer V8's typed-array
// `fill` stores one element at a time (a Uint8Array.fill of 4 KiB took
// 1.15 µs against 0.07 µs on an ArrayBuffer, 64 KiB 17.9 µs against 0.76 µs),
// so a shared clear stores 8-byte words: from JS up to 512 B (12–31 ns for
// 128–512 B), above that with BigInt64Array.fill(0n), whose elements are
// words (4 KiB 0.17 µs, 64 KiB 2.3 µs); an unaligned head and tail are bytes.

import { BadPointerError, OutOfBoundsError, checkInt, show } from './errors.js';
import type { Layout } from './layout.js';
import type { AddressSpace } from './space.js';
import { pageSize } from './space.js';

/** The lowest address a clear may touch (pageSize), in an immutable module binding that TurboFan folds. */
const firstAddress = pageSize;

/**
 * Clears [p, p+n) without checks. Callers have validated the range. Kept
 * small: a caller's loop that only clears small objects inlines the word
 * stores alone, and V8's inlining budget for that loop is not spent on the
 * large and shared paths (clearLarge).
 */
export function clearBytes(space: AddressSpace, p: number, n: number): void {
  if (n <= 256 && ((p | n) & 7) === 0) clearWords(space.f64, p >>> 3, (p + n) >>> 3);
  else clearLarge(space, p, n);
}

function clearLarge(space: AddressSpace, p: number, n: number): void {
  if (space.shared === false) space.u8.fill(0, p, p + n);
  else clearShared(space, p, n);
}

/** Zeroes the 8-byte words [from, to) of `f64`, four stores per step: half the loop branches of one per step. */
function clearWords(f: Float64Array, from: number, to: number): void {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    f[i + 3] = 0;
    f[i + 2] = 0;
    f[i + 1] = 0;
    f[i] = 0;
  }
  while (i < to) f[i++] = 0;
}

/** Words above which a shared clear calls BigInt64Array.fill instead of storing from JS (the two cost the same near 1 KiB). */
const sharedLoopWords = 64;

/** The clear of a shared space (see the top of the file). Addresses are below 2³², so `& 7` is exact. */
function clearShared(space: AddressSpace, p: number, n: number): void {
  const u8 = space.u8;
  const end = p + n;
  const a = p + ((8 - (p & 7)) & 7); // first 8-byte boundary at or above p
  const b = end - (end & 7); // last 8-byte boundary at or below end
  if (a >= b) {
    for (let i = p; i < end; i++) u8[i] = 0;
    return;
  }
  for (let i = p; i < a; i++) u8[i] = 0;
  const from = a / 8;
  const to = b / 8;
  if (to - from <= sharedLoopWords) clearWords(space.f64, from, to);
  else wordsOf(space.buffer).fill(0n, from, to);
  for (let i = b; i < end; i++) u8[i] = 0;
}

/** This module's 8-byte integer view of each shared buffer it cleared (a WeakMap: a closed space's buffer is not kept alive). */
const wordViews = new WeakMap<ArrayBuffer | SharedArrayBuffer, BigInt64Array>();

function wordsOf(buffer: ArrayBuffer | SharedArrayBuffer): BigInt64Array {
  let w = wordViews.get(buffer);
  if (w === undefined) wordViews.set(buffer, (w = new BigInt64Array(buffer)));
  return w;
}

/**
 * Validates a range a clear may touch: inside mapped memory, and in debug
 * mode inside blocks that are allocated now.
 */
export function checkRange(space: AddressSpace, what: string, p: number, n: number): void {
  // Fast path: integers (`| 0` rejects NaN, fractions and values ≥ 2³¹) inside mapped memory, no debug.
  // typeof first: `|` on a BigInt or Symbol throws a TypeError, and on an object runs its valueOf.
  // `space.debug === false`: a compare with a constant (`!space.debug` compiles to a full ToBoolean); firstAddress: a folded constant, not an import's cell.
  if (typeof p === 'number' && typeof n === 'number' && (p | 0) === p && (n | 0) === n && p >= firstAddress && n >= 0 && p + n <= space.mappedEnd && space.debug === false) return;
  checkRangeSlow(space, what, p, n);
}

/**
 * checkRange of `count` objects of `layout` at `p`, for a slow path whose length is not an argument of the caller's
 * own (typedmemclr, addRoot): the error names it as the objects' size from p, where checkRange says `n`. The name
 * is built only when the objects run past mapped memory.
 */
export function checkRangeOf(space: AddressSpace, what: string, p: number, layout: Layout<unknown>, count = 1): void {
  const n = layout.size * count;
  const past = typeof p === 'number' && p + n > space.mappedEnd;
  const nName = !past ? 'n' : count === 1 ? `${layout.name}'s size from p` : `${count} × ${layout.name}'s size from p`;
  checkRangeSlow(space, what, p, n, nName);
}

function checkRangeSlow(space: AddressSpace, what: string, p: number, n: number, nName = 'n'): void {
  // A closed space's bound is 0 (AddressSpace.mappedEnd), so every range check of a closed runtime lands here.
  if (space.closed) space.closedError(what);
  if (typeof p !== 'number' || !Number.isInteger(p) || p < pageSize || p >= space.mappedEnd) {
    throw new BadPointerError(`${what}: p must be an address in mapped memory [${pageSize}, ${space.mappedEnd}); got ${show(p)}`, {
      value: p,
      limit: space.mappedEnd,
    });
  }
  checkInt(`${what}: ${nName}`, n, 0, space.mappedEnd - p);
  if (space.debug && !space.isLive(p, n)) {
    throw new OutOfBoundsError(`${what}: [${show(p)}, ${show(p + n)}) is not inside allocated memory`, { value: p, limit: n });
  }
}
