// Explicit roots: the blocks of unmanaged memory the collector scans.
//
// Go's collector never traces into unmanaged memory; a heap pointer stored
// there stays alive only if a root job in `markroot` scans its slot
// (HACKING.md, rule 1). Here a root is a registered block: `count` objects
// of `layout` at `p`, scanned through the layout's pointer bitmap, so exactly
// its HeapRef slots are read. JS code that holds a handle in a variable is
// the other root kind, Go's goroutine stacks: it pins the handle while it
// holds it. Nothing else is a root.
//
// Registration must follow Go's rule 2: a reused block's HeapRef slots are
// zero-initialized (memclrNoHeapPointers) before `addRoot` makes them
// visible, or the collector reads the previous object's bytes as handles.

import { BadPointerError, MisuseError, checkInt, show } from './errors.js';
import { isLayout, layoutSlots, type Layout } from './layout.js';
import { checkRangeOf } from './memclr.js';
import { pageShift } from './space.js';
import type { RuntimeState } from './runtime.js';

/** One registered root block. */
export class Root {
  /** Set by removeRoot; a removed root is skipped by a collector that still holds it. */
  removed = false;
  /** The cycle in which scanning of this root completed (0: never). */
  scannedCycle = 0;
  /** Next HeapRef slot to scan, as an index into [0, count × slots.length). */
  cursor = 0;
  /** Whether this root recorded its layout in the heap bits (heapbits.ts); removeRoot then drops the record. */
  ownsBits = false;

  constructor(
    /** First byte of the block. */
    readonly p: number,
    /** The layout of each of its objects. */
    readonly layout: Layout<unknown>,
    /** Objects in the block. */
    readonly count: number,
  ) {}

  /** HeapRef slots in the block. */
  get nslots(): number {
    return this.count * this.layout.ptrSlots.length;
  }

  /** Address of slot number `k` (0 ≤ k < nslots). */
  slotAddress(k: number): number {
    const s = layoutSlots(this.layout);
    const per = s.length;
    const e = (k / per) | 0;
    return this.p + e * this.layout.size + s[k - e * per];
  }
}

/** The root registry of one runtime (Go: the root jobs gcMarkRootPrepare lays out). */
export class RootSet {
  /** Registered roots by start address. */
  readonly byAddress = new Map<number, Root>();
  /**
   * Debug mode: the roots by page, each listed on every page its block
   * touches, so a FixAlloc free finds a root over the freed record by the
   * record's pages (at most the roots on those pages), not by walking all
   * of them. Empty without debug mode.
   */
  private readonly byPage = new Map<number, Root[]>();

  constructor(private readonly rt: RuntimeState) {}

  /** Registers `count` objects of `layout` at `p` as a root. */
  add(p: number, layout: Layout<unknown>, count = 1): Root {
    this.rt.space.checkOpen('addRoot');
    if (!isLayout(layout)) throw new MisuseError(`addRoot: layout must be a struct layout; got ${show(layout)}`, { value: layout, limit: 'a struct() layout' });
    checkInt('addRoot: count', count, 1, 2 ** 30);
    checkRangeOf(this.rt.space, 'addRoot', p, layout, count);
    if ((p & (layout.align - 1)) !== 0 || (p & 3) !== 0) {
      const a = Math.max(4, layout.align);
      throw new BadPointerError(`addRoot: p must be aligned to ${a} for ${layout.name}; got ${show(p)}`, { value: p, limit: a });
    }
    if (this.byAddress.has(p)) throw new MisuseError(`addRoot: ${show(p)} is already a root; removeRoot it first`, { value: p, limit: 'an address that is not a root' });
    const root = new Root(p, layout, count);
    root.ownsBits = this.rt.heap.bits.root(p, layout, count);
    this.byAddress.set(p, root);
    if (this.rt.debug) {
      for (let page = p >>> pageShift, last = (p + layout.size * count - 1) >>> pageShift; page <= last; page++) {
        const list = this.byPage.get(page);
        if (list === undefined) this.byPage.set(page, [root]);
        else list.push(root);
      }
    }
    this.rt.collector.rootAdded(root);
    return root;
  }

  /** Unregisters the root at `p`. While marking, its unscanned slots are shaded first. */
  remove(p: number): void {
    this.rt.space.checkOpen('removeRoot');
    const root = this.byAddress.get(p);
    if (root === undefined) throw new MisuseError(`removeRoot: ${show(p)} is not a root`, { value: p, limit: 'a root' });
    this.rt.collector.rootRemoved(root);
    root.removed = true;
    this.byAddress.delete(p);
    if (this.rt.debug) {
      for (let page = p >>> pageShift, last = (p + root.layout.size * root.count - 1) >>> pageShift; page <= last; page++) {
        const list = this.byPage.get(page) as Root[];
        if (list.length === 1) this.byPage.delete(page);
        else list.splice(list.indexOf(root), 1);
      }
    }
    if (root.ownsBits) this.rt.heap.bits.unroot(p, root.layout, root.count);
  }

  /** Debug mode: a registered root whose block overlaps [p, p+n) (`p`, `n` checked by the caller), or undefined; always undefined without debug mode. */
  overlapping(p: number, n: number): Root | undefined {
    for (let page = p >>> pageShift, last = (p + n - 1) >>> pageShift; page <= last; page++) {
      const list = this.byPage.get(page);
      if (list === undefined) continue;
      for (const r of list) if (r.p < p + n && p < r.p + r.layout.size * r.count) return r;
    }
    return undefined;
  }

  /** Pins live handle `h`: it stays alive until unpinned as often. */
  pin(h: number): void {
    this.rt.heap.pin(h);
  }

  /** Drops one pin of `h`. */
  unpin(h: number): void {
    this.rt.heap.unpin(h);
  }
}
