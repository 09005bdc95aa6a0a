// Checkmark verification (Go: GODEBUG=gccheckmark=1, mcheckmark.go).
//
// The incremental mark is only as good as the barriers and clears the
// mutator used between steps. With checkmark on, mark termination re-marks
// from the roots with the world stopped (nothing runs in between here) and
// reports every handle reachable now that the incremental mark left white:
// a lost object, which the sweep would otherwise free while still in use.
// Lost objects are marked before the report, so the cycle frees none of
// them; the report is the bug.

import { OffheapError } from './errors.js';
import { describeHandle } from './heap.js';
import { layoutSlots } from './layout.js';
import type { RuntimeState } from './runtime.js';

/** A reachable handle the incremental mark missed. */
export interface LostObject {
  /** The handle. */
  readonly handle: number;
  /** Where the checkmark found it: the HeapRef slot's address, or 0 for a pin. */
  readonly slot: number;
  /** The root holding the slot (its start address), or 0 for a pin. */
  readonly root: number;
}

/** Mark termination found reachable objects the incremental mark missed (Go: "checkmark found unmarked object"). */
export class LostObjectError extends OffheapError {
  /** Every lost object, in scan order. */
  readonly lost: readonly LostObject[];

  constructor(lost: readonly LostObject[], cycle: number) {
    const first = lost.slice(0, 4).map((l) => `${describeHandle(l.handle)} ${l.slot === 0 ? 'held by a pin' : `in slot ${l.slot} of root ${l.root}`}`);
    super(
      'ERR_LOST_OBJECT',
      `checkmark: GC cycle ${cycle} missed ${lost.length} reachable object(s): ${first.join('; ')}${lost.length > 4 ? '; …' : ''}` +
        ' (a HeapRef moved or cleared without a write barrier while marking: memclrNoHeapPointers or storeHeapRefNoWB on type-safe memory?)',
      { value: lost.map((l) => l.handle), limit: cycle },
    );
    this.lost = lost;
  }
}

/**
 * Re-marks from the roots of `rt` with the world stopped and returns every
 * reachable handle not marked in `cycle`; each is marked so the sweep keeps it.
 */
export function checkmarkRoots(rt: RuntimeState, cycle: number): LostObject[] {
  const heap = rt.heap;
  const { meta, mask } = heap;
  const u32 = rt.space.u32;
  const lost: LostObject[] = [];
  for (const root of rt.roots.byAddress.values()) {
    const { p, count, layout } = root;
    const slots = layoutSlots(layout);
    for (let e = 0; e < count; e++) {
      const base = p + e * layout.size;
      for (let k = 0; k < slots.length; k++) {
        const a = base + slots[k];
        const v = u32[a >>> 2];
        const m = (v & mask) * 2;
        if (v !== 0 && meta[m] === v && meta[m + 1] >> 1 !== cycle) {
          meta[m + 1] = (cycle << 1) | (meta[m + 1] & 1);
          lost.push({ handle: v, slot: a, root: p });
        }
      }
    }
  }
  // meta per slot: [handle, epoch << 1 | pinned] (heap.ts); the pinned bit is set only on live slots.
  for (let m = 2; m < heap.top * 2; m += 2) {
    const w = meta[m + 1];
    if ((w & 1) !== 0 && w >> 1 !== cycle) {
      meta[m + 1] = (cycle << 1) | 1;
      lost.push({ handle: meta[m], slot: 0, root: 0 });
    }
  }
  return lost;
}
