// The AssemblyScript anchor (compiled at bench time by bench/topics/assemblyscript.ts
// with asc -O3 --runtime incremental --exportRuntime). Each bench variant gets its own
// instance, so every variant has its own TLSF heap and ITCMS collector.
//
// Loops read their slot order from `order` (i32 indices the host copies into this
// memory), the same stream the JS variants walk, and return the stream cursor.

// ---- TLSF (`__alloc`/`__free`): raw blocks, never traced ----
let slots: usize = 0;

export function rawAlloc(size: usize): usize {
  return __alloc(size);
}

export function rawFree(p: usize): void {
  __free(p);
}

export function tlsfSetup(live: i32, size: usize): void {
  slots = __alloc(<usize>live << alignof<usize>());
  for (let i = 0; i < live; i++) store<usize>(slots + (<usize>i << alignof<usize>()), __alloc(size));
}

export function slot(i: i32): usize {
  return load<usize>(slots + (<usize>i << alignof<usize>()));
}

export function setSlot(i: i32, p: usize): void {
  store<usize>(slots + (<usize>i << alignof<usize>()), p);
}

/** `n` free+alloc pairs of `size` bytes inside wasm. */
export function tlsfPairs(n: i32, order: usize, len: i32, k: i32, size: usize): i32 {
  for (let i = 0; i < n; i++) {
    const j = load<i32>(order + (<usize>k << 2));
    if (++k == len) k = 0;
    const at = slots + (<usize>j << alignof<usize>());
    __free(load<usize>(at));
    store<usize>(at, __alloc(size));
  }
  return k;
}

/** `n` record replacements: free, alloc 32 B, four f64 stores. */
export function tlsfRecords(n: i32, order: usize, len: i32, k: i32): i32 {
  for (let i = 0; i < n; i++) {
    const j = load<i32>(order + (<usize>k << 2));
    if (++k == len) k = 0;
    const at = slots + (<usize>j << alignof<usize>());
    __free(load<usize>(at));
    const p = __alloc(32);
    store<f64>(p, <f64>i + 0.5);
    store<f64>(p, 1.5, 8);
    store<f64>(p, 2.5, 16);
    store<f64>(p, 3.5, 24);
    store<usize>(at, p);
  }
  return k;
}

// ---- managed objects (`new`, ITCMS, the `__link` barrier on every managed store) ----
class Rec {
  constructor(
    public a: f64,
    public b: f64,
    public c: f64,
    public d: f64,
  ) {}
}

let recs = new StaticArray<Rec | null>(0);

export function managedSetup(live: i32): void {
  const a = new StaticArray<Rec | null>(live);
  for (let i = 0; i < live; i++) a[i] = new Rec(<f64>i, 1.5, 2.5, 3.5);
  recs = a;
}

/** `n` record replacements: `new Rec` and a barriered store into a live array; the old record becomes garbage. */
export function managedRecords(n: i32, order: usize, len: i32, k: i32): i32 {
  const a = recs;
  for (let i = 0; i < n; i++) {
    const j = load<i32>(order + (<usize>k << 2));
    if (++k == len) k = 0;
    a[j] = new Rec(<f64>i + 0.5, 1.5, 2.5, 3.5);
  }
  return k;
}

// ---- small objects for pin pairs and full collections ----
class Obj {
  v: i32 = 0;
}

let objs = new StaticArray<Obj | null>(0);

/** `n` live objects, reachable from a global array (so an unpinned one is never freed). */
export function objectsSetup(n: i32): void {
  const a = new StaticArray<Obj | null>(n);
  for (let i = 0; i < n; i++) {
    const o = new Obj();
    o.v = i;
    a[i] = o;
  }
  objs = a;
}

export function object(i: i32): usize {
  return changetype<usize>(objs[i]);
}
