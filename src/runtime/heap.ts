// The object heap: JS objects that unmanaged memory refers to.
//
// Unmanaged memory cannot hold a JS reference, so the runtime holds the
// object and unmanaged memory holds a `HeapRef`: a u32 naming a slot of this
// table. The collector (mgc.ts) decides which slots are still reachable from
// roots; freeing a slot drops the runtime's reference so V8 can reclaim the
// object. A handle is `generation << 22 | index`; the slot's generation moves
// on each free, so a stale handle (to a freed or collected object) is
// detected instead of silently naming the slot's next object. 8 generation
// bits and 22 index bits keep every handle below 2^30, a V8 small integer:
// handles held in JS variables and arrays are never boxed.
//
// Generations run 1..255 and never 0, so every value below 2^22 (small
// counters, sizes, many addresses) can never be a handle: like Go's
// findObject, the collector treats a value outside the table as "not a heap
// pointer" and a value inside it that names no live object as a bad pointer.
// Freed indices are reused first-in first-out, so a generation wraps only
// after 255 reuses of the whole free queue, not of one hot slot.

import { MisuseError, OffheapRangeError, StaleHandleError, show } from './errors.js';
import type { Runtime } from './runtime.js';
import type { HeapRef } from './types.js';

/** Bits of a handle that hold the slot index. */
export const handleIndexBits = 22;
/** Mask of the index bits. */
export const handleIndexMask = (1 << handleIndexBits) - 1;
/** The most handles a heap holds at once (index 0 is nil). */
export const maxHeapRefs = handleIndexMask;

const initialCapacity = 1024;
/** Added to a slot's tag while it holds an object. */
export const liveBit = 0x100;

/** The handle of slot `i` at generation `g`. */
function handleOf(i: number, g: number): number {
  return ((g << handleIndexBits) | i) >>> 0;
}

/** The object heap of one runtime: slots, generations, mark epochs and pin counts. */
export class ObjectHeap {
  /**
   * Slot `i`'s object at `2i+1` (undefined when free) and a copy of its
   * `tag` at `2i+2`: deref reads both from one cache line instead of two
   * arrays (at 1M live each is a cache miss). Index 0 pads the pairs to 16
   * bytes so none straddles a line. Written only next to `tag`.
   */
  private objects: unknown[] = [undefined, undefined, 0];
  /**
   * Per slot: its current generation (1..255) plus `liveBit` while it holds
   * an object; 0 for never-used slots. A handle `h` is live iff
   * `tag[h & mask] === (h >>> 22) + liveBit`: one load and one compare.
   */
  tag = new Uint16Array(initialCapacity);
  /** The GC cycle in which the slot was last marked (mgc.ts): marked in cycle c iff `epoch[i] === c`. */
  epoch = new Uint32Array(initialCapacity);
  /** JS-held pins of the slot (roots.ts); a pinned slot is a root. */
  pins = new Uint32Array(initialCapacity);
  /** Slots ever used: [1, top). Slot 0 is nil and never used. */
  top = 1;
  /** Slots holding an object now. */
  live = 0;
  /** Freed slot indices, a FIFO ring of `capacity` entries. */
  private freeRing = new Int32Array(initialCapacity);
  private freeHead = 0;
  private freeLen = 0;
  /** The epoch new objects get: the current cycle while marking or sweeping (allocate black), else 0. */
  allocEpoch = 0;

  constructor(private readonly rt: Runtime) {}

  /** Current capacity of the per-slot arrays. */
  get capacity(): number {
    return this.tag.length;
  }

  /** Stores `obj` and returns its new handle. Fields are read once into locals: V8 did not hoist them (1-2 ns a pair). */
  alloc(obj: unknown): number {
    const len = this.freeLen;
    if (len === 0) return this.allocFresh(obj);
    const ring = this.freeRing;
    const head = this.freeHead;
    const i = ring[head];
    this.freeHead = (head + 1) & (ring.length - 1);
    this.freeLen = len - 1;
    const tag = this.tag;
    const g = tag[i];
    const objects = this.objects;
    objects[2 * i + 1] = obj;
    objects[2 * i + 2] = g + liveBit;
    tag[i] = g + liveBit;
    this.epoch[i] = this.allocEpoch;
    this.live++;
    return handleOf(i, g);
  }

  /** alloc with no freed slot to reuse: a never-used slot, generation 1. */
  private allocFresh(obj: unknown): number {
    if (this.top === this.tag.length) this.grow();
    const i = this.top++;
    this.objects[2 * i + 1] = obj;
    this.objects[2 * i + 2] = 1 + liveBit;
    this.tag[i] = 1 + liveBit;
    this.epoch[i] = this.allocEpoch;
    this.live++;
    return handleOf(i, 1);
  }

  private grow(): void {
    const n = this.tag.length;
    if (n > maxHeapRefs) {
      throw new OffheapRangeError('ERR_BAD_SIZE', `newHeapRef: the object heap is full (${maxHeapRefs} live handles)`, { value: n, limit: maxHeapRefs });
    }
    const m = Math.min(n * 2, maxHeapRefs + 1);
    const t = new Uint16Array(m);
    t.set(this.tag);
    this.tag = t;
    const e = new Uint32Array(m);
    e.set(this.epoch);
    this.epoch = e;
    const p = new Uint32Array(m);
    p.set(this.pins);
    this.pins = p;
    // The ring is empty whenever we grow (growth happens only with no free slot).
    this.freeRing = new Int32Array(m);
    this.freeHead = 0;
  }

  /** Whether `h` names a live object. */
  isLive(h: number): boolean {
    const i = h & handleIndexMask;
    return this.tag[i] === (h >>> handleIndexBits) + liveBit && (h >>> 0) === h;
  }

  /** Whether `v` falls inside the table (a plausible heap pointer): generation in [1, 255] and index in [1, top). */
  inTable(v: number): boolean {
    const i = v & handleIndexMask;
    const g = v >>> handleIndexBits;
    return g !== 0 && g <= 255 && i !== 0 && i < this.top;
  }

  /** The object of live handle `h`; throws StaleHandleError otherwise. */
  get(h: number): unknown {
    const k = 2 * (h & handleIndexMask);
    const objects = this.objects;
    if (objects[k + 2] !== (h >>> handleIndexBits) + liveBit || (h >>> 0) !== h) this.stale('deref', h);
    return objects[k + 1];
  }

  /** Frees the slot of live handle `h` and releases its object. */
  free(h: number, what = 'freeHeapRef'): void {
    if (!this.isLive(h)) this.stale(what, h);
    const i = h & handleIndexMask;
    if (this.pins[i] !== 0) {
      throw new MisuseError(`${what}: handle ${describeHandle(h)} is pinned ${this.pins[i]} time(s); unpin it first`, { value: h, limit: this.pins[i] });
    }
    this.release(i);
  }

  /** Releases live slot `i`: the object goes, pins drop, the generation moves on, the index is queued for reuse. */
  release(i: number): void {
    const tag = this.tag;
    this.pins[i] = 0;
    const g = tag[i] - liveBit;
    const t = g === 255 ? 1 : g + 1;
    tag[i] = t;
    const objects = this.objects;
    objects[2 * i + 1] = undefined;
    objects[2 * i + 2] = t;
    this.live--;
    const ring = this.freeRing;
    const len = this.freeLen;
    ring[(this.freeHead + len) & (ring.length - 1)] = i;
    this.freeLen = len + 1;
  }

  /**
   * The sweep of slots [from, to): releases every live slot not marked in
   * `cycle` and returns how many. release() inlined over locals, so a freed
   * slot costs a few stores, not field traffic per slot.
   */
  sweep(from: number, to: number, cycle: number): number {
    const { tag, epoch, pins, objects } = this;
    const ring = this.freeRing;
    const mask = ring.length - 1;
    let tail = this.freeHead + this.freeLen;
    let freed = 0;
    for (let i = from; i < to; i++) {
      const t = tag[i];
      if (t < liveBit || epoch[i] === cycle) continue;
      const next = t === liveBit + 255 ? 1 : t - liveBit + 1;
      tag[i] = next;
      objects[2 * i + 1] = undefined;
      objects[2 * i + 2] = next;
      if (pins[i] !== 0) pins[i] = 0; // only a lost object is pinned here; no store, no dirty line, otherwise
      ring[tail++ & mask] = i;
      freed++;
    }
    this.freeLen += freed;
    this.live -= freed;
    return freed;
  }

  /** Throws the StaleHandleError for `h`, saying why it names no live object. */
  stale(what: string, h: unknown): never {
    let why: string;
    if (typeof h !== 'number' || (h >>> 0) !== h) why = 'not a u32';
    else if (h === 0) why = 'the nil handle';
    else {
      const i = h & handleIndexMask;
      const g = h >>> handleIndexBits;
      if (g === 0 || i === 0 || i >= this.top) why = 'never handed out by this runtime (forged or foreign)';
      else if (this.tag[i] >= liveBit) why = `stale: slot ${i} now holds generation ${this.tag[i] - liveBit}`;
      else why = `freed or collected (slot ${i} is free)`;
    }
    throw new StaleHandleError(`${what}: handle ${describeHandle(h)} names no live object: ${why}`, { value: h });
  }

  /** The runtime this heap belongs to. */
  get runtime(): Runtime {
    return this.rt;
  }
}

/** `h` in messages: value, hex, index and generation. */
export function describeHandle(h: unknown): string {
  if (typeof h !== 'number' || (h >>> 0) !== h) return show(h);
  return `${h} (0x${h.toString(16)}: index ${h & handleIndexMask}, generation ${h >>> handleIndexBits})`;
}
