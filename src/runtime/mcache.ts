// mcache: a thread's cache of a shared pool.
//
// Go gives each P an mcache: per size class, a span it allocates from with
// no lock, refilled from the mcentral when it runs out. Here each runtime's
// FixAlloc object is its thread's cache of the pool: its free list (`list`,
// `nlist`) and the rest of the span it is carving (`chunk`, `nchunk`) are
// fields of that object, touched by no other thread, so the common
// alloc/free pair reads and writes no shared cache line. An empty cache
// refills from the central list (mcentral.ts) with one batch, else carves a
// new span of its own; a cache that grows past `cacheMax` objects returns a
// batch, so memory one thread frees is reused by the others. Objects move
// between threads only through the central list, and only within the pool.
//
// Memory reuse stays within the pool, as in Go's fixalloc: a span's pages
// belong to the pool (the space's page owner table) for good.

/** The most free objects a thread's cache keeps before it returns a batch. */
export const cacheMax = 64;
/** Objects moved between a cache and the central list at once. */
export const cacheBatch = 32;
/** `nlist` bound of a pool with no cache to flush (an unshared pool: its list is the whole free list). */
export const noFlush = 0x7fffffff;

/**
 * The last object of the first `n` on the list at `head` (which holds at
 * least `n`), following links in `u32`: the batch head..tail leaves the
 * cache and `u32[tail >>> 2]` becomes the cache's new head.
 */
export function batchTail(u32: Uint32Array, head: number, n: number): number {
  let tail = head;
  for (let i = 1; i < n; i++) tail = u32[tail >>> 2];
  return tail;
}
