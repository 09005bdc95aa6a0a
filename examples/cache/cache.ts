// An LRU cache of decoded textures, bounded by bytes.
//
// The index is a JS Map from key to the entry's address: a `Ptr` is a plain
// number the collector never follows, so the Map needs no pin. The texture's
// handle lives only in the entry's rooted HeapRef slot. A lease hands a
// texture to a caller that holds it across operations (a renderer drawing
// it for a while): the lease keeps the handle in a JS object, which the
// collector cannot see, so the handle is pinned while the lease holds it and
// unpinned where it leaves.
//
// Eviction retires the least recently used entry. When nothing else holds its
// texture, the handle is freed at once (freeHeapRef, after the slot is
// cleared). A leased texture stays alive through its pin; once the lease is
// released, nothing refers to it and the collector frees it.
import { nil, type AccessorOf, type HeapRef, type Ptr, type Runtime } from 'offheap';
import { Entry, hashKey, type Texture } from './layouts.js';
import { RootedPool } from './pool.js';

/** A texture handed out until `release`. */
interface Lease {
  readonly key: string;
  /** Pinned while the lease holds it. */
  readonly texture: HeapRef<Texture>;
}

export class TextureCache {
  readonly entries: RootedPool<Entry>;
  /** Lookups that found the key, and those that decoded it. */
  hits = 0;
  misses = 0;
  /** Entries evicted, and those of them whose texture was leased (left to the collector). */
  evictions = 0;
  evictedLeased = 0;
  /** Handles freed by eviction (freeHeapRef). */
  handlesFreed = 0;
  /** Bytes of the cached textures. */
  bytes = 0;
  private readonly index = new Map<string, Ptr<Entry>>();
  private readonly leases = new Map<number, Lease>();
  private nextLease = 1;
  /** Most recently used entry, and least recently used, or nil when empty. */
  private head: Ptr<Entry> = nil;
  private tail: Ptr<Entry> = nil;
  private readonly E: AccessorOf<typeof Entry>;

  constructor(
    readonly rt: Runtime,
    /** Bytes of textures the cache keeps. */
    readonly capacity: number,
    private readonly decode: (key: string) => Texture,
  ) {
    this.entries = new RootedPool(rt, Entry, 'cache entries');
    this.E = rt.access(Entry);
  }

  /** The texture of `key`, decoded on a miss. */
  get(key: string): Texture {
    return this.rt.deref(this.E.texture.get(this.lookup(key)));
  }

  /** Leases the texture of `key`: it stays alive, even if evicted, until `release(id)`. */
  lease(key: string): number {
    const { rt, E } = this;
    const p = this.lookup(key);
    const texture = E.texture.get(p);
    rt.pin(texture); // the lease holds the handle on the JS heap
    const id = this.nextLease++;
    this.leases.set(id, { key, texture });
    E.leases.set(p, E.leases.get(p) + 1);
    return id;
  }

  /** Ends a lease; an evicted texture is now garbage for the collector. */
  release(id: number): void {
    const { rt, E } = this;
    const lease = this.leases.get(id);
    if (lease === undefined) throw new Error(`no lease ${id}`);
    this.leases.delete(id);
    rt.unpin(lease.texture); // the handle leaves the JS heap
    const p = this.index.get(lease.key);
    if (p !== undefined && E.texture.get(p) === lease.texture) E.leases.set(p, E.leases.get(p) - 1);
  }

  /** Entries cached now. */
  get size(): number {
    return this.index.size;
  }

  /** Leases out now. */
  get leased(): number {
    return this.leases.size;
  }

  /** Keys from most to least recently used (walks the off-heap list). */
  keys(): string[] {
    const { rt, E } = this;
    const out: string[] = [];
    for (let p = this.head; p !== nil; p = E.next.get(p)) out.push(rt.deref(E.texture.get(p)).key);
    return out;
  }

  /** The entry of `key`, made most recently used; decoded and inserted on a miss. */
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
    const texture = this.decode(key);
    while (this.bytes + texture.bytes > this.capacity && this.tail !== nil) this.evict(this.tail);
    const p = this.entries.alloc(); // zeroed and rooted before the first store
    E.hash.set(p, hashKey(key));
    E.size.set(p, texture.bytes);
    E.texture.set(p, this.rt.newHeapRef(texture));
    this.pushFront(p);
    this.index.set(key, p);
    this.bytes += texture.bytes;
    return p;
  }

  /** Retires an entry: unlinked, cleared, unrooted, freed; its handle freed unless a lease pins it. */
  private evict(p: Ptr<Entry>): void {
    const { rt, E } = this;
    const texture = E.texture.get(p);
    const leased = E.leases.get(p) > 0;
    this.index.delete(rt.deref(texture).key);
    this.bytes -= E.size.get(p);
    this.unlink(p);
    this.entries.retire(p); // typedmemclr, removeRoot, free: the slot no longer holds the handle
    this.evictions++;
    if (leased) {
      this.evictedLeased++;
    } else {
      rt.freeHeapRef(texture);
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
