// A generic LRU cache of JS objects, bounded by bytes.
//
// The index is a JS Map from key to the entry's address: a `Ptr` is a plain
// number the collector never follows, so the Map needs no pin. The value's
// handle lives only in the entry's rooted HeapRef slot. A lease hands a
// value to a caller that holds it across operations (a renderer drawing a
// texture for a while): the lease keeps the handle in a JS object, which the
// collector cannot see, so the handle is pinned while the lease holds it and
// unpinned where it leaves.
//
// Eviction retires the least recently used entry. When nothing else holds its
// value, the handle is freed at once (freeHeapRef, after the slot is
// cleared). A leased value stays alive through its pin; once the lease is
// released, nothing refers to it and the collector frees it.
import { nil, type AccessorOf, type HeapRef, type Ptr, type Runtime } from 'offheap';
import { Entry, hashKey, type Cached } from './layouts.js';
import { RootedPool } from './pool.js';

/** A value handed out until `release`. */
interface Lease<V> {
  readonly key: string;
  /** Pinned while the lease holds it. */
  readonly value: HeapRef<V>;
}

export class LruCache<V extends Cached> {
  readonly entries: RootedPool<Entry>;
  /** Lookups that found the key, and those that decoded it. */
  hits = 0;
  misses = 0;
  /** Entries evicted, and those of them whose value was leased (left to the collector). */
  evictions = 0;
  evictedLeased = 0;
  /** Handles freed by eviction (freeHeapRef). */
  handlesFreed = 0;
  /** Bytes of the cached values. */
  bytes = 0;
  private readonly index = new Map<string, Ptr<Entry>>();
  private readonly leases = new Map<number, Lease<V>>();
  private nextLease = 1;
  /** Most recently used entry, and least recently used, or nil when empty. */
  private head: Ptr<Entry> = nil;
  private tail: Ptr<Entry> = nil;
  private readonly E: AccessorOf<typeof Entry>;

  constructor(
    readonly rt: Runtime,
    /** Bytes of values the cache keeps. */
    readonly capacity: number,
    /** Makes the value of a key on a miss. */
    private readonly make: (key: string) => V,
  ) {
    this.entries = new RootedPool(rt, Entry, 'cache entries');
    this.E = rt.access(Entry);
  }

  /** The value of `key`, made on a miss. */
  get(key: string): V {
    return this.rt.deref(this.valueOf(this.lookup(key)));
  }

  /** Leases the value of `key`: it stays alive, even if evicted, until `release(id)`. */
  lease(key: string): number {
    const { rt, E } = this;
    const p = this.lookup(key);
    const value = this.valueOf(p);
    rt.pin(value); // the lease holds the handle on the JS heap
    const id = this.nextLease++;
    this.leases.set(id, { key, value });
    E.leases.set(p, E.leases.get(p) + 1);
    return id;
  }

  /** The value a lease holds, evicted or not. */
  leased(id: number): V {
    const lease = this.leases.get(id);
    if (lease === undefined) throw new Error(`no lease ${id}`);
    return this.rt.deref(lease.value);
  }

  /** Ends a lease; an evicted value is now garbage for the collector. */
  release(id: number): void {
    const { rt, E } = this;
    const lease = this.leases.get(id);
    if (lease === undefined) throw new Error(`no lease ${id}`);
    this.leases.delete(id);
    rt.unpin(lease.value); // the handle leaves the JS heap
    const p = this.index.get(lease.key);
    if (p !== undefined && E.value.get(p) === lease.value) E.leases.set(p, E.leases.get(p) - 1);
  }

  /** Entries cached now. */
  get size(): number {
    return this.index.size;
  }

  /** Leases out now. */
  get leaseCount(): number {
    return this.leases.size;
  }

  /** Keys from most to least recently used (walks the off-heap list). */
  keys(): string[] {
    const { rt, E } = this;
    const out: string[] = [];
    for (let p = this.head; p !== nil; p = E.next.get(p)) out.push(rt.deref(E.value.get(p)).key);
    return out;
  }

  /**
   * The handle in an entry's slot. The layout types the slot by what every
   * cache holds (`Cached`); this cache stores only its own `V`s into it.
   */
  private valueOf(p: Ptr<Entry>): HeapRef<V> {
    return this.E.value.get(p) as HeapRef<V>;
  }

  /** The entry of `key`, made most recently used; made and inserted on a miss. */
  private lookup(key: string): Ptr<Entry> {
    const { E } = this;
    const found = this.index.get(key);
    if (found !== undefined) {
      if (E.hash.get(found) !== hashKey(key)) throw new Error(`index and record disagree on ${key}`);
      this.hits++;
      this.unlink(found);
      this.pushFront(found);
      return found;
    }
    this.misses++;
    const value = this.make(key);
    while (this.bytes + value.bytes > this.capacity && this.tail !== nil) this.evict(this.tail);
    const p = this.entries.alloc(); // zeroed and rooted before the first store
    E.hash.set(p, hashKey(key));
    E.size.set(p, value.bytes);
    E.value.set(p, this.rt.newHeapRef(value));
    this.pushFront(p);
    this.index.set(key, p);
    this.bytes += value.bytes;
    return p;
  }

  /** Retires an entry: unlinked, cleared, unrooted, freed; its handle freed unless a lease pins it. */
  private evict(p: Ptr<Entry>): void {
    const { rt, E } = this;
    const value = E.value.get(p);
    const leased = E.leases.get(p) > 0;
    this.index.delete(rt.deref(value).key);
    this.bytes -= E.size.get(p);
    this.unlink(p);
    this.entries.retire(p); // typedmemclr, removeRoot, free: the slot no longer holds the handle
    this.evictions++;
    if (leased) {
      this.evictedLeased++;
    } else {
      rt.freeHeapRef(value);
      this.handlesFreed++;
    }
  }

  private unlink(p: Ptr<Entry>): void {
    const { E } = this;
    const prev = E.prev.get(p);
    const next = E.next.get(p);
    if (prev === nil) this.head = next;
    else E.next.set(prev, next);
    if (next === nil) this.tail = prev;
    else E.prev.set(next, prev);
    E.prev.set(p, nil);
    E.next.set(p, nil);
  }

  private pushFront(p: Ptr<Entry>): void {
    const { E } = this;
    E.next.set(p, this.head);
    if (this.head !== nil) E.prev.set(this.head, p);
    this.head = p;
    if (this.tail === nil) this.tail = p;
  }
}
