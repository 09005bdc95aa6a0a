// The measuring method, as a library.
//
// All variants of a topic table run interleaved in one process. Before the
// rounds, each variant runs alone twice (the solo pass) between forced full
// GCs, so any GC pause or heap growth inside its windows is its own: a
// variant that is not declared to allocate and allocates in both is flagged
// (reading the JS heap size catches allocation below a young generation's
// worth per window, which causes no pause). Then each
// round runs every variant once, in an order shuffled per round from a seeded
// generator, with a forced full GC between variants where the runtime allows
// it, so one variant's garbage is collected outside the next one's window.
// Op counts are calibrated so one call takes about `callMs`. Ratios are taken
// per round against the same round's anchor and the median is reported.
//
// GC pauses come from the `gc` performance entries, which are main-thread
// pauses only: V8's parallel and concurrent GC work on its helper threads is
// no pause, so each window also reads the CPU time the process's other
// threads used during it (Linux; see otherThreadsCpuNs). A pause counts for every window it
// overlaps (with the overlapping milliseconds); a pause inside a forced GC is
// the cleanup of the variant that ran just before; any other pause between
// windows is counted as a gap pause of the table.
//
// A variant's body must be its own compiled function: closures made from one
// literal share V8's type feedback and would measure each other's shapes (see
// `fresh`).
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export interface Variant {
  /** Shown in tables; targets refer to variants by this name. */
  readonly name: string;
  /**
   * Builds the variant's state (untimed) and returns the timed body, which
   * performs `n` operations. State persists across calls (churn, live sets).
   */
  setup(): (n: number) => void;
  /** Allocation on the JS heap is what this variant measures (`new`, `Map.set`): GC pauses in its solo window are expected, not flagged. */
  readonly allocates?: boolean;
}

export interface SoloResult {
  readonly nsPerOp: number;
  /** Main-thread GC pauses overlapping the variant's second solo window (each variant runs alone twice, between forced full GCs). */
  readonly gcEvents: number;
  readonly gcMs: number;
  /** Growth of the JS heap over the solo window ÷ ops, when no GC ran in it (a loop that allocates less than the young generation per window shows here). */
  readonly bytesPerOp?: number;
}

export interface VariantResult {
  readonly name: string;
  /** Median over rounds. */
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  /** Main-thread GC pauses overlapping this variant's timed windows in the interleaved rounds, over all rounds. */
  readonly gcEvents: number;
  readonly gcMs: number;
  /** ns/op of each round, in round order. */
  readonly rounds: readonly number[];
  readonly solo?: SoloResult;
  readonly allocates?: boolean;
  /** Not declared to allocate, yet both its solo windows saw GC pauses or heap growth of at least a byte per op: the loop allocates by accident. */
  readonly allocationFlag?: boolean;
  /** Milliseconds of the forced full GCs right after this variant's windows: the garbage it left behind. */
  readonly cleanupGcMs?: number;
  /**
   * CPU milliseconds the process's other threads used during this variant's round windows (V8's parallel
   * and concurrent GC work and its compiler threads, which report no pauses); absent where it cannot be read.
   */
  readonly otherThreadsMs?: number;
}

export interface Measurement {
  readonly variants: readonly VariantResult[];
  readonly opsPerCall: Readonly<Record<string, number>>;
  /** Median over rounds of `anchor ns/op ÷ subject ns/op` (how many times faster the subject is). */
  speedup(subject: string, anchor: string): number;
  get(name: string): VariantResult;
  /** Pauses between windows that were neither inside a window nor a forced GC. */
  readonly gap?: { readonly events: number; readonly ms: number };
  /** Whether full GCs were forced between variants. */
  readonly forcedGc?: boolean;
  /** The variant order of each round (indices into `variants`). */
  readonly orders?: readonly (readonly number[])[];
}

export interface MeasureOptions {
  /** Timed rounds (≥ 5 for a median worth the name). */
  readonly rounds: number;
  /** Target duration of one timed call. */
  readonly callMs: number;
  /** Upper bound on ops per call, for variants whose state is bounded. */
  readonly maxOps?: number;
  /**
   * Force a full GC between variants in the rounds (default: true, false in
   * quick mode to keep CI short). The solo pass always forces one around each
   * variant when the runtime allows it.
   */
  readonly gcBetween?: boolean;
  /** Seed of the round orders; by default derived from BENCH_SEED and a per-process counter. */
  readonly seed?: number;
}

export const quick = process.env.BENCH_QUICK === '1';

/**
 * How many separate processes the parent runs this topic in (`--repeat N`,
 * passed down as BENCH_PROCESSES; 1 when run alone). A topic that repeats a
 * costly measurement inside its process (lint) can then do fewer per process.
 */
export const processes = ((n: number): number => (Number.isInteger(n) && n >= 1 ? n : 1))(Number(process.env.BENCH_PROCESSES ?? 1));

/** Repetitions inside one process so that `total` measurements are made across `processes` processes (at least one in each). */
export function runsPerProcess(total: number, processes: number): number {
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(processes) || processes < 1) throw new RangeError(`runsPerProcess(${total}, ${processes})`);
  return Math.ceil(total / processes);
}

let compiled = 0;

/**
 * Compiles `factory` afresh, so every variant's loop is its own function: a
 * loop literal shared by several variants (or by the 10k and 1M tables)
 * shares V8's type feedback and loses context specialisation (tests/bench
 * shows it: optimising one closure of a literal optimises its twin). The
 * source gets a unique comment, so no two copies come from V8's cache of
 * `new Function` by source text (on Node 20 two copies of one source did not
 * share optimised code either; the comment keeps that from depending on it).
 * Factories take everything they use as arguments (no free variables: the
 * copy sees only globals).
 */
export function fresh<F extends (...args: never[]) => unknown>(factory: F): F {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see above
  return (new Function(`return (${factory.toString()}); // fresh copy ${compiled++}`) as () => F)();
}
export const defaultOptions: MeasureOptions = quick ? { rounds: 3, callMs: 10 } : { rounds: 7, callMs: 150 };

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A seeded 32-bit generator (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
export function shuffledOrder(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * An access stream over a live set of `live` slots: whole random permutations
 * of 0..live-1 back to back, at least `minLength` entries. Every slot is
 * visited once per permutation, so a 1M-live table touches all 1M slots (a
 * fixed-size random stream would only ever touch a hot subset).
 */
export function liveSetStream(live: number, seed = 0x9e3779b9, minLength = 1 << 16): Int32Array {
  const perms = Math.max(1, Math.ceil(minLength / live));
  const out = new Int32Array(perms * live);
  const random = seededRandom(seed ^ live);
  for (let p = 0; p < perms; p++) {
    const base = p * live;
    for (let i = 0; i < live; i++) out[base + i] = i;
    for (let i = live - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = out[base + i];
      out[base + i] = out[base + j];
      out[base + j] = t;
    }
  }
  return out;
}

/** A place for loops to leave their result so it is not dead code; a typed-array store allocates nothing. */
export const sink = new Float64Array(8);

let gcFunction: (() => void) | null | undefined;

/**
 * A full, synchronous GC, or undefined where it cannot be had. Uses the
 * global `gc` of `node --expose-gc` when present, else turns the flag on
 * and takes `gc` from a new context.
 */
export function fullGc(): (() => void) | undefined {
  if (gcFunction === undefined) {
    const g = (globalThis as { gc?: unknown }).gc;
    if (typeof g === 'function') gcFunction = g as () => void;
    else {
      try {
        v8.setFlagsFromString('--expose-gc');
        gcFunction = vm.runInNewContext('gc') as () => void;
      } catch {
        gcFunction = null;
      }
    }
  }
  return gcFunction ?? undefined;
}

let selfTask: string | null | undefined;

/**
 * CPU time in ns used so far by this process's threads other than the calling one: V8's GC helpers
 * (parallel scavenges, concurrent marking and sweeping) and its compiler threads, none of which reports
 * a pause. Linux only (each thread's /proc schedstat, current to a scheduler tick); undefined elsewhere.
 */
export function otherThreadsCpuNs(): number | undefined {
  if (selfTask === undefined) {
    try {
      selfTask = readlinkSync('/proc/thread-self').split('/').pop() ?? null; // "<pid>/task/<tid>"
    } catch {
      selfTask = null;
    }
  }
  if (selfTask === null) return undefined;
  let ns = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    if (tid === selfTask) continue;
    let fd = -1;
    try {
      // Into a fixed buffer, digits parsed in place: readFileSync on a /proc file (size 0) reads through
      // 64 KiB buffers, which would show as heap growth next to a loop that allocates nothing.
      fd = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
      const n = readSync(fd, statBuf, 0, statBuf.length, 0);
      let x = 0;
      for (let k = 0; k < n && statBuf[k] >= 48 && statBuf[k] <= 57; k++) x = x * 10 + (statBuf[k] - 48);
      ns += x;
    } catch {
      // The thread ended between the listing and the read.
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }
  return ns;
}
const statBuf = Buffer.alloc(64);

/** Heap growth in a solo window below this is not taken as the loop's allocation. */
const allocationFloor = 64 * 1024;

let seedCounter = 0;
const baseSeed = Number(process.env.BENCH_SEED ?? 1) >>> 0;

/**
 * Lets the GC observer deliver: Node queues gc entries from the collector's
 * callback and hands them over a turn of the event loop later, so one
 * setImmediate is not enough (measured: 0 entries after one, all after a timer).
 */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** A GC pause: start and duration in performance.now() milliseconds. */
export type Pause = readonly [start: number, duration: number];

/** Pauses overlapping [t0, t1): count, and the milliseconds of them inside the interval. */
export function overlapping(pauses: readonly Pause[], t0: number, t1: number): [events: number, ms: number] {
  let events = 0;
  let ms = 0;
  for (const [start, duration] of pauses) {
    const end = start + duration;
    if (start < t1 && end > t0) {
      events++;
      ms += Math.min(end, t1) - Math.max(start, t0);
    }
  }
  return [events, ms];
}

/** GC entries seen since the last drain. */
class GcLog {
  private entries: Pause[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push([e.startTime, e.duration]);
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  async drain(): Promise<Pause[]> {
    await tick(); // observer callbacks are delivered a turn of the event loop later
    const out = this.entries;
    this.entries = [];
    return out;
  }
  stop(): void {
    this.observer.disconnect();
  }
}

/**
 * Calls `body(64)` for at least 200 calls and 20 ms (at most 250 ms), before calibrate's long calls. Each timed loop
 * is the only closure of its code (see fresh), so a TurboFan compile of the whole function specializes it to its
 * context (its captured runtime, layout, arrays become constants). A loop first compiled on the stack (OSR) during one
 * long call gets OSR code, which is not specialized, and when the whole-function compile has not landed by then, the
 * function stays in baseline code + OSR for good (%GetOptimizationStatus 1000000000000001 against 1010001). Which
 * happened depended on compile timing, per process and per loop: the heap topic's 64 B clears ran at about 6.7 or
 * 10.5 ns per clear, and the HeapRef pair of AS3 at 10k live at 12.9–13.0 or 26.1 ns (the page at 0134c0f: one
 * process of three, AS3 0.83× against 1.63–1.79×). Short calls return often, and each return spends the tiering
 * budget, so the whole function gets compiled here: every variant alike, anchors included. The specialized mode is
 * the one chosen because a user's module-level loop is also the only closure of its code.
 */
export function warmWhole(body: (n: number) => void): void {
  const t0 = performance.now();
  for (let k = 0; k < 200 || performance.now() - t0 < 20; k++) {
    body(64);
    if (performance.now() - t0 > 250) break; // a body whose 64 ops take long (a full collection each) is not an OSR case
  }
}

/**
 * Ops per call for about `callMs`: grow by 4× until a call takes a quarter of
 * it, then rescale twice at a quarter of the target, so the estimate does not
 * come from a cold first call (lazy compilation, unoptimised code).
 */
function calibrate(body: (n: number) => void, callMs: number, maxOps: number): number {
  const timed = (n: number): number => {
    const t0 = performance.now();
    body(n);
    return performance.now() - t0;
  };
  const scale = (n: number, ms: number, toMs: number): number => Math.max(1, Math.min(maxOps, ms > 0 ? Math.round((n * toMs) / ms) : n * 4));
  let n = 16;
  let ms = timed(n);
  while (ms < callMs / 4 && n < maxOps) {
    n = Math.min(maxOps, n * 4);
    ms = timed(n);
  }
  for (let pass = 0; pass < 2; pass++) {
    n = scale(n, ms, callMs / 4);
    ms = timed(n);
  }
  return scale(n, ms, callMs);
}

/** Runs the variants alone, then interleaved in shuffled rounds; returns their medians, per-round figures and GC attribution. */
export async function measure(variants: readonly Variant[], options: MeasureOptions = defaultOptions): Promise<Measurement> {
  const started = performance.now();
  const bodies = variants.map((v) => v.setup());
  for (const body of bodies) warmWhole(body);
  const ops = bodies.map((body) => calibrate(body, options.callMs, options.maxOps ?? 2 ** 30));
  bodies.forEach((body, i) => body(ops[i])); // warm-up call at the measured size
  const collect = fullGc();
  const between = (options.gcBetween ?? !quick) ? collect : undefined;
  const random = seededRandom(options.seed ?? (baseSeed * 0x9e3779b1 + ++seedCounter * 0x85ebca6b) >>> 0);
  const log = new GcLog();
  type Window = { i: number; t0: number; t1: number; otherNs?: number; grown: number };
  const windows: Window[] = [];
  const forced: Window[] = [];
  const pauses: Pause[] = [];
  const time = (i: number, into: Window[], gc: (() => void) | undefined): void => {
    const c0 = otherThreadsCpuNs();
    // The heap read next to the window, so the reads around it are not counted as the loop's allocation.
    const h0 = v8.getHeapStatistics().used_heap_size;
    const t0 = performance.now();
    bodies[i](ops[i]);
    const t1 = performance.now();
    const grown = v8.getHeapStatistics().used_heap_size - h0;
    const c1 = otherThreadsCpuNs();
    // A thread that ended during the window takes its time out of the sum: never below 0.
    into.push({ i, t0, t1, grown, ...(c0 !== undefined && c1 !== undefined ? { otherNs: Math.max(0, c1 - c0) } : {}) });
    if (gc) {
      const f0 = performance.now();
      gc();
      forced.push({ i, t0: f0, t1: performance.now(), grown: 0 });
    }
  };

  // Solo pass: each variant alone, between forced full GCs, twice. A loop that allocates does so in
  // both windows; a one-off (optimised code finishing its installation on the main thread during
  // the first window allocates code and metadata) shows in one only, so only both together flag it.
  const solo: Window[][] = [[], []];
  const grown = [variants.map(() => 0), variants.map(() => 0)];
  collect?.();
  await log.drain();
  for (const i of shuffledOrder(variants.length, random)) {
    for (const pass of [0, 1]) {
      time(i, solo[pass], undefined);
      grown[pass][i] = solo[pass][solo[pass].length - 1].grown;
      if (collect) {
        const f0 = performance.now();
        collect();
        forced.push({ i, t0: f0, t1: performance.now(), grown: 0 });
      }
      pauses.push(...(await log.drain()));
    }
  }

  const orders: number[][] = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = shuffledOrder(variants.length, random);
    orders.push(order);
    for (const i of order) time(i, windows, between);
    pauses.push(...(await log.drain()));
  }
  pauses.push(...(await log.drain()));
  log.stop();
  // The bodies hold the variants' state (live sets of up to a million objects), which must not outlive the table.
  // `time` captures `bodies`, and V8 gives all closures of one scope one context, so the returned `get` kept every
  // body reachable until the topic ended: the AssemblyScript topic ran its later tables with the 1M-record table's
  // 130 MB still live, each forced GC taking 0.3-1 s, and its HeapRef pair read 38.9 ns there against 16.2 ns before.
  bodies.length = 0;

  const inAny = (p: Pause, ws: readonly Window[]): boolean => ws.some((w) => overlapping([p], w.t0, w.t1)[0] > 0);
  const gapPauses = pauses.filter((p) => !inAny(p, windows) && !inAny(p, solo[0]) && !inAny(p, solo[1]) && !inAny(p, forced));
  const results: VariantResult[] = variants.map((v, i) => {
    const mine = windows.filter((w) => w.i === i);
    const rounds = mine.map((w) => ((w.t1 - w.t0) * 1e6) / ops[i]);
    let gcEvents = 0;
    let gcMs = 0;
    for (const w of mine) {
      const [e, ms] = overlapping(pauses, w.t0, w.t1);
      gcEvents += e;
      gcMs += ms;
    }
    const otherThreadsMs = mine.every((w) => w.otherNs !== undefined) ? mine.reduce((a, w) => a + w.otherNs!, 0) / 1e6 : undefined;
    const soloPass = (pass: number): { window: Window; events: number; ms: number; bytesPerOp?: number; allocated: boolean } => {
      const window = solo[pass].find((w) => w.i === i)!;
      const [events, ms] = overlapping(pauses, window.t0, window.t1);
      // Heap growth means something only without a GC in the window; the floor ignores the few
      // objects a timer read or a recompilation may leave.
      const bytesPerOp = events === 0 ? Math.max(0, grown[pass][i]) / ops[i] : undefined;
      const allocated = events > 0 || (bytesPerOp !== undefined && grown[pass][i] > allocationFloor && bytesPerOp >= 1);
      return { window, events, ms, bytesPerOp, allocated };
    };
    const [first, second] = [soloPass(0), soloPass(1)];
    const s = second.window;
    const soloEvents = second.events;
    const soloMs = second.ms;
    const bytesPerOp = second.bytesPerOp;
    let cleanupGcMs = 0;
    for (const f of forced.filter((w) => w.i === i)) cleanupGcMs += overlapping(pauses, f.t0, f.t1)[1];
    const nsPerOp = median(rounds);
    return {
      name: v.name,
      nsPerOp,
      opsPerSec: 1e9 / nsPerOp,
      gcEvents,
      gcMs,
      rounds,
      solo: { nsPerOp: ((s.t1 - s.t0) * 1e6) / ops[i], gcEvents: soloEvents, gcMs: soloMs, ...(bytesPerOp === undefined ? {} : { bytesPerOp }) },
      allocates: v.allocates === true,
      allocationFlag: v.allocates !== true && first.allocated && second.allocated,
      cleanupGcMs,
      ...(otherThreadsMs === undefined ? {} : { otherThreadsMs }),
    };
  });
  if (process.env.BENCH_TRACE) console.log(`    [measure ${variants.map((v) => v.name).join(' | ')}: ${(performance.now() - started).toFixed(0)} ms]`);
  const byName = new Map(results.map((r) => [r.name, r]));
  if (byName.size !== results.length) throw new Error(`duplicate variant names: ${results.map((r) => r.name).join(', ')}`);
  const get = (name: string): VariantResult => {
    const r = byName.get(name);
    if (!r) throw new Error(`no variant named ${name}; have ${[...byName.keys()].join(', ')}`);
    return r;
  };
  return {
    variants: results,
    opsPerCall: Object.fromEntries(variants.map((v, i) => [v.name, ops[i]])),
    get,
    speedup: (subject, anchor) => pairedRatio(get(subject).rounds, get(anchor).rounds),
    gap: { events: gapPauses.length, ms: gapPauses.reduce((a, [, d]) => a + d, 0) },
    forcedGc: between !== undefined,
    orders,
  };
}

/** Median over rounds of `anchor[r] ÷ subject[r]` (times, so > 1 means the subject is faster). */
export function pairedRatio(subject: readonly number[], anchor: readonly number[]): number {
  if (subject.length !== anchor.length) throw new Error(`unpaired rounds: ${subject.length} against ${anchor.length}`);
  return median(subject.map((x, r) => anchor[r] / x));
}

/** Median over rounds of `subject[r] − anchor[r]`: a difference of measurements paired within each round. */
export function pairedDifference(subject: readonly number[], anchor: readonly number[]): number {
  if (subject.length !== anchor.length) throw new Error(`unpaired rounds: ${subject.length} against ${anchor.length}`);
  return median(subject.map((x, r) => x - anchor[r]));
}
