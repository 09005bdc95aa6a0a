// The pair loops the allocator topics time, one copy each. Self-contained, so
// `fresh()` can compile a private copy per variant from the source text.

/** A pool as the pair loop uses it (FixAlloc, a shared pool, a worker's pool). */
export interface PairPool {
  alloc(): number;
  free(p: number): void;
}

/** Free the object in a slot of the live set and allocate its replacement: the F1 pair. */
export function pairLoop(pool: PairPool, slots: Int32Array, order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      pool.free(slots[j]);
      slots[j] = pool.alloc();
    }
  };
}

/**
 * The naive inlined slab: a free list through the freed block's first word,
 * no checks. The fixalloc topic's anchor (F1) and the threads topic's measure
 * of the machine's own scaling (T1).
 */
export function slabLoop(i32: Int32Array, slots: Int32Array, order: Int32Array, size: number, base: number) {
  let top = base + slots.length * size;
  let head = 0;
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      const p = slots[j];
      i32[p >> 2] = head;
      head = p;
      let q = head;
      if (q !== 0) head = i32[q >> 2];
      else {
        q = top;
        top += size;
      }
      slots[j] = q;
    }
  };
}
