// Stress: the owner and three real worker threads allocate, write and free
// at random over four shared pools (one with no per-thread cache, so every
// operation on it contends on its lock), the page allocator and
// persistentalloc of one shared space, all at once. Each thread stamps every
// object and page it gets with (thread, serial) and checks the stamp before
// it frees it (another thread holding the same memory would have stamped
// over it), and checks that what it gets is zero. Threads also hand live
// objects to the next thread through a ring in shared memory; the receiver
// checks the giver's stamp, restamps and later frees them itself (a free of
// another thread's allocation). The final audit, from the
// owner's side, proves:
//   - no block was handed out twice: every live object, page and
//     persistentalloc block of every thread is disjoint from all others and
//     still carries its owner's stamp; the central lists hold none of them;
//   - every block lies inside mapped memory, objects on pages the page owner
//     table gives their pool;
//   - the stats add up: per pool, objects carved = held + central + fresh
//     (never handed out) + abandoned, with held = allocations − frees −
//     given + received of each thread; per space, bytes in use by stat category = the pages each
//     thread holds, plus persistentalloc's chunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as off from '../../src/runtime/index.js';
import { createRuntime, pageSize, type Runtime } from '../../src/runtime/index.js';
import { P } from '../../src/runtime/share.js';
import { entryOf } from '../../src/runtime/mcentral.js';
import { Remote } from './threads-helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

interface ChurnReport {
  readonly tid: number;
  /** Per pool: [address, serial] of each object held at the end. */
  readonly held: [number, number][][];
  /** [address, pages, serial] of each sysAlloc block held at the end. */
  readonly pages: [number, number, number][];
  /** [address, bytes, serial] of each persistentalloc block. */
  readonly pers: [number, number, number][];
  readonly allocs: number[];
  readonly frees: number[];
  /** Live objects handed to the next thread, and received from the previous one. */
  readonly given: number[];
  readonly received: number[];
  readonly sysAllocs: number;
  /** Stamp or zero checks that failed, with what was found. */
  readonly bad: string[];
  /** Per pool after the final flush: objects never handed out left in this thread's span. */
  readonly fresh: number[];
  readonly ids: number[];
  /** When the churn ran (ms since the epoch): the threads must have overlapped. */
  readonly t0: number;
  readonly t1: number;
  /** Whether this thread closed its runtime halfway and attached again (its span tails and chunk pages went back to the space). */
  readonly reattached: boolean;
}

/**
 * One thread's random work; runs in the owner (here) and, as source text,
 * in each worker. Plain JavaScript over the runtime module `m`, no imports.
 */
function churn(
  m: typeof off,
  rt: Runtime,
  tid: number,
  seed: number,
  nops: number,
  barrier: Int32Array,
  parties: number,
  rings: Int32Array,
  reattach?: off.SharedRuntime,
): ChurnReport {
  const L64 = m.struct('Rec64', { a: m.f64, b: m.f64, c: m.f64, d: m.f64, e: m.f64, f: m.f64, g: m.f64, h: m.f64 });
  // The fourth pool has no per-thread cache: every alloc and free goes through its lock and central list, so the threads contend there all the time.
  const open = () => [m.sharedPool(rt, 'raw16', 16), m.sharedPool(rt, 'rec64', L64), m.sharedPool(rt, 'raw200', 200), m.sharedPool(rt, 'raw32', 32, { cache: false })];
  let pools = open();
  const sizes = pools.map((q) => q.size);
  const u32 = rt.space.u32; // the public raw views: this function runs in workers too, where stateOf is not in scope
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const held: [number, number][][] = pools.map(() => []);
  const pages: [number, number, number][] = [];
  const pers: [number, number, number][] = [];
  const allocs = pools.map(() => 0);
  const frees = pools.map(() => 0);
  const given = pools.map(() => 0);
  const received = pools.map(() => 0);
  // Ring t carries objects to thread t: [head, tail, then cap slots of (pool, address, serial, giver)].
  const cap = 64;
  const ringWords = 2 + cap * 4;
  const give = (k: number, p: number, ser: number): boolean => {
    const r = ((tid + 1) % parties) * ringWords;
    const tail = rings[r + 1];
    if (tail - Atomics.load(rings, r) >= cap) return false;
    const at = r + 2 + (tail % cap) * 4;
    rings[at] = k;
    rings[at + 1] = p;
    rings[at + 2] = ser;
    rings[at + 3] = tid;
    Atomics.store(rings, r + 1, tail + 1); // publishes the slot
    return true;
  };
  const receive = (): void => {
    const r = tid * ringWords;
    const tail = Atomics.load(rings, r + 1);
    for (let head = rings[r]; head < tail; head++) {
      const at = r + 2 + (head % cap) * 4;
      const k = rings[at];
      const p = rings[at + 1];
      const a = u32[p >>> 2];
      const b = u32[(p >>> 2) + 1];
      if (a !== rings[at + 3] || b !== rings[at + 2]) bad.push(`received object ${p}: stamp (${a}, ${b}), expected (${rings[at + 3]}, ${rings[at + 2]})`);
      stamp(p, sizes[k], ++serial);
      held[k].push([p, serial]);
      received[k]++;
    }
    Atomics.store(rings, r, tail);
  };
  let sysAllocs = 0;
  const bad: string[] = [];
  let serial = 0;
  // Start together: every thread arrives, then all go.
  Atomics.add(barrier, 0, 1);
  for (let seen = Atomics.load(barrier, 0); seen < parties; seen = Atomics.load(barrier, 0)) Atomics.wait(barrier, 0, seen, 10);
  const t0 = performance.timeOrigin + performance.now();
  const stamp = (p: number, n: number, ser: number): void => {
    u32[p >>> 2] = tid;
    u32[(p >>> 2) + 1] = ser;
    u32[(p + n - 4) >>> 2] = (ser ^ 0x5a5a5a5a) >>> 0;
  };
  const check = (p: number, n: number, ser: number, what: string): void => {
    const a = u32[p >>> 2];
    const b = u32[(p >>> 2) + 1];
    const c = u32[(p + n - 4) >>> 2];
    if (a !== tid || b !== ser || c !== (ser ^ 0x5a5a5a5a) >>> 0) bad.push(`${what} ${p}: stamp (${a}, ${b}, ${c}), expected (${tid}, ${ser})`);
  };
  const zero = (p: number, n: number, what: string): void => {
    if (u32[p >>> 2] !== 0 || u32[(p >>> 2) + 1] !== 0 || u32[(p + n - 4) >>> 2] !== 0) bad.push(`${what} ${p} was not zero: (${u32[p >>> 2]}, ${u32[(p >>> 2) + 1]})`);
  };
  for (let i = 0; i < nops; i++) {
    if (reattach !== undefined && i === nops >> 1) {
      // Halfway, this thread leaves the space and comes back while the others churn: its caches, span tails and
      // untouched chunk pages go back to the space for them, and it keeps (and later frees) the objects it holds.
      rt.close();
      rt = m.attachRuntime(reattach);
      pools = open();
    }
    if ((i & 15) === 0) receive();
    const r = rnd();
    const k = Math.floor(rnd() * pools.length);
    const h = held[k];
    // Phases of 512 operations, alloc-heavy then free-heavy: caches overflow and run dry, so batches go through the central lists.
    const pAlloc = (i >> 9) & 1 ? 0.64 : 0.2;
    if (r < 0.84 && h.length < 1500 && rnd() < pAlloc / 0.84) {
      const p = pools[k].alloc();
      zero(p, sizes[k], 'object');
      stamp(p, sizes[k], ++serial);
      h.push([p, serial]);
      allocs[k]++;
    } else if (r < 0.84) {
      if (h.length === 0) continue;
      const j = Math.floor(rnd() * h.length);
      const [p, ser] = h[j];
      check(p, sizes[k], ser, 'object');
      pools[k].free(p as never);
      h[j] = h[h.length - 1];
      h.pop();
      frees[k]++;
    } else if (r < 0.86) {
      if (h.length === 0) continue;
      const j = Math.floor(rnd() * h.length);
      const [p, ser] = h[j];
      check(p, sizes[k], ser, 'object');
      if (!give(k, p, ser)) continue;
      h[j] = h[h.length - 1];
      h.pop();
      given[k]++;
    } else if (r < 0.9) {
      if (h.length === 0) continue;
      const j = Math.floor(rnd() * h.length);
      check(h[j][0], sizes[k], h[j][1], 'object');
      h[j][1] = ++serial;
      stamp(h[j][0], sizes[k], serial);
    } else if (r < 0.95) {
      if (pages.length >= 24) continue;
      const n = 1 + Math.floor(rnd() * 3);
      const p = rt.sysAlloc(n * 8192, `t${tid}`);
      zero(p, n * 8192, 'page');
      stamp(p, n * 8192, ++serial);
      pages.push([p, n, serial]);
      sysAllocs++;
    } else if (r < 0.995) {
      if (pages.length === 0) continue;
      const j = Math.floor(rnd() * pages.length);
      const [p, n, ser] = pages[j];
      check(p, n * 8192, ser, 'page');
      rt.sysFree(p, n * 8192);
      pages[j] = pages[pages.length - 1];
      pages.pop();
    } else {
      const n = 16 + 8 * Math.floor(rnd() * 8);
      const p = rt.persistentalloc(n, 8, `p${tid}`);
      zero(p, n, 'persistentalloc');
      stamp(p, n, ++serial);
      pers.push([p, n, serial]);
    }
  }
  // Everyone stops giving, then each takes what is left in its ring.
  Atomics.add(barrier, 1, 1);
  for (let seen = Atomics.load(barrier, 1); seen < parties; seen = Atomics.load(barrier, 1)) Atomics.wait(barrier, 1, seen, 10);
  receive();
  for (let k = 0; k < pools.length; k++) for (const [p, ser] of held[k]) check(p, sizes[k], ser, 'object');
  for (const [p, n, ser] of pages) check(p, n * 8192, ser, 'page');
  for (const [p, n, ser] of pers) check(p, n, ser, 'persistentalloc');
  const t1 = performance.timeOrigin + performance.now();
  for (const q of pools) q.flush();
  return {
    tid,
    held,
    pages,
    pers,
    allocs,
    frees,
    given,
    received,
    sysAllocs,
    bad,
    fresh: pools.map((q) => q.sharedStats().fresh),
    ids: pools.map((q) => q.id),
    t0,
    t1,
    reattached: reattach !== undefined,
  };
}

const workers = 3;
const nops = 30_000;
let remotes: Remote[] = [];

beforeAll(async () => {
  remotes = await Promise.all(Array.from({ length: workers }, () => Remote.start(churn.toString())));
}, 30_000);

afterAll(async () => {
  await Promise.all(remotes.map((r) => r.stop()));
});

describe('threads stress: owner + 3 workers over one shared space', () => {
  it.each([false, true])('hands no block out twice, keeps every block in mapped memory, and the stats add up (debug: %s)', async (debug) => {
    const rt = createRuntime({ maxBytes: 48 << 20, shared: true, debug });
    // Each worker leaves the previous test's space and attaches to this one; then all churn at once.
    await Promise.all(remotes.map((r) => r.run(`state.rt?.close(); state.rt = off.attachRuntime(arg); return 0;`, rt.share())));
    const ops = debug ? nops / 3 : nops;
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    const rings = new Int32Array(new SharedArrayBuffer((workers + 1) * (2 + 64 * 4) * 4));
    const pending = remotes.map((r, i) =>
      r.run<ChurnReport>(
        // Worker 1 closes its runtime halfway and attaches again.
        `const churn = eval('(' + data + ')'); const r = churn(off, state.rt, ${i + 1}, ${0x9e3779b9 * (i + 1) + (debug ? 7 : 0)}, ${ops}, arg.barrier, ${workers + 1}, arg.rings, ${i === 0 ? 'arg.share' : 'undefined'}); return r;`,
        { barrier, rings, share: rt.share() },
      ),
    );
    const mine = churn(off, rt, 0, 12345, ops, barrier, workers + 1, rings);
    const reports = [mine, ...(await Promise.all(pending))];
    audit(rt, reports);
  }, 60_000);
});

function audit(rt: Runtime, reports: ChurnReport[]): void {
  for (const r of reports) expect(r.bad, `thread ${r.tid}`).toEqual([]);
  expect(reports.map((r) => r.reattached)).toEqual([false, true, false, false]);
  // The threads ran at once: some moment lies inside every thread's churn (else this proved nothing about concurrency).
  expect(Math.max(...reports.map((r) => r.t0))).toBeLessThan(Math.min(...reports.map((r) => r.t1)));
  const ids = reports[0].ids;
  for (const r of reports) expect(r.ids).toEqual(ids);
  const space = stateOf(rt).space;
  const u32 = space.u32;
  const sizes = ids.map((id) => space.i32[entryOf(space, id) + P.size]);
  // Every block: inside mapped memory, with its owner's stamp, disjoint from every other.
  const ranges: [number, number, string][] = [];
  for (const r of reports) {
    r.held.forEach((objs, k) => {
      for (const [p, ser] of objs) {
        expect(space.isLive(p, sizes[k]), `object ${p}`).toBe(true);
        expect(space.pagePool[p >>> 13], `page owner of ${p}`).toBe(ids[k]);
        expect([u32[p >>> 2], u32[(p >>> 2) + 1]]).toEqual([r.tid, ser]);
        ranges.push([p, p + sizes[k], `t${r.tid} pool ${k}`]);
      }
    });
    for (const [p, n, ser] of r.pages) {
      expect(space.isLive(p, n * pageSize)).toBe(true);
      expect([u32[p >>> 2], u32[(p >>> 2) + 1]]).toEqual([r.tid, ser]);
      ranges.push([p, p + n * pageSize, `t${r.tid} pages`]);
    }
    for (const [p, n, ser] of r.pers) {
      expect(space.isLive(p, n)).toBe(true);
      expect([u32[p >>> 2], u32[(p >>> 2) + 1]]).toEqual([r.tid, ser]);
      ranges.push([p, p + n, `t${r.tid} persistentalloc`]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) throw new Error(`handed out twice: ${ranges[i - 1][2]} [${ranges[i - 1][0]}, ${ranges[i - 1][1]}) overlaps ${ranges[i][2]} at ${ranges[i][0]}`);
  }
  // Per pool: the central list holds none of the live objects, and the objects add up.
  const liveSet = new Set(ranges.map((r) => r[0]));
  ids.forEach((id, k) => {
    const e = entryOf(space, id);
    const w = space.i32;
    let n = 0;
    const seen = new Set<number>();
    for (let q = w[e + P.head]; q !== 0; q = u32[q >>> 2]) {
      expect(space.pagePool[q >>> 13]).toBe(id);
      expect(liveSet.has(q), `central object ${q} is live`).toBe(false);
      expect(seen.has(q), `central object ${q} twice`).toBe(false);
      seen.add(q);
      n++;
    }
    expect(n).toBe(w[e + P.count]);
    const held = reports.reduce((a, r) => a + r.held[k].length, 0);
    for (const r of reports) expect(r.allocs[k] - r.frees[k] - r.given[k] + r.received[k]).toBe(r.held[k].length);
    // Objects did move between threads, and every one given arrived.
    expect(reports.reduce((a, r) => a + r.given[k], 0)).toBe(reports.reduce((a, r) => a + r.received[k], 0));
    expect(reports.reduce((a, r) => a + r.received[k], 0)).toBeGreaterThan(50);
    const fresh = reports.reduce((a, r) => a + r.fresh[k], 0);
    const objectsPerSpan = Math.floor(w[e + P.spanBytes] / sizes[k]);
    expect(w[e + P.carved]).toBe(w[e + P.spans] * objectsPerSpan);
    expect({ pool: k, carved: w[e + P.carved] }).toEqual({ pool: k, carved: held + n + fresh + w[e + P.abandoned] });
  });
  // The space: pages held per thread = its stat category; in use = those + persistentalloc's chunks.
  const stats = rt.stats();
  let total = stats.byOwner.persistentalloc ?? 0;
  for (const r of reports) {
    const bytes = r.pages.reduce((a, [, n]) => a + n * pageSize, 0);
    expect(stats.byOwner[`t${r.tid}`] ?? 0, `thread ${r.tid}`).toBe(bytes);
    total += bytes;
    expect(r.sysAllocs).toBeGreaterThan(50);
  }
  expect(stats.inUse).toBe(total);
  expect(stats.mapped).toBeGreaterThanOrEqual(stats.inUse);
  expect(stats.inUse).toBe(space.blocks().reduce((a, b) => a + b.bytes, 0));
}
