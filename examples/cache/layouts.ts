// The cache's records and the JS objects they hold.
//
// An entry record lives in unmanaged memory and holds only numbers: its LRU
// links (`Ptr`s, never followed by the collector), the key's hash, the
// value's size, a lease count, and one `HeapRef` slot naming the cached
// object (a decoded texture in main.ts). The slot is in the layout's pointer
// bitmap, so the collector sees the object once the record is a root.
import { heapRef, ptr, struct, u32, type LayoutType } from 'offheap';

/** What the cache holds: any JS object that knows its key and its size. */
export interface Cached {
  readonly key: string;
  /** Bytes it counts against the cache's capacity. */
  readonly bytes: number;
}

/** A decoded image: an ordinary JS object, big and costly to make again. */
export class Texture implements Cached {
  constructor(
    /** The key it was decoded from. */
    readonly key: string,
    readonly width: number,
    readonly height: number,
    /** RGBA, 4 bytes a pixel. */
    readonly pixels: Uint8Array,
  ) {}

  get bytes(): number {
    return this.pixels.byteLength;
  }
}

/** One cached object, linked into the LRU list (most recent first). */
export const Entry = struct('Entry', {
  /** The more recently used neighbour, or nil at the head. */
  prev: ptr<Entry>(),
  /** The less recently used neighbour, or nil at the tail. */
  next: ptr<Entry>(),
  /** FNV-1a of the key: checks that the index and the record agree. */
  hash: u32,
  /** Bytes the value counts against the cache's capacity. */
  size: u32,
  /** Leases out on this value (each holds a pinned handle). */
  leases: u32,
  value: heapRef<Cached>(),
});
export interface Entry extends LayoutType<typeof Entry> {}

/** FNV-1a over the key's UTF-16 code units. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
