// T1–T3: allocating from one shared address space on several threads.
//
// T1 and T3 run in worker threads (bench/topics/threads-worker.ts, compiled
// like the rest of the bench). Each variant is a group of 1 or 2 workers,
// started and set up before anything is timed; every call, the main thread
// posts the op count to the group and waits, idle, for the replies, so the
// two cores belong to the workers. The workers of a group meet at a start
// barrier in shared memory and time their own loops, so thread start-up and
// message latency stay outside the windows. A group's window is from its
// first worker's start to its last worker's end; its ns/op is that window ÷
// the pairs of all its workers (the inverse of its throughput). Variants are
// calibrated, run alone twice, then in rounds of a seeded shuffle, and the
// ratios are medians of same-round ratios, as in every other topic.
//
// T2 runs on the main thread with the ordinary harness.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { sharedPool } from '../../src/runtime/index.js';
import { defaultOptions, fresh, measure, median, pairedRatio, seededRandom, shuffledOrder, type MeasureOptions, type Measurement, type Variant, type VariantResult } from '../lib/harness.js';
import { pairLoop } from '../lib/loops.js';
import { explain, vs, type Topic, type TopicReport } from '../lib/report.js';
import { fixallocPair, order } from './fixalloc.js';
import { Rec64, sharedSpace, type ThreadSpec } from './threads-pool.js';
import type { FromWorker, ToWorker } from './threads-worker.js';

/** A group of workers running the same loop, each on its own objects. */
export interface ThreadVariant {
  readonly name: string;
  readonly workers: number;
  /** The spec of worker `index` (untimed; may allocate the shared state the workers attach to). */
  spec(index: number, ctrl: SharedArrayBuffer): ThreadSpec;
  /** After the workers have ended: releases what `spec` made. */
  close?(): void;
}

interface Group {
  readonly workers: Worker[];
  call: number;
  /** Each worker's CPU ns in the last call. */
  cpu: number[];
}

const workerUrl = new URL('./threads-worker.js', import.meta.url);

function reply(w: Worker): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromWorker): void => {
      w.off('error', onError);
      if ('error' in m) reject(new Error(`bench worker: ${m.error}`));
      else resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      reject(e);
    };
    w.once('message', onMessage);
    w.once('error', onError);
  });
}

async function start(v: ThreadVariant): Promise<Group> {
  const ctrl = new SharedArrayBuffer(4);
  const specs = Array.from({ length: v.workers }, (_, i) => v.spec(i, ctrl));
  const workers = specs.map((spec) => new Worker(workerUrl, { workerData: spec }));
  const ready = await Promise.all(workers.map(reply));
  if (!ready.every((m) => 'ready' in m)) throw new Error(`${v.name}: a worker did not get ready`);
  return { workers, call: 0, cpu: [] };
}

/** One call: `n` pairs on every worker of the group, from the common start barrier; returns the window in ms (and in `g.cpu` the workers' CPU ns). */
async function call(g: Group, n: number): Promise<number> {
  const c = ++g.call;
  const replies = g.workers.map(reply);
  for (const w of g.workers) w.postMessage({ run: n, call: c } satisfies ToWorker);
  const times = (await Promise.all(replies)) as { t0: number; t1: number; cpu: number }[];
  g.cpu = times.map((t) => t.cpu);
  return Math.max(...times.map((t) => t.t1)) - Math.min(...times.map((t) => t.t0));
}

/** Per-worker ops for a window of about `callMs` (grow by 4× to a quarter of it, rescale twice, as the harness does). */
async function calibrate(g: Group, callMs: number): Promise<number> {
  const scale = (n: number, ms: number, toMs: number): number => Math.max(1, ms > 0 ? Math.round((n * toMs) / ms) : n * 4);
  let n = 16;
  let ms = await call(g, n);
  while (ms < callMs / 4) ms = await call(g, (n *= 4));
  for (let pass = 0; pass < 2; pass++) ms = await call(g, (n = scale(n, ms, callMs / 4)));
  return scale(n, ms, callMs);
}

export interface ThreadMeasurement extends Measurement {
  /** Every worker's live set at the end, per variant: the pool handed no block to two threads. */
  readonly handedOut: Readonly<Record<string, readonly (readonly number[])[]>>;
  /** Per variant and round: CPU ns per pair, averaged over the group's workers, and the threads' overlap (their CPU time ÷ the window). */
  readonly cpu: Readonly<Record<string, readonly { readonly nsPerPair: number; readonly overlap: number }[]>>;
}

/** The threads' counterpart of the harness's `measure`: calibration, a solo pass, shuffled rounds; GC pauses counted in the workers. */
export async function measureThreads(variants: readonly ThreadVariant[], options: MeasureOptions = defaultOptions): Promise<ThreadMeasurement> {
  const groups: Group[] = [];
  try {
    for (const v of variants) groups.push(await start(v));
    const ops: number[] = [];
    for (const g of groups) {
      const n = await calibrate(g, options.callMs);
      await call(g, n); // warm-up at the measured size
      ops.push(n);
    }
    /** Call indices of each variant's solo windows and round windows. */
    const soloCalls = groups.map(() => [] as number[]);
    const roundCalls = groups.map(() => [] as number[]);
    const soloMs = groups.map(() => [] as number[]);
    const roundMs = groups.map(() => [] as number[]);
    const roundCpu = groups.map(() => [] as { nsPerPair: number; overlap: number }[]);
    const random = seededRandom(options.seed ?? (Number(process.env.BENCH_SEED ?? 1) * 0x9e3779b1) >>> 0);
    for (const i of shuffledOrder(groups.length, random)) {
      for (let pass = 0; pass < 2; pass++) {
        soloMs[i].push(await call(groups[i], ops[i]));
        soloCalls[i].push(groups[i].call);
      }
    }
    const orders: number[][] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = shuffledOrder(groups.length, random);
      orders.push(order);
      for (const i of order) {
        const ms = await call(groups[i], ops[i]);
        roundMs[i].push(ms);
        roundCalls[i].push(groups[i].call);
        const cpu = groups[i].cpu.reduce((a, b) => a + b, 0);
        roundCpu[i].push({ nsPerPair: cpu / (ops[i] * groups[i].workers.length), overlap: cpu / 1e6 / ms });
      }
    }
    // GC pauses per window, from every worker, and the live sets.
    const finals = await Promise.all(
      groups.map(async (g) => {
        const got = g.workers.map(reply);
        for (const w of g.workers) w.postMessage({ finish: true } satisfies ToWorker);
        return (await Promise.all(got)) as { gc: readonly (readonly [number, number])[]; handedOut: readonly number[] }[];
      }),
    );
    const gcIn = (i: number, calls: readonly number[]): [number, number] => {
      let events = 0;
      let ms = 0;
      for (const w of finals[i])
        for (const c of calls) {
          events += w.gc[c - 1][0];
          ms += w.gc[c - 1][1];
        }
      return [events, ms];
    };
    const results: VariantResult[] = variants.map((v, i) => {
      const perOp = (ms: number): number => (ms * 1e6) / (ops[i] * v.workers);
      const rounds = roundMs[i].map(perOp);
      const nsPerOp = median(rounds);
      const [gcEvents, gcMs] = gcIn(i, roundCalls[i]);
      const solo = soloCalls[i].map((c) => gcIn(i, [c]));
      return {
        name: v.name,
        nsPerOp,
        opsPerSec: 1e9 / nsPerOp,
        gcEvents,
        gcMs,
        rounds,
        solo: { nsPerOp: perOp(soloMs[i][1]), gcEvents: solo[1][0], gcMs: solo[1][1] },
        allocates: false,
        allocationFlag: solo[0][0] > 0 && solo[1][0] > 0,
      };
    });
    const byName = new Map(results.map((r) => [r.name, r]));
    const get = (name: string): VariantResult => {
      const r = byName.get(name);
      if (!r) throw new Error(`no variant named ${name}; have ${[...byName.keys()].join(', ')}`);
      return r;
    };
    return {
      variants: results,
      opsPerCall: Object.fromEntries(variants.map((v, i) => [v.name, ops[i] * v.workers])),
      get,
      speedup: (subject, anchor) => pairedRatio(get(subject).rounds, get(anchor).rounds),
      orders,
      handedOut: Object.fromEntries(variants.map((v, i) => [v.name, finals[i].map((w) => w.handedOut)])),
      cpu: Object.fromEntries(variants.map((v, i) => [v.name, roundCpu[i]])),
    };
  } finally {
    await Promise.all(groups.flatMap((g) => g.workers.map((w) => w.terminate())));
    for (const v of variants) v.close?.();
  }
}

const slabBytes = 64;
const slabRegion = (live: number): number => 2 ** Math.ceil(Math.log2(live * slabBytes * 4 + 64));

const plural = (workers: number): string => `${workers} worker${workers > 1 ? 's' : ''}`;
const slabName = (workers: number): string => `naive inlined slab 64 B, ${plural(workers)}`;
const poolName = (workers: number, cache: boolean): string => `offheap shared FixAlloc 64 B, ${plural(workers)}${cache ? '' : ', no per-thread cache'}`;

/** The same loop shape as FixAlloc's pair with every check removed, each worker in its own region of one SharedArrayBuffer. */
function slab(workers: number, live: number): ThreadVariant {
  let buffer: SharedArrayBuffer | undefined;
  return {
    name: slabName(workers),
    workers,
    spec(index, ctrl) {
      buffer ??= new SharedArrayBuffer(slabRegion(live) * workers);
      return { kind: 'slab', index, group: workers, live, ctrl, buffer, regionBytes: slabRegion(live), size: slabBytes };
    },
  };
}

/** Workers attached to one shared space, each pairing on its own objects from one shared pool (its own space per variant). */
function sharedPoolVariant(workers: number, live: number, cache: boolean): ThreadVariant {
  let space: ReturnType<typeof sharedSpace> | undefined;
  return {
    name: poolName(workers, cache),
    workers,
    spec(index, ctrl) {
      space ??= sharedSpace(workers, live);
      return { kind: 'pool', index, group: workers, live, ctrl, share: space.share, pool: 'bench.pairs', cache };
    },
    close() {
      space?.rt.close();
    },
  };
}

/** The pair of FixAlloc's F1 on the main thread, from a shared pool of a shared space (the thread is the space's owner). */
function sharedPair(name: string, live: number): Variant {
  return {
    name,
    setup() {
      const { rt } = sharedSpace(1, live);
      const pool = sharedPool(rt, 'bench.t2', Rec64, { zero: false });
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = pool.alloc();
      return fresh(pairLoop)(pool, slots, order(live));
    },
  };
}

/** Every worker's live set at the end: no address twice, within a worker or across workers. */
function checkDisjoint(m: ThreadMeasurement): void {
  for (const [name, sets] of Object.entries(m.handedOut)) {
    const seen = new Set<number>();
    let total = 0;
    for (const set of sets) {
      for (const p of set) seen.add(p);
      total += set.length;
    }
    if (seen.size !== total) throw new Error(`${name}: ${total - seen.size} addresses are live in two places at once`);
  }
}

const ratio = (x: number): string => `${x.toFixed(2)}×`;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean CPU ns per pair of `subject` ÷ that of `anchor` over all rounds (a mean: one window's CPU time is good only to the scheduler's tick). */
const cpuRatio = (m: ThreadMeasurement, subject: string, anchor: string): number => {
  const s = mean(m.cpu[subject].map((r) => r.nsPerPair));
  const a = mean(m.cpu[anchor].map((r) => r.nsPerPair));
  // No tick fell in the windows (quick runs' 10 ms windows on a busy machine): nothing measured.
  return s > 0 && a > 0 ? s / a : NaN;
};

export const threads: Topic = {
  id: 'threads',
  title: 'Threads',
  async run(): Promise<TopicReport> {
    const live = 10_000;
    const load0 = os.loadavg();
    const m = await measureThreads([slab(1, live), slab(2, live), sharedPoolVariant(1, live, true), sharedPoolVariant(2, live, true), sharedPoolVariant(2, live, false), sharedPoolVariant(1, live, false)]);
    checkDisjoint(m);
    const unshared = 'offheap FixAlloc 64 B pair (unshared runtime)';
    const shared = 'offheap shared FixAlloc 64 B pair (shared runtime, one thread)';
    const one = await measure([fixallocPair(unshared, live, Rec64, false), sharedPair(shared, live)]);
    const load1 = os.loadavg();
    const scaling = m.speedup(slabName(2), slabName(1));
    const ns = (name: string): string => `${m.get(name).nsPerOp.toFixed(2)} ns`;
    return {
      id: this.id,
      title: this.title,
      tables: [
        { caption: `alloc+free pairs in worker threads, 64 B, ${live} live per worker (ns/op = window ÷ the pairs of all the group's workers)`, measurement: m },
        { caption: `alloc+free pairs on one thread, 64 B, ${live} live`, measurement: one },
      ],
      targets: [
        explain(
          { id: 'T1', measure: 'pairs/s with 2 workers ÷ 1 worker, one shared pool, each worker on its own objects', ...vs(m, poolName(2, true), poolName(1, true)), unit: '×', target: 1.7, better: 'higher' },
          `The same loop shape without any allocator (the naive slab) scaled ${ratio(scaling)} in this run: the two cores are shared with other processes (and Linux's autogroup scheduling shares CPU per session, so while other sessions are busy a second thread gets little more of it), and a figure near that ceiling is what the per-thread caches can give.`,
        ),
        {
          id: 'T1',
          measure: 'the machine in this run: naive slab, 2 workers ÷ 1 worker',
          ...vs(m, slabName(2), slabName(1)),
          unit: '×',
          target: 1.7,
          better: 'higher',
          info: true,
          note: 'What two threads of the same loop shape give with no allocator at all: the ceiling T1 can reach on this machine under this load.',
        },
        {
          id: 'T1',
          measure: "the allocator's scaling relative to the machine's: T1 ÷ the slab's 2 ÷ 1, per round",
          value: median(m.get(poolName(1, true)).rounds.map((pool1, r) => pool1 / m.get(poolName(2, true)).rounds[r] / (m.get(slabName(1)).rounds[r] / m.get(slabName(2)).rounds[r]))),
          unit: '×',
          target: NaN,
          better: 'higher',
          info: true,
          note: 'Near 1 when the shared pool scales as well as two threads can on this machine at the time; below 1 is what the allocator itself loses to the second thread.',
        },
        {
          id: 'T1',
          measure: 'CPU time per pair in each worker, 2 workers ÷ 1 worker, over the rounds (contention: 1 when a second thread costs the first nothing)',
          value: cpuRatio(m, poolName(2, true), poolName(1, true)),
          unit: '×',
          target: NaN,
          better: 'lower',
          info: true,
          note: `Each worker reads its own CPU time (Linux schedstat, good to a few ms, so quick runs' 10 ms windows are rough). The two workers' CPU time was ${ratio(mean(m.cpu[poolName(2, true)].map((r) => r.overlap)))} the window (2× when they ran fully at once; near 1× they took turns, and this row cannot show contention); the slab's own ratio in the same rounds was ${ratio(cpuRatio(m, slabName(2), slabName(1)))}.`,
        },
        explain(
          { id: 'T2', measure: 'a shared-pool pair on one thread ÷ the unshared pair (F1), 64 B, 10k live', ...vs(one, shared, unshared), unit: '×', target: 0.75, better: 'higher' },
          `The shared pair costs ${one.get(shared).nsPerOp.toFixed(1)} ns against ${one.get(unshared).nsPerOp.toFixed(1)} ns.`,
        ),
        {
          id: 'T3',
          measure: '2 workers contending on one pool: no per-thread cache ÷ with caches (pairs/s)',
          ...vs(m, poolName(2, false), poolName(2, true)),
          unit: '×',
          target: NaN,
          better: 'higher',
          info: true,
          note: `Without the cache every alloc and free takes the pool lock and touches the central list's head: the two threads serialise on one lock and bounce its cache line (${ns(poolName(2, false))} per pair against ${ns(poolName(2, true))} with caches).`,
        },
        {
          id: 'T3',
          measure: '1 worker, no contention: no per-thread cache ÷ with cache (the lock and central list alone)',
          ...vs(m, poolName(1, false), poolName(1, true)),
          unit: '×',
          target: NaN,
          better: 'higher',
          info: true,
        },
      ],
      anchors: [
        { anchor: 'offheap shared FixAlloc, 1 worker (T1)', why: 'the same pool, loop and live set in one thread: the ratio is pure scaling, with thread start-up and message latency outside the windows (start barrier, times taken in the workers).' },
        { anchor: 'naive inlined slab, 1 and 2 workers', why: 'the loop shape of the pair with no allocator: what two threads can give on this machine at the moment of the run, so a T1 miss can be told apart from a busy machine.' },
        { anchor: 'the unshared pair (T2)', why: "today's FixAlloc pair of F1 on a private runtime, same layout, live set and slot order: what sharing may cost the single-threaded user." },
        { anchor: 'with caches (T3)', why: "the same two workers with the pool's per-thread cache on: the ratio is what the cache saves when threads contend (Go's mcache over mcentral)." },
      ],
      notes: [
        'The GC columns of the worker table count pauses of the workers\' own isolates (a PerformanceObserver in each worker, matched to its windows); the main thread is idle while workers run. No full GC is forced between the worker groups: each group\'s workers have isolates (heaps) of their own, so one group\'s garbage is never collected in another group\'s window. A worker\'s solo pass looks for GC pauses only, not heap growth: a solo GC count of 0 there says the loop allocated less than a young generation per window.',
        `load average ${load0.map((x) => x.toFixed(2)).join(' ')} before and ${load1.map((x) => x.toFixed(2)).join(' ')} after the topic (2 cores, shared with other processes)${
          os.getPriority() !== 0 ? `; run at nice ${os.getPriority()} (with Linux autogroup scheduling that does not raise its share against other sessions)` : ''
        }`,
      ],
    };
  },
};
