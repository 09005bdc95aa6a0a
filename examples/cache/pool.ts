// A generic pool of rooted records: FixAlloc plus Go's lifecycle.
//
// alloc() hands out zeroed memory (a zeroing pool clears reused objects) and
// registers it as a root before anything is stored into it, so every HeapRef
// store that follows is seen by the collector. retire() undoes it in Go's
// order: clear the slots with typedmemclr (its deletion barrier shades the
// handles it drops while the collector marks), then removeRoot, then free.
// The pool only ever holds T behind a `Ptr<T>`, so `RootedPool<Entry>` keeps
// no record on the JS heap.
import { FixAlloc, type Layout, type Ptr, type Runtime } from 'offheap';

export class RootedPool<T> {
  readonly pool: FixAlloc<T>;
  /** Records handed out, retired, and handed out into memory a retired one had used. */
  allocated = 0;
  retired = 0;
  reused = 0;
  /** Every address ever handed out: tells reuse from fresh memory in the report. */
  private readonly seen = new Set<number>();

  constructor(
    readonly rt: Runtime,
    readonly layout: Layout<T>,
    stat: string,
  ) {
    this.pool = new FixAlloc<T>(layout, { runtime: rt, stat });
  }

  /** A zeroed record, already a root. */
  alloc(): Ptr<T> {
    const p = this.pool.alloc();
    this.rt.addRoot(p, this.layout);
    if (this.seen.has(p)) this.reused++;
    else this.seen.add(p);
    this.allocated++;
    return p;
  }

  /** Clears, unroots and frees a record; its memory goes to the next alloc. */
  retire(p: Ptr<T>): void {
    this.rt.typedmemclr(this.layout, p);
    this.rt.removeRoot(p);
    this.pool.free(p);
    this.retired++;
  }

  /** Records live now. */
  get live(): number {
    return this.pool.inuse / this.pool.size;
  }
}
