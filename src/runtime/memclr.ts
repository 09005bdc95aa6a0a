// memclrNoHeapPointers: the plain clear.
//
// Go clears memory that holds no heap pointers, or that the collector cannot
// see yet (junk from a free list being zero-initialized), without a write
// barrier. Small aligned clears use word stores, which beat a `fill` call up
// to 64 B; larger ones delegate to `fill`, which is the bandwidth limit
// (goals M1/M2 in docs/benchmarks.md).

import { BadPointerError, OutOfBoundsError, checkInt, show } from './errors.js';
import type { AddressSpace } from './space.js';
import { pageSize } from './space.js';

/** Clears [p, p+n) without checks. Callers have validated the range. */
export function clearBytes(space: AddressSpace, p: number, n: number): void {
  if (n <= 64 && ((p | n) & 7) === 0) {
    // Four word stores per step: half the loop branches of one per step.
    const f = space.f64;
    let i = p >>> 3;
    const end = i + (n >>> 3);
    for (; i + 4 <= end; i += 4) {
      f[i + 3] = 0;
      f[i + 2] = 0;
      f[i + 1] = 0;
      f[i] = 0;
    }
    while (i < end) f[i++] = 0;
  } else {
    space.u8.fill(0, p, p + n);
  }
}

/**
 * Validates a range a clear may touch: inside mapped memory, and in debug
 * mode inside blocks that are allocated now.
 */
export function checkRange(space: AddressSpace, what: string, p: number, n: number): void {
  // Fast path: integers (`| 0` rejects NaN, fractions and values ≥ 2³¹) inside mapped memory, no debug.
  // typeof first: `|` on a BigInt or Symbol throws a TypeError, and on an object runs its valueOf.
  if (typeof p === 'number' && typeof n === 'number' && (p | 0) === p && (n | 0) === n && p >= pageSize && n >= 0 && p + n <= space.mappedEnd && !space.debug) return;
  checkRangeSlow(space, what, p, n);
}

function checkRangeSlow(space: AddressSpace, what: string, p: number, n: number): void {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < pageSize || p >= space.mappedEnd) {
    throw new BadPointerError(`${what}: p must be an address in mapped memory [${pageSize}, ${space.mappedEnd}); got ${show(p)}`, {
      value: p,
      limit: space.mappedEnd,
    });
  }
  checkInt(`${what}: n`, n, 0, space.mappedEnd - p);
  if (space.debug && !space.isLive(p, n)) {
    throw new OutOfBoundsError(`${what}: [${show(p)}, ${show(p + n)}) is not inside allocated memory`, { value: p, limit: n });
  }
}
