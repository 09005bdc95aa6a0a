// offheap/no-heap-allocation. Go: a not-in-heap type can't be allocated on
// the GC heap: new(T), make([]T, n), append, converting *U to *T and using T
// as a type argument are compile errors ("can't be allocated in Go"). Only
// the allocators (sysAlloc, persistentalloc, FixAlloc) create such values.
//
// Run-time form: `new` of a class marked @notInHeap throws MisuseError.
import { FixAlloc, notInHeap, type Layout, type NotInHeap, type Ptr } from 'offheap';

@notInHeap
export class Arena {
  declare used: number;
}

type Chunk = NotInHeap<{ n: number; next: Ptr<Chunk> }>;

/** Creates an arena with `new`: at run time the decorator throws MisuseError. */
export function newArena(): Arena {
  return new Arena(); // expect: offheap/no-heap-allocation (allocation)
}

/** An object literal typed as the class: an Arena made on the JS heap. */
export function literalArena(): Arena {
  const a: Arena = { used: 0 }; // expect: offheap/no-heap-allocation (literal)
  return a;
}

/** A cast does not move an object off the JS heap. */
export function castChunk(): Chunk {
  return { n: 1, next: 0 } as Chunk; // expect: offheap/no-heap-allocation (cast)
}

/** A JS container holding not-in-heap values by value. */
export const arenas = new Set<Arena>(); // expect: offheap/no-heap-allocation (container)

function identity<T>(x: T): T {
  return x;
}

/** A not-in-heap value as a type argument of an ordinary generic. */
export function passChunk(c: Chunk): Chunk {
  return identity<Chunk>(c); // expect: offheap/no-heap-allocation (typeArgument)
}

/** Not a mistake: a generic pool wrapper keeps its records only behind FixAlloc and Ptr. */
export class RootedPool<T> {
  private readonly pool: FixAlloc<T>;
  constructor(layout: Layout<T>) {
    this.pool = new FixAlloc(layout);
  }
  alloc(): Ptr<T> {
    return this.pool.alloc();
  }
}

/** Not a mistake: the constructor of a @notInHeap class is an ordinary function. */
export const kinds = { Arena };
