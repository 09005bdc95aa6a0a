// Model-based property test of the three allocators.
//
// Random sequences of sysAlloc/sysFree/persistentalloc and FixAlloc
// alloc/free over several pools (plus calls that must be rejected) run
// against a debug runtime and a simple model. After every step: no two live
// blocks overlap (a shadow map of owners per byte), every block lies inside
// mapped, allocated pages, alignment holds, fresh and zeroing allocations are
// zero, live blocks keep their contents, `first` runs exactly once per
// address, and the stats equal the model's. A rejected call must leave the
// state unchanged and the model must agree that it had to fail.
//
// The same sequences also run over a shared runtime (one thread): its
// bookkeeping pages come first, debug states live in shared bitmaps, and
// two of the four pools are named shared pools, whose per-thread cache
// returns a batch of 32 to the central list once it holds more than 64 free
// objects and refills 32 from it when empty; the model predicts that reuse
// order exactly (a bursts of allocs and frees reaches both).
//
// At least 10^5 operations per run; OFFHEAP_PROPERTY_RUNS=<n> runs n
// property runs instead of the default 250 (about 400 operations each).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BadPointerError,
  cacheBatch,
  cacheMax,
  createRuntime,
  DoubleFreeError,
  f64,
  FixAlloc,
  ForeignPointerError,
  OffheapRangeError,
  OptionError,
  OutOfMemoryError,
  pageSize,
  persistentChunkSize,
  persistentLargeSize,
  sharedPool,
  struct,
  u32,
  type Ptr,
  type Runtime,
} from '../../src/runtime/index.js';
import { snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const spaceBytes = 1024 * 1024;
const totalPages = spaceBytes / pageSize;
const runs = Number(process.env.OFFHEAP_PROPERTY_RUNS ?? 250);
const Rec = struct('Rec', { a: f64, b: u32 }); // 16 bytes, align 8

interface PoolSpec {
  /** Over a shared runtime, `shared` pools are opened by name (a per-thread cache over a central list); the others are private to the runtime. */
  readonly make: (rt: Runtime, first: (p: Ptr<unknown>) => void, shared: boolean) => FixAlloc<unknown, boolean>;
  readonly align: number;
}
const poolSpecs: PoolSpec[] = [
  { make: (rt, first, shared) => (shared ? sharedPool<unknown>(rt, 'model.4', 4, { first }) : new FixAlloc<unknown>(4, { runtime: rt, first })), align: 4 },
  { make: (rt, first) => new FixAlloc(Rec, { runtime: rt, first: first }) as unknown as FixAlloc<unknown, boolean>, align: 8 },
  { make: (rt, first, shared) => (shared ? sharedPool<unknown, false>(rt, 'model.100', 100, { first, zero: false }) : new FixAlloc<unknown, false>(100, { runtime: rt, first, zero: false })), align: 4 },
  { make: (rt, first) => new FixAlloc<unknown>(3000, { runtime: rt, first }), align: 8 },
];

type Op =
  | { t: 'sys'; bytes: number }
  | { t: 'sysFree'; pick: number }
  | { t: 'persist'; size: number; align: number }
  | { t: 'fix'; pool: number }
  | { t: 'fixFree'; pool: number; pick: number }
  /** `n` allocs, or `n` frees of random live objects, from one pool: fills or drains a cache past its bounds. */
  | { t: 'burst'; pool: number; n: number; free: boolean; pick: number }
  | { t: 'bad'; kind: number; pool: number; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ t: fc.constant('sys' as const), bytes: fc.integer({ min: 1, max: 5 * pageSize }) }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('sysFree' as const), pick: fc.nat() }) },
  {
    weight: 10,
    arbitrary: fc.record({
      t: fc.constant('persist' as const),
      size: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: persistentLargeSize - 2, max: persistentLargeSize + pageSize }) }),
      align: fc.integer({ min: 0, max: 13 }).map((k) => 2 ** k),
    }),
  },
  { weight: 40, arbitrary: fc.record({ t: fc.constant('fix' as const), pool: fc.integer({ min: 0, max: poolSpecs.length - 1 }) }) },
  { weight: 30, arbitrary: fc.record({ t: fc.constant('fixFree' as const), pool: fc.integer({ min: 0, max: poolSpecs.length - 1 }), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('burst' as const), pool: fc.integer({ min: 0, max: poolSpecs.length - 1 }), n: fc.integer({ min: 1, max: 150 }), free: fc.boolean(), pick: fc.nat() }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('bad' as const), kind: fc.integer({ min: 0, max: 8 }), pool: fc.integer({ min: 0, max: poolSpecs.length - 1 }), pick: fc.nat() }) },
);

/** Arguments no entry point may take as a number or pointer; none may run caller code. */
let valueOfCalls = 0;
const hostile: unknown[] = ['8192', 8192.5, [8192], { valueOf: () => (valueOfCalls++, 8192) }, 8192n, Symbol('p'), null, NaN, -8192, 2 ** 32 + 8192];

let totalOps = 0;
/** How often each interesting path ran, to show the generator reaches it (per kind of runtime). */
const seenBy: Record<string, Record<string, number>> = { unshared: {}, shared: {} };
let seen = seenBy.unshared;
function saw(what: string): void {
  seen[what] = (seen[what] ?? 0) + 1;
}

/** A checksum of a shared space's bookkeeping pages (header, page map, registry with central lists, debug bitmaps). */
function bookkeeping(rt: Runtime): number {
  const w = new Int32Array(rt.buffer, 0, (stateOf(rt).space.firstPage * pageSize) >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w[i], 0x01000193) ^ i;
  return h;
}

/** Cheap assertions for the per-step checks (vitest's expect is too slow for 10^5 steps). */
function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}
function eq(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** The model of one run, and the checks against the runtime. */
class Model {
  readonly rt: Runtime;
  /** Owner id of each byte of user-visible live blocks, 0 if none. */
  private readonly shadow = new Int32Array(spaceBytes);
  /** Per page: 1 user sysAlloc block, 2 persistentalloc memory, 0 free. */
  private readonly pages = new Uint8Array(totalPages);
  private nextId = 1;
  /** Live user sysAlloc blocks: [address, rounded bytes, id]. */
  private readonly sys: [number, number, number][] = [];
  private sysBytes = 0;
  /** persistentalloc memory taken from the space (chunks and large blocks). */
  private persistentBytes = 0;
  private persistentOther = 0;
  /** The current small-allocation chunk: base and next offset. */
  private chunkBase = 0;
  private chunkOff = persistentChunkSize;
  private readonly pools: FixAlloc<unknown, boolean>[];
  private readonly live: [number, number][][] = poolSpecs.map(() => []);
  /** Each pool's free list (over a shared runtime: this thread's cache), the next object to reuse last. */
  private readonly freed: number[][] = poolSpecs.map(() => []);
  /** A named shared pool's central list, head first (always empty for other pools). */
  private readonly central: number[][] = poolSpecs.map(() => []);
  /** The most free objects a pool's list keeps before a batch goes to the central list (Infinity: never). */
  private readonly flushAt: number[];
  private readonly everHanded: Set<number>[] = poolSpecs.map(() => new Set());
  private readonly fresh: number[] = poolSpecs.map(() => 0);
  private readonly lastFresh: number[] = poolSpecs.map(() => 0);
  /** persistentalloc bytes taken by pool chunks. */
  private fixChunkBytes = 0;
  private readonly firstCalls: number[][] = poolSpecs.map(() => []);

  constructor(readonly shared: boolean) {
    this.rt = createRuntime({ maxBytes: spaceBytes, debug: true, shared });
    // A shared space's bookkeeping pages come first and are never handed out.
    this.pages.fill(3, 1, stateOf(this.rt).space.firstPage);
    this.pools = poolSpecs.map((s, i) => s.make(this.rt, (p) => void this.firstCalls[i].push(p), shared));
    this.flushAt = this.pools.map((pool) => (pool.sharedName !== '' ? cacheMax : Infinity));
  }

  /** Everything a rejected call must leave as it was (over a shared runtime, the bookkeeping pages too). */
  private state(): string {
    return snapshot(this.rt, ...this.pools) + (this.shared ? `#${bookkeeping(this.rt)}` : '');
  }

  private claim(p: number, n: number): number {
    const id = this.nextId++;
    const sh = this.shadow;
    for (let g = p, end = p + n; g < end; g++) {
      if (sh[g] !== 0) throw new Error(`block [${p}, ${p + n}) overlaps block ${sh[g]} at ${g}`);
      sh[g] = id;
    }
    return id;
  }

  private release(p: number, n: number, id: number): void {
    const sh = this.shadow;
    for (let g = p, end = p + n; g < end; g++) {
      if (sh[g] !== id) throw new Error(`byte ${g} of block ${id} lost its owner`);
      sh[g] = 0;
    }
  }

  /** Checks a new block: inside allocated memory, aligned, zero if promised; then claims and dirties it. */
  private handOut(p: number, n: number, align: number, zero: boolean): number {
    eq(Number.isInteger(p), true, 'Number.isInteger(p)');
    eq(p % align, 0, `alignment ${align} of ${p}`);
    eq(p >= pageSize && p + n <= stateOf(this.rt).space.mappedEnd, true, 'p >= pageSize && p + n <= this.rt.space.mappedEnd');
    eq(stateOf(this.rt).space.isLive(p, n), true, 'this.rt.space.isLive(p, n)');
    if (zero) {
      const u8 = stateOf(this.rt).space.u8;
      for (let i = p; i < p + n; i++) if (u8[i] !== 0) throw new Error(`byte ${i} of a fresh block [${p}, ${p + n}) is ${u8[i]}`);
    }
    const id = this.claim(p, n);
    stateOf(this.rt).space.u8.fill((id % 250) + 1, p, p + n);
    return id;
  }

  /** Checks a live block still holds its fill, then unclaims it. */
  private takeBack(p: number, n: number, id: number): void {
    const u8 = stateOf(this.rt).space.u8;
    const fill = (id % 250) + 1;
    eq(u8[p], fill, `first byte of live block ${id}`);
    eq(u8[p + n - 1], fill, `last byte of live block ${id}`);
    this.release(p, n, id);
  }

  /** Marks pages [page, page+n) as `kind`; they must have been free. */
  private mark(p: number, bytes: number, kind: number): void {
    for (let k = p / pageSize; k < (p + bytes) / pageSize; k++) {
      if (this.pages[k] !== 0) throw new Error(`page ${k} handed out twice`);
      this.pages[k] = kind;
    }
  }

  /** Whether the model's page map has a free run of `n` pages (first fit must then succeed). */
  private fits(npages: number): boolean {
    let run = 0;
    for (let k = stateOf(this.rt).space.firstPage; k < totalPages; k++) {
      run = this.pages[k] === 0 ? run + 1 : 0;
      if (run >= npages) return true;
    }
    return false;
  }

  /** Runs `fn`; if it throws OutOfMemoryError, checks the model agrees and the state is unchanged. */
  private orOOM(npages: number, fn: () => void): void {
    // Only a request the model cannot place may fail, so only then is the state worth saving.
    const before = npages > 0 && !this.fits(npages) ? this.state() : undefined;
    try {
      fn();
    } catch (e) {
      if (!(e instanceof OutOfMemoryError)) throw e;
      saw('out of memory');
      ok(before !== undefined, `out of memory for ${npages} pages with a free run available`);
      eq(this.state(), before, 'state after out of memory');
    }
  }

  /** Takes note of a persistentalloc chunk or large block the runtime just took. */
  private noteChunk(p: number, bytes: number): void {
    this.mark(p, bytes, 2);
    this.persistentBytes += bytes;
  }

  /** Where persistentalloc must place `size` bytes: a large block, a new chunk, or `off` in the current one. */
  private predict(size: number, align: number): { large: boolean; fresh: boolean; off: number } {
    if (size >= persistentLargeSize) return { large: true, fresh: true, off: 0 };
    const off = Math.ceil(this.chunkOff / align) * align;
    return off + size > persistentChunkSize ? { large: false, fresh: true, off: 0 } : { large: false, fresh: false, off };
  }

  /** Checks a persistentalloc result against the prediction and advances the model. */
  private placed(p: number, size: number, at: { large: boolean; fresh: boolean; off: number }): void {
    if (at.large) {
      saw('large persistentalloc');
      eq(p % pageSize, 0, 'a large persistentalloc is whole pages');
      this.noteChunk(p, Math.ceil(size / pageSize) * pageSize);
      return;
    }
    if (at.fresh) {
      saw('new persistentalloc chunk');
      eq(p % pageSize, 0, 'a new chunk starts on a page');
      this.noteChunk(p, persistentChunkSize);
      this.chunkBase = p;
    }
    eq(p, this.chunkBase + at.off, 'persistentalloc bump position');
    this.chunkOff = at.off + size;
  }

  /** Runs a call that must be rejected with `type`, and checks nothing changed. */
  private rejected(fn: () => unknown, type: abstract new (...args: never[]) => Error): void {
    const before = this.state();
    let caught: unknown;
    try {
      fn();
    } catch (e) {
      caught = e;
    }
    ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
    eq(this.state(), before, 'state after a rejected call');
  }

  step(op: Op, check = true): void {
    const rt = this.rt;
    saw(op.t);
    switch (op.t) {
      case 'sys': {
        const bytes = Math.ceil(op.bytes / pageSize) * pageSize;
        this.orOOM(bytes / pageSize, () => {
          const p = rt.sysAlloc(op.bytes, 'user');
          eq(p % pageSize, 0, 'p % pageSize');
          this.mark(p, bytes, 1);
          this.sys.push([p, bytes, this.handOut(p, bytes, pageSize, true)]);
          this.sysBytes += bytes;
        });
        break;
      }
      case 'sysFree': {
        if (this.sys.length === 0) break;
        const [p, bytes, id] = this.sys.splice(op.pick % this.sys.length, 1)[0];
        this.takeBack(p, bytes, id);
        rt.sysFree(p, bytes);
        for (let k = p / pageSize; k < (p + bytes) / pageSize; k++) this.pages[k] = 0;
        this.sysBytes -= bytes;
        break;
      }
      case 'persist': {
        const at = this.predict(op.size, op.align);
        this.orOOM(at.large ? Math.ceil(op.size / pageSize) : at.fresh ? persistentChunkSize / pageSize : 0, () => {
          const p = rt.persistentalloc(op.size, op.align, 'p');
          this.placed(p, op.size, at);
          this.handOut(p, op.size, op.align, true);
          this.persistentOther += op.size;
        });
        break;
      }
      case 'fix': {
        const i = op.pool;
        const pool = this.pools[i];
        const refill = this.freed[i].length === 0 && this.central[i].length > 0;
        const reuse = this.freed[i].length > 0 || refill;
        const nalloc = Math.floor(pool.spanBytes / pool.size) * pool.size;
        const needChunk = !reuse && this.fresh[i] % (nalloc / pool.size) === 0;
        const at = this.predict(pool.spanBytes, pageSize);
        const calls = this.firstCalls[i].length;
        this.orOOM(needChunk && at.fresh ? persistentChunkSize / pageSize : 0, () => {
          const p = pool.alloc();
          if (refill) {
            // mcache refill: the first batch of the central list becomes the list, in its order.
            saw('FixAlloc refill');
            this.freed[i] = this.central[i].splice(0, cacheBatch).reverse();
          }
          if (reuse) {
            saw('FixAlloc reuse');
            eq(p, this.freed[i].pop(), 'the free list is LIFO');
            eq(this.firstCalls[i].length, calls, 'first does not run on reuse');
          } else {
            if (needChunk) {
              eq(pool.spanBytes % pageSize, 0, 'a span is whole pages');
              this.placed(p, pool.spanBytes, at);
              this.fixChunkBytes += pool.spanBytes;
            } else {
              eq(p, this.lastFresh[i] + pool.size, 'fresh objects are bumped by size');
            }
            eq(this.firstCalls[i].length, calls + 1, 'first runs once for a fresh address');
            eq(this.firstCalls[i][calls], p, 'first gets the fresh address');
            eq(this.everHanded[i].has(p), false, 'this.everHanded[i].has(p)');
            this.everHanded[i].add(p);
            this.lastFresh[i] = p;
            this.fresh[i]++;
          }
          const id = this.handOut(p, pool.size, poolSpecs[i].align, !reuse || pool.zero);
          this.live[i].push([p, id]);
        });
        break;
      }
      case 'fixFree': {
        const i = op.pool;
        if (this.live[i].length === 0) break;
        const [p, id] = this.live[i].splice(op.pick % this.live[i].length, 1)[0];
        this.takeBack(p, this.pools[i].size, id);
        this.pools[i].free(p as Ptr<unknown>);
        const list = this.freed[i];
        list.push(p);
        if (list.length > this.flushAt[i]) {
          // The list's first batch (the objects freed last) goes to the head of the central list.
          saw('FixAlloc flush');
          this.central[i] = list.splice(list.length - Math.min(list.length, cacheBatch)).reverse().concat(this.central[i]);
        }
        break;
      }
      case 'burst': {
        const n = op.free ? Math.min(op.n, this.live[op.pool].length) : op.n;
        for (let k = 0; k < n; k++) this.step(op.free ? { t: 'fixFree', pool: op.pool, pick: op.pick + k * 7 } : { t: 'fix', pool: op.pool }, false);
        break;
      }
      case 'bad': {
        const i = op.pool;
        const pool = this.pools[i];
        const other = this.pools[(i + 1) % this.pools.length];
        switch (op.kind) {
          case 0:
            this.rejected(() => rt.sysFree(0, pageSize), BadPointerError);
            break;
          case 1: {
            // A free object: on this thread's list, or (a shared pool) on the central list.
            const free = this.freed[i].concat(this.central[i]);
            if (free.length > 0) this.rejected(() => pool.free(free[op.pick % free.length] as Ptr<unknown>), DoubleFreeError);
            break;
          }
          case 2:
            if (this.live[i].length > 0) this.rejected(() => other.free(this.live[i][op.pick % this.live[i].length][0] as Ptr<unknown>), ForeignPointerError);
            break;
          case 3:
            this.rejected(() => rt.persistentalloc(0), OffheapRangeError);
            this.rejected(() => rt.persistentalloc(8, 24), OffheapRangeError);
            break;
          case 4:
            this.rejected(() => rt.sysAlloc(spaceBytes), OutOfMemoryError);
            break;
          case 6: {
            // Hostile arguments, interleaved with real work.
            const h = hostile[op.pick % hostile.length];
            saw('bad hostile');
            this.rejected(() => rt.sysAlloc(h as number), OffheapRangeError);
            this.rejected(() => rt.sysFree(h as number, pageSize), BadPointerError);
            this.rejected(() => rt.persistentalloc(h as number), OffheapRangeError);
            this.rejected(() => rt.persistentalloc(8, h as number), OffheapRangeError);
            this.rejected(() => pool.free(h as Ptr<unknown>), BadPointerError);
            eq(valueOfCalls, 0, 'no valueOf called');
            break;
          }
          case 7:
            // Memory of another allocator.
            if (this.chunkBase !== 0) {
              saw('bad foreign');
              this.rejected(() => rt.sysFree(this.chunkBase, persistentChunkSize), ForeignPointerError);
            }
            if (this.sys.length > 0) this.rejected(() => pool.free(this.sys[op.pick % this.sys.length][0] as Ptr<unknown>), ForeignPointerError);
            break;
          case 8: {
            saw('bad option');
            const n = stateOf(rt).pools.length;
            this.rejected(() => new FixAlloc(16, { runtime: rt, zeroo: false } as never), OptionError);
            this.rejected(() => rt.sysAlloc(8, Symbol('s') as never), OptionError);
            eq(stateOf(rt).pools.length, n, 'a refused pool is not registered');
            break;
          }
          default:
            if (this.live[i].length > 0 && pool.size > 4) this.rejected(() => pool.free((this.live[i][op.pick % this.live[i].length][0] + 4) as Ptr<unknown>), BadPointerError);
            if (this.sys.length > 0) this.rejected(() => rt.sysFree(this.sys[op.pick % this.sys.length][0], pageSize * 9), OffheapRangeError);
            break;
        }
        break;
      }
    }
    if (check) this.check();
  }

  check(): void {
    const s = this.rt.stats();
    eq(s.byOwner.user ?? 0, this.sysBytes, 's.byOwner.user ?? 0');
    eq(s.byOwner.persistentalloc ?? 0, this.persistentBytes, 's.byOwner.persistentalloc ?? 0');
    eq(s.inUse, this.sysBytes + this.persistentBytes, 's.inUse');
    eq(Object.values(s.byOwner).every((v) => v > 0), true, 'Object.values(s.byOwner).every((v) => v > 0)');
    eq(s.free, s.mapped - s.inUse, 's.free');
    ok(s.free >= 0, 'free is not negative');
    eq(s.persistent.p ?? 0, this.persistentOther, 's.persistent.p ?? 0');
    eq(s.persistent.fixalloc ?? 0, this.fixChunkBytes, 's.persistent.fixalloc ?? 0');
    this.pools.forEach((pool, i) => eq(pool.inuse, this.live[i].length * pool.size, `inuse of pool ${i}`));
  }
}

for (const shared of [false, true]) {
  describe(`allocators against a model (${shared ? 'shared' : 'unshared'} runtime)`, () => {
    let ops0 = 0;
    afterAll(() => {
      const mine = seenBy[shared ? 'shared' : 'unshared'];
      if (process.env.OFFHEAP_PROPERTY_DEBUG) console.log(shared, totalOps - ops0, mine);
      expect(totalOps - ops0).toBeGreaterThanOrEqual(Math.min(100_000, runs * 300));
      const paths = ['sys', 'sysFree', 'persist', 'fix', 'fixFree', 'burst', 'bad', 'bad hostile', 'bad foreign', 'bad option', 'out of memory', 'large persistentalloc', 'new persistentalloc chunk', 'FixAlloc reuse'];
      for (const what of shared ? [...paths, 'FixAlloc flush', 'FixAlloc refill'] : paths) {
        expect(mine[what] ?? 0, what).toBeGreaterThan(runs >= 50 ? 10 : 0);
      }
      // Only a named shared pool has a central list.
      if (!shared) expect(mine['FixAlloc flush'] ?? 0).toBe(0);
    });

    it(`random operation sequences (${runs} runs)`, () => {
      ops0 = totalOps;
      seen = seenBy[shared ? 'shared' : 'unshared'];
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 300, maxLength: 500 }), (ops) => {
          const m = new Model(shared);
          for (const op of ops) m.step(op);
          totalOps += ops.length;
        }),
        { numRuns: runs },
      );
    }, Math.max(30_000, runs * 600)); // a guard against a hang, in proportion to runs: 250 runs take 12.6 s alone, and reached 50 s at load ≥ 18
  });
}
